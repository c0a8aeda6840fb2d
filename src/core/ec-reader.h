/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-reader.h: the NFC reader, driven through libnfc in a helper process.
 *
 * libnfc never runs in the calling process: EcReader spawns `eldercard-nfc-helper`
 * (found through $ELDERCARD_NFC_HELPER, else next to the running executable, else
 * ec_paths_libexecdir (): the build directory or the install libexec directory) and talks to it over a
 * pipe. Every request has a time bound; a helper that does not answer within it
 * (a stalled or unplugged reader, a hung libnfc call) is killed and respawned with
 * backoff (0.5 s, 1 s, 2 s, then every 5 s), and the state becomes LOST. So nothing
 * here ever blocks: all work is asynchronous on the GMainContext that was the
 * thread-default when the reader was created, and every signal and callback is
 * emitted there. docs/reader.md describes the design and the timings.
 *
 * Two ways to use it:
 *  - Watching (the kiosk): ec_reader_start(). The reader opens the device, keeps
 *    reopening it while it is missing, busy or lost, and for every card that enters
 *    the field emits ::card-detected at once, then ::card-read with the card's pages
 *    (GET_VERSION + FAST_READ in ≤ 65-page chunks: a full NTAG215 in 3 chip commands)
 *    or ::card-failed, and ::card-removed when it leaves. A second card needs nothing
 *    but a tap. The image is NOT verified here: hand it to the card verifier.
 *  - Single operations (the CLI, issuing): ec_reader_wait_card_async(),
 *    ec_reader_read_pages_async(), ec_reader_write_pages_async(). They work with or
 *    without ec_reader_start(); while watching, they run between two watch rounds.
 *    ec-issue.h builds the torn-write-safe issuance (card-security.md §3.4) on them.
 *
 * Errors are EC_READER_ERROR (ec-error.h): NO_READER, BUSY, LOST, TIMEOUT (no card
 * within the wait), CARD_REMOVED (the card left mid-operation: the tag did not
 * answer), UNSUPPORTED (not an NTAG213/215/216), WRITE_FAILED (the tag refused a
 * write: locked page), CANCELLED, PROTOCOL. Messages are translated (gettext). */
#pragma once

#include <gio/gio.h>

#include "ec-error.h"
#include "ec-tag-image.h"

G_BEGIN_DECLS

/* The reader as people need to know it. */
typedef enum
{
  EC_READER_STATE_NO_READER = 0, /* none found / the connstring does not open (also before start) */
  EC_READER_STATE_BUSY,          /* another program holds it: kernel pn533 module, pcscd */
  EC_READER_STATE_READY,         /* open; waiting for cards */
  EC_READER_STATE_LOST,          /* it stopped answering or was unplugged; reconnecting */
} EcReaderState;

/* What kind of card is in the field. */
typedef enum
{
  EC_READER_CARD_NTAG213 = 0,
  EC_READER_CARD_NTAG215,
  EC_READER_CARD_NTAG216,
  EC_READER_CARD_MIFARE_CLASSIC, /* unsupported */
  EC_READER_CARD_ISO14443_4,     /* unsupported: bank, transit, ID cards */
  EC_READER_CARD_OTHER,          /* unsupported: any other ISO 14443-A tag */
} EcReaderCardKind;

GType       ec_reader_state_get_type      (void) G_GNUC_CONST;
GType       ec_reader_card_kind_get_type  (void) G_GNUC_CONST;
#define EC_TYPE_READER_STATE     (ec_reader_state_get_type ())
#define EC_TYPE_READER_CARD_KIND (ec_reader_card_kind_get_type ())

/* "ntag213", "ntag215", "ntag216", "mifare-classic", "iso14443-4", "other": the
 * NTAG names are the tag image format's type names. */
const char *ec_reader_card_kind_to_string (EcReaderCardKind kind);
/* Last page (PACK) of an NTAG kind: 0x2c / 0x86 / 0xe6; 0 for the others. */
guint       ec_reader_card_kind_last_page (EcReaderCardKind kind);

/* ------------------------------------------------------------------------- */
/* EcReaderCard: one card as read (immutable, reference counted, boxed). */

