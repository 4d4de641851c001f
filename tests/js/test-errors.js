// test-errors.js: every error code reachable from JavaScript
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Each check names the domain and code with GLib.Error.matches(), which is
// how gjs code tells the failures apart (Mmap.Error for the library's own,
// Gio.IOErrorEnum for failed system calls).

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Mmap from 'gi://Mmap?version=1';

import {test, ok, is, throwsCode, done} from './tap.js';
import {b, tempFile, tempPath, cleanup, MAXSSIZE} from './util.js';

const E = Mmap.Error;
const RW = Mmap.Prot.READ | Mmap.Prot.WRITE;

test('errors are GLib.Error instances in the Mmap.Error domain', () => {
    const m = Mmap.Object.new_anonymous(1);
    let error = null;
    try {
        m.get_byte(5);
    } catch (e) {
        error = e;
    }
    ok(error instanceof GLib.Error, 'instanceof GLib.Error');
    is(error?.domain, Mmap.error_quark(), 'domain is Mmap.error_quark()');
    is(error?.code, E.INDEX_OUT_OF_RANGE, 'code');
    ok(error?.matches(Mmap.Error, E.INDEX_OUT_OF_RANGE), 'matches()');
    ok(!error?.matches(Mmap.Error, E.OUT_OF_RANGE), 'matches() tells codes apart');
    ok(!error?.matches(Gio.IOErrorEnum, E.INDEX_OUT_OF_RANGE),
        'matches() tells domains apart');
    is(error?.message, 'get_byte: mmap index 5 out of range of a 1-byte map',
        'the message names the call and the values');
});

test('CLOSED', () => {
    const m = Mmap.Object.new_anonymous(10);
    m.close();
    const calls = {
        read: () => m.read(1),
        read_byte: () => m.read_byte(),
        readline: () => m.readline(),
        write: () => m.write(b('x')),
        write_bytes: () => m.write_bytes(new GLib.Bytes(b('x'))),
        write_byte: () => m.write_byte(1),
        get_byte: () => m.get_byte(0),
        set_byte: () => m.set_byte(0, 1),
        get_slice: () => m.get_slice(0, 1, 1),
        set_slice: () => m.set_slice(0, 1, 1, b('x')),
        find: () => m.find(b('x')),
        rfind: () => m.rfind(b('x')),
        find_range: () => m.find_range(b('x'), 0, -1),
        rfind_range: () => m.rfind_range(b('x'), 0, -1),
        seek: () => m.seek(0, GLib.SeekType.SET),
        tell: () => m.tell(),
        size: () => m.size(),
        resize: () => m.resize(5),
        move: () => m.move(0, 1, 1),
        flush: () => m.flush(),
        flush_range: () => m.flush_range(0, 1),
        madvise: () => m.madvise(Mmap.Advice.NORMAL),
        madvise_range: () => m.madvise_range(Mmap.Advice.NORMAL, 0, 1),
        view: () => m.view(0, -1),
    };
    for (const [name, call] of Object.entries(calls))
        throwsCode(call, Mmap.Error, E.CLOSED, `${name}() on a closed map`);
    throwsCode(() => m.read(1), Mmap.Error, E.CLOSED, 'message',
        /^read: mmap closed or invalid$/);
    is(m.close(), true, 'close() itself does not fail');
    is(m.get_n_views(), 0, 'get_n_views() is 0');
});

test('NOT_INITIALIZED', () => {
    const m = new Mmap.Object({length: 10});
    throwsCode(() => m.read(1), Mmap.Error, E.NOT_INITIALIZED, 'read()');
    throwsCode(() => m.write(b('x')), Mmap.Error, E.NOT_INITIALIZED, 'write()');
    throwsCode(() => m.tell(), Mmap.Error, E.NOT_INITIALIZED, 'tell()');
    throwsCode(() => m.size(), Mmap.Error, E.NOT_INITIALIZED, 'size()');
    throwsCode(() => m.flush(), Mmap.Error, E.NOT_INITIALIZED, 'flush()');
    throwsCode(() => m.madvise(Mmap.Advice.NORMAL), Mmap.Error,
        E.NOT_INITIALIZED, 'madvise()');
    throwsCode(() => m.move(0, 1, 1), Mmap.Error, E.NOT_INITIALIZED, 'move()');
    throwsCode(() => m.get_slice(0, 1, 1), Mmap.Error, E.NOT_INITIALIZED,
        'get_slice()');
    is(m.get_n_views(), 0, 'get_n_views() is 0');
    m.close();
    throwsCode(() => m.read(1), Mmap.Error, E.CLOSED,
        'close() before init() closes it for good');
    throwsCode(() => m.init(null), Mmap.Error, E.CLOSED,
        'and init() after close() is refused');
});

