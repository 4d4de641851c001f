# Memory shared between processes from Python: memfd maps, their seals,
# dup_fd()/append_to_fd_list() for the sender, new_from_fd_list() and
# check_seals() for the receiver (issue 10, parts 1 and 2).
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Every call that fails raises the builtin class Python would (the override
# wraps each throwing method): SEALS_MISSING is a PermissionError (errno
# EPERM) in the Mmap.Error domain, EXPORTS_EXIST a BufferError, READ_ONLY a
# TypeError, and the kernel's refusals OSError subclasses with their errno.

import errno
import fcntl
import os
import subprocess
import sys
import textwrap

import gi
import pytest

gi.require_version('Mmap', '1')

from gi.repository import Gio, GLib, Mmap  # noqa: E402

from conftest import assert_mmap_error, on_tmpfs  # noqa: E402

E = Mmap.Error
S = Mmap.Seals
PAGE = Mmap.PAGESIZE
IO_DOMAIN = 'g-io-error-quark'
READONLY_SEALS = S.SEAL | S.SHRINK | S.GROW | S.WRITE


def new_memfd(length, flags=Mmap.MemfdFlags.NONE, name='py-share'):
    m = Mmap.Object.new_memfd(name, length, flags)
    assert isinstance(m, Mmap.mmap)       # the override's class, Python API
    return m


def sealable(length, name='py-share'):
    return new_memfd(length, Mmap.MemfdFlags.ALLOW_SEALING, name)


def open_fds():
    return len(os.listdir('/proc/self/fd'))


def mappings_of(name):
    """The number of mappings of memfd @name in this process."""
    with open('/proc/self/maps') as maps:
        return sum(1 for line in maps
                   if line.split()[-2:] == ['/memfd:' + name, '(deleted)'])


def assert_io_error(excinfo, builtin, err, io_code):
    """An OSError from the kernel's refusal: @builtin, errno @err, and a
    GLib.Error in the GIO domain with @io_code."""
    e = excinfo.value
    assert isinstance(e, builtin), type(e).__mro__
    assert isinstance(e, GLib.Error)
    assert e.errno == err
    assert e.domain == IO_DOMAIN
    assert e.code == int(io_code)
    assert Mmap.error_get_errno(e) == err
    return e


def assert_seals_missing(excinfo):
    """SEALS_MISSING: a PermissionError with errno EPERM, in Mmap.Error."""
    e = assert_mmap_error(excinfo, PermissionError, E.SEALS_MISSING)
    assert e.errno == errno.EPERM
    return e


def free_huge_pages():
    with open('/proc/meminfo') as meminfo:
        for line in meminfo:
            if line.startswith('HugePages_Free:'):
                return int(line.split()[1])
    return 0


# --------------------------------------------------------------------------
# memfd maps


def test_memfd_read_write():
    m = new_memfd(8192)
    assert len(m) == 8192
    assert m.size() == 8192
    assert m.get_access() == Mmap.Access.WRITE
    assert m[4000] == 0
    assert m[:] == bytes(8192)
    m[:12] = b'shared bytes'
    m.seek(8190)
    m.write(b'ok')
    assert m[:12] == b'shared bytes'
    assert m[-2:] == b'ok'
    # Without ALLOW_SEALING the memory carries the SEAL seal only.
    assert m.get_seals() == S.SEAL
    m.close()
    assert m.closed


def test_memfd_name_and_dup_fd():
    m = new_memfd(8192, name='py-share-name')
    m[:12] = b'shared bytes'
    fd = m.dup_fd()
    try:
        assert fd >= 3
        # Close-on-exec, named after the memfd, the memory's size.
        assert fcntl.fcntl(fd, fcntl.F_GETFD) & fcntl.FD_CLOEXEC
        assert not os.get_inheritable(fd)
        assert os.readlink('/proc/self/fd/%d' % fd).startswith(
            '/memfd:py-share-name')
        assert os.fstat(fd).st_size == 8192
        assert os.pread(fd, 12, 0) == b'shared bytes'

        # Each call gives a new fd; closing one leaves the map alone.
        other = m.dup_fd()
        assert other != fd
        os.close(other)
        assert m[:6] == b'shared'

        # Mapping the dup again sees (and shares) the same bytes.
        again = Mmap.mmap(fd, 0)
        assert len(again) == 8192
        assert again[:12] == b'shared bytes'
        again[0] = ord('S')
        assert m[:12] == b'Shared bytes'
        m[-1] = 0x7f
        assert again[-1] == 0x7f
        again.close()
    finally:
        os.close(fd)
    # The map's own fd is its own: it still works.
    assert m[:6] == b'Shared'
    assert m.size() == 8192


def test_memfd_default_name():
    m = Mmap.Object.new_memfd(None, 10, Mmap.MemfdFlags.NONE)
    fd = m.dup_fd()
    try:
        assert os.readlink('/proc/self/fd/%d' % fd).startswith(
            '/memfd:mmapobj')
    finally:
        os.close(fd)


def test_memfd_resizes_with_the_map():
    m = new_memfd(0)
    assert len(m) == 0
    m.resize(100)
    assert len(m) == 100 and m.size() == 100
    m[99] = 5
    m.resize(50)
    assert m.size() == 50
    assert m[:] == bytes(50)


def test_memfd_bad_flags():
    with pytest.raises(ValueError) as info:
        Mmap.Object.new_memfd('x', 10, Mmap.MemfdFlags(1 << 10))
    e = assert_mmap_error(info, ValueError, E.INVALID_ARGUMENT)
    assert '0x400' in e.message
    with pytest.raises(ValueError) as info:
        Mmap.Object.new_memfd('x', 10, Mmap.MemfdFlags.HUGE_2MB
                              | Mmap.MemfdFlags.HUGE_1GB)
    assert_mmap_error(info, ValueError, E.INVALID_ARGUMENT)
    # memfd names are at most 249 bytes: the kernel's EINVAL.
    with pytest.raises(OSError) as info:
        Mmap.Object.new_memfd('n' * 300, 10, Mmap.MemfdFlags.NONE)
    assert_io_error(info, OSError, errno.EINVAL,
                    Gio.IOErrorEnum.INVALID_ARGUMENT)


@pytest.mark.parametrize('flags', [Mmap.MemfdFlags.HUGE_2MB,
                                   Mmap.MemfdFlags.HUGETLB
                                   | Mmap.MemfdFlags.ALLOW_SEALING])
def test_memfd_huge_pages(flags):
    size = 2 * 1024 * 1024
    free = free_huge_pages()
    try:
        m = Mmap.Object.new_memfd('py-huge', size, flags)
    except OSError as e:
        if free != 0:
            raise
        # No pool: a clean error that says what is missing.
        assert isinstance(e, GLib.Error)
        assert e.errno == errno.ENOMEM
        assert 'nr_hugepages' in e.message
        pytest.skip('no huge pages reserved here (/proc/sys/vm/nr_hugepages '
                    'is 0); the error was clean: %s' % e.message)
    assert free != 0, 'a huge page map without free huge pages'
    assert len(m) == size
    m[size - 1] = 7
    assert m[size - 1] == 7
    assert m[0] == 0
    fd = m.dup_fd()
    try:
        assert os.fstat(fd).st_size == size
    finally:
        os.close(fd)
    m.close()


def test_dup_fd_needs_an_fd(make_file):
    private = Mmap.mmap(-1, PAGE, flags=Mmap.MAP_PRIVATE)
    for call in (private.dup_fd, private.get_seals,
                 lambda: private.append_to_fd_list(Gio.UnixFDList.new()),
                 lambda: private.check_seals(S.SHRINK)):
        with pytest.raises(ValueError) as info:
            call()
        assert_mmap_error(info, ValueError, E.NO_TRACKED_FD)

    path, fd = make_file(b'untracked')
    untracked = Mmap.mmap(fd, 0, trackfd=False)
    with pytest.raises(ValueError) as info:
        untracked.dup_fd()
    assert_mmap_error(info, ValueError, E.NO_TRACKED_FD)

    # Shared anonymous memory is a memfd too, and can be passed on.
    shared = Mmap.mmap(-1, PAGE)
    shared[:4] = b'anon'
    fd = shared.dup_fd()
    try:
        again = Mmap.mmap(fd, 0, access=Mmap.ACCESS_READ)
    finally:
        os.close(fd)
    assert again[:4] == b'anon'
    shared.close()
    with pytest.raises(ValueError) as info:
        shared.dup_fd()
    assert_mmap_error(info, ValueError, E.CLOSED)
    # The other map keeps the memory.
    assert again[:4] == b'anon'


# --------------------------------------------------------------------------
# Seals


def test_seals_need_allow_sealing():
    m = new_memfd(PAGE)
    assert m.get_seals() == S.SEAL
    with pytest.raises(PermissionError) as info:
        m.add_seals(S.SHRINK)
    e = assert_io_error(info, PermissionError, errno.EPERM,
                        Gio.IOErrorEnum.PERMISSION_DENIED)
    assert 'SHRINK' in e.message
    with pytest.raises(PermissionError) as info:
        m.seal_readonly()
    assert_io_error(info, PermissionError, errno.EPERM,
                    Gio.IOErrorEnum.PERMISSION_DENIED)
    # Nothing changed: still writable.
    m[:14] = b'still writable'
    assert m[:14] == b'still writable'
    assert m.get_access() == Mmap.Access.WRITE
    assert m.get_seals() == S.SEAL


def test_add_get_and_check_seals():
    m = sealable(PAGE)
    assert m.get_seals() == 0
    assert m.check_seals(S.NONE) is True
    assert m.add_seals(S.SHRINK | S.GROW) is True
    assert m.get_seals() == S.SHRINK | S.GROW
    assert m.check_seals(S.SHRINK) is True
    assert m.check_seals(S.SHRINK | S.GROW) is True
    with pytest.raises(PermissionError) as info:
        m.check_seals(S.SHRINK | S.WRITE)
    e = assert_seals_missing(info)
    # It names the missing seal, and the ones there are.
    assert 'not sealed with WRITE (its seals: SHRINK | GROW)' in e.message

    # Nobody can change the size any more, through any fd.
    fd = m.dup_fd()
    try:
        with pytest.raises(PermissionError):
            os.ftruncate(fd, 0)
        with pytest.raises(PermissionError):
            os.ftruncate(fd, 2 * PAGE)
        assert os.fstat(fd).st_size == PAGE
    finally:
        os.close(fd)

    # resize() fails and leaves the map as it was.
    m[:4] = b'kept'
    with pytest.raises(PermissionError) as info:
        m.resize(2 * PAGE)
    assert info.value.errno == errno.EPERM
    assert len(m) == PAGE
    assert m[:4] == b'kept'

    # Adding seals that are there already is fine.
    assert m.add_seals(S.SHRINK) is True
    assert m.get_seals() == S.SHRINK | S.GROW

    with pytest.raises(ValueError) as info:
        m.add_seals(S(1 << 12))
    assert_mmap_error(info, ValueError, E.INVALID_ARGUMENT)
    with pytest.raises(ValueError) as info:
        m.check_seals(S(1 << 12))
    assert_mmap_error(info, ValueError, E.INVALID_ARGUMENT)
    assert m.get_seals() == S.SHRINK | S.GROW


def test_write_seal_on_a_writable_map_is_busy():
    m = sealable(PAGE)
    with pytest.raises(OSError) as info:
        m.add_seals(S.WRITE)
    e = assert_io_error(info, OSError, errno.EBUSY, Gio.IOErrorEnum.BUSY)
    assert 'seal_readonly' in e.message
    assert 'seal_readonly' in str(e)
    assert m.get_seals() == 0
    m[0] = 1
    assert m[0] == 1


def test_seal_seal_forbids_more_seals():
    m = sealable(PAGE)
    m.add_seals(S.SEAL | S.GROW)
    with pytest.raises(PermissionError) as info:
        m.add_seals(S.SHRINK)
    assert_io_error(info, PermissionError, errno.EPERM,
                    Gio.IOErrorEnum.PERMISSION_DENIED)
    with pytest.raises(PermissionError):
        m.seal_readonly()
    assert m.get_seals() == S.SEAL | S.GROW
    assert m.get_access() == Mmap.Access.WRITE


def test_future_write():
    m = sealable(PAGE, name='py-future')
    m[:4] = b'kept'
    assert m.add_seals(S.FUTURE_WRITE) is True
    assert m.get_seals() == S.FUTURE_WRITE
    assert m.check_seals(S.FUTURE_WRITE) is True
    # The map that exists keeps writing ...
    m[:4] = b'KEPT'
    assert m[:4] == b'KEPT'
    fd = m.dup_fd()
    try:
        # ... but nobody can start: no new writable map, no write().
        with pytest.raises(PermissionError) as info:
            Mmap.mmap(fd, 0)
        assert info.value.errno == errno.EPERM
        with pytest.raises(PermissionError):
            os.pwrite(fd, b'x', 0)
        reader = Mmap.mmap(fd, 0, access=Mmap.ACCESS_READ)
    finally:
        os.close(fd)
    assert reader[:4] == b'KEPT'
    m[:4] = b'seen'
    assert reader[:4] == b'seen'


def test_seal_readonly():
    size = 3 * PAGE + 5
    m = sealable(size, name='py-readonly')
    m[:10] = b'final data'
    m.seek(6)

    # Remapping needs no views: each kind of export refuses it.
    view = m.view(0, 4)
    with pytest.raises(BufferError) as info:
        m.seal_readonly()
    assert_mmap_error(info, BufferError, E.EXPORTS_EXIST)
    del view

    mv = m.memoryview()
    with pytest.raises(BufferError) as info:
        m.seal_readonly()
    assert_mmap_error(info, BufferError, E.EXPORTS_EXIST)
    mv.release()

    stream = m.open_input_stream(0, -1)
    with pytest.raises(BufferError) as info:
        m.seal_readonly()
    assert_mmap_error(info, BufferError, E.EXPORTS_EXIST)
    stream.close(None)
    del stream

    # Refused attempts changed nothing.
    assert m.get_seals() == 0
    assert m.get_access() == Mmap.Access.WRITE
    m[0] = ord('F')
    m[0] = ord('f')

    assert m.seal_readonly() is True
    assert m.get_seals() == READONLY_SEALS
    assert m.check_seals(S.SHRINK | S.WRITE) is True
    assert m.get_access() == Mmap.Access.READ
    assert not m.get_prot() & Mmap.Prot.WRITE
    # The bytes, length and position stay.
    assert len(m) == size
    assert m.tell() == 6
    assert m[:10] == b'final data'
    assert m.read(4) == b'data'

    # The map is read-only now.
    with pytest.raises(TypeError) as info:
        m[0] = ord('F')
    assert_mmap_error(info, TypeError, E.READ_ONLY)
    with pytest.raises(TypeError):
        m[0:2] = b'FI'
    with pytest.raises(TypeError):
        m.write(b'x')
    with pytest.raises(TypeError):
        m.write_byte(1)
    with pytest.raises(TypeError):
        m.move(0, 1, 2)
    with pytest.raises(TypeError):
        m.resize(size + 1)
    assert m.memoryview().readonly
    assert m[:10] == b'final data'

    # Nobody can write it any more; anybody can read it.
    fd = m.dup_fd()
    try:
        with pytest.raises(PermissionError) as info:
            Mmap.mmap(fd, 0)
        assert info.value.errno == errno.EPERM
        with pytest.raises(PermissionError):
            os.pwrite(fd, b'x', 0)
        with pytest.raises(PermissionError):
            os.ftruncate(fd, 0)
        reader = Mmap.mmap(fd, 0, access=Mmap.ACCESS_READ)
    finally:
        os.close(fd)
    assert reader[:10] == b'final data'
    # Only read-only mappings of the memory are left in this process.
    with open('/proc/self/maps') as maps:
        perms = [line.split()[1] for line in maps
                 if '/memfd:py-readonly' in line]
    assert len(perms) == 2 and all(p[1] == '-' for p in perms), perms

    # Sealing again is a no-op that succeeds.
    assert m.seal_readonly() is True
    assert m.get_seals() == READONLY_SEALS


def test_seal_readonly_refused_while_another_writable_map_exists():
    m = sealable(PAGE)
    fd = m.dup_fd()
    try:
        other = Mmap.mmap(fd, 0)
    finally:
        os.close(fd)

    with pytest.raises(OSError) as info:
        m.seal_readonly()
    assert_io_error(info, OSError, errno.EBUSY, Gio.IOErrorEnum.BUSY)
    # The map stays as it was, writable and shared.
    assert m.get_access() == Mmap.Access.WRITE
    assert m.get_seals() == 0
    m[:13] = b'written after'
    assert other[:13] == b'written after'
    assert not m.memoryview().readonly

    # Once the other map is gone, it works.
    other.close()
    assert m.seal_readonly() is True
    assert m.get_seals() == READONLY_SEALS
    assert m[:13] == b'written after'


def test_sealed_map_is_closed_cleanly():
    m = sealable(PAGE)
    m.seal_readonly()
    m.close()
    for call in (m.get_seals, m.dup_fd, m.seal_readonly,
                 lambda: m.check_seals(S.SHRINK)):
        with pytest.raises(ValueError) as info:
            call()
        assert_mmap_error(info, ValueError, E.CLOSED)


# --------------------------------------------------------------------------
# The receiving side


def test_from_fd_list_requires_seals():
    name = 'py-recv'
    m = sealable(10000, name=name)
    m[:7] = b'payload'
    fds = Gio.UnixFDList.new()
    index = m.append_to_fd_list(fds)
    assert index == 0
    assert fds.get_length() == 1
    assert m.append_to_fd_list(fds) == 1      # each call appends one more

    # Unsealed: a receiver that requires seals maps nothing.
    n_fds, n_maps = open_fds(), mappings_of(name)
    assert n_maps == 1
    with pytest.raises(PermissionError) as info:
        Mmap.Object.new_from_fd_list(fds, index, Mmap.Access.READ, S.SHRINK)
    e = assert_seals_missing(info)
    assert 'SHRINK' in e.message and 'its seals: none' in e.message
    assert open_fds() == n_fds
    assert mappings_of(name) == n_maps

    # Shrink-sealed only: one that also requires WRITE still refuses.
    m.add_seals(S.SHRINK)
    with pytest.raises(PermissionError) as info:
        Mmap.Object.new_from_fd_list(fds, index, Mmap.Access.READ,
                                     S.SHRINK | S.WRITE)
    e = assert_seals_missing(info)
    assert 'WRITE' in e.message and 'its seals: SHRINK' in e.message
    assert open_fds() == n_fds
    assert mappings_of(name) == n_maps

    # What it requires is there: it maps, and the Python API works.
    r = Mmap.Object.new_from_fd_list(fds, index, Mmap.Access.READ, S.SHRINK)
    assert isinstance(r, Mmap.mmap)
    assert len(r) == 10000
    assert r[:7] == b'payload'
    assert r.get_access() == Mmap.Access.READ
    assert mappings_of(name) == n_maps + 1
    r.close()
    assert mappings_of(name) == n_maps

    # Sealed read-only: the strict receiver maps it.
    m.seal_readonly()
    r = Mmap.Object.new_from_fd_list(fds, 1, Mmap.Access.READ,
                                     S.SHRINK | S.WRITE)
    assert r[:7] == b'payload'
    assert r.check_seals(S.SHRINK | S.WRITE) is True
    assert r.get_seals() == READONLY_SEALS
    with pytest.raises(TypeError):
        r[0] = 1
    r.close()

    # Write access to write-sealed memory: the kernel refuses.
    with pytest.raises(PermissionError) as info:
        Mmap.Object.new_from_fd_list(fds, index, Mmap.Access.WRITE, S.NONE)
    assert info.value.errno == errno.EPERM
    assert fds.get_length() == 2


def test_from_fd_list_bad_arguments():
    m = sealable(PAGE)
    fds = Gio.UnixFDList.new()
    m.append_to_fd_list(fds)
    for index in (1, -1, 100):
        with pytest.raises(ValueError) as info:
            Mmap.Object.new_from_fd_list(fds, index, Mmap.Access.READ, S.NONE)
        e = assert_mmap_error(info, ValueError, E.INVALID_ARGUMENT)
        assert str(index) in e.message
    with pytest.raises(ValueError) as info:
        Mmap.Object.new_from_fd_list(fds, 0, Mmap.Access.READ, S(1 << 12))
    assert_mmap_error(info, ValueError, E.INVALID_ARGUMENT)
    with pytest.raises(ValueError) as info:
        Mmap.Object.new_from_fd_list(Gio.UnixFDList.new(), 0,
                                     Mmap.Access.READ, S.NONE)
    assert_mmap_error(info, ValueError, E.INVALID_ARGUMENT)
    assert fds.get_length() == 1


def test_from_fd_list_regular_file(make_file):
    path, fd = make_file(b'on disk')
    fds = Gio.UnixFDList.new()
    index = fds.append(fd)
    n_fds = open_fds()
    with pytest.raises(PermissionError) as info:
        Mmap.Object.new_from_fd_list(fds, index, Mmap.Access.READ, S.SHRINK)
    e = assert_seals_missing(info)
    # A file on a disk cannot be sealed at all; one on a tmpfs is shared
    # memory, born with SEAL only, like a memfd without ALLOW_SEALING.
    tmpfs = on_tmpfs(path)
    if tmpfs:
        assert ('the memory is not sealed with SHRINK (its seals: SEAL)'
                in e.message)
    else:
        assert 'cannot be sealed' in e.message
    assert open_fds() == n_fds

    # Requiring nothing, it maps.
    r = Mmap.Object.new_from_fd_list(fds, index, Mmap.Access.READ, S.NONE)
    assert r[:] == b'on disk'
    assert len(r) == 7
    # A regular file has no seals to give; a tmpfs file only SEAL.
    if tmpfs:
        assert r.get_seals() == S.SEAL
    else:
        with pytest.raises(OSError) as info:
            r.get_seals()
        assert info.value.errno == errno.EINVAL
    with pytest.raises(PermissionError) as info:
        r.check_seals(S.SHRINK)
    assert_seals_missing(info)


RECEIVER = textwrap.dedent('''
    import os, sys
    import gi
    gi.require_version('Mmap', '1')
    from gi.repository import Gio, Mmap
    fds = Gio.UnixFDList.new_from_array([int(sys.argv[1])])
    S = Mmap.Seals
    try:
        m = Mmap.Object.new_from_fd_list(fds, 0, Mmap.Access.READ,
                                         S.SHRINK | S.WRITE)
    except PermissionError as e:
        print('refused', e.errno, e.code == Mmap.Error.SEALS_MISSING)
    else:
        print('mapped', len(m), m[:7].decode(), m.check_seals(S.WRITE))
''')


def test_receiver_in_another_process():
    """The fd crosses a process boundary (inherited, as it would be
    received): the receiver refuses it until the sender seals it."""
    m = sealable(5000, name='py-cross')
    m[:7] = b'payload'

    def receive():
        fd = m.dup_fd()
        try:
            proc = subprocess.run([sys.executable, '-c', RECEIVER, str(fd)],
                                  pass_fds=(fd,), capture_output=True,
                                  text=True, timeout=60)
        finally:
            os.close(fd)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout.split()

    assert receive() == ['refused', str(errno.EPERM), 'True']
    m.seal_readonly()
    assert receive() == ['mapped', '5000', 'payload', 'True']
