// test-construct.js: constructors, GObject construction, properties, enums
//
// SPDX-License-Identifier: LGPL-2.1-or-later

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Mmap from 'gi://Mmap?version=1';

import {test, ok, is, deepEqual, throwsCode, done} from './tap.js';
import {b, str, tempFile, tempPath, fileBytes, cleanup} from './util.js';

test('enum and flags values', () => {
    deepEqual([Mmap.Access.DEFAULT, Mmap.Access.READ, Mmap.Access.WRITE,
        Mmap.Access.COPY], [0, 1, 2, 3], 'Mmap.Access');
    deepEqual([Mmap.Prot.NONE, Mmap.Prot.READ, Mmap.Prot.WRITE,
        Mmap.Prot.EXEC], [0, 1, 2, 4], 'Mmap.Prot');
    deepEqual([Mmap.MapFlags.NONE, Mmap.MapFlags.SHARED,
        Mmap.MapFlags.PRIVATE, Mmap.MapFlags.ANONYMOUS,
        Mmap.MapFlags.ADDR_32BIT, Mmap.MapFlags.GROWSDOWN,
        Mmap.MapFlags.DENYWRITE, Mmap.MapFlags.EXECUTABLE,
        Mmap.MapFlags.LOCKED, Mmap.MapFlags.NORESERVE,
        Mmap.MapFlags.POPULATE, Mmap.MapFlags.NONBLOCK,
        Mmap.MapFlags.STACK, Mmap.MapFlags.HUGETLB,
        Mmap.MapFlags.SHARED_VALIDATE, Mmap.MapFlags.SYNC],
    [0, 0x1, 0x2, 0x20, 0x40, 0x100, 0x800, 0x1000, 0x2000, 0x4000, 0x8000,
        0x10000, 0x20000, 0x40000, 0x3, 0x80000],
    'Mmap.MapFlags (Linux values)');
    deepEqual([Mmap.Advice.NORMAL, Mmap.Advice.RANDOM,
        Mmap.Advice.SEQUENTIAL, Mmap.Advice.WILLNEED, Mmap.Advice.DONTNEED,
        Mmap.Advice.FREE, Mmap.Advice.REMOVE, Mmap.Advice.DONTFORK,
        Mmap.Advice.DOFORK, Mmap.Advice.MERGEABLE, Mmap.Advice.UNMERGEABLE,
        Mmap.Advice.HUGEPAGE, Mmap.Advice.NOHUGEPAGE, Mmap.Advice.DONTDUMP,
        Mmap.Advice.DODUMP, Mmap.Advice.WIPEONFORK, Mmap.Advice.KEEPONFORK,
        Mmap.Advice.COLD, Mmap.Advice.PAGEOUT, Mmap.Advice.POPULATE_READ,
        Mmap.Advice.POPULATE_WRITE, Mmap.Advice.DONTNEED_LOCKED,
        Mmap.Advice.COLLAPSE, Mmap.Advice.HWPOISON,
        Mmap.Advice.SOFT_OFFLINE],
    [0, 1, 2, 3, 4, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
        23, 24, 25, 100, 101], 'Mmap.Advice (Linux values)');
    deepEqual([Mmap.Error.CLOSED, Mmap.Error.NOT_INITIALIZED,
        Mmap.Error.OUT_OF_RANGE, Mmap.Error.INDEX_OUT_OF_RANGE,
        Mmap.Error.READ_ONLY, Mmap.Error.NOT_RESIZABLE,
        Mmap.Error.EXPORTS_EXIST, Mmap.Error.NO_TRACKED_FD,
        Mmap.Error.FILE_TOO_SMALL, Mmap.Error.WRONG_SIZE,
        Mmap.Error.INVALID_ARGUMENT, Mmap.Error.OVERFLOW,
        Mmap.Error.NOT_ACCESSIBLE, Mmap.Error.NOT_SUPPORTED],
    [...Array(14).keys()], 'Mmap.Error codes');
    is(GLib.quark_to_string(Mmap.Error), 'mmap-error-quark',
        'Mmap.Error is the error domain quark');
    const page = Mmap.get_page_size();
    ok(page >= 4096 && (page & (page - 1)) === 0,
        `get_page_size() is a power of two >= 4096 (${page})`);
    is(Mmap.get_allocation_granularity(), page,
        'get_allocation_granularity() equals the page size');
});

