#!/usr/bin/env python3
# mmpatch.py: patch bytes of a file in place through a shared map.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Patch a binary file in place.

  mmpatch.py FILE OFFSET HEXBYTES          write HEXBYTES at OFFSET
  mmpatch.py FILE --find HEX --replace HEX replace occurrences (same length)

Only the touched pages are read and written back (seek/write/flush on a
shared map), so the file may be of any size.
"""

import argparse
import os
import sys

import gi

gi.require_version('Mmap', '1')
from gi.repository import Mmap  # noqa: E402


def hexbytes(text):
    try:
        return bytes.fromhex(text)
    except ValueError:
        raise argparse.ArgumentTypeError('not hex bytes: %r' % text)


def offset(text):
    try:
        value = int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError('not an offset: %r' % text)
    if value < 0:
        raise argparse.ArgumentTypeError('negative offset: %r' % text)
    return value


def main(argv=None):
    parser = argparse.ArgumentParser(
        description='Patch a file in place through a memory map.')
    parser.add_argument('file', metavar='FILE')
    parser.add_argument('offset', metavar='OFFSET', nargs='?', type=offset,
                        help='where to write (decimal or 0x hex)')
    parser.add_argument('data', metavar='HEXBYTES', nargs='?', type=hexbytes,
                        help='the bytes to write, e.g. "deadbeef"')
    parser.add_argument('--find', type=hexbytes, metavar='HEX')
    parser.add_argument('--replace', type=hexbytes, metavar='HEX')
    parser.add_argument('--all', action='store_true',
                        help='replace every occurrence, not only the first')
    parser.add_argument('-n', '--dry-run', action='store_true',
                        help='show what would change, change nothing')
    args = parser.parse_args(argv)

    if (args.find is None) != (args.replace is None):
        parser.error('--find and --replace go together')
    if args.find is not None:
        if args.offset is not None:
            parser.error('give OFFSET HEXBYTES or --find/--replace')
        if len(args.find) != len(args.replace) or not args.find:
            parser.error('--find and --replace need the same, non-zero '
                         'length')
    elif args.offset is None or args.data is None:
        parser.error('give OFFSET HEXBYTES or --find/--replace')

    access = Mmap.ACCESS_READ if args.dry_run else Mmap.ACCESS_WRITE
    fd = os.open(args.file, os.O_RDONLY if args.dry_run else os.O_RDWR)
    try:
        with Mmap.mmap(fd, 0, access=access) as m:
            if args.find is None:
                patches = [args.offset]
                data = args.data
                if args.offset + len(data) > len(m):
                    print('mmpatch: %d bytes at %d do not fit in a %d-byte '
                          'file' % (len(data), args.offset, len(m)),
                          file=sys.stderr)
                    return 2
            else:
                data = args.replace
                patches = []
                pos = m.find(args.find, 0)
                while pos != -1:
                    patches.append(pos)
                    if not args.all:
                        break
                    pos = m.find(args.find, pos + len(args.find))
                if not patches:
                    print('mmpatch: pattern not found', file=sys.stderr)
                    return 1
            for at in patches:
                old = m[at:at + len(data)]
                verb = 'would patch' if args.dry_run else 'patched'
                print('%s 0x%x: %s -> %s' % (verb, at, old.hex(),
                                             data.hex()))
                if not args.dry_run:
                    m.seek(at)
                    m.write(data)
            if not args.dry_run:
                m.flush()
    finally:
        os.close(fd)
    return 0


if __name__ == '__main__':
    sys.exit(main())
