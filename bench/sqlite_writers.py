#!/usr/bin/env python3
"""SQLite under concurrent writers, over HTTP against the release binary on this machine.

16 clients, each of its own authority, post one monitoring return at a time for 10 seconds
(each client on its own contract, a new period each time). Reported: writes per second and the
write latency (p50, p99, max); any status other than 201 is counted.

Target: p99 under 1 s, far from the 10 s busy timeout (writes queue in the service, one at a
time, instead of retrying inside SQLite). Usage: bench/sqlite_writers.py [--bin …]
"""
import argparse, collections, os, sys, tempfile, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import mint, percentile, request, serving  # noqa: E402
from monitoring import contract, months  # noqa: E402

CLIENTS = 16
SECONDS = 10


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bin", default="target/release/mission-procurement")
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as d, serving(a.bin, f"sqlite://{d}/bench.db") as (base, env, _):
        tokens = [mint(a.bin, env, f"writer-{i}") for i in range(CLIENTS)]
        plans = []
        for token in tokens:
            cid, terms = contract(base, token, 50)
            slots = [(t, m) for m in months() for t in terms]
            plans.append((token, cid, slots))
        latencies, statuses, lock = [], collections.Counter(), threading.Lock()
        deadline = time.perf_counter() + SECONDS

        def client(token, cid, slots):
            for term, month in slots:
                if time.perf_counter() > deadline:
                    return
                status, seconds = request(base, token, "POST", f"/api/v1/contracts/{cid}/observations",
                                          {"term_id": term, "period_start": month, "measures": {"value": "95"}})
                with lock:
                    statuses[status] += 1
                    latencies.append(seconds)

        threads = [threading.Thread(target=client, args=plan) for plan in plans]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        print(f"SQLite, {CLIENTS} concurrent writers: {len(latencies)} writes in {elapsed:.1f} s "
              f"= {len(latencies) / elapsed:,.0f}/s; latency p50 {percentile(latencies, 0.5) * 1000:.1f} ms, "
              f"p99 {percentile(latencies, 0.99) * 1000:.1f} ms, max {max(latencies) * 1000:.1f} ms "
              f"(target p99 < 1 s); statuses {dict(statuses)}")
        return 0 if set(statuses) == {201} else 1


if __name__ == "__main__":
    sys.exit(main())
