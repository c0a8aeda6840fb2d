/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ec-emu-tag"

#include "ec-emu-tag.h"

#include <gio/gio.h>
#include <string.h>

#include "ec-tag-image.h"

/* ---------------------------------------------------------------------------
 * NTAG21x layout (card-security.md §1.1, NXP NTAG213/215/216 datasheet). */

typedef struct
{
  guint  last_page;     /* PACK page */
  guint8 storage;       /* GET_VERSION storage size byte */
  guint8 cc_size;       /* CC byte 2 */
  guint  dyn_gran;      /* pages per dynamic lock bit */
  guint  dyn_bits;      /* number of dynamic lock bits */
  guint  dyn_bl_bits;   /* number of dynamic block-lock bits */
} NtagInfo;

static const NtagInfo ntag_info[] = {
  [EC_EMU_TAG_NTAG213] = { 0x2c, 0x0f, 0x12, 2, 12, 6 },
  [EC_EMU_TAG_NTAG215] = { 0x86, 0x11, 0x3e, 16, 8, 4 },
  [EC_EMU_TAG_NTAG216] = { 0xe6, 0x13, 0x6d, 16, 14, 7 },
};

static const guint8 default_uid[][7] = {
  [EC_EMU_TAG_NTAG213]     = { 0x04, 0xe1, 0x13, 0x5a, 0x21, 0x6c, 0x80 },
  [EC_EMU_TAG_NTAG215]     = { 0x04, 0xe1, 0x15, 0x5a, 0x21, 0x6c, 0x80 },
  [EC_EMU_TAG_NTAG216]     = { 0x04, 0xe1, 0x16, 0x5a, 0x21, 0x6c, 0x80 },
  [EC_EMU_TAG_MFC1K]       = { 0xc0, 0x1d, 0xca, 0x7e },
  [EC_EMU_TAG_ISO14443_4]  = { 0x04, 0x44, 0x14, 0x43, 0x04, 0x00, 0x4a },
};

#define NTAG(tag)          (&ntag_info[(tag)->type])
#define PAGE(tag, p)       (&(tag)->mem[(gsize) (p) * 4])
#define DYN_PAGE(tag)      (NTAG (tag)->last_page - 4)
#define CFG0_PAGE(tag)     (NTAG (tag)->last_page - 3)
#define CFG1_PAGE(tag)     (NTAG (tag)->last_page - 2)
#define PWD_PAGE(tag)      (NTAG (tag)->last_page - 1)
#define PACK_PAGE(tag)     (NTAG (tag)->last_page)
#define LAST_USER(tag)     (DYN_PAGE (tag) - 1)
#define AUTH0(tag)         (PAGE (tag, CFG0_PAGE (tag))[3])
#define ACCESS(tag)        (PAGE (tag, CFG1_PAGE (tag))[0])
#define ACCESS_PROT        0x80
#define ACCESS_CFGLCK      0x40
#define ACCESS_NFC_CNT_EN  0x10
#define ACCESS_AUTHLIM     0x07

#define NAK_INVALID        0x0
#define NAK_AUTH_LIMIT     0x4

const char *
ec_emu_tag_type_name (EcEmuTagType type)
{
  switch (type)
    {
    case EC_EMU_TAG_NTAG213: return "ntag213";
    case EC_EMU_TAG_NTAG215: return "ntag215";
    case EC_EMU_TAG_NTAG216: return "ntag216";
    case EC_EMU_TAG_MFC1K: return "mfc1k";
    case EC_EMU_TAG_ISO14443_4: return "iso14443-4";
    default: return "unknown";
    }
}

gboolean
ec_emu_tag_type_from_name (const char   *name,
                           EcEmuTagType *type)
{
  static const EcEmuTagType all[] = {
    EC_EMU_TAG_NTAG213, EC_EMU_TAG_NTAG215, EC_EMU_TAG_NTAG216,
    EC_EMU_TAG_MFC1K, EC_EMU_TAG_ISO14443_4,
  };

  for (gsize i = 0; i < G_N_ELEMENTS (all); i++)
    if (g_ascii_strcasecmp (name, ec_emu_tag_type_name (all[i])) == 0)
      {
        *type = all[i];
        return TRUE;
      }
  return FALSE;
}

gboolean
ec_emu_tag_type_is_ntag (EcEmuTagType type)
{
  return type == EC_EMU_TAG_NTAG213 || type == EC_EMU_TAG_NTAG215 || type == EC_EMU_TAG_NTAG216;
}

guint16
ec_emu_crc_a (const guint8 *data,
              gsize         len)
{
  guint32 crc = 0x6363;

  for (gsize i = 0; i < len; i++)
    {
      guint8 b = data[i];
      b = (guint8) (b ^ (guint8) (crc & 0xff));
      b = (guint8) (b ^ (guint8) (b << 4));
      crc = (crc >> 8) ^ ((guint32) b << 8) ^ ((guint32) b << 3) ^ ((guint32) b >> 4);
      crc &= 0xffff;
    }
  return (guint16) crc;
}

