#!/usr/bin/env bash
# Benchmark (not a test): the help desk under load on loopback, with wrk, release build, SQLite.
#
#  1. POST /api/v1/tickets: ticket creation with numbering, the SLA due time and the audit record
#     (target ≥ 1,000/s, p99 < 20 ms);
#  2. GET /api/v1/tickets?entity_id=…: one entity's newest tickets, 50 a page, with 1,000,000
#     tickets stored (target p99 < 20 ms). The million rows are inserted with SQL straight into
#     the file (bench data, not in the audit chain), spread over the 101 demo comuni.
#
#   bench/tickets.sh                    # 20 clients, 20 s per target
#   CLIENTS=50 DURATION=30s TICKETS=1000000 bench/tickets.sh
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
command -v wrk >/dev/null || bash scripts/install-test-deps.sh
command -v sqlite3 >/dev/null || sudo apt-get install -y -q sqlite3 >/dev/null 2>&1 || apt-get install -y -q sqlite3
clients=${CLIENTS:-20}
duration=${DURATION:-20s}
tickets=${TICKETS:-1000000}
cargo build --release -p cst -q
bin="$here/target/release/cst"
dir=$(mktemp -d)
db="sqlite://$dir/bench.db"
pid=
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT

start() {
  CST_LOG=error "$bin" serve --demo --listen 127.0.0.1:0 --database "$db" >"$dir/out" 2>&1 &
  pid=$!
  for _ in $(seq 1 600); do grep -q "demo login: fornitore" "$dir/out" 2>/dev/null && break; sleep 0.1; done
  base=$(sed -n 's/^cst listening on \(http:\/\/[0-9.:]*\)\/.*/\1/p' "$dir/out")
  [ -n "$base" ] || { cat "$dir/out"; exit 1; }
}
start
token=$("$bin" token issue --username admin --label bench --database "$db")
id=$(curl -s -H "Authorization: Bearer $token" "$base/api/v1/entities?q=028060" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')

echo "cst $(git rev-parse --short HEAD 2>/dev/null || echo '?') on sqlite, $(nproc) cores, $clients clients, $duration per target"
run() {
  local name=$1; shift
  echo "== $name"
  wrk -t2 -c"$clients" -d"$duration" --latency "$@" | grep -E "Requests/sec|Latency Distribution|^ +(50|75|90|99)%|Non-2xx|Socket errors"
}
cat >"$dir/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $token"
wrk.body = '{"entity_id": $id, "subject": "Stampante bloccata", "description": "Ufficio tributi", "priority": "medium", "channel": "phone"}'
LUA
run "POST /api/v1/tickets (numbering, SLA due time, audit)" -s "$dir/post.lua" "$base/api/v1/tickets"
created=$(sqlite3 "$dir/bench.db" "SELECT COUNT(*) FROM tickets")
echo "   tickets created: $created; audit chain: $("$bin" audit verify --database "$db")"

kill $pid; wait $pid 2>/dev/null || true
echo "== inserting $tickets tickets"
sqlite3 "$dir/bench.db" <<SQL
PRAGMA journal_mode = WAL;
BEGIN;
CREATE TEMP TABLE ents (k INTEGER PRIMARY KEY, id INTEGER NOT NULL);
INSERT INTO ents SELECT ROW_NUMBER() OVER (ORDER BY id) - 1, id FROM entities;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $tickets)
INSERT INTO tickets (year, seq, number, entity_id, subject, description, category, priority, channel,
  state, received_at, take_charge_due_at, created_by, created_at, updated_at)
SELECT 2024, i, printf('2024/%07d', i), ents.id,
  'Richiesta ' || i, 'Descrizione della richiesta ' || i, '',
  CASE i % 3 WHEN 0 THEN 'high' WHEN 1 THEN 'medium' ELSE 'low' END, 'portal',
  CASE WHEN i % 10 = 0 THEN 'new' ELSE 'closed' END,
  strftime('%Y-%m-%dT%H:%M:%S.000000Z', '2024-01-01', '+' || (i % 31536000) || ' seconds'),
  strftime('%Y-%m-%dT%H:%M:%S.000000Z', '2024-01-02', '+' || (i % 31536000) || ' seconds'),
  'bench', '2024-01-01T00:00:00.000000Z', '2024-01-01T00:00:00.000000Z'
FROM n JOIN ents ON ents.k = n.i % (SELECT COUNT(*) FROM ents);
COMMIT;
ANALYZE;
SQL
echo "   tickets stored: $(sqlite3 "$dir/bench.db" "SELECT COUNT(*) FROM tickets"), of entity $id: $(sqlite3 "$dir/bench.db" "SELECT COUNT(*) FROM tickets WHERE entity_id = $id")"
start
run "GET /api/v1/tickets?entity_id=$id (50 newest, with $tickets tickets stored)" -H "Authorization: Bearer $token" "$base/api/v1/tickets?entity_id=$id"
run "GET /api/v1/tickets?entity_id=$id&state=new" -H "Authorization: Bearer $token" "$base/api/v1/tickets?entity_id=$id&state=new"
