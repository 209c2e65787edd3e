#!/usr/bin/env bash
# Fails if a lib/<module> source includes a header of a Grebe module that its
# grebe_library() DEPS do not list (see CMakeLists.txt).  Headers under
# include/grebe/<module>/ are checked the same way.
set -euo pipefail
src=$1 deps_dir=$2
bad=0
for depfile in "$deps_dir"/*.deps; do
  mod=$(basename "$depfile" .deps)
  allowed=" $mod $(tr ';' ' ' < "$depfile") "
  for dir in "$src/lib/$mod" "$src/include/grebe/$mod"; do
    [ -d "$dir" ] || continue
    while IFS=: read -r file used; do
      case "$allowed" in
        *" $used "*) ;;
        *) echo "layering: $file includes grebe/$used/ but module '$mod' does not depend on '$used'"
           bad=1 ;;
      esac
    done < <(grep -rHoE '#include "grebe/[a-z_]+/' "$dir" | sed -E 's@#include "grebe/([a-z_]+)/@\1@')
  done
done
if [ $bad -ne 0 ]; then exit 1; fi
echo "layering: ok ($(ls "$deps_dir"/*.deps | wc -l) modules)"
