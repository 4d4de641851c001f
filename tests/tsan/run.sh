#!/usr/bin/env bash
# ThreadSanitizer stage (CI: .ci/run calls `bash tests/tsan/run.sh`).
#
# Builds build-tsan from scratch with gcc and -fsanitize=thread, then runs
# the C thread tests (test-threads) and the mixed-call stress
# (test-stress) under ThreadSanitizer, through meson test, with a larger
# load than the default.
# Fails on any report: halt_on_error=1, and the output is checked for
# TSan warnings as well.
#
# GLib's GMutex/GCond are futex-based and live in uninstrumented libglib:
# TSan would not see their synchronisation and would report false races.
# tests/tsan/glib-pthread-shim.c re-implements them (and GRecMutex,
# GRWLock, g_atomic_ref_count_*, g_once_init_*) on pthread; it is built
# here with -fsanitize=thread and put in LD_PRELOAD of the tests only.
# No suppressions are used.
#
# Environment:
#   MMAP_STRESS_THREADS  threads per stress case (default 4)
#   MMAP_STRESS_OPS      calls per thread per stress case (default 100000:
#                        4 x 100000 x 2 cases = 800000 calls)
#   TSAN_BUILDDIR        build directory (default build-tsan)
set -euo pipefail
cd "$(dirname "$0")/../.."

builddir=${TSAN_BUILDDIR:-build-tsan}
threads=${MMAP_STRESS_THREADS:-4}
ops=${MMAP_STRESS_OPS:-100000}
cc=${CC:-gcc}

echo "== ThreadSanitizer: building $builddir"
rm -rf "$builddir"
CC=$cc meson setup "$builddir" \
  -Db_sanitize=thread -Db_lundef=false \
  -Dintrospection=disabled -Dvapi=disabled -Ddocs=disabled
ninja -C "$builddir" tests/c/test-threads tests/c/test-stress

builddir=$(cd "$builddir" && pwd)
shim=$builddir/tests/tsan/libglib-pthread-shim.so
mkdir -p "$(dirname "$shim")"
# shellcheck disable=SC2046 # pkg-config prints several words on purpose
"$cc" -shared -fPIC -fsanitize=thread -O1 -g -Wall -Wextra \
  $(pkg-config --cflags glib-2.0) \
  -o "$shim" tests/tsan/glib-pthread-shim.c \
  $(pkg-config --libs glib-2.0) -lpthread

# gcc 12's TSan aborts ("unexpected memory mapping") on kernels that
# randomise mmap more than it expects (vm.mmap_rnd_bits > 28): run the
# tests without ASLR, which changes nothing else for them.
run_prefix=()
if setarch "$(uname -m)" -R true 2>/dev/null; then
  run_prefix=(setarch "$(uname -m)" -R)
fi

# meson test gives each test its environment from tests/meson.build; it
# passes these on.
# GSlice recycles memory between threads behind TSan's back.
export G_SLICE=always-malloc
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:exitcode=66
export MMAP_STRESS_THREADS=$threads MMAP_STRESS_OPS=$ops

# The shim must take effect: with eager binding, the library's GMutex
# calls must resolve to it, not to libglib.
bindings=$("${run_prefix[@]}" env LD_PRELOAD="$shim" LD_BIND_NOW=1 \
           LD_DEBUG=bindings "$builddir/tests/c/test-stress" -l 2>&1 >/dev/null)
pattern="libmmapobj-1\.so.* to .*libglib-pthread-shim\.so.*\`g_mutex_lock'"
if ! grep -Eq "$pattern" <<<"$bindings"; then
  echo "FAIL: $shim does not interpose g_mutex_lock in libmmapobj" >&2
  exit 1
fi

echo "== ThreadSanitizer: test-threads, test-stress"
# The wrapper puts the shim in the tests' LD_PRELOAD only (not meson's).
status=0
meson test -C "$builddir" --no-rebuild --print-errorlogs \
  --timeout-multiplier 3 \
  --wrapper "${run_prefix[*]} env LD_PRELOAD=$shim" \
  test-threads test-stress || status=$?

# Named after the wrapper: testlog-setarch.txt or testlog-env.txt (the
# .json beside it is what .ci/run counts).
logs=("$builddir"/meson-logs/testlog*.txt)
log=${logs[0]}
grep -E '^(ok|not ok|# stress)' "$log" || true
reports=$(grep -c 'WARNING: ThreadSanitizer' "$log" || true)
if [ "$status" -ne 0 ] || [ "$reports" -ne 0 ]; then
  echo "FAIL: ThreadSanitizer stage: meson test exit $status, $reports" \
       "TSan reports (full log: $log)" >&2
  exit 1
fi

# One "# stress <case>: T threads x N ops = T*N ops (…)" line per case.
totals=$(sed -nE 's/^# stress [a-z]+: .* = ([0-9]+) ops .*/\1/p' "$log")
cases=$(wc -l <<<"$totals")
total=$(awk '{ n += $1 } END { print n }' <<<"$totals")
echo "== ThreadSanitizer: test-stress: $threads threads x $ops ops x" \
     "$cases cases = $total ops"
echo "== ThreadSanitizer: 0 races"
