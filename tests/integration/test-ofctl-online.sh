#!/bin/bash
# ovs-ofctl's switch-talking commands, compared byte for byte with stock
# ovs-ofctl against the same switch.  The switch is stock ovs-vswitchd with
# the dummy datapath unless GREBE_OFCTL_SWITCH=grebe (then Grebe's
# ovs-vswitchd from $GREBE_BIN).  The reference client is $OFCTL_REF
# (default /usr/bin/ovs-ofctl).
set -u
BIN=${GREBE_BIN:?GREBE_BIN not set}
OFCTL=$BIN/ovs-ofctl
REF=${OFCTL_REF:-/usr/bin/ovs-ofctl}
[ -x "$OFCTL" ] || { echo "no $OFCTL"; exit 77; }
[ -x "$REF" ] || { echo "no reference ovs-ofctl"; exit 77; }
case "${GREBE_OFCTL_SWITCH:-stock}" in
  grebe) VSWITCHD=$BIN/ovs-vswitchd; OVSDB_SERVER=$BIN/ovsdb-server; VSCTL=$BIN/ovs-vsctl ;;
  *) VSWITCHD=/usr/sbin/ovs-vswitchd; OVSDB_SERVER=/usr/sbin/ovsdb-server; VSCTL=/usr/bin/ovs-vsctl ;;
esac
for p in "$VSWITCHD" "$OVSDB_SERVER" "$VSCTL"; do [ -x "$p" ] || { echo "no $p"; exit 77; }; done
SCHEMA=/usr/share/openvswitch/vswitch.ovsschema
[ -f "$SCHEMA" ] || { echo "no schema"; exit 77; }

DIR=$(mktemp -d /tmp/grebe-ofctl-online.XXXXXX)
export OVS_RUNDIR=$DIR OVS_LOGDIR=$DIR OVS_DBDIR=$DIR OVS_SYSCONFDIR=$DIR
cleanup() {
  for pf in "$DIR"/ovs-vswitchd.pid "$DIR"/ovsdb-server.pid; do
    [ -f "$pf" ] && kill "$(cat "$pf")" 2>/dev/null
  done
  sleep 0.2
  rm -rf "$DIR"
}
trap cleanup EXIT
cd "$DIR" || exit 1

ovsdb-tool create conf.db "$SCHEMA" >/dev/null || exit 77
"$OVSDB_SERVER" conf.db --remote=punix:"$DIR"/db.sock --pidfile --detach --no-chdir --log-file \
  || { echo "ovsdb-server failed"; exit 77; }
"$VSCTL" --db=unix:"$DIR"/db.sock --no-wait init || exit 1
"$VSWITCHD" --enable-dummy --disable-system --pidfile --detach --no-chdir --log-file \
  unix:"$DIR"/db.sock || { echo "ovs-vswitchd failed"; exit 77; }
"$VSCTL" --db=unix:"$DIR"/db.sock --timeout=10 add-br br0 -- set bridge br0 datapath-type=dummy \
  fail-mode=secure other-config:datapath-id=fedcba9876543210 \
  -- add-port br0 p1 -- set interface p1 type=dummy ofport_request=1 \
  -- add-port br0 p2 -- set interface p2 type=dummy ofport_request=2 || exit 1

