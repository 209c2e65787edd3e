#!/usr/bin/env bash
# System test (root): TCP between two network namespaces linked through two
# veth pairs and a userspace forwarder (AF_PACKET in, lib/netdev offload
# handling, AF_PACKET out) with the kernel's default offloads left ON --
# both passing TSO super-frames through and segmenting them in software --
# plus the internal/tap providers and rtnetlink link monitoring.  The
# scenarios live in the unit_netdev gtest binary (they create and delete
# their own namespaces); this script runs them as a system test.
set -u
BUILD=${GREBE_BUILD:-$(cd "$(dirname "$0")/../.." && pwd)/build}
BIN=$BUILD/tests/unit_netdev
[ "$(id -u)" = 0 ] || { echo "skip: needs root"; exit 77; }
[ -x "$BIN" ] || { echo "skip: $BIN not built"; exit 77; }
ip netns add grebe-probe-$$ 2>/dev/null || { echo "skip: no network namespaces"; exit 77; }
ip netns del grebe-probe-$$

DIR=$(mktemp -d /tmp/grebe-netdev-offload.XXXXXX)
export OVS_RUNDIR=$DIR OVS_LOGDIR=$DIR OVS_DBDIR=$DIR
trap 'rm -rf "$DIR"' EXIT

"$BIN" --gtest_filter='OffloadForwardTest.*:NetdevTapTest.*:LinkMonitorTest.*' \
  --gtest_brief=0 >"$DIR/out" 2>&1
rc=$?
cat "$DIR/out"
[ $rc = 0 ] || exit 1
# Every scenario must have run, not skipped.
if grep -q '\[  SKIPPED \]' "$DIR/out"; then
  echo "FAIL: scenarios skipped although root with netns"
  exit 1
fi
grep -q 'forwarder: vnet headers on, [1-9][0-9]* GSO frames' "$DIR/out" || {
  echo "note: no GSO frames seen (kernel without PACKET_VNET_HDR on rings?)"
}
exit 0
