/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The CLI's rendering of one tap (`eldercard card read/watch`): prints the EcTapResult
 * the core's tap service (src/core/ec-tap.c) decided, in the user's language, with
 * everything the kiosk's record screen shows. No rule about what a card means lives
 * here. */
#define G_LOG_DOMAIN "ec-cli-card"

#include <stdio.h>
#include <string.h>

#include "ec-cli.h"
#include "ec-i18n.h"
#include "ec-labels.h"
#include "ec-phone.h"
#include "ec-tap.h"

static gboolean
has_text (const char *s)
{
  return s != NULL && *s != '\0';
}

/* A phone as written, and the number a phone dials when that differs
 * ("+86 010-5550-0101 ext 23  → tel:+861055500101;ext=23"). */
static void
print_phone (const char *phone)
{
  g_autofree char *uri = ec_phone_tel_uri (phone);

  printf (" %s", phone);
  if (uri == NULL)
    printf (" %s", _("(not a whole number: check it before dialling)"));
}

/* " (shortened on the card)" after an item the card holds shortened. */
static const char *
cut_mark (GHashTable    *cut,
          gconstpointer  item)
{
  return cut != NULL && g_hash_table_contains (cut, item) ? _(" (shortened on the card)") : "";
}

static void
print_allergies (const EcResident    *r,
                 const EcCardSummary *s,
                 GHashTable          *cut_items)
{
  gboolean cut = s != NULL && (s->omitted & EC_CARD_OMITTED_ALLERGIES);

  switch (r->allergy_status)
    {
    case EC_ALLERGY_STATUS_UNKNOWN:
      printf (_("Allergies: UNKNOWN (never established)\n"));
      return;
    case EC_ALLERGY_STATUS_NONE_KNOWN:
      printf (_("Allergies: none known\n"));
      return;
    case EC_ALLERGY_STATUS_RECORDED:
    default:
      break;
    }
  if (r->allergies->len == 0 && !cut)
    {
      /* "Recorded" with nothing listed is never "none known". */
      printf (_("Allergies: UNKNOWN (never established)\n"));
      return;
    }
  if (cut)
    printf (_("Allergies (%u on the card; there may be more):\n"), r->allergies->len);
  else
    printf (_("Allergies (%u):\n"), r->allergies->len);
  {
    g_autoptr(GPtrArray) sorted = ec_label_allergies_sorted (r->allergies);
    for (guint i = 0; i < sorted->len; i++)
      {
        EcAllergy *a = sorted->pdata[i];
        g_autofree char *line = ec_label_allergy (a);
        const char *mark = a->criticality == EC_CRITICALITY_HIGH ? "!!"
                           : a->criticality == EC_CRITICALITY_UNABLE_TO_ASSESS ? " ?" : " -";
        printf ("  %s %s%s\n", mark, line, cut_mark (cut_items, a));
      }
  }
  if (cut)
    printf ("  … %s\n", _("more in the record at the station"));
}

static void
print_contacts (const EcResident    *r,
                const EcCardSummary *s)
{
  gboolean from_card = s != NULL;

  if (r->contacts->len == 0 && s != NULL && (s->omitted & EC_CARD_OMITTED_CONTACT))
    {
      printf (_("Emergency contacts: a contact is recorded but did not fit on the card: "
                "see the record at the station\n"));
      return;
    }
  if (r->contacts->len == 0 && s != NULL && s->version == 1)
    {
      /* A version 1 card cannot say whether a contact was left out. */
      printf (_("Emergency contacts: none on the card (an older card cannot say whether one was "
                "left out): ask the service station\n"));
      return;
    }
  if (r->contacts->len == 0)
    {
      printf (_("Emergency contacts: no contact recorded\n"));
      return;
    }
  printf (_("Emergency contacts (call in this order):\n"));
  for (guint i = 0; i < r->contacts->len; i++)
    {
      EcContact *c = r->contacts->pdata[i];
      gboolean any = FALSE;

      printf ("  %u. %s", c->call_order != 0 ? c->call_order : i + 1, has_text (c->name) ? c->name : "?");
      if (s != NULL && i == 0 && (s->fields_cut & EC_CARD_CUT_CONTACT_NAME))
        printf ("%s", _(" (shortened on the card)"));
      if (has_text (c->relation))
        printf (" (%s%s)", c->relation,
                s != NULL && i == 0 && (s->fields_cut & EC_CARD_CUT_CONTACT_RELATION) ? _(" (shortened on the card)") : "");
      for (guint k = 0; c->phones != NULL && c->phones[k] != NULL; k++)
        {
          if (k > 0)
            printf (" /");
          print_phone (c->phones[k]);
          any = TRUE;
        }
      if (!any)
        printf (" %s", from_card ? _("— phone number not on the card: ask the service station")
                                 : _("— no phone number recorded"));
      if (c->lives_nearby)
        printf (" · %s", _("Lives nearby"));
      printf ("\n");
    }
}

