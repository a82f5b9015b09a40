#!/usr/bin/env bash
# Debian packages the test suite and benchmarks run against: the PostgreSQL 15 server
# binaries (the suite starts its own private cluster from them) and pgbench.
# Idempotent and non-interactive; run by `make test` and `make bench`.
set -euo pipefail

log() { printf '[setup-system] %s\n' "$*"; }
PG_BIN=/usr/lib/postgresql/15/bin

if [[ -x "$PG_BIN/initdb" && -x "$PG_BIN/pgbench" ]]; then
    log "PostgreSQL 15 binaries present"
else
    log "installing postgresql-15 (server binaries and pgbench)"
    SUDO=""
    if [[ $(id -u) -ne 0 ]]; then SUDO="sudo -n"; fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -q
    $SUDO apt-get install -y -q --no-install-recommends postgresql-15 </dev/null
    # Debian's package starts a cluster of its own; the suite does not use it.
    $SUDO pg_ctlcluster 15 main stop 2>/dev/null || true
fi
if ! id postgres >/dev/null 2>&1; then
    log "the postgres system user is missing: reinstall postgresql-15"
    exit 1
fi
