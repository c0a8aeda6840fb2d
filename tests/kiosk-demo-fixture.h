/* SPDX-License-Identifier: GPL-3.0-or-later */
/* kiosk-demo-fixture.h: the demo community the kiosk's demo (`make run`), tests,
 * screenshots and benchmark run on. Built through the core library's public API only:
 *
 *   DIR/eldercard.db     fictional residents (ec_demo_generate), with drawn portraits
 *                        for the residents that get demo cards
 *   DIR/keys/            a community and station 1 (demo passphrase, fast KDF)
 *   DIR/kiosk-keys/      the kiosk bundle exported from it (what a kiosk trusts)
 *   DIR/forger-keys/     another community: its cards are forgeries to this kiosk
 *   DIR/cards/NN-x.tag   NTAG215 tag images, one per demo situation (see below)
 *   DIR/kiosk.conf       the kiosk configuration for all of the above
 *   DIR/demo.ini         the demo panel's buttons (ec-demo-panel.h)
 *
 * Cards: 01..03 valid (allergies recorded / none known / unknown), 04 valid but older
 * than the database record, 05 forged, 06 revoked, 07 replaced, 08 resident not in the
 * database (summary on the card), 09 expired, 10 damaged. The unsupported card is the
 * emulator's MIFARE Classic (place-mfc1k). All names and numbers are fictional. */
#pragma once

#include <cairo.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "ec-test-kdf.h"
#include "ec-card.h"
#include "ec-db.h"
#include "ec-demo.h"
#include "ec-keys.h"
#include "ec-tag-image.h"

#define EC_DEMO_PASSPHRASE "fictional demo passphrase"
#define EC_DEMO_STATION_NAME "幸福里社区服务站"
#define EC_DEMO_STATION_PHONE "021-5555 0100"

typedef struct
{
  const char   *file;       /* cards/<file>.tag */
  const char   *label;      /* the demo panel's button */
  const char   *expect;     /* problem nick, or "record" */
  EcResidentId  resident;
  char         *name;       /* resident's name (for records), else NULL */
  char         *first_contact_phone;
  char         *first_allergy;
} EcDemoCard;

typedef struct
{
  char       *dir;
  char       *db_path;
  char       *conf_path;
  EcDemoCard  cards[10];
  guint       n_cards;
} EcDemoFixture;

static G_GNUC_UNUSED void
ec_demo_fixture_free (EcDemoFixture *f)
{
  if (f == NULL)
    return;
  for (guint i = 0; i < f->n_cards; i++)
    {
      g_free (f->cards[i].name);
      g_free (f->cards[i].first_contact_phone);
      g_free (f->cards[i].first_allergy);
    }
  g_free (f->dir);
  g_free (f->db_path);
  g_free (f->conf_path);
  g_free (f);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EcDemoFixture, ec_demo_fixture_free)

static cairo_status_t
demo_png_write (void                *closure,
                const unsigned char *data,
                unsigned int         length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

/* A drawn, obviously not photographic portrait (PNG): a coloured card with a head
 * and shoulders and the surname. Fictional people get no photographs. */
static GBytes *
demo_portrait (const char *name,
               guint       hue)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 180, 220);
  cairo_t *cr = cairo_create (surface);
  GByteArray *png = g_byte_array_new ();
  double r = 0.55 + 0.3 * (hue & 1), g = 0.6 + 0.25 * ((hue >> 1) & 1), b = 0.7 + 0.2 * ((hue >> 2) & 1);
  char surname[8] = { 0 };
  const char *next = g_utf8_next_char (name);

  cairo_set_source_rgb (cr, r, g, b);
  cairo_paint (cr);
  cairo_set_source_rgb (cr, 0.25, 0.22, 0.2);
  cairo_arc (cr, 90, 85, 42, 0, 2 * G_PI);
  cairo_fill (cr);
  cairo_move_to (cr, 20, 220);
  cairo_curve_to (cr, 25, 140, 155, 140, 160, 220);
  cairo_fill (cr);
  memcpy (surname, name, MIN ((gsize) (next - name), sizeof surname - 1));
  cairo_select_font_face (cr, "Noto Sans CJK SC", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
  cairo_set_font_size (cr, 40);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_move_to (cr, 70, 100);
  cairo_show_text (cr, surname);
  cairo_destroy (cr);
  cairo_surface_write_to_png_stream (surface, demo_png_write, png);
  cairo_surface_destroy (surface);
  return g_byte_array_free_to_bytes (png);
}

