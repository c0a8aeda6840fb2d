/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-tap: one table of card situations, run through the tap service
 * (src/core/ec-tap.c) and through `eldercard card read --image` on a copy of the same
 * database: both must give the same verdict and write the same audit entry.
 *
 * Situations: the checked-in golden vectors (cards/vectors, an empty database), the
 * demo community's cards (valid, older than the record, forged, revoked, replaced,
 * not in the database, expired, damaged), and what a station does to a card after it
 * was written: reported lost, the resident removed, a newer record on the card than
 * in this database, no database (--no-db), a database that cannot be opened, a card
 * table that cannot be read, no keys. The English and the Chinese CLI output of every
 * shown card is checked for what a responder reads. */
#define G_LOG_DOMAIN "test-tap"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "ec-init.h"
#include "ec-tap.h"
#include "kiosk-demo-fixture.h"

#define VECTOR_NOW ((gint64) 1780000000)   /* 2026-05-28, as test-card.c */

typedef enum
{
  SETUP_NONE,
  SETUP_VECTOR,          /* cards/vectors: its keyring, an empty database, VECTOR_NOW */
  SETUP_LOST,            /* the card reported lost */
  SETUP_REMOVED,         /* the resident removed at the station */
  SETUP_NEWER,           /* the card carries a newer record version than the database */
  SETUP_NO_DB,           /* --no-db */
  SETUP_DB_UNAVAILABLE,  /* the database file cannot be opened */
  SETUP_LOOKUP_ERROR,    /* the card table cannot be read */
  SETUP_NO_KEYS,
} Setup;

typedef struct
{
  const char   *path;           /* the GTest path's last part */
  const char   *card;           /* demo card, or the vector's file name */
  Setup         setup;
  EcTapVerdict  verdict;
  const char   *reason_code;
  EcTapSource   source;
  guint         unchecked;
  const char   *audit_action;   /* NULL: no entry (no database to write to) */
  int           cli_exit;
  const char   *cli_says;       /* a regular expression over the CLI's English output */
} Situation;

#define ST EC_TAP_UNCHECKED_STATUS
#define SUM EC_TAP_UNCHECKED_SUMMARY

