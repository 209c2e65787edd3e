#!/usr/bin/env bash
# Differential test: the same transactions run by stock ovsdb-tool and by
# ours on copies of one database must give the same replies (results,
# error tags, details) once UUIDs are masked, and leave the same contents.
set -euo pipefail

: "${GREBE_BIN:?}"
ours=$GREBE_BIN/ovsdb-tool
stock=/usr/bin/ovsdb-tool
stock_schema=/usr/share/openvswitch/vswitch.ovsschema
[ -x "$ours" ] || { echo "no $ours"; exit 77; }
[ -x "$stock" ] && [ -f "$stock_schema" ] || { echo "stock ovsdb-tool not installed"; exit 77; }

dir=$(mktemp -d /tmp/grebe-test-ovsdb-tool-diff.XXXXXX)
trap 'rm -rf "$dir"' EXIT
export OVS_RUNDIR=$dir OVS_LOGDIR=$dir OVS_DBDIR=$dir
cd "$dir"

mask() { sed -E 's/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/U/g'; }
# Row order is unspecified: sort each "rows" array.
sort_rows() {
  python3 -c '
import json, sys
reply = json.load(sys.stdin)
for r in reply:
    if isinstance(r, dict) and "rows" in r:
        r["rows"].sort(key=lambda row: json.dumps(row, sort_keys=True))
print(json.dumps(reply, sort_keys=True))'
}

"$stock" create stock.db "$stock_schema"
"$stock" transact stock.db '["Open_vSwitch",{"op":"insert","table":"Open_vSwitch","row":{"bridges":["named-uuid","br"]}},{"op":"insert","table":"Bridge","uuid-name":"br","row":{"name":"br0"}}]' > /dev/null
cp stock.db ours.db

failed=0
n=0
while IFS= read -r ops; do
  [ -n "$ops" ] || continue
  n=$((n + 1))
  txn="[\"Open_vSwitch\",$ops]"
  a=$("$stock" transact stock.db "$txn" 2>&1 | mask)
  b=$("$ours" transact ours.db "$txn" 2>&1 | mask)
  if [ "$a" != "$b" ]; then
    echo "case $n differs: $ops"
    echo "  stock: $a"
    echo "  ours:  $b"
    failed=1
  fi
