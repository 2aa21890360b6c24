#!/usr/bin/env bash
# Installs the peers of bench/syslog/run.sh (idempotent; run as root on Debian 12):
#   - loggen, the load generator: Debian's syslog-ng-core (system package; its daemon is not left running)
#   - rsyslog and its PostgreSQL output (ompgsql): Debian's rsyslog and rsyslog-pgsql, which conflict
#     with syslog-ng-core, so they are `apt-get download`ed and `dpkg -x`ed into .peers/rsyslog;
#     their libraries (libestr0, libfastjson4, liblognorm5, libpq5) come from apt
#   - flowgger 0.3.3, built with cargo into .peers/flowgger (a few minutes, at low priority, one job,
#     so that other builds on the machine still progress)
#   - psql (postgresql-client), curl, python3: used by run.sh
#
#   bench/syslog/setup.sh              # FLOWGGER=0 bench/syslog/setup.sh: without flowgger
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
peers="$here/.peers"
mkdir -p "$peers"
export DEBIAN_FRONTEND=noninteractive

apt_updated=
apt_install() {  # installs the packages not yet installed
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ -n "$apt_updated" ] || { apt-get update -q; apt_updated=1; }
  apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# syslog-ng-core's daemon must not be left running (it would take /dev/log and, depending on its
# configuration, port 514): while it is installed, a policy-rc.d forbids starting services, unless
# one is already there (containers often have one); it is removed again afterwards.
policy=/usr/sbin/policy-rc.d
own_policy=
was_running=$(pgrep -x syslog-ng || true)
if ! dpkg-query -W -f='${Status}' syslog-ng-core 2>/dev/null | grep -q "install ok installed"; then
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod +x "$policy"; own_policy=1
    trap 'rm -f "$policy"' EXIT
  fi
fi
apt_install syslog-ng-core libestr0 libfastjson4 liblognorm5 libpq5 postgresql-client curl python3 \
  ca-certificates socat iproute2
if [ -n "$own_policy" ]; then rm -f "$policy"; trap - EXIT; fi
if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
  # a service manager ignores policy-rc.d for "enable": keep it disabled and stopped
  systemctl disable --now syslog-ng.service >/dev/null 2>&1 || true
elif [ -z "$was_running" ] && [ -n "$(pgrep -x syslog-ng || true)" ] && [ -x /etc/init.d/syslog-ng ]; then
  /etc/init.d/syslog-ng stop >/dev/null 2>&1 || true
fi
if [ -n "$(pgrep -x syslog-ng || true)" ]; then
  echo "warning: a syslog-ng daemon is running (pid $(pgrep -x syslog-ng | tr '\n' ' ')); the bench does not need it" >&2
fi
command -v loggen >/dev/null || { echo "loggen not found after installing syslog-ng-core" >&2; exit 1; }

# rsyslog + ompgsql, extracted (not installed: rsyslog conflicts with syslog-ng-core).
rs="$peers/rsyslog"
if [ ! -x "$rs/usr/sbin/rsyslogd" ] || [ ! -e "$rs/usr/lib/x86_64-linux-gnu/rsyslog/ompgsql.so" ]; then
  [ -n "$apt_updated" ] || { apt-get update -q; apt_updated=1; }
  tmp=$(mktemp -d)
  chmod 755 "$tmp"; chown _apt "$tmp" 2>/dev/null || true  # apt downloads as _apt
  (cd "$tmp" && apt-get download -q rsyslog rsyslog-pgsql)
  mkdir -p "$rs"
  for deb in "$tmp"/*.deb; do dpkg -x "$deb" "$rs"; done
  rm -rf "$tmp"
fi
# Any library rsyslogd or its modules still miss is reported here, not halfway through a run.
if ldd "$rs/usr/sbin/rsyslogd" "$rs"/usr/lib/x86_64-linux-gnu/rsyslog/{imtcp,omfile,ompgsql}.so 2>/dev/null | grep "not found"; then
  echo "rsyslog: libraries missing (see above)" >&2; exit 1
fi
"$rs/usr/sbin/rsyslogd" -v | head -1

# flowgger 0.3.3, syslog input and file output only (FLOWGGER=0 skips it: a run without the
# flowgger peer does not need it).
fg="$peers/flowgger"
if [ "${FLOWGGER:-1}" = 0 ]; then
  echo "flowgger: skipped (FLOWGGER=0)"
elif [ ! -x "$fg/bin/flowgger" ]; then
  command -v cargo >/dev/null || { echo "cargo is needed to build flowgger" >&2; exit 1; }
  nice -n 10 cargo install flowgger --version 0.3.3 --locked --no-default-features \
    --features "syslog file" --root "$fg" -j 1
fi
[ "${FLOWGGER:-1}" = 0 ] || echo "flowgger: $fg/bin/flowgger"
echo "setup done: peers in $peers"
