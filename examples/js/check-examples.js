// check-examples.js: smoke tests for the gjs examples, printing TAP
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Usage: gjs -m check-examples.js GJS mmgrep|hexdump|mmscan|mmshare
//
// Runs the example with GJS on temporary files and compares its output,
// byte for byte, with what it must print. hexdump.js is also compared with
// xxd itself when xxd is installed.

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import System from 'system';

const [gjs, which] = System.programArgs;
const here = GLib.path_get_dirname(GLib.filename_from_uri(import.meta.url)[0]);

let count = 0;
let failures = 0;

function ok(cond, name) {
    count++;
    print(`${cond ? 'ok' : 'not ok'} ${count} - ${name}`);
    if (!cond)
        failures++;
    return cond;
}

function diag(text) {
    for (const line of String(text).split('\n'))
        print(`# ${line}`);
}

function skip(name, reason) {
    count++;
    print(`ok ${count} - ${name} # SKIP ${reason}`);
}

function run(argv) {
    const proc = Gio.Subprocess.new(argv,
        Gio.SubprocessFlags.STDOUT_PIPE | Gio.SubprocessFlags.STDERR_PIPE);
    const [, stdout, stderr] = proc.communicate_utf8(null, null);
    return {stdout, stderr, status: proc.get_exit_status()};
}

function runExample(script, args) {
    return run([gjs, '-m', GLib.build_filenamev([here, script]), ...args]);
}

/** Checks an example run: exit status, exact stdout, and stderr if given. */
function expect(name, result, status, stdout, stderrPattern = null) {
    const good = result.status === status && result.stdout === stdout &&
        (stderrPattern === null ? result.stderr === '' : stderrPattern.test(result.stderr));
    ok(good, name);
    if (!good) {
        diag(`status ${result.status} (expected ${status})`);
        diag(`stdout:\n${result.stdout}`);
        diag(`expected stdout:\n${stdout}`);
        diag(`stderr:\n${result.stderr}`);
    }
}

const tempDir = GLib.dir_make_tmp('mmapobj-examples-XXXXXX');
const tempFiles = [];

function tempFile(name, contents) {
    const path = GLib.build_filenamev([tempDir, name]);
    GLib.file_set_contents(path, contents);
    tempFiles.push(path);
    return path;
}

function checkMmgrep() {
    const text = tempFile('text.txt',
        'alpha\nbeta gamma\n\nalphabet soup\nno match\nlast alpha');
    const other = tempFile('other.txt', 'one alpha\ntwo\n');
    const empty = tempFile('empty.txt', '');

    const help = runExample('mmgrep.js', ['--help']);
    ok(help.status === 0 && help.stdout.startsWith('Usage: gjs -m mmgrep.js'),
        'mmgrep --help prints the usage and exits 0');

    expect('mmgrep prints path:line:text for each matching line',
        runExample('mmgrep.js', ['alpha', text]), 0,
        `${text}:1:alpha\n${text}:4:alphabet soup\n${text}:6:last alpha\n`);
    expect('mmgrep searches several files, empty ones included',
        runExample('mmgrep.js', ['alpha', empty, other, text]), 0,
        `${other}:1:one alpha\n${text}:1:alpha\n${text}:4:alphabet soup\n` +
        `${text}:6:last alpha\n`);
    expect('mmgrep -c counts matching lines',
        runExample('mmgrep.js', ['-c', 'alpha', text, empty]), 0,
        `${text}:3\n${empty}:0\n`);
    expect('mmgrep -m stops after NUM lines',
        runExample('mmgrep.js', ['-m', '1', 'alpha', text]), 0,
        `${text}:1:alpha\n`);
    expect('mmgrep finds a match at the very end of a file',
        runExample('mmgrep.js', ['t alpha', text]), 0, `${text}:6:last alpha\n`);
    expect('mmgrep with no match exits 1',
        runExample('mmgrep.js', ['zebra', text]), 1, '');
    expect('mmgrep with an empty pattern prints every line',
        runExample('mmgrep.js', ['', other]), 0,
        `${other}:1:one alpha\n${other}:2:two\n`);
    expect('mmgrep reports a missing file and exits 2',
        runExample('mmgrep.js', ['alpha', `${tempDir}/missing`, other]), 2,
        `${other}:1:one alpha\n`, /mmgrep\.js: .*missing: .*\[Errno 2\]/);

    // A file of many lines: line numbers stay right across a long walk.
    const lines = [];
    for (let i = 1; i <= 50000; i++)
        lines.push(`line ${i}${i % 9999 === 0 ? ' needle' : ''}`);
    const big = tempFile('big.txt', `${lines.join('\n')}\n`);
    expect('mmgrep numbers lines in a larger file',
        runExample('mmgrep.js', ['needle', big]), 0,
        [9999, 19998, 29997, 39996, 49995]
            .map(n => `${big}:${n}:line ${n} needle\n`).join(''));

    // Several chunks of a megabyte, matches on their first and last lines.
    const wanted = [1, 2, 40000, 40001, 99999, 150000];
    const chunked = [];
    for (let i = 1; i <= 150000; i++)
        chunked.push(`${String(i).padStart(25, '0')}${wanted.includes(i) ? ' needle' : ''}\n`);
    const huge = tempFile('huge.txt', chunked.join(''));
    expect('mmgrep numbers lines across chunks',
        runExample('mmgrep.js', ['needle', huge]), 0,
        wanted.map(n => `${huge}:${n}:${String(n).padStart(25, '0')} needle\n`).join(''));
    expect('mmgrep -c across chunks',
        runExample('mmgrep.js', ['-c', 'needle', huge]), 0, `${huge}:${wanted.length}\n`);
    expect('mmgrep -m across chunks',
        runExample('mmgrep.js', ['-m', '3', 'needle', huge]), 0,
        wanted.slice(0, 3).map(n => `${huge}:${n}:${String(n).padStart(25, '0')} needle\n`).join(''));

    // A line with several matches is printed and counted once.
    const twice = tempFile('twice.txt', 'ab ab ab\nno\nxab');
    expect('mmgrep prints a line with several matches once',
        runExample('mmgrep.js', ['ab', twice]), 0, `${twice}:1:ab ab ab\n${twice}:3:xab\n`);
    expect('mmgrep -c counts lines, not matches',
        runExample('mmgrep.js', ['-c', 'ab', twice]), 0, `${twice}:2\n`);
}