done <<'CASES'
{"op":"insert","table":"Bridge","row":{"name":"x","fail_mode":"bogus"}}
{"op":"insert","table":"Bridge","row":{"name":"x","flood_vlans":["set",[1,5000]]}}
{"op":"insert","table":"Bridge","row":{"name":5}}
{"op":"insert","table":"Bridge","row":{"nme":"x"}}
{"op":"insert","table":"Bridgex","row":{}}
{"op":"insert","table":"Bridge"}
{"op":"insert","row":{}}
{"op":"select","table":"Bridge","where":[["name","<","x"]]}
{"op":"select","table":"Bridge","where":[["name","=","x"]]}
{"op":"select","table":"Bridge","where":[["nam","==","x"]]}
{"op":"select","table":"Bridge","where":[["name","=="]]}
{"op":"select","table":"Bridge","where":{}}
{"op":"mutate","table":"Bridge","where":[],"mutations":[["name","+=",1]]}
{"op":"mutate","table":"Open_vSwitch","where":[],"mutations":[["next_cfg","/=",0]]}
{"op":"mutate","table":"Open_vSwitch","where":[],"mutations":[["next_cfg","^=",0]]}
{"op":"mutate","table":"Open_vSwitch","where":[],"mutations":[["bridges","insert",["uuid","01234567-89ab-cdef-0123-456789abcdef"]]]}
{"op":"delete","table":"Bridge","where":[]}
{"op":"delete","table":"Open_vSwitch","where":[]},{"op":"insert","table":"Open_vSwitch","row":{}},{"op":"insert","table":"Open_vSwitch","row":{}}
{"op":"insert","table":"Open_vSwitch","row":{}}
{"op":"update","table":"Bridge","where":[],"row":{"_uuid":["uuid","01234567-89ab-cdef-0123-456789abcdef"]}}
{"op":"update","table":"Bridge","where":[],"row":{"name":"br1"}}
{"op":"insert","table":"Bridge","row":{"name":"br0"}},{"op":"mutate","table":"Open_vSwitch","where":[],"mutations":[["bridges","insert",["set",[["named-uuid","b"]]]]]}
{"op":"insert","table":"Bridge","row":{"name":"brX"},"uuid-name":"b"},{"op":"mutate","table":"Open_vSwitch","where":[],"mutations":[["bridges","insert",["set",[["named-uuid","b"]]]]]},{"op":"insert","table":"Bridge","row":{"name":"brX"},"uuid-name":"c"},{"op":"mutate","table":"Open_vSwitch","where":[],"mutations":[["bridges","insert",["set",[["named-uuid","c"]]]]]}
{"op":"wait","table":"Bridge","where":[],"until":"!=","rows":[],"timeout":0}
{"op":"wait","table":"Bridge","where":[],"until":"~","rows":[],"timeout":0}
{"op":"wait","table":"Bridge","where":[],"until":"==","rows":[],"timeout":-1}
{"op":"commit"}
{"op":"commit","durable":true}
{"op":"assert","lock":"x"}
{"op":"comment"}
{"op":"insert","table":"Bridge","row":{"name":"x"},"uuid":"bad"}
{"op":"insert","table":"Bridge","row":{"name":"x"},"uuid-name":"1x"}
{"op":"select","table":"Bridge","where":[],"columns":["name","name"]}
{"op":"select","table":"Bridge","where":[],"columns":["nope"]}
{"op":"insert","table":"Port","row":{"name":"p"}}
{"op":"insert","table":"Controller","row":{"target":"tcp:1.2.3.4","inactivity_probe":-5}}
{"op":"insert","table":"Interface","row":{"name":"i","ofport_request":70000}}
{"op":"mutate","table":"Bridge","where":[],"mutations":[["external_ids","delete",["set",["a"]]],["external_ids","insert",["map",[["a","b"]]]]]}
{"op":"mutate","table":"Bridge","where":[],"mutations":[["flood_vlans","insert",["set",[1,2,3]]],["flood_vlans","*=",2]]}
{"op":"select","table":"Bridge","where":[["flood_vlans","includes",2]],"columns":["flood_vlans"]}
{"op":"select","table":"Bridge","where":[true,["_uuid","!=",["uuid","01234567-89ab-cdef-0123-456789abcdef"]]],"columns":["name"]}
{"op":"mutate","table":"Bridge","where":[],"mutations":[["flood_vlans","+=",4094]]}
{"op":"mutate","table":"Bridge","where":[],"mutations":[["flood_vlans","delete",["set",[2,4,6]]],["flood_vlans","+=",4094]]}
{"op":"insert","table":"Port","row":{"name":"p1","interfaces":["named-uuid","i1"]},"uuid-name":"p1"},{"op":"insert","table":"Interface","row":{"name":"i1"},"uuid-name":"i1"},{"op":"mutate","table":"Bridge","where":[["name","==","br0"]],"mutations":[["ports","insert",["named-uuid","p1"]]]}
{"op":"insert","table":"Mirror","row":{"name":"m","select_src_port":["named-uuid","p2"]},"uuid-name":"m"},{"op":"insert","table":"Port","row":{"name":"p2","interfaces":["named-uuid","i2"]},"uuid-name":"p2"},{"op":"insert","table":"Interface","row":{"name":"i2"},"uuid-name":"i2"},{"op":"mutate","table":"Bridge","where":[["name","==","br0"]],"mutations":[["ports","insert",["named-uuid","p2"]],["mirrors","insert",["named-uuid","m"]]]}
{"op":"select","table":"Mirror","where":[],"columns":["name","select_src_port"]}
{"op":"mutate","table":"Bridge","where":[["name","==","br0"]],"mutations":[["ports","delete",["set",[]]]]}
{"op":"delete","table":"Port","where":[["name","==","p2"]]}
{"op":"update","table":"Bridge","where":[],"row":{"ports":["set",[]]}}
{"op":"select","table":"Mirror","where":[],"columns":["name","select_src_port"]}
{"op":"select","table":"Port","where":[],"columns":["name"]}
{"op":"insert","table":"Bridge","row":{"name":"dup"},"uuid-name":"a"},{"op":"insert","table":"Bridge","row":{"name":"dup"},"uuid-name":"b"},{"op":"mutate","table":"Open_vSwitch","where":[],"mutations":[["bridges","insert",["set",[["named-uuid","a"],["named-uuid","b"]]]]]}
{"op":"insert","table":"Flow_Sample_Collector_Set","row":{"id":1,"bridge":["uuid","01234567-89ab-cdef-0123-456789abcdef"]}}
{"op":"insert","table":"Manager","row":{"target":"ptcp:6640"}}
{"op":"select","table":"Manager","where":[]}
{"op":"insert","table":"SSL","row":{"private_key":"a","certificate":"b","ca_cert":"c"},"uuid-name":"s"},{"op":"update","table":"Open_vSwitch","where":[],"row":{"ssl":["named-uuid","s"]}}
{"op":"insert","table":"SSL","row":{"private_key":"a","certificate":"b","ca_cert":"c"},"uuid-name":"s"},{"op":"insert","table":"SSL","row":{"private_key":"a","certificate":"b","ca_cert":"c"},"uuid-name":"t"},{"op":"update","table":"Open_vSwitch","where":[],"row":{"ssl":["named-uuid","s"]}}
{"op":"select","table":"Bridge","where":[["name","==","br0"]],"columns":["name","ports","mirrors"]}
{"op":"insert","table":"QoS","row":{"type":"linux-htb","queues":["map",[[1,["named-uuid","q"]]]]}},{"op":"insert","table":"Queue","row":{"dscp":70},"uuid-name":"q"}
{"op":"insert","table":"QoS","row":{"type":"linux-htb","queues":["map",[[1,["named-uuid","q"]]]]}},{"op":"insert","table":"Queue","row":{"dscp":7},"uuid-name":"q"}
{"op":"select","table":"QoS","where":[],"columns":["type"]},{"op":"select","table":"Queue","where":[],"columns":["dscp"]}
{"op":"insert","table":"Bridge","row":{"name":"u1"},"uuid":"01234567-89ab-cdef-0123-456789abcdef","uuid-name":"u"},{"op":"mutate","table":"Open_vSwitch","where":[],"mutations":[["bridges","insert",["named-uuid","u"]]]}
{"op":"insert","table":"Bridge","row":{"name":"u2"},"uuid":"01234567-89ab-cdef-0123-456789abcdef"}
{"op":"mutate","table":"Bridge","where":[["name","==","u1"]],"mutations":[["external_ids","insert",["map",[["a","1"],["b","2"],["c","3"]]]]]}
{"op":"mutate","table":"Bridge","where":[["name","==","u1"]],"mutations":[["external_ids","delete",["map",[["a","9"],["b","2"]]]]]}
{"op":"select","table":"Bridge","where":[["external_ids","includes",["map",[["a","1"]]]]],"columns":["name","external_ids"]}
{"op":"select","table":"Bridge","where":[["external_ids","excludes",["map",[["c","3"]]]]],"columns":["name"]}
{"op":"select","table":"Bridge","where":[["external_ids","==",["map",[["a","1"],["c","3"]]]]],"columns":["name"]}
{"op":"mutate","table":"Bridge","where":[],"mutations":[["external_ids","insert",["map",[["a","1"],["a","2"]]]]]}
{"op":"wait","table":"Bridge","where":[["name","==","u1"]],"columns":["name"],"until":"!=","rows":[{"name":"u1"}],"timeout":0}
{"op":"wait","table":"Bridge","where":[["name","==","u1"]],"columns":["name"],"until":"==","rows":[{"name":"u1"}],"timeout":0}
{"op":"wait","table":"Bridge","where":[],"columns":["name"],"until":"==","rows":[{"nam":"u1"}],"timeout":0}
{"op":"update","table":"Bridge","where":[["name","==","u1"]],"row":{"name":"u1"}}
{"op":"insert","table":"Interface","row":{"name":"i9","ofport_request":5}},{"op":"mutate","table":"Interface","where":[["name","==","i9"]],"mutations":[["ofport_request","+=",70000]]}
{"op":"select","table":"Interface","where":[["ofport_request","<",5]]}
{"op":"insert","table":"Bridge","row":{"name":"x","_uuid":["uuid","01234567-89ab-cdef-0123-456789abcdee"]}}
{"op":"insert","table":"Bridge","row":{"name":"x","_version":["uuid","01234567-89ab-cdef-0123-456789abcdee"]}}
{"op":"mutate","table":"Open_vSwitch","where":[],"mutations":[["next_cfg","+=",9223372036854775807],["next_cfg","+=",9223372036854775807]]}
{"op":"mutate","table":"Open_vSwitch","where":[],"mutations":[["next_cfg","+=",9223372036854775808]]}
{"op":"mutate","table":"Bridge","where":[["name","==","u1"]],"mutations":[["external_ids","insert",["map",[["k\u00e9y","v\n\"q\""]]]]]},{"op":"select","table":"Bridge","where":[["name","==","u1"]],"columns":["external_ids"]}
{"op":"select","table":"Bridge","where":[["name","includes","u1"]],"columns":["name"]}
{"op":"select","table":"Bridge","where":[["name","excludes","u1"]],"columns":["name"]}
{"op":"select","table":"Bridge","where":[["flood_vlans","<",3]]}
{"op":"mutate","table":"Bridge","where":[],"mutations":[["external_ids","+=",1]]}
{"op":"mutate","table":"Bridge","where":[],"mutations":[["name","insert","x"]]}
{"op":"mutate","table":"Bridge","where":[],"mutations":[["external_ids","delete",["set",[1]]]]}
{"op":"select","table":"Bridge","where":[["name","==","u1"]],"columns":["name"],"sort":["name"]}
{"op":"insert","table":"Bridge","row":{"name":"x"},"uuid-name":"b"},{"op":"insert","table":"Bridge","row":{"name":"y","mirrors":["named-uuid","b"]}}
{"op":"delete","table":"Bridge","where":[["name","==","u1"]]}
{"op":"mutate","table":"Open_vSwitch","where":[],"mutations":[["bridges","delete",["uuid","01234567-89ab-cdef-0123-456789abcdef"]]]}
{"op":"select","table":"Bridge","where":[],"columns":["name"]}
{"op":"comment","comment":"only a comment"}
{"op":"select","table":"Bridge","where":[],"columns":[]}
{"op":"select","table":"Bridge","where":[["_version","!=",["uuid","01234567-89ab-cdef-0123-456789abcdef"]]],"columns":["name"]}
{"op":"mutate","table":"Open_vSwitch","where":[],"mutations":[["next_cfg","+=",2.0]]},{"op":"select","table":"Open_vSwitch","where":[["next_cfg",">",1e0]],"columns":["next_cfg"]}
{"op":"mutate","table":"Open_vSwitch","where":[],"mutations":[["next_cfg","+=",2.5]]}
{"op":"wait","table":"Bridge","where":[],"until":"==","rows":[],"timeout":0.0}
{"op":"mutate","table":"Open_vSwitch","where":[],"mutations":[["next_cfg","+=",-0.0]]}
{"op":"mutate","table":"Open_vSwitch","where":[],"mutations":[["next_cfg","+=",1e300]]}
CASES

