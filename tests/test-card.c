/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-card: tag images and the card format (ec-tag-image.c, ec-card.c) with keys made
 * in memory: round trips of random summaries on every tag size (Chinese text at the
 * size limits), every single-bit flip and every truncation refused, each refusal with
 * its own reason, the issuer's write plan, and the summary built from a resident. */
#define G_LOG_DOMAIN "test-card"

#include <string.h>
#include <glib.h>

#include "ec-card.h"
#include "ec-crypto.h"
#include "ec-error.h"
#include "ec-init.h"

#define NOW ((gint64) 1780000000)   /* 2026-05-28 */

static const guint8 test_uid[7] = { 0x04, 0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf6 };

static void
assert_has (const char *text,
            const char *needle)
{
  if (text == NULL || strstr (text, needle) == NULL)
    g_error ("expected \"%s\" in:\n%s", needle, text != NULL ? text : "(null)");
}

typedef struct
{
  EcStationKey *station;
  EcReadKey    *read_key;
  EcKeyring    *ring;
} Keys;

/* A community in memory: root (seed byte @seed), one station certified by it, one
 * read key. Deterministic, so the same bytes come out every run. */
static Keys *
keys_new (guint8 seed)
{
  Keys *k = g_new0 (Keys, 1);
  g_autoptr(EcSecret) root_sk = NULL;
  guint8 root_pk[EC_SIGN_PUBLIC_BYTES], s[32], rk[32];
  g_autoptr(GError) error = NULL;

  memset (s, seed, sizeof s);
  g_assert_true (ec_crypto_sign_keypair (&root_sk, root_pk, s, &error));
  k->station = g_new0 (EcStationKey, 1);
  k->station->cert = g_new0 (EcStationCert, 1);
  memset (s, seed + 1, sizeof s);
  g_assert_true (ec_crypto_sign_keypair (&k->station->sk, k->station->cert->pk, s, &error));
  k->station->cert->station_id = 7;
  k->station->cert->name = g_strdup ("测试社区服务站");
  k->station->cert->kid = ec_crypto_key_id (k->station->cert->pk);
  k->station->cert->valid_from = 1700000000;
  k->station->cert->valid_to = 4000000000;
  k->station->cert->root_kid = ec_crypto_key_id (root_pk);
  memset (rk, seed + 2, sizeof rk);
  k->read_key = ec_read_key_new_from (rk);
  k->ring = ec_keyring_new (root_pk);
  ec_keyring_add_cert (k->ring, k->station->cert);
  ec_keyring_add_read_key (k->ring, ec_read_key_new_from (rk));
  return k;
}

static void
keys_free (Keys *k)
{
  ec_station_key_free (k->station);
  ec_read_key_free (k->read_key);
  ec_keyring_free (k->ring);
  g_free (k);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Keys, keys_free)

static EcCardHeader
test_header (void)
{
  EcCardHeader h = { 0 };

  h.resident_id = G_GUINT64_CONSTANT (0x0123456789abcdef);
  h.card_seq = 1;
  h.issued_at = NOW - 86400;
  ec_card_date_to_days ("2099-12-31", &h.expires_days);
  return h;
}

static EcCardSummary *
test_summary (void)
{
  EcCardSummary *s = ec_card_summary_new ();

  s->name = g_strdup ("王秀英");
  s->name_latin = g_strdup ("Wang Xiuying");
  s->birth_year = 1941;
  s->sex = EC_SEX_FEMALE;
  s->blood_type = EC_BLOOD_A_POS;
  s->allergy_status = EC_ALLERGY_STATUS_RECORDED;
  ec_card_summary_add_allergy (s, "青霉素", EC_CRITICALITY_HIGH);
  ec_card_summary_add_condition (s, "高血压");
  ec_card_summary_add_condition (s, "2型糖尿病");
  ec_card_summary_add_medication (s, "二甲双胍 0.5 g 早晚");
  s->contact_name = g_strdup ("李娜");
  s->contact_relation = g_strdup ("女儿");
  s->contact_phone = g_strdup ("+8613800000000");
  s->dnr = EC_DNR_FULL_RESUSCITATION;
  s->wandering = EC_WANDERING_AT_RISK;
  s->record_version = 3;
  return s;
}

static EcTagImage *
encode_golden (EcTagType type,
               Keys     *k)
{
  g_autoptr(EcCardSummary) s = type == EC_TAG_NTAG213 ? NULL : test_summary ();
  EcCardHeader h = test_header ();
  guint8 nonce[EC_AEAD_NONCE_BYTES];
  g_autoptr(GError) error = NULL;
  EcTagImage *img = NULL;

  memset (nonce, 0x5a, sizeof nonce);
  g_assert_true (ec_card_encode_with_nonce (type, test_uid, &h, s, k->station,
                                            s != NULL ? k->read_key : NULL, nonce, &img, &error));
  g_assert_no_error (error);
  return img;
}

static char *
verify_text (const EcTagImage *img,
             const EcKeyring  *ring,
             GError          **error)
{
  g_autoptr(EcCard) card = NULL;

  if (!ec_card_verify (img, ring, NOW, &card, error))
    return NULL;
  return ec_card_to_text (card);
}

/* ---- tag images ------------------------------------------------------------------ */

static void
test_tag_image_blank (void)
{
  for (EcTagType t = EC_TAG_NTAG213; t <= EC_TAG_NTAG216; t++)
    {
      const EcTagInfo *info = ec_tag_type_info (t);
      g_autoptr(GError) error = NULL;
      g_autoptr(EcTagImage) img = ec_tag_image_new_blank (t, test_uid, &error);
      g_autoptr(EcTagImage) back = NULL;
      g_autofree char *text = NULL;
      EcTagType from_storage;

      g_assert_no_error (error);
      g_assert_cmpuint (info->n_pages, ==, info->pack_page + 1);
      g_assert_cmpuint (info->ndef_area_bytes, ==, info->cc_size * 8u);
      g_assert_true (ec_tag_type_from_storage_byte (info->storage_byte, &from_storage));
      g_assert_cmpint (from_storage, ==, t);
      /* UID and check bytes as the chip has them. */
      g_assert_cmphex (img->pages[0][3], ==, 0x88 ^ 0x04 ^ 0xa1 ^ 0xb2);
      g_assert_cmphex (img->pages[2][0], ==, 0xc3 ^ 0xd4 ^ 0xe5 ^ 0xf6);
      g_assert_cmphex (img->pages[3][0], ==, 0xE1);
      g_assert_cmphex (img->pages[3][2], ==, info->cc_size);
      g_assert_cmphex (img->pages[info->cfg0_page][3], ==, 0xFF);
      g_assert_true (ec_tag_image_check_blank (img, &error));

      text = ec_tag_image_to_string (img);
      back = ec_tag_image_parse (text, strlen (text), &error);
      g_assert_no_error (error);
      g_assert_cmpmem (back, sizeof *back, img, sizeof *img);

      /* Locked tags are not blank. */
      img->pages[2][2] = 0xFF;
      g_assert_false (ec_tag_image_check_blank (img, &error));
      g_assert_error (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID);
    }
  {
    g_autoptr(GError) error = NULL;
    guint8 bad_uid[7] = { 0x08, 1, 2, 3, 4, 5, 6 };
    g_assert_null (ec_tag_image_new_blank (EC_TAG_NTAG215, bad_uid, &error));
    g_assert_error (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID);
  }
}

static void
test_tag_image_parse_errors (void)
{
  g_autoptr(EcTagImage) img = ec_tag_image_new_blank (EC_TAG_NTAG213, test_uid, NULL);
  g_autofree char *text = ec_tag_image_to_string (img);
  static const char *bad[] = {
    "",
    "type: ntag214\nuid: 04a1b2c3d4e5f6\n",
    "uid: 04a1b2c3d4e5f6\ntype: ntag213\n",
    "type: ntag213\nuid: 04a1b2c3d4e5\n",
    "type: ntag213\nuid: 04a1b2c3d4e5f6\n01: 00 00 00 00\n",
    "type: ntag213\nuid: 04a1b2c3d4e5f6\n00: 00 00 00\n",
    "type: ntag213\nuid: 04a1b2c3d4e5f6\n00: 00 00 00 00 00\n",
    "type: ntag213\nuid: 04a1b2c3d4e5f6\n00: 0g 00 00 00\n",
    "type: ntag213\nuid: 04a1b2c3d4e5f6\n00:00 00 00 00\n",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(EcTagImage) r = ec_tag_image_parse (bad[i], strlen (bad[i]), &error);
      g_assert_null (r);
      g_assert_error (error, EC_CARD_ERROR, EC_CARD_ERROR_BAD_IMAGE);
    }
  /* Every truncation of the text (before its last page line is complete) is refused. */
  {
    const char *last = strrchr (text, '\n');
    gsize full = strlen (text);
    const char *prev = last;
    while (prev > text && prev[-1] != '\n')
      prev--;
    for (gsize n = 0; n < full; n++)
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(EcTagImage) r = ec_tag_image_parse (text, n, &error);
        if (n >= (gsize) (last - text))
          g_assert_nonnull (r);   /* only the final newline is missing */
        else
          {
            g_assert_null (r);
            g_assert_error (error, EC_CARD_ERROR, EC_CARD_ERROR_BAD_IMAGE);
          }
      }
    (void) prev;
  }
  /* An embedded NUL. */
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *copy = g_strdup (text);
    copy[40] = '\0';
    g_assert_null (ec_tag_image_parse (copy, strlen (text), &error));
    g_assert_error (error, EC_CARD_ERROR, EC_CARD_ERROR_BAD_IMAGE);
  }
}

