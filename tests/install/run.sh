#!/usr/bin/env bash
# tests/install/run.sh: the install test (CI: a stage of .ci/run).
#
# Installs mmapobj with scripts/install.sh, as a user would, and builds and
# runs a C, a Python, a gjs and a Vala program (app.c, app.py, app.js,
# app.vala) against the installed files only: each runs from a scratch
# folder, under `env -i` with nothing but the `export` lines install.sh
# printed, and (as root) with the source and build trees hidden under an
# empty tmpfs; each prints the files it loaded (library, typelib,
# override, helper), which must be the installed ones.
#
#  1. a build directory configured for another prefix, and a meson that
#     ignores --prefix on reconfiguring (as `meson setup` does on a
#     configured directory): install.sh refuses, and installs nothing;
#  2. a scratch prefix: install.sh reconfigures the same directory,
#     installs, prints the four exports a scratch prefix needs; nothing
#     installed lies outside the prefix or names the source or build tree;
#     the four programs run;
#  3. DESTDIR staging for /usr/local and /usr: the override lands in a
#     folder /usr/bin/python3 searches (site.getsitepackages());
#  4. as root, in a private mount namespace with throwaway overlays on /usr
#     and /etc (the machine itself is not touched): real installs into
#     /usr/local (ldconfig runs; exactly one export, GI_TYPELIB_PATH) and
#     /usr (no export at all), and the four programs run against each.
#     Skipped when mount namespaces or overlayfs are not available.
#
# Environment: MMAPOBJ_INSTALL_BUILDDIR (default build-install-test).
# Prints TAP; exits non-zero if any check fails.
set -euo pipefail
cd "$(dirname "$0")/../.."
top=$(pwd)
here=$top/tests/install
builddir=$top/${MMAPOBJ_INSTALL_BUILDDIR:-build-install-test}

