/* SPDX-License-Identifier: GPL-3.0-or-later */
/* pn532-emu: a PN532 on a pseudo-terminal, for testing the real libnfc without a reader.
 *
 *   pn532-emu --link PATH --control SOCKET [--pace BAUD] [--air]
 *             [--tag TYPE [--uid HEX] | --image FILE]
 *   pn532-emu ctl SOCKET COMMAND...
 *
 * The chip itself is ec-pn532.c (a pure state machine); this file does the I/O: the
 * pty and its symlink, output pacing, the control socket. See docs/emulator.md. */
#define _GNU_SOURCE
#define G_LOG_DOMAIN "ec-pn532-emu"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <gio/gio.h>

#include "ec-pn532.h"

#define MAX_CLIENTS 8
#define MAX_LINE    4096

typedef struct
{
  int      fd;
  GString *buf;
} Client;

typedef struct
{
  EcPn532  *chip;
  char     *link_path;
  char     *control_path;
  int       master_fd;
  int       slave_fd;            /* kept open so the master never sees a hangup */
  char     *slave_name;
  int       listen_fd;
  Client    clients[MAX_CLIENTS];
  gint64    tx_time;             /* paced output: when the last byte left the UART */
  FILE     *trace;               /* --trace: every byte the host sent */
  gboolean  quit;
} Emu;

static volatile sig_atomic_t got_signal = 0;

static void
on_signal (int sig)
{
  got_signal = sig;
}

/* ---------------------------------------------------------------------------
 * The pseudo-terminal and its link. */

static gboolean
set_nonblock (int fd)
{
  int flags = fcntl (fd, F_GETFL);
  return flags >= 0 && fcntl (fd, F_SETFL, flags | O_NONBLOCK) == 0;
}

static gboolean
point_link (Emu     *emu,
            GError **error)
{
  g_autofree char *tmp = g_strdup_printf ("%s.%d.tmp", emu->link_path, (int) getpid ());

  (void) g_unlink (tmp);
  if (symlink (emu->slave_name, tmp) != 0)
    {
      int e = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (e),
                   "cannot create link %s: %s", tmp, g_strerror (e));
      return FALSE;
    }
  if (rename (tmp, emu->link_path) != 0)
    {
      int e = errno;
      (void) g_unlink (tmp);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (e),
                   "cannot move link to %s: %s", emu->link_path, g_strerror (e));
      return FALSE;
    }
  return TRUE;
}

static gboolean
open_pty (Emu     *emu,
          GError **error)
{
  struct termios tio;
  char name[256];
  int fd;

  fd = posix_openpt (O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (fd < 0 || grantpt (fd) != 0 || unlockpt (fd) != 0 || ptsname_r (fd, name, sizeof name) != 0)
    {
      int e = errno;
      if (fd >= 0)
        close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (e), "cannot open a pty: %s", g_strerror (e));
      return FALSE;
    }
  emu->slave_fd = open (name, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (emu->slave_fd < 0)
    {
      int e = errno;
      close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (e), "cannot open %s: %s", name, g_strerror (e));
      return FALSE;
    }
  /* Raw from the start: no echo, no line editing, before libnfc sets its own mode. */
  if (tcgetattr (emu->slave_fd, &tio) == 0)
    {
      cfmakeraw (&tio);
      if (tcsetattr (emu->slave_fd, TCSANOW, &tio) != 0)
        g_warning ("tcsetattr %s: %s", name, g_strerror (errno));
    }
  if (!set_nonblock (fd))
    g_warning ("cannot make the pty non-blocking: %s", g_strerror (errno));
  emu->master_fd = fd;
  g_free (emu->slave_name);
  emu->slave_name = g_strdup (name);
  emu->tx_time = 0;
  return point_link (emu, error);
}

static void
close_pty (Emu *emu)
{
  if (emu->master_fd >= 0)
    close (emu->master_fd);
  if (emu->slave_fd >= 0)
    close (emu->slave_fd);
  emu->master_fd = -1;
  emu->slave_fd = -1;
}

/* ---------------------------------------------------------------------------
 * Output pacing. */

static gint64
byte_us (Emu *emu)
{
  guint baud = ec_pn532_get_pace (emu->chip);
  return baud ? (10 * G_USEC_PER_SEC + baud - 1) / baud : 0;
}

