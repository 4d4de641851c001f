#!/usr/bin/env bash
# Installs the Debian 12 packages mmapobj needs to build, test and run its
# demo, if any is missing, and any further packages named as arguments (the
# fuzzing and sanitizer stages add their compilers this way). Needs root
# (or sudo) only when something is missing.
set -euo pipefail

packages=(
  meson ninja-build pkg-config gcc libc6-dev
  libglib2.0-dev gobject-introspection libgirepository1.0-dev
  python3-gi python3-pytest python3-hypothesis python3-dev python-gi-dev
  python3-numpy python3-pefile python3-dulwich libpython3.11-testsuite
  gjs valac gi-docgen valgrind xxd
  libgdk-pixbuf-2.0-dev gir1.2-gdkpixbuf-2.0
  "$@"
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

echo "Installing missing packages: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q "${missing[@]}"
