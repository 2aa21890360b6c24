#!/usr/bin/env bash
# Benchmark (not a test): syslog over TCP into cst, rsyslog and flowgger, one after the other on
# this machine, under the same load, and each one's rate of messages *persisted* (not sent).
#
#   bench/syslog/setup.sh                                # once: loggen, rsyslog(+ompgsql), flowgger
#   bench/syslog/run.sh                                  # every peer, 1 and 4 connections
#   PEERS="rsyslog-file flowgger" CONNECTIONS=4 bench/syslog/run.sh
#   CST_BIN=target/release/cst PEERS="cst-sqlite cst-pg" bench/syslog/run.sh
#   (with cst-* in PEERS and no CST_BIN, `cargo build --release -p cst` runs first; if it fails,
#   or the binary has no --syslog-tcp, the cst rows are skipped with a message)
#
# Peers (PEERS, in this order by default):
#   socat-file     not a syslog receiver: socat appends the raw TCP stream to a file (no parsing), the
#                  ceiling of this load on this machine (loggen alone does ~0.8-0.95 M msg/s here)
#   rsyslog-file   rsyslogd 8.2302 (Debian) imtcp -> omfile, RFC 5424 lines, rsyslog's default queues
#   rsyslog-pgsql  rsyslogd imtcp -> ompgsql into PostgreSQL (database $RSYSLOG_DB, table SystemEvents
#                  from Debian's createDB.sql for PostgreSQL, rsyslog's default insert template),
#                  action queue with 4 worker threads (4 connections, 4 transactions at a time),
#                  batches of up to 1000 rows (RSYSLOG_PG_WORKERS, RSYSLOG_PG_BATCH); ompgsql
#                  sends one INSERT per message, BEGIN/COMMIT around each batch
#   flowgger       flowgger 0.3.3, input "tcp" with framing "syslen" (octet counting), format
#                  rfc5424 -> file output, rfc5424, one line per message (unbuffered: flowgger's
#                  buffered file output never flushes a partial buffer); its input queue is a
#                  channel of 10,000,000 slots allocated up front (~300 MB of RSS before the
#                  first message): FLOWGGER_QUEUESIZE=100000 sets input.queuesize
#   cst-sqlite     $CST_BIN serve --database sqlite:///…/cst.db --listen 127.0.0.1:HTTP --syslog-tcp 127.0.0.1:PORT
#   cst-pg         the same with --database postgres://postgres@127.0.0.1:5432/$CST_PG_DB (created and dropped here)
#                  Both only when `cst serve --help` mentions --syslog-tcp; cst is asked for
#                  `cst_syslog_messages_committed_total` on GET /metrics and stopped with SIGTERM.
#
# The load: Debian's loggen (syslog-ng-core 3.38), RFC 5424 with octet-counting framing
# ("256 <38>1 2026-… localhost prg00000 1234 - - \xEF\xBB\xBFseq: 0000000000, thread: 0000, …PADD…\n":
# each frame is 256 bytes after its "256 " prefix), TOTAL (1,000,000) messages in all, over one
# connection and then over 4, unthrottled:
#
#   loggen --inet --stream --syslog-proto --size 256 --rate 100000000 --interval 3600 \
#          --number $((TOTAL / CONNECTIONS)) --active-connections $CONNECTIONS 127.0.0.1 PORT
#
#   --number is per connection (4 × 250,000 = 1,000,000); --rate is per connection and defaults to
#   1,000 msg/s, hence 100,000,000; --interval (default 10 s) stops loggen early, hence 3600;
#   --syslog-proto frames with octet counting unless --no-framing is given.
#
# What is measured, for each peer and connection count, on a fresh peer (new process, new file or
# database): the seconds from just before loggen starts to the first poll (every POLL=0.1 s) that
# sees all TOTAL messages persisted: lines in the output file (newlines, as `wc -l` counts them,
# read incrementally), `SELECT count(*)` in PostgreSQL (polled only once the id sequence says all
# may be there, so that counting does not load the machine earlier), cst's committed counter. Then
# the peer's peak RSS (VmHWM, read just before it is stopped; PostgreSQL's own memory not included)
# and loggen's own send rate, for reference. loggen, the peer and PostgreSQL share the 2 cores.
#
# Results are printed and written to bench/syslog/out/results-<date>.txt.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
peers_dir="$here/.peers"

