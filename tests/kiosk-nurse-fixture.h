/* SPDX-License-Identifier: GPL-3.0-or-later */
/* kiosk-nurse-fixture.h: what the nurse view's test and screenshots add to the demo
 * community (tests/kiosk-demo-fixture.h): the holder of card 01 gets a high-criticality
 * penicillin allergy (past reaction: anaphylaxis) if the generator did not give them
 * one, and card 01 is re-issued with the new record's summary, as the station would
 * after the change (so the card is not "out of date"). Fictional data only.
 * Header-only (static functions). */
#pragma once

#include "kiosk-demo-fixture.h"

#define EC_NURSE_FIXTURE_CARD "01-valid-allergies"

static G_GNUC_UNUSED gboolean
ec_nurse_fixture_give_penicillin_allergy (EcDemoFixture  *f,
                                          GError        **error)
{
  const EcDemoCard *card = &f->cards[0];
  g_autoptr(EcDb) db = NULL;
  g_autoptr(EcResident) r = NULL;
  g_autoptr(GPtrArray) rcards = NULL;
  g_autoptr(EcCardSummary) summary = NULL;
  g_autoptr(EcSecret) pass = ec_secret_new_from ((const guint8 *) EC_DEMO_PASSPHRASE, strlen (EC_DEMO_PASSPHRASE));
  g_autoptr(EcStationKey) station = NULL;
  g_autoptr(EcKeyring) ring = NULL;
  g_autofree char *keys = g_build_filename (f->dir, "keys", NULL);
  EcActor actor = { EC_ROLE_ADMIN, "demo-setup" };
  const EcCardRecord *active = NULL;
  EcCardHeader h = { 0 };
  guint8 uid[EC_TAG_UID_BYTES];
  EcAllergy *a;

  g_assert (g_str_equal (card->file, EC_NURSE_FIXTURE_CARD));
  if ((db = ec_db_open (f->db_path, EC_DB_OPEN_READ_WRITE, error)) == NULL
      || !ec_db_get_resident (db, card->resident, &actor, EC_DB_PURPOSE_EDIT, NULL, &r, error))
    return FALSE;
  for (guint i = 0; i < r->allergies->len; i++)
    if (g_strcmp0 (((EcAllergy *) g_ptr_array_index (r->allergies, i))->substance, "青霉素") == 0)
      return TRUE;

  a = ec_allergy_new ();
  a->substance = g_strdup ("青霉素");
  a->category = EC_ALLERGY_CATEGORY_MEDICATION;
  a->criticality = EC_CRITICALITY_HIGH;
  a->reaction = g_strdup ("过敏性休克");
  a->severity = EC_SEVERITY_SEVERE;
  a->confirmed = TRUE;
  g_ptr_array_add (r->allergies, a);
  r->allergy_status = EC_ALLERGY_STATUS_RECORDED;
  if (!ec_db_resident_update (db, r, &actor, error))
    return FALSE;
  g_clear_pointer (&r, ec_resident_free);
  if (!ec_db_get_resident (db, card->resident, &actor, EC_DB_PURPOSE_EDIT, NULL, &r, error))
    return FALSE;

  /* Re-issue the card image with the new summary, on the same tag and sequence. */
  if (!ec_db_card_list_for_resident (db, r->id, &rcards, error)
      || (station = ec_station_key_unlock (keys, 1, pass, error)) == NULL
      || (ring = ec_keyring_load (keys, error)) == NULL)
    return FALSE;
  for (guint k = 0; k < rcards->len; k++)
    if (((EcCardRecord *) g_ptr_array_index (rcards, k))->status == EC_CARD_STATUS_ACTIVE)
      active = g_ptr_array_index (rcards, k);
  if (active == NULL || !ec_tag_uid_parse (active->uid_hex, uid))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "no active card for the demo resident");
      return FALSE;
    }
  h.resident_id = r->id;
  h.card_seq = (guint16) active->seq;
  h.issued_at = g_get_real_time () / G_USEC_PER_SEC - 86400;
  summary = demo_summary (r);
  return demo_write_card (f, card->file, uid, &h, summary, station, ec_keyring_current_read_key (ring),
                          FALSE, error);
}
