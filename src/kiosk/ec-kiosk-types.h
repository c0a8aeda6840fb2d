/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-kiosk-types.h: forward declarations and the enums the kiosk's screens share. */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct _EcKioskApplication EcKioskApplication;
typedef struct _EcKioskController  EcKioskController;
typedef struct _EcKioskWindow      EcKioskWindow;
typedef struct _EcKioskResult      EcKioskResult;
typedef struct _EcWaitingPage      EcWaitingPage;
typedef struct _EcRecordView       EcRecordView;
typedef struct _EcProblemPage      EcProblemPage;
typedef struct _EcLookupPage       EcLookupPage;
typedef struct _EcDemoPanel        EcDemoPanel;

/* What the kiosk shows. */
typedef enum
{
  EC_KIOSK_SCREEN_WAITING = 0,  /* 请刷卡: nothing personal on screen */
  EC_KIOSK_SCREEN_READING,      /* a card is in the field, or a record is being opened */
  EC_KIOSK_SCREEN_RECORD,       /* a resident's emergency record */
  EC_KIOSK_SCREEN_PROBLEM,      /* a card that cannot be trusted or read */
  EC_KIOSK_SCREEN_LOOKUP,       /* manual search */
} EcKioskScreen;

/* Why a card did not lead to a trusted record (or, for NOT_IN_DATABASE and
 * DATABASE_UNAVAILABLE, why the record shown comes from the card itself). */
typedef enum
{
  EC_KIOSK_PROBLEM_NONE = 0,
  EC_KIOSK_PROBLEM_NOT_GENUINE,     /* bad signature, unknown key, copied to another tag */
  EC_KIOSK_PROBLEM_REVOKED,         /* the station revoked the card */
  EC_KIOSK_PROBLEM_LOST,            /* reported lost: someone else may be carrying it */
  EC_KIOSK_PROBLEM_REPLACED,        /* a newer card was issued */
  EC_KIOSK_PROBLEM_EXPIRED,
  EC_KIOSK_PROBLEM_DAMAGED,         /* the data on the card is broken */
  EC_KIOSK_PROBLEM_UNSUPPORTED,     /* not an eldercard card (bank card, transit card …) */
  EC_KIOSK_PROBLEM_READ_FAILED,     /* the card left the field before it was read */
  EC_KIOSK_PROBLEM_NOT_IN_DATABASE, /* genuine card, resident unknown to this kiosk */
  EC_KIOSK_PROBLEM_DATABASE,        /* the kiosk's database cannot be read */
  EC_KIOSK_PROBLEM_NOT_SET_UP,      /* the kiosk's keys are missing: cannot check cards */
  EC_KIOSK_PROBLEM_REMOVED,         /* genuine card, the resident's record was removed at the station */
} EcKioskProblem;

/* The reader as the responder needs to know it. */
typedef enum
{
  EC_KIOSK_READER_NONE = 0,  /* no reader found */
  EC_KIOSK_READER_BUSY,      /* another program (pn533 module, pcscd) holds it */
  EC_KIOSK_READER_READY,
  EC_KIOSK_READER_LOST,      /* stopped answering; reconnecting */
} EcKioskReaderState;

/* Where the record on screen came from. */
typedef enum
{
  EC_KIOSK_SOURCE_CARD = 0,     /* card verified, record from the database */
  EC_KIOSK_SOURCE_MANUAL,       /* manual lookup (emergency access, audited with reason) */
  EC_KIOSK_SOURCE_CARD_SUMMARY, /* only the card's own encrypted summary */
} EcKioskSource;

GType ec_kiosk_screen_get_type       (void) G_GNUC_CONST;
GType ec_kiosk_problem_get_type      (void) G_GNUC_CONST;
GType ec_kiosk_reader_state_get_type (void) G_GNUC_CONST;

#define EC_TYPE_KIOSK_SCREEN       (ec_kiosk_screen_get_type ())
#define EC_TYPE_KIOSK_PROBLEM      (ec_kiosk_problem_get_type ())
#define EC_TYPE_KIOSK_READER_STATE (ec_kiosk_reader_state_get_type ())

const char *ec_kiosk_screen_to_string  (EcKioskScreen  screen);
const char *ec_kiosk_problem_to_string (EcKioskProblem problem);

G_END_DECLS
