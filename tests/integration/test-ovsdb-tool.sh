#!/usr/bin/env bash
# ovsdb-tool: our tool against the Open_vSwitch schema, and file-format
# interoperability with stock Open vSwitch's ovsdb-tool in both directions.
set -euo pipefail

: "${GREBE_BIN:?}" "${GREBE_SRC:?}"
ours=$GREBE_BIN/ovsdb-tool
stock=/usr/bin/ovsdb-tool
schema=$GREBE_SRC/vswitchd/vswitch.ovsschema
[ -x "$ours" ] || { echo "no $ours"; exit 77; }

dir=$(mktemp -d /tmp/grebe-test-ovsdb-tool.XXXXXX)
trap 'rm -rf "$dir"' EXIT
export OVS_RUNDIR=$dir OVS_LOGDIR=$dir OVS_DBDIR=$dir
cd "$dir"

fail() { echo "FAIL: $*" >&2; exit 1; }
expect_eq() { [ "$1" == "$2" ] || fail "$3: expected [$2], got [$1]"; }

# Sorted, _version-free JSON of a query reply, to compare tools' output.
normalize() {
  python3 -c '
import json, sys
reply = json.load(sys.stdin)
for r in reply:
    if isinstance(r, dict) and "rows" in r:
        for row in r["rows"]:
            row.pop("_version", None)
        r["rows"].sort(key=lambda row: json.dumps(row, sort_keys=True))
print(json.dumps(reply, sort_keys=True))'
}

populate() {  # tool db
  "$1" transact "$2" '["Open_vSwitch",
    {"op":"insert","table":"Open_vSwitch","row":{"bridges":["named-uuid","br"],"external_ids":["map",[["system-id","abc"]]]}},
    {"op":"insert","table":"Bridge","uuid-name":"br","row":{"name":"br0","ports":["named-uuid","p"]}},
    {"op":"insert","table":"Port","uuid-name":"p","row":{"name":"br0","interfaces":["named-uuid","i"]}},
    {"op":"insert","table":"Interface","uuid-name":"i","row":{"name":"br0","type":"internal"}},
    {"op":"comment","comment":"add br0"}]' > /dev/null
  "$1" transact "$2" '["Open_vSwitch",
    {"op":"mutate","table":"Open_vSwitch","where":[],"mutations":[["external_ids","insert",["map",[["hostname","h1"]]]],["next_cfg","+=",1]]},
    {"op":"update","table":"Bridge","where":[["name","==","br0"]],"row":{"other_config":["map",[["a","1"]]]}}]' > /dev/null
}

query='["Open_vSwitch",
  {"op":"select","table":"Bridge","where":[],"columns":["_uuid","name","ports","other_config"]},
  {"op":"select","table":"Open_vSwitch","where":[],"columns":["external_ids","next_cfg","bridges"]},
  {"op":"select","table":"Interface","where":[["type","==","internal"]],"columns":["name"]}]'

# 1. Our tool alone.
expect_eq "$("$ours" schema-name "$schema")" "Open_vSwitch" "schema-name"
"$ours" create ours.db "$schema"
expect_eq "$("$ours" db-name ours.db)" "Open_vSwitch" "db-name"
expect_eq "$("$ours" db-version ours.db)" "$("$ours" schema-version "$schema")" "db-version"
populate "$ours" ours.db
out=$("$ours" query ours.db "$query")
grep -q '"next_cfg":1' <<< "$out" || fail "mutate not applied: $out"
grep -q '\["hostname","h1"\]' <<< "$out" || fail "map insert not applied: $out"
err=$("$ours" query ours.db '["Open_vSwitch",{"op":"insert","table":"Bridge","row":{"name":"x"}}]')
grep -q 'not allowed' <<< "$err" || fail "query must be read-only: $err"
err=$("$ours" create ours.db "$schema" 2>&1 || true)
expect_eq "$err" "ovsdb-tool: I/O error: ours.db: create failed (File exists)" "create twice"
out=$("$ours" show-log -mm ours.db)
grep -q 'table Bridge insert row "br0"' <<< "$out" || fail "show-log -mm"
cp ours.db compacted.db
"$ours" compact compacted.db
expect_eq "$("$ours" query compacted.db "$query" | normalize)" "$("$ours" query ours.db "$query" | normalize)" "compact"
expect_eq "$("$ours" needs-conversion ours.db "$schema")" "no" "needs-conversion"
# Deleting the bridge's last reference garbage-collects Port and Interface.
"$ours" transact ours.db '["Open_vSwitch",{"op":"update","table":"Open_vSwitch","where":[],"row":{"bridges":["set",[]]}}]' > /dev/null
out=$("$ours" query ours.db '["Open_vSwitch",{"op":"select","table":"Interface","where":[]}]')
expect_eq "$out" '[{"rows":[]}]' "garbage collection"