static void
print_list_head (const char *title,
                 guint       n,
                 gboolean    cut)
{
  if (n == 0 && cut)
    printf ("%s %s\n", title, _("not on the card: see the record at the station"));
  else if (n == 0)
    printf ("%s %s\n", title, _("none recorded"));
  else
    printf ("%s\n", title);
}

/* The emergency view of @r (the database's record, or the card's summary @s with its
 * shortened items @cut), as the kiosk's record screen shows it. */
static void
print_resident (const EcResident    *r,
                const EcCardSummary *s,
                GHashTable          *cut)
{
  g_autofree char *id = ec_resident_id_to_string (r->id);
  int age = ec_resident_age (r, NULL);
  g_autofree char *comm = ec_label_comm_needs (r->comm_needs);

  printf ("%s", has_text (r->name_zh) ? r->name_zh : "?");
  if (s != NULL && (s->fields_cut & EC_CARD_CUT_NAME))
    printf ("%s", _(" (shortened on the card)"));
  if (has_text (r->name_pinyin))
    printf (" (%s%s)", r->name_pinyin,
            s != NULL && (s->fields_cut & EC_CARD_CUT_NAME_LATIN) ? _(" (shortened on the card)") : "");
  printf ("   %s %s\n", _("id"), id);

  /* Sex, birth, blood type */
  printf ("%s", ec_label_sex (r->sex));
  if (has_text (r->date_of_birth) && age >= 0)
    printf (_("   born %s (%d years)"), r->date_of_birth, age);
  else if (s != NULL && s->birth_year > 0)
    printf (_("   born %u"), s->birth_year);
  else
    printf ("   %s", _("date of birth not recorded"));
  if (r->blood_type == EC_BLOOD_UNKNOWN)   /* "blood type unknown" is a whole phrase */
    printf ("   %s\n", ec_label_blood (r->blood_type));
  else
    printf ("   %s %s\n", _("blood type"), ec_label_blood (r->blood_type));

  if (has_text (r->address) || has_text (r->building_unit))
    printf ("%s %s%s%s\n", _("Address:"), has_text (r->address) ? r->address : "",
            has_text (r->address) && has_text (r->building_unit) ? " " : "",
            has_text (r->building_unit) ? r->building_unit : "");
  if (has_text (r->phone))
    printf ("%s %s\n", _("Own phone:"), r->phone);

  /* Advance directive */
  printf ("%s %s\n", _("Resuscitation:"), ec_label_dnr (r->dnr));
  if (has_text (r->directive_location))
    printf ("  %s %s\n", _("Document kept at:"), r->directive_location);

  print_allergies (r, s, cut);

  /* Conditions, implants */
  print_list_head (_("Conditions:"), r->conditions->len + (has_text (r->implants) ? 1 : 0),
                   s != NULL && (s->omitted & EC_CARD_OMITTED_CONDITIONS));
  for (guint i = 0; i < r->conditions->len; i++)
    {
      EcCondition *c = r->conditions->pdata[i];
      if (has_text (c->since))
        printf ("  - %s (%s %s)\n", c->text, _("since"), c->since);
      else
        printf ("  - %s%s\n", c->text, cut_mark (cut, c));
    }
  if (has_text (r->implants))
    printf ("  - %s %s\n", _("Implants:"), r->implants);
  if (s != NULL && (s->omitted & EC_CARD_OMITTED_CONDITIONS) && r->conditions->len > 0)
    printf ("  … %s\n", _("more in the record at the station"));

  /* Medications */
  print_list_head (_("Medicines:"), r->medications->len, s != NULL && (s->omitted & EC_CARD_OMITTED_MEDICATIONS));
  for (guint i = 0; i < r->medications->len; i++)
    {
      EcMedication *m = r->medications->pdata[i];
      g_autofree char *slots = ec_label_schedule (m->slots);
      printf ("  - %s%s", m->name != NULL ? m->name : "?", cut_mark (cut, m));
      if (has_text (m->dose))
        printf (" %s", m->dose);
      if (has_text (m->route))
        printf (", %s", m->route);
      if (slots != NULL)
        printf (" — %s", slots);
      if (has_text (m->schedule_text))
        printf (" (%s)", m->schedule_text);
      printf ("\n");
    }
  if (s != NULL && (s->omitted & EC_CARD_OMITTED_MEDICATIONS) && r->medications->len > 0)
    printf ("  … %s\n", _("more in the record at the station"));

  /* Wandering and communication */
  printf ("%s\n", ec_label_wandering (r->wandering));
  if (comm != NULL)
    {
      g_auto(GStrv) lines = g_strsplit (comm, "\n", -1);
      for (guint i = 0; lines[i] != NULL; i++)
        printf ("%s\n", lines[i]);
    }
  if (has_text (r->comm_notes))
    printf ("%s\n", r->comm_notes);
  if (has_text (r->language))
    printf ("%s %s\n", _("Language:"), r->language);

  print_contacts (r, s);

  if (s == NULL)
    {
      if (has_text (r->social_worker))
        printf ("%s %s\n", _("Social worker:"), r->social_worker);
      if (has_text (r->gp))
        printf ("%s %s\n", _("Doctor / clinic:"), r->gp);
    }
  if (s != NULL && (s->omitted & EC_CARD_OMITTED_TEXT))
    printf ("%s\n", _("Some texts on the card were shortened to fit: the record at the station has them whole."));
  if (s != NULL && (s->omitted & EC_CARD_OMITTED_CONTACT) && r->contacts->len > 0)
    printf ("%s\n", _("Part of the contact did not fit on the card: the record at the station has it whole."));
}