static gboolean
demo_write_card (EcDemoFixture      *f,
                 const char         *file,
                 const guint8       *uid,
                 const EcCardHeader *header,
                 const EcCardSummary *summary,
                 const EcStationKey *station,
                 const EcReadKey    *read_key,
                 gboolean            damage,
                 GError            **error)
{
  g_autoptr(EcTagImage) image = NULL;
  g_autofree char *name = g_strconcat (file, ".tag", NULL);
  g_autofree char *path = g_build_filename (f->dir, "cards", name, NULL);

  if (!ec_card_encode (EC_TAG_NTAG215, uid, header, summary, station, read_key, &image, error))
    return FALSE;
  if (damage)
    {
      /* Break the NDEF TLV's length (page 4): the card reads, its data does not parse. */
      guint8 *p4 = ec_tag_image_page (image, 4);
      p4[1] = 0xfd;
      p4[2] = 0xfd;
    }
  return ec_tag_image_save_file (image, path, error);
}

/* ec_card_summary_from_resident() of @r through a shallow copy whose allergy list owns
 * nothing: ec-card.c (d7b9eec) copies r->allergies with g_ptr_array_copy(), which keeps
 * the element free function, and so frees the resident's allergies. */
static EcCardSummary *
demo_summary (const EcResident *r)
{
  EcResident shallow = *r;
  g_autoptr(GPtrArray) allergies = g_ptr_array_new ();
  EcCardSummary *s;

  for (guint i = 0; r->allergies != NULL && i < r->allergies->len; i++)
    g_ptr_array_add (allergies, g_ptr_array_index (r->allergies, i));
  shallow.allergies = g_ptr_array_ref (allergies);
  s = ec_card_summary_from_resident (&shallow, EC_TAG_NTAG215);
  g_ptr_array_unref (shallow.allergies);
  return s;
}

static const struct
{
  const char *file;
  const char *label;
} demo_labels[] = {
  { "01-valid-allergies", "有效卡 · 有过敏 / Valid card, allergies" },
  { "02-valid-no-known-allergies", "有效卡 · 无已知过敏 / Valid card, no known allergies" },
  { "03-valid-allergies-unknown", "有效卡 · 过敏史不详 / Valid card, allergies unknown" },
  { "04-valid-card-out-of-date", "有效卡 · 卡比档案旧 / Valid card, older than the record" },
  { "05-forged", "伪造卡 / Forged card (untrusted station)" },
  { "06-revoked", "已作废的卡 / Revoked card" },
  { "07-replaced", "已换发的旧卡 / Replaced (old) card" },
  { "08-not-in-database", "本终端无档案 / Resident not in this kiosk" },
  { "09-expired", "过期卡 / Expired card" },
  { "10-damaged", "损坏的卡 / Damaged card" },
};

static EcDemoCard *
demo_card (EcDemoFixture    *f,
           const char       *file,
           const char       *expect,
           const EcResident *r)
{
  EcDemoCard *c = &f->cards[f->n_cards++];

  c->file = file;
  c->label = file;
  for (gsize i = 0; i < G_N_ELEMENTS (demo_labels); i++)
    if (g_str_equal (demo_labels[i].file, file))
      c->label = demo_labels[i].label;
  c->expect = expect;
  if (r != NULL)
    {
      c->resident = r->id;
      c->name = g_strdup (r->name_zh);
      if (r->contacts->len > 0)
        c->first_contact_phone = g_strdup (((EcContact *) g_ptr_array_index (r->contacts, 0))->phones[0]);
      for (guint i = 0; i < r->allergies->len; i++)
        {
          const EcAllergy *a = g_ptr_array_index (r->allergies, i);
          /* The one the banner lists first: high criticality first. */
          if (c->first_allergy == NULL || a->criticality == EC_CRITICALITY_HIGH)
            {
              g_free (c->first_allergy);
              c->first_allergy = g_strdup (a->substance);
              if (a->criticality == EC_CRITICALITY_HIGH)
                break;
            }
        }
    }
  return c;
}