/* ---- round trips -------------------------------------------------------------------- */

static char *
random_text (gsize max_bytes)
{
  GString *s = g_string_new (NULL);
  gsize want = (gsize) g_test_rand_int_range (1, (gint32) max_bytes + 1);

  while (s->len < want)
    {
      gunichar c;
      char buf[6];
      int len;

      switch (g_test_rand_int_range (0, 4))
        {
        case 0:
          c = (gunichar) g_test_rand_int_range (0x20, 0x7f);
          break;
        default:
          c = (gunichar) g_test_rand_int_range (0x4e00, 0x9fa6);   /* CJK: 3 bytes */
          break;
        }
      len = g_unichar_to_utf8 (c, buf);
      if (s->len + (gsize) len > want)
        break;
      g_string_append_len (s, buf, len);
    }
  if (s->len == 0)
    g_string_append_c (s, 'x');
  return g_string_free (s, FALSE);
}

static char *
maybe_text (void)
{
  return g_test_rand_bit () ? random_text (EC_CARD_TEXT_MAX) : NULL;
}

/* A random summary that fits @type; about half of them filled to the last few bytes. */
static EcCardSummary *
random_summary (EcTagType type)
{
  EcCardSummary *s = ec_card_summary_new ();
  gsize cap = ec_card_summary_capacity (type);
  gboolean fill = g_test_rand_bit ();

  s->name = maybe_text ();
  s->name_latin = maybe_text ();
  s->birth_year = (guint16) g_test_rand_int_range (0, 2100);
  s->sex = g_test_rand_int_range (0, EC_SEX_OTHER + 1);
  s->blood_type = g_test_rand_int_range (0, EC_BLOOD_O_NEG + 1);
  s->allergy_status = g_test_rand_int_range (0, EC_ALLERGY_STATUS_RECORDED + 1);
  s->dnr = g_test_rand_int_range (0, EC_DNR_LIMITED + 1);
  s->wandering = g_test_rand_int_range (0, EC_WANDERING_AT_RISK + 1);
  s->record_version = (guint32) g_test_rand_int ();
  s->omitted = (guint) g_test_rand_int_range (0, EC_CARD_OMITTED_ALL + 1);
  s->contact_name = maybe_text ();
  s->contact_relation = maybe_text ();
  s->contact_phone = maybe_text ();
  for (int round = 0; round < 64; round++)
    {
      int which = g_test_rand_int_range (0, 3);
      g_autofree char *t = random_text (fill ? EC_CARD_TEXT_MAX : 24);
      GPtrArray *list = which == 0 ? s->allergies : which == 1 ? s->conditions : s->medications;

      if (list->len >= EC_CARD_LIST_MAX)
        continue;
      if (which == 0 && strlen (t) > EC_CARD_TEXT_MAX - 1)
        t[0] = '\0';
      if (*t == '\0')
        continue;
      if (which == 0)
        ec_card_summary_add_allergy (s, t, g_test_rand_int_range (0, EC_CRITICALITY_HIGH + 1));
      else
        g_ptr_array_add (list, g_strdup (t));
      if (ec_card_summary_size (s) > cap)
        {
          g_ptr_array_remove_index (list, list->len - 1);
          if (!fill)
            break;
        }
      if (!fill && g_test_rand_int_range (0, 4) == 0)
        break;
    }
  g_assert_cmpuint (ec_card_summary_size (s), <=, cap);
  /* Shortened marks on about half of them (version 2), on items that exist. */
  if (g_test_rand_bit ())
    {
      s->allergies_cut = (guint16) (g_test_rand_int () & ((1u << s->allergies->len) - 1));
      s->conditions_cut = (guint16) (g_test_rand_int () & ((1u << s->conditions->len) - 1));
      s->medications_cut = (guint16) (g_test_rand_int () & ((1u << s->medications->len) - 1));
      s->fields_cut = (s->name != NULL && g_test_rand_bit () ? EC_CARD_CUT_NAME : 0)
                      | (s->name_latin != NULL && g_test_rand_bit () ? EC_CARD_CUT_NAME_LATIN : 0)
                      | (s->contact_name != NULL && g_test_rand_bit () ? EC_CARD_CUT_CONTACT_NAME : 0)
                      | (s->contact_relation != NULL && g_test_rand_bit () ? EC_CARD_CUT_CONTACT_RELATION : 0);
      if (s->allergies_cut || s->conditions_cut || s->medications_cut || s->fields_cut)
        s->omitted |= EC_CARD_OMITTED_TEXT;
    }
  return s;
}

