#!/usr/bin/env bash
# Quick start, command 1: install what is missing, build everything, and run
# the Python demo on a real file through the typelib and the override.
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
cd "$top"

bash scripts/deps.sh
[ -f build/build.ninja ] || meson setup build
ninja -C build

file="$(mktemp --suffix=.txt)"
trap 'rm -f "$file"' EXIT
cp README.md "$file"
meson devenv -C build /usr/bin/python3 "$top/examples/python/demo.py" "$file"
