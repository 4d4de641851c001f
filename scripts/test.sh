#!/usr/bin/env bash
# Quick start, command 2: install what is missing, build, and run every test
# suite (c, python, gjs, vala, examples, docs).
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
cd "$top"

bash scripts/build.sh test
meson test -C build --print-errorlogs "$@"
