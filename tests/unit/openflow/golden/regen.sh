#!/usr/bin/env bash
# Regenerates the golden outputs from STOCK Open vSwitch ovs-ofctl.  Run by
# hand when a corpus changes (never at test time); commit the results.
#
# Each *.golden file holds one block per input line:
#   FLOW <input line>
#   OUT <stdout line>      (zero or more)
#   ERR <stderr line>      (log lines with timestamps dropped)
#   <blank line>
set -euo pipefail
cd "$(dirname "$0")"
for corpus in seed-flows extra-flows error-flows; do
  for v in OpenFlow10 OpenFlow11 OpenFlow13 OpenFlow15; do
    out=$corpus.$v.golden
    : > "$out"
    while IFS= read -r line; do
      [ -n "$line" ] || continue
      printf 'FLOW %s\n' "$line" >> "$out"
      stdout=$(ovs-ofctl -O "$v" parse-flow "$line" 2>/tmp/golden.err) || true
      [ -z "$stdout" ] || printf '%s\n' "$stdout" | sed 's/^/OUT /' >> "$out"
      grep -v '^[0-9]\{4\}-' /tmp/golden.err | sed 's/^/ERR /' >> "$out" || true
      echo >> "$out"
    done < "$corpus.txt"
  done
done

# Group specs through "parse-group".
for corpus in seed-groups extra-groups; do
  for v in OpenFlow10 OpenFlow11 OpenFlow13 OpenFlow15; do
    out=$corpus.$v.golden
    : > "$out"
    while IFS= read -r line; do
      [ -n "$line" ] || continue
      printf 'FLOW %s\n' "$line" >> "$out"
      stdout=$(ovs-ofctl -O "$v" parse-group "$line" 2>/tmp/golden.err) || true
      [ -z "$stdout" ] || printf '%s\n' "$stdout" | sed 's/^/OUT /' >> "$out"
      grep -v '^[0-9]\{4\}-' /tmp/golden.err | sed 's/^/ERR /' >> "$out" || true
      echo >> "$out"
    done < "$corpus.txt"
  done
done
