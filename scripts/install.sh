#!/usr/bin/env bash
# scripts/install.sh [--prefix DIR] [--builddir DIR] [-- MESON-OPTION...]
#
# Builds mmapobj in its own build directory and installs it under DIR
# (default /usr), then makes it usable at once and checks that it is:
#
#  1. installs the Debian packages the build needs (scripts/deps.sh install);
#  2. configures the build directory (default build-install) for DIR: a
#     fresh one with `meson setup`, an existing one with
#     `meson setup --reconfigure`; refuses to go on if its prefix is then not
#     DIR;
#  3. builds, and installs with `meson install` (through sudo only if a
#     folder it writes to is not writable);
#  4. runs ldconfig when the dynamic linker's configuration covers the
#     library's folder (/usr, /usr/local on Debian);
#  5. compiles and runs a C program against the installed pkg-config file,
#     and runs /usr/bin/python3 on the typelib and the override, in a clean
#     environment; for what they do not find by themselves (a typelib under
#     /usr/local, anything under a scratch prefix), prints the `export`
#     lines to add to your shell, and checks them.
#
# With DESTDIR set, installs into DESTDIR/DIR (a staging folder) and stops
# there: nothing can run from a staging folder.
# MESON-OPTIONs go to `meson setup`, e.g. -- -Ddocs=disabled.
set -euo pipefail

usage() {
  echo "usage: scripts/install.sh [--prefix DIR] [--builddir DIR] [-- MESON-OPTION...]" >&2
  echo "       (default: --prefix /usr --builddir build-install; see the top of the script)" >&2
  exit 2
}

prefix=/usr
builddir=build-install
meson_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) [ $# -ge 2 ] || usage; prefix=$2; shift 2 ;;
    --prefix=*) prefix=${1#--prefix=}; shift ;;
    --builddir) [ $# -ge 2 ] || usage; builddir=$2; shift 2 ;;
    --builddir=*) builddir=${1#--builddir=}; shift ;;
    --) shift; meson_args=("$@"); break ;;
    -h|--help) usage ;;
    *) echo "install.sh: unknown argument '$1'" >&2; usage ;;
  esac
done

