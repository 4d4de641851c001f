# test_third_party.py: real, unmodified programs from Debian's archive that
# parse binary formats through mmap run with Mmap in place of CPython's
# mmap module and print exactly what they print with CPython's.
#
# - pefile (python3-pefile) maps a PE file with mmap.mmap(fd, 0,
#   MAP_PRIVATE) and parses it with slices, len() and find();
# - dulwich (python3-dulwich) maps git pack indexes with ACCESS_READ and
#   reads them with struct.unpack_from(), which needs the buffer protocol.
#
# thirdparty/with_mmapobj.py puts gi.repository.Mmap in sys.modules as
# `mmap` before the program starts; thirdparty/*.py are small drivers that
# call the libraries and print what they read.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import struct
import subprocess
import sys

import pytest

from conftest import have_buffer_protocol

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'thirdparty')

# Both copy the map with bytes-like calls (bytearray(), unpack_from()):
# without the buffer protocol (the compiled helper, on Python 3.11) they
# stop at once, as the issue that asked for these tests found.
pytestmark = pytest.mark.skipif(
    not have_buffer_protocol(),
    reason='needs the buffer protocol: the compiled helper on Python 3.11')


def run(script, *args, ours):
    argv = [sys.executable]
    if ours:
        argv.append(os.path.join(HERE, 'with_mmapobj.py'))
    argv += [os.path.join(HERE, script)] + [str(a) for a in args]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout, proc.stderr.split('\n')


def assert_same_output(script, *args):
    theirs, theirs_types = run(script, *args, ours=False)
    ours, ours_types = run(script, *args, ours=True)
    # The data really went through each module.
    assert 'mmap mmap' in theirs_types
    assert 'mmap mmap' not in ours_types
    assert any('Mmap' in line for line in ours_types), ours_types
    assert ours == theirs
    assert len(ours) > 1000
    return ours


def make_pe(path):
    """A small PE32+ executable: headers, a code section and a data
    section with text in it."""
    file_align, section_align = 0x200, 0x1000
    code = bytes([0x48, 0x31, 0xc0, 0xc3]) + b'\xcc' * 60
    data = b''.join(b'mmapobj third-party test string %03d\0' % i
                    for i in range(40))
    sections = [(b'.text', code, 0x60000020), (b'.data', data, 0xc0000040)]

    dos = bytearray(64)
    dos[0:2] = b'MZ'
    struct.pack_into('<I', dos, 0x3c, 64)
    n = len(sections)
    coff = struct.pack('<HHIIIHH', 0x8664, n, 0x5f5e1000, 0, 0, 240, 0x22)
    headers_size = 0x400
    raw = []
    offset, rva = headers_size, section_align
    for name, body, flags in sections:
        size = -(-len(body) // file_align) * file_align
        raw.append((name, body, flags, offset, size, rva))
        offset += size
        rva += section_align
    image_size = rva
    opt = struct.pack('<HBBIIIII', 0x20b, 14, 0, raw[0][4], raw[1][4], 0,
                      section_align, section_align)
    opt += struct.pack('<QIIHHHHHHIIIIHHQQQQII', 0x140000000, section_align,
                       file_align, 6, 0, 0, 0, 6, 0, 0, image_size,
                       headers_size, 0, 3, 0x8160, 0x100000, 0x1000,
                       0x100000, 0x1000, 0, 16)
    opt += bytes(16 * 8)
    assert len(opt) == 240
    table = b''
    for name, body, flags, off, size, srva in raw:
        table += struct.pack('<8sIIIIIIHHI', name, len(body), srva, size, off,
                             0, 0, 0, 0, flags)
    head = bytes(dos) + b'PE\0\0' + coff + opt + table
    image = head + bytes(headers_size - len(head))
    for name, body, flags, off, size, srva in raw:
        image += body + bytes(size - len(body))
    path.write_bytes(image)


def test_pefile(tmp_path):
    pytest.importorskip('pefile')
    exe = tmp_path / 'sample.exe'
    make_pe(exe)
    out = assert_same_output('pe_dump.py', exe)
    assert '.text' in out and '.data' in out and 'IMAGE_FILE_HEADER' in out


def test_dulwich(tmp_path):
    pytest.importorskip('dulwich')
    from dulwich import porcelain

    path = tmp_path / 'repo'
    repo = porcelain.init(str(path))
    author = b'Test <test@example.org>'
    for i in range(12):
        name = 'file%02d.txt' % (i % 5)
        (path / name).write_text('line %d\n' % i * (i + 1))
        porcelain.add(repo, [str(path / name)])
        porcelain.commit(repo, message=b'commit %d' % i, author=author,
                         committer=author)
    repo.object_store.pack_loose_objects()
    repo.close()

    out = assert_same_output('git_objects.py', path)
    assert 'check ok' in out and 'commit' in out and 'blob' in out
