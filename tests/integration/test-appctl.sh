#!/usr/bin/env bash
# Daemon plumbing end to end: grebe-testd with --detach --pidfile --log-file
# (and --monitor), driven by our ovs-appctl and, when installed, by stock
# /usr/bin/ovs-appctl; checks OVS's texts and exit codes.
set -u
BIN=${GREBE_BIN:?GREBE_BIN must point at the build bin directory}
TESTD=$BIN/grebe-testd
APPCTL=$BIN/ovs-appctl
[ -x "$TESTD" ] && [ -x "$APPCTL" ] || { echo "SKIP: grebe-testd/ovs-appctl not built"; exit 77; }
TOOLS=("$APPCTL")
[ -x /usr/bin/ovs-appctl ] && TOOLS+=(/usr/bin/ovs-appctl)

# Under AddressSanitizer a SIGSEGV would become an ASan report and exit(1);
# the --monitor check needs the daemon to really die of the signal.
export ASAN_OPTIONS="handle_segv=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"

DIR=$(mktemp -d /tmp/test-appctl.XXXXXX)
export OVS_RUNDIR=$DIR OVS_LOGDIR=$DIR OVS_DBDIR=$DIR
PIDFILE=$DIR/grebe-testd.pid
LOG=$DIR/grebe-testd.log
started_pids=()

cleanup() {
  for p in "${started_pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
  local p; p=$(cat "$PIDFILE" 2>/dev/null) && kill -KILL "$p" 2>/dev/null
  rm -rf "$DIR"
}
trap cleanup EXIT

fail() { echo "FAIL: $*"; [ -f "$LOG" ] && { echo "--- log:"; cat "$LOG"; }; exit 1; }
pass() { echo "ok: $*"; }

wait_for() {  # wait_for DESCRIPTION COMMAND...: up to 10 s
  local what=$1; shift
  for _ in $(seq 100); do "$@" && return 0; sleep 0.1; done
  fail "timed out waiting for $what"
}
daemon_pid() { cat "$PIDFILE" 2>/dev/null; }
# The monitor (if any) is the daemon's parent; remember it for cleanup.
remember() { started_pids+=("$1"); local pp; pp=$(ps -o ppid= -p "$1" | tr -d ' '); [ -n "$pp" ] && [ "$pp" != 1 ] && started_pids+=("$pp"); }

# --- start detached; the foreground returns only once the daemon is ready
"$TESTD" --detach --pidfile --log-file --no-chdir || fail "grebe-testd --detach exited $?"
[ -f "$PIDFILE" ] || fail "no pidfile"
PID=$(daemon_pid); remember "$PID"
[ -S "$DIR/grebe-testd.$PID.ctl" ] || fail "no control socket $DIR/grebe-testd.$PID.ctl"
grep -q "|vlog|INFO|opened log file $LOG" "$LOG" || fail "log file not opened"
pass "detached daemon pid $PID"