typedef struct _EcReaderCard EcReaderCard;

GType             ec_reader_card_get_type       (void) G_GNUC_CONST;
#define EC_TYPE_READER_CARD (ec_reader_card_get_type ())

EcReaderCard     *ec_reader_card_ref            (EcReaderCard  *card);
void              ec_reader_card_unref          (EcReaderCard  *card);
EcReaderCardKind  ec_reader_card_get_kind       (EcReaderCard  *card);
/* Lower-case hex, 14 digits for a 7-byte UID (8 for a 4-byte one). */
const char       *ec_reader_card_get_uid_hex    (EcReaderCard  *card);
/* The 8 GET_VERSION bytes (NTAG only), else NULL. */
const guint8     *ec_reader_card_get_version    (EcReaderCard  *card);
/* The card's memory as read: 4 bytes per page from page 0, (last_page + 1) pages
 * for NTAG kinds, NULL for the others. Pages not read are zero; @out_n_read (nullable)
 * gets the number of pages actually read from page 0. After ::card-read and
 * ec_reader_read_card_async() that is the first 65 pages (one FAST_READ: UID, CC,
 * start of the NDEF TLV) and then as far as the NDEF message and its terminator go
 * (the whole user area when the TLVs do not say); the rest of the user area and the
 * lock, configuration, PWD and PACK pages are zero. The card verifier looks at
 * nothing beyond the terminator. */
GBytes           *ec_reader_card_get_pages      (EcReaderCard  *card,
                                                 guint         *out_n_read);
/* Milliseconds from "card seen" to "last page read" (for the benchmark), 0 if none. */
guint             ec_reader_card_get_read_ms    (EcReaderCard  *card);
/* The card in the tag image text format of docs/TEAM-NOTES.md (NTAG kinds only;
 * NULL otherwise), ready for ec_tag_image_parse(). */
char             *ec_reader_card_to_image_text  (EcReaderCard  *card);
/* The card as an EcTagImage for ec_card_verify() (NTAG kinds only; NULL otherwise).
 * Pages not read are zero. */
EcTagImage       *ec_reader_card_to_tag_image   (EcReaderCard  *card);

/* ------------------------------------------------------------------------- */
/* EcReader */

#define EC_TYPE_READER (ec_reader_get_type ())
G_DECLARE_FINAL_TYPE (EcReader, ec_reader, EC, READER, GObject)

/* @connstring: a libnfc connstring ("pn532_uart:/dev/ttyUSB0", "acr122_usb:",
 * "pn53x_usb:") or NULL/"" for libnfc's default: $LIBNFC_DEFAULT_DEVICE, the
 * devices of /etc/nfc/libnfc.conf, then autodetection (nfc_list_devices). Nothing
 * is opened until ec_reader_start() or the first operation. */
EcReader         *ec_reader_new                 (const char    *connstring);
const char       *ec_reader_get_connstring      (EcReader      *self);

/* Start watching: open (retrying with backoff while missing, busy or lost) and
 * report every card. Idempotent. */
void              ec_reader_start               (EcReader      *self);
/* Stop watching and close the device (the helper exits). Pending single
 * operations fail with CANCELLED. Idempotent; also done on finalize. */
void              ec_reader_stop                (EcReader      *self);
gboolean          ec_reader_is_started          (EcReader      *self);

/* Properties "state" (EcReaderState), "state-message" (translated explanation with
 * the next step, e.g. "No reader: plug it in; check the udev rules; is the pn533
 * kernel module loaded?"), "device-name" (what libnfc calls the open device, or
 * NULL). Changes are notified. */
EcReaderState     ec_reader_get_state           (EcReader      *self);
const char       *ec_reader_get_state_message   (EcReader      *self);
const char       *ec_reader_get_device_name     (EcReader      *self);

/* Tuning (mostly for tests): the longest a request may go unanswered before the
 * helper is killed and the reader declared LOST (default 2000 ms; an open may take
 * 2500 ms more, a write 20 ms more per page). */
void              ec_reader_set_watchdog_ms     (EcReader      *self,
                                                 guint          ms);

