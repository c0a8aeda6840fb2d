/* SPDX-License-Identifier: GPL-3.0-or-later */
/* eldercard staff / pepper: staff accounts and the device PIN pepper, headless.
 *
 *   eldercard pepper init [--pepper FILE]
 *   eldercard staff add ID --name NAME --role staff|admin [--pin-file FILE|-] [--pin-fd N]
 *   eldercard staff set-pin ID [--pin-file FILE|-] [--pin-fd N]
 *   eldercard staff list
 *   eldercard staff signin-test ID [--pin-file FILE|-] [--pin-fd N]
 *
 * Common options: --db FILE (default $ELDERCARD_DB or eldercard.db), --pepper FILE
 * (default KEYDIR/pin-pepper.key, KEYDIR = $ELDERCARD_KEYS or "keys").
 *
 * The PIN is read from the terminal with echo off (asked twice when it is set), or
 * from --pin-file (first line; "-" = standard input) or --pin-fd for scripts, or from
 * standard input when that is not a terminal. It is never taken on the command line,
 * where other users could see it in the process list.
 *
 * The command line acts as the station's administrator ("cli:USER" in the audit log):
 * whoever can run it can read the database and key files anyway. The first
 * administrator is created here; the pepper file is created with the first account
 * and never silently re-created once accounts exist (that would lock everyone out). */
#define G_LOG_DOMAIN "ec-cli-staff"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>
#include <sodium.h>

#include "ec-cli.h"
#include "ec-db.h"
#include "ec-error.h"
#include "ec-i18n.h"
#include "ec-pin.h"
#include "ec-staff.h"

#define PIN_BUF 64

typedef struct
{
  char     *db_path;
  char     *pepper_path;
  char     *pin_file;
  gint      pin_fd;
  char     *name;
  char     *role;
} StaffOptions;

static void
staff_options_clear (StaffOptions *o)
{
  g_free (o->db_path);
  g_free (o->pepper_path);
  g_free (o->pin_file);
  g_free (o->name);
  g_free (o->role);
}

static char *
default_pepper_path (const char *opt)
{
  if (opt != NULL)
    return g_strdup (opt);
  return g_build_filename (ec_cli_default_keydir (), EC_PEPPER_FILE_NAME, NULL);
}

static EcActor
cli_actor (void)
{
  static char id[96];
  EcActor actor = { EC_ROLE_ADMIN, id };

  if (id[0] == '\0')
    g_snprintf (id, sizeof id, "cli:%s", g_get_user_name ());
  return actor;
}

/* ---- reading a PIN ------------------------------------------------------------ */

/* One line from @fd into @buf (at most PIN_BUF - 1 bytes, NUL-terminated, without the
 * line end). Refuses longer lines rather than truncating them. */
static gboolean
read_line_fd (int      fd,
              char    *buf,
              GError **error)
{
  gsize n = 0;

  for (;;)
    {
      char c;
      ssize_t r = read (fd, &c, 1);

      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        {
          int saved = errno;
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                       _("Cannot read the PIN: %s"), g_strerror (saved));
          return FALSE;
        }
      if (r == 0 || c == '\n')
        break;
      if (n + 1 >= PIN_BUF)
        {
          g_set_error_literal (error, EC_STAFF_ERROR, EC_STAFF_ERROR_WEAK_PIN,
                               _("The PIN is too long"));
          return FALSE;
        }
      buf[n++] = c;
    }
  if (n > 0 && buf[n - 1] == '\r')
    n--;
  buf[n] = '\0';
  return TRUE;
}

static gboolean
read_pin_tty (const char *prompt,
              char       *buf,
              GError    **error)
{
  struct termios old, quiet;
  gboolean ok;

  fprintf (stderr, "%s", prompt);
  fflush (stderr);
  if (tcgetattr (STDIN_FILENO, &old) != 0)
    return read_line_fd (STDIN_FILENO, buf, error);
  quiet = old;
  quiet.c_lflag &= (tcflag_t) ~(ECHO | ECHONL);
  quiet.c_lflag |= ICANON;
  if (tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet) != 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Cannot turn off the terminal echo: %s"), g_strerror (saved));
      return FALSE;
    }
  ok = read_line_fd (STDIN_FILENO, buf, error);
  if (tcsetattr (STDIN_FILENO, TCSAFLUSH, &old) != 0)
    g_warning ("cannot restore the terminal: %s", g_strerror (errno));
  fprintf (stderr, "\n");
  return ok;
}

