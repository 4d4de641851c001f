#!/usr/bin/env python3
# overhead.py: per-call cost of the Mmap override against CPython's mmap.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Per-call cost of gi.repository.Mmap against the interpreter's mmap.

Maps the same temporary file (64 MiB by default: 80-byte lines, a needle
at the end and another at the start) with both and times every row of
issue 8's table: indexing and item assignment, 4 KiB slices, read_byte(),
read(n), readline(), write(64 B), find() in a 256-byte window, len(),
tell() and seek(), then whole passes: readline() over the file, read(1 MiB)
chunks over it, and find() over a 256 MiB file.  It prints ns per call (per
pass for the passes), the ratio to CPython's mmap and the target ratio.
The "raw GI" column calls the introspected C function directly (no
override, no helper), to show what PyGObject's marshalling costs.  The
sides are interleaved: each round times one batch of each, and the best
round of each side counts.  Not a test: the figures depend on the machine.

The override uses its compiled helper when it was built; run with
MMAP_NO_PYTHON_HELPER=1 to time the pure-Python override instead.

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
ABSENT13 = b'not-in-window'           # 13 bytes, absent from the file
WRITE_BASE = 1 << 20                  # writes stay clear of the needles
WINDOW = 65536


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


def readline_pass(m, i):
    m.seek(0)
    readline = m.readline
    while readline():
        pass


def raw_readline_pass(m, i):
    m.seek(0)
    readline = RawObject.readline
    while readline(m).get_size():
        pass


def read_mib_pass(m, i):
    m.seek(0)
    read = m.read
    while read(1 << 20):
        pass


def raw_read_mib_pass(m, i):
    m.seek(0)
    read = RawObject.read
    while read(m, 1 << 20).get_data():
        pass


class Row:
    """One line of the table: @op runs on CPython's mmap and on the
    override, @raw_op (or None) on the override through raw GI."""

    def __init__(self, name, op, raw_op, calls, target, reset=None,
                 maps='read', unit='call'):
        self.name = name
        self.op = op
        self.raw_op = raw_op
        self.calls = calls
        self.target = target
        self.reset = reset
        self.maps = maps
        self.unit = unit


