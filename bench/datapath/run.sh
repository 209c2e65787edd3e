#!/usr/bin/env bash
# Datapath benchmark, side by side in one run (root, network namespaces):
#   ours   the "netdev" datapath (bench's grebe-dp-xconnect: datapath + a
#          miniature handler; ovs-vswitchd instead once it forwards)
#   stock  Debian's ovs-vswitchd, userspace datapath (datapath_type=netdev),
#          its own ovsdb-server and OVS_RUNDIR, NORMAL
#   linux  the Linux bridge
# Two hosts (namespaces) on veth pairs to the switch namespace.  Default
# offloads for ours and linux; stock gets "ethtool -K tx off" in the hosts,
# without which its userspace datapath breaks TCP over veth (OVS 3.1).
# Prints one line per metric with ours/stock and ours/linux ratios:
#   TCP Gb/s (1 and 2 streams, iperf3 -t $T), UDP 64-byte frames received
#   pps and loss (iperf3 -u -b 0), added RTT over a direct veth pair (ping),
#   new flows/s with megaflows disabled (distinct UDP 5-tuples; stock:
#   upcall/disable-megaflows, ours: exact-match flows).
# Usage: bench/datapath/run.sh [seconds per test, default 3]
set -u
T=${1:-3}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${GREBE_BIN:-$SRC/build/bin}
[ "$(id -u)" = 0 ] || { echo "needs root"; exit 77; }
command -v iperf3 >/dev/null || { echo "needs iperf3"; exit 77; }
P=gb$(( $$ % 10000 ))
DIR=$(mktemp -d /tmp/grebe-bench-dp.XXXXXX)
sw_pid=
teardown() {
  [ -n "$sw_pid" ] && kill "$sw_pid" 2>/dev/null && wait "$sw_pid" 2>/dev/null
  sw_pid=
  for f in "$DIR"/ovs-vswitchd.pid "$DIR"/ovsdb-server.pid; do
    [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null; rm -f "$f"
    rm -f "$DIR/conf.db" "$DIR/.conf.db.~lock~"
  done
  for n in h1 h2 sw; do ip netns del $P$n 2>/dev/null; done
  sleep 0.3
}
trap 'teardown; rm -rf "$DIR"' EXIT

topo() {  # $1: tx-off or not
  for n in h1 h2 sw; do ip netns add $P$n; done
  for i in 1 2; do
    ip link add eth0 netns $P"h$i" type veth peer name p$i netns ${P}sw
    ip -n $P"h$i" addr add 10.96.0.$i/24 dev eth0
    ip -n $P"h$i" link set eth0 up
    ip -n $P"h$i" link set lo up
    ip -n ${P}sw link set p$i up
    [ "$1" = tx-off ] && ip netns exec $P"h$i" ethtool -K eth0 tx off >/dev/null
  done
}
h() { local n=$1; shift; ip netns exec $P$n "$@"; }

start_ours() {  # $1: extra args
  topo on
  h sw "$BIN/grebe-dp-xconnect" $1 p1 p2 > "$DIR/xc.out" 2>"$DIR/xc.err" &
  sw_pid=$!
  for _ in $(seq 50); do grep -q ready "$DIR/xc.out" 2>/dev/null && break; sleep 0.1; done
}
start_stock() {  # $1: "nomega" to disable megaflows
  topo tx-off
  export OVS_RUNDIR=$DIR OVS_LOGDIR=$DIR OVS_DBDIR=$DIR
  ovsdb-tool create "$DIR/conf.db" /usr/share/openvswitch/vswitch.ovsschema
  ovsdb-server "$DIR/conf.db" --remote=punix:"$DIR/db.sock" --pidfile --detach --log-file
  ovs-vsctl --no-wait init
  h sw ovs-vswitchd --pidfile --detach --log-file unix:"$DIR/db.sock"
  ovs-vsctl --timeout=20 add-br br0 -- set bridge br0 datapath_type=netdev \
    -- add-port br0 p1 -- add-port br0 p2
  [ "${1:-}" = nomega ] && ovs-appctl upcall/disable-megaflows >/dev/null
  rm -f "$DIR/conf.db.~lock~"
}
start_linux() {
  topo on
  h sw ip link add br0 type bridge
  h sw ip link set p1 master br0
  h sw ip link set p2 master br0
  h sw ip link set br0 up
}
start_direct() {  # h1 and h2 on one veth pair: the RTT baseline
  for n in h1 h2; do ip netns add $P$n; done
  ip link add eth0 netns ${P}h1 type veth peer name eth0 netns ${P}h2
  for i in 1 2; do
    ip -n $P"h$i" addr add 10.96.0.$i/24 dev eth0
    ip -n $P"h$i" link set eth0 up
  done
}

ping_ok() { h h1 ping -c 1 -W 2 10.96.0.2 >/dev/null 2>&1; }
warm() { for _ in $(seq 20); do ping_ok && return 0; sleep 0.2; done; return 1; }
tcp() {  # streams -> Gb/s
  h h2 timeout $((T + 15)) iperf3 -s -1 -B 10.96.0.2 >/dev/null 2>&1 &
  sleep 0.3
  h h1 timeout $((T + 10)) iperf3 -c 10.96.0.2 -t "$T" -P "$1" -J 2>/dev/null |
    python3 -c 'import json,sys
try: print("%.2f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e9))
except Exception: print("fail")'
  wait
}
udp64() {  # -> "pps loss%"
  h h2 timeout $((T + 15)) iperf3 -s -1 -B 10.96.0.2 >/dev/null 2>&1 &
  sleep 0.3
  # 18-byte payload: 64-byte Ethernet frames with the FCS.
  h h1 timeout $((T + 10)) iperf3 -c 10.96.0.2 -u -b 0 -l 18 -t "$T" -J 2>/dev/null |
    python3 -c 'import json,sys
try:
  s=json.load(sys.stdin)["end"]["sum"]; rx=s["packets"]-s["lost_packets"]
  print("%d %.1f" % (rx/s["seconds"], s["lost_percent"]))
except Exception: print("fail fail")'
  wait
}
rtt() {  # avg ms
  h h1 ping -c 30 -i 0.02 -q 10.96.0.2 2>/dev/null | sed -n 's@.*= [0-9.]*/\([0-9.]*\)/.*@\1@p'
}
newflows() {  # distinct UDP 5-tuples -> received per second
  h h2 timeout 20 python3 -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("10.96.0.2", 7000)); s.settimeout(2)
n = 0; t0 = t1 = None
try:
    while True:
        s.recv(64); n += 1; t1 = time.time(); t0 = t0 or t1
except socket.timeout: pass
print(int(n / (t1 - t0)) if n > 1 and t1 > t0 else 0)' > "$DIR/nf.out" &
  sleep 0.5
  h h1 timeout 20 python3 -c '
import socket
for p in range(20000):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("10.96.0.1", 0))
    s.sendto(b"x", ("10.96.0.2", 7000)); s.close()'
  wait
  cat "$DIR/nf.out"
}

