#!/usr/bin/env bash
# Concurrent ovs-vsctl invocations against one ovsdb-server (ours unless
# GREBE_OVSDB_SERVER / GREBE_OVSDB_TOOL say otherwise):
#   - many add-port of distinct names at once: none is lost (the port is
#     added to Bridge.ports with a "mutate", guarded by name checks);
#   - several add-port of the SAME name at once: exactly one wins, every
#     other one fails with OVS's message (the name guard is re-checked by
#     the server at commit, then the loser retries and sees the port);
#   - add-port racing del-br: never a port on a deleted bridge.
set -euo pipefail
: "${GREBE_BIN:?}" "${GREBE_SRC:?}"
vsctl=$GREBE_BIN/ovs-vsctl
server=${GREBE_OVSDB_SERVER:-$GREBE_BIN/ovsdb-server}
tool=${GREBE_OVSDB_TOOL:-$GREBE_BIN/ovsdb-tool}
for p in "$vsctl" "$server" "$tool"; do [ -x "$p" ] || { echo "skip: no $p"; exit 77; }; done

dir=$(mktemp -d /tmp/grebe-test-vsctl-concurrent.XXXXXX)
cleanup() {
  [ -f "$dir/ovsdb-server.pid" ] && kill "$(cat "$dir/ovsdb-server.pid")" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
export OVS_RUNDIR=$dir OVS_LOGDIR=$dir OVS_DBDIR=$dir
unset OVS_CTL_TIMEOUT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$tool" create "$dir/conf.db" "$GREBE_SRC/vswitchd/vswitch.ovsschema"
"$server" "$dir/conf.db" --remote=punix:"$dir/db.sock" --unixctl="$dir/ovsdb-server.ctl" \
  --no-chdir --pidfile="$dir/ovsdb-server.pid" --log-file="$dir/ovsdb-server.log" --detach
"$vsctl" --timeout=30 --no-wait add-br br0

# 1. Distinct names, all at once.
pids=()
for i in $(seq 1 16); do
  "$vsctl" --timeout=30 --no-wait add-port br0 "c$i" 2>"$dir/c$i.err" &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || fail "a concurrent add-port failed: $(cat "$dir"/c*.err)"; done
n=$("$vsctl" --timeout=30 list-ports br0 | grep -c '^c')
[ "$n" = 16 ] || fail "expected 16 ports, found $n"

# 2. One name, several writers: one success, the rest OVS's error.
pids=()
for i in $(seq 1 6); do
  "$vsctl" --timeout=30 --no-wait add-port br0 same 2>"$dir/same$i.err" &
  pids+=($!)
done
ok=0
for i in "${!pids[@]}"; do
  if wait "${pids[$i]}"; then
    ok=$((ok + 1))
  else
    err=$(cat "$dir/same$((i + 1)).err")
    [ "$err" = "ovs-vsctl: cannot create a port named same because a port named same already exists on bridge br0" ] ||
      fail "unexpected error: $err"
  fi
done
[ "$ok" = 1 ] || fail "$ok add-port of the same name succeeded"
[ "$("$vsctl" --timeout=30 --columns=name --bare find port name=same)" = same ] ||
  fail "port 'same' missing or duplicated"

# 3. add-port racing del-br: afterwards no Port or Interface is orphaned
#    (a port added to a bridge being deleted either fails or goes with it).
"$vsctl" --timeout=30 --no-wait add-br br1
"$vsctl" --timeout=30 --no-wait add-port br1 r0 &
p1=$!
"$vsctl" --timeout=30 --no-wait del-br br1 &
p2=$!
wait $p2 || fail "del-br failed"
wait $p1 || true
"$vsctl" --timeout=30 br-exists br1 && fail "br1 still exists"
ports=$("$vsctl" --timeout=30 --bare --columns=name list port | grep -c . || true)
# br0 + 16 + same.
[ "$ports" = 18 ] || fail "expected 18 ports after del-br, found $ports"
echo "test-vsctl-concurrent: ok"
