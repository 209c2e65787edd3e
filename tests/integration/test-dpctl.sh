#!/usr/bin/env bash
# ovs-appctl dpctl/* end to end: grebe-dpctld (lib/dpctl on dummy
# datapaths behind a real unixctl socket) driven by our and stock
# ovs-appctl, checked against OVS's tests/dpctl.at texts; then, when stock
# ovs-vswitchd is installed, the same command script run against stock
# ovs-vswitchd --enable-dummy must print byte-identical output.
set -u
BIN=${GREBE_BIN:?GREBE_BIN must point at the build bin directory}
DPCTLD=$BIN/grebe-dpctld
APPCTL=$BIN/ovs-appctl
[ -x "$DPCTLD" ] && [ -x "$APPCTL" ] || { echo "SKIP: grebe-dpctld/ovs-appctl not built"; exit 77; }

DIR=$(mktemp -d /tmp/test-dpctl.XXXXXX)
export OVS_RUNDIR=$DIR OVS_LOGDIR=$DIR OVS_DBDIR=$DIR
cleanup() {
  for pidfile in "$DIR"/*.pid; do
    [ -f "$pidfile" ] && kill -TERM "$(cat "$pidfile")" 2>/dev/null
  done
  sleep 0.2
  for pidfile in "$DIR"/*.pid; do
    [ -f "$pidfile" ] && kill -KILL "$(cat "$pidfile")" 2>/dev/null
  done
  rm -rf "$DIR"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
pass() { echo "ok: $*"; }

"$DPCTLD" --detach --pidfile --log-file --no-chdir || fail "grebe-dpctld did not start"
T=grebe-dpctld

# check EXPECTED-RC EXPECTED-STDOUT EXPECTED-STDERR -- appctl args...
check() {
  local rc=$1 out=$2 err=$3; shift 4
  local got_out got_err got_rc
  got_out=$("$TOOL" -t $T "$@" 2>"$DIR/stderr"); got_rc=$?
  got_err=$(cat "$DIR/stderr")
  [ "$got_rc" = "$rc" ] || fail "$TOOL $*: exit $got_rc, expected $rc (stderr: $got_err)"
  [ "$got_out" = "$out" ] || fail "$TOOL $*: stdout
$got_out
expected
$out"
  [ "$got_err" = "$err" ] || fail "$TOOL $*: stderr
$got_err
expected
$err"
}
E="ovs-appctl: $T: server returned an error"
SHOW0="dummy@br0:
  lookups: hit:0 missed:0 lost:0
  flows: 0
  port 0: br0 (dummy-internal)"

TOOLS=("$APPCTL")
[ -x /usr/bin/ovs-appctl ] && TOOLS+=(/usr/bin/ovs-appctl)
for TOOL in "${TOOLS[@]}"; do
  # dpctl.at: add-dp del-dp
  check 0 "" "" -- dpctl/add-dp dummy@br0
  check 2 "" "$T: add_dp (File exists)
$E" -- dpctl/add-dp dummy@br0
  check 0 "" "" -- dpctl/del-dp dummy@br0
  check 2 "" "$T: opening datapath (No such device)
$E" -- dpctl/del-dp dummy@br0

  # dpctl.at: add-if set-if del-if
  check 0 "" "" -- dpctl/add-dp dummy@br0
  check 0 "$SHOW0" "" -- dpctl/show dummy@br0
  check 0 "" "" -- dpctl/add-if dummy@br0 vif1.0,type=dummy,port_no=5
  check 0 "$SHOW0
  port 5: vif1.0 (dummy)" "" -- dpctl/show dummy@br0
  check 2 "" "$T: adding vif1.0 to dummy@br0 failed (File exists)
$E" -- dpctl/add-if dummy@br0 vif1.0,type=dummy
  check 0 "" "" -- dpctl/set-if dummy@br0 vif1.0,port_no=5
  check 2 "" "$T: vif1.0: can't change type from dummy to system
$E" -- dpctl/set-if dummy@br0 vif1.0,type=system
  check 0 "" "" -- dpctl/set-if dummy@br0 br0,type=dummy-internal
  check 2 "" "$T: br0: can't change type from dummy-internal to internal
$E" -- dpctl/set-if dummy@br0 br0,type=internal
  check 0 "" "" -- dpctl/del-if dummy@br0 vif1.0
  check 0 "$SHOW0" "" -- dpctl/show dummy@br0
  check 2 "" "$T: no port named vif1.0
$E" -- dpctl/del-if dummy@br0 vif1.0
  check 2 "" "$T: no port named nonexistent
$E" -- dpctl/del-if dummy@br0 nonexistent
  check 2 "" "$T: deleting port br0 from dummy@br0 failed (Invalid argument)
$E" -- dpctl/del-if dummy@br0 br0

  # dpctl.at: add/mod/del-flows from a file
  F1="in_port(1),eth(src=00:00:00:00:00:01,dst=00:00:00:00:00:02),eth_type(0x1234)"
  echo "$F1 2" > "$DIR/flows.txt"
  check 0 "" "" -- dpctl/add-flows dummy@br0 "$DIR/flows.txt"
  check 0 "flow-dump from the main thread:
recirc_id(0),$F1, packets:0, bytes:0, used:never, actions:2" "" -- dpctl/dump-flows dummy@br0
  echo "$F1 3" > "$DIR/flows.txt"
  check 0 "" "" -- dpctl/mod-flows dummy@br0 "$DIR/flows.txt"
  check 0 "flow-dump from the main thread:
recirc_id(0),$F1, packets:0, bytes:0, used:never, actions:3" "" -- dpctl/dump-flows
  echo "$F1" > "$DIR/flows.txt"
  check 0 "" "" -- dpctl/del-flows dummy@br0 "$DIR/flows.txt"
  check 0 "" "" -- dpctl/dump-flows dummy@br0

  # Packets through a flow: counters in dump-flows and show -s.
  check 0 "" "" -- dpctl/add-if dummy@br0 p1,type=dummy p2,type=dummy
  PKT="in_port(1),eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=17,tos=0,ttl=64,frag=no),udp(src=1,dst=2)"
  check 0 "" "" -- dpctl/add-flow "${PKT/in_port(1)/in_port(p1)}" "push_vlan(vid=10,pcp=0),2"
  "$TOOL" -t $T netdev-dummy/receive p1 "$PKT" || fail "netdev-dummy/receive"
  "$TOOL" -t $T netdev-dummy/receive p1 "$PKT" || fail "netdev-dummy/receive"
  "$TOOL" -t $T dpctld/run >/dev/null || fail "dpctld/run"
  out=$("$TOOL" -t $T dpctl/dump-flows --names filter=udp) || fail "dump-flows --names"
  re="^recirc_id\(0\),${PKT//[()]/.}, packets:2, bytes:([0-9]+), used:[0-9.]+s, actions:push_vlan\(vid=10,pcp=0\),p2$"
  re=${re/in_port.1./in_port.p1.}
  line=$(echo "$out" | tail -1)
  [[ "$line" =~ $re ]] || fail "dump-flows after packets: $out"
  bytes=${BASH_REMATCH[1]}
  check 0 "" "" -- dpctl/dump-flows filter=tcp
  out=$("$TOOL" -t $T dpctl/show -s dummy@br0) || fail "show -s"
  echo "$out" | grep -qx "  lookups: hit:2 missed:0 lost:0" || fail "show -s lookups: $out"
  echo "$out" | grep -qx "    RX packets:2 errors:? dropped:? overruns:? frame:?" || fail "show -s p1: $out"
  echo "$out" | grep -qx "    RX bytes:$bytes  TX bytes:0" || fail "show -s p1 bytes: $out"
  echo "$out" | grep -qx "    TX packets:2 errors:? dropped:? aborted:? carrier:?" || fail "show -s p2: $out"
  out=$("$TOOL" -t $T dpctl/del-flow -s "$PKT") || fail "del-flow -s"
  [[ "$out" =~ ^packets:2,\ bytes:$bytes,\ used:[0-9.]+s$ ]] || fail "del-flow -s printed $out"
  check 0 "" "" -- dpctl/dump-flows
  check 0 "" "" -- dpctl/del-flows
  check 0 "" "" -- dpctl/del-dp dummy@br0
  check 2 "" "$T: opening datapath (No such device)
$E" -- dpctl/del-if dummy@br0 br0
  check 2 "" "$T: no datapaths exist
$T: datapath not found (Invalid argument)
$E" -- dpctl/dump-flows
  check 2 "" "Unrecognized option --frob
$E" -- dpctl/show --frob
  pass "$(basename "$TOOL") drives dpctl/* on grebe-dpctld"
done

# --- Byte-identical with stock ovs-vswitchd --enable-dummy -----------------
STOCK_VSWITCHD=/usr/sbin/ovs-vswitchd
STOCK_DB=/usr/sbin/ovsdb-server
SCHEMA=/usr/share/openvswitch/vswitch.ovsschema
if ! [ -x $STOCK_VSWITCHD ] || ! [ -x $STOCK_DB ] || ! [ -f $SCHEMA ] || ! [ -x /usr/bin/ovs-appctl ]; then
  echo "stock ovs-vswitchd not installed: comparison skipped"
  exit 0
fi
SDIR=$DIR/stock
mkdir -p "$SDIR"
(
  export OVS_RUNDIR=$SDIR OVS_LOGDIR=$SDIR OVS_DBDIR=$SDIR
  ovsdb-tool create "$SDIR/conf.db" $SCHEMA &&
    $STOCK_DB --detach --no-chdir --pidfile --log-file --remote=punix:"$SDIR/db.sock" "$SDIR/conf.db" &&
    ovs-vsctl --db=unix:"$SDIR/db.sock" --no-wait init &&
    $STOCK_VSWITCHD --enable-dummy=override --disable-system --detach --no-chdir --pidfile \
      --log-file unix:"$SDIR/db.sock"
) >/dev/null 2>&1 || fail "stock ovs-vswitchd did not start"
for pidfile in "$SDIR"/*.pid; do cp "$pidfile" "$DIR/stock-$(basename "$pidfile")"; done

F2="in_port(1),eth(src=00:00:00:00:00:01,dst=00:00:00:00:00:03),eth_type(0x1234)"
F3="in_port(2),eth(src=00:00:00:00:00:01,dst=00:00:00:00:00:04),eth_type(0x0800),ipv4(src=10.0.0.1/255.255.255.0,dst=10.0.0.2,proto=6,tos=0,ttl=64,frag=no),tcp(src=1,dst=80/0xff00)"
printf '%s\n' "add $F1 2" "add $F2 1,2" "# comment" "modify $F1 3" "delete $F2" "add $F2" \
  "add $F3 push_vlan(vid=10,pcp=0),set(ipv4(ttl=9)),1" > "$DIR/cmp-flows.txt"
cmds=(
  "dpctl/add-dp dummy@br0" "dpctl/add-dp dummy@br0" "dpctl/dump-dps" "dpctl/show"
  "dpctl/add-if dummy@br0 vif1.0,type=dummy,port_no=5 p1,type=dummy p2,type=dummy"
  "dpctl/show dummy@br0" "dpctl/add-if dummy@br0 vif1.0,type=dummy"
  "dpctl/add-if dummy@br0 ,,"
  "dpctl/set-if dummy@br0 vif1.0,port_no=6" "dpctl/set-if dummy@br0 nope"
  "dpctl/set-if dummy@br0 vif1.0,zeta=1,ifindex=7" "dpctl/show dummy@br0"
  "dpctl/set-if dummy@br0 vif1.0,ifindex=" "dpctl/show dummy@br0"
  "dpctl/add-dp dummy@br2 q1,type=dummy q2,type=dummy,port_no=9" "dpctl/show dummy@br2"
  "dpctl/del-if dummy@br2 9" "dpctl/show dummy@br2" "dpctl/del-dp dummy@br2"
  "dpctl/add-flows dummy@br0 $DIR/cmp-flows.txt" "dpctl/dump-flows dummy@br0"
  "dpctl/dump-flows --names" "dpctl/dump-flows -m" "dpctl/dump-flows --more --no-names"
  "dpctl/dump-flows filter=tcp" "dpctl/dump-flows filter=in_port=1"
  "dpctl/dump-flows type=ovs" "dpctl/dump-flows type=tc" "dpctl/dump-flows type=frob"
  "dpctl/dump-flows filter=frob=1" "dpctl/dump-flows pmd=-1" "dpctl/dump-flows pmd=5" "dpctl/dump-flows dummy@br0 pmd=x"
  "dpctl/add-flow $F1 2" "dpctl/mod-flow -s $F1 1" "dpctl/mod-flow $F2 1"
  "dpctl/mod-flow --may-create $F2 1" "dpctl/dump-flows"
  "dpctl/add-flow in_port(1),frob(1) 1" "dpctl/add-flow $F1 frob"
  "dpctl/get-flow ufid:00000000-0000-0000-0000-000000000001" "dpctl/get-flow nope"
  "dpctl/del-flow $F2" "dpctl/del-flow $F2" "dpctl/del-flow -s $F1" "dpctl/dump-flows"
  "dpctl/add-flows dummy@br0 $DIR/nonexistent.txt"
  "dpctl/del-flows" "dpctl/dump-flows" "dpctl/del-if dummy@br0 5" "dpctl/del-if dummy@br0 p1 p2"
  "dpctl/show dummy@br0" "dpctl/show dummy@nope" "dpctl/add-dp dummy@br1" "dpctl/dump-dps"
  "dpctl/dump-flows" "dpctl/del-dp dummy@br1" "dpctl/del-dp dummy@br0" "dpctl/del-dp dummy@br0"
  "dpctl/dump-flows" "dpctl/show" "dpctl/show --frob" "dpctl/show -x"
  "dpctl/del-dp a b"
)
run_script() {  # run_script TARGET-ARGS...: every command's output, stderr and status
  local c
  for c in "${cmds[@]}"; do
    echo "\$ $c"
    # shellcheck disable=SC2086
    # Flows come out in hash order: sort each command's lines.  We do not
    # compute OVS's miniflow_bits() (internal to its struct flow layout).
    /usr/bin/ovs-appctl "$@" $c 2>&1 | sed -e "s/^grebe-dpctld:/PROGRAM:/" -e "s/^ovs-vswitchd:/PROGRAM:/" \
      -e "s/^ovs-appctl: .*: server returned an error/ovs-appctl: PROGRAM: server returned an error/" \
      -e "s/, dp-extra-info:miniflow_bits([0-9,]*)//" -e "s/^ufid:[0-9a-f-]*,/ufid:UFID,/" | LC_ALL=C sort
    echo "[exit ${PIPESTATUS[0]}]"
  done
}
run_script -t grebe-dpctld > "$DIR/ours.txt"
run_script -t "$SDIR/ovs-vswitchd.$(cat "$SDIR/ovs-vswitchd.pid").ctl" > "$DIR/stock.txt"
diff -u "$DIR/stock.txt" "$DIR/ours.txt" || fail "dpctl/* output differs from stock ovs-vswitchd"
pass "${#cmds[@]} dpctl/* commands byte-identical with stock ovs-vswitchd --enable-dummy"
