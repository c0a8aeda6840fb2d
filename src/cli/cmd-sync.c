/* SPDX-License-Identifier: GPL-3.0-or-later */
/* eldercard sync: keeping field kiosks current (docs/sync.md).
 *
 *   eldercard sync export --role responder|nurse -o FILE [--station ID --passphrase-file F]
 *   eldercard sync import FILE|DIR [--role R] [--keys DIR]      (kiosk; exit 1 on refusal)
 *   eldercard sync status [--max-age-days N]
 *   eldercard sync audit-export -o FILE [--kiosk-id ID] [--key FILE] [--from SEQ]
 *   eldercard sync audit-import FILE
 *
 * Every action takes --db FILE and --config FILE (a kiosk's eldercard.conf: its
 * database, key directory, role, kiosk id and [data] max-age-days). Exit status: 0 ok,
 * 1 refused or failed, 2 usage error. */
#define G_LOG_DOMAIN "ec-cli-sync"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <glib.h>
#include <sodium.h>

#include "cmd-db.h"
#include "ec-cli.h"
#include "ec-config.h"
#include "ec-error.h"
#include "ec-i18n.h"
#include "ec-keys.h"
#include "ec-sync.h"

typedef struct
{
  char     *db;
  char     *config;
  char     *keys;
  char     *role;
  char     *out;
  char     *pass_file;
  char     *read_key;
  char     *actor;
  char     *staff;
  char     *kiosk_id;
  char     *key;
  gint      station;
  gint      photo_max_kib;
  gint      max_age_days;
  gint64    from;
  gboolean  no_photos;
  char    **rest;
} SyncOptions;

static void
sync_options_clear (SyncOptions *o)
{
  g_free (o->db);
  g_free (o->config);
  g_free (o->keys);
  g_free (o->role);
  g_free (o->out);
  g_free (o->pass_file);
  g_free (o->read_key);
  g_free (o->actor);
  g_free (o->staff);
  g_free (o->kiosk_id);
  g_free (o->key);
  g_strfreev (o->rest);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SyncOptions, sync_options_clear)

/* The kiosk configuration, when --config is given (else all defaults). */
static EcConfig *
load_config (const SyncOptions *o,
             GError           **error)
{
  g_autoptr(EcConfig) config = ec_config_new ();

  if (o->config != NULL && !ec_config_load_file (config, o->config, error))
    return NULL;
  return g_steal_pointer (&config);
}

static const char *
db_path (const SyncOptions *o,
         const EcConfig    *config)
{
  if (o->db != NULL)
    return o->db;
  if (o->config != NULL && config->db_path != NULL)
    return config->db_path;
  return ec_cli_default_db ();
}

static const char *
keys_dir (const SyncOptions *o,
          const EcConfig    *config)
{
  if (o->keys != NULL)
    return o->keys;
  if (o->config != NULL && config->keys_dir != NULL)
    return config->keys_dir;
  return ec_cli_default_keydir ();
}

static char *
format_time (gint64 t)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (t);

  return dt != NULL ? g_date_time_format (dt, "%Y-%m-%d %H:%M") : g_strdup ("?");
}

/* The one station key in KEYDIR/stations/, if there is exactly one. */
static int
only_station (const char *keys)
{
  g_autofree char *dir = g_build_filename (keys, "stations", NULL);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  int found = 0, n = 0;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (name, ".key"))
      {
        guint64 v;
        g_autofree char *id = g_strndup (name, strlen (name) - 4);
        if (g_ascii_string_to_unsigned (id, 10, 1, 65535, &v, NULL))
          {
            found = (int) v;
            n++;
          }
      }
  return n == 1 ? found : 0;
}

