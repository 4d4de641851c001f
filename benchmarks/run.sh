#!/usr/bin/env bash
# run.sh: runs the C and Python benchmarks and draws the chart.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Usage: benchmarks/run.sh [BUILD_DIR [OUT_DIR [bench-object options...]]]
#
# BUILD_DIR (default build-bench) must be configured and built. Writes to
# OUT_DIR (default BUILD_DIR/benchmark-results): c.json (bench-object),
# python.json (overhead.py under /usr/bin/python3, next to CPython's mmap)
# and benchmarks.svg (plot.py). With BEFORE=FILE set to an earlier c.json,
# the chart shows its ratios beside the new ones. Copy the chart to
# docs/benchmarks.svg to publish it.
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-build-bench}" && pwd)
out=${2:-$build/benchmark-results}
shift $(( $# < 2 ? $# : 2 ))
mkdir -p "$out"
out=$(cd "$out" && pwd)

"$build/benchmarks/c/bench-object" --json "$out/c.json" "$@"
echo
meson devenv -C "$build" /usr/bin/python3 \
  "$src/benchmarks/python/overhead.py" --json "$out/python.json"
/usr/bin/python3 "$src/benchmarks/plot.py" "$out/c.json" \
  --python "$out/python.json" ${BEFORE:+--before "$BEFORE"} \
  -o "$out/benchmarks.svg"
echo
echo "results and chart in $out"
