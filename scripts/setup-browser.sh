#!/usr/bin/env bash
# Install what the browser tests (tests/integration/browser) drive: Debian's Chromium and
# chromium-driver, and PyPI playwright (pinned) in the project venv. Playwright drives the
# Debian browser at /usr/bin/chromium; `playwright install` is never run (it would download
# its own browser). Idempotent and non-interactive; safe to run before every `make test`.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PROJECT_VENV="${CHAINPOS_VENV:-$REPO_ROOT/.venv}"
PLAYWRIGHT_VERSION="1.65.2"
DEBIAN_PACKAGES=(chromium chromium-driver)

log() { printf '[browser-setup] %s\n' "$*"; }

missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$pkg")
    fi
done
if ((${#missing[@]})); then
    log "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    SUDO=""
    if [[ $(id -u) -ne 0 ]]; then SUDO="sudo -n"; fi
    $SUDO apt-get update -q
    $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
else
    log "Debian packages present: ${DEBIAN_PACKAGES[*]}"
fi
if [[ ! -x /usr/bin/chromium ]]; then
    log "/usr/bin/chromium is missing after installing the chromium package"
    exit 1
fi
log "$(/usr/bin/chromium --version 2>/dev/null || echo 'chromium --version failed')"

if [[ ! -x "$PROJECT_VENV/bin/python" ]]; then
    log "no venv at $PROJECT_VENV: run scripts/setup-python.sh (make venv) first"
    exit 1
fi
if "$PROJECT_VENV/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('playwright') != '$PLAYWRIGHT_VERSION')" 2>/dev/null; then
    log "playwright $PLAYWRIGHT_VERSION present in $PROJECT_VENV"
else
    log "installing playwright==$PLAYWRIGHT_VERSION into $PROJECT_VENV (no browser download)"
    "$PROJECT_VENV/bin/pip" install -q "playwright==$PLAYWRIGHT_VERSION" </dev/null
fi

log "done"