static void
roundtrip (EcTagType type)
{
  g_autoptr(Keys) k = keys_new (11);
  int n = g_strcmp0 (g_getenv ("SANITIZE"), "1") == 0 ? 2000 : 10000;
  gsize max_seen = 0, cap = ec_card_summary_capacity (type);

  for (int i = 0; i < n; i++)
    {
      g_autoptr(EcCardSummary) s = type == EC_TAG_NTAG213 ? NULL : random_summary (type);
      g_autoptr(EcTagImage) img = NULL;
      g_autoptr(EcCard) card = NULL;
      g_autoptr(GError) error = NULL;
      EcCardHeader h = { 0 };
      guint8 uid[7];

      uid[0] = 0x04;
      for (int j = 1; j < 7; j++)
        uid[j] = (guint8) g_test_rand_int_range (0, 256);
      h.resident_id = (guint64) g_test_rand_int () << 32 | (guint32) g_test_rand_int ();
      h.card_seq = (guint16) g_test_rand_int_range (1, 65536);
      h.issued_at = g_test_rand_int_range (1700000000, (gint32) NOW);
      h.expires_days = g_test_rand_bit () ? 0 : (guint16) g_test_rand_int_range ((gint32) (NOW / 86400), 65536);

      g_assert_true (ec_card_encode (type, uid, &h, s, k->station, k->read_key, &img, &error));
      g_assert_no_error (error);
      g_assert_true (ec_card_verify (img, k->ring, NOW, &card, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (card->header.resident_id, ==, h.resident_id);
      g_assert_cmpuint (card->header.card_seq, ==, h.card_seq);
      g_assert_cmpint (card->header.issued_at, ==, h.issued_at);
      g_assert_cmpuint (card->header.expires_days, ==, h.expires_days);
      g_assert_cmpuint (card->header.station_id, ==, 7);
      g_assert_cmpuint (card->header.sig_kid, ==, k->station->cert->kid);
      g_assert_cmpmem (card->uid, 7, uid, 7);
      g_assert_null (card->summary_error);
      if (s != NULL)
        {
          g_assert_cmpint (card->header.profile, ==, EC_CARD_PROFILE_FULL);
          g_assert_cmpuint (card->header.enc_kid, ==, k->read_key->kid);
          g_assert_true (ec_card_summary_equal (s, card->summary));
          max_seen = MAX (max_seen, ec_card_summary_size (s));
        }
      else
        {
          g_assert_cmpint (card->header.profile, ==, EC_CARD_PROFILE_REFERENCE);
          g_assert_null (card->summary);
        }
    }
  if (type != EC_TAG_NTAG213)
    {
      /* The generator really reached the limit of the tag. */
      g_assert_cmpuint (max_seen, >, cap - EC_CARD_TEXT_MAX);
      g_test_message ("%s: %d round trips, largest summary %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT
                      " bytes", ec_tag_type_to_string (type), n, max_seen, cap);
    }
}

static void test_roundtrip_213 (void) { roundtrip (EC_TAG_NTAG213); }
static void test_roundtrip_215 (void) { roundtrip (EC_TAG_NTAG215); }
static void test_roundtrip_216 (void) { roundtrip (EC_TAG_NTAG216); }

static void
test_capacity (void)
{
  g_autoptr(Keys) k = keys_new (3);
  g_autoptr(EcCardSummary) s = test_summary ();
  EcCardHeader h = test_header ();

  g_assert_cmpuint (ec_card_summary_capacity (EC_TAG_NTAG213), ==, 0);
  g_assert_cmpuint (ec_card_summary_capacity (EC_TAG_NTAG215), ==, 320);
  g_assert_cmpuint (ec_card_summary_capacity (EC_TAG_NTAG216), ==, 704);

  /* A summary on an NTAG213 does not fit. */
  {
    g_autoptr(EcTagImage) img = NULL;
    g_autoptr(GError) error = NULL;
    g_assert_false (ec_card_encode (EC_TAG_NTAG213, test_uid, &h, s, k->station, k->read_key, &img, &error));
    g_assert_error (error, EC_CARD_ERROR, EC_CARD_ERROR_TOO_LARGE);
  }
  /* Fill an NTAG215 to the byte with 3-byte characters, then one byte more. */
  for (EcTagType t = EC_TAG_NTAG215; t <= EC_TAG_NTAG216; t++)
    {
      g_autoptr(EcCardSummary) big = ec_card_summary_new ();
      gsize cap = ec_card_summary_capacity (t);
      g_autoptr(EcTagImage) img = NULL;
      g_autoptr(EcCard) card = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GString) cjk = g_string_new (NULL);
      const char *cjk63;

      for (int i = 0; i < 21; i++)
        g_string_append (cjk, "高");   /* 21 × 3 bytes */
      cjk63 = cjk->str;
      while (ec_card_summary_size (big) + 2 + 63 <= cap)
        ec_card_summary_add_condition (big, cjk63);
      {
        gsize left = cap - ec_card_summary_size (big) - 2;
        g_autofree char *tail = g_strnfill (left, 'a');
        if (left > 0)
          ec_card_summary_add_medication (big, tail);
      }
      g_assert_cmpuint (ec_card_summary_size (big), ==, cap);
      g_assert_true (ec_card_encode (t, test_uid, &h, big, k->station, k->read_key, &img, &error));
      g_assert_no_error (error);
      g_assert_true (ec_card_verify (img, k->ring, NOW, &card, &error));
      g_assert_true (ec_card_summary_equal (big, card->summary));
      g_clear_pointer (&img, ec_tag_image_free);
      ec_card_summary_add_allergy (big, "x", EC_CRITICALITY_LOW);
      g_assert_false (ec_card_encode (t, test_uid, &h, big, k->station, k->read_key, &img, &error));
      g_assert_error (error, EC_CARD_ERROR, EC_CARD_ERROR_TOO_LARGE);
    }
  /* Bad input is refused, not truncated. */
  {
    g_autoptr(EcTagImage) img = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(EcCardSummary) bad = test_summary ();
    g_free (bad->name);
    bad->name = g_strdup ("王\n秀英");
    g_assert_false (ec_card_encode (EC_TAG_NTAG215, test_uid, &h, bad, k->station, k->read_key, &img, &error));
    g_assert_error (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID);
  }
}

/* ---- every bit, every truncation ---------------------------------------------------- */

/* Byte offsets (from page 0) that cards/FORMAT.md declares unused. */
static gboolean
declared_unused (const EcTagImage *img,
                 gsize             off)
{
  const EcTagInfo *info = ec_tag_type_info (img->type);
  const guint8 *u = img->pages[4];
  gsize l = u[1] == 0xFF ? ((gsize) u[2] << 8 | u[3]) + 4 : (gsize) u[1] + 2;
  gsize term = 16 + l;    /* offset of the FE terminator */

  if (off >= 9 && off <= 11)          /* internal byte, static lock bytes */
    return TRUE;
  if (off > term)                     /* after the terminator, incl. lock/config pages */
    return TRUE;
  (void) info;
  return FALSE;
}

static void
flips (EcTagType type)
{
  g_autoptr(Keys) k = keys_new (21);
  g_autoptr(EcTagImage) golden = encode_golden (type, k);
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = verify_text (golden, k->ring, &error);
  gsize len = 0;
  guint refused = 0, same = 0;

  g_assert_no_error (error);
  ec_tag_image_bytes (golden, &len);
  for (gsize off = 0; off < len; off++)
    for (int bit = 0; bit < 8; bit++)
      {
        g_autoptr(EcTagImage) img = ec_tag_image_copy (golden);
        g_autoptr(GError) e = NULL;
        g_autofree char *text = NULL;

        img->pages[off / 4][off % 4] ^= (guint8) (1 << bit);
        text = verify_text (img, k->ring, &e);
        if (declared_unused (golden, off))
          {
            g_assert_no_error (e);
            g_assert_cmpstr (text, ==, expected);
            same++;
          }
        else
          {
            if (text != NULL)
              g_error ("flip of bit %d of byte %" G_GSIZE_FORMAT " (page %02" G_GSIZE_MODIFIER "x) accepted",
                       bit, off, off / 4);
            g_assert_error (e, EC_CARD_ERROR, e->code);
            g_assert_cmpint (e->code, <=, EC_CARD_ERROR_BAD_SEQUENCE);
            refused++;
          }
      }
  g_test_message ("%s: %u flips refused, %u in unused bytes decode the same card",
                  ec_tag_type_to_string (type), refused, same);
  g_assert_cmpuint (refused + same, ==, len * 8);
}

static void test_flips_213 (void) { flips (EC_TAG_NTAG213); }
static void test_flips_215 (void) { flips (EC_TAG_NTAG215); }
static void test_flips_216 (void) { flips (EC_TAG_NTAG216); }

static void
test_truncations (void)
{
  for (EcTagType t = EC_TAG_NTAG213; t <= EC_TAG_NTAG216; t++)
    {
      g_autoptr(Keys) k = keys_new (31);
      g_autoptr(EcTagImage) golden = encode_golden (t, k);
      EcCardLayout layout;
      g_autoptr(GError) error = NULL;
      gsize end;

      g_assert_true (ec_card_layout (golden, &layout, &error));
      end = (layout.last_page + 1) * 4;
      /* The write stopped after byte n: the rest of the user area still blank. */
      for (gsize n = 16; n < end; n++)
        {
          g_autoptr(EcTagImage) img = ec_tag_image_copy (golden);
          g_autoptr(EcCard) card = NULL;
          g_autoptr(GError) e = NULL;
          guint8 *mem = (guint8 *) (void *) img->pages;
          gboolean ok;

          memset (mem + n, 0, end - n);
          ok = ec_card_verify (img, k->ring, NOW, &card, &e);
          /* The bytes after the terminator on its last page were zero already. */
          if (ok)
            {
              const guint8 *u = golden->pages[4];
              gsize l = u[1] == 0xFF ? ((gsize) u[2] << 8 | u[3]) + 4 : (gsize) u[1] + 2;
              g_assert_cmpuint (n, >, 16 + l);
            }
          else
            g_assert_nonnull (e);
        }
      /* The TLV length cut short or made longer by one. */
      for (int delta = -1; delta <= 1; delta += 2)
        {
          g_autoptr(EcTagImage) img = ec_tag_image_copy (golden);
          g_autoptr(EcCard) card = NULL;
          g_autoptr(GError) e = NULL;
          guint8 *u = img->pages[4];
          if (u[1] == 0xFF)
            u[3] = (guint8) (u[3] + delta);
          else
            u[1] = (guint8) (u[1] + delta);
          g_assert_false (ec_card_verify (img, k->ring, NOW, &card, &e));
          g_assert_true (e->code == EC_CARD_ERROR_TRUNCATED || e->code == EC_CARD_ERROR_DAMAGED);
        }
    }
}

/* ---- the checked-in golden vectors --------------------------------------------------- */

/* The TEST ONLY keyring of cards/vectors/keys, read directly (git does not keep the
 * files' 0600 mode, so ec_keyring_load would rightly refuse the read key). */
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
  g_autoptr(GError) error = NULL;
  EcKeyring *ring;

  g_assert_true (g_file_get_contents (pub_path, &pub, &pub_len, NULL));
  g_assert_true (g_file_get_contents (cert_path, &cert, &cert_len, NULL));
  g_assert_true (g_file_get_contents (read_path, &rk, &rk_len, NULL));
  g_assert_cmpuint (pub_len, ==, 36);
  g_assert_cmpuint (rk_len, ==, 40);
  ring = ec_keyring_new ((const guint8 *) pub + 4);
  c = ec_station_cert_parse ((const guint8 *) cert, cert_len, (const guint8 *) pub + 4, &error);
  g_assert_no_error (error);
  ec_keyring_add_cert (ring, c);
  ec_keyring_add_read_key (ring, ec_read_key_new_from ((const guint8 *) rk + 8));
  return ring;
}

