#!/usr/bin/env bash
# tests/packaging/run.sh: the Debian packages, built and tested as a user
# gets them (a CI stage; needs root and network access to deb.debian.org).
#
#  1. installs the packaging tools and the Build-Depends of debian/control;
#  2. copies the tree (tracked and untracked files, not ignored ones) and
#     builds from the copy: a source package (for lintian) and
#     `dpkg-buildpackage -us -uc -b`;
#  3. lists each package's contents (dpkg -c) and runs lintian, which must
#     report no error and no warning (debian/*.lintian-overrides say why the
#     overridden tags are);
#  4. unpacks a clean Debian 12 minbase chroot (mmdebstrap; the base tarball
#     and the downloaded .debs are cached in $MMAP_PKG_CACHE, so a second run
#     downloads nothing new, and the first works from nothing);
#  5. adds the built packages to it as a local apt repository and installs
#     them with apt in steps, so that each step's dependencies come from the
#     Depends fields and the archive, then runs a smoke test:
#     python3-mmapobj alone -> smoke.py; gjs -> smoke.js;
#     libmmapobj-1-dev, gcc, pkgconf -> smoke.c built with pkg-config;
#     libmmapobj-1-doc -> the reference is there and Devhelp finds it;
#  6. runs the autopkgtest (debian/tests/control: the installed tests of
#     libmmapobj-1-tests with gnome-desktop-testing-runner, and the smoke
#     tests) with autopkgtest's null runner inside the chroot;
#  7. purges every package, checks that nothing is left behind, and removes
#     the chroot (the packages and logs stay in $MMAP_PKG_WORKDIR).
#
# Environment: MMAP_PKG_WORKDIR (scratch folder, default
# /tmp/mmapobj-packaging), MMAP_PKG_CACHE (default
# /var/cache/mmapobj-packaging), MMAP_PKG_MIRROR and MMAP_PKG_SECURITY
# (default deb.debian.org), MMAP_PKG_CACHE_DAYS (the base tarball is rebuilt
# when older; default 7).
#
# SPDX-License-Identifier: LGPL-2.1-or-later

# The single-quoted scripts below run in the chroot, expanded there.
# shellcheck disable=SC2016
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
top="$(cd "$here/../.." && pwd)"
work="${MMAP_PKG_WORKDIR:-/tmp/mmapobj-packaging}"
cache="${MMAP_PKG_CACHE:-/var/cache/mmapobj-packaging}"
mirror="${MMAP_PKG_MIRROR:-http://deb.debian.org/debian}"
security="${MMAP_PKG_SECURITY:-http://deb.debian.org/debian-security}"
cache_days="${MMAP_PKG_CACHE_DAYS:-7}"
suite=bookworm

if [ "$(id -u)" -ne 0 ]; then
  echo "run.sh: needs root (apt-get, mmdebstrap, chroot)" >&2
  exit 2
fi

export DEBIAN_FRONTEND=noninteractive
export LC_ALL=C.UTF-8
start=$SECONDS
step() {
  echo "-- [$((SECONDS - start)) s] $*"
}

rm -rf "$work"
mkdir -p "$work" "$cache/archives/partial"
step "scratch folder $work ready"
logs="$work/logs"
mkdir -p "$logs"

# apt-get quietly, to a log; the log's tail when it fails.
apt_quiet() {
  local log=$1
  shift
  if ! "$@" > "$log" 2>&1; then
    tail -n 30 "$log"
    echo "run.sh: failed: $* (log: $log)" >&2
    return 1
  fi
  echo "   $(grep -c '^Setting up' "$log" || true) packages set up," \
    "$(grep -c '^Removing' "$log" || true) removed (log: $log)"
}

# --- 1. Tools --------------------------------------------------------------
step "packaging tools and Build-Depends"
src="$work/src/mmapobj"
mkdir -p "$src"
if git -C "$top" rev-parse --git-dir > /dev/null 2>&1; then
  # Tracked and new files as they are in the tree; no build folders.
  git -C "$top" ls-files -z --cached --others --exclude-standard \
    | tar -C "$top" --null -T - --ignore-failed-read -cf - 2> /dev/null \
    | tar -C "$src" -xf -
else
  tar -C "$top" --exclude='./build*' --exclude='./_build*' --exclude=./.git \
    --exclude='__pycache__' -cf - . | tar -C "$src" -xf -
fi
rm -rf "$src/debian/.debhelper" "$src/obj-"*

apt_quiet "$logs/apt-update.log" apt-get update -q
apt_quiet "$logs/apt-tools.log" apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends \
  dpkg-dev debhelper dh-python lintian mmdebstrap fakeroot
