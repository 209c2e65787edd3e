#!/usr/bin/env bash
# ovsdb-server remotes read from the database (--remote=db:DB,TABLE,COLUMN):
# Manager rows start, move and stop listeners as they change; an active
# target makes the server connect out; inactivity_probe reaches the
# sessions; bad references are fatal at startup with OVS's text.
set -uo pipefail

: "${GREBE_BIN:?}"
ours=$GREBE_BIN/ovsdb-server
tool=$GREBE_BIN/ovsdb-tool
client=/usr/bin/ovsdb-client
schema=${GREBE_SRC:-.}/vswitchd/vswitch.ovsschema
[ -x "$ours" ] && [ -x "$tool" ] || { echo "no ovsdb-server/ovsdb-tool in $GREBE_BIN"; exit 77; }
[ -f "$schema" ] || schema=/usr/share/openvswitch/vswitch.ovsschema
for p in "$client" python3; do
  command -v "$p" > /dev/null || { echo "$p not installed"; exit 77; }
done

dir=$(mktemp -d /tmp/grebe-test-ovsdb-remotes.XXXXXX)
cleanup() {
  for f in "$dir"/*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null; done
  [ -n "${KEEP:-}" ] || rm -rf "$dir"
}
trap cleanup EXIT
export OVS_RUNDIR=$dir OVS_LOGDIR=$dir OVS_DBDIR=$dir
cd "$dir" || exit 1
failed=0
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }

# wait_for COMMAND...: polls (up to 20 s) until COMMAND succeeds.
wait_for() {
  for _ in $(seq 200); do "$@" > /dev/null 2>&1 && return 0; sleep 0.1; done
  return 1
}
reachable() { "$client" --timeout=5 list-dbs "unix:$1" | grep -q Open_vSwitch; }
unreachable() { ! "$client" --timeout=5 list-dbs "unix:$1" > /dev/null 2>&1; }
transact() { "$client" --timeout=10 transact "unix:$dir/db.sock" "$1"; }

"$tool" create conf.db "$schema" || exit 1

# Bad references: fatal at startup, with OVS's words.
for spec in "db:Open_vSwitch,Nope,target:no table named Nope" \
            "db:Nope,Manager,target:no database named Nope" \
            "db:Open_vSwitch,Manager,nope:table \"Manager\" has no column \"nope\"" \
            "db:Open_vSwitch,Manager:invalid syntax"; do
  remote=${spec%%:*}:${spec#*:}; remote=${remote%:*}; want=${spec##*:}
  if "$ours" --remote="$remote" --no-chdir --log-file="$dir/bad.log" conf.db 2> bad.err; then
    fail "$remote accepted"
  fi
  grep -qF "\"$remote\": $want" bad.err || { fail "$remote: wanted '$want'"; cat bad.err; }
done

"$ours" --remote=punix:"$dir/db.sock" --remote=db:Open_vSwitch,Open_vSwitch,manager_options \
  --pidfile="$dir/s.pid" --detach --no-chdir --log-file="$dir/s.log" conf.db || exit 1

# A Manager row with a passive target: the server listens there.
transact '["Open_vSwitch",
  {"op":"insert","table":"Manager","uuid-name":"m","row":{"target":"punix:'"$dir"'/m1.sock"}},
  {"op":"insert","table":"Open_vSwitch","row":{"manager_options":["named-uuid","m"]}}]' > /dev/null \
  || fail "insert Manager"
wait_for reachable "$dir/m1.sock" || fail "no listener on m1.sock from the Manager row"

# Changing the target moves the listener.
transact '["Open_vSwitch",{"op":"update","table":"Manager","where":[],
  "row":{"target":"punix:'"$dir"'/m2.sock"}}]' > /dev/null || fail "update Manager"
wait_for reachable "$dir/m2.sock" || fail "no listener on m2.sock after the change"
wait_for unreachable "$dir/m1.sock" || fail "m1.sock still served after the change"

# inactivity_probe reaches the sessions of that remote: a silent peer gets
# an echo request (unix remotes are not probed by default).
transact '["Open_vSwitch",{"op":"update","table":"Manager","where":[],
  "row":{"inactivity_probe":1000}}]' > /dev/null || fail "set inactivity_probe"
python3 - "$dir/m2.sock" <<'P' || fail "no echo probe after inactivity_probe=1000"
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.settimeout(20)
data = b""
while b'"echo"' not in data:
    chunk = s.recv(4096)
    if not chunk:
        sys.exit(1)
    data += chunk
P

# An active target: the server connects to us and serves requests there.
python3 - "$dir/active.sock" <<'P' > active.out 2>&1 &
import json, os, socket, sys
l = socket.socket(socket.AF_UNIX)
l.bind(sys.argv[1])
l.listen(1)
l.settimeout(30)
c, _ = l.accept()
c.settimeout(20)
c.sendall(json.dumps({"method": "list_dbs", "params": [], "id": 7}).encode())
data = b""
while True:
    chunk = c.recv(4096)
    if not chunk:
        break
    data += chunk
    if b'"id":7' in data and b"Open_vSwitch" in data:
        print("active ok")
        break
P
apid=$!
wait_for test -S "$dir/active.sock"
transact '["Open_vSwitch",
  {"op":"insert","table":"Manager","uuid-name":"a","row":{"target":"unix:'"$dir"'/active.sock"}},
  {"op":"mutate","table":"Open_vSwitch","where":[],
   "mutations":[["manager_options","insert",["set",[["named-uuid","a"]]]]]}]' > /dev/null \
  || fail "insert active Manager"
wait "$apid"
grep -q "active ok" active.out || { fail "active remote not served"; cat active.out; }

# list-remotes shows what was configured.
"$GREBE_BIN"/ovs-appctl -t "$dir/ovsdb-server.$(cat s.pid).ctl" ovsdb-server/list-remotes \
  > remotes.out 2>&1 || true
if [ -x "$GREBE_BIN/ovs-appctl" ]; then
  grep -q "^db:Open_vSwitch,Open_vSwitch,manager_options$" remotes.out \
    || { fail "list-remotes"; cat remotes.out; }
fi

# Removing the Manager rows stops the listener.
transact '["Open_vSwitch",{"op":"update","table":"Open_vSwitch","where":[],
  "row":{"manager_options":["set",[]]}}]' > /dev/null || fail "clear manager_options"
wait_for unreachable "$dir/m2.sock" || fail "m2.sock still served after the Manager went away"
reachable "$dir/db.sock" || fail "main remote lost"

[ $failed -eq 0 ] || { tail -20 s.log; exit 1; }
echo "PASS"