test('OUT_OF_RANGE (Python ValueError)', () => {
    const m = Mmap.Object.new_anonymous(4);
    throwsCode(() => m.seek(5, GLib.SeekType.SET), Mmap.Error, E.OUT_OF_RANGE,
        'seek() past the end', /seek out of range/);
    m.seek(4, GLib.SeekType.SET);
    throwsCode(() => m.read_byte(), Mmap.Error, E.OUT_OF_RANGE,
        'read_byte() at the end');
    throwsCode(() => m.write_byte(0), Mmap.Error, E.OUT_OF_RANGE,
        'write_byte() at the end');
    m.seek(2, GLib.SeekType.SET);
    throwsCode(() => m.write(b('abc')), Mmap.Error, E.OUT_OF_RANGE,
        'write() that does not fit',
        /^write: data out of range: 3 bytes at position 2 do not fit in a 4-byte map$/);
    throwsCode(() => m.move(0, 2, 3), Mmap.Error, E.OUT_OF_RANGE, 'move()');
    throwsCode(() => m.flush_range(3, 2), Mmap.Error, E.OUT_OF_RANGE,
        'flush_range()');
    throwsCode(() => m.madvise_range(Mmap.Advice.NORMAL, 4, 1), Mmap.Error,
        E.OUT_OF_RANGE, 'madvise_range()');
    throwsCode(() => m.view(5, -1), Mmap.Error, E.OUT_OF_RANGE,
        'view() offset past the end');
    throwsCode(() => m.view(1, 4), Mmap.Error, E.OUT_OF_RANGE,
        'view() length past the end');
    const {fd, path} = tempFile('0123456789');
    const off = Mmap.Object.new(fd, 0, Mmap.Access.WRITE, 1);
    GLib.close(fd);
    throwsCode(() => off.resize(MAXSSIZE), Mmap.Error, E.OUT_OF_RANGE,
        'resize() so that offset + size overflows', /new size .* out of range/);
    is(off.length, 9, 'the failed resize changed nothing');
    is(off.size(), 10, 'nor the file');
});

test('INDEX_OUT_OF_RANGE (Python IndexError)', () => {
    const m = Mmap.Object.new_anonymous(3);
    throwsCode(() => m.get_byte(3), Mmap.Error, E.INDEX_OUT_OF_RANGE,
        'get_byte(length)');
    throwsCode(() => m.get_byte(-4), Mmap.Error, E.INDEX_OUT_OF_RANGE,
        'get_byte(-length - 1)');
    throwsCode(() => m.set_byte(3, 0), Mmap.Error, E.INDEX_OUT_OF_RANGE,
        'set_byte(length)');
    throwsCode(() => m.set_byte(-4, 0), Mmap.Error, E.INDEX_OUT_OF_RANGE,
        'set_byte(-length - 1)');
    const e = Mmap.Object.new_anonymous(0);
    throwsCode(() => e.get_byte(0), Mmap.Error, E.INDEX_OUT_OF_RANGE,
        'get_byte(0) on an empty map');
});

test('READ_ONLY (Python TypeError)', () => {
    const ro = Mmap.Object.new_for_path(tempPath('read only'), Mmap.Access.READ);
    throwsCode(() => ro.write(b('x')), Mmap.Error, E.READ_ONLY, 'write()',
        /readonly/);
    throwsCode(() => ro.write_bytes(new GLib.Bytes(b('x'))), Mmap.Error,
        E.READ_ONLY, 'write_bytes()');
    throwsCode(() => ro.write_byte(1), Mmap.Error, E.READ_ONLY, 'write_byte()');
    throwsCode(() => ro.set_byte(0, 1), Mmap.Error, E.READ_ONLY, 'set_byte()');
    throwsCode(() => ro.set_slice(0, 1, 1, b('x')), Mmap.Error, E.READ_ONLY,
        'set_slice()');
    throwsCode(() => ro.move(0, 1, 1), Mmap.Error, E.READ_ONLY, 'move()');
    is(ro.tell(), 0, 'position unchanged');
    const {fd} = tempFile('prot read');
    const pr = Mmap.Object.new_full(fd, 0, Mmap.MapFlags.SHARED, Mmap.Prot.READ,
        Mmap.Access.DEFAULT, 0, true);
    throwsCode(() => pr.write(b('x')), Mmap.Error, E.READ_ONLY,
        'write() on a PROT_READ map');
    GLib.close(fd);
});

