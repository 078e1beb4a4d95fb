#!/usr/bin/env python3
"""The cost of one monitoring return against the size of the contract's history.

One contract of 400 monthly KPI terms: 200 single-return requests are timed while it has no
returns, then again after 10,000 returns have been imported (other terms' and periods'), and
the medians compared. Target: with history within 1.5x of empty (the write reads only the
terms and periods the batch names).

Usage: bench/return_latency.py [--bin target/release/mission-procurement] [--postgres URL]
"""
import argparse, os, statistics, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import each_database, mint, request, serving  # noqa: E402
from monitoring import call, contract, csv_returns, months  # noqa: E402


def timed_returns(base, token, cid, slots):
    times = []
    for term, month in slots:
        status, seconds = request(base, token, "POST", f"/api/v1/contracts/{cid}/observations",
                                  {"term_id": term, "period_start": month, "measures": {"value": "95"}})
        assert status == 201, status
        times.append(seconds * 1000)
    return statistics.median(times)


def run(binary, database_url, label):
    with serving(binary, database_url) as (base, env, _):
        token = mint(binary, env, "bench")
        cid, terms = contract(base, token, 400)
        all_months = list(months())
        # Terms 0-199 take the timed single returns; terms 200-399 the bulk history.
        before = [(terms[i], all_months[0]) for i in range(200)]
        after = [(terms[i], all_months[1]) for i in range(200)]
        empty = timed_returns(base, token, cid, before)
        call(base, token, "POST", f"/api/v1/contracts/{cid}/observations", csv_returns(terms[200:], 10_000), "text/csv")
        time.sleep(10)  # let the database settle after the bulk write (autovacuum, checkpoints)
        full = timed_returns(base, token, cid, after)
        print(f"{label}: one return, median {empty:.2f} ms on a 400-term contract with 200 returns, "
              f"{full:.2f} ms with 10,200: ratio {full / empty:.2f} (target <= 1.5)")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bin", default="target/release/mission-procurement")
    p.add_argument("--postgres")
    a = p.parse_args()
    return each_database(run, a.bin, a.postgres)


if __name__ == "__main__":
    sys.exit(main())
