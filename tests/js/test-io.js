// test-io.js: every method that reads, writes, searches or moves
//
// SPDX-License-Identifier: LGPL-2.1-or-later

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Mmap from 'gi://Mmap?version=1';

import {test, ok, is, deepEqual, throwsCode, done} from './tap.js';
import {
    b, str, tempFile, tempPath, fileBytes, cleanup,
    MAXSSIZE, MINSSIZE, pySliceIndices, rawBound,
} from './util.js';

function anonWith(text) {
    const data = typeof text === 'string' ? b(text) : text;
    const m = Mmap.Object.new_anonymous(data.length);
    m.write(data);
    m.seek(0, GLib.SeekType.SET);
    return m;
}

test('read()', () => {
    const m = anonWith('hello world');
    is(str(m.read(5)), 'hello', 'read(5)');
    is(m.tell(), 5, 'advances the position');
    is(str(m.read(0)), '', 'read(0) is empty');
    is(str(m.read(-1)), ' world', 'read(-1) reads the rest');
    is(m.tell(), 11, 'position at the end');
    is(m.read(-1).get_size(), 0, 'read(-1) at the end is empty');
    is(m.read(10).get_size(), 0, 'read(10) at the end is empty');
    m.seek(6, GLib.SeekType.SET);
    is(str(m.read(100)), 'world', 'read(n) past the end is short');
    m.seek(0, GLib.SeekType.SET);
    is(str(m.read(-5)), 'hello world', 'any negative n reads all');
    const r = m.read(-1);
    ok(r instanceof GLib.Bytes, 'returns a GLib.Bytes');
});

test('read() returns a copy', () => {
    const m = anonWith('abc');
    const copy = m.read(-1).toArray();
    m.set_byte(0, 'X'.charCodeAt(0));
    is(copy[0], 'a'.charCodeAt(0), 'later writes do not show in read() results');
});

test('read_byte()', () => {
    const m = anonWith('AB');
    is(m.read_byte(), 65, 'first byte');
    is(m.tell(), 1, 'advances');
    is(m.read_byte(), 66, 'second byte');
    throwsCode(() => m.read_byte(), Mmap.Error, Mmap.Error.OUT_OF_RANGE,
        'at the end: OUT_OF_RANGE');
    is(m.tell(), 2, 'position unchanged by the failure');
    const hi = anonWith(new Uint8Array([0xff, 0x80]));
    is(hi.read_byte(), 255, 'bytes are unsigned (255)');
    is(hi.read_byte(), 128, 'bytes are unsigned (128)');
});

test('readline()', () => {
    const m = anonWith('one\ntwo\n\nlast');
    is(str(m.readline()), 'one\n', 'first line with its newline');
    is(str(m.readline()), 'two\n', 'second line');
    is(str(m.readline()), '\n', 'empty line');
    is(str(m.readline()), 'last', 'last line without newline');
    is(m.readline().get_size(), 0, 'at the end: empty');
    is(m.tell(), 13, 'position at the end');
    const e = Mmap.Object.new_anonymous(0);
    is(e.readline().get_size(), 0, 'empty map: empty');
});

