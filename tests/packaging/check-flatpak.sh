#!/usr/bin/env bash
# tests/packaging/check-flatpak.sh: the CI stage that checks docs/flatpak.md
# (check-flatpak.py says what it checks, and what it cannot without
# flatpak-builder). Installs the packages it needs when one is missing
# (apt's output to a log), then runs the checks.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

packages=(meson ninja-build pkg-config gcc libc6-dev libglib2.0-dev
  gobject-introspection libgirepository1.0-dev python3-gi python3-yaml gjs)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2> /dev/null | grep -q 'install ok installed' \
    || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "Installing ${missing[*]} (the Flatpak snippet check builds and runs mmapobj)"
  log=$(mktemp /tmp/mmapobj-apt-flatpak.XXXXXX.log)
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -q && apt-get -o DPkg::Lock::Timeout=600 install -y -q \
      --no-install-recommends "${missing[@]}"; } > "$log" 2>&1 \
    || { tail -n 20 "$log"; exit 1; }
fi

start=$SECONDS
/usr/bin/python3 "$here/check-flatpak.py" "$@"
echo "# the Flatpak snippet check took $((SECONDS - start)) s"