FAILS=0
# Normalizes what differs between two runs: durations, ages, xids.
norm() {
  sed -e 's/duration=[0-9.]*s/duration=?s/g' -e 's/idle_age=[0-9]*/idle_age=?/g' \
      -e 's/hard_age=[0-9]*/hard_age=?/g' -e 's/(xid=0x[0-9a-f]*)/(xid=?)/g' \
      -e 's/duration_sec=[0-9]*/duration_sec=?/g' -e 's/duration:[0-9.]*s/duration:?s/g'
}
# same NAME ARGS...: both tools' stdout, stderr and exit status must match.
same() {
  local name=$1; shift
  "$REF" "$@" >ref.out 2>ref.err; local rs=$?
  "$OFCTL" "$@" >got.out 2>got.err; local gs=$?
  norm <ref.out >ref.n; norm <got.out >got.n
  if ! cmp -s ref.n got.n || [ $rs != $gs ]; then
    echo "FAIL $name: ovs-ofctl $* (exit ref=$rs got=$gs)"; diff ref.n got.n | head -20
    FAILS=$((FAILS + 1))
  elif ! norm <ref.err | cmp -s - <(norm <got.err); then
    echo "FAIL $name (stderr): ovs-ofctl $*"; diff ref.err got.err | head -10
    FAILS=$((FAILS + 1))
  fi
}
# same_sorted NAME ARGS...: as same, but line order is free (diff-flows
# walks OVS's classifier, whose order within a priority is a hash order).
same_sorted() {
  local name=$1; shift
  "$REF" "$@" 2>ref.err | sort >ref.out; local rs=${PIPESTATUS[0]}
  "$OFCTL" "$@" 2>got.err | sort >got.out; local gs=${PIPESTATUS[0]}
  if ! cmp -s ref.out got.out || [ $rs != $gs ] || ! cmp -s ref.err got.err; then
    echo "FAIL $name: ovs-ofctl $* (exit ref=$rs got=$gs)"; diff ref.out got.out | head -20
    diff ref.err got.err | head -5
    FAILS=$((FAILS + 1))
  fi
}
# mutate NAME ARGS...: runs the change with Grebe's tool, then checks that
# the switch's flow table equals the one stock ovs-ofctl produces from the
# same starting point (del-flows first, then SETUP flows, then ARGS).
SETUP="table=0,priority=10,ip,nw_dst=10.0.0.1,actions=output:2
priority=5,in_port=1,actions=output:2
table=1,priority=7,tcp,tp_dst=80,actions=drop
cookie=0x10,priority=3,dl_vlan=5,actions=strip_vlan,output:1"
# DUMP (default: the flow table) is what is compared afterwards.
reset_switch() {
  "$REF" del-flows br0; echo "$SETUP" | "$REF" add-flows br0 -
  "$REF" -O OpenFlow13 del-groups br0; "$REF" -O OpenFlow13 del-meters br0
  "$REF" -O OpenFlow13 add-group br0 group_id=7,type=all,bucket=output:1
  "$REF" -O OpenFlow13 add-meter br0 meter=3,kbps,band=type=drop,rate=100
  case "${DUMP:-}" in
    dump-ports-desc*)
      for pc in "p1 up" "p2 up" "p2 receive" "p2 flood"; do "$REF" mod-port br0 $pc; done ;;
  esac
}
dump_state() {
  if [ -n "${DUMP:-}" ]; then "$REF" $DUMP; else "$REF" --no-stats --sort dump-flows br0; fi
}
mutate() {
  local name=$1; shift
  reset_switch
  "$REF" "$@" >/dev/null 2>ref.err; local rs=$?
  dump_state >ref.out
  reset_switch
  "$OFCTL" "$@" >/dev/null 2>got.err; local gs=$?
  dump_state >got.out
  norm <ref.err >ref.en; norm <got.err >got.en
  if ! cmp -s ref.out got.out || [ $rs != $gs ] || ! cmp -s ref.en got.en; then
    echo "FAIL $name: ovs-ofctl $* (exit ref=$rs got=$gs)"
    diff ref.out got.out | head -20; diff ref.en got.en | head -5
    FAILS=$((FAILS + 1))
  fi
}

same show show br0
same show13 -O OpenFlow13 show br0
same show14 -O OpenFlow14 show br0
same dump-desc dump-desc br0
same dump-ports-desc dump-ports-desc br0
same dump-ports-desc13 -O OpenFlow13 dump-ports-desc br0
same probe probe br0
same nobridge show nosuchbr
same dump-empty dump-flows br0

"$REF" del-flows br0; echo "$SETUP" | "$REF" add-flows br0 -
same dump dump-flows br0
same dump-nostats --no-stats dump-flows br0
same dump-sort --sort dump-flows br0
same dump-rsort --rsort dump-flows br0
same dump-table dump-flows br0 table=1
same dump-match dump-flows br0 ip
same dump-match-nostats --no-stats dump-flows br0 in_port=1
same dump-cookie dump-flows br0 cookie=0x10/-1
same dump13 -O OpenFlow13 dump-flows br0
same dump13-nostats -O OpenFlow13 --no-stats dump-flows br0
same dump13-table -O OpenFlow13 dump-flows br0 table=1
same dump-badmatch dump-flows br0 foo=bar

mutate add add-flow br0 "priority=9,udp,actions=output:1"
mutate add-reg add-flow br0 "priority=9,reg0=5,actions=output:1"
mutate add13 -O OpenFlow13 add-flow br0 "table=2,priority=9,udp,actions=output:1"
mutate add-bad -O OpenFlow13 add-flow br0 "priority=1,actions=group:5"
mutate mod mod-flows br0 "in_port=1,actions=drop"
mutate mod13 -O OpenFlow13 mod-flows br0 "in_port=1,actions=drop"
mutate mod14 -O OpenFlow14 mod-flows br0 "in_port=1,actions=drop"
mutate mod-strict --strict mod-flows br0 "priority=5,in_port=1,actions=drop"
mutate del-all del-flows br0
mutate del-match del-flows br0 ip
mutate del-table del-flows br0 table=1
mutate del-strict --strict del-flows br0 "priority=5,in_port=1"
mutate del-strict-miss --strict del-flows br0 "in_port=1"
printf 'priority=1,arp,actions=normal\n# comment\n\npriority=2,icmp,actions=drop\n' >flows.txt
mutate add-flows add-flows br0 flows.txt
mutate add-flows-missing add-flows br0 nosuchfile

same agg dump-aggregate br0
same agg-match dump-aggregate br0 ip
same agg13 -O OpenFlow13 dump-aggregate br0 table=1