test('write(), write_bytes(), write_byte()', () => {
    const path = tempPath('..........');
    const m = Mmap.Object.new_for_path(path, Mmap.Access.WRITE);
    is(m.write(b('abc')), 3, 'write(Uint8Array) returns the count');
    is(m.tell(), 3, 'advances');
    is(m.write_bytes(new GLib.Bytes(b('DEF'))), 3, 'write_bytes(GLib.Bytes)');
    is(m.tell(), 6, 'advances');
    is(m.write(new Uint8Array(0)), 0, 'empty write returns 0');
    is(m.write_bytes(new GLib.Bytes(new Uint8Array(0))), 0,
        'empty write_bytes returns 0');
    is(m.write_byte(0x67), true, 'write_byte() returns true');
    is(m.tell(), 7, 'advances by one');
    is(m.write([0x68, 0x69]), 2, 'write() takes a plain array too');
    is(str(fileBytes(path)), 'abcDEFghi.', 'the file has every write');
    throwsCode(() => m.write(b('xy')), Mmap.Error, Mmap.Error.OUT_OF_RANGE,
        'a write that does not fit fails OUT_OF_RANGE', /2 bytes at position 9/);
    is(m.tell(), 9, 'position unchanged');
    is(str(fileBytes(path)), 'abcDEFghi.', 'nothing written (never partial)');
    is(m.write_byte(0x21), true, 'write_byte() into the last byte');
    throwsCode(() => m.write_byte(0x21), Mmap.Error, Mmap.Error.OUT_OF_RANGE,
        'write_byte() at the end: OUT_OF_RANGE');
    is(str(fileBytes(path)), 'abcDEFghi!', 'last byte written');
    is(m.write(new Uint8Array(0)), 0, 'empty write at the end is fine');
});

test('Gio.Seekable: the map\'s own position, and truncate() is resize()', () => {
    const {fd, path} = tempFile('0123456789');
    const m = Mmap.Object.new(fd, 0, Mmap.Access.WRITE, 0);
    const S = Gio.Seekable.prototype;
    ok(m instanceof Gio.Seekable, 'an Mmap.Object is a Gio.Seekable');
    ok(S.can_seek.call(m), 'can_seek()');
    ok(S.seek.call(m, 4, GLib.SeekType.SET, null), 'Seekable.seek()');
    is(S.tell.call(m), 4, 'Seekable.tell()');
    is(m.tell(), 4, 'the map\'s own tell() agrees');
    is(str(m.read(2)), '45', 'reads from there');
    is(S.tell.call(m), 6, 'and moved it');
    throwsCode(() => S.seek.call(m, 11, GLib.SeekType.SET, null),
        Mmap.Error, Mmap.Error.OUT_OF_RANGE, 'past the end: OUT_OF_RANGE');
    is(S.tell.call(m), 6, 'position kept');
    const cancellable = new Gio.Cancellable();
    cancellable.cancel();
    throwsCode(() => S.seek.call(m, 0, GLib.SeekType.SET, cancellable),
        Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED, 'cancelled: CANCELLED');
    ok(S.can_truncate.call(m), 'can_truncate() on a writable file map');
    ok(S.truncate.call(m, 4, null), 'Seekable.truncate()');
    is(m.length, 4, 'the map is 4 bytes');
    is(fileBytes(path).length, 4, 'and so is the file');
    m.close();
    ok(!S.can_truncate.call(m), 'not once closed');
    const ro = Mmap.Object.new(fd, 0, Mmap.Access.READ, 0);
    ok(!S.can_truncate.call(ro), 'nor on a read-only map');
    ro.close();
    GLib.close(fd);
});

test('seek(), tell(), seekable()', () => {
    const m = anonWith('0123456789');
    // GLib's values differ from Python's whence numbers.
    deepEqual([GLib.SeekType.CUR, GLib.SeekType.SET, GLib.SeekType.END],
        [0, 1, 2], 'GLib.SeekType values');
    is(m.seek(4, GLib.SeekType.SET), 4, 'SET returns the new position');
    is(m.tell(), 4, 'tell()');
    is(m.seek(2, GLib.SeekType.CUR), 6, 'CUR forward');
    is(m.seek(-3, GLib.SeekType.CUR), 3, 'CUR backward');
    is(m.seek(-1, GLib.SeekType.END), 9, 'END -1');
    is(m.seek(0, GLib.SeekType.END), 10, 'END: the length is a valid position');
    is(m.read(-1).get_size(), 0, 'reading there gives nothing');
    throwsCode(() => m.seek(11, GLib.SeekType.SET), Mmap.Error,
        Mmap.Error.OUT_OF_RANGE, 'past the end: OUT_OF_RANGE');
    throwsCode(() => m.seek(-1, GLib.SeekType.SET), Mmap.Error,
        Mmap.Error.OUT_OF_RANGE, 'before the start: OUT_OF_RANGE');
    throwsCode(() => m.seek(1, GLib.SeekType.END), Mmap.Error,
        Mmap.Error.OUT_OF_RANGE, 'END +1: OUT_OF_RANGE');
    throwsCode(() => m.seek(MAXSSIZE, GLib.SeekType.END), Mmap.Error,
        Mmap.Error.OUT_OF_RANGE, 'huge offset: OUT_OF_RANGE, no overflow');
    is(m.tell(), 10, 'failed seeks leave the position alone');
    is(m.seekable(), true, 'seekable() is true');
});

