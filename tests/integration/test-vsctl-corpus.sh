#!/usr/bin/env bash
# The ovs-vsctl corpus (tests/integration/vsctl-corpus): OUR ovs-vsctl
# against OUR ovsdb-server must reproduce stock's outputs, exit codes and
# database state exactly.  GREBE_OVSDB_SERVER / GREBE_OVSDB_TOOL override
# the server under test.  The interop pairs are test-vsctl-corpus-stock-*.
set -euo pipefail
: "${GREBE_BIN:?}" "${GREBE_SRC:?}"
exec bash "$GREBE_SRC/tests/integration/vsctl-corpus/check.sh" \
  "$GREBE_BIN/ovs-vsctl" "$GREBE_BIN/ovs-vsctl" \
  "${GREBE_OVSDB_SERVER:-$GREBE_BIN/ovsdb-server}" "${GREBE_OVSDB_TOOL:-$GREBE_BIN/ovsdb-tool}"
