/* test-fdpass.c: sealed memfds passed to another process, end to end
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each test spawns fdpass-peer with one end of a socketpair:
 *
 * - over GDBus peer-to-peer (no bus daemon), the peer is the sender: it
 *   returns memfds from GetBuffer in a GUnixFDList, and this process maps
 *   them with mmap_object_new_from_fd_list(), requiring seals;
 * - over a plain Unix socket, this process is the sender: it sends its
 *   memfd in a GUnixFDMessage, and the peer maps it and answers.
 *
 * Either way, both ends of the library's sharing API run here, under
 * valgrind too. Every wait for the peer has a timeout: a peer that dies
 * closes its socket, and calls on it fail at once.
 */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gio/gunixfdmessage.h>

#include "fdpass-common.h"
#include "test-util.h"

/* D-Bus calls, socket requests, the handshake and the peer's exit. */
#define TIMEOUT_SECONDS 30

#define ALL_SEALS (MMAP_SEALS_SEAL | MMAP_SEALS_SHRINK | MMAP_SEALS_GROW \
                   | MMAP_SEALS_WRITE)

/* What a buffer of @kind holds. */
static guint8 *
expected_data (const char *kind)
{
  guint8 *data = g_malloc (FDPASS_SIZE);

  fdpass_fill (data, FDPASS_SIZE, fdpass_seed (kind));
  return data;
}

static gboolean
set_flag (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates the default main context until *@done, or for at most
 * TIMEOUT_SECONDS; FALSE on the timeout. */
static gboolean
run_until (gboolean *done)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_seconds (TIMEOUT_SECONDS, set_flag, &timed_out);

  while (!*done && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  return *done;
}

/* ---------------------------------------------------------------------- */
/* The peer */

typedef struct
{
  GSubprocess      *peer;
  int               expected_status;
  GDBusConnection  *connection;   /* dbus tests */
  gboolean          connected;
  GSocket          *socket;       /* socket tests */
} Fixture;

/* Spawns fdpass-peer @role with one end of a new socketpair as its fd 3;
 * returns the other end. */
static int
spawn_peer (Fixture    *fx,
            const char *role,
            int         type)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  int sv[2];

  g_assert_cmpint (socketpair (AF_UNIX, type | SOCK_CLOEXEC, 0, sv), ==, 0);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_take_fd (launcher, sv[1], 3);
  fx->peer = g_subprocess_launcher_spawn (launcher, &error, FDPASS_PEER,
                                          role, "3", NULL);
  g_assert_no_error (error);
  /* Our copy of the peer's end: closed, so that its death shows here as
   * the end of the stream. */
  g_subprocess_launcher_close (launcher);
  return sv[0];
}

static void
wait_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, &error);
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

/* Waits at most TIMEOUT_SECONDS for the peer to exit with
 * fx->expected_status; kills it after that. */
static void
wait_peer (Fixture *fx)
{
  gboolean done = FALSE;

  g_subprocess_wait_async (fx->peer, NULL, wait_done, &done);
  if (!run_until (&done))
    {
      g_subprocess_force_exit (fx->peer);
      while (!done)
        g_main_context_iteration (NULL, TRUE);
      g_test_message ("the peer did not exit within %d s", TIMEOUT_SECONDS);
      g_test_fail ();
      return;
    }
  g_assert_true (g_subprocess_get_if_exited (fx->peer));
  g_assert_cmpint (g_subprocess_get_exit_status (fx->peer), ==,
                   fx->expected_status);
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Fixture *fx = user_data;
  g_autoptr(GError) error = NULL;

  fx->connection = g_dbus_connection_new_finish (result, &error);
  g_assert_no_error (error);
  fx->connected = TRUE;
}

static void
dbus_setup (Fixture       *fx,
            gconstpointer  user_data)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketConnection) stream = NULL;
  g_autoptr(GError) error = NULL;
  int fd;

  fd = spawn_peer (fx, "dbus", SOCK_STREAM);
  socket = g_socket_new_from_fd (fd, &error);
  g_assert_no_error (error);
  stream = g_socket_connection_factory_create_connection (socket);

  /* The peer is the server: it sent its GUID; ours is the client side of
   * the handshake. */
  g_dbus_connection_new (G_IO_STREAM (stream), NULL,
                         G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT,
                         NULL, NULL, on_connected, fx);
  g_assert_true (run_until (&fx->connected));
  g_assert_cmpint (g_dbus_connection_get_capabilities (fx->connection)
                   & G_DBUS_CAPABILITY_FLAGS_UNIX_FD_PASSING, !=, 0);
}

