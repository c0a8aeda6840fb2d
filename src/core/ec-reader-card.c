/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-reader-card.c: EcReaderCard and the helper protocol's encoding (see
 * ec-reader-private.h). Every decoder here reads bytes from another process and is
 * bounds-checked; tests/fuzz/fuzz-reader-proto.c runs them. */
#define G_LOG_DOMAIN "ec-reader"

#include "ec-reader-private.h"

#include <string.h>

/* ------------------------------------------------------------------------- */
/* Enums */

GType
ec_reader_state_get_type (void)
{
  static gsize type = 0;

  if (g_once_init_enter (&type))
    {
      static const GEnumValue values[] = {
        { EC_READER_STATE_NO_READER, "EC_READER_STATE_NO_READER", "no-reader" },
        { EC_READER_STATE_BUSY, "EC_READER_STATE_BUSY", "busy" },
        { EC_READER_STATE_READY, "EC_READER_STATE_READY", "ready" },
        { EC_READER_STATE_LOST, "EC_READER_STATE_LOST", "lost" },
        { 0, NULL, NULL },
      };
      g_once_init_leave (&type, g_enum_register_static ("EcReaderState", values));
    }
  return (GType) type;
}

GType
ec_reader_card_kind_get_type (void)
{
  static gsize type = 0;

  if (g_once_init_enter (&type))
    {
      static const GEnumValue values[] = {
        { EC_READER_CARD_NTAG213, "EC_READER_CARD_NTAG213", "ntag213" },
        { EC_READER_CARD_NTAG215, "EC_READER_CARD_NTAG215", "ntag215" },
        { EC_READER_CARD_NTAG216, "EC_READER_CARD_NTAG216", "ntag216" },
        { EC_READER_CARD_MIFARE_CLASSIC, "EC_READER_CARD_MIFARE_CLASSIC", "mifare-classic" },
        { EC_READER_CARD_ISO14443_4, "EC_READER_CARD_ISO14443_4", "iso14443-4" },
        { EC_READER_CARD_OTHER, "EC_READER_CARD_OTHER", "other" },
        { 0, NULL, NULL },
      };
      g_once_init_leave (&type, g_enum_register_static ("EcReaderCardKind", values));
    }
  return (GType) type;
}

const char *
ec_reader_card_kind_to_string (EcReaderCardKind kind)
{
  switch (kind)
    {
    case EC_READER_CARD_NTAG213: return "ntag213";
    case EC_READER_CARD_NTAG215: return "ntag215";
    case EC_READER_CARD_NTAG216: return "ntag216";
    case EC_READER_CARD_MIFARE_CLASSIC: return "mifare-classic";
    case EC_READER_CARD_ISO14443_4: return "iso14443-4";
    case EC_READER_CARD_OTHER: return "other";
    default: return "other";
    }
}

guint
ec_reader_card_kind_last_page (EcReaderCardKind kind)
{
  switch (kind)
    {
    case EC_READER_CARD_NTAG213: return 0x2c;
    case EC_READER_CARD_NTAG215: return 0x86;
    case EC_READER_CARD_NTAG216: return 0xe6;
    case EC_READER_CARD_MIFARE_CLASSIC:
    case EC_READER_CARD_ISO14443_4:
    case EC_READER_CARD_OTHER:
    default:
      return 0;
    }
}

/* ------------------------------------------------------------------------- */
/* Cursor */

void
ec_nfc_cursor_init (EcNfcCursor  *c,
                    const guint8 *data,
                    gsize         len)
{
  c->data = data;
  c->len = data != NULL ? len : 0;
  c->pos = 0;
}

gboolean
ec_nfc_get_bytes (EcNfcCursor   *c,
                  gsize          n,
                  const guint8 **out)
{
  if (n > c->len - c->pos)
    return FALSE;
  *out = c->data + c->pos;
  c->pos += n;
  return TRUE;
}

