#!/usr/bin/env bash
# The whole test suite: unit tests, the integration suite on SQLite and PostgreSQL, and the
# browser tests in headless Chromium. Installs what it needs first (scripts/install-test-deps.sh).
#
# PostgreSQL: the tests create and drop their own databases in the server named by CST_TEST_PG
# (default postgres://postgres@127.0.0.1:5432/postgres, trust auth on these machines).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"

bash scripts/install-test-deps.sh

pg=${CST_TEST_PG:-postgres://postgres@127.0.0.1:5432/postgres}
if ! psql "$pg" -qAtc 'select 1' >/dev/null 2>&1; then
  # The machine's PostgreSQL may have stopped: start it if it is the local cluster.
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  fi
  psql "$pg" -qAtc 'select 1' >/dev/null || { echo "PostgreSQL is not reachable at $pg" >&2; exit 1; }
fi

# One build of the binary serves the integration tests (CARGO_BIN_EXE_cst) and the browser tests.
cargo build -p cst
cargo nextest run --workspace --no-fail-fast

# The API against its OpenAPI document, with generated requests (bounded: 10 per operation).
CST_BIN="$here/target/debug/cst" bash scripts/schemathesis.sh

(cd e2e && CST_BIN="$here/target/debug/cst" npm test)