static void
dbus_teardown (Fixture       *fx,
               gconstpointer  user_data)
{
  /* Closing the connection ends the peer. */
  if (!g_dbus_connection_is_closed (fx->connection))
    {
      g_autoptr(GError) error = NULL;

      g_dbus_connection_close_sync (fx->connection, NULL, &error);
      g_assert_no_error (error);
    }
  g_clear_object (&fx->connection);
  wait_peer (fx);
  g_clear_object (&fx->peer);
}

/* GetBuffer (kind): the list of one fd, and the index and checksum that
 * came with it. */
static GUnixFDList *
get_buffer (Fixture     *fx,
            const char  *kind,
            gint32      *out_index,
            char       **out_sha256)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) ret = NULL;
  GUnixFDList *list = NULL;
  guint64 size;

  ret = g_dbus_connection_call_with_unix_fd_list_sync (
      fx->connection, NULL, FDPASS_OBJECT_PATH, FDPASS_INTERFACE,
      "GetBuffer", g_variant_new ("(s)", kind), G_VARIANT_TYPE ("(hts)"),
      G_DBUS_CALL_FLAGS_NONE, TIMEOUT_SECONDS * 1000, NULL, &list, NULL,
      &error);
  g_assert_no_error (error);
  g_variant_get (ret, "(hts)", out_index, &size, out_sha256);
  g_assert_cmpuint (size, ==, FDPASS_SIZE);
  g_assert_nonnull (list);
  g_assert_cmpint (g_unix_fd_list_get_length (list), ==, 1);
  g_assert_cmpint (*out_index, ==, 0);
  return list;
}

/* Tamper (kind): the errno of each of the sender's attempts. */
static GVariant *
tamper (Fixture    *fx,
        const char *kind)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) ret = NULL;

  ret = g_dbus_connection_call_sync (fx->connection, NULL,
                                     FDPASS_OBJECT_PATH, FDPASS_INTERFACE,
                                     "Tamper", g_variant_new ("(s)", kind),
                                     G_VARIANT_TYPE ("(a{si})"),
                                     G_DBUS_CALL_FLAGS_NONE,
                                     TIMEOUT_SECONDS * 1000, NULL, &error);
  g_assert_no_error (error);
  return g_variant_get_child_value (ret, 0);
}

static int
attempt_errno (GVariant   *errnos,
               const char *attempt)
{
  gint32 value = -1;

  g_assert_true (g_variant_lookup (errnos, attempt, "i", &value));
  return value;
}

/* The map holds the buffer of @kind, all of it, with checksum @sha256. */
static void
assert_holds (MmapObject *map,
              const char *kind,
              const char *sha256)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) view = NULL;
  g_autofree guint8 *expected = expected_data (kind);
  g_autofree char *checksum = NULL;

  g_assert_cmpuint (mmap_object_get_length (map), ==, FDPASS_SIZE);
  view = mmap_object_view (map, 0, -1, &error);
  g_assert_no_error (error);
  mt_assert_bytes_eq (view, expected, FDPASS_SIZE);
  checksum = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, view);
  g_assert_cmpstr (checksum, ==, sha256);
}

/* This process maps memfd @name @maps times and has @fds descriptors of
 * it open. */
static void
assert_memfd_use (const char *name,
                  guint       maps,
                  guint       fds)
{
  g_assert_cmpuint (fdpass_count_memfd_maps (name), ==, maps);
  g_assert_cmpuint (fdpass_count_memfd_fds (name), ==, fds);
}

/* ---------------------------------------------------------------------- */
/* GDBus peer-to-peer: the peer sends */

