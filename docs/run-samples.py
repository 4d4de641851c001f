#!/usr/bin/env python3
# run-samples.py: runs the code samples of the guides, as a TAP test
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Usage: run-samples.py GUIDE.md...
#
# Every fenced block tagged ```python, ```js, ```c or ```vala is one sample:
# it is written to a fresh directory, compiled if needed and run there, and
# must exit with status 0 (the samples assert their own results). Blocks
# with any other tag (```sh, ```text, ...) are prose and are not run.
#
# The environment says where the tools and the built library are:
#   MMAP_BUILD_ROOT   the meson build directory
#   MMAP_PYTHON       a Python with PyGObject (python samples)
#   MMAP_GJS          gjs (js samples)
#   MMAP_CC           a C compiler (c samples)
#   MMAP_VALAC        valac (vala samples)
#   MMAP_PKG_CONFIG   pkg-config (c and vala samples)
# GI_TYPELIB_PATH, LD_LIBRARY_PATH and PYTHONPATH must already point at the
# built typelib, library and override. An empty or unset tool variable skips
# the samples in that language.

import os
import re
import shlex
import subprocess
import sys
import tempfile

FENCE = re.compile(r'^```(\w+)[ \t]*\n(.*?)^```[ \t]*$', re.M | re.S)
LANGUAGES = ('python', 'js', 'c', 'vala')
TIMEOUT = 120


def samples(path):
    with open(path, encoding='utf-8') as f:
        text = f.read()
    for match in FENCE.finditer(text):
        lang = match.group(1)
        if lang in LANGUAGES:
            line = text.count('\n', 0, match.start()) + 1
            yield lang, line, match.group(2)


def pkg_config_flags():
    build_root = os.environ['MMAP_BUILD_ROOT']
    env = dict(os.environ)
    # The -uninstalled .pc file points at the build and source trees.
    env['PKG_CONFIG_PATH'] = os.pathsep.join(
        filter(None, [os.path.join(build_root, 'meson-uninstalled'),
                      env.get('PKG_CONFIG_PATH')]))
    out = subprocess.run([os.environ['MMAP_PKG_CONFIG'], '--cflags', '--libs',
                          'mmapobj-1'], env=env, check=True,
                         capture_output=True, text=True).stdout
    return shlex.split(out)


def commands(lang, source, workdir):
    """The commands that build and run one sample, or None to skip."""
    build_root = os.environ.get('MMAP_BUILD_ROOT', '')
    if lang == 'python':
        tool = os.environ.get('MMAP_PYTHON')
        return tool and [[tool, source]]
    if lang == 'js':
        tool = os.environ.get('MMAP_GJS')
        return tool and [[tool, '-m', source]]
    exe = os.path.join(workdir, 'sample')
    if lang == 'c':
        tool = os.environ.get('MMAP_CC')
        return tool and [[tool, '-Wall', '-Wextra', '-Werror',
                          '-Wno-unused-parameter', '-o', exe, source]
                         + pkg_config_flags(), [exe]]
    if lang == 'vala':
        tool = os.environ.get('MMAP_VALAC')
        if not tool:
            return None
        cflags = []
        for flag in pkg_config_flags():
            cflags += ['-X', flag]
        return [[tool, '--vapidir', os.path.join(build_root, 'mmapobj'),
                 '--pkg', 'mmapobj-1', '--pkg', 'gio-2.0', '--pkg', 'posix',
                 '-X', '-w', '-o', exe, source] + cflags, [exe]]
    return None


def run_sample(lang, code):
    """Returns (status, log): status is 'ok', 'fail' or 'skip'."""
    suffix = {'python': '.py', 'js': '.js', 'c': '.c', 'vala': '.vala'}[lang]
    with tempfile.TemporaryDirectory(prefix='mmap-sample-') as workdir:
        source = os.path.join(workdir, 'sample' + suffix)
        with open(source, 'w', encoding='utf-8') as f:
            f.write(code)
        cmds = commands(lang, source, workdir)
        if not cmds:
            return 'skip', 'no %s tool configured' % lang
        log = []
        for cmd in cmds:
            try:
                proc = subprocess.run(cmd, cwd=workdir, capture_output=True,
                                      text=True, timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                return 'fail', '%s: timed out after %d s' % (cmd[0], TIMEOUT)
            log.append('$ ' + ' '.join(shlex.quote(c) for c in cmd))
            log.append(proc.stdout + proc.stderr)
            if proc.returncode != 0:
                log.append('exit status %d' % proc.returncode)
                return 'fail', '\n'.join(log)
        return 'ok', '\n'.join(log)


def main(guides):
    found = []
    for guide in guides:
        found += [(os.path.basename(guide), lang, line, code)
                  for lang, line, code in samples(guide)]
    print('1..%d' % len(found))
    if not found:
        print('# no samples found in %s' % ' '.join(guides))
        return 1
    failures = 0
    for n, (guide, lang, line, code) in enumerate(found, 1):
        name = '%s:%d %s sample' % (guide, line, lang)
        if lang == 'python':
            name += ' (through the override gi/overrides/Mmap.py)'
        status, log = run_sample(lang, code)
        if status == 'skip':
            print('ok %d %s # SKIP %s' % (n, name, log))
            continue
        if status == 'fail':
            failures += 1
            print('not ok %d %s' % (n, name))
            for text in log.splitlines():
                print('# ' + text)
        else:
            print('ok %d %s' % (n, name))
        sys.stdout.flush()
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
