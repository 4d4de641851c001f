// test-bulk.js: find_all, count and line_offsets from JavaScript
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// One call for every match or line: the offsets come back as a plain Array
// of Numbers. They are checked against models written here (a per-match
// loop over the bytes, and a split on newlines).

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Mmap from 'gi://Mmap?version=1';

import {test, ok, is, deepEqual, throwsCode, done} from './tap.js';
import {b, tempFile, cleanup, MAXSSIZE, MINSSIZE} from './util.js';

const E = Mmap.Error;
const page = Mmap.get_page_size();

/** An anonymous map holding @contents (a string or Uint8Array). */
function anon(contents) {
    const data = typeof contents === 'string' ? b(contents) : contents;
    const m = Mmap.Object.new_anonymous(data.length);
    if (data.length > 0)
        m.set_slice(0, data.length, 1, data);
    return m;
}

/** find()'s bound: negative counts from the end, then clamped. */
function clamp(bound, length) {
    const n = BigInt(length);
    let v = BigInt(bound);
    if (v < 0n)
        v += n;
    return Number(v < 0n ? 0n : v > n ? n : v);
}

function modelFindAll(data, needle, start, end, max) {
    const s = clamp(start, data.length);
    const e = clamp(end, data.length);
    const out = [];
    let i = s;
    while (i <= e && (max < 0 || out.length < max)) {
        if (needle.length === 0) {
            out.push(i++);
        } else if (e - i >= needle.length &&
                   needle.every((c, k) => data[i + k] === c)) {
            out.push(i);
            i += needle.length;
        } else {
            i++;
        }
    }
    return out;
}

function modelLines(data, start, end, max) {
    const s = clamp(start, data.length);
    const e = clamp(end, data.length);
    const out = [];
    for (let i = s; i < e && (max < 0 || out.length < max); i++) {
        if (i === s || data[i - 1] === 10)
            out.push(i);
    }
    return out;
}

test('find_all returns an Array of Numbers', () => {
    const m = anon('aaaa');
    const got = m.find_all(b('aa'), 0, MAXSSIZE, -1);
    ok(Array.isArray(got), 'an Array');
    ok(got.every(x => typeof x === 'number'), 'of Numbers');
    deepEqual(got, [0, 2], 'non-overlapping: "aa" in "aaaa" at 0 and 2');
    deepEqual(m.find_all(b('aa'), 1, MAXSSIZE, -1), [1], 'from 1');
    deepEqual(m.find_all(b('b'), 0, MAXSSIZE, -1), [], 'no match: []');
    is(m.count(b('aa'), 0, MAXSSIZE), 2, 'count()');
    is(typeof m.count(b('a'), 0, MAXSSIZE), 'number', 'count() is a Number');
    m.close();
});

test('bounds and max_count', () => {
    const m = anon('abcabca');
    deepEqual(m.find_all(b('a'), -4, -1, -1), [3], 'negative bounds');
    deepEqual(m.find_all(b('a'), MINSSIZE, MAXSSIZE, -1), [0, 3, 6],
        'the extreme bounds');
    deepEqual(m.find_all(b('a'), 100, MAXSSIZE, -1), [], 'start past the end');
    deepEqual(m.find_all(b('abc'), 0, 5, -1), [0], 'a match ends by end');
    deepEqual(m.find_all(b('a'), 5, 2, -1), [], 'end before start');
    deepEqual(m.find_all(b('a'), 0, MAXSSIZE, 0), [], 'max_count 0');
    deepEqual(m.find_all(b('a'), 0, MAXSSIZE, 1), [0], 'max_count 1');
    deepEqual(m.find_all(b('a'), 0, MAXSSIZE, 2), [0, 3], 'max_count 2');
    deepEqual(m.find_all(b('a'), 0, MAXSSIZE, 50), [0, 3, 6], 'max_count 50');
    is(m.count(b('a'), 1, -1), 1, 'count over [1, -1)');
    m.close();
});

test('the empty needle', () => {
    const m = anon('abc');
    deepEqual(m.find_all(new Uint8Array(0), 0, MAXSSIZE, -1), [0, 1, 2, 3],
        'every offset, the end included');
    deepEqual(m.find_all(null, 1, 2, -1), [1, 2], 'null is the empty needle');
    is(m.count(null, 0, MAXSSIZE), 4, 'count: length + 1');
    is(m.count(null, 2, 1), 0, 'count: 0 when end < start');
    m.close();
});

test('line_offsets', () => {
    deepEqual(anon('a\nb\n').line_offsets(0, MAXSSIZE, -1), [0, 2],
        'a final newline starts no line');
    deepEqual(anon('a\nb').line_offsets(0, MAXSSIZE, -1), [0, 2],
        'no final newline');
    deepEqual(anon('').line_offsets(0, MAXSSIZE, -1), [], 'empty map: []');
    const m = anon('one\ntwo\nthree\n');
    deepEqual(m.line_offsets(5, MAXSSIZE, -1), [5, 8], 'from inside a line');
    deepEqual(m.line_offsets(0, MAXSSIZE, 2), [0, 4], 'max_count');
    deepEqual(m.line_offsets(3, 3, -1), [], 'an empty range');
    m.seek(6, GLib.SeekType.SET);
    m.line_offsets(0, MAXSSIZE, -1);
    m.count(b('e'), 0, MAXSSIZE);
    is(m.tell(), 6, 'the position is unchanged');

    const text = Array.from({length: 300}, (_, i) => `line ${i}\n`).join('');
    const big = anon(text);
    const offsets = big.line_offsets(0, MAXSSIZE, -1);
    is(offsets.length, 300, 'one offset a line');
    const decoder = new TextDecoder();
    const lines = offsets.map((o, i) => decoder.decode(
        big.get_slice(o, offsets[i + 1] ?? big.get_length(), 1).toArray()));
    deepEqual(lines, text.split(/(?<=\n)/), 'the slices between them are the lines');
    m.close();
    big.close();
});