static const Situation situations[] = {
  /* The golden vectors. */
  { "vector/valid-ntag213", "valid-ntag213", SETUP_VECTOR, EC_TAP_NOT_IN_DATABASE, "not-found", EC_TAP_SOURCE_NONE, 0,
    "view-card-summary", 0, "not in this database.*\n(.|\n)*carries no summary" },
  { "vector/valid-ntag215", "valid-ntag215", SETUP_VECTOR, EC_TAP_NOT_IN_DATABASE, "not-found", EC_TAP_SOURCE_CARD_SUMMARY, 0,
    "view-card-summary", 0, "not in this database: showing the card's own summary(.|\n)*written on 2026-01-01" },
  { "vector/valid-ntag216", "valid-ntag216", SETUP_VECTOR, EC_TAP_NOT_IN_DATABASE, "not-found", EC_TAP_SOURCE_CARD_SUMMARY, 0,
    "view-card-summary", 0, "not in this database" },
  { "vector/bad-signature", "refused-bad-signature", SETUP_VECTOR, EC_TAP_NOT_GENUINE, "bad-signature", EC_TAP_SOURCE_NONE, 0,
    "card-refused", 1, "REFUSED: not genuine" },
  { "vector/damaged", "refused-damaged", SETUP_VECTOR, EC_TAP_DAMAGED, "damaged", EC_TAP_SOURCE_NONE, 0,
    "card-refused", 1, "REFUSED: damaged or unreadable" },
  { "vector/expired", "refused-expired", SETUP_VECTOR, EC_TAP_EXPIRED, "expired", EC_TAP_SOURCE_NONE, 0,
    "card-refused", 1, "REFUSED: expired" },
  { "vector/not-ours", "refused-not-ours", SETUP_VECTOR, EC_TAP_UNSUPPORTED, "not-ours", EC_TAP_SOURCE_NONE, 0,
    "card-refused", 1, "REFUSED: not an eldercard card" },
  { "vector/truncated", "refused-truncated", SETUP_VECTOR, EC_TAP_DAMAGED, "truncated", EC_TAP_SOURCE_NONE, 0,
    "card-refused", 1, "REFUSED: damaged or unreadable" },
  { "vector/uid-mismatch", "refused-uid-mismatch", SETUP_VECTOR, EC_TAP_NOT_GENUINE, "uid-mismatch", EC_TAP_SOURCE_NONE, 0,
    "card-refused", 1, "REFUSED: not genuine" },
  { "vector/unknown-key", "refused-unknown-key", SETUP_VECTOR, EC_TAP_NOT_GENUINE, "unknown-key", EC_TAP_SOURCE_NONE, 0,
    "card-refused", 1, "REFUSED: not genuine" },
  { "vector/unknown-version", "refused-unknown-version", SETUP_VECTOR, EC_TAP_DAMAGED, "unknown-version", EC_TAP_SOURCE_NONE, 0,
    "card-refused", 1, "REFUSED: damaged or unreadable" },
  { "vector/bad-sequence", "refused-bad-sequence", SETUP_VECTOR, EC_TAP_NOT_GENUINE, "bad-sequence", EC_TAP_SOURCE_NONE, 0,
    "card-refused", 1, "REFUSED: not genuine" },
  { "vector/not-yet-valid", "refused-not-yet-valid", SETUP_VECTOR, EC_TAP_NOT_GENUINE, "not-yet-valid", EC_TAP_SOURCE_NONE, 0,
    "card-refused", 1, "REFUSED: not genuine" },
  { "vector/contact-first", "valid-contact-first-ntag215", SETUP_VECTOR, EC_TAP_NOT_IN_DATABASE, "not-found",
    EC_TAP_SOURCE_CARD_SUMMARY, 0, "view-card-summary", 0, "1\\. 张三 \\(儿子\\) 13900000000" },
  { "vector/v2-contact-omitted", "valid-v2-contact-omitted-ntag215", SETUP_VECTOR, EC_TAP_NOT_IN_DATABASE, "not-found",
    EC_TAP_SOURCE_CARD_SUMMARY, 0, "view-card-summary", 0,
    "a contact is recorded but did not fit on the card" },
  { "vector/v2-no-contact", "valid-v2-no-contact-ntag215", SETUP_VECTOR, EC_TAP_NOT_IN_DATABASE, "not-found",
    EC_TAP_SOURCE_CARD_SUMMARY, 0, "view-card-summary", 0, "Emergency contacts: no contact recorded" },
  { "vector/v2-shortened", "valid-v2-shortened-ntag216", SETUP_VECTOR, EC_TAP_NOT_IN_DATABASE, "not-found",
    EC_TAP_SOURCE_CARD_SUMMARY, 0, "view-card-summary", 0,
    "𡈼 \\(shortened on the card\\)(.|\n)*买买提·艾力 \\(侄子（住在同一小区，平时每天上午来照看老人 \\(shortened on the card\\)\\) "
    "\\+86 138 0000 0000 转 8001 \\(白天\\)\n" },
  { "vector/summary-cannot-decrypt", "summary-cannot-decrypt", SETUP_VECTOR, EC_TAP_NOT_IN_DATABASE, "not-found",
    EC_TAP_SOURCE_NONE, SUM, "view-card-summary", 0, "summary cannot be read on this device" },
  { "vector/summary-no-read-key", "summary-no-read-key", SETUP_VECTOR, EC_TAP_NOT_IN_DATABASE, "not-found",
    EC_TAP_SOURCE_NONE, SUM, "view-card-summary", 0, "summary cannot be read on this device" },

  /* The demo community's cards. */
  { "demo/valid", "01-valid-allergies", SETUP_NONE, EC_TAP_RECORD, NULL, EC_TAP_SOURCE_DATABASE, 0,
    "view", 0, "Genuine card \\(seq 1, station 1\\)(.|\n)*!! " },
  { "demo/card-older", "04-valid-card-out-of-date", SETUP_NONE, EC_TAP_RECORD, NULL, EC_TAP_SOURCE_DATABASE, 0,
    "view", 0, "the card is older than the record" },
  { "demo/forged", "05-forged", SETUP_NONE, EC_TAP_NOT_GENUINE, "unknown-key", EC_TAP_SOURCE_NONE, 0,
    "card-refused", 1, "REFUSED: not genuine" },
  { "demo/revoked", "06-revoked", SETUP_NONE, EC_TAP_REVOKED, "revoked", EC_TAP_SOURCE_NONE, 0,
    "card-refused", 1, "REFUSED: revoked" },
  { "demo/replaced", "07-replaced", SETUP_NONE, EC_TAP_REPLACED, "replaced", EC_TAP_SOURCE_NONE, 0,
    "card-refused", 1, "REFUSED: replaced" },
  { "demo/not-in-database", "08-not-in-database", SETUP_NONE, EC_TAP_NOT_IN_DATABASE, "not-found",
    EC_TAP_SOURCE_CARD_SUMMARY, 0, "view-card-summary", 0, "not in this database: showing the card's own summary" },
  { "demo/expired", "09-expired", SETUP_NONE, EC_TAP_EXPIRED, "expired", EC_TAP_SOURCE_NONE, 0,
    "card-refused", 1, "REFUSED: expired" },
  { "demo/damaged", "10-damaged", SETUP_NONE, EC_TAP_DAMAGED, "truncated", EC_TAP_SOURCE_NONE, 0,
    "card-refused", 1, "REFUSED: damaged or unreadable" },

  /* What happened at the station after the card was written. */
  { "station/lost", "01-valid-allergies", SETUP_LOST, EC_TAP_LOST, "lost", EC_TAP_SOURCE_NONE, 0,
    "card-refused", 1, "REFUSED: reported lost" },
  { "station/removed", "01-valid-allergies", SETUP_REMOVED, EC_TAP_REMOVED, "removed", EC_TAP_SOURCE_CARD_SUMMARY, 0,
    "view-card-summary", 0, "record was removed at the station: showing the card's own summary" },
  { "station/card-newer", "newer", SETUP_NEWER, EC_TAP_RECORD, NULL, EC_TAP_SOURCE_DATABASE, 0,
    "view", 0, "this database is OLDER than the card(.|\n)*From the card:\n  Resuscitation: Full resuscitation"
    "(.|\n)*阿司匹林（新）(.|\n)*From this database \\(older\\):" },

  /* What this device could not do. */
  { "device/no-db", "01-valid-allergies", SETUP_NO_DB, EC_TAP_NO_DATABASE, "not-consulted", EC_TAP_SOURCE_CARD_SUMMARY,
    ST | EC_TAP_UNCHECKED_DATABASE, NULL, 0,
    "No database was consulted(.|\n)*revocation could not be checked \\(no database consulted\\)(.|\n)*written on" },
  { "device/database-unavailable", "01-valid-allergies", SETUP_DB_UNAVAILABLE, EC_TAP_DATABASE, "database-unavailable",
    EC_TAP_SOURCE_CARD_SUMMARY, ST, NULL, 0,
    "database cannot be read(.|\n)*revocation could not be checked" },
  { "device/lookup-error", "01-valid-allergies", SETUP_LOOKUP_ERROR, EC_TAP_RECORD, NULL, EC_TAP_SOURCE_DATABASE, ST,
    "view", 0, "revocation could not be checked(.|\n)*!! " },
  { "device/no-keys", "01-valid-allergies", SETUP_NO_KEYS, EC_TAP_NOT_SET_UP, "no-keys", EC_TAP_SOURCE_NONE, 0,
    "card-refused", 1, "eldercard: " },
};

