/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-card: tag images and the card format (ec-tag-image.c, ec-card.c) with keys made
 * in memory: round trips of random summaries on every tag size (Chinese text at the
 * size limits), every single-bit flip and every truncation refused, each refusal with
 * its own reason, the issuer's write plan, and the summary built from a resident. */
#define G_LOG_DOMAIN "test-card"

#include <string.h>
#include <glib.h>

#include "ec-card.h"
#include "ec-error.h"
#include "ec-init.h"

#define NOW ((gint64) 1780000000)   /* 2026-05-28 */

static const guint8 test_uid[7] = { 0x04, 0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf6 };

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
  s->omitted = (guint) g_test_rand_int_range (0, 16);
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
            g_assert_cmpint (e->code, <=, EC_CARD_ERROR_EXPIRED);
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
  static const char *valid[] = { "valid-ntag213.tag", "valid-ntag215.tag", "valid-ntag216.tag" };
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
  g_test_add_func ("/ec/card/reasons", test_reasons);
  g_test_add_func ("/ec/card/layout", test_layout);
  g_test_add_func ("/ec/card/from-resident", test_from_resident);
  g_test_add_func ("/ec/card/json", test_json);
  return g_test_run ();
}
