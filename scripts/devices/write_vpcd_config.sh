#!/usr/bin/env bash
# Write a reader.conf.d entry for a vpcd virtual reader listening on PORT (and PORT+1).
#   write_vpcd_config.sh CONFIG_DIR PORT
set -euo pipefail
mkdir -p "$1"
printf 'FRIENDLYNAME "Virtual PCD"\nDEVICENAME /dev/null:0x%X\nLIBPATH /usr/lib/pcsc/drivers/serial/libifdvpcd.so\nCHANNELID 0x%X\n' \
    "$2" "$2" > "$1/vpcd"
