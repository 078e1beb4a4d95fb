#!/usr/bin/env python3
"""How long `GET /api/v1/audit/verify` takes on a long trail, and what it costs in memory.

Builds one authority with about 1,000,000 audit events (100 contracts, each with 170 monthly
KPI terms and a CSV import of 10,000 returns: one event per return), then times the
verification and samples the server's resident memory before and during it.

Usage: bench/audit_verify.py [--bin target/release/mission-procurement] [--postgres URL]
       [--contracts 100]
Runs on SQLite always and on PostgreSQL when --postgres is given (a fresh schema, dropped
afterwards). Every request goes to 127.0.0.1; the loops are bounded.
"""
import argparse, os, sys, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import each_database, mint, serving  # noqa: E402
from monitoring import call, contract, csv_returns  # noqa: E402


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def run(binary, database_url, label, contracts):
    with serving(binary, database_url) as (base, env, server_pid):
        token = mint(binary, env, "bench")
        started = time.perf_counter()
        for _ in range(contracts):
            cid, terms = contract(base, token, 170)
            call(base, token, "POST", f"/api/v1/contracts/{cid}/observations", csv_returns(terms, 10_000), "text/csv")
        print(f"{label}: loaded {contracts} contracts in {time.perf_counter() - started:.0f} s")
        before = rss_kib(server_pid)
        peak = [before]
        done = threading.Event()

        def sample():
            while not done.is_set():
                peak[0] = max(peak[0], rss_kib(server_pid))
                time.sleep(0.05)

        sampler = threading.Thread(target=sample)
        sampler.start()
        started = time.perf_counter()
        report = call(base, token, "GET", "/api/v1/audit/verify")
        seconds = time.perf_counter() - started
        done.set()
        sampler.join()
        print(f"{label}: verified {report['events_checked']:,} events and {report['entities_checked']:,} records "
              f"in {seconds:.1f} s (valid: {report['valid']}); server RSS {before / 1024:.0f} MiB before, "
              f"peak {peak[0] / 1024:.0f} MiB during (+{(peak[0] - before) / 1024:.0f} MiB)")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bin", default="target/release/mission-procurement")
    p.add_argument("--postgres")
    p.add_argument("--contracts", type=int, default=100)
    a = p.parse_args()
    return each_database(lambda binary, url, label: run(binary, url, label, a.contracts), a.bin, a.postgres)


if __name__ == "__main__":
    sys.exit(main())
