#!/usr/bin/env bash
# ovs-vsctl benchmark, ours vs stock Open vSwitch, on the same machine and
# the same (stock, unless GREBE_OVSDB_SERVER is set) ovsdb-server:
#   - per-invocation latency of add-port on a bridge with 0 and 1,000 ports
#   - one transaction adding 1,000 ports ("-- add-port ..." x 1000)
#   - "show" with 1,000 ports
# Prints milliseconds and the ratio ours/stock (lower is better for us).
#
# usage: bench/vsctl/run.sh [BUILD_DIR]     (default: build)
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$src/build}
ours=$build/bin/ovs-vsctl
stock=/usr/bin/ovs-vsctl
server=${GREBE_OVSDB_SERVER:-/usr/sbin/ovsdb-server}
tool=${GREBE_OVSDB_TOOL:-/usr/bin/ovsdb-tool}
for f in "$ours" "$stock" "$server" "$tool"; do [ -x "$f" ] || { echo "missing $f"; exit 1; }; done
N=${N:-20}

dir=$(mktemp -d /tmp/grebe-bench-vsctl.XXXXXX)
cleanup() {
  [ -f "$dir/pid" ] && kill "$(cat "$dir/pid")" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
export OVS_RUNDIR=$dir OVS_LOGDIR=$dir OVS_DBDIR=$dir
unset OVS_CTL_TIMEOUT

fresh_db() {
  [ -f "$dir/pid" ] && kill "$(cat "$dir/pid")" 2>/dev/null && sleep 0.2
  rm -f "$dir/conf.db" "$dir/.conf.db.~lock~"
  "$tool" create "$dir/conf.db" "$src/vswitchd/vswitch.ovsschema"
  "$server" "$dir/conf.db" --remote=punix:"$dir/db.sock" --unixctl="$dir/ctl" --no-chdir \
    --pidfile="$dir/pid" --log-file="$dir/log" --detach 2>/dev/null
  "$stock" --no-wait init
}

now_ms() { date +%s%N | awk '{printf "%.3f", $1 / 1e6}'; }

# add_ports VSCTL BRIDGE PREFIX COUNT: one transaction adding COUNT ports.
add_ports() {
  local args=() i
  for ((i = 0; i < $4; i++)); do args+=(-- add-port "$2" "$3$i"); done
  "$1" --no-wait "${args[@]}"
}

# Runs one scenario for one ovs-vsctl; prints milliseconds.
scenario() {
  local v=$1 name=$2 t0 t1 i
  fresh_db
  "$stock" --no-wait add-br br0
  case $name in
    add-port-0)
      t0=$(now_ms)
      for ((i = 0; i < N; i++)); do "$v" --no-wait add-port br0 "x$i"; done
      t1=$(now_ms); awk -v a="$t0" -v b="$t1" -v n="$N" 'BEGIN{printf "%.2f", (b-a)/n}' ;;
    add-port-1000)
      add_ports "$stock" br0 p 1000
      t0=$(now_ms)
      for ((i = 0; i < N; i++)); do "$v" --no-wait add-port br0 "x$i"; done
      t1=$(now_ms); awk -v a="$t0" -v b="$t1" -v n="$N" 'BEGIN{printf "%.2f", (b-a)/n}' ;;
    txn-1000)
      t0=$(now_ms); add_ports "$v" br0 p 1000; t1=$(now_ms)
      [ "$("$stock" list-ports br0 | wc -l)" = 1000 ] || { echo "txn-1000 failed" >&2; exit 1; }
      awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}' ;;
    show-1000)
      add_ports "$stock" br0 p 1000
      t0=$(now_ms)
      for ((i = 0; i < 5; i++)); do "$v" show >/dev/null 2>&1; done
      t1=$(now_ms); awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", (b-a)/5}' ;;
  esac
}

printf "%-16s %12s %12s %8s\n" scenario "ours(ms)" "stock(ms)" ratio
for s in add-port-0 add-port-1000 txn-1000 show-1000; do
  o=$(scenario "$ours" $s)
  t=$(scenario "$stock" $s)
  printf "%-16s %12s %12s %8s\n" "$s" "$o" "$t" "$(awk -v a="$o" -v b="$t" 'BEGIN{printf "%.2f", a/b}')"
done