/* Signals (all on the reader's main context):
 *   ::card-detected (EcReaderCard *card)   a card entered the field; only kind and
 *                                          UID are set. Emitted at once: show "Reading…".
 *   ::card-read     (EcReaderCard *card)   an NTAG card was read (all pages up to
 *                                          the last user page). Not verified yet.
 *   ::card-failed   (EcReaderCard *card,   the card could not be read: UNSUPPORTED
 *                    GError *error)        (card has the kind), CARD_REMOVED (pulled
 *                                          away mid-read; the reader retries when it
 *                                          comes back), LOST, PROTOCOL. @card may be NULL.
 *   ::card-removed  (EcReaderCard *card)   the card left the field.
 * State changes: notify::state / notify::state-message. */

/* ------------------------------------------------------------------------- */
/* Single operations. At most one runs at a time per reader (they queue). Each fails
 * with NO_READER / BUSY / LOST after trying to open the device once (no backoff
 * wait). @uid_hex (nullable) = only this card: another card is CARD_REMOVED. */

/* Wait up to @timeout_ms for a card (TIMEOUT otherwise) and identify it: kind,
 * UID, GET_VERSION, and for NTAGs pages 0–3 and the dynamic lock and
 * configuration pages (last−4 … last−2), which issuing checks for blankness. An
 * unsupported card is returned, not an error. */
void              ec_reader_wait_card_async     (EcReader            *self,
                                                 const char          *uid_hex,
                                                 guint                timeout_ms,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
EcReaderCard     *ec_reader_wait_card_finish    (EcReader            *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

/* Wait up to @timeout_ms for an NTAG card and read it as ::card-read does
 * (UNSUPPORTED for other cards). */
void              ec_reader_read_card_async     (EcReader            *self,
                                                 const char          *uid_hex,
                                                 guint                timeout_ms,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
EcReaderCard     *ec_reader_read_card_finish    (EcReader            *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

/* Read @n_pages pages from @first_page of the card @uid_hex (which must be in the
 * field; FAST_READ in ≤ 65-page chunks). Returns n_pages × 4 bytes. */
void              ec_reader_read_pages_async    (EcReader            *self,
                                                 const char          *uid_hex,
                                                 guint                first_page,
                                                 guint                n_pages,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
GBytes           *ec_reader_read_pages_finish   (EcReader            *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

/* WRITE (0xA2) the pages of @data (a multiple of 4 bytes) from @first_page, one
 * command per page, in order, stopping at the first failure: WRITE_FAILED (NAK:
 * locked or read-only page) or CARD_REMOVED (no answer: the write may or may not
 * have happened, or only partly; a torn write). */
void              ec_reader_write_pages_async   (EcReader            *self,
                                                 const char          *uid_hex,
                                                 guint                first_page,
                                                 GBytes              *data,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gboolean          ec_reader_write_pages_finish  (EcReader            *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

/* Blocking conveniences for the CLI and tests: run the operation while iterating the
 * reader's main context until it completes (call them from the thread that created
 * the reader, never from inside a callback of that context's running loop). */
EcReaderCard     *ec_reader_wait_card_sync      (EcReader      *self,
                                                 const char    *uid_hex,
                                                 guint          timeout_ms,
                                                 GCancellable  *cancellable,
                                                 GError       **error);
EcReaderCard     *ec_reader_read_card_sync      (EcReader      *self,
                                                 const char    *uid_hex,
                                                 guint          timeout_ms,
                                                 GCancellable  *cancellable,
                                                 GError       **error);
GBytes           *ec_reader_read_pages_sync     (EcReader      *self,
                                                 const char    *uid_hex,
                                                 guint          first_page,
                                                 guint          n_pages,
                                                 GCancellable  *cancellable,
                                                 GError       **error);
gboolean          ec_reader_write_pages_sync    (EcReader      *self,
                                                 const char    *uid_hex,
                                                 guint          first_page,
                                                 GBytes        *data,
                                                 GCancellable  *cancellable,
                                                 GError       **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EcReaderCard, ec_reader_card_unref)

G_END_DECLS
