#!/usr/bin/env bash
# Benchmark (not a test): GET /api/v1/entities/{id} and the entity list page under concurrent load
# on loopback, with wrk. Prints requests/s and latency percentiles (p50…p99).
#
#   bench/http.sh                       # SQLite, 50 clients, 20 s per target
#   CLIENTS=100 DURATION=30s bench/http.sh
#   BENCH_DATABASE=postgres://postgres@127.0.0.1:5432/cst_bench bench/http.sh   # an existing, empty PostgreSQL db
#
# wrk and cst share this machine's cores: the figures are for both on one 2-core machine.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
command -v wrk >/dev/null || bash scripts/install-test-deps.sh
clients=${CLIENTS:-50}
duration=${DURATION:-20s}
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
id=$(curl -s -H "Authorization: Bearer $token" "$base/api/v1/entities?q=028060" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
curl -s -o /dev/null -c "$dir/jar" -d username=admin -d password=cst-demo-admin "$base/login"
cookie=$(awk '$6 == "cst_session" {print $7}' "$dir/jar")

echo "cst $(git rev-parse --short HEAD 2>/dev/null || echo '?') on ${db%%://*}, $(nproc) cores, $clients clients, $duration per target"
run() {
  local name=$1; shift
  echo "== $name"
  wrk -t2 -c"$clients" -d"$duration" --latency "$@" | grep -E "Requests/sec|Latency Distribution|^ +(50|75|90|99)%|Non-2xx|Socket errors"
}
run "GET /api/v1/entities/$id (bearer token)" -H "Authorization: Bearer $token" "$base/api/v1/entities/$id"
run "GET /entities (list page, 50 rows, session cookie)" -H "Cookie: cst_session=$cookie" "$base/entities"
