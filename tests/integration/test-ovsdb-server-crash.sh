#!/usr/bin/env bash
# SIGKILL at random moments while a client commits: after every restart each
# transaction the server acknowledged must be in the database, and the file
# must open (in our server at every restart, and at the end in stock
# ovsdb-tool).  ${CRASH_KILLS:-200} kill cycles; each is quick (the server
# runs in the foreground, the driver is one Python process that reconnects),
# so hundreds fit in well under a minute.  bench/ovsdb/crash.sh runs more.
set -uo pipefail

: "${GREBE_BIN:?}"
ours=$GREBE_BIN/ovsdb-server
tool=$GREBE_BIN/ovsdb-tool
[ -x "$ours" ] && [ -x "$tool" ] || { echo "no ovsdb-server/ovsdb-tool in $GREBE_BIN"; exit 77; }
py=$(python3 -c 'import sys; print(sys.executable)') || { echo "no python3"; exit 77; }

dir=$(mktemp -d /tmp/grebe-test-ovsdb-crash.XXXXXX)
cleanup() { [ -n "${KEEP:-}" ] || rm -rf "$dir"; }
trap cleanup EXIT
export OVS_RUNDIR=$dir OVS_LOGDIR=$dir OVS_DBDIR=$dir
cd "$dir" || exit 1

cat > t.ovsschema <<'S'
{"name": "T", "tables": {"t": {"columns": {"n": {"type": "integer"}}, "isRoot": true}}}
S
"$tool" create t.db t.ovsschema || exit 1

cat > crash.py <<'P'
# Driver: start server -> connect -> commit inserts n = 1, 2, ... with up to
# 8 in flight, noting each acknowledged n -> SIGKILL 0.5-5 ms later (short,
# so the file replayed at each start stays small) -> repeat.  Every restart must come up (the log must replay)
# and, at the end, every acknowledged n must be present.
import json, os, random, select, signal, socket, subprocess, sys, time

server, kills, sock = sys.argv[1], int(sys.argv[2]), os.path.abspath("db.sock")
cmd = [server, "--remote=punix:" + sock, "--no-chdir", "--log-file=" + os.path.abspath("s.log"),
       "-vconsole:off", "t.db"]

def start():
    try:
        os.unlink(sock)
    except FileNotFoundError:
        pass
    p = subprocess.Popen(cmd, stderr=subprocess.DEVNULL)
    deadline = time.time() + 30
    while time.time() < deadline:
        if p.poll() is not None:
            sys.exit("FAIL: server exited with %d at startup" % p.returncode)
        s = socket.socket(socket.AF_UNIX)
        try:
            s.connect(sock)
            return p, s
        except OSError:
            s.close()
            time.sleep(0.002)
    sys.exit("FAIL: server did not come up")

def replies(buf):
    # Splits complete JSON objects off 'buf' (replies hold no braces in strings).
    out, depth, start = [], 0, 0
    for i, c in enumerate(buf):
        if c == 123:
            depth += 1
        elif c == 125:
            depth -= 1
            if depth == 0:
                out.append(json.loads(buf[start:i + 1]))
                start = i + 1
    return out, buf[start:]

random.seed(int(os.environ.get("SEED", "1")))
acked = []
n = 1
for cycle in range(kills):
    p, s = start()
    s.setblocking(False)
    in_flight, buf = {}, b""
    kill_at = time.time() + random.uniform(0.0005, 0.005)
    while time.time() < kill_at:
        while len(in_flight) < 8:
            req = {"method": "transact", "id": n,
                   "params": ["T", {"op": "insert", "table": "t", "row": {"n": n}}]}
            s.sendall(json.dumps(req).encode())
            in_flight[n] = True
            n += 1
        r, _, _ = select.select([s], [], [], max(0, kill_at - time.time()))
        if not r:
            continue
        chunk = s.recv(65536)
        if not chunk:
            sys.exit("FAIL: cycle %d: server closed the connection" % cycle)
        msgs, buf = replies(buf + chunk)
        for m in msgs:
            if m.get("error") is not None or "uuid" not in m["result"][0]:
                sys.exit("FAIL: cycle %d: transaction failed: %r" % (cycle, m))
            acked.append(m["id"])
            del in_flight[m["id"]]
    p.send_signal(signal.SIGKILL)
    p.wait()
    s.close()
    n += 1000  # unacknowledged numbers may or may not have been committed

p, s = start()
s.setblocking(True)
s.sendall(json.dumps({"method": "transact", "id": 0, "params": ["T", {
    "op": "select", "table": "t", "where": [], "columns": ["n"]}]}).encode())
buf = b""
while True:
    buf += s.recv(1 << 20)
    msgs, rest = replies(buf)
    if msgs:
        break
present = {row["n"] for row in msgs[0]["result"][0]["rows"]}
p.terminate()
p.wait()
missing = [a for a in acked if a not in present]
print("%d kills, %d acknowledged, %d present" % (kills, len(acked), len(present)))
if missing:
    sys.exit("FAIL: acknowledged transactions lost: %r" % missing[:5])
if len(acked) < kills:
    sys.exit("FAIL: too few transactions acknowledged")
P

failed=0
seed=${SEED:-$RANDOM}; echo "SEED=$seed"
SEED=$seed "$py" crash.py "$ours" "${CRASH_KILLS:-200}" || { failed=1; tail -5 s.log; }
if [ -x /usr/bin/ovsdb-tool ]; then
  /usr/bin/ovsdb-tool query t.db '["T",{"op":"select","table":"t","where":[],"columns":["n"]}]' \
    > /dev/null || { echo "FAIL: stock ovsdb-tool can't read the file"; failed=1; }
fi
exit $failed
