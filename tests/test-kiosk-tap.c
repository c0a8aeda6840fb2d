/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-kiosk-tap: what a responder sees after a tap is never stale, cut or empty
 * without saying so (issue 21) — each case through the kiosk (controller and window,
 * the visible labels) AND through `eldercard card read --image` on the same card and
 * database: a card newer than this kiosk's record, a card-only view with dropped lists
 * and a contact without a number, the card's own date, a revocation that could not be
 * checked, a resident removed at the station, the QR code of an extension, everything
 * the record shows also in the CLI, and no English enumeration word in Chinese. Runs
 * under xvfb-run. */
#define G_LOG_DOMAIN "test-kiosk-tap"

#include <glib/gstdio.h>
#include <string.h>

#include "ec-db.h"
#include "ec-record-view.h"
#include "kiosk-test-harness.h"

#define CARD_MS 10000

static EcKioskHarness T;

/* ------------------------------------------------------------------------- */
/* Cards and databases for the cases */

static char *
tmp_path (const char *name)
{
  return g_build_filename (T.dir, name, NULL);
}

/* Encode @summary for @resident_id with the demo station's key into DIR/@name. */
static char *
write_card (const char          *name,
            EcResidentId         resident_id,
            guint16              seq,
            guint8               uid_last,
            gint64               issued_at,
            const EcCardSummary *summary)
{
  g_autofree char *keys = g_build_filename (T.demo->dir, "keys", NULL);
  g_autoptr(EcSecret) pass = ec_secret_new_from ((const guint8 *) EC_DEMO_PASSPHRASE, strlen (EC_DEMO_PASSPHRASE));
  g_autoptr(GError) error = NULL;
  g_autoptr(EcStationKey) station = ec_station_key_unlock (keys, 1, pass, &error);
  g_autoptr(EcKeyring) ring = NULL;
  g_autoptr(EcTagImage) image = NULL;
  EcCardHeader h = { .resident_id = resident_id, .card_seq = seq, .issued_at = issued_at };
  const guint8 uid[EC_TAG_UID_BYTES] = { 0x04, 0x7a, 0x90, 0x00, 0x00, 0x21, uid_last };
  char *path = tmp_path (name);

  g_assert_no_error (error);
  ring = ec_keyring_load (keys, &error);
  g_assert_no_error (error);
  g_assert_true (ec_card_encode (EC_TAG_NTAG216, uid, &h, summary, station, ec_keyring_current_read_key (ring),
                                 &image, &error));
  g_assert_no_error (error);
  g_assert_true (ec_tag_image_save_file (image, path, &error));
  g_assert_no_error (error);
  return path;
}

static char *
copy_db (const char *name)
{
  g_autoptr(GFile) src = g_file_new_for_path (T.demo->db_path);
  char *to = tmp_path (name);
  g_autoptr(GFile) dst = g_file_new_for_path (to);

  g_assert_true (g_file_copy (src, dst, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, NULL));
  return to;
}

/* The demo database's record of @id (an export read, as the station would). */
static EcResident *
get_resident (const char   *db_path,
              EcResidentId  id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EcDb) db = ec_db_open (db_path, EC_DB_OPEN_READ_WRITE, &error);
  EcActor actor = { EC_ROLE_ADMIN, "test" };
  EcResident *r = NULL;

  g_assert_no_error (error);
  g_assert_true (ec_db_get_resident (db, id, &actor, EC_DB_PURPOSE_EXPORT, NULL, &r, &error));
  g_assert_no_error (error);
  return r;
}

/* ------------------------------------------------------------------------- */
/* A kiosk on a given database, and the CLI on the same one */

typedef struct
{
  EcKioskController *controller;
  EcKioskWindow     *window;
} Kiosk;