static gsize
expected_uid_len (EcEmuTagType type)
{
  return type == EC_EMU_TAG_MFC1K ? 4 : 7;
}

static EcTagType
to_tag_type (EcEmuTagType type)
{
  switch (type)
    {
    case EC_EMU_TAG_NTAG213: return EC_TAG_NTAG213;
    case EC_EMU_TAG_NTAG216: return EC_TAG_NTAG216;
    case EC_EMU_TAG_NTAG215:
    case EC_EMU_TAG_MFC1K:
    case EC_EMU_TAG_ISO14443_4:
    default: return EC_TAG_NTAG215;
    }
}

static EcEmuTagType
from_tag_type (EcTagType type)
{
  switch (type)
    {
    case EC_TAG_NTAG213: return EC_EMU_TAG_NTAG213;
    case EC_TAG_NTAG216: return EC_EMU_TAG_NTAG216;
    case EC_TAG_NTAG215:
    default: return EC_EMU_TAG_NTAG215;
    }
}

/* The project's blank tag (ec_tag_image_new_blank: UID, BCC, internal byte, factory
 * CC, CFG0/CFG1, PWD FF FF FF FF), plus two more things NXP programs at the factory:
 * the empty NDEF message TLV 03 00 FE in page 4 and the RFUI byte BD of the dynamic
 * lock page. ec_tag_image_check_blank () accepts it. */
static gboolean
ntag_layout_blank (EcEmuTag *tag,
                   GError  **error)
{
  g_autoptr(EcTagImage) img = ec_tag_image_new_blank (to_tag_type (tag->type), tag->uid, error);
  const guint8 *bytes;
  gsize len = 0;

  if (img == NULL)
    return FALSE;
  bytes = ec_tag_image_bytes (img, &len);
  memset (tag->mem, 0, sizeof tag->mem);
  memcpy (tag->mem, bytes, MIN (len, sizeof tag->mem));
  tag->n_pages = NTAG (tag)->last_page + 1;
  g_assert (len == (gsize) tag->n_pages * 4);
  PAGE (tag, 4)[0] = 0x03;
  PAGE (tag, 4)[1] = 0x00;
  PAGE (tag, 4)[2] = 0xfe;
  PAGE (tag, DYN_PAGE (tag))[3] = 0xbd;
  return TRUE;
}

static void
mfc_layout_blank (EcEmuTag *tag)
{
  const guint8 *u = tag->uid;
  static const guint8 trailer[16] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x07, 0x80, 0x69,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
  };

  memset (tag->mem, 0, sizeof tag->mem);
  memcpy (tag->mem, u, 4);
  tag->mem[4] = (guint8) (u[0] ^ u[1] ^ u[2] ^ u[3]);
  tag->mem[5] = 0x08;
  tag->mem[6] = 0x04;
  tag->mem[7] = 0x00;
  memcpy (tag->mem + 8, "EMULATED", 8);
  for (guint s = 0; s < 16; s++)
    memcpy (tag->mem + (s * 4 + 3) * 16, trailer, 16);
  tag->n_pages = 0;
}

EcEmuTag *
ec_emu_tag_new_blank (EcEmuTagType  type,
                      const guint8 *uid,
                      gsize         uid_len,
                      GError      **error)
{
  g_autofree EcEmuTag *tag = g_new0 (EcEmuTag, 1);
  gsize want = expected_uid_len (type);

  tag->type = type;
  if (uid == NULL)
    {
      memcpy (tag->uid, default_uid[type], want);
      uid_len = want;
    }
  else if (uid_len != want)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "a %s UID has %zu bytes, not %zu", ec_emu_tag_type_name (type), want, uid_len);
      return NULL;
    }
  else
    {
      memcpy (tag->uid, uid, uid_len);
      if (type == EC_EMU_TAG_MFC1K && uid[0] == 0x88)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "a 4-byte UID must not start with the cascade tag 88");
          return NULL;
        }
    }
  tag->uid_len = uid_len;
  tag->compat_page = -1;
  tag->mfc_sector = -1;

  if (ec_emu_tag_type_is_ntag (type))
    {
      if (!ntag_layout_blank (tag, error))
        return NULL;
    }
  else if (type == EC_EMU_TAG_MFC1K)
    mfc_layout_blank (tag);

  return g_steal_pointer (&tag);
}

void
ec_emu_tag_free (EcEmuTag *tag)
{
  g_free (tag);
}

/* ---------------------------------------------------------------------------
 * Image files: the project's tag image format (src/core/ec-tag-image.h). */

static EcEmuTag *
from_image (const EcTagImage *img,
            GError          **error)
{
  EcEmuTag *tag;
  const guint8 *bytes;
  gsize len = 0;

  /* The card answers anticollision with the uid line and READ with the pages: they
   * must agree. */
  if (memcmp (img->pages[0], img->uid, 3) != 0 || memcmp (img->pages[1], img->uid + 3, 4) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "the image's “uid:” line does not match its pages 00-01");
      return NULL;
    }
  tag = g_new0 (EcEmuTag, 1);

  tag->type = from_tag_type (img->type);
  memcpy (tag->uid, img->uid, EC_TAG_UID_BYTES);
  tag->uid_len = EC_TAG_UID_BYTES;
  bytes = ec_tag_image_bytes (img, &len);
  memcpy (tag->mem, bytes, MIN (len, sizeof tag->mem));
  tag->n_pages = (guint) (MIN (len, sizeof tag->mem) / 4);
  tag->compat_page = -1;
  tag->mfc_sector = -1;
  return tag;
}

