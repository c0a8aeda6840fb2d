/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-reader: the reader layer on the paced emulator (`pn532-emu --pace 115200 --air`:
 * a PN532 behind a 115200-baud UART plus ISO 14443-A air time), through the real libnfc.
 *
 * For NTAG213/215/216 it prints:
 *  - tap to verified record: from the moment the card enters the field (the emulator's
 *    `place-image`) until EcReader (already open, watching, as in the kiosk) delivered
 *    the card, ec_card_verify() accepted it and the audited database read returned the
 *    resident (median of N taps), with the tag commands and PN532 commands used;
 *  - the hot tap until ::card-read against its physical floor: the UART time of every
 *    byte exchanged from the moment the card was placed (115200 baud, 10 bits a byte)
 *    plus the chip and air time the emulator modelled (stats air_us), per tap;
 *  - the same card read once by eldercard from a cold start (helper spawn + open + read)
 *    and by libnfc's own `nfc-mfultralight r` (open + read of every page), wall clock,
 *    with their tag and PN532 commands (from the emulator's `stats`);
 *  - issuing and locking a blank card of each size (ec_issue_card_sync), wall clock.
 * docs/benchmarks.md explains the figures. Run with `make bench-reader`. */
#define G_LOG_DOMAIN "bench-reader"

#include <stdio.h>
#include <string.h>
#include <glib.h>

#include "ec-init.h"
#include "ec-reader.h"
#include "ec-test-emu.h"
#include "ec-test-issue.h"

#define N_TAPS 9

typedef struct
{
  gboolean      got;
  EcReaderCard *card;
  EcTestEmu    *emu;        /* when set: the emulator's stats at ::card-read */
  gint64        read_at;
  char         *stats;
} Tap;

/* The physical floor of what was exchanged: every byte over the 115200-baud UART
 * (10 bits with start and stop) plus the chip and air time the emulator modelled. */
static double
floor_ms (const char *stats)
{
  guint64 bytes = ec_test_emu_stat (stats, "bytes_in") + ec_test_emu_stat (stats, "bytes_out");
  return bytes * 10.0 * 1000.0 / 115200.0 + ec_test_emu_stat (stats, "air_us") / 1000.0;
}

static void
on_read (EcReader     *reader,
         EcReaderCard *card,
         Tap          *tap)
{
  tap->read_at = g_get_monotonic_time ();
  /* The helper gets its next request only after this returns: these stats are the
   * tap's exchanges and nothing after them. */
  if (tap->emu != NULL)
    {
      g_free (tap->stats);
      tap->stats = ec_test_emu_ctl (tap->emu, "stats");
    }
  g_clear_pointer (&tap->card, ec_reader_card_unref);
  tap->card = ec_reader_card_ref (card);
  tap->got = TRUE;
}

static void
on_removed (EcReader     *reader,
            EcReaderCard *card,
            gboolean     *removed)
{
  *removed = TRUE;
}

static void
spin_until (const gboolean *flag)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (!*flag)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("the reader did not deliver within 10 s");
      g_main_context_iteration (NULL, TRUE);
    }
}