static void
kiosk_open_keys (Kiosk      *k,
                 const char *db_path,
                 const char *keys_dir)
{
  g_autoptr(EcConfig) config = ec_config_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (ec_config_load_file (config, T.demo->conf_path, &error));
  if (keys_dir != NULL)
    {
      g_free (config->keys_dir);
      config->keys_dir = g_strdup (keys_dir);
    }
  if (db_path != NULL)
    {
      g_free (config->db_path);
      config->db_path = g_strdup (db_path);
    }
  k->controller = ec_kiosk_controller_new (config);
  k->window = ec_kiosk_window_new (NULL, k->controller, config, FALSE);
  gtk_window_set_default_size (GTK_WINDOW (k->window), 1280, 800);
  gtk_window_present (GTK_WINDOW (k->window));
}

static void
kiosk_open (Kiosk      *k,
            const char *db_path)
{
  kiosk_open_keys (k, db_path, NULL);
}

static void
kiosk_close (Kiosk *k)
{
  gtk_window_destroy (GTK_WINDOW (k->window));
  ec_kiosk_controller_stop (k->controller);
  ec_test_spin (50);
  g_assert_finalize_object (k->controller);
}

/* Tap @card on @k (as the reader would hand it over); the visible text (g_free). */
static char *
kiosk_tap (Kiosk      *k,
           const char *card)
{
  ec_kiosk_controller_clear (k->controller);
  ec_kiosk_controller_submit_image_file (k->controller, card);
  g_assert_true (ec_kiosk_test_wait_settled (k->controller, CARD_MS));
  ec_test_spin (50);
  return ec_test_visible_text (GTK_WIDGET (k->window));
}

/* With $EC_TAP_SHOTS set to a directory, the screen as it is now, in Chinese, at
 * 1280 × 800: DIR/zh-tap-@name.png (to look at; `make check` does not set it). */
static void
shoot_zh (Kiosk      *k,
          const char *name)
{
  const char *dir = g_getenv ("EC_TAP_SHOTS");

  if (dir == NULL)
    return;
  ec_kiosk_window_set_language (k->window, "zh");
  ec_test_shoot (GTK_WIDGET (k->window), "test-kiosk-tap", 1000, dir, "zh-tap-%s.png", name);
  {
    /* And the lower half of the record (contacts). */
    EcRecordView *view = EC_RECORD_VIEW (ec_kiosk_window_get_page (k->window, EC_KIOSK_SCREEN_RECORD));
    GtkWidget *scrolled = ec_test_find_of_type (GTK_WIDGET (view), GTK_TYPE_SCROLLED_WINDOW);
    if (scrolled != NULL)
      {
        GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
        gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj));
        ec_test_shoot (GTK_WIDGET (k->window), "test-kiosk-tap", 300, dir, "zh-tap-%s-lower.png", name);
      }
  }
  ec_kiosk_window_set_language (k->window, "en");
  ec_test_spin (50);
}

/* `eldercard card read --image CARD --db DB` (NULL: --no-db) in @language. */
static char *
cli_read (const char *card,
          const char *db_path,
          const char *language,
          int         want_exit)
{
  g_autofree char *eldercard = g_build_filename (g_getenv ("EC_BUILD_DIR") != NULL ? g_getenv ("EC_BUILD_DIR")
                                                                                   : EC_BUILD_DIR, "eldercard", NULL);
  g_autofree char *keys = g_build_filename (T.demo->dir, "kiosk-keys", NULL);
  const char *argv[] = { eldercard, "card", "read", "--image", card, "--keys", keys,
                         db_path != NULL ? "--db" : "--no-db", db_path, NULL };
  g_auto(GStrv) env = g_get_environ ();
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL, *err = NULL;
  int status = 0;

  env = g_environ_setenv (env, "LC_ALL", "C.UTF-8", TRUE);
  env = g_environ_setenv (env, "LANGUAGE", language, TRUE);
  g_assert_true (g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error));
  g_assert_no_error (error);
  g_test_message ("card read (%s):\n%s%s", language, out, err);
  g_assert_cmpint (WIFEXITED (status) ? WEXITSTATUS (status) : -1, ==, want_exit);
  return g_strconcat (out, err, NULL);
}

/* ------------------------------------------------------------------------- */

