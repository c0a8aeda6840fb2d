/* SPDX-License-Identifier: GPL-3.0-or-later */
/* card-vectors-gen: regenerate cards/vectors/ (`make card-vectors`, build-aux/cardfmt.mk).
 *
 *   card-vectors-gen OUTDIR          everything, with NEW keys
 *   card-vectors-gen --add OUTDIR    only the summary-version-2 and header-check
 *                                    vectors, with the keys already in OUTDIR/keys
 *                                    (`make card-vectors-add`: the older vectors stay
 *                                    byte for byte)
 *
 * Makes a TEST ONLY community in OUTDIR/keys (cheap Argon2id, passphrases written next
 * to the keys), then one valid image per tag size and one image per refusal reason.
 * The .expected files are written afterwards by running `eldercard card verify` on each
 * image (see build-aux/cardfmt.mk). The checked-in files are the reference; running
 * this again makes new keys and therefore different bytes. All data are fictional. */
#define G_LOG_DOMAIN "card-vectors-gen"

#include <stdio.h>
#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "ec-test-kdf.h"
#include "ec-card.h"
#include "ec-crypto.h"
#include "ec-init.h"

#define ROOT_PASS    "TEST ONLY root passphrase - never use"
#define STATION_PASS "TEST ONLY station passphrase - never use"

static const guint8 uid213[7] = { 0x04, 0x21, 0x30, 0x00, 0x00, 0x00, 0x01 };
static const guint8 uid215[7] = { 0x04, 0x21, 0x50, 0x00, 0x00, 0x00, 0x02 };
static const guint8 uid216[7] = { 0x04, 0x21, 0x60, 0x00, 0x00, 0x00, 0x03 };

static void
die (GError *error)
{
  g_printerr ("card-vectors-gen: %s\n", error != NULL ? error->message : "failed");
  exit (1);
}

static void
save (EcTagImage *img,
      const char *dir,
      const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  if (!ec_tag_image_save_file (img, path, &error))
    die (error);
  printf ("  %s\n", name);
}

/* A fictional resident with more on record than an NTAG215 holds. */
static EcResident *
demo_resident (void)
{
  EcResident *r = ec_resident_new ();
  static const struct { const char *s; EcCriticality c; } allergies[] = {
    { "青霉素", EC_CRITICALITY_HIGH }, { "磺胺类药物", EC_CRITICALITY_HIGH },
    { "阿司匹林", EC_CRITICALITY_LOW }, { "花生", EC_CRITICALITY_HIGH },
    { "海鲜（虾、蟹）", EC_CRITICALITY_LOW }, { "碘造影剂", EC_CRITICALITY_UNABLE_TO_ASSESS },
    { "乳胶", EC_CRITICALITY_LOW }, { "头孢类抗生素（可疑）", EC_CRITICALITY_UNABLE_TO_ASSESS },
  };
  static const char *conditions[] = {
    "高血压（三级）", "2型糖尿病", "冠心病，2019年植入支架", "阿尔茨海默病早期",
    "慢性阻塞性肺病", "骨质疏松", "白内障术后", "慢性肾病3期",
  };
  static const struct { const char *n, *d; guint slots; } meds[] = {
    { "氨氯地平", "5 mg", EC_SCHED_MORNING }, { "二甲双胍", "0.5 g", EC_SCHED_MORNING | EC_SCHED_EVENING },
    { "阿托伐他汀", "20 mg", EC_SCHED_NIGHT }, { "氯吡格雷", "75 mg", EC_SCHED_MORNING },
    { "多奈哌齐", "5 mg", EC_SCHED_NIGHT }, { "沙美特罗替卡松吸入剂", "1 吸", EC_SCHED_MORNING | EC_SCHED_EVENING },
  };
  EcContact *c = ec_contact_new ();

  r->id = G_GUINT64_CONSTANT (0x5eed0000c0ffee01);
  r->name_zh = g_strdup ("王秀英");
  r->name_pinyin = g_strdup ("Wang Xiuying");
  r->sex = EC_SEX_FEMALE;
  r->date_of_birth = g_strdup ("1941-03-08");
  r->blood_type = EC_BLOOD_A_POS;
  r->allergy_status = EC_ALLERGY_STATUS_RECORDED;
  r->dnr = EC_DNR_LIMITED;
  r->wandering = EC_WANDERING_AT_RISK;
  r->record_version = 17;
  for (gsize i = 0; i < G_N_ELEMENTS (allergies); i++)
    {
      EcAllergy *a = ec_allergy_new ();
      a->substance = g_strdup (allergies[i].s);
      a->criticality = allergies[i].c;
      g_ptr_array_add (r->allergies, a);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (conditions); i++)
    {
      EcCondition *k = ec_condition_new ();
      k->text = g_strdup (conditions[i]);
      g_ptr_array_add (r->conditions, k);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (meds); i++)
    {
      EcMedication *m = ec_medication_new ();
      m->name = g_strdup (meds[i].n);
      m->dose = g_strdup (meds[i].d);
      m->slots = meds[i].slots;
      g_ptr_array_add (r->medications, m);
    }
  c->name = g_strdup ("李娜");
  c->relation = g_strdup ("女儿");
  c->phones = g_new0 (char *, 2);
  c->phones[0] = g_strdup ("+8613800000000");
  c->call_order = 1;
  g_ptr_array_add (r->contacts, c);
  return r;
}

