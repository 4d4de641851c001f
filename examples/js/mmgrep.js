#!/usr/bin/env -S gjs -m
// mmgrep.js: a fixed-string grep over memory-mapped files
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Prints path:line:text for every line that contains PATTERN, like
// `grep -HnF`. Each file is mapped read-only and walked with
// Mmap.Object.find_range(): the library's memmem() finds the next match and
// the enclosing line, so only matching lines are ever copied into
// JavaScript, whatever the size of the file.
//
// Line numbers come from counting newlines between matches in a zero-copy
// view of the map (GLib.Bytes.toArray() over it does not copy). That array
// aliases a read-only mapping: it is only ever read here. Writing into it
// would crash the process.

import Mmap from 'gi://Mmap?version=1';
import System from 'system';

const PROGRAM = 'mmgrep.js';
// The end of the map for find_range(): G_MAXSSIZE, exact as a BigInt.
const END = 2n ** 63n - 1n;
const NEWLINE = new Uint8Array([0x0a]);

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

/** Searches one file; returns the number of matching lines. */
function grepFile(path, needle, options, decoder) {
    const map = Mmap.Object.new_for_path(path, Mmap.Access.READ);
    try {
        const length = map.length;
        // Zero-copy and read-only: used to count newlines, never written.
        const data = map.view(0, -1).toArray();
        let matches = 0;
        let lineNumber = 1;
        let counted = 0;    // newlines before this offset are in lineNumber
        let pos = 0;        // the start of the unsearched rest

        while (pos < length && matches < options.maxCount) {
            const hit = map.find_range(needle, pos, END);
            if (hit < 0)
                break;
            const before = map.rfind_range(NEWLINE, pos, hit);
            const lineStart = before < 0 ? pos : before + 1;
            let lineEnd = map.find_range(NEWLINE, hit, END);
            if (lineEnd < 0)
                lineEnd = length;

            for (let i = data.indexOf(0x0a, counted); i !== -1 && i < lineStart;
                i = data.indexOf(0x0a, i + 1))
                lineNumber++;
            counted = lineStart;

            matches++;
            if (!options.count) {
                const text = decoder.decode(map.get_slice(lineStart, lineEnd, 1).toArray());
                print(`${path}:${lineNumber}:${text}`);
            }
            pos = lineEnd + 1;
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
