#!/usr/bin/env python3
# run-example-tests.py: smoke tests for the Python examples.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Run one example (or all) on temporary files and check its output.

Usage: run-example-tests.py [demo|mmgrep|mmpatch|shared_counter ...]
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


TESTS = {
    'demo': test_demo,
    'mmgrep': test_mmgrep,
    'mmpatch': test_mmpatch,
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
