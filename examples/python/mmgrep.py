#!/usr/bin/env python3
# mmgrep.py: grep for a fixed byte string in memory-mapped files.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Print every line that contains PATTERN, as path:line:text.

The file is searched with Mmap.Object.find() on the map, and only the
matching lines are copied out, so files larger than RAM work: the kernel
pages the file in and out as the search walks it.
"""

import argparse
import os
import sys

import gi

gi.require_version('Mmap', '1')
from gi.repository import Mmap  # noqa: E402

CHUNK = 16 << 20


def count_newlines(m, start, end):
    """Newlines in m[start:end], copied out in bounded chunks."""
    count = 0
    while start < end:
        stop = min(end, start + CHUNK)
        count += m[start:stop].count(b'\n')
        start = stop
    return count


def grep_map(m, pattern, path, out, max_line):
    """Yields nothing; writes matches.  Returns the number of matches."""
    matches = 0
    line_no = 1
    counted_to = 0
    pos = m.find(pattern, 0)
    while pos != -1:
        line_start = m.rfind(b'\n', 0, pos) + 1
        line_end = m.find(b'\n', pos)
        if line_end == -1:
            line_end = len(m)
        line_no += count_newlines(m, counted_to, line_start)
        counted_to = line_start
        text = m[line_start:min(line_end, line_start + max_line)]
        out.write(b'%s:%d:%s\n' % (os.fsencode(path), line_no, text))
        matches += 1
        if line_end == len(m):
            break
        pos = m.find(pattern, line_end + 1)
    return matches


def main(argv=None):
    parser = argparse.ArgumentParser(
        description='Print the lines of FILEs that contain PATTERN '
                    '(a fixed string), as path:line:text.')
    parser.add_argument('pattern', metavar='PATTERN',
                        help='the bytes to look for (UTF-8)')
    parser.add_argument('files', metavar='FILE', nargs='+')
    parser.add_argument('-c', '--count', action='store_true',
                        help='print only path:count')
    parser.add_argument('--max-line', type=int, default=4096,
                        help='print at most this many bytes of a line')
    args = parser.parse_args(argv)
    pattern = args.pattern.encode()
    if not pattern:
        parser.error('PATTERN must not be empty')

    out = sys.stdout.buffer
    total = 0
    status = 1
    for path in args.files:
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError as e:
            print('mmgrep: %s: %s' % (path, e.strerror), file=sys.stderr)
            status = 2
            continue
        try:
            with Mmap.mmap(fd, 0, access=Mmap.ACCESS_READ) as m:
                m.madvise(Mmap.MADV_SEQUENTIAL) if len(m) else None
                if args.count:
                    n = 0
                    pos = m.find(pattern, 0)
                    while pos != -1:
                        n += 1
                        pos = m.find(b'\n', pos)
                        pos = -1 if pos == -1 else m.find(pattern, pos + 1)
                    out.write(b'%s:%d\n' % (os.fsencode(path), n))
                else:
                    n = grep_map(m, pattern, path, out, args.max_line)
        except OSError as e:
            print('mmgrep: %s: %s' % (path, e), file=sys.stderr)
            status = 2
            continue
        finally:
            os.close(fd)
        total += n
    out.flush()
    if status == 2:
        return 2
    return 0 if total else 1


if __name__ == '__main__':
    sys.exit(main())
