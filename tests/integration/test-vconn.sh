#!/usr/bin/env bash
# OpenFlow connection interop: our listener (grebe-vconntest listen) probed,
# pinged and queried by stock ovs-ofctl; version negotiation failures on
# both sides with OVS's messages; our rconn connecting as a switch to stock
# ovs-testcontroller and completing hello + features.
set -u
BIN=${GREBE_BIN:?GREBE_BIN must point at the build bin directory}
VT=$BIN/grebe-vconntest
OFCTL=/usr/bin/ovs-ofctl
TC=/usr/bin/ovs-testcontroller
[ -x "$VT" ] || { echo "SKIP: grebe-vconntest not built"; exit 77; }
[ -x "$OFCTL" ] || { echo "SKIP: stock ovs-ofctl not installed"; exit 77; }

DIR=$(mktemp -d /tmp/test-vconn.XXXXXX)
export OVS_RUNDIR=$DIR OVS_LOGDIR=$DIR OVS_DBDIR=$DIR
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  [ -f "$DIR/tc.pid" ] && kill "$(cat "$DIR/tc.pid")" 2>/dev/null
  rm -rf "$DIR"
}
trap cleanup EXIT

fail() { echo "FAIL: $*"; for f in "$DIR"/*.err "$DIR"/*.log; do [ -f "$f" ] && { echo "--- $f:"; cat "$f"; }; done; exit 1; }
pass() { echo "ok: $*"; }
wait_for() {  # wait_for DESCRIPTION COMMAND...: up to 10 s
  local what=$1; shift
  for _ in $(seq 100); do "$@" && return 0; sleep 0.1; done
  fail "timed out waiting for $what"
}

# start_listener NAME [VERSIONS]: runs grebe-vconntest listen; sets PORT.
start_listener() {
  local name=$1; shift
  rm -f "$DIR/$name.port"
  "$VT" "$@" listen ptcp:0:127.0.0.1 "$DIR/$name.port" 2>"$DIR/$name.err" &
  pids+=($!)
  wait_for "$name port file" test -s "$DIR/$name.port"
  PORT=$(cat "$DIR/$name.port")
}

# 1. Stock ovs-ofctl against our listener (all versions allowed).
start_listener all
for v in OpenFlow10 OpenFlow13 OpenFlow15; do
  out=$(timeout 10 "$OFCTL" -O $v probe tcp:127.0.0.1:$PORT 2>&1) || fail "probe -O $v: $out"
done
pass "ovs-ofctl probe (1.0, 1.3, 1.5)"
out=$(timeout 20 "$OFCTL" -O OpenFlow13 ping tcp:127.0.0.1:$PORT 100 2>&1) || fail "ping: $out"
[ "$(grep -c '^100 bytes from tcp:127.0.0.1:'"$PORT"': xid=' <<<"$out")" = 10 ] ||
  fail "ping output: $out"
pass "ovs-ofctl ping: 10 echo replies with 100-byte payloads"
# OpenFlow 1.0: the features reply carries the ports, so no port-desc
# multipart (which this test program does not answer) follows.
out=$(timeout 10 "$OFCTL" -O OpenFlow10 show tcp:127.0.0.1:$PORT 2>&1) || fail "show: $out"
grep -q '^OFPT_FEATURES_REPLY (xid=0x[0-9a-f]*): dpid:0000feedbeefcafe$' <<<"$out" ||
  fail "show: $out"
grep -q '^n_tables:254, n_buffers:0$' <<<"$out" || fail "show: $out"
grep -q '^OFPT_GET_CONFIG_REPLY (xid=0x[0-9a-f]*): frags=normal miss_send_len=128$' <<<"$out" ||
  fail "show: $out"
pass "ovs-ofctl show decodes our features and config replies"
grep -q 'negotiated version 0x04' "$DIR/all.err" || fail "listener did not negotiate 1.3"
grep -q 'negotiated version 0x06' "$DIR/all.err" || fail "listener did not negotiate 1.5"

# Unix sockets and ovs-ofctl's bridge-name shorthand: br0 means
# unix:$OVS_RUNDIR/br0.mgmt.
"$VT" listen "punix:$DIR/br0.mgmt" 2>"$DIR/unix.err" &
pids+=($!)
wait_for "br0.mgmt socket" test -S "$DIR/br0.mgmt"
out=$(timeout 10 "$OFCTL" -O OpenFlow13 probe br0 2>&1) || fail "probe br0: $out"
out=$(timeout 10 "$OFCTL" -O OpenFlow14 ping br0 8 2>&1) || fail "ping br0: $out"
grep -q "negotiated version 0x05" "$DIR/unix.err" || fail "br0 ping did not use 1.4"
[ "$(grep -c "^8 bytes from br0: xid=" <<<"$out")" = 10 ] || fail "ping br0: $out"
pass "ovs-ofctl reaches our punix: listener as bridge br0"

# 2. Version negotiation failure: we allow 1.0 only, ovs-ofctl 1.3 only.
start_listener of10 -O OpenFlow10
out=$(timeout 10 "$OFCTL" -O OpenFlow13 probe tcp:127.0.0.1:$PORT 2>&1) && fail "probe succeeded: $out"
grep -q "version negotiation failed (we support version 0x04, peer supports version 0x01)" <<<"$out" ||
  fail "ovs-ofctl message: $out"
grep -q "failed to connect to socket (Protocol error)" <<<"$out" || fail "ovs-ofctl error: $out"
wait_for "listener's negotiation failure" grep -q \
  "version negotiation failed (we support version 0x01, peer supports version 0x04)" "$DIR/of10.err"
pass "1.0-only vs 1.3-only fails on both sides with OVS's message"

# 3. Our rconn as a switch connecting to stock ovs-testcontroller.
if [ -x "$TC" ]; then
  for v in OpenFlow13 OpenFlow10; do
    # A port nobody uses: bind to 0, read it, close.
    TPORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
    rm -f "$DIR/tc.pid"
    "$TC" -O $v ptcp:$TPORT:127.0.0.1 --detach --pidfile="$DIR/tc.pid" \
      --log-file="$DIR/tc.log" -vconsole:off 2>>"$DIR/tc.err" || fail "ovs-testcontroller did not start"
    timeout 20 "$VT" -O $v connect tcp:127.0.0.1:$TPORT 10 2>"$DIR/connect.err" ||
      fail "handshake with ovs-testcontroller ($v)"
    grep -q "received OFPT_FEATURES_REQUEST" "$DIR/connect.err" || fail "no features request"
    grep -q "handshake complete" "$DIR/connect.err" || fail "no handshake"
    kill "$(cat "$DIR/tc.pid")"; rm -f "$DIR/tc.pid"
    pass "rconn completes hello + features with ovs-testcontroller ($v)"
  done

  # Snoop: stock `ovs-ofctl snoop br0` on our rconn's monitor socket sees
  # the session in both directions.
  TPORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
  "$TC" -O OpenFlow13 ptcp:$TPORT:127.0.0.1 --detach --pidfile="$DIR/tc.pid" \
    --log-file="$DIR/tc.log" -vconsole:off 2>>"$DIR/tc.err" || fail "ovs-testcontroller did not start"
  "$VT" -O OpenFlow13 connect tcp:127.0.0.1:$TPORT 10 "punix:$DIR/br0.snoop" 2>"$DIR/snoopsw.err" &
  swpid=$!
  pids+=($swpid)
  wait_for "br0.snoop socket" test -S "$DIR/br0.snoop"
  timeout 10 "$OFCTL" snoop br0 >"$DIR/snoop.out" 2>&1
  wait $swpid || fail "switch with snoop did not complete its handshake"
  kill "$(cat "$DIR/tc.pid")"; rm -f "$DIR/tc.pid"
  grep -q '^OFPT_FEATURES_REQUEST (OF1.3) (xid=0x[0-9a-f]*):' "$DIR/snoop.out" || fail "snoop: $(cat "$DIR/snoop.out")"
  grep -q '^OFPT_FEATURES_REPLY (OF1.3) (xid=0x[0-9a-f]*): dpid:0000feedbeefcafe' "$DIR/snoop.out" ||
    fail "snoop: $(cat "$DIR/snoop.out")"
  grep -q '^OFPT_FLOW_MOD (OF1.3) (xid=0x[0-9a-f]*): ADD priority=0 actions=CONTROLLER:128' \
    "$DIR/snoop.out" || fail "snoop: $(cat "$DIR/snoop.out")"
  pass "ovs-ofctl snoop br0 mirrors our rconn's session"
else
  echo "note: ovs-testcontroller not installed; skipped the controller check"
fi
exit 0
