#!/bin/sh
# check-symbols.sh LIBRARY HEADER...
#
# The library must export exactly the public API: the functions declared
# with one of the declaration macros of mmap-version-macros.h
# (MMAP_AVAILABLE_IN_ALL, MMAP_AVAILABLE_IN_x_y, MMAP_DEPRECATED_IN_x_y,
# MMAP_DEPRECATED_IN_x_y_FOR (f), MMAP_DEPRECATED, MMAP_DEPRECATED_FOR (f),
# MMAP_UNAVAILABLE (x, y)) in the installed headers (including the generated
# mmap-enum-types.h, and the _get_type function that G_DECLARE_*_TYPE
# declares). Prints TAP.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

set -eu

if [ $# -lt 2 ]; then
  echo "usage: $0 LIBRARY HEADER..." >&2
  exit 2
fi

lib=$1
shift

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Declared: split each header at a declaration macro, then take the name
# of what follows (a G_DECLARE_*_TYPE's second argument + _get_type, or the
# identifier before the first parenthesis).
for header in "$@"; do
  { tr '\n' ' ' < "$header"; echo; } \
    | sed -E 's/MMAP_(AVAILABLE_IN_[A-Z0-9_]+|DEPRECATED(_IN_[0-9]+_[0-9]+)?(_FOR *\([^)]*\))?|UNAVAILABLE *\([^)]*\))/\n@@/g' \
    | sed -n 's/^@@//p' \
    | sed -n -E \
        -e 's/^ *G_DECLARE_[A-Z_]+_TYPE *\( *[A-Za-z_0-9]+ *, *([a-z_0-9]+) *,.*/\1_get_type/p' \
        -e 't' \
        -e 's/^([^(;#]*[^A-Za-z_0-9(;#])?([a-z_][a-z_0-9]*) *\(.*/\2/p'
done | grep -E '^mmap_[a-z0-9_]+$' | sort -u > "$tmp/declared"

# Exported: every defined dynamic symbol that other objects can bind to
# (the linker lists the bounds of a section table as hidden ones).
readelf --dyn-syms -W "$lib" \
  | awk '$1 ~ /^[0-9]+:$/ && $7 != "UND" && ($6 == "DEFAULT" || $6 == "PROTECTED") \
         && $5 != "LOCAL" && $8 != "" { sub (/@.*/, "", $8); print $8 }' \
  | sort -u > "$tmp/exported"

n_declared=$(wc -l < "$tmp/declared")
missing=$(comm -23 "$tmp/declared" "$tmp/exported")
extra=$(comm -13 "$tmp/declared" "$tmp/exported")
status=0

echo "1..3"

# Guard against a parser that finds nothing (or too little) to compare.
if [ "$n_declared" -ge 40 ]; then
  echo "ok 1 - $n_declared public functions declared in the headers"
else
  echo "not ok 1 - only $n_declared public functions found in the headers"
  sed 's/^/# declared: /' "$tmp/declared"
  status=1
fi

if [ -z "$missing" ]; then
  echo "ok 2 - every declared function is exported"
else
  echo "not ok 2 - declared but not exported:"
  echo "$missing" | sed 's/^/#   /'
  status=1
fi

if [ -z "$extra" ]; then
  echo "ok 3 - nothing else is exported"
else
  echo "not ok 3 - exported but not declared with an MMAP_AVAILABLE_/MMAP_DEPRECATED_ macro:"
  echo "$extra" | sed 's/^/#   /'
  status=1
fi

exit $status
