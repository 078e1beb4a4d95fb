#!/usr/bin/env python3
"""Load benchmark for contract monitoring, against a real server on this machine.

1. Bulk import: 10,000 monitoring returns in one CSV request (170 monthly terms x 60 months).
2. Compliance: GET /contracts/{id}/compliance for a contract with 20 terms x 60 periods.

Targets on a 2-core machine: import >= 20,000 returns/s, compliance < 50 ms.
Usage: bench/monitoring.py [--bin target/release/mission-procurement] [--postgres URL]
Runs on SQLite always and on PostgreSQL when --postgres is given (a fresh schema, dropped
afterwards). Every request goes to 127.0.0.1; the loops are bounded.
"""
import argparse, json, os, statistics, sys, time, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import each_database, mint, serving  # noqa: E402

def call(base, token, method, path, body=None, content_type="application/json", if_match=None):
    data = body if isinstance(body, bytes) else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Authorization", "Bearer " + token)
    if if_match:
        req.add_header("If-Match", if_match)
    if data is not None:
        req.add_header("Content-Type", content_type)
    with urllib.request.urlopen(req, timeout=600) as res:
        return json.loads(res.read() or b"null")

def contract(base, token, terms):
    c = call(base, token, "POST", "/api/v1/contracts", {
        "title": "Benchmark contract", "value": "60000000", "start_date": "2020-01-01", "end_date": "2024-12-31",
        "supplier": {"name": "Bench Ltd", "identifier": "GB-COH-00000000"}})
    ids = []
    for i in range(terms):
        t = call(base, token, "POST", f"/api/v1/contracts/{c['id']}/terms", {"title": f"KPI {i}", "spec": {
            "kind": "kpi", "material": i < 3,
            "metric": {"name": f"KPI {i}", "unit": "%", "direction": "at_least", "target": "90"},
            "schedule": {"cadence": "monthly", "first_period_start": "2020-01-01"},
            "consequence": {"type": "service_credit", "basis": {"type": "percent_of_period_fee", "percent": "2"}}}})
        ids.append(t["id"])
    # In force from its start, so every period is due.
    call(base, token, "PATCH", f"/api/v1/contracts/{c['id']}", {"status": "active", "status_effective_on": "2020-01-01"}, if_match="*")
    return c["id"], ids

def months():
    for y in range(2020, 2025):
        for m in range(1, 13):
            yield f"{y}-{m:02d}-01"

def csv_returns(terms, limit):
    lines = ["term_id,period_start,measure.value,dimension.ward"]
    for start in months():
        for i, t in enumerate(terms):
            if len(lines) > limit:
                break
            lines.append(f"{t},{start},{80 + (i * 7 + len(lines)) % 20},Ward {i % 5}")
    return ("\n".join(lines) + "\n").encode()

def run(binary, database_url, label):
    with serving(binary, database_url) as (base, env, _):
        token = mint(binary, env, "bench")
        cid, terms = contract(base, token, 170)
        body = csv_returns(terms, 10_000)
        started = time.perf_counter()
        result = call(base, token, "POST", f"/api/v1/contracts/{cid}/observations", body, "text/csv")
        seconds = time.perf_counter() - started
        print(f"{label}: imported {result['count']} returns in {seconds * 1000:.0f} ms = {result['count'] / seconds:,.0f} returns/s (target >= 20,000)")

        cid, terms = contract(base, token, 20)
        call(base, token, "POST", f"/api/v1/contracts/{cid}/observations", csv_returns(terms, 1200), "text/csv")
        times = []
        for _ in range(20):
            started = time.perf_counter()
            call(base, token, "GET", f"/api/v1/contracts/{cid}/compliance")
            times.append((time.perf_counter() - started) * 1000)
        print(f"{label}: compliance for 20 terms x 60 periods: median {statistics.median(times):.1f} ms, best {min(times):.1f} ms (target < 50 ms)")

def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bin", default="target/release/mission-procurement")
    p.add_argument("--postgres")
    a = p.parse_args()
    return each_database(run, a.bin, a.postgres)

if __name__ == "__main__":
    sys.exit(main())
