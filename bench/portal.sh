#!/usr/bin/env bash
# Benchmark (not a test) of issue 14's targets, against a release `cst serve --demo`:
#  1. 1,000 simultaneous sign-ups (1 seat each, 1,000 threads of Python's http.client, one
#     connection each) for an event of 100 seats: the rate, and the check that exactly 100 are
#     confirmed and that they are the first 100 to arrive (the lowest ids);
#  2. the public event page under 50 clients (wrk, loopback): requests/s and p50…p99.
#
#   bench/portal.sh                                   # SQLite
#   BENCH_DATABASE=postgres://postgres@127.0.0.1:5432/cst_bench_portal bench/portal.sh   # an empty db
#
# The clients and cst share this machine's cores.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
command -v wrk >/dev/null || bash scripts/install-test-deps.sh
cargo build --release -p cst -q
bin="$here/target/release/cst"
dir=$(mktemp -d)
db=${BENCH_DATABASE:-sqlite://$dir/bench.db}
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
CST_LOG=error "$bin" serve --demo --listen 127.0.0.1:0 --database "$db" >"$dir/out" 2>&1 &
pid=$!
for _ in $(seq 1 300); do grep -q "demo login: fornitore" "$dir/out" 2>/dev/null && break; sleep 0.1; done
base=$(sed -n 's/^cst listening on \(http:\/\/[0-9.:]*\)\/.*/\1/p' "$dir/out")
[ -n "$base" ] || { cat "$dir/out"; exit 1; }
token=$("$bin" token issue --username admin --label bench --database "$db")
echo "cst $(git rev-parse --short HEAD 2>/dev/null || echo '?') on ${db%%://*}, $(nproc) cores"
BASE=$base TOKEN=$token python3 - <<'PY'
import http.client, json, os, threading, time, urllib.parse
base, token = os.environ["BASE"], os.environ["TOKEN"]
u = urllib.parse.urlparse(base)
def call(method, path, body=None):
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
    c.request(method, path, body=json.dumps(body) if body is not None else None,
              headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, json.loads(data) if data else None
_, ents = call("GET", "/api/v1/entities?q=028060")
padova = ents["items"][0]["id"]
_, ev = call("POST", "/api/v1/events", {"entity_id": padova, "title": "Concerto per il benchmark",
                                        "starts_at": "2030-06-01T21:00", "seats": 100})
eid = ev["id"]
N = 1000
go = threading.Event()
results = [None] * N
def one(i):
    go.wait()
    results[i] = call("POST", f"/api/v1/events/{eid}/registrations",
                      {"name": f"Persona {i}", "email": f"p{i}@example.org", "seats": 1, "channel": "web"})
threads = [threading.Thread(target=one, args=(i,)) for i in range(N)]
for t in threads: t.start()
t0 = time.perf_counter(); go.set()
for t in threads: t.join()
secs = time.perf_counter() - t0
bad = [r for r in results if r[0] != 201]
_, regs = call("GET", f"/api/v1/events/{eid}/registrations")
items = regs["items"]
confirmed = [r["id"] for r in items if r["state"] == "confirmed"]
waiting = [r["id"] for r in items if r["state"] == "waiting"]
ids = sorted(r["id"] for r in items)
in_order = confirmed == ids[:len(confirmed)] and [r["position"] for r in items if r["state"] == "waiting"] == list(range(1, len(waiting) + 1))
print(f"== {N} simultaneous sign-ups for 100 seats: {secs:.2f} s, {N / secs:.0f} sign-ups/s; "
      f"{len(bad)} refused; {len(confirmed)} confirmed, {len(waiting)} waiting; "
      f"confirmed are the first to arrive and the list is numbered in order: {in_order}")
PY
padova=$(curl -s -H "Authorization: Bearer $token" "$base/api/v1/entities?q=028060" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
eid=$(curl -s -H "Authorization: Bearer $token" "$base/api/v1/events?entity_id=$padova" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
echo "== GET /p/$padova/eventi/$eid (the public event page), 50 clients, ${DURATION:-20s}"
wrk -t2 -c50 -d"${DURATION:-20s}" --latency "$base/p/$padova/eventi/$eid" | grep -E "Requests/sec|^ +(50|75|90|99)%|Non-2xx|Socket errors"