/* Writes what is due; returns when output must next be looked at (G_MAXINT64 = never). */
static gint64
flush_output (Emu   *emu,
              gint64 now)
{
  gint64 nb;
  const guint8 *data;
  gsize len;

  while (ec_pn532_peek_output (emu->chip, &nb, &data, &len))
    {
      gint64 bus = byte_us (emu);
      gsize n = len;
      ssize_t w;

      if (emu->master_fd < 0)
        {
          ec_pn532_consume_output (emu->chip, len);   /* unplugged: nowhere to go */
          continue;
        }
      if (nb > now)
        return nb;
      if (bus > 0)
        {
          gint64 start = MAX (emu->tx_time, nb);
          gint64 due = (now - start) / bus;
          if (due <= 0)
            return start + bus;
          n = (gsize) MIN ((gint64) len, due);
        }
      w = write (emu->master_fd, data, n);
      if (w < 0)
        {
          if (errno == EAGAIN || errno == EINTR)
            return now + 1000;
          g_warning ("write to pty: %s", g_strerror (errno));
          ec_pn532_consume_output (emu->chip, len);
          continue;
        }
      if (bus > 0)
        emu->tx_time = MAX (emu->tx_time, nb) + (gint64) w * bus;
      ec_pn532_consume_output (emu->chip, (gsize) w);
      if ((gsize) w < n)
        return now + 1000;
    }
  return G_MAXINT64;
}

/* ---------------------------------------------------------------------------
 * Control commands. */

static gboolean
parse_uid (const char *hex,
           guint8     *uid,
           gsize      *len)
{
  gsize n = strlen (hex);

  if (n == 0 || n % 2 != 0 || n / 2 > EC_EMU_TAG_MAX_UID)
    return FALSE;
  for (gsize i = 0; i < n; i += 2)
    {
      if (!g_ascii_isxdigit (hex[i]) || !g_ascii_isxdigit (hex[i + 1]))
        return FALSE;
      uid[i / 2] = (guint8) (g_ascii_xdigit_value (hex[i]) * 16 + g_ascii_xdigit_value (hex[i + 1]));
    }
  *len = n / 2;
  return TRUE;
}

static char *
describe_tag (const EcEmuTag *tag)
{
  GString *s = g_string_new (ec_emu_tag_type_name (tag->type));

  g_string_append (s, " uid ");
  for (gsize i = 0; i < tag->uid_len; i++)
    g_string_append_printf (s, "%02x", tag->uid[i]);
  return g_string_free (s, FALSE);
}

static char *
place_blank (Emu          *emu,
             EcEmuTagType  type,
             const char   *uid_hex)
{
  g_autoptr(GError) error = NULL;
  guint8 uid[EC_EMU_TAG_MAX_UID];
  gsize uid_len = 0;
  EcEmuTag *tag;
  g_autofree char *what = NULL;

  if (uid_hex && !parse_uid (uid_hex, uid, &uid_len))
    return g_strdup_printf ("err bad UID “%s” (hex digits)", uid_hex);
  tag = ec_emu_tag_new_blank (type, uid_hex ? uid : NULL, uid_len, &error);
  if (tag == NULL)
    return g_strdup_printf ("err %s", error->message);
  ec_pn532_set_tag (emu->chip, tag);
  what = describe_tag (tag);
  return g_strdup_printf ("ok placed %s", what);
}

static guint
parse_count (const char *s,
             gboolean   *ok)
{
  guint64 v = 0;

  *ok = s != NULL && g_ascii_string_to_unsigned (s, 10, 0, G_MAXUINT32, &v, NULL);
  return (guint) v;
}