static void
test_dbus_sealed (Fixture       *fx,
                  gconstpointer  user_data)
{
  g_autoptr(GUnixFDList) list = NULL;
  g_autoptr(MmapObject) map = NULL;
  g_autoptr(MmapObject) writable = NULL;
  g_autoptr(GVariant) errnos = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sha256 = NULL;
  const char *attempts[] = { "punch-hole", "write", "mmap-writable", "grow",
                             "shrink" };
  gint32 index;
  int fd;

  list = get_buffer (fx, "sealed", &index, &sha256);
  map = mmap_object_new_from_fd_list (list, index, MMAP_ACCESS_READ,
                                      MMAP_SEALS_SHRINK | MMAP_SEALS_WRITE,
                                      &error);
  g_assert_no_error (error);
  g_assert_nonnull (map);
  /* The list's descriptor, and the map's own. */
  assert_memfd_use ("fdpass-sealed", 1, 2);

  g_assert_cmphex (mmap_object_get_seals (map, &error), ==, ALL_SEALS);
  g_assert_no_error (error);
  g_assert_true (mmap_object_check_seals (map, ALL_SEALS, &error));
  g_assert_no_error (error);
  g_assert_cmpint (mmap_object_get_access (map), ==, MMAP_ACCESS_READ);
  assert_holds (map, "sealed", sha256);

  /* Read-only for the receiver too: not through this map, and the kernel
   * refuses a writable one. */
  g_assert_false (mmap_object_set_byte (map, 0, 1, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_READ_ONLY);
  g_clear_error (&error);
  fd = g_unix_fd_list_get (list, index, &error);
  g_assert_no_error (error);
  writable = mmap_object_new (fd, 0, MMAP_ACCESS_WRITE, 0, &error);
  close (fd);
  g_assert_null (writable);
  g_assert_cmpint (mt_errno_from_error (error), ==, EPERM);
  g_clear_error (&error);

  /* The sender tries everything: the kernel refuses each, and the
   * receiver's map holds the same bytes, all of them. */
  errnos = tamper (fx, "sealed");
  for (gsize i = 0; i < G_N_ELEMENTS (attempts); i++)
    {
      g_test_message ("sender's %s: errno %d", attempts[i],
                      attempt_errno (errnos, attempts[i]));
      g_assert_cmpint (attempt_errno (errnos, attempts[i]), ==, EPERM);
    }
  assert_holds (map, "sealed", sha256);

  /* Nothing left behind. */
  g_clear_object (&map);
  g_clear_object (&list);
  assert_memfd_use ("fdpass-sealed", 0, 0);
}

static void
test_dbus_unsealed (Fixture       *fx,
                    gconstpointer  user_data)
{
  g_autoptr(GUnixFDList) list = NULL;
  g_autoptr(MmapObject) map = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sha256 = NULL;
  gint32 index;

  list = get_buffer (fx, "unsealed", &index, &sha256);
  assert_memfd_use ("fdpass-unsealed", 0, 1);

  /* Refused, and nothing mapped or left open. */
  map = mmap_object_new_from_fd_list (list, index, MMAP_ACCESS_READ,
                                      MMAP_SEALS_SHRINK | MMAP_SEALS_WRITE,
                                      &error);
  g_assert_null (map);
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_SEALS_MISSING);
  g_assert_cmpint (mmap_error_get_errno (error), ==, EPERM);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "not sealed with SHRINK | WRITE"));
  g_assert_nonnull (strstr (error->message, "its seals: SEAL)"));
  g_clear_error (&error);
  assert_memfd_use ("fdpass-unsealed", 0, 1);

  /* A receiver that requires nothing maps it. */
  map = mmap_object_new_from_fd_list (list, index, MMAP_ACCESS_READ,
                                      MMAP_SEALS_NONE, &error);
  g_assert_no_error (error);
  assert_memfd_use ("fdpass-unsealed", 1, 2);
  assert_holds (map, "unsealed", sha256);
  g_assert_false (mmap_object_check_seals (map, MMAP_SEALS_SHRINK, &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_SEALS_MISSING);

  g_clear_object (&map);
  g_clear_object (&list);
  assert_memfd_use ("fdpass-unsealed", 0, 0);
}