/* Critical: the kiosk's copy is older than the card in hand. */
static void
test_card_newer_than_kiosk (void)
{
  const EcDemoCard *c = ec_kiosk_harness_card (&T, "02-valid-no-known-allergies");
  g_autoptr(EcResident) r = get_resident (T.demo->db_path, c->resident);
  g_autoptr(EcCardSummary) s = ec_card_summary_from_resident (r, EC_TAG_NTAG216);
  g_autofree char *card = NULL, *text = NULL, *out = NULL, *zh = NULL;
  Kiosk k;

  /* What the station wrote after this kiosk last synced: full resuscitation → DNR,
   * a severe aspirin allergy, a newer version. */
  s->record_version = (guint32) r->record_version + 1;
  s->dnr = EC_DNR_DNR;
  s->allergy_status = EC_ALLERGY_STATUS_RECORDED;
  ec_card_summary_add_allergy (s, "阿司匹林", EC_CRITICALITY_HIGH);
  card = write_card ("newer.tag", c->resident, 9, 1, g_get_real_time () / G_USEC_PER_SEC, s);

  kiosk_open (&k, NULL);
  text = kiosk_tap (&k, card);
  g_assert_cmpint (ec_kiosk_controller_get_screen (k.controller), ==, EC_KIOSK_SCREEN_RECORD);
  g_assert_true (ec_kiosk_controller_get_result (k.controller)->tap->card_newer);
  ec_test_assert_contains (text, "This kiosk's data is older than the card");
  ec_test_assert_contains (text, "Resuscitation (card): DO NOT RESUSCITATE (DNR)");
  ec_test_assert_contains (text, "Allergies (card): 阿司匹林 — HIGH RISK");
  ec_test_assert_contains (text, "The record below is this kiosk's older data");
  /* The banner and the directive show the card's items, not the older "none known". */
  ec_test_assert_lacks (text, "No known allergies");
  ec_test_assert_contains (text, "From the card: newer than this kiosk's data.");
  ec_test_assert_contains (text, "From the card. This kiosk's older data says:");
  ec_test_assert_lacks (text, "Card out of date");
  shoot_zh (&k, "card-newer");
  kiosk_close (&k);

  out = cli_read (card, T.demo->db_path, "C", 0);
  ec_test_assert_contains (out, "this database is OLDER than the card");
  ec_test_assert_contains (out, "Resuscitation: DO NOT RESUSCITATE (DNR)");
  ec_test_assert_contains (out, "!! 阿司匹林 — HIGH RISK");
  ec_test_assert_contains (out, "From this database (older):");
  zh = cli_read (card, T.demo->db_path, "zh_CN", 0);
  ec_test_assert_contains (zh, "本数据库比卡片旧");
}

/* A summary that had to leave things out: never "none recorded", a contact whose
 * number is not on the card says so, a cut number gets no QR code. */
static EcCardSummary *
cut_summary (void)
{
  EcCardSummary *s = ec_card_summary_new ();

  s->name = g_strdup ("白测试");
  s->name_latin = g_strdup ("Bai Ceshi");
  s->birth_year = 1940;
  s->sex = EC_SEX_FEMALE;
  s->allergy_status = EC_ALLERGY_STATUS_RECORDED;
  ec_card_summary_add_allergy (s, "青霉素", EC_CRITICALITY_HIGH);
  ec_card_summary_add_medication (s, "地高辛");
  s->contact_name = g_strdup ("白一");
  s->contact_relation = g_strdup ("儿子");
  s->dnr = EC_DNR_UNKNOWN;
  s->record_version = 4;
  s->omitted = EC_CARD_OMITTED_ALLERGIES | EC_CARD_OMITTED_CONDITIONS | EC_CARD_OMITTED_MEDICATIONS;
  return s;
}

