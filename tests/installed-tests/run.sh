#!/usr/bin/env bash
# tests/installed-tests/run.sh [SCRATCH]: the GNOME installed-tests, end to end.
#
# Builds mmapobj with -Dinstalled_tests=true and a prefix under SCRATCH
# (default: a new folder in /tmp), installs it, deletes the build folder,
# and runs `gnome-desktop-testing-runner mmapobj-1/` on what was
# installed: every C, Python, gjs and Vala test must pass, and each kind
# must be there. Then it shows that the tests use the installed files:
# with the installed library hidden the C, gjs and Vala tests fail, with
# the installed Python override hidden the Python tests fail.
#
# Needs gnome-desktop-testing (the CI stage installs it) and what the test
# suite needs (scripts/test.sh installs that). Exits non-zero on any
# failure; SCRATCH is removed on success and kept on failure.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
scratch=${1:-$(mktemp -d /tmp/mmapobj-installed-tests.XXXXXX)}
mkdir -p "$scratch"
scratch=$(cd "$scratch" && pwd)
# Readable by all, as a real prefix is: as root, some tests run a child
# as nobody (RLIMIT_MEMLOCK does not bind root), and it loads the typelib.
chmod 755 "$scratch"
prefix=$scratch/prefix
build=$scratch/build
suite=mmapobj-1

fail() {
  echo "installed-tests: FAIL: $*" >&2
  echo "installed-tests: logs kept in $scratch" >&2
  exit 1
}

command -v gnome-desktop-testing-runner > /dev/null ||
  fail "gnome-desktop-testing-runner is missing (apt-get install gnome-desktop-testing)"

# gnome-desktop-testing-runner over the installed .test files only.
runner() {
  gnome-desktop-testing-runner --dir="$prefix/share" "$@"
}

echo "installed-tests: building and installing into $prefix (log: $scratch/build.log)"
{
  meson setup "$build" "$top" --prefix="$prefix" -Dinstalled_tests=true \
    -Ddocs=disabled
  ninja -C "$build"
  meson install -C "$build"
} > "$scratch/build.log" 2>&1 || fail "build or install failed: see $scratch/build.log"
# Nothing may come from the build tree.
rm -rf "$build"

libdir=$(find "$prefix" -name 'libmmapobj-1.so.0' -printf '%h\n')
override=$(find "$prefix" -path '*/gi/overrides/Mmap.py' -printf '%h\n')
[ -n "$libdir" ] && [ -n "$override" ] || fail "library or override not installed"

# Every installed .test is found, and each kind of test is there.
installed=$(find "$prefix/share/installed-tests/$suite" -name '*.test' | wc -l)
listed=$(runner --list "$suite/" | wc -l)
[ "$installed" -eq "$listed" ] ||
  fail "$installed .test files installed, the runner lists $listed"
for kind in c python gjs vala; do
  n=$(runner --list "$suite/$kind-" | wc -l)
  echo "installed-tests: $n $kind tests"
  [ "$n" -gt 0 ] || fail "no installed $kind tests"
done

echo "installed-tests: running them (log: $scratch/runner.log)"
status=0
runner --parallel=0 --report-directory="$scratch/report" "$suite/" \
  > "$scratch/runner.log" 2>&1 || status=$?
grep '^SUMMARY' "$scratch/runner.log" || true
if [ "$status" -ne 0 ]; then
  grep '^FAIL' "$scratch/runner.log" || true
  for out in "$scratch"/report/*/output.txt; do
    [ -f "$out" ] || continue
    echo "---- $out"
    tail -n 40 "$out"
  done
  fail "gnome-desktop-testing-runner exited with $status"
fi
grep -q "^SUMMARY: total=$installed; passed=$installed;" "$scratch/runner.log" ||
  fail "not every test passed"

# The tests can fail, and they use the installed files: one test of each
# kind with a piece of the installation moved away. The runner must exit
# 2 (tests ran, some failed) with every one of them failed.
expect_all_fail() {
  local what=$1
  shift
  local rc=0
  runner "$@" > "$scratch/negative.log" 2>&1 || rc=$?
  grep -q "^SUMMARY: total=$#; passed=0; skipped=0; failed=$#;" \
    "$scratch/negative.log" && [ "$rc" -eq 2 ] ||
    fail "with the installed $what hidden, not all of $* failed (exit $rc)"
  echo "installed-tests: with the installed $what hidden, all $# failed, as they must"
}

mkdir "$scratch/hidden"
mv "$libdir"/libmmapobj-1.so* "$scratch/hidden/"
expect_all_fail library "$suite/c-test-io.test" "$suite/gjs-test-io.test" \
  "$suite/vala-test-mmap.test" "$suite/python-test_methods.test"
mv "$scratch"/hidden/libmmapobj-1.so* "$libdir/"

mv "$override"/Mmap.py "$scratch/hidden/"
mv "$override"/_mmap_helper* "$scratch/hidden/" 2>/dev/null || true
expect_all_fail "Python override" "$suite/python-test_methods.test" \
  "$suite/python-test_constructor.test"
mv "$scratch"/hidden/* "$override/"

rm -rf "$scratch"
echo "installed-tests: OK"
