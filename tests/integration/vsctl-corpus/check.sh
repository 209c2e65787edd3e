#!/usr/bin/env bash
# Replays the ovs-vsctl corpus with one client against one server and
# compares outputs, exit codes and the resulting database with the golden
# record made by stock ovs-vsctl against stock ovsdb-server (generate.sh).
#
# usage: check.sh CLIENT DUMP-CLIENT SERVER TOOL
#   CLIENT       the ovs-vsctl under test
#   DUMP-CLIENT  the ovs-vsctl that dumps the final database of each case
#   SERVER/TOOL  the ovsdb-server and ovsdb-tool under test
# Exits 77 (skip) when a program is missing.
set -euo pipefail
: "${GREBE_SRC:?}"
client=$1 dump=$2 server=$3 tool=$4
for p in "$client" "$dump" "$server" "$tool"; do
  [ -x "$p" ] || { echo "skip: no $p"; exit 77; }
done
command -v python3 >/dev/null || { echo "skip: no python3"; exit 77; }
corpus=$GREBE_SRC/tests/integration/vsctl-corpus
dir=$(mktemp -d /tmp/grebe-test-vsctl-corpus.XXXXXX)
trap 'rm -rf "$dir"' EXIT
export OVS_RUNDIR=$dir OVS_LOGDIR=$dir OVS_DBDIR=$dir
echo "== client $client, server $server"
GREBE_OVSDB_SERVER=$server GREBE_OVSDB_TOOL=$tool \
  python3 "$corpus/run_corpus.py" --vsctl "$client" --dump-vsctl "$dump" \
  --schema "$GREBE_SRC/vswitchd/vswitch.ovsschema" --check "$corpus/golden.json"