declare -A R
measure() {  # name
  warm || { echo "$1: no connectivity" >&2; }
  R[$1,tcp1]=$(tcp 1); R[$1,tcp2]=$(tcp 2)
  read -r R[$1,pps] R[$1,loss] <<< "$(udp64)"
  R[$1,rtt]=$(rtt)
}

start_direct; R[direct,rtt]=$(rtt); teardown
start_ours ""; measure ours; teardown
start_ours "--exact"; warm; R[ours,nf]=$(newflows); teardown
if command -v ovs-vswitchd >/dev/null || [ -x /usr/sbin/ovs-vswitchd ]; then
  start_stock; measure stock; teardown
  start_stock nomega; warm; R[stock,nf]=$(newflows); teardown
fi
start_linux; measure linux; R[linux,nf]=$(newflows); teardown

for n in ours stock linux; do
  r=${R[$n,rtt]:-}; d=${R[direct,rtt]:-}
  R[$n,addrtt]=$( [ -n "$r" ] && [ -n "$d" ] && python3 -c "print('%.3f' % ($r - $d))" || echo n/a)
done
ratio() { python3 -c "
try: print('%.2f' % (float('$1') / float('$2')))
except Exception: print('n/a')"; }
printf '%-28s %10s %10s %10s %12s %12s\n' metric ours stock linux ours/stock ours/linux
for m in "tcp1:TCP 1 stream Gb/s" "tcp2:TCP 2 streams Gb/s" "pps:UDP 64B received pps" \
         "loss:UDP 64B lost %" "addrtt:added RTT ms" "nf:new flows/s (no megaflows)"; do
  k=${m%%:*}; label=${m#*:}
  o=${R[ours,$k]:-n/a}; s=${R[stock,$k]:-n/a}; l=${R[linux,$k]:-n/a}
  printf '%-28s %10s %10s %10s %12s %12s\n' "$label" "$o" "$s" "$l" "$(ratio "$o" "$s")" "$(ratio "$o" "$l")"
done
echo "(direct veth RTT ${R[direct,rtt]:-n/a} ms; stock hosts have tx checksum offload off)"
