#!/usr/bin/env bash
# ovs-dpctl (our CLI over lib/dpctl, kernel datapaths only).  This host has
# no datapath kernel module, so every datapath command must fail the way
# stock ovs-dpctl fails here; with stock ovs-dpctl installed, stdout,
# stderr (log lines aside) and exit codes are compared command by command.
set -u
BIN=${GREBE_BIN:?GREBE_BIN must point at the build bin directory}
DPCTL=$BIN/ovs-dpctl
[ -x "$DPCTL" ] || { echo "SKIP: ovs-dpctl not built"; exit 77; }
DIR=$(mktemp -d /tmp/test-dpctl-cli.XXXXXX)
export OVS_RUNDIR=$DIR OVS_LOGDIR=$DIR OVS_DBDIR=$DIR
trap 'rm -rf "$DIR"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
pass() { echo "ok: $*"; }

if [ -d /sys/module/openvswitch ] || [ -d /sys/module/grebe_dp ]; then
  echo "SKIP: a datapath kernel module is loaded; these checks expect none"
  exit 77
fi

# Options and usage (no datapath needed).
out=$("$DPCTL" -V) || fail "-V"
[ "$(echo "$out" | head -1)" = "ovs-dpctl (Open vSwitch) 3.1.0" ] || fail "-V printed $out"
out=$("$DPCTL" --help) || fail "--help"
[ "$(echo "$out" | head -1)" = "ovs-dpctl: Open vSwitch datapath management utility" ] || fail "--help"
echo "$out" | grep -qx "  -t, --timeout=SECS          give up after SECS seconds" || fail "--help options"
err=$("$DPCTL" -t 0 show 2>&1); [ $? = 1 ] && [ "$err" = "ovs-dpctl: value 0 on -t or --timeout is invalid" ] \
  || fail "-t 0: $err"

# Without the kernel module: OVS's texts.
err=$("$DPCTL" show foo 2>&1); [ $? = 1 ] || fail "show foo exit"
echo "$err" | grep -q "|dpif_netlink|INFO|Generic Netlink family 'ovs_datapath' does not exist. The Open vSwitch kernel module is probably not loaded." \
  || fail "no kernel-module message: $err"
echo "$err" | grep -qx "ovs-dpctl: opening datapath foo failed (No such file or directory)" || fail "show foo: $err"
err=$("$DPCTL" add-dp foo 2>&1 | grep -v '|'); [ "$err" = "ovs-dpctl: add_dp (No such file or directory)" ] \
  || fail "add-dp: $err"
pass "ovs-dpctl fails cleanly without the kernel module"

STOCK=/usr/bin/ovs-dpctl
[ -x $STOCK ] || { echo "stock ovs-dpctl not installed: comparison skipped"; exit 0; }
cmds=(
  "show" "dump-dps" "show foo" "del-dp foo" "add-dp foo" "add-if foo p1" "set-if foo p1"
  "del-if foo p1" "dump-flows" "dump-flows foo" "dump-flows type=ovs" "add-flow in_port(1) 2"
  "add-flow foo in_port(1) 2" "mod-flow in_port(1) 2" "get-flow ufid:1234" "del-flow in_port(1)"
  "del-flows" "del-flows foo" "add-flows /dev/null" "-s show" "show -s" "-m dump-flows"
  "--read-only add-dp x" "--read-only del-flows" "bogus" "add-if" "add-flow a b c d" "del-dp"
  "--names --more dump-flows" "--clear --may-create mod-flow x y"
)
for c in "${cmds[@]}"; do
  # shellcheck disable=SC2086
  ours=$("$DPCTL" $c 2>&1 | grep -v '^[0-9T:-]*Z|'); ours_rc=${PIPESTATUS[0]}
  # shellcheck disable=SC2086
  theirs=$($STOCK $c 2>&1 | grep -v '^[0-9T:-]*Z|'); theirs_rc=${PIPESTATUS[0]}
  [ "$ours_rc" = "$theirs_rc" ] || fail "ovs-dpctl $c: exit $ours_rc, stock $theirs_rc"
  [ "$ours" = "$theirs" ] || fail "ovs-dpctl $c printed
$ours
stock printed
$theirs"
done
pass "${#cmds[@]} ovs-dpctl commands match stock ovs-dpctl"