static void
test_vector_flips (void)
{
  static const char *valid[] = { "valid-ntag213.tag", "valid-ntag215.tag", "valid-ntag216.tag",
                                 "valid-contact-first-ntag215.tag", "valid-v2-contact-omitted-ntag215.tag",
                                 "valid-v2-shortened-ntag216.tag", "valid-v2-no-contact-ntag215.tag" };
  g_autoptr(EcKeyring) ring = vector_keyring ();

  for (gsize v = 0; v < G_N_ELEMENTS (valid); v++)
    {
      g_autofree char *path = g_build_filename (EC_SOURCE_DIR, "cards", "vectors", valid[v], NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(EcTagImage) golden = ec_tag_image_load_file (path, &error);
      g_autofree char *expected = NULL;
      gsize len = 0;
      guint refused = 0, same = 0;

      g_assert_no_error (error);
      expected = verify_text (golden, ring, &error);
      g_assert_no_error (error);
      ec_tag_image_bytes (golden, &len);
      for (gsize off = 0; off < len; off++)
        for (int bit = 0; bit < 8; bit++)
          {
            g_autoptr(EcTagImage) img = ec_tag_image_copy (golden);
            g_autoptr(GError) e = NULL;
            g_autofree char *text = NULL;

            img->pages[off / 4][off % 4] ^= (guint8) (1 << bit);
            text = verify_text (img, ring, &e);
            if (declared_unused (golden, off))
              {
                g_assert_cmpstr (text, ==, expected);
                same++;
              }
            else
              {
                g_assert_null (text);
                g_assert_true (e != NULL && e->domain == EC_CARD_ERROR);
                refused++;
              }
          }
      /* Every truncation of the NDEF (the rest left blank) is refused too. */
      {
        EcCardLayout layout;
        g_assert_true (ec_card_layout (golden, &layout, &error));
        for (gsize n = 16; n <= 16 + (gsize) (golden->pages[4][1] == 0xFF
                                               ? (golden->pages[4][2] << 8 | golden->pages[4][3]) + 4
                                               : golden->pages[4][1] + 2); n++)
          {
            g_autoptr(EcTagImage) img = ec_tag_image_copy (golden);
            g_autoptr(GError) e = NULL;
            g_autofree char *text = NULL;
            guint8 *mem = (guint8 *) (void *) img->pages;
            memset (mem + n, 0, (layout.last_page + 1) * 4 - n);
            text = verify_text (img, ring, &e);
            g_assert_null (text);
          }
      }
      g_test_message ("%s: %u flips refused, %u flips in unused bytes decode the same card",
                      valid[v], refused, same);
    }
}

/* The checked-in vectors: summary version 1 (old cards and those version 1 says
 * whole) and version 2 ones, each with what it was made to show. */
static void
test_vector_versions (void)
{
  static const struct { const char *name; guint version; const char *shows; } v[] = {
    { "valid-ntag215.tag", 1, "  contact: 李娜 | 女儿 | +8613800000000\n" },
    { "valid-ntag216.tag", 1, "  omitted: none\n" },
    { "valid-contact-first-ntag215.tag", 1, "  contact: 张三 | 儿子 | 13900000000\n" },
    { "valid-v2-contact-omitted-ntag215.tag", 2, "  contact: recorded, not on this card\n" },
    { "valid-v2-shortened-ntag216.tag", 2, "  medication: 地高辛片 0.125 mg [shortened]\n" },
    { "valid-v2-no-contact-ntag215.tag", 2, "  contact: none recorded\n" },
  };
  g_autoptr(EcKeyring) ring = vector_keyring ();

  for (gsize i = 0; i < G_N_ELEMENTS (v); i++)
    {
      g_autofree char *path = g_build_filename (EC_SOURCE_DIR, "cards", "vectors", v[i].name, NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(EcTagImage) img = ec_tag_image_load_file (path, &error);
      g_autoptr(EcCard) card = NULL;
      g_autofree char *text = NULL;

      g_assert_no_error (error);
      g_assert_true (ec_card_verify (img, ring, NOW, &card, &error));
      g_assert_nonnull (card->summary);
      g_assert_cmpuint (card->summary->version, ==, v[i].version);
      text = ec_card_to_text (card);
      assert_has (text, v[i].shows);
    }
  /* The contact came before the low-criticality allergies (issue 20). */
  {
    g_autofree char *path = g_build_filename (EC_SOURCE_DIR, "cards", "vectors", "valid-contact-first-ntag215.tag", NULL);
    g_autoptr(EcTagImage) img = ec_tag_image_load_file (path, NULL);
    g_autoptr(EcCard) card = NULL;
    g_assert_true (ec_card_verify (img, ring, NOW, &card, NULL));
    g_assert_true (card->summary->omitted & EC_CARD_OMITTED_ALLERGIES);
    g_assert_cmpuint (card->summary->allergies->len, <, 12);
  }
}

/* ---- one reason each --------------------------------------------------------------- */

static void
expect_reason (const EcTagImage *img,
               const EcKeyring  *ring,
               gint64            now,
               EcCardError       reason)
{
  g_autoptr(EcCard) card = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_false (ec_card_verify (img, ring, now, &card, &error));
  g_assert_error (error, EC_CARD_ERROR, (gint) reason);
  g_assert_null (card);
}

static void
test_reasons (void)
{
  g_autoptr(Keys) k = keys_new (41);
  g_autoptr(Keys) other = keys_new (51);
  g_autoptr(EcTagImage) golden = encode_golden (EC_TAG_NTAG215, k);
  g_autoptr(GError) error = NULL;
  EcCardHeader h = test_header ();

  /* not ours: a blank tag, an uncommitted card, another record type */
  {
    g_autoptr(EcTagImage) blank = ec_tag_image_new_blank (EC_TAG_NTAG215, test_uid, NULL);
    expect_reason (blank, k->ring, NOW, EC_CARD_ERROR_NOT_OURS);
    memcpy (blank->pages[4], ec_card_uncommitted_page4, 4);
    expect_reason (blank, k->ring, NOW, EC_CARD_ERROR_NOT_OURS);
  }
  {
    g_autoptr(EcTagImage) img = ec_tag_image_copy (golden);
    g_assert_cmphex (img->pages[6][2], ==, 'e');
    img->pages[6][2] = 'E';   /* "eldercard" → "Eldercard" */
    expect_reason (img, k->ring, NOW, EC_CARD_ERROR_NOT_OURS);
  }
  /* unknown version */
  {
    g_autoptr(EcTagImage) img = ec_tag_image_copy (golden);
    guint8 *u = img->pages[4];
    gsize fmt_off = 4 + 6 + 11;   /* TLV 4 + record header 6 + type */
    g_assert_cmphex (u[fmt_off], ==, 0x11);
    u[fmt_off] = 0x21;
    expect_reason (img, k->ring, NOW, EC_CARD_ERROR_UNKNOWN_VERSION);
    u[fmt_off] = 0x12;
    expect_reason (img, k->ring, NOW, EC_CARD_ERROR_UNKNOWN_VERSION);
  }
  /* unknown key: another community's kiosk */
  expect_reason (golden, other->ring, NOW, EC_CARD_ERROR_UNKNOWN_KEY);
  /* bad signature: an edited byte of the encrypted body */
  {
    g_autoptr(EcTagImage) img = ec_tag_image_copy (golden);
    img->pages[30][1] ^= 0x40;
    expect_reason (img, k->ring, NOW, EC_CARD_ERROR_BAD_SIGNATURE);
  }
  /* UID mismatch: the bytes copied onto another genuine tag */
  {
    guint8 uid2[7] = { 0x04, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66 };
    g_autoptr(EcTagImage) img = ec_tag_image_new_blank (EC_TAG_NTAG215, uid2, NULL);
    memcpy (img->pages[4], golden->pages[4], 4 * (0x81 - 3));
    expect_reason (img, k->ring, NOW, EC_CARD_ERROR_UID_MISMATCH);
  }
  /* expired: valid through its last day, refused the next second */
  {
    g_autoptr(EcTagImage) img = NULL;
    g_autoptr(EcCard) card = NULL;
    gint64 end_of_day;
    g_assert_true (ec_card_date_to_days ("2026-06-30", &h.expires_days));
    g_assert_true (ec_card_encode (EC_TAG_NTAG213, test_uid, &h, NULL, k->station, NULL, &img, &error));
    end_of_day = ((gint64) h.expires_days + 1) * 86400;
    g_assert_true (ec_card_verify (img, k->ring, end_of_day - 1, &card, &error));
    expect_reason (img, k->ring, end_of_day, EC_CARD_ERROR_EXPIRED);
  }
  /* genuine but no read key / wrong read key: TRUE with summary_error */
  {
    g_autoptr(EcKeyring) ring = ec_keyring_new (ec_keyring_root_pk (k->ring));
    g_autoptr(EcCard) card = NULL;
    guint8 wrong[32];
    EcReadKey *rk;

    ec_keyring_add_cert (ring, k->station->cert);
    g_assert_true (ec_card_verify (golden, ring, NOW, &card, &error));
    g_assert_null (card->summary);
    g_assert_error (card->summary_error, EC_CARD_ERROR, EC_CARD_ERROR_NO_READ_KEY);
    g_clear_pointer (&card, ec_card_free);

    memset (wrong, 0x77, sizeof wrong);
    rk = ec_read_key_new_from (wrong);
    rk->kid = k->read_key->kid;          /* same id, different key */
    ec_keyring_add_read_key (ring, rk);
    g_assert_true (ec_card_verify (golden, ring, NOW, &card, &error));
    g_assert_null (card->summary);
    g_assert_error (card->summary_error, EC_CARD_ERROR, EC_CARD_ERROR_CANNOT_DECRYPT);
  }
  /* certified validity: a card dated before the station's certificate */
  {
    g_autoptr(EcTagImage) img = NULL;
    h = test_header ();
    h.issued_at = 1600000000;
    g_assert_true (ec_card_encode (EC_TAG_NTAG213, test_uid, &h, NULL, k->station, NULL, &img, &error));
    expect_reason (img, k->ring, NOW, EC_CARD_ERROR_UNKNOWN_KEY);
  }
  /* damaged: a torn CC */
  {
    g_autoptr(EcTagImage) img = ec_tag_image_copy (golden);
    img->pages[3][2] = 0x12;
    expect_reason (img, k->ring, NOW, EC_CARD_ERROR_DAMAGED);
    img->pages[3][2] = 0x3E;
    img->pages[3][3] = 0x0F;        /* read-only after issue: still fine */
    {
      g_autoptr(EcCard) card = NULL;
      g_assert_true (ec_card_verify (img, k->ring, NOW, &card, &error));
    }
  }
  /* the reasons have stable names */
  g_assert_cmpstr (ec_card_error_to_string (EC_CARD_ERROR_UID_MISMATCH), ==, "uid-mismatch");
  g_assert_cmpstr (ec_card_error_to_string (EC_CARD_ERROR_NO_READ_KEY), ==, "no-read-key");
}

/* ---- the issuer's write plan -------------------------------------------------------- */

static void
test_layout (void)
{
  g_autoptr(Keys) k = keys_new (61);

  for (EcTagType t = EC_TAG_NTAG213; t <= EC_TAG_NTAG216; t++)
    {
      g_autoptr(EcTagImage) golden = encode_golden (t, k);
      g_autoptr(EcTagImage) img = ec_tag_image_new_blank (t, test_uid, NULL);
      g_autoptr(GError) error = NULL;
      EcCardLayout layout;

      g_assert_true (ec_card_layout (golden, &layout, &error));
      g_assert_cmpuint (layout.first_page, ==, 4);
      g_assert_cmpmem (layout.commit_page, 4, golden->pages[4], 4);
      /* Steps 1–2: uncommitted marker, then the body: still "not ours". */
      memcpy (img->pages[4], ec_card_uncommitted_page4, 4);
      for (guint p = 5; p <= layout.last_page; p++)
        memcpy (img->pages[p], golden->pages[p], 4);
      expect_reason (img, k->ring, NOW, EC_CARD_ERROR_NOT_OURS);
      /* Step 3: the commit page makes it the card, byte for byte. */
      memcpy (img->pages[4], layout.commit_page, 4);
      g_assert_cmpmem (img, sizeof *img, golden, sizeof *golden);
      {
        g_autoptr(EcCard) card = NULL;
        g_assert_true (ec_card_verify (img, k->ring, NOW, &card, &error));
      }
    }
}

/* ---- from a resident ----------------------------------------------------------------- */

static void
test_from_resident (void)
{
  g_autoptr(EcResident) r = ec_resident_new ();
  g_autoptr(Keys) k = keys_new (71);
  EcCardHeader h = test_header ();

  r->name_zh = g_strdup ("王秀英");
  r->name_pinyin = g_strdup ("Wang Xiuying");
  r->date_of_birth = g_strdup ("1941-03-08");
  r->sex = EC_SEX_FEMALE;
  r->blood_type = EC_BLOOD_B_NEG;
  r->allergy_status = EC_ALLERGY_STATUS_RECORDED;
  r->dnr = EC_DNR_DNR;
  r->record_version = 12;
  /* Many allergies, low criticality first in the record, one high at the end. */
  for (int i = 0; i < 30; i++)
    {
      EcAllergy *a = ec_allergy_new ();
      a->substance = g_strdup_printf ("过敏原过敏原过敏原第%d号", i);
      a->criticality = i == 29 ? EC_CRITICALITY_HIGH : EC_CRITICALITY_LOW;
      g_ptr_array_add (r->allergies, a);
    }
  for (int i = 0; i < 5; i++)
    {
      EcCondition *c = ec_condition_new ();
      /* Line breaks and a C1 control from a pasted note become spaces. */
      c->text = g_strdup (i == 0 ? "高血压\n控制良好\xc2\x85" : "高血压");
      g_ptr_array_add (r->conditions, c);
    }
  {
    EcContact *c = ec_contact_new ();
    c->name = g_strdup ("李娜");
    c->relation = g_strdup ("女儿");
    c->phones = g_new0 (char *, 2);
    c->phones[0] = g_strdup ("+8613800000000");
    c->call_order = 1;
    g_ptr_array_add (r->contacts, c);
  }

  g_assert_null (ec_card_summary_from_resident (r, EC_TAG_NTAG213));
  for (EcTagType t = EC_TAG_NTAG215; t <= EC_TAG_NTAG216; t++)
    {
      g_autoptr(EcCardSummary) s = ec_card_summary_from_resident (r, t);
      g_autoptr(EcTagImage) img = NULL;
      g_autoptr(EcCard) card = NULL;
      g_autoptr(GError) error = NULL;
      const EcCardAllergy *first;

      g_assert_nonnull (s);
      g_assert_cmpuint (s->birth_year, ==, 1941);
      g_assert_cmpuint (s->record_version, ==, 12);
      /* The high-criticality allergy comes first, and what did not fit is flagged. */
      first = s->allergies->pdata[0];
      g_assert_cmpint (first->criticality, ==, EC_CRITICALITY_HIGH);
      g_assert_cmpstr (first->substance, ==, "过敏原过敏原过敏原第29号");
      g_assert_true (s->omitted & EC_CARD_OMITTED_ALLERGIES);
      /* Allergies take priority: conditions lose their room first. */
      g_assert_true (s->conditions->len == 0 || s->allergies->len > 0);
      g_assert_cmpuint (ec_card_summary_size (s), <=, ec_card_summary_capacity (t));
      if (s->conditions->len > 0)
        g_assert_cmpstr (s->conditions->pdata[0], ==, "高血压 控制良好");
      g_assert_true (ec_card_encode (t, test_uid, &h, s, k->station, k->read_key, &img, &error));
      g_assert_no_error (error);
      g_assert_true (ec_card_verify (img, k->ring, NOW, &card, &error));
      g_assert_true (ec_card_summary_equal (s, card->summary));
    }
}

static void
test_json (void)
{
  g_autoptr(EcCardSummary) s = test_summary ();
  g_autofree char *json = ec_card_summary_to_json (s);
  g_autoptr(GError) error = NULL;
  g_autoptr(EcCardSummary) back = ec_card_summary_from_json (json, strlen (json), &error);
  static const char *bad[] = {
    "[]", "{\"nmae\": \"x\"}", "{\"sex\": \"f\"}", "{\"birth_year\": -1}",
    "{\"allergies\": [{\"criticality\": \"high\"}]}", "{\"name\": \"\"}", "{",
  };

  g_assert_no_error (error);
  g_assert_true (ec_card_summary_equal (s, back));
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) e = NULL;
      g_autoptr(EcCardSummary) r = ec_card_summary_from_json (bad[i], strlen (bad[i]), &e);
      g_assert_null (r);
      g_assert_error (e, EC_CARD_ERROR, EC_CARD_ERROR_INVALID);
    }
}

