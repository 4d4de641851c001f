#!/usr/bin/env python3
# bench-bulk.py: the bulk calls against per-match and per-line loops
#
# SPDX-License-Identifier: LGPL-2.1-or-later
"""find_all(), count() and line_offsets() against the loops they replace.

Writes a text file (64 MiB by default) of numbered lines, every 8th of which
holds the needle once, and times over it, in one run:

- Python (this interpreter, through the Mmap override): a per-match loop of
  ``m.find(sub, i)``, ``m.count(sub)``, ``m.find_all(sub)``; a per-line loop
  of ``m.readline()``, ``m.line_offsets()``, and ``m.count(b'\\n')`` (the
  scan that line_offsets makes, without building a list);
- CPython's own ``mmap`` under CPython 3.13 (pyenv's, or ``--cpython``): the
  same per-match and per-line loops, ``m[:].count(sub)`` (a copy, then
  ``bytes.count``) and ``bytes.count`` alone on the copied bytes;
- gjs (bench-bulk.js beside this file): a per-match loop of
  ``find_range()``, ``count()``, ``find_all()``, a per-line loop of
  ``readline()`` and ``line_offsets()``;
- ``grep -c -F`` (LC_ALL=C) on the same file, as a process.

Each row is the best of ``--repeats`` passes.  It prints ms per pass, ns per
match (or per line), and the ratio to the bulk call of the same language.
Not a test: nothing fails on a slow figure.

    meson devenv -C BUILD /usr/bin/python3 \\
        $PWD/benchmarks/bulk/bench-bulk.py [--size-mib 64] [--repeats 5] \\
        [--cpython PATH] [--gjs PATH] [--json FILE]

Internally the script re-runs itself as ``--cpython-side FILE NEEDLE`` under
CPython 3.13, where it imports nothing but ``mmap``.
"""

import argparse
import glob
import json
import mmap as pymmap
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
NEEDLE = b'NEEDLE'
EVERY = 8                       # one line in EVERY holds the needle


def best_ms(fn, repeats):
    """(best time in ms, result) of @repeats calls of @fn."""
    best = None
    result = None
    for _ in range(repeats):
        start = time.perf_counter_ns()
        result = fn()
        ns = time.perf_counter_ns() - start
        best = ns if best is None else min(best, ns)
    return best / 1e6, result


def make_file(path, size):
    """Numbered lines of 40 to 100 bytes up to @size bytes; every EVERY-th
    holds NEEDLE.  Returns (matches, lines)."""
    filler = b'abcdefghijklmnopqrstuvwxyz' * 4
    matches = lines = 0
    written = 0
    with open(path, 'wb') as f:
        chunk = []
        while written < size:
            text = b'line %08d ' % lines + filler[:lines % 61 + 20]
            if lines % EVERY == 0:
                text += b' ' + NEEDLE + b' ' + filler[:10]
                matches += 1
            text += b'\n'
            chunk.append(text)
            written += len(text)
            lines += 1
            if len(chunk) == 4096:
                f.write(b''.join(chunk))
                chunk = []
        f.write(b''.join(chunk))
    return matches, lines


# -- the loops, for any object with mmap's find/readline -------------------

def find_loop(m, sub):
    n = 0
    i = m.find(sub, 0)
    while i >= 0:
        n += 1
        i = m.find(sub, i + len(sub))
    return n


def readline_loop(m):
    m.seek(0)
    n = 0
    readline = m.readline
    while readline():
        n += 1
    return n


def cpython_side(path, needle, repeats):
    """The CPython mmap rows, as JSON on stdout."""
    rows = {}
    with open(path, 'rb') as f:
        m = pymmap.mmap(f.fileno(), 0, access=pymmap.ACCESS_READ)
        rows['find loop'] = best_ms(lambda: find_loop(m, needle), repeats)
        rows['readline loop'] = best_ms(lambda: readline_loop(m), repeats)
        rows['m[:].count'] = best_ms(lambda: m[:].count(needle), repeats)
        data = m[:]
        rows['bytes.count'] = best_ms(lambda: data.count(needle), repeats)
        m.close()
    json.dump({'version': sys.version.split()[0], 'rows': rows}, sys.stdout)