test('find() and rfind() from the position', () => {
    const m = anonWith('abcabcabc');
    is(m.find(b('bc')), 1, 'find() lowest index');
    is(m.rfind(b('bc')), 7, 'rfind() highest index');
    is(m.find(b('zz')), -1, 'find() not found: -1');
    is(m.rfind(b('zz')), -1, 'rfind() not found: -1');
    m.seek(2, GLib.SeekType.SET);
    is(m.find(b('abc')), 3, 'find() starts at the position');
    is(m.tell(), 2, 'find() leaves the position alone');
    m.seek(7, GLib.SeekType.SET);
    is(m.find(b('abc')), -1, 'find() ignores what lies before the position');
    is(m.rfind(b('a')), -1, 'rfind() only looks at or after the position');
    is(m.rfind(b('c')), 8, 'rfind() from the position');
    is(m.find(new Uint8Array(0)), 7, 'empty needle: found at the position');
    is(m.rfind(new Uint8Array(0)), 9, 'rfind() empty needle: at the length');
    m.seek(0, GLib.SeekType.SET);
    is(m.find(b('abcabcabc')), 0, 'needle as long as the map');
    is(m.find(b('abcabcabca')), -1, 'needle longer than the map');
});

test('find_range() and rfind_range()', () => {
    const m = anonWith('abcabcabc');
    const n = b('abc');
    is(m.find_range(n, 1, MAXSSIZE), 3, 'find_range(start, MAXSSIZE)');
    is(m.find_range(n, 0, 5), 0, 'find_range within [0,5)');
    is(m.find_range(n, 1, 5), -1, 'the needle must lie entirely inside');
    is(m.find_range(n, 1, 6), 3, 'end is exclusive');
    is(m.rfind_range(n, 0, MAXSSIZE), 6, 'rfind_range whole map');
    is(m.rfind_range(n, 0, 8), 3, 'rfind_range before 8');
    is(m.rfind_range(n, 4, 8), -1, 'rfind_range nothing inside');
    is(m.find_range(n, -3, MAXSSIZE), 6, 'negative start counts from the end');
    is(m.find_range(n, -100, MAXSSIZE), 0, 'very negative start clamps to 0');
    is(m.find_range(n, 0, -1), 0, 'negative end counts from the end');
    is(m.rfind_range(n, 0, -1), 3, 'rfind_range negative end');
    is(m.rfind_range(n, -6, -1), 3, 'rfind_range both negative');
    is(m.find_range(n, 0, MINSSIZE), -1, 'MINSSIZE end: nothing');
    is(m.find_range(n, 100, MAXSSIZE), -1, 'start beyond the end: -1');
    is(m.find_range(n, 0, Number.MAX_SAFE_INTEGER), 0,
        'a plain Number end beyond the map is clamped');
    is(m.find_range(new Uint8Array(0), 4, 2), -1,
        'empty needle with end before start: -1');
    is(m.find_range(new Uint8Array(0), -2, MAXSSIZE), 7,
        'empty needle: at the clamped start');
    is(m.rfind_range(new Uint8Array(0), 2, -2), 7,
        'rfind_range empty needle: at the clamped end');
    is(m.find_range(new Uint8Array(0), 100, MAXSSIZE), 9,
        'empty needle: start clamped to the length');
    m.seek(5, GLib.SeekType.SET);
    is(m.find_range(n, 0, MAXSSIZE), 0, 'find_range ignores the position');
    const hay = anonWith('xx\0\xffneedle\0end');
    is(hay.find_range(new Uint8Array([0, 0xc3]), 0, MAXSSIZE), 2,
        'binary needle (with NUL)');
    const e = Mmap.Object.new_anonymous(0);
    is(e.find(b('a')), -1, 'empty map: not found');
    is(e.find(new Uint8Array(0)), 0, 'empty map, empty needle: 0');
});