TOTAL=${TOTAL:-1000000}
CONNECTIONS=${CONNECTIONS:-"1 4"}
PEERS=${PEERS:-"socat-file rsyslog-file rsyslog-pgsql flowgger cst-sqlite cst-pg"}
POLL=${POLL:-0.1}
SIZE=256
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
RSYSLOG_DB=${RSYSLOG_DB:-cst_bench_rsyslog}
RSYSLOG_PG_WORKERS=${RSYSLOG_PG_WORKERS:-4}
RSYSLOG_PG_BATCH=${RSYSLOG_PG_BATCH:-1000}
CST_PG_DB=${CST_PG_DB:-cst_bench_logs}

rs="$peers_dir/rsyslog"
rsyslogd="$rs/usr/sbin/rsyslogd"
rsmods="$rs/usr/lib/x86_64-linux-gnu/rsyslog"
rs_schema="$rs/usr/share/dbconfig-common/data/rsyslog-pgsql/install/pgsql"
flowgger="$peers_dir/flowgger/bin/flowgger"

missing() {
  echo "run.sh: $1 is missing: run bench/syslog/setup.sh first" >&2
  exit 1
}

# --- what the chosen peers need, checked before anything runs -----------------------------------
command -v loggen >/dev/null || missing "loggen (package syslog-ng-core)"
command -v python3 >/dev/null || missing python3
command -v ss >/dev/null || missing "ss (package iproute2)"
needs_pg=
run_cst=
for peer in $PEERS; do
  case $peer in
    rsyslog-file) [ -x "$rsyslogd" ] || missing "rsyslogd ($rsyslogd)" ;;
    rsyslog-pgsql)
      [ -x "$rsyslogd" ] || missing "rsyslogd ($rsyslogd)"
      [ -e "$rsmods/ompgsql.so" ] || missing "rsyslog's ompgsql ($rsmods/ompgsql.so)"
      [ -e "$rs_schema" ] || missing "rsyslog-pgsql's schema ($rs_schema)"
      needs_pg=1 ;;
    flowgger) [ -x "$flowgger" ] || missing "flowgger ($flowgger)" ;;
    socat-file) command -v socat >/dev/null || missing "socat" ;;
    cst-sqlite|cst-pg)
      if [ "$peer" = cst-pg ]; then needs_pg=1; fi
      run_cst=1 ;;
    *) echo "run.sh: unknown peer $peer (socat-file rsyslog-file rsyslog-pgsql flowgger cst-sqlite cst-pg)" >&2; exit 1 ;;
  esac
done
for c in $CONNECTIONS; do
  [ $((TOTAL % c)) -eq 0 ] || { echo "run.sh: TOTAL=$TOTAL is not a multiple of $c connections" >&2; exit 1; }
done
if [ -n "$needs_pg" ]; then
  command -v psql >/dev/null || missing "psql (package postgresql-client)"
  psql -XAtqd postgres -c 'select 1' >/dev/null ||
    { echo "run.sh: PostgreSQL is not reachable as $PGUSER@$PGHOST:$PGPORT" >&2; exit 1; }
fi
cst_ok=
if [ -n "$run_cst" ]; then
  if [ -z "${CST_BIN:-}" ]; then
    CST_BIN="$repo/target/release/cst"
    (cd "$repo" && cargo build --release -p cst -q) ||
      { echo "run.sh: cargo build --release -p cst failed: cst-sqlite and cst-pg are skipped" >&2; CST_BIN=; }
  fi
  if [ -n "$CST_BIN" ] && [ ! -x "$CST_BIN" ]; then
    echo "run.sh: CST_BIN=$CST_BIN is not an executable" >&2; exit 1
  fi
  if [ -z "$CST_BIN" ]; then
    :
  elif "$CST_BIN" serve --help 2>/dev/null | grep -q -- --syslog-tcp; then
    cst_ok=1
  else
    echo "run.sh: $CST_BIN serve has no --syslog-tcp yet: cst-sqlite and cst-pg are skipped" >&2
  fi
fi

