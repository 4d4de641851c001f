#!/usr/bin/env -S gjs -m
// mmgrep.js: a fixed-string grep over memory-mapped files
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Prints path:line:text for every line that contains PATTERN, like
// `grep -HnF`. Each file is mapped read-only and searched a chunk of lines
// (about a megabyte) at a time with the map's bulk calls: find_all() returns
// every match of the chunk and line_offsets() the start of each of its
// lines, one library call each, instead of a call for every match or line.
// count() numbers the lines of chunks without a match. Only matching lines
// are copied into JavaScript, whatever the size of the file.

import Mmap from 'gi://Mmap?version=1';
import System from 'system';

const PROGRAM = 'mmgrep.js';
// The end of the map for find_range(): G_MAXSSIZE, exact as a BigInt.
const END = 2n ** 63n - 1n;
const NEWLINE = new Uint8Array([0x0a]);
// About a megabyte of lines a chunk: the offsets of one chunk stay small
// however large the file is.
const CHUNK = 1 << 20;

const USAGE = `Usage: gjs -m ${PROGRAM} [OPTION]... PATTERN FILE...
Search each FILE for lines containing PATTERN (a fixed string, not a
regular expression) and print them as FILE:LINE:TEXT.

Options:
  -c, --count          print FILE:COUNT, the number of matching lines, instead
  -m, --max-count=NUM  stop reading a file after NUM matching lines
  -h, --help           show this help and exit

Exit status is 0 if a line matched, 1 if none did, 2 if an error occurred.`;

function usageError(message) {
    printerr(`${PROGRAM}: ${message}`);
    printerr(`Try 'gjs -m ${PROGRAM} --help' for more information.`);
    System.exit(2);
}

function parseArgs(args) {
    const options = {count: false, maxCount: Infinity, positional: []};
    for (let i = 0; i < args.length; i++) {
        const arg = args[i];
        if (arg === '--') {
            options.positional.push(...args.slice(i + 1));
            break;
        }
        if (arg === '-h' || arg === '--help') {
            print(USAGE);
            System.exit(0);
        } else if (arg === '-c' || arg === '--count') {
            options.count = true;
        } else if (arg === '-m' || arg === '--max-count' ||
                   arg.startsWith('--max-count=')) {
            const value = arg.includes('=') ? arg.split('=', 2)[1] : args[++i];
            if (value === undefined || !/^\d+$/.test(value))
                usageError(`invalid max count: '${value ?? ''}'`);
            options.maxCount = Number(value);
        } else if (arg.startsWith('-') && arg !== '-' && options.positional.length === 0) {
            usageError(`unknown option '${arg}'`);
        } else {
            options.positional.push(arg);
        }
    }
    if (options.positional.length < 2)
        usageError('a PATTERN and at least one FILE are needed');
    return options;
}

/**
 * The end of the chunk that starts at @start: just past the first newline at
 * or after CHUNK bytes, or the end of the map.
 */
function chunkEnd(map, start) {
    const length = map.length;
    if (start + CHUNK >= length)
        return length;
    const newline = map.find_range(NEWLINE, start + CHUNK - 1, END);
    return newline < 0 ? length : newline + 1;
}

/**
 * The indices in @lines (sorted line starts) of the lines that hold one of
 * @hits (sorted offsets), each once; every line for an empty pattern.
 */
function matchingLines(hits, lines) {
    if (hits === null)
        return lines.map((_, i) => i);
    const out = [];
    let i = 0;
    for (const hit of hits) {
        while (i + 1 < lines.length && lines[i + 1] <= hit)
            i++;
        if (out[out.length - 1] !== i)
            out.push(i);
    }
    return out;
}

/** Searches one file; returns the number of matching lines. */
function grepFile(path, needle, options, decoder) {
    const map = Mmap.Object.new_for_path(path, Mmap.Access.READ);
    try {
        let matches = 0;
        let lineNumber = 1;     // the number of the chunk's first line
        for (let start = 0; start < map.length && matches < options.maxCount;) {
            const end = chunkEnd(map, start);
            // An empty pattern matches every line: no search needed.
            const hits = needle.length > 0 ? map.find_all(needle, start, end, -1) : null;
            if (hits === null || hits.length > 0) {
                const lines = map.line_offsets(start, end, -1);
                for (const i of matchingLines(hits, lines)) {
                    if (matches >= options.maxCount)
                        break;
                    matches++;
                    if (options.count)
                        continue;
                    let lineEnd = i + 1 < lines.length ? lines[i + 1] - 1
                        : map.find_range(NEWLINE, lines[i], end);
                    if (lineEnd < 0)
                        lineEnd = end;
                    const text = decoder.decode(map.get_slice(lines[i], lineEnd, 1).toArray());
                    print(`${path}:${lineNumber + i}:${text}`);
                }
            }
            lineNumber += map.count(NEWLINE, start, end);
            start = end;
        }
        if (options.count)
            print(`${path}:${matches}`);
        return matches;
    } finally {
        map.close();
    }
}

function main(args) {
    const options = parseArgs(args);
    const [pattern, ...paths] = options.positional;
    const needle = new TextEncoder().encode(pattern);
    if (needle.includes(0x0a))
        usageError('PATTERN must not contain a newline');
    const decoder = new TextDecoder('utf-8');

    let total = 0;
    let failed = false;
    for (const path of paths) {
        try {
            total += grepFile(path, needle, options, decoder);
        } catch (e) {
            printerr(`${PROGRAM}: ${path}: ${e.message}`);
            failed = true;
        }
    }
    if (failed)
        return 2;
    return total > 0 ? 0 : 1;
}

System.exit(main(System.programArgs));
