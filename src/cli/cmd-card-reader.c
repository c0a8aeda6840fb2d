/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The `eldercard card` actions that use a reader (listed in cmd-card.c's table):
 *
 *   eldercard card read [--device C] [--wait SECONDS]        one tap: verified card + record
 *   eldercard card watch [--device C] [--count N]            every tap until Ctrl-C
 *   eldercard card issue RESIDENT [--device C] [--no-lock]   write a new card, with progress
 *   eldercard card replace RESIDENT [...]                    the same, the old card → replaced
 *   eldercard card revoke UID|RESIDENT [--lost] [--reason T] revoked / lost in the database
 *   eldercard card import-dump DUMP.mfd OUT.tag              nfc-mfultralight dump → tag image
 *
 * --device takes a libnfc connstring; without it libnfc's default applies
 * ($LIBNFC_DEFAULT_DEVICE, /etc/nfc/libnfc.conf, then autodetection). Exit status:
 * 0 ok, 1 refused or failed (the reason is printed), 2 usage error. */
#define G_LOG_DOMAIN "ec-cli-card"

#include <stdio.h>
#include <string.h>
#include <glib-unix.h>

#include "cmd-db.h"
#include "ec-cli.h"
#include "ec-file.h"
#include "ec-card.h"
#include "ec-config.h"
#include "ec-cli.h"
#include "ec-db.h"
#include "ec-i18n.h"
#include "ec-issue.h"
#include "ec-keys.h"
#include "ec-reader.h"

/* A reader error, with the reader's own explanation when it is about the device. */
static int
reader_fail (EcReader     *reader,
             const GError *error)
{
  g_printerr ("eldercard: %s\n", error->message);
  if (g_error_matches (error, EC_READER_ERROR, EC_READER_ERROR_NO_READER)
      || g_error_matches (error, EC_READER_ERROR, EC_READER_ERROR_BUSY)
      || g_error_matches (error, EC_READER_ERROR, EC_READER_ERROR_LOST))
    g_printerr ("  %s\n", ec_reader_get_state_message (reader));
  return 1;
}

/* ---- showing a tapped card --------------------------------------------------------- */

/* What a `card read/watch` has to decide a tap with (the core's tap service decides). */
typedef struct
{
  const EcKeyring *ring;
  EcDb            *db;
  const GError    *db_error;    /* why db is NULL (or --no-db) */
  gboolean         no_db;
  EcActor          actor;
} TapSetup;

static gint64 show_now;   /* 0 = the clock */

static EcTapContext
tap_context (const TapSetup *t)
{
  EcTapContext ctx = {
    .ring = t->ring,
    .db = t->db,
    .db_error = t->db_error,
    .skip_db = t->no_db,
    .actor = t->actor,
    .purpose = EC_DB_PURPOSE_CARD_TAP,
    .now = show_now != 0 ? show_now : g_get_real_time () / G_USEC_PER_SEC,
  };
  return ctx;
}

/* Decide and print one card that was read. 0 shown, 1 refused. */
static int
show_card (EcReaderCard   *rc,
           const TapSetup *t)
{
  g_autoptr(EcTagImage) image = ec_reader_card_to_tag_image (rc);
  EcTapContext ctx = tap_context (t);
  g_autoptr(EcTapResult) result = NULL;

  printf (_("Card %s (%s), read in %u ms\n"), ec_reader_card_get_uid_hex (rc),
          ec_reader_card_kind_to_string (ec_reader_card_get_kind (rc)), ec_reader_card_get_read_ms (rc));
  if (image == NULL)
    result = ec_tap_refuse (&ctx, ec_reader_card_get_uid_hex (rc), EC_TAP_DAMAGED, _("the card's memory could not be read"));
  else
    result = ec_tap_card (&ctx, image);
  return ec_cli_tap_print (result);
}

/* A card of a kind eldercard does not use (MIFARE Classic, a bank card): refused and
 * audited as the kiosk does. */
static int
show_unsupported (const TapSetup *t,
                  const char     *uid_hex,
                  const GError   *error)
{
  EcTapContext ctx = tap_context (t);
  g_autoptr(EcTapResult) result = ec_tap_refuse (&ctx, uid_hex, EC_TAP_UNSUPPORTED, error->message);

  return ec_cli_tap_print (result);
}

/* The database for a tap: a database that cannot be opened is not fatal (the card's
 * own summary is still shown, marked "revocation could not be checked"). */
static gboolean
tap_setup_open (TapSetup    *t,
                const char  *db_path,
                const char  *actor_opt,
                const char  *staff_opt,
                char       **actor_storage,
                GError     **db_error,
                GError     **error)
{
  if (t->no_db)
    {
      t->actor.role = EC_ROLE_ADMIN;
      t->actor.id = "cli";
      return TRUE;
    }
  t->db = ec_db_open (db_path != NULL ? db_path : ec_cli_default_db (), EC_DB_OPEN_READ_WRITE, db_error);
  if (t->db == NULL)
    {
      g_printerr ("eldercard: %s\n", (*db_error)->message);
      t->db_error = *db_error;
      if (staff_opt != NULL)
        {
          g_set_error_literal (error, EC_DB_ERROR, EC_DB_ERROR_INVALID,
                               _("--staff needs the database; give --actor instead"));
          return FALSE;
        }
    }
  return ec_cli_db_actor (t->db, actor_opt, staff_opt, &t->actor, actor_storage, error);
}

typedef struct
{
  char *device;
  char *config;
  char *config_device;
  char *keydir;
  char *db_path;
  char *actor;
  char *staff;
} CommonOpts;

static void
common_opts_clear (CommonOpts *o)
{
  g_free (o->device);
  g_free (o->config);
  g_free (o->config_device);
  g_free (o->keydir);
  g_free (o->db_path);
  g_free (o->actor);
  g_free (o->staff);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CommonOpts, common_opts_clear)

static void
add_common (GOptionContext *ctx,
            CommonOpts     *o)
{
  /* Formatted once, not pasted into the msgid, so that it can be translated. */
  static char *config_help;
  GOptionEntry entries[] = {
    { "device", 'd', 0, G_OPTION_ARG_STRING, &o->device,
      N_("libnfc connstring (default: $LIBNFC_DEFAULT_DEVICE, /etc/nfc/libnfc.conf, autodetect)"), "C" },
    { "config", 0, 0, G_OPTION_ARG_FILENAME, &o->config,
      NULL, N_("FILE") },
    { "keys", 'k', 0, G_OPTION_ARG_FILENAME, &o->keydir,
      N_("Key directory or kiosk bundle (default $ELDERCARD_KEYS or ./keys)"), N_("DIR") },
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &o->db_path,
      N_("Database (default $ELDERCARD_DB or ./eldercard.db)"), N_("FILE") },
    { "actor", 0, 0, G_OPTION_ARG_STRING, &o->actor, N_("Who is acting, for the audit log"), "ROLE:ID" },
    { "staff", 0, 0, G_OPTION_ARG_STRING, &o->staff, N_("Act as this staff member, signing in with their PIN"), "ID" },
    EC_CLI_PIN_FILE_ENTRY,
    { NULL }
  };
  GOptionGroup *group = g_option_group_new ("common", "", "", NULL, NULL);

  if (config_help == NULL)
    config_help = g_strdup_printf (_("Configuration file whose [reader] device= is used (default %s if present)"),
                                   EC_CONFIG_DEFAULT_PATH);
  entries[1].description = config_help;

  g_option_group_add_entries (group, entries);
  g_option_group_set_translation_domain (group, GETTEXT_PACKAGE);
  g_option_context_set_main_group (ctx, group);
}

