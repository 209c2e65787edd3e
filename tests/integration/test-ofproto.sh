#!/usr/bin/env bash
# Stock ovs-ofctl (OpenFlow 1.0, 1.3, 1.4) against our connection manager:
# grebe-ofprotod is a bridge's OpenFlow side (Connmgr + OfprotoTables +
# group/meter tables) on <dir>/br0.mgmt, without a datapath.
#   - show / dump-desc / dump-tables / dump-table-features / dump-ports
#   - add-flow(s), dump-flows (NXM and OXM), diff-flows, replace-flows,
#     del-flows, dump-aggregate
#   - groups (add/dump/stats/del removes flows), meters (add/stats/del
#     removes flows), errors for unknown groups/meters
#   - --bundle (OF1.4 and the OF1.3 ONF extension), a failing bundle
#     changes nothing
#   - monitor watch: (NX flow monitor), monitor with miss_send_len gets
#     packet-ins, packet-out, mod-port
#   - OpenFlow 1.5 flow and aggregate statistics (OXS)
#   - a flood of garbage on one connection while ovs-ofctl keeps working
set -euo pipefail
: "${GREBE_BIN:?}"
D=$GREBE_BIN/grebe-ofprotod
[ -x "$D" ] || { echo "no $D"; exit 77; }
command -v ovs-ofctl >/dev/null || { echo "no stock ovs-ofctl"; exit 77; }
command -v python3 >/dev/null || { echo "no python3"; exit 77; }

dir=$(mktemp -d /tmp/grebe-test-ofproto.XXXXXX)
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
export OVS_RUNDIR=$dir OVS_LOGDIR=$dir
cd "$dir"

fail() {
  echo "FAIL: $*" >&2
  echo "--- ofprotod log" >&2
  tail -20 "$dir/ofprotod.log" >&2 || true
  exit 1
}
expect_eq() { [ "$1" == "$2" ] || fail "$3: expected [$2], got [$1]"; }
wait_for() {
  for _ in $(seq 200); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  fail "timed out waiting for: $*"
}
S=unix:$dir/br0.mgmt
ofctl() { timeout 30 ovs-ofctl "$@"; }

"$D" "$dir" br0 2>"$dir/ofprotod.log" &
pid=$!
wait_for test -S "$dir/br0.mgmt"

# 1. Switch description.
out=$(ofctl show $S)
grep -q "dpid:0000aa5500000001" <<<"$out" || fail "show: dpid"
grep -q "n_tables:254, n_buffers:0" <<<"$out" || fail "show: tables"
grep -q " 2(p2): addr:aa:55:00:00:00:02" <<<"$out" || fail "show: port p2"
grep -q "OFPT_GET_CONFIG_REPLY (xid=0x4): frags=normal miss_send_len=0" <<<"$out" \
  || fail "show: config"
out=$(ofctl -O OpenFlow13 show $S)
grep -q "capabilities: FLOW_STATS TABLE_STATS PORT_STATS GROUP_STATS QUEUE_STATS" <<<"$out" \
  || fail "OF1.3 capabilities"
grep -q " LOCAL(br0): addr:aa:55:00:00:00:fe" <<<"$out" || fail "OF1.3 port desc"
expect_eq "$(ofctl dump-desc $S | sed -n '2,6p')" "Manufacturer: Nicira, Inc.
Hardware: Open vSwitch
Software: 3.1.0
Serial Num: None
DP Description: None" "dump-desc"
ofctl -O OpenFlow13 dump-table-features $S | grep -q "max_entries=1000000" \
  || fail "dump-table-features"
ofctl dump-tables $S | grep -q "tables 1...253: ditto" || fail "dump-tables"

# 2. Flows over OpenFlow 1.0 (NXM) and 1.3 (OXM).
ofctl add-flow $S "priority=5,in_port=1,actions=output:2"
ofctl -O OpenFlow13 add-flow $S "table=1,ip,nw_dst=10.0.0.1,actions=drop"
expect_eq "$(ofctl dump-flows $S --no-stats)" " priority=5,in_port=1 actions=output:2
 table=1, ip,nw_dst=10.0.0.1 actions=drop" "dump-flows OF1.0"
expect_eq "$(ofctl -O OpenFlow13 dump-flows $S --no-stats)" \
  "$(ofctl dump-flows $S --no-stats)" "dump-flows OF1.3"
