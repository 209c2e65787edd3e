#!/usr/bin/env bash
# ovs-vsctl benchmark, ours vs stock Open vSwitch, on the same machine and
# the same ovsdb-server (ours from BUILD_DIR unless GREBE_OVSDB_SERVER /
# GREBE_OVSDB_TOOL name another, e.g. /usr/sbin/ovsdb-server):
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
server=${GREBE_OVSDB_SERVER:-$build/bin/ovsdb-server}
tool=${GREBE_OVSDB_TOOL:-$build/bin/ovsdb-tool}
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

# The machine may be shared: wall time then includes waiting for a CPU, so
# the client's own CPU time (perf stat task-clock, when perf works) is
# printed too; it does not depend on the load.
if perf stat -x, -e task-clock -o /dev/null true 2>/dev/null; then have_perf=1; else have_perf=0; fi

# timed REPEAT CMD...: runs CMD REPEAT times; prints "WALL_MS CPU_MS" per run.
timed() {
  local n=$1 t0 t1 cpu=nan
  shift
  t0=$(date +%s%N)
  if ((have_perf)); then
    perf stat -x, -e task-clock -o "$dir/perf" -- bash -c \
      'n=$1; shift; for ((i = 0; i < n; i++)); do "$@" "x$i" >/dev/null; done' _ "$n" "$@"
    cpu=$(awk -F, '/task-clock/ {print $1}' "$dir/perf")
  else
    for ((i = 0; i < n; i++)); do "$@" "x$i" >/dev/null; done
  fi
  t1=$(date +%s%N)
  awk -v a="$t0" -v b="$t1" -v n="$n" -v c="$cpu" \
    'BEGIN{printf "%.2f %s\n", (b-a)/1e6/n, c == "nan" ? "-" : sprintf("%.2f", c/n)}'
}

# add_ports VSCTL BRIDGE PREFIX COUNT: one transaction adding COUNT ports.
add_ports() {
  local args=() i
  for ((i = 0; i < $4; i++)); do args+=(-- add-port "$2" "$3$i"); done
  "$1" --no-wait "${args[@]}"
}
# add_ports_txn VSCTL SUFFIX: as above with 1,000 ports (for timed).
add_ports_txn() { add_ports "$1" br0 "p$2_" 1000; }
show() { "$1" show; }

# Runs one scenario for one ovs-vsctl; prints "WALL_MS CPU_MS".
scenario() {
  local v=$1 name=$2
  fresh_db
  "$stock" --no-wait add-br br0
  case $name in
    add-port-0) timed "$N" "$v" --no-wait add-port br0 ;;
    add-port-1000)
      add_ports "$stock" br0 p 1000
      timed "$N" "$v" --no-wait add-port br0 ;;
    txn-1000)
      timed 1 add_ports_txn "$v"
      [ "$("$stock" list-ports br0 | wc -l)" = 1000 ] || { echo "txn-1000 failed" >&2; exit 1; } ;;
    show-1000)
      add_ports "$stock" br0 p 1000
      timed 5 show "$v" ;;
  esac
}
export -f add_ports add_ports_txn show

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{if (a == "-" || b == 0) print "-"; else printf "%.2f", a/b}'; }
echo "server: $server"
printf "%-14s %10s %10s %7s   %10s %10s %7s\n" scenario "ours(ms)" "stock(ms)" ratio \
  "ours cpu" "stock cpu" ratio
for s in add-port-0 add-port-1000 txn-1000 show-1000; do
  r=$(scenario "$ours" $s); read -r ow oc <<<"$r"
  r=$(scenario "$stock" $s); read -r sw sc <<<"$r"
  printf "%-14s %10s %10s %7s   %10s %10s %7s\n" "$s" "$ow" "$sw" "$(ratio "$ow" "$sw")" \
    "$oc" "$sc" "$(ratio "$oc" "$sc")"
done
