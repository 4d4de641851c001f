#!/usr/bin/env python3
# mmgrep.py: grep for a fixed byte string in memory-mapped files.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Print every line that contains PATTERN, as path:line:text.

The file is searched a chunk of lines at a time with the map's bulk calls:
find_all() gives every match of a chunk and line_offsets() the start of its
lines, in one library call each, and count() numbers the lines of chunks
without a match.  Only the matching lines are copied out, so files larger
than RAM work: the kernel pages the file in and out as the search walks it.
"""

import argparse
import os
import sys

import gi

gi.require_version('Mmap', '1')
from gi.repository import Mmap  # noqa: E402

# About a megabyte of lines a chunk: the offsets of one chunk stay small
# however large the file is.
CHUNK = 1 << 20


def chunk_end(m, start):
    """The end of the chunk from @start: just past the first newline at or
    after CHUNK bytes, or the end of the map."""
    end = start + CHUNK
    if end >= len(m):
        return len(m)
    newline = m.find(b'\n', end - 1)
    return len(m) if newline == -1 else newline + 1


def matching_lines(hits, lines):
    """The indices in @lines (sorted line starts) of the lines that hold a
    hit, each once, in order."""
    i = 0
    last = -1
    for hit in hits:
        while i + 1 < len(lines) and lines[i + 1] <= hit:
            i += 1
        if i != last:
            last = i
            yield i


def grep_map(m, pattern, path, out, max_line, count_only=False):
    """Writes the matching lines (or nothing, for @count_only) and returns
    their number."""
    matches = 0
    line_no = 1                 # the number of the chunk's first line
    start = 0
    while start < len(m):
        end = chunk_end(m, start)
        hits = m.find_all(pattern, start, end)
        if hits:
            lines = m.line_offsets(start, end)
            for i in matching_lines(hits, lines):
                matches += 1
                if count_only:
                    continue
                line_start = lines[i]
                if i + 1 < len(lines):
                    line_end = lines[i + 1] - 1
                else:
                    line_end = m.find(b'\n', line_start, end)
                    line_end = end if line_end == -1 else line_end
                text = m[line_start:min(line_end, line_start + max_line)]
                out.write(b'%s:%d:%s\n' % (os.fsencode(path), line_no + i,
                                          text))
        line_no += m.count(b'\n', start, end)
        start = end
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
    if b'\n' in pattern:
        parser.error('PATTERN must not contain a newline')

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
                n = grep_map(m, pattern, path, out, args.max_line,
                             args.count)
                if args.count:
                    out.write(b'%s:%d\n' % (os.fsencode(path), n))
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