static void
test_dropped_is_not_none (void)
{
  g_autoptr(EcCardSummary) s = cut_summary ();
  g_autofree char *card = write_card ("cut.tag", G_GUINT64_CONSTANT (0x2100000000000001), 1, 2,
                                      1764547200 /* 2025-12-01 */, s);
  g_autofree char *text = NULL, *out = NULL;
  Kiosk k;

  kiosk_open (&k, NULL);
  text = kiosk_tap (&k, card);
  g_assert_cmpint (ec_kiosk_controller_get_result (k.controller)->problem, ==, EC_KIOSK_PROBLEM_NOT_IN_DATABASE);
  ec_test_assert_contains (text, "白测试");
  ec_test_assert_lacks (text, "None recorded");
  ec_test_assert_contains (text, "Not on the card: see the record at the station.");   /* conditions */
  ec_test_assert_contains (text, "More in the record at the station.");                /* allergies, medicines */
  ec_test_assert_contains (text, "ALLERGY (1 on the card, may be incomplete)");
  ec_test_assert_contains (text, "Phone number not on the card: ask the service station.");
  /* The card alone says how old it is. */
  ec_test_assert_contains (text, "This card was written on 2025-12-01; the record may have changed since.");
  ec_test_assert_contains (text, "Card written 2025-12-01");
  shoot_zh (&k, "card-only-cut");
  kiosk_close (&k);

  out = cli_read (card, NULL, "C", 0);
  ec_test_assert_contains (out, "No database was consulted");
  ec_test_assert_lacks (out, "not in this database");
  ec_test_assert_contains (out, "This card was written on 2025-12-01");
  ec_test_assert_contains (out, "Allergies (1 on the card; there may be more)");
  ec_test_assert_contains (out, "Conditions: not on the card: see the record at the station");
  ec_test_assert_contains (out, "… more in the record at the station");
  ec_test_assert_contains (out, "phone number not on the card");
  ec_test_assert_lacks (out, "none recorded");
  /* The localized emergency view, not `card verify`'s format. */
  ec_test_assert_lacks (out, "omitted:");
  ec_test_assert_lacks (out, "dnr: ");
}

static void
test_no_contact_recorded (void)
{
  g_autoptr(EcCardSummary) s = cut_summary ();
  g_autofree char *card = NULL, *text = NULL, *out = NULL;
  Kiosk k;

  g_clear_pointer (&s->contact_name, g_free);
  g_clear_pointer (&s->contact_relation, g_free);
  s->omitted = 0;
  card = write_card ("no-contact.tag", G_GUINT64_CONSTANT (0x2100000000000002), 1, 3, 1764547200, s);
  kiosk_open (&k, NULL);
  text = kiosk_tap (&k, card);
  ec_test_assert_contains (text, "No emergency contact recorded");
  kiosk_close (&k);
  out = cli_read (card, NULL, "C", 0);
  ec_test_assert_contains (out, "Emergency contacts: no contact recorded");
  ec_test_assert_lacks (out, "- | - | -");
}

/* Revocation fails open on care, never silently. */
static void
test_revocation_not_checked (void)
{
  g_autofree char *missing = g_build_filename (T.dir, "no-such-dir", "eldercard.db", NULL);
  g_autofree char *card = g_build_filename (T.demo->dir, "cards", "06-revoked.tag", NULL);
  g_autofree char *text = NULL, *out = NULL;
  EcKioskResult *r;
  Kiosk k;

  /* A card the station revoked, on a kiosk whose database cannot be opened. */
  kiosk_open (&k, missing);
  text = kiosk_tap (&k, card);
  r = ec_kiosk_controller_get_result (k.controller);
  g_assert_cmpint (r->problem, ==, EC_KIOSK_PROBLEM_DATABASE);
  g_assert_true (r->tap->unchecked & EC_TAP_UNCHECKED_STATUS);
  ec_test_assert_contains (text, "Revocation could not be checked");
  ec_test_assert_contains (text, "could not check whether this card was revoked, reported lost or replaced");
  shoot_zh (&k, "revocation-not-checked");
  kiosk_close (&k);

  out = cli_read (card, missing, "C", 0);
  ec_test_assert_contains (out, "WARNING: revocation could not be checked");
  out = (g_free (out), cli_read (card, NULL, "C", 0));
  ec_test_assert_contains (out, "revocation could not be checked (no database consulted)");
  ec_test_assert_lacks (out, "Genuine card, but");
}

