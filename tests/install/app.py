# app.py: the install test's Python program (tests/install/run.sh), run by
# /usr/bin/python3 with the installed typelib and override only.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Uses Mmap.mmap as Python's mmap.mmap on a file it writes in the current
# folder, with the compiled helper's buffer protocol when it is installed;
# prints the typelib, the override, the helper and the library it loaded,
# which run.sh compares with the installed ones.
import sys

import gi

gi.require_version('Mmap', '1')
from gi.repository import Mmap  # noqa: E402
import gi.overrides.Mmap as override  # noqa: E402

with open('app-py.txt', 'wb') as f:
    f.write(b'hello, mapped world\nsecond line\n')
with open('app-py.txt', 'r+b') as f, Mmap.mmap(f.fileno(), 0) as m:
    assert len(m) == 32, len(m)
    at = m.find(b'mapped')
    assert at == 7, at
    m[at:at + 6] = b'MAPPED'
    assert m.readline() == b'hello, MAPPED world\n'
    assert m[-5:] == b'line\n'
    if override._helper is not None:
        with memoryview(m) as view:
            assert bytes(view[:5]) == b'hello'
    m.flush()
with open('app-py.txt', 'rb') as f:
    assert f.read() == b'hello, MAPPED world\nsecond line\n'

with open('/proc/self/maps') as maps:
    libs = [line[line.index('/'):].strip() for line in maps
            if '/libmmapobj-1.so' in line]
assert libs, 'libmmapobj is not in /proc/self/maps'
print('typelib', gi.Repository.get_default().get_typelib_path('Mmap'))
print('override', override.__file__)
print('helper', override._helper.__file__ if override._helper else '-')
print('library', libs[0])
sys.exit(0)