# Both databases now hold the same data (UUIDs aside).
dump='["Open_vSwitch",
  {"op":"select","table":"Bridge","where":[],"columns":["name","flood_vlans","external_ids","ports","mirrors"]},
  {"op":"select","table":"Port","where":[],"columns":["name"]},
  {"op":"select","table":"Mirror","where":[],"columns":["name","select_src_port"]},
  {"op":"select","table":"Open_vSwitch","where":[],"columns":["next_cfg","ssl","bridges"]},
  {"op":"select","table":"QoS","where":[],"columns":["type","queues"]}]'
a=$("$stock" query stock.db "$dump" | mask | sort_rows)
b=$("$ours" query ours.db "$dump" | mask | sort_rows)
if [ "$a" != "$b" ]; then
  echo "final contents differ"; echo "  stock: $a"; echo "  ours:  $b"; failed=1
fi
# Schema validation: the same errors (or names) for good and bad schemas.
n_schemas=0
while IFS= read -r schema_text; do
  [ -n "$schema_text" ] || continue
  n_schemas=$((n_schemas + 1))
  printf '%s\n' "$schema_text" > case.ovsschema
  a=$("$stock" schema-name case.ovsschema 2>&1 || true)
  b=$("$ours" schema-name case.ovsschema 2>&1 || true)
  if [ "$a" != "$b" ]; then
    echo "schema case $n_schemas differs: $schema_text"
    echo "  stock: $a"
    echo "  ours:  $b"
    failed=1
  fi