function checkHexdump() {
    const bytes = new Uint8Array(44);
    bytes.set(new TextEncoder().encode('hello world\n'), 0);
    bytes.set([0x00, 0x01, 0x7f, 0x80, 0xff, 0x20], 12);
    bytes.set(new TextEncoder().encode('abcdefghijklmnopqrstuvwxyz'), 18);
    const file = tempFile('data.bin', bytes);
    const empty = tempFile('empty.bin', '');

    const help = runExample('hexdump.js', ['--help']);
    ok(help.status === 0 && help.stdout.startsWith('Usage: gjs -m hexdump.js'),
        'hexdump --help prints the usage and exits 0');

    // Expected outputs, as xxd 2022-01-14 prints them.
    const cases = [
        [[], [
            '00000000: 6865 6c6c 6f20 776f 726c 640a 0001 7f80  hello world.....',
            '00000010: ff20 6162 6364 6566 6768 696a 6b6c 6d6e  . abcdefghijklmn',
            '00000020: 6f70 7172 7374 7576 7778 797a            opqrstuvwxyz',
        ]],
        [['-s', '5', '-l', '20'], [
            '00000005: 2077 6f72 6c64 0a00 017f 80ff 2061 6263   world...... abc',
            '00000015: 6465 6667                                defg',
        ]],
        [['-s', '5', '-n', '20'], [
            '00000005: 2077 6f72 6c64 0a00 017f 80ff 2061 6263   world...... abc',
            '00000015: 6465 6667                                defg',
        ]],
        [['-s', '-3'], [
            '00000029: 7879 7a                                  xyz',
        ]],
        [['-s', '0x10', '-l', '3'], [
            '00000010: ff20 61                                  . a',
        ]],
        [['-c', '5', '-l', '12'], [
            '00000000: 6865 6c6c 6f  hello',
            '00000005: 2077 6f72 6c   worl',
            '0000000a: 640a          d.',
        ]],
        [['-c', '7', '-g', '3', '-l', '9'], [
            '00000000: 68656c 6c6f20 77  hello w',
            '00000007: 6f72              or',
        ]],
        [['-s', '100'], []],
        [['-l', '0'], []],
    ];
    for (const [args, lines] of cases) {
        const stdout = lines.map(l => `${l}\n`).join('');
        expect(`hexdump ${args.join(' ') || '(no options)'}`,
            runExample('hexdump.js', [...args, file]), 0, stdout);
    }
    expect('hexdump of an empty file prints nothing',
        runExample('hexdump.js', [empty]), 0, '');
    expect('hexdump -s before the start fails with status 4 (as xxd)',
        runExample('hexdump.js', ['-s', '-100', file]), 4, '', /cannot seek/);

    // Against xxd itself, on a file spanning several read chunks.
    const large = new Uint8Array(100000).map((_, i) => (i * 7919 + (i >> 8)) & 0xff);
    const largeFile = tempFile('large.bin', large);
    const xxd = GLib.find_program_in_path('xxd');
    const xxdCases = [[], ['-s', '65530', '-l', '100'], ['-s', '-17'],
        ['-c', '13', '-g', '4', '-l', '1000'], ['-g', '0', '-s', '010', '-l', '40']];
    for (const args of xxdCases) {
        const name = `hexdump ${args.join(' ') || '(no options)'} on 100000 bytes matches xxd`;
        if (xxd === null) {
            skip(name, 'xxd is not installed');
            continue;
        }
        const want = run([xxd, ...args, largeFile]);
        expect(name, runExample('hexdump.js', [...args, largeFile]),
            want.status, want.stdout);
    }
}

