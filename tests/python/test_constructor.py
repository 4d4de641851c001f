# Mmap.Object(fileno, length, flags, prot, access, offset, *, trackfd)
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import errno
import mmap as pymmap
import os

import pytest
from gi.repository import GLib, Mmap

from conftest import assert_mmap_error

E = Mmap.Error


def test_module_is_a_drop_in():
    assert Mmap.mmap is Mmap.Object
    assert Mmap.error is OSError


@pytest.mark.parametrize('name', [
    'PAGESIZE', 'ALLOCATIONGRANULARITY', 'ACCESS_DEFAULT', 'ACCESS_READ',
    'ACCESS_WRITE', 'ACCESS_COPY', 'PROT_READ', 'PROT_WRITE', 'PROT_EXEC',
    'MAP_SHARED', 'MAP_PRIVATE', 'MAP_ANONYMOUS', 'MAP_ANON',
    'MAP_DENYWRITE', 'MAP_EXECUTABLE', 'MAP_POPULATE', 'MAP_STACK',
] + [n for n in dir(pymmap) if n.startswith('MADV_')])
def test_constants_match_the_interpreter(name):
    assert getattr(Mmap, name) == getattr(pymmap, name)
    assert type(getattr(Mmap, name)) is int


def test_constants_new_in_313_and_extra():
    # Values from Python 3.13 on x86-64 Linux and <sys/mman.h>.
    assert Mmap.MAP_NORESERVE == 16384
    assert Mmap.MAP_32BIT == 64
    assert Mmap.PROT_NONE == 0
    assert Mmap.MADV_WIPEONFORK == 18
    assert Mmap.MADV_KEEPONFORK == 19
    assert Mmap.MADV_COLD == 20
    assert Mmap.MADV_PAGEOUT == 21
    assert Mmap.MADV_POPULATE_READ == 22
    assert Mmap.MADV_POPULATE_WRITE == 23
    assert Mmap.MADV_COLLAPSE == 25
    assert Mmap.MADV_HWPOISON == 100


def test_positional_and_keyword(make_file):
    path, fd = make_file(b'x' * 8192)
    m = Mmap.Object(fd, 100, Mmap.MAP_SHARED, Mmap.PROT_READ, 0, 4096)
    assert len(m) == 100
    assert m.get_offset() == 4096
    assert m.get_access() == Mmap.Access.READ
    m.close()
    m = Mmap.Object(fileno=fd, length=10, access=Mmap.ACCESS_COPY,
                    offset=1, trackfd=False)
    assert (len(m), m.get_offset(), m.get_track_fd()) == (10, 1, False)
    assert m.get_access() == Mmap.Access.COPY
    m.close()


def test_returns_initialised_instance(make_file):
    path, fd = make_file(b'abc')
    m = Mmap.mmap(fd, 0)
    assert isinstance(m, Mmap.Object)
    assert m.read() == b'abc'
    assert not m.closed


def test_anonymous():
    m = Mmap.mmap(-1, 10)
    assert m[:] == bytes(10)
    assert m.get_flags() & Mmap.MapFlags.ANONYMOUS


def test_trackfd_is_truthiness(make_file):
    path, fd = make_file(b'abc')
    m = Mmap.mmap(fd, 0, trackfd=[])
    assert m.get_track_fd() is False
    with pytest.raises(OSError) as info:
        m.size()
    assert info.value.errno == errno.EBADF


def test_gobject_construction_needs_init(make_file):
    path, fd = make_file(b'abcdef')
    m = Mmap.Object(fd=fd, length=3)
    with pytest.raises(ValueError) as info:
        m.read()
    assert_mmap_error(info, ValueError, E.NOT_INITIALIZED)
    assert m.init(None)
    assert m.read() == b'abc'
    m2 = Mmap.Object(path=str(path), access=Mmap.Access.READ)
    m2.init(None)
    assert m2[:] == b'abcdef'


def test_raw_constructors_give_the_override_class():
    m = Mmap.Object.new_anonymous(4)
    assert type(m) is Mmap.Object
    assert m.read() == bytes(4)


@pytest.mark.parametrize('args, kwargs, message', [
    ((), {}, "missing required argument 'fileno' (pos 1)"),
    ((-1,), {}, "missing required argument 'length' (pos 2)"),
    ((-1, 1, 1, 3, 0, 0, 0), {}, 'at most 6 positional arguments (7 given)'),
    ((-1, 1), {'tagname': 'x'}, "unexpected keyword argument 'tagname'"),
    ((-1, 1), {'length': 1}, "given by name ('length') and position (2)"),
    (('x', 1), {}, "'str' object cannot be interpreted as an integer"),
    ((-1, 1.0), {}, "'float' object cannot be interpreted as an integer"),
    ((-1, None), {}, "'NoneType' object cannot be interpreted"),
])
def test_argument_type_errors(args, kwargs, message):
    with pytest.raises(TypeError) as info:
        Mmap.mmap(*args, **kwargs)
    assert message in str(info.value)


@pytest.mark.parametrize('kwargs, message', [
    ({'length': 2 ** 63}, 'C ssize_t'),
    ({'offset': 2 ** 63}, 'C long'),
    ({'fileno': 2 ** 31}, 'signed integer is greater than maximum'),
    ({'flags': 2 ** 31}, 'signed integer is greater than maximum'),
    ({'prot': -2 ** 31 - 1}, 'signed integer is less than minimum'),
])
def test_argument_overflow(kwargs, message):
    args = {'fileno': -1, 'length': 1}
    args.update(kwargs)
    with pytest.raises(OverflowError) as info:
        Mmap.mmap(**args)
    assert message in str(info.value)