static char *
run_control (Emu        *emu,
             const char *line)
{
  g_auto(GStrv) argv = g_strsplit_set (line, " \t", -1);
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  const char *cmd;
  const char *a1;
  const char *a2;
  gsize n;
  gboolean ok;

  for (guint i = 0; argv[i]; i++)
    if (*argv[i])
      g_ptr_array_add (args, argv[i]);
  n = args->len;
  if (n == 0)
    return g_strdup ("err empty command");
  cmd = args->pdata[0];
  a1 = n > 1 ? args->pdata[1] : NULL;
  a2 = n > 2 ? args->pdata[2] : NULL;

  /* A FILE argument is the rest of the line, so paths may contain spaces. */
  if ((g_str_equal (cmd, "place-image") || g_str_equal (cmd, "save")) && n > 2)
    {
      const char *rest = line + strspn (line, " \t");
      rest += strlen (cmd);
      rest += strspn (rest, " \t");
      a1 = rest;
      n = 2;
    }

  if (g_str_equal (cmd, "place"))
    {
      EcEmuTagType type;
      if (n < 2 || n > 3 || !ec_emu_tag_type_from_name (a1, &type) || !ec_emu_tag_type_is_ntag (type))
        return g_strdup ("err usage: place ntag213|ntag215|ntag216 [UIDHEX]");
      return place_blank (emu, type, a2);
    }
  if (g_str_equal (cmd, "place-mfc1k") || g_str_equal (cmd, "place-iso14443-4"))
    {
      if (n > 2)
        return g_strdup_printf ("err usage: %s [UIDHEX]", cmd);
      return place_blank (emu, g_str_equal (cmd, "place-mfc1k") ? EC_EMU_TAG_MFC1K : EC_EMU_TAG_ISO14443_4, a1);
    }
  if (g_str_equal (cmd, "place-image"))
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *what = NULL;
      EcEmuTag *tag;
      if (n != 2)
        return g_strdup ("err usage: place-image FILE");
      tag = ec_emu_tag_load_image (a1, &error);
      if (tag == NULL)
        return g_strdup_printf ("err %s", error->message);
      ec_pn532_set_tag (emu->chip, tag);
      what = describe_tag (tag);
      return g_strdup_printf ("ok placed %s", what);
    }
  if (g_str_equal (cmd, "remove"))
    {
      gboolean had = ec_pn532_get_tag (emu->chip) != NULL;
      ec_pn532_set_tag (emu->chip, NULL);
      return g_strdup (had ? "ok removed" : "ok removed (the field was empty)");
    }
  if (g_str_equal (cmd, "save"))
    {
      g_autoptr(GError) error = NULL;
      EcEmuTag *tag = ec_pn532_get_tag (emu->chip);
      if (n != 2)
        return g_strdup ("err usage: save FILE");
      if (tag == NULL)
        return g_strdup ("err no tag in the field");
      if (!ec_emu_tag_save_image (tag, a1, &error))
        return g_strdup_printf ("err %s", error->message);
      return g_strdup_printf ("ok saved %s", a1);
    }
  if (g_str_equal (cmd, "tear"))
    {
      EcPn532TearMode mode;
      guint k = parse_count (a1, &ok);
      if (n != 3 || !ok)
        return g_strdup ("err usage: tear K not-applied|lost-answer|half-written");
      if (g_str_equal (a2, "not-applied"))
        mode = EC_PN532_TEAR_NOT_APPLIED;
      else if (g_str_equal (a2, "lost-answer"))
        mode = EC_PN532_TEAR_LOST_ANSWER;
      else if (g_str_equal (a2, "half-written"))
        mode = EC_PN532_TEAR_HALF_WRITTEN;
      else
        return g_strdup ("err tear mode must be not-applied, lost-answer or half-written");
      ec_pn532_set_tear (emu->chip, k, mode);
      return k ? g_strdup_printf ("ok tear %u %s", k, a2) : g_strdup ("ok tear cancelled");
    }
  if (g_str_equal (cmd, "drop-frame") || g_str_equal (cmd, "corrupt-frame"))
    {
      guint k = parse_count (a1, &ok);
      if (n != 2 || !ok)
        return g_strdup_printf ("err usage: %s K", cmd);
      if (g_str_equal (cmd, "drop-frame"))
        ec_pn532_set_drop_frame (emu->chip, k);
      else
        ec_pn532_set_corrupt_frame (emu->chip, k);
      return g_strdup_printf ("ok %s %u", cmd, k);
    }
  if (g_str_equal (cmd, "stall") || g_str_equal (cmd, "unstall"))
    {
      if (n != 1)
        return g_strdup_printf ("err usage: %s", cmd);
      ec_pn532_set_stalled (emu->chip, g_str_equal (cmd, "stall"));
      return g_strdup_printf ("ok %sed", cmd);
    }
  if (g_str_equal (cmd, "unplug"))
    {
      if (emu->master_fd < 0)
        return g_strdup ("ok unplugged (already)");
      close_pty (emu);
      (void) g_unlink (emu->link_path);
      ec_pn532_clear_output (emu->chip);
      return g_strdup ("ok unplugged");
    }
  if (g_str_equal (cmd, "replug"))
    {
      g_autoptr(GError) error = NULL;
      close_pty (emu);
      ec_pn532_reset (emu->chip);
      if (!open_pty (emu, &error))
        return g_strdup_printf ("err %s", error->message);
      printf ("pty %s\n", emu->slave_name);
      fflush (stdout);
      return g_strdup_printf ("ok replugged %s", emu->slave_name);
    }
  if (g_str_equal (cmd, "pace"))
    {
      guint baud = parse_count (a1, &ok);
      if (n != 2 || !ok)
        return g_strdup ("err usage: pace BAUD (0 = off)");
      ec_pn532_set_pace (emu->chip, baud);
      emu->tx_time = 0;
      return g_strdup_printf ("ok pace %u", baud);
    }
  if (g_str_equal (cmd, "max-answer"))
    {
      guint bytes = parse_count (a1, &ok);
      if (n != 2 || !ok || bytes == 0 || bytes > 264)
        return g_strdup ("err usage: max-answer BYTES (1..264)");
      ec_pn532_set_max_answer (emu->chip, bytes);
      return g_strdup_printf ("ok max-answer %u", bytes);
    }
  if (g_str_equal (cmd, "air"))
    {
      if (n != 2 || (!g_str_equal (a1, "on") && !g_str_equal (a1, "off")))
        return g_strdup ("err usage: air on|off");
      ec_pn532_set_air (emu->chip, g_str_equal (a1, "on"));
      return g_strdup_printf ("ok air %s", a1);
    }
  if (g_str_equal (cmd, "stats"))
    {
      g_autofree char *s = ec_pn532_format_stats (emu->chip);
      if (n > 2 || (a1 && !g_str_equal (a1, "reset")))
        return g_strdup ("err usage: stats [reset]");
      if (a1)
        ec_pn532_reset_stats (emu->chip);
      return g_strdup_printf ("ok %s", s);
    }
  if (g_str_equal (cmd, "status"))
    {
      EcEmuTag *tag = ec_pn532_get_tag (emu->chip);
      g_autoptr(GString) uid = g_string_new (tag ? NULL : "-");
      if (n != 1)
        return g_strdup ("err usage: status");
      for (gsize i = 0; tag && i < tag->uid_len; i++)
        g_string_append_printf (uid, "%02x", tag->uid[i]);
      return g_strdup_printf ("ok plugged=%d pty=%s stalled=%d pace=%u air=%s max-answer=%u tag=%s uid=%s",
                              emu->master_fd >= 0, emu->master_fd >= 0 ? emu->slave_name : "-",
                              ec_pn532_get_stalled (emu->chip), ec_pn532_get_pace (emu->chip),
                              ec_pn532_get_air (emu->chip) ? "on" : "off",
                              ec_pn532_get_max_answer (emu->chip),
                              tag ? ec_emu_tag_type_name (tag->type) : "none", uid->str);
    }
  if (g_str_equal (cmd, "quit"))
    {
      emu->quit = TRUE;
      return g_strdup ("ok bye");
    }
  return g_strdup_printf ("err unknown command “%s”", cmd);
}