static void
test_dbus_shrinkable (Fixture       *fx,
                      gconstpointer  user_data)
{
  g_autoptr(GUnixFDList) list = NULL;
  g_autoptr(MmapObject) map = NULL;
  g_autoptr(GVariant) errnos = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sha256 = NULL;
  g_autofree guint8 *expected = expected_data ("shrinkable");
  gsize page = mmap_get_page_size ();
  gint32 index;

  list = get_buffer (fx, "shrinkable", &index, &sha256);

  /* Sealed against growing only: a receiver that needs SHRINK refuses. */
  map = mmap_object_new_from_fd_list (list, index, MMAP_ACCESS_READ,
                                      MMAP_SEALS_SHRINK, &error);
  g_assert_null (map);
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_SEALS_MISSING);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "not sealed with SHRINK "
                                            "(its seals: GROW)"));
  g_clear_error (&error);
  map = mmap_object_new_from_fd_list (list, index, MMAP_ACCESS_READ,
                                      MMAP_SEALS_SHRINK | MMAP_SEALS_GROW,
                                      &error);
  g_assert_null (map);
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_SEALS_MISSING);
  g_clear_error (&error);
  assert_memfd_use ("fdpass-shrinkable", 0, 1);

  /* The seal it has is enough for a receiver that asks only for it. */
  map = mmap_object_new_from_fd_list (list, index, MMAP_ACCESS_READ,
                                      MMAP_SEALS_GROW, &error);
  g_assert_no_error (error);
  assert_holds (map, "shrinkable", sha256);
  g_clear_object (&map);

  /* What the seals would have prevented: a receiver that required
   * nothing sees the sender rewrite and shrink the memory under it. Its
   * reads past the new end are errors, not SIGBUS, thanks to the guard. */
  map = mmap_object_new_from_fd_list (list, index, MMAP_ACCESS_READ,
                                      MMAP_SEALS_NONE, &error);
  g_assert_no_error (error);
  assert_holds (map, "shrinkable", sha256);
  errnos = tamper (fx, "shrinkable");
  g_assert_cmpint (attempt_errno (errnos, "punch-hole"), ==, 0);
  g_assert_cmpint (attempt_errno (errnos, "write"), ==, 0);
  g_assert_cmpint (attempt_errno (errnos, "mmap-writable"), ==, 0);
  g_assert_cmpint (attempt_errno (errnos, "grow"), ==, EPERM);
  g_assert_cmpint (attempt_errno (errnos, "shrink"), ==, 0);

  bytes = mmap_object_get_slice (map, 0, 8, 1, &error);
  g_assert_no_error (error);
  mt_assert_bytes_eq (bytes, "EVIL\0\0\0\0", 8);
  g_clear_pointer (&bytes, g_bytes_unref);
  g_assert_cmpint (mmap_object_get_byte (map, (gssize) page, &error), ==,
                   expected[page]);
  g_assert_cmpint (mmap_object_get_byte (map, FDPASS_SIZE / 2 - 1, &error),
                   ==, expected[FDPASS_SIZE / 2 - 1]);
  g_assert_no_error (error);
  g_assert_cmpint (mmap_object_get_byte (map, FDPASS_SIZE - 1, &error), ==,
                   -1);
  g_assert_cmpint (mt_errno_from_error (error), ==, EIO);
  g_assert_nonnull (strstr (error->message, "SIGBUS"));
  g_clear_error (&error);
  bytes = mmap_object_get_slice (map, 0, FDPASS_SIZE, 1, &error);
  g_assert_null (bytes);
  g_assert_cmpint (mt_errno_from_error (error), ==, EIO);

  g_clear_object (&map);
  g_clear_object (&list);
  assert_memfd_use ("fdpass-shrinkable", 0, 0);
}

static void
test_dbus_peer_dies (Fixture       *fx,
                     gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) ret = NULL;
  g_autoptr(GTimer) timer = g_timer_new ();

  /* The peer exits in the middle of the call: the call fails when the
   * connection closes, long before its timeout. */
  ret = g_dbus_connection_call_sync (fx->connection, NULL,
                                     FDPASS_OBJECT_PATH, FDPASS_INTERFACE,
                                     "Exit", g_variant_new ("(i)", 3),
                                     NULL, G_DBUS_CALL_FLAGS_NONE,
                                     TIMEOUT_SECONDS * 1000, NULL, &error);
  g_assert_null (ret);
  g_assert_nonnull (error);
  g_test_message ("call to a dying peer: %s", error->message);
  g_assert_false (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT));
  g_assert_cmpfloat (g_timer_elapsed (timer, NULL), <, TIMEOUT_SECONDS / 2);
  g_clear_error (&error);

  fx->expected_status = 3;
}

/* ---------------------------------------------------------------------- */
/* A plain Unix socket and GUnixFDMessage: this process sends */

static void
socket_setup (Fixture       *fx,
              gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  int fd = spawn_peer (fx, "socket", SOCK_SEQPACKET);

  fx->socket = g_socket_new_from_fd (fd, &error);
  g_assert_no_error (error);
  /* Blocking calls fail with G_IO_ERROR_TIMED_OUT instead of hanging. */
  g_socket_set_timeout (fx->socket, TIMEOUT_SECONDS);
}

