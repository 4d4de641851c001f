#!/usr/bin/env bash
# tests/consumer/run.sh [SCRATCH]: the consumer project (tests/consumer/)
# built and run three ways, its output compared each time:
#
#  1. mmapobj as a meson subproject, default options: tests, examples,
#     benchmarks and docs are not built, and none of their tools is looked
#     for (the GIR and vapi are: they are what a vendoring project installs);
#  2. the same with -Dmmapobj:introspection=disabled -Dmmapobj:vapi=disabled
#     -Dmmapobj:docs=disabled -Dmmapobj:tests=false: nothing but the C
#     library;
#  3. against a copy of mmapobj installed into a scratch prefix, found by
#     pkg-config (PKG_CONFIG_PATH), with subprojects forbidden.
#
# The consumer is copied to SCRATCH (default: a new folder in /tmp) and
# its subprojects/mmapobj is a symbolic link to this source tree. Exits
# non-zero on any failure; SCRATCH is removed on success, kept on failure.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
scratch=${1:-$(mktemp -d /tmp/mmapobj-consumer.XXXXXX)}
mkdir -p "$scratch"
scratch=$(cd "$scratch" && pwd)

fail() {
  echo "consumer: FAIL: $*" >&2
  echo "consumer: logs kept in $scratch" >&2
  exit 1
}

printf 'first line\nsecond line, with a needle in it\nthird line\n' \
  > "$scratch/data.txt"
version=$(sed -n "s/^  version: '\(.*\)',$/\1/p" "$top/meson.build" | head -n 1)
expected="mmapobj-consumer built against mmapobj $version
length 55
needle at 31
line needle in it
access MMAP_ACCESS_READ
write_byte MMAP_ERROR_READ_ONLY"

# The project's copy, with or without subprojects/mmapobj.
make_copy() {
  rm -rf "$1"
  mkdir -p "$1"
  cp "$top"/tests/consumer/meson.build "$top"/tests/consumer/consumer.c "$1/"
}

# check_run BUILD: the program runs and prints what it must.
check_run() {
  local out
  out=$("$1"/mmapobj-consumer "$scratch/data.txt" needle) ||
    fail "$1/mmapobj-consumer failed"
  [ "$out" = "$expected" ] ||
    fail "$1/mmapobj-consumer printed:
$out
instead of:
$expected"
}

# Tools of the tests and docs that a subproject build must not look for.
test_tools='valgrind|gjs|gi-docgen|pytest|hypothesis|Vala compiler|valac|xxd|clang'

# no_tools BUILD PATTERN: none of the configure log's lookups (programs,
# dependencies, libraries, compilers) names one of PATTERN. Only lookup
# lines count: the log also holds temporary paths with random names.
no_tools() {
  if grep -E '^(Program|Run-time dependency|Dependency|Library|Found|Checking for|[A-Za-z]+ compiler for)' \
       "$1/meson-logs/meson-log.txt" | grep -E -i "$2" \
       > "$1/found-tools.txt"; then
    fail "$1 looked for: $(head -n 5 "$1/found-tools.txt")"
  fi
}

# no_tests BUILD: no test of mmapobj's is registered in the consumer.
no_tests() {
  [ "$(meson introspect --tests "$1")" = "[]" ] ||
    fail "$1 registers tests: $(meson introspect --tests "$1" | head -c 300)"
}

# 1. As a subproject, default options. Only the consumer's target is
# asked for: the dependency must bring the generated headers with it.
src=$scratch/sub
make_copy "$src"
mkdir "$src/subprojects"
ln -s "$top" "$src/subprojects/mmapobj"
echo "consumer: 1. mmapobj as a subproject (log: $scratch/sub-default.log)"
{
  meson setup "$scratch/build-sub-default" "$src"
  ninja -C "$scratch/build-sub-default" mmapobj-consumer
} > "$scratch/sub-default.log" 2>&1 || fail "see $scratch/sub-default.log"
grep -q 'Dependency mmapobj-1 found: YES .* (overridden)' \
  "$scratch/build-sub-default/meson-logs/meson-log.txt" ||
  fail "mmapobj-1 did not come from the subproject"
no_tools "$scratch/build-sub-default" "$test_tools"
no_tests "$scratch/build-sub-default"
# (Whole outputs in variables: grep -q stopping early would make the
# writer of a pipe fail under pipefail.)
targets=$(meson introspect --targets "$scratch/build-sub-default")
if grep -q -E '"name": "(mmapobj-docs|bench-[a-z]*|test-[a-z-]*)"' <<< "$targets"; then
  fail "the subproject has docs, benchmark or test targets"
fi
check_run "$scratch/build-sub-default"
libs=$(ldd "$scratch/build-sub-default/mmapobj-consumer")
grep -q "$scratch/build-sub-default/subprojects/mmapobj/mmapobj/libmmapobj-1.so.0" \
  <<< "$libs" || fail "the program does not use the subproject's library"

# 2. As a subproject with the bindings, docs and tests off.
echo "consumer: 2. the same, C library only (log: $scratch/sub-minimal.log)"
{
  meson setup "$scratch/build-sub-minimal" "$src" \
    -Dmmapobj:introspection=disabled -Dmmapobj:vapi=disabled \
    -Dmmapobj:docs=disabled -Dmmapobj:tests=false
  ninja -C "$scratch/build-sub-minimal"
} > "$scratch/sub-minimal.log" 2>&1 || fail "see $scratch/sub-minimal.log"
no_tools "$scratch/build-sub-minimal" \
  "$test_tools|g-ir-scanner|vapigen|Program python"
no_tests "$scratch/build-sub-minimal"
check_run "$scratch/build-sub-minimal"

# 3. Against an installed copy (the same minimal options, a scratch
# prefix), found by pkg-config; --wrap-mode=nofallback forbids the
# subproject and the copy of the consumer has none.
prefix=$scratch/prefix
echo "consumer: 3. against mmapobj installed in $prefix (log: $scratch/installed.log)"
src=$scratch/installed
make_copy "$src"
{
  meson setup "$scratch/build-lib" "$top" --prefix="$prefix" \
    -Dintrospection=disabled -Dvapi=disabled -Ddocs=disabled -Dtests=false
  ninja -C "$scratch/build-lib"
  meson install -C "$scratch/build-lib"
} > "$scratch/installed.log" 2>&1 || fail "see $scratch/installed.log"
no_tools "$scratch/build-lib" "$test_tools"
pcdir=$(dirname "$(find "$prefix" -name mmapobj-1.pc)")
libdir=$(dirname "$pcdir")
{
  PKG_CONFIG_PATH=$pcdir meson setup "$scratch/build-installed" "$src" \
    --wrap-mode=nofallback
  ninja -C "$scratch/build-installed"
} >> "$scratch/installed.log" 2>&1 || fail "see $scratch/installed.log"
grep -q "Run-time dependency mmapobj-1 found: YES $version" \
  "$scratch/build-installed/meson-logs/meson-log.txt" ||
  fail "mmapobj-1 was not found by pkg-config"
LD_LIBRARY_PATH=$libdir check_run "$scratch/build-installed"
libs=$(LD_LIBRARY_PATH=$libdir ldd "$scratch/build-installed/mmapobj-consumer")
grep -q "$libdir/libmmapobj-1.so.0" <<< "$libs" ||
  fail "the program does not use the installed library"

rm -rf "$scratch"
echo "consumer: OK (subproject, subproject C only, installed copy)"