static EcDemoFixture *demo;
static char *tmp;            /* the test's directory */
static char *vector_keys;    /* cards/vectors/keys with the key files' 0600 mode */
static char *newer_card;     /* 01's card with a newer record version */
static gint64 newer_version;

/* English enumeration words that must not reach a Chinese screen. */
static const char *const english_enums =
  "\\b(male|female|unknown|dnr|full|limited|high|low|none|at-risk|unable-to-assess|mild|moderate|severe"
  "|Born|Address|Medications|Allergies|Contacts|Sex|Blood type)\\b|\\(-\\)|- \\| - \\| -|age -1";

/* ------------------------------------------------------------------------- */

static char *
copy_file (const char *from,
           const char *name)
{
  g_autoptr(GFile) src = g_file_new_for_path (from);
  char *to = g_build_filename (tmp, name, NULL);
  g_autoptr(GFile) dst = g_file_new_for_path (to);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_copy (src, dst, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  return to;
}

static char *
card_path (const Situation *s)
{
  if (s->setup == SETUP_VECTOR)
    {
      g_autofree char *name = g_strconcat (s->card, ".tag", NULL);
      return g_build_filename (EC_SOURCE_DIR, "cards", "vectors", name, NULL);
    }
  if (s->setup == SETUP_NEWER)
    return g_strdup (newer_card);
  {
    g_autofree char *name = g_strconcat (s->card, ".tag", NULL);
    return g_build_filename (demo->dir, "cards", name, NULL);
  }
}

static const EcDemoCard *
demo_card_named (const char *file)
{
  for (guint i = 0; i < demo->n_cards; i++)
    if (g_str_equal (demo->cards[i].file, file))
      return &demo->cards[i];
  g_assert_not_reached ();
}

/* A fresh database for one run of @s (NULL path for SETUP_DB_UNAVAILABLE). */
static char *
prepare_db (const Situation *s,
            const char      *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EcDb) db = NULL;
  char *path;
  EcActor actor = { EC_ROLE_ADMIN, "test-tap" };

  if (s->setup == SETUP_DB_UNAVAILABLE)
    return g_build_filename (tmp, "no-such-dir", name, NULL);
  if (s->setup == SETUP_VECTOR)
    {
      path = g_build_filename (tmp, name, NULL);
      g_unlink (path);
      db = ec_db_open (path, EC_DB_OPEN_CREATE, &error);
      g_assert_no_error (error);
      return path;
    }
  path = copy_file (demo->db_path, name);
  db = ec_db_open (path, EC_DB_OPEN_READ_WRITE, &error);
  g_assert_no_error (error);
  if (s->setup == SETUP_LOST || s->setup == SETUP_REMOVED)
    {
      const EcDemoCard *c = demo_card_named (s->card);
      g_autofree char *tag = card_path (s);
      g_autoptr(EcTagImage) image = ec_tag_image_load_file (tag, &error);
      g_autofree char *uid = NULL;

      g_assert_no_error (error);
      uid = ec_tag_image_uid_hex (image);
      if (s->setup == SETUP_LOST)
        g_assert_true (ec_db_card_set_status (db, uid, EC_CARD_STATUS_LOST, "lost on the bus", &actor, &error));
      else
        g_assert_true (ec_db_resident_remove (db, c->resident, &actor, "moved away", &error));
      g_assert_no_error (error);
    }
  else if (s->setup == SETUP_LOOKUP_ERROR)
    {
      sqlite3 *raw = NULL;
      g_clear_pointer (&db, ec_db_close);
      g_assert_cmpint (sqlite3_open (path, &raw), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_exec (raw, "ALTER TABLE cards RENAME TO cards_unreadable", NULL, NULL, NULL), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_close (raw), ==, SQLITE_OK);
    }
  return path;
}

