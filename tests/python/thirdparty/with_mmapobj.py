# with_mmapobj.py SCRIPT [ARGS...]: runs SCRIPT with `import mmap` giving
# gi.repository.Mmap, the drop-in this project promises, instead of
# CPython's module. The libraries SCRIPT imports are used unmodified.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import runpy
import sys

import gi

gi.require_version('Mmap', '1')
from gi.repository import Mmap  # noqa: E402

sys.modules['mmap'] = Mmap
script = sys.argv[1]
sys.argv = sys.argv[1:]
runpy.run_path(script, run_name='__main__')
