#!/usr/bin/env bash
# Install everything the device tests run against: pcscd + vsmartcard (Debian),
# pyscard built into the project venv, and the emupos ESC/POS emulator in its own venv.
# Idempotent and non-interactive; safe to run before every `make test`.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PROJECT_VENV="${CHAINPOS_VENV:-$REPO_ROOT/.venv}"
EMUPOS_VENV="$REPO_ROOT/.venv-emupos"
EMUPOS_VERSION="0.4.0"
PYSCARD_VERSION="2.3.1"
PYCRYPTODOME_VERSION="3.23.0"
PY313="${CHAINPOS_PY313:-/root/.pyenv/versions/3.13.0/bin/python3}"
# pcscd + vpcd + virtualsmartcard: the PC/SC stack with a virtual reader and card library.
# swig, gcc, libpcsclite-dev: pyscard has no Linux wheel and builds against them.
# python3-venv: the card's environment; iproute2 + util-linux: the private test namespace.
DEBIAN_PACKAGES=(pcscd libpcsclite-dev vsmartcard-vpcd python3-virtualsmartcard swig gcc
    python3-dev python3-venv iproute2 util-linux)

log() { printf '[devices-setup] %s\n' "$*"; }

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
    log "Debian packages present"
fi

# Debian starts pcscd through systemd socket activation on real machines; our tests run
# their own pcscd on a private socket, so nothing here starts or stops the system one.

if "$PROJECT_VENV/bin/python" -c "import smartcard.System" 2>/dev/null; then
    log "pyscard present in $PROJECT_VENV"
else
    log "building pyscard $PYSCARD_VERSION into $PROJECT_VENV (against libpcsclite-dev)"
    "$PROJECT_VENV/bin/pip" install -q "pyscard==$PYSCARD_VERSION" </dev/null
fi

if [[ ! -x "$PY313" ]]; then
    log "Python 3.13 not found at $PY313 (set CHAINPOS_PY313); emupos needs Python >= 3.13"
    exit 1
fi
if [[ ! -x "$EMUPOS_VENV/bin/python" ]]; then
    log "creating $EMUPOS_VENV"
    "$PY313" -m venv "$EMUPOS_VENV"
fi
if "$EMUPOS_VENV/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('emupos') != '$EMUPOS_VERSION')" 2>/dev/null; then
    log "emupos $EMUPOS_VERSION present"
else
    log "installing emupos==$EMUPOS_VERSION into $EMUPOS_VENV"
    "$EMUPOS_VENV/bin/pip" install -q "emupos==$EMUPOS_VERSION" </dev/null
fi

# The virtual card runs on Debian's virtualsmartcard library, which imports Crypto (PyPI
# pycryptodome) and is installed outside Debian's default module path; a .pth file adds it.
VICC_VENV="$REPO_ROOT/.venv-vicc"
VICC_LIB="/usr/lib/python3/site-packages/virtualsmartcard"
if [[ ! -x "$VICC_VENV/bin/python" ]]; then
    log "creating $VICC_VENV (for the virtual card)"
    /usr/bin/python3 -m venv "$VICC_VENV"
fi
site_dir="$("$VICC_VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
echo "$VICC_LIB" > "$site_dir/debian-virtualsmartcard.pth"
if "$VICC_VENV/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('pycryptodome') != '$PYCRYPTODOME_VERSION')" 2>/dev/null; then
    log "pycryptodome $PYCRYPTODOME_VERSION present in $VICC_VENV"
else
    log "installing pycryptodome==$PYCRYPTODOME_VERSION into $VICC_VENV"
    "$VICC_VENV/bin/pip" install -q "pycryptodome==$PYCRYPTODOME_VERSION" </dev/null
fi
"$VICC_VENV/bin/python" -c "import virtualsmartcard.VirtualSmartcard" \
    || { log "the virtualsmartcard library does not import in $VICC_VENV"; exit 1; }

log "done"