def rows(size, calls):
    rewind = lambda m: m.seek(0)  # noqa: E731
    to_write_base = lambda m: m.seek(WRITE_BASE)  # noqa: E731
    n_read = min(calls, size // 4096)
    n_line = min(calls, size // len(LINE))
    n_write = min(calls, (size - WRITE_BASE) // 64)
    n_big = max(1, min(200, size >> 20))
    get_byte = RawObject.get_byte
    set_byte = RawObject.set_byte
    read_byte = RawObject.read_byte
    read = RawObject.read
    readline = RawObject.readline
    write = RawObject.write
    get_slice = RawObject.get_slice
    find = RawObject.find_range
    rfind = RawObject.rfind_range
    get_length = RawObject.get_length
    tell = RawObject.tell
    seek = RawObject.seek
    seek_set = gi.repository.GLib.SeekType.SET
    data64 = b'w' * 64
    window = WINDOW
    base = WRITE_BASE
    return [
        Row('m[i]', lambda m, i: m[i % window],
            lambda m, i: get_byte(m, i % window), calls, 1.5),
        Row('m[i] = v', lambda m, i: m.__setitem__(base + i % window, 119),
            lambda m, i: set_byte(m, base + i % window, 119), calls, 1.5,
            maps='write'),
        Row('m[i:i+4096]', lambda m, i: m[i:i + 4096],
            lambda m, i: get_slice(m, i, i + 4096, 1).get_data(), n_read,
            1.5),
        Row('read_byte()', lambda m, i: m.read_byte(),
            lambda m, i: read_byte(m), calls, 1.5, rewind),
        Row('read(64)', lambda m, i: m.read(64),
            lambda m, i: read(m, 64).get_data(), calls, 1.5, rewind),
        Row('read(4096)', lambda m, i: m.read(4096),
            lambda m, i: read(m, 4096).get_data(), n_read, 1.5, rewind),
        Row('readline() 80 B', lambda m, i: m.readline(),
            lambda m, i: readline(m).get_data(), n_line, 1.5, rewind),
        Row('write(64 B)', lambda m, i: m.write(data64),
            lambda m, i: write(m, data64), n_write, 1.5, to_write_base,
            maps='write'),
        Row('find() 256 B', lambda m, i: m.find(ABSENT13, i % window,
                                                i % window + 256),
            lambda m, i: find(m, ABSENT13, i % window, i % window + 256),
            calls, 1.5),
        Row('len(m)', lambda m, i: len(m), lambda m, i: get_length(m),
            calls, 1.5),
        Row('tell()', lambda m, i: m.tell(), lambda m, i: tell(m), calls,
            1.5),
        Row('seek(0)', lambda m, i: m.seek(0),
            lambda m, i: seek(m, 0, seek_set), calls, 1.5),
        Row('read(1 MiB) chunks', lambda m, i: m.read(1 << 20),
            lambda m, i: read(m, 1 << 20).get_data(), n_big, 1.2, rewind),
        Row('readline pass %d MiB' % (size >> 20), readline_pass,
            raw_readline_pass, 1, 1.5, unit='pass'),
        Row('read(1 MiB) pass %d MiB' % (size >> 20), read_mib_pass,
            raw_read_mib_pass, 1, 1.2, unit='pass'),
        Row('find() %d MiB' % (size >> 20), lambda m, i: m.find(NEEDLE, 0),
            lambda m, i: find(m, NEEDLE, 0, 2 ** 63 - 1), 3, 0.5),
        Row('rfind() %d MiB' % (size >> 20), lambda m, i: m.rfind(RNEEDLE),
            lambda m, i: rfind(m, RNEEDLE, 0, 2 ** 63 - 1), 3, None),
    ]


def big_find_row(size):
    find = RawObject.find_range
    return Row('find() %d MiB' % (size >> 20),
               lambda m, i: m.find(NEEDLE, 0),
               lambda m, i: find(m, NEEDLE, 0, 2 ** 63 - 1), 3, 0.5,
               maps='big')


def make_file(size):
    fd, path = tempfile.mkstemp(prefix='mmap-bench-')
    chunk = LINE * 4096
    for _ in range(size // len(chunk)):
        os.write(fd, chunk)
    os.ftruncate(fd, size)
    os.pwrite(fd, RNEEDLE, len(LINE))
    os.pwrite(fd, NEEDLE, size - len(NEEDLE))
    return fd, path


def open_maps(fd, size):
    """(CPython's map, ours) read-only, and both again writable."""
    py = pymmap.mmap(fd, 0, access=pymmap.ACCESS_READ)
    ours = Mmap.mmap(fd, 0, access=Mmap.ACCESS_READ)
    assert py.find(NEEDLE, 0) == ours.find(NEEDLE, 0) == size - len(NEEDLE)
    assert py.rfind(RNEEDLE) == ours.rfind(RNEEDLE) == len(LINE)
    ours.madvise(Mmap.MADV_WILLNEED)
    py_w = pymmap.mmap(fd, 0)
    ours_w = Mmap.mmap(fd, 0)
    return {'read': (py, ours), 'write': (py_w, ours_w)}


def run_row(row, maps, repeats):
    py, ours = maps[row.maps]
    sides = [loop(py, row.op, row.calls, row.reset),
             loop(ours, row.op, row.calls, row.reset)]
    if row.raw_op is not None:
        sides.append(loop(ours, row.raw_op, row.calls, row.reset))
    best = [float('inf')] * len(sides)
    for _ in range(repeats):
        for k, fn in enumerate(sides):
            best[k] = min(best[k], timed(fn, row.calls))
    t_py, t_ours = best[0], best[1]
    t_raw = best[2] if len(best) > 2 else None
    ratio = t_ours / t_py
    ok = row.target is None or ratio <= row.target
    if row.unit == 'pass':
        figures = '%10.2f ms %10.2f ms %10s' % (
            t_py / 1e6, t_ours / 1e6,
            '%7.2f ms' % (t_raw / 1e6) if t_raw is not None else '-')
    else:
        figures = '%10.0f ns %10.0f ns %10s' % (
            t_py, t_ours, '%7.0f ns' % t_raw if t_raw is not None else '-')
    print('%-22s %s %6.2fx %7s %s'
          % (row.name, figures, ratio,
             '%.1fx' % row.target if row.target else '-',
             '' if ok else '  over target'))
    return {'name': row.name, 'unit': row.unit, 'cpython_ns': t_py,
            'override_ns': t_ours, 'raw_gi_ns': t_raw, 'ratio': ratio,
            'target': row.target, 'meets_target': ok}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--size-mib', type=int, default=64)
    parser.add_argument('--find-size-mib', type=int, default=256,
                        help='size of the file for the big find (0: skip)')
    parser.add_argument('--calls', type=int, default=100000)
    parser.add_argument('--repeats', type=int, default=5)
    parser.add_argument('--json', metavar='FILE',
                        help='also write the results to FILE as JSON')
    args = parser.parse_args()

    import gi.overrides.Mmap as override
    helper = override._helper is not None

    size = args.size_mib << 20
    print('file: %d MiB, best of %d interleaved rounds, %s %s, override %s'
          % (args.size_mib, args.repeats, sys.executable,
             sys.version.split()[0],
             'with its compiled helper' if helper else 'in pure Python'))
    print('%-22s %13s %13s %10s %7s %7s' % ('operation', 'CPython mmap',
                                          'Mmap override', 'raw GI',
                                          'ratio', 'target'))
    results = []
    fd, path = make_file(size)
    try:
        maps = open_maps(fd, size)
        for row in rows(size, args.calls):
            results.append(run_row(row, maps, args.repeats))
        for pair in maps.values():
            for m in pair:
                m.close()
    finally:
        os.close(fd)
        os.unlink(path)

    if args.find_size_mib:
        big = args.find_size_mib << 20
        fd, path = make_file(big)
        try:
            py = pymmap.mmap(fd, 0, access=pymmap.ACCESS_READ)
            ours = Mmap.mmap(fd, 0, access=Mmap.ACCESS_READ)
            py.find(NEEDLE, 0)          # fault every page in once
            results.append(run_row(big_find_row(big), {'big': (py, ours)},
                                   args.repeats))
            py.close()
            ours.close()
        finally:
            os.close(fd)
            os.unlink(path)

    if args.json:
        with open(args.json, 'w', encoding='utf-8') as f:
            json.dump({'benchmark': 'overhead.py',
                       'python': sys.version.split()[0],
                       'helper': helper,
                       'size_mib': args.size_mib,
                       'find_size_mib': args.find_size_mib,
                       'repeats': args.repeats,
                       'rows': results}, f, indent=2)
            f.write('\n')


if __name__ == '__main__':
    main()