test('get_byte() and set_byte()', () => {
    const m = anonWith('abcdef');
    is(m.get_byte(0), 97, 'get_byte(0)');
    is(m.get_byte(-1), 102, 'get_byte(-1) is the last byte');
    is(m.get_byte(-6), 97, 'get_byte(-length) is the first byte');
    is(m.set_byte(1, 0x42), true, 'set_byte() returns true');
    is(m.set_byte(-1, 0x46), true, 'set_byte() with a negative index');
    is(str(m.read(-1)), 'aBcdeF', 'both bytes stored');
    m.seek(2, GLib.SeekType.SET);
    m.get_byte(0);
    m.set_byte(0, 0x41);
    is(m.tell(), 2, 'neither moves the position');
    m.set_byte(0, 255);
    is(m.get_byte(0), 255, 'byte 255 round-trips');
});

test('get_slice() with steps', () => {
    const text = 'abcdefghijklmnopqrstuvwxyz';
    const m = anonWith(text);
    is(str(m.get_slice(2, 5, 1)), 'cde', '[2:5]');
    is(str(m.get_slice(0, MAXSSIZE, 2)), 'acegikmoqsuwy', '[::2]');
    is(str(m.get_slice(MAXSSIZE, MINSSIZE, -1)), [...text].reverse().join(''),
        '[::-1]');
    is(str(m.get_slice(-3, MAXSSIZE, 1)), 'xyz', '[-3:]');
    is(str(m.get_slice(5, 2, 1)), '', '[5:2] is empty');
    is(str(m.get_slice(5, 2, -1)), 'fed', '[5:2:-1]');
    is(str(m.get_slice(-1, -27, -5)), 'zupkfa', '[-1:-27:-5]');
    is(str(m.get_slice(-1000, 1000, 7)), 'ahov', 'out-of-range bounds clamp');
    is(str(m.get_slice(MINSSIZE, MAXSSIZE, MAXSSIZE)), 'a', 'huge step');
    is(str(m.get_slice(MAXSSIZE, MINSSIZE, MINSSIZE)), 'z',
        'MINSSIZE step (clamped like PySlice_Unpack)');
    is(m.tell(), 0, 'the position is unchanged');

    // Compare against a JS model of Python slicing over many bounds.
    const data = b(text);
    const bounds = [null, 0, 1, 3, 25, 26, 30, -1, -3, -26, -30];
    let mismatches = 0;
    let cases = 0;
    for (const step of [1, 2, 3, 25, -1, -2, -4, -26]) {
        for (const start of bounds) {
            for (const stop of bounds) {
                const expected = new Uint8Array(
                    pySliceIndices(data.length, start, stop, step).map(i => data[i]));
                const got = m.get_slice(rawBound(start, true, step),
                    rawBound(stop, false, step), step).toArray();
                cases++;
                if (got.length !== expected.length ||
                    got.some((v, i) => v !== expected[i])) {
                    mismatches++;
                    print(`# [${start}:${stop}:${step}] got ${str(got)} expected ${str(expected)}`);
                }
            }
        }
    }
    is(mismatches, 0, `get_slice() matches Python slicing in ${cases} cases`);
});