function checkMmscan() {
    // 3 MiB and a bit (seven 512 KiB chunks of populate), with the needle
    // at both ends, across a chunk boundary and twice in a row.
    const size = 3 * 1024 * 1024 + 123;
    const bytes = new Uint8Array(size).fill(0x2e);
    const needle = new TextEncoder().encode('needle');
    const at = [0, 4096, 524287, 1048576, 1048582, size - 6];
    for (const offset of at)
        bytes.set(needle, offset);
    const file = tempFile('scan.bin', bytes);
    const empty = tempFile('empty.bin', '');

    const help = runExample('mmscan.js', ['--help']);
    ok(help.status === 0 && help.stdout.startsWith('Usage: gjs -m mmscan.js'),
        'mmscan --help prints the usage and exits 0');

    const finished = /prefaulting 100% \(3\.0 of 3\.0 MiB, [\d.]+ MiB\/s\)\n$/;
    expect('mmscan counts the matches and prints their offsets',
        runExample('mmscan.js', [file, 'needle']), 0,
        `${file}: 6 matches\n${at.join('\n')}\n`, finished);
    expect('mmscan -n 2 prints the first two offsets',
        runExample('mmscan.js', ['-n', '2', file, 'needle']), 0,
        `${file}: 6 matches\n0\n4096\n...\n`, finished);
    // '..' counted as bytes.count() does: left to right, no overlaps.
    let dots = 0;
    for (let i = 0; i + 1 < size; i++) {
        if (bytes[i] === 0x2e && bytes[i + 1] === 0x2e) {
            dots++;
            i++;
        }
    }
    expect('mmscan counts non-overlapping matches',
        runExample('mmscan.js', ['-n', '0', file, '..']), 0,
        `${file}: ${dots} matches\n...\n`, finished);
    expect('mmscan with no match exits 1',
        runExample('mmscan.js', [file, 'zebra']), 1,
        `${file}: 0 matches\n`, finished);
    expect('mmscan of an empty file',
        runExample('mmscan.js', [empty, 'needle']), 1,
        `${empty}: 0 matches\n`, /prefaulting 100% \(0\.0 of 0\.0 MiB/);
    expect('mmscan reports a missing file and exits 2',
        runExample('mmscan.js', [`${tempDir}/missing`, 'needle']), 2, '',
        /^mmscan\.js: .*missing: .*\n$/);

    // Ctrl-C: SIGINT once the first progress line is out. Populating an
    // 8 GiB sparse file takes seconds; the signal comes within
    // milliseconds of that line, and a signal even before the populate
    // starts would cancel it too.
    const big = GLib.build_filenamev([tempDir, 'big.bin']);
    const stream = Gio.File.new_for_path(big).create_readwrite(
        Gio.FileCreateFlags.NONE, null);
    stream.truncate(8 * 2 ** 30, null);
    stream.close(null);
    tempFiles.push(big);
    const proc = Gio.Subprocess.new(
        [gjs, '-m', GLib.build_filenamev([here, 'mmscan.js']), big, 'needle'],
        Gio.SubprocessFlags.STDOUT_PIPE | Gio.SubprocessFlags.STDERR_PIPE);
    const stderr = Gio.DataInputStream.new(proc.get_stderr_pipe());
    const [first] = stderr.read_line_utf8(null);
    proc.send_signal(2);
    const rest = [];
    for (let line; ([line] = stderr.read_line_utf8(null), line !== null);)
        rest.push(line);
    const stdout = new TextDecoder().decode(
        proc.get_stdout_pipe().read_bytes(65536, null).toArray());
    proc.wait(null);
    const cancelled = first !== null &&
        /^mmscan\.js: prefaulting \d+% /.test(first) &&
        rest[rest.length - 1] === 'mmscan.js: cancelled' &&
        !rest.some(line => line.includes('100%')) && stdout === '';
    const name = 'mmscan: Ctrl-C while prefaulting prints "cancelled", exits 130';
    const good = cancelled && !proc.get_if_signaled() &&
        proc.get_exit_status() === 130;
    ok(good, name);
    if (!good) {
        diag(`first line: ${first}`);
        diag(`then: ${rest.join('\n')}`);
        diag(proc.get_if_signaled()
            ? `killed by signal ${proc.get_term_sig()}`
            : `exit status ${proc.get_exit_status()}`);
        diag(`stdout: ${stdout}`);
    }
}

function checkMmshare() {
    const help = runExample('mmshare.js', ['--help']);
    ok(help.status === 0 && help.stdout.startsWith('Usage: gjs -m mmshare.js'),
        'mmshare --help prints the usage and exits 0');

    // The image, computed here a pixel at a time as one little-endian
    // 32-bit word (the example writes a byte at a time).
    const side = 2048;
    const image = new DataView(new ArrayBuffer(side * side * 4));
    for (let y = 0; y < side; y++) {
        const green = Math.trunc(y * 255 / (side - 1));
        for (let x = 0; x < side; x++) {
            const red = Math.trunc(x * 255 / (side - 1));
            image.setUint32((y * side + x) * 4,
                (0xff000000 | ((x ^ y) & 255) << 16 | green << 8 | red) >>> 0,
                true);
        }
    }
    const sha256 = GLib.compute_checksum_for_data(GLib.ChecksumType.SHA256,
        new Uint8Array(image.buffer));
    const pixel = new Uint8Array(image.buffer, (500 * side + 1000) * 4, 4);
    const seals = 'SEAL | SHRINK | GROW | WRITE';
    expect('mmshare: sealed, passed over D-Bus, mapped and checked',
        runExample('mmshare.js', []), 0, [
            'producer: rendered a 2048x2048 RGBA image in a memfd',
            `producer: sealed 16777216 bytes (seals: ${seals})`,
            `consumer: mapped 16777216 bytes read-only (seals: ${seals})`,
            'producer: shrinking it now: refused (Error truncating file: ' +
                'Operation not permitted)',
            'producer: rewriting it now: refused (Error writing to file: ' +
                'Operation not permitted)',
            `consumer: pixel (1000, 500) = (${pixel.join(', ')})`,
            `consumer: sha256 ${sha256} (matches)`,
            'producer: consumer exited with status 0',
        ].map(line => `${line}\n`).join(''));

    // Unsealed: the consumer refuses it, naming the missing seals.
    const refused = runExample('mmshare.js', ['--unsealed']);
    const lines = refused.stdout.split('\n');
    const good = refused.status === 1 && refused.stderr === '' &&
        lines.length === 5 && lines[4] === '' &&
        lines[0] === 'producer: rendered a 2048x2048 RGBA image in a memfd' &&
        lines[1] === 'producer: NOT sealing 16777216 bytes (seals: none)' &&
        lines[2].startsWith('consumer: refused: ') &&
        lines[2].includes('not sealed with SHRINK | WRITE (its seals: none)') &&
        lines[3] === 'producer: consumer exited with status 1';
    ok(good, 'mmshare --unsealed: the consumer refuses, exit 1');
    if (!good) {
        diag(`status ${refused.status}`);
        diag(`stdout:\n${refused.stdout}`);
        diag(`stderr:\n${refused.stderr}`);
    }
}

if (which === 'mmgrep')
    checkMmgrep();
else if (which === 'hexdump')
    checkHexdump();
else if (which === 'mmscan')
    checkMmscan();
else if (which === 'mmshare')
    checkMmshare();
else
    ok(false, `known example name (got '${which}')`);

for (const path of tempFiles)
    GLib.unlink(path);
GLib.rmdir(tempDir);

print(`1..${count}`);
System.exit(failures > 0 ? 1 : 0);