static EcTagImage *
to_image (const EcEmuTag *tag)
{
  EcTagImage *img = g_new0 (EcTagImage, 1);

  img->type = to_tag_type (tag->type);
  memcpy (img->uid, tag->uid, EC_TAG_UID_BYTES);
  for (guint p = 0; p < tag->n_pages && p < EC_TAG_MAX_PAGES; p++)
    memcpy (img->pages[p], &tag->mem[(gsize) p * 4], 4);
  return img;
}

EcEmuTag *
ec_emu_tag_parse_image (const char *text,
                        gsize       len,
                        GError    **error)
{
  g_autoptr(EcTagImage) img = ec_tag_image_parse (text, len, error);

  return img ? from_image (img, error) : NULL;
}

EcEmuTag *
ec_emu_tag_load_image (const char *path,
                       GError    **error)
{
  g_autoptr(EcTagImage) img = ec_tag_image_load_file (path, error);

  return img ? from_image (img, error) : NULL;
}

char *
ec_emu_tag_to_image (const EcEmuTag *tag)
{
  g_autoptr(EcTagImage) img = NULL;

  g_return_val_if_fail (ec_emu_tag_type_is_ntag (tag->type), NULL);
  img = to_image (tag);
  return ec_tag_image_to_string (img);
}

gboolean
ec_emu_tag_save_image (const EcEmuTag *tag,
                       const char     *path,
                       GError        **error)
{
  g_autoptr(EcTagImage) img = NULL;

  if (!ec_emu_tag_type_is_ntag (tag->type))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "only NTAG images can be saved, the field holds a %s",
                   ec_emu_tag_type_name (tag->type));
      return FALSE;
    }
  img = to_image (tag);
  return ec_tag_image_save_file (img, path, error);
}

/* ---------------------------------------------------------------------------
 * Identification. */

void
ec_emu_tag_atqa (const EcEmuTag *tag,
                 guint8          atqa[2])
{
  switch (tag->type)
    {
    case EC_EMU_TAG_MFC1K:
      atqa[0] = 0x00;
      atqa[1] = 0x04;
      break;
    case EC_EMU_TAG_ISO14443_4:
      atqa[0] = 0x03;
      atqa[1] = 0x44;
      break;
    case EC_EMU_TAG_NTAG213:
    case EC_EMU_TAG_NTAG215:
    case EC_EMU_TAG_NTAG216:
    default:
      atqa[0] = 0x00;
      atqa[1] = 0x44;
      break;
    }
}

guint8
ec_emu_tag_sak (const EcEmuTag *tag)
{
  switch (tag->type)
    {
    case EC_EMU_TAG_MFC1K:
      return 0x08;
    case EC_EMU_TAG_ISO14443_4:
      return 0x20;
    case EC_EMU_TAG_NTAG213:
    case EC_EMU_TAG_NTAG215:
    case EC_EMU_TAG_NTAG216:
    default:
      return 0x00;
    }
}

gboolean
ec_emu_tag_is_iso14443_4 (const EcEmuTag *tag)
{
  return tag->type == EC_EMU_TAG_ISO14443_4;
}

gsize
ec_emu_tag_ats (const EcEmuTag *tag,
                guint8         *ats,
                gsize           size)
{
  /* A DESFire EV1-like ATS: TL T0 TA TB TC historical byte. */
  static const guint8 desfire_ats[] = { 0x06, 0x75, 0x77, 0x81, 0x02, 0x80 };

  if (tag->type != EC_EMU_TAG_ISO14443_4 || size < sizeof desfire_ats)
    return 0;
  memcpy (ats, desfire_ats, sizeof desfire_ats);
  return sizeof desfire_ats;
}

void
ec_emu_tag_power_off (EcEmuTag *tag)
{
  tag->halted = FALSE;
  tag->active = FALSE;
  tag->ready = 0;
  tag->authenticated = FALSE;
  tag->counted = FALSE;
  tag->compat_page = -1;
  tag->mfc_sector = -1;
  tag->iso_block = 0;
}

gboolean
ec_emu_tag_select (EcEmuTag *tag,
                   gboolean  wakeup)
{
  if (tag->halted && !wakeup)
    return FALSE;
  tag->halted = FALSE;
  tag->active = TRUE;
  tag->ready = 0;
  tag->authenticated = FALSE;
  tag->compat_page = -1;
  tag->mfc_sector = -1;
  tag->iso_block = 0;
  return TRUE;
}

void
ec_emu_tag_halt (EcEmuTag *tag)
{
  tag->halted = TRUE;
  tag->active = FALSE;
  tag->ready = 0;
  tag->authenticated = FALSE;
  tag->compat_page = -1;
  tag->mfc_sector = -1;
}

