/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-emulator: the PN532 emulator through the real libnfc API (tears, FAST_READ
 * limits, lock and password rules, pacing, abort, stall, unplug), and its pure state
 * machine fed bytes directly (framing, ACK/NACK, garbage). */
#define G_LOG_DOMAIN "ec-test-emulator"

#include <glib.h>
#include <glib/gstdio.h>
#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <nfc/nfc.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

/* The emulator's state machine, for the byte-level tests. */
#undef G_LOG_DOMAIN
#include "../src/emulator/ec-emu-tag.c"
#undef G_LOG_DOMAIN
#include "../src/emulator/ec-pn532.c"
#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "ec-test-emulator"

/* ---------------------------------------------------------------------------
 * A running emulator and a libnfc device on it. */

typedef struct
{
  char         *dir;
  char         *link;
  char         *ctl;
  GSubprocess  *proc;
  nfc_context  *ctx;
  nfc_device   *pnd;
} Emu;

/* A failed assertion aborts the test: the emulator must not outlive it. */
static void
die_with_parent (gpointer data)
{
  (void) prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static void
emu_start (Emu        *emu,
           const char *first_arg,
           ...)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDataInputStream) in = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  const char *build = g_getenv ("EC_BUILD_DIR");
  va_list ap;

  memset (emu, 0, sizeof *emu);
  emu->dir = g_dir_make_tmp ("ec-emu-XXXXXX", &error);
  g_assert_no_error (error);
  emu->link = g_build_filename (emu->dir, "link", NULL);
  emu->ctl = g_build_filename (emu->dir, "ctl", NULL);

  g_ptr_array_add (argv, g_build_filename (build ? build : EC_BUILD_DIR, "pn532-emu", NULL));
  g_ptr_array_add (argv, g_strdup ("--link"));
  g_ptr_array_add (argv, g_strdup (emu->link));
  g_ptr_array_add (argv, g_strdup ("--control"));
  g_ptr_array_add (argv, g_strdup (emu->ctl));
  va_start (ap, first_arg);
  for (const char *a = first_arg; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (argv, g_strdup (a));
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  emu->proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (emu->proc));
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line (in, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (line);                      /* EOF: the emulator died */
      if (g_str_equal (line, "ready"))
        break;
    }
}

/* One control command; returns the answer line without "ok ". */
G_GNUC_PRINTF (2, 3) static char *
emu_ctl (Emu        *emu,
         const char *fmt,
         ...)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketAddress) addr = g_unix_socket_address_new (emu->ctl);
  g_autoptr(GSocketConnection) conn = NULL;
  g_autoptr(GDataInputStream) in = NULL;
  g_autofree char *cmd = NULL;
  g_autofree char *line = NULL;
  va_list ap;

  va_start (ap, fmt);
  cmd = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  conn = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (addr), NULL, &error);
  g_assert_no_error (error);
  {
    g_autofree char *l = g_strconcat (cmd, "\n", NULL);
    g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)), l, strlen (l), NULL, NULL, &error);
    g_assert_no_error (error);
  }
  in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (conn)));
  line = g_data_input_stream_read_line (in, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  if (!g_str_has_prefix (line, "ok"))
    g_error ("control command “%s” answered “%s”", cmd, line);
  return g_strdup (line[2] == ' ' ? line + 3 : line + 2);
}

#define CTL(emu, ...) g_free (emu_ctl ((emu), __VA_ARGS__))

static void
emu_open (Emu *emu)
{
  g_autofree char *cs = g_strdup_printf ("pn532_uart:%s", emu->link);

  nfc_init (&emu->ctx);
  g_assert_nonnull (emu->ctx);
  emu->pnd = nfc_open (emu->ctx, cs);
  g_assert_nonnull (emu->pnd);
  g_assert_cmpint (nfc_initiator_init (emu->pnd), ==, 0);
  g_assert_cmpint (nfc_device_set_property_bool (emu->pnd, NP_INFINITE_SELECT, false), ==, 0);
}

static void
emu_stop (Emu *emu)
{
  if (emu->pnd)
    nfc_close (emu->pnd);
  if (emu->ctx)
    nfc_exit (emu->ctx);
  g_subprocess_send_signal (emu->proc, SIGTERM);
  g_subprocess_wait (emu->proc, NULL, NULL);
  g_assert_true (g_subprocess_get_if_exited (emu->proc));
  g_assert_cmpint (g_subprocess_get_exit_status (emu->proc), ==, 0);
  g_object_unref (emu->proc);
  g_assert_false (g_file_test (emu->link, G_FILE_TEST_EXISTS));
  (void) g_rmdir (emu->dir);
  g_free (emu->dir);
  g_free (emu->link);
  g_free (emu->ctl);
}