test('SHARED | PRIVATE is MAP_SHARED_VALIDATE: a shared map', () => {
    const {fd, path} = tempFile('hello world');
    const m = Mmap.Object.new_full(fd, 0,
        Mmap.MapFlags.SHARED | Mmap.MapFlags.PRIVATE,
        Mmap.Prot.READ | Mmap.Prot.WRITE, Mmap.Access.DEFAULT, 0, true);
    is(m.flags, Mmap.MapFlags.SHARED_VALIDATE, 'flags SHARED_VALIDATE');
    m.set_byte(0, 'J'.charCodeAt(0));
    is(str(fileBytes(path)), 'Jello world', 'writes reach the file');
    m.close();
    throwsCode(() => Mmap.Object.new_full(fd, 0,
        Mmap.MapFlags.SHARED_VALIDATE | Mmap.MapFlags.SYNC,
        Mmap.Prot.READ | Mmap.Prot.WRITE, Mmap.Access.DEFAULT, 0, true),
    Gio.IOErrorEnum, Gio.IOErrorEnum.NOT_SUPPORTED,
    'SYNC off DAX: EOPNOTSUPP');
    GLib.close(fd);
});

test('new() from a file descriptor', () => {
    const {fd, path} = tempFile('hello world');
    const m = Mmap.Object.new(fd, 0, Mmap.Access.DEFAULT, 0);
    ok(m instanceof Mmap.Object, 'returns an Mmap.Object');
    is(m.length, 11, 'length 0 maps the whole file');
    is(str(m.read(-1)), 'hello world', 'contents readable');
    ok(m.fd >= 0 && m.fd !== fd, 'fd property is a duplicate of the fd');
    GLib.close(fd);
    is(m.get_byte(0), 'h'.charCodeAt(0), 'still usable after closing the caller fd');
    is(m.size(), 11, 'size() works through the duplicate');
    is(m.path, null, 'path is null');
    is(m.access, Mmap.Access.DEFAULT, 'access DEFAULT');
    is(m.flags, Mmap.MapFlags.SHARED, 'flags SHARED');
    is(m.prot, Mmap.Prot.READ | Mmap.Prot.WRITE, 'prot READ|WRITE');
    is(m.offset, 0, 'offset 0');
    is(m.track_fd, true, 'track_fd true');
    is(m.trackFd, true, 'trackFd (camelCase) true');
    is(m.closed, false, 'closed false');
    m.set_byte(0, 'H'.charCodeAt(0));
    is(str(fileBytes(path)), 'Hello world', 'shared writes reach the file');
    m.close();
});

test('new() with length and offset', () => {
    const {fd} = tempFile('0123456789abcdef');
    const m = Mmap.Object.new(fd, 4, Mmap.Access.READ, 5);
    is(m.length, 4, 'length as given');
    is(m.offset, 5, 'offset need not be page-aligned');
    is(str(m.read(-1)), '5678', 'map starts at the offset');
    is(m.size(), 16, 'size() is the whole file size');
    const rest = Mmap.Object.new(fd, 0, Mmap.Access.READ, 10);
    is(str(rest.read(-1)), 'abcdef', 'length 0 maps the rest after the offset');
    const page = Mmap.get_page_size();
    const big = tempFile(new Uint8Array(page + 10).map((_, i) => i % 251));
    const m2 = Mmap.Object.new(big.fd, 0, Mmap.Access.READ, page + 3);
    is(m2.length, 7, 'offset beyond the first page: length');
    deepEqual(m2.read(-1).toArray(), new Uint8Array([3, 4, 5, 6, 7, 8, 9].map(
        i => (page + i) % 251)), 'offset beyond the first page: contents');
    const end = Mmap.Object.new(fd, 0, Mmap.Access.READ, 16);
    is(end.length, 0, 'offset equal to the file size gives an empty map');
    GLib.close(fd);
    GLib.close(big.fd);
});

