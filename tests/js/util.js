// util.js: shared helpers for the gjs tests
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// gjs has no GLib.open(): a file descriptor comes from GLib.file_open_tmp(),
// which returns [fd, path] with the file open read-write, or from any local
// Gio stream (they implement Gio.FileDescriptorBased, so they have get_fd()).

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';

// 64-bit bounds. GLib.MAXINT64 is a rounded Number in gjs (2**63), which
// does not fit a gssize; a BigInt passes the exact value.
export const MAXSSIZE = 2n ** 63n - 1n;
export const MINSSIZE = -(2n ** 63n);

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The UTF-8 bytes of a string. */
export function b(text) {
    return encoder.encode(text);
}

/** A GLib.Bytes (or Uint8Array) as a string. */
export function str(bytes) {
    return decoder.decode(bytes instanceof GLib.Bytes ? bytes.toArray() : bytes);
}

const tempPaths = [];

/**
 * Creates a temporary file holding @contents (string or Uint8Array).
 * Returns {fd, path}: the fd is open read-write and belongs to the caller.
 */
export function tempFile(contents = '') {
    const [fd, path] = GLib.file_open_tmp('mmapobj-gjs-XXXXXX');
    const data = typeof contents === 'string' ? b(contents) : contents;
    if (data.length > 0) {
        const stream = Gio.UnixOutputStream.new(fd, false);
        stream.write_all(data, null);
    }
    tempPaths.push(path);
    return {fd, path};
}

/** A temporary file holding @contents, with only its path kept. */
export function tempPath(contents = '') {
    const {fd, path} = tempFile(contents);
    GLib.close(fd);
    return path;
}

/**
 * Whether @path is on a tmpfs ($TMPDIR often is): shared memory, which
 * F_GET_SEALS answers (SEAL only) and whose pages leave RAM only for swap,
 * unlike a file on a disk.
 */
export function onTmpfs(path) {
    const info = Gio.File.new_for_path(path).query_filesystem_info(
        Gio.FILE_ATTRIBUTE_FILESYSTEM_TYPE, null);
    return info.get_attribute_string(Gio.FILE_ATTRIBUTE_FILESYSTEM_TYPE) === 'tmpfs';
}

/** The contents of a file as a Uint8Array. */
export function fileBytes(path) {
    const [, contents] = GLib.file_get_contents(path);
    return contents;
}

/** Removes every temporary file made so far. */
export function cleanup() {
    for (const path of tempPaths.splice(0))
        GLib.unlink(path);
}

/**
 * Python's slice indexing on a plain array, with bounds given as
 * mmap_object_get_slice() takes them (null for an omitted bound). Used as the
 * oracle for get_slice()/set_slice().
 */
export function pySliceIndices(length, start, stop, step) {
    const adjust = (value, def) => {
        if (value === null)
            return def;
        let v = Number(value);
        if (v < 0) {
            v += length;
            if (v < 0)
                v = step < 0 ? -1 : 0;
        } else if (v >= length) {
            v = step < 0 ? length - 1 : length;
        }
        return v;
    };
    const first = adjust(start, step < 0 ? length - 1 : 0);
    const last = adjust(stop, step < 0 ? -1 : length);
    const out = [];
    if (step > 0) {
        for (let i = first; i < last; i += step)
            out.push(i);
    } else {
        for (let i = first; i > last; i += step)
            out.push(i);
    }
    return out;
}

/** What get_slice() takes for an omitted bound (as PySlice_Unpack). */
export function rawBound(value, isStart, step) {
    if (value !== null)
        return value;
    if (isStart)
        return step < 0 ? MAXSSIZE : 0;
    return step < 0 ? MINSSIZE : MAXSSIZE;
}

/** The GLib.Error an awaited call rejects with, or null. */
export async function rejection(promise) {
    try {
        await promise;
        return null;
    } catch (e) {
        return e;
    }
}