/* The reader: --device, $ELDERCARD_DEVICE, the configuration file's [reader] device=,
 * else NULL (libnfc's default: $LIBNFC_DEFAULT_DEVICE, /etc/nfc/libnfc.conf, autodetect). */
static const char *
env_device (CommonOpts *o)
{
  const char *path = o->config != NULL ? o->config : EC_CONFIG_DEFAULT_PATH;
  const char *env = g_getenv ("ELDERCARD_DEVICE");
  g_autoptr(EcConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  if (o->device != NULL)
    return o->device;
  if (env != NULL && *env)
    return env;
  if (o->config == NULL && !g_file_test (path, G_FILE_TEST_EXISTS))
    return NULL;
  config = ec_config_new ();
  if (!ec_config_load_file (config, path, &error))
    {
      g_printerr ("eldercard: %s (using libnfc's default reader)\n", error->message);
      return NULL;
    }
  g_free (o->config_device);
  o->config_device = g_strdup (config->device);
  return o->config_device;
}

/* ---- read ---------------------------------------------------------------------------- */

int
ec_cmd_card_read (int    argc,
                  char **argv)
{
  g_auto(CommonOpts) o = { 0 };
  g_autoptr(GOptionContext) ctx = g_option_context_new (_("- wait for a tap and show the card"));
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) db_error = NULL;
  g_autoptr(EcKeyring) ring = NULL;
  g_autoptr(EcDb) db = NULL;
  g_autoptr(EcReader) reader = NULL;
  g_autoptr(EcReaderCard) card = NULL;
  g_autofree char *actor_storage = NULL;
  TapSetup t = { 0 };
  gint wait = 30;
  gboolean no_db = FALSE;
  g_autofree char *now_text = NULL;
  g_autofree char *image_path = NULL;
  GOptionEntry entries[] = {
    { "wait", 'w', 0, G_OPTION_ARG_INT, &wait, N_("Seconds to wait for a card (default 30)"), N_("SECONDS") },
    { "image", 0, 0, G_OPTION_ARG_FILENAME, &image_path,
      N_("Decide a saved tag image (card import-dump, the emulator's save) instead of a tap"), N_("FILE") },
    { "now", 0, 0, G_OPTION_ARG_STRING, &now_text, N_("Check expiry at this date YYYY-MM-DD (default today)"), N_("DATE") },
    { "no-db", 0, 0, G_OPTION_ARG_NONE, &no_db, N_("Do not consult the database (revocation is then not checked)"), NULL },
    { NULL }
  };

  add_common (ctx, &o);
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (ctx,
      _("Wait for a card, verify it exactly as a kiosk does and print the resident's\n"
        "emergency record from the database (an audited read), or the card's own summary\n"
        "when the database has no such resident or cannot be opened (then saying that\n"
        "revocation could not be checked). A refused card prints the reason: not\n"
        "genuine, revoked, lost, replaced, expired, damaged, unsupported type; exit 1."));
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return ec_cli_usage_error (ctx, error->message);
  if (argc != 1 || wait < 0 || wait > 3600)
    return ec_cli_usage_error (ctx, _("--wait must be 0..3600"));
  if (now_text != NULL)
    {
      guint16 days;
      if (!ec_card_date_to_days (now_text, &days))
        return ec_cli_usage_error (ctx, _("--now must be a date YYYY-MM-DD"));
      show_now = (gint64) days * 86400 + 43200;
    }

  ring = ec_keyring_load (o.keydir != NULL ? o.keydir : ec_cli_default_keydir (), &error);
  if (ring == NULL)
    return ec_cli_fail (error);
  t.ring = ring;
  t.no_db = no_db;
  if (!tap_setup_open (&t, o.db_path, o.actor, o.staff, &actor_storage, &db_error, &error))
    return ec_cli_fail (error);
  db = t.db;

  if (image_path != NULL)
    {
      g_autoptr(GError) image_error = NULL;
      g_autoptr(EcTagImage) image = ec_tag_image_load_file (image_path, &image_error);
      EcTapContext tctx = tap_context (&t);
      g_autoptr(EcTapResult) result = NULL;

      if (image == NULL && image_error->domain == G_FILE_ERROR)
        return ec_cli_fail (image_error);
      printf (_("Tag image %s\n"), image_path);
      if (image == NULL)
        result = ec_tap_refuse (&tctx, NULL, EC_TAP_DAMAGED, image_error->message);
      else
        result = ec_tap_card (&tctx, image);
      return ec_cli_tap_print (result);
    }

  reader = ec_reader_new (env_device (&o));
  printf (_("Tap a card on the reader…\n"));
  fflush (stdout);
  card = ec_reader_read_card_sync (reader, NULL, (guint) wait * 1000, NULL, &error);
  if (card == NULL)
    {
      if (g_error_matches (error, EC_READER_ERROR, EC_READER_ERROR_UNSUPPORTED))
        return show_unsupported (&t, NULL, error);
      return reader_fail (reader, error);
    }
  return show_card (card, &t);
}

