/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-sync.c: update bundles station → kiosk and audit exports kiosk → station, with
 * real keys (ec-keys, fast test KDF), real SQLite files and the demo community. */
#define G_LOG_DOMAIN "test-sync"

#include <string.h>
#include <sqlite3.h>
#include <glib/gstdio.h>

#include "ec-test-kdf.h"
#include "ec-test-photo.h"
#include "ec-crypto.h"
#include "ec-db.h"
#include "ec-demo.h"
#include "ec-error.h"
#include "ec-init.h"
#include "ec-keys.h"
#include "ec-sync.h"

#define PASS "test sync passphrase"
#define N_RESIDENTS 40

static struct
{
  char         *dir;
  char         *keys;          /* community A: root, station 12, read key */
  char         *kiosk_keys;    /* the kiosk bundle of A (with read keys) */
  char         *no_read_keys;  /* the kiosk bundle of A without read keys */
  char         *other_keys;    /* community B: also a station 12 */
  char         *station_db;
  EcStationKey *station;       /* A's station 12 */
  EcStationKey *stranger;      /* B's station 12 */
  EcStationKey *uncertified;   /* a key that claims A's station 12, certified by B */
  EcReadKey    *read_key;      /* A's read key */
  EcReadKey    *other_read_key;
  EcKeyring    *ring;          /* what the kiosk trusts */
  guint         n_kiosks;
} T;

static const EcActor station_actor = { EC_ROLE_STAFF, "S0002" };
static const EcActor kiosk_actor = { EC_ROLE_RESPONDER, "kiosk-07" };

/* ------------------------------------------------------------------------- */

static char *
tmp_path (const char *name)
{
  return g_build_filename (T.dir, name, NULL);
}

static EcDb *
open_db (const char *path)
{
  g_autoptr(GError) error = NULL;
  EcDb *db = ec_db_open (path, EC_DB_OPEN_CREATE, &error);

  g_assert_no_error (error);
  return db;
}

/* A fresh, empty kiosk database. */
static EcDb *
new_kiosk_db (char **out_path)
{
  g_autofree char *name = g_strdup_printf ("kiosk-%u.db", ++T.n_kiosks);
  char *path = tmp_path (name);
  EcDb *db = open_db (path);

  if (out_path != NULL)
    *out_path = path;
  else
    g_free (path);
  return db;
}

static GBytes *
export_bytes (EcDb   *station_db,
              EcRole  role,
              guint64 *out_seq)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strdup_printf ("export-%u.ecbundle", g_random_int ());
  g_autofree char *path = tmp_path (name);
  EcSyncReport report = { 0 };
  char *data = NULL;
  gsize len = 0;

  g_assert_true (ec_sync_export_bundle (station_db, T.station, T.read_key, role, NULL, &station_actor,
                                        path, &report, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.n_residents, >, 0);
  if (out_seq != NULL)
    *out_seq = report.header.seq;
  ec_sync_report_clear (&report);
  g_assert_true (g_file_get_contents (path, &data, &len, &error));
  g_unlink (path);
  return g_bytes_new_take (data, len);
}

static gboolean
import_bytes (EcDb     *kiosk,
              GBytes   *bundle,
              GError  **error)
{
  EcSyncReport report = { 0 };
  gboolean ok = ec_sync_import_bundle_data (kiosk, T.ring, g_bytes_get_data (bundle, NULL),
                                            g_bytes_get_size (bundle), -1, &kiosk_actor, &report, error);
  ec_sync_report_clear (&report);
  return ok;
}

/* Every row of the tables a bundle replaces, as text: "nothing applied" means this
 * does not change. */
static char *
dump_data (const char *db_path)
{
  static const char *const queries[] = {
    "SELECT * FROM residents ORDER BY id",
    "SELECT resident_id, position, text, icd10, since, updated_at, updated_by FROM conditions ORDER BY resident_id, position",
    "SELECT resident_id, position, substance, category, criticality, reaction, severity, confirmed, updated_at, updated_by FROM allergies ORDER BY resident_id, position",
    "SELECT resident_id, position, name, dose, route, slots, schedule_text, updated_at, updated_by FROM medications ORDER BY resident_id, position",
    "SELECT resident_id, position, name, relation, phones, call_order, lives_nearby, updated_at, updated_by FROM contacts ORDER BY resident_id, position",
    "SELECT uid, resident_id, seq, status, issued_at, station_id, staff_id, status_changed_at, status_reason FROM cards ORDER BY uid",
    "SELECT * FROM sync_state ORDER BY station_id",
  };
  GString *out = g_string_new (NULL);
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  for (gsize q = 0; q < G_N_ELEMENTS (queries); q++)
    {
      sqlite3_stmt *st = NULL;
      int rc = sqlite3_prepare_v2 (db, queries[q], -1, &st, NULL);

      if (rc != SQLITE_OK)
        {
          /* sync_state does not exist before the first import. */
          g_string_append_printf (out, "[%s: %s]\n", queries[q], sqlite3_errmsg (db));
          continue;
        }
      while ((rc = sqlite3_step (st)) == SQLITE_ROW)
        {
          for (int c = 0; c < sqlite3_column_count (st); c++)
            {
              if (sqlite3_column_type (st, c) == SQLITE_BLOB)
                {
                  g_autofree char *sum = g_compute_checksum_for_data (G_CHECKSUM_SHA256, sqlite3_column_blob (st, c),
                                                                      (gsize) sqlite3_column_bytes (st, c));
                  g_string_append_printf (out, "%s|", sum);
                }
              else
                g_string_append_printf (out, "%s|", (const char *) sqlite3_column_text (st, c));
            }
          g_string_append_c (out, '\n');
        }
      g_assert_cmpint (rc, ==, SQLITE_DONE);
      sqlite3_finalize (st);
    }
  sqlite3_close (db);
  return g_string_free (out, FALSE);
}

