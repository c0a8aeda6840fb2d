/* SPDX-License-Identifier: GPL-3.0-or-later */
/* eldercard-nfc-helper: the only process that calls libnfc.
 *
 * EcReader (src/core/ec-reader.c) spawns it and sends requests on stdin; answers go
 * to stdout (the protocol is in src/core/ec-reader-private.h). Every libnfc call here
 * has a finite timeout, and the parent kills this process when an answer is late, so a
 * hung driver or a reader that vanished never blocks the parent. libnfc's own log goes
 * to stderr (the parent discards it unless ELDERCARD_NFC_DEBUG is set); stdout is
 * moved to a private descriptor at start so nothing but frames ever reaches it.
 *
 * The card protocol, NTAG213/215/216 (card-security.md §1.1):
 *   select        InListPassiveTarget, infinite select off (one bounded round)
 *   GET_VERSION   0x60, raw (InCommunicateThru, CRC_A by us), like nfc-mfultralight
 *   FAST_READ     0x3A s e through InDataExchange, ≤ 65 pages (libnfc's buffer); fewer,
 *                 down to READ, on a reader that answers a long one with NFC_ECHIP
 *   READ          0x30 p (16 bytes)
 *   WRITE         0xA2 p d0..d3
 * A command without an answer leaves the card IDLE (or it left): we select it again by
 * UID before deciding whether it is gone. A tag-level error never makes the reader
 * "lost": only the device failing to answer (or a select failing) does. A card that
 * stops answering as the selected target during a presence check is reported gone
 * even if a card with its UID is back: it is read again. */
#define G_LOG_DOMAIN "ec-nfc-helper"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <termios.h>
#include <stdlib.h>

#include <glib.h>
#include <nfc/nfc.h>

#include "ec-reader-private.h"

#define SELECT_PERIOD_MS   25     /* between two select rounds while waiting for a card */
#define GONE_PERIOD_MS     50     /* between two presence checks */
#define TAG_TIMEOUT_MS     250    /* one tag command */

static nfc_context *ctx;
static nfc_device  *pnd;
static int          out_fd = -1;

/* The selected card, if any. */
static gboolean     have_target;
static guint8       cur_uid[10];
static guint        cur_uid_len;
static guint8       cur_sak;

/* Pages per FAST_READ this device passes (learnt on NFC_ECHIP; 0 = READ only). */
static guint        fast_read_max = EC_NFC_FAST_READ_MAX;

/* ------------------------------------------------------------------------- */
/* I/O */

