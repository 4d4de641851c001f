# A fixed-size record store written for CPython's mmap module (no Mmap
# names): append with resize, update in place, scan with find and slices.
# tests/python/test_scripts.py runs it unchanged against both modules.
import mmap
import os
import struct
import sys

REC = struct.Struct('<I12s')
path = sys.argv[1]

with open(path, 'wb') as f:
    f.write(REC.pack(0, b'header'))

with open(path, 'r+b') as f:
    m = mmap.mmap(f.fileno(), 0)
    for i in range(1, 40):
        m.resize(len(m) + REC.size)
        m[len(m) - REC.size:] = REC.pack(i * i, b'item%02d' % i)
    # update every 7th record in place
    for i in range(0, 40, 7):
        at = i * REC.size
        key, name = REC.unpack(m[at:at + REC.size])
        m[at:at + REC.size] = REC.pack(key + 1, name.upper())
    m.flush()
    print('records', len(m) // REC.size, 'size', m.size())
    at = m.find(b'ITEM21')
    print('ITEM21 at', at, 'record', at // REC.size)
    print('last', REC.unpack(m[-REC.size:]))
    m.seek(REC.size * 3)
    print('record 3', REC.unpack(m.read(REC.size)), 'tell', m.tell())
    print('byte 0', m[0], 'first bytes', m[:4], 'stride', m[4:40:16])
    try:
        m.seek(len(m) + 1)
    except ValueError:
        print('seek past end: ValueError')
    try:
        m[len(m)]
    except IndexError:
        print('index past end: IndexError')
    m.close()
    print('closed', m.closed)

ro = open(path, 'rb')
with mmap.mmap(ro.fileno(), 0, access=mmap.ACCESS_READ) as r:
    try:
        r[0] = 1
    except TypeError:
        print('read-only: TypeError')
    total = 0
    for i in range(len(r) // REC.size):
        total += REC.unpack_from(r[i * REC.size:(i + 1) * REC.size])[0]
    print('sum of keys', total)
    print('lines', sum(1 for _ in iter(r.readline, b'')))
ro.close()
print('file bytes', os.path.getsize(path))