gboolean
ec_nfc_get_u8 (EcNfcCursor *c,
               guint8      *out)
{
  const guint8 *p;

  if (!ec_nfc_get_bytes (c, 1, &p))
    return FALSE;
  *out = p[0];
  return TRUE;
}

gboolean
ec_nfc_get_u16 (EcNfcCursor *c,
                guint16     *out)
{
  const guint8 *p;

  if (!ec_nfc_get_bytes (c, 2, &p))
    return FALSE;
  *out = (guint16) ((p[0] << 8) | p[1]);
  return TRUE;
}

gboolean
ec_nfc_get_u32 (EcNfcCursor *c,
                guint32     *out)
{
  const guint8 *p;

  if (!ec_nfc_get_bytes (c, 4, &p))
    return FALSE;
  *out = ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
  return TRUE;
}

char *
ec_nfc_get_str (EcNfcCursor *c)
{
  guint16 n;
  const guint8 *p;

  if (!ec_nfc_get_u16 (c, &n) || !ec_nfc_get_bytes (c, n, &p))
    return NULL;
  if (memchr (p, 0, n) != NULL || !g_utf8_validate ((const char *) p, n, NULL))
    return NULL;
  return g_strndup ((const char *) p, n);
}

gboolean
ec_nfc_get_uid (EcNfcCursor *c,
                guint8       uid[10],
                guint       *uid_len)
{
  guint8 n;
  const guint8 *p;

  if (!ec_nfc_get_u8 (c, &n) || n > 10 || !ec_nfc_get_bytes (c, n, &p))
    return FALSE;
  memcpy (uid, p, n);
  *uid_len = n;
  return TRUE;
}

void
ec_nfc_put_u8 (GByteArray *b,
               guint8      v)
{
  g_byte_array_append (b, &v, 1);
}

void
ec_nfc_put_u16 (GByteArray *b,
                guint16     v)
{
  guint8 p[2] = { (guint8) (v >> 8), (guint8) v };
  g_byte_array_append (b, p, 2);
}

void
ec_nfc_put_u32 (GByteArray *b,
                guint32     v)
{
  guint8 p[4] = { (guint8) (v >> 24), (guint8) (v >> 16), (guint8) (v >> 8), (guint8) v };
  g_byte_array_append (b, p, 4);
}

void
ec_nfc_put_str (GByteArray *b,
                const char *s)
{
  gsize n = s != NULL ? strlen (s) : 0;

  if (n > 1024)
    n = 1024;
  ec_nfc_put_u16 (b, (guint16) n);
  if (n > 0)
    g_byte_array_append (b, (const guint8 *) s, (guint) n);
}

void
ec_nfc_put_uid (GByteArray   *b,
                const guint8 *uid,
                guint         uid_len)
{
  if (uid == NULL || uid_len > 10)
    uid_len = 0;
  ec_nfc_put_u8 (b, (guint8) uid_len);
  if (uid_len > 0)
    g_byte_array_append (b, uid, uid_len);
}

/* ------------------------------------------------------------------------- */
/* EcReaderCard */

G_DEFINE_BOXED_TYPE (EcReaderCard, ec_reader_card, ec_reader_card_ref, ec_reader_card_unref)

EcReaderCard *
ec_reader_card_new (EcReaderCardKind  kind,
                    const guint8     *uid,
                    guint             uid_len)
{
  EcReaderCard *card = g_new0 (EcReaderCard, 1);
  guint last = ec_reader_card_kind_last_page (kind);

  g_return_val_if_fail (uid_len <= 10, NULL);

  card->ref_count = 1;
  card->kind = kind;
  if (uid_len > 0)
    memcpy (card->uid, uid, uid_len);
  card->uid_len = uid_len;
  for (guint i = 0; i < uid_len; i++)
    g_snprintf (card->uid_hex + 2 * i, 3, "%02x", uid[i]);
  if (last > 0)
    {
      card->n_pages = last + 1;
      card->mem = g_malloc0 ((gsize) card->n_pages * 4);
      card->page_read = g_malloc0 (card->n_pages);
    }
  return card;
}