static void
socket_teardown (Fixture       *fx,
                 gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_socket_close (fx->socket, &error));
  g_assert_no_error (error);
  g_clear_object (&fx->socket);
  wait_peer (fx);
  g_clear_object (&fx->peer);
}

/* Sends @text, with @map's fd in a GUnixFDMessage when @map is given, and
 * returns the peer's answer split in at most @n_words words. */
static char **
request (Fixture    *fx,
         MmapObject *map,
         const char *text,
         int         n_words)
{
  g_autoptr(GError) error = NULL;
  GOutputVector out = { text, strlen (text) };
  char answer[1024];
  gssize len;

  if (map != NULL)
    {
      g_autoptr(GUnixFDList) list = g_unix_fd_list_new ();
      g_autoptr(GSocketControlMessage) message = NULL;

      g_assert_cmpint (mmap_object_append_to_fd_list (map, list, &error), ==,
                       0);
      g_assert_no_error (error);
      message = g_unix_fd_message_new_with_fd_list (list);
      len = g_socket_send_message (fx->socket, NULL, &out, 1, &message, 1,
                                   G_SOCKET_MSG_NONE, NULL, &error);
    }
  else
    len = g_socket_send (fx->socket, text, strlen (text), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (len, ==, (gssize) strlen (text));

  len = g_socket_receive (fx->socket, answer, sizeof answer - 1, NULL,
                          &error);
  g_assert_no_error (error);
  g_assert_cmpint (len, >, 0);
  answer[len] = '\0';
  g_test_message ("%s -> %s", text, answer);
  return g_strsplit (answer, " ", n_words);
}

/* A new memfd named @name holding the buffer of @kind, and its checksum. */
static MmapObject *
new_buffer (const char  *name,
            const char  *kind,
            char       **out_sha256)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *data = expected_data (kind);
  MmapObject *map = mmap_object_new_memfd (name, FDPASS_SIZE,
                                           MMAP_MEMFD_ALLOW_SEALING, &error);

  g_assert_no_error (error);
  g_assert_true (mmap_object_set_slice (map, 0, FDPASS_SIZE, 1, data,
                                        FDPASS_SIZE, &error));
  g_assert_no_error (error);
  *out_sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, data,
                                             FDPASS_SIZE);
  return map;
}

