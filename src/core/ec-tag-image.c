/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ec-tag-image"

#include "ec-tag-image.h"

#include <string.h>

#include "ec-error.h"
#include "ec-file.h"
#include "ec-i18n.h"

static const EcTagInfo tag_info[] = {
  { EC_TAG_NTAG213, "ntag213", 0x2D, 0x27, 144, 0x12, 144, 0x0F, 0x28, 0x29, 0x2A, 0x2B, 0x2C },
  { EC_TAG_NTAG215, "ntag215", 0x87, 0x81, 504, 0x3E, 496, 0x11, 0x82, 0x83, 0x84, 0x85, 0x86 },
  { EC_TAG_NTAG216, "ntag216", 0xE7, 0xE1, 888, 0x6D, 872, 0x13, 0xE2, 0xE3, 0xE4, 0xE5, 0xE6 },
};

const EcTagInfo *
ec_tag_type_info (EcTagType type)
{
  switch (type)
    {
    case EC_TAG_NTAG213:
    case EC_TAG_NTAG215:
    case EC_TAG_NTAG216:
      return &tag_info[type];
    default:
      g_return_val_if_reached (&tag_info[EC_TAG_NTAG213]);
    }
}

const char *
ec_tag_type_to_string (EcTagType type)
{
  return ec_tag_type_info (type)->name;
}

gboolean
ec_tag_type_from_string (const char *s,
                         EcTagType  *out)
{
  for (gsize i = 0; i < G_N_ELEMENTS (tag_info); i++)
    if (g_strcmp0 (s, tag_info[i].name) == 0)
      {
        *out = tag_info[i].type;
        return TRUE;
      }
  return FALSE;
}

gboolean
ec_tag_type_from_storage_byte (guint8     storage,
                               EcTagType *out)
{
  for (gsize i = 0; i < G_N_ELEMENTS (tag_info); i++)
    if (tag_info[i].storage_byte == storage)
      {
        *out = tag_info[i].type;
        return TRUE;
      }
  return FALSE;
}

EcTagImage *
ec_tag_image_new_blank (EcTagType     type,
                        const guint8 *uid,
                        GError      **error)
{
  const EcTagInfo *info = ec_tag_type_info (type);
  g_autoptr(EcTagImage) img = NULL;

  if (uid == NULL || uid[0] != 0x04)
    {
      g_set_error (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID,
                   _("a tag UID must be 7 bytes starting with 04 (NXP)"));
      return NULL;
    }
  img = g_new0 (EcTagImage, 1);
  img->type = type;
  memcpy (img->uid, uid, EC_TAG_UID_BYTES);
  img->pages[0][0] = uid[0];
  img->pages[0][1] = uid[1];
  img->pages[0][2] = uid[2];
  img->pages[0][3] = (guint8) (0x88 ^ uid[0] ^ uid[1] ^ uid[2]);
  memcpy (img->pages[1], uid + 3, 4);
  img->pages[2][0] = (guint8) (uid[3] ^ uid[4] ^ uid[5] ^ uid[6]);
  img->pages[2][1] = 0x48;  /* internal */
  img->pages[3][0] = 0xE1;
  img->pages[3][1] = 0x10;
  img->pages[3][2] = info->cc_size;
  img->pages[3][3] = 0x00;
  img->pages[info->cfg0_page][0] = 0x04;   /* MIRROR */
  img->pages[info->cfg0_page][3] = 0xFF;   /* AUTH0: no password protection */
  img->pages[info->cfg1_page][1] = 0x05;   /* ACCESS 00, RFUI 05 */
  memset (img->pages[info->pwd_page], 0xFF, 4);
  return g_steal_pointer (&img);
}

EcTagImage *
ec_tag_image_copy (const EcTagImage *image)
{
  return g_memdup2 (image, sizeof *image);
}

void
ec_tag_image_free (EcTagImage *image)
{
  g_free (image);
}

char *
ec_tag_image_uid_hex (const EcTagImage *image)
{
  GString *s = g_string_new (NULL);

  for (int i = 0; i < EC_TAG_UID_BYTES; i++)
    g_string_append_printf (s, "%02x", image->uid[i]);
  return g_string_free (s, FALSE);
}