/* ---- watch --------------------------------------------------------------------------- */

typedef struct
{
  GMainLoop       *loop;
  const TapSetup  *tap;
  gint             count;
  gint             seen;
} WatchData;

static void
watch_state (EcReader   *reader,
             GParamSpec *pspec,
             WatchData  *wd)
{
  printf ("[%s] %s\n", _("reader"), ec_reader_get_state_message (reader));
  fflush (stdout);
}

static void
watch_detected (EcReader *reader, EcReaderCard *card, WatchData *wd)
{
  printf (_("Card %s detected, reading…\n"), ec_reader_card_get_uid_hex (card));
  fflush (stdout);
}

static void
watch_done (WatchData *wd)
{
  printf ("\n");
  fflush (stdout);
  if (wd->count > 0 && ++wd->seen >= wd->count)
    g_main_loop_quit (wd->loop);
}

static void
watch_read (EcReader *reader, EcReaderCard *card, WatchData *wd)
{
  show_card (card, wd->tap);
  watch_done (wd);
}

static void
watch_failed (EcReader *reader, EcReaderCard *card, GError *error, WatchData *wd)
{
  if (g_error_matches (error, EC_READER_ERROR, EC_READER_ERROR_UNSUPPORTED))
    show_unsupported (wd->tap, card != NULL ? ec_reader_card_get_uid_hex (card) : NULL, error);
  else
    printf (_("Read failed: %s\n"), error->message);
  watch_done (wd);
}

