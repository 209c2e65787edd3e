#!/usr/bin/env bash
# monitor_cond_since against our server's transaction history: a client
# that comes back with the last txn id it saw gets found=true and only the
# changes since (ovsdb/core/history.h); an unknown id gets found=false and
# everything; update3 notifications carry the id of their transaction.
set -uo pipefail

: "${GREBE_BIN:?}"
ours=$GREBE_BIN/ovsdb-server
tool=$GREBE_BIN/ovsdb-tool
[ -x "$ours" ] && [ -x "$tool" ] || { echo "no ovsdb-server/ovsdb-tool in $GREBE_BIN"; exit 77; }
command -v python3 > /dev/null || { echo "no python3"; exit 77; }

dir=$(mktemp -d /tmp/grebe-test-ovsdb-since.XXXXXX)
cleanup() {
  [ -f "$dir/s.pid" ] && kill "$(cat "$dir/s.pid")" 2>/dev/null
  [ -n "${KEEP:-}" ] || rm -rf "$dir"
}
trap cleanup EXIT
export OVS_RUNDIR=$dir OVS_LOGDIR=$dir OVS_DBDIR=$dir
cd "$dir" || exit 1

cat > t.ovsschema <<'S'
{"name": "T", "tables": {"t": {"columns": {"n": {"type": "integer"}}, "isRoot": true}}}
S
"$tool" create t.db t.ovsschema || exit 1
"$ours" --remote=punix:"$dir/db.sock" --pidfile="$dir/s.pid" --detach --no-chdir \
  --log-file="$dir/s.log" t.db || exit 1

python3 - "$dir/db.sock" <<'P'
import json, socket, sys

class Conn:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX)
        self.s.connect(path)
        self.s.settimeout(20)
        self.buf, self.next_id, self.held = b"", 1, []
    def recv(self):
        if self.held:
            return self.held.pop(0)
        dec = json.JSONDecoder()
        while True:
            text = self.buf.decode().lstrip()
            try:
                msg, end = dec.raw_decode(text)
                self.buf = text[end:].encode()
                return msg
            except ValueError:
                chunk = self.s.recv(65536)
                if not chunk:
                    sys.exit("FAIL: connection closed")
                self.buf += chunk
    def call(self, method, params):
        rid = self.next_id
        self.next_id += 1
        self.s.sendall(json.dumps({"method": method, "params": params, "id": rid}).encode())
        while True:
            m = self.recv()
            if m.get("id") != rid:
                self.held.append(m)  # a notification: keep it for recv()
                continue
            if True:
                if m.get("error") is not None:
                    sys.exit("FAIL: %s: %r" % (method, m))
                return m["result"]

def insert(c, n):
    return c.call("transact", ["T", {"op": "insert", "table": "t", "row": {"n": n}}])[0]["uuid"][1]

ZERO = "00000000-0000-0000-0000-000000000000"
req = {"t": [{"columns": ["n"]}]}
a = Conn(sys.argv[1])
for n in (1, 2, 3):
    insert(a, n)
found, last, initial = a.call("monitor_cond_since", ["T", "m", req, ZERO])
assert not found and last != ZERO and len(initial["t"]) == 3, (found, last, initial)

# An update3 carries the id of its transaction.
u4 = insert(a, 4)
note = a.recv()
assert note["method"] == "update3", note
mid, txn4, upd = note["params"]
assert txn4 != last and list(upd["t"]) == [u4], note

# Reconnecting with a known id: only what changed since.
b = Conn(sys.argv[1])
b.call("transact", ["T", {"op": "update", "table": "t", "where": [["n", "==", 1]], "row": {"n": 10}}])
found, last2, delta = b.call("monitor_cond_since", ["T", "m", req, txn4])
assert found and last2 != txn4, (found, last2, delta)
rows = delta["t"]
assert len(rows) == 1 and list(rows.values())[0] == {"modify": {"n": 10}}, delta

# Unknown id: found=false and the full contents.
c = Conn(sys.argv[1])
found, last3, full = c.call("monitor_cond_since", ["T", "m", req, "11111111-2222-3333-4444-555555555555"])
assert not found and last3 == last2 and len(full["t"]) == 4, (found, last3, full)
print("PASS")
P