gboolean
ec_tag_uid_parse (const char *hex,
                  guint8      uid[EC_TAG_UID_BYTES])
{
  if (hex == NULL || strlen (hex) != 2 * EC_TAG_UID_BYTES)
    return FALSE;
  for (int i = 0; i < EC_TAG_UID_BYTES; i++)
    {
      int hi = g_ascii_xdigit_value (hex[2 * i]);
      int lo = g_ascii_xdigit_value (hex[2 * i + 1]);
      if (hi < 0 || lo < 0)
        return FALSE;
      uid[i] = (guint8) (hi << 4 | lo);
    }
  return TRUE;
}

guint8 *
ec_tag_image_page (EcTagImage *image,
                   guint       page)
{
  if (page >= ec_tag_type_info (image->type)->n_pages)
    return NULL;
  return image->pages[page];
}

const guint8 *
ec_tag_image_bytes (const EcTagImage *image,
                    gsize            *out_len)
{
  if (out_len != NULL)
    *out_len = (gsize) ec_tag_type_info (image->type)->n_pages * EC_TAG_PAGE_BYTES;
  return (const guint8 *) (const void *) image->pages;
}

gboolean
ec_tag_image_check_blank (const EcTagImage *image,
                          GError          **error)
{
  const EcTagInfo *info = ec_tag_type_info (image->type);
  const guint8 *dl = image->pages[info->dyn_lock_page];

  if (image->pages[2][2] != 0 || image->pages[2][3] != 0)
    {
      g_set_error (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID,
                   _("the tag is not blank: static lock bytes are set"));
      return FALSE;
    }
  if (image->pages[3][0] != 0xE1 || image->pages[3][1] != 0x10
      || image->pages[3][2] != info->cc_size || image->pages[3][3] != 0x00)
    {
      g_set_error (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID,
                   _("the tag is not blank: its capability container is not the factory value"));
      return FALSE;
    }
  if (dl[0] != 0 || dl[1] != 0 || dl[2] != 0)
    {
      g_set_error (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID,
                   _("the tag is not blank: dynamic lock bytes are set"));
      return FALSE;
    }
  if (image->pages[info->cfg0_page][3] != 0xFF || image->pages[info->cfg1_page][0] != 0x00)
    {
      g_set_error (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID,
                   _("the tag is not blank: password protection or access bits are set"));
      return FALSE;
    }
  return TRUE;
}

/* ---- text format ----------------------------------------------------------------- */

static gboolean
parse_fail (GError    **error,
            guint       line,
            const char *what)
{
  g_set_error (error, EC_CARD_ERROR, EC_CARD_ERROR_BAD_IMAGE,
               _("tag image line %u: %s"), line, what);
  return FALSE;
}

/* Parse exactly @n_bytes space-separated 2-digit hex bytes from [p, end). */
static gboolean
parse_hex_bytes (const char *p,
                 const char *end,
                 guint8     *out,
                 guint       n_bytes)
{
  for (guint i = 0; i < n_bytes; i++)
    {
      int hi, lo;

      if (i > 0)
        {
          if (p >= end || *p != ' ')
            return FALSE;
          p++;
        }
      if (end - p < 2)
        return FALSE;
      hi = g_ascii_xdigit_value (p[0]);
      lo = g_ascii_xdigit_value (p[1]);
      if (hi < 0 || lo < 0)
        return FALSE;
      out[i] = (guint8) (hi << 4 | lo);
      p += 2;
    }
  return p == end;
}

