/* app.vala: the install test's Vala program (tests/install/run.sh), built
 * with valac --pkg mmapobj-1 against the installed vapi and pkg-config file.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Maps a file it writes in the current folder, finds a word, overwrites it
 * through the map, catches Mmap.Error.READ_ONLY by name; prints the library
 * it loaded, which run.sh compares with the installed one.
 */

static void check (bool cond, string what) {
    if (!cond) {
        GLib.stderr.printf ("app.vala: check failed: %s\n", what);
        Process.exit (1);
    }
}

static int main () {
    try {
        FileUtils.set_contents ("app-vala.txt", "hello, mapped world\n");
        var map = new Mmap.Object.for_path ("app-vala.txt", Mmap.Access.WRITE);
        check (map.get_length () == 20, "length");
        var at = map.find ("mapped".data);
        check (at == 7, "find");
        map.seek (at, GLib.SeekType.SET);
        check (map.write ("MAPPED".data) == 6, "write");
        map.flush ();
        map.close ();
        string contents;
        FileUtils.get_contents ("app-vala.txt", out contents);
        check (contents == "hello, MAPPED world\n", "file contents");

        var ro = new Mmap.Object.for_path ("app-vala.txt", Mmap.Access.READ);
        var refused = false;
        try {
            ro.write_byte (0);
        } catch (Mmap.Error.READ_ONLY e) {
            refused = true;
        }
        check (refused, "a read-only map refuses to write");

        string maps;
        FileUtils.get_contents ("/proc/self/maps", out maps);
        foreach (var line in maps.split ("\n")) {
            var slash = line.index_of ("/");
            if (slash >= 0 && "/libmmapobj-1.so" in line) {
                print ("library %s\n", line.substring (slash));
                return 0;
            }
        }
        check (false, "libmmapobj is not in /proc/self/maps");
    } catch (GLib.Error e) {
        check (false, e.message);
    }
    return 1;
}