static void
watch_removed (EcReader *reader, EcReaderCard *card, WatchData *wd)
{
  printf (_("Card %s removed\n"), ec_reader_card_get_uid_hex (card));
  fflush (stdout);
}

static gboolean
watch_sigint (gpointer data)
{
  g_main_loop_quit (((WatchData *) data)->loop);
  return G_SOURCE_REMOVE;
}

int
ec_cmd_card_watch (int    argc,
                   char **argv)
{
  g_auto(CommonOpts) o = { 0 };
  g_autoptr(GOptionContext) ctx = g_option_context_new (_("- show every card tapped, until Ctrl-C"));
  g_autoptr(GError) error = NULL;
  g_autoptr(EcKeyring) ring = NULL;
  g_autoptr(EcDb) db = NULL;
  g_autoptr(EcReader) reader = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) db_error = NULL;
  g_autofree char *actor_storage = NULL;
  TapSetup t = { 0 };
  WatchData wd = { 0 };
  gint count = 0;
  gboolean no_db = FALSE;
  GOptionEntry entries[] = {
    { "count", 'n', 0, G_OPTION_ARG_INT, &count, N_("Stop after N cards (default: never)"), "N" },
    { "no-db", 0, 0, G_OPTION_ARG_NONE, &no_db, N_("Do not consult the database (revocation is then not checked)"), NULL },
    { NULL }
  };

  add_common (ctx, &o);
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return ec_cli_usage_error (ctx, error->message);
  if (argc != 1 || count < 0)
    return ec_cli_usage_error (ctx, NULL);
  ring = ec_keyring_load (o.keydir != NULL ? o.keydir : ec_cli_default_keydir (), &error);
  if (ring == NULL)
    return ec_cli_fail (error);
  t.ring = ring;
  t.no_db = no_db;
  if (!tap_setup_open (&t, o.db_path, o.actor, o.staff, &actor_storage, &db_error, &error))
    return ec_cli_fail (error);
  db = t.db;

  loop = g_main_loop_new (NULL, FALSE);
  wd.loop = loop;
  wd.tap = &t;
  wd.count = count;
  reader = ec_reader_new (env_device (&o));
  g_signal_connect (reader, "notify::state-message", G_CALLBACK (watch_state), &wd);
  g_signal_connect (reader, "card-detected", G_CALLBACK (watch_detected), &wd);
  g_signal_connect (reader, "card-read", G_CALLBACK (watch_read), &wd);
  g_signal_connect (reader, "card-failed", G_CALLBACK (watch_failed), &wd);
  g_signal_connect (reader, "card-removed", G_CALLBACK (watch_removed), &wd);
  g_unix_signal_add (SIGINT, watch_sigint, &wd);
  g_unix_signal_add (SIGTERM, watch_sigint, &wd);
  ec_reader_start (reader);
  g_main_loop_run (loop);
  ec_reader_stop (reader);
  return 0;
}

