/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-error.h: the error domains of the eldercard core library.
 *
 * Each subsystem reports failures in its own GError domain. Errors from libsodium,
 * SQLite and libnfc are translated once, where they enter our code. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define EC_CARD_ERROR   (ec_card_error_quark ())
#define EC_KEY_ERROR    (ec_key_error_quark ())
#define EC_DB_ERROR     (ec_db_error_quark ())
#define EC_READER_ERROR (ec_reader_error_quark ())
#define EC_IMPORT_ERROR (ec_import_error_quark ())

/* Why a card image is refused. The order is the order the verifier checks in. */
typedef enum
{
  EC_CARD_ERROR_NOT_OURS,        /* no NDEF / not our record type: not an eldercard card */
  EC_CARD_ERROR_TRUNCATED,       /* image shorter than its own lengths say */
  EC_CARD_ERROR_DAMAGED,         /* NDEF/TLV structure broken */
  EC_CARD_ERROR_UNKNOWN_VERSION, /* our record, but a format version we do not know */
  EC_CARD_ERROR_UNKNOWN_KEY,     /* signed by a station key the trust store does not hold */
  EC_CARD_ERROR_BAD_SIGNATURE,   /* signature does not verify: forged or edited */
  EC_CARD_ERROR_UID_MISMATCH,    /* signed for another tag: copied */
  EC_CARD_ERROR_EXPIRED,         /* past its expiry date */
  EC_CARD_ERROR_NOT_YET_VALID,   /* issued later than now + the allowed clock skew */
  EC_CARD_ERROR_BAD_SEQUENCE,    /* card_seq 0: never written by a genuine issue */
  EC_CARD_ERROR_NO_READ_KEY,     /* genuine, but this device cannot decrypt the summary */
  EC_CARD_ERROR_CANNOT_DECRYPT,  /* genuine signature, but the summary does not decrypt */
  EC_CARD_ERROR_TOO_LARGE,       /* encode: summary does not fit this tag */
  EC_CARD_ERROR_INVALID,         /* encode: bad input */
  EC_CARD_ERROR_BAD_IMAGE,       /* tag image text file malformed (ec-tag-image.c) */
} EcCardError;

typedef enum
{
  EC_KEY_ERROR_IO,
  EC_KEY_ERROR_PERMISSIONS,      /* key file readable by group or others */
  EC_KEY_ERROR_FORMAT,
  EC_KEY_ERROR_WRONG_PASSPHRASE,
  EC_KEY_ERROR_NOT_CERTIFIED,    /* station key not certified by the community root */
  EC_KEY_ERROR_CRYPTO,           /* libsodium failed */
  EC_KEY_ERROR_NOT_FOUND,
} EcKeyError;

typedef enum
{
  EC_DB_ERROR_SQLITE,
  EC_DB_ERROR_CORRUPT,
  EC_DB_ERROR_NOT_FOUND,
  EC_DB_ERROR_CONSTRAINT,
  EC_DB_ERROR_INVALID,
  EC_DB_ERROR_SCHEMA_TOO_NEW,
  EC_DB_ERROR_AUDIT_TAMPERED,
  EC_DB_ERROR_PERMISSION,
} EcDbError;

typedef enum
{
  EC_READER_ERROR_NO_READER,     /* no reader found / connstring does not open */
  EC_READER_ERROR_BUSY,          /* kernel pn533 module or pcscd holds the reader */
  EC_READER_ERROR_LOST,          /* the reader stopped answering or was unplugged */
  EC_READER_ERROR_TIMEOUT,       /* no card within the wait */
  EC_READER_ERROR_CARD_REMOVED,  /* the card left the field mid-operation */
  EC_READER_ERROR_UNSUPPORTED,   /* a card that is not an NTAG213/215/216 */
  EC_READER_ERROR_NOT_BLANK,     /* issue: the card is not blank */
  EC_READER_ERROR_WRITE_FAILED,
  EC_READER_ERROR_SPOILED,       /* issue: the card cannot be completed; discard it */
  EC_READER_ERROR_CANCELLED,
  EC_READER_ERROR_PROTOCOL,
} EcReaderError;

typedef enum
{
  EC_IMPORT_ERROR_ENCODING,
  EC_IMPORT_ERROR_COLUMNS,
  EC_IMPORT_ERROR_DATE,
  EC_IMPORT_ERROR_ENUM,
  EC_IMPORT_ERROR_OVERSIZE,
  EC_IMPORT_ERROR_MISSING,
  EC_IMPORT_ERROR_SYNTAX,
} EcImportError;

GQuark ec_card_error_quark   (void);
GQuark ec_key_error_quark    (void);
GQuark ec_db_error_quark     (void);
GQuark ec_reader_error_quark (void);
GQuark ec_import_error_quark (void);

G_END_DECLS