test('set_slice() with steps', () => {
    const m = anonWith('0123456789');
    is(m.set_slice(0, 3, 1, b('abc')), true, '[0:3] = abc');
    is(str(m.get_slice(0, MAXSSIZE, 1)), 'abc3456789', 'stored');
    m.set_slice(0, MAXSSIZE, 2, b('ACEGI'));
    is(str(m.get_slice(0, MAXSSIZE, 1)), 'AbC3E5G7I9', '[::2] = ACEGI');
    m.set_slice(MAXSSIZE, MINSSIZE, -3, b('wxyz'));
    is(str(m.get_slice(0, MAXSSIZE, 1)), 'zbCyE5x7Iw', '[::-3] = wxyz');
    m.set_slice(-2, MAXSSIZE, 1, b('!?'));
    is(str(m.get_slice(0, MAXSSIZE, 1)), 'zbCyE5x7!?', '[-2:] = !?');
    is(m.set_slice(4, 4, 1, new Uint8Array(0)), true, 'empty slice, empty data');
    is(m.set_slice(5, 2, 1, new Uint8Array(0)), true, 'inverted slice, empty data');
    is(str(m.get_slice(0, MAXSSIZE, 1)), 'zbCyE5x7!?', 'unchanged by empty slices');
    is(m.tell(), 0, 'the position is unchanged');
});

test('move()', () => {
    const m = anonWith('hello world');
    is(m.move(0, 6, 5), true, 'move() returns true');
    is(str(m.get_slice(0, MAXSSIZE, 1)), 'world world', 'copied');
    m.move(1, 0, 5);
    is(str(m.get_slice(0, MAXSSIZE, 1)), 'wworldworld', 'overlapping forward');
    m.move(0, 1, 10);
    is(str(m.get_slice(0, MAXSSIZE, 1)), 'worldworldd', 'overlapping backward');
    is(m.move(11, 0, 0), true, 'zero bytes at the end is fine');
    throwsCode(() => m.move(0, 6, 6), Mmap.Error, Mmap.Error.OUT_OF_RANGE,
        'source past the end: OUT_OF_RANGE');
    throwsCode(() => m.move(7, 0, 5), Mmap.Error, Mmap.Error.OUT_OF_RANGE,
        'destination past the end: OUT_OF_RANGE');
    throwsCode(() => m.move(0, 0, -1), Mmap.Error, Mmap.Error.OUT_OF_RANGE,
        'negative count: OUT_OF_RANGE');
    throwsCode(() => m.move(-1, 0, 1), Mmap.Error, Mmap.Error.OUT_OF_RANGE,
        'negative destination: OUT_OF_RANGE');
    is(str(m.get_slice(0, MAXSSIZE, 1)), 'worldworldd', 'failures change nothing');
    is(m.tell(), 0, 'the position is unchanged');
});

test('flush() and flush_range()', () => {
    const path = tempPath('x'.repeat(10000));
    const m = Mmap.Object.new_for_path(path, Mmap.Access.WRITE);
    m.seek(5000, GLib.SeekType.SET);
    m.write(b('flushed'));
    is(m.flush(), true, 'flush() returns true');
    is(str(fileBytes(path).slice(5000, 5007)), 'flushed', 'data in the file');
    is(m.flush_range(5001, 10), true, 'flush_range() with an unaligned offset');
    is(m.flush_range(0, -1), true, 'flush_range(0, -1): the whole map');
    is(m.flush_range(10000, 0), true, 'flush_range at the end, size 0');
    is(m.flush_range(9000, -1), true, 'flush_range(offset, -1): the rest');
    throwsCode(() => m.flush_range(9000, 1001), Mmap.Error,
        Mmap.Error.OUT_OF_RANGE, 'past the end: OUT_OF_RANGE');
    throwsCode(() => m.flush_range(-1, 1), Mmap.Error,
        Mmap.Error.OUT_OF_RANGE, 'negative offset: OUT_OF_RANGE');
    throwsCode(() => m.flush_range(10001, -1), Mmap.Error,
        Mmap.Error.OUT_OF_RANGE, 'offset past the end: OUT_OF_RANGE');
    const ro = Mmap.Object.new_for_path(path, Mmap.Access.READ);
    is(ro.flush(), true, 'flush() on a read-only map does nothing');
    const cp = Mmap.Object.new_for_path(path, Mmap.Access.COPY);
    cp.write(b('private'));
    is(cp.flush(), true, 'flush() on a copy-on-write map does nothing');
    is(str(fileBytes(path).slice(0, 7)), 'xxxxxxx', 'and writes nothing');
    const anon = Mmap.Object.new_anonymous(100);
    is(anon.flush(), true, 'flush() on an anonymous map');
    is(Mmap.Object.new_anonymous(0).flush(), true, 'flush() on an empty map');
});

