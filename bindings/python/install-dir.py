#!/usr/bin/env python3
# install-dir.py PREFIX MESON_DIR: print the folder the override
# (gi/overrides/Mmap.py and _mmap_helper) is installed under, for the
# interpreter that runs this script (the one meson's find_installation found).
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# MESON_DIR is meson's own choice, python.get_install_dir(pure: false). It is
# kept when this interpreter searches it: --prefix=/usr on Debian
# (/usr/lib/python3/dist-packages), any prefix on most other distributions.
# Otherwise the site folder of this interpreter that lies in PREFIX wins: on
# Debian, --prefix=/usr/local gives /usr/local/lib/python3.11/dist-packages
# (searched) where meson says /usr/local/lib/python3/dist-packages (not
# searched), and --prefix=$HOME/.local gives the user site folder. A prefix
# this interpreter never searches (a scratch prefix) keeps MESON_DIR: the
# user puts it on PYTHONPATH (scripts/install.sh prints the line).
import os
import site
import sys


def searched_folders():
    folders = list(site.getsitepackages())
    if site.ENABLE_USER_SITE:
        folders.append(site.getusersitepackages())
    return [os.path.normpath(f) for f in folders]


def main(argv):
    prefix = os.path.normpath(argv[1])
    meson_dir = os.path.normpath(argv[2])
    folders = searched_folders()
    if meson_dir in folders:
        return meson_dir
    under_prefix = []
    for folder in folders:
        rel = os.path.relpath(folder, prefix)
        # lib/…, lib64/…: not a sibling prefix such as /usr/local for /usr.
        if not rel.startswith('..') and rel.split(os.sep)[0].startswith('lib'):
            under_prefix.append(folder)
    return under_prefix[0] if under_prefix else meson_dir


if __name__ == '__main__':
    print(main(sys.argv))