# --- scratch space, and everything stopped on the way out -----------------------------------------
work=$(mktemp -d "${TMPDIR:-/var/tmp}/cst-bench-syslog.XXXXXX")
peer_pid=
loggen_pid=
dbs_made=()
cleanup() {
  local rc=$?
  [ -n "$loggen_pid" ] && kill "$loggen_pid" 2>/dev/null || true
  [ -n "$peer_pid" ] && stop_pid "$peer_pid" || true
  if [ -z "${KEEP_DB:-}" ]; then
    for db in "${dbs_made[@]}"; do dropdb --if-exists --force "$db" 2>/dev/null || true; done
  fi
  if [ -n "${KEEP_WORK:-}" ]; then echo "scratch kept in $work" >&2; else rm -rf "$work"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

stop_pid() {  # SIGTERM, then SIGKILL after 30 s
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_listen() {  # port pid: until something listens on 127.0.0.1:port (without connecting to it)
  local port=$1 pid=$2 i
  for i in $(seq 1 600); do
    ss -Hltn "sport = :$port" | grep -q . && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}

peak_rss_mb() { awk '/^VmHWM:/ {printf "%.1f", $2 / 1024}' "/proc/$1/status" 2>/dev/null || echo "?"; }

fresh_db() {  # name: drop and create an empty database
  PGOPTIONS="-c client_min_messages=warning" dropdb --if-exists --force "$1"
  createdb "$1"
  case " ${dbs_made[*]} " in *" $1 "*) ;; *) dbs_made+=("$1") ;; esac
}

# --- one run: the load on PORT, then the wait for TOTAL persisted ---------------------------------
results=()
load() {  # name conns port log-of-peer count-args…: appends a row to results
  local name=$1 conns=$2 port=$3 log=$4
  shift 4
  local per=$((TOTAL / conns)) start out n secs rate lrate rss status=ok
  start=$(date +%s.%N)
  loggen --inet --stream --syslog-proto --size "$SIZE" --rate 100000000 --interval 3600 \
    --number "$per" --active-connections "$conns" 127.0.0.1 "$port" >"$work/loggen.out" 2>&1 &
  loggen_pid=$!
  out=$(python3 "$here/wait_count.py" --total "$TOTAL" --start "$start" --interval "$POLL" "$@") || status=INCOMPLETE
  wait "$loggen_pid" || status="$status (loggen failed: $(tail -1 "$work/loggen.out"))"
  loggen_pid=
  read -r n secs <<<"${out:-0 0}"
  rss=$(peak_rss_mb "$peer_pid")
  stop_pid "$peer_pid"
  peer_pid=
  rate=$(python3 -c "print(round($n / $secs) if $secs > 0 else 0)")
  lrate=$(sed -n 's/.*average rate = \([0-9.]*\) msg\/sec.*/\1/p' "$work/loggen.out" | tail -1)
  lrate=${lrate%.*}
  if [ "$status" != ok ]; then
    echo "  $name: $status; last lines of its log:" >&2
    tail -5 "$log" >&2 || true
  fi
  printf '  %-14s %d conn: %s persisted in %s s = %s msg/s, peak RSS %s MB (loggen sent at %s msg/s) %s\n' \
    "$name" "$conns" "$n" "$secs" "$rate" "$rss" "${lrate:-?}" "$([ "$status" = ok ] || echo "$status")" >&2
  results+=("$name|$conns|$n|$secs|$rate|$rss|${lrate:-?}|$status")
}

# --- the peers -------------------------------------------------------------------------------------
start_rsyslog() {  # dir conf: starts rsyslogd on an ephemeral port, sets peer_pid and port
  local d=$1 i
  "$rsyslogd" -N1 -f "$d/rsyslog.conf" -M "$rsmods" >"$d/check.log" 2>&1 ||
    { cat "$d/check.log" >&2; exit 1; }
  "$rsyslogd" -n -f "$d/rsyslog.conf" -M "$rsmods" -i "$d/rsyslogd.pid" >"$d/rsyslogd.log" 2>&1 &
  peer_pid=$!
  for i in $(seq 1 200); do [ -s "$d/port" ] && break; sleep 0.05; done
  port=$(cat "$d/port" 2>/dev/null || true)
  [ -n "$port" ] && wait_listen "$port" "$peer_pid" ||
    { echo "rsyslogd did not start:" >&2; cat "$d/rsyslogd.log" >&2; exit 1; }
}