def python_side(path, needle, repeats):
    import gi
    gi.require_version('Mmap', '1')
    from gi.repository import Mmap

    rows = {}
    fd = os.open(path, os.O_RDONLY)
    try:
        m = Mmap.mmap(fd, 0, access=Mmap.ACCESS_READ)
        rows['find loop'] = best_ms(lambda: find_loop(m, needle), repeats)
        rows['count'] = best_ms(lambda: m.count(needle), repeats)
        rows['find_all'] = best_ms(lambda: len(m.find_all(needle)), repeats)
        rows['readline loop'] = best_ms(lambda: readline_loop(m), repeats)
        rows['line_offsets'] = best_ms(lambda: len(m.line_offsets()),
                                       repeats)
        # The scan line_offsets makes, without building the list.
        rows['count(b"\\n")'] = best_ms(lambda: m.count(b'\n'), repeats)
        m.close()
    finally:
        os.close(fd)
    return rows


def find_cpython(given):
    if given:
        return given
    found = sorted(glob.glob(os.path.expanduser(
        '~/.pyenv/versions/3.13*/bin/python3')))
    if found:
        return found[-1]
    return shutil.which('python3.13')


def grep_rows(path, needle, repeats):
    grep = shutil.which('grep')
    if grep is None:
        return {}
    env = dict(os.environ, LC_ALL='C')

    def run(args):
        out = subprocess.run([grep, *args, path], env=env, check=False,
                             capture_output=True).stdout
        return int(out.split()[0]) if out.strip() else 0
    return {
        'grep -c -F': best_ms(lambda: run(['-c', '-F', needle.decode()]),
                              repeats),
        'grep -c ^': best_ms(lambda: run(['-c', '^']), repeats),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--size-mib', type=int, default=64)
    parser.add_argument('--repeats', type=int, default=5)
    parser.add_argument('--cpython', help='CPython 3.13 for its mmap rows')
    parser.add_argument('--gjs', default=shutil.which('gjs'))
    parser.add_argument('--json', help='write the figures here')
    parser.add_argument('--cpython-side', nargs=2, metavar=('FILE', 'NEEDLE'),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.cpython_side:
        path, needle = args.cpython_side
        cpython_side(path, needle.encode(), args.repeats)
        return 0

    with tempfile.TemporaryDirectory(prefix='mmap-bench-bulk-') as tmp:
        path = os.path.join(tmp, 'lines.txt')
        matches, lines = make_file(path, args.size_mib << 20)
        size = os.path.getsize(path)
        print('file: %.1f MiB, %d lines, %d matches of %r'
              % (size / (1 << 20), lines, matches, NEEDLE.decode()))

        sides = {}
        sides['Python (Mmap)'] = python_side(path, NEEDLE, args.repeats)

        cpython = find_cpython(args.cpython)
        if cpython:
            proc = subprocess.run(
                [cpython, os.path.abspath(__file__), '--repeats',
                 str(args.repeats), '--cpython-side', path, NEEDLE.decode()],
                capture_output=True, check=True)
            out = json.loads(proc.stdout)
            sides['CPython %s mmap' % out['version']] = out['rows']

        if args.gjs:
            proc = subprocess.run(
                [args.gjs, '-m', os.path.join(HERE, 'bench-bulk.js'), path,
                 NEEDLE.decode(), str(args.repeats)],
                capture_output=True, check=True)
            sides['gjs (Mmap)'] = json.loads(proc.stdout)

        sides['grep'] = grep_rows(path, NEEDLE, args.repeats)

    report(sides, matches, lines)
    if args.json:
        with open(args.json, 'w') as f:
            json.dump({'size': size, 'lines': lines, 'matches': matches,
                       'sides': sides}, f, indent=1)
    return 0


# Rows that count matches (per match), and rows that count lines.
LINE_ROWS = ('readline loop', 'line_offsets', 'count(b"\\n")', 'grep -c ^')


def report(sides, matches, lines):
    py_count = sides['Python (Mmap)']['count'][0]
    py_lines = sides['Python (Mmap)']['line_offsets'][0]
    print()
    print('| side | row | result | ms / pass | ns / item | '
          '× own bulk call | × Python count / line_offsets |')
    print('|---|---|---:|---:|---:|---:|---:|')
    for side, rows in sides.items():
        own_count = rows.get('count', (None,))[0]
        own_lines = rows.get('line_offsets', (None,))[0]
        for name, (ms, result) in rows.items():
            per_line = name in LINE_ROWS
            items = lines if per_line else matches
            own = own_lines if per_line else own_count
            ref = py_lines if per_line else py_count
            own_ratio = '%.1f×' % (ms / own) if own else '—'
            print('| %s | `%s` | %d | %.1f | %.1f | %s | %.1f× |'
                  % (side, name, result, ms, ms * 1e6 / items, own_ratio,
                     ms / ref))
            if result != items:
                print('|   | (expected %d) | | | | | |' % items)


if __name__ == '__main__':
    sys.exit(main())