/* ---------------------------------------------------------------------------
 * Control socket. */

static int
listen_control (const char *path,
                GError    **error)
{
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  int fd;

  if (strlen (path) >= sizeof sa.sun_path)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FILENAME_TOO_LONG, "socket path too long: %s", path);
      return -1;
    }
  strcpy (sa.sun_path, path);
  (void) g_unlink (path);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0 || bind (fd, (struct sockaddr *) &sa, sizeof sa) != 0 || listen (fd, 8) != 0)
    {
      int e = errno;
      if (fd >= 0)
        close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (e), "control socket %s: %s", path, g_strerror (e));
      return -1;
    }
  return fd;
}

static void
client_close (Client *c)
{
  if (c->fd >= 0)
    close (c->fd);
  c->fd = -1;
  if (c->buf)
    g_string_free (c->buf, TRUE);
  c->buf = NULL;
}

static void
write_all (int         fd,
           const char *s,
           gsize       len)
{
  while (len > 0)
    {
      ssize_t w = write (fd, s, len);
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0 && errno == EAGAIN)
        {
          struct pollfd p = { .fd = fd, .events = POLLOUT };
          if (poll (&p, 1, 1000) <= 0)
            return;
          continue;
        }
      if (w <= 0)
        return;
      s += w;
      len -= (gsize) w;
    }
}