expect_eq "$(ofctl dump-aggregate $S)" \
  "NXST_AGGREGATE reply (xid=0x4): packet_count=0 byte_count=0 flow_count=2" "aggregate"
printf "priority=5,in_port=1,actions=output:2\ntable=1,ip,nw_dst=10.0.0.1,actions=drop\n" >f1
ofctl diff-flows $S f1 || fail "diff-flows should match"
printf "in_port=3,actions=drop\n" >f2
ofctl replace-flows $S f2
expect_eq "$(ofctl dump-flows $S --no-stats)" " in_port=3 actions=drop" "replace-flows"
if ofctl diff-flows $S f1 >diff.out; then fail "diff-flows should differ"; fi
grep -q "^-" diff.out && grep -q "^+" diff.out || fail "diff-flows output"
ofctl del-flows $S
expect_eq "$(ofctl dump-flows $S --no-stats)" "" "del-flows"

# OpenFlow 1.5: OXS statistics in flow and aggregate replies.
ofctl -O OpenFlow15 add-flow $S "table=2,udp,actions=drop"
ofctl -O OpenFlow15 dump-flows $S | grep -q "table=2, n_packets=0, n_bytes=0, idle_age=[0-9]*, udp actions=drop" \
  || fail "OF1.5 dump-flows"
ofctl -O OpenFlow15 dump-aggregate $S | grep -q "flow_count=1" || fail "OF1.5 aggregate"
ofctl del-flows $S

# 3. Groups: chaining checks, stats, delete removes the flows using them.
O13="-O OpenFlow13"
ofctl $O13 add-group $S "group_id=1,type=all,bucket=output:1,bucket=output:2"
ofctl $O13 add-flow $S "ip,actions=group:1"
ofctl $O13 add-flow $S "arp,actions=output:3"
expect_eq "$(ofctl $O13 dump-groups $S | tail -1)" \
  " group_id=1,type=all,bucket=actions=output:1,bucket=actions=output:2" "dump-groups"
ofctl $O13 dump-group-stats $S | grep -q "group_id=1,.*ref_count=1" || fail "group ref_count"
if ofctl $O13 add-group $S "group_id=1,type=all,bucket=output:1" 2>err.out; then
  fail "duplicate group accepted"
fi
grep -q OFPGMFC_GROUP_EXISTS err.out || fail "duplicate group error"
if ofctl $O13 add-flow $S "udp,actions=group:9" 2>err.out; then fail "unknown group accepted"; fi
grep -q OFPBAC_BAD_OUT_GROUP err.out || fail "unknown group error"
ofctl $O13 del-groups $S group_id=1
expect_eq "$(ofctl $O13 dump-flows $S --no-stats)" " arp actions=output:3" "group delete"

# OpenFlow 1.5 group_mod: insert-buckets / remove-buckets.
O15="-O OpenFlow15"
ofctl $O15 add-group $S "group_id=5,type=select,bucket=bucket_id:1,weight:5,output:1"
ofctl $O15 insert-buckets $S "group_id=5,command_bucket_id=last,bucket=bucket_id:2,weight:3,output:2"
expect_eq "$(ofctl $O15 dump-groups $S | tail -1)" \
  " group_id=5,type=select,bucket=bucket_id:1,weight:5,actions=output:1,bucket=bucket_id:2,weight:3,actions=output:2" \
  "insert-buckets"
ofctl $O15 remove-buckets $S "group_id=5,command_bucket_id=1"
expect_eq "$(ofctl $O15 dump-groups $S | tail -1)" \
  " group_id=5,type=select,bucket=bucket_id:2,weight:3,actions=output:2" "remove-buckets"
ofctl $O15 del-groups $S

# 4. Meters.
ofctl $O13 add-meter $S "meter=1,kbps,band=type=drop,rate=5000"
ofctl $O13 add-flow $S "priority=7,ip,actions=meter:1,output:2"
ofctl $O13 meter-stats $S | grep -q "meter:1 flow_count:1" || fail "meter-stats"
expect_eq "$(ofctl $O13 dump-meters $S | tail -2)" "meter=1 kbps bands=
type=drop rate=5000" "dump-meters"
if ofctl $O13 add-flow $S "arp,actions=meter:9,output:2" 2>err.out; then
  fail "unknown meter accepted"
