/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Staff accounts, sign-in with lockout, sessions: against a real SQLite database. */
#include <string.h>
#include <glib/gstdio.h>
#include <sodium.h>

#include "ec-test-kdf.h"
#include "ec-db.h"
#include "ec-error.h"
#include "ec-init.h"
#include "ec-keys.h"
#include "ec-pin.h"
#include "ec-staff.h"

#define T0 G_GINT64_CONSTANT (1795000000)   /* a fixed "now" for the lockout clock */

typedef struct
{
  char     *dir;
  char     *path;
  EcDb     *db;
  EcPepper *pepper;
} Fixture;

static const EcActor cli_actor = { EC_ROLE_ADMIN, "cli:test" };

static void
fixture_setup (Fixture      *f,
               gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  guint8 key[EC_PEPPER_BYTES];

  ec_test_fast_kdf (TRUE);
  f->dir = g_dir_make_tmp ("ec-staff-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "station.db", NULL);
  f->db = ec_db_open (f->path, EC_DB_OPEN_CREATE, &error);
  g_assert_no_error (error);
  randombytes_buf (key, sizeof key);
  f->pepper = ec_pepper_new_from_data (key, sizeof key);
  sodium_memzero (key, sizeof key);

  g_assert_true (ec_staff_create (f->db, "A001", "李主任", EC_ROLE_ADMIN, "480915", f->pepper,
                                  &cli_actor, &error));
  g_assert_no_error (error);
  g_assert_true (ec_staff_create (f->db, "S0012", "张社工", EC_ROLE_STAFF, "730294", f->pepper,
                                  &cli_actor, &error));
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture      *f,
                  gconstpointer data)
{
  g_autofree char *wal = g_strconcat (f->path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (f->path, "-shm", NULL);

  ec_db_close (f->db);
  ec_pepper_free (f->pepper);
  g_unlink (f->path);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

/* How many audit entries @actor_id has with @action. */
static guint
count_audit (EcDb       *db,
             const char *actor_id,
             const char *action)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  EcAuditFilter filter = { 0 };

  filter.actor_id = actor_id;
  filter.action = action;
  g_assert_true (ec_db_audit_list (db, &filter, &entries, &error));
  g_assert_no_error (error);
  return entries->len;
}

static void
test_create (Fixture      *f,
             gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EcStaff) staff = NULL;
  g_autoptr(GPtrArray) list = NULL;
  gboolean have = FALSE;

  g_assert_true (ec_staff_have_admin (f->db, &have, &error));
  g_assert_true (have);

  /* Stored: a peppered Argon2id hash, never the PIN. */
  g_assert_true (ec_db_staff_get (f->db, "S0012", &staff, &error));
  g_assert_cmpint (staff->role, ==, EC_ROLE_STAFF);
  g_assert_cmpstr (staff->name, ==, "张社工");
  g_assert_true (g_str_has_prefix (staff->pin_hash, "$argon2id$"));
  g_assert_null (strstr (staff->pin_hash, "730294"));
  g_assert_cmpuint (count_audit (f->db, "cli:test", "staff-add"), ==, 2);

  g_assert_false (ec_staff_create (f->db, "S0012", "重复", EC_ROLE_STAFF, "730295", f->pepper,
                                   &cli_actor, &error));
  g_assert_error (error, EC_STAFF_ERROR, EC_STAFF_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_false (ec_staff_create (f->db, "S0013", "王社工", EC_ROLE_STAFF, "123456", f->pepper,
                                   &cli_actor, &error));
  g_assert_error (error, EC_STAFF_ERROR, EC_STAFF_ERROR_WEAK_PIN);
  g_clear_error (&error);
  g_assert_false (ec_staff_create (f->db, "S 13", "王社工", EC_ROLE_STAFF, "730295", f->pepper,
                                   &cli_actor, &error));
  g_assert_error (error, EC_STAFF_ERROR, EC_STAFF_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (ec_staff_create (f->db, "N01", "护士", EC_ROLE_NURSE, "730295", f->pepper,
                                   &cli_actor, &error));
  g_assert_error (error, EC_STAFF_ERROR, EC_STAFF_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (ec_staff_create (f->db, "S0014", "  ", EC_ROLE_STAFF, "730295", f->pepper,
                                   &cli_actor, &error));
  g_assert_error (error, EC_STAFF_ERROR, EC_STAFF_ERROR_INVALID);
  g_clear_error (&error);

  /* None of the refused ones was stored. */
  g_assert_true (ec_db_staff_list (f->db, &list, &error));
  g_assert_cmpuint (list->len, ==, 2);
}

static void
test_sign_in (Fixture      *f,
              gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EcStaffSession) s = NULL;
  g_autoptr(EcPepper) other = NULL;
  guint8 key[EC_PEPPER_BYTES] = { 1 };

  s = ec_staff_sign_in (f->db, f->pepper, "S0012", "730294", T0, &error);
  g_assert_no_error (error);
  g_assert_nonnull (s);
  g_assert_cmpstr (s->staff_id, ==, "S0012");
  g_assert_cmpstr (s->name, ==, "张社工");
  g_assert_cmpint (s->role, ==, EC_ROLE_STAFF);
  g_assert_cmpint (s->signed_in_at, ==, T0);
  g_assert_cmpuint (count_audit (f->db, "S0012", "staff-signin"), ==, 1);
  g_assert_true (ec_staff_sign_out (f->db, g_steal_pointer (&s), EC_STAFF_SIGN_OUT_USER, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_audit (f->db, "S0012", "staff-signout"), ==, 1);

  /* Wrong PIN. */
  g_assert_null (ec_staff_sign_in (f->db, f->pepper, "S0012", "730295", T0, &error));
  g_assert_error (error, EC_STAFF_ERROR, EC_STAFF_ERROR_WRONG_PIN);
  g_clear_error (&error);

  /* The right PIN with another device's pepper (a copied database): refused. */
  other = ec_pepper_new_from_data (key, sizeof key);
  g_assert_null (ec_staff_sign_in (f->db, other, "S0012", "730294", T0, &error));
  g_assert_error (error, EC_STAFF_ERROR, EC_STAFF_ERROR_WRONG_PIN);
  g_clear_error (&error);
  g_assert_cmpuint (count_audit (f->db, "S0012", "pin-failure"), ==, 2);

  /* Unknown staff id: refused and audited. */
  g_assert_null (ec_staff_sign_in (f->db, f->pepper, "S9999", "730294", T0, &error));
  g_assert_error (error, EC_STAFF_ERROR, EC_STAFF_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpuint (count_audit (f->db, "S9999", "signin-unknown-staff"), ==, 1);
  g_assert_null (ec_staff_sign_in (f->db, f->pepper, "'; DROP TABLE staff; --", "730294", T0, &error));
  g_assert_error (error, EC_STAFF_ERROR, EC_STAFF_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpuint (count_audit (f->db, "(invalid-id)", "signin-unknown-staff"), ==, 1);

  /* A correct sign-in resets the failure count. */
  s = ec_staff_sign_in (f->db, f->pepper, "S0012", "730294", T0, &error);
  g_assert_no_error (error);
  {
    g_autoptr(EcStaff) staff = NULL;
    g_assert_true (ec_db_staff_get (f->db, "S0012", &staff, &error));
    g_assert_cmpuint (staff->pin_failures, ==, 0);
  }
}

static EcStaffSession *
try_pin (Fixture    *f,
         EcDb       *db,
         const char *pin,
         gint64      now,
         gint        expect_code)
{
  g_autoptr(GError) error = NULL;
  EcStaffSession *s = ec_staff_sign_in (db, f->pepper, "S0012", pin, now, &error);

  if (expect_code < 0)
    {
      g_assert_no_error (error);
      g_assert_nonnull (s);
    }
  else
    {
      g_assert_null (s);
      g_assert_error (error, EC_STAFF_ERROR, expect_code);
      g_test_message ("%s", error->message);
    }
  return s;
}

static gint64
remaining (Fixture *f,
           gint64   now)
{
  g_autoptr(GError) error = NULL;
  gint64 wait = -1;

  g_assert_true (ec_staff_lockout_remaining (f->db, "S0012", now, &wait, &error));
  g_assert_no_error (error);
  return wait;
}

static void
test_lockout (Fixture      *f,
              gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EcDb) db2 = NULL;
  EcStaffSession *s;

  /* A second connection, as a second kiosk on the same station database: wrong PINs
   * on either count together. */
  db2 = ec_db_open (f->path, EC_DB_OPEN_READ_WRITE, &error);
  g_assert_no_error (error);

  for (guint i = 1; i <= 4; i++)
    {
      try_pin (f, (i % 2) ? f->db : db2, "111999", T0 + i, EC_STAFF_ERROR_WRONG_PIN);
      g_assert_cmpint (remaining (f, T0 + i), ==, 0);
    }
  g_assert_cmpuint (count_audit (f->db, "S0012", "staff-lockout"), ==, 0);

  /* The 5th wrong PIN locks sign-in for 30 s. */
  {
    g_autoptr(EcStaffSession) none = NULL;
    none = ec_staff_sign_in (f->db, f->pepper, "S0012", "111999", T0 + 5, &error);
    g_assert_null (none);
    g_assert_error (error, EC_STAFF_ERROR, EC_STAFF_ERROR_WRONG_PIN);
    g_assert_nonnull (strstr (error->message, "30 s"));
    g_clear_error (&error);
  }
  g_assert_cmpint (remaining (f, T0 + 5), ==, 30);
  g_assert_cmpint (remaining (f, T0 + 15), ==, 20);
  g_assert_cmpuint (count_audit (f->db, "S0012", "staff-lockout"), ==, 1);

  /* While locked, even the right PIN is refused without being checked, on either
   * kiosk, and that is audited too. */
  try_pin (f, f->db, "730294", T0 + 15, EC_STAFF_ERROR_LOCKED_OUT);
  try_pin (f, db2, "730294", T0 + 34, EC_STAFF_ERROR_LOCKED_OUT);
  g_assert_cmpuint (count_audit (f->db, "S0012", "signin-locked"), ==, 2);

  /* After the wait, another wrong PIN: the delay grows to 60 s, then 120 s. */
  try_pin (f, f->db, "111999", T0 + 35, EC_STAFF_ERROR_WRONG_PIN);
  g_assert_cmpint (remaining (f, T0 + 35), ==, 60);
  try_pin (f, f->db, "730294", T0 + 94, EC_STAFF_ERROR_LOCKED_OUT);
  try_pin (f, f->db, "111999", T0 + 95, EC_STAFF_ERROR_WRONG_PIN);
  g_assert_cmpint (remaining (f, T0 + 95), ==, 120);
  g_assert_cmpuint (count_audit (f->db, "S0012", "pin-failure"), ==, 7);
  g_assert_cmpuint (count_audit (f->db, "S0012", "staff-lockout"), ==, 3);

  /* Once the wait is over the right PIN signs in and clears the count. */
  s = try_pin (f, db2, "730294", T0 + 215, -1);
  ec_staff_session_free (s);
  g_assert_cmpint (remaining (f, T0 + 215), ==, 0);
  {
    g_autoptr(EcStaff) staff = NULL;
    g_assert_true (ec_db_staff_get (f->db, "S0012", &staff, &error));
    g_assert_cmpuint (staff->pin_failures, ==, 0);
    g_assert_cmpint (staff->pin_locked_until, ==, 0);
  }
  /* Another account was never affected. */
  s = ec_staff_sign_in (f->db, f->pepper, "A001", "480915", T0 + 5, &error);
  g_assert_no_error (error);
  ec_staff_session_free (s);

  /* The audit chain still verifies after all of it. */
  g_assert_true (ec_db_audit_verify (f->db, NULL, NULL, &error));
  g_assert_no_error (error);
}

static void
test_rehash (Fixture      *f,
             gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EcStaffSession) s = NULL;
  g_autoptr(EcStaff) staff = NULL;
  /* The fixture stored hashes at the test-only cost. The product's policy refuses
   * them even with the right PIN (a weakened hash in the database is not a PIN
   * check), and does not count it as a wrong PIN. */
  ec_test_fast_kdf (FALSE);
  s = ec_staff_sign_in (f->db, f->pepper, "A001", "480915", T0, &error);
  g_assert_null (s);
  g_assert_error (error, EC_STAFF_ERROR, EC_STAFF_ERROR_CRYPTO);
  g_clear_error (&error);
  /* An administrator sets a new PIN: hashed at the product's cost, and it works. */
  g_assert_true (ec_staff_set_pin (f->db, "A001", "480915", f->pepper, &cli_actor, &error));
  g_assert_no_error (error);
  g_assert_true (ec_db_staff_get (f->db, "A001", &staff, &error));
  g_assert_true (g_str_has_prefix (staff->pin_hash, "$argon2id$v=19$m=65536,t=2,p=1$"));
  s = ec_staff_sign_in (f->db, f->pepper, "A001", "480915", T0, &error);
  g_assert_no_error (error);
  g_assert_nonnull (s);
  ec_test_fast_kdf (TRUE);
}

static void
test_session (Fixture      *f,
              gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EcStaffSession) staff = NULL;
  g_autoptr(EcStaffSession) admin = NULL;
  EcActor actor;

  staff = ec_staff_sign_in (f->db, f->pepper, "S0012", "730294", T0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (staff->idle_timeout, ==, EC_STAFF_IDLE_TIMEOUT);

  /* Idle sign-out after 5 minutes without activity; activity postpones it. */
  g_assert_false (ec_staff_session_expired (staff, T0 + 299));
  g_assert_cmpint (ec_staff_session_remaining (staff, T0 + 299), ==, 1);
  g_assert_true (ec_staff_session_expired (staff, T0 + 300));
  ec_staff_session_touch (staff, T0 + 200);
  g_assert_false (ec_staff_session_expired (staff, T0 + 499));
  g_assert_true (ec_staff_session_expired (staff, T0 + 500));
  /* Touching with an older time does not roll activity back. */
  ec_staff_session_touch (staff, T0 + 100);
  g_assert_cmpint (staff->last_activity, ==, T0 + 200);
  /* A clock set back does not sign anyone out early, nor keep them in longer. */
  g_assert_false (ec_staff_session_expired (staff, T0 - 1000));
  g_assert_cmpint (ec_staff_session_remaining (staff, T0 - 1000), ==, 300);
  /* A kiosk may shorten it. */
  staff->idle_timeout = 60;
  g_assert_true (ec_staff_session_expired (staff, T0 + 260));

  /* Roles: staff may not reach administrator functions, an expired session nothing. */
  staff->idle_timeout = EC_STAFF_IDLE_TIMEOUT;
  g_assert_true (ec_staff_session_check (staff, EC_ROLE_STAFF, T0 + 201, &error));
  g_assert_false (ec_staff_session_check (staff, EC_ROLE_ADMIN, T0 + 201, &error));
  g_assert_error (error, EC_STAFF_ERROR, EC_STAFF_ERROR_NOT_ALLOWED);
  g_clear_error (&error);
  g_assert_false (ec_staff_session_check (staff, EC_ROLE_STAFF, T0 + 900, &error));
  g_assert_error (error, EC_STAFF_ERROR, EC_STAFF_ERROR_NOT_SIGNED_IN);
  g_clear_error (&error);
  g_assert_false (ec_staff_session_check (NULL, EC_ROLE_STAFF, T0, &error));
  g_assert_error (error, EC_STAFF_ERROR, EC_STAFF_ERROR_NOT_SIGNED_IN);
  g_clear_error (&error);

  admin = ec_staff_sign_in (f->db, f->pepper, "A001", "480915", T0, &error);
  g_assert_no_error (error);
  g_assert_true (ec_staff_session_check (admin, EC_ROLE_ADMIN, T0, &error));
  actor = ec_staff_session_actor (admin);
  g_assert_cmpint (actor.role, ==, EC_ROLE_ADMIN);
  g_assert_cmpstr (actor.id, ==, "A001");

  /* The idle sign-out is audited as such. */
  g_assert_true (ec_staff_sign_out (f->db, g_steal_pointer (&staff), EC_STAFF_SIGN_OUT_IDLE, &error));
  {
    g_autoptr(GPtrArray) entries = NULL;
    EcAuditFilter filter = { 0 };
    filter.actor_id = "S0012";
    filter.action = "staff-signout";
    g_assert_true (ec_db_audit_list (f->db, &filter, &entries, &error));
    g_assert_cmpuint (entries->len, ==, 1);
    g_assert_cmpstr (((EcAuditEntry *) entries->pdata[0])->detail, ==, "idle-timeout");
  }
}

/* A stand-in for the station key: 64 bytes of sodium_malloc memory whose wipe is
 * observed by the test. */
static guint wipes;

static void
wipe_key (gpointer key)
{
  wipes++;
  sodium_free (key);
}

static void
test_station_key (Fixture      *f,
                  gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  EcStaffSession *s;
  guint8 *key;

  wipes = 0;
  s = ec_staff_sign_in (f->db, f->pepper, "S0012", "730294", T0, &error);
  g_assert_no_error (error);
  g_assert_null (ec_staff_session_get_station_key (s));

  key = sodium_malloc (64);
  randombytes_buf (key, 64);
  g_assert_true (ec_staff_session_take_station_key (f->db, s, key, wipe_key, "kid=1a2b3c4d", &error));
  g_assert_no_error (error);
  g_assert_true (ec_staff_session_get_station_key (s) == key);
  g_assert_cmpuint (count_audit (f->db, "S0012", "station-key-unlock"), ==, 1);

  /* Signing out wipes it. */
  g_assert_true (ec_staff_sign_out (f->db, s, EC_STAFF_SIGN_OUT_USER, &error));
  g_assert_cmpuint (wipes, ==, 1);

  /* Freeing a session (e.g. the kiosk closing) wipes it as well. */
  s = ec_staff_sign_in (f->db, f->pepper, "S0012", "730294", T0, &error);
  g_assert_true (ec_staff_session_take_station_key (f->db, s, sodium_malloc (64), wipe_key, NULL, &error));
  ec_staff_session_forget_station_key (s);
  g_assert_cmpuint (wipes, ==, 2);
  g_assert_null (ec_staff_session_get_station_key (s));
  g_assert_true (ec_staff_session_take_station_key (f->db, s, sodium_malloc (64), wipe_key, NULL, &error));
  ec_staff_session_free (s);
  g_assert_cmpuint (wipes, ==, 3);
}

static void
rm_rf (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *child = g_build_filename (path, name, NULL);
        rm_rf (child);
      }
  g_remove (path);
}

static EcSecret *
secret (const char *text)
{
  return ec_secret_new_from ((const guint8 *) text, strlen (text));
}

/* The station key is unlocked once per sign-in, through ec-keys.h, and audited. */
static void
test_station_key_unlock (Fixture      *f,
                         gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EcSecret) root_pass = secret ("root passphrase kept offline");
  g_autoptr(EcSecret) station_pass = secret ("幸福里 station passphrase");
  g_autoptr(EcSecret) wrong = secret ("not the station passphrase");
  g_autofree char *keydir = g_build_filename (f->dir, "keys", NULL);
  EcStaffSession *s;
  const EcStationKey *key, *again;

  g_assert_true (ec_community_create (keydir, root_pass, &error));
  g_assert_no_error (error);
  g_assert_true (ec_station_add (keydir, 7, "幸福里社区服务站", T0 - 86400, 365, root_pass,
                                 station_pass, &error));
  g_assert_no_error (error);

  s = ec_staff_sign_in (f->db, f->pepper, "S0012", "730294", T0, &error);
  g_assert_no_error (error);
  g_assert_null (ec_staff_session_station_key (s));

  /* No passphrase yet: asked for. */
  g_assert_null (ec_staff_session_unlock_station_key (f->db, s, keydir, 7, NULL, T0, &error));
  g_assert_error (error, EC_KEY_ERROR, EC_KEY_ERROR_WRONG_PASSPHRASE);
  g_clear_error (&error);
  /* Wrong passphrase: refused and audited. */
  g_assert_null (ec_staff_session_unlock_station_key (f->db, s, keydir, 7, wrong, T0, &error));
  g_assert_error (error, EC_KEY_ERROR, EC_KEY_ERROR_WRONG_PASSPHRASE);
  g_clear_error (&error);
  g_assert_cmpuint (count_audit (f->db, "S0012", "station-key-unlock-failed"), ==, 1);

  key = ec_staff_session_unlock_station_key (f->db, s, keydir, 7, station_pass, T0 + 10, &error);
  g_assert_no_error (error);
  g_assert_nonnull (key);
  g_assert_cmpuint (key->cert->station_id, ==, 7);
  g_assert_cmpuint (key->sk->len, ==, EC_SIGN_SECRET_BYTES);
  g_assert_true (ec_staff_session_station_key (s) == key);
  g_assert_cmpuint (count_audit (f->db, "S0012", "station-key-unlock"), ==, 1);

  /* Once per sign-in: the next issue does not ask again. */
  again = ec_staff_session_unlock_station_key (f->db, s, keydir, 7, NULL, T0 + 20, &error);
  g_assert_no_error (error);
  g_assert_true (again == key);
  g_assert_cmpuint (count_audit (f->db, "S0012", "station-key-unlock"), ==, 1);

  /* After the idle timeout the session can no longer use it. */
  g_assert_null (ec_staff_session_unlock_station_key (f->db, s, keydir, 7, NULL,
                                                      T0 + 20 + EC_STAFF_IDLE_TIMEOUT, &error));
  g_assert_error (error, EC_STAFF_ERROR, EC_STAFF_ERROR_NOT_SIGNED_IN);
  g_clear_error (&error);

  /* Signing out wipes it (LSan/valgrind would see a leak otherwise). */
  g_assert_true (ec_staff_sign_out (f->db, s, EC_STAFF_SIGN_OUT_IDLE, &error));
  g_assert_no_error (error);

  /* A new sign-in asks again. */
  s = ec_staff_sign_in (f->db, f->pepper, "S0012", "730294", T0 + 1000, &error);
  g_assert_no_error (error);
  g_assert_null (ec_staff_session_station_key (s));
  g_assert_null (ec_staff_session_unlock_station_key (f->db, s, keydir, 7, NULL, T0 + 1000, &error));
  g_assert_error (error, EC_KEY_ERROR, EC_KEY_ERROR_WRONG_PASSPHRASE);
  g_clear_error (&error);
  ec_staff_session_free (s);

  rm_rf (keydir);
}

static void
test_set_pin (Fixture      *f,
              gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EcStaffSession) s = NULL;

  g_assert_true (ec_staff_set_pin (f->db, "S0012", "604817", f->pepper, &cli_actor, &error));
  g_assert_no_error (error);
  g_assert_null (ec_staff_sign_in (f->db, f->pepper, "S0012", "730294", T0, &error));
  g_assert_error (error, EC_STAFF_ERROR, EC_STAFF_ERROR_WRONG_PIN);
  g_clear_error (&error);
  s = ec_staff_sign_in (f->db, f->pepper, "S0012", "604817", T0, &error);
  g_assert_no_error (error);
  g_assert_false (ec_staff_set_pin (f->db, "S0012", "000000", f->pepper, &cli_actor, &error));
  g_assert_error (error, EC_STAFF_ERROR, EC_STAFF_ERROR_WEAK_PIN);
  g_clear_error (&error);
  g_assert_false (ec_staff_set_pin (f->db, "S7777", "604817", f->pepper, &cli_actor, &error));
  g_assert_error (error, EC_STAFF_ERROR, EC_STAFF_ERROR_NOT_FOUND);
  g_clear_error (&error);
}

static void
on_signed_in (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GAsyncResult **out = user_data;
  *out = g_object_ref (result);
}

/* The kiosk signs in off the UI thread: the main loop keeps running meanwhile. */
static void
test_sign_in_async (Fixture      *f,
                    gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EcStaffSession) s = NULL;
  GAsyncResult *result = NULL;
  char pin[] = "730294";

  ec_test_fast_kdf (FALSE);   /* the real cost, as on a kiosk */
  g_assert_true (ec_staff_set_pin (f->db, "S0012", "730294", f->pepper, &cli_actor, &error));
  ec_staff_sign_in_async (f->path, f->pepper, "S0012", pin, T0, NULL, on_signed_in, &result);
  memset (pin, 'x', 6);                     /* the caller's copy may go at once */
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  s = ec_staff_sign_in_finish (result, &error);
  g_clear_object (&result);
  g_assert_no_error (error);
  g_assert_cmpstr (s->staff_id, ==, "S0012");

  ec_staff_sign_in_async (f->path, f->pepper, "S0012", "999111", T0, NULL, on_signed_in, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (ec_staff_sign_in_finish (result, &error));
  g_clear_object (&result);
  g_assert_error (error, EC_STAFF_ERROR, EC_STAFF_ERROR_WRONG_PIN);
  ec_test_fast_kdf (TRUE);
}

/* The lockout cannot be raced: N attempts at once, each on its own connection (as N
 * kiosks or N `eldercard staff signin-test` would), and at most EC_PIN_FREE_ATTEMPTS
 * PINs are checked before the wait; every other attempt is refused unchecked. */
#define RACE_N 24

typedef struct
{
  const char     *path;
  const EcPepper *pepper;
  GMutex          lock;
  GCond           go;
  guint           ready;
  gboolean        start;
  guint           wrong, locked, other;
} Race;

static gpointer
race_thread (gpointer data)
{
  Race *r = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(EcDb) db = ec_db_open (r->path, EC_DB_OPEN_READ_WRITE, &error);
  g_autoptr(EcStaffSession) s = NULL;

  g_assert_no_error (error);
  g_mutex_lock (&r->lock);
  r->ready++;
  g_cond_broadcast (&r->go);
  while (!r->start)
    g_cond_wait (&r->go, &r->lock);
  g_mutex_unlock (&r->lock);

  s = ec_staff_sign_in (db, r->pepper, "S0012", "999111", T0, &error);
  g_mutex_lock (&r->lock);
  if (g_error_matches (error, EC_STAFF_ERROR, EC_STAFF_ERROR_WRONG_PIN))
    r->wrong++;
  else if (g_error_matches (error, EC_STAFF_ERROR, EC_STAFF_ERROR_LOCKED_OUT))
    r->locked++;
  else
    r->other++;
  g_mutex_unlock (&r->lock);
  return NULL;
}

static void
test_lockout_race (Fixture      *f,
                   gconstpointer data)
{
  Race r = { .path = f->path, .pepper = f->pepper };
  GThread *threads[RACE_N];
  g_autoptr(GError) error = NULL;
  g_autoptr(EcStaff) staff = NULL;

  g_mutex_init (&r.lock);
  g_cond_init (&r.go);
  for (guint i = 0; i < RACE_N; i++)
    threads[i] = g_thread_new ("signin", race_thread, &r);
  g_mutex_lock (&r.lock);
  while (r.ready < RACE_N)
    g_cond_wait (&r.go, &r.lock);
  r.start = TRUE;
  g_cond_broadcast (&r.go);
  g_mutex_unlock (&r.lock);
  for (guint i = 0; i < RACE_N; i++)
    g_thread_join (threads[i]);

  g_test_message ("%u PINs checked, %u refused as locked, %u other", r.wrong, r.locked, r.other);
  g_assert_cmpuint (r.other, ==, 0);
  g_assert_cmpuint (r.wrong, ==, EC_PIN_FREE_ATTEMPTS);
  g_assert_cmpuint (r.locked, ==, RACE_N - EC_PIN_FREE_ATTEMPTS);
  /* The audit log says the same. */
  g_assert_cmpuint (count_audit (f->db, "S0012", "pin-failure"), ==, EC_PIN_FREE_ATTEMPTS);
  g_assert_cmpuint (count_audit (f->db, "S0012", "staff-lockout"), ==, 1);
  g_assert_cmpuint (count_audit (f->db, "S0012", "signin-locked"), ==, RACE_N - EC_PIN_FREE_ATTEMPTS);
  g_assert_true (ec_db_staff_get (f->db, "S0012", &staff, &error));
  g_assert_cmpuint (staff->pin_failures, ==, EC_PIN_FREE_ATTEMPTS);
  /* And the right PIN is refused now, unchecked. */
  g_assert_null (ec_staff_sign_in (f->db, f->pepper, "S0012", "730294", T0 + 1, &error));
  g_assert_error (error, EC_STAFF_ERROR, EC_STAFF_ERROR_LOCKED_OUT);
  g_mutex_clear (&r.lock);
  g_cond_clear (&r.go);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  ec_init ();
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/ec/staff/create", test_create);
  ADD ("/ec/staff/sign-in", test_sign_in);
  ADD ("/ec/staff/lockout", test_lockout);
  ADD ("/ec/staff/lockout-race", test_lockout_race);
  ADD ("/ec/staff/weak-hash-refused", test_rehash);
  ADD ("/ec/staff/session", test_session);
  ADD ("/ec/staff/station-key", test_station_key);
  ADD ("/ec/staff/set-pin", test_set_pin);
  ADD ("/ec/staff/station-key-unlock", test_station_key_unlock);
  ADD ("/ec/staff/sign-in-async", test_sign_in_async);
  return g_test_run ();
}
