# Shared helpers for tests/system/test-*.sh: our ovsdb-server and
# ovs-vswitchd in a temp dir, and hosts as network namespaces on veth pairs.
# Source it after setting nothing; it sets $dir, $PFX and traps cleanup.
# Exits 77 (skip) when not root, without netns, or without the programs.
: "${GREBE_BIN:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/bin}"
: "${GREBE_SRC:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
[ "$(id -u)" = 0 ] || { echo "skip: needs root"; exit 77; }
for p in ovsdb-server ovsdb-tool ovs-vswitchd ovs-vsctl ovs-appctl ovs-ofctl; do
  [ -x "$GREBE_BIN/$p" ] || { echo "skip: no $GREBE_BIN/$p"; exit 77; }
done
ip netns add grebe-probe-$$ 2>/dev/null || { echo "skip: no network namespaces"; exit 77; }
ip netns del grebe-probe-$$

dir=$(mktemp -d /tmp/grebe-system.XXXXXX)
PFX=gs$(( $$ % 100000 ))   # namespace / device prefix, unique per run
export OVS_RUNDIR=$dir OVS_LOGDIR=$dir OVS_DBDIR=$dir
_hosts=()
cleanup() {
  for d in ovs-vswitchd ovsdb-server; do
    [ -f "$dir/$d.pid" ] && kill "$(cat "$dir/$d.pid")" 2>/dev/null || true
  done
  for h in "${_hosts[@]}"; do ip netns del "$PFX$h" 2>/dev/null || true; done
  for h in "${_hosts[@]}"; do ip link del "$PFX$h" 2>/dev/null || true; done
  sleep 0.2
  rm -rf "$dir"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  echo "--- ovs-vswitchd.log (tail)" >&2
  tail -20 "$dir/ovs-vswitchd.log" >&2 || true
  exit 1
}
vsctl() { timeout 30 "$GREBE_BIN/ovs-vsctl" --timeout=20 "$@"; }
ofctl() { timeout 30 "$GREBE_BIN/ovs-ofctl" "$@"; }
appctl() { timeout 30 "$GREBE_BIN/ovs-appctl" "$@"; }
# Polls (up to $1 tenths of a second) until "${@:2}" succeeds; status 1 if never.
poll_for() {
  local n=$1; shift
  for _ in $(seq "$n"); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  return 1
}
# Polls (up to 20 s) until "$@" succeeds.
wait_for() {
  for _ in $(seq 200); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  fail "timed out waiting for: $*"
}

start_ovsdb() {
  "$GREBE_BIN/ovsdb-tool" create "$dir/conf.db" "$GREBE_SRC/vswitchd/vswitch.ovsschema"
  "$GREBE_BIN/ovsdb-server" "$dir/conf.db" --remote=punix:"$dir/db.sock" --pidfile --detach \
    --no-chdir --log-file
  vsctl --no-wait init
}
start_vswitchd() {
  "$GREBE_BIN/ovs-vswitchd" --pidfile --detach --no-chdir --log-file -vconsole:off "$@"
}
start_switch() { start_ovsdb; start_vswitchd "$@"; }

# add_host NAME IP[/len]: namespace $PFX$NAME with "eth0" at IP, its peer
# "$PFX$NAME" in this namespace (the switch port), both up.  Offloads are
# left at their defaults.
add_host() {
  local h=$1 ip=$2
  _hosts+=("$h")
  ip netns add "$PFX$h"
  ip link add "$PFX$h" type veth peer name eth0 netns "$PFX$h"
  ip -n "$PFX$h" addr add "$ip" dev eth0
  ip -n "$PFX$h" link set eth0 up
  ip -n "$PFX$h" link set lo up
  ip link set "$PFX$h" up
  # Stock OVS's userspace datapath needs tx checksum offload off in the
  # hosts (its known veth problem); only for running these scripts
  # against stock binaries.
  if [ -n "${GREBE_TEST_TX_OFF:-}" ]; then on "$h" ethtool -K eth0 tx off >/dev/null 2>&1; fi
}
on() { local h=$1; shift; ip netns exec "$PFX$h" "$@"; }
