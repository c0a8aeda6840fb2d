/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-card: the card format's parsers on arbitrary bytes.
 *
 * Input starting with '#' or 't': a tag image text file (ec_tag_image_parse), then the
 * verifier on what it accepted. Otherwise the first byte picks the target for the rest:
 *   0  raw tag memory for the NTAG type (byte 1 % 3), UID from pages 0–1, verified
 *   1  a decrypted summary plaintext (must re-serialise to the same bytes)
 *   2  a station certificate
 *   3  a summary JSON file
 * The keyring is cards/vectors/keys (TEST ONLY), so the corpus's vectors reach the
 * signature check, the decryption and the summary parser. */
#define G_LOG_DOMAIN "fuzz-card"

#include <string.h>
#include <glib.h>

#include "ec-card.h"
#include "ec-init.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static EcKeyring *
vector_keyring (void)
{
  g_autofree char *dir = g_build_filename (EC_SOURCE_DIR, "cards", "vectors", "keys", NULL);
  g_autofree char *pub_path = g_build_filename (dir, "community", "root.pub", NULL);
  g_autofree char *cert_path = g_build_filename (dir, "stations", "7.cert", NULL);
  g_autofree char *read_path = g_build_filename (dir, "community", "read.key", NULL);
  g_autofree char *pub = NULL, *cert = NULL, *rk = NULL;
  gsize pub_len = 0, cert_len = 0, rk_len = 0;
  g_autoptr(EcStationCert) c = NULL;
  EcKeyring *ring;

  if (!g_file_get_contents (pub_path, &pub, &pub_len, NULL) || pub_len != 36
      || !g_file_get_contents (cert_path, &cert, &cert_len, NULL)
      || !g_file_get_contents (read_path, &rk, &rk_len, NULL) || rk_len != 40)
    g_error ("fuzz-card needs the test vector keys in %s", dir);
  ring = ec_keyring_new ((const guint8 *) pub + 4);
  c = ec_station_cert_parse ((const guint8 *) cert, cert_len, (const guint8 *) pub + 4, NULL);
  g_assert (c != NULL);
  ec_keyring_add_cert (ring, c);
  ec_keyring_add_read_key (ring, ec_read_key_new_from ((const guint8 *) rk + 8));
  return ring;
}

static void
verify (const EcTagImage *img,
        const EcKeyring  *ring)
{
  g_autoptr(EcCard) card = NULL;
  g_autoptr(GError) error = NULL;

  if (ec_card_verify (img, ring, 1780000000, &card, &error))
    {
      g_autofree char *text = ec_card_to_text (card);
      g_assert (card != NULL && error == NULL && text != NULL);
      g_assert (card->summary == NULL || card->summary_error == NULL);
    }
  else
    g_assert (error != NULL && error->domain == EC_CARD_ERROR && card == NULL
              && error->code <= EC_CARD_ERROR_BAD_SEQUENCE);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  static EcKeyring *ring;

  if (ring == NULL)
    {
      ec_init ();
      ring = vector_keyring ();
    }
  if (size == 0)
    return 0;

  if (data[0] == '#' || data[0] == 't')
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(EcTagImage) img = ec_tag_image_parse ((const char *) data, size, &error);

      if (img != NULL)
        {
          g_autofree char *text = ec_tag_image_to_string (img);
          g_autoptr(EcTagImage) back = ec_tag_image_parse (text, strlen (text), NULL);
          g_assert (back != NULL && memcmp (back, img, sizeof *img) == 0);
          verify (img, ring);
        }
      else
        g_assert (error != NULL);
      return 0;
    }

  switch (data[0] % 4)
    {
    case 0:
      {
        EcTagImage img;
        gsize n;

        memset (&img, 0, sizeof img);
        img.type = size > 1 ? (EcTagType) (data[1] % 3) : EC_TAG_NTAG215;
        n = MIN (size > 2 ? size - 2 : 0, (gsize) ec_tag_type_info (img.type)->n_pages * 4);
        if (n > 0)
          memcpy (img.pages, data + 2, n);
        memcpy (img.uid, img.pages[0], 3);
        memcpy (img.uid + 3, img.pages[1], 4);
        verify (&img, ring);
      }
      break;
    case 1:
      ec_card_fuzz_summary_parse (data + 1, size - 1);
      break;
    case 2:
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(EcStationCert) c = ec_station_cert_parse (data + 1, size - 1,
                                                            ec_keyring_root_pk (ring), &error);
        g_assert ((c == NULL) == (error != NULL));
      }
      break;
    default:
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(EcCardSummary) s = ec_card_summary_from_json ((const char *) data + 1, size - 1, &error);
        if (s != NULL)
          {
            g_autofree char *json = ec_card_summary_to_json (s);
            g_autoptr(EcCardSummary) back = ec_card_summary_from_json (json, strlen (json), NULL);
            g_assert (back != NULL && ec_card_summary_equal (s, back));
          }
        else
          g_assert (error != NULL);
      }
      break;
    }
  return 0;
}
