#!/usr/bin/env bash
# SIGKILL at random moments while clients commit: after every restart each
# transaction the server acknowledged must be in the database, and the file
# must open (in our server, and at the end in stock ovsdb-tool).
set -uo pipefail

: "${GREBE_BIN:?}"
ours=$GREBE_BIN/ovsdb-server
tool=$GREBE_BIN/ovsdb-tool
[ -x "$ours" ] && [ -x "$tool" ] || { echo "no ovsdb-server/ovsdb-tool in $GREBE_BIN"; exit 77; }
py=$(python3 -c 'import sys; print(sys.executable)') || { echo "no python3"; exit 77; }

dir=$(mktemp -d /tmp/grebe-test-ovsdb-crash.XXXXXX)
cleanup() {
  [ -f "$dir/s.pid" ] && kill -9 "$(cat "$dir/s.pid")" 2>/dev/null
  [ -n "${KEEP:-}" ] || rm -rf "$dir"
}
trap cleanup EXIT
export OVS_RUNDIR=$dir OVS_LOGDIR=$dir OVS_DBDIR=$dir
cd "$dir" || exit 1

cat > t.ovsschema <<'S'
{"name": "T", "tables": {"t": {"columns": {"n": {"type": "integer"}}, "isRoot": true}}}
S
"$tool" create t.db t.ovsschema || exit 1

# The writer: one connection, one insert per transaction, n = 1, 2, ...;
# appends n to 'acked' after the server's success reply.  At most 500
# per run, so the file (replayed at every restart) stays small.
cat > writer.py <<'P'
import json, socket, sys, time
start = int(sys.argv[2])
s = socket.socket(socket.AF_UNIX)
try:
    s.connect(sys.argv[1])
except OSError as e:
    sys.stderr.write("connect failed: %s\n" % e)
    sys.exit(1)
open("connected", "w").close()
acked = open("acked", "a")
buf = b""
n = start
while n < start + 500:  # bounded, so restarts stay quick
    req = {"method": "transact", "id": n,
           "params": ["T", {"op": "insert", "table": "t", "row": {"n": n}}]}
    try:
        s.sendall(json.dumps(req).encode())
        while True:
            try:
                reply = json.loads(buf)
                buf = b""
                break
            except ValueError:
                chunk = s.recv(65536)
                if not chunk:
                    sys.exit(0)
                buf += chunk
    except OSError:
        sys.exit(0)
    if reply.get("error") is None and "uuid" in reply["result"][0]:
        acked.write("%d\n" % n)
        acked.flush()
    n += 1
P

start_server() {
  "$ours" --remote=punix:"$dir/db.sock" --pidfile="$dir/s.pid" --detach --no-chdir \
    --log-file="$dir/s.log" t.db
}
failed=0
next=1
: > acked
for i in $(seq 30); do
  start_server || { echo "FAIL: restart $i: server did not start"; tail -5 s.log; failed=1; break; }
  rm -f connected
  "$py" writer.py "$dir/db.sock" "$next" &
  wpid=$!
  for _ in $(seq 200); do [ -f connected ] && break; sleep 0.01; done
  sleep "0.$(printf %02d $((RANDOM % 18 + 2)))"
  spid=$(cat s.pid)
  kill -9 "$spid"
  while kill -0 "$spid" 2>/dev/null; do sleep 0.01; done
  wait "$wpid" || { echo "FAIL: restart $i: could not connect"; ls -la; tail -3 s.log; failed=1; }
  next=$(( $(tail -1 acked 2>/dev/null || echo 0) + 1000 ))
  rm -f s.pid
done
start_server || { echo "FAIL: final start"; exit 1; }
/usr/bin/ovsdb-client transact "unix:$dir/db.sock" \
  '["T",{"op":"select","table":"t","where":[],"columns":["n"]}]' |
  python3 -c 'import json,sys; print("\n".join(str(r["n"]) for r in json.load(sys.stdin)[0]["rows"]))' |
  sort -n > present
kill "$(cat s.pid)"; for _ in $(seq 50); do [ -f s.pid ] || break; sleep 0.1; done
sort -n acked > acked.sorted
missing=$(comm -23 acked.sorted present | head -5)
if [ -n "$missing" ]; then
  echo "FAIL: acknowledged transactions lost: $missing"
  failed=1
fi
echo "$(wc -l < acked) acknowledged, $(wc -l < present) present"
[ "$(wc -l < acked)" -gt 30 ] || { echo "FAIL: too few transactions"; failed=1; }
if [ -x /usr/bin/ovsdb-tool ]; then
  /usr/bin/ovsdb-tool query t.db '["T",{"op":"select","table":"t","where":[],"columns":["n"]}]' \
    > /dev/null || { echo "FAIL: stock ovsdb-tool can't read the file"; failed=1; }
fi
exit $failed