static int
cmp_double (gconstpointer a,
            gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static void
bench_size (EcTestStation *st,
            guint          index,
            const char    *type_name,
            EcTagType      type)
{
  g_autoptr(EcTestEmu) emu = ec_test_emu_start ("--pace", "115200", "--air", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *image_path = g_build_filename (emu->dir, "card.tag", NULL);
  g_autofree char *dump_path = g_build_filename (emu->dir, "dump.mfd", NULL);
  g_autofree char *uid_hex = g_strdup_printf ("04be7c4a00%04x", index);
  double taps[N_TAPS], reads[N_TAPS], floors[N_TAPS], ratios[N_TAPS];
  guint64 tap_tag_cmds = 0, tap_chip_cmds = 0, tap_fast_reads = 0;
  double issue_ms, cold_ms, open_ms, mfu_ms = -1;
  guint64 issue_tag_cmds, cold_chip_cmds, cold_tag_cmds, mfu_chip_cmds = 0, mfu_tag_cmds = 0;

  /* Issue and lock a blank card: the timing of issuance, and the card to read. */
  {
    g_autoptr(EcReader) reader = ec_reader_new (emu->connstring);
    g_autoptr(EcIssueResult) res = NULL;
    g_autoptr(EcTagImage) saved = NULL;
    EcIssueParams p = ec_test_station_params (st, index);
    g_autofree char *stats = NULL;
    gint64 t0;

    /* Open first, so that the figure is the issuance only. */
    g_autoptr(EcReaderCard) none = ec_reader_wait_card_sync (reader, NULL, 10, NULL, NULL);
    g_free (ec_test_emu_ctl (emu, "place %s %s", type_name, uid_hex));
    g_free (ec_test_emu_ctl (emu, "stats reset"));
    t0 = g_get_monotonic_time ();
    res = ec_issue_card_sync (reader, &p, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    issue_ms = (g_get_monotonic_time () - t0) / 1000.0;
    stats = ec_test_emu_ctl (emu, "stats");
    issue_tag_cmds = ec_test_emu_stat (stats, "tag_cmds");
    saved = ec_test_emu_save (emu);
    g_assert_true (ec_tag_image_save_file (saved, image_path, &error));
  }

  /* Tap to verified record, the reader watching (as the kiosk runs it). */
  {
    g_autoptr(EcReader) reader = ec_reader_new (emu->connstring);
    Tap tap = { .emu = emu };
    gboolean removed = FALSE;

    g_signal_connect (reader, "card-read", G_CALLBACK (on_read), &tap);
    g_signal_connect (reader, "card-removed", G_CALLBACK (on_removed), &removed);
    g_free (ec_test_emu_ctl (emu, "remove"));
    ec_reader_start (reader);
    while (ec_reader_get_state (reader) != EC_READER_STATE_READY)
      g_main_context_iteration (NULL, TRUE);

    for (guint i = 0; i < N_TAPS; i++)
      {
        g_autoptr(EcTagImage) image = NULL;
        g_autoptr(EcCard) card = NULL;
        g_autoptr(EcResident) resident = NULL;
        g_autofree char *stats = NULL;
        gint64 t0;

        /* Land the tap at a random moment of the reader's polling period. */
        g_usleep (g_random_int_range (0, 30000));
        tap.got = FALSE;
        g_free (ec_test_emu_ctl (emu, "stats reset"));
        t0 = g_get_monotonic_time ();
        g_free (ec_test_emu_ctl (emu, "place-image %s", image_path));
        spin_until (&tap.got);
        stats = ec_test_emu_ctl (emu, "stats");
        image = ec_reader_card_to_tag_image (tap.card);
        if (!ec_card_verify (image, st->ring, g_get_real_time () / G_USEC_PER_SEC, &card, &error))
          g_error ("the card does not verify: %s", error->message);
        if (!ec_db_get_resident (st->db, card->header.resident_id, &st->actor,
                                 EC_DB_PURPOSE_CARD_TAP, NULL, &resident, &error))
          g_error ("no record: %s", error->message);
        taps[i] = (g_get_monotonic_time () - t0) / 1000.0;
        reads[i] = (tap.read_at - t0) / 1000.0;
        floors[i] = floor_ms (tap.stats);
        ratios[i] = reads[i] / floors[i];
        tap_tag_cmds = ec_test_emu_stat (stats, "tag_cmds");
        tap_fast_reads = ec_test_emu_stat (stats, "fast_read");
        tap_chip_cmds = ec_test_emu_stat (stats, "chip_cmds");
        removed = FALSE;
        g_free (ec_test_emu_ctl (emu, "remove"));
        spin_until (&removed);
      }
    ec_reader_stop (reader);
    g_clear_pointer (&tap.card, ec_reader_card_unref);
    g_free (tap.stats);
  }

  /* Opening alone: a new EcReader (helper spawned, nfc_open, nfc_initiator_init) and
   * one select round on an empty field. nfc-mfultralight opens the same way. */
  {
    g_autoptr(EcReader) reader = ec_reader_new (emu->connstring);
    g_autoptr(EcReaderCard) none = NULL;
    gint64 t0;

    g_free (ec_test_emu_ctl (emu, "remove"));
    t0 = g_get_monotonic_time ();
    none = ec_reader_wait_card_sync (reader, NULL, 1, NULL, NULL);
    open_ms = (g_get_monotonic_time () - t0) / 1000.0;
    ec_reader_stop (reader);
  }

  /* Cold: a new EcReader (helper spawned, device opened) reads the card once. */
  {
    g_autoptr(EcReader) reader = ec_reader_new (emu->connstring);
    g_autoptr(EcReaderCard) card = NULL;
    g_autofree char *stats = NULL;
    gint64 t0;

    g_free (ec_test_emu_ctl (emu, "place-image %s", image_path));
    g_free (ec_test_emu_ctl (emu, "stats reset"));
    t0 = g_get_monotonic_time ();
    card = ec_reader_read_card_sync (reader, NULL, 5000, NULL, &error);
    g_assert_no_error (error);
    cold_ms = (g_get_monotonic_time () - t0) / 1000.0;
    stats = ec_test_emu_ctl (emu, "stats");
    cold_chip_cmds = ec_test_emu_stat (stats, "chip_cmds");
    cold_tag_cmds = ec_test_emu_stat (stats, "tag_cmds");
    ec_reader_stop (reader);
  }

  /* libnfc's own reader of the same tag. */
  if (g_find_program_in_path ("nfc-mfultralight") != NULL)
    {
      g_autoptr(GSubprocessLauncher) l = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE
                                                                    | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
      g_autoptr(GSubprocess) proc = NULL;
      g_autofree char *stats = NULL;
      gint64 t0;

      g_subprocess_launcher_setenv (l, "LIBNFC_DEFAULT_DEVICE", emu->connstring, TRUE);
      g_free (ec_test_emu_ctl (emu, "remove"));
      g_free (ec_test_emu_ctl (emu, "place-image %s", image_path));
      g_free (ec_test_emu_ctl (emu, "stats reset"));
      t0 = g_get_monotonic_time ();
      proc = g_subprocess_launcher_spawn (l, &error, "timeout", "20", "nfc-mfultralight", "r", dump_path, NULL);
      g_assert_no_error (error);
      g_assert_true (g_subprocess_wait (proc, NULL, &error));
      mfu_ms = (g_get_monotonic_time () - t0) / 1000.0;
      stats = ec_test_emu_ctl (emu, "stats");
      mfu_chip_cmds = ec_test_emu_stat (stats, "chip_cmds");
      mfu_tag_cmds = ec_test_emu_stat (stats, "tag_cmds");
      if (!g_subprocess_get_successful (proc))
        mfu_ms = -1;
    }

  qsort (taps, N_TAPS, sizeof taps[0], cmp_double);
  qsort (reads, N_TAPS, sizeof reads[0], cmp_double);
  qsort (floors, N_TAPS, sizeof floors[0], cmp_double);
  qsort (ratios, N_TAPS, sizeof ratios[0], cmp_double);
  printf ("%-8s  tap→record %6.1f ms (min %5.1f, max %5.1f)  %2" G_GUINT64_FORMAT " tag cmds (%"
          G_GUINT64_FORMAT " FAST_READ), %2" G_GUINT64_FORMAT " PN532 cmds\n",
          type_name, taps[N_TAPS / 2], taps[0], taps[N_TAPS - 1], tap_tag_cmds, tap_fast_reads, tap_chip_cmds);
  printf ("          hot tap, card placed → ::card-read %6.1f ms  baseline: frame floor %6.1f ms"
          "  ratio %.2f (median of per-tap ratios; %.2f–%.2f)\n",
          reads[N_TAPS / 2], floors[N_TAPS / 2], ratios[N_TAPS / 2], ratios[0], ratios[N_TAPS - 1]);
  printf ("          cold read: eldercard %6.1f ms (%2" G_GUINT64_FORMAT " tag / %3" G_GUINT64_FORMAT
          " PN532 cmds)", cold_ms, cold_tag_cmds, cold_chip_cmds);
  if (mfu_ms >= 0)
    {
      printf ("   nfc-mfultralight r %6.1f ms (%2" G_GUINT64_FORMAT " tag / %3" G_GUINT64_FORMAT
              " PN532 cmds)   %.1f× faster\n", mfu_ms, mfu_tag_cmds, mfu_chip_cmds, mfu_ms / cold_ms);
      printf ("          without opening the device (%.1f ms): eldercard %6.1f ms, nfc-mfultralight r %6.1f ms"
              "   %.1f× faster\n", open_ms, cold_ms - open_ms, mfu_ms - open_ms,
              (mfu_ms - open_ms) / (cold_ms - open_ms));
    }
  else
    printf ("   nfc-mfultralight: not installed (libnfc-examples)\n");
  printf ("          issue + lock: %6.1f ms (%" G_GUINT64_FORMAT " tag cmds)\n", issue_ms, issue_tag_cmds);
  (void) type;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(EcTestStation) st = NULL;

  ec_init ();
  g_setenv ("LIBNFC_AUTO_SCAN", "false", TRUE);
  g_setenv ("LIBNFC_LOG_LEVEL", "0", TRUE);
  st = ec_test_station_new ();
  printf ("Reader benchmark: real libnfc 1.8.0, pn532-emu --pace 115200 --air (median of %d taps)\n",
          N_TAPS);
  bench_size (st, 0, "ntag213", EC_TAG_NTAG213);
  bench_size (st, 1, "ntag215", EC_TAG_NTAG215);
  bench_size (st, 2, "ntag216", EC_TAG_NTAG216);
  return 0;
}