/* ---- priorities, cut marks and the contact (issues 20, 21) ----------------------------- */

static EcContact *
make_contact (const char *name,
              const char *relation,
              const char *phone1,
              const char *phone2)
{
  EcContact *c = ec_contact_new ();

  c->name = g_strdup (name);
  c->relation = g_strdup (relation);
  c->phones = g_new0 (char *, 3);
  c->phones[0] = g_strdup (phone1);
  c->phones[1] = g_strdup (phone2);
  c->call_order = 1;
  return c;
}

static void
add_medication (EcResident *r,
                const char *name,
                const char *dose,
                const char *schedule)
{
  EcMedication *m = ec_medication_new ();

  m->name = g_strdup (name);
  m->dose = g_strdup (dose);
  m->schedule_text = g_strdup (schedule);
  g_ptr_array_add (r->medications, m);
}

#define NOTE_PHONE "+86 138 0000 0000 转 8001 (白天)"

/* The resident of issue 20: twelve allergies with long names (four high, eight low,
 * a low one recorded first), conditions, medications (one with a long dose text) and
 * one contact whose first phone carries a note. */
static EcResident *
issue_resident (void)
{
  EcResident *r = ec_resident_new ();
  static const char *conditions[] = { "慢性心力衰竭（射血分数降低）", "心房颤动", "2型糖尿病", "高血压（三级）" };

  r->name_zh = g_strdup ("王秀英");
  r->name_pinyin = g_strdup ("Wang Xiuying");
  r->date_of_birth = g_strdup ("1941-03-08");
  r->allergy_status = EC_ALLERGY_STATUS_RECORDED;
  r->dnr = EC_DNR_DNR;
  r->wandering = EC_WANDERING_AT_RISK;
  r->record_version = 4;
  for (int i = 0; i < 12; i++)
    {
      EcAllergy *a = ec_allergy_new ();
      gboolean high = i >= 1 && i <= 4;
      a->substance = g_strdup_printf ("%s过敏原过敏原过敏原第%d号", high ? "高危" : "过敏", i);
      a->criticality = high ? EC_CRITICALITY_HIGH : EC_CRITICALITY_LOW;
      g_ptr_array_add (r->allergies, a);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (conditions); i++)
    {
      EcCondition *c = ec_condition_new ();
      c->text = g_strdup (conditions[i]);
      g_ptr_array_add (r->conditions, c);
    }
  add_medication (r, "地高辛片", "0.125 mg（每片0.25 mg，每次半片）", "每日一次 早饭后半小时 监测心率");
  add_medication (r, "华法林钠片", "2.5 mg", "每晚");
  add_medication (r, "呋塞米", "20 mg", "早");
  g_ptr_array_add (r->contacts, make_contact ("张三", "儿子", NOTE_PHONE, "13900000000"));
  return r;
}

/* Every text of @s: none of them ends inside a number cut short. */
static void
assert_no_cut_number (const EcCardSummary *s)
{
  for (guint i = 0; i < s->medications->len; i++)
    {
      const char *m = s->medications->pdata[i];
      /* The dose of 地高辛 is whole or absent, never "0.12" or "0.1". */
      if (g_str_has_prefix (m, "地高辛片"))
        g_assert_true (strstr (m, "0.12") == NULL || strstr (m, "0.125 mg") != NULL);
      g_assert_false (g_str_has_suffix (m, "."));
    }
  if (s->contact_phone != NULL)
    g_assert_true (g_str_equal (s->contact_phone, NOTE_PHONE) || g_str_equal (s->contact_phone, "13900000000"));
}