/* ---------------------------------------------------------------------------
 * NTAG commands. */

static gboolean
ntag_read_protected (const EcEmuTag *tag,
                     guint           page)
{
  return !tag->authenticated && page >= AUTH0 (tag) && (ACCESS (tag) & ACCESS_PROT);
}

static gboolean
ntag_write_protected (const EcEmuTag *tag,
                      guint           page)
{
  return !tag->authenticated && page >= AUTH0 (tag);
}

static void
ntag_read_page (const EcEmuTag *tag,
                guint           page,
                guint8         *out)
{
  if (page == PWD_PAGE (tag) || page == PACK_PAGE (tag) || ntag_read_protected (tag, page))
    memset (out, 0, 4);
  else
    memcpy (out, PAGE (tag, page), 4);
}

/* Is page p (4..LAST_USER) locked by the static or dynamic lock bits? */
static gboolean
ntag_page_locked (const EcEmuTag *tag,
                  guint           page)
{
  const guint8 *lock = PAGE (tag, 2);
  const guint8 *dyn = PAGE (tag, DYN_PAGE (tag));

  if (page == 3)
    return (lock[2] & 0x08) != 0;
  if (page >= 4 && page <= 7)
    return (lock[2] & (1u << page)) != 0;
  if (page >= 8 && page <= 15)
    return (lock[3] & (1u << (page - 8))) != 0;
  if (page >= 16 && page <= LAST_USER (tag))
    {
      guint bit = (page - 16) / NTAG (tag)->dyn_gran;
      guint bits = (guint) dyn[0] | ((guint) dyn[1] << 8);
      return bit < NTAG (tag)->dyn_bits && (bits & (1u << bit)) != 0;
    }
  return FALSE;
}

static void
ntag_count_read (EcEmuTag *tag)
{
  if ((ACCESS (tag) & ACCESS_NFC_CNT_EN) && !tag->counted)
    {
      tag->counted = TRUE;
      if (tag->nfc_counter < 0xffffff)
        tag->nfc_counter++;
    }
}

/* Write the 4 bytes `data` to `page` with the datasheet's rules. Returns FALSE (NAK)
 * when the page cannot be written. In torn mode the page gets a mix of old, new and
 * random bytes; the OTP pages (2, 3, dynamic lock) are tearing-protected and keep
 * their old value. */
static gboolean
ntag_write_page (EcEmuTag       *tag,
                 guint           page,
                 const guint8   *data,
                 EcEmuWriteMode  mode,
                 GRand          *rand)
{
  guint8 *dst;
  guint8 next[4];

  if (page < 2 || page > NTAG (tag)->last_page)
    return FALSE;
  if (ntag_write_protected (tag, page))
    return FALSE;
  dst = PAGE (tag, page);
  memcpy (next, dst, 4);

  if (page == 2)
    {
      /* Static lock bytes: OTP, and the block-locking bits freeze groups of lock bits. */
      guint8 add2 = (guint8) (data[2] & ~dst[2]);
      guint8 add3 = (guint8) (data[3] & ~dst[3]);
      if ((dst[2] & 0x01) && (add2 & 0x08))
        add2 &= (guint8) ~0x08;                    /* BL-CC freezes L-CC */
      if (dst[2] & 0x02)
        {
          add2 &= (guint8) ~0xf0;                  /* BL 9-4 freezes L4..L7 */
          add3 &= (guint8) ~0x03;                  /* ... and L8, L9 */
        }
      if (dst[2] & 0x04)
        add3 &= (guint8) ~0xfc;                    /* BL 15-10 freezes L10..L15 */
      next[2] = (guint8) (dst[2] | add2);
      next[3] = (guint8) (dst[3] | add3);
    }
  else if (page == 3)
    {
      if (ntag_page_locked (tag, 3))
        return FALSE;
      for (int i = 0; i < 4; i++)
        next[i] = (guint8) (dst[i] | data[i]);      /* CC is OTP: bits only go 0 -> 1 */
    }
  else if (page <= LAST_USER (tag))
    {
      if (ntag_page_locked (tag, page))
        return FALSE;
      memcpy (next, data, 4);
    }
  else if (page == DYN_PAGE (tag))
    {
      guint bl = dst[2];
      guint cur = (guint) dst[0] | ((guint) dst[1] << 8);
      guint add = ((guint) data[0] | ((guint) data[1] << 8)) & ~cur;
      guint mask = (1u << NTAG (tag)->dyn_bits) - 1;

      add &= mask;
      for (guint j = 0; j < NTAG (tag)->dyn_bl_bits; j++)
        if (bl & (1u << j))
          add &= ~(3u << (2 * j));               /* block-lock bit j freezes lock bits 2j, 2j+1 */
      cur |= add;
      next[0] = (guint8) (cur & 0xff);
      next[1] = (guint8) (cur >> 8);
      next[2] = (guint8) (dst[2] | (data[2] & ((1u << NTAG (tag)->dyn_bl_bits) - 1)));
      /* byte 3 is RFUI and keeps its value */
    }
  else if (page == CFG0_PAGE (tag) || page == CFG1_PAGE (tag))
    {
      if (ACCESS (tag) & ACCESS_CFGLCK)
        return FALSE;
      memcpy (next, data, 4);
    }
  else
    {
      memcpy (next, data, 4);                       /* PWD, PACK */
    }

  if (mode == EC_EMU_WRITE_TORN)
    {
      if (page == 2 || page == 3 || page == DYN_PAGE (tag))
        return TRUE;                                /* anti-tearing: old value kept */
      guint split = rand ? (guint) g_rand_int_range (rand, 1, 4) : 2;
      for (guint i = split; i < 4; i++)
        next[i] = dst[i];
      if (rand == NULL || g_rand_boolean (rand))
        next[split] = rand ? (guint8) g_rand_int_range (rand, 0, 256) : (guint8) ~data[split];
      /* Torn means not completed: when old and new differ, the result is not the new page. */
      if (memcmp (next, data, 4) == 0 && memcmp (dst, data, 4) != 0)
        for (int i = 3; i >= 0; i--)
          if (dst[i] != data[i])
            {
              next[i] = dst[i];
              break;
            }
    }
  memcpy (dst, next, 4);
  return TRUE;
}