/* ---- issue / replace -------------------------------------------------------------------- */

static void
issue_progress (EcIssueStage  stage,
                const char   *message,
                gpointer      user_data)
{
  printf ("  %s\n", message);
  fflush (stdout);
}

static int
issue_or_replace (int       argc,
                  char    **argv,
                  gboolean  replace)
{
  g_auto(CommonOpts) o = { 0 };
  g_autoptr(GOptionContext) ctx = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EcDb) db = NULL;
  g_autoptr(EcKeyring) ring = NULL;
  g_autoptr(EcReadKey) read_key = NULL;
  g_autoptr(EcStationKey) station = NULL;
  g_autoptr(EcReader) reader = NULL;
  g_autoptr(EcIssueResult) res = NULL;
  g_autofree char *actor_storage = NULL;
  g_autofree char *pass_file = NULL;
  g_autofree char *expires = NULL;
  g_autofree char *rk_path = NULL;
  EcActor actor = { 0 };
  EcIssueParams p = { 0 };
  EcResidentId rid;
  gint station_id = 1, wait = 30;
  gboolean no_lock = FALSE, reference_only = FALSE;
  guint highest = 0;
  const char *keys;
  GOptionEntry entries[] = {
    { "station", 's', 0, G_OPTION_ARG_INT, &station_id, N_("Station id whose key signs (default 1)"), "N" },
    { "passphrase-file", 0, 0, G_OPTION_ARG_FILENAME, &pass_file, N_("Read the station key passphrase from FILE"), N_("FILE") },
    { "expires", 0, 0, G_OPTION_ARG_STRING, &expires, N_("Last valid day, YYYY-MM-DD (default: 5 years after issue)"), N_("DATE") },
    { "no-lock", 0, 0, G_OPTION_ARG_NONE, &no_lock, N_("Leave the card writable (default: lock it permanently)"), NULL },
    { "reference-only", 0, 0, G_OPTION_ARG_NONE, &reference_only, N_("No emergency summary on the card"), NULL },
    { "wait", 'w', 0, G_OPTION_ARG_INT, &wait, N_("Seconds to wait for the card (default 30)"), N_("SECONDS") },
    { NULL }
  };

  ctx = g_option_context_new (replace ? _("RESIDENT - issue a replacement card")
                                      : _("RESIDENT - issue a new card"));
  add_common (ctx, &o);
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (ctx,
      _("Write a card for RESIDENT (16 hex digits) on a blank NTAG213/215/216 lying on the\n"
        "reader, torn-write safe: recorded as pending, written, read back, committed,\n"
        "verified with the kiosk's verifier, locked permanently (unless --no-lock), then\n"
        "recorded as active. A card pulled away can be put back and the command run again:\n"
        "the issuance resumes. 'replace' also marks the resident's current card replaced."));
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return ec_cli_usage_error (ctx, error->message);
  if (argc != 2 || !ec_resident_id_parse (argv[1], &rid))
    return ec_cli_usage_error (ctx, _("give the resident's id (16 hex digits)"));
  if (station_id < 1 || station_id > 65535 || wait < 1 || wait > 3600)
    return ec_cli_usage_error (ctx, _("--station must be 1..65535 and --wait 1..3600"));
  if (expires != NULL && !ec_card_date_to_days (expires, &p.expires_days))
    return ec_cli_usage_error (ctx, _("--expires must be a date YYYY-MM-DD"));

  db = ec_cli_db_open (o.db_path, FALSE);
  if (db == NULL)
    return 1;
  if (!ec_cli_db_actor (db, o.actor, o.staff, &actor, &actor_storage, &error))
    return ec_cli_fail (error);
  if (!ec_db_card_highest_active_seq (db, rid, &highest, &error))
    return ec_cli_fail (error);
  if (!replace && highest > 0)
    {
      g_printerr (_("eldercard: this resident already has an active card (seq %u): use 'eldercard card replace'\n"), highest);
      return 1;
    }
  if (replace && highest == 0)
    {
      g_printerr (_("eldercard: this resident has no active card to replace: use 'eldercard card issue'\n"));
      return 1;
    }

  keys = o.keydir != NULL ? o.keydir : ec_cli_default_keydir ();
  ring = ec_keyring_load (keys, &error);
  if (ring == NULL)
    return ec_cli_fail (error);
  rk_path = g_build_filename (keys, "community", "read.key", NULL);
  if (!reference_only && g_file_test (rk_path, G_FILE_TEST_EXISTS))
    {
      read_key = ec_read_key_load (rk_path, &error);
      if (read_key == NULL)
        return ec_cli_fail (error);
    }
  station = ec_cli_station_key_unlock (keys, (guint16) station_id, pass_file, &error);
  if (station == NULL)
    return ec_cli_fail (error);

  p.db = db;
  p.actor = &actor;
  p.resident_id = rid;
  p.station_key = station;
  p.read_key = read_key;
  p.ring = ring;
  p.no_lock = no_lock;
  p.wait_ms = (guint) wait * 1000;

  reader = ec_reader_new (env_device (&o));
  printf (replace ? _("Issuing a replacement card for %s:\n") : _("Issuing a card for %s:\n"), argv[1]);
  fflush (stdout);
  res = ec_issue_card_sync (reader, &p, issue_progress, NULL, NULL, &error);
  if (res == NULL)
    return reader_fail (reader, error);
  printf (_("Card %s (%s) issued: seq %u, %s%s.\n"), res->uid_hex, ec_tag_type_to_string (res->type), res->seq,
          res->locked ? _("locked permanently") : _("NOT locked"),
          res->resumed ? _(", a resumed issuance") : "");
  return 0;
}