test('madvise() and madvise_range()', () => {
    const page = Mmap.get_page_size();
    const m = Mmap.Object.new_anonymous(4 * page);
    m.seek(0, GLib.SeekType.SET);
    m.write(b('keep me'));
    for (const advice of ['NORMAL', 'RANDOM', 'SEQUENTIAL', 'WILLNEED',
        'DONTFORK', 'DOFORK', 'DONTDUMP', 'DODUMP']) {
        is(m.madvise(Mmap.Advice[advice]), true, `madvise(${advice})`);
    }
    is(m.madvise_range(Mmap.Advice.WILLNEED, 10, 100), true,
        'hint on an unaligned range (widened)');
    is(m.madvise_range(Mmap.Advice.NORMAL, page + 1, -1), true,
        'length -1: the rest of the map');
    is(m.madvise_range(Mmap.Advice.NORMAL, 1, 100 * page), true,
        'length past the end is clamped');
    // DONTNEED on a range that covers no whole page is narrowed to nothing.
    is(m.madvise_range(Mmap.Advice.DONTNEED, 1, 100), true,
        'destructive advice inside one page: no-op');
    is(str(m.get_slice(0, 7, 1)), 'keep me', 'so the data survives');
    const priv = Mmap.Object.new_full(-1, 2 * page, Mmap.MapFlags.PRIVATE,
        Mmap.Prot.READ | Mmap.Prot.WRITE, Mmap.Access.DEFAULT, 0, true);
    priv.write(b('gone'));
    priv.seek(page, GLib.SeekType.SET);
    priv.write(b('also gone'));
    is(priv.madvise_range(Mmap.Advice.DONTNEED, 1, page), true,
        'DONTNEED on [1, page+1) of a private anonymous map');
    is(str(priv.get_slice(0, 4, 1)), 'gone', 'the partial first page is kept');
    is(priv.madvise(Mmap.Advice.DONTNEED), true, 'DONTNEED on the whole map');
    deepEqual(priv.get_slice(0, 4, 1).toArray(), new Uint8Array(4),
        'private anonymous pages read back as zeroes');
    deepEqual(priv.get_slice(page, page + 4, 1).toArray(), new Uint8Array(4),
        'on every page');
    throwsCode(() => m.madvise_range(Mmap.Advice.NORMAL, 4 * page, 1),
        Mmap.Error, Mmap.Error.OUT_OF_RANGE, 'start at the length: OUT_OF_RANGE');
    throwsCode(() => m.madvise_range(Mmap.Advice.NORMAL, -1, 1),
        Mmap.Error, Mmap.Error.OUT_OF_RANGE, 'negative start: OUT_OF_RANGE');
    throwsCode(() => m.madvise_range(Mmap.Advice.NORMAL, 0, -2),
        Mmap.Error, Mmap.Error.OUT_OF_RANGE, 'length -2: OUT_OF_RANGE');
    const ro = Mmap.Object.new_for_path(tempPath('read only'), Mmap.Access.READ);
    is(ro.madvise(Mmap.Advice.SEQUENTIAL), true, 'madvise on a read-only map');
});