static gboolean
read_full (int     fd,
           guint8 *buf,
           gsize   len)
{
  gsize done = 0;

  while (done < len)
    {
      ssize_t n = read (fd, buf + done, len - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      done += (gsize) n;
    }
  return TRUE;
}

static gboolean
write_full (int           fd,
            const guint8 *buf,
            gsize         len)
{
  gsize done = 0;

  while (done < len)
    {
      ssize_t n = write (fd, buf + done, len - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      done += (gsize) n;
    }
  return TRUE;
}

static void
send_frame (GByteArray *body)
{
  guint8 hdr[4] = { (guint8) (body->len >> 24), (guint8) (body->len >> 16),
                    (guint8) (body->len >> 8), (guint8) body->len };

  if (!write_full (out_fd, hdr, 4) || !write_full (out_fd, body->data, body->len))
    _exit (1);                                   /* the parent is gone */
}

static void
send_error (EcReaderError  code,
            const char    *message)
{
  g_autoptr(GByteArray) b = g_byte_array_new ();

  ec_nfc_put_u8 (b, EC_NFC_ANSWER_ERROR);
  ec_nfc_put_u8 (b, (guint8) code);
  ec_nfc_put_str (b, message);
  send_frame (b);
}

static GByteArray *
ok_answer (void)
{
  GByteArray *b = g_byte_array_new ();
  ec_nfc_put_u8 (b, EC_NFC_ANSWER_OK);
  return b;
}

static gint64
now_ms (void)
{
  return g_get_monotonic_time () / 1000;
}

/* ------------------------------------------------------------------------- */
/* libnfc with stderr captured: libnfc reports why an open failed only in its log
 * ("Unable to claim USB interface (Device or resource busy)"). */

static int   capture_fd = -1;
static int   saved_stderr = -1;

static void
capture_begin (void)
{
  char tmpl[] = "/tmp/ec-nfc-helper-XXXXXX";

  fflush (stderr);
  capture_fd = mkstemp (tmpl);
  if (capture_fd < 0)
    return;
  unlink (tmpl);
  saved_stderr = dup (2);
  if (saved_stderr < 0 || dup2 (capture_fd, 2) < 0)
    {
      close (capture_fd);
      capture_fd = -1;
    }
}

static char *
capture_end (void)
{
  GString *s = g_string_new (NULL);
  char buf[1024];
  ssize_t n;

  fflush (stderr);
  if (capture_fd < 0)
    return g_string_free (s, FALSE);
  dup2 (saved_stderr, 2);
  close (saved_stderr);
  if (lseek (capture_fd, 0, SEEK_SET) == 0)
    while ((n = read (capture_fd, buf, sizeof buf)) > 0 && s->len < 16384)
      g_string_append_len (s, buf, n);
  close (capture_fd);
  capture_fd = -1;
  if (s->len > 0)
    (void) !write (2, s->str, s->len);       /* keep it in the helper's log too */
  return g_string_free (s, FALSE);
}

static gboolean
log_says_busy (const char *log)
{
  return strstr (log, "Unable to claim USB interface") != NULL
         || strstr (log, "Device or resource busy") != NULL
         || strstr (log, "EBUSY") != NULL;
}

/* The last non-empty line of libnfc's log, for the message. */
static char *
log_last_line (const char *log)
{
  g_auto(GStrv) lines = g_strsplit (log, "\n", -1);
  for (gint i = (gint) g_strv_length (lines) - 1; i >= 0; i--)
    {
      g_strstrip (lines[i]);
      if (lines[i][0] != '\0')
        return g_strdup (lines[i]);
    }
  return NULL;
}

/* ------------------------------------------------------------------------- */
/* Card commands */

/* An error from libnfc that is about the reader, not the card. */
static gboolean
is_device_error (int res)
{
  /* NFC_ETIMEOUT: the chip itself did not answer (a card that does not answer gives
   * NFC_ERFTRANS: the PN532 reports it). */
  return res == NFC_EIO || res == NFC_ENOTSUCHDEV || res == NFC_ECHIP || res == NFC_ETIMEOUT
         || res == NFC_ESOFT || res == NFC_EINVARG || res == NFC_EDEVNOTSUPP;
}

static char *device_error_message (int res, const char *what);

static char *
device_error_message (int         res,
                      const char *what)
{
  return g_strdup_printf ("%s: %s (libnfc error %d)", what, nfc_strerror (pnd), res);
}

/* One bounded select round. Returns 1 found, 0 none, < 0 libnfc error. */
static int
select_card (const guint8 *uid,
             guint         uid_len,
             nfc_target   *nt)
{
  const nfc_modulation nm = { .nmt = NMT_ISO14443A, .nbr = NBR_106 };
  int res;

  have_target = FALSE;
  res = nfc_initiator_select_passive_target (pnd, nm, uid_len > 0 ? uid : NULL, uid_len, nt);
  if (res > 0)
    {
      have_target = TRUE;
      cur_uid_len = (guint) MIN (nt->nti.nai.szUidLen, sizeof cur_uid);
      memcpy (cur_uid, nt->nti.nai.abtUid, cur_uid_len);
      cur_sak = nt->nti.nai.btSak;
      return 1;
    }
  return res;
}

/* Make sure the card @uid is selected (select it again if needed). */
static int
ensure_card (const guint8 *uid,
             guint         uid_len)
{
  nfc_target nt;

  /* No UID: whatever card is in the field now (select again: it may have changed). */
  if (have_target && uid_len > 0 && uid_len == cur_uid_len && memcmp (uid, cur_uid, uid_len) == 0)
    return 1;
  return select_card (uid_len > 0 ? uid : NULL, uid_len, &nt);
}

static int
transceive (const guint8 *tx,
            gsize         tx_len,
            guint8       *rx,
            gsize         rx_len)
{
  int res = nfc_initiator_transceive_bytes (pnd, tx, tx_len, rx, rx_len, TAG_TIMEOUT_MS);
  if (res < 0)
    have_target = FALSE;                          /* the card is IDLE now, or gone */
  return res;
}

static int
get_version (guint8 version[8])
{
  guint8 cmd[3] = { 0x60 };
  guint8 rx[16];
  guint8 crc[2];
  int res, res2;

  if ((res = nfc_device_set_property_bool (pnd, NP_HANDLE_CRC, false)) < 0
      || (res = nfc_device_set_property_bool (pnd, NP_EASY_FRAMING, false)) < 0)
    return res;
  iso14443a_crc_append (cmd, 1);
  res = transceive (cmd, 3, rx, sizeof rx);
  res2 = nfc_device_set_property_bool (pnd, NP_HANDLE_CRC, true);
  if (res2 >= 0)
    res2 = nfc_device_set_property_bool (pnd, NP_EASY_FRAMING, true);
  if (res2 < 0)
    return res2;
  if (res < 0)
    return res;
  if (res != 10)
    return NFC_ERFTRANS;
  iso14443a_crc (rx, 8, crc);
  if (crc[0] != rx[8] || crc[1] != rx[9])
    return NFC_ERFTRANS;
  memcpy (version, rx, 8);
  return 0;
}

/* READ: 4 pages. */
static int
read4 (guint   page,
       guint8  out[16])
{
  guint8 cmd[2] = { 0x30, (guint8) page };
  guint8 rx[32];
  int res = transceive (cmd, 2, rx, sizeof rx);

  if (res < 0)
    return res;
  if (res != 16)
    return NFC_ERFTRANS;
  memcpy (out, rx, 16);
  return 0;
}

/* The next smaller FAST_READ after one of @pages failed with NFC_ECHIP: 63 pages fit
 * a normal PN532 frame (no extended frame), then halves; 0 means READ (4 pages). */
static guint
smaller_fast_read (guint pages)
{
  if (pages > 63)
    return 63;
  if (pages > 4)
    return MAX (pages / 2, 4);
  return 0;
}

/* @n pages from @first, in FAST_READs of at most fast_read_max pages (READs when it
 * is 0). A reader that cannot pass a long answer (a PN532 clone, a CCID-wrapped
 * reader: libnfc says NFC_ECHIP, "Internal Chip Error", because the chip answered with
 * a buffer status) is asked again with smaller exchanges, and the limit is kept for as
 * long as the device stays open. */
static int
fast_read (guint   first,
           guint   n,
           guint8 *out)
{
  while (n > 0)
    {
      guint chunk = fast_read_max > 0 ? MIN (n, fast_read_max) : MIN (n, 4);
      guint8 rx[EC_NFC_FAST_READ_MAX * 4 + 8];
      int res;

      if (fast_read_max > 0)
        {
          guint8 cmd[3] = { 0x3a, (guint8) first, (guint8) (first + chunk - 1) };
          res = transceive (cmd, 3, rx, sizeof rx);
          if (res == NFC_ECHIP)
            {
              nfc_target nt;

              fast_read_max = smaller_fast_read (chunk);
              g_printerr ("eldercard-nfc-helper: a %u-page FAST_READ failed (%s): "
                          "reading %u pages at a time from now on\n",
                          chunk, nfc_strerror (pnd), fast_read_max > 0 ? fast_read_max : 4);
              /* The card answered and the chip could not pass it on: select the card
               * again (its state after the failed exchange is not ours to guess). */
              res = select_card (cur_uid, cur_uid_len, &nt);
              if (res <= 0)
                return res < 0 ? res : NFC_ETGRELEASED;
              continue;
            }
          if (res < 0)
            return res;
          if ((guint) res != chunk * 4)
            return NFC_ERFTRANS;
        }
      else if ((res = read4 (first, rx)) < 0)
        return res;
      memcpy (out, rx, (gsize) chunk * 4);
      out += (gsize) chunk * 4;
      first += chunk;
      n -= chunk;
    }
  return 0;
}

static int
write_page (guint         page,
            const guint8  data[4])
{
  guint8 cmd[6] = { 0xa2, (guint8) page, data[0], data[1], data[2], data[3] };
  guint8 rx[16];
  int res = transceive (cmd, 6, rx, sizeof rx);

  return res < 0 ? res : 0;
}

/* After a card command failed: a reader error, or is the card still here? */
static EcReaderError
classify_failure (int                res,
                  EcReaderError      if_present,
                  char             **message)
{
  nfc_target nt;
  int sel;
  g_autofree char *why = NULL;

  /* NFC_ECHIP from a tag command is a status byte: the chip answered (its buffer could
   * not take the card's answer, say). Whether the reader is really gone is told by
   * selecting the card again below, never by a tag-level error alone. */
  if (is_device_error (res) && res != NFC_ECHIP)
    {
      *message = device_error_message (res, "reader failed");
      return EC_READER_ERROR_LOST;
    }
  why = g_strdup (nfc_strerror (pnd));
  sel = select_card (cur_uid, cur_uid_len, &nt);
  if (sel < 0 && is_device_error (sel))
    {
      *message = device_error_message (sel, "reader failed");
      return EC_READER_ERROR_LOST;
    }
  if (sel > 0)
    {
      *message = g_strdup_printf ("the card did not answer (%s)", why);
      return if_present;
    }
  *message = g_strdup ("the card left the field");
  return EC_READER_ERROR_CARD_REMOVED;
}

static EcReaderCardKind
kind_from_version (const guint8 v[8])
{
  if (v[1] != 0x04 || v[2] != 0x04)
    return EC_READER_CARD_OTHER;
  switch (v[6])
    {
    case 0x0f: return EC_READER_CARD_NTAG213;
    case 0x11: return EC_READER_CARD_NTAG215;
    case 0x13: return EC_READER_CARD_NTAG216;
    default: return EC_READER_CARD_OTHER;
    }
}

/* Wait for a card and identify it. Returns the card, or NULL with the error sent. */
static EcReaderCard *
wait_and_identify (guint32       timeout_ms,
                   const guint8 *uid,
                   guint         uid_len)
{
  gint64 deadline = now_ms () + timeout_ms;
  nfc_target nt;
  EcReaderCard *card;
  EcReaderCardKind kind;
  guint8 version[8];
  int res;

  for (;;)
    {
      res = select_card (uid, uid_len, &nt);
      if (res > 0)
        break;
      if (res < 0)
        {
          g_autofree char *m = device_error_message (res, "select failed");
          /* A timeout of the select itself is the chip not answering. */
          send_error (EC_READER_ERROR_LOST, m);
          return NULL;
        }
      if (now_ms () >= deadline)
        {
          send_error (EC_READER_ERROR_TIMEOUT, "no card");
          return NULL;
        }
      g_usleep ((gulong) MIN (SELECT_PERIOD_MS, MAX (1, deadline - now_ms ())) * 1000);
    }

  if (cur_sak & 0x20)
    kind = EC_READER_CARD_ISO14443_4;
  else if (cur_sak == 0x08 || cur_sak == 0x18 || cur_sak == 0x09 || cur_sak == 0x88
           || cur_sak == 0x01 || cur_sak == 0x10 || cur_sak == 0x11)
    kind = EC_READER_CARD_MIFARE_CLASSIC;
  else if (cur_sak == 0x00 && cur_uid_len == 7)
    {
      res = get_version (version);
      if (res < 0 && !is_device_error (res) && select_card (cur_uid, cur_uid_len, &nt) > 0)
        res = get_version (version);              /* one more try: a glitch is not a card type */
      if (res < 0)
        {
          g_autofree char *m = NULL;
          EcReaderError code = classify_failure (res, EC_READER_ERROR_UNSUPPORTED, &m);
          if (code != EC_READER_ERROR_UNSUPPORTED)
            {
              send_error (code, m);
              return NULL;
            }
          kind = EC_READER_CARD_OTHER;          /* a Type 2 tag without GET_VERSION */
        }
      else
        kind = kind_from_version (version);
    }
  else
    kind = EC_READER_CARD_OTHER;

  card = ec_reader_card_new (kind, cur_uid, cur_uid_len);
  if (kind <= EC_READER_CARD_NTAG216 || (cur_sak == 0x00 && res >= 0))
    {
      card->has_version = TRUE;
      memcpy (card->version, version, 8);
    }
  return card;
}

/* How many pages from page 0 hold the NDEF message and its terminator, from the
 * @have pages read so far (at least 5); @all (the user area's end) when the TLVs do
 * not say it within what was read. Type 2 TLVs from page 4: NULL (00), lock and
 * memory control (01, 02: length-prefixed), NDEF (03, length 1 byte or FF hh ll),
 * terminator (FE). */
static guint
ndef_pages_needed (const guint8 *mem,
                   guint         have,
                   guint         all)
{
  gsize pos = 16, end = (gsize) have * 4;

  while (pos < end)
    {
      guint8 t = mem[pos];
      gsize len, hdr;

      if (t == 0x00)
        {
          pos++;
          continue;
        }
      if (t == 0xfe)
        return (guint) (pos / 4 + 1);
      if (pos + 1 >= end)
        return all;
      if (mem[pos + 1] == 0xff)
        {
          if (pos + 3 >= end)
            return all;
          len = ((gsize) mem[pos + 2] << 8) | mem[pos + 3];
          hdr = 4;
        }
      else
        {
          len = mem[pos + 1];
          hdr = 2;
        }
      if (t == 0x03)
        {
          gsize last_byte = pos + hdr + len;      /* the terminator after the message */
          guint pages = (guint) (last_byte / 4 + 1);
          return MIN (pages, all);
        }
      if (t != 0x01 && t != 0x02)
        return all;                               /* unknown TLV: read everything */
      pos += hdr + len;
    }
  return all;
}

static void
send_card (EcNfcAnswer   kind,
           EcReaderCard *card)
{
  g_autoptr(GByteArray) b = g_byte_array_new ();

  ec_nfc_put_u8 (b, (guint8) kind);
  ec_reader_card_encode (card, b);
  send_frame (b);
}

static void
card_failed (int res)
{
  g_autofree char *m = NULL;
  EcReaderError code = classify_failure (res, EC_READER_ERROR_CARD_REMOVED, &m);
  send_error (code, m);
}

/* ------------------------------------------------------------------------- */
/* A serial reader left "claimed". libnfc's uart driver marks a serial port as in use
 * with bit 31 of the termios c_iflag and restores the old termios on close. A helper
 * killed by the watchdog never closes, so a real UART keeps the bit and every later
 * nfc_open says the port is claimed (a pty drops the bit, so the emulator never shows
 * this). When nobody has the port open any more, the claim is stale: clear it. */

#define LIBNFC_CCLAIMED 0x80000000u

static gboolean
tty_open_elsewhere (const char *real)
{
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *pid;
  g_autofree char *self = g_strdup_printf ("%d", (int) getpid ());

  if (proc == NULL)
    return TRUE;                                  /* cannot tell: leave it */
  while ((pid = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *fddir = NULL;
      g_autoptr(GDir) fds = NULL;
      const char *fd;

      if (!g_ascii_isdigit (pid[0]) || g_str_equal (pid, self))
        continue;
      fddir = g_build_filename ("/proc", pid, "fd", NULL);
      fds = g_dir_open (fddir, 0, NULL);
      while (fds != NULL && (fd = g_dir_read_name (fds)) != NULL)
        {
          g_autofree char *link = g_build_filename (fddir, fd, NULL);
          g_autofree char *target = g_file_read_link (link, NULL);
          if (target != NULL && g_str_equal (target, real))
            return TRUE;
        }
    }
  return FALSE;
}

static gboolean
clear_stale_uart_claim (const char *connstring)
{
  g_auto(GStrv) parts = NULL;
  g_autofree char *real = NULL;
  struct termios tio;
  int fd;
  gboolean cleared = FALSE;

  if (!g_str_has_prefix (connstring, "pn532_uart:"))
    return FALSE;
  parts = g_strsplit (connstring, ":", 3);
  if (parts[1] == NULL || parts[1][0] == '\0')
    return FALSE;
  real = realpath (parts[1], NULL);
  if (real == NULL || tty_open_elsewhere (real))
    return FALSE;
  fd = open (real, O_RDWR | O_NOCTTY | O_NONBLOCK);
  if (fd < 0)
    return FALSE;
  if (tcgetattr (fd, &tio) == 0 && (tio.c_iflag & LIBNFC_CCLAIMED))
    {
      tio.c_iflag &= ~(tcflag_t) LIBNFC_CCLAIMED;
      cleared = tcsetattr (fd, TCSANOW, &tio) == 0;
      if (cleared)
        g_printerr ("eldercard-nfc-helper: cleared a stale libnfc claim on %s\n", real);
    }
  close (fd);
  return cleared;
}

/* ------------------------------------------------------------------------- */
/* Requests */

static void
do_open (EcNfcCursor *c)
{
  g_autofree char *cs = ec_nfc_get_str (c);
  g_autofree char *log = NULL;
  g_autofree char *detail = NULL;
  g_autoptr(GByteArray) b = NULL;
  int res;

  if (cs == NULL)
    {
      send_error (EC_READER_ERROR_PROTOCOL, "bad OPEN request");
      return;
    }
  if (pnd != NULL)
    {
      nfc_close (pnd);
      pnd = NULL;
    }
  have_target = FALSE;
  fast_read_max = EC_NFC_FAST_READ_MAX;           /* another device, maybe */

  capture_begin ();
  if (ctx == NULL)
    nfc_init (&ctx);
  if (ctx != NULL)
    {
      if (cs[0] != '\0')
        {
          pnd = nfc_open (ctx, cs);
          if (pnd == NULL && clear_stale_uart_claim (cs))
            pnd = nfc_open (ctx, cs);
        }
      else
        {
          nfc_connstring found[4];
          size_t n = nfc_list_devices (ctx, found, G_N_ELEMENTS (found));
          /* LIBNFC_DEFAULT_DEVICE / libnfc.conf devices come first in the list. */
          pnd = nfc_open (ctx, NULL);
          if (pnd == NULL && n > 0)
            pnd = nfc_open (ctx, found[0]);
          if (pnd == NULL && n > 0 && clear_stale_uart_claim (found[0]))
            pnd = nfc_open (ctx, found[0]);
        }
    }
  log = capture_end ();
  detail = log_last_line (log);

  if (ctx == NULL)
    {
      send_error (EC_READER_ERROR_NO_READER, "libnfc could not be initialised");
      return;
    }
  if (pnd == NULL)
    {
      g_autofree char *m = NULL;
      if (cs[0] != '\0')
        m = g_strdup_printf ("cannot open %s%s%s", cs, detail ? ": " : "", detail ? detail : "");
      else
        m = g_strdup_printf ("no reader found%s%s", detail ? ": " : "", detail ? detail : "");
      send_error (log_says_busy (log) ? EC_READER_ERROR_BUSY : EC_READER_ERROR_NO_READER, m);
      return;
    }

  if ((res = nfc_initiator_init (pnd)) < 0
      || (res = nfc_device_set_property_bool (pnd, NP_INFINITE_SELECT, false)) < 0
      || (res = nfc_device_set_property_bool (pnd, NP_AUTO_ISO14443_4, true)) < 0)
    {
      g_autofree char *m = device_error_message (res, "reader does not initialise");
      nfc_close (pnd);
      pnd = NULL;
      send_error (EC_READER_ERROR_LOST, m);
      return;
    }

  b = ok_answer ();
  ec_nfc_put_str (b, nfc_device_get_name (pnd));
  ec_nfc_put_str (b, nfc_device_get_connstring (pnd));
  send_frame (b);
}

static gboolean
need_device (void)
{
  if (pnd != NULL)
    return TRUE;
  send_error (EC_READER_ERROR_NO_READER, "reader not open");
  return FALSE;
}

/* The reader is open and the card @uid (any card if @uid_len is 0) is selected;
 * otherwise the error is sent and FALSE returned. */
static gboolean
need_card (const guint8 *uid,
           guint         uid_len)
{
  int res;

  if (!need_device ())
    return FALSE;
  res = ensure_card (uid, uid_len);
  if (res <= 0)
    {
      if (res < 0 && is_device_error (res))
        card_failed (res);
      else
        send_error (EC_READER_ERROR_CARD_REMOVED, "the card is not in the field");
      return FALSE;
    }
  return TRUE;
}

static void
do_wait (EcNfcCursor *c,
         gboolean     read_all)
{
  guint32 timeout_ms;
  guint8 uid[10];
  guint uid_len;
  g_autoptr(EcReaderCard) card = NULL;
  gint64 t0;
  guint last;
  int res;

  if (!ec_nfc_get_u32 (c, &timeout_ms) || !ec_nfc_get_uid (c, uid, &uid_len) || timeout_ms > 600000)
    {
      send_error (EC_READER_ERROR_PROTOCOL, "bad WAIT request");
      return;
    }
  if (!need_device ())
    return;
  card = wait_and_identify (timeout_ms, uid, uid_len);
  if (card == NULL)
    return;
  t0 = g_get_monotonic_time ();
  last = ec_reader_card_kind_last_page (card->kind);

  if (read_all)
    {
      g_autofree guint8 *buf = NULL;
      guint n;

      send_card (EC_NFC_ANSWER_DETECTED, card);
      if (last == 0)
        {
          send_card (EC_NFC_ANSWER_OK, card);    /* the parent reports it unsupported */
          return;
        }
      n = last - 4;                               /* pages 0 .. last user page */
      buf = g_malloc0 ((gsize) n * 4);
      /* The first chunk holds the UID, the CC and the start of the NDEF TLV; read the
       * rest only as far as the NDEF message (and its terminator) goes. */
      {
        guint first = MIN (n, EC_NFC_FAST_READ_MAX);
        guint needed;

        if ((res = fast_read (0, first, buf)) < 0)
          {
            card_failed (res);
            return;
          }
        needed = ndef_pages_needed (buf, first, n);
        if (needed > first && (res = fast_read (first, needed - first, buf + (gsize) first * 4)) < 0)
          {
            card_failed (res);
            return;
          }
        n = MAX (first, needed);
      }
      ec_reader_card_set_pages (card, 0, buf, n);
    }
  else if (last > 0)
    {
      guint8 head[16], tail[16];

      if ((res = read4 (0, head)) < 0 || (res = read4 (last - 4, tail)) < 0)
        {
          card_failed (res);
          return;
        }
      ec_reader_card_set_pages (card, 0, head, 4);
      ec_reader_card_set_pages (card, last - 4, tail, 3);
    }
  card->read_ms = (guint) ((g_get_monotonic_time () - t0) / 1000);
  send_card (EC_NFC_ANSWER_OK, card);
}

static void
do_read_pages (EcNfcCursor *c)
{
  guint8 uid[10];
  guint uid_len;
  guint16 first, n;
  g_autofree guint8 *buf = NULL;
  g_autoptr(GByteArray) b = NULL;
  int res;

  if (!ec_nfc_get_uid (c, uid, &uid_len) || !ec_nfc_get_u16 (c, &first)
      || !ec_nfc_get_u16 (c, &n) || n == 0 || n > EC_NFC_MAX_PAGES || first + n > 256)
    {
      send_error (EC_READER_ERROR_PROTOCOL, "bad READ_PAGES request");
      return;
    }
  if (!need_card (uid, uid_len))
    return;
  buf = g_malloc ((gsize) n * 4);
  if ((res = fast_read (first, n, buf)) < 0)
    {
      card_failed (res);
      return;
    }
  b = ok_answer ();
  ec_nfc_put_u16 (b, n);
  g_byte_array_append (b, buf, (guint) n * 4);
  send_frame (b);
}

static void
do_write_pages (EcNfcCursor *c)
{
  guint8 uid[10];
  guint uid_len;
  guint16 first, n;
  const guint8 *data;
  g_autoptr(GByteArray) b = NULL;
  int res;

  if (!ec_nfc_get_uid (c, uid, &uid_len) || !ec_nfc_get_u16 (c, &first)
      || !ec_nfc_get_u16 (c, &n) || n == 0 || first + n > 256
      || !ec_nfc_get_bytes (c, (gsize) n * 4, &data))
    {
      send_error (EC_READER_ERROR_PROTOCOL, "bad WRITE_PAGES request");
      return;
    }
  if (!need_card (uid, uid_len))
    return;
  for (guint i = 0; i < n; i++)
    {
      res = write_page (first + i, data + (gsize) i * 4);
      if (res < 0)
        {
          g_autofree char *m = NULL;
          g_autoptr(GByteArray) e = g_byte_array_new ();
          EcReaderError code = classify_failure (res, EC_READER_ERROR_WRITE_FAILED, &m);
          g_autofree char *full = g_strdup_printf ("page %u: %s", first + i, m);

          ec_nfc_put_u8 (e, EC_NFC_ANSWER_ERROR);
          ec_nfc_put_u8 (e, (guint8) code);
          ec_nfc_put_str (e, full);
          ec_nfc_put_u16 (e, (guint16) i);
          send_frame (e);
          return;
        }
    }
  b = ok_answer ();
  ec_nfc_put_u16 (b, n);
  send_frame (b);
}

/* Is the selected card still in the field? 1 yes, 0 no, < 0 reader error. */
static int
card_present (void)
{
  nfc_target nt;
  int res;

  if (cur_uid_len == 0)
    return 0;
  if (have_target)
    {
      res = nfc_initiator_target_is_present (pnd, NULL);
      if (res == 0)
        return 1;
      if (is_device_error (res) && res != NFC_ECHIP)
        return res;
      /* The selected card no longer answers. A card with the same UID may answer a
       * select now, but it has been out of the field (it lost power and its selected
       * state), even briefly: it may be another card with a copied UID, or the same
       * card written elsewhere. Report it gone, so that it is read again. */
      have_target = FALSE;
      return 0;
    }
  res = select_card (cur_uid, cur_uid_len, &nt);
  if (res < 0 && !is_device_error (res))
    res = 0;
  return res;
}

static void
do_wait_gone (EcNfcCursor *c)
{
  guint32 timeout_ms;
  guint8 uid[10];
  guint uid_len;
  gint64 deadline;
  g_autoptr(GByteArray) b = NULL;
  int present;

  if (!ec_nfc_get_u32 (c, &timeout_ms) || !ec_nfc_get_uid (c, uid, &uid_len) || timeout_ms > 600000)
    {
      send_error (EC_READER_ERROR_PROTOCOL, "bad WAIT_GONE request");
      return;
    }
  if (!need_device ())
    return;
  if (uid_len > 0 && (uid_len != cur_uid_len || memcmp (uid, cur_uid, uid_len) != 0))
    {
      memcpy (cur_uid, uid, uid_len);
      cur_uid_len = uid_len;
      have_target = FALSE;
    }
  deadline = now_ms () + timeout_ms;
  for (;;)
    {
      present = card_present ();
      if (present < 0)
        {
          g_autofree char *m = device_error_message (present, "presence check failed");
          send_error (EC_READER_ERROR_LOST, m);
          return;
        }
      if (present == 0 || now_ms () >= deadline)
        break;
      g_usleep ((gulong) MIN (GONE_PERIOD_MS, MAX (1, deadline - now_ms ())) * 1000);
    }
  if (present == 0)
    {
      have_target = FALSE;
      cur_uid_len = 0;
    }
  b = ok_answer ();
  ec_nfc_put_u8 (b, present == 0 ? 1 : 0);
  send_frame (b);
}

int
main (int    argc,
      char **argv)
{
  guint8 hdr[4];

  /* Frames go to a private copy of stdout; fd 1 becomes stderr so that nothing
   * libnfc or a library prints can corrupt the protocol. */
  /* Die with the parent, whatever it is doing. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  if (getppid () == 1)
    return 1;
  out_fd = dup (1);
  if (out_fd < 0 || dup2 (2, 1) < 0)
    return 1;
  fcntl (out_fd, F_SETFD, FD_CLOEXEC);

  for (;;)
    {
      guint32 len;
      g_autofree guint8 *body = NULL;
      EcNfcCursor c;
      guint8 op;

      if (!read_full (0, hdr, 4))
        break;
      len = ((guint32) hdr[0] << 24) | ((guint32) hdr[1] << 16) | ((guint32) hdr[2] << 8) | hdr[3];
      if (len == 0 || len > EC_NFC_MAX_FRAME)
        break;
      body = g_malloc (len);
      if (!read_full (0, body, len))
        break;
      ec_nfc_cursor_init (&c, body, len);
      if (!ec_nfc_get_u8 (&c, &op))
        break;

      switch (op)
        {
        case EC_NFC_OP_OPEN:        do_open (&c); break;
        case EC_NFC_OP_WAIT:        do_wait (&c, FALSE); break;
        case EC_NFC_OP_READ_CARD:   do_wait (&c, TRUE); break;
        case EC_NFC_OP_READ_PAGES:  do_read_pages (&c); break;
        case EC_NFC_OP_WRITE_PAGES: do_write_pages (&c); break;
        case EC_NFC_OP_WAIT_GONE:   do_wait_gone (&c); break;
        case EC_NFC_OP_CLOSE:
          {
            g_autoptr(GByteArray) b = ok_answer ();
            if (pnd != NULL)
              nfc_close (pnd);
            pnd = NULL;
            send_frame (b);
            goto out;
          }
        default:
          send_error (EC_READER_ERROR_PROTOCOL, "unknown request");
          break;
        }
    }
out:
  if (pnd != NULL)
    nfc_close (pnd);
  if (ctx != NULL)
    nfc_exit (ctx);
  return 0;
}
