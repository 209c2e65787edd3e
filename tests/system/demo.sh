#!/usr/bin/env bash
# README's main job: brings up what Grebe has today, end to end, and tears it
# down.  Each step says what it runs; a step whose program is not built yet
# says so and is skipped.  The goal state (the vswitchd issue) is a bridge
# with hosts in network namespaces passing ping and iperf3 traffic.
set -euo pipefail

SRC=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${GREBE_BIN:-$SRC/build/bin}
DIR=$(mktemp -d /tmp/grebe-demo.XXXXXX)
export OVS_RUNDIR=$DIR OVS_LOGDIR=$DIR OVS_DBDIR=$DIR
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$DIR"
}
trap cleanup EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }
have() { [ -x "$BIN/$1" ]; }

step "1. configuration database: ovsdb-tool create"
run "$BIN/ovsdb-tool" create "$DIR/conf.db" "$SRC/vswitchd/vswitch.ovsschema"
run "$BIN/ovsdb-tool" db-name "$DIR/conf.db"
run "$BIN/ovsdb-tool" db-version "$DIR/conf.db"

if have ovsdb-server; then
  step "2. ovsdb-server serving it on $DIR/db.sock"
  run "$BIN/ovsdb-server" "$DIR/conf.db" --remote=punix:"$DIR/db.sock" \
    --pidfile --detach --log-file --no-chdir
  pids+=("$(cat "$DIR/ovsdb-server.pid")")
  DB=unix:$DIR/db.sock
  run "$BIN/ovs-appctl" -t ovsdb-server version
else
  step "2. ovsdb-server not built yet: using Debian's for the next steps"
  /usr/sbin/ovsdb-server "$DIR/conf.db" --remote=punix:"$DIR/db.sock" \
    --unixctl="$DIR/ovsdb-server.ctl" --pidfile="$DIR/ovsdb-server.pid" --detach --no-chdir
  pids+=("$(cat "$DIR/ovsdb-server.pid")")
  DB=unix:$DIR/db.sock
fi

if have ovs-vsctl; then
  step "3. ovs-vsctl: a bridge with ports, VLANs and a controller"
  vsctl() { run "$BIN/ovs-vsctl" --db="$DB" --no-wait "$@"; }
  vsctl init
  vsctl add-br br0 -- set bridge br0 other-config:datapath-id=0000000000000001 \
    -- add-port br0 p1 tag=100 -- set interface p1 ofport_request=1 \
    -- add-port br0 p2 tag=200 -- set interface p2 ofport_request=2 \
    -- set-controller br0 tcp:127.0.0.1:6653 -- set controller br0 connection-mode=out-of-band
  vsctl show
  vsctl --columns=name,tag list port
fi

step "4. OpenFlow: the seed flow corpus, parsed and printed as ovs-ofctl does"
corpus=$SRC/../shared/seed-flows.txt
[ -f "$corpus" ] || corpus=$SRC/tests/unit/openflow/golden/seed-flows.txt
sed -n '/^\[flows\]/,/^\[groups\]/p' "$corpus" 2>/dev/null | grep -v '^\[' | grep -v '^#' | grep . |
  sed -n 2,8p > "$DIR/flows" || true  # line 1 has no usable protocol (mod_nw_src without ip), as stock says
[ -s "$DIR/flows" ] || printf '%s\n' 'priority=100,ip,nw_dst=10.0.0.0/8,actions=output:2' \
    'table=0,priority=0,actions=resubmit(,1)' > "$DIR/flows"
run "$BIN/ovs-ofctl" -O OpenFlow13 parse-flows "$DIR/flows"

step "5. control sockets: ovs-appctl against the running daemon"
if have ovsdb-server; then
  run "$BIN/ovs-appctl" -t ovsdb-server vlog/list | head -5
fi

step "done: the switch itself (ovs-vswitchd, datapaths, hosts in namespaces) is next"
