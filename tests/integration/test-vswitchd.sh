#!/usr/bin/env bash
# ovs-vswitchd end to end with the dummy datapath: our ovsdb-server,
# ovs-vswitchd --enable-dummy=override, ovs-vsctl and ovs-appctl.
#   - add-br / add-port with ofport_request; ovs-vsctl waits for cur_cfg
#   - Interface ofport / mac_in_use / link_state written back
#   - dpif/show, ofproto/list, ofproto/trace
#   - netdev-dummy/receive -> upcall -> megaflow in dpif/dump-flows
#   - bad interface types get ofport -1 and an error, others keep working
#   - restart: the configuration comes back from the database
#   - del-port / del-br remove ports from the datapath
set -euo pipefail
: "${GREBE_BIN:?}" "${GREBE_SRC:?}"
for p in ovsdb-server ovsdb-tool ovs-vswitchd ovs-vsctl ovs-appctl; do
  [ -x "$GREBE_BIN/$p" ] || { echo "no $GREBE_BIN/$p"; exit 77; }
done

dir=$(mktemp -d /tmp/grebe-test-vswitchd.XXXXXX)
cleanup() {
  for d in ovs-vswitchd ovsdb-server; do
    [ -f "$dir/$d.pid" ] && kill "$(cat "$dir/$d.pid")" 2>/dev/null || true
  done
  rm -rf "$dir"
}
trap cleanup EXIT
export OVS_RUNDIR=$dir OVS_LOGDIR=$dir OVS_DBDIR=$dir
cd "$dir"

fail() {
  echo "FAIL: $*" >&2
  echo "--- ovs-vswitchd.log" >&2
  tail -30 "$dir/ovs-vswitchd.log" >&2 || true
  exit 1
}
expect_eq() { [ "$1" == "$2" ] || fail "$3: expected [$2], got [$1]"; }
vsctl() { timeout 30 "$GREBE_BIN/ovs-vsctl" --timeout=20 "$@"; }
appctl() { timeout 30 "$GREBE_BIN/ovs-appctl" "$@"; }
# Polls (up to 20 s) until "$@" succeeds.
wait_for() {
  for _ in $(seq 200); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  fail "timed out waiting for: $*"
}
start_vswitchd() {
  "$GREBE_BIN/ovs-vswitchd" --enable-dummy=override --disable-system --pidfile --detach \
    --no-chdir --log-file -vconsole:off
}

"$GREBE_BIN/ovsdb-tool" create conf.db "$GREBE_SRC/vswitchd/vswitch.ovsschema"
"$GREBE_BIN/ovsdb-server" conf.db --remote=punix:"$dir/db.sock" --pidfile --detach --no-chdir \
  --log-file
vsctl --no-wait init
start_vswitchd

# 1. Bridge and ports; each vsctl returns only after cur_cfg caught up.
vsctl add-br br0 -- set Bridge br0 fail-mode=secure
for i in 1 2 3 4; do
  vsctl add-port br0 p$i -- set Interface p$i type=dummy ofport_request=$i
