# Scanning a log the way CPython mmap tutorials do: readline loops,
# find/rfind from the current position, anonymous scratch maps and
# iteration.  tests/python/test_scripts.py runs it unchanged against both
# the interpreter's mmap and gi.repository.Mmap.
import mmap
import sys

path = sys.argv[1]
with open(path, 'w') as f:
    for i in range(200):
        level = ('ERROR' if i % 17 == 0 else 'WARN' if i % 5 == 0
                 else 'INFO')
        f.write('%04d %s message number %d\n' % (i, level, i))

with open(path, 'r+b') as f, mmap.mmap(f.fileno(), 0) as m:
    errors = []
    line = m.readline()
    while line:
        if b' ERROR ' in line:
            errors.append(int(line[:4]))
        line = m.readline()
    print('errors at', errors)
    print('at end', m.tell() == len(m), m.read(), m.readline())

    m.seek(0)
    count = 0
    pos = m.find(b'WARN')
    while pos != -1:
        count += 1
        m.seek(pos + 1)
        pos = m.find(b'WARN')
    print('warnings', count)
    print('last error line starts at', m.rfind(b'ERROR', 0))
    m.seek(0)
    m.write(b'XXXX')
    m.move(5, 0, 4)
    print('first line', m[:m.find(b'\n', 0)])
    print('bytes in map', len(m), 'byte iteration', b''.join(list(m)[:9]))
    print(b'X' in m, b'Z' in m)

scratch = mmap.mmap(-1, 64)
scratch.write(b'scratch space')
scratch.seek(0)
print(scratch.read(7), scratch.read_byte(), scratch.tell())
scratch.write_byte(33)
print(scratch[:16])
try:
    scratch.size()
except OSError as e:
    print('anonymous size(): OSError errno', e.errno)
scratch.close()
try:
    scratch.read()
except ValueError as e:
    print('closed: ValueError')
print('repr', repr(scratch))
