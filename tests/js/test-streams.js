// test-streams.js: GIO streams over a map, and GIO consumers that read a
// map through them
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// gjs cannot call the GIO calls that fill a caller's buffer
// (Gio.InputStream.read(), read_all(), Gio.PollableInputStream
// .read_nonblocking(): "not introspectable ... (out caller-allocates)"), and
// read_all_async() would hand GIO a buffer gjs frees when the call returns.
// The copying read path is reached through Gio.InputStream.read_bytes()
// (g_input_stream_read_bytes calls read() in C); Mmap.InputStream's own
// read_bytes() is the zero-copy one. Arrays from toArray() over a map alias
// it: these tests never write into them.

import GLib from 'gi://GLib';
import GdkPixbuf from 'gi://GdkPixbuf?version=2.0';
import Gio from 'gi://Gio';
import Mmap from 'gi://Mmap?version=1';
import System from 'system';

import {section, ok, is, deepEqual, throwsCode, diag, done} from './tap.js';
import {b, str, tempFile, fileBytes, cleanup, rejection} from './util.js';

Gio._promisify(Gio.InputStream.prototype, 'read_bytes_async', 'read_bytes_finish');
Gio._promisify(Gio.InputStream.prototype, 'skip_async', 'skip_finish');
Gio._promisify(Gio.InputStream.prototype, 'close_async', 'close_finish');
Gio._promisify(Gio.OutputStream.prototype, 'splice_async', 'splice_finish');
Gio._promisify(Gio.OutputStream.prototype, 'write_bytes_async', 'write_bytes_finish');

const CONTENT = 'hello world\nsecond line\n';   // 24 bytes
const {SET, CUR, END} = GLib.SeekType;
const IO = Gio.IOErrorEnum;
const CLOSE_BOTH = Gio.OutputStreamSpliceFlags.CLOSE_SOURCE |
    Gio.OutputStreamSpliceFlags.CLOSE_TARGET;

/** Gio's copying read (g_input_stream_read_bytes calls read()). */
function gioRead(stream, count) {
    return str(Gio.InputStream.prototype.read_bytes.call(stream, count, null));
}

/** A map of a temporary file holding @contents; returns {m, path, fd}. */
function mapFile(contents = CONTENT, access = Mmap.Access.DEFAULT) {
    const {fd, path} = tempFile(contents);
    const m = Mmap.Object.new(fd, 0, access, 0);
    return {m, path, fd};
}

function concat(chunks) {
    const total = chunks.reduce((n, c) => n + c.length, 0);
    const out = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) {
        out.set(c, at);
        at += c.length;
    }
    return out;
}

/** Runs a block of sync checks; an exception fails one check. */
function block(name, fn) {
    section(name);
    try {
        fn();
    } catch (e) {
        ok(false, `no unexpected exception (${e})`);
        if (e.stack)
            diag(e.stack);
    }
}

