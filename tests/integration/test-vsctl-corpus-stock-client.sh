#!/usr/bin/env bash
# Interop: STOCK ovs-vsctl against OUR ovsdb-server (and database files
# made by our ovsdb-tool) replays the corpus exactly as it does against
# stock ovsdb-server; the final databases are dumped by stock too
# (skips where stock OVS is not installed).
set -euo pipefail
: "${GREBE_BIN:?}" "${GREBE_SRC:?}"
exec bash "$GREBE_SRC/tests/integration/vsctl-corpus/check.sh" \
  /usr/bin/ovs-vsctl /usr/bin/ovs-vsctl "$GREBE_BIN/ovsdb-server" "$GREBE_BIN/ovsdb-tool"