static void
ntag_signature (const EcEmuTag *tag,
                guint8          sig[32])
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize len = 32;

  g_checksum_update (sum, (const guchar *) "pn532-emu originality signature", 31);
  g_checksum_update (sum, tag->uid, (gssize) tag->uid_len);
  g_checksum_get_digest (sum, sig, &len);
}

static EcEmuReply
nak (EcEmuTag   *tag,
     GByteArray *reply,
     guint8      code)
{
  guint8 b = code;

  /* After a NAK an NTAG goes back to IDLE: the reader must select it again. */
  tag->authenticated = FALSE;
  tag->compat_page = -1;
  tag->active = FALSE;
  tag->mfc_sector = -1;
  g_byte_array_append (reply, &b, 1);
  return EC_EMU_REPLY_NAK;
}

static EcEmuReply
ntag_command (EcEmuTag       *tag,
              const guint8   *cmd,
              gsize           len,
              gboolean        easy,
              EcEmuWriteMode  mode,
              GRand          *rand,
              GByteArray     *reply,
              EcEmuOp        *op)
{
  const NtagInfo *info = NTAG (tag);
  guint8 buf[4];

  /* Second phase of a raw COMPATIBILITY_WRITE: 16 data bytes. */
  if (tag->compat_page >= 0)
    {
      guint page = (guint) tag->compat_page;
      tag->compat_page = -1;
      *op = EC_EMU_OP_COMPAT_WRITE;
      if (len != 16)
        return nak (tag, reply, NAK_INVALID);
      if (!ntag_write_page (tag, page, cmd, mode, rand))
        return nak (tag, reply, NAK_INVALID);
      return mode == EC_EMU_WRITE_TORN ? EC_EMU_REPLY_NONE : EC_EMU_REPLY_ACK;
    }

  switch (cmd[0])
    {
    case 0x60:                                      /* GET_VERSION */
      {
        const guint8 version[8] = { 0x00, 0x04, 0x04, 0x02, 0x01, 0x00, info->storage, 0x03 };
        *op = EC_EMU_OP_GET_VERSION;
        if (len != 1)
          return nak (tag, reply, NAK_INVALID);
        g_byte_array_append (reply, version, sizeof version);
        return EC_EMU_REPLY_DATA;
      }

    case 0x30:                                      /* READ: 4 pages, rolls over */
      *op = EC_EMU_OP_READ;
      if (len != 2 || cmd[1] > info->last_page || ntag_read_protected (tag, cmd[1]))
        return nak (tag, reply, NAK_INVALID);
      ntag_count_read (tag);
      for (guint i = 0; i < 4; i++)
        {
          ntag_read_page (tag, (cmd[1] + i) % tag->n_pages, buf);
          g_byte_array_append (reply, buf, 4);
        }
      return EC_EMU_REPLY_DATA;

    case 0x3a:                                      /* FAST_READ start end (end included) */
      *op = EC_EMU_OP_FAST_READ;
      if (len != 3 || cmd[1] > cmd[2] || cmd[2] > info->last_page)
        return nak (tag, reply, NAK_INVALID);
      for (guint p = cmd[1]; p <= cmd[2]; p++)
        if (ntag_read_protected (tag, p))
          return nak (tag, reply, NAK_INVALID);
      ntag_count_read (tag);
      for (guint p = cmd[1]; p <= cmd[2]; p++)
        {
          ntag_read_page (tag, p, buf);
          g_byte_array_append (reply, buf, 4);
        }
      return EC_EMU_REPLY_DATA;

    case 0xa2:                                      /* WRITE page d0..d3 */
      *op = EC_EMU_OP_WRITE;
      if (len != 6 || !ntag_write_page (tag, cmd[1], cmd + 2, mode, rand))
        return nak (tag, reply, NAK_INVALID);
      return mode == EC_EMU_WRITE_TORN ? EC_EMU_REPLY_NONE : EC_EMU_REPLY_ACK;

    case 0xa0:                                      /* COMPATIBILITY_WRITE page [16 bytes] */
      *op = EC_EMU_OP_COMPAT_WRITE;
      if (easy)
        {
          /* The PN532 runs both phases; only the first 4 data bytes are written. */
          if (len != 18 || cmd[1] > info->last_page || cmd[1] < 2)
            return nak (tag, reply, NAK_INVALID);
          if (!ntag_write_page (tag, cmd[1], cmd + 2, mode, rand))
            return nak (tag, reply, NAK_INVALID);
          return mode == EC_EMU_WRITE_TORN ? EC_EMU_REPLY_NONE : EC_EMU_REPLY_ACK;
        }
      if (len != 2 || cmd[1] > info->last_page || cmd[1] < 2)
        return nak (tag, reply, NAK_INVALID);
      tag->compat_page = cmd[1];
      return EC_EMU_REPLY_ACK;

    case 0x3c:                                      /* READ_SIG 00 */
      {
        guint8 sig[32];
        *op = EC_EMU_OP_READ_SIG;
        if (len != 2 || cmd[1] != 0x00)
          return nak (tag, reply, NAK_INVALID);
        ntag_signature (tag, sig);
        g_byte_array_append (reply, sig, sizeof sig);
        return EC_EMU_REPLY_DATA;
      }

    case 0x1b:                                      /* PWD_AUTH pwd(4) -> PACK */
      {
        guint limit = ACCESS (tag) & ACCESS_AUTHLIM;
        *op = EC_EMU_OP_PWD_AUTH;
        if (len != 5)
          return nak (tag, reply, NAK_INVALID);
        if (limit != 0 && tag->auth_failures >= (1u << limit))
          return nak (tag, reply, NAK_AUTH_LIMIT);
        if (memcmp (cmd + 1, PAGE (tag, PWD_PAGE (tag)), 4) != 0)
          {
            if (limit != 0)
              tag->auth_failures++;
            return nak (tag, reply, NAK_INVALID);
          }
        tag->auth_failures = 0;
        tag->authenticated = TRUE;
        g_byte_array_append (reply, PAGE (tag, PACK_PAGE (tag)), 2);
        return EC_EMU_REPLY_DATA;
      }

    case 0x39:                                      /* READ_CNT 02 */
      {
        guint8 cnt[3] = {
          (guint8) (tag->nfc_counter & 0xff),
          (guint8) ((tag->nfc_counter >> 8) & 0xff),
          (guint8) ((tag->nfc_counter >> 16) & 0xff),
        };
        *op = EC_EMU_OP_READ_CNT;
        if (len != 2 || cmd[1] != 0x02 || !(ACCESS (tag) & ACCESS_NFC_CNT_EN))
          return nak (tag, reply, NAK_INVALID);
        g_byte_array_append (reply, cnt, sizeof cnt);
        return EC_EMU_REPLY_DATA;
      }

    case 0x50:                                      /* HLTA */
      *op = EC_EMU_OP_ACTIVATION;
      ec_emu_tag_halt (tag);
      return EC_EMU_REPLY_NONE;

    default:
      /* Unknown command: the tag falls back to IDLE without answering. */
      *op = EC_EMU_OP_OTHER;
      tag->authenticated = FALSE;
      tag->active = FALSE;
      return EC_EMU_REPLY_NONE;
    }
}

