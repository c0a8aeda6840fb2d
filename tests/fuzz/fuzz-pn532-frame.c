/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-pn532-frame: the PN532 emulator's frame parser, command dispatcher and card
 * models, fed bytes as libnfc would write them to the pty; and the tag image parser.
 *
 * The fuzz build compiles the core sources plus this file, so the emulator's pure state
 * machine (no I/O) is included here.
 *
 * Input: byte 0 selects the setup, the rest is data.
 *   bits 0-2  card in the field: 0 ntag213, 1 ntag215, 2 ntag216, 3 mfc1k,
 *             4 iso14443-4, 5-7 none
 *   bit 3     air time on          bit 4  UART pacing at 115200
 *   bit 5     framed: the data is a list of [length][payload] records, each sent as
 *             a well-formed D4 frame (so checksums do not stop the fuzzer)
 *   bit 6     the data is a tag image text for ec_emu_tag_parse_image ()
 *   bit 7     faults: tear / drop / corrupt driven by the next byte */
#define G_LOG_DOMAIN "ec-fuzz-pn532"

#include <glib.h>
#include <stdint.h>
#include <string.h>

#undef G_LOG_DOMAIN
#include "../../src/emulator/ec-emu-tag.c"
#undef G_LOG_DOMAIN
#include "../../src/emulator/ec-pn532.c"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
drain (EcPn532 *chip)
{
  gint64 nb;
  const guint8 *out;
  gsize len;

  while (ec_pn532_peek_output (chip, &nb, &out, &len))
    ec_pn532_consume_output (chip, len);
}

static void
send_framed (EcPn532      *chip,
             const guint8 *payload,
             gsize         n,
             gint64        now)
{
  guint8 frame[MAX_BODY + 16];
  gsize len = n + 1, pos = 0;
  guint8 sum = 0xd4;

  frame[pos++] = 0x00;
  frame[pos++] = 0x00;
  frame[pos++] = 0xff;
  if (len <= 255)
    {
      frame[pos++] = (guint8) len;
      frame[pos++] = (guint8) (0x100 - len);
    }
  else
    {
      frame[pos++] = 0xff;
      frame[pos++] = 0xff;
      frame[pos++] = (guint8) (len >> 8);
      frame[pos++] = (guint8) (len & 0xff);
      frame[pos++] = (guint8) (0x100 - (((len >> 8) + (len & 0xff)) & 0xff));
    }
  frame[pos++] = 0xd4;
  memcpy (frame + pos, payload, n);
  pos += n;
  for (gsize i = 0; i < n; i++)
    sum = (guint8) (sum + payload[i]);
  frame[pos++] = (guint8) (0x100 - sum);
  frame[pos++] = 0x00;
  ec_pn532_feed (chip, frame, pos, now);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  EcPn532 *chip;
  guint8 sel;
  gint64 now = 1000000;
  guint32 lcg;

  if (size < 1)
    return 0;
  sel = data[0];
  data++;
  size--;

  if (sel & 0x40)
    {
      GError *error = NULL;
      EcEmuTag *tag = ec_emu_tag_parse_image ((const char *) data, size, &error);
      if (tag)
        {
          char *text = ec_emu_tag_to_image (tag);
          EcEmuTag *again = ec_emu_tag_parse_image (text, strlen (text), NULL);
          g_assert (again != NULL);
          g_assert (memcmp (again->mem, tag->mem, (gsize) tag->n_pages * 4) == 0);
          ec_emu_tag_free (again);
          g_free (text);
          ec_emu_tag_free (tag);
        }
      g_clear_error (&error);
      return 0;
    }

  chip = ec_pn532_new ();
  if ((sel & 0x07) <= 4)
    ec_pn532_set_tag (chip, ec_emu_tag_new_blank ((EcEmuTagType) (sel & 0x07), NULL, 0, NULL));
  ec_pn532_set_air (chip, (sel & 0x08) != 0);
  ec_pn532_set_pace (chip, (sel & 0x10) ? 115200 : 0);
  if ((sel & 0x80) && size > 0)
    {
      guint8 f = data[0];
      data++;
      size--;
      ec_pn532_set_tear (chip, (f & 0x0f) + 1, (EcPn532TearMode) (1 + (f >> 4) % 3));
      if (f & 0x40)
        ec_pn532_set_drop_frame (chip, (f & 0x07) + 1);
      if (f & 0x80)
        ec_pn532_set_corrupt_frame (chip, (f & 0x07) + 2);
    }

  lcg = sel * 2654435761u + (guint32) size;
  if (sel & 0x20)
    {
      gsize pos = 0;
      while (pos < size)
        {
          gsize n = MIN ((gsize) data[pos], size - pos - 1);
          send_framed (chip, data + pos + 1, n, now);
          pos += n + 1;
          now += 2000;
          ec_pn532_tick (chip, now);
          drain (chip);
        }
    }
  else
    {
      gsize pos = 0;
      while (pos < size)
        {
          gsize n;
          lcg = lcg * 1664525u + 1013904223u;
          n = MIN ((gsize) (1 + (lcg >> 24) % 64), size - pos);
          ec_pn532_feed (chip, data + pos, n, now);
          pos += n;
          now += 1000;
          if ((lcg & 0xff) == 0x5a)
            ec_pn532_set_tag (chip, NULL);
          else if ((lcg & 0xff) == 0xa5)
            ec_pn532_set_tag (chip, ec_emu_tag_new_blank (EC_EMU_TAG_NTAG215, NULL, 0, NULL));
          ec_pn532_tick (chip, now);
          drain (chip);
        }
    }
  /* Let any poll run out. */
  now += 60LL * G_USEC_PER_SEC;
  ec_pn532_tick (chip, now);
  g_assert (ec_pn532_next_deadline (chip) >= now || ec_pn532_next_deadline (chip) == G_MAXINT64);
  drain (chip);
  {
    char *s = ec_pn532_format_stats (chip);
    g_free (s);
  }
  ec_pn532_free (chip);
  return 0;
}
