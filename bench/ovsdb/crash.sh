#!/usr/bin/env bash
# The long crash run: tests/integration/test-ovsdb-server-crash.sh with more
# SIGKILL cycles than ctest affords (default 1000).
#
#   bash bench/ovsdb/crash.sh [KILLS]
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
CRASH_KILLS=${1:-1000} GREBE_BIN=${GREBE_BIN:-$SRC/build/bin} GREBE_SRC=$SRC \
  exec bash "$SRC/tests/integration/test-ovsdb-server-crash.sh"