test('access modes', () => {
    const {fd, path} = tempFile('abcdef');
    const ro = Mmap.Object.new(fd, 0, Mmap.Access.READ, 0);
    is(ro.access, Mmap.Access.READ, 'READ: access');
    is(ro.prot, Mmap.Prot.READ, 'READ: prot');
    is(ro.flags, Mmap.MapFlags.SHARED, 'READ: flags');
    const wr = Mmap.Object.new(fd, 0, Mmap.Access.WRITE, 0);
    is(wr.access, Mmap.Access.WRITE, 'WRITE: access');
    is(wr.prot, Mmap.Prot.READ | Mmap.Prot.WRITE, 'WRITE: prot');
    const cp = Mmap.Object.new(fd, 0, Mmap.Access.COPY, 0);
    is(cp.access, Mmap.Access.COPY, 'COPY: access');
    is(cp.flags, Mmap.MapFlags.PRIVATE, 'COPY: flags PRIVATE');
    cp.write(b('XY'));
    is(str(cp.get_slice(0, 6, 1)), 'XYcdef', 'COPY: the map sees its write');
    is(str(fileBytes(path)), 'abcdef', 'COPY: the file does not');
    is(str(ro.read(-1)), 'abcdef', 'COPY: other maps do not');
    wr.write(b('12'));
    is(str(fileBytes(path)), '12cdef', 'WRITE: the file sees writes');
    GLib.close(fd);
});

test('new_anonymous()', () => {
    const m = Mmap.Object.new_anonymous(100);
    is(m.length, 100, 'length');
    deepEqual(m.read(-1).toArray(), new Uint8Array(100), 'zero-filled');
    is(m.fd, -1, 'fd -1');
    ok((m.flags & Mmap.MapFlags.ANONYMOUS) !== 0, 'flags include ANONYMOUS');
    ok((m.flags & Mmap.MapFlags.SHARED) !== 0, 'flags include SHARED');
    is(m.access, Mmap.Access.DEFAULT, 'access DEFAULT');
    m.seek(0, GLib.SeekType.SET);
    m.write(b('anon'));
    is(str(m.get_slice(0, 4, 1)), 'anon', 'writable');
    const empty = Mmap.Object.new_anonymous(0);
    is(empty.length, 0, 'zero-length anonymous map');
    is(empty.read(-1).get_size(), 0, 'reads give empty bytes');
});

test('new_full()', () => {
    const {fd} = tempFile('private data');
    const priv = Mmap.Object.new_full(fd, 0, Mmap.MapFlags.PRIVATE,
        Mmap.Prot.READ | Mmap.Prot.WRITE, Mmap.Access.DEFAULT, 0, true);
    is(priv.flags, Mmap.MapFlags.PRIVATE, 'PRIVATE flags kept');
    is(priv.access, Mmap.Access.DEFAULT, 'READ|WRITE prot: access DEFAULT');
    const ronly = Mmap.Object.new_full(fd, 7, Mmap.MapFlags.SHARED,
        Mmap.Prot.READ, Mmap.Access.DEFAULT, 0, true);
    is(ronly.access, Mmap.Access.READ, 'READ prot: effective access READ');
    is(ronly.length, 7, 'length given');
    const wonly = Mmap.Object.new_full(fd, 0, Mmap.MapFlags.SHARED,
        Mmap.Prot.WRITE, Mmap.Access.DEFAULT, 0, true);
    is(wonly.access, Mmap.Access.WRITE, 'WRITE prot: effective access WRITE');
    const untracked = Mmap.Object.new_full(fd, 0, Mmap.MapFlags.SHARED,
        Mmap.Prot.READ | Mmap.Prot.WRITE, Mmap.Access.DEFAULT, 3, false);
    is(untracked.track_fd, false, 'track_fd false');
    is(untracked.fd, -1, 'fd -1 without tracking');
    is(untracked.offset, 3, 'offset');
    is(str(untracked.read(4)), 'vate', 'contents from the offset');
    const anonPriv = Mmap.Object.new_full(-1, 16, Mmap.MapFlags.PRIVATE,
        Mmap.Prot.READ | Mmap.Prot.WRITE, Mmap.Access.DEFAULT, 0, true);
    is(anonPriv.flags, Mmap.MapFlags.PRIVATE | Mmap.MapFlags.ANONYMOUS,
        'private anonymous map flags');
    GLib.close(fd);
});

