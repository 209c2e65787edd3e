#!/usr/bin/env bash
# Regenerates golden.json from STOCK ovs-vsctl and ovsdb-server.  Run once
# when cases.txt changes and commit the result.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../../.." && pwd)
GREBE_OVSDB_SERVER=/usr/sbin/ovsdb-server GREBE_OVSDB_TOOL=/usr/bin/ovsdb-tool \
  python3 "$here/run_corpus.py" --vsctl /usr/bin/ovs-vsctl \
  --schema "$src/vswitchd/vswitch.ovsschema" --generate "$here/golden.json"
