/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-tap.h: what a tapped card means — the one place that decides it (no GTK).
 *
 * The kiosk's controller and `eldercard card read/watch` hand the tag image read from
 * the reader to ec_tap_card() with what they have (the keyring or why there is none,
 * the database or why there is none, who is acting, the time) and only render the
 * EcTapResult: the verdict, its precise reason, what to show (the database's record or
 * the card's own summary) and what could NOT be checked. The service writes the audit
 * entry itself, exactly once per tap, refusals included.
 *
 * The order (docs/architecture.md):
 *   keyring → ec_card_verify → (database?) card row status → newer card of the same
 *   resident → the audited record; a genuine card whose resident is not here, or whose
 *   record was removed, or read without a database, shows the card's own summary. */
#pragma once

#include <glib.h>

#include "ec-card.h"
#include "ec-db.h"
#include "ec-record.h"
#include "ec-tag-image.h"

G_BEGIN_DECLS

typedef enum
{
  EC_TAP_RECORD = 0,        /* genuine, current card: the database's record */
  EC_TAP_NOT_GENUINE,       /* unknown key, bad signature, copied to another tag */
  EC_TAP_REVOKED,           /* the station revoked the card (or its issuance never completed) */
  EC_TAP_LOST,              /* reported lost: whoever carries it may not be its owner */
  EC_TAP_REPLACED,          /* a newer card was issued for the resident */
  EC_TAP_EXPIRED,
  EC_TAP_DAMAGED,           /* the card's data is broken */
  EC_TAP_UNSUPPORTED,       /* not an eldercard card */
  EC_TAP_NOT_SET_UP,        /* no keys here: no card can be checked */
  EC_TAP_NOT_IN_DATABASE,   /* genuine; the resident is not in this database: the card's summary */
  EC_TAP_DATABASE,          /* genuine; the database cannot be read: the card's summary */
  EC_TAP_NO_DATABASE,       /* genuine; no database consulted (--no-db): the card's summary */
  EC_TAP_REMOVED,           /* genuine; the record was removed at the station: the card's summary */
} EcTapVerdict;

typedef enum
{
  EC_TAP_SOURCE_NONE = 0,      /* nothing to show (refused, or a summary that cannot be read) */
  EC_TAP_SOURCE_DATABASE,      /* ->resident is the database's record */
  EC_TAP_SOURCE_CARD_SUMMARY,  /* ->resident is the card's own summary */
} EcTapSource;

/* What a tap could not check. */
typedef enum
{
  EC_TAP_UNCHECKED_STATUS   = 1 << 0,  /* revocation, loss, replacement: database unavailable or failed */
  EC_TAP_UNCHECKED_DATABASE = 1 << 1,  /* the database was not consulted at all (--no-db) */
  EC_TAP_UNCHECKED_SUMMARY  = 1 << 2,  /* the card's summary cannot be read (no read key, does not decrypt) */
} EcTapUnchecked;

typedef struct
{
  const EcKeyring *ring;        /* NULL: ring_error says why */
  const GError    *ring_error;
  EcDb            *db;          /* NULL: db_error says why, or skip_db */
  const GError    *db_error;
  gboolean         skip_db;     /* not consulted on purpose (`card read --no-db`) */
  EcActor          actor;
  const char      *purpose;     /* EC_DB_PURPOSE_*; NULL = card-tap */
  gint64           now;         /* unix seconds (expiry) */
} EcTapContext;

typedef struct
{
  EcTapVerdict  verdict;
  const char   *reason_code;    /* stable: a card error ("bad-signature"), a card status
                                 * ("revoked"), "older-seq", "not-found", "removed", … */
  char         *reason;         /* the precise reason, for staff (untranslated detail) */
  char         *uid_hex;        /* NULL when the image could not be read at all */
  EcCard       *card;           /* the verified card (header, summary); NULL if refused by verification */
  EcTapSource   source;
  EcResident   *resident;       /* what to show; NULL when nothing may be shown */
  guint         unchecked;      /* EcTapUnchecked bits */
  char         *unchecked_reason; /* why the status could not be checked (error message) */
  gint64        db_record_version;   /* 0: no record here */
  gint64        card_record_version; /* the summary's; 0: no summary */
  gboolean      card_older;     /* the card's summary is older than this database's record */
  gboolean      card_newer;     /* the card's summary is NEWER: this database is out of date */
  char         *audit_action;   /* the entry written: "view", "card-refused", "view-card-summary";
                                 * NULL when there was no database to write to */
  char         *audit_detail;
  EcResidentId  owner;          /* REPLACED or EXPIRED: whose card this is (its verified
                                 * header, or this database's card row), so a responder
                                 * may open the current record in an emergency with a
                                 * reason (EC_DB_PURPOSE_EMERGENCY_ACCESS); 0 otherwise */
  GHashTable   *cut;            /* card summary: the items of ->resident (EcAllergy *,
                                 * EcCondition *, EcMedication *) shortened on the card */
} EcTapResult;

/* Decide what @image means; never NULL. */
EcTapResult *ec_tap_card          (const EcTapContext *ctx,
                                   const EcTagImage   *image);
/* A card refused before there is an image to verify (the reader's bytes do not parse,
 * or a card of an unsupported kind): @verdict is DAMAGED or UNSUPPORTED. Audited. */
EcTapResult *ec_tap_refuse        (const EcTapContext *ctx,
                                   const char         *uid_hex,
                                   EcTapVerdict        verdict,
                                   const char         *reason);
void         ec_tap_result_free   (EcTapResult        *result);

/* TRUE for verdicts that show nothing about the person. */
gboolean     ec_tap_verdict_is_refusal  (EcTapVerdict verdict);
/* Stable nicks: "record", "not-genuine", "revoked", "lost", "replaced", "expired",
 * "damaged", "unsupported", "not-set-up", "not-in-database", "database",
 * "no-database", "removed". */
const char  *ec_tap_verdict_to_string   (EcTapVerdict verdict);

/* The card's summary as a record (the fields it carries; contact phone NULL when it is
 * not on the card, kept in the card's order). @cut (nullable, a pointer set) gets the
 * allergies, conditions and medications the card marks as shortened. */
EcResident  *ec_tap_resident_from_summary (const EcCard *card,
                                           GHashTable   *cut);
/* Whether @item (an entry of result->resident) was shortened on the card. */
gboolean     ec_tap_result_item_cut       (const EcTapResult *result,
                                           gconstpointer      item);
/* The card summary's EcCardCut bits (0 for a database record). */
guint        ec_tap_result_fields_cut     (const EcTapResult *result);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EcTapResult, ec_tap_result_free)

G_END_DECLS