/* Read the PIN into @buf (PIN_BUF bytes, caller wipes it). With @confirm, a PIN typed
 * at the terminal is asked for twice. */
static gboolean
read_pin (const StaffOptions *o,
          gboolean            confirm,
          char               *buf,
          GError            **error)
{
  if (o->pin_fd >= 0)
    return read_line_fd (o->pin_fd, buf, error);
  if (o->pin_file != NULL && strcmp (o->pin_file, "-") != 0)
    {
      FILE *f = fopen (o->pin_file, "re");
      gboolean ok;

      if (f == NULL)
        {
          int saved = errno;
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                       _("Cannot open the PIN file %s: %s"), o->pin_file, g_strerror (saved));
          return FALSE;
        }
      ok = read_line_fd (fileno (f), buf, error);
      fclose (f);
      return ok;
    }
  if (o->pin_file == NULL && isatty (STDIN_FILENO))
    {
      char again[PIN_BUF];
      gboolean same;

      if (!read_pin_tty (_("PIN: "), buf, error))
        return FALSE;
      if (!confirm)
        return TRUE;
      if (!read_pin_tty (_("The same PIN again: "), again, error))
        {
          sodium_memzero (again, sizeof again);
          return FALSE;
        }
      same = strcmp (buf, again) == 0;
      sodium_memzero (again, sizeof again);
      if (!same)
        {
          g_set_error_literal (error, EC_STAFF_ERROR, EC_STAFF_ERROR_WEAK_PIN,
                               _("The two PINs differ; nothing was changed"));
          return FALSE;
        }
      return TRUE;
    }
  return read_line_fd (STDIN_FILENO, buf, error);
}

/* ---- opening ---------------------------------------------------------------- */

static EcDb *
open_db (const StaffOptions *o,
         EcDbOpenFlags       flags,
         GError            **error)
{
  return ec_db_open (o->db_path != NULL ? o->db_path : ec_cli_default_db (), flags, error);
}

/* The pepper: created with the first staff account, otherwise it must exist. */
static EcPepper *
open_pepper (const StaffOptions *o,
             EcDb               *db,
             gboolean            may_create,
             GError            **error)
{
  g_autofree char *path = default_pepper_path (o->pepper_path);
  g_autoptr(GPtrArray) staff = NULL;
  gboolean existed;
  EcPepper *pepper;

  existed = g_file_test (path, G_FILE_TEST_EXISTS);
  if (!may_create || existed)
    return ec_pepper_load (path, error);
  if (!ec_db_staff_list (db, &staff, error))
    return NULL;
  if (staff->len > 0)
    {
      g_set_error (error, EC_KEY_ERROR, EC_KEY_ERROR_NOT_FOUND,
                   _("The PIN pepper file %s is missing but staff accounts exist: restore it "
                     "from the station's key backup (a new pepper would make every PIN "
                     "invalid)"), path);
      return NULL;
    }
  pepper = ec_pepper_load_or_create (path, error);
  if (pepper != NULL)
    g_printerr (_("eldercard: created the PIN pepper %s; back it up with the station keys\n"),
                path);
  return pepper;
}

/* ---- subcommands -------------------------------------------------------------- */

