#!/usr/bin/env bash
# Benchmark (not a test): backup and restore of a database of at least 1 GB, most of it
# ticket attachments, with the peak memory (maximum resident set size) of each command.
# Target (issue 9): peak RSS under 200 MB for `cst backup` and `cst restore`, SQLite and
# PostgreSQL. The attachments are random (incompressible) 10 MiB files uploaded through the API.
#
#   bench/backup.sh                       # 110 files of 10 MiB
#   FILES=200 CST_BIN=target/debug/cst bench/backup.sh
#   BENCH_PG=postgres://postgres@127.0.0.1:5432/postgres bench/backup.sh   # also restore into PostgreSQL
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
files=${FILES:-110}
pg=${BENCH_PG:-postgres://postgres@127.0.0.1:5432/postgres}
if [ -z "${CST_BIN:-}" ]; then
  cargo build --release -p cst -q
  bin="$here/target/release/cst"
else
  bin=$(cd "$(dirname "$CST_BIN")" && pwd)/$(basename "$CST_BIN")
fi
dir=$(mktemp -d)
db="sqlite://$dir/big.db"
pid=
pgdb="cst_bench_backup_$$"
trap 'kill $pid 2>/dev/null || true; psql "$pg" -qc "DROP DATABASE IF EXISTS $pgdb" >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT

CST_LOG=error "$bin" serve --listen 127.0.0.1:0 --database "$db" >"$dir/out" 2>&1 &
pid=$!
for _ in $(seq 1 300); do grep -q "cst listening" "$dir/out" 2>/dev/null && break; sleep 0.1; done
base=$(sed -n 's/^cst listening on \(http:\/\/[0-9.:]*\)\/.*/\1/p' "$dir/out")
echo "bench-password-1" | "$bin" user add --username bench --role admin --password-stdin --database "$db" >/dev/null
token=$("$bin" token issue --username bench --label bench --database "$db")
auth="Authorization: Bearer $token"
entity=$(curl -sf -H "$auth" -H 'content-type: application/json' -d '{"name": "Comune di Prova"}' "$base/api/v1/entities" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
head -c $((10 * 1024 * 1024 - 4096)) /dev/urandom >"$dir/blob"
ticket=
for n in $(seq 1 "$files"); do
  if [ $(( (n - 1) % 50 )) -eq 0 ]; then
    ticket=$(curl -sf -H "$auth" -H 'content-type: application/json' \
      -d "{\"entity_id\": $entity, \"subject\": \"Archivio $n\", \"priority\": \"low\", \"channel\": \"phone\"}" \
      "$base/api/v1/tickets" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  fi
  # A different file each time (the first bytes change).
  printf '%08d' "$n" | dd of="$dir/blob" bs=8 count=1 conv=notrunc status=none
  curl -sf -o /dev/null -H "$auth" -H 'content-type: application/octet-stream' \
    --data-binary "@$dir/blob" "$base/api/v1/tickets/$ticket/attachments?filename=archivio-$n.bin"
done
kill $pid; wait $pid 2>/dev/null || true
pid=

size=$(du -b "$dir/big.db" | cut -f1)
echo "cst $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(basename "$bin") build, $(nproc) cores"
echo "database: $((size / 1024 / 1024)) MiB on SQLite, $files attachments of 10 MiB"
measure() {
  local what=$1; shift
  /usr/bin/time -f "%M %e" -o "$dir/time" "$@" >"$dir/cmd.out" 2>"$dir/cmd.err" || { cat "$dir/cmd.err"; exit 1; }
  read -r kb secs <"$dir/time"
  printf '%-40s peak RSS %6d MiB  %6.1f s\n' "$what" $((kb / 1024)) "$secs"
}
measure "cst backup (SQLite)" "$bin" backup --out "$dir/big.cstbak" --database "$db"
echo "archive: $(( $(du -b "$dir/big.cstbak" | cut -f1) / 1024 / 1024 )) MiB"
measure "cst restore (into SQLite)" "$bin" restore "$dir/big.cstbak" --database "sqlite://$dir/back.db"
if psql "$pg" -qAtc 'select 1' >/dev/null 2>&1; then
  psql "$pg" -qc "CREATE DATABASE $pgdb" >/dev/null
  target="${pg%/*}/$pgdb"
  measure "cst restore (into PostgreSQL)" "$bin" restore "$dir/big.cstbak" --database "$target"
  measure "cst backup (PostgreSQL)" "$bin" backup --out "$dir/pg.cstbak" --database "$target"
fi
