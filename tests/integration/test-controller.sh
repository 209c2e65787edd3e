#!/usr/bin/env bash
# Stock ovs-testcontroller (a MAC-learning controller) drives our connection
# manager over a reliable controller connection: grebe-ofprotod connects to
# the controller's punix: socket, SIGUSR1/SIGUSR2 make it send table-miss
# packet-ins (00:..:01 -> 00:..:02 on port 1, then the reverse on port 2).
#   - the first packet-in is flooded with a packet-out
#   - the reply is learned: the controller installs a flow to port 1,
#     visible through the management socket with stock ovs-ofctl
#   - ovs-ofctl snoop on <dir>/br0.snoop sees the session
#   - OpenFlow 1.0 and 1.3
set -euo pipefail
: "${GREBE_BIN:?}"
D=$GREBE_BIN/grebe-ofprotod
[ -x "$D" ] || { echo "no $D"; exit 77; }
command -v ovs-testcontroller >/dev/null || { echo "no ovs-testcontroller"; exit 77; }
command -v ovs-ofctl >/dev/null || { echo "no stock ovs-ofctl"; exit 77; }

dir=$(mktemp -d /tmp/grebe-test-controller.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$dir"
}
trap cleanup EXIT
export OVS_RUNDIR=$dir OVS_LOGDIR=$dir
cd "$dir"

fail() {
  echo "FAIL: $*" >&2
  tail -20 "$dir"/*.log >&2 || true
  exit 1
}
wait_for() {
  for _ in $(seq 200); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  fail "timed out waiting for: $*"
}
# Sends packet-in $1 (USR1/USR2) until the log shows $2 (the controller
# may not be connected yet when the first signal arrives).
poke_until() {
  for _ in $(seq 100); do
    kill -"$1" "$3"
    sleep 0.2
    if grep -q "$2" "$4"; then return 0; fi
  done
  fail "no \"$2\" after SIG$1"
}

run_case() {
  local version=$1 n=$2
  local sub=$dir/$n
  mkdir "$sub"
  ovs-testcontroller -O "$version" --no-chdir "punix:$sub/ctl.sock" \
    >"$sub/controller.log" 2>&1 &
  pids+=($!)
  wait_for test -S "$sub/ctl.sock"
  "$D" "$sub" br0 --controller "unix:$sub/ctl.sock" 2>"$sub/ofprotod.log" &
  local pid=$!
  pids+=($pid)
  wait_for test -S "$sub/br0.mgmt"
  # Unknown destination: flooded.
  poke_until USR1 "packet_out in_port=1 actions=" "$pid" "$sub/ofprotod.log"
  # Known destination (learned from the first packet): a flow to port 1.
  for _ in $(seq 100); do
    kill -USR2 "$pid"
    sleep 0.2
    if timeout 10 ovs-ofctl dump-flows "unix:$sub/br0.mgmt" | grep -q "actions=output:1"; then
      break
    fi
  done
  flows=$(timeout 10 ovs-ofctl dump-flows "unix:$sub/br0.mgmt")
  grep -q "dl_dst=00:00:00:00:00:01.*actions=output:1" <<<"$flows" \
    || fail "$version: no learned flow: $flows"
  grep -q "in_port=2" <<<"$flows" || fail "$version: learned flow lacks in_port: $flows"
  # ovs-ofctl snoop mirrors the controller session.
  timeout 20 ovs-ofctl snoop "unix:$sub/br0.snoop" >"$sub/snoop.out" 2>&1 &
  local snoop=$!
  pids+=($snoop)
  for _ in $(seq 100); do
    kill -USR1 "$pid"
    sleep 0.2
    grep -q "OFPT_PACKET_IN" "$sub/snoop.out" && break
  done
  grep -q "OFPT_PACKET_IN" "$sub/snoop.out" || fail "$version: snoop saw no packet-in"
  kill -0 "$pid" || fail "$version: ofprotod died"
}

run_case OpenFlow10 of10
run_case OpenFlow13 of13
echo "PASS"
