/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-reader-private.h: the wire protocol between EcReader and eldercard-nfc-helper,
 * and the EcReaderCard structure. Not installed; shared by src/core/ec-reader*.c,
 * src/helper/ and the tests.
 *
 * Framing (both directions): u32 big-endian body length (1 .. EC_NFC_MAX_FRAME), body.
 * Request body:  u8 op, then the op's arguments.
 * Answer body:   u8 kind (EC_NFC_ANSWER_*), then:
 *   OK:       the op's result
 *   DETECTED: an encoded card (kind, UID, version; no pages) — an event sent by
 *             READ_CARD before its answer, so the kiosk can show "Reading…"
 *   ERROR:    u8 EcReaderError, str message (translated in the parent, see below)
 * Every request gets exactly one OK or ERROR answer.
 *
 * Arguments and results (u16/u32 big-endian; str = u16 length + UTF-8 bytes;
 * uid = u8 length (0 = any card) + bytes):
 *   OPEN        str connstring ("" = libnfc's default)    -> str device name, str connstring
 *   WAIT        u32 timeout_ms, uid                        -> card (pages 0-3 and last-4..last-2)
 *   READ_CARD   u32 timeout_ms, uid                        -> card (pages 0..last user page)
 *   READ_PAGES  uid, u16 first, u16 n                      -> u16 n, n × 4 bytes
 *   WRITE_PAGES uid, u16 first, u16 n, n × 4 bytes         -> u16 n written
 *               (ERROR answers append u16 n written after the message)
 *   WAIT_GONE   u32 timeout_ms, uid                        -> u8 1 = gone, 0 = still there
 *   CLOSE                                                  -> (nothing); the helper exits
 * card = u8 kind, uid, u8 has_version, 8 version bytes, u32 read_ms,
 *        u16 n_ranges, n_ranges × (u16 first, u16 n, n × 4 bytes)
 *
 * Error messages from the helper are English and technical (nfc_strerror, libnfc's
 * log line); the parent builds the translated, explained message from the code and
 * appends the detail. */
#pragma once

#include <gio/gio.h>

#include "ec-error.h"
#include "ec-reader.h"

G_BEGIN_DECLS

#define EC_NFC_MAX_FRAME   4096
#define EC_NFC_MAX_PAGES   256      /* NTAG216 has 231 */
#define EC_NFC_FAST_READ_MAX 65     /* pages per FAST_READ that libnfc 1.8.0 can receive */

typedef enum
{
  EC_NFC_OP_OPEN = 1,
  EC_NFC_OP_WAIT,
  EC_NFC_OP_READ_CARD,
  EC_NFC_OP_READ_PAGES,
  EC_NFC_OP_WRITE_PAGES,
  EC_NFC_OP_WAIT_GONE,
  EC_NFC_OP_CLOSE,
} EcNfcOp;

typedef enum
{
  EC_NFC_ANSWER_OK = 0,
  EC_NFC_ANSWER_DETECTED,
  EC_NFC_ANSWER_ERROR,
} EcNfcAnswer;

struct _EcReaderCard
{
  gint              ref_count;
  EcReaderCardKind  kind;
  guint8            uid[10];
  guint             uid_len;
  char              uid_hex[21];
  gboolean          has_version;
  guint8            version[8];
  guint             read_ms;
  guint             n_pages;     /* last_page + 1 for NTAG kinds, else 0 */
  guint8           *mem;         /* n_pages × 4 */
  guint8           *page_read;   /* n_pages flags */
};

/* A bounds-checked reader over a byte buffer: every get fails (FALSE) instead of
 * reading past the end. */
typedef struct
{
  const guint8 *data;
  gsize         len;
  gsize         pos;
} EcNfcCursor;

void          ec_nfc_cursor_init       (EcNfcCursor   *c,
                                        const guint8  *data,
                                        gsize          len);
gboolean      ec_nfc_get_u8            (EcNfcCursor   *c,
                                        guint8        *out);
gboolean      ec_nfc_get_u16           (EcNfcCursor   *c,
                                        guint16       *out);
gboolean      ec_nfc_get_u32           (EcNfcCursor   *c,
                                        guint32       *out);
gboolean      ec_nfc_get_bytes         (EcNfcCursor   *c,
                                        gsize          n,
                                        const guint8 **out);
/* A str: returns a newly allocated, NUL-terminated, valid UTF-8 string, or NULL. */
char         *ec_nfc_get_str           (EcNfcCursor   *c);
/* uid: up to 10 bytes. */
gboolean      ec_nfc_get_uid           (EcNfcCursor   *c,
                                        guint8         uid[10],
                                        guint         *uid_len);

void          ec_nfc_put_u8            (GByteArray    *b,
                                        guint8         v);
void          ec_nfc_put_u16           (GByteArray    *b,
                                        guint16        v);
void          ec_nfc_put_u32           (GByteArray    *b,
                                        guint32        v);
void          ec_nfc_put_str           (GByteArray    *b,
                                        const char    *s);
void          ec_nfc_put_uid           (GByteArray    *b,
                                        const guint8  *uid,
                                        guint          uid_len);

/* A new card of @kind (pages allocated and zeroed for NTAG kinds). */
EcReaderCard *ec_reader_card_new       (EcReaderCardKind kind,
                                        const guint8  *uid,
                                        guint          uid_len);
/* Store pages read from the card. Pages beyond the card are ignored. */
void          ec_reader_card_set_pages (EcReaderCard  *card,
                                        guint          first,
                                        const guint8  *data,
                                        guint          n_pages);
/* The card's encoding (the "card" of the protocol above), appended to @b. */
void          ec_reader_card_encode    (EcReaderCard  *card,
                                        GByteArray    *b);
/* Decode a card; EC_READER_ERROR_PROTOCOL on any inconsistency. */
EcReaderCard *ec_reader_card_decode    (EcNfcCursor   *c,
                                        GError       **error);

/* Parse "04a1b2…" into bytes (2 to 20 hex digits, even). */
gboolean      ec_reader_uid_from_hex   (const char    *hex,
                                        guint8         uid[10],
                                        guint         *uid_len);

G_END_DECLS