done
expect_eq "$(vsctl get Interface p3 ofport)" "3" "p3 ofport"
expect_eq "$(vsctl get Interface br0 ofport)" "65534" "br0 ofport"
expect_eq "$(vsctl get Interface p1 link_state)" "up" "p1 link_state"
expect_eq "$(vsctl get Interface p1 admin_state)" "up" "p1 admin_state"
[ -n "$(vsctl get Interface p1 mac_in_use)" ] || fail "no mac_in_use"
cur=$(vsctl get Open_vSwitch . cur_cfg)
next=$(vsctl get Open_vSwitch . next_cfg)
expect_eq "$cur" "$next" "cur_cfg"
[[ "$(vsctl get Bridge br0 datapath_id)" =~ ^\"[0-9a-f]{16}\"$ ]] || fail "datapath_id"
vsctl get Open_vSwitch . iface_types | grep -q dummy || fail "iface_types lacks dummy"

expect_eq "$(appctl ofproto/list)" "br0" "ofproto/list"
expected="system@ovs-system: hit:0 missed:0
  br0:
    br0 65534/100: (dummy-internal)
    p1 1/1: (dummy)
    p2 2/2: (dummy)
    p3 3/3: (dummy)
    p4 4/4: (dummy)"
expect_eq "$(appctl dpif/show)" "$expected" "dpif/show"

# 2. An empty table drops; the trace says so.
out=$(appctl ofproto/trace br0 in_port=1,dl_dst=01:80:c2:00:00:05)
echo "$out" | grep -q '^ 0. No match.$' || fail "trace: $out"
echo "$out" | grep -q '^Datapath actions: drop$' || fail "trace: $out"
echo "$out" | grep -q '^Megaflow: recirc_id=0,eth,in_port=1,dl_type=0x0000$' || fail "trace: $out"
appctl ofproto/trace br9 in_port=1 2>/dev/null && fail "trace on a missing bridge succeeded"

# 3. A packet from p1 misses, a handler installs the megaflow.
appctl netdev-dummy/receive p1 \
  'in_port(1),eth(src=50:00:00:00:00:01,dst=50:00:00:00:00:02),eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=6,tos=0,ttl=64,frag=no),tcp(src=8,dst=9)'
wait_for sh -c "'$GREBE_BIN/ovs-appctl' dpif/dump-flows br0 | grep -q 'in_port(1)'"
flows=$(appctl dpif/dump-flows br0)
expect_eq "$flows" \
  "recirc_id(0),in_port(1),packet_type(ns=0,id=0),eth_type(0x0800),ipv4(frag=no), packets:0, bytes:0, used:never, actions:drop" \
  "dpif/dump-flows"
appctl upcall/show | grep -q 'flows         : (current 1)' || fail "upcall/show: $(appctl upcall/show)"
appctl revalidator/wait
appctl revalidator/purge
expect_eq "$(appctl dpif/dump-flows br0)" "" "flows after purge"

# 4. Bad interface types: ofport -1 and an error; the bridge keeps working.
vsctl add-port br0 bad0 -- set Interface bad0 type=bogus 2>/dev/null || true
wait_for sh -c "[ \"\$('$GREBE_BIN/ovs-vsctl' get Interface bad0 ofport)\" = -1 ]"
vsctl get Interface bad0 error | grep -q 'could not open network device bad0' ||
  fail "bad0 error: $(vsctl get Interface bad0 error)"
vsctl add-port br0 p5 -- set Interface p5 type=dummy
expect_eq "$(vsctl get Interface p5 ofport)" "5" "p5 ofport after a bad port"
# A second bridge may not steal a port name, a duplicate ofport_request
# falls back to a free number.
vsctl add-br br1 -- set Bridge br1 datapath_type=dummy
vsctl add-port br1 q1 -- set Interface q1 type=dummy ofport_request=1
expect_eq "$(vsctl get Interface q1 ofport)" "1" "q1 ofport"
appctl dpif/show | grep -q '^dummy@ovs-dummy: ' || fail "no dummy backer: $(appctl dpif/show)"
vsctl del-port br0 bad0

# 5. Restart: everything comes back from the database.
appctl exit
wait_for sh -c "! kill -0 $(cat ovs-vswitchd.pid 2>/dev/null || echo 999999) 2>/dev/null"
start_vswitchd
wait_for sh -c "'$GREBE_BIN/ovs-appctl' dpif/show | grep -q 'p5 5/5'"
expect_eq "$(appctl ofproto/list | tr '\n' ' ')" "br0 br1 " "bridges after restart"
vsctl set Interface p5 ofport_request=7
expect_eq "$(vsctl get Interface p5 ofport)" "7" "p5 ofport after ofport_request change"

# 6. Removal.
vsctl del-port br0 p4
appctl dpif/show | grep -q ' p4 ' && fail "p4 still in the datapath"
vsctl del-br br1
expect_eq "$(appctl ofproto/list)" "br0" "ofproto/list after del-br"
appctl dpif/show | grep -q 'ovs-dummy' && fail "dummy backer survived its last bridge"

grep -E '\|(ERR|EMER)\|' ovs-vswitchd.log && fail "errors in the log"
echo PASS
