/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Hostile files in place of the ones the program reads: /dev/zero (endless), a FIFO
 * nobody writes to (would block forever), a file far larger than any real one. Every
 * reader refuses them at once, through ec_file_read_bounded(): each check below runs
 * in a child with an alarm, so a reader that blocks or grows without limit fails the
 * test instead of hanging it. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "ec-test-kdf.h"
#include "ec-config.h"
#include "ec-db.h"
#include "ec-error.h"
#include "ec-file.h"
#include "ec-init.h"
#include "ec-keys.h"
#include "ec-sync.h"
#include "ec-tag-image.h"

typedef gboolean (*Reader) (const char *path, GError **error);

static char *dir;

static gboolean
read_tag (const char *path, GError **error)
{
  g_autoptr(EcTagImage) img = ec_tag_image_load_file (path, error);
  return img != NULL;
}

static gboolean
read_config (const char *path, GError **error)
{
  g_autoptr(EcConfig) c = ec_config_new ();
  return ec_config_load_file (c, path, error);
}

static gboolean
read_checkpoint (const char *path, GError **error)
{
  g_autofree char *db_path = g_build_filename (dir, "cp.db", NULL);
  g_autoptr(EcDb) db = ec_db_open (db_path, EC_DB_OPEN_CREATE, error);
  return db != NULL && ec_db_audit_verify (db, path, NULL, error);
}

static gboolean
read_bundle (const char *path, GError **error)
{
  g_autofree char *db_path = g_build_filename (dir, "bundle.db", NULL);
  g_autofree char *keys = g_build_filename (dir, "keys", NULL);
  g_autoptr(EcDb) db = ec_db_open (db_path, EC_DB_OPEN_CREATE, error);
  g_autoptr(EcKeyring) ring = db != NULL ? ec_keyring_load (keys, error) : NULL;
  EcActor actor = { EC_ROLE_ADMIN, "test" };
  return ring != NULL && ec_sync_import_bundle (db, ring, path, -1, &actor, NULL, error);
}

static gboolean
read_station_key (const char *path, GError **error)
{
  /* path is stations/1.key inside the key directory, replaced by the hostile file. */
  g_autofree char *keys = g_build_filename (dir, "keys", NULL);
  g_autoptr(EcSecret) pass = ec_secret_new_from ((const guint8 *) "station passphrase 1", 20);
  g_autoptr(EcStationKey) key = ec_station_key_unlock (keys, 1, pass, error);
  return key != NULL;
}

static gboolean
read_plain (const char *path, GError **error)
{
  g_autofree char *data = NULL;
  return ec_file_read_bounded (path, 1024, 0, &data, NULL, error);
}

/* Run @reader on @path in a child with a 5 s alarm and 256 MiB of address space more
 * than it starts with; TRUE when it refused cleanly. */
static gboolean
refuses_quickly (Reader reader, const char *path)
{
  pid_t pid = fork ();
  int status = 0;

  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      GError *error = NULL;
      struct rlimit as = { 1024ul * 1024 * 1024, 1024ul * 1024 * 1024 };
      gboolean ok;

      alarm (5);
      (void) setrlimit (RLIMIT_AS, &as);
      ok = reader (path, &error);
      if (ok || error == NULL)
        _exit (2);
      g_printerr ("# %s: %s\n", path, error->message);
      _exit (0);
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  if (WIFSIGNALED (status))
    g_printerr ("# %s: killed by signal %d (blocked or ran out of memory)\n", path, WTERMSIG (status));
  return WIFEXITED (status) && WEXITSTATUS (status) == 0;
}

static void
make_fifo (const char *path)
{
  g_unlink (path);
  g_assert_cmpint (mkfifo (path, 0600), ==, 0);
}

static void
make_big (const char *path, gsize size)
{
  FILE *f = fopen (path, "w");
  g_assert_nonnull (f);
  g_assert_cmpint (ftruncate (fileno (f), (off_t) size), ==, 0);
  fclose (f);
}