top="$(cd "$(dirname "$0")/.." && pwd)"
prefix=$(realpath -m -- "$prefix")
case "$builddir" in
  /*) ;;
  *) builddir="$top/$builddir" ;;
esac
builddir=$(realpath -m -- "$builddir")
destdir=${DESTDIR:-}
if [ -n "$destdir" ]; then
  destdir=$(realpath -m -- "$destdir")
fi
cd "$top"

say() { echo "==> $*"; }
die() { echo "install.sh: error: $*" >&2; exit 1; }

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || sudo=(false)
  [ "${#sudo[@]}" -gt 0 ] || sudo=(sudo)
fi

# 1. Packages.
MMAPOBJ_APT_LOG="$builddir/apt.log" bash scripts/deps.sh install

# 2. Configure.
configured() {
  # The value of a meson option of the build directory.
  meson introspect "$builddir" --buildoptions |
    /usr/bin/python3 -c 'import json, sys
print([o["value"] for o in json.load(sys.stdin) if o["name"] == sys.argv[1]][0])' "$1"
}

coredata="$builddir/meson-private/coredata.dat"
if [ -f "$coredata" ]; then
  current=$(configured prefix)
  if [ "$current" != "$prefix" ]; then
    say "$builddir is configured for $current: reconfiguring it for $prefix"
    meson setup --reconfigure "$builddir" --prefix "$prefix" "${meson_args[@]}"
  elif [ "${#meson_args[@]}" -gt 0 ] || [ /var/lib/dpkg/status -nt "$coredata" ]; then
    meson setup --reconfigure "$builddir" --prefix "$prefix" "${meson_args[@]}"
  fi
else
  meson setup "$builddir" --prefix "$prefix" "${meson_args[@]}"
fi
current=$(configured prefix)
if [ "$current" != "$prefix" ]; then
  die "$builddir is configured for the prefix $current, not $prefix;" \
      "refusing to install. Remove it (rm -rf $builddir) or pick another --builddir."
fi

# 3. Build and install.
ninja -C "$builddir"

# Where each installed file goes (the build directory says), one per line.
installed=$(meson introspect "$builddir" --installed |
            /usr/bin/python3 -c 'import json, sys
print("\n".join(sorted(json.load(sys.stdin).values())))')
find_installed() { grep -E -m1 "$1" <<<"$installed" || true; }
lib_file=$(find_installed '/libmmapobj-1\.so\.[0-9]+\.[0-9]+\.[0-9]+$')
typelib_file=$(find_installed '/Mmap-1\.typelib$')
override_file=$(find_installed '/gi/overrides/Mmap\.py$')
helper_file=$(find_installed '/gi/overrides/_mmap_helper[^/]*\.so$')
pc_file=$(find_installed '/mmapobj-1\.pc$')
vapi_file=$(find_installed '/mmapobj-1\.vapi$')
if [ -z "$lib_file" ] || [ -z "$pc_file" ]; then
  die "the build installs no library?"
fi
lib_dir=$(dirname "$lib_file")

# sudo only when a folder meson writes to (or the nearest one that exists)
# is not writable.
need_root=0
if [ "${#sudo[@]}" -gt 0 ]; then
  while read -r file; do
    dir=$(dirname "$destdir$file")
    while [ ! -e "$dir" ]; do dir=$(dirname "$dir"); done
    [ -w "$dir" ] || { need_root=1; break; }
  done <<<"$installed"
fi
run_root=()
if [ "$need_root" -eq 1 ]; then
  run_root=("${sudo[@]}")
  [ "${sudo[0]}" != false ] || die "installing into $prefix needs root, and there is no sudo"
fi
install_args=(-C "$builddir" --no-rebuild --quiet)
[ -z "$destdir" ] || install_args+=(--destdir "$destdir")
say "Installing into ${destdir:+$destdir (staging) + }$prefix${run_root[*]:+ (with sudo)}"
"${run_root[@]}" meson install "${install_args[@]}"

if [ -n "$destdir" ]; then
  say "Staged in $destdir$prefix; nothing runs from a staging folder:" \
      "copy its contents to / (or package them) to use them."
  exit 0
fi

# 4. ldconfig, when the dynamic linker's configuration lists the library's
# folder (its cache then needs the new library); ldconfig names each folder
# it scans, once, under one of its names: compare the folders themselves.
lib_dir_id=$(stat -L -c '%d:%i' "$lib_dir")
in_ld_config=0
while read -r dir; do
  if [ "$(stat -L -c '%d:%i' "$dir" 2>/dev/null)" = "$lib_dir_id" ]; then
    in_ld_config=1
    break
  fi
done < <(/sbin/ldconfig -v -N -X 2>/dev/null | sed -n 's|^\(/[^:]*\):.*|\1|p')
ldconfig_note="not in the dynamic linker's configuration"
if [ "$in_ld_config" -eq 1 ]; then
  if [ "$(id -u)" -eq 0 ] || [ "${sudo[0]:-}" = sudo ]; then
    say "Running ldconfig: $lib_dir is in the dynamic linker's configuration"
    "${sudo[@]}" /sbin/ldconfig
    ldconfig_note="ldconfig ran"
  else
    ldconfig_note="ldconfig needed, but there is neither root nor sudo"
  fi
fi

# 5. Check, in a clean environment (nothing from this shell), that programs
# find what was installed; for each thing they don't find, or find in
# another installation first, an export line, checked again with it.
probe_dir=$(mktemp -d)
trap 'rm -rf "$probe_dir"' EXIT
cat >"$probe_dir/probe.c" <<'EOF'
/* Maps 4 KiB of anonymous memory, prints the file libmmapobj came from. */
#include <mmapobj/mmapobj.h>
#include <stdio.h>
#include <string.h>