apt_quiet "$logs/apt-build-dep.log" apt-get -o DPkg::Lock::Timeout=600 build-dep -y -q "$src"

# --- 2. Build --------------------------------------------------------------
step "source package (for lintian)"
version=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
upstream=${version%-*}
tar -C "$work/src" --exclude=mmapobj/debian \
  --transform "s,^mmapobj,mmapobj-$upstream," \
  -cJf "$work/src/mmapobj_$upstream.orig.tar.xz" mmapobj
(cd "$work/src" && dpkg-source -b mmapobj > "$logs/dpkg-source.log" 2>&1) \
  || { cat "$logs/dpkg-source.log"; exit 1; }

step "dpkg-buildpackage -us -uc -b (log: $logs/build.log)"
if ! (cd "$src" && dpkg-buildpackage -us -uc -b -J"$(nproc)") \
    > "$logs/build.log" 2>&1; then
  tail -n 60 "$logs/build.log"
  exit 1
fi
grep -E '^(Ok|Fail|Skipped|Timeout): ' "$logs/build.log" \
  | sed 's/^/   build-time C suite: /' || true
grep -E 'warning:' "$logs/build.log" \
  | sed 's/^/   build warning: /' || true

# One .deb for each package debian/control names.
debs=()
names=()
while read -r p; do
  f=$(ls "$work/src/${p}_"*.deb 2> /dev/null || true)
  [ -n "$f" ] || { echo "run.sh: no package $p was built" >&2; exit 1; }
  debs+=("$f")
  names+=("$p")
done < <(sed -n 's/^Package: *//p' "$src/debian/control")

# --- 3. Contents and lintian -------------------------------------------------
step "package contents"
for f in "${debs[@]}"; do
  echo "=== ${f##*/}"
  dpkg-deb -f "$f" Depends | sed 's/^/Depends: /'
  # Folders left out, and the reference's HTML pages as a count (the whole
  # listing is in logs/contents.txt).
  dpkg -c "$f" | tee -a "$logs/contents.txt" | grep -v '/$' \
    | awk '/\/doc\/mmapobj-1\/.*\.html$/ { html++; next } { print }
           END { if (html) print "  (and " html " HTML pages in ./usr/share/doc/mmapobj-1/)" }'
done

step "lintian"
changes=$(ls "$work/src"/mmapobj_*.changes)
dsc=$(ls "$work/src"/mmapobj_*.dsc)
# Every tag is shown, the overridden ones (O:) with their reasons (N:);
# an error or a warning fails the stage. (With --show-overrides, lintian's
# own --fail-on counts overridden tags too, so the check is on the output.)
lintian --display-info --pedantic --show-overrides --color never \
  "$dsc" "$changes" > "$logs/lintian.log" 2>&1 || true
# (The overrides' reasons, lintian's N: lines, are in the log only.)
grep -v -e 'running with root privileges' -e '^N: ' "$logs/lintian.log" || true
if grep -q -E '^(E|W|I|P): ' "$logs/lintian.log"; then
  echo "   lintian: $(grep -c -E '^[EWIP]: ' "$logs/lintian.log") tags not overridden"
else
  echo "   lintian: no tag but the overridden ones (O:)"
fi
if grep -q -E '^(E|W): ' "$logs/lintian.log" \
   || ! grep -q -E '^O: ' "$logs/lintian.log"; then
  echo "run.sh: lintian reports errors or warnings (or did not run)" >&2
  exit 1
fi

# --- 4. A clean Debian 12 chroot -------------------------------------------
step "clean $suite chroot"
base="$cache/$suite-minbase.tar"
if [ -s "$base" ] && [ -z "$(find "$base" -mtime +"$cache_days")" ]; then
  echo "   base tarball from cache: $base"
else
  mmdebstrap --variant=minbase --components=main "$suite" "$cache/new.tar" \
    "deb $mirror $suite main" "deb $mirror $suite-updates main" \
    "deb $security $suite-security main" > "$logs/mmdebstrap.log" 2>&1 \
    || { tail -n 30 "$logs/mmdebstrap.log"; exit 1; }
  mv "$cache/new.tar" "$base"
  echo "   base tarball made: $base ($(du -h "$base" | cut -f1))"
fi
root="$work/chroot"
mkdir -p "$root"
tar -C "$root" -xf "$base"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2> /dev/null || true