/* The card's own date, and that the record may have changed since. */
static void
print_card_age (const EcCard *card)
{
  g_autofree char *written = ec_label_date (card->header.issued_at);

  printf (_("This card was written on %s (card no. %u, record version %u). "
            "The record may have changed since.\n"),
          written, card->header.card_seq, card->summary != NULL ? card->summary->record_version : 0);
}

/* The card's newer life-critical items, when this database's record is older. */
static void
print_newer_card (const EcTapResult *r)
{
  const EcCardSummary *s = r->card->summary;
  g_autofree char *written = ec_label_date (r->card->header.issued_at);
  g_autoptr(GHashTable) cut = g_hash_table_new (NULL, NULL);
  g_autoptr(EcResident) from_card = ec_tap_resident_from_summary (r->card, cut);

  printf (_("\nWARNING: this database is OLDER than the card. The card (written %s) holds record "
            "version %u; this database has version %u. Trust the card's items below over "
            "the database's.\n"),
          written, s->record_version, (guint) r->db_record_version);
  printf (_("From the card:\n"));
  printf ("  %s %s\n", _("Resuscitation:"), ec_label_dnr (s->dnr));
  printf ("  ");
  print_allergies (from_card, s, cut);
  printf ("  ");
  print_contacts (from_card, s);
  printf (_("From this database (older):\n"));
}