static EcKeyring *
load_ring (const Situation *s)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *kiosk_keys = g_build_filename (demo->dir, "kiosk-keys", NULL);
  EcKeyring *ring;

  if (s->setup == SETUP_NO_KEYS)
    return NULL;
  ring = ec_keyring_load (s->setup == SETUP_VECTOR ? vector_keys : kiosk_keys, &error);
  g_assert_no_error (error);
  return ring;
}

static GPtrArray *
audit_entries (const char *db_path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EcDb) db = ec_db_open (db_path, EC_DB_OPEN_READ_WRITE, &error);
  GPtrArray *entries = NULL;

  g_assert_no_error (error);
  g_assert_true (ec_db_audit_list (db, NULL, &entries, &error));
  g_assert_no_error (error);
  return entries;
}

/* The entry one tap added (or that it added none). */
static void
assert_one_audit_entry (const Situation *s,
                        const char      *db_path,
                        guint            before,
                        const char      *uid_hex,
                        const char      *who)
{
  g_autoptr(GPtrArray) after = NULL;
  const EcAuditEntry *e;

  if (s->setup == SETUP_DB_UNAVAILABLE || s->setup == SETUP_NO_DB)
    return;
  after = audit_entries (db_path);
  if (s->audit_action == NULL)
    {
      g_assert_cmpuint (after->len, ==, before);
      return;
    }
  if (after->len != before + 1)
    g_error ("%s (%s): %u audit entries written, want exactly 1", s->path, who, after->len - before);
  e = g_ptr_array_index (after, after->len - 1);
  g_assert_cmpstr (e->action, ==, s->audit_action);
  g_assert_cmpstr (e->purpose, ==, EC_DB_PURPOSE_CARD_TAP);
  if (g_str_equal (s->audit_action, "view"))
    {
      if (s->unchecked & EC_TAP_UNCHECKED_STATUS)
        g_assert_true (e->reason != NULL && strstr (e->reason, "card status not checked") != NULL);
    }
  else
    {
      g_assert_nonnull (e->detail);
      g_assert_nonnull (strstr (e->detail, ec_tap_verdict_to_string (s->verdict)));
      if (uid_hex != NULL)
        g_assert_nonnull (strstr (e->detail, uid_hex));
    }
}