def test_negative_length_and_offset():
    with pytest.raises(OverflowError) as info:
        Mmap.mmap(-1, -1)
    e = assert_mmap_error(info, OverflowError, E.OVERFLOW)
    assert str(e) == 'memory mapped length must be positive'
    with pytest.raises(OverflowError) as info:
        Mmap.mmap(-1, 1, offset=-1)
    e = assert_mmap_error(info, OverflowError, E.OVERFLOW)
    assert str(e) == 'memory mapped offset must be positive'


def test_access_conflicts():
    with pytest.raises(ValueError) as info:
        Mmap.mmap(-1, 1, flags=Mmap.MAP_PRIVATE, access=Mmap.ACCESS_READ)
    assert_mmap_error(info, ValueError, E.INVALID_ARGUMENT)
    with pytest.raises(ValueError) as info:
        Mmap.mmap(-1, 1, access=4)
    assert_mmap_error(info, ValueError, E.INVALID_ARGUMENT)


def test_file_too_small(make_file):
    path, fd = make_file(b'abc')
    with pytest.raises(ValueError) as info:
        Mmap.mmap(fd, 4)
    assert_mmap_error(info, ValueError, E.FILE_TOO_SMALL)
    with pytest.raises(ValueError) as info:
        Mmap.mmap(fd, 0, offset=4)
    assert_mmap_error(info, ValueError, E.FILE_TOO_SMALL)


def test_os_errors_carry_errno(make_file):
    path, fd = make_file(b'abc', flags=os.O_RDONLY)
    with pytest.raises(PermissionError) as info:
        Mmap.mmap(fd, 0)
    e = info.value
    assert isinstance(e, OSError) and isinstance(e, GLib.Error)
    assert isinstance(e, Mmap.MmapOSError)
    assert e.errno == errno.EACCES
    assert e.strerror == os.strerror(errno.EACCES)
    assert e.domain == 'g-io-error-quark'
    with pytest.raises(OSError) as info:
        Mmap.mmap(9999, 1)
    assert info.value.errno == errno.EBADF
    with pytest.raises(OSError) as info:
        Mmap.mmap(-1, 1, flags=0)
    assert info.value.errno == errno.EINVAL


def test_read_only_fd_with_read_access(make_file):
    path, fd = make_file(b'abc', flags=os.O_RDONLY)
    for kwargs in ({'access': Mmap.ACCESS_READ}, {'access': Mmap.ACCESS_COPY},
                   {'prot': Mmap.PROT_READ}):
        m = Mmap.mmap(fd, 0, **kwargs)
        assert m[:] == b'abc'
        m.close()


# Deliberate improvements over Python.

def test_empty_file_maps(make_file):
    path, fd = make_file(b'')
    m = Mmap.mmap(fd, 0)
    assert len(m) == 0
    assert not m
    assert m.read() == b''
    assert m.readline() == b''
    assert m[:] == b''
    assert list(m) == []
    assert m.find(b'') == 0


def test_empty_file_map_grows(make_file):
    path, fd = make_file(b'')
    m = Mmap.mmap(fd, 0)
    m.resize(5)
    m[:] = b'abcde'
    m.close()
    assert path.read_bytes() == b'abcde'


def test_any_offset(make_file):
    path, fd = make_file(bytes(range(100)))
    m = Mmap.mmap(fd, 10, offset=33)
    assert m[:] == bytes(range(33, 43))
    assert 'offset=33' in repr(m)


def test_zero_length_anonymous():
    m = Mmap.mmap(-1, 0)
    assert len(m) == 0
    m.resize(3)
    assert m[:] == bytes(3)


# Flags bits that Mmap.MapFlags does not name: CPython hands them to
# mmap(2), the library refuses them, the override does what the kernel
# does with them.
@pytest.mark.parametrize('flags', [
    pymmap.MAP_SHARED | 0x1000000,        # ignored by the kernel
    pymmap.MAP_PRIVATE | 0x200,           # ignored by the kernel
    pymmap.MAP_SHARED | 0x4,              # no such sharing type: EINVAL
    pymmap.MAP_SHARED | pymmap.MAP_PRIVATE | 0x1000000,   # EOPNOTSUPP
    pymmap.MAP_SHARED | pymmap.MAP_PRIVATE,   # MAP_SHARED_VALIDATE: fine
])
def test_unknown_flag_bits_as_cpython(make_file, flags):
    path, fd = make_file(b'x' * 100)

    def outcome(module):
        try:
            m = module.mmap(fd, 0, flags=flags)
        except OSError as e:
            return ('raise', e.errno, str(e))
        m[0] = ord('y')
        m.close()
        return ('ok', None, '')

    expected = outcome(pymmap)
    got = outcome(Mmap)
    assert got[:2] == expected[:2]
    assert got[2].startswith(expected[2])


@pytest.mark.parametrize('fixed', [0x10, 0x100000])
def test_map_fixed_is_refused(make_file, fixed):
    # MAP_FIXED and MAP_FIXED_NOREPLACE would place the map at address 0.
    path, fd = make_file(b'x' * 100)
    with pytest.raises(OSError) as info:
        Mmap.mmap(fd, 0, flags=pymmap.MAP_SHARED | fixed)
    assert info.value.errno == errno.EINVAL
