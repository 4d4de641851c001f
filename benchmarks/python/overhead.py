#!/usr/bin/env python3
# overhead.py: per-call cost of the Mmap override against CPython's mmap.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Per-call overhead of gi.repository.Mmap against the interpreter's mmap.

Maps the same temporary file (256 MiB by default) with both and times
m[i], read_byte(), read(4096) and find() in one run, printing ns per call
and the ratio.  The "raw GI" column calls the introspected C function
directly (no override), to show what the override itself adds.
Not a test: the figures depend on the machine.

    meson devenv -C build /usr/bin/python3 benchmarks/python/overhead.py
"""

import argparse
import mmap as pymmap
import os
import tempfile
import time

import gi

gi.require_version('Mmap', '1')
from gi.repository import Mmap  # noqa: E402

RawObject = Mmap.Object.__base__


def best_ns(fn, calls, repeats):
    """Best time per call over @repeats runs of @fn (which makes @calls
    calls)."""
    best = None
    for _ in range(repeats):
        start = time.perf_counter_ns()
        fn()
        elapsed = (time.perf_counter_ns() - start) / calls
        best = elapsed if best is None else min(best, elapsed)
    return best


def bench_getitem(m, n):
    def run():
        for i in range(n):
            m[i]
    return run


def bench_raw_get_byte(m, n):
    get = RawObject.get_byte

    def run():
        for i in range(n):
            get(m, i)
    return run


def bench_read_byte(m, n):
    def run():
        m.seek(0)
        rb = m.read_byte
        for _ in range(n):
            rb()
    return run


def bench_raw_read_byte(m, n):
    rb = RawObject.read_byte

    def run():
        m.seek(0)
        for _ in range(n):
            rb(m)
    return run


def bench_read(m, n):
    def run():
        m.seek(0)
        rd = m.read
        for _ in range(n):
            rd(4096)
    return run


def bench_raw_read(m, n):
    rd = RawObject.read

    def run():
        m.seek(0)
        for _ in range(n):
            rd(m, 4096).get_data()
    return run


def bench_find(m, n, needle):
    def run():
        for _ in range(n):
            m.find(needle, 0)
    return run


def bench_raw_find(m, n, needle):
    find = RawObject.find_range

    def run():
        for _ in range(n):
            find(m, needle, 0, 2 ** 63 - 1)
    return run


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--size-mib', type=int, default=256)
    parser.add_argument('--calls', type=int, default=200000)
    parser.add_argument('--repeats', type=int, default=5)
    args = parser.parse_args()

    size = args.size_mib << 20
    needle = b'NEEDLE-AT-THE-END'
    fd, path = tempfile.mkstemp(prefix='mmap-bench-')
    try:
        chunk = (b'0123456789abcdef' * 4096)
        for _ in range(size // len(chunk)):
            os.write(fd, chunk)
        os.lseek(fd, size - len(needle), os.SEEK_SET)
        os.write(fd, needle)

        py = pymmap.mmap(fd, 0, access=pymmap.ACCESS_READ)
        ours = Mmap.mmap(fd, 0, access=Mmap.ACCESS_READ)
        assert py.find(needle, 0) == ours.find(needle, 0) == size - len(
            needle)
        ours.madvise(Mmap.MADV_WILLNEED)

        n = args.calls
        n_read = min(n, size // 4096)
        n_find = 3
        rows = [
            ('m[i]', bench_getitem(py, n), bench_getitem(ours, n),
             bench_raw_get_byte(ours, n), n),
            ('read_byte()', bench_read_byte(py, n), bench_read_byte(ours, n),
             bench_raw_read_byte(ours, n), n),
            ('read(4096)', bench_read(py, n_read), bench_read(ours, n_read),
             bench_raw_read(ours, n_read), n_read),
            ('find() %d MiB' % args.size_mib,
             bench_find(py, n_find, needle), bench_find(ours, n_find, needle),
             bench_raw_find(ours, n_find, needle), n_find),
        ]
        print('file: %d MiB, best of %d runs, /usr/bin/python3 %s'
              % (args.size_mib, args.repeats, os.sys.version.split()[0]))
        print('%-18s %14s %14s %14s %8s' % ('operation', 'CPython mmap',
                                             'Mmap override', 'raw GI',
                                             'ratio'))
        for name, py_fn, our_fn, raw_fn, calls in rows:
            t_py = best_ns(py_fn, calls, args.repeats)
            t_ours = best_ns(our_fn, calls, args.repeats)
            t_raw = best_ns(raw_fn, calls, args.repeats)
            print('%-18s %11.0f ns %11.0f ns %11.0f ns %7.1fx'
                  % (name, t_py, t_ours, t_raw, t_ours / t_py))
        py.close()
        ours.close()
    finally:
        os.close(fd)
        os.unlink(path)


if __name__ == '__main__':
    main()