EcTagImage *
ec_tag_image_parse (const char *text,
                    gsize       len,
                    GError    **error)
{
  g_autoptr(EcTagImage) img = g_new0 (EcTagImage, 1);
  const char *p = text, *end = text + len;
  gboolean have_type = FALSE, have_uid = FALSE;
  guint next_page = 0, n_pages = 0, line = 0;

  if (text == NULL && len > 0)
    {
      parse_fail (error, 0, "no data");
      return NULL;
    }
  if (len > 64 * 1024)
    {
      parse_fail (error, 0, _("file too large for a tag image"));
      return NULL;
    }
  if (len > 0 && memchr (text, '\0', len) != NULL)
    {
      parse_fail (error, 0, _("NUL byte in a text file"));
      return NULL;
    }
  while (p < end)
    {
      const char *nl = memchr (p, '\n', (gsize) (end - p));
      const char *le = nl != NULL ? nl : end;
      const char *ls = p;

      line++;
      p = nl != NULL ? nl + 1 : end;
      if (le > ls && le[-1] == '\r')
        le--;
      /* trailing blanks */
      while (le > ls && (le[-1] == ' ' || le[-1] == '\t'))
        le--;
      if (le == ls || ls[0] == '#')
        continue;

      if ((gsize) (le - ls) >= 5 && memcmp (ls, "type:", 5) == 0)
        {
          g_autofree char *v = NULL;
          const char *vs = ls + 5;

          if (have_type || have_uid)
            {
              parse_fail (error, line, _("'type:' must come first, once"));
              return NULL;
            }
          while (vs < le && *vs == ' ')
            vs++;
          v = g_strndup (vs, (gsize) (le - vs));
          if (!ec_tag_type_from_string (v, &img->type))
            {
              parse_fail (error, line, _("unknown tag type (ntag213, ntag215 or ntag216)"));
              return NULL;
            }
          n_pages = ec_tag_type_info (img->type)->n_pages;
          have_type = TRUE;
          continue;
        }
      if ((gsize) (le - ls) >= 4 && memcmp (ls, "uid:", 4) == 0)
        {
          g_autofree char *v = NULL;
          const char *vs = ls + 4;

          if (!have_type || have_uid)
            {
              parse_fail (error, line, _("'uid:' must follow 'type:', once"));
              return NULL;
            }
          while (vs < le && *vs == ' ')
            vs++;
          v = g_strndup (vs, (gsize) (le - vs));
          if (!ec_tag_uid_parse (v, img->uid))
            {
              parse_fail (error, line, _("the UID must be 14 hex digits"));
              return NULL;
            }
          have_uid = TRUE;
          continue;
        }

      /* "NN: b0 b1 b2 b3" */
      {
        int hi, lo;
        guint page;

        if (!have_type || !have_uid)
          {
            parse_fail (error, line, _("pages must follow 'type:' and 'uid:'"));
            return NULL;
          }
        if (le - ls < 4 || (hi = g_ascii_xdigit_value (ls[0])) < 0
            || (lo = g_ascii_xdigit_value (ls[1])) < 0 || ls[2] != ':' || ls[3] != ' ')
          {
            parse_fail (error, line, _("expected 'NN: b0 b1 b2 b3'"));
            return NULL;
          }
        page = (guint) (hi << 4 | lo);
        if (page != next_page || page >= n_pages)
          {
            parse_fail (error, line, _("page out of order or beyond the tag's last page"));
            return NULL;
          }
        if (!parse_hex_bytes (ls + 4, le, img->pages[page], EC_TAG_PAGE_BYTES))
          {
            parse_fail (error, line, _("a page is 4 hex bytes separated by spaces"));
            return NULL;
          }
        next_page++;
      }
    }

  if (!have_type || !have_uid)
    {
      parse_fail (error, line, _("missing 'type:' or 'uid:'"));
      return NULL;
    }
  if (next_page != n_pages)
    {
      g_set_error (error, EC_CARD_ERROR, EC_CARD_ERROR_BAD_IMAGE,
                   _("tag image has %u of the %u pages of an %s"), next_page, n_pages,
                   ec_tag_type_to_string (img->type));
      return NULL;
    }
  return g_steal_pointer (&img);
}

char *
ec_tag_image_to_string (const EcTagImage *image)
{
  const EcTagInfo *info = ec_tag_type_info (image->type);
  g_autofree char *uid = ec_tag_image_uid_hex (image);
  GString *s = g_string_new ("# eldercard tag image 1\n");

  g_string_append_printf (s, "type: %s\nuid: %s\n", info->name, uid);
  for (guint p = 0; p < info->n_pages; p++)
    g_string_append_printf (s, "%02x: %02x %02x %02x %02x\n", p, image->pages[p][0],
                            image->pages[p][1], image->pages[p][2], image->pages[p][3]);
  return g_string_free (s, FALSE);
}

EcTagImage *
ec_tag_image_load_file (const char *path,
                        GError    **error)
{
  g_autofree char *text = NULL;
  gsize len = 0;
  g_autoptr(GError) local = NULL;
  EcTagImage *img;

  /* The largest image (NTAG216, 231 pages) is about 4 KiB of text. */
  if (!ec_file_read_bounded (path, 64 * 1024, 0, &text, &len, error))
    return NULL;
  img = ec_tag_image_parse (text, len, &local);
  if (img == NULL)
    {
      g_set_error (error, local->domain, local->code, "%s: %s", path, local->message);
      return NULL;
    }
  return img;
}

gboolean
ec_tag_image_save_file (const EcTagImage *image,
                        const char       *path,
                        GError          **error)
{
  g_autofree char *text = ec_tag_image_to_string (image);

  return g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644, error);
}