test('against the models', () => {
    const alphabet = b('ab\n');
    const bounds = [0, 1, 3, 7, 40, -1, -5, -100, MAXSSIZE, MINSSIZE];
    let seed = 12345;
    const rand = n => {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        return seed % n;
    };
    let mismatches = 0;
    let matches = 0;
    for (let round = 0; round < 300; round++) {
        const data = Uint8Array.from({length: rand(50)},
            () => alphabet[rand(3)]);
        const needle = Uint8Array.from({length: rand(4)},
            () => alphabet[rand(3)]);
        const m = anon(data);
        for (let k = 0; k < 4; k++) {
            const start = bounds[rand(bounds.length)];
            const end = bounds[rand(bounds.length)];
            const max = rand(6) - 1;
            const want = modelFindAll(data, needle, start, end, max);
            const all = modelFindAll(data, needle, start, end, -1);
            const lines = modelLines(data, start, end, max);
            matches += all.length;
            if (JSON.stringify(m.find_all(needle, start, end, max)) !==
                    JSON.stringify(want) ||
                m.count(needle, start, end) !== all.length ||
                JSON.stringify(m.line_offsets(start, end, max)) !==
                    JSON.stringify(lines)) {
                mismatches++;
                if (mismatches <= 3) {
                    print(`# mismatch: ${JSON.stringify(Array.from(data))} ` +
                        `${JSON.stringify(Array.from(needle))} ${start} ${end} ${max}`);
                }
            }
        }
        m.close();
    }
    is(mismatches, 0, 'find_all, count and line_offsets agree with the models');
    ok(matches > 300, 'the models found matches');
});

test('many matches in one call', () => {
    const m = anon('xy\n'.repeat(50000));
    const xs = m.find_all(b('x'), 0, MAXSSIZE, -1);
    is(xs.length, 50000, 'find_all length');
    ok(xs.every((x, i) => x === 3 * i), 'find_all offsets');
    is(m.count(b('\n'), 0, MAXSSIZE), 50000, 'count');
    is(m.line_offsets(0, MAXSSIZE, -1).length, 50000, 'line_offsets length');
    m.close();
});

test('errors', () => {
    const m = anon('a\nb\n');
    m.close();
    throwsCode(() => m.find_all(b('a'), 0, MAXSSIZE, -1), Mmap.Error,
        E.CLOSED, 'find_all on a closed map: CLOSED');
    throwsCode(() => m.count(b('a'), 0, MAXSSIZE), Mmap.Error, E.CLOSED,
        'count on a closed map: CLOSED');
    throwsCode(() => m.line_offsets(0, MAXSSIZE, -1), Mmap.Error, E.CLOSED,
        'line_offsets on a closed map: CLOSED');

    const none = Mmap.Object.new_full(-1, 10, Mmap.MapFlags.PRIVATE,
        Mmap.Prot.NONE, Mmap.Access.DEFAULT, 0, true);
    throwsCode(() => none.count(b('a'), 0, MAXSSIZE), Mmap.Error,
        E.NOT_ACCESSIBLE, 'count on PROT_NONE: NOT_ACCESSIBLE');
    throwsCode(() => none.line_offsets(0, MAXSSIZE, -1), Mmap.Error,
        E.NOT_ACCESSIBLE, 'line_offsets on PROT_NONE: NOT_ACCESSIBLE');
    none.close();
});

test('a file truncated under the map: EIO, not SIGBUS', () => {
    const {fd, path} = tempFile('abc\n'.repeat(page));
    const m = Mmap.Object.new(fd, 0, Mmap.Access.READ, 0);
    GLib.close(fd);
    const io = Gio.File.new_for_path(path).open_readwrite(null);
    io.truncate(page, null);
    io.close(null);
    const sigbus = /SIGBUS.*\[Errno 5\]/;
    throwsCode(() => m.find_all(b('zz'), 0, MAXSSIZE, -1), Gio.IOErrorEnum,
        Gio.IOErrorEnum.FAILED, 'find_all: EIO', sigbus);
    throwsCode(() => m.count(b('\n'), 0, MAXSSIZE), Gio.IOErrorEnum,
        Gio.IOErrorEnum.FAILED, 'count: EIO', sigbus);
    throwsCode(() => m.line_offsets(0, MAXSSIZE, -1), Gio.IOErrorEnum,
        Gio.IOErrorEnum.FAILED, 'line_offsets: EIO', sigbus);
    is(m.count(b('\n'), 0, page), page / 4, 'the first page still scans');
    deepEqual(m.line_offsets(0, MAXSSIZE, 3), [0, 4, 8],
        'a scan that stops in the first page works');
    m.close();
});

cleanup();
done();
