"""What every benchmark script shares: a release server on a free port, tokens, and the run on
SQLite and (with --postgres) on a throwaway PostgreSQL schema."""
import contextlib, json, os, socket, subprocess, tempfile, time, urllib.error, urllib.request, uuid

SECRET = "bench-secret-bench-secret-bench-secret!"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(binary, database_url):
    """Starts the service on `database_url`; yields (base URL, its environment, its pid)."""
    port = free_port()
    env = dict(os.environ, DATABASE_URL=database_url, BIND=f"127.0.0.1:{port}", JWT_SECRET=SECRET, RUST_LOG="warn")
    server = subprocess.Popen([binary], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/ready", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        yield base, env, server.pid
    finally:
        server.terminate()
        server.wait(timeout=60)


def mint(binary, env, authority, roles=("officer", "auditor", "integration")):
    args = [binary, "token", "--authority", authority, "--ttl", "2h"]
    for role in roles:
        args += ["--role", role]
    return subprocess.check_output(args, env=env, text=True).strip()


def each_database(run, binary, postgres):
    """run(binary, database_url, label) on SQLite, then on PostgreSQL when a URL is given; the
    results OR-ed (0 for a run that returns nothing)."""
    rc = 0
    with tempfile.TemporaryDirectory() as d:
        rc |= run(binary, f"sqlite://{d}/bench.db", "SQLite") or 0
    if postgres:
        schema = "bench_" + uuid.uuid4().hex
        subprocess.check_call(["psql", postgres, "-qc", f"CREATE SCHEMA {schema}"])
        try:
            sep = "&" if "?" in postgres else "?"
            rc |= run(binary, f"{postgres}{sep}options=-csearch_path%3D{schema}", "PostgreSQL") or 0
        finally:
            subprocess.check_call(["psql", postgres, "-qc", f"SET client_min_messages = warning; DROP SCHEMA {schema} CASCADE"])
    return rc


def request(base, token, method, path, body=None, content_type="application/json"):
    """(status, seconds); never raises for an HTTP status."""
    data = body if isinstance(body, bytes) else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Authorization", "Bearer " + token)
    if data is not None:
        req.add_header("Content-Type", content_type)
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=600) as res:
            res.read()
            status = res.status
    except urllib.error.HTTPError as e:
        status = e.code
    return status, time.perf_counter() - started


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]
