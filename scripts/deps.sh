#!/usr/bin/env bash
# scripts/deps.sh [LEVEL] [PACKAGE...]: installs the Debian 12 packages that
# LEVEL needs, if any is missing, and any further packages named as arguments
# (docs/benchmarks.md adds python3-matplotlib this way). Needs root (or sudo)
# only when something is missing.
#
#   demo     build the library, its typelib and the Python override, and run
#            the Python demo (scripts/demo.sh)
#   install  also what the rest of an installation is built from: the
#            override's compiled helper, the Vala API, the reference docs
#            (scripts/install.sh)
#   test     also the test tools (scripts/test.sh); the default
#
#   scripts/deps.sh --missing [LEVEL] [PACKAGE...]  only prints what is missing
#
# apt's output goes to a log, $MMAPOBJ_APT_LOG (default build/apt.log); the
# screen gets one line saying what is installed and why, and a summary (on
# failure, the end of the log).
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"

# Each group: its packages, and why (printed when any of them is missing).
packages_of() {
  case "$1" in
    demo) echo meson ninja-build pkg-config gcc libc6-dev libglib2.0-dev \
               gobject-introspection libgirepository1.0-dev python3-gi ;;
    install) echo python3-dev python-gi-dev valac gi-docgen ;;
    test) echo python3-pytest python3-hypothesis python3-numpy python3-pefile \
               python3-dulwich libpython3.11-testsuite gjs valgrind xxd \
               libgdk-pixbuf-2.0-dev gir1.2-gdkpixbuf-2.0 ;;
  esac
}
why_of() {
  case "$1" in
    demo) echo "the compiler, GLib and GObject-Introspection to build the library and its typelib, PyGObject for the demo" ;;
    install) echo "the Python helper's headers, valac for the Vala API, gi-docgen for the docs" ;;
    test) echo "the test tools: pytest, hypothesis, gjs, valgrind and what the tests read and compare against" ;;
  esac
}

only_list=0
if [ "${1:-}" = --missing ]; then
  only_list=1
  shift
fi
level="test"
case "${1:-}" in
  demo|install|test) level=$1; shift ;;
esac

groups=(demo)
case "$level" in
  install) groups+=(install) ;;
  test) groups+=(install test) ;;
esac

installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

# The missing packages, and the reasons of the groups they come from.
missing=()
reasons=()
for group in "${groups[@]}"; do
  group_missing=()
  for p in $(packages_of "$group"); do
    installed "$p" || group_missing+=("$p")
  done
  if [ "${#group_missing[@]}" -gt 0 ]; then
    missing+=("${group_missing[@]}")
    reasons+=("$(why_of "$group")")
  fi
done
extra_missing=()
for p in "$@"; do
  installed "$p" || extra_missing+=("$p")
done
if [ "${#extra_missing[@]}" -gt 0 ]; then
  missing+=("${extra_missing[@]}")
  reasons+=("asked for by name")
fi

if [ "$only_list" -eq 1 ]; then
  [ "${#missing[@]}" -eq 0 ] || printf '%s\n' "${missing[@]}"
  exit 0
fi
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

log="${MMAPOBJ_APT_LOG:-$top/build/apt.log}"
mkdir -p "$(dirname "$log")"
shown_log="${log#"$top"/}"

why_line=$(printf '%s; ' "${reasons[@]}")
why_line=${why_line%; }
plural=s
[ "${#missing[@]}" -gt 1 ] || plural=""
echo "==> Installing ${#missing[@]} Debian package$plural (${why_line}): ${missing[*]} (apt's output: $shown_log)"

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  sudo=(sudo)
fi
apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -y
     -o Dpkg::Use-Pty=0)

start=$SECONDS
first_line=$(($( (cat "$log" 2>/dev/null || true) | wc -l) + 1))
{
  echo "### $(date -u '+%F %T') apt-get update; apt-get install ${missing[*]}"
} >>"$log"
# A failed update (one unreachable third-party source) need not stop the
# install: the install's own failure does.
"${apt[@]}" update >>"$log" 2>&1 ||
  echo "    (apt-get update failed; trying the install anyway)"
status=0
"${apt[@]}" install --no-install-recommends "${missing[@]}" \
  >>"$log" 2>&1 || status=$?
if [ "$status" -ne 0 ]; then
  echo "==> apt-get failed (exit $status); the end of $shown_log:" >&2
  tail -n 25 "$log" | sed 's/^/    /' >&2
  exit "$status"
fi

# apt's own count, from this run: "N upgraded, M newly installed, …".
count=$(tail -n "+$first_line" "$log" |
        sed -n 's/^[0-9]* upgraded, \([0-9]*\) newly installed.*/\1/p' | tail -n 1)
echo "==> Installed ${count:-the} packages (${#missing[@]} named, the rest" \
     "what they depend on) in $((SECONDS - start)) s; apt's output is in $shown_log"