int
ec_cli_tap_print (const EcTapResult *r)
{
  const char *why = NULL;

  switch (r->verdict)
    {
    case EC_TAP_RECORD:
      printf (_("Genuine card (seq %u, station %u). Emergency record from the database:\n\n"),
              r->card->header.card_seq, r->card->header.station_id);
      break;
    case EC_TAP_REVOKED:
      if (g_strcmp0 (r->reason_code, "revoked") == 0)
        printf (_("REFUSED: revoked: this card was revoked by the station (%s)\n"),
                r->reason != NULL ? r->reason : "-");
      else
        printf (_("REFUSED: this card's issuance was never completed (%s)\n"), r->reason_code);
      break;
    case EC_TAP_LOST:
      printf (_("REFUSED: reported lost: whoever carries it may not be its owner\n"));
      break;
    case EC_TAP_REPLACED:
      printf (_("REFUSED: replaced: a newer card was issued for this resident\n"));
      break;
    case EC_TAP_NOT_GENUINE:
      why = _("not genuine (forged, edited or copied)");
      break;
    case EC_TAP_EXPIRED:
      why = _("expired");
      break;
    case EC_TAP_DAMAGED:
      why = _("damaged or unreadable");
      break;
    case EC_TAP_UNSUPPORTED:
      why = g_strcmp0 (r->reason_code, "unsupported-type") == 0 ? _("unsupported type") : _("not an eldercard card");
      break;
    case EC_TAP_NOT_SET_UP:
      why = _("this device has no keys to check cards");
      break;
    case EC_TAP_NOT_IN_DATABASE:
      {
        g_autofree char *rid = ec_resident_id_to_string (r->card->header.resident_id);
        printf (_("Genuine card, but resident %s is not in this database: showing the card's own summary.\n\n"), rid);
      }
      break;
    case EC_TAP_DATABASE:
      printf (_("Genuine card, but the database cannot be read (%s): showing the card's own summary.\n\n"),
              r->reason != NULL ? r->reason : "-");
      break;
    case EC_TAP_NO_DATABASE:
      printf (_("Genuine card. No database was consulted (--no-db): showing the card's own summary.\n\n"));
      break;
    case EC_TAP_REMOVED:
      printf (_("Genuine card, but this person's record was removed at the station: "
                "showing the card's own summary.\n\n"));
      break;
    default:
      break;
    }
  if (why != NULL)
    printf (_("REFUSED: %s: %s\n"), why, r->reason != NULL ? r->reason : "-");
  if (ec_tap_verdict_is_refusal (r->verdict))
    {
      printf (_("Card not valid: identify the person by other means (manual lookup).\n"));
      return 1;
    }

  if (r->unchecked & EC_TAP_UNCHECKED_STATUS)
    printf (_("WARNING: revocation could not be checked (%s): this card may have been revoked, "
              "reported lost or replaced. Confirm who this is.\n\n"),
            (r->unchecked & EC_TAP_UNCHECKED_DATABASE) ? _("no database consulted")
            : r->unchecked_reason != NULL ? r->unchecked_reason : "-");

  if (r->source == EC_TAP_SOURCE_DATABASE)
    {
      if (r->card_newer)
        print_newer_card (r);
      print_resident (r->resident, NULL, NULL);
      if (r->card_older)
        printf (_("\nNote: the card is older than the record (card out of date).\n"));
      return 0;
    }
  if (r->source == EC_TAP_SOURCE_CARD_SUMMARY)
    {
      print_card_age (r->card);
      printf ("\n");
      print_resident (r->resident, r->card->summary, r->cut);
      return 0;
    }
  /* Genuine, but nothing readable to show. */
  if (r->unchecked & EC_TAP_UNCHECKED_SUMMARY)
    printf (_("The card's summary cannot be read on this device (%s). Identify the person by other means.\n"),
            r->card->summary_error != NULL ? r->card->summary_error->message : "-");
  else
    printf (_("This card carries no summary (reference card). Identify the person by other means.\n"));
  return 0;
}
