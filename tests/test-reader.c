/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The reader layer through the real libnfc 1.8.0 and the PN532 emulator: reading each
 * tag size, unsupported cards, watching (a second card needs nothing but a tap),
 * no reader, and unplug / stall during wait, read and write (noticed within 5 s, the
 * next tap after the reader returns reads without restarting anything). */
#define G_LOG_DOMAIN "test-reader"

#include <string.h>
#include <glib.h>

#include "ec-reader.h"
#include "ec-tag-image.h"
#include "ec-test-emu.h"

/* ------------------------------------------------------------------------- */

static gboolean
on_timeout_flag (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterate the default context until *@flag or @ms elapse; TRUE if the flag was set. */
static gboolean
spin_until (const gboolean *flag,
            guint           ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (ms, on_timeout_flag, &timed_out);

  while (!*flag && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  return *flag;
}

typedef struct
{
  guint         detected;
  guint         read;
  guint         failed;
  guint         removed;
  gboolean      got_read;
  gboolean      got_failed;
  gboolean      got_removed;
  gboolean      got_state;
  EcReaderState want_state;
  EcReaderCard *last;
  GError       *last_error;
} Events;

static void
events_clear (Events *ev)
{
  g_clear_pointer (&ev->last, ec_reader_card_unref);
  g_clear_error (&ev->last_error);
}

static void
on_detected (EcReader *r, EcReaderCard *card, Events *ev)
{
  ev->detected++;
}

static void
on_read (EcReader *r, EcReaderCard *card, Events *ev)
{
  ev->read++;
  ev->got_read = TRUE;
  g_clear_pointer (&ev->last, ec_reader_card_unref);
  ev->last = ec_reader_card_ref (card);
}

static void
on_failed (EcReader *r, EcReaderCard *card, GError *error, Events *ev)
{
  ev->failed++;
  ev->got_failed = TRUE;
  g_clear_error (&ev->last_error);
  ev->last_error = g_error_copy (error);
}

static void
on_removed (EcReader *r, EcReaderCard *card, Events *ev)
{
  ev->removed++;
  ev->got_removed = TRUE;
}

static void
on_state (EcReader *r, GParamSpec *pspec, Events *ev)
{
  if (ec_reader_get_state (r) == ev->want_state)
    ev->got_state = TRUE;
}

static void
connect_events (EcReader *reader,
                Events   *ev)
{
  g_signal_connect (reader, "card-detected", G_CALLBACK (on_detected), ev);
  g_signal_connect (reader, "card-read", G_CALLBACK (on_read), ev);
  g_signal_connect (reader, "card-failed", G_CALLBACK (on_failed), ev);
  g_signal_connect (reader, "card-removed", G_CALLBACK (on_removed), ev);
  g_signal_connect (reader, "notify::state", G_CALLBACK (on_state), ev);
}

/* The card as read equals the emulator's memory on every page read. */
static void
assert_card_matches (EcTestEmu    *emu,
                     EcReaderCard *card)
{
  g_autoptr(EcTagImage) saved = ec_test_emu_save (emu);
  g_autoptr(EcTagImage) read = ec_reader_card_to_tag_image (card);
  const EcTagInfo *info = ec_tag_type_info (saved->type);

  g_assert_nonnull (read);
  g_assert_cmpint (read->type, ==, saved->type);
  g_assert_cmpmem (read->uid, 7, saved->uid, 7);
  g_assert_cmpmem (read->pages, (info->user_last_page + 1) * 4,
                   saved->pages, (info->user_last_page + 1) * 4);
}

/* ------------------------------------------------------------------------- */

static void
test_read_sizes (void)
{
  static const struct { const char *tag; EcReaderCardKind kind; guint pages; } cases[] = {
    { "ntag213", EC_READER_CARD_NTAG213, 0x28 },
    { "ntag215", EC_READER_CARD_NTAG215, 0x82 },
    { "ntag216", EC_READER_CARD_NTAG216, 0xe2 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(EcTestEmu) emu = ec_test_emu_start (NULL);
      g_autoptr(EcReader) reader = ec_reader_new (emu->connstring);
      g_autoptr(GError) error = NULL;
      g_autoptr(EcReaderCard) card = NULL;
      g_autofree char *a = ec_test_emu_ctl (emu, "place %s 04a1b2c3d4e5%02x", cases[i].tag, (guint) i);
      g_autofree char *stats = NULL;
      g_autofree char *text = NULL;
      guint n_read = 0;
      g_autoptr(GBytes) pages = NULL;

      /* A blank card: only the first FAST_READ (the NDEF TLV is empty). */
      {
        guint first = MIN (cases[i].pages, 65);
        g_autoptr(EcReaderCard) blank = ec_reader_read_card_sync (reader, NULL, 2000, NULL, &error);
        g_autoptr(GBytes) bp = NULL;
        g_autofree char *bstats = NULL;

        g_assert_no_error (error);
        bp = ec_reader_card_get_pages (blank, &n_read);
        g_assert_cmpuint (n_read, ==, first);
        bstats = ec_test_emu_ctl (emu, "stats reset");
        g_assert_cmpuint (ec_test_emu_stat (bstats, "fast_read"), ==, 1);
      }

      /* An NDEF message over the whole user area, and data in its last pages, so that
       * the whole area must be read and the comparison is not only zeros. */
      {
        guint8 d[16];
        guint len = cases[i].pages * 4 - 16 - 4 - 1;
        guint8 page4[4] = { 0x03, 0xff, (guint8) (len >> 8), (guint8) len };
        g_autoptr(GBytes) b = NULL;
        g_autoptr(GBytes) b4 = g_bytes_new (page4, 4);
        for (guint j = 0; j < 16; j++)
          d[j] = (guint8) (0x11 * j + i);
        d[15] = 0xfe;
        b = g_bytes_new (d, sizeof d);
        g_assert_true (ec_reader_write_pages_sync (reader, NULL, cases[i].pages - 4, b, NULL, &error));
        g_assert_no_error (error);
        g_assert_true (ec_reader_write_pages_sync (reader, NULL, 4, b4, NULL, &error));
        g_assert_no_error (error);
      }

      g_free (ec_test_emu_ctl (emu, "stats reset"));
      card = ec_reader_read_card_sync (reader, NULL, 2000, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (card);
      g_assert_cmpint (ec_reader_card_get_kind (card), ==, cases[i].kind);
      g_assert_cmpstr (ec_reader_card_get_uid_hex (card), ==, strchr (a, '0') ? strstr (a, "uid ") + 4 : "");
      pages = ec_reader_card_get_pages (card, &n_read);
      g_assert_cmpuint (n_read, ==, cases[i].pages);
      g_assert_cmpuint (g_bytes_get_size (pages), ==, (ec_reader_card_kind_last_page (cases[i].kind) + 1) * 4);
      assert_card_matches (emu, card);
      text = ec_reader_card_to_image_text (card);
      {
        g_autoptr(EcTagImage) parsed = ec_tag_image_parse (text, strlen (text), &error);
        g_assert_no_error (error);
        g_assert_nonnull (parsed);
      }

      /* GET_VERSION + ⌈pages/65⌉ FAST_READs: 2 tag commands on NTAG213, 3 on 215, 5 on 216. */
      stats = ec_test_emu_ctl (emu, "stats");
      g_assert_cmpuint (ec_test_emu_stat (stats, "get_version"), ==, 1);
      g_assert_cmpuint (ec_test_emu_stat (stats, "fast_read"), ==, (cases[i].pages + 64) / 65);
      g_assert_cmpuint (ec_test_emu_stat (stats, "read"), ==, 0);
      g_test_message ("%s: %u pages read with %" G_GUINT64_FORMAT " tag commands",
                      cases[i].tag, n_read, ec_test_emu_stat (stats, "tag_cmds"));
    }
}

static void
test_unsupported (void)
{
  g_autoptr(EcTestEmu) emu = ec_test_emu_start (NULL);
  g_autoptr(EcReader) reader = ec_reader_new (emu->connstring);
  static const struct { const char *cmd; EcReaderCardKind kind; } cases[] = {
    { "place-mfc1k", EC_READER_CARD_MIFARE_CLASSIC },
    { "place-iso14443-4", EC_READER_CARD_ISO14443_4 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(EcReaderCard) card = NULL;
      g_autofree char *a = ec_test_emu_ctl (emu, "%s", cases[i].cmd);

      card = ec_reader_read_card_sync (reader, NULL, 2000, NULL, &error);
      g_assert_error (error, EC_READER_ERROR, EC_READER_ERROR_UNSUPPORTED);
      g_assert_null (card);
      g_assert_nonnull (strstr (error->message, "NTAG213/215/216"));
      g_clear_error (&error);

      card = ec_reader_wait_card_sync (reader, NULL, 2000, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (ec_reader_card_get_kind (card), ==, cases[i].kind);
      g_assert_null (ec_reader_card_to_tag_image (card));
    }
}

static void
test_no_card_timeout (void)
{
  g_autoptr(EcTestEmu) emu = ec_test_emu_start (NULL);
  g_autoptr(EcReader) reader = ec_reader_new (emu->connstring);
  g_autoptr(GError) error = NULL;
  g_autoptr(EcReaderCard) card = NULL;
  gint64 t0 = g_get_monotonic_time ();

  card = ec_reader_read_card_sync (reader, NULL, 1500, NULL, &error);
  g_assert_error (error, EC_READER_ERROR, EC_READER_ERROR_TIMEOUT);
  g_assert_cmpint (g_get_monotonic_time () - t0, >=, 1400 * 1000);
  g_assert_cmpint (g_get_monotonic_time () - t0, <, 3000 * 1000);
  g_assert_cmpint (ec_reader_get_state (reader), ==, EC_READER_STATE_READY);
}

static void
test_no_reader (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ec-noreader-XXXXXX", NULL);
  g_autofree char *cs = g_strdup_printf ("pn532_uart:%s/nothing-here", dir);
  g_autoptr(EcReader) reader = ec_reader_new (cs);
  g_autoptr(GError) error = NULL;
  g_autoptr(EcReaderCard) card = NULL;
  gint64 t0 = g_get_monotonic_time ();
  Events ev = { 0 };

  card = ec_reader_read_card_sync (reader, NULL, 1000, NULL, &error);
  g_assert_error (error, EC_READER_ERROR, EC_READER_ERROR_NO_READER);
  g_assert_cmpint (g_get_monotonic_time () - t0, <, 5000 * 1000);
  g_assert_cmpint (ec_reader_get_state (reader), ==, EC_READER_STATE_NO_READER);
  g_assert_nonnull (strstr (ec_reader_get_state_message (reader), "udev"));

  /* Watching keeps retrying and stays NO_READER, without blocking. */
  connect_events (reader, &ev);
  ec_reader_start (reader);
  {
    gboolean never = FALSE;
    spin_until (&never, 1200);
  }
  g_assert_cmpint (ec_reader_get_state (reader), ==, EC_READER_STATE_NO_READER);
  ec_reader_stop (reader);
  g_rmdir (dir);
}

static void
test_watch_two_cards (void)
{
  g_autoptr(EcTestEmu) emu = ec_test_emu_start (NULL);
  g_autoptr(EcReader) reader = ec_reader_new (emu->connstring);
  Events ev = { .want_state = EC_READER_STATE_READY };
  g_autofree char *a = NULL;

  connect_events (reader, &ev);
  ec_reader_start (reader);
  g_assert_true (spin_until (&ev.got_state, 5000));
  g_assert_nonnull (ec_reader_get_device_name (reader));

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *uid = g_strdup_printf ("04c0ffee0000%02x", i);
      ev.got_read = ev.got_removed = FALSE;
      g_free (ec_test_emu_ctl (emu, "place %s %s", i == 1 ? "ntag213" : "ntag216", uid));
      g_assert_true (spin_until (&ev.got_read, 3000));
      g_assert_cmpuint (ev.detected, ==, i + 1);
      g_assert_cmpstr (ec_reader_card_get_uid_hex (ev.last), ==, uid);
      assert_card_matches (emu, ev.last);
      g_free (ec_test_emu_ctl (emu, "remove"));
      g_assert_true (spin_until (&ev.got_removed, 3000));
    }
  g_assert_cmpuint (ev.read, ==, 3);
  g_assert_cmpuint (ev.removed, ==, 3);
  g_assert_cmpuint (ev.failed, ==, 0);

  /* An unsupported card is reported once, not once per poll round. */
  ev.got_failed = FALSE;
  g_free (ec_test_emu_ctl (emu, "place-mfc1k"));
  g_assert_true (spin_until (&ev.got_failed, 3000));
  g_assert_error (ev.last_error, EC_READER_ERROR, EC_READER_ERROR_UNSUPPORTED);
  {
    gboolean never = FALSE;
    spin_until (&never, 1500);
  }
  g_assert_cmpuint (ev.failed, ==, 1);
  a = ec_test_emu_ctl (emu, "remove");
  ev.got_removed = FALSE;
  g_assert_true (spin_until (&ev.got_removed, 3000));

  ec_reader_stop (reader);
  g_assert_false (ec_reader_is_started (reader));
  events_clear (&ev);
}

/* A reader that cannot pass 260 bytes in one exchange (a PN532 clone, a CCID-wrapped
 * reader; here the emulator limited to 259 bytes): the 65-page FAST_READ fails with
 * libnfc's "Internal Chip Error", which is about the exchange, not a lost reader. The
 * card is read whole with smaller FAST_READs, the reader stays READY (it never
 * reconnects), and the limit is remembered: the next read sends no oversized one. */
static void
on_state_log (EcReader *r, GParamSpec *pspec, GArray *states)
{
  EcReaderState s = ec_reader_get_state (r);
  g_array_append_val (states, s);
}

static void
test_limited_reader (void)
{
  g_autoptr(EcTestEmu) emu = ec_test_emu_start ("--max-answer", "259", NULL);
  g_autoptr(EcReader) reader = ec_reader_new (emu->connstring);
  g_autoptr(GArray) states = g_array_new (FALSE, FALSE, sizeof (EcReaderState));
  g_autoptr(GError) error = NULL;
  Events ev = { .want_state = EC_READER_STATE_READY };
  guint pages = 0x82;                                /* NTAG215: pages 0 .. 0x81 */
  g_autofree char *a = NULL;

  connect_events (reader, &ev);
  g_signal_connect (reader, "notify::state", G_CALLBACK (on_state_log), states);

  /* An NDEF message over the whole user area: all 130 pages must be read. */
  {
    g_autoptr(EcTagImage) img = NULL;
    g_autofree char *path = g_build_filename (emu->dir, "full.tag", NULL);
    guint len = pages * 4 - 16 - 4 - 1;

    g_free (ec_test_emu_ctl (emu, "place ntag215 04a1b2c3d4e5f0"));
    img = ec_test_emu_save (emu);
    img->pages[4][0] = 0x03;
    img->pages[4][1] = 0xff;
    img->pages[4][2] = (guint8) (len >> 8);
    img->pages[4][3] = (guint8) len;
    for (guint p = 5; p < pages; p++)
      for (guint j = 0; j < 4; j++)
        img->pages[p][j] = (guint8) (p * 7 + j);
    img->pages[pages - 1][3] = 0xfe;
    g_assert_true (ec_tag_image_save_file (img, path, &error));
    g_assert_no_error (error);
    g_free (ec_test_emu_ctl (emu, "place-image %s", path));
  }

  ec_reader_start (reader);
  g_assert_true (spin_until (&ev.got_read, 5000));
  g_assert_cmpuint (ev.failed, ==, 0);
  g_assert_cmpuint (ev.read, ==, 1);
  {
    guint n_read = 0;
    g_autoptr(GBytes) b = ec_reader_card_get_pages (ev.last, &n_read);
    g_assert_cmpuint (n_read, ==, pages);
  }
  assert_card_matches (emu, ev.last);
  for (guint i = 0; i < states->len; i++)
    g_assert_cmpint (g_array_index (states, EcReaderState, i), ==, EC_READER_STATE_READY);
  g_assert_cmpint (ec_reader_get_state (reader), ==, EC_READER_STATE_READY);

  /* The next tap: 63 + 2 pages, then 63 + 2 more: 4 FAST_READs, none refused. */
  ev.got_removed = FALSE;
  g_free (ec_test_emu_ctl (emu, "remove"));
  g_assert_true (spin_until (&ev.got_removed, 3000));
  {
    g_autofree char *path = g_build_filename (emu->dir, "full.tag", NULL);
    g_free (ec_test_emu_ctl (emu, "stats reset"));
    ev.got_read = FALSE;
    g_free (ec_test_emu_ctl (emu, "place-image %s", path));
  }
  g_assert_true (spin_until (&ev.got_read, 3000));
  assert_card_matches (emu, ev.last);
  a = ec_test_emu_ctl (emu, "stats");
  g_assert_cmpuint (ec_test_emu_stat (a, "fast_read"), ==, 4);
  g_assert_cmpuint (ev.failed, ==, 0);
  for (guint i = 0; i < states->len; i++)
    g_assert_cmpint (g_array_index (states, EcReaderState, i), ==, EC_READER_STATE_READY);

  /* Much smaller still (64 bytes): 16-page FAST_READs, still the whole card, still READY. */
  g_free (ec_test_emu_ctl (emu, "max-answer 64"));
  ev.got_removed = FALSE;
  g_free (ec_test_emu_ctl (emu, "remove"));
  g_assert_true (spin_until (&ev.got_removed, 3000));
  {
    g_autofree char *path = g_build_filename (emu->dir, "full.tag", NULL);
    ev.got_read = FALSE;
    g_free (ec_test_emu_ctl (emu, "place-image %s", path));
  }
  g_assert_true (spin_until (&ev.got_read, 3000));
  assert_card_matches (emu, ev.last);
  g_assert_cmpuint (ev.failed, ==, 0);
  for (guint i = 0; i < states->len; i++)
    g_assert_cmpint (g_array_index (states, EcReaderState, i), ==, EC_READER_STATE_READY);

  ec_reader_stop (reader);
  events_clear (&ev);
}

/* A card swapped for another with the same UID between two presence checks (the
 * emulator's place-image replaces the card in the field at once; the new one comes up
 * unpowered): the old card is reported removed and the new one is read, so what is
 * shown is what is on the reader. */
static void
test_watch_swap_same_uid (void)
{
  g_autoptr(EcTestEmu) emu = ec_test_emu_start (NULL);
  g_autoptr(EcReader) reader = ec_reader_new (emu->connstring);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (emu->dir, "other.tag", NULL);
  Events ev = { .want_state = EC_READER_STATE_READY };

  connect_events (reader, &ev);
  g_free (ec_test_emu_ctl (emu, "place ntag215 04c0ffee123456"));
  {
    g_autoptr(EcTagImage) img = ec_test_emu_save (emu);
    /* Another card with the same UID: a different NDEF message. */
    static const guint8 ndef[8] = { 0x03, 0x04, 0xd0, 0x00, 0x00, 0x00, 0xfe, 0x00 };
    memcpy (img->pages[4], ndef, 8);
    g_assert_true (ec_tag_image_save_file (img, path, &error));
    g_assert_no_error (error);
  }
  ec_reader_start (reader);
  g_assert_true (spin_until (&ev.got_read, 5000));
  g_assert_cmpuint (ev.read, ==, 1);
  assert_card_matches (emu, ev.last);

  /* Let a few presence checks pass with the first card, then swap. */
  {
    gboolean never = FALSE;
    spin_until (&never, 300);
  }
  g_assert_cmpuint (ev.removed, ==, 0);
  ev.got_read = FALSE;
  g_free (ec_test_emu_ctl (emu, "place-image %s", path));
  g_assert_true (spin_until (&ev.got_read, 3000));
  g_assert_cmpuint (ev.removed, ==, 1);
  g_assert_cmpuint (ev.read, ==, 2);
  g_assert_cmpstr (ec_reader_card_get_uid_hex (ev.last), ==, "04c0ffee123456");
  {
    g_autoptr(GBytes) b = ec_reader_card_get_pages (ev.last, NULL);
    const guint8 *m = g_bytes_get_data (b, NULL);
    g_assert_cmphex (m[4 * 4 + 1], ==, 0x04);        /* the second card's TLV */
  }
  assert_card_matches (emu, ev.last);

  /* The card staying on the reader is not read again. */
  {
    gboolean never = FALSE;
    spin_until (&never, 500);
  }
  g_assert_cmpuint (ev.read, ==, 2);
  g_assert_cmpuint (ev.removed, ==, 1);
  ec_reader_stop (reader);
  events_clear (&ev);
}

typedef struct
{
  gboolean  done;
  GError   *error;
  gint64    at;
} WriteResult;

static WriteResult write_result;

static void
on_write_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  WriteResult *wr = user_data;

  g_assert_false (ec_reader_write_pages_finish (EC_READER (source), result, &wr->error));
  wr->done = TRUE;
  wr->at = g_get_monotonic_time ();
}

/* The card leaves the field in the middle of the read (the emulator tears the first
 * FAST_READ: the card loses power and comes back): ::card-failed says so, and the
 * reader reads it cleanly right after, with nothing restarted. */
static void
test_watch_removed_mid_read (void)
{
  g_autoptr(EcTestEmu) emu = ec_test_emu_start (NULL);
  g_autoptr(EcReader) reader = ec_reader_new (emu->connstring);
  Events ev = { .want_state = EC_READER_STATE_READY };

  connect_events (reader, &ev);
  ec_reader_start (reader);
  g_assert_true (spin_until (&ev.got_state, 5000));
  /* Tag command 1 is GET_VERSION, 2 the first FAST_READ. */
  g_free (ec_test_emu_ctl (emu, "tear 2 lost-answer"));
  g_free (ec_test_emu_ctl (emu, "place ntag215 04aabbccddeeff"));
  g_assert_true (spin_until (&ev.got_read, 3000));
  g_assert_cmpuint (ev.failed, ==, 1);
  g_assert_error (ev.last_error, EC_READER_ERROR, EC_READER_ERROR_CARD_REMOVED);
  g_assert_cmpuint (ev.detected, ==, 2);
  g_assert_cmpuint (ev.read, ==, 1);
  g_assert_cmpstr (ec_reader_card_get_uid_hex (ev.last), ==, "04aabbccddeeff");
  assert_card_matches (emu, ev.last);
  ec_reader_stop (reader);
  events_clear (&ev);
}

/* A frame lost or corrupted on the serial line (the second frame the chip sends from
 * now: an answer to whatever runs, usually an idle select round): libnfc times out, the
 * helper reports the chip silent, the reader is reopened, and the card placed meanwhile
 * is read within 5 s anyway (~0.6–0.9 s measured). */
static void
run_line_fault (const char *fault)
{
  g_autoptr(EcTestEmu) emu = ec_test_emu_start (NULL);
  g_autoptr(EcReader) reader = ec_reader_new (emu->connstring);
  Events ev = { .want_state = EC_READER_STATE_READY };
  gint64 t0;

  connect_events (reader, &ev);
  ec_reader_start (reader);
  g_assert_true (spin_until (&ev.got_state, 5000));
  g_free (ec_test_emu_ctl (emu, "%s 2", fault));
  t0 = g_get_monotonic_time ();
  g_free (ec_test_emu_ctl (emu, "place ntag216 04abcdef012345"));
  g_assert_true (spin_until (&ev.got_read, 5000));
  g_test_message ("%s: card read after %" G_GINT64_FORMAT " ms", fault, (g_get_monotonic_time () - t0) / 1000);
  g_assert_cmpstr (ec_reader_card_get_uid_hex (ev.last), ==, "04abcdef012345");
  assert_card_matches (emu, ev.last);
  g_assert_cmpint (ec_reader_get_state (reader), ==, EC_READER_STATE_READY);
  ec_reader_stop (reader);
  events_clear (&ev);
}

static void test_dropped_frame (void) { run_line_fault ("drop-frame"); }
static void test_corrupt_frame (void) { run_line_fault ("corrupt-frame"); }

/* Unplug or stall the reader at a moment, check that it is noticed within 5 s, bring
 * it back, and check that the next tap reads without restarting anything. */
typedef enum { FAULT_UNPLUG, FAULT_STALL } Fault;
typedef enum { WHEN_WAIT, WHEN_READ, WHEN_WRITE } When;

static void
run_fault (Fault fault,
           When  when)
{
  g_autoptr(EcTestEmu) emu = ec_test_emu_start ("--pace", "115200", "--air", NULL);
  g_autoptr(EcReader) reader = ec_reader_new (emu->connstring);
  Events ev = { .want_state = EC_READER_STATE_READY };
  gint64 t0;

  connect_events (reader, &ev);

  if (when == WHEN_WRITE)
    {
      /* A long write (every user page of an NTAG216, ~1.5 s paced) with the fault in
       * the middle. */
      g_autoptr(GError) error = NULL;
      guint8 data[0xde * 4];
      g_autoptr(GBytes) b = NULL;
      g_autoptr(EcReaderCard) card = NULL;
      g_autofree char *a = ec_test_emu_ctl (emu, "place ntag216");
      gboolean fired = FALSE;

      memset (data, 0x5a, sizeof data);
      b = g_bytes_new (data, sizeof data);
      card = ec_reader_wait_card_sync (reader, NULL, 2000, NULL, &error);
      g_assert_no_error (error);
      ec_reader_write_pages_async (reader, ec_reader_card_get_uid_hex (card), 4, b, NULL,
                                   on_write_done, &write_result);
      g_timeout_add (300, on_timeout_flag, &fired);
      while (!fired)
        g_main_context_iteration (NULL, TRUE);
      g_assert_false (write_result.done);
    }
  else
    {
      ec_reader_start (reader);
      g_assert_true (spin_until (&ev.got_state, 5000));
      if (when == WHEN_READ)
        {
          /* The fault comes while the card is being read (paced FAST_READs of an
           * NTAG216 take ~0.3 s): the tear makes the first FAST_READ lose its answer
           * first, so the read is certainly in progress. */
          g_free (ec_test_emu_ctl (emu, "place ntag216"));
          while (ev.detected == 0)
            g_main_context_iteration (NULL, TRUE);
        }
    }

  ev.want_state = EC_READER_STATE_LOST;
  ev.got_state = FALSE;
  t0 = g_get_monotonic_time ();
  g_free (ec_test_emu_ctl (emu, fault == FAULT_UNPLUG ? "unplug" : "stall"));
  g_assert_true (spin_until (&ev.got_state, 5000));
  g_test_message ("%s during %s noticed after %" G_GINT64_FORMAT " ms",
                  fault == FAULT_UNPLUG ? "unplug" : "stall",
                  when == WHEN_WAIT ? "wait" : when == WHEN_READ ? "read" : "write",
                  (g_get_monotonic_time () - t0) / 1000);
  g_assert_cmpint (g_get_monotonic_time () - t0, <, 5000 * 1000);
  g_assert_nonnull (strstr (ec_reader_get_state_message (reader), "reconnecting"));
  if (when == WHEN_WRITE)
    {
      g_assert_true (spin_until (&write_result.done, 5000));
      g_assert_error (write_result.error, EC_READER_ERROR, EC_READER_ERROR_LOST);
      g_assert_cmpint (write_result.at - t0, <, 5000 * 1000);
      g_clear_error (&write_result.error);
      write_result.done = FALSE;
    }

  /* Back: the next tap reads, same process, same EcReader. */
  g_free (ec_test_emu_ctl (emu, fault == FAULT_UNPLUG ? "replug" : "unstall"));
  g_free (ec_test_emu_ctl (emu, "remove"));
  if (!ec_reader_is_started (reader))
    ec_reader_start (reader);
  ev.want_state = EC_READER_STATE_READY;
  ev.got_state = ec_reader_get_state (reader) == EC_READER_STATE_READY;
  g_assert_true (spin_until (&ev.got_state, 8000));
  ev.got_read = FALSE;
  g_free (ec_test_emu_ctl (emu, "place ntag215 04a0a1a2a3a4a5"));
  g_assert_true (spin_until (&ev.got_read, 5000));
  g_assert_cmpstr (ec_reader_card_get_uid_hex (ev.last), ==, "04a0a1a2a3a4a5");
  assert_card_matches (emu, ev.last);
  ec_reader_stop (reader);
  events_clear (&ev);
}

static void test_unplug_wait (void) { run_fault (FAULT_UNPLUG, WHEN_WAIT); }
static void test_unplug_read (void) { run_fault (FAULT_UNPLUG, WHEN_READ); }
static void test_unplug_write (void) { run_fault (FAULT_UNPLUG, WHEN_WRITE); }
static void test_stall_wait (void) { run_fault (FAULT_STALL, WHEN_WAIT); }
static void test_stall_read (void) { run_fault (FAULT_STALL, WHEN_READ); }
static void test_stall_write (void) { run_fault (FAULT_STALL, WHEN_WRITE); }

/* ec_reader_stop() returns with the device free: another EcReader (the kiosk's station
 * mode after its watcher) opens it at once, whether the first was busy or idle. */
static void
test_stop_releases (void)
{
  g_autoptr(EcTestEmu) emu = ec_test_emu_start ("--tag", "ntag215", NULL);

  for (guint i = 0; i < 6; i++)
    {
      g_autoptr(EcReader) first = ec_reader_new (emu->connstring);
      g_autoptr(EcReader) second = ec_reader_new (emu->connstring);
      g_autoptr(EcReaderCard) card = NULL;
      g_autoptr(GError) error = NULL;
      Events ev = { .want_state = EC_READER_STATE_READY };

      if (i % 2 == 0)
        {
          connect_events (first, &ev);
          ec_reader_start (first);                /* busy: watching */
          g_assert_true (spin_until (&ev.got_read, 3000));
        }
      else
        {
          g_autoptr(EcReaderCard) c = ec_reader_read_card_sync (first, NULL, 1000, NULL, &error);
          g_assert_no_error (error);              /* idle afterwards */
        }
      ec_reader_stop (first);
      card = ec_reader_read_card_sync (second, NULL, 1000, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (ec_reader_card_get_kind (card), ==, EC_READER_CARD_NTAG215);
      g_signal_handlers_disconnect_matched (first, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, &ev);
      events_clear (&ev);
    }
}

/* A helper that never answers (a libnfc call hung in the driver): the watchdog kills
 * it and reports LOST within its bound, and the operation fails instead of hanging. */
static void
test_watchdog (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ec-hung-XXXXXX", NULL);
  g_autofree char *script = g_build_filename (dir, "hung-helper", NULL);
  g_autoptr(EcReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EcReaderCard) card = NULL;
  gint64 t0;

  g_assert_true (g_file_set_contents (script, "#!/bin/sh\nexec sleep 600\n", -1, NULL));
  g_assert_cmpint (g_chmod (script, 0700), ==, 0);
  g_setenv ("ELDERCARD_NFC_HELPER", script, TRUE);
  reader = ec_reader_new ("pn532_uart:/dev/null");
  ec_reader_set_watchdog_ms (reader, 300);
  t0 = g_get_monotonic_time ();
  card = ec_reader_read_card_sync (reader, NULL, 1000, NULL, &error);
  g_assert_error (error, EC_READER_ERROR, EC_READER_ERROR_LOST);
  g_assert_cmpint (g_get_monotonic_time () - t0, <, 5000 * 1000);
  g_assert_cmpint (ec_reader_get_state (reader), ==, EC_READER_STATE_LOST);
  g_unsetenv ("ELDERCARD_NFC_HELPER");
  g_unlink (script);
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_setenv ("LIBNFC_AUTO_SCAN", "false", TRUE);

  g_test_add_func ("/ec/reader/read/sizes", test_read_sizes);
  g_test_add_func ("/ec/reader/read/unsupported", test_unsupported);
  g_test_add_func ("/ec/reader/read/no-card-timeout", test_no_card_timeout);
  g_test_add_func ("/ec/reader/no-reader", test_no_reader);
  g_test_add_func ("/ec/reader/watchdog", test_watchdog);
  g_test_add_func ("/ec/reader/stop-releases", test_stop_releases);
  g_test_add_func ("/ec/reader/watch/two-cards", test_watch_two_cards);
  g_test_add_func ("/ec/reader/watch/removed-mid-read", test_watch_removed_mid_read);
  g_test_add_func ("/ec/reader/watch/swap-same-uid", test_watch_swap_same_uid);
  g_test_add_func ("/ec/reader/read/limited-reader", test_limited_reader);
  g_test_add_func ("/ec/reader/fault/dropped-frame", test_dropped_frame);
  g_test_add_func ("/ec/reader/fault/corrupt-frame", test_corrupt_frame);
  g_test_add_func ("/ec/reader/fault/unplug-wait", test_unplug_wait);
  g_test_add_func ("/ec/reader/fault/unplug-read", test_unplug_read);
  g_test_add_func ("/ec/reader/fault/unplug-write", test_unplug_write);
  g_test_add_func ("/ec/reader/fault/stall-wait", test_stall_wait);
  g_test_add_func ("/ec/reader/fault/stall-read", test_stall_read);
  g_test_add_func ("/ec/reader/fault/stall-write", test_stall_write);
  return g_test_run ();
}
