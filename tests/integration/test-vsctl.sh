#!/usr/bin/env bash
# ovs-vsctl end to end: the four command lines from the issue, waiting for
# ovs-vswitchd (a tiny fake that copies next_cfg to cur_cfg), --timeout,
# --retry, --dry-run, connection errors, wait-until, and stock/ours
# interoperability on one database.
#
# GREBE_OVSDB_SERVER / GREBE_OVSDB_TOOL select the server (default: ours).
set -euo pipefail
: "${GREBE_BIN:?}" "${GREBE_SRC:?}"
vsctl=$GREBE_BIN/ovs-vsctl
[ -x "$vsctl" ] || { echo "no $vsctl"; exit 77; }
server=${GREBE_OVSDB_SERVER:-$GREBE_BIN/ovsdb-server}
tool=${GREBE_OVSDB_TOOL:-$GREBE_BIN/ovsdb-tool}
[ -x "$server" ] && [ -x "$tool" ] || { echo "no ovsdb-server/ovsdb-tool"; exit 77; }

dir=$(mktemp -d /tmp/grebe-test-vsctl.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  [ -f "$dir/ovsdb-server.pid" ] && kill "$(cat "$dir/ovsdb-server.pid")" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
export OVS_RUNDIR=$dir OVS_LOGDIR=$dir OVS_DBDIR=$dir
unset OVS_CTL_TIMEOUT
cd "$dir"

fail() { echo "FAIL: $*" >&2; exit 1; }
expect_eq() { [ "$1" == "$2" ] || fail "$3: expected [$2], got [$1]"; }

start_server() {
  "$server" "$dir/conf.db" --remote=punix:"$dir/db.sock" --unixctl="$dir/ovsdb-server.ctl" \
    --no-chdir --pidfile="$dir/ovsdb-server.pid" --log-file="$dir/ovsdb-server.log" --detach
}
"$tool" create "$dir/conf.db" "$GREBE_SRC/vswitchd/vswitch.ovsschema"

# 1. No server yet: the error OVS prints; with --retry it waits for one.
out=$("$vsctl" show 2>&1) && fail "show without a server succeeded"
expect_eq "$out" "ovs-vsctl: unix:$dir/db.sock: database connection failed (No such file or directory)" \
  "connection error"
"$vsctl" --retry --no-wait init &
retry_pid=$!
sleep 0.5
start_server
wait $retry_pid || fail "--retry did not connect once the server started"

# 2. Without ovs-vswitchd, a change waits for cur_cfg: --timeout ends it
#    with SIGALRM as OVS's does.
set +e
"$vsctl" --timeout=1 add-br br0 2>/dev/null
rc=$?
set -e
expect_eq "$rc" "142" "--timeout exit status"

# A fake ovs-vswitchd: acknowledge every next_cfg by copying it to cur_cfg.
(
  while true; do
    # --timeout: no invocation of the fake may outlive the test.
    n=$("$vsctl" --timeout=10 --no-wait get Open_vSwitch . next_cfg 2>/dev/null) || n=
    c=$("$vsctl" --timeout=10 --no-wait get Open_vSwitch . cur_cfg 2>/dev/null) || c=
    if [ -n "$n" ] && [ "$n" != "$c" ]; then
      "$vsctl" --timeout=10 --no-wait set Open_vSwitch . cur_cfg="$n" >/dev/null 2>&1 || true
    fi
    sleep 0.05
  done
) &
pids+=($!)

# 3. The four command lines from the issue, waiting for "vswitchd".
"$vsctl" --timeout=5 -- --may-exist add-port br0 vnet0 -- set Interface vnet0 \
  'external-ids:attached-mac="52:54:00:11:22:33"' -- set Interface vnet0 \
  'external-ids:iface-id="b3b5"' -- set Interface vnet0 'external-ids:vm-id="5b5"' -- \
  set Interface vnet0 external-ids:iface-status=active
expect_eq "$("$vsctl" get Interface vnet0 external-ids)" \
  '{attached-mac="52:54:00:11:22:33", iface-id=b3b5, iface-status=active, vm-id="5b5"}' \
  "vnet0 external-ids"
expect_eq "$("$vsctl" list-ports br0)" "vnet0" "list-ports"
"$vsctl" --timeout=5 -- --if-exists del-port vnet0
"$vsctl" --timeout=5 -- --if-exists del-port vnet0
expect_eq "$("$vsctl" list-ports br0)" "" "list-ports after del-port"
uuid=$("$vsctl" --timeout=5 -- --id=@sflow create sflow agent=eth1 target="\"10.0.0.1:6343\"" \
  header=128 sampling=64 polling=10 -- set bridge br0 sflow=@sflow)
expect_eq "$("$vsctl" get bridge br0 sflow)" "$uuid" "sflow uuid"
expect_eq "$("$vsctl" get sflow br0 targets agent header)" $'["10.0.0.1:6343"]\neth1\n128' "sflow"
"$vsctl" --timeout=5 add-br br1 -- set bridge br1 other-config:datapath-id=0000000000000001 -- \
  add-port br1 p1 -- set interface p1 ofport_request=1 -- set-controller br1 \
  tcp:127.0.0.1:6653 -- set controller br1 connection-mode=out-of-band
expect_eq "$("$vsctl" get-controller br1)" "tcp:127.0.0.1:6653" "get-controller"
expect_eq "$("$vsctl" get controller br1 connection-mode)" "out-of-band" "connection-mode"
expect_eq "$("$vsctl" get interface p1 ofport_request)" "1" "ofport_request"
n=$("$vsctl" get Open_vSwitch . next_cfg)
c=$("$vsctl" get Open_vSwitch . cur_cfg)
[ "$c" -ge "$n" ] || fail "returned before cur_cfg ($c) reached next_cfg ($n)"

# 4. Output identical to stock ovs-vsctl on the same database.
if [ -x /usr/bin/ovs-vsctl ]; then
  for args in "show" "list-br" "list bridge br1" "--columns=name,ofport_request find interface name=p1" \
              "-f table --columns=name,tag list port p1" "get bridge br1 other_config" \
              "-f csv list controller" "--bare --columns=_uuid list sflow"; do
    # shellcheck disable=SC2086
    expect_eq "$("$vsctl" $args)" "$(/usr/bin/ovs-vsctl $args)" "ours vs stock: $args"
  done
  /usr/bin/ovs-vsctl --timeout=5 add-port br1 p2 tag=7
  expect_eq "$("$vsctl" get port p2 tag)" "7" "port added by stock"
fi

# 5. --dry-run changes nothing; wait-until waits for another client.
"$vsctl" --no-wait --dry-run add-br br9
expect_eq "$("$vsctl" list-br)" $'br0\nbr1' "--dry-run"
"$vsctl" --timeout=5 wait-until bridge br7 &
wait_pid=$!
sleep 0.3
"$vsctl" --timeout=5 add-br br7
wait $wait_pid || fail "wait-until did not see br7"

# 6. Errors keep OVS's words and exit codes.
set +e
out=$("$vsctl" --no-wait add-br br0 2>&1); rc=$?
set -e
expect_eq "$rc/$out" "1/ovs-vsctl: cannot create a bridge named br0 because a bridge named br0 already exists" \
  "add-br twice"
set +e
"$vsctl" br-exists nobr; rc=$?
set -e
expect_eq "$rc" "2" "br-exists"
# 7. Without --retry, losing the server ends ovs-vsctl with OVS's error
#    (it must not reconnect forever) -- except while it waits for
#    ovs-vswitchd, where OVS reconnects: covered by --timeout above.
"$vsctl" --timeout=10 --no-wait wait-until bridge never-created &
wait_pid=$!
sleep 0.3
kill "$(cat "$dir/ovsdb-server.pid")"
set +e
wait $wait_pid; rc=$?
set -e
expect_eq "$rc" "1" "ovs-vsctl after the server went away"
echo "test-vsctl: ok"