static const struct
{
  const char *name;
  Reader      reader;
  gsize       too_big;   /* 0: no size test */
} readers[] = {
  { "tag-image", read_tag, 1024 * 1024 },
  { "config", read_config, 1024 * 1024 },
  { "checkpoint", read_checkpoint, 1024 * 1024 },
  { "bundle", read_bundle, 0 },
  { "station-key", read_station_key, 1024 * 1024 },
  { "plain", read_plain, 4096 },
};

static const char *
target (guint i)
{
  static char *paths[G_N_ELEMENTS (readers)];
  if (paths[i] == NULL)
    paths[i] = strcmp (readers[i].name, "station-key") == 0
      ? g_build_filename (dir, "keys", "stations", "1.key", NULL)
      : g_strdup_printf ("%s/hostile-%s", dir, readers[i].name);
  return paths[i];
}

static void
test_fifo (gconstpointer data)
{
  guint i = GPOINTER_TO_UINT (data);
  make_fifo (target (i));
  g_assert_true (refuses_quickly (readers[i].reader, target (i)));
}

static void
test_dev_zero (gconstpointer data)
{
  guint i = GPOINTER_TO_UINT (data);
  g_unlink (target (i));
  g_assert_cmpint (symlink ("/dev/zero", target (i)), ==, 0);
  g_assert_true (refuses_quickly (readers[i].reader, target (i)));
}

static void
test_too_big (gconstpointer data)
{
  guint i = GPOINTER_TO_UINT (data);
  if (readers[i].too_big == 0)
    return;
  g_unlink (target (i));
  make_big (target (i), readers[i].too_big);
  g_assert_true (refuses_quickly (readers[i].reader, target (i)));
}

static void
test_bounded_helper (void)
{
  g_autofree char *path = g_build_filename (dir, "ok.txt", NULL);
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;
  gsize len = 0;

  g_assert_true (g_file_set_contents (path, "hello", 5, NULL));
  g_assert_true (ec_file_read_bounded (path, 5, 0, &data, &len, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (len, ==, 5);
  g_assert_cmpstr (data, ==, "hello");
  g_clear_pointer (&data, g_free);
  g_assert_false (ec_file_read_bounded (path, 4, 0, &data, &len, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *keys = NULL;
  g_autoptr(EcSecret) rp = NULL;
  g_autoptr(EcSecret) sp = NULL;
  int rc;

  g_test_init (&argc, &argv, NULL);
  ec_init ();
  rp = ec_secret_new_from ((const guint8 *) "root passphrase for tests", 25);
  sp = ec_secret_new_from ((const guint8 *) "station passphrase 1", 20);
  ec_test_fast_kdf (TRUE);
  dir = g_dir_make_tmp ("ec-test-file-XXXXXX", &error);
  g_assert_no_error (error);
  keys = g_build_filename (dir, "keys", NULL);
  g_assert_true (ec_community_create (keys, rp, &error));
  g_assert_true (ec_station_add (keys, 1, "test", 1700000000, 3650, rp, sp, &error));
  g_assert_no_error (error);

  g_test_add_func ("/ec/file/bounded", test_bounded_helper);
  for (guint i = 0; i < G_N_ELEMENTS (readers); i++)
    {
      g_autofree char *p1 = g_strdup_printf ("/ec/file/fifo/%s", readers[i].name);
      g_autofree char *p2 = g_strdup_printf ("/ec/file/dev-zero/%s", readers[i].name);
      g_autofree char *p3 = g_strdup_printf ("/ec/file/too-big/%s", readers[i].name);
      g_test_add_data_func (p1, GUINT_TO_POINTER (i), test_fifo);
      g_test_add_data_func (p2, GUINT_TO_POINTER (i), test_dev_zero);
      if (readers[i].too_big != 0)
        g_test_add_data_func (p3, GUINT_TO_POINTER (i), test_too_big);
    }
  rc = g_test_run ();
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);
    if (system (cmd) != 0)
      g_printerr ("# cannot remove %s\n", dir);
  }
  return rc;
}