/* A resident removed at the station: the card's summary, marked as such. */
static void
test_removed_at_station (void)
{
  const EcDemoCard *c = ec_kiosk_harness_card (&T, "03-valid-allergies-unknown");
  g_autofree char *db_path = copy_db ("removed.db");
  g_autofree char *card = g_build_filename (T.demo->dir, "cards", "03-valid-allergies-unknown.tag", NULL);
  g_autofree char *text = NULL, *out = NULL;
  g_autoptr(GPtrArray) audit = NULL;
  EcActor actor = { EC_ROLE_ADMIN, "test" };
  Kiosk k;

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(EcDb) db = ec_db_open (db_path, EC_DB_OPEN_READ_WRITE, &error);
    g_assert_true (ec_db_resident_remove (db, c->resident, &actor, "moved away", &error));
    g_assert_no_error (error);
  }
  kiosk_open (&k, db_path);
  text = kiosk_tap (&k, card);
  g_assert_cmpint (ec_kiosk_controller_get_result (k.controller)->problem, ==, EC_KIOSK_PROBLEM_REMOVED);
  ec_test_assert_contains (text, "Record removed at the station");
  ec_test_assert_contains (text, "this person's record was removed at the service station");
  ec_test_assert_contains (text, c->name);
  shoot_zh (&k, "removed");
  kiosk_close (&k);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(EcDb) db = ec_db_open (db_path, EC_DB_OPEN_READ_WRITE, &error);
    EcAuditFilter f = { .resident_id = c->resident, .action = "view-card-summary" };
    g_assert_true (ec_db_audit_list (db, &f, &audit, &error));
    g_assert_cmpuint (audit->len, ==, 1);
    g_assert_nonnull (strstr (((EcAuditEntry *) audit->pdata[0])->detail, "removed"));
  }

  out = cli_read (card, db_path, "C", 0);
  ec_test_assert_contains (out, "this person's record was removed at the station");
  ec_test_assert_contains (out, c->name);
}

/* Everything the kiosk's record shows, the CLI shows too; and the QR code of a number
 * with an extension dials the extension, not more digits. */
