#!/usr/bin/env bash
# ovsdb-client against a live ovsdb-server (stock /usr/sbin/ovsdb-server, or
# ours with GREBE_OVSDB_SERVER=path): every command and output format must
# print byte for byte what stock /usr/bin/ovsdb-client prints, including the
# hash-map order OVS uses for list-tables, list-columns and monitor rows.
set -uo pipefail

: "${GREBE_BIN:?}"
ours=$GREBE_BIN/ovsdb-client
stock=/usr/bin/ovsdb-client
server=${GREBE_OVSDB_SERVER:-/usr/sbin/ovsdb-server}
schema=/usr/share/openvswitch/vswitch.ovsschema
[ -x "$ours" ] || { echo "no $ours"; exit 77; }
for p in "$stock" "$server" /usr/bin/ovsdb-tool; do
  [ -x "$p" ] || { echo "$p not installed"; exit 77; }
done
[ -f "$schema" ] || { echo "no $schema"; exit 77; }

dir=$(mktemp -d /tmp/grebe-test-ovsdb-client.XXXXXX)
cleanup() {
  for f in "$dir"/*.pid; do
    [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
  done
  rm -rf "$dir"
}
trap cleanup EXIT
export OVS_RUNDIR=$dir OVS_LOGDIR=$dir OVS_DBDIR=$dir
cd "$dir"

/usr/bin/ovsdb-tool create conf.db "$schema"
"$server" --remote=punix:"$dir"/db.sock --pidfile="$dir"/server.pid --detach --no-chdir \
  --log-file="$dir"/server.log conf.db || { echo "server failed to start"; exit 1; }
S=unix:$dir/db.sock

failed=0
n=0
# compare OPTIONS COMMAND [ARGS...]: our output and exit status vs stock's.
compare() {
  local opts=$1 cmd=$2
  shift 2
  n=$((n + 1))
  # shellcheck disable=SC2086
  "$stock" $opts "$cmd" "$S" "$@" > stock.out 2>&1; echo "exit $?" >> stock.out
  # shellcheck disable=SC2086
  "$ours" $opts "$cmd" "$S" "$@" > ours.out 2>&1; echo "exit $?" >> ours.out
  if ! cmp -s stock.out ours.out; then
    echo "FAIL: ovsdb-client $opts $cmd $*"
    diff stock.out ours.out | head -20
    failed=$((failed + 1))
  fi
}

txn() { "$stock" transact "$S" "$1" > /dev/null; }
txn '["Open_vSwitch",{"op":"insert","table":"Open_vSwitch","row":{"bridges":["set",[["named-uuid","b0"],["named-uuid","b1"]]]}},
      {"op":"insert","table":"Bridge","uuid-name":"b0","row":{"name":"br0","ports":["named-uuid","p0"],"other_config":["map",[["a","b"],["c d","x,y"],["q","\"quoted\""]]]}},
      {"op":"insert","table":"Bridge","uuid-name":"b1","row":{"name":"br1","flood_vlans":["set",[1,2,3]],"fail_mode":"secure"}},
      {"op":"insert","table":"Port","uuid-name":"p0","row":{"name":"p0","interfaces":["named-uuid","i0"],"tag":7}},
      {"op":"insert","table":"Interface","uuid-name":"i0","row":{"name":"p0","type":"internal","options":["map",[["k","<v&>"]]]}}]'

for opts in "" --format=table --format=list --format=csv --format=html --format=json \
            "--format=json --pretty" --bare --no-headings "-d json" "-d bare" "--format=csv -d json"; do
  compare "$opts" dump
  compare "$opts" list-tables
  compare "$opts" list-columns
done
compare "" list-dbs
compare "" get-schema
compare "--pretty" get-schema
compare "" get-schema _Server
compare "" get-schema-version
compare "" get-schema-cksum
compare "" list-columns Open_vSwitch Bridge
compare "" list-tables _Server
compare "" dump _Server
compare "" dump Open_vSwitch Bridge
compare "" dump Open_vSwitch Bridge name other_config _uuid
compare "" dump Bridge
compare "" transact '["Open_vSwitch",{"op":"select","table":"Bridge","where":[],"columns":["name","other_config","flood_vlans"]}]'
compare "--pretty" transact '["Open_vSwitch",{"op":"select","table":"Bridge","where":[["name","==","br1"]],"columns":["name"]}]'
compare "" query '["Open_vSwitch",{"op":"select","table":"Port","where":[],"columns":["name","tag"]}]'
compare "" query '["Open_vSwitch",{"op":"delete","table":"Port","where":[]}]'
# Errors.
compare "" transact '["Open_vSwitch",{"op":"select","table":"Nope","where":[]}]'
compare "" transact '{}'
compare "" transact '{"a":'
compare "" get-schema nosuch
compare "" dump Open_vSwitch nosuch
compare "" dump Open_vSwitch Bridge nosuch
compare "" list-dbs extra
compare "" nosuch-command
compare "--format=bogus" dump
compare "-d bogus" dump

# backup: the same file apart from the "_date" member (and so the second
# record's checksum); restore of that file leaves the same contents.
n=$((n + 1))
"$stock" backup "$S" > stock.backup
"$ours" backup "$S" > ours.backup
undate() { sed -n "$1p" "$2" | sed -E 's/"_date":[0-9]+/"_date":0/'; }
if ! cmp -s <(sed -n 1,3p stock.backup | sed -E '3s/ [0-9a-f]{40}$//') \
            <(sed -n 1,3p ours.backup | sed -E '3s/ [0-9a-f]{40}$//') ||
   ! cmp -s <(undate 4 stock.backup) <(undate 4 ours.backup); then
  echo "FAIL: backup"; failed=$((failed + 1))
fi
n=$((n + 1))
mask() { sed -E 's/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/U/g'; }
"$stock" dump "$S" | mask > before.dump
"$stock" transact "$S" '["Open_vSwitch",{"op":"delete","table":"Port","where":[]}]' > /dev/null
if ! "$ours" restore "$S" < ours.backup || ! "$stock" dump "$S" | mask | cmp -s - before.dump; then
  echo "FAIL: restore"; failed=$((failed + 1))
fi

# monitor / monitor-cond: initial contents and three updates, as detached
# clients writing to files.
mon_case() {
  local label=$1 opts=$2
  shift 2
  n=$((n + 1))
  # shellcheck disable=SC2086
  "$stock" --detach --no-chdir --pidfile="$dir"/m1.pid $opts "$S" "$@" > m1.out 2>&1
  # shellcheck disable=SC2086
  "$ours" --detach --no-chdir --pidfile="$dir"/m2.pid $opts "$S" "$@" > m2.out 2>&1
  txn '["Open_vSwitch",{"op":"insert","table":"Bridge","row":{"name":"brN"}},
        {"op":"mutate","table":"Open_vSwitch","where":[],"mutations":[["bridges","insert",["named-uuid","x"]]]}]' 2>/dev/null
  "$stock" transact "$S" '["Open_vSwitch",{"op":"insert","table":"Bridge","uuid-name":"x","row":{"name":"brM"}},
        {"op":"mutate","table":"Open_vSwitch","where":[],"mutations":[["bridges","insert",["named-uuid","x"]]]}]' > /dev/null
  txn '["Open_vSwitch",{"op":"update","table":"Bridge","where":[["name","==","br0"]],"row":{"other_config":["map",[["new","1"]]]}}]'
  txn '["Open_vSwitch",{"op":"mutate","table":"Open_vSwitch","where":[],"mutations":[["bridges","delete",["set",[]]]]},
        {"op":"delete","table":"Bridge","where":[["name","==","brM"]]}]' 2>/dev/null
  "$stock" transact "$S" '["Open_vSwitch",{"op":"select","table":"Bridge","where":[["name","==","brM"]],"columns":["_uuid"]}]' > /dev/null
  sleep 1
  kill "$(cat m1.pid)" "$(cat m2.pid)" 2>/dev/null
  rm -f m1.pid m2.pid
  if ! cmp -s m1.out m2.out; then
    echo "FAIL: monitor case $label"
    diff m1.out m2.out | head -20
    failed=$((failed + 1))
  fi
}
mon_case columns monitor Open_vSwitch Bridge name,other_config
mon_case all-columns monitor Open_vSwitch Bridge
mon_case ALL monitor Open_vSwitch ALL
mon_case no-initial monitor Open_vSwitch Bridge 'name,!initial'
mon_case no-modify monitor Open_vSwitch Bridge 'name,other_config,!modify,!delete'
mon_case two-requests monitor Open_vSwitch Bridge name 'other_config,!initial'
mon_case csv "--format=csv monitor" Open_vSwitch Bridge name
mon_case json "--format=json monitor" Open_vSwitch Bridge name
mon_case cond monitor-cond Open_vSwitch '[["name","!=","br0"]]' Bridge name
mon_case cond-true monitor-cond Open_vSwitch '[true]' Bridge name,other_config

# --timestamp: same output once the time of day is masked.
n=$((n + 1))
"$stock" --timestamp --detach --no-chdir --pidfile="$dir"/m1.pid monitor "$S" Open_vSwitch Bridge name > m1.out 2>&1
"$ours" --timestamp --detach --no-chdir --pidfile="$dir"/m2.pid monitor "$S" Open_vSwitch Bridge name > m2.out 2>&1
txn '["Open_vSwitch",{"op":"update","table":"Bridge","where":[["name","==","br1"]],"row":{"fail_mode":"standalone"}}]'
sleep 1
kill "$(cat m1.pid)" "$(cat m2.pid)" 2>/dev/null
ts='s/^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}$/TIME/'
if ! diff <(sed -E "$ts" m1.out) <(sed -E "$ts" m2.out) > /dev/null || ! grep -q '^TIME$' <(sed -E "$ts" m2.out); then
  echo "FAIL: --timestamp"; diff m1.out m2.out | head; failed=$((failed + 1))
fi

# wait: returns at once for a database that is served.
n=$((n + 1))
if ! timeout 10 "$ours" wait "$S" Open_vSwitch connected; then
  echo "FAIL: wait connected"; failed=$((failed + 1))
fi

echo "$n cases, $failed failed"
[ "$failed" -eq 0 ]