int
ec_cmd_card_issue (int    argc,
                   char **argv)
{
  return issue_or_replace (argc, argv, FALSE);
}

int
ec_cmd_card_replace (int    argc,
                     char **argv)
{
  return issue_or_replace (argc, argv, TRUE);
}

/* ---- revoke ---------------------------------------------------------------------------- */

int
ec_cmd_card_revoke (int    argc,
                    char **argv)
{
  g_auto(CommonOpts) o = { 0 };
  g_autoptr(GOptionContext) ctx = g_option_context_new (_("UID|RESIDENT - revoke a card, or mark it lost"));
  g_autoptr(GError) error = NULL;
  g_autoptr(EcDb) db = NULL;
  g_autofree char *actor_storage = NULL;
  g_autofree char *reason = NULL;
  g_autoptr(GPtrArray) uids = g_ptr_array_new_with_free_func (g_free);
  EcActor actor = { 0 };
  gboolean lost = FALSE;
  EcResidentId rid;
  GOptionEntry entries[] = {
    { "lost", 0, 0, G_OPTION_ARG_NONE, &lost, N_("The card was reported lost (else: revoked)"), NULL },
    { "reason", 'r', 0, G_OPTION_ARG_STRING, &reason, N_("Why, for the audit log"), N_("TEXT") },
    { NULL }
  };

  add_common (ctx, &o);
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (ctx,
      _("Mark a card (by its 14-digit UID) or every active card of a resident (16-digit\n"
        "id) revoked, or lost with --lost. Kiosks then refuse it."));
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return ec_cli_usage_error (ctx, error->message);
  if (argc != 2)
    return ec_cli_usage_error (ctx, _("give a card UID or a resident id"));
  db = ec_cli_db_open (o.db_path, FALSE);
  if (db == NULL)
    return 1;
  if (!ec_cli_db_actor (db, o.actor, o.staff, &actor, &actor_storage, &error))
    return ec_cli_fail (error);

  if (strlen (argv[1]) == 16 && ec_resident_id_parse (argv[1], &rid))
    {
      g_autoptr(GPtrArray) cards = NULL;
      if (!ec_db_card_list_for_resident (db, rid, &cards, &error))
        return ec_cli_fail (error);
      for (guint i = 0; i < cards->len; i++)
        {
          EcCardRecord *c = cards->pdata[i];
          if (c->status == EC_CARD_STATUS_ACTIVE || c->status == EC_CARD_STATUS_PENDING)
            g_ptr_array_add (uids, g_strdup (c->uid_hex));
        }
      if (uids->len == 0)
        {
          g_printerr (_("eldercard: resident %s has no active card\n"), argv[1]);
          return 1;
        }
    }
  else
    g_ptr_array_add (uids, g_ascii_strdown (argv[1], -1));

  for (guint i = 0; i < uids->len; i++)
    {
      if (!ec_db_card_set_status (db, uids->pdata[i], lost ? EC_CARD_STATUS_LOST : EC_CARD_STATUS_REVOKED,
                                  reason != NULL ? reason : (lost ? "reported lost" : "revoked"),
                                  &actor, &error))
        return ec_cli_fail (error);
      printf (lost ? _("Card %s marked lost.\n") : _("Card %s revoked.\n"), (char *) uids->pdata[i]);
    }
  return 0;
}

