#!/usr/bin/env python3
# shared_counter.py: two processes count in one anonymous shared map.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Fork a child that shares an anonymous map with its parent.

Each process adds to its own 8-byte counter ITERATIONS times, the child
also leaves a message, and the parent checks after the child exits that it
sees both counters and the message: the pages are shared, not copied.
"""

import argparse
import os
import struct
import sys

import gi

gi.require_version('Mmap', '1')
from gi.repository import Mmap  # noqa: E402

COUNTER = struct.Struct('<Q')
MESSAGE_AT = 16


def count(m, slot, iterations):
    at = slot * COUNTER.size
    for _ in range(iterations):
        value, = COUNTER.unpack(m[at:at + COUNTER.size])
        m[at:at + COUNTER.size] = COUNTER.pack(value + 1)


def main(argv=None):
    parser = argparse.ArgumentParser(
        description='Share an anonymous map between a parent and a forked '
                    'child and check what each sees.')
    parser.add_argument('-n', '--iterations', type=int, default=1000)
    args = parser.parse_args(argv)

    m = Mmap.mmap(-1, Mmap.PAGESIZE)      # MAP_SHARED: fork children share
    pid = os.fork()
    if pid == 0:
        try:
            count(m, 1, args.iterations)
            m.seek(MESSAGE_AT)
            m.write(b'hello from pid %d\n' % os.getpid())
        finally:
            os._exit(0)
    count(m, 0, args.iterations)
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        print('child failed', file=sys.stderr)
        return 1

    parent, = COUNTER.unpack(m[0:8])
    child, = COUNTER.unpack(m[8:16])
    m.seek(MESSAGE_AT)
    message = m.readline().decode()
    print('parent counted %d, child counted %d, total %d'
          % (parent, child, parent + child))
    print('child said: %s' % message.strip())
    ok = (parent == child == args.iterations
          and message == 'hello from pid %d\n' % pid)
    print('shared: OK' if ok else 'shared: MISMATCH')
    m.close()
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
