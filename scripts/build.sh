#!/usr/bin/env bash
# Installs what is missing and builds everything into build/: the step both
# quick-start commands (demo.sh, test.sh) start with.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/deps.sh
[ -f build/build.ninja ] || meson setup build
ninja -C build
