#!/usr/bin/env bash
# bench/ovsdb: Grebe's ovsdb-server against Debian's Open vSwitch ovsdb-server,
# same machine, same run, same load generator (build/bench/ovsdb-bench over
# a unix socket).  Prints a table of both results and ours/theirs ratios.
#
#   [REPEAT=3] bash bench/ovsdb/run.sh [TXN_COUNT]
#
# Measures: transactions/s with 1 and 64 in flight, monitor fan-out (one
# writer, 100 monitoring clients), server RSS with 1,000 bridges + ports.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${GREBE_BUILD:-$SRC/build}
BENCH=$BUILD/bench/ovsdb-bench
OURS=$BUILD/bin/ovsdb-server
TOOL=$BUILD/bin/ovsdb-tool
STOCK=/usr/sbin/ovsdb-server
SCHEMA=$SRC/vswitchd/vswitch.ovsschema
COUNT=${1:-5000}

for f in "$BENCH" "$OURS" "$TOOL" "$STOCK"; do
  [ -x "$f" ] || { echo "bench/ovsdb: $f is missing (build first; install openvswitch-switch)"; exit 1; }
done

DIR=$(mktemp -d /tmp/bench-ovsdb.XXXXXX)
trap 'for p in $DIR/*.pid; do [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null; done; rm -rf "$DIR"' EXIT

start_server() {  # start_server NAME BINARY -> prints the remote
  local name=$1 bin=$2 d=$DIR/$1
  mkdir -p "$d"
  "$TOOL" create "$d/conf.db" "$SCHEMA"
  OVS_RUNDIR=$d OVS_LOGDIR=$d OVS_DBDIR=$d "$bin" "$d/conf.db" --remote=punix:"$d/db.sock" \
    --unixctl="$d/ctl" --pidfile="$DIR/$name.pid" --no-chdir --detach --log-file="$d/log" -vconsole:off
  echo "unix:$d/db.sock"
}
stop_server() { kill "$(cat "$DIR/$1.pid")"; rm -f "$DIR/$1.pid"; }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$(cat "$DIR/$1.pid")/status"; }
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }
REPEAT=${REPEAT:-3}
# best_of NAME BINARY FIELD BENCH-ARGS...: the best of $REPEAT runs, each on
# a fresh server (the machine is shared: the best run is the least disturbed).
best_of() {
  local name=$1 bin=$2 key=$3 best=0 v remote
  shift 3
  for _ in $(seq "$REPEAT"); do
    remote=$(start_server "$name" "$bin")
    v=$("$BENCH" "$1" "$remote" "${@:2}" | field "$key")
    stop_server "$name"
    rm -rf "${DIR:?}/$name"
    best=$(awk -v a="$v" -v b="$best" 'BEGIN { print (a > b) ? a : b }')
  done
  echo "$best"
}

declare -A R
for impl in grebe ovs; do
  bin=$OURS; [ $impl = ovs ] && bin=$STOCK
  echo "bench/ovsdb: $impl: transactions (1 in flight)..." >&2
  R[$impl,txn1]=$(best_of $impl-t1 "$bin" per_sec txn 1 "$COUNT")
  echo "bench/ovsdb: $impl: transactions (64 in flight)..." >&2
  R[$impl,txn64]=$(best_of $impl-t64 "$bin" per_sec txn 64 "$COUNT")
  echo "bench/ovsdb: $impl: monitor fan-out to 100 clients..." >&2
  R[$impl,fanout]=$(best_of $impl-fan "$bin" updates_per_sec fanout 100 200)
  echo "bench/ovsdb: $impl: RSS with 1,000 bridges/ports..." >&2
  remote=$(start_server $impl-rss "$bin")
  base=$(rss_kb $impl-rss)
  "$BENCH" fill "$remote" 1000 > /dev/null
  R[$impl,rss]=$(rss_kb $impl-rss)
  R[$impl,rss0]=$base
  stop_server $impl-rss
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
printf '\n%-38s %14s %14s %10s\n' "ovsdb-server ($COUNT txns)" "grebe" "ovs 3.1" "grebe/ovs"
printf '%-38s %14s %14s %10s\n' "--------------------------------------" "-----" "-------" "---------"
row() { printf '%-38s %14s %14s %10s\n' "$1" "${R[grebe,$2]}" "${R[ovs,$2]}" "$(ratio "${R[grebe,$2]}" "${R[ovs,$2]}")"; }
row "transactions/s, 1 in flight (higher)" txn1
row "transactions/s, 64 in flight (higher)" txn64
row "monitor updates/s, 100 clients" fanout
row "RSS KiB idle (lower)" rss0
row "RSS KiB, 1,000 bridges+ports (lower)" rss