n=0
failed=0
skipped=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
skip() { n=$((n + 1)); skipped=$((skipped + 1)); echo "ok $n - # SKIP $*"; }
check() {  # check DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@"; then ok "$what"; else not_ok "$what"; fi
}
same_file() {
  [ -n "$1" ] && [ "$(realpath -e -- "$1" 2>/dev/null)" = "$(realpath -e -- "$2")" ]
}
under() {  # under FILE DIR: FILE (resolved) lies in DIR (resolved)
  local f d
  f=$(realpath -e -- "$1" 2>/dev/null) || return 1
  d=$(realpath -e -- "$2")
  [ "${d%/}" = / ] || case "$f" in "$d"/*) ;; *) return 1 ;; esac
}

# run_programs LABEL PREFIX ENVFILE: builds and runs the four programs in a
# scratch folder with only the settings of ENVFILE, hiding the source and
# build trees when it can; each file a program loaded must be in PREFIX.
run_programs() {
  local label=$1 prefix=$2 envfile=$3 dir hide=()
  dir=$(mktemp -d "$work/run-XXXXXX")
  cp "$here"/app.c "$here"/app.py "$here"/app.js "$here"/app.vala "$dir/"
  cp "$envfile" "$dir/env.sh"
  # Runs as `bash -c`: the export lines, then the commands, in $dir.
  cat >"$dir/programs.sh" <<'EOF'
set -eu
. ./env.sh
vapidir=""
if [ -n "${VAPIDIR:-}" ]; then vapidir="--vapidir=$VAPIDIR"; fi
step() { echo "== $1"; }
step c
gcc app.c -o app-c $(pkg-config --cflags --libs mmapobj-1)
./app-c >out-c
step python
/usr/bin/python3 app.py >out-py
step gjs
gjs -m app.js >out-js
step vala
valac $vapidir --pkg mmapobj-1 app.vala -o app-vala 2>valac.log
./app-vala >out-vala
step done
EOF
  if [ "$can_hide" -eq 1 ]; then
    # shellcheck disable=SC2016 # expanded by sh -c
    hide=(unshare -m --propagation private
          sh -c 'mount -t tmpfs -o ro,size=4k hidden "$0" && exec "$@"' "$top")
  fi
  local status=0
  (cd "$dir" && "${hide[@]}" env -i PATH=/usr/bin:/bin HOME="$dir" LANG=C.UTF-8 \
     VAPIDIR="$(vapidir_of "$prefix")" \
     bash programs.sh >"$dir/log" 2>&1) || status=$?
  local how="env -i + install.sh's exports"
  [ "$can_hide" -eq 0 ] || how+=", source tree hidden"
  if [ "$status" -ne 0 ]; then
    not_ok "$label: the programs build and run ($how)"
    sed 's/^/# /' "$dir/log"
    return 0
  fi
  ok "$label: C, Python, gjs and Vala programs build and run ($how)"
  local out kind file bad=()
  for out in out-c out-py out-js out-vala; do
    while read -r kind file; do
      [ "$file" != - ] || continue
      under "$file" "$prefix" || bad+=("$out: $kind $file")
      case "$file" in "$top"/*) bad+=("$out: $kind $file (source tree)") ;; esac
    done <"$dir/$out"
  done
  if [ "${#bad[@]}" -eq 0 ] &&
     grep -q '^library ' "$dir/out-c" && grep -q '^typelib ' "$dir/out-py" &&
     grep -q '^override ' "$dir/out-py" && grep -q '^library ' "$dir/out-js" &&
     grep -q '^library ' "$dir/out-vala"; then
    ok "$label: every program loaded the library (and Python the typelib and override) from $prefix"
  else
    not_ok "$label: every program loaded the library (and Python the typelib and override) from $prefix"
    printf '# %s\n' "${bad[@]}" "output:"
    cat "$dir"/out-* | sed 's/^/#   /'
  fi
}

# The vapi folder when valac would not search it by itself.
vapidir_of() {
  local vapi=$1/share/vala/vapi
  case "$vapi" in
    /usr/share/vala/vapi|/usr/local/share/vala/vapi) echo "" ;;
    *) echo "$vapi" ;;
  esac
}

# install.sh's export lines from its output, into a file.
exports_of() { grep '^export ' "$1" >"$2" || true; }

# override_dir_searched STAGE PREFIX: the override staged in STAGE lies,
# without STAGE, in a folder /usr/bin/python3 searches.
override_dir_searched() {
  local override dir
  override=$(find "$1" -path '*/gi/overrides/Mmap.py' | head -n 1)
  [ -n "$override" ] || return 1
  dir=${override#"$1"}
  dir=${dir%/gi/overrides/Mmap.py}
  echo "# $2: the override is staged in $dir/gi/overrides/"
  /usr/bin/python3 -c 'import site, sys
sys.exit(0 if sys.argv[1] in site.getsitepackages() else 1)' "$dir"
}

# --- 4. (re-executed in a private mount namespace): a real install into
# /usr or /usr/local, on overlays that vanish with the namespace.
if [ "${1:-}" = --system ]; then
  prefix=$2
  work=$3
  can_hide=$4
  eval "$(cat "$work/counts")"
  ns=$(mktemp -d "$work/ns-XXXXXX")
  for d in /usr /etc; do
    mkdir -p "$ns/upper$d" "$ns/work$d"
    mount -t overlay overlay \
      -o "lowerdir=$d,upperdir=$ns/upper$d,workdir=$ns/work$d" "$d"
  done
  log=$work/install-system${prefix//\//-}.log
  status=0
  bash scripts/install.sh --prefix "$prefix" --builddir "$builddir" \
    >"$log" 2>&1 || status=$?
  if [ "$status" -ne 0 ]; then
    not_ok "$prefix: scripts/install.sh --prefix $prefix"
    tail -n 30 "$log" | sed 's/^/# /'
    exit 0
  fi
  ok "$prefix: scripts/install.sh --prefix $prefix (real install, on an overlay)"
  exports_of "$log" "$ns/env.sh"
  got=$(sed 's/=.*//; s/^export //' "$ns/env.sh" | tr '\n' ' ')
  case "$prefix" in
    /usr/local) want="GI_TYPELIB_PATH " ;;
    *) want="" ;;
  esac
  check "$prefix: install.sh prints the exports it needs: '${want% }'" \
    [ "$got" = "$want" ]
  check "$prefix: ldconfig ran" grep -q 'ldconfig ran' "$log"
  if [ "$got" != "$want" ]; then sed 's/^/# /' "$ns/env.sh"; fi
  run_programs "$prefix" "$prefix" "$ns/env.sh"
  echo "n=$n failed=$failed skipped=$skipped" >"$work/counts"
  exit 0
fi

work=$(mktemp -d /tmp/mmapobj-install-test.XXXXXX)
keep_work() {
  if [ "$failed" -eq 0 ]; then rm -rf "$work"; else echo "# kept: $work"; fi
}
trap keep_work EXIT

# The packages: what the installed files are built from (scripts/deps.sh
# install: the compiler, GI, PyGObject, valac, …) and gjs to run app.js.
MMAPOBJ_APT_LOG="$work/apt.log" bash scripts/deps.sh install gjs

# Can we hide the source tree, and make throwaway overlays (root, mount
# namespaces)?
can_hide=0
# shellcheck disable=SC2016 # expanded by sh -c
if [ "$(id -u)" -eq 0 ] &&
   unshare -m --propagation private sh -c \
     'mount -t tmpfs -o ro,size=4k hidden "$0"' "$top" 2>/dev/null; then
  can_hide=1
fi

# --- 1. A build directory configured for another prefix; a meson that
# ignores --prefix on reconfiguring: install.sh must refuse.
rm -rf "$builddir"
meson setup "$builddir" --prefix "$work/first" >"$work/setup.log" 2>&1
mkdir "$work/fakebin"
real_meson=$(command -v meson)
cat >"$work/fakebin/meson" <<EOF
#!/usr/bin/env bash
# meson, except that 'setup --reconfigure' drops --prefix DIR.
args=()
if [ "\$1" = setup ] && [[ " \$* " == *" --reconfigure "* ]]; then
  while [ \$# -gt 0 ]; do
    case "\$1" in
      --prefix) shift 2 ;;
      *) args+=("\$1"); shift ;;
    esac
  done
  set -- "\${args[@]}"