static gint64
now_of (const Situation *s)
{
  return s->setup == SETUP_VECTOR ? VECTOR_NOW : g_get_real_time () / G_USEC_PER_SEC;
}

/* `eldercard card read --image` on @db_path in @language ("C" or "zh_CN"). */
static char *
run_cli (const Situation *s,
         const char      *db_path,
         const char      *language,
         int             *out_exit)
{
  g_autofree char *eldercard = g_build_filename (g_getenv ("EC_BUILD_DIR") != NULL ? g_getenv ("EC_BUILD_DIR")
                                                                                   : EC_BUILD_DIR, "eldercard", NULL);
  g_autofree char *card = card_path (s);
  g_autofree char *kiosk_keys = g_build_filename (demo->dir, "kiosk-keys", NULL);
  g_autofree char *no_keys = g_build_filename (tmp, "no-keys", NULL);
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_auto(GStrv) env = g_get_environ ();
  g_autoptr(GError) error = NULL;
  char *out = NULL, *err = NULL;
  int status = 0;

  g_ptr_array_add (args, eldercard);
  g_ptr_array_add (args, (gpointer) "card");
  g_ptr_array_add (args, (gpointer) "read");
  g_ptr_array_add (args, (gpointer) "--image");
  g_ptr_array_add (args, card);
  g_ptr_array_add (args, (gpointer) "--keys");
  g_ptr_array_add (args, s->setup == SETUP_VECTOR ? vector_keys : s->setup == SETUP_NO_KEYS ? no_keys : kiosk_keys);
  g_ptr_array_add (args, (gpointer) "--db");
  g_ptr_array_add (args, (gpointer) db_path);
  if (s->setup == SETUP_NO_DB)
    g_ptr_array_add (args, (gpointer) "--no-db");
  if (s->setup == SETUP_VECTOR)
    g_ptr_array_add (args, (gpointer) "--now=2026-05-28");
  g_ptr_array_add (args, NULL);
  env = g_environ_setenv (env, "LC_ALL", "C.UTF-8", TRUE);
  env = g_environ_setenv (env, "LANGUAGE", language, TRUE);
  env = g_environ_unsetenv (env, "ELDERCARD_DB");
  env = g_environ_unsetenv (env, "ELDERCARD_KEYS");
  g_assert_true (g_spawn_sync (NULL, (char **) args->pdata, env, G_SPAWN_DEFAULT, NULL, NULL,
                               &out, &err, &status, &error));
  g_assert_no_error (error);
  *out_exit = WIFEXITED (status) ? WEXITSTATUS (status) : -1;
  {
    char *all = g_strconcat (out, err, NULL);
    g_free (out);
    g_free (err);
    return all;
  }
}

/* ------------------------------------------------------------------------- */

