#!/usr/bin/env bash
# Run the emupos ESC/POS emulator (from .venv-emupos, made by setup.sh) in the foreground.
#   run_emupos.sh CONFIG_YAML
# exec keeps the pid, so a test fixture stops it by killing that pid.
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if [[ ! -x "$REPO_ROOT/.venv-emupos/bin/emupos" ]]; then
    echo "emupos is not installed: run scripts/devices/setup.sh" >&2
    exit 3
fi
cd "$(dirname "$1")"
exec "$REPO_ROOT/.venv-emupos/bin/emupos" run --config "$1"
