/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-kiosk-sync.c: a kiosk kept current by update bundles (docs/sync.md), as a person
 * sees it: the demo community's station exports, a fresh kiosk database imports, the
 * Waiting screen says how old the data is, and a card revoked at the station after
 * the first bundle is shown as revoked once the next bundle is in. Cards go through
 * the controller's card path (the same verification and lookup a tap runs). */
#define G_LOG_DOMAIN "test-kiosk-sync"

#include <string.h>

#include "ec-db.h"
#include "ec-init.h"
#include "ec-sync.h"
#include "kiosk-test-harness.h"

#define WAIT_MS 10000

static EcKioskHarness T;     /* no emulator: cards go in as image files */
static char *kiosk_db_path;
static char *kiosk_keys_dir;

static const EcActor station_actor = { EC_ROLE_STAFF, "S0002" };
static const EcActor importer = { EC_ROLE_ADMIN, "kiosk-admin" };

static void
assert_waiting_shows (const char *needle)
{
  if (!ec_test_wait_text (GTK_WIDGET (T.window), needle, WAIT_MS))
    {
      g_autofree char *text = ec_test_visible_text (GTK_WIDGET (T.window));
      g_error ("expected “%s” on the Waiting screen; it shows:\n%s", needle, text);
    }
}

/* The station exports a responder bundle; the kiosk imports it (as an administrator
 * would with `eldercard sync import`, on its own connection to the kiosk database). */
static void
station_to_kiosk (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EcSecret) pass = ec_secret_new_from ((const guint8 *) EC_DEMO_PASSPHRASE, strlen (EC_DEMO_PASSPHRASE));
  g_autofree char *keys = g_build_filename (T.demo->dir, "keys", NULL);
  g_autofree char *rk_path = g_build_filename (keys, "community", "read.key", NULL);
  g_autofree char *bundle = g_build_filename (T.dir, "update.ecbundle", NULL);
  g_autoptr(EcStationKey) station = ec_station_key_unlock (keys, 1, pass, &error);
  g_autoptr(EcReadKey) read_key = ec_read_key_load (rk_path, &error);
  g_autoptr(EcKeyring) ring = ec_keyring_load (kiosk_keys_dir, &error);
  g_autoptr(EcDb) station_db = ec_db_open (T.demo->db_path, EC_DB_OPEN_READ_WRITE, &error);
  g_autoptr(EcDb) kiosk_db = ec_db_open (kiosk_db_path, EC_DB_OPEN_READ_WRITE, &error);

  g_assert_no_error (error);
  g_assert_true (ec_sync_export_bundle (station_db, station, read_key, EC_ROLE_RESPONDER, NULL, &station_actor,
                                        bundle, NULL, &error));
  g_assert_true (ec_sync_import_bundle (kiosk_db, ring, bundle, EC_ROLE_RESPONDER, &importer, NULL, &error));
  g_assert_no_error (error);
}

static EcKioskResult *
tap (const char *file)
{
  g_autofree char *name = g_strconcat (file, ".tag", NULL);
  g_autofree char *path = g_build_filename (T.demo->dir, "cards", name, NULL);

  ec_kiosk_controller_clear (T.controller);
  ec_test_spin (20);
  ec_kiosk_controller_card_detected (T.controller);
  ec_kiosk_controller_submit_image_file (T.controller, path);
  g_assert_true (ec_kiosk_test_wait_settled (T.controller, WAIT_MS));
  ec_test_spin (30);
  return ec_kiosk_controller_get_result (T.controller);
}

static void
test_before_any_bundle (void)
{
  EcKioskResult *r;

  /* A fresh kiosk says so, and a genuine card finds no record. */
  assert_waiting_shows ("No data update received yet");
  r = tap ("01-valid-allergies");
  g_assert_cmpint (r->screen, ==, EC_KIOSK_SCREEN_PROBLEM);
  g_assert_cmpint (r->problem, !=, EC_KIOSK_PROBLEM_NONE);
}

