#!/usr/bin/env bash
# Quick start, command 1: install what is missing, build everything, and run
# the Python demo on a real file through the typelib and the override.
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
cd "$top"

bash scripts/build.sh demo

# demo.py writes a small text file in a temporary directory, maps it, and
# shows find, read, write, slicing and resize through the typelib.
meson devenv -C build /usr/bin/python3 "$top/examples/python/demo.py"