EcReaderCard *
ec_reader_card_ref (EcReaderCard *card)
{
  g_return_val_if_fail (card != NULL, NULL);
  g_atomic_int_inc (&card->ref_count);
  return card;
}

void
ec_reader_card_unref (EcReaderCard *card)
{
  if (card == NULL)
    return;
  if (g_atomic_int_dec_and_test (&card->ref_count))
    {
      g_free (card->mem);
      g_free (card->page_read);
      g_free (card);
    }
}

EcReaderCardKind
ec_reader_card_get_kind (EcReaderCard *card)
{
  g_return_val_if_fail (card != NULL, EC_READER_CARD_OTHER);
  return card->kind;
}

const char *
ec_reader_card_get_uid_hex (EcReaderCard *card)
{
  g_return_val_if_fail (card != NULL, NULL);
  return card->uid_hex;
}

const guint8 *
ec_reader_card_get_version (EcReaderCard *card)
{
  g_return_val_if_fail (card != NULL, NULL);
  return card->has_version ? card->version : NULL;
}

guint
ec_reader_card_get_read_ms (EcReaderCard *card)
{
  g_return_val_if_fail (card != NULL, 0);
  return card->read_ms;
}

GBytes *
ec_reader_card_get_pages (EcReaderCard *card,
                          guint        *out_n_read)
{
  guint n = 0;

  g_return_val_if_fail (card != NULL, NULL);
  if (card->mem == NULL)
    {
      if (out_n_read != NULL)
        *out_n_read = 0;
      return NULL;
    }
  while (n < card->n_pages && card->page_read[n])
    n++;
  if (out_n_read != NULL)
    *out_n_read = n;
  return g_bytes_new (card->mem, (gsize) card->n_pages * 4);
}

void
ec_reader_card_set_pages (EcReaderCard *card,
                          guint         first,
                          const guint8 *data,
                          guint         n_pages)
{
  g_return_if_fail (card != NULL);
  for (guint i = 0; i < n_pages; i++)
    {
      guint p = first + i;
      if (p >= card->n_pages)
        break;
      memcpy (card->mem + (gsize) p * 4, data + (gsize) i * 4, 4);
      card->page_read[p] = 1;
    }
}

char *
ec_reader_card_to_image_text (EcReaderCard *card)
{
  GString *s;

  g_return_val_if_fail (card != NULL, NULL);
  if (card->mem == NULL)
    return NULL;
  s = g_string_new ("# eldercard tag image 1\n");
  g_string_append_printf (s, "type: %s\nuid: %s\n",
                          ec_reader_card_kind_to_string (card->kind), card->uid_hex);
  for (guint p = 0; p < card->n_pages; p++)
    {
      const guint8 *d = card->mem + (gsize) p * 4;
      g_string_append_printf (s, "%02x: %02x %02x %02x %02x\n", p, d[0], d[1], d[2], d[3]);
    }
  return g_string_free (s, FALSE);
}

EcTagImage *
ec_reader_card_to_tag_image (EcReaderCard *card)
{
  EcTagImage *image;
  EcTagType type;

  g_return_val_if_fail (card != NULL, NULL);
  switch (card->kind)
    {
    case EC_READER_CARD_NTAG213: type = EC_TAG_NTAG213; break;
    case EC_READER_CARD_NTAG215: type = EC_TAG_NTAG215; break;
    case EC_READER_CARD_NTAG216: type = EC_TAG_NTAG216; break;
    case EC_READER_CARD_MIFARE_CLASSIC:
    case EC_READER_CARD_ISO14443_4:
    case EC_READER_CARD_OTHER:
    default:
      return NULL;
    }
  if (card->uid_len != EC_TAG_UID_BYTES || card->n_pages != ec_tag_type_info (type)->n_pages)
    return NULL;
  image = g_new0 (EcTagImage, 1);
  image->type = type;
  memcpy (image->uid, card->uid, EC_TAG_UID_BYTES);
  memcpy (image->pages, card->mem, (gsize) card->n_pages * 4);
  return image;
}

