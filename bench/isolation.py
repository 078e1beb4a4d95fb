#!/usr/bin/env python3
"""Isolation between authorities, over HTTP against the release binary on this machine.

While authority `busy` runs 40 concurrent CSV imports of 10,000 returns each (40 contracts) and
authority `chatty` creates missions at 300 a second, authority `quiet` reads one of its
missions in a loop. Reported: the quiet reads' latency (p50, p99, max), how many requests of
each authority got each status (a 503 is a failure), and how long the imports took.

Targets (the isolation rule in src/admission.rs): quiet read p99 < 50 ms; no 503 anywhere.
Usage: bench/isolation.py [--bin target/release/mission-procurement] [--postgres URL]
Runs on SQLite always and on PostgreSQL when --postgres is given (a fresh schema, dropped
afterwards). Every request goes to 127.0.0.1; the loops are bounded.
"""
import argparse, collections, json, os, sys, threading, time, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import each_database, mint, percentile, request, serving  # noqa: E402
from monitoring import contract, csv_returns  # noqa: E402

IMPORTS = 40
WRITES_PER_SECOND = 300


def run(binary, database_url, label):
    with serving(binary, database_url) as (base, env, _):
        tokens = {a: mint(binary, env, a) for a in ("busy", "chatty", "quiet")}
        statuses = {a: collections.Counter() for a in tokens}
        lock = threading.Lock()

        def count(authority, status):
            with lock:
                statuses[authority][status] += 1

        mission = {"statement": "By 2030 every resident lives within 10 minutes of green space", "target_year": 2030}
        status, _ = request(base, tokens["quiet"], "POST", "/api/v1/missions", mission)
        assert status == 201, status
        mid = json.loads(urllib.request.urlopen(urllib.request.Request(
            base + "/api/v1/missions?limit=1", headers={"Authorization": "Bearer " + tokens["quiet"]})).read())["items"][0]["id"]
        bodies = []
        for _ in range(IMPORTS):
            cid, terms = contract(base, tokens["busy"], 170)
            bodies.append((cid, csv_returns(terms, 10_000)))
        print(f"{label}: {IMPORTS} contracts ready")

        done = threading.Event()
        reads = []

        def reader():
            while not done.is_set():
                status, seconds = request(base, tokens["quiet"], "GET", f"/api/v1/missions/{mid}")
                count("quiet", status)
                reads.append(seconds)
                time.sleep(0.005)

        def writer(offset):
            # WRITES_PER_SECOND spread over 8 threads, each on its own schedule.
            interval = 8 / WRITES_PER_SECOND
            due = time.perf_counter() + offset * interval / 8
            n = 0
            while not done.is_set():
                now = time.perf_counter()
                if now < due:
                    time.sleep(due - now)
                status, _ = request(base, tokens["chatty"], "POST", "/api/v1/missions",
                                    {"statement": f"Mission {offset}-{n}", "target_year": 2030})
                count("chatty", status)
                n += 1
                due += interval

        def importer(cid, body):
            status, _ = request(base, tokens["busy"], "POST", f"/api/v1/contracts/{cid}/observations", body, "text/csv")
            count("busy", status)

        background = [threading.Thread(target=reader)] + [threading.Thread(target=writer, args=(i,)) for i in range(8)]
        for t in background:
            t.start()
        time.sleep(1)
        started = time.perf_counter()
        imports = [threading.Thread(target=importer, args=b) for b in bodies]
        for t in imports:
            t.start()
        for t in imports:
            t.join()
        seconds = time.perf_counter() - started
        done.set()
        for t in background:
            t.join()
        writes = sum(statuses["chatty"].values())
        print(f"{label}: {IMPORTS} concurrent imports of 10,000 returns took {seconds:.1f} s; "
              f"{writes} small writes by another authority meanwhile")
        print(f"{label}: quiet authority's reads: {len(reads)}, p50 {percentile(reads, 0.5) * 1000:.1f} ms, "
              f"p99 {percentile(reads, 0.99) * 1000:.1f} ms, max {max(reads) * 1000:.1f} ms (target p99 < 50 ms)")
        for authority, counter in statuses.items():
            print(f"{label}: {authority} statuses {dict(sorted(counter.items()))}")
        failed = any(code >= 500 for counter in statuses.values() for code in counter)
        return 1 if failed else 0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bin", default="target/release/mission-procurement")
    p.add_argument("--postgres")
    a = p.parse_args()
    return each_database(run, a.bin, a.postgres)


if __name__ == "__main__":
    sys.exit(main())