if [ ! -x "$stock" ]; then
  echo "stock ovsdb-tool not installed: interoperability checks skipped"
  exit 0
fi

# 2. Stock ovsdb-tool reads a file we wrote.
"$ours" create ours2.db "$schema"
populate "$ours" ours2.db
expect_eq "$("$stock" db-name ours2.db)" "Open_vSwitch" "stock db-name"
expect_eq "$("$stock" db-version ours2.db)" "$("$ours" db-version ours2.db)" "stock db-version"
expect_eq "$("$stock" db-cksum ours2.db)" "$("$ours" db-cksum ours2.db)" "stock db-cksum"
expect_eq "$("$stock" needs-conversion ours2.db /usr/share/openvswitch/vswitch.ovsschema)" "no" \
  "stock needs-conversion"
expect_eq "$("$stock" show-log ours2.db)" "$("$ours" show-log ours2.db)" "show-log"
expect_eq "$("$stock" show-log -mm ours2.db | sort)" "$("$ours" show-log -mm ours2.db | sort)" \
  "show-log -mm"
expect_eq "$("$stock" query ours2.db "$query" | normalize)" \
  "$("$ours" query ours2.db "$query" | normalize)" "stock query of our file"

# 3. Our tool reads a file stock wrote.
"$stock" create stock.db /usr/share/openvswitch/vswitch.ovsschema
populate "$stock" stock.db
expect_eq "$("$ours" db-name stock.db)" "Open_vSwitch" "our db-name"
expect_eq "$("$ours" query stock.db "$query" | normalize)" \
  "$("$stock" query stock.db "$query" | normalize)" "our query of stock file"
expect_eq "$("$ours" show-log -mm stock.db | sort)" "$("$stock" show-log -mm stock.db | sort)" \
  "our show-log of stock file"

# 4. Mixed writers: stock appends to our file and we append to stock's.
populate "$stock" ours2.db
populate "$ours" stock.db
expect_eq "$("$ours" query ours2.db "$query" | normalize)" \
  "$("$stock" query ours2.db "$query" | normalize)" "mixed writers (ours2.db)"
expect_eq "$("$ours" query stock.db "$query" | normalize)" \
  "$("$stock" query stock.db "$query" | normalize)" "mixed writers (stock.db)"
# Compaction by either tool keeps the data the other sees.
"$ours" compact stock.db
"$stock" compact ours2.db
expect_eq "$("$stock" query stock.db "$query" | normalize)" \
  "$("$ours" query stock.db "$query" | normalize)" "stock reads our compaction"
expect_eq "$("$ours" query ours2.db "$query" | normalize)" \
  "$("$stock" query ours2.db "$query" | normalize)" "we read stock's compaction"

# 5. Conversion to a changed schema (a column dropped, one added, one
# widened), by each tool, read by the other.
python3 - "$schema" new.ovsschema <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
s["version"] = "8.4.0"
bridge = s["tables"]["Bridge"]["columns"]
del bridge["datapath_version"]
bridge["x"] = {"type": {"key": "integer", "min": 0, "max": 1}}
s["tables"]["Interface"]["columns"]["mtu_request"]["type"]["max"] = "unlimited"
json.dump(s, open(sys.argv[2], "w"), indent=1)
PY
"$ours" transact stock.db '["Open_vSwitch",
  {"op":"update","table":"Bridge","where":[],"row":{"datapath_version":"v1"}},
  {"op":"update","table":"Interface","where":[],"row":{"mtu_request":1400}}]' > /dev/null
expect_eq "$("$ours" needs-conversion stock.db new.ovsschema)" "yes" "needs-conversion (new)"
"$ours" convert stock.db new.ovsschema conv-ours.db
"$stock" convert stock.db new.ovsschema conv-stock.db
convq='["Open_vSwitch",
  {"op":"select","table":"Interface","where":[],"columns":["name","mtu_request"]},
  {"op":"select","table":"Bridge","where":[],"columns":["name","x","ports"]}]'
expect_eq "$("$stock" query conv-ours.db "$convq" | normalize)" \
  "$("$ours" query conv-stock.db "$convq" | normalize)" "convert"
out=$("$ours" query conv-ours.db "$convq")
grep -q '"mtu_request":1400' <<< "$out" || fail "converted value lost"
expect_eq "$("$stock" db-version conv-ours.db)" "8.4.0" "converted version"
expect_eq "$("$stock" needs-conversion conv-ours.db new.ovsschema)" "no" "converted schema"

echo "PASS"
