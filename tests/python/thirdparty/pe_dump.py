# pe_dump.py FILE: what Debian's pefile reads from a PE file through mmap.
# Prints pefile's own dump and the section hashes; says on stderr which
# mmap module held the data.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import sys

import pefile

pe = pefile.PE(sys.argv[1])
data = pe.__data__
print(type(data).__module__, type(data).__qualname__, file=sys.stderr)
print(pe.dump_info())
for section in pe.sections:
    print(section.Name.rstrip(b'\0').decode(), section.get_hash_sha256(),
          round(section.get_entropy(), 6))
print('overlay', pe.get_overlay())
print('warnings', pe.get_warnings())
pe.close()