fi
grep -q OFPMMFC_INVALID_METER err.out || fail "unknown meter error"
ofctl $O13 del-meter $S meter=1
expect_eq "$(ofctl $O13 dump-flows $S --no-stats)" " arp actions=output:3" "meter delete"
grep -q "meter_del 1" ofprotod.log || fail "meter not removed from the datapath"

# 5. Bundles: OF1.4 and the OF1.3 ONF extension; a bad bundle changes nothing.
printf "priority=1,in_port=1,actions=output:2\npriority=1,in_port=2,actions=output:1\n" >b1
ofctl -O OpenFlow14 --bundle replace-flows $S b1
expect_eq "$(ofctl dump-flows $S --no-stats | sort)" " priority=1,in_port=1 actions=output:2
 priority=1,in_port=2 actions=output:1" "OF1.4 bundle"
printf "priority=1,in_port=3,actions=output:1\n" >b2
ofctl -O OpenFlow13 --bundle add-flows $S b2
expect_eq "$(ofctl dump-flows $S --no-stats | wc -l)" "3" "OF1.3 bundle"
printf "priority=2,in_port=1,actions=drop\npriority=1,in_port=9,actions=group:77\n" >b3
if ofctl -O OpenFlow14 --bundle add-flows $S b3 2>err.out; then fail "bad bundle committed"; fi
grep -q OFPBAC_BAD_OUT_GROUP err.out || fail "bad bundle error"
expect_eq "$(ofctl dump-flows $S --no-stats | wc -l)" "3" "bad bundle left flows alone"

# 6. Flow monitor: the initial flows, then additions and deletions.
timeout 20 ovs-ofctl monitor $S watch: >mon.out 2>&1 &
mon=$!
wait_for grep -q "event=ADDED table=0 cookie=0 in_port=3 actions=output:1" mon.out
ofctl add-flow $S "priority=3,in_port=2,dl_type=0x0800,actions=output:3"
wait_for grep -q "event=ADDED table=0 cookie=0 ip,in_port=2 actions=output:3" mon.out
ofctl del-flows $S "in_port=3"
wait_for grep -q "event=DELETED" mon.out
kill $mon 2>/dev/null || true

# A service connection gets packet-ins once it sets miss_send_len
# (ovs-ofctl monitor MISS-LEN does).
timeout 20 ovs-ofctl monitor $S 65534 >pin.out 2>&1 &
mon=$!
for _ in $(seq 100); do
  kill -USR1 "$pid"
  sleep 0.2
  grep -q "OFPT_PACKET_IN (xid=0x0): total_len=64 in_port=1 (via no_match)" pin.out && break
done
grep -q "dl_src=00:00:00:00:00:01,dl_dst=00:00:00:00:00:02" pin.out || fail "monitor packet-in"
kill $mon 2>/dev/null || true

# 7. packet-out and mod-port reach the switch.
ofctl packet-out $S "in_port=1 packet=ffffffffffff0000000000010806000108000604000100000000000$(
  )10a000001000000000000 actions=output:2"
wait_for grep -q "packet_out in_port=1 actions=output:2" ofprotod.log
ofctl mod-port $S p2 down
ofctl show $S | grep -A1 " 2(p2)" | grep -q "config:     PORT_DOWN" || fail "mod-port"

# 8. Garbage on one connection does not disturb another.
python3 - "$dir/br0.mgmt" <<'PY' &
import socket, struct, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(struct.pack("!BBHI", 4, 0, 8, 1))  # hello, OF1.3
end = time.time() + 3
i = 0
while time.time() < end:
    # unknown types, truncated flow_mods, bad vendors: each gets an error
    t = (40 + i % 50, 14, 4)[i % 3]
    body = bytes((i * 7) % 256 for _ in range(i % 23))
    try:
        s.sendall(struct.pack("!BBHI", 4, t, 8 + len(body), i) + body)
        s.setblocking(False)
        try:
            while s.recv(65536):
                pass
        except BlockingIOError:
            pass
        s.setblocking(True)
    except OSError:
        break
    i += 1
PY
flood=$!
for i in $(seq 20); do
  ofctl add-flow $S "priority=100,in_port=1,dl_vlan=$i,actions=drop"
done
expect_eq "$(ofctl dump-flows $S --no-stats | grep -c dl_vlan)" "20" "flows during flood"
wait $flood || true
kill -0 "$pid" || fail "ofprotod died"
echo "PASS"