int
main (void)
{
  GError *error = NULL;
  MmapObject *map = mmap_object_new_anonymous (4096, &error);
  char line[4096];
  FILE *maps;

  if (map == NULL || mmap_object_get_length (map) != 4096)
    return 1;
  g_object_unref (map);
  maps = fopen ("/proc/self/maps", "r");
  while (maps != NULL && fgets (line, sizeof line, maps) != NULL)
    {
      char *path = strchr (line, '/');
      if (path != NULL && strstr (path, "/libmmapobj-1.so") != NULL)
        {
          fputs (path, stdout);
          return 0;
        }
    }
  return 1;
}
EOF
cat >"$probe_dir/probe.py" <<'EOF'
# Prints the typelib and the override /usr/bin/python3 finds ('-' for
# none); with 'use', also uses a map and prints the helper and the library
# it loaded.
import importlib.util
import sys

import gi

try:
    gi.Repository.get_default().require('Mmap', '1', 0)
    print(gi.Repository.get_default().get_typelib_path('Mmap'))
except Exception:
    print('-')
spec = importlib.util.find_spec('gi.overrides.Mmap')
print(spec.origin if spec is not None else '-')
if sys.argv[1:] == ['use']:
    gi.require_version('Mmap', '1')
    from gi.repository import Mmap
    import gi.overrides.Mmap as override
    with Mmap.mmap(-1, 4096) as m:
        m[:2] = b'ok'
        assert len(m) == 4096 and m[:2] == b'ok'
    helper = getattr(override, '_helper', None)
    print(helper.__file__ if helper is not None else '-')
    with open('/proc/self/maps') as maps:
        libs = [line[line.index('/'):].strip() for line in maps
                if '/libmmapobj-1.so' in line]
    print(libs[0] if libs else '-')
EOF

exports=()   # VAR=DIR: DIR goes in front of VAR
notes=()     # why, one per export
shadowed=()  # files of another installation found first
clean_env() {
  env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$HOME" "${exports[@]}" "$@"
}
same_file() {
  [ -n "$1" ] && [ "$(realpath -e -- "$1" 2>/dev/null)" = "$(realpath -e -- "$2")" ]
}
# need VAR DIR FOUND WHY: DIR must come first in VAR; FOUND is what was
# found without it (empty or '-' for nothing).
need() {
  exports+=("$1=$2")
  case "$3" in
    ''|-) notes+=("$1: $4") ;;
    *) notes+=("$1: puts $2 before the other installation")
       shadowed+=("$3") ;;
  esac
}

# pkg-config (for C and Vala builds).
pc_dir=$(dirname "$pc_file")
found=$(clean_env pkg-config --variable=pcfiledir mmapobj-1 2>/dev/null || true)
if ! same_file "$found" "$pc_dir"; then
  need PKG_CONFIG_PATH "$pc_dir" "${found:+$found/mmapobj-1.pc}" \
    "pkg-config searches $(pkg-config --variable pc_path pkg-config | sed 's/:/, /g') only"
fi

# A C program, built with pkg-config, run.
c_probe() {
  local -a flags
  read -ra flags <<<"$(clean_env pkg-config --cflags --libs mmapobj-1)" &&
  clean_env gcc -o "$probe_dir/probe" "$probe_dir/probe.c" "${flags[@]}" &&
  clean_env "$probe_dir/probe"
}
found=$(c_probe 2>/dev/null || true)
if ! same_file "$found" "$lib_file"; then
  if [ "$in_ld_config" -eq 1 ] && [ "$ldconfig_note" != "ldconfig ran" ]; then
    why="the dynamic linker's cache needs ldconfig, as root"
  else
    why="the dynamic linker does not search $lib_dir (a file in /etc/ld.so.conf.d/ naming it, then ldconfig, does the same for every user)"
  fi
  need LD_LIBRARY_PATH "$lib_dir" "$found" "$why"
  found=$(c_probe) || die "a C program does not build or run against $pc_file"
  same_file "$found" "$lib_file" ||
    die "a C program loads ${found:-no libmmapobj}, not $lib_file"
