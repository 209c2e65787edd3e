#!/usr/bin/env bash
# ovs-ctl: start/stop/status/version/restart of our ovsdb-server (and
# ovs-vswitchd once it exists) with every directory in a temp dir; the
# database is created from the schema, initialized, and carries the system
# IDs; --delete-bridges, --system-id=random persistence, errors.
set -u
BIN=${GREBE_BIN:?GREBE_BIN must point at the build bin directory}
CTL=$BIN/ovs-ctl
for p in ovs-ctl ovsdb-server ovsdb-tool ovs-vsctl ovs-appctl; do
  [ -x "$BIN/$p" ] || { echo "SKIP: $p not built"; exit 77; }
done
DIR=$(mktemp -d /tmp/test-ovs-ctl.XXXXXX)
export OVS_RUNDIR=$DIR/run OVS_LOGDIR=$DIR/log OVS_DBDIR=$DIR/db OVS_SYSCONFDIR=$DIR/etc
cleanup() {
  for f in "$DIR"/run/*.pid; do [ -f "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null; done
  rm -rf "$DIR"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; for f in "$DIR"/log/*.log; do [ -f "$f" ] && { echo "--- $f"; tail -20 "$f"; }; done; exit 1; }
pass() { echo "ok: $*"; }
vsctl() { "$BIN/ovs-vsctl" --db=unix:"$DIR/run/db.sock" "$@"; }
HAVE_VSWITCHD=no
[ -x "$BIN/ovs-vswitchd" ] && HAVE_VSWITCHD=yes

# --- ovsdb-server only ---
out=$("$CTL" --no-ovs-vswitchd --system-id=random --system-type=testos --system-version=7 \
      --external-id=rack=r1 --daemon-cwd="$DIR" start 2>&1) || fail "start: $out"
echo "$out" | grep -q "$DIR/db/conf.db does not exist" || fail "no 'does not exist' warning: $out"
echo "$out" | grep -q "Creating empty database $DIR/db/conf.db" || fail "db not created: $out"
echo "$out" | grep -q "Starting ovsdb-server" || fail "start message: $out"
echo "$out" | grep -q "Configuring Open vSwitch system IDs" || fail "system IDs: $out"
echo "$out" | grep -q "Enabling remote OVSDB managers" || fail "managers: $out"
echo "$out" | grep -q "failed" && fail "a step failed: $out"
[ -S "$DIR/run/db.sock" ] || fail "no db.sock"
pid=$(cat "$DIR/run/ovsdb-server.pid") || fail "no pidfile"
[ "$(cat /proc/"$pid"/comm)" = ovsdb-server ] || fail "pidfile does not name ovsdb-server"
[ "$(readlink /proc/"$pid"/exe)" = "$(readlink -f "$BIN/ovsdb-server")" ] || fail "not our ovsdb-server"
pass "start --no-ovs-vswitchd starts our ovsdb-server on a new database"

schemaver=$("$BIN/ovsdb-tool" schema-version "$GREBE_SRC/vswitchd/vswitch.ovsschema")
[ "$(vsctl get Open_vSwitch . db_version)" = "\"$schemaver\"" ] || fail "db_version"
[ "$(vsctl get Open_vSwitch . ovs_version)" = '"3.1.0"' ] || fail "ovs_version $(vsctl get Open_vSwitch . ovs_version)"
[ "$(vsctl get Open_vSwitch . system_type)" = testos ] || fail "system_type"
[ "$(vsctl get Open_vSwitch . system_version)" = '"7"' ] || fail "system_version"
sysid=$(cat "$DIR/etc/openvswitch/system-id.conf") || fail "system-id.conf not written"
[[ "$sysid" =~ ^[0-9a-f-]{36}$ ]] || fail "system id '$sysid'"
[ "$(vsctl get Open_vSwitch . external_ids:system-id)" = "\"$sysid\"" ] || fail "system-id in db"
[ "$(vsctl get Open_vSwitch . external_ids:rack)" = r1 ] || fail "--external-id"
[ "$(vsctl get Open_vSwitch . external_ids:rundir)" = "\"$DIR/run\"" ] || fail "rundir id"
vsctl get Open_vSwitch . external_ids:hostname >/dev/null || fail "hostname not recorded"
"$BIN/ovs-appctl" -t "$DIR/run/ovsdb-server.$pid.ctl" ovsdb-server/list-remotes | \
  grep -qx "db:Open_vSwitch,Open_vSwitch,manager_options" || fail "manager remote not added"
pass "database initialized with versions, system IDs, hostname, managers"

out=$("$CTL" status 2>&1); rc=$?
[ $rc = 1 ] || fail "status exit $rc with ovs-vswitchd stopped"
[ "$out" = "ovsdb-server is running with pid $pid
ovs-vswitchd is not running" ] || fail "status: $out"
out=$("$CTL" --no-ovs-vswitchd --system-id=random start 2>&1) || fail "second start: $out"
echo "$out" | grep -q "ovsdb-server is already running" || fail "second start: $out"
[ "$(cat "$DIR/run/ovsdb-server.pid")" = "$pid" ] || fail "second start restarted the server"
pass "status, and start when running"

# --delete-bridges on the next start; the random system-id persists.
vsctl --no-wait add-br br0 || fail "add-br"
out=$("$CTL" --no-ovs-vswitchd stop 2>&1) || fail "stop: $out"
echo "$out" | grep -q "Exiting ovsdb-server ($pid)" || fail "stop message: $out"
[ -e /proc/"$pid" ] && [ "$(cat /proc/"$pid"/comm 2>/dev/null)" = ovsdb-server ] && fail "ovsdb-server still running"
out=$("$CTL" status 2>&1); [ "$out" = "ovsdb-server is not running
ovs-vswitchd is not running" ] || fail "status after stop: $out"
out=$("$CTL" --no-ovs-vswitchd --system-id=random --delete-bridges --no-record-hostname start 2>&1) \
  || fail "restart with --delete-bridges: $out"
echo "$out" | grep -q "Creating empty" && fail "existing db recreated"
[ -z "$(vsctl list-br)" ] || fail "--delete-bridges left $(vsctl list-br)"
[ "$(vsctl get Open_vSwitch . external_ids:system-id)" = "\"$sysid\"" ] || fail "system-id changed"
pass "stop, --delete-bridges, persistent random system-id"

out=$("$CTL" --no-ovs-vswitchd --system-id=random restart 2>&1) || fail "restart: $out"
echo "$out" | grep -q "Starting ovsdb-server" || fail "restart did not start: $out"
[ "$(cat "$DIR/run/ovsdb-server.pid")" != "$pid" ] || fail "restart kept the old pid"

# ovs-vswitchd: ours when built; never a stock one found on the PATH.
if [ $HAVE_VSWITCHD = no ]; then
  out=$("$CTL" --system-id=random start 2>&1); rc=$?
  [ $rc = 1 ] || fail "start without ovs-vswitchd built exited $rc"
  echo "$out" | grep -q "Starting ovs-vswitchd ($BIN/ovs-vswitchd not found)" || fail "missing vswitchd: $out"
  [ -e "$DIR/run/ovs-vswitchd.pid" ] && fail "something started as ovs-vswitchd"
  pass "start reports a missing ovs-vswitchd"
else
  out=$("$CTL" --system-id=random --no-mlockall start 2>&1) || fail "start with ovs-vswitchd: $out"
  "$CTL" status >/dev/null || fail "status with both daemons: $("$CTL" status)"
  vpid=$(cat "$DIR/run/ovs-vswitchd.pid")
  [ "$(readlink /proc/"$vpid"/exe)" = "$(readlink -f "$BIN/ovs-vswitchd")" ] || fail "not our ovs-vswitchd"
  pass "start with ovs-vswitchd"
fi
out=$("$CTL" stop 2>&1) || fail "stop all: $out"
out=$("$CTL" status 2>&1); [ $? = 1 ] || fail "status after stop all"

# Versions and errors.
out=$("$CTL" version 2>/dev/null) || fail "version"
echo "$out" | head -1 | grep -qx "ovsdb-server (Open vSwitch) 3.1.0" || fail "version: $out"
out=$("$CTL" -V) && [ "$(echo "$out" | head -1)" = "$CTL (Open vSwitch) 3.1.0" ] || fail "-V: $out"
err=$("$CTL" force-reload-kmod 2>&1); [ $? = 1 ] && echo "$err" | grep -q "not supported by Grebe" \
  || fail "force-reload-kmod: $err"
err=$("$CTL" frob 2>&1); [ $? = 1 ] && [ "$err" = "$CTL: unknown command \"frob\" (use --help for help)" ] \
  || fail "unknown command: $err"
err=$("$CTL" 2>&1); [ $? = 1 ] && [ "$err" = "$CTL: missing command name (use --help for help)" ] \
  || fail "no command: $err"
err=$("$CTL" --frob status 2>&1 >/dev/null); [ "$err" = "$CTL: unknown option \"--frob\" (use --help for help)" ] \
  || fail "unknown option: $err"
err=$("$CTL" --external-id=x status 2>&1); [ $? = 1 ] && echo "$err" | grep -q 'not in the form "key=value"' \
  || fail "--external-id=x: $err"
"$CTL" --help | grep -q "^  --no-ovs-vswitchd  do not start or stop ovs-vswitchd$" || fail "--help"
pass "version, help and errors"