static void
client_read (Emu    *emu,
             Client *c)
{
  char buf[1024];
  ssize_t r = read (c->fd, buf, sizeof buf);
  char *nl;

  if (r < 0 && (errno == EAGAIN || errno == EINTR))
    return;
  if (r <= 0)
    {
      client_close (c);
      return;
    }
  g_string_append_len (c->buf, buf, r);
  while ((nl = memchr (c->buf->str, '\n', c->buf->len)) != NULL)
    {
      g_autofree char *line = g_strndup (c->buf->str, (gsize) (nl - c->buf->str));
      g_autofree char *answer = NULL;
      g_autofree char *out = NULL;

      g_string_erase (c->buf, 0, nl - c->buf->str + 1);
      g_strstrip (line);
      if (*line == '\0')
        continue;
      answer = run_control (emu, line);
      out = g_strconcat (answer, "\n", NULL);
      write_all (c->fd, out, strlen (out));
      ec_pn532_tick (emu->chip, g_get_monotonic_time ());
    }
  if (c->buf->len > MAX_LINE)
    {
      write_all (c->fd, "err line too long\n", 18);
      client_close (c);
    }
}

/* ---------------------------------------------------------------------------
 * Main loop. */

static void
read_pty (Emu *emu)
{
  guint8 buf[4096];
  ssize_t r = read (emu->master_fd, buf, sizeof buf);

  if (r > 0)
    {
      if (emu->trace)
        {
          if (fwrite (buf, 1, (size_t) r, emu->trace) != (size_t) r || fflush (emu->trace) != 0)
            g_warning ("trace: %s", g_strerror (errno));
        }
      ec_pn532_feed (emu->chip, buf, (gsize) r, g_get_monotonic_time ());
    }
}

