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

if [ "$(id -u)" != 0 ] || ! ip netns add grebe-demo-probe-$$ 2>/dev/null; then
  step "done (hosts in namespaces need root: skipped the traffic part)"
  exit 0
fi
ip netns del grebe-demo-probe-$$
P=gd$(( $$ % 10000 ))
cleanup_ns() {
  for n in h1 h2; do ip netns del $P$n 2>/dev/null || true; done
  ip link del ${P}p1 2>/dev/null || true
  ip link del ${P}p2 2>/dev/null || true
}
trap 'cleanup_ns; cleanup' EXIT
step "6. two hosts in network namespaces on veth pairs (default offloads)"
for i in 1 2; do
  run ip netns add $P"h$i"
  run ip link add ${P}p$i type veth peer name eth0 netns $P"h$i"
  run ip -n $P"h$i" addr add 10.95.0.$i/24 dev eth0
  ip -n $P"h$i" link set eth0 up
  ip link set ${P}p$i up
done

forwarding=no
if have ovs-vswitchd; then
  step "7. ovs-vswitchd with a netdev (userspace) bridge br1 holding both hosts' ports"
  "$BIN/ovs-vswitchd" --pidfile --detach --no-chdir --log-file -vconsole:off
  pids+=("$(cat "$DIR/ovs-vswitchd.pid")")
  run "$BIN/ovs-vsctl" --db="$DB" --timeout=20 add-br br1 -- set bridge br1 datapath_type=netdev \
    -- add-port br1 ${P}p1 -- add-port br1 ${P}p2
  "$BIN/ovs-ofctl" add-flow br1 priority=0,actions=normal 2>/dev/null || true
  if ip netns exec ${P}h1 ping -c 1 -W 3 10.95.0.2 >/dev/null 2>&1; then
    forwarding=vswitchd
  else
    echo "(ovs-vswitchd does not forward yet: stopping it, using the datapath alone)"
    kill "$(cat "$DIR/ovs-vswitchd.pid")" 2>/dev/null || true
    sleep 0.5
  fi
fi
if [ $forwarding = no ] && have grebe-dp-xconnect; then
  step "7'. the netdev datapath alone (grebe-dp-xconnect: datapath + a miniature handler)"
  "$BIN/grebe-dp-xconnect" ${P}p1 ${P}p2 > "$DIR/xc.out" 2>&1 &
  pids+=("$!")
  for _ in $(seq 50); do grep -q ready "$DIR/xc.out" && break; sleep 0.1; done
  forwarding=xconnect
fi
if [ $forwarding != no ]; then
  step "8. ping h1 -> h2"
  run ip netns exec ${P}h1 ping -c 3 -i 0.2 10.95.0.2
  if command -v iperf3 >/dev/null; then
    step "9. a short iperf3 (TCP, TSO super-frames pass through the datapath whole)"
    ip netns exec ${P}h2 timeout 20 iperf3 -s -1 -B 10.95.0.2 >/dev/null 2>&1 &
    sleep 0.3
    run ip netns exec ${P}h1 timeout 15 iperf3 -c 10.95.0.2 -t 2 || true
  fi
  step "10. the datapath flows"
  if [ $forwarding = vswitchd ]; then
    run "$BIN/ovs-appctl" dpctl/dump-flows
  else
    kill -USR1 "${pids[-1]}"
    sleep 0.5
    grep -v ready "$DIR/xc.out" || true
  fi
fi
step "done: tearing down"