rsyslog_input() {  # dir
  cat <<EOF
global(workDirectory="$1/work" maxMessageSize="8k")
module(load="imtcp")
input(type="imtcp" address="127.0.0.1" port="0" listenPortFileName="$1/port")
EOF
}

run_rsyslog_file() {
  local conns=$1 d="$work/rsyslog-file-$1" port
  mkdir -p "$d/work"
  { rsyslog_input "$d"
    echo "action(type=\"omfile\" file=\"$d/messages.log\" template=\"RSYSLOG_SyslogProtocol23Format\")"
  } >"$d/rsyslog.conf"
  start_rsyslog "$d"
  load rsyslog-file "$conns" "$port" "$d/rsyslogd.log" file "$d/messages.log"
}

run_rsyslog_pgsql() {
  local conns=$1 d="$work/rsyslog-pgsql-$1" port
  mkdir -p "$d/work"
  fresh_db "$RSYSLOG_DB"
  psql -XqAt -v ON_ERROR_STOP=1 -d "$RSYSLOG_DB" -f "$rs_schema" >/dev/null
  { rsyslog_input "$d"
    cat <<EOF
module(load="ompgsql")
action(type="ompgsql" server="$PGHOST" port="$PGPORT" db="$RSYSLOG_DB" user="$PGUSER" pass=""
       queue.type="LinkedList" queue.size="100000" queue.workerThreads="$RSYSLOG_PG_WORKERS"
       queue.dequeueBatchSize="$RSYSLOG_PG_BATCH")
EOF
  } >"$d/rsyslog.conf"
  start_rsyslog "$d"
  load rsyslog-pgsql "$conns" "$port" "$d/rsyslogd.log" pg "$RSYSLOG_DB" \
    "SELECT count(*) FROM SystemEvents" \
    "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM systemevents_id_seq"
}

run_flowgger() {
  local conns=$1 d="$work/flowgger-$1" port
  mkdir -p "$d"
  port=$(free_port)
  cat >"$d/flowgger.toml" <<EOF
[input]
type = "tcp"
listen = "127.0.0.1:$port"
framing = "syslen"
format = "rfc5424"
timeout = 3600
${FLOWGGER_QUEUESIZE:+queuesize = $FLOWGGER_QUEUESIZE}

[output]
type = "file"
file_path = "$d/messages.log"
format = "rfc5424"
framing = "line"
EOF
  "$flowgger" "$d/flowgger.toml" >"$d/flowgger.log" 2>&1 &
  peer_pid=$!
  wait_listen "$port" "$peer_pid" || { echo "flowgger did not start:" >&2; cat "$d/flowgger.log" >&2; exit 1; }
  load flowgger "$conns" "$port" "$d/flowgger.log" file "$d/messages.log"
}

run_socat_file() {
  local conns=$1 d="$work/socat-file-$1" port
  mkdir -p "$d"
  port=$(free_port)
  socat -b 1048576 -u "TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr,fork" \
    "OPEN:$d/messages.log,creat,append,wronly" >"$d/socat.log" 2>&1 &
  peer_pid=$!
  wait_listen "$port" "$peer_pid" || { echo "socat did not start:" >&2; cat "$d/socat.log" >&2; exit 1; }
  load socat-file "$conns" "$port" "$d/socat.log" file "$d/messages.log"
}

run_cst() {  # sqlite|pg conns
  local kind=$1 conns=$2 d="$work/cst-$1-$2" db http port i
  mkdir -p "$d"
  if [ "$kind" = pg ]; then
    fresh_db "$CST_PG_DB"
    db="postgres://$PGUSER@$PGHOST:$PGPORT/$CST_PG_DB"
  else
    db="sqlite://$d/cst.db"
  fi
  http=$(free_port)
  port=$(free_port)
  CST_LOG=${CST_LOG:-error} "$CST_BIN" serve --database "$db" --listen "127.0.0.1:$http" \
    --syslog-tcp "127.0.0.1:$port" >"$d/cst.log" 2>&1 &
  peer_pid=$!
  for i in $(seq 1 600); do
    grep -q "^cst listening on" "$d/cst.log" 2>/dev/null && break
    kill -0 "$peer_pid" 2>/dev/null || break
    sleep 0.1
  done
  wait_listen "$port" "$peer_pid" || { echo "cst did not start:" >&2; cat "$d/cst.log" >&2; exit 1; }
  load "cst-$kind" "$conns" "$port" "$d/cst.log" \
    metrics "http://127.0.0.1:$http/metrics" cst_syslog_messages_committed_total
}