static guint
count_rows (const char *db_path,
            const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  guint n;

  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &st, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
  n = (guint) sqlite3_column_int (st, 0);
  sqlite3_finalize (st);
  sqlite3_close (db);
  return n;
}

/* The station's residents as the kiosk should hold them (role-filtered), serialized
 * field by field without row ids. */
static GBytes *
serialize_resident (EcResident *r,
                    EcRole      role)
{
  g_autoptr(GPtrArray) one = g_ptr_array_new ();
  g_autoptr(GPtrArray) none = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  GBytes *b;

  if (role == EC_ROLE_RESPONDER)
    {
      g_clear_pointer (&r->notes, g_free);
      g_clear_pointer (&r->social_worker, g_free);
    }
  g_ptr_array_add (one, r);
  b = ec_sync_payload_build (one, none, &error);
  g_assert_no_error (error);
  return b;
}

static void
assert_same_residents (EcDb   *station_db,
                       EcDb   *kiosk,
                       EcRole  role)
{
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  guint64 n_station = 0, n_kiosk = 0;

  g_assert_true (ec_db_resident_count (station_db, &n_station, &error));
  g_assert_true (ec_db_resident_count (kiosk, &n_kiosk, &error));
  g_assert_cmpuint (n_station, ==, n_kiosk);
  g_assert_true (ec_db_resident_list (station_db, 0, 0, &list, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, n_station);
  for (guint i = 0; i < list->len; i++)
    {
      EcResidentSummary *s = g_ptr_array_index (list, i);
      g_autoptr(EcResident) a = NULL, b = NULL;
      g_autoptr(GBytes) ba = NULL, bb = NULL;
      EcActor kiosk_reader = { role, "kiosk-07" };

      g_assert_true (ec_db_get_resident (station_db, s->id, &station_actor, EC_DB_PURPOSE_EXPORT, NULL, &a, &error));
      g_assert_true (ec_db_get_resident (kiosk, s->id, &kiosk_reader, EC_DB_PURPOSE_CARD_TAP, NULL, &b, &error));
      g_assert_no_error (error);
      /* What a responder reads on screen: name, allergies, medications, contacts. */
      g_assert_cmpstr (a->name_zh, ==, b->name_zh);
      g_assert_cmpint (a->record_version, ==, b->record_version);
      g_assert_cmpint (a->allergy_status, ==, b->allergy_status);
      g_assert_cmpuint (a->allergies->len, ==, b->allergies->len);
      g_assert_cmpuint (a->medications->len, ==, b->medications->len);
      g_assert_cmpuint (a->contacts->len, ==, b->contacts->len);
      if (a->contacts->len > 0)
        g_assert_cmpstr (((EcContact *) g_ptr_array_index (a->contacts, 0))->phones[0], ==,
                         ((EcContact *) g_ptr_array_index (b->contacts, 0))->phones[0]);
      if (role == EC_ROLE_RESPONDER)
        {
          g_assert_null (b->notes);
          g_assert_null (b->social_worker);
        }
      else
        {
          g_assert_cmpstr (a->notes, ==, b->notes);
          g_assert_cmpstr (a->social_worker, ==, b->social_worker);
        }
      /* And every other field and entry, through the serialization. */
      ba = serialize_resident (a, role);
      bb = serialize_resident (b, role);
      g_assert_true (g_bytes_equal (ba, bb));
    }
}

static void
assert_same_cards (EcDb *station_db,
                   EcDb *kiosk)
{
  g_autoptr(GError) error = NULL;

  for (int s = EC_CARD_STATUS_ACTIVE; s <= EC_CARD_STATUS_PENDING; s++)
    {
      g_autoptr(GPtrArray) a = NULL, b = NULL;
      g_assert_true (ec_db_card_list_by_status (station_db, (EcCardStatus) s, &a, &error));
      g_assert_true (ec_db_card_list_by_status (kiosk, (EcCardStatus) s, &b, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (a->len, ==, b->len);
      for (guint i = 0; i < a->len; i++)
        {
          EcCardRecord *ca = g_ptr_array_index (a, i), *cb = g_ptr_array_index (b, i);
          g_assert_cmpstr (ca->uid_hex, ==, cb->uid_hex);
          g_assert_cmpuint (ca->resident_id, ==, cb->resident_id);
          g_assert_cmpuint (ca->seq, ==, cb->seq);
          g_assert_cmpint (ca->issued_at, ==, cb->issued_at);
          g_assert_cmpstr (ca->status_reason, ==, cb->status_reason);
        }
    }
}

/* ------------------------------------------------------------------------- */

static void
test_round_trip (void)
{
  g_autoptr(EcDb) station_db = open_db (T.station_db);
  g_autoptr(GError) error = NULL;
  g_autofree char *kiosk_path = NULL, *bundle_path = tmp_path ("round-trip.ecbundle");
  g_autoptr(EcDb) kiosk = new_kiosk_db (&kiosk_path);
  g_autoptr(GPtrArray) states = NULL;
  g_autoptr(GPtrArray) audit = NULL;
  EcSyncReport report = { 0 };
  EcAuditFilter filter = { .action = "sync-import" };
  GStatBuf sb;

  g_assert_true (ec_sync_export_bundle (station_db, T.station, T.read_key, EC_ROLE_RESPONDER, NULL,
                                        &station_actor, bundle_path, &report, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.n_residents, ==, N_RESIDENTS);
  g_assert_cmpuint (report.n_photos, ==, 1);
  g_assert_cmpuint (g_stat (bundle_path, &sb), ==, 0);
  g_assert_cmpint (sb.st_mode & 0777, ==, 0600);
  g_test_message ("bundle: %u residents, %u cards, %zu bytes", report.n_residents, report.n_cards, report.file_bytes);
  ec_sync_report_clear (&report);

  g_assert_true (ec_sync_import_bundle (kiosk, T.ring, bundle_path, EC_ROLE_RESPONDER, &kiosk_actor, &report, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.n_residents, ==, N_RESIDENTS);
  g_assert_cmpuint (report.n_replaced, ==, 0);
  g_assert_cmpuint (report.n_photos, ==, 1);
  ec_sync_report_clear (&report);

  assert_same_residents (station_db, kiosk, EC_ROLE_RESPONDER);
  assert_same_cards (station_db, kiosk);

  /* The kiosk knows what it applied, and its audit log says so. */
  g_assert_true (ec_sync_list_state (kiosk, &states, &error));
  g_assert_cmpuint (states->len, ==, 1);
  g_assert_cmpuint (((EcSyncState *) g_ptr_array_index (states, 0))->station_id, ==, 12);
  g_assert_true (ec_db_audit_list (kiosk, &filter, &audit, &error));
  g_assert_cmpuint (audit->len, ==, 1);
  g_assert_nonnull (strstr (((EcAuditEntry *) g_ptr_array_index (audit, 0))->detail, "station=12"));
  g_assert_true (ec_db_audit_verify (kiosk, NULL, NULL, &error));
  g_assert_no_error (error);
  /* Never staff accounts. */
  g_assert_cmpuint (count_rows (kiosk_path, "SELECT count(*) FROM staff"), ==, 0);
}

static void
test_nurse_round_trip (void)
{
  g_autoptr(EcDb) station_db = open_db (T.station_db);
  g_autoptr(EcDb) kiosk = new_kiosk_db (NULL);
  g_autoptr(GBytes) bundle = export_bytes (station_db, EC_ROLE_NURSE, NULL);
  g_autoptr(GError) error = NULL;
  EcSyncReport report = { 0 };

  /* A responder kiosk refuses a nurse bundle, and applies nothing. */
  g_assert_false (ec_sync_import_bundle_data (kiosk, T.ring, g_bytes_get_data (bundle, NULL), g_bytes_get_size (bundle),
                                              EC_ROLE_RESPONDER, &kiosk_actor, &report, &error));
  g_assert_error (error, EC_SYNC_ERROR, EC_SYNC_ERROR_WRONG_ROLE);
  g_clear_error (&error);
  ec_sync_report_clear (&report);
  g_assert_true (ec_sync_import_bundle_data (kiosk, T.ring, g_bytes_get_data (bundle, NULL), g_bytes_get_size (bundle),
                                             EC_ROLE_NURSE, &kiosk_actor, &report, &error));
  g_assert_no_error (error);
  ec_sync_report_clear (&report);
  assert_same_residents (station_db, kiosk, EC_ROLE_NURSE);
}

/* Station changes between bundles: an edit, a removal, a revocation. The next bundle
 * brings all three; an older one is refused. */
static void
test_update_and_rollback (void)
{
  g_autoptr(EcDb) station_db = open_db (T.station_db);
  g_autofree char *kiosk_path = NULL;
  g_autoptr(EcDb) kiosk = new_kiosk_db (&kiosk_path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GPtrArray) cards = NULL;
  g_autoptr(EcResident) r = NULL;
  g_autoptr(EcCardRecord) card = NULL;
  g_autoptr(GBytes) b1 = NULL, b2 = NULL;
  g_autofree char *before = NULL, *after = NULL;
  EcResidentId edited, removed;
  guint64 s1 = 0, s2 = 0, last = 0;

  b1 = export_bytes (station_db, EC_ROLE_RESPONDER, &s1);
  g_assert_true (import_bytes (kiosk, b1, &error));
  g_assert_no_error (error);

  g_assert_true (ec_db_resident_list (station_db, 0, 0, &list, &error));
  edited = ((EcResidentSummary *) g_ptr_array_index (list, 0))->id;
  removed = ((EcResidentSummary *) g_ptr_array_index (list, 1))->id;
  g_assert_true (ec_db_get_resident (station_db, edited, &station_actor, EC_DB_PURPOSE_EDIT, NULL, &r, &error));
  g_free (r->implants);
  r->implants = g_strdup ("心脏起搏器 (2026)");
  g_assert_true (ec_db_resident_update (station_db, r, &station_actor, &error));
  g_assert_true (ec_db_resident_remove (station_db, removed, &station_actor, "moved away", &error));
  g_assert_no_error (error);

  b2 = export_bytes (station_db, EC_ROLE_RESPONDER, &s2);
  g_assert_cmpuint (s2, >, s1);
  g_assert_true (ec_sync_last_export_seq (station_db, 12, &last, &error));
  g_assert_cmpuint (last, ==, s2);
  g_assert_true (import_bytes (kiosk, b2, &error));
  g_assert_no_error (error);
  assert_same_residents (station_db, kiosk, EC_ROLE_RESPONDER);
  assert_same_cards (station_db, kiosk);
  {
    gint64 v = 0;
    g_assert_true (ec_db_resident_exists (kiosk, removed, &v, &error));
    g_assert_cmpint (v, ==, 0);
    /* The removed resident's card is revoked on the kiosk too. */
    g_assert_true (ec_db_card_list_for_resident (kiosk, removed, &cards, &error));
    g_assert_cmpuint (cards->len, >, 0);
    for (guint i = 0; i < cards->len; i++)
      g_assert_cmpint (((EcCardRecord *) g_ptr_array_index (cards, i))->status, !=, EC_CARD_STATUS_ACTIVE);
  }

  /* Rollback: the older bundle (and the same one again) is refused, nothing applied. */
  before = dump_data (kiosk_path);
  g_assert_false (import_bytes (kiosk, b1, &error));
  g_assert_error (error, EC_SYNC_ERROR, EC_SYNC_ERROR_OLDER);
  g_test_message ("older: %s", error->message);
  g_clear_error (&error);
  g_assert_false (import_bytes (kiosk, b2, &error));
  g_assert_error (error, EC_SYNC_ERROR, EC_SYNC_ERROR_OLDER);
  g_clear_error (&error);
  after = dump_data (kiosk_path);
  g_assert_cmpstr (before, ==, after);
  {
    g_autoptr(EcResident) k = NULL;
    g_assert_true (ec_db_get_resident (kiosk, edited, &kiosk_actor, EC_DB_PURPOSE_CARD_TAP, NULL, &k, &error));
    g_assert_cmpstr (k->implants, ==, "心脏起搏器 (2026)");
  }
  /* The refusals are in the kiosk's audit log. */
  {
    g_autoptr(GPtrArray) refused = NULL;
    EcAuditFilter filter = { .action = "sync-refused" };
    g_assert_true (ec_db_audit_list (kiosk, &filter, &refused, &error));
    g_assert_cmpuint (refused->len, ==, 2);
    g_assert_cmpstr (((EcAuditEntry *) g_ptr_array_index (refused, 0))->reason, ==, "older");
  }
}

typedef struct
{
  const char  *name;
  EcSyncError  expect;
} RefuseCase;

static GBytes *
make_bad_bundle (const char *name,
                 GBytes     *good,
                 EcDb       *station_db)
{
  gsize len = 0;
  const guint8 *p = g_bytes_get_data (good, &len);
  g_autoptr(GError) error = NULL;
  guint8 *copy;

  if (g_str_equal (name, "tampered-ciphertext") || g_str_equal (name, "tampered-header")
      || g_str_equal (name, "tampered-signature"))
    {
      gsize at = g_str_equal (name, "tampered-ciphertext") ? EC_SYNC_BUNDLE_HEADER_BYTES + (len - EC_SYNC_BUNDLE_HEADER_BYTES - 64) / 2
                 : g_str_equal (name, "tampered-header") ? 27   /* the low byte of the seq */
                 : len - 10;
      copy = g_memdup2 (p, len);
      copy[at] ^= 0x01;
      return g_bytes_new_take (copy, len);
    }
  if (g_str_equal (name, "truncated-half"))
    return g_bytes_new (p, len / 2);
  if (g_str_equal (name, "truncated-last-byte"))
    return g_bytes_new (p, len - 1);
  if (g_str_equal (name, "truncated-header"))
    return g_bytes_new (p, 40);
  if (g_str_equal (name, "trailing-garbage"))
    {
      copy = g_malloc (len + 3);
      memcpy (copy, p, len);
      memcpy (copy + len, "xyz", 3);
      return g_bytes_new_take (copy, len + 3);
    }
  if (g_str_equal (name, "not-a-bundle"))
    return g_bytes_new_static ("PK\003\004 a zip file, not a bundle", 30);
  if (g_str_equal (name, "wrongly-signed") || g_str_equal (name, "wrong-community")
      || g_str_equal (name, "uncertified-station"))
    {
      /* Signed with a station key this kiosk's community never certified. */
      const EcStationKey *key = g_str_equal (name, "uncertified-station") ? T.uncertified : T.stranger;
      g_autoptr(GPtrArray) residents = g_ptr_array_new_with_free_func ((GDestroyNotify) ec_resident_free);
      g_autoptr(GPtrArray) cards = g_ptr_array_new ();
      g_autoptr(GBytes) payload = NULL;
      EcSyncHeader h = { .version = 1, .role = EC_ROLE_RESPONDER, .station_id = 12,
                         .signer_kid = key->cert->kid, .seq = 1000,
                         .created_at = g_get_real_time () / G_USEC_PER_SEC };
      g_autoptr(GPtrArray) list = NULL;
      EcResident *r = NULL;

      g_assert_true (ec_db_resident_list (station_db, 0, 1, &list, &error));
      g_assert_true (ec_db_get_resident (station_db, ((EcResidentSummary *) g_ptr_array_index (list, 0))->id,
                                         &station_actor, EC_DB_PURPOSE_EXPORT, NULL, &r, &error));
      g_free (r->name_zh);
      r->name_zh = g_strdup ("冒名顶替");
      g_ptr_array_add (residents, r);
      payload = ec_sync_payload_build (residents, cards, &error);
      g_assert_no_error (error);
      /* wrongly-signed / uncertified: the header claims OUR community; wrong-community:
       * an honest bundle of the other community. */
      h.community_kid = g_str_equal (name, "wrong-community") ? T.stranger->cert->root_kid
                                                             : T.station->cert->root_kid;
      return ec_sync_bundle_seal (&h, payload,
                                  g_str_equal (name, "wrong-community") ? T.other_read_key : T.read_key,
                                  key->sk, &error);
    }
  g_assert_not_reached ();
}

static void
test_refused (gconstpointer data)
{
  const RefuseCase *c = data;
  g_autoptr(EcDb) station_db = open_db (T.station_db);
  g_autofree char *kiosk_path = NULL;
  g_autoptr(EcDb) kiosk = new_kiosk_db (&kiosk_path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) good = NULL, first = NULL, bad = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(EcResident) r = NULL;
  g_autofree char *before = NULL, *after = NULL;

  /* The kiosk holds data already; the station changed since. */
  first = export_bytes (station_db, EC_ROLE_RESPONDER, NULL);
  g_assert_true (import_bytes (kiosk, first, &error));
  g_assert_no_error (error);
  g_assert_true (ec_db_resident_list (station_db, 0, 1, &list, &error));
  g_assert_true (ec_db_get_resident (station_db, ((EcResidentSummary *) g_ptr_array_index (list, 0))->id,
                                     &station_actor, EC_DB_PURPOSE_EDIT, NULL, &r, &error));
  g_free (r->comm_notes);
  r->comm_notes = g_strdup_printf ("changed for %s", c->name);
  g_assert_true (ec_db_resident_update (station_db, r, &station_actor, &error));
  good = export_bytes (station_db, EC_ROLE_RESPONDER, NULL);

  before = dump_data (kiosk_path);
  if (g_str_equal (c->name, "cannot-decrypt"))
    {
      /* A kiosk bundle without the read key: genuine, but it cannot open the data. */
      g_autoptr(EcKeyring) ring = ec_keyring_load (T.no_read_keys, &error);
      g_assert_no_error (error);
      g_assert_false (ec_sync_import_bundle_data (kiosk, ring, g_bytes_get_data (good, NULL), g_bytes_get_size (good),
                                                  -1, &kiosk_actor, NULL, &error));
    }
  else
    {
      bad = make_bad_bundle (c->name, good, station_db);
      g_assert_nonnull (bad);
      g_assert_false (import_bytes (kiosk, bad, &error));
    }
  g_assert_error (error, EC_SYNC_ERROR, (gint) c->expect);
  g_test_message ("%s → %s: %s", c->name, ec_sync_error_to_string (c->expect), error->message);
  after = dump_data (kiosk_path);
  g_assert_cmpstr (before, ==, after);

  /* And the good bundle still applies afterwards. */
  g_clear_error (&error);
  g_assert_true (import_bytes (kiosk, good, &error));
  g_assert_no_error (error);
  after = (g_free (after), dump_data (kiosk_path));
  g_assert_cmpstr (before, !=, after);
}

/* A revoked card in the bundle is revoked on the kiosk. */
static void
test_revoked_card (void)
{
  g_autoptr(EcDb) station_db = open_db (T.station_db);
  g_autoptr(EcDb) kiosk = new_kiosk_db (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) active = NULL;
  g_autoptr(EcCardRecord) before = NULL, after = NULL;
  g_autoptr(GBytes) b1 = NULL, b2 = NULL;
  g_autofree char *uid = NULL;

  b1 = export_bytes (station_db, EC_ROLE_RESPONDER, NULL);
  g_assert_true (import_bytes (kiosk, b1, &error));
  g_assert_true (ec_db_card_list_by_status (station_db, EC_CARD_STATUS_ACTIVE, &active, &error));
  g_assert_cmpuint (active->len, >, 0);
  uid = g_strdup (((EcCardRecord *) g_ptr_array_index (active, 0))->uid_hex);
  g_assert_true (ec_db_card_lookup (kiosk, uid, &before, &error));
  g_assert_cmpint (before->status, ==, EC_CARD_STATUS_ACTIVE);

  g_assert_true (ec_db_card_set_status (station_db, uid, EC_CARD_STATUS_REVOKED, "reported stolen", &station_actor, &error));
  b2 = export_bytes (station_db, EC_ROLE_RESPONDER, NULL);
  g_assert_true (import_bytes (kiosk, b2, &error));
  g_assert_no_error (error);
  g_assert_true (ec_db_card_lookup (kiosk, uid, &after, &error));
  g_assert_cmpint (after->status, ==, EC_CARD_STATUS_REVOKED);
  g_assert_cmpstr (after->status_reason, ==, "reported stolen");
}

static void
test_data_age (void)
{
  g_autoptr(EcDb) station_db = open_db (T.station_db);
  g_autoptr(EcDb) kiosk = new_kiosk_db (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = tmp_path ("aged.ecbundle");
  g_autofree char *text = NULL;
  EcSyncExportOptions eo;
  gint64 created = 0, age = 0, made = g_get_real_time () / G_USEC_PER_SEC - 60;
  gboolean stale = FALSE;

  g_assert_true (ec_sync_data_age (kiosk, made, &age, &created, &error));
  g_assert_cmpint (age, ==, -1);
  g_assert_cmpint (created, ==, 0);
  text = ec_sync_describe_age (age, 7, &stale);
  g_assert_true (stale);
  g_clear_pointer (&text, g_free);

  ec_sync_export_options_init (&eo);
  eo.now = made;
  g_assert_true (ec_sync_export_bundle (station_db, T.station, T.read_key, EC_ROLE_RESPONDER, &eo, &station_actor,
                                        path, NULL, &error));
  g_assert_true (ec_sync_import_bundle (kiosk, T.ring, path, -1, &kiosk_actor, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (ec_sync_data_age (kiosk, made + 3 * 86400 + 100, &age, &created, &error));
  g_assert_cmpint (created, ==, made);
  g_assert_cmpint (age, ==, 3 * 86400 + 100);
  text = ec_sync_describe_age (age, 7, &stale);
  g_assert_cmpstr (text, ==, "Data from 3 days ago");
  g_assert_false (stale);
  g_clear_pointer (&text, g_free);
  text = ec_sync_describe_age (age, 2, &stale);
  g_assert_true (stale);
  g_clear_pointer (&text, g_free);
  text = ec_sync_describe_age (3600 * 5, 7, &stale);
  g_assert_cmpstr (text, ==, "Data from 5 hours ago");
}

/* A USB stick: the newest *.ecbundle wins. */
static void
test_directory (void)
{
  g_autoptr(EcDb) station_db = open_db (T.station_db);
  g_autoptr(EcDb) kiosk = new_kiosk_db (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *usb = tmp_path ("usb");
  g_autofree char *empty = tmp_path ("usb-empty");
  g_autofree char *old = NULL, *new = NULL, *found = NULL;
  EcSyncReport report = { 0 };
  guint64 seq_new = 0;

  g_assert_cmpint (g_mkdir (usb, 0700), ==, 0);
  g_assert_cmpint (g_mkdir (empty, 0700), ==, 0);
  old = g_build_filename (usb, "b-old.ecbundle", NULL);
  new = g_build_filename (usb, "a-new.ecbundle", NULL);
  g_assert_true (ec_sync_export_bundle (station_db, T.station, T.read_key, EC_ROLE_RESPONDER, NULL, &station_actor,
                                        old, NULL, &error));
  g_assert_true (ec_sync_export_bundle (station_db, T.station, T.read_key, EC_ROLE_RESPONDER, NULL, &station_actor,
                                        new, &report, &error));
  seq_new = report.header.seq;
  ec_sync_report_clear (&report);
  {
    /* Make the ages unambiguous whatever the file system's time resolution. */
    g_autoptr(GFile) f = g_file_new_for_path (old);
    g_assert_true (g_file_set_attribute_uint64 (f, G_FILE_ATTRIBUTE_TIME_MODIFIED, 1000000000,
                                                G_FILE_QUERY_INFO_NONE, NULL, &error));
  }
  found = ec_sync_find_bundle (usb, &error);
  g_assert_cmpstr (found, ==, new);
  g_assert_true (ec_sync_import_bundle (kiosk, T.ring, usb, -1, &kiosk_actor, &report, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.header.seq, ==, seq_new);
  g_assert_cmpstr (report.path, ==, new);
  ec_sync_report_clear (&report);
  g_assert_false (ec_sync_import_bundle (kiosk, T.ring, empty, -1, &kiosk_actor, NULL, &error));
  g_assert_error (error, EC_SYNC_ERROR, EC_SYNC_ERROR_NO_BUNDLE);
}

/* ------------------------------------------------------------------------- */
/* Audit export and merge */

static guint
remote_rows (const char *station_path)
{
  return count_rows (station_path, "SELECT count(*) FROM remote_audit");
}

static void
test_audit_round_trip (void)
{
  g_autofree char *station_path = tmp_path ("audit-station.db");
  g_autoptr(EcDb) station_db = open_db (station_path);
  g_autoptr(EcDb) kiosk = new_kiosk_db (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *key = tmp_path ("kiosk-audit.key");
  g_autofree char *e1 = tmp_path ("k1.ecaudit"), *e2 = tmp_path ("k2.ecaudit");
  g_autoptr(GPtrArray) kiosk_log = NULL, station_log = NULL;
  EcAuditFilter filter = { .action = "sync-audit-import" };
  EcSyncAuditReport rep = { 0 };
  gint64 head = 0;
  guint8 head_hash[32];
  char hex[65];
  GStatBuf sb;

  for (int i = 0; i < 5; i++)
    g_assert_true (ec_db_audit_append (kiosk, &kiosk_actor, "card-refused", 0, "card-tap", NULL, "test", &error));
  g_assert_true (ec_sync_audit_export (kiosk, &kiosk_actor, key, 0, e1, &rep, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (key, &sb), ==, 0);
  g_assert_cmpint (sb.st_mode & 0777, ==, 0600);
  g_assert_cmpint (rep.first_seq, ==, 1);
  g_assert_cmpint (rep.last_seq, ==, 6);   /* 5 + the export's own entry */
  ec_sync_audit_report_clear (&rep);

  g_assert_true (ec_sync_audit_import (station_db, e1, &station_actor, &rep, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (rep.n_new, ==, 6);
  ec_sync_audit_report_clear (&rep);
  g_assert_cmpuint (remote_rows (station_path), ==, 6);

  /* More happens on the kiosk; the next export carries only what is new. */
  for (int i = 0; i < 3; i++)
    g_assert_true (ec_db_audit_append (kiosk, &kiosk_actor, "view", 0, "card-tap", NULL, NULL, &error));
  g_assert_true (ec_sync_audit_export (kiosk, &kiosk_actor, key, 0, e2, &rep, &error));
  g_assert_cmpint (rep.first_seq, ==, 7);
  ec_sync_audit_report_clear (&rep);
  g_assert_true (ec_sync_audit_import (station_db, e2, &station_actor, &rep, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (rep.n_new, ==, 4);
  ec_sync_audit_report_clear (&rep);
  /* The first export again: already there, identical, nothing new. */
  g_assert_true (ec_sync_audit_import (station_db, e1, &station_actor, &rep, &error));
  g_assert_cmpuint (rep.n_new, ==, 0);
  ec_sync_audit_report_clear (&rep);

  /* The station holds the kiosk's whole chain with the kiosk's hashes, and its own
   * log names the imported head. */
  g_assert_true (ec_db_audit_head (kiosk, &head, head_hash, &error));
  g_assert_cmpuint (remote_rows (station_path), ==, (guint) head);
  g_assert_true (ec_db_audit_list (kiosk, NULL, &kiosk_log, &error));
  {
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    guint i = 0;
    g_assert_cmpint (sqlite3_open_v2 (station_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT seq, action, hash FROM remote_audit WHERE kiosk_id = 'kiosk-07' ORDER BY seq",
                                         -1, &st, NULL), ==, SQLITE_OK);
    while (sqlite3_step (st) == SQLITE_ROW)
      {
        EcAuditEntry *e = g_ptr_array_index (kiosk_log, i++);
        g_assert_cmpint (sqlite3_column_int64 (st, 0), ==, e->seq);
        g_assert_cmpstr ((const char *) sqlite3_column_text (st, 1), ==, e->action);
        g_assert_cmpmem (sqlite3_column_blob (st, 2), 32, e->hash, 32);
      }
    g_assert_cmpuint (i, ==, kiosk_log->len);
    sqlite3_finalize (st);
    sqlite3_close (db);
  }
  g_assert_true (ec_db_audit_list (station_db, &filter, &station_log, &error));
  g_assert_cmpuint (station_log->len, ==, 2);
  for (int i = 0; i < 32; i++)
    g_snprintf (hex + 2 * i, 3, "%02x", head_hash[i]);
  g_assert_nonnull (strstr (((EcAuditEntry *) g_ptr_array_index (station_log, 1))->detail, hex));
  g_assert_true (ec_db_audit_verify (station_db, NULL, NULL, &error));
  g_assert_no_error (error);
}

static void
test_audit_refused (void)
{
  g_autofree char *station_path = tmp_path ("audit-refuse-station.db");
  g_autoptr(EcDb) station_db = open_db (station_path);
  g_autoptr(EcDb) kiosk = new_kiosk_db (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *key = tmp_path ("kiosk-audit-2.key"), *other_key = tmp_path ("impostor.key");
  g_autofree char *e1 = tmp_path ("r1.ecaudit"), *e2 = tmp_path ("r2.ecaudit");
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(EcSecret) sk = NULL, osk = NULL;
  guint8 pk[32], opk[32], zeros[32] = { 0 };
  char *data = NULL;
  gsize len = 0;
  guint rows;

  for (int i = 0; i < 4; i++)
    g_assert_true (ec_db_audit_append (kiosk, &kiosk_actor, "view", 0, "card-tap", NULL, "x", &error));
  g_assert_true (ec_sync_audit_export (kiosk, &kiosk_actor, key, 0, e1, NULL, &error));
  g_assert_true (ec_sync_audit_import (station_db, e1, &station_actor, NULL, &error));
  g_assert_no_error (error);
  rows = remote_rows (station_path);

  /* Tampered: one byte of an entry flipped. */
  g_assert_true (ec_db_audit_append (kiosk, &kiosk_actor, "view", 0, "card-tap", NULL, "y", &error));
  g_assert_true (ec_sync_audit_export (kiosk, &kiosk_actor, key, 0, e2, NULL, &error));
  g_assert_true (g_file_get_contents (e2, &data, &len, &error));
  data[len - 100] ^= 0x20;
  g_assert_false (ec_sync_audit_import_data (station_db, (guint8 *) data, len, &station_actor, NULL, &error));
  g_assert_error (error, EC_SYNC_ERROR, EC_SYNC_ERROR_BAD_SIGNATURE);
  g_clear_error (&error);
  /* Truncated. */
  g_assert_false (ec_sync_audit_import_data (station_db, (guint8 *) data, len / 2, &station_actor, NULL, &error));
  g_assert_true (g_error_matches (error, EC_SYNC_ERROR, EC_SYNC_ERROR_BAD_SIGNATURE)
                 || g_error_matches (error, EC_SYNC_ERROR, EC_SYNC_ERROR_TRUNCATED));
  g_clear_error (&error);
  g_free (data);

  /* An edited entry, re-signed with the kiosk's own key (someone with the kiosk's
   * files rewrote its log): the chain does not hold. */
  g_assert_true (ec_sync_kiosk_key_load (key, FALSE, &sk, pk, &error));
  g_assert_true (ec_db_audit_list (kiosk, NULL, &entries, &error));
  {
    EcAuditEntry *e = g_ptr_array_index (entries, 1);
    g_autoptr(GBytes) forged = NULL;
    g_free (e->detail);
    e->detail = g_strdup ("nothing to see");
    forged = ec_sync_audit_seal ("kiosk-07", sk, pk, entries, 1, zeros, 1790000000, &error);
    g_assert_no_error (error);
    g_assert_false (ec_sync_audit_import_data (station_db, g_bytes_get_data (forged, NULL), g_bytes_get_size (forged),
                                               &station_actor, NULL, &error));
    g_assert_error (error, EC_SYNC_ERROR, EC_SYNC_ERROR_AUDIT_TAMPERED);
    g_test_message ("edited: %s", error->message);
    g_clear_error (&error);
  }
  g_clear_pointer (&entries, g_ptr_array_unref);

  /* A gap: entries after the station's head left out. */
  for (int i = 0; i < 3; i++)
    g_assert_true (ec_db_audit_append (kiosk, &kiosk_actor, "view", 0, "card-tap", NULL, "z", &error));
  {
    g_autofree char *e3 = tmp_path ("r3.ecaudit");
    gint64 head = 0;
    guint8 hh[32];
    g_assert_true (ec_db_audit_head (kiosk, &head, hh, &error));
    g_assert_true (ec_sync_audit_export (kiosk, &kiosk_actor, key, head - 1, e3, NULL, &error));
    g_assert_false (ec_sync_audit_import (station_db, e3, &station_actor, NULL, &error));
    g_assert_error (error, EC_SYNC_ERROR, EC_SYNC_ERROR_AUDIT_GAP);
    g_test_message ("gap: %s", error->message);
    g_clear_error (&error);
  }

  /* Another key claiming to be this kiosk. */
  g_assert_true (ec_sync_kiosk_key_load (other_key, TRUE, &osk, opk, &error));
  g_assert_true (ec_db_audit_list (kiosk, NULL, &entries, &error));
  {
    g_autoptr(GBytes) impostor = ec_sync_audit_seal ("kiosk-07", osk, opk, entries, 1, zeros, 1790000000, &error);
    g_assert_false (ec_sync_audit_import_data (station_db, g_bytes_get_data (impostor, NULL), g_bytes_get_size (impostor),
                                               &station_actor, NULL, &error));
    g_assert_error (error, EC_SYNC_ERROR, EC_SYNC_ERROR_KIOSK_KEY);
    g_clear_error (&error);
  }
  g_assert_cmpuint (remote_rows (station_path), ==, rows);

  /* The whole log from 1 fills the gap and continues the chain. */
  {
    g_autofree char *all = tmp_path ("r4.ecaudit");
    EcSyncAuditReport rep = { 0 };
    g_assert_true (ec_sync_audit_export (kiosk, &kiosk_actor, key, 1, all, NULL, &error));
    g_assert_true (ec_sync_audit_import (station_db, all, &station_actor, &rep, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (rep.n_new, >, 0);
    ec_sync_audit_report_clear (&rep);
  }

  /* A secret key file others can read is refused. */
  g_assert_cmpint (g_chmod (key, 0644), ==, 0);
  g_clear_pointer (&sk, ec_secret_free);
  g_assert_false (ec_sync_kiosk_key_load (key, FALSE, &sk, pk, &error));
  g_assert_error (error, EC_KEY_ERROR, EC_KEY_ERROR_PERMISSIONS);
}

/* ------------------------------------------------------------------------- */

static void
setup (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EcSecret) pass = ec_secret_new_from ((const guint8 *) PASS, strlen (PASS));
  g_autoptr(EcDb) db = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(EcResident) r = NULL;
  g_autofree char *rk = NULL, *ork = NULL, *impostor_keys = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  T.dir = g_dir_make_tmp ("test-sync-XXXXXX", &error);
  g_assert_no_error (error);
  T.keys = tmp_path ("keys");
  T.kiosk_keys = tmp_path ("kiosk-keys");
  T.no_read_keys = tmp_path ("kiosk-keys-no-read");
  T.other_keys = tmp_path ("other-keys");
  impostor_keys = tmp_path ("impostor-keys");
  g_assert_true (ec_community_create (T.keys, pass, &error));
  g_assert_true (ec_station_add (T.keys, 12, "幸福里社区服务站", now - 86400, 365, pass, pass, &error));
  g_assert_true (ec_kiosk_bundle_export (T.keys, T.kiosk_keys, TRUE, &error));
  g_assert_true (ec_kiosk_bundle_export (T.keys, T.no_read_keys, FALSE, &error));
  g_assert_true (ec_community_create (T.other_keys, pass, &error));
  g_assert_true (ec_station_add (T.other_keys, 12, "幸福里社区服务站", now - 86400, 365, pass, pass, &error));
  g_assert_true (ec_community_create (impostor_keys, pass, &error));
  g_assert_true (ec_station_add (impostor_keys, 12, "幸福里社区服务站", now - 86400, 365, pass, pass, &error));
  g_assert_no_error (error);
  T.station = ec_station_key_unlock (T.keys, 12, pass, &error);
  T.stranger = ec_station_key_unlock (T.other_keys, 12, pass, &error);
  T.uncertified = ec_station_key_unlock (impostor_keys, 12, pass, &error);
  g_assert_no_error (error);
  rk = g_build_filename (T.keys, "community", "read.key", NULL);
  ork = g_build_filename (T.other_keys, "community", "read.key", NULL);
  T.read_key = ec_read_key_load (rk, &error);
  T.other_read_key = ec_read_key_load (ork, &error);
  T.ring = ec_keyring_load (T.kiosk_keys, &error);
  g_assert_no_error (error);

  T.station_db = tmp_path ("station.db");
  db = open_db (T.station_db);
  g_assert_true (ec_demo_generate (db, N_RESIDENTS, 11, &error));
  g_assert_no_error (error);
  /* One resident with a photo and notes. */
  g_assert_true (ec_db_resident_list (db, 0, 1, &list, &error));
  g_assert_true (ec_db_get_resident (db, ((EcResidentSummary *) g_ptr_array_index (list, 0))->id, &station_actor,
                                     EC_DB_PURPOSE_EDIT, NULL, &r, &error));
  r->photo = g_bytes_new_static (ec_test_png_1x1, sizeof ec_test_png_1x1);
  r->photo_mime = g_strdup ("image/png");
  g_free (r->notes);
  r->notes = g_strdup ("钥匙在邻居 502 家 (staff note)");
  g_assert_true (ec_db_resident_update (db, r, &station_actor, &error));
  g_assert_no_error (error);
}

static void
teardown (void)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", T.dir);

  ec_station_key_free (T.station);
  ec_station_key_free (T.stranger);
  ec_station_key_free (T.uncertified);
  ec_read_key_free (T.read_key);
  ec_read_key_free (T.other_read_key);
  ec_keyring_free (T.ring);
  if (system (cmd) != 0)
    g_warning ("could not remove %s", T.dir);
  g_free (T.dir);
  g_free (T.keys);
  g_free (T.kiosk_keys);
  g_free (T.no_read_keys);
  g_free (T.other_keys);
  g_free (T.station_db);
}

int
main (int    argc,
      char **argv)
{
  static const RefuseCase cases[] = {
    { "tampered-ciphertext", EC_SYNC_ERROR_BAD_SIGNATURE },
    { "tampered-header", EC_SYNC_ERROR_BAD_SIGNATURE },
    { "tampered-signature", EC_SYNC_ERROR_BAD_SIGNATURE },
    { "wrongly-signed", EC_SYNC_ERROR_UNKNOWN_SIGNER },
    { "uncertified-station", EC_SYNC_ERROR_UNKNOWN_SIGNER },
    { "wrong-community", EC_SYNC_ERROR_WRONG_COMMUNITY },
    { "truncated-half", EC_SYNC_ERROR_TRUNCATED },
    { "truncated-last-byte", EC_SYNC_ERROR_TRUNCATED },
    { "truncated-header", EC_SYNC_ERROR_TRUNCATED },
    { "trailing-garbage", EC_SYNC_ERROR_DAMAGED },
    { "not-a-bundle", EC_SYNC_ERROR_NOT_A_BUNDLE },
    { "cannot-decrypt", EC_SYNC_ERROR_CANNOT_DECRYPT },
  };
  int rc;

  ec_test_fast_kdf (TRUE);
  g_setenv ("LANGUAGE", "C", TRUE);
  g_test_init (&argc, &argv, NULL);
  ec_init ();
  setup ();

  g_test_add_func ("/ec/sync/bundle/round-trip", test_round_trip);
  g_test_add_func ("/ec/sync/bundle/nurse-round-trip", test_nurse_round_trip);
  g_test_add_func ("/ec/sync/bundle/update-and-rollback", test_update_and_rollback);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/ec/sync/bundle/refused/%s", cases[i].name);
      g_test_add_data_func (path, &cases[i], test_refused);
    }
  g_test_add_func ("/ec/sync/bundle/revoked-card", test_revoked_card);
  g_test_add_func ("/ec/sync/bundle/data-age", test_data_age);
  g_test_add_func ("/ec/sync/bundle/usb-directory", test_directory);
  g_test_add_func ("/ec/sync/audit/round-trip", test_audit_round_trip);
  g_test_add_func ("/ec/sync/audit/refused", test_audit_refused);

  rc = g_test_run ();
  teardown ();
  return rc;
}