static int
run (Emu *emu)
{
  sigset_t block, orig;

  sigemptyset (&block);
  sigaddset (&block, SIGINT);
  sigaddset (&block, SIGTERM);
  sigprocmask (SIG_BLOCK, &block, &orig);

  while (!emu->quit && !got_signal)
    {
      struct pollfd fds[2 + MAX_CLIENTS];
      Client *who[2 + MAX_CLIENTS];
      nfds_t nfds = 0;
      gint64 now = g_get_monotonic_time ();
      gint64 wake;
      struct timespec ts, *tsp = NULL;
      int res;

      ec_pn532_tick (emu->chip, now);
      wake = MIN (flush_output (emu, now), ec_pn532_next_deadline (emu->chip));

      if (emu->master_fd >= 0)
        {
          fds[nfds] = (struct pollfd) { .fd = emu->master_fd, .events = POLLIN };
          who[nfds++] = NULL;
        }
      fds[nfds] = (struct pollfd) { .fd = emu->listen_fd, .events = POLLIN };
      who[nfds++] = NULL;
      for (int i = 0; i < MAX_CLIENTS; i++)
        if (emu->clients[i].fd >= 0)
          {
            fds[nfds] = (struct pollfd) { .fd = emu->clients[i].fd, .events = POLLIN };
            who[nfds++] = &emu->clients[i];
          }

      if (wake != G_MAXINT64)
        {
          gint64 d = MAX (0, wake - now);
          ts.tv_sec = (time_t) (d / G_USEC_PER_SEC);
          ts.tv_nsec = (long) (d % G_USEC_PER_SEC) * 1000;
          tsp = &ts;
        }
      res = ppoll (fds, nfds, tsp, &orig);
      if (res < 0)
        {
          if (errno == EINTR)
            continue;
          g_printerr ("pn532-emu: poll: %s\n", g_strerror (errno));
          return 1;
        }

      for (nfds_t i = 0; i < nfds; i++)
        {
          if (fds[i].revents == 0)
            continue;
          if (who[i])
            client_read (emu, who[i]);
          else if (fds[i].fd == emu->master_fd)
            {
              if (fds[i].revents & POLLIN)
                read_pty (emu);
              else if (fds[i].revents & (POLLHUP | POLLERR))
                g_usleep (1000);        /* cannot happen while we hold the slave open */
            }
          else if (fds[i].fd == emu->listen_fd)
            {
              int cfd = accept4 (emu->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
              if (cfd < 0)
                continue;
              for (int k = 0; k < MAX_CLIENTS; k++)
                if (emu->clients[k].fd < 0)
                  {
                    emu->clients[k].fd = cfd;
                    emu->clients[k].buf = g_string_new (NULL);
                    cfd = -1;
                    break;
                  }
              if (cfd >= 0)
                {
                  write_all (cfd, "err too many control clients\n", 29);
                  close (cfd);
                }
            }
          if (emu->quit)
            break;
        }
    }
  sigprocmask (SIG_SETMASK, &orig, NULL);
  return 0;
}

/* ---------------------------------------------------------------------------
 * ctl client. */

static int
ctl_main (int    argc,
          char **argv)
{
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  g_autofree char *line = NULL;
  g_autoptr(GString) answer = g_string_new (NULL);
  gint64 deadline;
  int fd;

  if (argc < 4)
    {
      g_printerr ("usage: pn532-emu ctl SOCKET COMMAND...\n");
      return 2;
    }
  if (strlen (argv[2]) >= sizeof sa.sun_path)
    {
      g_printerr ("pn532-emu ctl: socket path too long\n");
      return 2;
    }
  strcpy (sa.sun_path, argv[2]);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect (fd, (struct sockaddr *) &sa, sizeof sa) != 0)
    {
      g_printerr ("pn532-emu ctl: cannot connect to %s: %s\n", argv[2], g_strerror (errno));
      if (fd >= 0)
        close (fd);
      return 2;
    }
  {
    g_autofree char *joined = g_strjoinv (" ", argv + 3);
    line = g_strconcat (joined, "\n", NULL);
  }
  write_all (fd, line, strlen (line));
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (strchr (answer->str, '\n') == NULL)
    {
      struct pollfd p = { .fd = fd, .events = POLLIN };
      gint64 left = deadline - g_get_monotonic_time ();
      char buf[512];
      ssize_t r;

      if (left <= 0 || poll (&p, 1, (int) (left / 1000) + 1) <= 0)
        {
          g_printerr ("pn532-emu ctl: no answer from %s\n", argv[2]);
          close (fd);
          return 2;
        }
      r = read (fd, buf, sizeof buf);
      if (r <= 0)
        break;
      g_string_append_len (answer, buf, r);
    }
  close (fd);
  if (answer->len == 0)
    {
      g_printerr ("pn532-emu ctl: connection closed without an answer\n");
      return 2;
    }
  fputs (answer->str, stdout);
  if (answer->str[answer->len - 1] != '\n')
    fputc ('\n', stdout);
  return g_str_has_prefix (answer->str, "ok") ? 0 : 1;
}

/* ---------------------------------------------------------------------------
 * Emulator main. */

