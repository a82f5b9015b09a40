#!/usr/bin/env bash
# Hold a private mount + network namespace for a test pcscd and its virtual cards.
#   pcsc_namespace.sh RUN_DIR
# /run/pcscd inside is RUN_DIR outside (clients set PCSCLITE_CSOCK_NAME=RUN_DIR/pcscd.comm),
# and the namespace has only a loopback interface, so vpcd's card port (which binds to
# all addresses) is reachable from nowhere but the namespace. Stop it by killing its pid.
set -euo pipefail
RUN_DIR="$1"
mkdir -p "$RUN_DIR" /run/pcscd
exec unshare --mount --net --propagation private bash -c '
    set -euo pipefail
    mount --bind "$1" /run/pcscd
    ip link set lo up
    echo "pcsc namespace ready" >&2
    exec sleep infinity
' pcsc-namespace "$RUN_DIR"