done <<'SCHEMAS'
{"name":"x","tables":{"T":{"columns":{"a":{"type":{"key":{"type":"string","enum":["set",["a",1]]}}}}}}}
{"name":"x","tables":{"T":{"columns":{"a":{"type":{"key":{"type":"string","enum":"a"}}}}}}}
{"name":"x","tables":{"T":{"columns":{"a":{"type":{"key":{"type":"integer","enum":["set",[1,2]],"minInteger":0}}}}}}}
{"name":"x","tables":{"T":{"columns":{"a":{"type":{"key":{"type":"string","minLength":-1}}}}}}}
{"name":"x","tables":{"T":{"columns":{"a":{"type":{"key":{"type":"string","minLength":5,"maxLength":2}}}}}}}
{"name":"x","tables":{"T":{"columns":{"a":{"type":{"key":{"type":"real","minReal":5,"maxReal":2}}}}}}}
{"name":"x","tables":{"T":{"columns":{"a":{"type":{"key":{"type":"uuid","refType":"weak"}}}}}}}
{"name":"x","tables":{"T":{"columns":{"a":{"type":{"key":"integer","min":0,"max":0}}}}}}
{"name":"x","tables":{"T":{"columns":{"a":{"type":{"key":"integer","max":"lots"}}}}}}
{"name":"x","tables":{"T":{"columns":{"a":{"type":{"value":"integer"}}}}}}
{"name":"x","tables":{"T":{"columns":{"a":{"type":{"key":"void"}}}}}}
{"name":"x","tables":{"T":{"columns":{"a":{"type":5}}}}}
{"name":"x","tables":{"T":{"columns":{"a":{"typ":"integer"}}}}}
{"name":"x","tables":{"T":{"columns":{"a b":{"type":"integer"}}}}}
{"name":"x","tables":{"T":{"columns":{"_a":{"type":"integer"}}}}}
{"name":"x","tables":{"T":[]}}
{"name":"x","tables":[]}
{"name":"1x","tables":{}}
{"name":"x","version":"1.2.3.4","tables":{}}
{"name":"x","version":5,"tables":{}}
{"name":"x","cksum":5,"tables":{}}
{"name":"x","tables":{"T":{"columns":{"a":{"type":"integer"}},"indexes":[[]]}}}
{"name":"x","tables":{"T":{"columns":{"a":{"type":"integer"}},"indexes":[["a","a"]]}}}
{"name":"x","tables":{"T":{"columns":{"a":{"type":"integer"}},"indexes":["a"]}}}
{"name":"x","tables":{"T":{"columns":{"a":{"type":"integer"}},"indexes":[["_uuid"]]}}}
{"name":"x","tables":{"T":{"columns":{"a":{"type":"integer"}},"maxRows":5000000000}}}
{"name":"x","tables":{"T":{"columns":{"a":{"type":"integer"}},"isRoot":1}}}
{"name":"x","tables":{"T":{"columns":{"a":{"type":{"key":{"type":"uuid","refTable":"T"},"value":{"type":"uuid","refTable":"Q"}}}}}}}
{"name":"x","tables":{"T":{"columns":{"a":{"type":{"key":{"type":"string","enum":["set",["b","a","b"]]}}}}}}}
{"name":"x","tables":{"T":{"columns":{"a":{"type":{"key":{"type":"integer","maxInteger":5.5}}}}}}}
{"name":"x","tables":{"T":{"columns":{"a":{"type":"integer","mutable":"no"}}}}}
{"name":"x","tables":{"T":{"columns":{"a":{"type":{"key":"integer","min":1,"max":"unlimited"}}}}}}
[1]
{"name":"x","tables":{"T":{"columns":{"a":{"type":{"key":"integer","min":0.0,"max":2e0}}},"maxRows":1.0}}}
SCHEMAS

[ $failed -eq 0 ] || exit 1
echo "PASS ($n transactions, $n_schemas schemas)"