test('NOT_RESIZABLE (Python TypeError)', () => {
    const path = tempPath('fixed');
    throwsCode(() => Mmap.Object.new_for_path(path, Mmap.Access.READ).resize(10),
        Mmap.Error, E.NOT_RESIZABLE, 'ACCESS_READ');
    throwsCode(() => Mmap.Object.new_for_path(path, Mmap.Access.COPY).resize(10),
        Mmap.Error, E.NOT_RESIZABLE, 'ACCESS_COPY');
});

test('EXPORTS_EXIST (Python BufferError)', () => {
    const m = Mmap.Object.new_anonymous(10);
    const view = m.view(0, 5);
    throwsCode(() => m.resize(20), Mmap.Error, E.EXPORTS_EXIST,
        'resize() while a view lives', /1 views alive/);
    is(m.length, 10, 'length unchanged');
    is(view.get_size(), 5, 'the view is intact');
});

test('NO_TRACKED_FD', () => {
    const {fd} = tempFile('untracked');
    const m = Mmap.Object.new_full(fd, 0, Mmap.MapFlags.SHARED, RW,
        Mmap.Access.DEFAULT, 0, false);
    throwsCode(() => m.resize(20), Mmap.Error, E.NO_TRACKED_FD,
        'resize() with track_fd false (Python ValueError)', /trackfd=False/);
    throwsCode(() => m.size(), Mmap.Error, E.NO_TRACKED_FD,
        'size() with track_fd false (Python OSError EBADF)');
    throwsCode(() => Mmap.Object.new_anonymous(4).size(), Mmap.Error,
        E.NO_TRACKED_FD, 'size() on an anonymous map', /anonymous/);
    GLib.close(fd);
});

test('FILE_TOO_SMALL (Python ValueError)', () => {
    const {fd} = tempFile('small');
    throwsCode(() => Mmap.Object.new(fd, 6, Mmap.Access.DEFAULT, 0),
        Mmap.Error, E.FILE_TOO_SMALL, 'length beyond the file',
        /length 6 at offset 0 is greater than the file size 5/);
    throwsCode(() => Mmap.Object.new(fd, 3, Mmap.Access.DEFAULT, 3),
        Mmap.Error, E.FILE_TOO_SMALL, 'offset + length beyond the file');
    throwsCode(() => Mmap.Object.new(fd, 0, Mmap.Access.DEFAULT, 6),
        Mmap.Error, E.FILE_TOO_SMALL, 'offset beyond the file');
    GLib.close(fd);
});

test('WRONG_SIZE (Python IndexError)', () => {
    const m = Mmap.Object.new_anonymous(10);
    throwsCode(() => m.set_slice(0, 3, 1, b('ab')), Mmap.Error, E.WRONG_SIZE,
        'too little data', /2 bytes for a slice of 3/);
    throwsCode(() => m.set_slice(0, MAXSSIZE, 2, b('abcdef')), Mmap.Error,
        E.WRONG_SIZE, 'too much data for an extended slice');
    throwsCode(() => m.set_slice(4, 4, 1, b('a')), Mmap.Error, E.WRONG_SIZE,
        'data for an empty slice');
    ok(m.read(-1).toArray().every(v => v === 0), 'nothing was written');
});