static void
test_after_bundle (void)
{
  EcKioskResult *r;
  g_autofree char *text = NULL;

  station_to_kiosk ();
  /* Back to Waiting: the line is refreshed from the kiosk database. */
  ec_kiosk_controller_clear (T.controller);
  assert_waiting_shows ("Data from less than an hour ago");

  r = tap ("01-valid-allergies");
  g_assert_cmpint (r->screen, ==, EC_KIOSK_SCREEN_RECORD);
  g_assert_cmpint (r->problem, ==, EC_KIOSK_PROBLEM_NONE);
  g_assert_nonnull (r->resident);
  g_assert_cmpstr (r->resident->name_zh, ==, T.demo->cards[0].name);

  /* The card revoked at the station before the export is revoked here too. */
  r = tap ("06-revoked");
  g_assert_cmpint (r->screen, ==, EC_KIOSK_SCREEN_PROBLEM);
  g_assert_cmpint (r->problem, ==, EC_KIOSK_PROBLEM_REVOKED);
  text = ec_test_visible_text (GTK_WIDGET (T.window));
  g_assert_nonnull (strstr (text, "Card revoked"));
}

static void
test_revocation_travels (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) cards = NULL;
  g_autoptr(EcDb) station_db = NULL;
  EcKioskResult *r;
  const char *uid = NULL;

  /* Card 01 is lost and revoked at the station after the kiosk's last bundle. */
  station_db = ec_db_open (T.demo->db_path, EC_DB_OPEN_READ_WRITE, &error);
  g_assert_true (ec_db_card_list_for_resident (station_db, T.demo->cards[0].resident, &cards, &error));
  for (guint i = 0; i < cards->len; i++)
    if (((EcCardRecord *) g_ptr_array_index (cards, i))->status == EC_CARD_STATUS_ACTIVE)
      uid = ((EcCardRecord *) g_ptr_array_index (cards, i))->uid_hex;
  g_assert_nonnull (uid);
  g_assert_true (ec_db_card_set_status (station_db, uid, EC_CARD_STATUS_REVOKED, "reported stolen",
                                        &station_actor, &error));
  g_assert_no_error (error);
  g_clear_pointer (&station_db, ec_db_close);

  r = tap ("01-valid-allergies");
  g_assert_cmpint (r->screen, ==, EC_KIOSK_SCREEN_RECORD);   /* the kiosk does not know yet */

  station_to_kiosk ();
  r = tap ("01-valid-allergies");
  g_assert_cmpint (r->screen, ==, EC_KIOSK_SCREEN_PROBLEM);
  g_assert_cmpint (r->problem, ==, EC_KIOSK_PROBLEM_REVOKED);
  ec_kiosk_controller_clear (T.controller);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int rc;

  ec_kiosk_test_init (&argc, &argv, FALSE);
  ec_kiosk_harness_create_demo (&T, "test-kiosk-sync-XXXXXX", 60);
  kiosk_keys_dir = g_build_filename (T.demo->dir, "kiosk-keys", NULL);
  kiosk_db_path = g_build_filename (T.dir, "kiosk.db", NULL);
  {
    g_autoptr(EcDb) db = ec_db_open (kiosk_db_path, EC_DB_OPEN_CREATE, &error);
    g_assert_no_error (error);
  }

  T.config = ec_config_new ();
  g_free (T.config->db_path);
  T.config->db_path = g_strdup (kiosk_db_path);
  g_free (T.config->keys_dir);
  T.config->keys_dir = g_strdup (kiosk_keys_dir);
  g_free (T.config->kiosk_id);
  T.config->kiosk_id = g_strdup ("kiosk-07");
  T.config->max_age_days = 7;
  ec_kiosk_harness_open (&T, FALSE);

  g_test_add_func ("/ec/kiosk-sync/1-before-any-bundle", test_before_any_bundle);
  g_test_add_func ("/ec/kiosk-sync/2-after-bundle", test_after_bundle);
  g_test_add_func ("/ec/kiosk-sync/3-revocation-travels", test_revocation_travels);

  rc = g_test_run ();

  ec_kiosk_harness_close (&T, 100);
  g_free (kiosk_db_path);
  g_free (kiosk_keys_dir);
  return rc;
}
