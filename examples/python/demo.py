#!/usr/bin/env python3
# demo.py: a short tour of Mmap.Object as Python's mmap.mmap.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Map a real file and show find, read, write, slicing and resize."""

import argparse
import os
import sys
import tempfile

import gi

gi.require_version('Mmap', '1')
from gi.repository import GLib, Mmap  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('file', nargs='?',
                        help='a scratch file to create (default: a temp file)')
    args = parser.parse_args(argv)

    if args.file:
        path = args.file
        with open(path, 'wb') as f:
            f.write(b'Hello, mapped world!\nsecond line\n')
    else:
        fd, path = tempfile.mkstemp(prefix='mmap-demo-')
        os.write(fd, b'Hello, mapped world!\nsecond line\n')
        os.close(fd)

    with open(path, 'r+b') as f, Mmap.mmap(f.fileno(), 0) as m:
        print(repr(m))
        print('find(b"world") ->', m.find(b'world'))
        print('readline()     ->', m.readline())
        print('read(6)        ->', m.read(6))
        print('m[0:5]         ->', m[0:5])
        m.seek(7)
        m.write(b'MAPPED')
        print('after write    ->', m[:20])
        m.resize(len(m) + 6)
        m[-6:] = b'third\n'
        m.flush()
        print('after resize   ->', len(m), 'bytes')
        try:
            m.seek(1000)
        except ValueError as e:
            print('seek(1000)     -> ValueError, also a GLib.Error:',
                  isinstance(e, GLib.Error), e.code)
    with open(path, 'rb') as f:
        print('file now       ->', f.read())
    if not args.file:
        os.unlink(path)
    return 0


if __name__ == '__main__':
    sys.exit(main())
