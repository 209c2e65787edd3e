#!/usr/bin/env bash
# ovs-appctl dpctl/* against our ovs-vswitchd --enable-dummy=override: the
# bridges' datapath is listed and shown, megaflows installed by upcalls are
# dumped, fetched by UFID and deleted, dpctl/add-dp datapaths live beside
# it; with stock ovs-vswitchd installed, the same steps print the same
# dump-dps / show output.
set -u
: "${GREBE_BIN:?}" "${GREBE_SRC:?}"
for p in ovsdb-server ovsdb-tool ovs-vswitchd ovs-vsctl ovs-appctl; do
  [ -x "$GREBE_BIN/$p" ] || { echo "SKIP: no $GREBE_BIN/$p"; exit 77; }
done
DIR=$(mktemp -d /tmp/test-dpctl-vswitchd.XXXXXX)
cleanup() {
  for f in "$DIR"/*.pid "$DIR"/stock/*.pid; do [ -f "$f" ] && kill -TERM "$(cat "$f")" 2>/dev/null; done
  sleep 0.3
  for f in "$DIR"/*.pid "$DIR"/stock/*.pid; do [ -f "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null; done
  rm -rf "$DIR"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; tail -20 "$DIR/ovs-vswitchd.log" 2>/dev/null; exit 1; }
pass() { echo "ok: $*"; }
wait_for() {  # up to 20 s
  for _ in $(seq 200); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  fail "timed out waiting for: $*"
}

# start RUNDIR VSWITCHD OVSDB-SERVER VSCTL: a switch with br0 and p1, p2.
start() {
  local dir=$1 vswitchd=$2 server=$3 vsctl=$4
  mkdir -p "$dir"
  (
    export OVS_RUNDIR=$dir OVS_LOGDIR=$dir OVS_DBDIR=$dir
    cd "$dir" || exit 1
    "$GREBE_BIN/ovsdb-tool" create conf.db "$GREBE_SRC/vswitchd/vswitch.ovsschema" &&
      "$server" conf.db --remote=punix:"$dir/db.sock" --pidfile --detach --no-chdir --log-file &&
      "$vsctl" --no-wait init &&
      "$vswitchd" --enable-dummy=override --disable-system --pidfile --detach --no-chdir \
        --log-file -vconsole:off &&
      timeout 30 "$vsctl" --timeout=20 add-br br0 -- set Bridge br0 fail-mode=secure &&
      timeout 30 "$vsctl" --timeout=20 add-port br0 p1 -- set Interface p1 type=dummy ofport_request=1 &&
      timeout 30 "$vsctl" --timeout=20 add-port br0 p2 -- set Interface p2 type=dummy ofport_request=2
  ) || fail "could not start $vswitchd in $dir"
}
start "$DIR" "$GREBE_BIN/ovs-vswitchd" "$GREBE_BIN/ovsdb-server" "$GREBE_BIN/ovs-vsctl"
export OVS_RUNDIR=$DIR OVS_LOGDIR=$DIR OVS_DBDIR=$DIR
appctl() { timeout 30 "$GREBE_BIN/ovs-appctl" "$@"; }
appctl list-commands | grep -q "^  dpctl/show " || { echo "SKIP: ovs-vswitchd has no dpctl/* commands"; exit 77; }

[ "$(appctl dpctl/dump-dps)" = "system@ovs-system" ] || fail "dump-dps: $(appctl dpctl/dump-dps)"
show=$(appctl dpctl/show)
expected="system@ovs-system:
  lookups: hit:0 missed:0 lost:0
  flows: 0
  port 0: ovs-system (dummy-internal)
  port 1: br0 (dummy-internal)
  port 2: p1 (dummy)
  port 3: p2 (dummy)"
[ "$show" = "$expected" ] || echo "$show" | grep -q "^  port [0-9]*: p1 (dummy)$" || fail "show: $show"
pass "dpctl sees the bridges' datapath"

# A packet misses, the upcall installs a megaflow; dpctl dumps, gets, deletes it.
p1=$(appctl dpctl/show | sed -n 's/^  port \([0-9]*\): p1 (dummy)$/\1/p')
appctl netdev-dummy/receive p1 \
  "in_port(1),eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=17,tos=0,ttl=64,frag=no),udp(src=1,dst=2)" \
  || fail "receive"
wait_for sh -c "'$GREBE_BIN/ovs-appctl' dpctl/dump-flows | grep -q 'in_port($p1)'"
flows=$(appctl dpctl/dump-flows)
echo "$flows" | head -1 | grep -qx "flow-dump from the main thread:" || fail "dump header: $flows"
# fail-mode=secure and no OpenFlow flows: the megaflow drops.
echo "$flows" | grep -q "^recirc_id(0),in_port($p1),.*, packets:0, bytes:0, used:never, actions:drop$" \
  || fail "megaflow: $flows"
flows=$(appctl dpctl/dump-flows --names)
echo "$flows" | grep -q "^recirc_id(0),in_port(p1),.*, actions:drop$" || fail "--names: $flows"
ufid=$(appctl dpctl/dump-flows -m | sed -n 's/^\(ufid:[0-9a-f-]*\), .*/\1/p' | head -1)
[ -n "$ufid" ] || fail "no ufid in -m dump"
out=$(appctl dpctl/get-flow -m "$ufid" 2>&1) && echo "$out" | grep -q "^$ufid, .*in_port(p1)" || fail "get-flow $ufid: $out"
appctl dpctl/del-flow "$ufid" || fail "del-flow $ufid"
appctl dpctl/get-flow "$ufid" >/dev/null 2>&1 && fail "flow still there"
pass "megaflows from upcalls: dump-flows, get-flow, del-flow"

# A datapath of our own beside the bridges'.
appctl dpctl/add-dp dummy@extra q1,type=dummy || fail "add-dp extra"
[ "$(appctl dpctl/dump-dps)" = "dummy@extra
system@ovs-system" ] || fail "dump-dps with extra: $(appctl dpctl/dump-dps)"
err=$(appctl dpctl/dump-flows 2>&1); [ $? = 2 ] && echo "$err" | grep -q "multiple datapaths, specify one" \
  || fail "dump-flows with two datapaths: $err"
appctl dpctl/del-dp dummy@extra || fail "del-dp extra"
[ "$(appctl dpctl/dump-dps)" = "system@ovs-system" ] || fail "dump-dps after del-dp"
pass "dpctl/add-dp beside the bridges' datapath"

# Stock ovs-vswitchd in the same setup prints the same datapath list and ports.
if [ -x /usr/sbin/ovs-vswitchd ] && [ -x /usr/sbin/ovsdb-server ] && [ -x /usr/bin/ovs-vsctl ]; then
  start "$DIR/stock" /usr/sbin/ovs-vswitchd /usr/sbin/ovsdb-server /usr/bin/ovs-vsctl
  stock() { OVS_RUNDIR=$DIR/stock timeout 30 /usr/bin/ovs-appctl "$@"; }
  [ "$(stock dpctl/dump-dps)" = "$(appctl dpctl/dump-dps)" ] || fail "dump-dps differs from stock: $(stock dpctl/dump-dps)"
  ours=$(appctl dpctl/show | grep -v "lookups\|flows:")
  theirs=$(stock dpctl/show | grep -v "lookups\|flows:")
  [ "$ours" = "$theirs" ] || fail "show differs from stock:
$ours
stock:
$theirs"
  pass "dump-dps and show match stock ovs-vswitchd"
fi
