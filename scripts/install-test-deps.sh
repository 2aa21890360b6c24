#!/usr/bin/env bash
# Installs what the test suite needs beyond the Rust toolchain, on a fresh machine of this kind
# (Debian, root): Chromium for the browser tests, wrk for the benchmark, the mail servers the
# e-mail tests talk to (Debian's Dovecot for IMAP, aiosmtpd for SMTP), age and ssh-keygen for the
# sealed log exports, an SMSC speaking SMPP (Debian's Net::SMPP), an S3 server (PyPI's moto, in target/moto-venv), an independent iCalendar reader (PyPI's icalendar and
# recurring-ical-events, in target/ical-venv), and the e2e suite's npm
# packages (playwright-core only: it drives Debian's Chromium and downloads no browser).
# Idempotent: what is already there is not installed again.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v wrk >/dev/null 2>&1 || need+=(wrk)
command -v psql >/dev/null 2>&1 || need+=(postgresql-client)
[ -x /usr/sbin/dovecot ] || need+=(dovecot-imapd)
# The TLS mail tests make their own certificate authority with openssl.
command -v openssl >/dev/null 2>&1 || need+=(openssl)
# The FatturaPA tests cross-check every invoice with libxml2's schema validator.
command -v xmllint >/dev/null 2>&1 || need+=(libxml2-utils)
# The statement PDF's text is read back with poppler's pdftotext.
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
# The syslog TLS tests make their certificates with openssl.
command -v openssl >/dev/null 2>&1 || need+=(openssl)
# The sealed log exports are decrypted with Debian's age and their signatures checked with
# OpenSSH's ssh-keygen.
command -v age >/dev/null 2>&1 || need+=(age)
command -v ssh-keygen >/dev/null 2>&1 || need+=(openssh-client)
# The SMTP test server runs under Debian's python3 (/usr/bin/python3), whatever python3 is first on PATH.
/usr/bin/python3 -c 'import aiosmtpd' >/dev/null 2>&1 || need+=(python3-aiosmtpd)
# The SMS tests talk SMPP to a small SMSC written with Debian's Net::SMPP.
perl -MNet::SMPP -e1 >/dev/null 2>&1 || need+=(libnet-smpp-perl)
if [ ${#need[@]} -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# The S3 tests talk to a real S3 server: PyPI's moto in server mode, in a virtualenv.
moto_venv="$here/target/moto-venv"
moto_version=5.2.1
if [ ! -x "$moto_venv/bin/moto_server" ] || ! "$moto_venv/bin/python" -c "import moto, sys; sys.exit(moto.__version__ != '$moto_version')" 2>/dev/null; then
  python3 -m venv "$moto_venv"
  "$moto_venv/bin/pip" install -q --disable-pip-version-check "moto[server]==$moto_version"
fi

# The agenda's feeds are read back by an independent iCalendar implementation: PyPI's
# icalendar and recurring-ical-events expand our RRULEs, and the test compares with ours.
ical_venv="$here/target/ical-venv"
if ! "$ical_venv/bin/python" -c "import icalendar, recurring_ical_events, sys; sys.exit(icalendar.__version__ != '6.3.1')" 2>/dev/null; then
  python3 -m venv "$ical_venv"
  "$ical_venv/bin/pip" install -q --disable-pip-version-check "icalendar==6.3.1" "recurring-ical-events==3.8.0"
fi

if ! command -v cargo-nextest >/dev/null 2>&1; then
  cargo install --locked cargo-nextest
fi

cd "$here/e2e"
if [ ! -d node_modules/playwright-core ] || [ ! -d node_modules/axe-core ]; then
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
fi
echo "test dependencies ready: $(chromium --version 2>/dev/null | head -1), wrk, age $(age --version), moto $moto_version, icalendar 6.3.1, playwright-core $(node -p "require('playwright-core/package.json').version")"
