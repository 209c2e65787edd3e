#!/usr/bin/env bash
# Records STOCK ovs-ofctl's own wire encoding of every corpus flow (hex, via
# "-mmmmm parse-flow") together with the text stock prints for it, so unit
# tests can check our decoder on OVS-produced bytes.  Run by hand; commit
# the output (wire-flows.golden).  Format, one block per message:
#   HEX <bytes>
#   TEXT <ofp-print first line>
set -euo pipefail
cd "$(dirname "$0")"
out=wire-flows.golden
: > "$out"
for args in "-O OpenFlow10 -F OpenFlow10" "-O OpenFlow10 -F NXM" "-O OpenFlow13" "-O OpenFlow15"; do
  cat seed-flows.txt extra-flows.txt | while IFS= read -r line; do
    # shellcheck disable=SC2086
    text=$(ovs-ofctl -mmmmm $args parse-flow "$line" 2>/dev/null) || continue
    # shellcheck disable=SC2086
    msg=$(ovs-ofctl $args parse-flow "$line" 2>/dev/null | sed -n 3p)
    hex=$(printf '%s\n' "$text" | grep '^[0-9a-f]\{8\}  ' | cut -c11-58 | tr -d ' \n-')
    [ -n "$hex" ] || continue
    printf 'HEX %s\nTEXT %s\n' "$hex" "$msg" >> "$out"
  done
done