/* ---------------------------------------------------------------------------
 * MIFARE Classic 1K: keys are checked, the Crypto1 cipher itself is not emulated
 * (so raw frames other than activation go unanswered). */

static EcEmuReply
mfc_command (EcEmuTag       *tag,
             const guint8   *cmd,
             gsize           len,
             gboolean        easy,
             GByteArray     *reply,
             EcEmuOp        *op)
{
  switch (cmd[0])
    {
    case 0x60:
    case 0x61:                                      /* AUTH A/B block key(6) uid(4) */
      {
        const guint8 *trailer;
        *op = EC_EMU_OP_MFC_AUTH;
        if (!easy || len != 12 || cmd[1] >= 64 || memcmp (cmd + 8, tag->uid, 4) != 0)
          return EC_EMU_REPLY_NONE;
        trailer = tag->mem + ((cmd[1] / 4) * 4 + 3) * 16;
        if (memcmp (cmd + 2, cmd[0] == 0x60 ? trailer : trailer + 10, 6) != 0)
          {
            ec_emu_tag_halt (tag);
            return EC_EMU_REPLY_AUTH_FAILED;
          }
        tag->mfc_sector = cmd[1] / 4;
        return EC_EMU_REPLY_ACK;
      }

    case 0x30:                                      /* READ block */
      *op = EC_EMU_OP_READ;
      if (!easy || len != 2 || cmd[1] >= 64 || tag->mfc_sector != cmd[1] / 4)
        return nak (tag, reply, NAK_INVALID);
      if (cmd[1] % 4 == 3)
        {
          /* Trailer: key A reads as zeros. */
          guint8 t[16];
          memcpy (t, tag->mem + (gsize) cmd[1] * 16, 16);
          memset (t, 0, 6);
          g_byte_array_append (reply, t, 16);
        }
      else
        g_byte_array_append (reply, tag->mem + (gsize) cmd[1] * 16, 16);
      return EC_EMU_REPLY_DATA;

    case 0xa0:                                      /* WRITE block + 16 bytes */
      *op = EC_EMU_OP_WRITE;
      if (!easy || len != 18 || cmd[1] == 0 || cmd[1] >= 64 || tag->mfc_sector != cmd[1] / 4)
        return nak (tag, reply, NAK_INVALID);
      memcpy (tag->mem + (gsize) cmd[1] * 16, cmd + 2, 16);
      return EC_EMU_REPLY_ACK;

    case 0x50:
      *op = EC_EMU_OP_ACTIVATION;
      ec_emu_tag_halt (tag);
      return EC_EMU_REPLY_NONE;

    default:
      *op = EC_EMU_OP_OTHER;
      tag->active = FALSE;
      return EC_EMU_REPLY_NONE;
    }
}