static void
test_cli_shows_what_kiosk_shows (void)
{
  g_autoptr(EcResident) r = ec_resident_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *card = NULL, *text = NULL, *out = NULL, *zh = NULL;
  EcActor actor = { EC_ROLE_ADMIN, "test" };
  EcAllergy *low = ec_allergy_new (), *high = ec_allergy_new (), *unassessed = ec_allergy_new ();
  EcContact *contact = ec_contact_new ();
  GtkWidget *qr;
  Kiosk k;

  r->name_zh = g_strdup ("全测试");
  r->name_pinyin = g_strdup ("Quan Ceshi");
  r->sex = EC_SEX_MALE;
  r->date_of_birth = g_strdup ("1938-02-03");
  r->blood_type = EC_BLOOD_UNKNOWN;
  r->dnr = EC_DNR_DNR;
  r->directive_location = g_strdup ("床头柜第一个抽屉");
  r->wandering = EC_WANDERING_NONE;
  r->comm_needs = EC_COMM_HEARING | EC_COMM_DEMENTIA;
  r->implants = g_strdup ("心脏起搏器");
  r->allergy_status = EC_ALLERGY_STATUS_RECORDED;
  low->substance = g_strdup ("花粉");
  low->criticality = EC_CRITICALITY_LOW;
  low->confirmed = TRUE;
  high->substance = g_strdup ("青霉素");
  high->criticality = EC_CRITICALITY_HIGH;
  high->reaction = g_strdup ("过敏性休克");
  high->severity = EC_SEVERITY_SEVERE;
  high->confirmed = TRUE;
  unassessed->substance = g_strdup ("碘造影剂");
  unassessed->criticality = EC_CRITICALITY_UNABLE_TO_ASSESS;
  unassessed->confirmed = TRUE;
  /* Stored low first: the view lists the most critical first. */
  g_ptr_array_add (r->allergies, low);
  g_ptr_array_add (r->allergies, unassessed);
  g_ptr_array_add (r->allergies, high);
  contact->name = g_strdup ("全一");
  contact->relation = g_strdup ("女儿");
  contact->phones = g_new0 (char *, 3);
  contact->phones[0] = g_strdup ("+86 010-5550-0101 ext 23");
  contact->phones[1] = g_strdup ("139-0000-7777");
  contact->call_order = 1;
  g_ptr_array_add (r->contacts, contact);
  {
    g_autoptr(EcDb) db = ec_db_open (T.demo->db_path, EC_DB_OPEN_READ_WRITE, &error);
    g_assert_true (ec_db_resident_add (db, r, &actor, &error));
    g_assert_no_error (error);
  }
  {
    g_autoptr(EcCardSummary) s = ec_card_summary_from_resident (r, EC_TAG_NTAG216);
    card = write_card ("full.tag", r->id, 1, 4, g_get_real_time () / G_USEC_PER_SEC, s);
  }

  kiosk_open (&k, NULL);
  text = kiosk_tap (&k, card);
  g_assert_cmpint (ec_kiosk_controller_get_screen (k.controller), ==, EC_KIOSK_SCREEN_RECORD);
  ec_test_assert_contains (text, "心脏起搏器");
  ec_test_assert_contains (text, "床头柜第一个抽屉");
  ec_test_assert_contains (text, "Dementia");
  qr = ec_test_find_named (GTK_WIDGET (k.window), "tel:+861055500101;ext=23");
  g_assert_nonnull (qr);
  g_assert_nonnull (ec_test_find_named (GTK_WIDGET (k.window), "tel:13900007777"));
  g_assert_null (ec_test_find_named (GTK_WIDGET (k.window), "tel:+860105550010123"));
  shoot_zh (&k, "record");
  /* In Chinese: no English enumeration word, blood type said once. */
  ec_kiosk_window_set_language (k.window, "zh");
  ec_test_spin (50);
  {
    g_autofree char *zt = ec_test_visible_text (GTK_WIDGET (k.window));
    ec_test_assert_lacks (zt, "血型 血型不详");
    ec_test_assert_contains (zt, "血型不详");
    ec_test_assert_contains (zt, "已评估：无走失风险");
  }
  ec_kiosk_window_set_language (k.window, "en");
  kiosk_close (&k);

  out = cli_read (card, T.demo->db_path, "C", 0);
  ec_test_assert_contains (out, "+86 010-5550-0101 ext 23 / 139-0000-7777");   /* the second phone */
  ec_test_assert_contains (out, "Implants: 心脏起搏器");
  ec_test_assert_contains (out, "Hard of hearing");
  ec_test_assert_contains (out, "Dementia");
  ec_test_assert_contains (out, "Document kept at: 床头柜第一个抽屉");
  ec_test_assert_contains (out, "(severe reaction)");
  /* Most critical first; not assessed is not low. */
  {
    const char *h = strstr (out, "青霉素"), *u = strstr (out, "碘造影剂"), *l = strstr (out, "花粉");
    g_assert_true (h != NULL && u != NULL && l != NULL && h < u && u < l);
    ec_test_assert_contains (out, " ? 碘造影剂 — risk not assessed");
    ec_test_assert_contains (out, " - 花粉 — low risk");
  }
  zh = cli_read (card, T.demo->db_path, "zh_CN", 0);
  {
    g_autoptr(GRegex) re = g_regex_new ("\\b(male|female|unknown|dnr|full|limited|high|low|none|at-risk|severe)\\b"
                                        "|Born|Address|Medications|\\(-\\)|age -1|血型 血型不详", 0, 0, NULL);
    g_autoptr(GMatchInfo) m = NULL;
    const char *view = strchr (zh, '\n');   /* after the tag image's file name */
    g_assert_nonnull (view);
    if (g_regex_match (re, view, 0, &m))
      {
        g_autofree char *word = g_match_info_fetch (m, 0);
        g_error ("the Chinese card read says \"%s\":\n%s", word, zh);
      }
    ec_test_assert_contains (zh, "男");
    ec_test_assert_contains (zh, "不进行心肺复苏");
  }
}

