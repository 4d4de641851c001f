#!/usr/bin/env python3
# mmgunzip.py: decompress a gzip file straight from a memory map.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Decompress FILE.gz to OUT (default: standard output), like gunzip -c.

The compressed file is mapped read-only, not read into a buffer: a
Gio.ConverterInputStream with a Gio.ZlibDecompressor pulls its input from
map.open_input_stream(), a GIO stream over the map, and the output goes
out in 1 MiB chunks through a Gio.OutputStream.

A file made of several gzip members (``cat a.gz b.gz``) gives all of them:
GZlibDecompressor stops at the end of a member, and the next member starts
after that member's 8-byte trailer (CRC-32 and size of its output, both
computed here from the output), which m.find() locates in the map (see
member_end()).

Exit status, as gzip's: 0 on success, 1 on an error (no such file, not gzip
data, corrupt or truncated data, a write error; OUT is then left as it
was), 2 on a warning (data after the last member, ignored).
"""

import argparse
import os
import struct
import sys
import zlib

import gi

gi.require_version('Mmap', '1')
from gi.repository import Gio, GLib, Mmap  # noqa: E402

CHUNK = 1 << 20
GZIP_MAGIC = b'\x1f\x8b'
GZIP_HEADER_MIN = 10


class TrailingData(Exception):
    """Bytes after the last member that start no other member."""


def gunzip_member(m, start, out):
    """Decompresses the gzip member at offset ``start`` of map ``m`` into
    the Gio.OutputStream ``out``.  Returns (offset after the member, bytes
    written)."""
    stream = m.open_input_stream(start, -1)
    decompressor = Gio.ZlibDecompressor.new(Gio.ZlibCompressorFormat.GZIP)
    converter = Gio.ConverterInputStream.new(stream, decompressor)
    crc = 0
    size = 0
    try:
        while True:
            chunk = converter.read_bytes(CHUNK, None).get_data()
            if not chunk:
                break
            crc = zlib.crc32(chunk, crc)
            size += len(chunk)
            out.write_all(chunk, None)
    finally:
        # Closes the map stream too, which releases its view of the map.
        converter.close(None)
    trailer = struct.pack('<II', crc, size & 0xffffffff)
    return member_end(m, start, trailer), size


def member_end(m, start, trailer):
    """The offset after the trailer of the member at ``start``.

    The decompressor has checked the trailer, so it is where these 8 bytes
    first occur after the header, or up to 7 bytes later when the end of
    the deflate data overlaps a copy of them (an empty member ends in zero
    bytes, and so does its trailer).  Of those candidates the one followed
    by the end of the file or by another member wins."""
    n = len(trailer)
    at = m.find(trailer, start + GZIP_HEADER_MIN)
    if at < 0:
        raise RuntimeError('cannot find the end of the member at %d' % start)
    window = m[at:at + 2 * n - 1]
    candidates = [at + i for i in range(n) if window[i:i + n] == trailer]
    for candidate in candidates:
        end = candidate + n
        if end == len(m) or m[end:end + 2] == GZIP_MAGIC:
            return end
    return candidates[-1] + n


def gunzip_map(m, out):
    """Decompresses every member of the gzip data in map ``m`` into
    ``out``.  Returns (members, bytes written); raises TrailingData (with
    the counts as its args) when bytes that are no member follow."""
    if m[:2] != GZIP_MAGIC:
        raise ValueError('not in gzip format')
    start = 0
    members = 0
    total = 0
    while True:
        start, size = gunzip_member(m, start, out)
        members += 1
        total += size
        if start == len(m):
            return members, total
        if m[start:start + 2] != GZIP_MAGIC:
            raise TrailingData(members, total, len(m) - start)


def open_output(path):
    """(stream, commit, abort) for OUT: a GFile replaced atomically when
    commit() closes it, untouched when abort() cancels the close; or
    standard output."""
    if path is None or path == '-':
        stream = Gio.UnixOutputStream.new(sys.stdout.fileno(), False)
        return stream, lambda: stream.close(None), lambda: None
    gfile = Gio.File.new_for_path(path)
    existed = gfile.query_exists(None)
    stream = gfile.replace(None, False, Gio.FileCreateFlags.NONE, None)

    def abort():
        # A cancelled close leaves an existing file as it was; a new file
        # is written in place, so it is removed.
        cancellable = Gio.Cancellable()
        cancellable.cancel()
        try:
            stream.close(cancellable)
        except GLib.Error:
            pass
        if not existed:
            try:
                gfile.delete(None)
            except GLib.Error:
                pass
    return stream, lambda: stream.close(None), abort


def main(argv=None):
    parser = argparse.ArgumentParser(
        description='Decompress a gzip file through a memory map and '
                    'Gio.ZlibDecompressor.')
    parser.add_argument('file', metavar='FILE.gz')
    parser.add_argument('out', metavar='OUT', nargs='?',
                        help='where to write (default or "-": standard '
                             'output)')
    parser.add_argument('-v', '--verbose', action='store_true',
                        help='print the sizes on standard error')
    args = parser.parse_args(argv)

    try:
        fd = os.open(args.file, os.O_RDONLY)
    except OSError as e:
        print('mmgunzip: %s: %s' % (args.file, e.strerror), file=sys.stderr)
        return 1
    status = 0
    try:
        with Mmap.mmap(fd, 0, access=Mmap.ACCESS_READ) as m:
            if len(m):
                m.madvise(Mmap.MADV_SEQUENTIAL)
            if m[:2] != GZIP_MAGIC:
                print('mmgunzip: %s: not in gzip format' % args.file,
                      file=sys.stderr)
                return 1
            try:
                out, commit, abort = open_output(args.out)
            except GLib.Error as e:
                print('mmgunzip: %s: %s' % (args.out, e.message),
                      file=sys.stderr)
                return 1
            try:
                try:
                    members, total = gunzip_map(m, out)
                except TrailingData as e:
                    members, total, extra = e.args
                    print('mmgunzip: %s: %d bytes of trailing garbage '
                          'ignored' % (args.file, extra), file=sys.stderr)
                    status = 2
                commit()
            except (GLib.Error, RuntimeError) as e:
                abort()
                if isinstance(e, GLib.Error) and e.matches(
                        Gio.io_error_quark(), Gio.IOErrorEnum.BROKEN_PIPE):
                    return 1              # the reader went away (| head)
                message = e.message if isinstance(e, GLib.Error) else str(e)
                print('mmgunzip: %s: %s' % (args.file, message),
                      file=sys.stderr)
                return 1
            if args.verbose:
                ratio = 100.0 * (1 - len(m) / total) if total else 0.0
                print('%s: %d member%s, %d -> %d bytes (%.1f%% saved)'
                      % (args.file, members, '' if members == 1 else 's',
                         len(m), total, ratio), file=sys.stderr)
    except OSError as e:
        print('mmgunzip: %s: %s' % (args.file, e), file=sys.stderr)
        return 1
    finally:
        os.close(fd)
    return status


if __name__ == '__main__':
    sys.exit(main())
