/* test-share.vala: memory shared between processes, and the memory
 * controls, from Vala through the generated vapi (issue 10)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * memfd maps (new Mmap.Object.memfd ()), their seals, dup_fd () and
 * append_to_fd_list () for the sender, new Mmap.Object.from_fd_list () for
 * the receiver with a GLib.UnixFDList, protect (), lock () and residency.
 * Errors are caught by name: Mmap.Error.SEALS_MISSING for a receiver's
 * refusal, GLib.IOError.BUSY and PERMISSION_DENIED for the kernel's. Every
 * test asserts its results, and fails with the unexpected error's message
 * when a call fails some other way.
 */

const int EPERM = 1;
const int EBUSY = 16;
const int ENOMEM = 12;

static size_t page;

/* A temporary file holding some bytes, opened read-write. */
class TempFile : GLib.Object {
    public string path;
    public int fd = -1;

    public TempFile (uint8[] contents) throws GLib.Error {
        int tmp = FileUtils.open_tmp ("mmap-vala-share-XXXXXX", out path);
        Posix.close (tmp);
        FileUtils.set_data (path, contents);
        fd = Posix.open (path, Posix.O_RDWR);
        assert_cmpint (fd, CompareOperator.GE, 0);
    }

    ~TempFile () {
        if (fd >= 0)
            Posix.close (fd);
        FileUtils.unlink (path);
    }

    /* Whether it is on a tmpfs ($TMPDIR often is): shared memory, which
     * F_GET_SEALS answers (SEAL only) and whose pages leave RAM only for
     * swap, unlike a file on a disk. */
    public bool on_tmpfs () throws GLib.Error {
        var info = GLib.File.new_for_path (path).query_filesystem_info (
            GLib.FileAttribute.FILESYSTEM_TYPE);
        return info.get_attribute_string (
            GLib.FileAttribute.FILESYSTEM_TYPE) == "tmpfs";
    }
}

static Mmap.Object new_sealable (size_t length,
                                 string name = "vala-share") throws GLib.Error {
    return new Mmap.Object.memfd (name, length, Mmap.MemfdFlags.ALLOW_SEALING);
}

static void write_text (Mmap.Object m, string text) throws GLib.Error {
    m.set_slice (0, text.length, 1, text.data);
}

static void assert_starts_with (Mmap.Object m, string text) throws GLib.Error {
    assert_cmpmem (m.get_slice (0, text.length, 1).get_data (), text.data);
}

static uint free_huge_pages () {
    string meminfo;
    try {
        FileUtils.get_contents ("/proc/meminfo", out meminfo);
    } catch (GLib.Error e) {
        return 0;
    }
    foreach (unowned string line in meminfo.split ("\n")) {
        if (line.has_prefix ("HugePages_Free:"))
            return (uint) uint64.parse (line.substring (15).strip ());
    }
    return 0;
}

/* memfd maps */

