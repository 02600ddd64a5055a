#!/usr/bin/env bash
# Installs a Keystone for tests and local trials into a Python virtualenv:
#   keystone==30.0.0 (PyPI) and gunicorn to serve it.
# Usage: install-keystone.sh VENV_DIR
# Idempotent: a venv whose install completed is left as is; a half-made one
# (interrupted install) is made again. The test harness (tests/src/keystone.rs)
# calls it when its cached venv is missing; deploy/install-deps.sh calls it
# with the harness's default place.
set -euo pipefail

venv="${1:?usage: install-keystone.sh VENV_DIR}"
done_marker="$venv/.delegate-keystone-30.0.0"
log() { echo "install-keystone: $*"; }

[ -f "$done_marker" ] && exit 0
python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' \
    || { log "keystone 30 needs Python >= 3.10"; exit 1; }
log "installing keystone==30.0.0 and gunicorn into $venv (the first install takes a few minutes)"
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check "keystone==30.0.0" "gunicorn>=23"
"$venv/bin/keystone-manage" --help >/dev/null
touch "$done_marker"
log "ready: $venv"