test('new_for_path()', () => {
    const path = tempPath('by path');
    const m = Mmap.Object.new_for_path(path, Mmap.Access.WRITE);
    is(m.path, path, 'path property');
    ok(m.fd >= 0, 'keeps the fd it opened');
    is(m.length, 7, 'maps the whole file');
    is(str(m.read(-1)), 'by path', 'contents');
    is(m.size(), 7, 'size()');
    m.close();
    is(m.fd, -1, 'fd -1 once closed');
    is(m.path, path, 'path kept after close');
    const ro = Mmap.Object.new_for_path(path, Mmap.Access.READ);
    is(ro.access, Mmap.Access.READ, 'READ access');
    const empty = Mmap.Object.new_for_path(tempPath(''), Mmap.Access.DEFAULT);
    is(empty.length, 0, 'an empty file maps with length 0');
    is(empty.read(-1).get_size(), 0, 'and reads empty bytes');
});

test('fd from a Gio stream (Gio.FileDescriptorBased)', () => {
    const path = tempPath('gio stream');
    const stream = Gio.File.new_for_path(path).open_readwrite(null);
    const fd = stream.get_output_stream().get_fd();
    ok(fd >= 0, 'Gio.FileOutputStream.get_fd() gives an fd');
    const m = Mmap.Object.new(fd, 0, Mmap.Access.WRITE, 0);
    stream.close(null);
    is(str(m.read(-1)), 'gio stream', 'map from it outlives the stream');
    m.set_byte(0, 'G'.charCodeAt(0));
    is(str(fileBytes(path)), 'Gio stream', 'writes reach the file');
});

test('GObject construction and init()', () => {
    const path = tempPath('constructed');
    const m = new Mmap.Object({path, access: Mmap.Access.READ});
    is(m.to_string(), '<Mmap.Object uninitialized>', 'to_string() before init');
    throwsCode(() => m.read(-1), Mmap.Error, Mmap.Error.NOT_INITIALIZED,
        'read() before init() fails NOT_INITIALIZED', /init/);
    throwsCode(() => m.get_byte(0), Mmap.Error, Mmap.Error.NOT_INITIALIZED,
        'get_byte() before init()');
    throwsCode(() => m.find(b('c')), Mmap.Error, Mmap.Error.NOT_INITIALIZED,
        'find() before init()');
    throwsCode(() => m.seek(0, GLib.SeekType.SET), Mmap.Error,
        Mmap.Error.NOT_INITIALIZED, 'seek() before init()');
    throwsCode(() => m.resize(3), Mmap.Error, Mmap.Error.NOT_INITIALIZED,
        'resize() before init()');
    throwsCode(() => m.view(0, -1), Mmap.Error, Mmap.Error.NOT_INITIALIZED,
        'view() before init()');
    is(m.path, path, 'path readable before init');
    is(m.init(null), true, 'init() returns true');
    is(m.init(null), true, 'a second init() is harmless');
    is(str(m.read(-1)), 'constructed', 'read() after init()');
    is(m.access, Mmap.Access.READ, 'access');

    const {fd} = tempFile('0123456789');
    const byFd = new Mmap.Object({fd, length: 4, offset: 2, trackFd: false});
    is(byFd.length, 4, 'length readable before init');
    is(byFd.fd, fd, 'fd reads back as given before init');
    byFd.init(null);
    is(str(byFd.read(-1)), '2345', 'fd, length and offset honoured');
    is(byFd.track_fd, false, 'track_fd false');
    is(byFd.fd, -1, 'no fd kept');
    GLib.close(fd);

    const anon = new Mmap.Object({length: 8});
    anon.init(null);
    is(anon.length, 8, 'anonymous by GObject construction');
    ok((anon.flags & Mmap.MapFlags.ANONYMOUS) !== 0, 'anonymous flag');

    const full = new Mmap.Object({
        length: 8, flags: Mmap.MapFlags.PRIVATE, prot: Mmap.Prot.READ,
    });
    full.init(null);
    is(full.access, Mmap.Access.READ, 'flags and prot honoured');

    const bad = new Mmap.Object({path: '/nonexistent/mmapobj-gjs'});
    const e1 = throwsCode(() => bad.init(null), Gio.IOErrorEnum,
        Gio.IOErrorEnum.NOT_FOUND, 'init() on a missing path: NOT_FOUND');
    const e2 = throwsCode(() => bad.init(null), Gio.IOErrorEnum,
        Gio.IOErrorEnum.NOT_FOUND, 'a second init() fails the same way');
    is(e2?.message, e1?.message, 'with the same message');
    throwsCode(() => bad.read(1), Mmap.Error, Mmap.Error.NOT_INITIALIZED,
        'methods after a failed init(): NOT_INITIALIZED');
});