test('resize()', () => {
    const {fd, path} = tempFile('0123456789');
    const m = Mmap.Object.new(fd, 0, Mmap.Access.WRITE, 0);
    GLib.close(fd);
    m.seek(8, GLib.SeekType.SET);
    is(m.resize(20), true, 'grow returns true');
    is(m.length, 20, 'length grown');
    is(m.size(), 20, 'the file grew with it');
    is(fileBytes(path).length, 20, 'file size on disk');
    deepEqual(m.get_slice(10, 20, 1).toArray(), new Uint8Array(10),
        'the new bytes are zero');
    is(str(m.get_slice(0, 10, 1)), '0123456789', 'old bytes kept');
    is(m.tell(), 8, 'position unchanged');
    m.resize(4);
    is(m.length, 4, 'shrunk');
    is(str(fileBytes(path)), '0123', 'the file shrank with it');
    is(m.tell(), 8, 'the position may now lie past the end');
    is(m.read(-1).get_size(), 0, 'reading there gives nothing');
    throwsCode(() => m.read_byte(), Mmap.Error, Mmap.Error.OUT_OF_RANGE,
        'read_byte() there: OUT_OF_RANGE');
    is(m.find(new Uint8Array(0)), 4, 'find(empty) past the end: the length');
    is(m.resize(0), true, 'resize(0)');
    is(m.length, 0, 'empty map');
    is(m.size(), 0, 'empty file');
    is(m.get_slice(0, MAXSSIZE, 1).get_size(), 0, 'empty slice');
    is(m.read(-1).get_size(), 0, 'empty read');

    const byPath = Mmap.Object.new_for_path(tempPath('abc'), Mmap.Access.WRITE);
    byPath.resize(0);
    is(byPath.length, 0, 'new_for_path map shrunk to nothing');
    is(byPath.resize(3), true, 'and grown again');
    byPath.write(b('new'));
    is(str(fileBytes(byPath.path)), 'new', 'the file has the new bytes');

    const off = tempFile('headerBODY');
    const mo = Mmap.Object.new(off.fd, 0, Mmap.Access.WRITE, 6);
    GLib.close(off.fd);
    mo.resize(2);
    is(str(fileBytes(off.path)), 'headerBO', 'file size is offset + new size');
    is(mo.size(), 8, 'size() includes the bytes before the offset');

    const anon = Mmap.Object.new_anonymous(3);
    anon.write(b('abc'));
    anon.resize(5000);
    is(anon.length, 5000, 'anonymous maps grow');
    is(str(anon.get_slice(0, 3, 1)), 'abc', 'keeping their data');
    anon.resize(1);
    is(str(anon.get_slice(0, MAXSSIZE, 1)), 'a', 'and shrink');
});

test('resize() from an empty map made from an fd', () => {
    const {fd, path} = tempFile('');
    const m = Mmap.Object.new(fd, 0, Mmap.Access.WRITE, 0);
    GLib.close(fd);
    is(m.length, 0, 'an empty file maps to an empty map');
    ok(m.resize(3), 'an empty map from new(fd) can grow, after the fd is closed');
    is(m.length, 3, 'to the new length');
    is(fileBytes(path).length, 3, 'and its file with it');
});

test('size()', () => {
    const {fd, path} = tempFile('12345');
    const m = Mmap.Object.new(fd, 3, Mmap.Access.READ, 0);
    is(m.size(), 5, 'the file size, not the map length');
    const other = Mmap.Object.new(fd, 0, Mmap.Access.WRITE, 0);
    other.resize(50);
    is(m.size(), 50, 'follows changes made by others');
    GLib.close(fd);
    is(fileBytes(path).length, 50, 'file grown');
});

cleanup();
done();
