# Scripts written for CPython's mmap run unchanged with
# gi.repository.Mmap installed as the `mmap` module, and print exactly what
# they print with the interpreter's own mmap.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))

# Runs a script with `import mmap` resolving to gi.repository.Mmap.
PRELUDE = '''
import runpy, sys
import gi
gi.require_version('Mmap', '1')
from gi.repository import Mmap
sys.modules['mmap'] = Mmap
script = sys.argv[1]
sys.argv = sys.argv[1:]
runpy.run_path(script, run_name='__main__')
'''


def run(script, path, with_mmapobj):
    script = os.path.join(HERE, 'scripts', script)
    if with_mmapobj:
        cmd = [sys.executable, '-c', PRELUDE, script, str(path)]
    else:
        cmd = [sys.executable, script, str(path)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return proc.stdout


@pytest.mark.parametrize('script', ['record_store.py', 'log_scan.py'])
def test_script_runs_unchanged(tmp_path, script):
    expected = run(script, tmp_path / 'py', False)
    got = run(script, tmp_path / 'ours', True)
    assert got == expected
    assert len(expected.splitlines()) >= 8
    assert (tmp_path / 'ours').read_bytes() == (tmp_path / 'py').read_bytes()


def test_prelude_really_swaps_the_module(tmp_path):
    probe = tmp_path / 'probe.py'
    probe.write_text('import mmap\nprint(mmap.mmap.__module__)\n')
    proc = subprocess.run([sys.executable, '-c', PRELUDE, str(probe)],
                          capture_output=True, text=True, check=True)
    assert 'gi' in proc.stdout