# --- the runs --------------------------------------------------------------------------------------
stamp=$(date +%Y%m%d-%H%M%S)
cpu=$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)
{
  echo "syslog receivers, $(date -Iseconds), $(nproc) cores ($cpu), $(free -g | awk '/^Mem:/ {print $2}') GiB"
  echo "load: loggen (syslog-ng-core $(dpkg-query -W -f='${Version}' syslog-ng-core 2>/dev/null)), RFC 5424, octet counting, $SIZE-byte messages, $TOTAL in all per run; poll every $POLL s"
  echo "settings: RSYSLOG_PG_WORKERS=$RSYSLOG_PG_WORKERS RSYSLOG_PG_BATCH=$RSYSLOG_PG_BATCH FLOWGGER_QUEUESIZE=${FLOWGGER_QUEUESIZE:-default (10000000)}"
  if [ -x "$rsyslogd" ]; then echo "rsyslog: $("$rsyslogd" -v | head -1 | sed "s/ *compiled with://")"; fi
  if [ -x "$flowgger" ]; then echo "flowgger: 0.3.3 (features syslog, file)"; fi
  if [ -n "$needs_pg" ]; then echo "PostgreSQL: $(psql -XAtqd postgres -c 'show server_version')"; fi
  if [ -n "$cst_ok" ]; then echo "cst: $CST_BIN ($(cd "$repo" && git rev-parse --short HEAD 2>/dev/null || echo '?'))"; fi
} >"$work/header"
cat "$work/header"

for peer in $PEERS; do
  for conns in $CONNECTIONS; do
    case $peer in
      socat-file) run_socat_file "$conns" ;;
      rsyslog-file) run_rsyslog_file "$conns" ;;
      rsyslog-pgsql) run_rsyslog_pgsql "$conns" ;;
      flowgger) run_flowgger "$conns" ;;
      cst-sqlite) if [ -n "$cst_ok" ]; then run_cst sqlite "$conns"; fi ;;
      cst-pg) if [ -n "$cst_ok" ]; then run_cst pg "$conns"; fi ;;
    esac
  done
done

# --- the table -------------------------------------------------------------------------------------
table() {
  cat "$work/header"
  echo
  printf '%-14s %5s %10s %8s %9s %12s %12s  %s\n' peer conns persisted seconds msg/s "peak RSS MB" "loggen msg/s" status
  local r name conns n secs rate rss lrate status
  for r in "${results[@]}"; do
    IFS='|' read -r name conns n secs rate rss lrate status <<<"$r"
    printf '%-14s %5s %10s %8s %9s %12s %12s  %s\n' "$name" "$conns" "$n" "$secs" "$rate" "$rss" "$lrate" "$status"
  done
  echo
  local a b c ra rb
  for pair in "cst-sqlite rsyslog-file" "cst-pg rsyslog-pgsql"; do
    read -r a b <<<"$pair"
    for c in $CONNECTIONS; do
      ra= rb=
      for r in "${results[@]}"; do
        IFS='|' read -r name conns n secs rate rss lrate status <<<"$r"
        [ "$conns" = "$c" ] || continue
        if [ "$name" = "$a" ]; then ra=$rate; fi
        if [ "$name" = "$b" ]; then rb=$rate; fi
      done
      if [ -n "$ra" ] && [ -n "$rb" ] && [ "$rb" != 0 ]; then
        printf '%s / %s, %s conn: %s\n' "$a" "$b" "$c" "$(python3 -c "print(f'{$ra / $rb:.2f}')")"
      else
        printf '%s / %s, %s conn: n/a (%s not run)\n' "$a" "$b" "$c" "$([ -n "$ra" ] && echo "$b" || echo "$a")"
      fi
    done
  done
}
mkdir -p "$here/out"
echo
table | tee "$here/out/results-$stamp.txt"
echo "written to bench/syslog/out/results-$stamp.txt"