static const nfc_modulation nm_a = { .nmt = NMT_ISO14443A, .nbr = NBR_106 };

static nfc_target
emu_select (Emu *emu)
{
  nfc_target nt;

  g_assert_cmpint (nfc_initiator_select_passive_target (emu->pnd, nm_a, NULL, 0, &nt), ==, 1);
  return nt;
}

static int
xfer (Emu          *emu,
      const guint8 *tx,
      gsize         n,
      guint8       *rx,
      gsize         rx_size)
{
  return nfc_initiator_transceive_bytes (emu->pnd, tx, n, rx, rx_size, 500);
}

static void
write_page (Emu    *emu,
            guint8  page,
            guint8  a,
            guint8  b,
            guint8  c,
            guint8  d)
{
  const guint8 cmd[] = { 0xa2, page, a, b, c, d };

  g_assert_cmpint (xfer (emu, cmd, sizeof cmd, NULL, 0), ==, 0);
}

static void
read_page (Emu    *emu,
           guint8  page,
           guint8  out[4])
{
  const guint8 cmd[] = { 0x30, page };
  guint8 rx[16];

  g_assert_cmpint (xfer (emu, cmd, sizeof cmd, rx, sizeof rx), ==, 16);
  memcpy (out, rx, 4);
}

/* ---------------------------------------------------------------------------
 * Through libnfc. */

static void
test_identify_and_fast_read (void)
{
  Emu emu;
  nfc_target nt;
  guint8 rx[300];
  const guint8 get_version[] = { 0x60 };
  const guint8 fast_65[] = { 0x3a, 0x00, 0x40 };
  const guint8 fast_66[] = { 0x3a, 0x00, 0x41 };
  const guint8 fast_past_end[] = { 0x3a, 0x80, 0x87 };
  const guint8 read_0[] = { 0x30, 0x00 };
  const guint8 sig[] = { 0x3c, 0x00 };
  guint8 sig1[32];

  emu_start (&emu, "--tag", "ntag215", "--uid", "04a1b2c3d4e5f6", NULL);
  emu_open (&emu);
  nt = emu_select (&emu);
  g_assert_cmpuint (nt.nti.nai.szUidLen, ==, 7);
  g_assert_cmpmem (nt.nti.nai.abtUid, 7, "\x04\xa1\xb2\xc3\xd4\xe5\xf6", 7);

  /* Selection by UID: libnfc sends it cascaded (88 u0 u1 u2 u3 u4 u5 u6). */
  {
    const guint8 right[7] = { 0x04, 0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf6 };
    const guint8 wrong[7] = { 0x04, 0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf7 };
    g_assert_cmpint (nfc_initiator_select_passive_target (emu.pnd, nm_a, wrong, 7, &nt), ==, 0);
    g_assert_cmpint (nfc_initiator_select_passive_target (emu.pnd, nm_a, right, 7, &nt), ==, 1);
  }

  /* GET_VERSION identifies an NTAG215 (storage byte 0x11). */
  g_assert_cmpint (xfer (&emu, get_version, 1, rx, sizeof rx), ==, 8);
  g_assert_cmpmem (rx, 8, "\x00\x04\x04\x02\x01\x00\x11\x03", 8);

  /* 65 pages is what libnfc's buffer takes; 66 is refused by libnfc itself. */
  g_assert_cmpint (xfer (&emu, fast_65, 3, rx, sizeof rx), ==, 260);
  g_assert_cmpmem (rx, 4, "\x04\xa1\xb2\x9f", 4);    /* BCC0 = 88 ^ 04 ^ a1 ^ b2 */
  g_assert_cmpint (xfer (&emu, fast_66, 3, rx, sizeof rx), <, 0);

  /* Past the last page: NAK, and the tag drops back to IDLE until selected again. */
  emu_select (&emu);
  g_assert_cmpint (xfer (&emu, fast_past_end, 3, rx, sizeof rx), ==, NFC_ERFTRANS);
  g_assert_cmpint (xfer (&emu, read_0, 2, rx, sizeof rx), ==, NFC_ERFTRANS);
  emu_select (&emu);
  g_assert_cmpint (xfer (&emu, read_0, 2, rx, sizeof rx), ==, 16);

  /* READ rolls over at the end: page 0x86 then 0x00..0x02. */
  {
    const guint8 read_last[] = { 0x30, 0x86 };
    g_assert_cmpint (xfer (&emu, read_last, 2, rx, sizeof rx), ==, 16);
    g_assert_cmpmem (rx + 4, 4, "\x04\xa1\xb2\x9f", 4);
  }

  /* READ_SIG: 32 bytes, the same every time. */
  g_assert_cmpint (xfer (&emu, sig, 2, sig1, sizeof sig1), ==, 32);
  g_assert_cmpint (xfer (&emu, sig, 2, rx, sizeof rx), ==, 32);
  g_assert_cmpmem (rx, 32, sig1, 32);

  emu_stop (&emu);
}

