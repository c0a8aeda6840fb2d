/* SPDX-License-Identifier: GPL-3.0-or-later */
/* eldercard db / audit / backup / demo: the database as a whole, headless.
 *
 *   eldercard db init|check|info               [--db FILE]
 *   eldercard audit list [--resident ID] [--actor-id ID] [--action A]
 *                        [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--limit N]
 *   eldercard audit verify [--checkpoint FILE]
 *   eldercard audit checkpoint FILE
 *   eldercard backup DEST
 *   eldercard demo generate [--residents N] [--seed S]
 *
 * --db FILE everywhere (default $ELDERCARD_DB or eldercard.db). Exit 0 ok, 1 refused
 * or failed, 2 usage. See docs/database.md. */
#define G_LOG_DOMAIN "ec-cli-db"

#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <sodium.h>

#include "cmd-db.h"
#include "ec-cli.h"
#include "ec-demo.h"
#include "ec-error.h"
#include "ec-i18n.h"
#include "ec-staff.h"

gboolean
ec_cli_db_actor (EcDb        *db,
                 const char  *actor_opt,
                 const char  *staff_opt,
                 EcActor     *out,
                 char       **storage,
                 GError     **error)
{
  if (actor_opt != NULL && staff_opt != NULL)
    {
      g_set_error_literal (error, EC_DB_ERROR, EC_DB_ERROR_INVALID,
                           _("Give --actor or --staff, not both"));
      return FALSE;
    }
  if (actor_opt != NULL)
    {
      const char *colon = strchr (actor_opt, ':');
      g_autofree char *role = colon != NULL ? g_strndup (actor_opt, (gsize) (colon - actor_opt)) : NULL;
      if (colon == NULL || colon[1] == '\0' || !ec_role_from_string (role, &out->role))
        {
          g_set_error (error, EC_DB_ERROR, EC_DB_ERROR_INVALID,
                       _("--actor wants ROLE:ID with ROLE responder, nurse, staff or admin (got “%s”)"),
                       actor_opt);
          return FALSE;
        }
      /* Nobody checked that claim: record it as what it is, this machine user
       * claiming a role, never as the staff member it names. */
      *storage = g_strdup_printf ("cli:%s/claims:%s", g_get_user_name (), colon + 1);
    }
  else if (staff_opt != NULL)
    {
      /* Acting as a staff member means signing in as one: the PIN, the lockout and
       * the audit entries of any other sign-in (ec_staff_sign_in). */
      g_autofree char *pepper_path = g_build_filename (ec_cli_default_keydir (),
                                                       EC_PEPPER_FILE_NAME, NULL);
      g_autoptr(EcPepper) pepper = NULL;
      g_autoptr(EcStaffSession) session = NULL;
      char pin[64];

      if (!ec_staff_check_id (staff_opt, error))
        return FALSE;
      pepper = ec_pepper_load (pepper_path, error);
      if (pepper == NULL)
        return FALSE;
      if (!ec_cli_read_staff_pin (ec_cli_pin_file, staff_opt, pin, sizeof pin, error))
        {
          sodium_memzero (pin, sizeof pin);
          return FALSE;
        }
      session = ec_staff_sign_in (db, pepper, staff_opt, pin, g_get_real_time () / G_USEC_PER_SEC,
                                  error);
      sodium_memzero (pin, sizeof pin);
      if (session == NULL)
        return FALSE;
      out->role = session->role;
      *storage = g_strdup (session->staff_id);
    }
  else
    {
      out->role = EC_ROLE_ADMIN;
      *storage = g_strdup_printf ("cli:%s", g_get_user_name ());
    }
  out->id = *storage;
  return TRUE;
}

EcDb *
ec_cli_db_open (const char *path,
                gboolean    create)
{
  g_autoptr(GError) error = NULL;
  EcDb *db = ec_db_open (path != NULL ? path : ec_cli_default_db (),
                         create ? EC_DB_OPEN_CREATE : EC_DB_OPEN_READ_WRITE, &error);

  if (db == NULL)
    ec_cli_fail (error);
  return db;
}

