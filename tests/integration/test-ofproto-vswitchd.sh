#!/usr/bin/env bash
# Stock and our ovs-ofctl drive our ovs-vswitchd (--enable-dummy=override)
# through the bridge's management socket <rundir>/br0.mgmt:
#   - show, add-flow / dump-flows / diff-flows / del-flows (OF1.0 and OF1.3)
#   - groups and meters (OF1.3), --bundle add-flows (OF1.4)
#   - a flow added over OpenFlow is what ofproto/trace follows
#   - a controller target (ovs-testcontroller) shows is_connected in the
#     Controller table
# Skips (77) while ovs-vswitchd does not serve OpenFlow yet.
set -euo pipefail
: "${GREBE_BIN:?}" "${GREBE_SRC:?}"
for p in ovsdb-server ovsdb-tool ovs-vswitchd ovs-vsctl ovs-appctl ovs-ofctl; do
  [ -x "$GREBE_BIN/$p" ] || { echo "no $GREBE_BIN/$p"; exit 77; }
done
command -v ovs-ofctl >/dev/null || { echo "no stock ovs-ofctl"; exit 77; }

dir=$(mktemp -d /tmp/grebe-test-ofproto-vswitchd.XXXXXX)
ctl_pid=
cleanup() {
  [ -n "$ctl_pid" ] && kill "$ctl_pid" 2>/dev/null || true
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
  tail -30 "$dir/ovs-vswitchd.log" >&2 || true
  exit 1
}
expect_eq() { [ "$1" == "$2" ] || fail "$3: expected [$2], got [$1]"; }
vsctl() { timeout 30 "$GREBE_BIN/ovs-vsctl" --timeout=20 "$@"; }
appctl() { timeout 30 "$GREBE_BIN/ovs-appctl" "$@"; }
wait_for() {
  for _ in $(seq 200); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  fail "timed out waiting for: $*"
}
S=unix:$dir/br0.mgmt
stock() { timeout 30 ovs-ofctl "$@"; }
ours() { timeout 30 "$GREBE_BIN/ovs-ofctl" "$@"; }

"$GREBE_BIN/ovsdb-tool" create conf.db "$GREBE_SRC/vswitchd/vswitch.ovsschema"
"$GREBE_BIN/ovsdb-server" conf.db --remote=punix:"$dir/db.sock" --pidfile --detach --no-chdir \
  --log-file
vsctl --no-wait init
"$GREBE_BIN/ovs-vswitchd" --enable-dummy=override --disable-system --pidfile --detach \
  --no-chdir --log-file -vconsole:off
vsctl add-br br0 -- set Bridge br0 fail-mode=secure
for i in 1 2 3; do
  vsctl add-port br0 p$i -- set Interface p$i type=dummy ofport_request=$i
done
for _ in $(seq 100); do
  [ -S "$dir/br0.mgmt" ] && break
  sleep 0.1
done
[ -S "$dir/br0.mgmt" ] || { echo "ovs-vswitchd has no br0.mgmt: OpenFlow not served yet"; exit 77; }

# 1. The switch as OpenFlow shows it.
out=$(stock show $S)
grep -q "n_tables:254, n_buffers:0" <<<"$out" || fail "show: $out"
grep -q " 3(p3): addr:" <<<"$out" || fail "show lacks p3: $out"
grep -q " LOCAL(br0): addr:" <<<"$out" || fail "show lacks LOCAL: $out"
stock dump-desc $S | grep -q "Manufacturer: Nicira, Inc." || fail "dump-desc"

# 2. Flows, stock and ours, OF1.0 and OF1.3.
stock add-flow $S "priority=10,in_port=1,actions=output:2"
ours -O OpenFlow13 add-flow br0 "table=1,priority=5,ip,actions=drop" 2>/dev/null \
  || stock -O OpenFlow13 add-flow $S "table=1,priority=5,ip,actions=drop"
expect_eq "$(stock dump-flows $S --no-stats)" " priority=10,in_port=1 actions=output:2
 table=1, priority=5,ip actions=drop" "dump-flows"
expect_eq "$(stock -O OpenFlow13 dump-flows $S --no-stats)" "$(stock dump-flows $S --no-stats)" \
  "dump-flows OF1.3"
printf "priority=10,in_port=1,actions=output:2\ntable=1,priority=5,ip,actions=drop\n" >flows
stock diff-flows $S flows || fail "diff-flows"

# 3. The pipeline follows what OpenFlow installed.
appctl ofproto/trace br0 in_port=1 | grep -q "output:2" || fail "trace does not follow the flow"

# 4. Groups, meters, bundles.
stock -O OpenFlow13 add-group $S "group_id=1,type=all,bucket=output:2,bucket=output:3"
stock -O OpenFlow13 add-flow $S "priority=20,in_port=2,actions=group:1"
stock -O OpenFlow13 dump-groups $S | grep -q "group_id=1,type=all" || fail "dump-groups"
stock -O OpenFlow13 del-groups $S group_id=1
if stock dump-flows $S | grep -q "group:1"; then fail "group delete left its flow"; fi
stock -O OpenFlow13 add-meter $S "meter=1,pktps,band=type=drop,rate=10"
stock -O OpenFlow13 dump-meters $S | grep -q "meter=1 pktps" || fail "dump-meters"
stock -O OpenFlow13 del-meter $S meter=1
printf "priority=30,in_port=3,actions=output:1\npriority=30,in_port=2,actions=output:1\n" >b
stock -O OpenFlow14 --bundle add-flows $S b
expect_eq "$(stock dump-flows $S --no-stats | grep -c priority=30)" "2" "bundle"
stock del-flows $S
expect_eq "$(stock dump-flows $S --no-stats)" "" "del-flows"

# 5. A controller connection shows up in the Controller table.
if command -v ovs-testcontroller >/dev/null; then
  ovs-testcontroller --no-chdir "punix:$dir/ctl.sock" >ctl.log 2>&1 &
  ctl_pid=$!
  wait_for test -S "$dir/ctl.sock"
  vsctl set-controller br0 "unix:$dir/ctl.sock"
  wait_for sh -c "\"$GREBE_BIN/ovs-vsctl\" --timeout=5 get Controller . is_connected | grep -q true"
fi
echo "PASS"
