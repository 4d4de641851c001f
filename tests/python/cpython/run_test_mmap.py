# run_test_mmap.py: CPython's own test_mmap (Debian's
# libpython3.X-testsuite) with gi.repository.Mmap in place of the mmap
# module. Prints one JSON object: every test's outcome, and for failures
# the last line of the traceback.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import json
import os
import sys
import unittest
import warnings

import gi

gi.require_version('Mmap', '1')
from gi.repository import Mmap  # noqa: E402

sys.modules['mmap'] = Mmap

from test import test_mmap  # noqa: E402

# test_mmap makes its files in the current directory.
os.chdir(sys.argv[1])


class Collect(unittest.TestResult):
    def __init__(self):
        super().__init__()
        self.outcomes = {}

    def addSuccess(self, test):
        self.outcomes[test.id()] = ['pass', '']

    def _failed(self, test, err):
        text = self._exc_info_to_string(err, test).strip().split('\n')
        self.outcomes[test.id()] = ['fail', text[-1]]

    def addFailure(self, test, err):
        self._failed(test, err)

    def addError(self, test, err):
        self._failed(test, err)

    def addSkip(self, test, reason):
        self.outcomes[test.id()] = ['skip', reason]


with warnings.catch_warnings():
    warnings.simplefilter('ignore')
    suite = unittest.defaultTestLoader.loadTestsFromModule(test_mmap)
    result = Collect()
    suite.run(result)
print(json.dumps(result.outcomes))