fi
exec "$real_meson" "\$@"
EOF
chmod +x "$work/fakebin/meson"
status=0
PATH="$work/fakebin:$PATH" bash scripts/install.sh --prefix "$work/prefix" \
  --builddir "$builddir" >"$work/refuse.log" 2>&1 || status=$?
check "install.sh refuses when the prefix does not take (exit $status)" \
  [ "$status" -ne 0 ]
check "... saying why" grep -q "refusing to install" "$work/refuse.log"
check "... and installs nothing" \
  test ! -e "$work/prefix" -a ! -e "$work/first"

# --- 2. A scratch prefix, in the same build directory.
prefix=$work/prefix
status=0
bash scripts/install.sh --prefix "$prefix" --builddir "$builddir" \
  >"$work/install.log" 2>&1 || status=$?
if [ "$status" -ne 0 ]; then
  not_ok "scripts/install.sh --prefix $prefix"
  tail -n 40 "$work/install.log" | sed 's/^/# /'
  echo "1..$n"
  exit 1
fi
ok "scripts/install.sh --prefix <scratch> (exit 0)"
check "... reconfigured the directory from the other prefix" \
  grep -q "reconfiguring it for $prefix" "$work/install.log"
exports_of "$work/install.log" "$work/env.sh"
got=$(sed 's/=.*//; s/^export //' "$work/env.sh" | sort | tr '\n' ' ')
check "... printed the four exports a scratch prefix needs ($got)" \
  [ "$got" = "GI_TYPELIB_PATH LD_LIBRARY_PATH PKG_CONFIG_PATH PYTHONPATH " ]

installed=$(meson introspect "$builddir" --installed |
            /usr/bin/python3 -c 'import json, sys
print("\n".join(json.load(sys.stdin).values()))')
outside=$(grep -v "^$prefix/" <<<"$installed" || true)
check "every installed file lies in the prefix" [ -z "$outside" ]
missing=$(while read -r f; do [ -e "$f" ] || echo "$f"; done <<<"$installed")
check "every installed file is there" [ -z "$missing" ]
# (Libraries: outside their debug info, which names the build directory.)
naming=()
while read -r f; do
  if [ "$(head -c 4 "$f")" = $'\x7fELF' ]; then
    objcopy --strip-debug "$f" "$work/nodebug"
    ! grep -qF "$top" "$work/nodebug" || naming+=("$f")
  else
    ! grep -qF "$top" "$f" || naming+=("$f")
  fi
done < <(find "$prefix" -type f)
check "no installed file names the source or build tree" [ "${#naming[@]}" -eq 0 ]
[ "${#naming[@]}" -eq 0 ] || printf '# %s\n' "${naming[@]}"
rpaths=$(find "$prefix" -name '*.so*' -type f -exec readelf -d {} + 2>/dev/null |
         grep -E 'RPATH|RUNPATH' || true)
check "no installed library carries an RPATH" [ -z "$rpaths" ]

run_programs "scratch prefix" "$prefix" "$work/env.sh"

# --- 3. DESTDIR staging: the override goes where the prefix's Python looks.
for p in /usr/local /usr; do
  stage=$work/stage${p//\//-}
  status=0
  DESTDIR=$stage bash scripts/install.sh --prefix "$p" --builddir "$builddir" \
    >"$work/stage${p//\//-}.log" 2>&1 || status=$?
  check "DESTDIR=<stage> install.sh --prefix $p" [ "$status" -eq 0 ]
  check "... the override is staged in a folder /usr/bin/python3 searches" \
    override_dir_searched "$stage" "$p"
  installed=$(meson introspect "$builddir" --installed |
              /usr/bin/python3 -c 'import json, sys
print("\n".join(json.load(sys.stdin).values()))')
  missing=$(while read -r f; do [ -e "$stage$f" ] || echo "$f"; done <<<"$installed")
  check "... every file is staged under DESTDIR" [ -z "$missing" ]
  check "... and install.sh stops there" grep -q '^==> Staged in' "$work/stage${p//\//-}.log"
done

# --- 4. Real installs, on overlays in a private mount namespace.
for p in /usr/local /usr; do
  if [ "$can_hide" -eq 1 ] && grep -qw overlay /proc/filesystems; then
    echo "n=$n failed=$failed skipped=$skipped" >"$work/counts"
    unshare -m --propagation private bash "$here/run.sh" --system "$p" \
      "$work" "$can_hide" || not_ok "$p: the namespace run"
    # The counts come back from the namespace.
    eval "$(cat "$work/counts")"
  else
    skip "$p: a real install needs root, mount namespaces and overlayfs"
  fi
done

echo "1..$n"
echo "# install test: $((n - failed - skipped)) passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
