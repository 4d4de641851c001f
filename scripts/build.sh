#!/usr/bin/env bash
# scripts/build.sh [demo|test]: installs what is missing for that quick-start
# command (scripts/deps.sh: demo = the build and the demo, test = also the
# test tools) and builds everything into build/: the step both quick-start
# commands (demo.sh, test.sh) start with.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/deps.sh "${1:-test}"
if [ ! -f build/build.ninja ]; then
  meson setup build
elif [ /var/lib/dpkg/status -nt build/meson-private/coredata.dat ]; then
  # Packages were installed since build/ was configured (the test command
  # after the demo one): the 'auto' features (the compiled helper, the Vala
  # API, the docs, the valgrind setup, …) look again for what they need.
  meson setup --reconfigure build
fi
ninja -C build