function inputStreams() {
    block('open_input_stream(): types and ranges', () => {
        const {m, fd} = mapFile();
        for (const [offset, length] of [[25, -1], [0, 25], [20, 5], [0, -2]]) {
            throwsCode(() => m.open_input_stream(offset, length), Mmap.Error,
                Mmap.Error.OUT_OF_RANGE, `(${offset}, ${length}): OUT_OF_RANGE`);
        }
        is(m.get_n_views(), 0, 'failed opens hold no view');
        const s = m.open_input_stream(0, -1);
        ok(s instanceof Mmap.InputStream, 'an Mmap.InputStream');
        ok(s instanceof Gio.InputStream, 'a Gio.InputStream');
        ok(s instanceof Gio.Seekable, 'a Gio.Seekable');
        ok(s instanceof Gio.PollableInputStream, 'a Gio.PollableInputStream');
        s.close(null);
        ok(s.is_closed(), 'closes');

        const w = m.open_input_stream(6, 5);
        is(gioRead(w, 100), 'world', 'a sub-range (6, 5)');
        is(gioRead(w, 100), '', 'ends with its range');
        w.close(null);
        const rest = m.open_input_stream(12, -1);
        is(gioRead(rest, 100), 'second line\n', 'length -1: to the end');
        rest.close(null);
        const empty = m.open_input_stream(24, -1);
        is(empty.read_bytes(5, null).get_size(), 0, 'an empty range at the end');
        empty.close(null);

        m.close();
        GLib.close(fd);
    });

    block('own position', () => {
        const {m, fd} = mapFile();
        m.seek(3, SET);
        const s = m.open_input_stream(0, -1);
        is(s.tell(), 0, 'starts at 0, not at the map\'s position');
        is(gioRead(s, 5), 'hello', 'reads from the start of its range');
        is(m.tell(), 3, 'reading leaves the map\'s position');
        m.seek(20, SET);
        is(s.tell(), 5, 'moving the map leaves the stream');
        is(str(s.read_bytes(6, null)), ' world', 'and it reads on from 5');
        is(str(m.read(4)), 'ine\n', 'the map reads from its own position');
        is(s.tell(), 11, 'which does not move the stream');
        s.close(null);
        m.close();
        GLib.close(fd);
    });

    block('read_bytes(): zero-copy', () => {
        const {m, fd} = mapFile();
        const s = m.open_input_stream(6, -1);
        const part = s.read_bytes(5, null);
        ok(part instanceof GLib.Bytes, 'a GLib.Bytes');
        is(s.tell(), 5, 'advances');
        m.set_byte(6, 'W'.charCodeAt(0));
        is(str(part.toArray()), 'World', 'shares the map\'s memory: a later write shows');
        const copy = Gio.InputStream.prototype.read_bytes.call(s, 1, null);
        m.set_byte(11, '!'.charCodeAt(0));
        is(str(copy), '\n', 'Gio.InputStream.read_bytes() copies');
        is(str(s.read_bytes(100, null)), 'second line\n', 'short at the end');
        const end = s.read_bytes(100, null);
        ok(end instanceof GLib.Bytes && end.get_size() === 0,
            'at the end: an empty GLib.Bytes');

        s.seek(0, SET, null);
        const first = s.read_bytes(5, null);
        m.close();
        is(str(s.read_bytes(7, null)), '!second', 'reads on after map.close()');
        is(gioRead(s, 100), ' line\n', 'copies too');
        s.close(null);
        is(str(first), 'World', 'a read_bytes() result outlives map and stream');
        GLib.close(fd);
    });

    block('a view until closed: resize() refused meanwhile', () => {
        const {m, fd, path} = mapFile(CONTENT, Mmap.Access.WRITE);
        is(m.get_n_views(), 0, 'no views');
        const s = m.open_input_stream(0, 5);
        is(m.get_n_views(), 1, 'the stream counts as a view');
        const t = m.open_input_stream(5, -1);
        is(m.get_n_views(), 2, 'each stream does');
        t.close(null);
        is(m.get_n_views(), 1, 'close() releases it');
        throwsCode(() => m.resize(40), Mmap.Error, Mmap.Error.EXPORTS_EXIST,
            'resize() refused: EXPORTS_EXIST');
        is(fileBytes(path).length, 24, 'the file keeps its size');
        is(gioRead(s, 100), 'hello', 'the stream still reads');
        s.close(null);
        is(m.get_n_views(), 0, 'no view once closed');
        ok(m.resize(40), 'resize() works after the stream is closed');
        is(fileBytes(path).length, 40, 'the file grew');
        m.close();
        GLib.close(fd);
    });

    block('skip() and Gio.Seekable', () => {
        const {m, fd} = mapFile();
        const s = m.open_input_stream(6, 10);           // 'world\nseco'
        is(s.skip(3, null), 3, 'skip(3)');
        is(gioRead(s, 2), 'ld', 'skipped');
        is(s.skip(100, null), 5, 'skip() stops at the end of the range');
        is(s.skip(1, null), 0, 'nothing left to skip');
        ok(s.can_seek(), 'can_seek()');
        ok(s.seek(4, SET, null), 'seek SET');
        is(s.tell(), 4, 'tell()');
        ok(s.seek(-2, CUR, null), 'seek CUR');
        is(s.tell(), 2, 'moved back');
        ok(s.seek(-1, END, null), 'seek END');
        is(gioRead(s, 5), 'o', 'the last byte of the range');
        ok(s.seek(0, END, null), 'the end is a valid position');
        is(s.tell(), 10, 'at the end');
        s.seek(2, SET, null);
        for (const [offset, type] of [[11, SET], [-1, SET], [1, END], [-11, END], [9, CUR]]) {
            throwsCode(() => s.seek(offset, type, null), IO, IO.INVALID_ARGUMENT,
                `seek(${offset}, ${type}): INVALID_ARGUMENT`);
        }
        is(s.tell(), 2, 'failed seeks keep the position');
        ok(!s.can_truncate(), 'can_truncate() is false');
        throwsCode(() => s.truncate(4, null), IO, IO.NOT_SUPPORTED,
            'truncate(): NOT_SUPPORTED');
        is(m.length, 24, 'the map keeps its length');
        is(m.tell(), 0, 'the map\'s position never moved');
        s.close(null);
        throwsCode(() => s.read_bytes(1, null), IO, IO.CLOSED,
            'read_bytes() on a closed stream: CLOSED');
        throwsCode(() => gioRead(s, 1), IO, IO.CLOSED,
            'Gio read on a closed stream: CLOSED');
        m.close();
        GLib.close(fd);
    });

    block('opening needs a readable map', () => {
        const {m, fd} = mapFile();
        m.close();
        throwsCode(() => m.open_input_stream(0, -1), Mmap.Error, Mmap.Error.CLOSED,
            'closed map: CLOSED');
        throwsCode(() => m.open_output_stream(0, -1), Mmap.Error, Mmap.Error.CLOSED,
            'closed map, output: CLOSED');
        const u = new Mmap.Object({fd: -1, length: 4});
        throwsCode(() => u.open_input_stream(0, -1), Mmap.Error,
            Mmap.Error.NOT_INITIALIZED, 'uninitialised map: NOT_INITIALIZED');
        const none = Mmap.Object.new_full(-1, 16,
            Mmap.MapFlags.SHARED | Mmap.MapFlags.ANONYMOUS, Mmap.Prot.NONE,
            Mmap.Access.DEFAULT, 0, true);
        let code = -1;
        try {
            none.view(0, -1);
        } catch (e) {
            code = e.code;
        }
        ok(code > 0, 'view() of a PROT_NONE map fails');
        throwsCode(() => none.open_input_stream(0, -1), Mmap.Error, code,
            'PROT_NONE: the same error as view()');
        GLib.close(fd);
    });
}