static void
encode_and_compare (EcTagType            t,
                    const EcCardSummary *s,
                    Keys                *k,
                    char               **text_out)
{
  g_autoptr(EcTagImage) img = NULL;
  g_autoptr(EcCard) card = NULL;
  g_autoptr(GError) error = NULL;
  EcCardHeader h = test_header ();

  g_assert_true (ec_card_encode (t, test_uid, &h, s, k->station, k->read_key, &img, &error));
  g_assert_no_error (error);
  g_assert_true (ec_card_verify (img, k->ring, NOW, &card, &error));
  g_assert_no_error (error);
  g_assert_nonnull (card->summary);
  g_assert_true (ec_card_summary_equal (s, card->summary));
  if (text_out != NULL)
    *text_out = ec_card_to_text (card);
}

static void
test_priorities (void)
{
  g_autoptr(EcResident) r = issue_resident ();
  g_autoptr(Keys) k = keys_new (81);

  for (EcTagType t = EC_TAG_NTAG215; t <= EC_TAG_NTAG216; t++)
    {
      g_autoptr(EcCardSummary) s = ec_card_summary_from_resident (r, t);
      g_autofree char *text = NULL;
      guint high = 0, low = 0;

      g_test_message ("%s: %u of 12 allergies, %u of 4 conditions, %u of 3 medications, %zu of %zu bytes",
                      ec_tag_type_to_string (t), s->allergies->len, s->conditions->len,
                      s->medications->len, ec_card_summary_size (s), ec_card_summary_capacity (t));
      /* The contact is on the card, with its first phone whole, note and all. */
      g_assert_cmpstr (s->contact_name, ==, "张三");
      g_assert_cmpstr (s->contact_relation, ==, "儿子");
      g_assert_cmpstr (s->contact_phone, ==, NOTE_PHONE);
      g_assert_false (s->omitted & EC_CARD_OMITTED_CONTACT);
      /* All four high-criticality allergies, first; the low ones after them. */
      for (guint i = 0; i < s->allergies->len; i++)
        {
          const EcCardAllergy *a = s->allergies->pdata[i];
          if (a->criticality == EC_CRITICALITY_HIGH)
            {
              g_assert_cmpuint (low, ==, 0);
              high++;
            }
          else
            low++;
        }
      g_assert_cmpuint (high, ==, 4);
      /* Every kind left out is flagged; a kind wholly on the card is not. */
      g_assert_cmpint (!!(s->omitted & EC_CARD_OMITTED_ALLERGIES), ==, s->allergies->len < 12);
      g_assert_cmpint (!!(s->omitted & EC_CARD_OMITTED_CONDITIONS), ==, s->conditions->len < 4);
      g_assert_cmpint (!!(s->omitted & EC_CARD_OMITTED_MEDICATIONS), ==, s->medications->len < 3);
      if (t == EC_TAG_NTAG215)
        {
          /* The contact came before the low allergies, which no longer all fit. */
          g_assert_true (s->omitted & EC_CARD_OMITTED_ALLERGIES);
          g_assert_cmpuint (s->allergies->len, <, 12);
        }
      else
        {
          /* An NTAG216 holds all twelve allergies and the contact. */
          g_assert_cmpuint (s->allergies->len, ==, 12);
          g_assert_false (s->omitted & EC_CARD_OMITTED_ALLERGIES);
        }
      assert_no_cut_number (s);
      /* The medication with the long dose is shortened by leaving out the times or
       * the dose as a whole, and marked. */
      for (guint i = 0; i < s->medications->len; i++)
        if (g_str_has_prefix (s->medications->pdata[i], "地高辛片"))
          {
            g_assert_true (s->medications_cut & (1u << i));
            g_assert_true (g_str_equal (s->medications->pdata[i], "地高辛片")
                           || g_str_equal (s->medications->pdata[i], "地高辛片 0.125 mg（每片0.25 mg，每次半片）"));
            g_assert_true (s->omitted & EC_CARD_OMITTED_TEXT);
          }
      g_assert_cmpuint (ec_card_summary_size (s), <=, ec_card_summary_capacity (t));
      /* Marks and flags travel on the card. */
      encode_and_compare (t, s, k, &text);
      assert_has (text, "  contact: 张三 | 儿子 | " NOTE_PHONE "\n");
      if (s->medications_cut != 0)
        assert_has (text, " [shortened]\n");
    }
}

static void
test_cut_never_splits_numbers (void)
{
  g_autoptr(EcResident) r = ec_resident_new ();
  g_autoptr(Keys) k = keys_new (82);
  g_autoptr(EcCardSummary) s = NULL;
  g_autofree char *text = NULL;
  g_autofree char *a60 = g_strnfill (60, 'A');
  g_autofree char *cond = g_strconcat (a60, " 0.125 mg", NULL);          /* byte 64 is inside 0.125 */
  g_autofree char *cond2 = g_strconcat (a60, " 20mg", NULL);             /* byte 64 is inside 20mg */
  g_autofree char *longname = NULL;
  GString *ln = g_string_new (NULL);

  for (int i = 0; i < 22; i++)
    g_string_append (ln, "𠮷");                                        /* 4 bytes each: 88 */
  longname = g_string_free (ln, FALSE);
  r->name_zh = g_strdup (longname);
  r->allergy_status = EC_ALLERGY_STATUS_NONE_KNOWN;
  {
    EcCondition *c = ec_condition_new ();
    c->text = g_strdup (cond);
    g_ptr_array_add (r->conditions, c);
    c = ec_condition_new ();
    c->text = g_strdup (cond2);
    g_ptr_array_add (r->conditions, c);
  }
  /* Whole text 70 bytes, name and dose 27: the times are left out, the dose whole. */
  add_medication (r, "地高辛片", "0.125 mg", "每日一次，早饭后半小时服用，服药前先数脉搏");
  /* A phone with a note longer than a field: never cut, the second number instead. */
  g_ptr_array_add (r->contacts,
                   make_contact ("李娜", "女儿", NOTE_PHONE "，晚上请打家里电话 010-5555-0101 找李阿姨", "13900000000"));

  s = ec_card_summary_from_resident (r, EC_TAG_NTAG215);
  g_assert_cmpstr (s->conditions->pdata[0], ==, a60);
  g_assert_cmpstr (s->conditions->pdata[1], ==, a60);
  g_assert_cmphex (s->conditions_cut, ==, 0x3);
  g_assert_cmpstr (s->medications->pdata[0], ==, "地高辛片 0.125 mg");
  g_assert_cmphex (s->medications_cut, ==, 0x1);
  /* The name is cut at a character boundary (16 × 4 bytes) and marked. */
  g_assert_cmpuint (strlen (s->name), ==, 64);
  g_assert_true (g_utf8_validate (s->name, -1, NULL));
  g_assert_cmphex (s->fields_cut, ==, EC_CARD_CUT_NAME);
  g_assert_cmpstr (s->contact_phone, ==, "13900000000");
  /* The number listed first is not on the card: said so. */
  g_assert_true (s->omitted & EC_CARD_OMITTED_CONTACT);
  g_assert_true (s->omitted & EC_CARD_OMITTED_TEXT);
  encode_and_compare (EC_TAG_NTAG215, s, k, &text);
  assert_has (text, "  medication: 地高辛片 0.125 mg [shortened]\n");
  assert_has (text, "  contact: 李娜 | 女儿 | 13900000000\n");
  assert_has (text, "  omitted: contact, shortened-text\n");
  assert_has (text, " [shortened]\n  name-latin: -\n");

  /* With only the long phone: no number at all rather than a cut one, and flagged. */
  g_clear_pointer (&s, ec_card_summary_free);
  g_ptr_array_set_size (r->contacts, 0);
  g_ptr_array_add (r->contacts, make_contact ("李娜", "女儿", NOTE_PHONE "，晚上请打家里电话 010-5555-0101 找李阿姨", NULL));
  s = ec_card_summary_from_resident (r, EC_TAG_NTAG216);
  g_assert_null (s->contact_phone);
  g_assert_cmpstr (s->contact_name, ==, "李娜");
  g_assert_true (s->omitted & EC_CARD_OMITTED_CONTACT);
  g_free (text);
  text = NULL;
  encode_and_compare (EC_TAG_NTAG216, s, k, &text);
  assert_has (text, "  contact: 李娜 | 女儿 | (not on this card)\n");
}

