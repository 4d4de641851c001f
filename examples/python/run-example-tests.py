#!/usr/bin/env python3
# run-example-tests.py: smoke tests for the Python examples.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Run one example (or all) on temporary files and check its output.

Usage: run-example-tests.py [demo|mmgrep|mmgunzip|mmpatch|mmshare|
                             shared_counter ...]
Prints TAP-like lines and exits 1 when a check fails.
"""

import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
failures = 0


def run(tool, *args, expect_rc=0):
    proc = subprocess.run([sys.executable, os.path.join(HERE, tool + '.py'),
                           *args], capture_output=True)
    check(proc.returncode == expect_rc,
          '%s %s: exit %d (expected %d)\n%s' % (
              tool, ' '.join(args), proc.returncode, expect_rc,
              proc.stderr.decode(errors='replace')))
    return proc.stdout.decode(errors='replace')


def check(condition, what):
    global failures
    if condition:
        print('ok -', what.splitlines()[0])
    else:
        failures += 1
        print('not ok -', what)


def test_help(tool):
    out = run(tool, '--help')
    check('usage:' in out, '%s --help prints usage' % tool)


def test_demo(tmp):
    test_help('demo')
    path = os.path.join(tmp, 'demo.txt')
    out = run('demo', path)
    check('find(b"world") -> 14' in out, 'demo finds')
    check("after write    -> b'Hello, MAPPED world!'" in out, 'demo writes')
    with open(path, 'rb') as f:
        content = f.read()
    check(content == b'Hello, MAPPED world!\nsecond line\nthird\n',
          'demo file content: %r' % content)


def test_mmgrep(tmp):
    test_help('mmgrep')
    path = os.path.join(tmp, 'log.txt')
    lines = [b'alpha %d' % i if i % 1000 else b'needle %d' % i
             for i in range(1, 20001)]
    with open(path, 'wb') as f:
        f.write(b'\n'.join(lines))          # no final newline
    out = run('mmgrep', 'needle', path)
    expected = ''.join('%s:%d:needle %d\n' % (path, i, i)
                       for i in range(1000, 20001, 1000))
    check(out == expected, 'mmgrep prints path:line:text\n' + out[:300])
    out = run('mmgrep', '--count', 'needle', path)
    check(out == '%s:20\n' % path, 'mmgrep --count: %r' % out)
    out = run('mmgrep', 'absent', path, expect_rc=1)
    check(out == '', 'mmgrep without matches prints nothing')
    empty = os.path.join(tmp, 'empty')
    open(empty, 'wb').close()
    run('mmgrep', 'x', empty, expect_rc=1)
    run('mmgrep', 'x', os.path.join(tmp, 'missing'), expect_rc=2)
    last = os.path.join(tmp, 'last')
    with open(last, 'wb') as f:
        f.write(b'one\ntwo needle')
    out = run('mmgrep', 'needle', last)
    check(out == '%s:2:two needle\n' % last, 'mmgrep last line: %r' % out)
    # A line with several matches is printed (and counted) once.
    twice = os.path.join(tmp, 'twice')
    with open(twice, 'wb') as f:
        f.write(b'ab ab ab\nno\nxab\n')
    out = run('mmgrep', 'ab', twice)
    check(out == '%s:1:ab ab ab\n%s:3:xab\n' % (twice, twice),
          'mmgrep prints a line once: %r' % out)
    out = run('mmgrep', '-c', 'ab', twice)
    check(out == '%s:2\n' % twice, 'mmgrep -c counts lines: %r' % out)
    out = run('mmgrep', '--max-line', '4', 'ab', twice)
    check(out == '%s:1:ab a\n%s:3:xab\n' % (twice, twice),
          'mmgrep --max-line: %r' % out)
    run('mmgrep', 'a\nb', twice, expect_rc=2)
    # Several chunks of a megabyte: line numbers stay right across them.
    big = os.path.join(tmp, 'big')
    wanted = [1, 2, 9999, 30000, 30001, 99999, 150000]
    with open(big, 'wb') as f:
        f.write(b''.join(b'%025d%s\n' % (i, b' needle' if i in wanted
                                          else b'')
                         for i in range(1, 150001)))
    out = run('mmgrep', 'needle', big)
    expected = ''.join('%s:%d:%025d needle\n' % (big, i, i) for i in wanted)
    check(out == expected, 'mmgrep over several chunks\n' + out[:300])
    out = run('mmgrep', '-c', 'needle', big)
    check(out == '%s:%d\n' % (big, len(wanted)),
          'mmgrep -c over several chunks: %r' % out)


def test_mmpatch(tmp):
    test_help('mmpatch')
    path = os.path.join(tmp, 'bin')
    original = bytes(range(256)) * 64
    with open(path, 'wb') as f:
        f.write(original)
    out = run('mmpatch', path, '0x10', 'deadbeef', '--dry-run')
    check(out == 'would patch 0x10: 10111213 -> deadbeef\n',
          'mmpatch --dry-run: %r' % out)
    with open(path, 'rb') as f:
        check(f.read() == original, 'dry run changes nothing')
    out = run('mmpatch', path, '16', 'deadbeef')
    check(out == 'patched 0x10: 10111213 -> deadbeef\n', 'mmpatch offset')
    out = run('mmpatch', path, '--find', '4142', '--replace', '6162', '--all')
    check(out.count('patched') == 64, 'mmpatch --find --all: 64 patches')
    expected = bytearray(original)
    expected[16:20] = b'\xde\xad\xbe\xef'
    expected = bytes(expected).replace(b'AB', b'ab')
    with open(path, 'rb') as f:
        check(f.read() == expected, 'mmpatch file content')
    run('mmpatch', path, '--find', 'ffff00', '--replace', '000000',
        expect_rc=1)
    run('mmpatch', path, str(len(original) - 1), 'aabb', expect_rc=2)
    run('mmpatch', path, '--find', 'aa', '--replace', 'bbcc', expect_rc=2)


def test_shared_counter(tmp):
    test_help('shared_counter')
    out = run('shared_counter', '-n', '500')
    check('parent counted 500, child counted 500, total 1000' in out
          and 'shared: OK' in out, 'shared_counter: %r' % out)


def run_bytes(tool, *args, expect_rc=0):
    """run(), with stdout as bytes and stderr as text returned too."""
    proc = subprocess.run([sys.executable, os.path.join(HERE, tool + '.py'),
                           *args], capture_output=True)
    stderr = proc.stderr.decode(errors='replace')
    check(proc.returncode == expect_rc,
          '%s %s: exit %d (expected %d)\n%s' % (
              tool, ' '.join(args), proc.returncode, expect_rc, stderr))
    return proc.stdout, stderr


def test_mmgunzip(tmp):
    import gzip
    import random
    test_help('mmgunzip')
    rng = random.Random(5)
    text = b''.join(b'%d %s\n' % (i, bytes(rng.choices(b'abcdefgh ', k=60)))
                    for i in range(20000))
    blob = bytes(rng.getrandbits(8) for _ in range(70000))
    gz = os.path.join(tmp, 'text.gz')
    with open(gz, 'wb') as f:
        f.write(gzip.compress(text))
    out = os.path.join(tmp, 'text')
    stdout, _ = run_bytes('mmgunzip', gz, out)
    with open(out, 'rb') as f:
        check(f.read() == text, 'mmgunzip FILE.gz OUT: OUT is the original')
    check(stdout == b'', 'mmgunzip with OUT prints nothing')
    stdout, _ = run_bytes('mmgunzip', gz)
    check(stdout == text, 'mmgunzip FILE.gz: the original on stdout')
    stdout, err = run_bytes('mmgunzip', '-v', gz, '-')
    check(stdout == text and ('1 member, %d -> %d bytes'
                              % (os.path.getsize(gz), len(text))) in err,
          'mmgunzip -v: %r' % err)

    # Several members, binary data, an empty member.
    multi = os.path.join(tmp, 'multi.gz')
    with open(multi, 'wb') as f:
        f.write(gzip.compress(blob) + gzip.compress(b'')
                + gzip.compress(text[:5000]))
    stdout, err = run_bytes('mmgunzip', '-v', multi)
    check(stdout == blob + text[:5000], 'mmgunzip: every member, in order')
    check('3 members' in err, 'mmgunzip -v counts members: %r' % err)

    # Trailing garbage: the data, a warning, exit 2.
    trailing = os.path.join(tmp, 'trailing.gz')
    with open(trailing, 'wb') as f:
        f.write(gzip.compress(blob) + b'\0' * 100)
    stdout, err = run_bytes('mmgunzip', trailing, expect_rc=2)
    check(stdout == blob and 'trailing garbage' in err,
          'mmgunzip: trailing garbage is a warning: %r' % err)

    # Corrupt and truncated data: exit 1, OUT left as it was.
    data = bytearray(gzip.compress(text))
    data[len(data) // 2] ^= 0x55
    bad = os.path.join(tmp, 'bad.gz')
    with open(bad, 'wb') as f:
        f.write(bytes(data))
    keep = os.path.join(tmp, 'keep')
    with open(keep, 'wb') as f:
        f.write(b'old contents')
    run_bytes('mmgunzip', bad, keep, expect_rc=1)
    with open(keep, 'rb') as f:
        check(f.read() == b'old contents', 'mmgunzip: corrupt data leaves '
              'OUT as it was')
    check(not os.path.exists(os.path.join(tmp, 'new')), 'no OUT yet')
    run_bytes('mmgunzip', bad, os.path.join(tmp, 'new'), expect_rc=1)
    check(not os.path.exists(os.path.join(tmp, 'new')),
          'mmgunzip: corrupt data creates no OUT')
    cut = os.path.join(tmp, 'cut.gz')
    with open(cut, 'wb') as f:
        f.write(gzip.compress(text)[:-20])
    run_bytes('mmgunzip', cut, expect_rc=1)

    plain = os.path.join(tmp, 'plain')
    with open(plain, 'wb') as f:
        f.write(b'just text\n')
    _, err = run_bytes('mmgunzip', plain, expect_rc=1)
    check('not in gzip format' in err, 'mmgunzip: plain file: %r' % err)
    empty = os.path.join(tmp, 'empty.gz')
    open(empty, 'wb').close()
    run_bytes('mmgunzip', empty, expect_rc=1)
    run_bytes('mmgunzip', os.path.join(tmp, 'missing.gz'), expect_rc=1)


def mmshare_image():
    """mmshare.py's image, computed here a pixel at a time (the example
    works a channel at a time): its SHA-256, and pixel (1000, 500)."""
    import array
    import hashlib
    side = 2048
    digest = hashlib.sha256()
    for y in range(side):
        green = y * 255 // (side - 1) << 8
        row = array.array('I', [x * 255 // (side - 1) | green
                                | ((x ^ y) & 255) << 16 | 0xff000000
                                for x in range(side)])
        if sys.byteorder == 'big':
            row.byteswap()              # RGBA in memory order
        digest.update(row.tobytes())
    pixel = (1000 * 255 // (side - 1), 500 * 255 // (side - 1),
             (1000 ^ 500) & 255, 255)
    return digest.hexdigest(), pixel


def test_mmshare(tmp):
    import errno
    test_help('mmshare')
    sha256, pixel = mmshare_image()
    refused = os.strerror(errno.EPERM)
    seals = 'SEAL | SHRINK | GROW | WRITE'
    out = run('mmshare')
    expected = ''.join(line + '\n' for line in (
        'producer: rendered a 2048x2048 RGBA image in a memfd',
        'producer: sealed 16777216 bytes (seals: %s)' % seals,
        'consumer: mapped 16777216 bytes read-only (seals: %s)' % seals,
        'producer: shrinking it now: refused (%s)' % refused,
        'producer: rewriting it now: refused (%s)' % refused,
        'consumer: pixel (1000, 500) = (%d, %d, %d, %d)' % pixel,
        'consumer: sha256 %s (matches)' % sha256,
        'producer: consumer exited with status 0'))
    check(out == expected, 'mmshare: sealed, passed, mapped, checked\n'
          + out)

    # Unsealed: the consumer refuses it, naming the missing seals.
    out = run('mmshare', '--unsealed', expect_rc=1)
    lines = out.splitlines()
    check(len(lines) == 4
          and lines[:2] == [
              'producer: rendered a 2048x2048 RGBA image in a memfd',
              'producer: NOT sealing 16777216 bytes (seals: none)']
          and lines[2].startswith('consumer: refused: ')
          and 'not sealed with SHRINK | WRITE (its seals: none)' in lines[2]
          and lines[3] == 'producer: consumer exited with status 1',
          'mmshare --unsealed: the consumer refuses\n' + out)


TESTS = {
    'demo': test_demo,
    'mmgrep': test_mmgrep,
    'mmgunzip': test_mmgunzip,
    'mmpatch': test_mmpatch,
    'mmshare': test_mmshare,
    'shared_counter': test_shared_counter,
}


def main():
    names = sys.argv[1:] or list(TESTS)
    for name in names:
        with tempfile.TemporaryDirectory(prefix='mmap-examples-') as tmp:
            TESTS[name](tmp)
    print('1..done, %d failed' % failures)
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