static void
test_socket_sealed (Fixture       *fx,
                    gconstpointer  user_data)
{
  g_autoptr(MmapObject) map = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sha256 = NULL;
  g_autofree char *seals = g_strdup_printf ("%u", ALL_SEALS);
  g_autofree char *length = g_strdup_printf ("%" G_GSIZE_FORMAT, FDPASS_SIZE);
  g_autofree char *text = NULL;
  g_auto(GStrv) answer = NULL;
  int fd;

  map = new_buffer ("fdpass-socket", "socket", &sha256);
  g_assert_true (mmap_object_seal_readonly (map, &error));
  g_assert_no_error (error);
  assert_memfd_use ("fdpass-socket", 1, 1);

  text = g_strdup_printf ("map fdpass-socket %u",
                          MMAP_SEALS_SHRINK | MMAP_SEALS_WRITE);
  answer = request (fx, map, text, 4);
  g_assert_cmpstr (answer[0], ==, "mapped");
  g_assert_cmpstr (answer[1], ==, seals);
  g_assert_cmpstr (answer[2], ==, sha256);
  g_assert_cmpstr (answer[3], ==, "1");
  g_clear_pointer (&answer, g_strfreev);

  /* The sender can no longer shrink or rewrite what it sent. */
  fd = mmap_object_dup_fd (map, &error);
  g_assert_no_error (error);
  g_assert_cmpint (fcntl (fd, F_GETFL) & O_ACCMODE, ==, O_RDWR);
  g_assert_cmpint (ftruncate (fd, FDPASS_SIZE / 2), ==, -1);
  g_assert_cmpint (errno, ==, EPERM);
  g_assert_cmpint (ftruncate (fd, 0), ==, -1);
  g_assert_cmpint (errno, ==, EPERM);
  g_assert_cmpint (pwrite (fd, "EVIL", 4, 0), ==, -1);
  g_assert_cmpint (errno, ==, EPERM);
  g_assert_cmpint (write (fd, "EVIL", 4), ==, -1);
  g_assert_cmpint (errno, ==, EPERM);
  g_assert_true (mmap (NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
                 == MAP_FAILED);
  g_assert_cmpint (errno, ==, EPERM);
  close (fd);
  g_assert_false (mmap_object_set_byte (map, 0, 'E', &error));
  g_assert_error (error, MMAP_ERROR, MMAP_ERROR_READ_ONLY);
  g_clear_error (&error);
  g_assert_false (mmap_object_resize (map, FDPASS_SIZE / 2, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  /* The receiver still reads what was sent, all of it. */
  answer = request (fx, NULL, "check fdpass-socket", 3);
  g_assert_cmpstr (answer[0], ==, "checked");
  g_assert_cmpstr (answer[1], ==, sha256);
  g_assert_cmpstr (answer[2], ==, length);
  g_clear_pointer (&answer, g_strfreev);

  /* What the request sent was closed here once sent. */
  assert_memfd_use ("fdpass-socket", 1, 1);
  g_clear_object (&map);
  assert_memfd_use ("fdpass-socket", 0, 0);
}

static void
test_socket_shrinkable (Fixture       *fx,
                        gconstpointer  user_data)
{
  g_autoptr(MmapObject) map = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sha256 = NULL;
  g_autofree char *code = g_strdup_printf ("%d", MMAP_ERROR_SEALS_MISSING);
  g_autofree char *text = NULL;
  g_auto(GStrv) answer = NULL;
  int fd;

  map = new_buffer ("fdpass-shrink", "socket", &sha256);
  g_assert_true (mmap_object_add_seals (map, MMAP_SEALS_GROW, &error));
  g_assert_no_error (error);

  /* Refused by a receiver that requires the seals, which maps nothing. */
  text = g_strdup_printf ("map fdpass-shrink %u",
                          MMAP_SEALS_SHRINK | MMAP_SEALS_WRITE);
  answer = request (fx, map, text, 4);
  g_assert_cmpstr (answer[0], ==, "refused");
  g_assert_cmpstr (answer[1], ==, code);
  g_assert_cmpstr (answer[2], ==, "0");
  g_assert_nonnull (strstr (answer[3], "not sealed with SHRINK | WRITE "
                                       "(its seals: GROW)"));
  g_clear_pointer (&answer, g_strfreev);

  /* Taken by one that requires nothing... */
  answer = request (fx, map, "map fdpass-shrink 0", 4);
  g_assert_cmpstr (answer[0], ==, "mapped");
  g_assert_cmpstr (answer[1], ==, "4");   /* MMAP_SEALS_GROW */
  g_assert_cmpstr (answer[2], ==, sha256);
  g_assert_cmpstr (answer[3], ==, "1");
  g_clear_pointer (&answer, g_strfreev);

  /* ...which the sender can then shrink under it: its reads fail (an
   * error from the guard, not a SIGBUS). */
  fd = mmap_object_dup_fd (map, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ftruncate (fd, FDPASS_SIZE / 2), ==, 0);
  close (fd);
  answer = request (fx, NULL, "check fdpass-shrink", 3);
  g_assert_cmpstr (answer[0], ==, "error");
  g_assert_cmpstr (answer[1], ==, G_STRINGIFY (EIO));
  g_assert_nonnull (strstr (answer[2], "SIGBUS"));
  g_clear_pointer (&answer, g_strfreev);

  assert_memfd_use ("fdpass-shrink", 1, 1);
  g_clear_object (&map);
  assert_memfd_use ("fdpass-shrink", 0, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/fdpass/dbus/sealed", Fixture, NULL, dbus_setup,
              test_dbus_sealed, dbus_teardown);
  g_test_add ("/fdpass/dbus/unsealed-refused", Fixture, NULL, dbus_setup,
              test_dbus_unsealed, dbus_teardown);
  g_test_add ("/fdpass/dbus/shrinkable-refused", Fixture, NULL, dbus_setup,
              test_dbus_shrinkable, dbus_teardown);
  g_test_add ("/fdpass/dbus/peer-dies", Fixture, NULL, dbus_setup,
              test_dbus_peer_dies, dbus_teardown);
  g_test_add ("/fdpass/socket/sealed", Fixture, NULL, socket_setup,
              test_socket_sealed, socket_teardown);
  g_test_add ("/fdpass/socket/shrinkable-refused", Fixture, NULL,
              socket_setup, test_socket_shrinkable, socket_teardown);

  return g_test_run ();
}
