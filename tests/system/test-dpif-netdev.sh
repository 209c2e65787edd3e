#!/usr/bin/env bash
# System test (root): the "netdev" datapath on veth ports between network
# namespaces, default offloads on -- ping with explicit flows, misses
# through a miniature handler (upcall -> put + execute), TCP with TSO
# super-frames passed through whole, two receive threads, a port deleted
# under traffic.  The scenarios live in the unit_dpif gtest binary
# (DpifNetdevSystemTest: they create and delete their own namespaces).
set -u
BUILD=${GREBE_BUILD:-$(cd "$(dirname "$0")/../.." && pwd)/build}
BIN=$BUILD/tests/unit_dpif
[ "$(id -u)" = 0 ] || { echo "skip: needs root"; exit 77; }
[ -x "$BIN" ] || { echo "skip: $BIN not built"; exit 77; }
ip netns add grebe-probe-$$ 2>/dev/null || { echo "skip: no network namespaces"; exit 77; }
ip netns del grebe-probe-$$

DIR=$(mktemp -d /tmp/grebe-dpif-netdev.XXXXXX)
trap 'rm -rf "$DIR"' EXIT
"$BIN" --gtest_filter='DpifNetdevSystemTest.*' --gtest_brief=0 >"$DIR/out" 2>&1
rc=$?
grep -v '|INFO|' "$DIR/out"
[ $rc = 0 ] || exit 1
if grep -q '\[  SKIPPED \]' "$DIR/out"; then
  echo "FAIL: scenarios skipped although root with netns"
  exit 1
fi
exit 0