static void
test_write_rules (void)
{
  Emu emu;
  guint8 p[4], rx[16];
  const guint8 write_uid[] = { 0xa2, 0x00, 1, 2, 3, 4 };

  emu_start (&emu, "--tag", "ntag215", NULL);
  emu_open (&emu);
  emu_select (&emu);

  /* The UID pages are read-only. */
  g_assert_cmpint (xfer (&emu, write_uid, 6, NULL, 0), ==, NFC_ERFTRANS);
  emu_select (&emu);

  /* Dynamic lock bit 0 locks pages 16..31 of an NTAG215; page 32 stays writable. */
  write_page (&emu, 16, 1, 1, 1, 1);
  write_page (&emu, 0x82, 0x01, 0x00, 0x00, 0x00);
  read_page (&emu, 0x82, p);
  g_assert_cmpmem (p, 4, "\x01\x00\x00\xbd", 4);
  {
    const guint8 w16[] = { 0xa2, 16, 9, 9, 9, 9 };
    const guint8 w31[] = { 0xa2, 31, 9, 9, 9, 9 };
    g_assert_cmpint (xfer (&emu, w16, 6, NULL, 0), ==, NFC_ERFTRANS);
    emu_select (&emu);
    g_assert_cmpint (xfer (&emu, w31, 6, NULL, 0), ==, NFC_ERFTRANS);
    emu_select (&emu);
  }
  write_page (&emu, 32, 7, 7, 7, 7);
  read_page (&emu, 16, p);
  g_assert_cmpmem (p, 4, "\x01\x01\x01\x01", 4);
  read_page (&emu, 32, p);
  g_assert_cmpmem (p, 4, "\x07\x07\x07\x07", 4);
  /* The dynamic lock bits are OTP. */
  write_page (&emu, 0x82, 0x00, 0x00, 0x00, 0x00);
  read_page (&emu, 0x82, p);
  g_assert_cmpmem (p, 4, "\x01\x00\x00\xbd", 4);

  /* CFGLCK freezes CFG0/CFG1, not PWD/PACK. */
  write_page (&emu, 0x84, 0x40, 0x05, 0x00, 0x00);
  {
    const guint8 cfg0[] = { 0xa2, 0x83, 0x04, 0x00, 0x00, 0x10 };
    g_assert_cmpint (xfer (&emu, cfg0, 6, NULL, 0), ==, NFC_ERFTRANS);
    emu_select (&emu);
  }
  write_page (&emu, 0x85, 1, 2, 3, 4);

  /* A raw WRITE (CRC by the host, InCommunicateThru) gets the 4-bit ACK. */
  g_assert_cmpint (nfc_device_set_property_bool (emu.pnd, NP_HANDLE_CRC, false), ==, 0);
  g_assert_cmpint (nfc_device_set_property_bool (emu.pnd, NP_EASY_FRAMING, false), ==, 0);
  {
    guint8 raw[8] = { 0xa2, 40, 0xde, 0xad, 0xbe, 0xef };
    iso14443a_crc_append (raw, 6);
    g_assert_cmpint (nfc_initiator_transceive_bytes (emu.pnd, raw, 8, rx, sizeof rx, 500), ==, 1);
    g_assert_cmpuint (rx[0], ==, 0x0a);
  }
  g_assert_cmpint (nfc_device_set_property_bool (emu.pnd, NP_HANDLE_CRC, true), ==, 0);
  g_assert_cmpint (nfc_device_set_property_bool (emu.pnd, NP_EASY_FRAMING, true), ==, 0);
  read_page (&emu, 40, p);
  g_assert_cmpmem (p, 4, "\xde\xad\xbe\xef", 4);

  emu_stop (&emu);
}

