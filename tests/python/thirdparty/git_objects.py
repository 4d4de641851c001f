# git_objects.py REPO: what Debian's dulwich reads from a repository's pack
# files, whose indexes it maps with mmap. Prints every object of every
# pack with its type, size and CRC-32, checks the packs, and says on
# stderr which mmap module held the index.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import sys

from dulwich.repo import Repo

repo = Repo(sys.argv[1])
store = repo.object_store
for pack in sorted(store.packs, key=lambda p: p.name()):
    index = pack.index
    contents = index._contents
    print(type(contents).__module__, type(contents).__qualname__,
          file=sys.stderr)
    print('pack', pack.name().decode(), 'objects', len(index),
          'checksum', index.get_pack_checksum().hex())
    for sha, offset, crc in sorted(index.iterentries()):
        obj = store[sha.hex().encode()]
        print(sha.hex(), offset, crc, obj.type_name.decode(),
              len(obj.as_raw_string()))
    pack.check()
    print('check ok')
print('head', repo.head().decode())