# The built packages as a local repository, ahead of the archive.
mkdir -p "$root/srv/debs"
cp "${debs[@]}" "$root/srv/debs/"
(cd "$root/srv/debs" && dpkg-scanpackages . /dev/null > Packages 2> /dev/null)
echo "deb [trusted=yes] file:/srv/debs ./" \
  > "$root/etc/apt/sources.list.d/mmapobj-local.list"
mkdir -p "$root/srv/smoke"
cp "$here/smoke.py" "$here/smoke.js" "$here/smoke.c" "$root/srv/smoke/"

# Runs a command in the chroot, with /proc, /dev and the .deb cache mounted
# in a private mount namespace (the mounts go away with it).
in_chroot() {
  unshare --mount --propagation private -- /bin/sh -euc '
    root=$1; archives=$2; shift 2
    mount -t proc proc "$root/proc"
    mount --rbind /dev "$root/dev"
    mount --bind "$archives" "$root/var/cache/apt/archives"
    exec chroot "$root" /usr/bin/env -i HOME=/root LC_ALL=C.UTF-8 \
      PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive "$@"
  ' sh "$root" "$cache/archives" "$@"
}
chroot_install() {
  local log=$1
  shift
  apt_quiet "$logs/$log" in_chroot apt-get install -y -q \
    --no-install-recommends "$@"
}

apt_quiet "$logs/chroot-update.log" in_chroot apt-get update -q

# --- 5. Install and smoke-test ---------------------------------------------
step "python3-mmapobj alone (the typelib and library come as dependencies)"
chroot_install chroot-python.log python3-mmapobj
in_chroot dpkg-query -W -f '   installed: ${Package} ${Version}\n' \
  libmmapobj-1-0 gir1.2-mmap-1 python3-mmapobj
in_chroot /usr/bin/python3 /srv/smoke/smoke.py

step "gjs"
chroot_install chroot-gjs.log gjs
in_chroot gjs -m /srv/smoke/smoke.js

step "libmmapobj-1-dev, and a C program built with pkg-config"
chroot_install chroot-dev.log libmmapobj-1-dev gcc libc6-dev pkgconf
in_chroot /bin/sh -euc '
  cd /srv/smoke
  echo "   gcc -Wall -Werror -o smoke smoke.c $(pkg-config --cflags --libs mmapobj-1)"
  gcc -Wall -Werror -o smoke smoke.c $(pkg-config --cflags --libs mmapobj-1)
  ./smoke'

step "libmmapobj-1-doc"
chroot_install chroot-doc.log libmmapobj-1-doc
in_chroot /bin/sh -euc '
  test -s /usr/share/doc/mmapobj-1/index.html
  test -s /usr/share/devhelp/books/mmapobj-1/mmapobj-1.devhelp2
  test -s /usr/share/doc/mmapobj-1/index.json
  echo "   the reference: $(ls /usr/share/doc/mmapobj-1/*.html | wc -l) pages, found by Devhelp"'

step "autopkgtest (its null runner, in the chroot): debian/tests/control"
chroot_install chroot-autopkgtest.log autopkgtest
mkdir -p "$root/srv/src"
cp "$dsc" "$work/src"/mmapobj_*.debian.tar.* "$work/src"/mmapobj_*.orig.tar.* \
  "$root/srv/src/"
status=0
in_chroot autopkgtest --output-dir=/srv/autopkgtest "/srv/src/${dsc##*/}" \
  "${debs[@]/#"$work/src"//srv/debs}" -- null \
  > "$logs/autopkgtest.log" 2>&1 || status=$?
grep -E '^(installed-tests: |SUMMARY: |FAIL: )' "$logs/autopkgtest.log" \
  | sed 's/^/   /' || true
sed 's/^/   autopkgtest: /' "$root/srv/autopkgtest/summary" 2> /dev/null || true
if [ "$status" -ne 0 ]; then
  tail -n 60 "$logs/autopkgtest.log"
  echo "run.sh: autopkgtest exited with $status (log: $logs/autopkgtest.log)" >&2
  exit 1
fi

step "purge"
apt_quiet "$logs/chroot-purge.log" in_chroot apt-get purge -y -q "${names[@]}"
left=$(cd "$root" && find usr var/lib/dpkg/info \( -name '*mmapobj*' \
  -o -name 'Mmap[.-]*' -o -name '_mmap_helper*' -o -name 'gir1.2-mmap-1*' \) -print)
if [ -n "$left" ]; then
  echo "run.sh: left behind after purge:" >&2
  echo "$left" >&2
  exit 1
fi
echo "   nothing left behind"
# The chroot (about 1 GB) goes; the packages and logs stay in $work.
rm -rf "$root"

step "done: the Debian packaging stage took $((SECONDS - start)) s"
