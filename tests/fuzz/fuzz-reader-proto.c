/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-reader-proto: the decoders EcReader runs on what the NFC helper process sends
 * (ec-reader-card.c: cards, strings, UIDs), on arbitrary bytes. Whatever decodes must
 * re-encode to a card that decodes to the same thing. */
#define G_LOG_DOMAIN "fuzz-reader-proto"

#include <string.h>
#include <glib.h>

#include "ec-reader-private.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  EcNfcCursor c;
  g_autoptr(GError) error = NULL;
  g_autoptr(EcReaderCard) card = NULL;

  ec_nfc_cursor_init (&c, data, size);
  card = ec_reader_card_decode (&c, &error);
  if (card != NULL)
    {
      g_autoptr(GByteArray) b = g_byte_array_new ();
      g_autoptr(EcReaderCard) again = NULL;
      g_autofree char *text = ec_reader_card_to_image_text (card);
      g_autoptr(EcTagImage) image = ec_reader_card_to_tag_image (card);
      guint n_read = 0;
      g_autoptr(GBytes) pages = ec_reader_card_get_pages (card, &n_read);
      EcNfcCursor c2;

      g_assert (c.pos <= size);
      g_assert (card->uid_len <= 10);
      g_assert (n_read <= card->n_pages);
      ec_reader_card_encode (card, b);
      ec_nfc_cursor_init (&c2, b->data, b->len);
      again = ec_reader_card_decode (&c2, NULL);
      g_assert (again != NULL);
      g_assert (again->kind == card->kind && again->uid_len == card->uid_len);
      g_assert (memcmp (again->uid, card->uid, card->uid_len) == 0);
      if (card->mem != NULL)
        g_assert (memcmp (again->mem, card->mem, (gsize) card->n_pages * 4) == 0);
    }
  else
    g_assert (error != NULL);

  /* The other getters on the same bytes. */
  {
    g_autofree char *s = NULL;
    guint8 uid[10];
    guint uid_len;
    ec_nfc_cursor_init (&c, data, size);
    s = ec_nfc_get_str (&c);
    if (s != NULL)
      g_assert (g_utf8_validate (s, -1, NULL));
    ec_nfc_cursor_init (&c, data, size);
    if (ec_nfc_get_uid (&c, uid, &uid_len))
      g_assert (uid_len <= 10);
  }
  return 0;
}