static void
test_password (void)
{
  Emu emu;
  guint8 p[4], rx[16];
  const guint8 read16[] = { 0x30, 16 };
  const guint8 bad_auth[] = { 0x1b, 9, 9, 9, 9 };
  const guint8 good_auth[] = { 0x1b, 0x11, 0x22, 0x33, 0x44 };

  emu_start (&emu, "--tag", "ntag215", NULL);
  emu_open (&emu);
  emu_select (&emu);
  write_page (&emu, 16, 0x5e, 0xc2, 0xe7, 0x00);
  write_page (&emu, 0x85, 0x11, 0x22, 0x33, 0x44);      /* PWD */
  write_page (&emu, 0x86, 0xab, 0xcd, 0x00, 0x00);      /* PACK */
  write_page (&emu, 0x84, 0x90, 0x05, 0x00, 0x00);      /* ACCESS.PROT (read and write), NFC_CNT_EN */
  write_page (&emu, 0x83, 0x04, 0x00, 0x00, 0x10);      /* AUTH0 = page 16 */

  g_assert_cmpint (xfer (&emu, read16, 2, rx, sizeof rx), ==, NFC_ERFTRANS);
  emu_select (&emu);
  read_page (&emu, 4, p);                               /* below AUTH0: readable */
  g_assert_cmpint (xfer (&emu, bad_auth, 5, rx, sizeof rx), ==, NFC_ERFTRANS);
  emu_select (&emu);
  g_assert_cmpint (xfer (&emu, good_auth, 5, rx, sizeof rx), ==, 2);
  g_assert_cmpmem (rx, 2, "\xab\xcd", 2);
  read_page (&emu, 16, p);
  g_assert_cmpmem (p, 4, "\x5e\xc2\xe7\x00", 4);
  read_page (&emu, 0x85, p);                            /* PWD reads as zeros */
  g_assert_cmpmem (p, 4, "\x00\x00\x00\x00", 4);
  {
    /* The NFC counter counted the first READ since it was enabled. */
    const guint8 read_cnt[] = { 0x39, 0x02 };
    g_assert_cmpint (xfer (&emu, read_cnt, 2, rx, sizeof rx), ==, 3);
    g_assert_cmpmem (rx, 3, "\x01\x00\x00", 3);
  }

  /* A new selection forgets the authentication. */
  emu_select (&emu);
  g_assert_cmpint (xfer (&emu, read16, 2, rx, sizeof rx), ==, NFC_ERFTRANS);
  emu_stop (&emu);
}

static void
test_tear (void)
{
  static const struct { const char *mode; } cases[] = {
    { "not-applied" }, { "lost-answer" }, { "half-written" },
  };
  Emu emu;

  emu_start (&emu, NULL);
  emu_open (&emu);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const guint8 w[] = { 0xa2, 5, 0xaa, 0xbb, 0xcc, 0xdd };
      const guint8 r0[] = { 0x30, 0 };
      guint8 p[4], rx[16];
      g_autofree char *stats = NULL;

      CTL (&emu, "place ntag215");
      emu_select (&emu);
      /* The second tag command from now is torn; the first goes through. */
      CTL (&emu, "tear 2 %s", cases[i].mode);
      g_assert_cmpint (xfer (&emu, r0, 2, rx, sizeof rx), ==, 16);
      g_assert_cmpint (xfer (&emu, w, 6, NULL, 0), ==, NFC_ERFTRANS);
      /* The card lost power: it answers nothing until selected again. */
      g_assert_cmpint (xfer (&emu, r0, 2, rx, sizeof rx), ==, NFC_ERFTRANS);
      emu_select (&emu);
      read_page (&emu, 5, p);
      if (g_str_equal (cases[i].mode, "not-applied"))
        g_assert_cmpmem (p, 4, "\x00\x00\x00\x00", 4);
      else if (g_str_equal (cases[i].mode, "lost-answer"))
        g_assert_cmpmem (p, 4, "\xaa\xbb\xcc\xdd", 4);
      else
        {
          g_assert_cmpuint (p[0], ==, 0xaa);                /* started */
          g_assert_true (memcmp (p, "\xaa\xbb\xcc\xdd", 4) != 0);  /* not completed */
        }
      stats = emu_ctl (&emu, "stats reset");
      g_assert_nonnull (strstr (stats, " tears=1"));
    }

  /* The tearing-protected CC page keeps its old value. */
  CTL (&emu, "place ntag215");
  emu_select (&emu);
  CTL (&emu, "tear 1 half-written");
  {
    const guint8 w[] = { 0xa2, 3, 0x00, 0x00, 0x00, 0x0f };
    guint8 p[4];
    g_assert_cmpint (xfer (&emu, w, 6, NULL, 0), ==, NFC_ERFTRANS);
    emu_select (&emu);
    read_page (&emu, 3, p);
    g_assert_cmpmem (p, 4, "\xe1\x10\x3e\x00", 4);
  }
  emu_stop (&emu);
}

