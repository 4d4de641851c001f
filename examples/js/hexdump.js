#!/usr/bin/env -S gjs -m
// hexdump.js: an xxd-style hex dump of a memory-mapped file
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The output is the same as `xxd [-s OFFSET] [-l LENGTH] [-c COLS] [-g BYTES]
// FILE`: an 8-digit hex offset, the bytes in hex in groups, and the bytes as
// ASCII with '.' for anything unprintable. The file is mapped read-only and
// read in chunks with seek() and read(), which copy only what is printed.

import Mmap from 'gi://Mmap?version=1';
import GLib from 'gi://GLib';
import System from 'system';

const PROGRAM = 'hexdump.js';

const USAGE = `Usage: gjs -m ${PROGRAM} [OPTION]... FILE
Print a hex dump of FILE in the format of xxd.

Options:
  -s [+|-]OFFSET  start at OFFSET bytes (from the end if negative)
  -l, -n LENGTH   stop after LENGTH bytes
  -c COLS         bytes per line (default 16)
  -g BYTES        bytes per group (default 2; 0 for a single group)
  -h, --help      show this help and exit

Numbers may be decimal, hexadecimal (0x1f) or octal (017), as in xxd.`;

function fail(message, status = 1) {
    printerr(`${PROGRAM}: ${message}`);
    System.exit(status);
}

/** Parses a number the way strtol(…, 0) does: 0x hex, leading-0 octal. */
function parseNumber(text, what) {
    const match = /^([+-]?)(0x[0-9a-f]+|0[0-7]*|[1-9][0-9]*)$/i.exec(text ?? '');
    if (match === null)
        fail(`invalid ${what}: '${text ?? ''}'`);
    const [, sign, digits] = match;
    let value;
    if (/^0x/i.test(digits))
        value = parseInt(digits.slice(2), 16);
    else if (digits.length > 1 && digits.startsWith('0'))
        value = parseInt(digits, 8);
    else
        value = parseInt(digits, 10);
    return {sign, value: sign === '-' ? -value : value};
}

function parseArgs(args) {
    const options = {seek: null, length: Infinity, cols: 16, group: 2, file: null};
    for (let i = 0; i < args.length; i++) {
        const arg = args[i];
        if (arg === '-h' || arg === '--help') {
            print(USAGE);
            System.exit(0);
        } else if (arg === '-s') {
            options.seek = parseNumber(args[++i], 'offset');
        } else if (arg === '-l' || arg === '-n') {
            const {sign, value} = parseNumber(args[++i], 'length');
            if (sign === '-')
                fail(`invalid length: '${args[i]}'`);
            options.length = value;
        } else if (arg === '-c') {
            options.cols = parseNumber(args[++i], 'column count').value;
            if (options.cols < 1 || options.cols > 256)
                fail('invalid number of columns (max. 256)');
        } else if (arg === '-g') {
            options.group = parseNumber(args[++i], 'group size').value;
            if (options.group < 0)
                fail(`invalid group size: '${args[i]}'`);
        } else if (arg.startsWith('-') && arg !== '-') {
            fail(`unknown option '${arg}'; try --help`);
        } else if (options.file === null) {
            options.file = arg;
        } else {
            fail(`only one FILE is accepted; try --help`);
        }
    }
    if (options.file === null)
        fail('a FILE is needed; try --help');
    if (options.group === 0 || options.group > options.cols)
        options.group = options.cols;
    return options;
}

const HEX = Array.from({length: 256}, (_, i) => i.toString(16).padStart(2, '0'));
const ASCII = Array.from({length: 256},
    (_, i) => i >= 0x20 && i < 0x7f ? String.fromCharCode(i) : '.');

function formatLine(offset, bytes, start, count, options) {
    const width = options.cols * 2 + Math.ceil(options.cols / options.group);
    let hex = '';
    let text = '';
    for (let i = 0; i < count; i++) {
        const byte = bytes[start + i];
        hex += HEX[byte];
        if ((i + 1) % options.group === 0 || i + 1 === options.cols)
            hex += ' ';
        text += ASCII[byte];
    }
    return `${offset.toString(16).padStart(8, '0')}: ${hex.padEnd(width)} ${text}`;
}

function main(args) {
    const options = parseArgs(args);
    let map;
    try {
        map = Mmap.Object.new_for_path(options.file, Mmap.Access.READ);
    } catch (e) {
        fail(`${options.file}: ${e.message}`, 2);
    }

    const size = map.length;
    let start = 0;
    if (options.seek !== null) {
        start = options.seek.value < 0 ? size + options.seek.value : options.seek.value;
        if (start < 0)
            fail(`cannot seek to ${options.seek.value}: before the start of the file`, 4);
    }
    const end = Math.min(size, start + options.length);
    if (start >= end)
        return 0;

    // Whole lines per chunk, so a line never spans two reads.
    const chunkSize = options.cols * 4096;
    map.seek(start, GLib.SeekType.SET);
    for (let offset = start; offset < end;) {
        const bytes = map.read(Math.min(chunkSize, end - offset)).toArray();
        const lines = [];
        for (let i = 0; i < bytes.length; i += options.cols) {
            const count = Math.min(options.cols, bytes.length - i);
            lines.push(formatLine(offset + i, bytes, i, count, options));
        }
        print(lines.join('\n'));
        offset += bytes.length;
    }
    map.close();
    return 0;
}

System.exit(main(System.programArgs));