static void
test_situation (gconstpointer data)
{
  const Situation *s = data;
  g_autofree char *db_name = g_strdelimit (g_strconcat (s->path, ".db", NULL), "/", '-');
  g_autofree char *cli_db_name = g_strconcat ("cli-", db_name, NULL);
  g_autofree char *db_path = prepare_db (s, db_name);
  g_autofree char *cli_db_path = prepare_db (s, cli_db_name);
  g_autofree char *card = card_path (s);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) db_error = NULL;
  g_autoptr(GError) ring_error = NULL;
  g_autoptr(EcTagImage) image = ec_tag_image_load_file (card, &error);
  g_autoptr(EcKeyring) ring = load_ring (s);
  g_autoptr(EcDb) db = NULL;
  g_autoptr(EcTapResult) r = NULL;
  g_autoptr(GPtrArray) before = NULL;
  g_autofree char *uid_hex = NULL;
  guint n_before = 0;
  int cli_exit = -1;

  g_assert_no_error (error);
  uid_hex = ec_tag_image_uid_hex (image);
  if (s->setup != SETUP_NO_DB)
    db = ec_db_open (db_path, EC_DB_OPEN_READ_WRITE, &db_error);
  if (s->setup != SETUP_DB_UNAVAILABLE && s->setup != SETUP_NO_DB)
    {
      g_assert_no_error (db_error);
      before = audit_entries (db_path);
      n_before = before->len;
    }
  if (ring == NULL)
    g_set_error_literal (&ring_error, EC_KEY_ERROR, EC_KEY_ERROR_NOT_FOUND, "no keys installed");

  /* The service. */
  {
    EcTapContext ctx = {
      .ring = ring, .ring_error = ring_error,
      .db = db, .db_error = db_error, .skip_db = s->setup == SETUP_NO_DB,
      .actor = { EC_ROLE_RESPONDER, "test-kiosk" }, .purpose = EC_DB_PURPOSE_CARD_TAP,
      .now = now_of (s),
    };
    r = ec_tap_card (&ctx, image);
  }
  g_test_message ("%s: %s (%s): %s", s->path, ec_tap_verdict_to_string (r->verdict), r->reason_code,
                  r->reason != NULL ? r->reason : "");
  g_assert_cmpstr (ec_tap_verdict_to_string (r->verdict), ==, ec_tap_verdict_to_string (s->verdict));
  g_assert_cmpstr (r->reason_code, ==, s->reason_code);
  g_assert_cmpint (r->source, ==, s->source);
  g_assert_cmphex (r->unchecked, ==, s->unchecked);
  g_assert_cmpstr (r->uid_hex, ==, uid_hex);
  g_assert_cmpint (ec_tap_verdict_is_refusal (r->verdict), ==, s->cli_exit == 1);
  if (ec_tap_verdict_is_refusal (r->verdict))
    g_assert_null (r->resident);   /* a refused card shows nothing about anyone */
  else if (s->source != EC_TAP_SOURCE_NONE)
    g_assert_nonnull (r->resident);
  if (s->setup == SETUP_NEWER)
    {
      g_assert_true (r->card_newer);
      g_assert_false (r->card_older);
      g_assert_cmpint (r->card_record_version, ==, newer_version);
    }
  if (g_str_equal (s->card, "04-valid-card-out-of-date"))
    g_assert_true (r->card_older);
  g_assert_cmpstr (r->audit_action, ==, s->audit_action);
  g_clear_pointer (&db, ec_db_close);
  assert_one_audit_entry (s, db_path, n_before, uid_hex, "service");

  /* The CLI: the same verdict, the same audit entry. */
  {
    g_autofree char *out = run_cli (s, cli_db_path, "C", &cli_exit);
    g_autoptr(GPtrArray) cli_before = NULL;

    g_test_message ("CLI:\n%s", out);
    g_assert_cmpint (cli_exit, ==, s->cli_exit);
    if (!g_regex_match_simple (s->cli_says, out, G_REGEX_MULTILINE, 0))
      g_error ("%s: the CLI does not say /%s/:\n%s", s->path, s->cli_says, out);
    if (s->setup != SETUP_NO_KEYS)
      assert_one_audit_entry (s, cli_db_path, n_before, uid_hex, "CLI");
  }

  /* In Chinese, a shown card has no English enumeration word. */
  if (!ec_tap_verdict_is_refusal (s->verdict) && s->setup != SETUP_NO_KEYS)
    {
      g_autofree char *db2 = prepare_db (s, "zh.db");
      g_autofree char *zh = run_cli (s, db2, "zh_CN", &cli_exit);
      g_autoptr(GMatchInfo) m = NULL;
      g_autoptr(GRegex) re = g_regex_new (english_enums, 0, 0, NULL);

      /* The technical reason (an SQLite or file error) is the system's, not ours. */
      const char *view = strchr (zh, '\n');   /* after the tag image's file name */

      g_assert_nonnull (view);
      if (s->setup != SETUP_DB_UNAVAILABLE && s->setup != SETUP_LOOKUP_ERROR && g_regex_match (re, view, 0, &m))
        {
          g_autofree char *word = g_match_info_fetch (m, 0);
          g_error ("%s: the Chinese output says \"%s\":\n%s", s->path, word, zh);
        }
      g_assert_cmpint (cli_exit, ==, 0);
    }
}