/* Create the demo community in @dir (which must not hold one yet). */
static G_GNUC_UNUSED EcDemoFixture *
ec_demo_fixture_create (const char  *dir,
                        guint        n_residents,
                        GError     **error)
{
  g_autoptr(EcDemoFixture) f = g_new0 (EcDemoFixture, 1);
  g_autoptr(EcDb) db = NULL;
  g_autoptr(EcSecret) pass = ec_secret_new_from ((const guint8 *) EC_DEMO_PASSPHRASE, strlen (EC_DEMO_PASSPHRASE));
  g_autoptr(EcStationKey) station = NULL, forger = NULL;
  g_autoptr(EcKeyring) ring = NULL, forger_ring = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GPtrArray) replaced = NULL;
  g_autoptr(GString) ini = g_string_new (NULL);
  g_autofree char *keys = g_build_filename (dir, "keys", NULL);
  g_autofree char *kiosk_keys = g_build_filename (dir, "kiosk-keys", NULL);
  g_autofree char *forger_keys = g_build_filename (dir, "forger-keys", NULL);
  g_autofree char *cards = g_build_filename (dir, "cards", NULL);
  g_autofree char *conf = NULL;
  EcActor actor = { EC_ROLE_ADMIN, "demo-setup" };
  EcResident *chosen[4] = { NULL };   /* recorded, none known, unknown, outdated */
  EcResident *revoke = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gboolean ok = FALSE;

  /* Tests: cheap Argon2id (a test-only policy). `make run`'s kiosk-demo-setup defines
   * EC_DEMO_FIXTURE_REAL_KDF: the product kiosk must be able to read its keys. */
#ifndef EC_DEMO_FIXTURE_REAL_KDF
  ec_test_fast_kdf (TRUE);