static int
staff_add (StaffOptions *o,
           const char   *id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EcDb) db = NULL;
  g_autoptr(EcPepper) pepper = NULL;
  EcActor actor = cli_actor ();
  char pin[PIN_BUF];
  EcRole role;
  gboolean ok;

  if (o->name == NULL || o->role == NULL)
    {
      g_printerr (_("eldercard staff add: --name and --role are required\n"));
      return 2;
    }
  if (!ec_role_from_string (o->role, &role) || (role != EC_ROLE_STAFF && role != EC_ROLE_ADMIN))
    {
      g_printerr (_("eldercard staff add: --role is staff or admin\n"));
      return 2;
    }
  if (!ec_staff_check_id (id, &error))
    return ec_cli_fail (error);
  /* The PIN first: a refused PIN leaves no database or pepper behind. */
  if (!read_pin (o, TRUE, pin, &error) || !ec_pin_check_policy (pin, &error))
    {
      sodium_memzero (pin, sizeof pin);
      return ec_cli_fail (error);
    }
  db = open_db (o, EC_DB_OPEN_CREATE, &error);
  if (db != NULL)
    pepper = open_pepper (o, db, TRUE, &error);
  if (db == NULL || pepper == NULL)
    {
      sodium_memzero (pin, sizeof pin);
      return ec_cli_fail (error);
    }
  ok = ec_staff_create (db, id, o->name, role, pin, pepper, &actor, &error);
  sodium_memzero (pin, sizeof pin);
  if (!ok)
    return ec_cli_fail (error);
  printf (_("added %s (%s): %s\n"), id, ec_role_to_string (role), o->name);
  return 0;
}

static int
staff_set_pin (StaffOptions *o,
               const char   *id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EcDb) db = NULL;
  g_autoptr(EcPepper) pepper = NULL;
  EcActor actor = cli_actor ();
  char pin[PIN_BUF];
  gboolean ok;

  db = open_db (o, EC_DB_OPEN_READ_WRITE, &error);
  if (db == NULL)
    return ec_cli_fail (error);
  pepper = open_pepper (o, db, FALSE, &error);
  if (pepper == NULL)
    return ec_cli_fail (error);
  if (!read_pin (o, TRUE, pin, &error))
    {
      sodium_memzero (pin, sizeof pin);
      return ec_cli_fail (error);
    }
  ok = ec_staff_set_pin (db, id, pin, pepper, &actor, &error);
  sodium_memzero (pin, sizeof pin);
  if (!ok)
    return ec_cli_fail (error);
  printf (_("new PIN set for %s; its wrong-PIN count is reset\n"), id);
  return 0;
}

static int
staff_list (StaffOptions *o)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EcDb) db = NULL;
  g_autoptr(GPtrArray) list = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  db = open_db (o, EC_DB_OPEN_READ_ONLY, &error);
  if (db == NULL || !ec_db_staff_list (db, &list, &error))
    return ec_cli_fail (error);
  printf ("%-12s %-6s %-4s %-9s %-20s %s\n", "ID", "ROLE", "PIN", "FAILURES", "LOCKED-UNTIL", "NAME");
  for (guint i = 0; i < list->len; i++)
    {
      EcStaff *s = list->pdata[i];
      g_autofree char *until = NULL;

      if (s->pin_locked_until > now)
        {
          g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (s->pin_locked_until);
          until = dt != NULL ? g_date_time_format (dt, "%Y-%m-%d %H:%M:%S") : NULL;
        }
      printf ("%-12s %-6s %-4s %-9u %-20s %s\n", s->id, ec_role_to_string (s->role),
              s->pin_hash != NULL ? "set" : "-", s->pin_failures,
              until != NULL ? until : "-", s->name);
    }
  return 0;
}

static int
staff_signin_test (StaffOptions *o,
                   const char   *id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EcDb) db = NULL;
  g_autoptr(EcPepper) pepper = NULL;
  EcStaffSession *session;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  char pin[PIN_BUF];

  db = open_db (o, EC_DB_OPEN_READ_WRITE, &error);
  if (db == NULL)
    return ec_cli_fail (error);
  pepper = open_pepper (o, db, FALSE, &error);
  if (pepper == NULL)
    return ec_cli_fail (error);
  if (!read_pin (o, FALSE, pin, &error))
    {
      sodium_memzero (pin, sizeof pin);
      return ec_cli_fail (error);
    }
  session = ec_staff_sign_in (db, pepper, id, pin, now, &error);
  sodium_memzero (pin, sizeof pin);
  if (session == NULL)
    return ec_cli_fail (error);
  printf (_("signed in: %s (%s) %s\n"), session->staff_id, ec_role_to_string (session->role),
          session->name);
  if (!ec_staff_sign_out (db, session, EC_STAFF_SIGN_OUT_USER, &error))
    return ec_cli_fail (error);
  return 0;
}

