#!/usr/bin/env bash
# Run pcscd in the foreground inside a namespace held by pcsc_namespace.sh.
#   run_pcscd.sh NAMESPACE_PID CONFIG_DIR
# CONFIG_DIR holds reader.conf.d entries (the vpcd virtual reader). exec keeps the pid.
set -euo pipefail
exec nsenter --target "$1" --mount --net /usr/sbin/pcscd --foreground --config "$2" --info