#endif
  f->dir = g_strdup (dir);
  f->db_path = g_build_filename (dir, "eldercard.db", NULL);
  f->conf_path = g_build_filename (dir, "kiosk.conf", NULL);
  if (g_mkdir_with_parents (cards, 0700) != 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "cannot create %s", cards);
      return NULL;
    }

  /* Keys: ours, the kiosk's bundle, and a stranger's. */
  if (!ec_community_create (keys, pass, error)
      || !ec_station_add (keys, 1, EC_DEMO_STATION_NAME, now - 86400 * 1000, 3650, pass, pass, error)
      || !ec_kiosk_bundle_export (keys, kiosk_keys, TRUE, error)
      || !ec_community_create (forger_keys, pass, error)
      || !ec_station_add (forger_keys, 1, EC_DEMO_STATION_NAME, now - 86400 * 1000, 3650, pass, pass, error)
      || (station = ec_station_key_unlock (keys, 1, pass, error)) == NULL
      || (forger = ec_station_key_unlock (forger_keys, 1, pass, error)) == NULL
      || (ring = ec_keyring_load (keys, error)) == NULL
      || (forger_ring = ec_keyring_load (forger_keys, error)) == NULL)
    return NULL;

  /* Residents. */
  if ((db = ec_db_open (f->db_path, EC_DB_OPEN_CREATE, error)) == NULL
      || !ec_demo_generate (db, n_residents, 1, error)
      || !ec_db_resident_list (db, 0, n_residents, &list, error)
      || !ec_db_card_list_by_status (db, EC_CARD_STATUS_REPLACED, &replaced, error))
    return NULL;

  /* Pick residents for the situations: one with a high-criticality allergy, one with
   * none known, one unknown, one for the out-of-date card, one to revoke. */
  for (guint i = 0; i < list->len; i++)
    {
      EcResidentSummary *s = g_ptr_array_index (list, i);
      EcResident *r = NULL;

      if (!ec_db_get_resident (db, s->id, &actor, EC_DB_PURPOSE_EXPORT, NULL, &r, error))
        return NULL;
      if (chosen[0] == NULL && r->allergy_status == EC_ALLERGY_STATUS_RECORDED && r->contacts->len > 0)
        {
          for (guint k = 0; k < r->allergies->len; k++)
            if (((EcAllergy *) g_ptr_array_index (r->allergies, k))->criticality == EC_CRITICALITY_HIGH)
              {
                chosen[0] = r;
                break;
              }
          if (chosen[0] == r)
            continue;
        }
      if (chosen[1] == NULL && r->allergy_status == EC_ALLERGY_STATUS_NONE_KNOWN && r->contacts->len > 0)
        chosen[1] = r;
      else if (chosen[2] == NULL && r->allergy_status == EC_ALLERGY_STATUS_UNKNOWN && r->contacts->len > 0)
        chosen[2] = r;
      else if (chosen[3] == NULL && r->contacts->len > 0)
        chosen[3] = r;
      else if (revoke == NULL)
        revoke = r;
      else
        ec_resident_free (r);
    }
  if (chosen[0] == NULL || chosen[1] == NULL || chosen[2] == NULL || chosen[3] == NULL
      || revoke == NULL || replaced->len == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the demo community lacks a situation; use more residents");
      goto out;
    }

  /* Portraits for the card holders (an update: record_version becomes 2). */
  for (guint i = 0; i < G_N_ELEMENTS (chosen); i++)
    {
      chosen[i]->photo = demo_portrait (chosen[i]->name_zh, i + 1);
      chosen[i]->photo_mime = g_strdup ("image/png");
      if (!ec_db_resident_update (db, chosen[i], &actor, error))
        goto out;
    }

  {
    static const char *files[] = { "01-valid-allergies", "02-valid-no-known-allergies",
                                   "03-valid-allergies-unknown", "04-valid-card-out-of-date" };
    for (guint i = 0; i < G_N_ELEMENTS (chosen); i++)
      {
        g_autoptr(GPtrArray) rcards = NULL;
        g_autoptr(EcCardSummary) summary = demo_summary (chosen[i]);
        EcCardHeader h = { 0 };
        guint8 uid[EC_TAG_UID_BYTES];
        const EcCardRecord *active = NULL;

        if (!ec_db_card_list_for_resident (db, chosen[i]->id, &rcards, error))
          goto out;
        for (guint k = 0; k < rcards->len; k++)
          if (((EcCardRecord *) g_ptr_array_index (rcards, k))->status == EC_CARD_STATUS_ACTIVE)
            active = g_ptr_array_index (rcards, k);
        if (active == NULL || !ec_tag_uid_parse (active->uid_hex, uid))
          {
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "no active card for a demo resident");
            goto out;
          }
        h.resident_id = chosen[i]->id;
        h.card_seq = (guint16) active->seq;
        h.issued_at = now - 86400 * 30;
        if (i == 3)
          summary->record_version = (guint32) chosen[i]->record_version - 1;   /* made before the last change */
        if (!demo_write_card (f, files[i], uid, &h, summary, station, ec_keyring_current_read_key (ring),
                              FALSE, error))
          goto out;
        demo_card (f, files[i], "record", chosen[i]);
      }
  }

  /* 05: forged — a real resident's real UID, signed by a station this kiosk does not trust. */
  {
    g_autoptr(GPtrArray) rcards = NULL;
    g_autoptr(EcCardSummary) summary = demo_summary (chosen[0]);
    EcCardHeader h = { .resident_id = chosen[0]->id, .card_seq = 9, .issued_at = now };
    guint8 uid[EC_TAG_UID_BYTES];

    if (!ec_db_card_list_for_resident (db, chosen[0]->id, &rcards, error))
      goto out;
    ec_tag_uid_parse (((EcCardRecord *) g_ptr_array_index (rcards, rcards->len - 1))->uid_hex, uid);
    if (!demo_write_card (f, "05-forged", uid, &h, summary, forger, ec_keyring_current_read_key (forger_ring),
                          FALSE, error))
      goto out;
    demo_card (f, "05-forged", "not-genuine", NULL);
  }

  /* 06: revoked at the station. */
  {
    g_autoptr(GPtrArray) rcards = NULL;
    g_autoptr(EcCardSummary) summary = demo_summary (revoke);
    EcCardRecord *c;
    EcCardHeader h = { .resident_id = revoke->id, .issued_at = now - 86400 * 90 };
    guint8 uid[EC_TAG_UID_BYTES];

    if (!ec_db_card_list_for_resident (db, revoke->id, &rcards, error))
      goto out;
    c = g_ptr_array_index (rcards, rcards->len - 1);
    h.card_seq = (guint16) c->seq;
    ec_tag_uid_parse (c->uid_hex, uid);
    if (!ec_db_card_set_status (db, c->uid_hex, EC_CARD_STATUS_REVOKED, "demo: card revoked", &actor, error)
        || !demo_write_card (f, "06-revoked", uid, &h, summary, station, ec_keyring_current_read_key (ring),
                             FALSE, error))
      goto out;
    demo_card (f, "06-revoked", "revoked", NULL);
  }

  /* 07: replaced — the older card of a resident who got a new one. */
  {
    EcCardRecord *c = g_ptr_array_index (replaced, 0);
    EcCardHeader h = { .resident_id = c->resident_id, .card_seq = (guint16) c->seq, .issued_at = now - 86400 * 400 };
    guint8 uid[EC_TAG_UID_BYTES];

    ec_tag_uid_parse (c->uid_hex, uid);
    if (!demo_write_card (f, "07-replaced", uid, &h, NULL, station, NULL, FALSE, error))
      goto out;
    demo_card (f, "07-replaced", "replaced", NULL);
  }

  /* 08: a genuine card of a resident this kiosk has no record of. */
  {
    g_autoptr(EcResident) stranger = ec_demo_make_resident (77, 3);
    g_autoptr(EcCardSummary) summary = NULL;
    EcCardHeader h = { .resident_id = G_GUINT64_CONSTANT (0x0123456789abcdef), .card_seq = 1, .issued_at = now - 86400 };
    const guint8 uid[EC_TAG_UID_BYTES] = { 0x04, 0xde, 0x30, 0x00, 0x00, 0x08, 0x01 };

    stranger->id = h.resident_id;
    summary = demo_summary (stranger);
    if (!demo_write_card (f, "08-not-in-database", uid, &h, summary, station, ec_keyring_current_read_key (ring),
                          FALSE, error))
      goto out;
    demo_card (f, "08-not-in-database", "not-in-database", stranger);
  }

  /* 09: expired yesterday; 10: damaged. Both for the first resident. */
  {
    g_autoptr(EcCardSummary) summary = demo_summary (chosen[1]);
    EcCardHeader h = { .resident_id = chosen[1]->id, .card_seq = 1, .issued_at = now - 86400 * 800,
                       .expires_days = (guint16) (now / 86400 - 1) };
    const guint8 uid9[EC_TAG_UID_BYTES] = { 0x04, 0xde, 0x30, 0x00, 0x00, 0x09, 0x01 };
    const guint8 uid10[EC_TAG_UID_BYTES] = { 0x04, 0xde, 0x30, 0x00, 0x00, 0x0a, 0x01 };

    if (!demo_write_card (f, "09-expired", uid9, &h, summary, station, ec_keyring_current_read_key (ring),
                          FALSE, error))
      goto out;
    demo_card (f, "09-expired", "expired", NULL);
    h.expires_days = 0;
    if (!demo_write_card (f, "10-damaged", uid10, &h, summary, station, ec_keyring_current_read_key (ring),
                          TRUE, error))
      goto out;
    demo_card (f, "10-damaged", "damaged", NULL);
  }

  /* The kiosk's configuration and the demo panel. */
  conf = g_strdup_printf ("# The demo kiosk (written by the demo set-up; fictional data)\n"
                          "[database]\npath=%s\n[keys]\ndir=%s\n"
                          "[kiosk]\nidle-timeout=60\nid=demo-kiosk\n"
                          "[station]\nname=%s\nphone=%s\n",
                          f->db_path, kiosk_keys, EC_DEMO_STATION_NAME, EC_DEMO_STATION_PHONE);
  if (!g_file_set_contents (f->conf_path, conf, -1, error))
    goto out;
  g_string_append_printf (ini, "[emulator]\ncontrol=%s/emulator.sock\n", dir);
  for (guint i = 0; i < f->n_cards; i++)
    {
      const EcDemoCard *c = &f->cards[i];
      g_string_append_printf (ini, "[card %s]\nlabel=%s%s%s\ncommand=place-image %s/cards/%s.tag\n",
                              c->file, c->label, c->name != NULL ? " — " : "",
                              c->name != NULL ? c->name : "", dir, c->file);
    }
  g_string_append (ini, "[card 11-unsupported]\nlabel=其他卡（M1 卡）/ Unsupported card (MIFARE Classic)\n"
                        "command=place-mfc1k\n");
  {
    g_autofree char *ini_path = g_build_filename (dir, "demo.ini", NULL);
    if (!g_file_set_contents (ini_path, ini->str, -1, error))
      goto out;
  }
  ok = TRUE;

out:
  for (guint i = 0; i < G_N_ELEMENTS (chosen); i++)
    ec_resident_free (chosen[i]);
  ec_resident_free (revoke);
  return ok ? g_steal_pointer (&f) : NULL;
}
