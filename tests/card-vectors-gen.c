/* SPDX-License-Identifier: GPL-3.0-or-later */
/* card-vectors-gen: regenerate cards/vectors/ (`make card-vectors`, build-aux/cardfmt.mk).
 *
 *   card-vectors-gen OUTDIR
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

  if (argc != 2)
    {
      g_printerr ("usage: card-vectors-gen OUTDIR\n");
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
  }
  /* Clean up the other community (its keys were never written to OUTDIR). */
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmp);
    if (system (cmd) != 0)
      g_printerr ("card-vectors-gen: could not remove %s\n", tmp);
  }
  return 0;
}
