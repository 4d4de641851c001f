# smoke.py: the Python smoke test of the installed Debian packages.
# Run with the system python3 against /usr only: the override and its
# compiled helper must come from python3-mmapobj, the typelib from
# gir1.2-mmap-1. Prints TAP; exits 1 on the first failed check.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import sys
import tempfile

checks = 0


def check(ok, what):
    global checks
    checks += 1
    print(('ok' if ok else 'not ok'), checks, '-', what, flush=True)
    if not ok:
        sys.exit(1)


import gi  # noqa: E402
gi.require_version('Mmap', '1')
from gi.repository import Mmap as mmap  # noqa: E402
import gi.overrides.Mmap as override  # noqa: E402

# Where python3-mmapobj puts them (MMAP_SMOKE_OVERRIDES: elsewhere, to try
# this script against a scratch install).
site = os.environ.get('MMAP_SMOKE_OVERRIDES',
                      '/usr/lib/python3/dist-packages/gi/overrides/')
check(override.__file__ == site + 'Mmap.py',
      'the override is the packaged one: ' + override.__file__)
check(override._helper is not None
      and override._helper.__file__.startswith(site + '_mmap_helper'),
      'the compiled helper is loaded from the package')
check(mmap.mmap is override.Object and mmap.Object.__module__ == 'gi.overrides.Mmap',
      'Mmap.mmap is the override\'s class')

with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, 'data.bin')
    with open(path, 'wb') as f:
        f.write(b'hello needle world\n' + b'.' * 4077)
    with open(path, 'r+b') as f, mmap.mmap(f.fileno(), 0) as m:
        check(len(m) == 4096, 'a file maps whole')
        i = m.find(b'needle')
        check(i == 6, 'find() finds')
        m[i:i + 6] = b'NEEDLE'
        check(m.readline() == b'hello NEEDLE world\n', 'slices write, readline reads')
        check(bytes(memoryview(m)[0:5]) == b'hello', 'the buffer protocol (helper)')
        m.resize(8192)
        check(len(m) == 8192 and os.path.getsize(path) == 8192, 'resize() grows the file')
        m.flush()
    with open(path, 'rb') as f:
        check(f.read(12) == b'hello NEEDLE', 'writes reach the file')

m = mmap.mmap(-1, 4096)
m.close()
try:
    m.read(1)
    check(False, 'a closed map refuses reads')
except ValueError:
    check(True, 'a closed map raises ValueError, as CPython\'s does')

print('1..%d' % checks)
