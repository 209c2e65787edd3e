#!/usr/bin/env bash
# Replays the ovs-vsctl corpus (tests/integration/vsctl-corpus) with OUR
# ovs-vsctl against the server under test and compares outputs, exit codes
# and the resulting database with the golden record made by stock
# ovs-vsctl.  Then replays it with STOCK ovs-vsctl against the same server
# (interoperability), and checks our dump of a database stock wrote.
#
# GREBE_OVSDB_SERVER / GREBE_OVSDB_TOOL select the server (default: stock).
set -euo pipefail
: "${GREBE_BIN:?}" "${GREBE_SRC:?}"
ours=$GREBE_BIN/ovs-vsctl
[ -x "$ours" ] || { echo "no $ours"; exit 77; }
server=${GREBE_OVSDB_SERVER:-/usr/sbin/ovsdb-server}
[ -x "$server" ] || { echo "no ovsdb-server"; exit 77; }
command -v python3 >/dev/null || exit 77
corpus=$GREBE_SRC/tests/integration/vsctl-corpus
schema=$GREBE_SRC/vswitchd/vswitch.ovsschema

dir=$(mktemp -d /tmp/grebe-test-vsctl-corpus.XXXXXX)
trap 'rm -rf "$dir"' EXIT
export OVS_RUNDIR=$dir OVS_LOGDIR=$dir OVS_DBDIR=$dir

echo "== ours"
python3 "$corpus/run_corpus.py" --vsctl "$ours" --schema "$schema" \
  --check "$corpus/golden.json"
if [ -x /usr/bin/ovs-vsctl ]; then
  echo "== stock ovs-vsctl against the server under test, dumped by ours"
  python3 "$corpus/run_corpus.py" --vsctl /usr/bin/ovs-vsctl --dump-vsctl "$ours" \
    --schema "$schema" --check "$corpus/golden.json"
fi
