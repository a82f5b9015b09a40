#!/usr/bin/env bash
# Put a virtual member card on the vpcd reader of a test pcscd (inside its namespace).
#   run_virtual_card.sh NAMESPACE_PID PORT MEMBER_ID [CARD_NO] [UID_HEX]
# Killing the pid "removes" the card; it reconnects by itself after a pcscd restart.
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
args=(--port "$2" --member-id "$3")
if [[ -n "${4:-}" ]]; then args+=(--card-no "$4"); fi
if [[ -n "${5:-}" ]]; then args+=(--uid "$5"); fi
exec nsenter --target "$1" --net "$REPO_ROOT/.venv-vicc/bin/python" -u \
    "$REPO_ROOT/scripts/devices/virtual_member_card.py" "${args[@]}"