/* ---------------------------------------------------------------------------
 * ISO 14443-4: through InDataExchange the PN532 handles the block protocol and
 * we see APDUs; raw frames are I-, R- and S-blocks. */

static void
apdu_answer (const guint8 *apdu,
             gsize         len,
             GByteArray   *reply)
{
  static const guint8 file_not_found[] = { 0x6a, 0x82 };
  static const guint8 ins_not_supported[] = { 0x6d, 0x00 };
  static const guint8 cla_not_supported[] = { 0x6e, 0x00 };

  if (len >= 2 && apdu[0] == 0x00 && apdu[1] == 0xa4)
    g_byte_array_append (reply, file_not_found, 2);
  else if (len >= 1 && apdu[0] == 0x90)
    {
      static const guint8 desfire_illegal[] = { 0x91, 0x1c };
      g_byte_array_append (reply, desfire_illegal, 2);
    }
  else if (len >= 1 && apdu[0] != 0x00)
    g_byte_array_append (reply, cla_not_supported, 2);
  else
    g_byte_array_append (reply, ins_not_supported, 2);
}

static EcEmuReply
iso4_command (EcEmuTag       *tag,
              const guint8   *cmd,
              gsize           len,
              gboolean        easy,
              GByteArray     *reply,
              EcEmuOp        *op)
{
  *op = EC_EMU_OP_APDU;
  if (easy)
    {
      apdu_answer (cmd, len, reply);
      return EC_EMU_REPLY_DATA;
    }

  if (cmd[0] == 0xe0 && len == 2)                   /* RATS */
    {
      guint8 ats[16];
      gsize n = ec_emu_tag_ats (tag, ats, sizeof ats);
      *op = EC_EMU_OP_ACTIVATION;
      g_byte_array_append (reply, ats, (guint) n);
      return EC_EMU_REPLY_DATA;
    }
  if ((cmd[0] & 0xe6) == 0xa2 && len == 1)          /* R-block: answer R(ACK) */
    {
      guint8 r = (guint8) (0xa2 | (tag->iso_block & 1));
      g_byte_array_append (reply, &r, 1);
      return EC_EMU_REPLY_DATA;
    }
  if ((cmd[0] & 0xe2) == 0x02 && len >= 1)          /* I-block */
    {
      guint8 pcb = cmd[0] & 0x03;                   /* no CID/NAD in our replies */
      tag->iso_block = (guint8) ((cmd[0] & 1) ^ 1);
      g_byte_array_append (reply, &pcb, 1);
      apdu_answer (cmd + 1, len - 1, reply);
      return EC_EMU_REPLY_DATA;
    }
  if (cmd[0] == 0xc2 && len == 1)                   /* S(DESELECT) */
    {
      ec_emu_tag_halt (tag);
      g_byte_array_append (reply, cmd, 1);
      return EC_EMU_REPLY_DATA;
    }
  *op = EC_EMU_OP_OTHER;
  return EC_EMU_REPLY_NONE;
}

/* ---------------------------------------------------------------------------
 * Activation frames sent raw (InCommunicateThru), then dispatch. */