static void test_memfd () {
    try {
        var m = new Mmap.Object.memfd ("vala-share", 8192, Mmap.MemfdFlags.NONE);
        assert_cmpuint ((uint) m.get_length (), CompareOperator.EQ, 8192);
        assert_true (m.get_access () == Mmap.Access.WRITE);
        assert_cmpint (m.get_byte (4000), CompareOperator.EQ, 0);
        write_text (m, "shared bytes");
        assert_true (m.get_seals () == Mmap.Seals.SEAL);

        /* The caller owns the fd: close-on-exec, named, the same pages. */
        int fd = m.dup_fd ();
        assert_cmpint (fd, CompareOperator.GE, 3);
        assert_cmpint (Posix.fcntl (fd, Posix.F_GETFD) & Posix.FD_CLOEXEC,
                       CompareOperator.EQ, Posix.FD_CLOEXEC);
        var link = FileUtils.read_link ("/proc/self/fd/%d".printf (fd));
        assert_true (link.has_prefix ("/memfd:vala-share"));
        var again = new Mmap.Object (fd, 0, Mmap.Access.WRITE, 0);
        assert_cmpint (Posix.close (fd), CompareOperator.EQ, 0);
        assert_starts_with (again, "shared bytes");
        again.set_byte (0, 'S');
        assert_starts_with (m, "Shared bytes");

        /* A memfd grows and shrinks with the map. */
        assert_true (m.resize (100));
        assert_true (m.size () == 100);
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
}

static void test_memfd_errors () {
    int caught = 0;
    try {
        try {
            var m = new Mmap.Object.memfd ("x", 10, Mmap.MemfdFlags.HUGE_2MB
                                                    | Mmap.MemfdFlags.HUGE_1GB);
            assert_null (m);
        } catch (Mmap.Error.INVALID_ARGUMENT e) {
            caught++;
        }
        try {
            var m = new Mmap.Object.memfd (string.nfill (300, 'n'), 10,
                                           Mmap.MemfdFlags.NONE);
            assert_null (m);
        } catch (GLib.IOError.INVALID_ARGUMENT e) {
            assert_cmpint (Mmap.Error.get_errno (e), CompareOperator.EQ,
                           Posix.EINVAL);
            caught++;
        }

        /* Private anonymous memory has no fd to give. */
        var priv = new Mmap.Object.full (-1, page, Mmap.MapFlags.PRIVATE,
                                         Mmap.Prot.READ | Mmap.Prot.WRITE,
                                         Mmap.Access.DEFAULT, 0, true);
        try {
            priv.dup_fd ();
            assert_not_reached ();
        } catch (Mmap.Error.NO_TRACKED_FD e) {
            caught++;
        }
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
    assert_cmpint (caught, CompareOperator.EQ, 3);
}

static void test_memfd_huge_pages () {
    size_t size = 2 * 1024 * 1024;
    uint free = free_huge_pages ();
    try {
        var m = new Mmap.Object.memfd ("vala-huge", size,
                                       Mmap.MemfdFlags.HUGE_2MB);
        assert_cmpuint (free, CompareOperator.GT, 0);
        m.set_byte ((ssize_t) size - 1, 7);
        assert_cmpint (m.get_byte ((ssize_t) size - 1), CompareOperator.EQ, 7);
    } catch (GLib.Error e) {
        if (free != 0)
            assert_no_error (e);
        /* No pool: a clean error that says what is missing. */
        assert_cmpint (Mmap.Error.get_errno (e), CompareOperator.EQ, ENOMEM);
        assert_true ("nr_hugepages" in e.message);
        GLib.Test.skip ("no huge pages reserved here (/proc/sys/vm/"
                        + "nr_hugepages is 0); the error was clean");
    }
}

/* Seals */

static void test_seals () {
    int caught = 0;
    try {
        var plain = new Mmap.Object.memfd ("vala-plain", page,
                                           Mmap.MemfdFlags.NONE);
        try {
            plain.add_seals (Mmap.Seals.SHRINK);
            assert_not_reached ();
        } catch (GLib.IOError.PERMISSION_DENIED e) {
            assert_cmpint (Mmap.Error.get_errno (e), CompareOperator.EQ, EPERM);
            caught++;
        }

        var m = new_sealable (page);
        assert_true (m.get_seals () == 0);
        assert_true (m.add_seals (Mmap.Seals.SHRINK | Mmap.Seals.GROW));
        assert_true (m.get_seals () == (Mmap.Seals.SHRINK | Mmap.Seals.GROW));
        assert_true (m.check_seals (Mmap.Seals.SHRINK));
        try {
            m.check_seals (Mmap.Seals.WRITE);
            assert_not_reached ();
        } catch (Mmap.Error.SEALS_MISSING e) {
            assert_true ("WRITE" in e.message);
            assert_cmpint (Mmap.Error.get_errno (e), CompareOperator.EQ, EPERM);
            caught++;
        }

        /* The map is writable and shared: WRITE is busy. */
        try {
            m.add_seals (Mmap.Seals.WRITE);
            assert_not_reached ();
        } catch (GLib.IOError.BUSY e) {
            assert_true ("seal_readonly" in e.message);
            assert_cmpint (Mmap.Error.get_errno (e), CompareOperator.EQ, EBUSY);
            caught++;
        }

        /* Sealed against shrinking and growing: resize fails, changes
         * nothing. */
        write_text (m, "kept");
        try {
            m.resize (2 * page);
            assert_not_reached ();
        } catch (GLib.IOError.PERMISSION_DENIED e) {
            caught++;
        }
        assert_true (m.get_length () == page);
        assert_starts_with (m, "kept");

        assert_true (m.add_seals (Mmap.Seals.FUTURE_WRITE));
        write_text (m, "KEPT");
        assert_starts_with (m, "KEPT");
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
    assert_cmpint (caught, CompareOperator.EQ, 4);
}

static void test_seal_readonly () {
    int caught = 0;
    try {
        var m = new_sealable (3 * page + 5);
        write_text (m, "final data");

        /* Another writable map: refused, and this one stays writable. */
        var list = new GLib.UnixFDList ();
        int index = m.append_to_fd_list (list);
        var other = new Mmap.Object.from_fd_list (list, index,
                                                  Mmap.Access.WRITE, 0);
        try {
            m.seal_readonly ();
            assert_not_reached ();
        } catch (GLib.IOError.BUSY e) {
            caught++;
        }
        assert_true (m.get_access () == Mmap.Access.WRITE);
        assert_true (m.set_byte (0, 'F'));
        assert_starts_with (other, "Final data");
        assert_true (other.close ());

        /* A view: refused too. */
        var view = m.view (0, 4);
        try {
            m.seal_readonly ();
            assert_not_reached ();
        } catch (Mmap.Error.EXPORTS_EXIST e) {
            caught++;
        }
        view = null;
        assert_true (m.get_seals () == 0);

        assert_true (m.seal_readonly ());
        assert_true (m.get_seals () == (Mmap.Seals.SEAL | Mmap.Seals.SHRINK
                                        | Mmap.Seals.GROW | Mmap.Seals.WRITE));
        assert_true (m.get_access () == Mmap.Access.READ);
        assert_starts_with (m, "Final data");
        try {
            m.set_byte (0, 'f');
            assert_not_reached ();
        } catch (Mmap.Error.READ_ONLY e) {
            caught++;
        }
        /* Nobody can map it writable any more. */
        try {
            var writer = new Mmap.Object.from_fd_list (list, index,
                                                       Mmap.Access.WRITE, 0);
            assert_null (writer);
        } catch (GLib.IOError.PERMISSION_DENIED e) {
            caught++;
        }
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
    assert_cmpint (caught, CompareOperator.EQ, 4);
}

/* The receiving side */

static void test_from_fd_list () {
    int caught = 0;
    try {
        var m = new_sealable (10000);
        write_text (m, "payload");
        var list = new GLib.UnixFDList ();
        int index = m.append_to_fd_list (list);
        assert_cmpint (index, CompareOperator.EQ, 0);

        /* Unsealed: the receiver maps nothing. */
        try {
            var r = new Mmap.Object.from_fd_list (list, index,
                                                  Mmap.Access.READ,
                                                  Mmap.Seals.SHRINK);
            assert_null (r);
        } catch (Mmap.Error.SEALS_MISSING e) {
            assert_true ("SHRINK" in e.message);
            caught++;
        }

        assert_true (m.add_seals (Mmap.Seals.SHRINK));
        try {
            var r = new Mmap.Object.from_fd_list (list, index,
                                                  Mmap.Access.READ,
                                                  Mmap.Seals.SHRINK
                                                  | Mmap.Seals.WRITE);
            assert_null (r);
        } catch (Mmap.Error.SEALS_MISSING e) {
            assert_true ("its seals: SHRINK" in e.message);
            caught++;
        }

        assert_true (m.seal_readonly ());
        var received = new Mmap.Object.from_fd_list (list, index,
                                                     Mmap.Access.READ,
                                                     Mmap.Seals.SHRINK
                                                     | Mmap.Seals.WRITE);
        assert_cmpuint ((uint) received.get_length (), CompareOperator.EQ,
                        10000);
        assert_starts_with (received, "payload");
        assert_true (received.check_seals (Mmap.Seals.WRITE));

        /* The list's own fd, as a receiver gets it, maps too. */
        int fd = list.get (index);
        var again = new Mmap.Object (fd, 0, Mmap.Access.READ, 0);
        Posix.close (fd);
        assert_starts_with (again, "payload");

        try {
            var r = new Mmap.Object.from_fd_list (list, 1, Mmap.Access.READ,
                                                  0);
            assert_null (r);
        } catch (Mmap.Error.INVALID_ARGUMENT e) {
            caught++;
        }
        assert_cmpint (list.get_length (), CompareOperator.EQ, 1);

        /* A file on a disk cannot be sealed at all; one on a tmpfs is
         * shared memory, born with SEAL only, like a memfd without
         * ALLOW_SEALING. */
        var file = new TempFile ("on disk".data);
        var files = new GLib.UnixFDList ();
        int file_index = files.append (file.fd);
        try {
            var r = new Mmap.Object.from_fd_list (files, file_index,
                                                  Mmap.Access.READ,
                                                  Mmap.Seals.SHRINK);
            assert_null (r);
        } catch (Mmap.Error.SEALS_MISSING e) {
            if (file.on_tmpfs ())
                assert_true ("the memory is not sealed with SHRINK (its "
                             + "seals: SEAL)" in e.message);
            else
                assert_true ("cannot be sealed" in e.message);
            caught++;
        }
        var plain = new Mmap.Object.from_fd_list (files, file_index,
                                                  Mmap.Access.READ, 0);
        assert_starts_with (plain, "on disk");
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
    assert_cmpint (caught, CompareOperator.EQ, 4);
}

/* Memory controls */

static void test_protect () {
    int caught = 0;
    try {
        var m = new Mmap.Object.full (-1, 3 * page, Mmap.MapFlags.SHARED,
                                      Mmap.Prot.READ | Mmap.Prot.WRITE,
                                      Mmap.Access.DEFAULT, 0, true);
        m.set_byte ((ssize_t) page + 5, 9);
        assert_true (m.protect (Mmap.Prot.NONE));
        assert_true (m.get_prot () == Mmap.Prot.NONE);
        try {
            m.get_byte (0);
            assert_not_reached ();
        } catch (Mmap.Error.NOT_ACCESSIBLE e) {
            caught++;
        }
        assert_true (m.protect (Mmap.Prot.READ));
        assert_cmpint (m.get_byte ((ssize_t) page + 5), CompareOperator.EQ, 9);
        try {
            m.set_byte (0, 1);
            assert_not_reached ();
        } catch (Mmap.Error.READ_ONLY e) {
            caught++;
        }
        assert_true (m.protect (Mmap.Prot.READ | Mmap.Prot.WRITE));

        /* A range: the whole map follows, resize waits. */
        assert_true (m.protect_range (page + 5, 1, Mmap.Prot.NONE));
        try {
            m.get_byte (0);
            assert_not_reached ();
        } catch (Mmap.Error.NOT_ACCESSIBLE e) {
            caught++;
        }
        try {
            m.resize (4 * page);
            assert_not_reached ();
        } catch (Mmap.Error.NOT_RESIZABLE e) {
            caught++;
        }
        assert_true (m.protect_range (page, (ssize_t) page,
                                      Mmap.Prot.READ | Mmap.Prot.WRITE));
        assert_cmpint (m.get_byte ((ssize_t) page + 5), CompareOperator.EQ, 9);
        assert_true (m.resize (4 * page));

        /* A read-only map cannot be made writable. */
        var file = new TempFile ("read only".data);
        var ro = new Mmap.Object (file.fd, 0, Mmap.Access.READ, 0);
        try {
            ro.protect (Mmap.Prot.READ | Mmap.Prot.WRITE);
            assert_not_reached ();
        } catch (Mmap.Error.READ_ONLY e) {
            caught++;
        }
        assert_true (ro.get_prot () == Mmap.Prot.READ);
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
    assert_cmpint (caught, CompareOperator.EQ, 5);
}

static void test_residency () {
    size_t n = 64;
    try {
        var data = new uint8[n * page];
        for (size_t i = 0; i < data.length; i++)
            data[i] = (uint8) (i * 7 + 3);
        var file = new TempFile (data);
        /* On a tmpfs the file is shared memory: without swap its pages
         * never leave RAM, so there is no drop to see. */
        bool in_ram = file.on_tmpfs ();
        /* Clean pages, out of the page cache: the kernel may drop them. */
        assert_cmpint (Posix.fsync (file.fd), CompareOperator.EQ, 0);
        assert_cmpint (Posix.posix_fadvise (file.fd, 0, 0,
                                            Posix.POSIX_FADV_DONTNEED),
                       CompareOperator.EQ, 0);
        var m = new Mmap.Object (file.fd, 0, Mmap.Access.READ, 0);

        size_t n_pages;
        ssize_t before = m.get_residency (0, -1, out n_pages);
        assert_cmpuint ((uint) n_pages, CompareOperator.EQ, (uint) n);
        if (!in_ram)
            assert_cmpint ((int) before, CompareOperator.LT, (int) n);
        assert_true (m.populate (0, -1, false, null, null));
        ssize_t populated = m.get_residency (0, -1, out n_pages);
        assert_cmpint ((int) populated, CompareOperator.EQ, (int) n);
        var bitmap = m.get_residency_map (page + 1, 2 * (ssize_t) page);
        assert_cmpmem (bitmap.get_data (), new uint8[] { 1, 1, 1 });

        assert_true (m.madvise (Mmap.Advice.PAGEOUT));
        ssize_t paged_out = m.get_residency (0, -1, out n_pages);
        GLib.Test.message ("resident pages of %u: %d before, %d after "
                           + "populate, %d after PAGEOUT", (uint) n,
                           (int) before, (int) populated, (int) paged_out);
        if (!in_ram)
            assert_cmpint ((int) paged_out, CompareOperator.LT,
                           (int) populated);
        assert_cmpmem (m.get_slice (0, (ssize_t) data.length, 1).get_data (),
                       data);
        if (in_ram)
            GLib.Test.skip ("the file is on a tmpfs, whose pages leave RAM "
                            + "only for swap: the drops after DONTNEED and "
                            + "PAGEOUT were not checked (the rest was)");
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
}

static void test_lock () {
    try {
        var m = new Mmap.Object.full (-1, 16 * page, Mmap.MapFlags.PRIVATE,
                                      Mmap.Prot.READ | Mmap.Prot.WRITE,
                                      Mmap.Access.DEFAULT, 0, true);
        size_t n_pages;
        assert_cmpint ((int) m.get_residency (0, -1, out n_pages),
                       CompareOperator.EQ, 0);
        assert_true (m.lock (Mmap.LockFlags.DEFAULT));
        assert_cmpint ((int) m.get_residency (0, -1, out n_pages),
                       CompareOperator.EQ, 16);
        assert_true (m.unlock ());
        assert_true (m.lock_range (page + 1, 10, Mmap.LockFlags.DEFAULT));
        assert_true (m.unlock_range (page + 1, 10));
        assert_true (m.flush_range_full (0, -1, Mmap.SyncFlags.ASYNC));
    } catch (GLib.Error e) {
        assert_no_error (e);
    }
}

public int main (string[] args) {
    GLib.Test.init (ref args);
    page = Mmap.get_page_size ();

    GLib.Test.add_func ("/Mmap/Vala/share/memfd", test_memfd);
    GLib.Test.add_func ("/Mmap/Vala/share/memfd-errors", test_memfd_errors);
    GLib.Test.add_func ("/Mmap/Vala/share/memfd-huge-pages",
                        test_memfd_huge_pages);
    GLib.Test.add_func ("/Mmap/Vala/share/seals", test_seals);
    GLib.Test.add_func ("/Mmap/Vala/share/seal-readonly", test_seal_readonly);
    GLib.Test.add_func ("/Mmap/Vala/share/from-fd-list", test_from_fd_list);
    GLib.Test.add_func ("/Mmap/Vala/memory/protect", test_protect);
    GLib.Test.add_func ("/Mmap/Vala/memory/residency", test_residency);
    GLib.Test.add_func ("/Mmap/Vala/memory/lock", test_lock);

    return GLib.Test.run ();
}