void
ec_reader_card_encode (EcReaderCard *card,
                       GByteArray   *b)
{
  guint n_ranges = 0;
  guint p;

  ec_nfc_put_u8 (b, (guint8) card->kind);
  ec_nfc_put_uid (b, card->uid, card->uid_len);
  ec_nfc_put_u8 (b, card->has_version ? 1 : 0);
  g_byte_array_append (b, card->version, 8);
  ec_nfc_put_u32 (b, card->read_ms);

  for (p = 0; p < card->n_pages; p++)
    if (card->page_read[p] && (p == 0 || !card->page_read[p - 1]))
      n_ranges++;
  ec_nfc_put_u16 (b, (guint16) n_ranges);
  p = 0;
  while (p < card->n_pages)
    {
      guint first;

      if (!card->page_read[p])
        {
          p++;
          continue;
        }
      first = p;
      while (p < card->n_pages && card->page_read[p])
        p++;
      ec_nfc_put_u16 (b, (guint16) first);
      ec_nfc_put_u16 (b, (guint16) (p - first));
      g_byte_array_append (b, card->mem + (gsize) first * 4, (p - first) * 4);
    }
}

EcReaderCard *
ec_reader_card_decode (EcNfcCursor  *c,
                       GError      **error)
{
  g_autoptr(EcReaderCard) card = NULL;
  guint8 kind, has_version;
  guint8 uid[10];
  guint uid_len;
  const guint8 *version;
  guint32 read_ms;
  guint16 n_ranges;

  if (!ec_nfc_get_u8 (c, &kind) || kind > EC_READER_CARD_OTHER
      || !ec_nfc_get_uid (c, uid, &uid_len)
      || !ec_nfc_get_u8 (c, &has_version) || has_version > 1
      || !ec_nfc_get_bytes (c, 8, &version)
      || !ec_nfc_get_u32 (c, &read_ms)
      || !ec_nfc_get_u16 (c, &n_ranges))
    goto bad;

  card = ec_reader_card_new ((EcReaderCardKind) kind, uid, uid_len);
  card->has_version = has_version;
  memcpy (card->version, version, 8);
  card->read_ms = read_ms;
  for (guint i = 0; i < n_ranges; i++)
    {
      guint16 first, n;
      const guint8 *data;

      if (!ec_nfc_get_u16 (c, &first) || !ec_nfc_get_u16 (c, &n)
          || n == 0 || (guint) first + n > card->n_pages
          || !ec_nfc_get_bytes (c, (gsize) n * 4, &data))
        goto bad;
      ec_reader_card_set_pages (card, first, data, n);
    }
  return g_steal_pointer (&card);

bad:
  g_set_error (error, EC_READER_ERROR, EC_READER_ERROR_PROTOCOL,
               "malformed card description from the NFC helper");
  return NULL;
}

gboolean
ec_reader_uid_from_hex (const char *hex,
                        guint8      uid[10],
                        guint      *uid_len)
{
  gsize n;

  if (hex == NULL)
    return FALSE;
  n = strlen (hex);
  if (n < 2 || n > 20 || n % 2 != 0)
    return FALSE;
  for (gsize i = 0; i < n; i += 2)
    {
      int hi = g_ascii_xdigit_value (hex[i]);
      int lo = g_ascii_xdigit_value (hex[i + 1]);
      if (hi < 0 || lo < 0)
        return FALSE;
      uid[i / 2] = (guint8) (hi * 16 + lo);
    }
  *uid_len = (guint) (n / 2);
  return TRUE;
}