test('properties and notify::length', () => {
    const m = Mmap.Object.new_anonymous(10);
    const seen = [];
    const id = m.connect('notify::length', obj => seen.push(obj.length));
    m.resize(20);
    m.resize(20);
    m.resize(5);
    deepEqual(seen, [20, 5], 'notify::length on each real change');
    const closedSeen = [];
    m.connect('notify::closed', obj => closedSeen.push(obj.closed));
    m.close();
    deepEqual(seen, [20, 5, 0], 'close() notifies length 0');
    deepEqual(closedSeen, [true], 'close() notifies closed');
    m.close();
    deepEqual(closedSeen, [true], 'a second close() does not notify');
    m.disconnect(id);
    is(m.length, 0, 'length 0 once closed');
    is(m.closed, true, 'closed property');
    is(m.get_closed(), true, 'get_closed()');
    is(m.get_length(), 0, 'get_length()');
    is(m.get_offset(), 0, 'get_offset()');
    is(m.get_access(), Mmap.Access.DEFAULT, 'get_access()');
    is(m.get_fd(), -1, 'get_fd()');
    is(m.get_path(), null, 'get_path()');
    is(m.get_track_fd(), true, 'get_track_fd()');
    ok((m.get_flags() & Mmap.MapFlags.SHARED) !== 0, 'get_flags()');
    is(m.get_prot(), Mmap.Prot.READ | Mmap.Prot.WRITE, 'get_prot()');
});

test('to_string()', () => {
    const {fd} = tempFile('0123456789');
    const m = Mmap.Object.new(fd, 0, Mmap.Access.DEFAULT, 0);
    is(m.to_string(),
        '<Mmap.Object closed=False, access=ACCESS_DEFAULT, length=10, pos=0, offset=0>',
        'open map');
    m.seek(3, GLib.SeekType.SET);
    const r = Mmap.Object.new(fd, 4, Mmap.Access.READ, 2);
    is(m.to_string(),
        '<Mmap.Object closed=False, access=ACCESS_DEFAULT, length=10, pos=3, offset=0>',
        'shows the position');
    is(r.to_string(),
        '<Mmap.Object closed=False, access=ACCESS_READ, length=4, pos=0, offset=2>',
        'shows access, length and offset');
    const c = Mmap.Object.new(fd, 0, Mmap.Access.COPY, 0);
    ok(c.to_string().includes('access=ACCESS_COPY'), 'ACCESS_COPY');
    const w = Mmap.Object.new(fd, 0, Mmap.Access.WRITE, 0);
    ok(w.to_string().includes('access=ACCESS_WRITE'), 'ACCESS_WRITE');
    m.close();
    is(m.to_string(), '<Mmap.Object closed=True>', 'closed map');
    GLib.close(fd);
});

test('close()', () => {
    const m = Mmap.Object.new_anonymous(4);
    is(m.close(), true, 'close() returns true');
    is(m.close(), true, 'close() is idempotent');
    is(m.seekable(), true, 'seekable() stays true when closed');
});

cleanup();
done();