/* ------------------------------------------------------------------------- */

/* cards/vectors/keys as a key directory (git does not keep the 0600 mode). */
static void
make_vector_keys (void)
{
  static const char *files[] = { "community/root.pub", "community/read.key", "stations/7.cert" };

  vector_keys = g_build_filename (tmp, "vector-keys", NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *from = g_build_filename (EC_SOURCE_DIR, "cards", "vectors", "keys", files[i], NULL);
      g_autofree char *to = g_build_filename (vector_keys, files[i], NULL);
      g_autofree char *dir = g_path_get_dirname (to);
      g_autofree char *bytes = NULL;
      gsize len = 0;

      g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
      g_assert_true (g_file_get_contents (from, &bytes, &len, NULL));
      g_assert_true (g_file_set_contents_full (to, bytes, (gssize) len, G_FILE_SET_CONTENTS_NONE, 0600, NULL));
    }
}

/* Card 01 again, as the station would write it after a change this database never
 * received: full resuscitation, one more allergy, a newer record version. */
static void
make_newer_card (void)
{
  g_autofree char *keys = g_build_filename (demo->dir, "keys", NULL);
  g_autofree char *from = g_build_filename (demo->dir, "cards", "01-valid-allergies.tag", NULL);
  g_autoptr(EcSecret) pass = ec_secret_new_from ((const guint8 *) EC_DEMO_PASSPHRASE, strlen (EC_DEMO_PASSPHRASE));
  g_autoptr(EcStationKey) station = NULL;
  g_autoptr(EcKeyring) ring = NULL;
  g_autoptr(EcTagImage) image = NULL, newer = NULL;
  g_autoptr(EcCard) card = NULL;
  g_autoptr(EcCardSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  EcCardHeader h;

  station = ec_station_key_unlock (keys, 1, pass, &error);
  g_assert_no_error (error);
  ring = ec_keyring_load (keys, &error);
  g_assert_no_error (error);
  image = ec_tag_image_load_file (from, &error);
  g_assert_no_error (error);
  g_assert_true (ec_card_verify (image, ring, g_get_real_time () / G_USEC_PER_SEC, &card, &error));
  summary = ec_card_summary_copy (card->summary);
  summary->record_version += 3;
  summary->dnr = EC_DNR_FULL_RESUSCITATION;
  ec_card_summary_add_allergy (summary, "阿司匹林（新）", EC_CRITICALITY_HIGH);
  newer_version = summary->record_version;
  h = card->header;
  h.issued_at += 86400;
  g_assert_true (ec_card_encode (card->type, card->uid, &h, summary, station, ec_keyring_current_read_key (ring),
                                 &newer, &error));
  g_assert_no_error (error);
  newer_card = g_build_filename (tmp, "newer.tag", NULL);
  g_assert_true (ec_tag_image_save_file (newer, newer_card, &error));
  g_assert_no_error (error);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *demo_dir = NULL;
  int rc;

  g_test_init (&argc, &argv, NULL);
  ec_init ();
  tmp = g_dir_make_tmp ("test-tap-XXXXXX", &error);
  g_assert_no_error (error);
  demo_dir = g_build_filename (tmp, "demo", NULL);
  demo = ec_demo_fixture_create (demo_dir, 60, &error);
  g_assert_no_error (error);
  make_vector_keys ();
  make_newer_card ();

  for (gsize i = 0; i < G_N_ELEMENTS (situations); i++)
    {
      g_autofree char *path = g_strconcat ("/ec/tap/", situations[i].path, NULL);
      g_test_add_data_func (path, &situations[i], test_situation);
    }
  rc = g_test_run ();

  g_clear_pointer (&demo, ec_demo_fixture_free);
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmp);
    if (system (cmd) != 0)
      g_warning ("could not remove %s", tmp);
  }
  g_free (tmp);
  g_free (vector_keys);
  g_free (newer_card);
  return rc;
}