int
main (int    argc,
      char **argv)
{
  g_autofree char *link_path = NULL;
  g_autofree char *control_path = NULL;
  g_autofree char *tag_name = NULL;
  g_autofree char *image = NULL;
  g_autofree char *uid = NULL;
  g_autofree char *trace = NULL;
  gint pace = 0;
  gint seed = 1;
  gint max_answer = 264;
  gboolean air = FALSE;
  GOptionEntry entries[] = {
    { "link", 'l', 0, G_OPTION_ARG_FILENAME, &link_path, "Keep a symlink to the current pty at PATH", "PATH" },
    { "control", 'c', 0, G_OPTION_ARG_FILENAME, &control_path, "Control socket", "SOCKET" },
    { "pace", 0, 0, G_OPTION_ARG_INT, &pace, "Pace the UART at BAUD, 8N1 (0 = off)", "BAUD" },
    { "max-answer", 0, 0, G_OPTION_ARG_INT, &max_answer, "At most BYTES data bytes in one tag answer (1..264, default 264)", "BYTES" },
    { "air", 0, 0, G_OPTION_ARG_NONE, &air, "Add 106 kbit/s air time to tag commands", NULL },
    { "tag", 0, 0, G_OPTION_ARG_STRING, &tag_name, "Place a blank tag: ntag213|ntag215|ntag216|mfc1k|iso14443-4", "TYPE" },
    { "uid", 0, 0, G_OPTION_ARG_STRING, &uid, "UID of the --tag, in hex", "HEX" },
    { "image", 0, 0, G_OPTION_ARG_FILENAME, &image, "Place a tag from an image file", "FILE" },
    { "seed", 0, 0, G_OPTION_ARG_INT, &seed, "Seed for half-written tears (default 1)", "N" },
    { "trace", 0, 0, G_OPTION_ARG_FILENAME, &trace, "Append every byte the host sends to FILE", "FILE" },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = NULL;
  g_autoptr(GError) error = NULL;
  Emu emu = { .master_fd = -1, .slave_fd = -1, .listen_fd = -1 };
  struct sigaction sa = { 0 };
  int rc;

  if (argc >= 2 && g_str_equal (argv[1], "ctl"))
    return ctl_main (argc, argv);

  ctx = g_option_context_new ("- a PN532 on a pseudo-terminal, for libnfc's pn532_uart driver");
  g_option_context_set_description (ctx,
    "  pn532-emu ctl SOCKET COMMAND...   send one control command and print the answer\n\n"
    "Point libnfc at it with LIBNFC_DEFAULT_DEVICE=pn532_uart:PATH LIBNFC_AUTO_SCAN=false.\n"
    "See docs/emulator.md for the control commands.\n");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("pn532-emu: %s\n", error->message);
      return 2;
    }
  if (link_path == NULL || control_path == NULL || argc != 1 || pace < 0 || (tag_name && image)
      || max_answer < 1 || max_answer > 264)
    {
      g_printerr ("usage: pn532-emu --link PATH --control SOCKET [--pace BAUD] [--air] [--max-answer BYTES] "
                  "[--tag TYPE [--uid HEX] | --image FILE]\n");
      return 2;
    }

  emu.chip = ec_pn532_new ();
  emu.link_path = link_path;
  emu.control_path = control_path;
  for (int i = 0; i < MAX_CLIENTS; i++)
    emu.clients[i].fd = -1;
  ec_pn532_set_pace (emu.chip, (guint) pace);
  ec_pn532_set_air (emu.chip, air);
  ec_pn532_set_max_answer (emu.chip, (guint) max_answer);
  ec_pn532_set_seed (emu.chip, (guint32) seed);

  if (tag_name || image)
    {
      g_autofree char *answer = NULL;
      g_autofree char *line = NULL;

      if (image)
        line = g_strdup_printf ("place-image %s", image);
      else if (g_ascii_strcasecmp (tag_name, "mfc1k") == 0)
        line = g_strdup_printf ("place-mfc1k %s", uid ? uid : "");
      else if (g_ascii_strcasecmp (tag_name, "iso14443-4") == 0)
        line = g_strdup_printf ("place-iso14443-4 %s", uid ? uid : "");
      else
        line = g_strdup_printf ("place %s %s", tag_name, uid ? uid : "");
      answer = run_control (&emu, line);
      if (!g_str_has_prefix (answer, "ok"))
        {
          g_printerr ("pn532-emu: %s\n", answer + 4);
          ec_pn532_free (emu.chip);
          return 2;
        }
    }

  if (trace)
    {
      emu.trace = fopen (trace, "ab");
      if (emu.trace == NULL)
        {
          g_printerr ("pn532-emu: %s: %s\n", trace, g_strerror (errno));
          ec_pn532_free (emu.chip);
          return 1;
        }
    }

  sa.sa_handler = on_signal;
  sigaction (SIGINT, &sa, NULL);
  sigaction (SIGTERM, &sa, NULL);
  signal (SIGPIPE, SIG_IGN);

  emu.listen_fd = listen_control (control_path, &error);
  if (emu.listen_fd < 0 || !open_pty (&emu, &error))
    {
      g_printerr ("pn532-emu: %s\n", error->message);
      if (emu.listen_fd >= 0)
        {
          close (emu.listen_fd);
          (void) g_unlink (control_path);
        }
      close_pty (&emu);
      ec_pn532_free (emu.chip);
      g_free (emu.slave_name);
      return 1;
    }

  printf ("pty %s\nlink %s\ncontrol %s\nready\n", emu.slave_name, link_path, control_path);
  fflush (stdout);

  rc = run (&emu);

  for (int i = 0; i < MAX_CLIENTS; i++)
    client_close (&emu.clients[i]);
  close (emu.listen_fd);
  (void) g_unlink (control_path);
  close_pty (&emu);
  (void) g_unlink (link_path);
  ec_pn532_free (emu.chip);
  g_free (emu.slave_name);
  if (emu.trace)
    fclose (emu.trace);
  return rc;
}