test('INVALID_ARGUMENT (Python ValueError)', () => {
    const m = Mmap.Object.new_anonymous(10);
    throwsCode(() => m.get_slice(0, 5, 0), Mmap.Error, E.INVALID_ARGUMENT,
        'get_slice() step 0', /step cannot be zero/);
    throwsCode(() => m.set_slice(0, 5, 0, b('abcde')), Mmap.Error,
        E.INVALID_ARGUMENT, 'set_slice() step 0');
    const {fd, path} = tempFile('conflict');
    throwsCode(() => Mmap.Object.new_full(fd, 0, Mmap.MapFlags.PRIVATE, RW,
        Mmap.Access.READ, 0, true), Mmap.Error, E.INVALID_ARGUMENT,
    'access together with non-default flags', /can't specify both access/);
    throwsCode(() => Mmap.Object.new_full(fd, 0, Mmap.MapFlags.SHARED,
        Mmap.Prot.READ, Mmap.Access.WRITE, 0, true), Mmap.Error,
    E.INVALID_ARGUMENT, 'access together with non-default prot');
    const both = new Mmap.Object({fd, path});
    throwsCode(() => both.init(null), Mmap.Error, E.INVALID_ARGUMENT,
        'both a path and an fd', /either a path/);
    GLib.close(fd);
    // gjs itself refuses values outside an enum before the call is made.
    let refused = false;
    try {
        m.seek(0, 7);
    } catch (e) {
        refused = !(e instanceof GLib.Error);
    }
    ok(refused, 'gjs rejects an invalid GLib.SeekType before the library sees it');
});

test('OVERFLOW (Python OverflowError)', () => {
    const {fd} = tempFile('overflow');
    throwsCode(() => Mmap.Object.new(fd, 0, Mmap.Access.DEFAULT, -1),
        Mmap.Error, E.OVERFLOW, 'negative offset', /offset must be positive/);
    const m = Mmap.Object.new_anonymous(10);
    throwsCode(() => m.madvise_range(Mmap.Advice.NORMAL, 1, MAXSSIZE),
        Mmap.Error, E.OVERFLOW, 'madvise_range() start + length overflows');
    const huge = new Mmap.Object({length: 2 ** 63});
    throwsCode(() => huge.init(null), Mmap.Error, E.OVERFLOW,
        'a length beyond G_MAXSSIZE', /too large/);
    GLib.close(fd);
});

test('NOT_ACCESSIBLE (reading a PROT_NONE or write-only map)', () => {
    const {fd} = tempFile('secret');
    const none = Mmap.Object.new_full(fd, 0, Mmap.MapFlags.SHARED,
        Mmap.Prot.NONE, Mmap.Access.DEFAULT, 0, true);
    throwsCode(() => none.read(-1), Mmap.Error, E.NOT_ACCESSIBLE,
        'read() on PROT_NONE', /forbids reading/);
    throwsCode(() => none.read_byte(), Mmap.Error, E.NOT_ACCESSIBLE,
        'read_byte() on PROT_NONE');
    throwsCode(() => none.readline(), Mmap.Error, E.NOT_ACCESSIBLE,
        'readline() on PROT_NONE');
    throwsCode(() => none.get_byte(0), Mmap.Error, E.NOT_ACCESSIBLE,
        'get_byte() on PROT_NONE');
    throwsCode(() => none.get_slice(0, 3, 1), Mmap.Error, E.NOT_ACCESSIBLE,
        'get_slice() on PROT_NONE');
    throwsCode(() => none.find(b('s')), Mmap.Error, E.NOT_ACCESSIBLE,
        'find() on PROT_NONE');
    throwsCode(() => none.rfind_range(b('s'), 0, -1), Mmap.Error,
        E.NOT_ACCESSIBLE, 'rfind_range() on PROT_NONE');
    throwsCode(() => none.view(0, -1), Mmap.Error, E.NOT_ACCESSIBLE,
        'view() on PROT_NONE');
    throwsCode(() => none.write(b('x')), Mmap.Error, E.READ_ONLY,
        'write() on PROT_NONE is READ_ONLY');
    const wonly = Mmap.Object.new_full(fd, 0, Mmap.MapFlags.SHARED,
        Mmap.Prot.WRITE, Mmap.Access.DEFAULT, 0, true);
    // Linux on x86-64 makes a write-only map readable, as Python reads it.
    is(wonly.read(1).get_size(), 1, 'read() on a write-only map works');
    ok(wonly.move(0, 1, 1), 'move() on a write-only map works');
    wonly.seek(0, GLib.SeekType.SET);
    is(wonly.write(b('S')), 1, 'writing a write-only map works');
    const ro = Mmap.Object.new(fd, 0, Mmap.Access.READ, 0);
    is(ro.get_byte(0), 'S'.charCodeAt(0), 'and reaches the file');
    GLib.close(fd);
});

test('NOT_SUPPORTED (advice the kernel refuses for this map)', () => {
    // MADV_WIPEONFORK only applies to private anonymous maps: a kernel that
    // knows it answers EINVAL for a shared map, one that does not answers
    // EINVAL as well, so the code is the same everywhere.
    const m = Mmap.Object.new_anonymous(Mmap.get_page_size());
    throwsCode(() => m.madvise(Mmap.Advice.WIPEONFORK), Mmap.Error,
        E.NOT_SUPPORTED, 'WIPEONFORK on a shared anonymous map',
        /advice 18 is not supported/);
});

test('G_IO_ERROR for failed system calls', () => {
    const missing = throwsCode(
        () => Mmap.Object.new_for_path('/nonexistent/mmapobj-gjs', Mmap.Access.READ),
        Gio.IOErrorEnum, Gio.IOErrorEnum.NOT_FOUND, 'open() a missing file',
        /^open: \/nonexistent\/mmapobj-gjs: \[Errno 2\] /);
    is(missing && Mmap.error_get_errno(missing), 2,
        'Mmap.error_get_errno() gives the errno');
    const {fd} = tempFile('flags');
    throwsCode(() => Mmap.Object.new_full(fd, 0, Mmap.MapFlags.NONE, RW,
        Mmap.Access.DEFAULT, 0, true), Gio.IOErrorEnum,
    Gio.IOErrorEnum.INVALID_ARGUMENT,
    'flags without SHARED or PRIVATE: EINVAL', /\[Errno 22\]/);
    GLib.close(fd);
    // fd is closed now: fstat() fails with EBADF.
    const badFd = throwsCode(() => Mmap.Object.new(fd, 0, Mmap.Access.DEFAULT, 0),
        Gio.IOErrorEnum, Gio.IOErrorEnum.FAILED, 'a closed fd: EBADF',
        /^fstat: fd \d+: \[Errno 9\] /);
    ok(badFd === null || badFd.domain === Gio.io_error_quark(),
        'in the G_IO_ERROR domain');
    const dir = GLib.get_tmp_dir();
    throwsCode(() => Mmap.Object.new_for_path(dir, Mmap.Access.READ),
        Gio.IOErrorEnum, Gio.IOErrorEnum.INVALID_ARGUMENT,
        'a directory has no size to map: EINVAL', /\[Errno 22\]/);
    const anon = Mmap.Object.new_anonymous(4);
    anon.write(b('keep'));
    // ftruncate() or mremap() refuses; which errno depends on the kernel.
    let huge = null;
    try {
        anon.resize(MAXSSIZE);
    } catch (e) {
        huge = e;
    }
    ok(huge instanceof GLib.Error && huge.domain === Gio.io_error_quark(),
        'resize() an anonymous map to G_MAXSSIZE: a G_IO_ERROR');
    ok(huge !== null && /\[Errno \d+\]/.test(huge.message), 'errno in the message');
    is(anon.length, 4, 'the failed resize left the length');
    is(anon.get_slice(0, 4, 1).get_size(), 4, 'and the map readable');
    is(new TextDecoder().decode(anon.get_slice(0, 4, 1).toArray()), 'keep',
        'with its data');
    const shared = Mmap.Object.new_anonymous(Mmap.get_page_size());
    throwsCode(() => shared.madvise(Mmap.Advice.FREE), Gio.IOErrorEnum,
        Gio.IOErrorEnum.INVALID_ARGUMENT,
        'MADV_FREE on a shared map: EINVAL from madvise()', /^madvise: .*\[Errno 22\]/);
});

test('G_IO_ERROR instead of SIGBUS when the file is truncated under the map', () => {
    const page = Mmap.get_page_size();
    const path = tempPath('x'.repeat(3 * page));
    const m = Mmap.Object.new_for_path(path, Mmap.Access.WRITE);
    // Truncate through another handle: GSeekable.truncate() is ftruncate().
    const io = Gio.File.new_for_path(path).open_readwrite(null);
    io.truncate(page, null);
    is(m.get_byte(0), 'x'.charCodeAt(0), 'the first page still reads');
    const sigbus = /SIGBUS.*\[Errno 5\]/;
    throwsCode(() => m.get_byte(page), Gio.IOErrorEnum, Gio.IOErrorEnum.FAILED,
        'get_byte() past the new end: EIO', sigbus);
    throwsCode(() => m.get_slice(0, MAXSSIZE, 1), Gio.IOErrorEnum,
        Gio.IOErrorEnum.FAILED, 'get_slice(): EIO', sigbus);
    throwsCode(() => m.find_range(b('zz'), 0, MAXSSIZE), Gio.IOErrorEnum,
        Gio.IOErrorEnum.FAILED, 'find_range(): EIO', sigbus);
    m.seek(page + 1, GLib.SeekType.SET);
    throwsCode(() => m.read(-1), Gio.IOErrorEnum, Gio.IOErrorEnum.FAILED,
        'read(): EIO', sigbus);
    throwsCode(() => m.write(b('yy')), Gio.IOErrorEnum, Gio.IOErrorEnum.FAILED,
        'write(): EIO', sigbus);
    is(m.tell(), page + 1, 'failed calls leave the position');
    io.truncate(3 * page, null);
    is(m.get_byte(-1), 0, 'growing the file back makes the pages readable');
    io.close(null);
    m.close();
});

cleanup();
done();