static EcContact *
contact_new (const char *name,
             const char *relation,
             const char *phone)
{
  EcContact *c = ec_contact_new ();

  c->name = g_strdup (name);
  c->relation = g_strdup (relation);
  c->phones = g_new0 (char *, 2);
  c->phones[0] = g_strdup (phone);
  c->call_order = 1;
  return c;
}

static void
add_allergy (EcResident   *r,
             const char   *substance,
             EcCriticality c)
{
  EcAllergy *a = ec_allergy_new ();

  a->substance = g_strdup (substance);
  a->criticality = c;
  g_ptr_array_add (r->allergies, a);
}

static void
add_condition (EcResident *r,
               const char *text)
{
  EcCondition *k = ec_condition_new ();

  k->text = g_strdup (text);
  g_ptr_array_add (r->conditions, k);
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

static EcResident *
base_resident (guint64     id,
               const char *name,
               const char *pinyin)
{
  EcResident *r = ec_resident_new ();

  r->id = id;
  r->name_zh = g_strdup (name);
  r->name_pinyin = g_strdup (pinyin);
  r->sex = EC_SEX_MALE;
  r->date_of_birth = g_strdup ("1938-11-02");
  r->blood_type = EC_BLOOD_O_POS;
  r->allergy_status = EC_ALLERGY_STATUS_RECORDED;
  r->dnr = EC_DNR_DNR;
  r->wandering = EC_WANDERING_NONE;
  r->record_version = 5;
  return r;
}

/* Issue 20's resident: twelve allergies with long names (four high, eight low, a low
 * one recorded first), one condition, one contact. On an NTAG215 the contact now
 * comes before the low allergies. */
static EcResident *
twelve_allergies_resident (void)
{
  EcResident *r = base_resident (G_GUINT64_CONSTANT (0x5eed0000c0ffee20), "赵建国", "Zhao Jianguo");

  for (int i = 1; i <= 12; i++)
    {
      g_autofree char *sub = g_strdup_printf ("%s过敏原过敏原过敏原第%d号", i >= 2 && i <= 5 ? "高危" : "过敏", i);
      add_allergy (r, sub, i >= 2 && i <= 5 ? EC_CRITICALITY_HIGH : EC_CRITICALITY_LOW);
    }
  add_condition (r, "慢性心力衰竭");
  g_ptr_array_add (r->contacts, contact_new ("张三", "儿子", "13900000000"));
  return r;
}

/* High-criticality allergies that fill an NTAG215 alone (13 + 14 + 16 + 5 × 55 = 318
 * of 320 bytes): the contact is left out and flagged. */
static EcResident *
contact_omitted_resident (void)
{
  EcResident *r = base_resident (G_GUINT64_CONSTANT (0x5eed0000c0ffee21), "欧阳秀英", "Ouyang Xiuying");

  for (int i = 1; i <= 6; i++)
    {
      g_autofree char *sub = g_strdup_printf ("高危过敏原高危过敏原高危过敏原第%d号", i);   /* 52 bytes */
      add_allergy (r, sub, EC_CRITICALITY_HIGH);
    }
  g_ptr_array_add (r->contacts, contact_new ("李娜", "女儿", "+8613800000000"));
  return r;
}

/* Texts longer than a field: a name of CJK Extension B characters, a condition whose
 * cut would fall inside a number, a medication whose times do not fit (its dose
 * whole), a contact's long relation; the phone with its note is whole. */
static EcResident *
shortened_resident (void)
{
  EcResident *r = base_resident (G_GUINT64_CONSTANT (0x5eed0000c0ffee22),
                                 "𠮷𡈼𠮷𡈼𠮷𡈼𠮷𡈼𠮷𡈼𠮷𡈼𠮷𡈼𠮷𡈼𠮷𡈼", "Ji Ting");

  add_allergy (r, "青霉素", EC_CRITICALITY_HIGH);
  add_condition (r, "慢性心力衰竭，心功能分级NYHA III级，射血分数0.35");
  add_condition (r, "高血压");
  add_medication (r, "地高辛片", "0.125 mg", "每日一次，早饭后半小时服用，服药前先数脉搏");
  add_medication (r, "呋塞米", "20 mg", "早");
  g_ptr_array_add (r->contacts, contact_new ("买买提·艾力", "侄子（住在同一小区，平时每天上午来照看老人并负责送医）",
                                             "+86 138 0000 0000 转 8001 (白天)"));
  return r;
}

/* No contact recorded: version 2 says so. */
static EcResident *
no_contact_resident (void)
{
  EcResident *r = base_resident (G_GUINT64_CONSTANT (0x5eed0000c0ffee23), "孙丽", "Sun Li");

  add_allergy (r, "磺胺类药物", EC_CRITICALITY_HIGH);
  add_condition (r, "阿尔茨海默病早期");
  return r;
}

static EcStationKey *
make_community (const char *keydir,
                GError    **error)
{
  g_autoptr(EcSecret) rp = ec_secret_new_from ((const guint8 *) ROOT_PASS, strlen (ROOT_PASS));
  g_autoptr(EcSecret) sp = ec_secret_new_from ((const guint8 *) STATION_PASS, strlen (STATION_PASS));

  /* Certified from 2020 for 82 years, so the vectors keep verifying. */
  if (!ec_community_create (keydir, rp, error)
      || !ec_station_add (keydir, 7, "测试社区服务站（TEST ONLY）", 1577836800, 30000, rp, sp, error))
    return NULL;
  return ec_station_key_unlock (keydir, 7, sp, error);
}

/* Sign @img's payload again, as a station would have (cards/FORMAT.md §3.4). */
static void
resign (EcTagImage         *img,
        const EcStationKey *key)
{
  guint8 *u = (guint8 *) (void *) img->pages + 16;
  guint8 *r = u + (u[1] == 0xFF ? 4 : 2);
  gsize pl_size = (r[0] & 0x10) ? 1 : 4;
  gsize plen = pl_size == 1 ? r[2] : ((gsize) r[2] << 24 | (gsize) r[3] << 16 | (gsize) r[4] << 8 | r[5]);
  guint8 *p = r + 2 + pl_size + 11;
  g_autofree guint8 *msg = g_malloc (11 + plen - 64);
  g_autoptr(GError) error = NULL;

  memcpy (msg, "ECARD1-SIG", 10);
  msg[10] = ec_tag_type_info (img->type)->storage_byte;
  memcpy (msg + 11, p, plen - 64);
  if (!ec_crypto_sign (p + plen - 64, msg, 11 + plen - 64, key->sk, &error))
    die (error);
}

static void
encode_resident (const char   *out,
                 const char   *name,
                 EcTagType     type,
                 const guint8 *uid,
                 EcResident   *r,
                 EcStationKey *station,
                 EcReadKey    *read_key,
                 guint8        nonce_byte)
{
  g_autoptr(EcCardSummary) s = ec_card_summary_from_resident (r, type);
  g_autoptr(EcTagImage) img = NULL;
  g_autoptr(GError) error = NULL;
  EcCardHeader h = { 0 };
  guint8 nonce[EC_AEAD_NONCE_BYTES];

  h.resident_id = r->id;
  h.card_seq = 1;
  h.issued_at = 1767225600;                          /* 2026-01-01T00:00:00Z, as the others */
  ec_card_date_to_days ("2035-12-31", &h.expires_days);
  memset (nonce, nonce_byte, sizeof nonce);
  if (!ec_card_encode_with_nonce (type, uid, &h, s, station, read_key, nonce, &img, &error))
    die (error);
  save (img, out, name);
}

/* The vectors of summary version 2 and of the header checks (issues 20, 21, 11). */
static void
write_v2_vectors (const char   *out,
                  EcStationKey *station,
                  EcReadKey    *read_key)
{
  static const guint8 uid_a[7] = { 0x04, 0x21, 0x50, 0x00, 0x00, 0x02, 0x01 };
  static const guint8 uid_b[7] = { 0x04, 0x21, 0x50, 0x00, 0x00, 0x02, 0x02 };
  static const guint8 uid_c[7] = { 0x04, 0x21, 0x60, 0x00, 0x00, 0x02, 0x03 };
  static const guint8 uid_d[7] = { 0x04, 0x21, 0x50, 0x00, 0x00, 0x02, 0x04 };
  g_autoptr(EcResident) a = twelve_allergies_resident ();
  g_autoptr(EcResident) b = contact_omitted_resident ();
  g_autoptr(EcResident) c = shortened_resident ();
  g_autoptr(EcResident) d = no_contact_resident ();
  g_autoptr(GError) error = NULL;

  encode_resident (out, "valid-contact-first-ntag215.tag", EC_TAG_NTAG215, uid_a, a, station, read_key, 0x21);
  encode_resident (out, "valid-v2-contact-omitted-ntag215.tag", EC_TAG_NTAG215, uid_b, b, station, read_key, 0x22);
  encode_resident (out, "valid-v2-shortened-ntag216.tag", EC_TAG_NTAG216, uid_c, c, station, read_key, 0x23);
  encode_resident (out, "valid-v2-no-contact-ntag215.tag", EC_TAG_NTAG215, uid_d, d, station, read_key, 0x24);
  {
    /* Issued 2099-01-01: refused until then (clock skew 1 day). */
    g_autoptr(EcTagImage) t = NULL;
    EcCardHeader h = { .resident_id = a->id, .card_seq = 1, .issued_at = 4070908800 };
    if (!ec_card_encode (EC_TAG_NTAG213, uid213, &h, NULL, station, NULL, &t, &error))
      die (error);
    save (t, out, "refused-not-yet-valid.tag");
  }
  {
    /* Sequence number 0, signed by the station: the encoder refuses to make it, so
     * the bytes are edited and signed again. */
    g_autoptr(EcTagImage) t = NULL;
    EcCardHeader h = { .resident_id = a->id, .card_seq = 1, .issued_at = 1767225600 };
    guint8 *p;
    if (!ec_card_encode (EC_TAG_NTAG213, uid213, &h, NULL, station, NULL, &t, &error))
      die (error);
    p = (guint8 *) (void *) t->pages + 16 + 2 + 3 + 11;   /* TLV 2, record header 3, type */
    if (p[20] != 0 || p[21] != 1)
      {
        g_printerr ("card-vectors-gen: unexpected layout\n");
        exit (1);
      }
    p[21] = 0;
    resign (t, station);
    save (t, out, "refused-bad-sequence.tag");
  }
}

/* --add: the version 2 vectors with the keys already in OUTDIR/keys. */
static int
add_vectors (const char *out)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *keydir = g_build_filename (out, "keys", NULL);
  g_autofree char *read_path = g_build_filename (keydir, "community", "read.key", NULL);
  g_autoptr(EcSecret) sp = ec_secret_new_from ((const guint8 *) STATION_PASS, strlen (STATION_PASS));
  g_autoptr(EcStationKey) station = ec_station_key_unlock (keydir, 7, sp, &error);
  g_autoptr(EcReadKey) read_key = NULL;

  if (station == NULL)
    die (error);
  read_key = ec_read_key_load (read_path, &error);
  if (read_key == NULL)
    die (error);
  printf ("vectors added in %s:\n", out);
  write_v2_vectors (out, station, read_key);
  return 0;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *keydir = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *other_dir = NULL;
  g_autofree char *notes = NULL;
  g_autofree char *read_path = NULL;
  g_autoptr(EcStationKey) station = NULL;
  g_autoptr(EcStationKey) other_station = NULL;
  g_autoptr(EcReadKey) read_key = NULL;
  g_autoptr(EcReadKey) other_read = NULL;
  g_autoptr(EcResident) resident = demo_resident ();
  g_autoptr(EcCardSummary) s215 = NULL;
  g_autoptr(EcCardSummary) s216 = NULL;
  EcCardHeader h = { 0 };
  guint8 nonce[EC_AEAD_NONCE_BYTES];
  const char *out;

  if (argc == 3 && g_str_equal (argv[1], "--add"))
    {
      ec_init ();
      ec_test_fast_kdf (TRUE);   /* TEST ONLY keys: cheap to unlock */
      return add_vectors (argv[2]);
    }
  if (argc != 2)
    {
      g_printerr ("usage: card-vectors-gen [--add] OUTDIR\n");
      return 2;
    }
  out = argv[1];
  ec_init ();
  ec_test_fast_kdf (TRUE);   /* TEST ONLY keys: cheap to unlock */

  keydir = g_build_filename (out, "keys", NULL);
  if (g_file_test (keydir, G_FILE_TEST_EXISTS))
    {
      g_printerr ("card-vectors-gen: %s exists; remove the old vectors first\n", keydir);
      return 1;
    }
  station = make_community (keydir, &error);
  if (station == NULL)
    die (error);
  notes = g_build_filename (keydir, "TEST-ONLY-PASSPHRASES.txt", NULL);
  if (!g_file_set_contents (notes,
                            "TEST ONLY keys for cards/vectors. Never use them for real cards.\n"
                            "root.key passphrase:      " ROOT_PASS "\n"
                            "stations/7.key passphrase: " STATION_PASS "\n", -1, &error))
    die (error);
  read_path = g_build_filename (keydir, "community", "read.key", NULL);
  read_key = ec_read_key_load (read_path, &error);
  if (read_key == NULL)
    die (error);

  tmp = g_dir_make_tmp ("ec-vectors-XXXXXX", &error);
  if (tmp == NULL)
    die (error);
  other_dir = g_build_filename (tmp, "other", NULL);
  other_station = make_community (other_dir, &error);
  if (other_station == NULL)
    die (error);
  {
    g_autofree char *p = g_build_filename (other_dir, "community", "read.key", NULL);
    other_read = ec_read_key_load (p, &error);
    if (other_read == NULL)
      die (error);
  }

  s215 = ec_card_summary_from_resident (resident, EC_TAG_NTAG215);
  s216 = ec_card_summary_from_resident (resident, EC_TAG_NTAG216);
  h.resident_id = resident->id;
  h.card_seq = 2;
  h.issued_at = 1767225600;                          /* 2026-01-01T00:00:00Z */
  ec_card_date_to_days ("2035-12-31", &h.expires_days);

  printf ("vectors in %s:\n", out);
  /* Valid cards, one per size. */
  {
    g_autoptr(EcTagImage) i213 = NULL, i215 = NULL, i216 = NULL;

    memset (nonce, 0x15, sizeof nonce);
    if (!ec_card_encode (EC_TAG_NTAG213, uid213, &h, NULL, station, NULL, &i213, &error)
        || !ec_card_encode_with_nonce (EC_TAG_NTAG215, uid215, &h, s215, station, read_key, nonce, &i215, &error))
      die (error);
    memset (nonce, 0x16, sizeof nonce);
    if (!ec_card_encode_with_nonce (EC_TAG_NTAG216, uid216, &h, s216, station, read_key, nonce, &i216, &error))
      die (error);
    save (i213, out, "valid-ntag213.tag");
    save (i215, out, "valid-ntag215.tag");
    save (i216, out, "valid-ntag216.tag");

    /* One per refusal reason, from the NTAG215 card unless said. */
    {
      g_autoptr(EcTagImage) blank = ec_tag_image_new_blank (EC_TAG_NTAG215, uid215, &error);
      save (blank, out, "refused-not-ours.tag");
    }
    {
      g_autoptr(EcTagImage) t = ec_tag_image_copy (i215);
      EcCardLayout layout;
      guint8 *mem = (guint8 *) (void *) t->pages;
      if (!ec_card_layout (i215, &layout, &error))
        die (error);
      /* The write stopped half way: the second half of the NDEF still blank. */
      {
        guint from = 4 + (layout.last_page - 4) / 2;
        memset (mem + 4 * from, 0, 4 * (layout.last_page - from + 1));
      }
      save (t, out, "refused-truncated.tag");
    }
    {
      g_autoptr(EcTagImage) t = ec_tag_image_copy (i215);
      t->pages[5][0] = 0xCC;                          /* IL set: a malformed record header */
      save (t, out, "refused-damaged.tag");
    }
    {
      g_autoptr(EcTagImage) t = ec_tag_image_copy (i215);
      guint8 *u = t->pages[4];
      u[4 + 6 + 11] = 0x21;                           /* format 2, profile F */
      save (t, out, "refused-unknown-version.tag");
    }
    {
      g_autoptr(EcTagImage) t = NULL;
      memset (nonce, 0x17, sizeof nonce);
      if (!ec_card_encode_with_nonce (EC_TAG_NTAG215, uid215, &h, s215, other_station, other_read, nonce, &t, &error))
        die (error);
      save (t, out, "refused-unknown-key.tag");
    }
    {
      g_autoptr(EcTagImage) t = ec_tag_image_copy (i215);
      t->pages[40][2] ^= 0x01;                        /* one bit of the encrypted summary */
      save (t, out, "refused-bad-signature.tag");
    }
    {
      static const guint8 uid_other[7] = { 0x04, 0x21, 0x50, 0x00, 0x00, 0x00, 0x99 };
      g_autoptr(EcTagImage) t = ec_tag_image_new_blank (EC_TAG_NTAG215, uid_other, &error);
      memcpy (t->pages[4], i215->pages[4], 4 * (0x81 - 3));
      save (t, out, "refused-uid-mismatch.tag");
    }
    {
      g_autoptr(EcTagImage) t = NULL;
      EcCardHeader old = h;
      old.issued_at = 1609459200;                     /* 2021-01-01 */
      ec_card_date_to_days ("2022-12-31", &old.expires_days);
      if (!ec_card_encode (EC_TAG_NTAG213, uid213, &old, NULL, station, NULL, &t, &error))
        die (error);
      save (t, out, "refused-expired.tag");
    }
    /* Genuine, but the summary is unreadable here. */
    {
      g_autoptr(EcTagImage) t = NULL;
      memset (nonce, 0x18, sizeof nonce);
      if (!ec_card_encode_with_nonce (EC_TAG_NTAG215, uid215, &h, s215, station, other_read, nonce, &t, &error))
        die (error);
      save (t, out, "summary-no-read-key.tag");
    }
    {
      g_autoptr(EcTagImage) t = NULL;
      g_autoptr(EcReadKey) forged = ec_read_key_new_from (other_read->key->data);
      forged->kid = read_key->kid;                    /* right key id, wrong key */
      memset (nonce, 0x19, sizeof nonce);
      if (!ec_card_encode_with_nonce (EC_TAG_NTAG215, uid215, &h, s215, station, forged, nonce, &t, &error))
        die (error);
      save (t, out, "summary-cannot-decrypt.tag");
    }
    write_v2_vectors (out, station, read_key);
  }
  /* Clean up the other community (its keys were never written to OUTDIR). */
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmp);
    if (system (cmd) != 0)
      g_printerr ("card-vectors-gen: could not remove %s\n", tmp);
  }
  return 0;
}