static void
test_removed (void)
{
  Emu emu;
  nfc_target nt;
  guint8 rx[16];
  const guint8 r0[] = { 0x30, 0 };

  emu_start (&emu, "--tag", "ntag213", NULL);
  emu_open (&emu);
  nt = emu_select (&emu);
  g_assert_cmpint (nfc_initiator_target_is_present (emu.pnd, &nt), ==, 0);
  CTL (&emu, "remove");
  g_assert_cmpint (xfer (&emu, r0, 2, rx, sizeof rx), ==, NFC_ERFTRANS);
  g_assert_cmpint (nfc_initiator_target_is_present (emu.pnd, &nt), ==, NFC_ETGRELEASED);
  g_assert_cmpint (nfc_initiator_select_passive_target (emu.pnd, nm_a, NULL, 0, &nt), ==, 0);
  /* Same card back: a fresh selection is needed and works. */
  CTL (&emu, "place ntag213");
  emu_select (&emu);
  g_assert_cmpint (xfer (&emu, r0, 2, rx, sizeof rx), ==, 16);
  emu_stop (&emu);
}

static void
test_paced_read (void)
{
  Emu emu;
  guint8 rx[300];
  gint64 t0, t_read, t_fast;

  emu_start (&emu, "--tag", "ntag215", "--pace", "115200", "--air", NULL);
  emu_open (&emu);
  emu_select (&emu);

  /* The NTAG215 user area, pages 4..129: 32 READs ... */
  t0 = g_get_monotonic_time ();
  for (guint page = 4; page <= 129; page += 4)
    {
      const guint8 cmd[] = { 0x30, (guint8) page };
      g_assert_cmpint (xfer (&emu, cmd, 2, rx, sizeof rx), ==, 16);
    }
  t_read = g_get_monotonic_time () - t0;

  /* ... or 2 FAST_READs (65 + 61 pages). */
  t0 = g_get_monotonic_time ();
  {
    const guint8 a[] = { 0x3a, 4, 68 };
    const guint8 b[] = { 0x3a, 69, 129 };
    g_assert_cmpint (xfer (&emu, a, 3, rx, sizeof rx), ==, 260);
    g_assert_cmpint (xfer (&emu, b, 3, rx, sizeof rx), ==, 244);
  }
  t_fast = g_get_monotonic_time () - t0;

  g_test_message ("paced 115200 + air: 32 READ %" G_GINT64_FORMAT " ms, 2 FAST_READ %" G_GINT64_FORMAT " ms",
                  t_read / 1000, t_fast / 1000);
  /* 32 x (~44 UART bytes at 86.8 us + ~2 ms air): about 190 ms. */
  g_assert_cmpint (t_read, >=, 100 * 1000);
  g_assert_cmpint (t_read, <=, 1500 * 1000);          /* loose: CI machines are busy */
  /* 2 x (~290 UART bytes + ~2.5 ms air): about 55 ms. */
  g_assert_cmpint (t_fast, >=, 40 * 1000);
  g_assert_cmpint (t_fast, <, t_read);

  /* Pacing off: the same READs are near instant. */
  CTL (&emu, "pace 0");
  CTL (&emu, "air off");
  t0 = g_get_monotonic_time ();
  for (guint page = 4; page <= 129; page += 4)
    {
      const guint8 cmd[] = { 0x30, (guint8) page };
      g_assert_cmpint (xfer (&emu, cmd, 2, rx, sizeof rx), ==, 16);
    }
  g_assert_cmpint (g_get_monotonic_time () - t0, <, t_read);
  emu_stop (&emu);
}

typedef struct
{
  nfc_device *pnd;
  int         res;
  nfc_target  nt;
} PollJob;

static gpointer
poll_thread (gpointer data)
{
  PollJob *job = data;

  job->res = nfc_initiator_poll_target (job->pnd, &nm_a, 1, 0xff, 2, &job->nt);
  return NULL;
}