gboolean
ec_cli_db_parse (GOptionContext *ctx,
                 int            *argc,
                 char         ***argv)
{
  g_autoptr(GError) error = NULL;

  if (!g_option_context_parse (ctx, argc, argv, &error))
    {
      g_printerr ("eldercard: %s\n", error->message);
      return FALSE;
    }
  return TRUE;
}

static char *db_path;
static char *actor_opt;
static char *staff_opt;

#define COMMON_ENTRIES                                                                         \
  { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, N_("Database file (default $ELDERCARD_DB or eldercard.db)"), "FILE" }, \
  { "actor", 0, 0, G_OPTION_ARG_STRING, &actor_opt, N_("Who is acting, for the audit log"), "ROLE:ID" },              \
  { "staff", 0, 0, G_OPTION_ARG_STRING, &staff_opt, N_("Act as this staff member, signing in with their PIN"), "ID" }, \
  EC_CLI_PIN_FILE_ENTRY

static void
free_common (void)
{
  g_clear_pointer (&db_path, g_free);
  g_clear_pointer (&actor_opt, g_free);
  g_clear_pointer (&staff_opt, g_free);
}

/* ------------------------------------------------------------------------- */
/* db */

int
ec_cmd_db (int argc, char **argv)
{
  GOptionEntry entries[] = { COMMON_ENTRIES, { NULL } };
  g_autoptr(GOptionContext) ctx = g_option_context_new (_("init|check|info — create, check or describe the database"));
  g_autoptr(EcDb) db = NULL;
  g_autoptr(GError) error = NULL;
  const char *sub;
  int rc = 0;

  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!ec_cli_db_parse (ctx, &argc, &argv) || argc != 2)
    {
      if (argc != 2)
        ec_cli_usage_error (ctx, NULL);
      free_common ();
      return 2;
    }
  sub = argv[1];
  if (strcmp (sub, "init") == 0)
    {
      const char *path = db_path != NULL ? db_path : ec_cli_default_db ();
      gboolean existed = g_file_test (path, G_FILE_TEST_EXISTS);
      db = ec_cli_db_open (path, TRUE);
      if (db == NULL)
        rc = 1;
      else
        printf (existed ? _("%s: already an eldercard database (schema version %d)\n")
                        : _("%s: created (schema version %d)\n"), path, ec_db_get_schema_version (db));
    }
  else if (strcmp (sub, "check") == 0 || strcmp (sub, "info") == 0)
    {
      guint64 n = 0;
      gint64 seq = 0;
      g_autoptr(GPtrArray) staff = NULL;
      db = ec_cli_db_open (db_path, FALSE);
      if (db == NULL)
        rc = 1;
      else if (strcmp (sub, "check") == 0)
        {
          if (!ec_db_integrity_check (db, &error))
            rc = ec_cli_fail (error);
          else
            printf (_("%s: integrity_check ok\n"), ec_db_get_path (db));
        }
      else if (!ec_db_resident_count (db, &n, &error) || !ec_db_audit_head (db, &seq, NULL, &error) ||
               !ec_db_staff_list (db, &staff, &error))
        rc = ec_cli_fail (error);
      else
        printf (_("database:       %s\n"
                  "schema version: %d\n"
                  "residents:      %llu\n"
                  "staff:          %u\n"
                  "audit entries:  %lld\n"),
                ec_db_get_path (db), ec_db_get_schema_version (db), (unsigned long long) n, staff->len, (long long) seq);
    }
  else
    {
      g_printerr (_("eldercard db: unknown action “%s” (init, check, info)\n"), sub);
      rc = 2;
    }
  free_common ();
  return rc;
}

/* ------------------------------------------------------------------------- */
/* audit */

static gboolean
parse_day (const char *s, gint64 *out)
{
  g_autoptr(GDateTime) dt = NULL;
  int y, m, d;

  if (s == NULL)
    return TRUE;
  if (sscanf (s, "%4d-%2d-%2d", &y, &m, &d) != 3 || !g_date_valid_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y))
    return FALSE;
  dt = g_date_time_new_local (y, m, d, 0, 0, 0);
  if (dt == NULL)
    return FALSE;
  *out = g_date_time_to_unix (dt);
  return TRUE;
}