static int
sync_export (int    argc,
             char **argv)
{
  g_auto(SyncOptions) o = { 0 };
  g_autoptr(GOptionContext) ctx = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EcConfig) config = NULL;
  g_autoptr(EcDb) db = NULL;
  g_autoptr(EcStationKey) station = NULL;
  g_autoptr(EcReadKey) read_key = NULL;
  g_autofree char *actor_storage = NULL;
  EcSyncExportOptions eo;
  EcSyncReport report = { 0 };
  EcActor actor;
  EcRole role;
  const char *keys;
  GOptionEntry entries[] = {
    { "role", 0, 0, G_OPTION_ARG_STRING, &o.role, N_("The kiosks' role: responder or nurse"), N_("ROLE") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &o.out, N_("Bundle file to write (*.ecbundle)"), N_("FILE") },
    { "station", 's', 0, G_OPTION_ARG_INT, &o.station, N_("This station's id (default: the only key in KEYDIR/stations/)"), N_("ID") },
    { "passphrase-file", 0, 0, G_OPTION_ARG_FILENAME, &o.pass_file, N_("Read the station key passphrase from FILE ('-' = stdin)"), N_("FILE") },
    { "keys", 'k', 0, G_OPTION_ARG_FILENAME, &o.keys, N_("Key directory (default $ELDERCARD_KEYS or ./keys)"), N_("DIR") },
    { "read-key", 0, 0, G_OPTION_ARG_FILENAME, &o.read_key, N_("Read key file (default KEYDIR/community/read.key)"), N_("FILE") },
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &o.db, N_("The station database (default $ELDERCARD_DB or ./eldercard.db)"), N_("FILE") },
    { "no-photos", 0, 0, G_OPTION_ARG_NONE, &o.no_photos, N_("Leave residents' photos out"), NULL },
    { "photo-max-kib", 0, 0, G_OPTION_ARG_INT, &o.photo_max_kib, N_("Leave out photos larger than N KiB (default 256)"), N_("N") },
    { "actor", 0, 0, G_OPTION_ARG_STRING, &o.actor, N_("Who exports, ROLE:ID (for the audit log)"), N_("ROLE:ID") },
    { "staff", 0, 0, G_OPTION_ARG_STRING, &o.staff, N_("Who exports, a staff id"), N_("ID") },
    EC_CLI_PIN_FILE_ENTRY,
    { NULL }
  };

  ctx = g_option_context_new (_("- export an update bundle for field kiosks"));
  g_option_context_set_summary (ctx,
      _("Write the residents' emergency records and every card state (revocations\n"
        "included) for responder or nurse kiosks, signed with this station's key and\n"
        "encrypted with the community read key. Staff accounts, PINs and the audit\n"
        "log are never exported. Carry the file to the kiosks and run\n"
        "`eldercard sync import FILE` there."));
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return ec_cli_usage_error (ctx, error->message);
  if (argc != 1 || o.role == NULL || o.out == NULL)
    return ec_cli_usage_error (ctx, _("--role and --output are required"));
  if (!ec_role_from_string (o.role, &role) || (role != EC_ROLE_RESPONDER && role != EC_ROLE_NURSE))
    return ec_cli_usage_error (ctx, _("--role must be responder or nurse"));
  if (o.photo_max_kib < 0 || o.photo_max_kib > 256)
    return ec_cli_usage_error (ctx, _("--photo-max-kib must be 1..256"));
  keys = o.keys != NULL ? o.keys : ec_cli_default_keydir ();
  if (o.station == 0)
    o.station = only_station (keys);
  if (o.station < 1 || o.station > 65535)
    return ec_cli_usage_error (ctx, _("--station is required (KEYDIR/stations/ holds no single station key)"));

  config = ec_config_new ();
  db = ec_cli_db_open (db_path (&o, config), FALSE);
  if (db == NULL)
    return 1;
  if (!ec_cli_db_actor (db, o.actor, o.staff, &actor, &actor_storage, &error))
    return ec_cli_fail (error);
  read_key = ec_cli_read_key_load (keys, o.read_key, &error);
  if (read_key == NULL)
    return ec_cli_fail (error);
  station = ec_cli_station_key_unlock (keys, (guint16) o.station, o.pass_file, &error);
  if (station == NULL)
    return ec_cli_fail (error);

  ec_sync_export_options_init (&eo);
  eo.with_photos = !o.no_photos;
  if (o.photo_max_kib > 0)
    eo.photo_max_bytes = (gsize) o.photo_max_kib * 1024;
  if (!ec_sync_export_bundle (db, station, read_key, role, &eo, &actor, o.out, &report, &error))
    return ec_cli_fail (error);
  printf (_("Wrote %s: bundle %llu of station %u for %s kiosks: %u residents (%u photos, %u left out), %u cards, %zu bytes.\n"),
          o.out, (unsigned long long) report.header.seq, report.header.station_id, ec_role_to_string (role),
          report.n_residents, report.n_photos, report.n_photos_omitted, report.n_cards, report.file_bytes);
  ec_sync_report_clear (&report);
  return 0;
}