static void
test_poll_abort (void)
{
  Emu emu;
  PollJob job = { 0 };
  GThread *thread;
  gint64 t0;

  emu_start (&emu, NULL);
  emu_open (&emu);
  job.pnd = emu.pnd;

  /* No card: InAutoPoll waits (forever, PollNr FF) until nfc_abort_command. */
  thread = g_thread_new ("poll", poll_thread, &job);
  g_usleep (300 * 1000);
  t0 = g_get_monotonic_time ();
  g_assert_cmpint (nfc_abort_command (emu.pnd), ==, 0);
  g_thread_join (thread);
  g_assert_cmpint (job.res, ==, NFC_EOPABORTED);
  g_assert_cmpint (g_get_monotonic_time () - t0, <, G_USEC_PER_SEC);

  /* A finite poll with no card ends with "no target" after PollNr x Period x 150 ms. */
  t0 = g_get_monotonic_time ();
  g_assert_cmpint (nfc_initiator_poll_target (emu.pnd, &nm_a, 1, 2, 1, &job.nt), ==, 0);
  g_assert_cmpint (g_get_monotonic_time () - t0, >=, 250 * 1000);
  g_assert_cmpint (g_get_monotonic_time () - t0, <, 3 * G_USEC_PER_SEC);

  /* The device is still usable, and a card placed during a poll is found. */
  job.res = 0;
  thread = g_thread_new ("poll", poll_thread, &job);
  g_usleep (200 * 1000);
  CTL (&emu, "place-iso14443-4");
  g_thread_join (thread);
  g_assert_cmpint (job.res, ==, 1);
  g_assert_cmpuint (job.nt.nti.nai.btSak, ==, 0x20);
  g_assert_cmpuint (job.nt.nti.nai.szAtsLen, ==, 5);
  emu_stop (&emu);
}

static void
test_stall_and_unplug (void)
{
  Emu emu;
  guint8 rx[16];
  const guint8 r0[] = { 0x30, 0 };
  gint64 t0;

  emu_start (&emu, "--tag", "ntag215", NULL);
  emu_open (&emu);
  emu_select (&emu);

  /* Stalled: the command times out (no ACK) within its timeout. */
  CTL (&emu, "stall");
  t0 = g_get_monotonic_time ();
  g_assert_cmpint (xfer (&emu, r0, 2, rx, sizeof rx), <, 0);
  g_assert_cmpint (g_get_monotonic_time () - t0, <, 2 * G_USEC_PER_SEC);
  CTL (&emu, "unstall");
  emu_select (&emu);
  g_assert_cmpint (xfer (&emu, r0, 2, rx, sizeof rx), ==, 16);

  /* Unplugged: the open device gets an I/O error at once. */
  CTL (&emu, "unplug");
  t0 = g_get_monotonic_time ();
  g_assert_cmpint (xfer (&emu, r0, 2, rx, sizeof rx), <, 0);
  g_assert_cmpint (g_get_monotonic_time () - t0, <, G_USEC_PER_SEC);
  nfc_close (emu.pnd);
  emu.pnd = NULL;
  g_assert_false (g_file_test (emu.link, G_FILE_TEST_EXISTS));

  /* Replugged: a fresh open through the same link works. */
  {
    g_autofree char *ans = emu_ctl (&emu, "replug");
    g_assert_true (g_str_has_prefix (ans, "replugged /dev/pts/"));
  }
  emu_open (&emu);
  emu_select (&emu);
  g_assert_cmpint (xfer (&emu, r0, 2, rx, sizeof rx), ==, 16);
  emu_stop (&emu);
}

/* ---------------------------------------------------------------------------
 * The state machine, byte by byte. */

static GByteArray *
take_output (EcPn532 *chip)
{
  GByteArray *all = g_byte_array_new ();
  gint64 nb;
  const guint8 *d;
  gsize n;

  while (ec_pn532_peek_output (chip, &nb, &d, &n))
    {
      g_byte_array_append (all, d, (guint) n);
      ec_pn532_consume_output (chip, n);
    }
  return all;
}

static void
frame (GByteArray   *out,
       const guint8 *payload,
       gsize         n)
{
  guint8 sum = 0xd4;

  g_byte_array_append (out, (const guint8[]) { 0x00, 0x00, 0xff }, 3);
  if (n + 1 <= 255)
    g_byte_array_append (out, (const guint8[]) { (guint8) (n + 1), (guint8) (0x100 - (n + 1)) }, 2);
  else
    {
      guint8 m = (guint8) ((n + 1) >> 8), l = (guint8) ((n + 1) & 0xff);
      g_byte_array_append (out, (const guint8[]) { 0xff, 0xff, m, l, (guint8) (0x100 - ((m + l) & 0xff)) }, 5);
    }
  g_byte_array_append (out, (const guint8[]) { 0xd4 }, 1);
  g_byte_array_append (out, payload, (guint) n);
  for (gsize i = 0; i < n; i++)
    sum = (guint8) (sum + payload[i]);
  g_byte_array_append (out, (const guint8[]) { (guint8) (0x100 - sum), 0x00 }, 2);
}