function pollable(loop) {
    section('Gio.PollableInputStream');
    const {m, fd} = mapFile();
    const s = m.open_input_stream(0, -1);
    ok(s.can_poll(), 'can_poll()');
    ok(s.is_readable(), 'is_readable()');
    const source = s.create_source(null);
    ok(source instanceof GLib.Source, 'create_source() gives a GLib.Source');
    let fired = 0;
    let read = '';
    source.set_callback(() => {
        fired++;
        read = gioRead(s, 5);
        loop.quit();
        return GLib.SOURCE_REMOVE;
    });
    source.attach(null);
    const timer = GLib.timeout_add(GLib.PRIORITY_DEFAULT, 5000, () => {
        loop.quit();
        return GLib.SOURCE_REMOVE;
    });
    loop.run();
    is(fired, 1, 'the source dispatches in a main loop');
    is(read, 'hello', 'and the stream reads there');
    if (fired)
        GLib.source_remove(timer);
    source.destroy();
    s.close(null);
    m.close();
    GLib.close(fd);
}

function outputStreams() {
    block('open_output_stream(): writes within its range', () => {
        const {m, fd, path} = mapFile();
        m.seek(2, SET);
        const o = m.open_output_stream(6, 5);
        ok(o instanceof Mmap.OutputStream, 'an Mmap.OutputStream');
        ok(o instanceof Gio.Seekable, 'a Gio.Seekable');
        ok(o instanceof Gio.PollableOutputStream, 'a Gio.PollableOutputStream');
        is(o.tell(), 0, 'starts at 0');
        is(o.write(b('WO'), null), 2, 'write()');
        is(o.write_bytes(new GLib.Bytes(b('RL')), null), 2, 'write_bytes()');
        deepEqual(o.write_all(b('D'), null), [true, 1], 'write_all()');
        is(o.tell(), 5, 'at the end of its range');
        is(m.tell(), 2, 'the map\'s position stays');
        is(str(m.get_slice(0, 24, 1)), 'hello WORLD\nsecond line\n',
            'the bytes are in the map');
        ok(o.flush(null), 'flush()');
        is(str(fileBytes(path)), 'hello WORLD\nsecond line\n', 'and in the file');
        throwsCode(() => o.write(b('x'), null), IO, IO.NO_SPACE, 'full: NO_SPACE');
        ok(o.close(null), 'close()');
        throwsCode(() => o.write(b('x'), null), IO, IO.CLOSED, 'closed: CLOSED');
        m.close();
        GLib.close(fd);
    });

    block('a short write, then NO_SPACE; never grows', () => {
        const {m, fd, path} = mapFile();
        const o = m.open_output_stream(20, -1);
        is(o.write(b('ab'), null), 2, 'fits');
        is(o.write(b('cdefgh'), null), 2, 'short: what fits');
        throwsCode(() => o.write(b('x'), null), IO, IO.NO_SPACE, 'no room: NO_SPACE');
        throwsCode(() => o.write_all(b('xy'), null), IO, IO.NO_SPACE,
            'write_all(): NO_SPACE');
        is(o.tell(), 4, 'position at the end');
        is(m.length, 24, 'the map did not grow');
        o.close(null);
        is(str(fileBytes(path)), 'hello world\nsecond labcd', 'the file has what fit');
        m.close();
        GLib.close(fd);
    });

    block('output Gio.Seekable, read-only and closed maps', () => {
        const {m, fd} = mapFile();
        const o = m.open_output_stream(12, 6);          // 'second'
        ok(o.can_seek(), 'can_seek()');
        ok(!o.can_truncate(), 'can_truncate() is false');
        ok(o.seek(3, SET, null), 'seek SET');
        o.write(b('O'), null);
        ok(o.seek(-4, CUR, null), 'seek CUR');
        o.write(b('S'), null);
        ok(o.seek(-1, END, null), 'seek END');
        is(o.write(b('DX'), null), 1, 'short at the end');
        throwsCode(() => o.seek(1, CUR, null), IO, IO.INVALID_ARGUMENT,
            'past the end: INVALID_ARGUMENT');
        is(o.tell(), 6, 'position kept');
        throwsCode(() => o.truncate(1, null), IO, IO.NOT_SUPPORTED,
            'truncate(): NOT_SUPPORTED');
        is(str(m.get_slice(0, 24, 1)), 'hello world\nSecOnD line\n', 'written where sought');
        for (const [offset, length] of [[25, -1], [0, 25], [23, 2]]) {
            throwsCode(() => m.open_output_stream(offset, length), Mmap.Error,
                Mmap.Error.OUT_OF_RANGE, `(${offset}, ${length}): OUT_OF_RANGE`);
        }
        const p = m.open_output_stream(0, -1);
        is(p.write(b('H'), null), 1, 'writes before map.close()');
        m.close();
        throwsCode(() => p.write(b('e'), null), Mmap.Error, Mmap.Error.CLOSED,
            'after map.close(): CLOSED');

        const ro = Mmap.Object.new(fd, 0, Mmap.Access.READ, 0);
        throwsCode(() => ro.open_output_stream(0, -1), Mmap.Error,
            Mmap.Error.READ_ONLY, 'a read-only map: READ_ONLY');
        const s = ro.open_input_stream(0, 1);
        is(gioRead(s, 5), 'H', 'an input stream is fine there');
        s.close(null);
        ro.close();
        GLib.close(fd);
    });
}

