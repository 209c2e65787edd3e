#!/usr/bin/env bash
# System test (root): our ovsdb-server + ovs-vswitchd with a netdev
# (userspace) bridge and hosts in network namespaces, default offloads on.
#   1. NORMAL: ping, TCP (iperf3, when installed) and UDP between two hosts
#   2. explicit flows (in_port=1,actions=2 ...) replace NORMAL
#   3. VLAN isolation: tag 100 hosts reach each other, not tag 200
#   4. ovs-vswitchd restarted under traffic: traffic flows again after
#   5. a flood of distinct 5-tuples: datapath flows stay under the limit
# Skips (77) until ovs-vswitchd serves OpenFlow on <bridge>.mgmt.
set -u
source "$(dirname "$0")/lib.sh"

start_switch
vsctl add-br br0 -- set bridge br0 datapath_type=netdev
if ! poll_for 50 ofctl dump-flows br0; then
  echo "skip: ovs-vswitchd does not serve OpenFlow on br0.mgmt yet"
  exit 77
fi
add_host a 10.97.0.1/24
add_host b 10.97.0.2/24
add_host c 10.97.0.3/24
vsctl add-port br0 "${PFX}a" -- set interface "${PFX}a" ofport_request=1 \
  -- add-port br0 "${PFX}b" -- set interface "${PFX}b" ofport_request=2 \
  -- add-port br0 "${PFX}c" -- set interface "${PFX}c" ofport_request=3

# 1. NORMAL (the bridge's default flow in standalone mode).
ofctl add-flow br0 priority=0,actions=normal
on a ping -c 3 -i 0.2 -W 5 10.97.0.2 >/dev/null || fail "NORMAL: ping a -> b"
appctl dpctl/dump-flows | grep -q 'actions:' || fail "no datapath flows after ping"
if command -v iperf3 >/dev/null; then
  on b timeout 30 iperf3 -s -1 -D -B 10.97.0.2 >/dev/null 2>&1
  ok=0
  for _ in 1 2 3 4 5; do
    if on a timeout 20 iperf3 -c 10.97.0.2 -t 2 -J > "$dir/tcp.json" 2>/dev/null; then ok=1; break; fi
    sleep 0.3
  done
  [ $ok = 1 ] || fail "NORMAL: iperf3 TCP"
  python3 -c "import json,sys; j=json.load(open('$dir/tcp.json')); b=j['end']['sum_received']['bytes']; sys.exit(0 if b>0 else 1)" \
    || fail "iperf3: nothing received"
fi
# UDP: 200 datagrams, all must arrive (the hosts are not loaded).
on b timeout 20 python3 -c "
import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('10.97.0.2', 9999)); s.settimeout(10)
n=0
while n < 200:
    s.recv(2048); n+=1
open('$dir/udp.out','w').write(str(n))" &
udp_rx=$!
sleep 0.5
on a python3 -c "
import socket, time; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(200):
    s.sendto(b'x'*100, ('10.97.0.2', 9999)); time.sleep(0.002)"
wait $udp_rx || fail "UDP: receiver did not get 200 datagrams"

# 2. Explicit flows.
ofctl del-flows br0
ofctl add-flow br0 in_port=1,actions=output:2
ofctl add-flow br0 in_port=2,actions=output:1
on a ping -c 2 -i 0.2 -W 5 10.97.0.2 >/dev/null || fail "explicit flows: ping a -> b"
on a ping -c 1 -W 1 10.97.0.3 >/dev/null && fail "explicit flows: c must be unreachable"

# 3. VLAN isolation with NORMAL.
ofctl del-flows br0
ofctl add-flow br0 priority=0,actions=normal
vsctl set port "${PFX}a" tag=100 -- set port "${PFX}b" tag=100 -- set port "${PFX}c" tag=200
on a ping -c 2 -i 0.2 -W 5 10.97.0.2 >/dev/null || fail "VLAN: tag 100 hosts must reach each other"
on a ping -c 2 -i 0.2 -W 1 10.97.0.3 >/dev/null && fail "VLAN: tag 100 reached tag 200"
vsctl remove port "${PFX}a" tag 100 -- remove port "${PFX}b" tag 100 -- remove port "${PFX}c" tag 200

# 4. Restart under traffic.
on a ping -i 0.05 -W 1 10.97.0.2 > "$dir/ping.out" 2>&1 &
pinger=$!
sleep 0.5
kill "$(cat "$dir/ovs-vswitchd.pid")"
wait_for bash -c "! kill -0 $(cat "$dir/ovs-vswitchd.pid") 2>/dev/null"
start_vswitchd
wait_for ofctl dump-flows br0
ofctl add-flow br0 priority=0,actions=normal
before=$(grep -c 'bytes from' "$dir/ping.out" || true)
wait_for bash -c "[ \$(grep -c 'bytes from' $dir/ping.out) -gt $((before + 5)) ]"
kill $pinger 2>/dev/null || true

# 5. A flood of distinct 5-tuples with a small flow limit.
vsctl set open_vswitch . other_config:flow-limit=200
on a python3 -c "
import socket
s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for p in range(3000):
    s.sendto(b'x', ('10.97.0.2', 1024 + p))"
n=$(appctl dpctl/dump-flows | wc -l)
[ "$n" -le 250 ] || fail "flow limit: $n datapath flows"
on a ping -c 2 -i 0.2 -W 5 10.97.0.2 >/dev/null || fail "ping after the flood"
echo "PASS"