static void
test_state_machine (void)
{
  EcPn532 *chip = ec_pn532_new ();
  g_autoptr(GByteArray) in = g_byte_array_new ();
  g_autoptr(GByteArray) out = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  static const guint8 ack[] = { 0x00, 0x00, 0xff, 0x00, 0xff, 0x00 };
  static const guint8 fw_answer[] = { 0x00, 0x00, 0xff, 0x06, 0xfa, 0xd5, 0x03, 0x32, 0x01, 0x06, 0x07, 0xe8, 0x00 };
  static const guint8 err[] = { 0x00, 0x00, 0xff, 0x01, 0xff, 0x7f, 0x81, 0x00 };

  /* Garbage first: nothing is answered, nothing breaks. */
  for (int i = 0; i < 100000; i++)
    {
      guint8 b = (guint8) g_rand_int_range (rand, 0, 256);
      ec_pn532_feed (chip, &b, 1, 0);
    }
  g_clear_pointer (&out, g_byte_array_unref);
  out = take_output (chip);

  /* Wake-up preamble, then GetFirmwareVersion: ACK + answer. */
  g_byte_array_set_size (in, 0);
  g_byte_array_append (in, (const guint8[]) { 0x55, 0x55, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, 16);
  frame (in, (const guint8[]) { 0x02 }, 1);
  ec_pn532_feed (chip, in->data, in->len, 0);
  g_clear_pointer (&out, g_byte_array_unref);
  out = take_output (chip);
  g_assert_cmpuint (out->len, ==, sizeof ack + sizeof fw_answer);
  g_assert_cmpmem (out->data, 6, ack, 6);
  g_assert_cmpmem (out->data + 6, sizeof fw_answer, fw_answer, sizeof fw_answer);

  /* NACK: the last answer again, without an ACK. */
  ec_pn532_feed (chip, (const guint8[]) { 0x00, 0x00, 0xff, 0xff, 0x00, 0x00 }, 6, 0);
  g_clear_pointer (&out, g_byte_array_unref);
  out = take_output (chip);
  g_assert_cmpmem (out->data, out->len, fw_answer, sizeof fw_answer);

  /* A DCS error is ignored (the host will time out). */
  g_byte_array_set_size (in, 0);
  frame (in, (const guint8[]) { 0x02 }, 1);
  in->data[in->len - 2] ^= 1;
  ec_pn532_feed (chip, in->data, in->len, 0);
  g_clear_pointer (&out, g_byte_array_unref);
  out = take_output (chip);
  g_assert_cmpuint (out->len, ==, 0);

  /* An unknown command: ACK, then the error frame. */
  g_byte_array_set_size (in, 0);
  frame (in, (const guint8[]) { 0x7e, 0x01 }, 2);
  ec_pn532_feed (chip, in->data, in->len, 0);
  g_clear_pointer (&out, g_byte_array_unref);
  out = take_output (chip);
  g_assert_cmpuint (out->len, ==, sizeof ack + sizeof err);
  g_assert_cmpmem (out->data + 6, sizeof err, err, sizeof err);

  /* An extended frame: Diagnose echo of 300 bytes comes back extended. */
  {
    guint8 diag[301] = { 0x00, 0x00 };
    for (int i = 2; i < 301; i++)
      diag[i] = (guint8) i;
    g_byte_array_set_size (in, 0);
    frame (in, diag, 290);
    ec_pn532_feed (chip, in->data, in->len, 0);
    g_clear_pointer (&out, g_byte_array_unref);
    out = take_output (chip);
    g_assert_cmpuint (out->len, ==, 6 + 8 + 1 + 290 + 2);    /* ACK, header, TFI, 01 + echo, DCS, 00 */
    g_assert_cmpmem (out->data + 6, 5, "\x00\x00\xff\xff\xff", 5);
    g_assert_cmpuint ((out->data[11] << 8) | out->data[12], ==, 291);
    g_assert_cmpmem (out->data + 6 + 8 + 2, 289, diag + 1, 289);
  }

  /* InAutoPoll with no card waits; a host ACK aborts it and nothing is answered. */
  g_byte_array_set_size (in, 0);
  frame (in, (const guint8[]) { 0x60, 0xff, 0x01, 0x10 }, 4);
  ec_pn532_feed (chip, in->data, in->len, 0);
  g_clear_pointer (&out, g_byte_array_unref);
  out = take_output (chip);
  g_assert_cmpmem (out->data, out->len, ack, sizeof ack);
  ec_pn532_tick (chip, 10 * G_USEC_PER_SEC);
  g_clear_pointer (&out, g_byte_array_unref);
  out = take_output (chip);
  g_assert_cmpuint (out->len, ==, 0);
  ec_pn532_feed (chip, ack, sizeof ack, 0);
  ec_pn532_set_tag (chip, ec_emu_tag_new_blank (EC_EMU_TAG_NTAG213, NULL, 0, NULL));
  ec_pn532_tick (chip, 11 * G_USEC_PER_SEC);
  g_clear_pointer (&out, g_byte_array_unref);
  out = take_output (chip);
  g_assert_cmpuint (out->len, ==, 0);
  g_assert_cmpuint (ec_pn532_get_stats (chip)->aborted, ==, 1);

  /* InAutoPoll with a finite period ends with "no target" when it runs out. */
  ec_pn532_set_tag (chip, NULL);
  g_byte_array_set_size (in, 0);
  frame (in, (const guint8[]) { 0x60, 0x02, 0x01, 0x10 }, 4);
  ec_pn532_feed (chip, in->data, in->len, 0);
  g_clear_pointer (&out, g_byte_array_unref);
  out = take_output (chip);
  g_assert_cmpint (ec_pn532_next_deadline (chip), ==, 2 * 150000);
  ec_pn532_tick (chip, 2 * 150000);
  g_clear_pointer (&out, g_byte_array_unref);
  out = take_output (chip);
  g_assert_cmpmem (out->data, out->len, "\x00\x00\xff\x03\xfd\xd5\x61\x00\xca\x00", 10);

  ec_pn532_free (chip);
}

static void
test_image_parser (void)
{
  g_autoptr(GError) error = NULL;
  EcEmuTag *tag = ec_emu_tag_new_blank (EC_EMU_TAG_NTAG216, NULL, 0, &error);
  g_autofree char *text = NULL;
  EcEmuTag *back;

  g_assert_no_error (error);
  g_assert_cmpuint (tag->n_pages, ==, 0xe7);
  text = ec_emu_tag_to_image (tag);
  back = ec_emu_tag_parse_image (text, strlen (text), &error);
  g_assert_no_error (error);
  g_assert_cmpmem (back->mem, 0xe7 * 4, tag->mem, 0xe7 * 4);
  ec_emu_tag_free (back);

  /* Refusals: wrong UID line, page beyond the type, garbage. */
  {
    g_autofree char *bad = g_strdup (text);
    char *u = strstr (bad, "uid: 04");
    u[6] = 'f';
    back = ec_emu_tag_parse_image (bad, strlen (bad), &error);
    g_assert_null (back);
    g_assert_nonnull (error);
    g_clear_error (&error);
  }
  {
    g_autofree char *bad = g_strconcat (text, "e7: 00 00 00 00\n", NULL);
    back = ec_emu_tag_parse_image (bad, strlen (bad), &error);
    g_assert_null (back);
    g_clear_error (&error);
  }
  back = ec_emu_tag_parse_image ("type: ntag215\nuid: zz\n", 22, &error);
  g_assert_null (back);
  g_clear_error (&error);
  ec_emu_tag_free (tag);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* Every test talks to a local emulator; none may hang the suite. */
  alarm (120);

  g_test_add_func ("/ec/emulator/state-machine", test_state_machine);
  g_test_add_func ("/ec/emulator/image-parser", test_image_parser);
  g_test_add_func ("/ec/emulator/identify-and-fast-read", test_identify_and_fast_read);
  g_test_add_func ("/ec/emulator/write-rules", test_write_rules);
  g_test_add_func ("/ec/emulator/password", test_password);
  g_test_add_func ("/ec/emulator/tear", test_tear);
  g_test_add_func ("/ec/emulator/removed", test_removed);
  g_test_add_func ("/ec/emulator/paced-read", test_paced_read);
  g_test_add_func ("/ec/emulator/poll-abort", test_poll_abort);
  g_test_add_func ("/ec/emulator/stall-and-unplug", test_stall_and_unplug);
  return g_test_run ();
}