static void
test_contact_left_out (void)
{
  g_autoptr(EcResident) r = ec_resident_new ();
  g_autoptr(Keys) k = keys_new (83);
  g_autoptr(EcCardSummary) s = NULL;
  g_autofree char *text = NULL;

  r->name_zh = g_strdup ("王秀英");
  r->allergy_status = EC_ALLERGY_STATUS_RECORDED;
  /* High-criticality allergies that fill an NTAG215 by themselves. */
  for (int i = 0; i < 7; i++)
    {
      EcAllergy *a = ec_allergy_new ();
      a->substance = g_strdup_printf ("高危过敏原高危过敏原高危第%d号", i);   /* 43 bytes */
      a->criticality = EC_CRITICALITY_HIGH;
      g_ptr_array_add (r->allergies, a);
    }
  g_ptr_array_add (r->contacts, make_contact ("张三", "儿子", "13900000000", NULL));
  s = ec_card_summary_from_resident (r, EC_TAG_NTAG215);
  g_assert_true (s->omitted & EC_CARD_OMITTED_ALLERGIES);
  g_assert_true (s->omitted & EC_CARD_OMITTED_CONTACT);
  /* Six allergies (300 bytes) leave 20: the phone whole, the name cut to one
   * character and marked, no room for the relation. */
  g_assert_cmpuint (s->allergies->len, ==, 6);
  g_assert_cmpstr (s->contact_phone, ==, "13900000000");
  g_assert_cmpstr (s->contact_name, ==, "张");
  g_assert_null (s->contact_relation);
  g_assert_cmphex (s->fields_cut, ==, EC_CARD_CUT_CONTACT_NAME);
  encode_and_compare (EC_TAG_NTAG215, s, k, &text);
  assert_has (text, "  contact: 张 [shortened] | (not on this card) | 13900000000\n");
  assert_has (text, "  omitted: allergies, contact, shortened-text\n");
  /* Seven allergies that leave no room at all. */
  g_clear_pointer (&s, ec_card_summary_free);
  g_free (text);
  text = NULL;
  for (guint i = 0; i < r->allergies->len; i++)
    {
      EcAllergy *a = r->allergies->pdata[i];
      g_free (a->substance);
      a->substance = g_strdup_printf ("高危过敏原高危过敏原高危过敏原高第%u号", i);   /* 55 bytes */
    }
  g_free (r->name_zh);
  r->name_zh = g_strdup ("欧阳秀英");
  s = ec_card_summary_from_resident (r, EC_TAG_NTAG215);
  g_assert_cmpuint (s->allergies->len, ==, 5);     /* 13 + 14 + 5 × 58 = 317 of 320 */
  g_assert_true (s->omitted & EC_CARD_OMITTED_CONTACT);
  g_assert_true (s->contact_phone == NULL && s->contact_name == NULL && s->contact_relation == NULL);
  encode_and_compare (EC_TAG_NTAG215, s, k, &text);
  assert_has (text, "  contact: recorded, not on this card\n");
  assert_has (text, "  omitted: allergies, contact\n");

  /* No contact recorded at all: said plainly, and no flag. */
  g_clear_pointer (&s, ec_card_summary_free);
  g_free (text);
  text = NULL;
  g_ptr_array_set_size (r->contacts, 0);
  g_ptr_array_set_size (r->allergies, 1);
  s = ec_card_summary_from_resident (r, EC_TAG_NTAG215);
  g_assert_false (s->omitted & EC_CARD_OMITTED_CONTACT);
  encode_and_compare (EC_TAG_NTAG215, s, k, &text);
  assert_has (text, "  contact: none recorded\n");
}

/* The payload of an encoded image and its length. */
static guint8 *
image_payload (EcTagImage *img,
               gsize      *plen)
{
  guint8 *u = (guint8 *) (void *) img->pages + 16;
  guint8 *r = u + (u[1] == 0xFF ? 4 : 2);
  gsize pl_size = (r[0] & 0x10) ? 1 : 4;

  *plen = pl_size == 1 ? r[2] : ((gsize) r[2] << 24 | (gsize) r[3] << 16 | (gsize) r[4] << 8 | r[5]);
  return r + 2 + pl_size + 11;
}

/* Sign @img's payload again with @key (FORMAT.md §3.4), as a station would have. */
static void
resign (EcTagImage         *img,
        const EcStationKey *key)
{
  gsize plen;
  guint8 *p = image_payload (img, &plen);
  g_autofree guint8 *msg = g_malloc (11 + plen - 64);

  memcpy (msg, "ECARD1-SIG", 10);
  msg[10] = ec_tag_type_info (img->type)->storage_byte;
  memcpy (msg + 11, p, plen - 64);
  g_assert_true (ec_crypto_sign (p + plen - 64, msg, 11 + plen - 64, key->sk, NULL));
}

/* Replace the summary plaintext of a profile F @img (same length) and sign again. */
static void
replace_plaintext (EcTagImage *img,
                   Keys       *k,
                   const guint8 *pt,
                   gsize       len)
{
  gsize plen;
  guint8 *p = image_payload (img, &plen);
  guint8 ad[12 + 34];

  g_assert_cmpuint (len, ==, plen - 138);
  memcpy (ad, "ECARD1-AEAD", 11);
  ad[11] = ec_tag_type_info (img->type)->storage_byte;
  memcpy (ad + 12, p, 34);
  g_assert_true (ec_crypto_aead_encrypt (p + 58, pt, len, ad, sizeof ad, p + 34, k->read_key->key->data, NULL));
  resign (img, k->station);
}

/* The summary parser on a hand-made plaintext: a genuine card whose summary is
 * @pt; returns the summary or NULL when the parser refused it. */
static EcCardSummary *
parse_via_card (Keys         *k,
                const guint8 *pt,
                gsize         len)
{
  g_autoptr(EcCardSummary) filler = ec_card_summary_new ();
  g_autoptr(EcTagImage) img = NULL;
  g_autoptr(EcCard) card = NULL;
  g_autoptr(GError) error = NULL;
  EcCardHeader h = test_header ();

  /* A plaintext of the same padded length: conditions of 'x' up to len − 1 bytes. */
  while (ec_card_summary_size (filler) + 3 < len)
    {
      g_autofree char *x = g_strnfill (MIN (EC_CARD_TEXT_MAX, len - 1 - ec_card_summary_size (filler) - 2), 'x');
      ec_card_summary_add_condition (filler, x);
    }
  g_assert_true (ec_card_encode (EC_TAG_NTAG216, test_uid, &h, filler, k->station, k->read_key, &img, &error));
  replace_plaintext (img, k, pt, len);
  g_assert_true (ec_card_verify (img, k->ring, NOW, &card, &error));
  if (card->summary == NULL)
    {
      g_assert_error (card->summary_error, EC_CARD_ERROR, EC_CARD_ERROR_CANNOT_DECRYPT);
      return NULL;
    }
  return ec_card_summary_copy (card->summary);
}

static void
test_summary_versions (void)
{
  g_autoptr(Keys) k = keys_new (84);
  /* fixed part: version, birth 1941, female, A+, recorded, DNR, at risk, rv 5, omitted */
  guint8 base[32] = { 2, 0x07, 0x95, 1, 1, 2, 2, 2, 0, 0, 0, 5, 0x08 };
  static const guint8 item_cut_allergy[] = { 0x83, 4, 2, 'a', 'b', 'c' };
  static const guint8 item_cut_phone[] = { 0x88, 3, '1', '2', '3' };
  static const guint8 item_phone[] = { 0x08, 3, '1', '2', '3' };

  /* A version 2 plaintext with a shortened allergy parses, with its mark. */
  {
    guint8 pt[32];
    g_autoptr(EcCardSummary) s = NULL;
    memcpy (pt, base, 32);
    memcpy (pt + 13, item_cut_allergy, sizeof item_cut_allergy);
    s = parse_via_card (k, pt, 32);
    g_assert_nonnull (s);
    g_assert_cmpuint (s->version, ==, 2);
    g_assert_cmphex (s->allergies_cut, ==, 1);
    g_assert_cmpstr (((EcCardAllergy *) s->allergies->pdata[0])->substance, ==, "abc");
    /* The same without the shortened-text bit: refused. */
    pt[12] = 0;
    g_clear_pointer (&s, ec_card_summary_free);
    g_assert_null (parse_via_card (k, pt, 32));
    /* The same as version 1: refused (version 1 has no marks). */
    pt[12] = 0x08;
    pt[0] = 1;
    g_assert_null (parse_via_card (k, pt, 32));
  }
  /* A phone is never marked shortened. */
  {
    guint8 pt[32];
    memcpy (pt, base, 32);
    memcpy (pt + 13, item_cut_phone, sizeof item_cut_phone);
    g_assert_null (parse_via_card (k, pt, 32));
  }
  /* The contact flag: version 2 only; bits 5–7 refused. */
  {
    guint8 pt[32];
    g_autoptr(EcCardSummary) s = NULL;
    memcpy (pt, base, 32);
    pt[12] = EC_CARD_OMITTED_CONTACT;
    memcpy (pt + 13, item_phone, sizeof item_phone);
    s = parse_via_card (k, pt, 32);
    g_assert_nonnull (s);
    g_assert_cmphex (s->omitted, ==, EC_CARD_OMITTED_CONTACT);
    pt[0] = 1;
    g_assert_null (parse_via_card (k, pt, 32));
    pt[0] = 2;
    pt[12] = 0x20;
    g_assert_null (parse_via_card (k, pt, 32));
    pt[0] = 3;
    pt[12] = 0;
    g_assert_null (parse_via_card (k, pt, 32));
  }
  /* A version 2 plaintext that version 1 says as well (no mark, no flag, the contact
   * whole) is not canonical: refused. Version 1 of it parses. */
  {
    static const guint8 contact[] = { 6, 1, 'a', 7, 1, 'b', 8, 1, '1' };
    guint8 pt[32];
    g_autoptr(EcCardSummary) s = NULL;
    memcpy (pt, base, 32);
    pt[12] = 0;
    memcpy (pt + 13, contact, sizeof contact);
    g_assert_null (parse_via_card (k, pt, 32));
    pt[0] = 1;
    s = parse_via_card (k, pt, 32);
    g_assert_nonnull (s);
    g_assert_cmpuint (s->version, ==, 1);
  }
  /* The fuzz harness's version 2 seeds are valid plaintexts (so it starts inside the
   * version 2 parser). */
  {
    static const char *seeds[] = { "plaintext-v2-marks.bin", "plaintext-v2-contact-flag.bin" };
    for (gsize i = 0; i < G_N_ELEMENTS (seeds); i++)
      {
        g_autofree char *path = g_build_filename (EC_SOURCE_DIR, "tests", "fuzz", "corpus", "fuzz-card", seeds[i], NULL);
        g_autofree char *data = NULL;
        gsize len = 0;
        g_autoptr(EcCardSummary) s = NULL;
        g_assert_true (g_file_get_contents (path, &data, &len, NULL));
        g_assert_cmpint (data[0], ==, 1);          /* the harness's summary target */
        s = parse_via_card (k, (const guint8 *) data + 1, len - 1);
        g_assert_nonnull (s);
        g_assert_cmpuint (s->version, ==, 2);
      }
  }
  /* The writer: version 1 when that says everything, version 2 otherwise. */
  {
    g_autoptr(EcCardSummary) s = test_summary ();
    g_autoptr(EcTagImage) img = NULL;
    g_autoptr(EcCard) card = NULL;
    g_autoptr(GError) error = NULL;
    EcCardHeader h = test_header ();

    g_assert_true (ec_card_encode (EC_TAG_NTAG215, test_uid, &h, s, k->station, k->read_key, &img, &error));
    g_assert_true (ec_card_verify (img, k->ring, NOW, &card, &error));
    g_assert_cmpuint (card->summary->version, ==, 1);
    g_clear_pointer (&card, ec_card_free);
    g_clear_pointer (&img, ec_tag_image_free);
    g_clear_pointer (&s->contact_relation, g_free);
    g_assert_true (ec_card_encode (EC_TAG_NTAG215, test_uid, &h, s, k->station, k->read_key, &img, &error));
    g_assert_true (ec_card_verify (img, k->ring, NOW, &card, &error));
    g_assert_cmpuint (card->summary->version, ==, 2);
    /* A mark without the shortened-text bit, or on an item that is not there: refused. */
    g_clear_pointer (&img, ec_tag_image_free);
    s->conditions_cut = 1;
    g_assert_false (ec_card_encode (EC_TAG_NTAG215, test_uid, &h, s, k->station, k->read_key, &img, &error));
    g_assert_error (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID);
    g_clear_error (&error);
    s->omitted |= EC_CARD_OMITTED_TEXT;
    s->conditions_cut = 1u << 5;
    g_assert_false (ec_card_encode (EC_TAG_NTAG215, test_uid, &h, s, k->station, k->read_key, &img, &error));
    g_assert_error (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID);
  }
}

