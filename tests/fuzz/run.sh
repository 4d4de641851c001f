#!/usr/bin/env bash
# tests/fuzz/run.sh: build the libFuzzer harness from scratch and run it for a
# fixed time on a copy of the seed corpus (CI runs this; see README.md).
#
#   MMAPOBJ_FUZZ_SECONDS   how long to fuzz (default 120)
#   MMAPOBJ_FUZZ_BUILDDIR  the meson build directory (default build-fuzz)
#
# Exits non-zero on any crash, sanitizer report, leak (memory or file
# descriptor), timeout or model mismatch; the failing input is kept in
# $MMAPOBJ_FUZZ_BUILDDIR/fuzz-artifacts/.
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds="${MMAPOBJ_FUZZ_SECONDS:-120}"
builddir="${MMAPOBJ_FUZZ_BUILDDIR:-build-fuzz}"

# clang and its libFuzzer/sanitizer runtimes (Debian 12).
missing=()
command -v clang >/dev/null 2>&1 || missing+=(clang)
dpkg -s libclang-rt-14-dev >/dev/null 2>&1 || missing+=(libclang-rt-14-dev)
if ((${#missing[@]})); then
  echo "== installing ${missing[*]}"
  if ! apt-get install -y "${missing[@]}"; then
    apt-get update
    apt-get install -y "${missing[@]}"
  fi
fi

echo "== building the fuzzer in $builddir"
rm -rf "$builddir"
CC=clang meson setup "$builddir" \
  -Db_sanitize=address,undefined -Db_lundef=false \
  -Dintrospection=disabled -Dvapi=disabled -Ddocs=disabled \
  -Dfuzzing=true >/dev/null
ninja -C "$builddir" tests/fuzz/mmapobj-fuzz

# A copy of the seed corpus: the committed one is not grown by CI.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir "$work/corpus" "$work/artifacts"
cp tests/fuzz/corpus/* "$work/corpus/"

echo "== fuzzing for ${seconds}s"
log="$builddir/fuzz.log"
set +e
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
ASAN_OPTIONS=detect_leaks=1 \
  "$builddir/tests/fuzz/mmapobj-fuzz" \
    -max_total_time="$seconds" -max_len=512 -timeout=60 -rss_limit_mb=4096 \
    -detect_leaks=1 -print_final_stats=1 \
    -artifact_prefix="$work/artifacts/" "$work/corpus" >"$log" 2>&1
rc=$?
set -e

# libFuzzer's closing lines: "#N DONE ... exec/s: ..." and "Done N runs in S second(s)".
grep -E '^#[0-9]+[[:space:]]+DONE|^Done [0-9]+ runs|^stat::(number_of_executed_units|average_exec_per_sec)' "$log" || true
if ((rc != 0)) || grep -qE 'MODEL MISMATCH|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:' "$log"; then
  echo "== FUZZING FAILED (exit code $rc); the report:"
  grep -B2 -A60 -m1 -E 'MODEL MISMATCH|ERROR: |runtime error:' "$log" | head -120 || tail -80 "$log"
  mkdir -p "$builddir/fuzz-artifacts"
  cp "$work"/artifacts/* "$builddir/fuzz-artifacts/" 2>/dev/null || true
  echo "== failing input(s) kept in $builddir/fuzz-artifacts/; replay with:"
  echo "   MMAPOBJ_FUZZ_TRACE=1 $builddir/tests/fuzz/mmapobj-fuzz $builddir/fuzz-artifacts/<file>"
  exit 1
fi
echo "== fuzzing passed: no crash, leak or model mismatch"
