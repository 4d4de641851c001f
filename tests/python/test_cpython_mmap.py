# test_cpython_mmap.py: CPython's own test_mmap passes with
# gi.repository.Mmap in place of the mmap module, apart from the tests
# named below, each failing for the reason given and in the way given.
# The list is checked: a listed test that starts passing, or fails in
# another way, fails this test, so the list stays exact.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import json
import os
import re
import subprocess
import sys

import pytest

from conftest import have_buffer_protocol

RUNNER = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'cpython',
                      'run_test_mmap.py')

# Our deliberate improvements over CPython (see docs/python.md).
IMPROVEMENTS = {
    'test_empty_file': (
        'an empty file maps (an empty map) instead of raising ValueError',
        r'AssertionError: ValueError not raised'),
    'test_flush_return_value': (
        'flush() aligns its range to pages itself instead of failing with '
        'EINVAL on an unaligned offset',
        r'AssertionError: OSError not raised by flush'),
}

# Not done yet: each entry would name what is missing. (Empty now.)
NOT_YET = {}

# Without the buffer protocol (no helper on Python 3.11), re.search() on a
# map fails.
NO_BUFFER = {
    'test_basic': (
        're.search (rb"...", m) needs the buffer protocol',
        r"TypeError: expected string or bytes-like object, got 'Object'"),
}


def expected_failures():
    expected = dict(IMPROVEMENTS)
    expected.update(NOT_YET)
    if not have_buffer_protocol():
        expected.update(NO_BUFFER)
    return expected


def test_cpython_test_mmap(tmp_path):
    try:
        import test.test_mmap  # noqa: F401
    except ImportError:
        pytest.fail('CPython\'s test suite is missing: install '
                    'libpython3.%d-testsuite' % sys.version_info[1])

    proc = subprocess.run([sys.executable, RUNNER, str(tmp_path)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    outcomes = json.loads(proc.stdout.strip().split('\n')[-1])
    assert len(outcomes) >= 40

    expected = expected_failures()
    problems = []
    for test_id, (outcome, detail) in sorted(outcomes.items()):
        name = test_id.rsplit('.', 1)[-1]
        if outcome == 'skip':
            if 'Windows' not in detail and 'win32' not in detail.lower():
                problems.append('%s skipped: %s' % (name, detail))
            continue
        if name in expected:
            reason, pattern = expected[name]
            if outcome == 'pass':
                problems.append('%s passes now: take it off the list (%s)'
                                % (name, reason))
            elif not re.search(pattern, detail):
                problems.append('%s fails another way: %s' % (name, detail))
        elif outcome != 'pass':
            problems.append('%s fails: %s' % (name, detail))
    missing = set(expected) - {i.rsplit('.', 1)[-1] for i in outcomes}
    problems += ['%s listed but not run' % name for name in sorted(missing)]
    assert not problems, '\n'.join(problems)