/** A gzip file made here: CONTENT lines through Gio.ZlibCompressor. */
function gzipOf(data) {
    const memory = Gio.MemoryOutputStream.new_resizable();
    const zip = Gio.ConverterOutputStream.new(memory,
        Gio.ZlibCompressor.new(Gio.ZlibCompressorFormat.GZIP, -1));
    zip.write_all(data, null);
    zip.close(null);
    return memory.steal_as_bytes().toArray();
}

function consumers() {
    block('Gio.DataInputStream.read_line_utf8()', () => {
        const lines = [];
        for (let i = 0; i < 300; i++)
            lines.push(`line ${i} ${'x'.repeat(i % 13)}`);
        lines[5] = '';
        const text = `${lines.join('\n')}\nlast, no newline`;
        const {m, fd, path} = mapFile(text);
        const d = Gio.DataInputStream.new(m.open_input_stream(0, -1));
        const got = [];
        for (;;) {
            const [line] = d.read_line_utf8(null);
            if (line === null)
                break;
            got.push(line);
        }
        const expected = str(fileBytes(path)).split('\n');
        deepEqual(got, expected, 'the lines are the file\'s');
        is(got.length, 301, 'every line, the last without newline too');
        d.close(null);
        is(m.get_n_views(), 0, 'closing the data stream closes the map stream');
        m.close();
        GLib.close(fd);
    });

    block('Gio.ConverterInputStream with Gio.ZlibDecompressor', () => {
        const lines = [];
        for (let i = 0; i < 3000; i++)
            lines.push(`${i} ${(i * 7919 % 10007).toString(36).repeat(5)}`);
        const original = b(lines.join('\n'));
        const packed = gzipOf(original);
        ok(packed[0] === 0x1f && packed[1] === 0x8b, 'the fixture is gzip');
        const head = b('HEADER'.repeat(50));
        const {m, fd} = mapFile(concat([head, packed, b('TRAILER')]),
            Mmap.Access.READ);
        const conv = Gio.ConverterInputStream.new(
            m.open_input_stream(head.length, packed.length),
            Gio.ZlibDecompressor.new(Gio.ZlibCompressorFormat.GZIP));
        const chunks = [];
        for (;;) {
            const chunk = conv.read_bytes(65536, null);
            if (chunk.get_size() === 0)
                break;
            chunks.push(chunk.get_data());
        }
        const out = concat(chunks);
        is(out.length, original.length, 'decompressed length');
        ok(out.every((v, i) => v === original[i]), 'decompressed bytes equal the original');
        conv.close(null);
        m.close();
        GLib.close(fd);
    });

    block('splice() both ways', () => {
        const data = new Uint8Array(70000).map((_, i) => (i * 31) & 0xff);
        const {m, fd, path} = mapFile(data);
        const memory = Gio.MemoryOutputStream.new_resizable();
        is(memory.splice(m.open_input_stream(100, 60000), CLOSE_BOTH, null), 60000,
            'map stream into a MemoryOutputStream');
        const copied = memory.steal_as_bytes().get_data();
        ok(copied.length === 60000 && copied.every((v, i) => v === data[i + 100]),
            'the bytes of the range');
        is(m.get_n_views(), 0, 'CLOSE_SOURCE closed the map stream');

        const o = m.open_output_stream(10, 20);
        const src = Gio.MemoryInputStream.new_from_bytes(new GLib.Bytes(b('0123456789'.repeat(2))));
        is(o.splice(src, CLOSE_BOTH, null), 20, 'a MemoryInputStream into a map stream');
        is(str(m.get_slice(10, 30, 1)), '01234567890123456789', 'in the map');
        is(str(fileBytes(path).slice(10, 30)), '01234567890123456789', 'in the file');

        const small = m.open_output_stream(69990, -1);
        const big = Gio.MemoryInputStream.new_from_bytes(new GLib.Bytes(b('z'.repeat(30))));
        throwsCode(() => small.splice(big, Gio.OutputStreamSpliceFlags.NONE, null),
            IO, IO.NO_SPACE, 'more than fits: NO_SPACE');
        is(str(m.get_slice(69990, 70000, 1)), 'z'.repeat(10), 'what fit was written');
        is(m.length, 70000, 'the map did not grow');
        small.close(null);
        m.close();
        GLib.close(fd);
    });

    block('GdkPixbuf.Pixbuf.new_from_stream() on a PNG in a map', () => {
        const pixbuf = GdkPixbuf.Pixbuf.new(GdkPixbuf.Colorspace.RGB, true, 8, 11, 6);
        pixbuf.fill(0x3366ccff);
        pixbuf.new_subpixbuf(1, 1, 4, 3).fill(0xff000080);
        const [saved, png] = pixbuf.save_to_bufferv('png', [], []);
        ok(saved, 'save_to_bufferv(png)');
        const {m, fd} = mapFile(concat([b('junk'), png]), Mmap.Access.READ);
        const s = m.open_input_stream(4, -1);
        const loaded = GdkPixbuf.Pixbuf.new_from_stream(s, null);
        is(loaded.get_width(), 11, 'width');
        is(loaded.get_height(), 6, 'height');
        ok(loaded.get_has_alpha(), 'alpha');
        const rows = p => {
            const px = p.read_pixel_bytes().get_data();
            const out = [];
            for (let y = 0; y < p.get_height(); y++) {
                out.push(Array.from(px.slice(y * p.get_rowstride(),
                    y * p.get_rowstride() + p.get_width() * p.get_n_channels())));
            }
            return out;
        };
        const got = rows(loaded);
        deepEqual(got, rows(pixbuf), 'the pixels are the saved ones');
        deepEqual(got[2].slice(8, 12), [0xff, 0, 0, 0x80], 'a pixel of the inner square');
        s.close(null);
        m.close();
        GLib.close(fd);
    });
}