int
ec_cmd_audit (int argc, char **argv)
{
  char *resident = NULL, *actor_id = NULL, *action = NULL, *since = NULL, *until = NULL, *checkpoint = NULL;
  gint limit = 0;
  GOptionEntry entries[] = {
    COMMON_ENTRIES,
    { "resident", 0, 0, G_OPTION_ARG_STRING, &resident, N_("list: only this resident"), "ID" },
    { "actor-id", 0, 0, G_OPTION_ARG_STRING, &actor_id, N_("list: only this actor"), "ID" },
    { "action", 0, 0, G_OPTION_ARG_STRING, &action, N_("list: only this action (view, resident-add…)"), "ACTION" },
    { "since", 0, 0, G_OPTION_ARG_STRING, &since, N_("list: from this day on"), "YYYY-MM-DD" },
    { "until", 0, 0, G_OPTION_ARG_STRING, &until, N_("list: before this day"), "YYYY-MM-DD" },
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit, N_("list: at most N entries"), "N" },
    { "checkpoint", 0, 0, G_OPTION_ARG_FILENAME, &checkpoint, N_("verify: also check against this exported checkpoint"), "FILE" },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx =
    g_option_context_new (_("list|verify|checkpoint [FILE] — read, verify or checkpoint the audit log"));
  g_autoptr(EcDb) db = NULL;
  g_autoptr(GError) error = NULL;
  int rc = 0;

  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!ec_cli_db_parse (ctx, &argc, &argv) || argc < 2)
    {
      if (argc < 2)
        ec_cli_usage_error (ctx, NULL);
      rc = 2;
      goto out;
    }
  if ((db = ec_cli_db_open (db_path, FALSE)) == NULL)
    {
      rc = 1;
      goto out;
    }

  if (strcmp (argv[1], "list") == 0 && argc == 2)
    {
      EcAuditFilter filter = { 0 };
      g_autoptr(GPtrArray) list = NULL;

      if (resident != NULL && !ec_resident_id_parse (resident, &filter.resident_id))
        {
          g_printerr (_("eldercard: “%s” is not a resident id (16 hex digits)\n"), resident);
          rc = 2;
          goto out;
        }
      if (!parse_day (since, &filter.since) || !parse_day (until, &filter.until) || limit < 0)
        {
          g_printerr (_("eldercard: --since/--until want YYYY-MM-DD, --limit a positive number\n"));
          rc = 2;
          goto out;
        }
      filter.actor_id = actor_id;
      filter.action = action;
      filter.limit = (guint) limit;
      if (!ec_db_audit_list (db, &filter, &list, &error))
        {
          rc = ec_cli_fail (error);
          goto out;
        }
      for (guint i = 0; i < list->len; i++)
        {
          EcAuditEntry *e = list->pdata[i];
          g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (e->at);
          g_autofree char *when = g_date_time_format (dt, "%Y-%m-%d %H:%M:%S");
          g_autofree char *rid = e->resident_id != 0 ? ec_resident_id_to_string (e->resident_id) : g_strdup ("-");
          printf ("%6" G_GINT64_FORMAT "  %s  %-9s %-16s %-18s %s", e->seq, when,
                  ec_role_to_string (e->actor_role), e->actor_id, e->action, rid);
          if (e->purpose != NULL)
            printf ("  purpose=%s", e->purpose);
          if (e->reason != NULL)
            printf ("  reason=“%s”", e->reason);
          if (e->detail != NULL)
            printf ("  %s", e->detail);
          printf ("\n");
        }
    }
  else if (strcmp (argv[1], "verify") == 0 && argc == 2)
    {
      gint64 n = 0;
      if (!ec_db_audit_verify (db, checkpoint, &n, &error))
        rc = ec_cli_fail (error);
      else if (checkpoint != NULL)
        printf (_("audit log ok: %lld entries, hash chain intact, checkpoint %s matches\n"), (long long) n, checkpoint);
      else
        printf (_("audit log ok: %lld entries, hash chain intact\n"), (long long) n);
    }
  else if (strcmp (argv[1], "checkpoint") == 0 && argc == 3)
    {
      gint64 seq = 0;
      guint8 h[32];
      char hex[65];
      if (!ec_db_audit_checkpoint_export (db, argv[2], &error) || !ec_db_audit_head (db, &seq, h, &error))
        rc = ec_cli_fail (error);
      else
        {
          sodium_bin2hex (hex, sizeof hex, h, 32);
          printf (_("checkpoint written to %s: entry %lld, hash %s\n"
                    "Keep it off this device (a USB stick in the station safe, or mail it to the office).\n"),
                  argv[2], (long long) seq, hex);
        }
    }
  else
    {
      ec_cli_usage_error (ctx, NULL);
      rc = 2;
    }

