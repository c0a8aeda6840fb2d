/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-cli-util.c: small helpers shared by the eldercard subcommands (declared in ec-cli.h). */
#define G_LOG_DOMAIN "ec-cli"

#include "ec-cli.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "ec-i18n.h"
#include "ec-keys.h"
#include "ec-text.h"

int
ec_cli_usage_error (GOptionContext *ctx,
                    const char     *message)
{
  g_autofree char *help = g_option_context_get_help (ctx, TRUE, NULL);

  if (message != NULL)
    g_printerr ("eldercard: %s\n\n", message);
  g_printerr ("%s", help);
  return 2;
}

EcStationKey *
ec_cli_station_key_unlock (const char  *keydir,
                           guint16      station_id,
                           const char  *pass_file,
                           GError     **error)
{
  g_autoptr(EcSecret) pass = NULL;

  pass = pass_file != NULL ? ec_passphrase_from_file (pass_file, error)
                           : ec_passphrase_from_tty (_("Station key passphrase: "), FALSE, error);
  if (pass == NULL)
    return NULL;
  return ec_station_key_unlock (keydir, station_id, pass, error);
}

EcReadKey *
ec_cli_read_key_load (const char  *keydir,
                      const char  *file,
                      GError     **error)
{
  g_autofree char *path = NULL;

  path = file != NULL ? g_strdup (file) : g_build_filename (keydir, "community", "read.key", NULL);
  return ec_read_key_load (path, error);
}

/* Terminal columns @text takes: East Asian wide and fullwidth characters take two. */
static gsize
display_width (const char *text)
{
  gsize width = 0;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (g_unichar_iszerowidth (c))
        continue;
      width += g_unichar_iswide (c) ? 2 : 1;
    }
  return width;
}

void
ec_cli_print_row (const char  *const *cells,
                  const guint         *widths,
                  guint                n_cells)
{
  GString *line = g_string_new (NULL);

  for (guint i = 0; i < n_cells; i++)
    {
      /* Escape what the database holds but a terminal would act on (ESC, BEL, bidi
       * overrides: older databases and other tools may have stored them). */
      g_autofree char *cell = ec_text_escape_terminal (cells[i] != NULL && g_utf8_validate (cells[i], -1, NULL)
                                                       ? cells[i] : "-", FALSE);
      g_string_append (line, cell);
      if (i + 1 < n_cells)
        {
          gsize w = display_width (cell);
          for (; w < widths[i]; w++)
            g_string_append_c (line, ' ');
          g_string_append_c (line, ' ');
        }
    }
  puts (line->str);
  g_string_free (line, TRUE);
}

char *ec_cli_pin_file;

/* One line from @fd into @buf (without the line end); a longer line is refused. */
static gboolean
read_pin_line (int      fd,
               char    *buf,
               gsize    size,
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
      if (n + 1 >= size)
        {
          g_set_error_literal (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, _("The PIN is too long"));
          return FALSE;
        }
      buf[n++] = c;
    }
  if (n > 0 && buf[n - 1] == '\r')
    n--;
  buf[n] = '\0';
  return TRUE;
}

gboolean
ec_cli_read_staff_pin (const char  *pin_file,
                       const char  *staff_id,
                       char        *buf,
                       gsize        size,
                       GError     **error)
{
  struct termios old, quiet;
  struct stat st;
  gboolean ok;
  int fd;

  if (pin_file != NULL)
    {
      /* O_NONBLOCK: a FIFO in its place must not hang us before fstat() refuses it. */
      fd = open (pin_file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
      if (fd < 0)
        {
          int saved = errno;
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                       _("Cannot open the PIN file %s: %s"), pin_file, g_strerror (saved));
          return FALSE;
        }
      if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode) || st.st_uid != getuid ()
          || (st.st_mode & 077) != 0)
        {
          close (fd);
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_PERM,
                       _("The PIN file %s must be a regular file of yours that nobody else can "
                         "read (chmod 600 %s)"), pin_file, pin_file);
          return FALSE;
        }
      ok = read_pin_line (fd, buf, size, error);
      close (fd);
      return ok;
    }

  fd = open ("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NXIO,
                   _("--staff %s needs that staff member's PIN: run it at a terminal or give "
                     "--pin-file FILE (mode 0600)"), staff_id);
      return FALSE;
    }
  {
    g_autofree char *prompt = g_strdup_printf (_("PIN for %s: "), staff_id);
    if (write (fd, prompt, strlen (prompt)) < 0)
      { /* the prompt is a courtesy */ }
  }
  if (tcgetattr (fd, &old) != 0)
    {
      ok = read_pin_line (fd, buf, size, error);
      close (fd);
      return ok;
    }
  quiet = old;
  quiet.c_lflag &= (tcflag_t) ~(ECHO | ECHONL);
  quiet.c_lflag |= ICANON;
  if (tcsetattr (fd, TCSAFLUSH, &quiet) != 0)
    {
      int saved = errno;
      close (fd);
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Cannot turn off the terminal echo: %s"), g_strerror (saved));
      return FALSE;
    }
  ok = read_pin_line (fd, buf, size, error);
  (void) tcsetattr (fd, TCSAFLUSH, &old);
  if (write (fd, "\n", 1) < 0)
    { /* nothing to do */ }
  close (fd);
  return ok;
}

int
ec_cli_printf_safe (const char *format,
                    ...)
{
  g_autofree char *text = NULL;
  g_autofree char *safe = NULL;
  va_list ap;

  va_start (ap, format);
  text = g_strdup_vprintf (format, ap);
  va_end (ap);
  safe = ec_text_escape_terminal (text, TRUE);
  return fputs (safe, stdout) < 0 ? -1 : (int) strlen (safe);
}
