/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-test-emu.h: start a private pn532-emu for one test (header-only; the reader
 * tests, the tear matrix and the benchmark include it).
 *
 *   g_autoptr(EcTestEmu) emu = ec_test_emu_start ("--tag", "ntag215", NULL);
 *   reader = ec_reader_new (emu->connstring);
 *   g_autofree char *answer = ec_test_emu_ctl (emu, "tear %u %s", k, mode);
 *
 * Each emulator lives in its own mktemp directory with its own link and control
 * socket (one emulator serves one libnfc client). */
#pragma once

#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>

typedef struct
{
  GSubprocess      *proc;
  GDataInputStream *out;
  char             *dir;
  char             *link;
  char             *ctl;
  char             *connstring;
} EcTestEmu;

static inline char *
ec_test_emu_path (void)
{
  const char *b = g_getenv ("EC_BUILD_DIR");
  return g_build_filename (b != NULL && *b ? b : EC_BUILD_DIR, "pn532-emu", NULL);
}

static inline void
ec_test_emu_free (EcTestEmu *emu)
{
  if (emu == NULL)
    return;
  if (emu->proc != NULL)
    {
      g_subprocess_send_signal (emu->proc, SIGTERM);
      g_subprocess_wait (emu->proc, NULL, NULL);
    }
  g_clear_object (&emu->out);
  g_clear_object (&emu->proc);
  if (emu->dir != NULL)
    {
      g_autoptr(GDir) d = g_dir_open (emu->dir, 0, NULL);
      const char *name;
      while (d != NULL && (name = g_dir_read_name (d)) != NULL)
        {
          g_autofree char *p = g_build_filename (emu->dir, name, NULL);
          g_unlink (p);
        }
      g_rmdir (emu->dir);
    }
  g_free (emu->dir);
  g_free (emu->link);
  g_free (emu->ctl);
  g_free (emu->connstring);
  g_free (emu);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EcTestEmu, ec_test_emu_free)

static inline void
ec_test_emu_child_setup (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

/* Arguments after --link/--control, NULL-terminated. */
static inline EcTestEmu *
ec_test_emu_start (const char *first_arg,
                   ...)
{
  EcTestEmu *emu = g_new0 (EcTestEmu, 1);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  va_list ap;
  const char *a;

  emu->dir = g_dir_make_tmp ("ec-emu-XXXXXX", &error);
  g_assert_no_error (error);
  emu->link = g_build_filename (emu->dir, "link", NULL);
  emu->ctl = g_build_filename (emu->dir, "ctl", NULL);
  emu->connstring = g_strdup_printf ("pn532_uart:%s", emu->link);

  g_ptr_array_add (argv, ec_test_emu_path ());
  g_ptr_array_add (argv, g_strdup ("--link"));
  g_ptr_array_add (argv, g_strdup (emu->link));
  g_ptr_array_add (argv, g_strdup ("--control"));
  g_ptr_array_add (argv, g_strdup (emu->ctl));
  va_start (ap, first_arg);
  for (a = first_arg; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (argv, g_strdup (a));
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  {
    g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
    /* The emulator must not outlive a test that aborts. */
    g_subprocess_launcher_set_child_setup (launcher, ec_test_emu_child_setup, NULL, NULL);
    emu->proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  }
  g_assert_no_error (error);
  emu->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (emu->proc));
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line (emu->out, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (line);
      if (strcmp (line, "ready") == 0)
        break;
    }
  return emu;
}

/* Send one control command; returns the answer line (g_free). Asserts it is "ok…"
 * unless the command is allowed to fail (ec_test_emu_ctl_raw). */
static inline char *
ec_test_emu_ctl_raw (EcTestEmu  *emu,
                     const char *command)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketAddress) addr = g_unix_socket_address_new (emu->ctl);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) conn = NULL;
  g_autoptr(GDataInputStream) in = NULL;
  g_autofree char *line = g_strdup_printf ("%s\n", command);
  char *answer;

  conn = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (addr), NULL, &error);
  g_assert_no_error (error);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)),
                             line, strlen (line), NULL, NULL, &error);
  g_assert_no_error (error);
  in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (conn)));
  answer = g_data_input_stream_read_line (in, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (answer);
  return answer;
}

G_GNUC_PRINTF (2, 3)
static inline char *
ec_test_emu_ctl (EcTestEmu  *emu,
                 const char *format,
                 ...)
{
  g_autofree char *command = NULL;
  char *answer;
  va_list ap;

  va_start (ap, format);
  command = g_strdup_vprintf (format, ap);
  va_end (ap);
  answer = ec_test_emu_ctl_raw (emu, command);
  if (!g_str_has_prefix (answer, "ok"))
    g_error ("emulator command '%s' failed: %s", command, answer);
  return answer;
}

/* The value of @key in a `stats` answer. */
static inline guint64
ec_test_emu_stat (const char *stats,
                  const char *key)
{
  g_autofree char *pat = g_strdup_printf (" %s=", key);
  const char *p = strstr (stats, pat);

  g_assert_nonnull (p);
  return g_ascii_strtoull (p + strlen (pat), NULL, 10);
}

/* The emulator's current card as a tag image (via `save`). */
static inline EcTagImage *
ec_test_emu_save (EcTestEmu *emu)
{
  g_autofree char *path = g_build_filename (emu->dir, "saved.tag", NULL);
  g_autofree char *answer = ec_test_emu_ctl (emu, "save %s", path);
  g_autoptr(GError) error = NULL;
  EcTagImage *image = ec_tag_image_load_file (path, &error);

  g_assert_no_error (error);
  g_unlink (path);
  return image;
}