for tool in "${TOOLS[@]}"; do
  name=$(basename "$(dirname "$tool")")/$(basename "$tool")
  out=$("$tool" -t grebe-testd version) || fail "$name version"
  [ "$out" = "grebe-testd (Open vSwitch) 3.1.0" ] || fail "$name version printed '$out'"

  out=$("$tool" -t grebe-testd list-commands) || fail "$name list-commands"
  [ "$(echo "$out" | head -1)" = "The available commands are:" ] || fail "$name list-commands header"
  echo "$out" | grep -qx "  vlog/set                {spec | PATTERN:destination:pattern}" \
    || fail "$name list-commands vlog/set line"
  echo "$out" | grep -qx "  coverage/read-counter   COUNTER" || fail "$name list-commands coverage"

  "$tool" -t grebe-testd vlog/set testd:file:dbg unixctl:syslog:warn || fail "$name vlog/set"
  out=$("$tool" -t grebe-testd vlog/list) || fail "$name vlog/list"
  echo "$out" | head -2 | diff - <(printf '                 console    syslog    file\n                 -------    ------    ------\n') \
    || fail "$name vlog/list header"
  echo "$out" | grep -qx "testd              OFF       INFO        DBG" || fail "$name vlog/list testd: $out"
  echo "$out" | grep -qx "unixctl            OFF       WARN       INFO" || fail "$name vlog/list unixctl"
  "$tool" -t grebe-testd vlog/set testd:file:info || fail "$name vlog/set back"

  out=$("$tool" -t grebe-testd coverage/show) || fail "$name coverage/show"
  echo "$out" | head -1 | grep -Eq '^Event coverage, avg rate over last: 5 seconds, last minute, last hour,  hash=[0-9a-f]{8}:$' \
    || fail "$name coverage/show header: $out"
  echo "$out" | grep -Eq '^unixctl_received +[0-9.]+/sec +[0-9.]+/sec +[0-9.]+/sec   total: [0-9]+$' \
    || fail "$name coverage/show unixctl_received line"
  echo "$out" | tail -1 | grep -Eq '^[0-9]+ events never hit$' || fail "$name never hit line"
  n=$("$tool" -t grebe-testd coverage/read-counter unixctl_received) || fail "$name read-counter"
  [[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -gt 0 ] || fail "$name read-counter printed '$n'"

  # Errors: message on stderr, "server returned an error", exit 2.
  err=$("$tool" -t grebe-testd vlog/set nosuch 2>&1 >/dev/null); rc=$?
  [ $rc = 2 ] || fail "$name vlog/set nosuch exit $rc"
  [ "$err" = 'no destination, level, or module "nosuch"
ovs-appctl: grebe-testd: server returned an error' ] || fail "$name vlog/set nosuch said: $err"
  err=$("$tool" -t grebe-testd no/such 2>&1 >/dev/null); rc=$?
  [ $rc = 2 ] && echo "$err" | grep -q '"no/such" is not a valid command (use "list-commands" to see a list of valid commands)' \
    || fail "$name unknown command ($rc): $err"
  err=$("$tool" -t grebe-testd version extra 2>&1 >/dev/null); rc=$?
  [ $rc = 2 ] && echo "$err" | grep -q '"version" command takes at most 0 arguments' || fail "$name too many args"
  err=$("$tool" -t grebe-testd coverage/read-counter 2>&1 >/dev/null); rc=$?
  [ $rc = 2 ] && echo "$err" | grep -q '"coverage/read-counter" command requires at least 1 arguments' \
    || fail "$name too few args"
  pass "$name drives grebe-testd"
done

# Both tools print the same thing for the same command.
if [ ${#TOOLS[@]} = 2 ]; then
  for cmd in list-commands vlog/list vlog/list-pattern version; do
    diff <("${TOOLS[0]}" -t grebe-testd $cmd) <("${TOOLS[1]}" -t grebe-testd $cmd) >/dev/null \
      || fail "ovs-appctl and stock ovs-appctl differ on $cmd"
  done
  pass "our ovs-appctl and stock ovs-appctl agree"
fi

# The target may also be the pidfile's absolute path.
out=$("$APPCTL" -t "$PIDFILE" version) && [ "$out" = "grebe-testd (Open vSwitch) 3.1.0" ] \
  || fail "pidfile path target"
# The target may also be the socket path itself.
out=$("$APPCTL" -t "$DIR/grebe-testd.$PID.ctl" version) && [ "$out" = "grebe-testd (Open vSwitch) 3.1.0" ] \
  || fail "socket path target"

# time/stop + time/warp
"$APPCTL" -t grebe-testd time/stop || fail "time/stop"
[ "$("$APPCTL" -t grebe-testd time/warp 5000)" = "warped" ] || fail "time/warp"
[ "$("$APPCTL" -t grebe-testd time/warp 3000 1000)" = "warped" ] || fail "time/warp large"
err=$("$APPCTL" -t grebe-testd time/warp 0 2>&1); [ $? = 2 ] && echo "$err" | grep -q "invalid MSECS" || fail "time/warp 0"

# Log rotation with vlog/reopen, then vlog/close.
mv "$LOG" "$LOG.1"
"$APPCTL" -t grebe-testd vlog/reopen || fail "vlog/reopen"
[ -f "$LOG" ] || fail "vlog/reopen did not recreate the log"
grep -q "closing log file" "$LOG.1" || fail "old log lacks 'closing log file'"
"$APPCTL" -t grebe-testd vlog/close || fail "vlog/close"
"$APPCTL" -t grebe-testd vlog/set unixctl:file:dbg || fail "vlog/set after close"
size=$(stat -c %s "$LOG")
"$APPCTL" -t grebe-testd version >/dev/null
[ "$(stat -c %s "$LOG")" = "$size" ] || fail "logging continued after vlog/close"
"$APPCTL" -t grebe-testd vlog/set unixctl:file:info || fail "vlog/set"

# SIGHUP reopens the log file too (log rotation without ovs-appctl).
mv "$LOG" "$LOG.2"
kill -HUP "$PID"
wait_for "log reopened on SIGHUP" test -s "$LOG"
kill -0 "$PID" || fail "SIGHUP killed the daemon"
pass "SIGHUP reopens the log"

# Garbage on the control socket: the connection is dropped, the daemon lives.
python3 - "$DIR/grebe-testd.$PID.ctl" <<'PY' || fail "garbage client"
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(b"GET / HTTP/1.0\r\n\r\n")
s.settimeout(5)
data = s.recv(100)
sys.exit(0 if data == b"" else 1)
PY
python3 - "$DIR/grebe-testd.$PID.ctl" <<'PY' || fail "non-request client"
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(b'{"method":"version","params":[1],"id":7}{"result":"x","error":null,"id":1}')
s.settimeout(5)
buf = b""
while True:
    d = s.recv(1000)
    if not d: break
    buf += d
ok = b'"error":"\\"version\\" command takes at most 0 arguments\\n"' in buf
sys.exit(0 if ok else 1)
PY
"$APPCTL" -t grebe-testd version >/dev/null || fail "daemon died after garbage"
pass "garbage on the control socket"

# A second instance refuses to start.
err=$("$TESTD" --detach --pidfile --log-file 2>&1); rc=$?
[ $rc = 1 ] || fail "second instance exit $rc"
echo "$err" | grep -q "grebe-testd: $PIDFILE: already running as pid $PID, aborting" || fail "second instance said: $err"
pass "already running"

# exit: the daemon goes away and cleans up its pidfile and socket.
"$APPCTL" -t grebe-testd exit || fail "exit"
wait_for "daemon exit" bash -c "! kill -0 $PID 2>/dev/null"
[ ! -e "$PIDFILE" ] || fail "pidfile left behind"
[ ! -e "$DIR/grebe-testd.$PID.ctl" ] || fail "control socket left behind"
pass "exit removes pidfile and socket"

# SIGTERM: an orderly exit with the same cleanup.
"$TESTD" --detach --pidfile --log-file || fail "restart"
PID=$(daemon_pid); remember "$PID"
kill -TERM "$PID"
wait_for "exit on SIGTERM" bash -c "! kill -0 $PID 2>/dev/null"
[ ! -e "$PIDFILE" ] && [ ! -e "$DIR/grebe-testd.$PID.ctl" ] || fail "SIGTERM left files behind"
pass "SIGTERM removes pidfile and socket"

# Bad command lines and targets.
err=$("$TESTD" -vnosuch 2>&1); rc=$?
[ $rc = 1 ] && [ "$err" = 'grebe-testd: processing "nosuch": no destination, level, or module "nosuch"' ] \
  || fail "bad -v ($rc): $err"
err=$("$APPCTL" -t grebe-testd version 2>&1); rc=$?
[ $rc = 1 ] && echo "$err" | grep -q "ovs-appctl: cannot read pidfile \"$PIDFILE\" (No such file or directory)" \
  || fail "missing target ($rc): $err"
err=$("$APPCTL" -t /nonexistent/x.ctl version 2>&1); rc=$?
[ $rc = 1 ] && echo "$err" | grep -q 'ovs-appctl: cannot connect to "/nonexistent/x.ctl" (No such file or directory)' \
  || fail "bad socket ($rc): $err"
err=$("$APPCTL" 2>&1); [ $? = 1 ] && echo "$err" | grep -q "at least one non-option argument is required" \
  || fail "no command"
pass "bad command lines"

# --timeout: a server that never answers; the tool dies of SIGALRM as OVS's does.
python3 - "$DIR/hang.sock" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(5); s.settimeout(0.2)
held, end = [], time.time() + 8
while time.time() < end:
    try: held.append(s.accept())
    except OSError: pass
PY
HANG=$!
started_pids+=($HANG)
wait_for "hang server" test -S "$DIR/hang.sock"
for tool in "${TOOLS[@]}"; do
  err=$("$tool" -T 1 -t "$DIR/hang.sock" version 2>&1); rc=$?
  [ $rc = 142 ] && echo "$err" | grep -q "fatal_signal|WARN|terminating with signal 14 (Alarm clock)" \
    || fail "$tool --timeout ($rc): $err"
done
kill "$HANG" 2>/dev/null; wait "$HANG" 2>/dev/null
pass "--timeout"

# --monitor restarts the daemon after a crash signal.
"$TESTD" --detach --monitor --pidfile --log-file || fail "start with --monitor"
PID1=$(daemon_pid); remember "$PID1"
kill -SEGV "$PID1"
wait_for "restart after SIGSEGV" bash -c "[ -f '$PIDFILE' ] && [ \"\$(cat '$PIDFILE')\" != '$PID1' ] && '$APPCTL' -t grebe-testd version >/dev/null 2>&1"
PID2=$(daemon_pid); remember "$PID2"
grep -q "1 crashes: pid $PID1 died, killed (Segmentation fault), restarting" "$LOG" || fail "monitor did not log the crash"
"$APPCTL" -t grebe-testd exit || fail "exit after restart"
wait_for "monitored daemon exit" bash -c "! kill -0 $PID2 2>/dev/null"
MON=$(for p in "${started_pids[@]}"; do [ "$p" != "$PID1" ] && [ "$p" != "$PID2" ] && [ "$p" != "$PID" ] && echo "$p"; done | head -1)
if [ -n "$MON" ]; then wait_for "monitor exit" bash -c "! kill -0 $MON 2>/dev/null"; fi
pass "--monitor restarts after SIGSEGV"

echo "PASS"
