/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-emu-tag.h: the cards the PN532 emulator can hold in its field.
 *
 * NXP NTAG213/215/216 (NFC Forum Type 2) with the datasheet's page layout, lock
 * bits, password protection and commands; a MIFARE Classic 1K (enough for the
 * "unsupported card" path: anticollision, AUTH with keys, READ/WRITE of blocks);
 * an ISO 14443-4 card (ATQA 0344, SAK 20, an ATS; answers APDUs with status words).
 *
 * Pure logic: no I/O, no clock. The PN532 layer (ec-pn532.c) feeds it the bytes a
 * reader sends over the air and turns the replies into PN532 status bytes. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  EC_EMU_TAG_NTAG213,
  EC_EMU_TAG_NTAG215,
  EC_EMU_TAG_NTAG216,
  EC_EMU_TAG_MFC1K,
  EC_EMU_TAG_ISO14443_4,
} EcEmuTagType;

/* What a tag command was, for statistics, air time and fault injection. */
typedef enum
{
  EC_EMU_OP_READ,
  EC_EMU_OP_FAST_READ,
  EC_EMU_OP_WRITE,
  EC_EMU_OP_COMPAT_WRITE,
  EC_EMU_OP_GET_VERSION,
  EC_EMU_OP_READ_SIG,
  EC_EMU_OP_PWD_AUTH,
  EC_EMU_OP_READ_CNT,
  EC_EMU_OP_ACTIVATION,  /* REQA/WUPA/anticollision/SELECT/HLTA/RATS sent raw */
  EC_EMU_OP_MFC_AUTH,
  EC_EMU_OP_APDU,
  EC_EMU_OP_OTHER,
  EC_EMU_OP_N
} EcEmuOp;

typedef enum
{
  EC_EMU_REPLY_DATA,     /* reply holds the answer (without CRC_A) */
  EC_EMU_REPLY_ACK,      /* 4-bit ACK (0xA) */
  EC_EMU_REPLY_NAK,      /* 4-bit NAK; reply[0] holds the code (0x0, 0x1, 0x4, 0x5) */
  EC_EMU_REPLY_NONE,     /* the tag stays silent: the reader times out */
  EC_EMU_REPLY_AUTH_FAILED, /* MIFARE Classic AUTH with a wrong key (PN532 status 14) */
} EcEmuReply;

/* How a write is applied: normally, or torn (the field vanished mid-programming). */
typedef enum
{
  EC_EMU_WRITE_NORMAL,
  EC_EMU_WRITE_TORN,
} EcEmuWriteMode;

#define EC_EMU_TAG_MAX_MEM 1024
#define EC_EMU_TAG_MAX_UID 10

typedef struct
{
  EcEmuTagType type;
  guint8       uid[EC_EMU_TAG_MAX_UID];
  gsize        uid_len;
  guint8       mem[EC_EMU_TAG_MAX_MEM];   /* NTAG pages (4 B each) or MIFARE Classic blocks */
  guint        n_pages;                   /* NTAG: last page + 1 */

  /* Volatile state (lost when the field goes off or the tag leaves). */
  gboolean     halted;            /* HLTA / InDeselect: answers WUPA only */
  gboolean     active;            /* selected (ACTIVE state): answers commands */
  guint8       ready;             /* raw anticollision: cascade level expected (1, 2) or 0 */
  gboolean     authenticated;     /* NTAG PWD_AUTH succeeded */
  gboolean     counted;           /* NFC counter already incremented this session */
  gint         compat_page;       /* raw COMPATIBILITY_WRITE: page waiting for its data, or -1 */
  gint         mfc_sector;        /* MIFARE Classic: authenticated sector, or -1 */
  guint8       iso_block;         /* ISO 14443-4 block number */

  /* Non-volatile beyond memory. */
  guint        auth_failures;     /* NTAG AUTHLIM counter */
  guint32      nfc_counter;       /* NTAG NFC counter (READ_CNT) */
} EcEmuTag;

const char  *ec_emu_tag_type_name        (EcEmuTagType type);
gboolean     ec_emu_tag_type_from_name   (const char   *name,
                                          EcEmuTagType *type);
gboolean     ec_emu_tag_type_is_ntag     (EcEmuTagType type);

/* A factory-fresh tag. uid may be NULL (a fixed default UID per type) and must
 * otherwise have the type's length (7 bytes NTAG and ISO 14443-4, 4 bytes MIFARE
 * Classic). */
EcEmuTag    *ec_emu_tag_new_blank        (EcEmuTagType  type,
                                          const guint8 *uid,
                                          gsize         uid_len,
                                          GError      **error);
void         ec_emu_tag_free             (EcEmuTag     *tag);

/* The tag image text format of docs/TEAM-NOTES.md (NTAG only). */
EcEmuTag    *ec_emu_tag_parse_image      (const char   *text,
                                          gsize         len,
                                          GError      **error);
EcEmuTag    *ec_emu_tag_load_image       (const char   *path,
                                          GError      **error);
char        *ec_emu_tag_to_image         (const EcEmuTag *tag);
gboolean     ec_emu_tag_save_image       (const EcEmuTag *tag,
                                          const char   *path,
                                          GError      **error);

/* Identification data the PN532 reports after InListPassiveTarget. */
void         ec_emu_tag_atqa             (const EcEmuTag *tag,
                                          guint8        atqa[2]);
guint8       ec_emu_tag_sak              (const EcEmuTag *tag);
/* ATS including its length byte TL, or 0 if the card has none. */
gsize        ec_emu_tag_ats              (const EcEmuTag *tag,
                                          guint8       *ats,
                                          gsize         size);
gboolean     ec_emu_tag_is_iso14443_4    (const EcEmuTag *tag);

/* Power loss: volatile state is reset (auth, halt, selection, pending compat write). */
void         ec_emu_tag_power_off        (EcEmuTag     *tag);
/* Activation by the PN532 (REQA, or WUPA when wakeup: a halted tag answers only
 * WUPA). Returns FALSE when the tag does not answer. */
gboolean     ec_emu_tag_select           (EcEmuTag     *tag,
                                          gboolean      wakeup);
/* HLTA (or S(DESELECT) for ISO 14443-4). */
void         ec_emu_tag_halt             (EcEmuTag     *tag);

/* One tag command, CRC already checked and stripped. easy = the PN532's
 * InDataExchange handles the protocol (two-phase COMPATIBILITY_WRITE in one go,
 * ISO-DEP blocks); raw = InCommunicateThru. bits = number of valid bits in the
 * last byte (0 = 8) for short frames. */
EcEmuReply   ec_emu_tag_transceive       (EcEmuTag     *tag,
                                          const guint8 *cmd,
                                          gsize         len,
                                          guint         last_bits,
                                          gboolean      easy,
                                          EcEmuWriteMode mode,
                                          GRand        *rand,
                                          GByteArray   *reply,
                                          EcEmuOp      *op,
                                          gboolean     *reply_has_crc);

/* Classify a command without running it (for tear decisions). */
EcEmuOp      ec_emu_tag_classify         (const EcEmuTag *tag,
                                          const guint8 *cmd,
                                          gsize         len,
                                          gboolean      easy);

guint16      ec_emu_crc_a                (const guint8 *data,
                                          gsize         len);

G_END_DECLS