static int
sync_import (int    argc,
             char **argv)
{
  g_auto(SyncOptions) o = { 0 };
  g_autoptr(GOptionContext) ctx = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EcConfig) config = NULL;
  g_autoptr(EcDb) db = NULL;
  g_autoptr(EcKeyring) ring = NULL;
  g_autofree char *actor_storage = NULL;
  g_autofree char *created = NULL;
  EcSyncReport report = { 0 };
  EcActor actor;
  EcRole role;
  int expected_role = -1;
  GOptionEntry entries[] = {
    { "role", 0, 0, G_OPTION_ARG_STRING, &o.role, N_("Refuse a bundle made for another role (default: the config's role)"), N_("ROLE") },
    { "keys", 'k', 0, G_OPTION_ARG_FILENAME, &o.keys, N_("The kiosk's key bundle directory"), N_("DIR") },
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &o.db, N_("The kiosk database"), N_("FILE") },
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &o.config, N_("The kiosk configuration (database, keys, role)"), N_("FILE") },
    { "actor", 0, 0, G_OPTION_ARG_STRING, &o.actor, N_("Who imports, ROLE:ID (for the audit log)"), N_("ROLE:ID") },
    { "staff", 0, 0, G_OPTION_ARG_STRING, &o.staff, N_("Who imports, a staff id"), N_("ID") },
    EC_CLI_PIN_FILE_ENTRY,
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o.rest, NULL, NULL },
    { NULL }
  };

  ctx = g_option_context_new (_("FILE|DIR - apply an update bundle on a kiosk"));
  g_option_context_set_summary (ctx,
      _("Verify an update bundle (signature, station certificate, community, no\n"
        "rollback), decrypt it and replace this kiosk's data from that station in one\n"
        "transaction. With a directory (a USB stick), the newest *.ecbundle is used.\n"
        "Any refusal changes nothing and says why; the exit status is then 1."));
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return ec_cli_usage_error (ctx, error->message);
  if (argc != 1 || o.rest == NULL || g_strv_length (o.rest) != 1)
    return ec_cli_usage_error (ctx, _("Give one bundle file or directory"));
  config = load_config (&o, &error);
  if (config == NULL)
    return ec_cli_fail (error);
  if (o.role != NULL)
    {
      if (!ec_role_from_string (o.role, &role) || (role != EC_ROLE_RESPONDER && role != EC_ROLE_NURSE))
        return ec_cli_usage_error (ctx, _("--role must be responder or nurse"));
      expected_role = role;
    }
  else if (o.config != NULL && (config->role == EC_ROLE_RESPONDER || config->role == EC_ROLE_NURSE))
    expected_role = config->role;

  ring = ec_keyring_load (keys_dir (&o, config), &error);
  if (ring == NULL)
    return ec_cli_fail (error);
  db = ec_cli_db_open (db_path (&o, config), FALSE);
  if (db == NULL)
    return 1;
  if (!ec_cli_db_actor (db, o.actor, o.staff, &actor, &actor_storage, &error))
    return ec_cli_fail (error);
  if (!ec_sync_import_bundle (db, ring, o.rest[0], expected_role, &actor, &report, &error))
    {
      if (error->domain == EC_SYNC_ERROR)
        g_printerr (_("eldercard: REFUSED (%s): %s\nNothing was changed on this kiosk.\n"),
                    ec_sync_error_to_string ((EcSyncError) error->code), error->message);
      else
        ec_cli_fail (error);
      ec_sync_report_clear (&report);
      return 1;
    }
  created = format_time (report.header.created_at);
  printf (_("Applied %s: bundle %llu of station %u (%s kiosks), made %s.\n"
            "  %u residents (%u updated, %u new, %u removed), %u photos, %u cards.\n"),
          report.path, (unsigned long long) report.header.seq, report.header.station_id,
          ec_role_to_string (report.header.role), created, report.n_residents, report.n_replaced,
          report.n_residents - report.n_replaced, report.n_removed, report.n_photos, report.n_cards);
  ec_sync_report_clear (&report);
  return 0;
}