out:
  g_free (resident);
  g_free (actor_id);
  g_free (action);
  g_free (since);
  g_free (until);
  g_free (checkpoint);
  free_common ();
  return rc;
}

/* ------------------------------------------------------------------------- */
/* backup */

int
ec_cmd_backup (int argc, char **argv)
{
  GOptionEntry entries[] = { COMMON_ENTRIES, { NULL } };
  g_autoptr(GOptionContext) ctx = g_option_context_new (_("DEST — online backup of the database, verified"));
  g_autoptr(EcDb) db = NULL;
  g_autoptr(GError) error = NULL;
  int rc = 0;

  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!ec_cli_db_parse (ctx, &argc, &argv) || argc != 2)
    {
      if (argc != 2)
        ec_cli_usage_error (ctx, NULL);
      free_common ();
      return 2;
    }
  if ((db = ec_cli_db_open (db_path, FALSE)) == NULL)
    rc = 1;
  else if (!ec_db_backup (db, argv[1], &error))
    rc = ec_cli_fail (error);
  else
    {
      g_autoptr(EcDb) copy = ec_db_open (argv[1], EC_DB_OPEN_READ_ONLY, &error);
      guint64 n = 0;
      gint64 seq = 0;
      if (copy == NULL || !ec_db_resident_count (copy, &n, &error) || !ec_db_audit_head (copy, &seq, NULL, &error))
        rc = ec_cli_fail (error);
      else
        printf (_("backup written to %s and verified (integrity_check ok): %llu"
                  " residents, %lld audit entries\n"), argv[1], (unsigned long long) n, (long long) seq);
    }
  free_common ();
  return rc;
}

/* ------------------------------------------------------------------------- */
/* demo */

int
ec_cmd_demo (int argc, char **argv)
{
  gint n = EC_DEMO_DEFAULT_RESIDENTS;
  gint64 seed = 1;
  GOptionEntry entries[] = {
    COMMON_ENTRIES,
    { "residents", 'n', 0, G_OPTION_ARG_INT, &n, N_("How many residents (default 200)"), "N" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, N_("Random seed (same seed, same community)"), "S" },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new (_("generate — add a fictional demo community"));
  g_autoptr(EcDb) db = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTimer) timer = NULL;
  int rc = 0;

  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!ec_cli_db_parse (ctx, &argc, &argv) || argc != 2 || strcmp (argv[1], "generate") != 0 ||
      n < 0 || seed < 0 || seed > G_MAXUINT32)
    {
      ec_cli_usage_error (ctx, NULL);
      free_common ();
      return 2;
    }
  if ((db = ec_cli_db_open (db_path, TRUE)) == NULL)
    {
      free_common ();
      return 1;
    }
  timer = g_timer_new ();
  if (!ec_demo_generate (db, (guint) n, (guint32) seed, &error))
    rc = ec_cli_fail (error);
  else
    printf (_("%d fictional residents generated (seed %lld) in %.1f s into %s\n"),
            n, (long long) seed, g_timer_elapsed (timer, NULL), ec_db_get_path (db));
  free_common ();
  return rc;
}
