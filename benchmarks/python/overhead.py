#!/usr/bin/env python3
# overhead.py: per-call cost of the Mmap override against CPython's mmap.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Per-call cost of gi.repository.Mmap against the interpreter's mmap.

Maps the same temporary file (64 MiB by default: 80-byte lines, a needle
at the end and another at the start) with both and times indexing,
slicing, read_byte(), read(n), readline(), find() and rfind() in one run,
printing ns per call and the ratio to CPython's mmap.  The "raw GI" column
calls the introspected C function directly (no override), to show what
the override itself adds.  The three sides are interleaved: each round
times one batch of each, and the best round of each side counts.
Not a test: the figures depend on the machine.

    meson devenv -C build-bench /usr/bin/python3 \\
        $PWD/benchmarks/python/overhead.py [--json FILE]
"""

import argparse
import json
import mmap as pymmap
import os
import sys
import tempfile
import time

import gi

gi.require_version('Mmap', '1')
from gi.repository import Mmap  # noqa: E402

RawObject = Mmap.Object.__base__

LINE = b'x' * 79 + b'\n'
NEEDLE = b'NEEDLE-AT-THE-END'
RNEEDLE = b'NEEDLE-AT-THE-START'


def timed(fn, calls):
    """ns per call of one run of @fn (which makes @calls calls)."""
    start = time.perf_counter_ns()
    fn()
    return (time.perf_counter_ns() - start) / calls


def loop(m, op, n, reset=None):
    """A batch of @n calls of @op(m, i); @reset(m) runs first."""
    def run():
        if reset is not None:
            reset(m)
        for i in range(n):
            op(m, i)
    return run


def rows(size, calls):
    """(name, op on the override, op through raw GI, calls, reset): the
    same op runs on CPython's mmap."""
    rewind = lambda m: m.seek(0)  # noqa: E731
    n_read = min(calls, size // 4096)
    n_line = min(calls, size // len(LINE))
    n_big = max(1, min(200, size >> 20))
    get_byte = RawObject.get_byte
    read_byte = RawObject.read_byte
    read = RawObject.read
    readline = RawObject.readline
    get_slice = RawObject.get_slice
    find = RawObject.find_range
    rfind = RawObject.rfind_range
    window = 65536
    return [
        ('m[i]', lambda m, i: m[i % window],
         lambda m, i: get_byte(m, i % window), calls, None),
        ('m[i:i+4096]', lambda m, i: m[i:i + 4096],
         lambda m, i: get_slice(m, i, i + 4096, 1).get_data(), n_read, None),
        ('read_byte()', lambda m, i: m.read_byte(),
         lambda m, i: read_byte(m), calls, rewind),
        ('read(64)', lambda m, i: m.read(64),
         lambda m, i: read(m, 64).get_data(), calls, rewind),
        ('read(4096)', lambda m, i: m.read(4096),
         lambda m, i: read(m, 4096).get_data(), n_read, rewind),
        ('read(1 MiB)', lambda m, i: m.read(1 << 20),
         lambda m, i: read(m, 1 << 20).get_data(), n_big, rewind),
        ('readline() 80 B', lambda m, i: m.readline(),
         lambda m, i: readline(m).get_data(), n_line, rewind),
        ('find() %d MiB' % (size >> 20), lambda m, i: m.find(NEEDLE, 0),
         lambda m, i: find(m, NEEDLE, 0, 2 ** 63 - 1), 3, None),
        ('rfind() %d MiB' % (size >> 20), lambda m, i: m.rfind(RNEEDLE),
         lambda m, i: rfind(m, RNEEDLE, 0, 2 ** 63 - 1), 3, None),
    ]


def make_file(size):
    fd, path = tempfile.mkstemp(prefix='mmap-bench-')
    chunk = LINE * 4096
    for _ in range(size // len(chunk)):
        os.write(fd, chunk)
    os.ftruncate(fd, size)
    os.pwrite(fd, RNEEDLE, len(LINE))
    os.pwrite(fd, NEEDLE, size - len(NEEDLE))
    return fd, path


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--size-mib', type=int, default=64)
    parser.add_argument('--calls', type=int, default=100000)
    parser.add_argument('--repeats', type=int, default=5)
    parser.add_argument('--json', metavar='FILE',
                        help='also write the results to FILE as JSON')
    args = parser.parse_args()

    size = args.size_mib << 20
    fd, path = make_file(size)
    try:
        py = pymmap.mmap(fd, 0, access=pymmap.ACCESS_READ)
        ours = Mmap.mmap(fd, 0, access=Mmap.ACCESS_READ)
        assert py.find(NEEDLE, 0) == ours.find(NEEDLE, 0) == size - len(
            NEEDLE)
        assert py.rfind(RNEEDLE) == ours.rfind(RNEEDLE) == len(LINE)
        ours.madvise(Mmap.MADV_WILLNEED)

        print('file: %d MiB, best of %d interleaved rounds, %s %s'
              % (args.size_mib, args.repeats, sys.executable,
                 sys.version.split()[0]))
        print('%-18s %14s %14s %14s %8s' % ('operation', 'CPython mmap',
                                             'Mmap override', 'raw GI',
                                             'ratio'))
        results = []
        for name, op, raw_op, calls, reset in rows(size, args.calls):
            sides = [loop(py, op, calls, reset), loop(ours, op, calls, reset),
                     loop(ours, raw_op, calls, reset)]
            best = [float('inf')] * 3
            for _ in range(args.repeats):
                for k, fn in enumerate(sides):
                    best[k] = min(best[k], timed(fn, calls))
            t_py, t_ours, t_raw = best
            print('%-18s %11.0f ns %11.0f ns %11.0f ns %7.1fx'
                  % (name, t_py, t_ours, t_raw, t_ours / t_py))
            results.append({'name': name, 'cpython_ns': t_py,
                            'override_ns': t_ours, 'raw_gi_ns': t_raw,
                            'ratio': t_ours / t_py})
        py.close()
        ours.close()
    finally:
        os.close(fd)
        os.unlink(path)

    if args.json:
        with open(args.json, 'w', encoding='utf-8') as f:
            json.dump({'benchmark': 'overhead.py',
                       'python': sys.version.split()[0],
                       'size_mib': args.size_mib, 'repeats': args.repeats,
                       'rows': results}, f, indent=2)
            f.write('\n')


if __name__ == '__main__':
    main()