/* ---- import-dump ------------------------------------------------------------------------ */

/* An nfc-mfultralight dump (.mfd: every page, 4 bytes each, from page 0) → tag image.
 * The type follows from the size: 45, 135 or 231 pages. */
int
ec_cmd_card_import_dump (int    argc,
                         char **argv)
{
  g_autoptr(GOptionContext) ctx = g_option_context_new (_("DUMP.mfd OUT.tag - convert an nfc-mfultralight dump"));
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *data = NULL;
  g_autoptr(EcTagImage) image = NULL;
  gsize len;
  EcTagType type;

  g_option_context_set_summary (ctx,
      _("Convert a dump written by libnfc's 'nfc-mfultralight r DUMP.mfd' into the tag image\n"
        "format, e.g. to check it with 'eldercard card verify'. PWD and PACK read as zeros."));
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return ec_cli_usage_error (ctx, error->message);
  if (argc != 3)
    return ec_cli_usage_error (ctx, _("give the dump and the output file"));
  /* The largest dump is an NTAG216's. */
  if (!ec_file_read_bounded (argv[1], 231 * 4, 0, (char **) &data, &len, &error))
    return ec_cli_fail (error);
  if (len == 45 * 4)
    type = EC_TAG_NTAG213;
  else if (len == 135 * 4)
    type = EC_TAG_NTAG215;
  else if (len == 231 * 4)
    type = EC_TAG_NTAG216;
  else
    {
      g_printerr (_("eldercard: %s: %zu bytes is not an NTAG213/215/216 dump (180, 540 or 924 bytes)\n"),
                  argv[1], len);
      return 1;
    }
  {
    guint8 uid[EC_TAG_UID_BYTES] = { data[0], data[1], data[2], data[4], data[5], data[6], data[7] };
    image = ec_tag_image_new_blank (type, uid, &error);
    if (image == NULL)
      return ec_cli_fail (error);
  }
  memcpy (image->pages, data, len);
  if (!ec_tag_image_save_file (image, argv[2], &error))
    return ec_cli_fail (error);
  printf (_("Wrote %s (%s, UID %02x%02x%02x%02x%02x%02x%02x).\n"), argv[2], ec_tag_type_to_string (type),
          image->uid[0], image->uid[1], image->uid[2], image->uid[3], image->uid[4], image->uid[5], image->uid[6]);
  return 0;
}