static int
sync_status (int    argc,
             char **argv)
{
  g_auto(SyncOptions) o = { 0 };
  g_autoptr(GOptionContext) ctx = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EcConfig) config = NULL;
  g_autoptr(EcDb) db = NULL;
  g_autoptr(GPtrArray) states = NULL;
  g_autofree char *age_text = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC, age = -1, created = 0;
  gboolean stale = FALSE;
  guint max_age;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &o.db, N_("The database"), N_("FILE") },
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &o.config, N_("The kiosk configuration ([data] max-age-days)"), N_("FILE") },
    { "max-age-days", 0, 0, G_OPTION_ARG_INT, &o.max_age_days, N_("Warn when the data is older than N days (default: the config's [data] max-age-days, else 7)"), N_("N") },
    { "station", 's', 0, G_OPTION_ARG_INT, &o.station, N_("Also show the last bundle this station exported"), N_("ID") },
    { NULL }
  };

  ctx = g_option_context_new (_("- how current this kiosk's data is"));
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return ec_cli_usage_error (ctx, error->message);
  if (argc != 1 || o.max_age_days < 0 || o.max_age_days > 3650 || o.station < 0 || o.station > 65535)
    return ec_cli_usage_error (ctx, NULL);
  config = load_config (&o, &error);
  if (config == NULL)
    return ec_cli_fail (error);
  max_age = o.max_age_days > 0 ? (guint) o.max_age_days : config->max_age_days;
  db = ec_cli_db_open (db_path (&o, config), FALSE);
  if (db == NULL)
    return 1;
  if (!ec_sync_list_state (db, &states, &error) || !ec_sync_data_age (db, now, &age, &created, &error))
    return ec_cli_fail (error);
  for (guint i = 0; i < states->len; i++)
    {
      const EcSyncState *s = g_ptr_array_index (states, i);
      g_autofree char *c = format_time (s->created_at), *im = format_time (s->imported_at);
      g_autofree char *kid = ec_key_id_to_string (s->signer_kid);
      printf (_("station %u: bundle %llu (%s), made %s, applied %s, key %s: %u residents, %u cards\n"),
              s->station_id, (unsigned long long) s->seq, ec_role_to_string (s->role), c, im, kid,
              s->n_residents, s->n_cards);
    }
  if (o.station > 0)
    {
      guint64 seq = 0;
      if (!ec_sync_last_export_seq (db, (guint16) o.station, &seq, &error))
        return ec_cli_fail (error);
      printf (_("station %d: last bundle exported: %llu\n"), o.station, (unsigned long long) seq);
    }
  age_text = ec_sync_describe_age (age, max_age, &stale);
  printf ("%s\n", age_text);
  if (stale && age >= 0)
    printf (_("WARNING: the data is older than %u days: import a new update bundle from the station.\n"), max_age);
  else if (stale)
    printf (_("WARNING: this kiosk has never received an update bundle.\n"));
  return 0;
}

static int
sync_audit_export (int    argc,
                   char **argv)
{
  g_auto(SyncOptions) o = { 0 };
  g_autoptr(GOptionContext) ctx = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EcConfig) config = NULL;
  g_autoptr(EcDb) db = NULL;
  g_autofree char *key = NULL;
  char head[17];
  EcSyncAuditReport report = { 0 };
  EcActor actor;
  const char *path;
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &o.out, N_("Audit export file to write (*.ecaudit)"), N_("FILE") },
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &o.db, N_("The kiosk database"), N_("FILE") },
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &o.config, N_("The kiosk configuration (database, kiosk id)"), N_("FILE") },
    { "kiosk-id", 0, 0, G_OPTION_ARG_STRING, &o.kiosk_id, N_("This kiosk's id (default: the config's, kiosk-HOSTNAME)"), N_("ID") },
    { "key", 0, 0, G_OPTION_ARG_FILENAME, &o.key, N_("The kiosk's audit signing key (default: kiosk-audit.key next to the database; made on first use)"), N_("FILE") },
    { "from", 0, 0, G_OPTION_ARG_INT64, &o.from, N_("Export from this seq (default: after the last export)"), N_("SEQ") },
    { NULL }
  };

  ctx = g_option_context_new (_("- export this kiosk's audit entries for the station"));
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return ec_cli_usage_error (ctx, error->message);
  if (argc != 1 || o.out == NULL || o.from < 0)
    return ec_cli_usage_error (ctx, _("--output is required"));
  config = load_config (&o, &error);
  if (config == NULL)
    return ec_cli_fail (error);
  path = db_path (&o, config);
  db = ec_cli_db_open (path, FALSE);
  if (db == NULL)
    return 1;
  if (o.key != NULL)
    key = g_strdup (o.key);
  else
    {
      g_autofree char *dir = g_path_get_dirname (path);
      key = g_build_filename (dir, "kiosk-audit.key", NULL);
    }
  actor.role = config->role;
  actor.id = o.kiosk_id != NULL ? o.kiosk_id : config->kiosk_id;
  if (!ec_sync_audit_export (db, &actor, key, o.from, o.out, &report, &error))
    return ec_cli_fail (error);
  sodium_bin2hex (head, sizeof head, report.head_hash, 8);   /* a prefix is enough to compare */
  printf (_("Wrote %s: kiosk %s, audit entries %lld..%lld (%u), head %s…\n"), o.out, report.kiosk_id,
          (long long) report.first_seq, (long long) report.last_seq, report.n_entries, head);
  ec_sync_audit_report_clear (&report);
  return 0;
}