int
ec_cmd_staff (int    argc,
              char **argv)
{
  StaffOptions o = { .pin_fd = -1 };
  g_autoptr(GOptionContext) ctx = NULL;
  g_autoptr(GError) error = NULL;
  const char *action;
  int rc;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &o.db_path, N_("Database file"), N_("FILE") },
    { "pepper", 0, 0, G_OPTION_ARG_FILENAME, &o.pepper_path,
      N_("PIN pepper file (default KEYDIR/pin-pepper.key)"), N_("FILE") },
    { "name", 0, 0, G_OPTION_ARG_STRING, &o.name, N_("add: the staff member's name"), N_("NAME") },
    { "role", 0, 0, G_OPTION_ARG_STRING, &o.role, N_("add: staff or admin"), N_("ROLE") },
    { "pin-file", 0, 0, G_OPTION_ARG_FILENAME, &o.pin_file,
      N_("Read the PIN from the first line of FILE (- = standard input)"), N_("FILE") },
    { "pin-fd", 0, 0, G_OPTION_ARG_INT, &o.pin_fd, N_("Read the PIN from file descriptor N"), N_("N") },
    { NULL }
  };

  ctx = g_option_context_new (_("add ID | set-pin ID | list | signin-test ID — staff accounts"));
  g_option_context_set_translation_domain (ctx, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (ctx,
    _("PINs are 6 to 12 digits, not trivially guessable. They are read from the terminal\n"
      "with echo off, or from --pin-file / --pin-fd / standard input, never from the\n"
      "command line. After 5 wrong PINs in a row sign-in waits 30 s, doubling up to 15 min.\n"));
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("eldercard staff: %s\n", error->message);
      staff_options_clear (&o);
      return 2;
    }
  action = argc >= 2 ? argv[1] : NULL;
  if (g_strcmp0 (action, "add") == 0 && argc == 3)
    rc = staff_add (&o, argv[2]);
  else if (g_strcmp0 (action, "set-pin") == 0 && argc == 3)
    rc = staff_set_pin (&o, argv[2]);
  else if (g_strcmp0 (action, "list") == 0 && argc == 2)
    rc = staff_list (&o);
  else if (g_strcmp0 (action, "signin-test") == 0 && argc == 3)
    rc = staff_signin_test (&o, argv[2]);
  else
    rc = ec_cli_usage_error (ctx, NULL);
  staff_options_clear (&o);
  return rc;
}

int
ec_cmd_pepper (int    argc,
               char **argv)
{
  g_autoptr(GOptionContext) ctx = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EcPepper) pepper = NULL;
  g_autofree char *opt_path = NULL;
  g_autofree char *path = NULL;
  gboolean existed;
  GOptionEntry entries[] = {
    { "pepper", 0, 0, G_OPTION_ARG_FILENAME, &opt_path,
      N_("PIN pepper file (default KEYDIR/pin-pepper.key)"), N_("FILE") },
    { NULL }
  };

  ctx = g_option_context_new (_("init — create the device's PIN pepper (kept outside the database)"));
  g_option_context_set_translation_domain (ctx, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("eldercard pepper: %s\n", error->message);
      return 2;
    }
  if (argc != 2 || strcmp (argv[1], "init") != 0)
    return ec_cli_usage_error (ctx, NULL);
  path = default_pepper_path (opt_path);
  existed = g_file_test (path, G_FILE_TEST_EXISTS);
  pepper = ec_pepper_load_or_create (path, &error);
  if (pepper == NULL)
    return ec_cli_fail (error);
  if (existed)
    printf (_("the PIN pepper %s already exists and is usable (not changed)\n"), path);
  else
    printf (_("created the PIN pepper %s (mode 0600); back it up with the station keys\n"), path);
  return 0;
}