static void
test_header_checks (void)
{
  g_autoptr(Keys) k = keys_new (85);
  g_autoptr(GError) error = NULL;
  EcCardHeader h = test_header ();

  /* issued_at up to a day ahead of the clock is fine; later is refused. */
  {
    g_autoptr(EcTagImage) img = NULL;
    g_autoptr(EcCard) card = NULL;
    h.issued_at = NOW + EC_CARD_CLOCK_SKEW;
    g_assert_true (ec_card_encode (EC_TAG_NTAG213, test_uid, &h, NULL, k->station, NULL, &img, &error));
    g_assert_true (ec_card_verify (img, k->ring, NOW, &card, &error));
    g_assert_no_error (error);
    expect_reason (img, k->ring, NOW - 1, EC_CARD_ERROR_NOT_YET_VALID);
    g_clear_pointer (&img, ec_tag_image_free);
    h.issued_at = NOW + 30 * 86400;
    g_assert_true (ec_card_encode (EC_TAG_NTAG215, test_uid, &h, NULL, k->station, NULL, &img, &error));
    {
      g_autoptr(EcCard) c2 = NULL;
      g_autoptr(GError) e = NULL;
      g_assert_false (ec_card_verify (img, k->ring, NOW, &c2, &e));
      g_assert_error (e, EC_CARD_ERROR, EC_CARD_ERROR_NOT_YET_VALID);
      assert_has (e->message, "issued at 2026-06-27T20:26:40Z");
    }
    g_assert_cmpstr (ec_card_error_to_string (EC_CARD_ERROR_NOT_YET_VALID), ==, "not-yet-valid");
  }
  /* card_seq 0 with a genuine signature: refused with its own reason. */
  {
    g_autoptr(EcTagImage) img = NULL;
    gsize plen;
    guint8 *p;
    h = test_header ();
    g_assert_true (ec_card_encode (EC_TAG_NTAG213, test_uid, &h, NULL, k->station, NULL, &img, &error));
    p = image_payload (img, &plen);
    g_assert_cmpuint (plen, ==, 94);
    g_assert_cmpuint (p[20] << 8 | p[21], ==, 1);
    p[20] = p[21] = 0;
    expect_reason (img, k->ring, NOW, EC_CARD_ERROR_BAD_SIGNATURE);   /* edited, not signed */
    resign (img, k->station);
    expect_reason (img, k->ring, NOW, EC_CARD_ERROR_BAD_SEQUENCE);
    g_assert_cmpstr (ec_card_error_to_string (EC_CARD_ERROR_BAD_SEQUENCE), ==, "bad-sequence");
  }
}

static void
test_json_marks (void)
{
  g_autoptr(EcResident) r = issue_resident ();
  g_autoptr(EcCardSummary) s = ec_card_summary_from_resident (r, EC_TAG_NTAG215);
  g_autofree char *json = NULL;
  g_autoptr(EcCardSummary) back = NULL;
  g_autoptr(GError) error = NULL;
  static const char *hand = "{\"name\": \"王秀英\", \"name_shortened\": true, \"conditions\": [\"高血压\", "
                            "{\"text\": \"慢性心力衰竭\", \"shortened\": true}], \"allergies\": [{\"substance\": "
                            "\"青霉素\", \"criticality\": \"high\", \"shortened\": true}], \"contact\": {\"name\": "
                            "\"张三\", \"relation\": \"儿\", \"relation_shortened\": true}, \"omitted\": 16}";
  static const char *bad[] = {
    "{\"name_shortened\": true}",                                   /* a mark on nothing */
    "{\"conditions\": [{\"text\": \"x\", \"shortened\": 1}]}",       /* not a boolean */
    "{\"conditions\": [{\"shortened\": true}]}",                     /* no text */
    "{\"omitted\": 32}",
  };

  s->medications_cut |= 1;   /* at least one list mark, whatever fitted */
  if (s->medications->len == 0)
    ec_card_summary_add_medication (s, "呋塞米");
  s->omitted |= EC_CARD_OMITTED_TEXT;
  json = ec_card_summary_to_json (s);
  back = ec_card_summary_from_json (json, strlen (json), &error);
  g_assert_no_error (error);
  g_assert_true (ec_card_summary_equal (s, back));
  g_clear_pointer (&back, ec_card_summary_free);
  back = ec_card_summary_from_json (hand, strlen (hand), &error);
  g_assert_no_error (error);
  g_assert_cmphex (back->fields_cut, ==, EC_CARD_CUT_NAME | EC_CARD_CUT_CONTACT_RELATION);
  g_assert_cmphex (back->conditions_cut, ==, 2);
  g_assert_cmphex (back->allergies_cut, ==, 1);
  /* A mark sets the shortened-text bit too. */
  g_assert_cmphex (back->omitted, ==, EC_CARD_OMITTED_CONTACT | EC_CARD_OMITTED_TEXT);
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) e = NULL;
      g_autoptr(EcCardSummary) x = ec_card_summary_from_json (bad[i], strlen (bad[i]), &e);
      g_assert_null (x);
      g_assert_error (e, EC_CARD_ERROR, EC_CARD_ERROR_INVALID);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  ec_init ();
  g_test_add_func ("/ec/card/tag-image/blank", test_tag_image_blank);
  g_test_add_func ("/ec/card/tag-image/parse-errors", test_tag_image_parse_errors);
  g_test_add_func ("/ec/card/capacity", test_capacity);
  g_test_add_func ("/ec/card/roundtrip/ntag213", test_roundtrip_213);
  g_test_add_func ("/ec/card/roundtrip/ntag215", test_roundtrip_215);
  g_test_add_func ("/ec/card/roundtrip/ntag216", test_roundtrip_216);
  g_test_add_func ("/ec/card/flips/ntag213", test_flips_213);
  g_test_add_func ("/ec/card/flips/ntag215", test_flips_215);
  g_test_add_func ("/ec/card/flips/ntag216", test_flips_216);
  g_test_add_func ("/ec/card/truncations", test_truncations);
  g_test_add_func ("/ec/card/vectors/flips-and-truncations", test_vector_flips);
  g_test_add_func ("/ec/card/vectors/versions", test_vector_versions);
  g_test_add_func ("/ec/card/reasons", test_reasons);
  g_test_add_func ("/ec/card/layout", test_layout);
  g_test_add_func ("/ec/card/from-resident", test_from_resident);
  g_test_add_func ("/ec/card/json", test_json);
  g_test_add_func ("/ec/card/priorities", test_priorities);
  g_test_add_func ("/ec/card/cut-never-splits-numbers", test_cut_never_splits_numbers);
  g_test_add_func ("/ec/card/contact-left-out", test_contact_left_out);
  g_test_add_func ("/ec/card/summary-versions", test_summary_versions);
  g_test_add_func ("/ec/card/header-checks", test_header_checks);
  g_test_add_func ("/ec/card/json-marks", test_json_marks);
  return g_test_run ();
}