static EcEmuReply
activation (EcEmuTag     *tag,
            const guint8 *cmd,
            gsize         len,
            guint         last_bits,
            GByteArray   *reply,
            gboolean     *has_crc,
            gboolean     *handled)
{
  guint8 cl[5];
  gboolean seven = tag->uid_len == 7;

  *handled = TRUE;
  if (len == 1 && last_bits == 7 && (cmd[0] == 0x26 || cmd[0] == 0x52))
    {
      guint8 atqa[2];
      if (cmd[0] == 0x26 && tag->halted)
        return EC_EMU_REPLY_NONE;                   /* REQA does not wake a halted tag */
      tag->halted = FALSE;
      tag->active = FALSE;
      tag->ready = 1;
      tag->authenticated = FALSE;
      tag->compat_page = -1;
      ec_emu_tag_atqa (tag, atqa);
      /* On air ATQA is sent LSB first: byte order 44 00 for NTAG. */
      g_byte_array_append (reply, (guint8[]) { atqa[1], atqa[0] }, 2);
      *has_crc = FALSE;
      return EC_EMU_REPLY_DATA;
    }
  if (len >= 2 && (cmd[0] == 0x93 || cmd[0] == 0x95) && last_bits == 0)
    {
      gboolean level2 = cmd[0] == 0x95;
      if (tag->ready != (level2 ? 2 : 1))
        return EC_EMU_REPLY_NONE;
      if (level2 && !seven)
        return EC_EMU_REPLY_NONE;
      if (seven && !level2)
        {
          cl[0] = 0x88;
          memcpy (cl + 1, tag->uid, 3);
        }
      else
        memcpy (cl, seven ? tag->uid + 3 : tag->uid, 4);
      cl[4] = (guint8) (cl[0] ^ cl[1] ^ cl[2] ^ cl[3]);
      if (cmd[1] == 0x20 && len == 2)
        {
          g_byte_array_append (reply, cl, 5);
          *has_crc = FALSE;
          return EC_EMU_REPLY_DATA;
        }
      if (cmd[1] == 0x70 && len == 7)
        {
          guint8 sak;
          if (memcmp (cmd + 2, cl, 5) != 0)
            return EC_EMU_REPLY_NONE;
          sak = (seven && !level2) ? 0x04 : ec_emu_tag_sak (tag);
          if (seven && !level2)
            tag->ready = 2;
          else
            ec_emu_tag_select (tag, TRUE);
          g_byte_array_append (reply, &sak, 1);
          *has_crc = TRUE;
          return EC_EMU_REPLY_DATA;
        }
      return EC_EMU_REPLY_NONE;
    }
  *handled = FALSE;
  return EC_EMU_REPLY_NONE;
}

EcEmuOp
ec_emu_tag_classify (const EcEmuTag *tag,
                     const guint8   *cmd,
                     gsize           len,
                     gboolean        easy)
{
  if (len == 0)
    return EC_EMU_OP_OTHER;
  if (tag->type == EC_EMU_TAG_ISO14443_4)
    return EC_EMU_OP_APDU;
  if (ec_emu_tag_type_is_ntag (tag->type) && tag->compat_page >= 0 && !easy)
    return EC_EMU_OP_COMPAT_WRITE;
  switch (cmd[0])
    {
    case 0x30: return EC_EMU_OP_READ;
    case 0x3a: return EC_EMU_OP_FAST_READ;
    case 0xa2: return EC_EMU_OP_WRITE;
    case 0xa0: return tag->type == EC_EMU_TAG_MFC1K ? EC_EMU_OP_WRITE : EC_EMU_OP_COMPAT_WRITE;
    case 0x60: return tag->type == EC_EMU_TAG_MFC1K ? EC_EMU_OP_MFC_AUTH : EC_EMU_OP_GET_VERSION;
    case 0x61: return tag->type == EC_EMU_TAG_MFC1K ? EC_EMU_OP_MFC_AUTH : EC_EMU_OP_OTHER;
    case 0x3c: return EC_EMU_OP_READ_SIG;
    case 0x1b: return EC_EMU_OP_PWD_AUTH;
    case 0x39: return EC_EMU_OP_READ_CNT;
    case 0x26: case 0x52: case 0x93: case 0x95: case 0x50: case 0xe0:
      return EC_EMU_OP_ACTIVATION;
    default: return EC_EMU_OP_OTHER;
    }
}

EcEmuReply
ec_emu_tag_transceive (EcEmuTag       *tag,
                       const guint8   *cmd,
                       gsize           len,
                       guint           last_bits,
                       gboolean        easy,
                       EcEmuWriteMode  mode,
                       GRand          *rand,
                       GByteArray     *reply,
                       EcEmuOp        *op,
                       gboolean       *reply_has_crc)
{
  gboolean handled = FALSE;
  EcEmuReply r;

  *op = EC_EMU_OP_OTHER;
  *reply_has_crc = TRUE;
  if (len == 0)
    return EC_EMU_REPLY_NONE;

  if (!easy)
    {
      r = activation (tag, cmd, len, last_bits, reply, reply_has_crc, &handled);
      if (handled)
        {
          *op = EC_EMU_OP_ACTIVATION;
          return r;
        }
      if (last_bits != 0)
        return EC_EMU_REPLY_NONE;                   /* other short frames: no answer */
    }
  if (!tag->active)
    return EC_EMU_REPLY_NONE;

  switch (tag->type)
    {
    case EC_EMU_TAG_NTAG213:
    case EC_EMU_TAG_NTAG215:
    case EC_EMU_TAG_NTAG216:
      return ntag_command (tag, cmd, len, easy, mode, rand, reply, op);
    case EC_EMU_TAG_MFC1K:
      return mfc_command (tag, cmd, len, easy, reply, op);
    case EC_EMU_TAG_ISO14443_4:
      return iso4_command (tag, cmd, len, easy, reply, op);
    default:
      return EC_EMU_REPLY_NONE;
    }
}
