/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-tag-image.h: the full memory of an NXP NTAG213/215/216, as the emulator holds
 * it, the reader layer reads it and the card format writes it.
 *
 * Facts per type (card-security.md §1.1): 7-byte UID in pages 0–2 (UID0 UID1 UID2
 * BCC0 | UID3 UID4 UID5 UID6 | BCC1 INT LOCK0 LOCK1, BCC0 = 0x88^UID0^UID1^UID2,
 * BCC1 = UID3^UID4^UID5^UID6), CC in page 3, user memory from page 4, then the dynamic
 * lock page, CFG0 (AUTH0 = byte 3), CFG1 (ACCESS = byte 0), PWD, PACK (last page).
 *
 * Text format (docs/TEAM-NOTES.md, `*.tag` files):
 *   # comment lines start with '#'; blank lines are ignored
 *   type: ntag215
 *   uid: 04a1b2c3d4e5f6
 *   00: 04 a1 b2 9f
 *   …                     every page 0 .. last page, in order, exactly once
 * Parse errors are EC_CARD_ERROR_BAD_IMAGE with the line number. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  EC_TAG_NTAG213 = 0,
  EC_TAG_NTAG215,
  EC_TAG_NTAG216,
} EcTagType;

#define EC_TAG_UID_BYTES   7
#define EC_TAG_PAGE_BYTES  4
#define EC_TAG_MAX_PAGES   0xE7     /* NTAG216: pages 0x00..0xE6 */
#define EC_TAG_FIRST_USER_PAGE 4
#define EC_TAG_CC_PAGE     3

typedef struct
{
  EcTagType   type;
  const char *name;            /* "ntag213" */
  guint       n_pages;         /* last page + 1: 0x2D / 0x87 / 0xE7 */
  guint       user_last_page;  /* 0x27 / 0x81 / 0xE1 */
  guint       user_bytes;      /* 144 / 504 / 888 */
  guint8      cc_size;         /* CC byte 2 (data area / 8): 0x12 / 0x3E / 0x6D */
  guint       ndef_area_bytes; /* cc_size × 8: 144 / 496 / 872 */
  guint8      storage_byte;    /* GET_VERSION byte 6: 0x0F / 0x11 / 0x13 */
  guint       dyn_lock_page;   /* 0x28 / 0x82 / 0xE2 */
  guint       cfg0_page;       /* AUTH0 = byte 3 */
  guint       cfg1_page;       /* ACCESS = byte 0 */
  guint       pwd_page;
  guint       pack_page;
} EcTagInfo;

/* Facts for @type (never NULL for a valid enum value). */
const EcTagInfo *ec_tag_type_info         (EcTagType     type);
const char      *ec_tag_type_to_string    (EcTagType     type);  /* "ntag215" */
gboolean         ec_tag_type_from_string  (const char   *s,
                                           EcTagType    *out);
gboolean         ec_tag_type_from_storage_byte (guint8   storage,
                                           EcTagType    *out);

typedef struct
{
  EcTagType type;
  guint8    uid[EC_TAG_UID_BYTES];
  /* Pages 0 .. n_pages−1 of the type are meaningful; the rest stay zero. */
  guint8    pages[EC_TAG_MAX_PAGES][EC_TAG_PAGE_BYTES];
} EcTagImage;

/* A factory-blank tag: UID and BCC bytes in pages 0–2 (internal byte 0x48, lock bytes
 * 00), factory CC in page 3, user memory, dynamic lock bytes zero, CFG0 = 04 00 00 FF
 * (AUTH0 = FF: no password), CFG1 = 00 05 00 00 (ACCESS 00), PWD FF FF FF FF, PACK
 * 00 00. @uid must be 7 bytes starting 0x04 (NXP); otherwise EC_CARD_ERROR_INVALID. */
EcTagImage *ec_tag_image_new_blank    (EcTagType          type,
                                       const guint8      *uid,
                                       GError           **error);
EcTagImage *ec_tag_image_copy         (const EcTagImage  *image);
void        ec_tag_image_free         (EcTagImage        *image);

/* UID as 14 lower-case hex digits (g_free). */
char       *ec_tag_image_uid_hex      (const EcTagImage  *image);
/* Parse 14 hex digits into 7 bytes (no NXP check). */
gboolean    ec_tag_uid_parse          (const char        *hex,
                                       guint8             uid[EC_TAG_UID_BYTES]);

/* Pointer to page @page's 4 bytes (page < n_pages of the type, else NULL). */
guint8     *ec_tag_image_page         (EcTagImage        *image,
                                       guint              page);
/* All n_pages × 4 bytes, contiguous from page 0. */
const guint8 *ec_tag_image_bytes      (const EcTagImage  *image,
                                       gsize             *out_len);

/* TRUE when the tag is in the state an issuer accepts (card-security §3.4 step 1):
 * static lock bytes 00 00, CC = factory, dynamic lock bytes 0, AUTH0 = FF,
 * ACCESS = 00. Otherwise FALSE with EC_CARD_ERROR_INVALID saying what is not blank.
 * The user pages are not looked at (a spoiled earlier attempt can be rewritten). */
gboolean    ec_tag_image_check_blank  (const EcTagImage  *image,
                                       GError           **error);

/* The text format above. Parsing is strict: every line is checked against the
 * lengths, the type's page count and hex syntax; @len bytes of @text (need not be
 * NUL-terminated; an embedded NUL is an error). */
EcTagImage *ec_tag_image_parse        (const char        *text,
                                       gsize              len,
                                       GError           **error);
char       *ec_tag_image_to_string    (const EcTagImage  *image);
EcTagImage *ec_tag_image_load_file    (const char        *path,
                                       GError           **error);
/* Written atomically (temporary file + rename), mode 0644. */
gboolean    ec_tag_image_save_file    (const EcTagImage  *image,
                                       const char        *path,
                                       GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EcTagImage, ec_tag_image_free)

G_END_DECLS