/* cards/vectors/keys as a kiosk's key directory (git does not keep the 0600 mode). */
static char *
vector_keys (void)
{
  static const char *files[] = { "community/root.pub", "community/read.key", "stations/7.cert" };
  char *dir = tmp_path ("vector-keys");

  for (gsize i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *from = g_build_filename (EC_SOURCE_DIR, "cards", "vectors", "keys", files[i], NULL);
      g_autofree char *to = g_build_filename (dir, files[i], NULL);
      g_autofree char *parent = g_path_get_dirname (to);
      g_autofree char *bytes = NULL;
      gsize len = 0;

      g_assert_cmpint (g_mkdir_with_parents (parent, 0700), ==, 0);
      g_assert_true (g_file_get_contents (from, &bytes, &len, NULL));
      g_assert_true (g_file_set_contents_full (to, bytes, (gssize) len, G_FILE_SET_CONTENTS_NONE, 0600, NULL));
    }
  return dir;
}

/* The format's shortened marks and contact flag (summary version 2), on screen. */
static void
test_shortened_marks (void)
{
  g_autofree char *keys = vector_keys ();
  g_autofree char *shortened = g_build_filename (EC_SOURCE_DIR, "cards", "vectors", "valid-v2-shortened-ntag216.tag", NULL);
  g_autofree char *omitted = g_build_filename (EC_SOURCE_DIR, "cards", "vectors", "valid-v2-contact-omitted-ntag215.tag", NULL);
  g_autofree char *text = NULL, *text2 = NULL;
  Kiosk k;

  kiosk_open_keys (&k, NULL, keys);
  text = kiosk_tap (&k, shortened);
  g_assert_cmpint (ec_kiosk_controller_get_result (k.controller)->source, ==, EC_KIOSK_SOURCE_CARD_SUMMARY);
  ec_test_assert_contains (text, "Ji Ting · Name shortened on the card");
  ec_test_assert_contains (text, "1. 买买提·艾力 (侄子（住在同一小区，平时每天上午来照看老人 (shortened on the card))");
  /* The whole number, dialling the extension; the note is not dialled. */
  g_assert_nonnull (ec_test_find_named (GTK_WIDGET (k.window), "tel:+8613800000000;ext=8001"));
  shoot_zh (&k, "shortened");
  text2 = kiosk_tap (&k, omitted);
  ec_test_assert_contains (text2, "The contact did not fit on the card: see the record at the station.");
  ec_test_assert_lacks (text2, "No emergency contact recorded");
  kiosk_close (&k);
}

int
main (int    argc,
      char **argv)
{
  int rc;

  ec_kiosk_test_init (&argc, &argv, TRUE);
  ec_kiosk_harness_create_demo (&T, "test-kiosk-tap-XXXXXX", 60);
  ec_kiosk_harness_load_config (&T);
  ec_kiosk_harness_open (&T, FALSE);

  g_test_add_func ("/ec/kiosk/tap/card-newer-than-kiosk", test_card_newer_than_kiosk);
  g_test_add_func ("/ec/kiosk/tap/dropped-is-not-none", test_dropped_is_not_none);
  g_test_add_func ("/ec/kiosk/tap/no-contact-recorded", test_no_contact_recorded);
  g_test_add_func ("/ec/kiosk/tap/revocation-not-checked", test_revocation_not_checked);
  g_test_add_func ("/ec/kiosk/tap/removed-at-station", test_removed_at_station);
  g_test_add_func ("/ec/kiosk/tap/cli-shows-what-kiosk-shows", test_cli_shows_what_kiosk_shows);
  g_test_add_func ("/ec/kiosk/tap/shortened-marks", test_shortened_marks);

  rc = g_test_run ();

  ec_kiosk_harness_close (&T, 50);
  return rc;
}