DUMP="-O OpenFlow13 dump-groups br0"
mutate add-group -O OpenFlow13 add-group br0 "group_id=1,type=select,bucket=output:1,bucket=output:2"
mutate add-group-dup -O OpenFlow13 add-group br0 "group_id=7,type=all,bucket=output:2"
mutate mod-group -O OpenFlow13 mod-group br0 "group_id=7,type=all,bucket=output:2"
mutate del-groups -O OpenFlow13 del-groups br0
mutate del-group -O OpenFlow13 del-groups br0 group_id=7
printf 'group_id=4,type=indirect,bucket=output:1\ngroup_id=5,type=all,bucket=output:2\n' >groups.txt
mutate add-groups -O OpenFlow13 add-groups br0 groups.txt
DUMP="-O OpenFlow13 dump-meters br0"
mutate add-meter -O OpenFlow13 add-meter br0 "meter=1,pktps,burst,band=type=drop,rate=10,burst_size=5"
mutate add-meter-of10 add-meter br0 "meter=1,pktps,band=type=drop,rate=10"
mutate mod-meter -O OpenFlow13 mod-meter br0 "meter=3,kbps,band=type=drop,rate=200"
mutate del-meters -O OpenFlow13 del-meters br0
mutate del-meter -O OpenFlow13 del-meter br0 meter=3
DUMP="dump-ports-desc br0"
mutate port-down mod-port br0 p1 down
mutate port-down13 -O OpenFlow13 mod-port br0 2 no-receive
mutate port-flood mod-port br0 p2 noflood
mutate port-badcmd mod-port br0 p1 sideways
mutate port-missing mod-port br0 p9 up
unset DUMP

# Bundles (OF1.4, and OF1.3's ONF extension): all or nothing.
mutate bundle-add --bundle add-flow br0 "priority=9,udp,actions=output:1"
mutate bundle-bad --bundle add-flow br0 "priority=1,actions=group:5"
mutate bundle13-bad -O OpenFlow13 --bundle add-flow br0 "priority=1,actions=group:5"
printf 'priority=1,arp,actions=normal\npriority=2,icmp,actions=group:99\n' >badflows.txt
mutate bundle-flows-bad --bundle add-flows br0 badflows.txt
mutate bundle-flows --bundle add-flows br0 flows.txt
mutate bundle-del --bundle del-flows br0 ip
mutate bundle-of10 -O OpenFlow10 --bundle mod-flows br0 "in_port=1,actions=drop"
# replace-flows / diff-flows against a file that adds, changes, keeps and
# drops flows in several tables.
printf '%s\n' "priority=5,in_port=1,actions=output:1" "udp,actions=drop" \
  "cookie=0x10,priority=3,dl_vlan=5,actions=strip_vlan,output:1" "table=2,priority=1,actions=drop" \
  "# comment" "" "table=1,priority=7,tcp,tp_dst=80,actions=drop" >replace.txt
mutate replace replace-flows br0 replace.txt
mutate replace13 -O OpenFlow13 replace-flows br0 replace.txt
mutate replace-bundle --bundle replace-flows br0 replace.txt
mutate replace-missing replace-flows br0 nosuchfile
reset_switch
same_sorted diff-sw-file diff-flows br0 replace.txt
same_sorted diff-file-sw diff-flows replace.txt br0
same_sorted diff13 -O OpenFlow13 diff-flows br0 replace.txt
same_sorted diff-same diff-flows br0 br0
same_sorted diff-files diff-flows replace.txt "$DIR/replace.txt"
same_sorted diff-missing diff-flows replace.txt nosuchfile
same_sorted diff-nobridge diff-flows nosuchbr replace.txt

# Statistics families, each version that has them.
reset_switch
"$REF" -O OpenFlow13 add-group br0 "group_id=8,type=select,bucket=weight=5,output:1,bucket=output:2"
"$REF" -O OpenFlow13 add-meter br0 "meter=4,pktps,burst,stats,band=type=drop,rate=10,burst_size=5"
for v in OpenFlow10 OpenFlow13 OpenFlow14 OpenFlow15; do
  same "tables-$v" -O $v dump-tables br0
  same "ports-$v" -O $v dump-ports br0
  same "ports1-$v" -O $v dump-ports br0 p1
  same "portlocal-$v" -O $v dump-ports br0 LOCAL
  same "portmissing-$v" -O $v dump-ports br0 p9
  same "queues-$v" -O $v queue-stats br0
  same "queue-$v" -O $v queue-stats br0 1 5
  same "meters-$v" -O $v dump-meters br0
  same "meter-$v" -O $v dump-meters br0 meter=3
  same "meterstats-$v" -O $v meter-stats br0
  same "meterfeat-$v" -O $v meter-features br0
done
for v in OpenFlow11 OpenFlow12 OpenFlow13 OpenFlow14; do
  same "groups-$v" -O $v dump-groups br0
  same "groupstats-$v" -O $v dump-group-stats br0
  same "groupstat7-$v" -O $v dump-group-stats br0 group_id=7
done
for v in OpenFlow12 OpenFlow13 OpenFlow14 OpenFlow15; do
  same "groupfeat-$v" -O $v dump-group-features br0
done
same meterstats-bad -O OpenFlow13 meter-stats br0 3

if [ $FAILS -ne 0 ]; then echo "$FAILS failures"; exit 1; fi
echo "all ovs-ofctl online comparisons passed"
exit 0