static int
sync_audit_import (int    argc,
                   char **argv)
{
  g_auto(SyncOptions) o = { 0 };
  g_autoptr(GOptionContext) ctx = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EcDb) db = NULL;
  g_autofree char *actor_storage = NULL;
  char head[17];
  EcSyncAuditReport report = { 0 };
  EcActor actor;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &o.db, N_("The station database (default $ELDERCARD_DB or ./eldercard.db)"), N_("FILE") },
    { "actor", 0, 0, G_OPTION_ARG_STRING, &o.actor, N_("Who imports, ROLE:ID (for the audit log)"), N_("ROLE:ID") },
    { "staff", 0, 0, G_OPTION_ARG_STRING, &o.staff, N_("Who imports, a staff id"), N_("ID") },
    EC_CLI_PIN_FILE_ENTRY,
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o.rest, NULL, NULL },
    { NULL }
  };

  ctx = g_option_context_new (_("FILE - merge a kiosk's audit export into the station"));
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return ec_cli_usage_error (ctx, error->message);
  if (argc != 1 || o.rest == NULL || g_strv_length (o.rest) != 1)
    return ec_cli_usage_error (ctx, _("Give one audit export file"));
  db = ec_cli_db_open (o.db, FALSE);
  if (db == NULL)
    return 1;
  if (!ec_cli_db_actor (db, o.actor, o.staff, &actor, &actor_storage, &error))
    return ec_cli_fail (error);
  if (!ec_sync_audit_import (db, o.rest[0], &actor, &report, &error))
    {
      if (error->domain == EC_SYNC_ERROR)
        g_printerr (_("eldercard: REFUSED (%s): %s\nNothing was imported.\n"),
                    ec_sync_error_to_string ((EcSyncError) error->code), error->message);
      else
        ec_cli_fail (error);
      ec_sync_audit_report_clear (&report);
      return 1;
    }
  sodium_bin2hex (head, sizeof head, report.head_hash, 8);   /* a prefix is enough to compare */
  printf (_("Imported %s: kiosk %s, audit entries %lld..%lld, %u new, chain head %s…\n"), o.rest[0],
          report.kiosk_id, (long long) report.first_seq, (long long) report.last_seq, report.n_new, head);
  ec_sync_audit_report_clear (&report);
  return 0;
}

static const struct
{
  const char *name;
  int (*func) (int argc, char **argv);
  const char *summary;
} sync_actions[] = {
  { "export",       sync_export,       N_("station: write an update bundle for responder or nurse kiosks") },
  { "import",       sync_import,       N_("kiosk: verify and apply an update bundle (file or USB directory)") },
  { "status",       sync_status,       N_("the last bundle applied and how old the data is") },
  { "audit-export", sync_audit_export, N_("kiosk: export audit entries for the station, signed") },
  { "audit-import", sync_audit_import, N_("station: merge a kiosk's audit export") },
};

int
ec_cmd_sync (int    argc,
             char **argv)
{
  if (argc >= 2)
    for (gsize i = 0; i < G_N_ELEMENTS (sync_actions); i++)
      if (g_str_equal (argv[1], sync_actions[i].name))
        {
          g_autofree char *name = g_strdup_printf ("sync %s", argv[1]);
          char *saved = argv[1];
          int rc;
          argv[1] = name;
          rc = sync_actions[i].func (argc - 1, argv + 1);
          argv[1] = saved;
          return rc;
        }
  g_printerr (_("Usage: eldercard sync ACTION [OPTION…]\n\nActions:\n"));
  for (gsize i = 0; i < G_N_ELEMENTS (sync_actions); i++)
    g_printerr ("  %-14s %s\n", sync_actions[i].name, _(sync_actions[i].summary));
  return argc >= 2 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")) ? 0 : 2;
}