fi
checked="a C program built with pkg-config"

# /usr/bin/python3: the typelib, the override, the helper, the library.
if [ -n "$typelib_file" ] && [ -n "$override_file" ] && [ -x /usr/bin/python3 ]; then
  mapfile -t found < <(clean_env /usr/bin/python3 "$probe_dir/probe.py" || true)
  if ! same_file "${found[0]:-}" "$typelib_file"; then
    need GI_TYPELIB_PATH "$(dirname "$typelib_file")" "${found[0]:-}" \
      "GObject-Introspection (Python, gjs) searches $(pkg-config --variable typelibdir gobject-introspection-1.0 2>/dev/null || echo 'its own folder') by default"
  fi
  if ! same_file "${found[1]:-}" "$override_file"; then
    python_dir=$(dirname "$(dirname "$(dirname "$override_file")")")
    need PYTHONPATH "$python_dir" "${found[1]:-}" \
      "/usr/bin/python3 does not search $python_dir, where the override went"
  fi
  mapfile -t found < <(clean_env /usr/bin/python3 "$probe_dir/probe.py" use 2>&1 || true)
  if [ "${#found[@]}" -ne 4 ]; then
    printf '    %s\n' "${found[@]}" >&2
    die "/usr/bin/python3 cannot use Mmap from $prefix (see above)"
  fi
  python_die() {
    die "/usr/bin/python3 loads $1, not the one installed here, even with" \
        "${exports[*]}; uninstall the installation it comes from" \
        "(PyGObject searches its own folder first: an override in" \
        "/usr/lib/python3/dist-packages hides any other)"
  }
  same_file "${found[0]}" "$typelib_file" || python_die "${found[0]}"
  same_file "${found[1]}" "$override_file" || python_die "${found[1]}"
  if [ -n "$helper_file" ]; then
    same_file "${found[2]}" "$helper_file" || python_die "${found[2]}"
  fi
  same_file "${found[3]}" "$lib_file" || python_die "${found[3]}"
  checked+=" and /usr/bin/python3"
fi

# 6. Report.
version=$(clean_env pkg-config --modversion mmapobj-1)
say "mmapobj $version is installed in $prefix:"
row() { printf '    %-10s %s\n' "$1" "$2"; }
row library "$lib_file ($ldconfig_note)"
row headers "$(dirname "$(find_installed '/mmapobj\.h$')")"
row pkg-config "$pc_file"
[ -z "$typelib_file" ] || row typelib "$typelib_file"
[ -z "$override_file" ] || row Python "$(dirname "$override_file")/"
[ -z "$vapi_file" ] || row Vala "$vapi_file"
if [ "${#shadowed[@]}" -gt 0 ]; then
  say "WARNING: another installation of mmapobj is found first:"
  printf '    %s\n' "${shadowed[@]}"
  echo "    Uninstall it (\`ninja -C BUILDDIR uninstall\` in the build directory" \
       "that installed it, or remove these files), or set what follows."
fi
if [ "${#exports[@]}" -eq 0 ]; then
  say "Checked: $checked find it, with no settings."
else
  say "Checked: $checked find it, with these lines in the shell" \
      "(add them to ~/.profile to keep them):"
  for e in "${exports[@]}"; do
    var=${e%%=*}
    echo "export $e\${$var:+:\$$var}"
  done
  printf '    (%s)\n' "${notes[@]}"
fi
if [ -n "$vapi_file" ]; then
  vapi_dir=$(dirname "$vapi_file")
  case "$vapi_dir" in
    /usr/share/vala/vapi|/usr/local/share/vala/vapi) ;;
    *) say "Vala: valac --vapidir=$vapi_dir --pkg mmapobj-1 …" ;;
  esac
fi
