#!/usr/bin/env bash
# Interop: OUR ovs-vsctl against STOCK ovsdb-server replays the corpus
# exactly as stock ovs-vsctl did (skips where stock OVS is not installed).
set -euo pipefail
: "${GREBE_BIN:?}" "${GREBE_SRC:?}"
exec bash "$GREBE_SRC/tests/integration/vsctl-corpus/check.sh" \
  "$GREBE_BIN/ovs-vsctl" "$GREBE_BIN/ovs-vsctl" /usr/sbin/ovsdb-server /usr/bin/ovsdb-tool
