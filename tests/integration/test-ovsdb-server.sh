#!/usr/bin/env bash
# Our ovsdb-server against stock clients: stock ovsdb-client and ovs-vsctl
# must see the same answers from ours as from stock /usr/sbin/ovsdb-server on
# an identical database; files cross between stock and our servers; bad input
# gets errors while other clients keep being served.
set -uo pipefail

: "${GREBE_BIN:?}"
ours=$GREBE_BIN/ovsdb-server
tool=$GREBE_BIN/ovsdb-tool
stock=/usr/sbin/ovsdb-server
client=/usr/bin/ovsdb-client
schema=/usr/share/openvswitch/vswitch.ovsschema
[ -x "$ours" ] || { echo "no $ours"; exit 77; }
[ -x "$tool" ] || { echo "no $tool"; exit 77; }
for p in "$stock" "$client" /usr/bin/ovs-vsctl /usr/bin/ovsdb-tool python3; do
  command -v "$p" > /dev/null || { echo "$p not installed"; exit 77; }
done
[ -f "$schema" ] || { echo "no $schema"; exit 77; }

dir=$(mktemp -d /tmp/grebe-test-ovsdb-server.XXXXXX)
cleanup() {
  for f in "$dir"/*.pid; do
    [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
  done
  [ -n "${KEEP:-}" ] || rm -rf "$dir"
}
trap cleanup EXIT
export OVS_RUNDIR=$dir OVS_LOGDIR=$dir OVS_DBDIR=$dir
cd "$dir" || exit 1

failed=0
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }

# start SERVER NAME DBFILE: runs SERVER detached on punix:$dir/NAME.sock.
start() {
  "$1" --remote=punix:"$dir/$2.sock" --pidfile="$dir/$2.pid" --detach --no-chdir \
    --log-file="$dir/$2.log" "$3" || { fail "$1 failed to start on $3"; return 1; }
}
stop() {
  [ -f "$dir/$1.pid" ] && kill "$(cat "$dir/$1.pid")" 2>/dev/null
  for _ in $(seq 50); do [ -f "$dir/$1.pid" ] || break; sleep 0.1; done
  rm -f "$dir/$1.pid"
}

"$tool" create ours.db "$schema" || exit 1
cp ours.db stock.db
start "$ours" ours ours.db || exit 1
start "$stock" stock stock.db || exit 1

# compare COMMAND [ARGS...]: stock ovsdb-client against both servers.
compare() {
  local cmd=$1
  shift
  "$client" "$cmd" "unix:$dir/stock.sock" "$@" > s.out 2>&1; echo "exit $?" >> s.out
  "$client" "$cmd" "unix:$dir/ours.sock" "$@" > o.out 2>&1; echo "exit $?" >> o.out
  sed -i "s|$dir/[a-z]*\.sock|SOCK|g" s.out o.out
  cmp -s s.out o.out || { fail "ovsdb-client $cmd $*"; diff s.out o.out | head -10; }
}

U1=11111111-1111-1111-1111-111111111111
U2=22222222-2222-2222-2222-222222222222
U3=33333333-3333-3333-3333-333333333333
U4=44444444-4444-4444-4444-444444444444
compare list-dbs
compare get-schema
compare get-schema-version
compare get-schema _Server
compare transact '["Open_vSwitch",{"op":"insert","table":"Open_vSwitch","uuid":"'$U1'","row":{"bridges":["set",[["uuid","'$U2'"]]]}},
  {"op":"insert","table":"Bridge","uuid":"'$U2'","row":{"name":"br0","ports":["set",[["uuid","'$U3'"]]],"other_config":["map",[["a","b"]]]}},
  {"op":"insert","table":"Port","uuid":"'$U3'","row":{"name":"p0","tag":7}}]'
compare dump
compare dump Open_vSwitch Bridge
compare transact '["Open_vSwitch",{"op":"select","table":"Bridge","where":[],"columns":["name","other_config"]}]'
compare transact '["Open_vSwitch",{"op":"update","table":"Bridge","where":[["name","==","br0"]],"row":{"name":"br1"}},{"op":"comment","comment":"x"}]'
compare transact '["Open_vSwitch",{"op":"delete","table":"Bridge","where":[]}]'
compare transact '["Open_vSwitch",{"op":"insert","table":"Bridge","row":{"name":7}}]'
compare transact '["Open_vSwitch",{"op":"bogus","table":"Bridge"}]'
compare transact '["Nope",{"op":"select","table":"Bridge","where":[]}]'
compare transact '["Open_vSwitch",{"op":"wait","table":"Port","where":[],"columns":["name"],"until":"==","rows":[],"timeout":0}]'
compare transact '["Open_vSwitch",{"op":"select","table":"Bridge","where":[]},{"op":"abort"}]'
compare transact '["Open_vSwitch",{"op":"assert","lock":"foo"}]'
compare dump
compare dump _Server Database name model connected leader cid sid index

# monitor / monitor-cond --detach, writing to a file, then a change.
for srv in stock ours; do
  "$client" --detach --no-chdir --pidfile="$dir/mon-$srv.pid" monitor \
    "unix:$dir/$srv.sock" Open_vSwitch Bridge name,stp_enable > "mon-$srv.out" 2>&1
  "$client" --detach --no-chdir --pidfile="$dir/monc-$srv.pid" monitor-cond \
    "unix:$dir/$srv.sock" Open_vSwitch '[["stp_enable","==",true]]' Bridge name,stp_enable > "monc-$srv.out" 2>&1
  "$client" transact "unix:$dir/$srv.sock" \
    '["Open_vSwitch",{"op":"insert","table":"Bridge","uuid":"'$U4'","row":{"name":"q","stp_enable":true}},
                     {"op":"insert","table":"Bridge","uuid-name":"r","row":{"name":"r"}},
                     {"op":"insert","table":"Open_vSwitch","row":{"bridges":["set",[["uuid","'$U4'"],["named-uuid","r"]]]}}]' > /dev/null
  "$client" transact "unix:$dir/$srv.sock" \
    '["Open_vSwitch",{"op":"update","table":"Bridge","where":[["name","==","q"]],"row":{"stp_enable":false}}]' > /dev/null
  "$client" transact "unix:$dir/$srv.sock" \
    '["Open_vSwitch",{"op":"mutate","table":"Open_vSwitch","where":[],"mutations":[["bridges","delete",["set",[["uuid","'$U4'"]]]]]}]' > /dev/null
  sleep 1
  stop "mon-$srv"; stop "monc-$srv"
done
for m in mon monc; do
  # Rows the server names at random (r) differ; sort so order does not matter.
  sed -E 's/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/UUID/g' "$m-stock.out" | sort > a.out
  sed -E 's/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/UUID/g' "$m-ours.out" | sort > b.out
  cmp -s a.out b.out || { fail "ovsdb-client $m output differs"; diff a.out b.out | head; }
  [ -s b.out ] || fail "ovsdb-client $m wrote nothing"
done

# Stock ovs-vsctl against both.
for srv in stock ours; do
  V="/usr/bin/ovs-vsctl --db=unix:$dir/$srv.sock --no-wait"
  $V add-br brx && $V add-port brx px1 && $V add-port brx px2 -- set port px2 tag=5 &&
    $V set bridge brx other_config:k=v || fail "ovs-vsctl against $srv"
  { $V show | tail -n +2 | sort; $V list-br; $V list-ports brx; $V get bridge brx other_config; } > "vsctl-$srv.out" 2>&1
done
cmp -s vsctl-stock.out vsctl-ours.out || { fail "ovs-vsctl output differs"; diff vsctl-stock.out vsctl-ours.out; }

# Bad input on a raw connection gets error replies; the server keeps serving.
python3 - "$dir/ours.sock" > raw.out 2>&1 <<'PYEOF' || fail "raw protocol test: $(cat raw.out)"
import json, socket, sys
def conn():
    s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.settimeout(5); return s
def rpc(s, text):
    s.sendall(text.encode())
    buf = b""
    while True:
        chunk = s.recv(65536)
        if not chunk: return None
        buf += chunk
        try: return json.loads(buf)
        except ValueError: continue
s = conn()
r = rpc(s, '{"method":"nope","params":[],"id":1}')
assert r == {"id": 1, "result": None, "error": "unknown method"}, r
r = rpc(s, '{"method":"get_schema","params":["Nope"],"id":2}')
assert r["error"]["error"] == "unknown database", r
assert r["error"]["details"] == "get_schema request specifies unknown database Nope", r
r = rpc(s, '{"method":"transact","params":[],"id":3}')
assert r["error"]["details"] == "transact request params must begin with <db-name>", r
r = rpc(s, '{"method":"monitor","params":["Open_vSwitch"],"id":4}')
assert r["error"]["details"] == "invalid parameters", r
r = rpc(s, '{"method":"monitor","params":["Open_vSwitch",1,{"Nope":{}}],"id":5}')
assert r["error"] is not None, r
r = rpc(s, '{"method":"lock","params":[5],"id":6}')
assert r["error"]["details"] == "lock request params must be <id>", r
r = rpc(s, '{"method":"unlock","params":["x"],"id":7}')
assert "without" in r["error"]["details"], r
r = rpc(s, '{"method":"monitor_cancel","params":[99],"id":8}')
assert r["error"] == "unknown monitor", r
r = rpc(s, '{"method":"echo","params":["hi"],"id":"e"}')
assert r == {"id": "e", "result": ["hi"], "error": None}, r
# Locks between two sessions: lock, wait, steal, unlock.
a, b = conn(), conn()
assert rpc(a, '{"method":"lock","params":["L"],"id":1}')["result"] == {"locked": True}
assert rpc(b, '{"method":"lock","params":["L"],"id":1}')["result"] == {"locked": False}
r = rpc(a, '{"method":"unlock","params":["L"],"id":2}')
assert r["result"] == {}, r
b.settimeout(5); n = json.loads(b.recv(65536)); assert n["method"] == "locked", n
# Garbage: the connection is dropped, others are unaffected.
g = conn(); g.sendall(b'{"method": ]]]garbage'); g.settimeout(5)
try:
    g.recv(100)
except OSError:
    pass
h = conn(); h.sendall(b'[1,2,3]')
big = conn()
try:
    big.sendall(b'{"method":"echo","params":["' + b"x" * (80 << 20) + b'"],"id":1}')
except OSError:
    pass
r = rpc(s, '{"method":"list_dbs","params":[],"id":9}')
assert r["result"] == ["Open_vSwitch", "_Server"], r
print("ok")
PYEOF
"$client" list-dbs "unix:$dir/ours.sock" > /dev/null || fail "server died after bad input"

# Files cross: ours serves stock's file, stock serves ours.
stop ours; stop stock
start "$ours" ours stock.db && "$client" dump "unix:$dir/ours.sock" Bridge > x1.out || fail "ours on stock file"
start "$stock" stock ours.db && "$client" dump "unix:$dir/stock.sock" Bridge > x2.out || fail "stock on our file"
grep -q brx x1.out || fail "stock file content missing under ours"
grep -q brx x2.out || fail "our file content missing under stock"
/usr/bin/ovsdb-tool check-cluster ours.db > /dev/null 2>&1  # (standalone: just must not crash)
/usr/bin/ovsdb-tool db-version ours.db > /dev/null || fail "stock ovsdb-tool can't read our file"
stop ours; stop stock

# Appctl commands.
start "$ours" ours ours.db || exit 1
ctl="/usr/bin/ovs-appctl -t $dir/ovsdb-server.$(cat "$dir/ours.pid").ctl"
$ctl ovsdb-server/list-dbs > l.out && printf 'Open_vSwitch\n_Server\n' | cmp -s - l.out || fail "list-dbs: $(cat l.out)"
$ctl ovsdb-server/add-remote ptcp:0:127.0.0.1 || fail add-remote
$ctl ovsdb-server/list-remotes | grep -q ptcp:0:127.0.0.1 || fail list-remotes
$ctl ovsdb-server/remove-remote ptcp:0:127.0.0.1 || fail remove-remote
$ctl ovsdb-server/compact || fail compact
$ctl memory/show | grep -q "cells:" || fail "memory/show"
"$client" dump "unix:$dir/ours.sock" Bridge | grep -q brx || fail "content after compact"
/usr/bin/ovsdb-tool show-log ours.db > /dev/null || fail "stock reads compacted file"
stop ours

echo "$failed failures"
[ "$failed" = 0 ]