async function asyncCalls() {
    section('async calls through Gio._promisify');
    const {m, fd} = mapFile();
    const s = m.open_input_stream(6, -1);
    const bytes = await s.read_bytes_async(5, GLib.PRIORITY_DEFAULT, null);
    is(str(bytes), 'world', 'read_bytes_async()');
    is(s.tell(), 5, 'advances the stream');
    is(m.tell(), 0, 'not the map');
    is(await s.skip_async(1, GLib.PRIORITY_DEFAULT, null), 1, 'skip_async()');
    is(gioRead(s, 6), 'second', 'skipped');
    const cancelled = new Gio.Cancellable();
    cancelled.cancel();
    const e = await rejection(s.read_bytes_async(5, GLib.PRIORITY_DEFAULT, cancelled));
    ok(e !== null && e.matches(IO, IO.CANCELLED), 'cancelled: CANCELLED');
    ok(await s.close_async(GLib.PRIORITY_DEFAULT, null), 'close_async()');
    is(m.get_n_views(), 0, 'releases the view');

    const memory = Gio.MemoryOutputStream.new_resizable();
    is(await memory.splice_async(m.open_input_stream(0, -1), CLOSE_BOTH,
        GLib.PRIORITY_DEFAULT, null), 24, 'splice_async() from a map stream');
    is(str(memory.steal_as_bytes()), CONTENT, 'all of it');

    const o = m.open_output_stream(0, 5);
    is(await o.write_bytes_async(new GLib.Bytes(b('HELLO!')), GLib.PRIORITY_DEFAULT, null),
        5, 'write_bytes_async() into a map stream, short');
    is(str(m.get_slice(0, 6, 1)), 'HELLO ', 'written');
    o.close(null);
    m.close();
    GLib.close(fd);
}

inputStreams();
const loop = new GLib.MainLoop(null, false);
pollable(loop);
outputStreams();
consumers();
asyncCalls().catch(e => {
    ok(false, `no unexpected exception (${e})`);
    if (e.stack)
        diag(e.stack);
}).finally(() => loop.quit());
loop.run();
System.gc();
cleanup();
done();
