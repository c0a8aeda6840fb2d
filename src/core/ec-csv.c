/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-csv.c: the RFC 4180 reader, residents <-> CSV rows (docs/csv.md), JSON export. */
#define G_LOG_DOMAIN "ec-csv"

#include "ec-csv.h"
#include "ec-db-private.h"

#include <string.h>
#include <json-glib/json-glib.h>

#include "ec-error.h"
#include "ec-file.h"
#include "ec-i18n.h"

#define READER_FIELD_MAX (1024 * 1024)
#define PHOTO_B64_MAX    (((EC_DB_PHOTO_MAX_BYTES + 2) / 3) * 4)

/* ------------------------------------------------------------------------- */
/* Reader */

struct _EcCsvReader
{
  const char *data;
  gsize       len;
  gsize       pos;
  guint       line;
  char       *filename;
  GPtrArray  *fields;
  GString    *buf;
  gboolean    failed;
};

EcCsvReader *
ec_csv_reader_new (const char *data,
                   gsize       len,
                   const char *filename)
{
  EcCsvReader *r = g_new0 (EcCsvReader, 1);

  r->data = data;
  r->len = data != NULL ? len : 0;
  r->line = 1;
  r->filename = g_strdup (filename != NULL ? filename : "<input>");
  r->fields = g_ptr_array_new_with_free_func (g_free);
  r->buf = g_string_new (NULL);
  /* A UTF-8 byte order mark, as spreadsheet programs write it. */
  if (r->len >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0)
    r->pos = 3;
  return r;
}

void
ec_csv_reader_free (EcCsvReader *r)
{
  if (r == NULL)
    return;
  g_free (r->filename);
  g_ptr_array_unref (r->fields);
  g_string_free (r->buf, TRUE);
  g_free (r);
}

G_GNUC_PRINTF (6, 7) static void
import_error (GError    **error,
              EcImportError code,
              const char *filename,
              guint       line,
              guint       column,
              const char *fmt,
              ...)
{
  g_autofree char *msg = NULL;
  va_list ap;

  va_start (ap, fmt);
  msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  if (column > 0)
    g_set_error (error, EC_IMPORT_ERROR, code, "%s:%u:%u: %s", filename, line, column, msg);
  else
    g_set_error (error, EC_IMPORT_ERROR, code, "%s:%u: %s", filename, line, msg);
}

static gboolean
finish_field (EcCsvReader *r,
              guint        field_line,
              GError     **error)
{
  guint column = r->fields->len + 1;
  const char *bad = NULL;

  if (memchr (r->buf->str, '\0', r->buf->len) != NULL)
    {
      import_error (error, EC_IMPORT_ERROR_ENCODING, r->filename, field_line, column,
                    _("the field contains a NUL byte"));
      return FALSE;
    }
  if (!g_utf8_validate (r->buf->str, (gssize) r->buf->len, &bad))
    {
      import_error (error, EC_IMPORT_ERROR_ENCODING, r->filename, field_line, column,
                    _("not valid UTF-8 (byte %zu of the field); save the file as UTF-8"),
                    (gsize) (bad - r->buf->str) + 1);
      return FALSE;
    }
  g_ptr_array_add (r->fields, g_strndup (r->buf->str, r->buf->len));
  g_string_truncate (r->buf, 0);
  return TRUE;
}

static gboolean
append_char (EcCsvReader *r,
             char         c,
             guint        field_line,
             GError     **error)
{
  if (r->buf->len >= READER_FIELD_MAX)
    {
      import_error (error, EC_IMPORT_ERROR_OVERSIZE, r->filename, field_line, r->fields->len + 1,
                    _("the field is longer than %d bytes"), READER_FIELD_MAX);
      return FALSE;
    }
  g_string_append_c (r->buf, c);
  return TRUE;
}

gboolean
ec_csv_reader_next (EcCsvReader  *r,
                    GPtrArray   **out_fields,
                    guint        *out_line,
                    GError      **error)
{
  const char *d = r->data;

  g_return_val_if_fail (r != NULL, FALSE);

  g_ptr_array_set_size (r->fields, 0);
  g_string_truncate (r->buf, 0);
  if (r->failed)
    return FALSE;

  /* Skip blank lines between records. */
  while (r->pos < r->len && (d[r->pos] == '\n' || (d[r->pos] == '\r' && r->pos + 1 < r->len && d[r->pos + 1] == '\n')))
    {
      r->pos += d[r->pos] == '\r' ? 2 : 1;
      r->line++;
    }
  if (r->pos >= r->len)
    return FALSE;

  *out_line = r->line;
  for (;;)
    {
      guint field_line = r->line;
      gboolean end_of_record = FALSE;

      if (r->pos < r->len && d[r->pos] == '"')
        {
          guint start_line = r->line;
          r->pos++;
          for (;;)
            {
              if (r->pos >= r->len)
                {
                  import_error (error, EC_IMPORT_ERROR_SYNTAX, r->filename, start_line, r->fields->len + 1,
                                _("a quoted field is never closed"));
                  goto fail;
                }
              if (d[r->pos] == '"')
                {
                  if (r->pos + 1 < r->len && d[r->pos + 1] == '"')
                    {
                      if (!append_char (r, '"', field_line, error))
                        goto fail;
                      r->pos += 2;
                      continue;
                    }
                  r->pos++;
                  break;
                }
              if (d[r->pos] == '\n')
                r->line++;
              if (!append_char (r, d[r->pos], field_line, error))
                goto fail;
              r->pos++;
            }
          if (r->pos < r->len && d[r->pos] != ',' && d[r->pos] != '\n' &&
              !(d[r->pos] == '\r' && r->pos + 1 < r->len && d[r->pos + 1] == '\n'))
            {
              import_error (error, EC_IMPORT_ERROR_SYNTAX, r->filename, r->line, r->fields->len + 1,
                            _("unexpected text after a closing quote (write \"\" for a quote inside a quoted field)"));
              goto fail;
            }
        }
      else
        {
          while (r->pos < r->len && d[r->pos] != ',' && d[r->pos] != '\n' &&
                 !(d[r->pos] == '\r' && r->pos + 1 < r->len && d[r->pos + 1] == '\n'))
            {
              if (d[r->pos] == '"')
                {
                  import_error (error, EC_IMPORT_ERROR_SYNTAX, r->filename, r->line, r->fields->len + 1,
                                _("a quote inside an unquoted field (quote the whole field)"));
                  goto fail;
                }
              if (!append_char (r, d[r->pos], field_line, error))
                goto fail;
              r->pos++;
            }
        }
      if (!finish_field (r, field_line, error))
        goto fail;

      if (r->pos >= r->len)
        end_of_record = TRUE;
      else if (d[r->pos] == ',')
        r->pos++;
      else
        {
          r->pos += d[r->pos] == '\r' ? 2 : 1;
          r->line++;
          end_of_record = TRUE;
        }
      if (end_of_record)
        break;
      if (r->fields->len >= 4096)
        {
          import_error (error, EC_IMPORT_ERROR_COLUMNS, r->filename, *out_line, 0,
                        _("more than 4096 fields in one row"));
          goto fail;
        }
      /* A trailing comma before the end: one more, empty field. */
      if (r->pos >= r->len)
        {
          if (!finish_field (r, field_line, error))
            goto fail;
          break;
        }
    }
  *out_fields = r->fields;
  return TRUE;

fail:
  r->failed = TRUE;
  g_ptr_array_set_size (r->fields, 0);
  return FALSE;
}

/* ------------------------------------------------------------------------- */
/* Columns */

typedef enum
{
  COL_ID, COL_NAME_ZH, COL_NAME_PINYIN, COL_SEX, COL_DOB, COL_ADDRESS, COL_BUILDING_UNIT,
  COL_PHONE, COL_BLOOD_TYPE, COL_LANGUAGE, COL_DNR, COL_DIRECTIVE_LOCATION, COL_WANDERING,
  COL_COMM_NEEDS, COL_COMM_NOTES, COL_IMPLANTS, COL_GP, COL_SOCIAL_WORKER, COL_NOTES,
  COL_ALLERGY_STATUS, COL_CONDITIONS, COL_ALLERGIES, COL_MEDICATIONS, COL_CONTACTS,
  COL_PHOTO_MIME, COL_PHOTO_BASE64, COL_RECORD_VERSION, COL_UPDATED_AT, COL_UPDATED_BY,
  N_COLS
} Col;

static const char *const col_names[N_COLS] = {
  "id", "name_zh", "name_pinyin", "sex", "date_of_birth", "address", "building_unit",
  "phone", "blood_type", "language", "dnr", "directive_location", "wandering",
  "comm_needs", "comm_notes", "implants", "gp", "social_worker", "notes",
  "allergy_status", "conditions", "allergies", "medications", "contacts",
  "photo_mime", "photo_base64", "record_version", "updated_at", "updated_by",
};

static const struct { const char *name; guint bit; } comm_names[] = {
  { "hearing", EC_COMM_HEARING }, { "speech", EC_COMM_SPEECH }, { "dementia", EC_COMM_DEMENTIA },
  { "vision", EC_COMM_VISION }, { "language", EC_COMM_LANGUAGE },
};

static const struct { const char *zh, *en; guint bit; } slot_names[] = {
  { "早", "morning", EC_SCHED_MORNING }, { "中", "noon", EC_SCHED_NOON },
  { "晚", "evening", EC_SCHED_EVENING }, { "睡前", "night", EC_SCHED_NIGHT },
};

/* Context for errors in one row. */
typedef struct
{
  const char *filename;
  guint       line;
  const int  *field_of;   /* Col -> field index, -1 if the column is absent */
} Row;

static guint
column_of (const Row *row, Col c)
{
  return row->field_of[c] >= 0 ? (guint) row->field_of[c] + 1 : 0;
}

G_GNUC_PRINTF (5, 6) static void
row_error (const Row *row, GError **error, EcImportError code, Col c, const char *fmt, ...)
{
  g_autofree char *msg = NULL;
  va_list ap;

  va_start (ap, fmt);
  msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  import_error (error, code, row->filename, row->line, column_of (row, c), "%s: %s", col_names[c], msg);
}

/* Split at unescaped @sep, keeping escapes for the next level. */
static GPtrArray *
split_raw (const char *s, char sep)
{
  GPtrArray *parts = g_ptr_array_new_with_free_func (g_free);
  const char *start = s;

  for (const char *p = s;; p++)
    {
      if (*p == '\\' && p[1] != '\0')
        {
          p++;
          continue;
        }
      if (*p == sep || *p == '\0')
        {
          g_ptr_array_add (parts, g_strndup (start, (gsize) (p - start)));
          if (*p == '\0')
            break;
          start = p + 1;
        }
    }
  return parts;
}

/* Leaf value: trim ASCII spaces, undo backslash escapes; NULL for empty. FALSE for a
 * lone trailing backslash. */
static gboolean
unescape_leaf (const char *s, char **out)
{
  GString *o = g_string_new (NULL);
  const char *end;

  while (*s == ' ')
    s++;
  end = s + strlen (s);
  while (end > s && end[-1] == ' ' && !(end - 1 > s && end[-2] == '\\'))
    end--;
  for (const char *p = s; p < end; p++)
    {
      if (*p == '\\')
        {
          if (p + 1 >= end)
            {
              g_string_free (o, TRUE);
              return FALSE;
            }
          p++;
        }
      g_string_append_c (o, *p);
    }
  if (o->len == 0)
    {
      g_string_free (o, TRUE);
      *out = NULL;
    }
  else
    *out = g_string_free (o, FALSE);
  return TRUE;
}

static gboolean
is_blank (const char *s)
{
  for (; *s; s++)
    if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
      return FALSE;
  return TRUE;
}

/* Entries of a repeated column: @min..@max sub-fields each, unescaped. */
static gboolean
parse_entries (const Row *row, Col c, const char *value, guint min, guint max,
               GPtrArray **out_entries /* GPtrArray of char*[] (GStrv with NULLs as "") */,
               GError **error)
{
  g_autoptr(GPtrArray) entries = split_raw (value, ';');
  g_autoptr(GPtrArray) result = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);

  for (guint i = 0; i < entries->len; i++)
    {
      g_autoptr(GPtrArray) subs = NULL;
      GPtrArray *leaves;

      if (is_blank (entries->pdata[i]))
        continue;
      subs = split_raw (entries->pdata[i], '|');
      if (subs->len < min || subs->len > max)
        {
          row_error (row, error, EC_IMPORT_ERROR_SYNTAX, c,
                     _("entry %u has %u parts separated by “|”; expected %u to %u"),
                     i + 1, subs->len, min, max);
          return FALSE;
        }
      leaves = g_ptr_array_new_with_free_func (g_free);
      g_ptr_array_add (result, leaves);
      for (guint j = 0; j < max; j++)
        {
          char *leaf = NULL;
          if (j < subs->len && !unescape_leaf (subs->pdata[j], &leaf))
            {
              row_error (row, error, EC_IMPORT_ERROR_SYNTAX, c,
                         _("entry %u ends with a lone backslash"), i + 1);
              return FALSE;
            }
          g_ptr_array_add (leaves, leaf);
        }
    }
  *out_entries = g_steal_pointer (&result);
  return TRUE;
}

#define LEAF(e, i) ((char *) g_ptr_array_index ((e), (i)))
#define TAKE(e, i) ((char *) g_steal_pointer (&g_ptr_array_index ((e), (i))))

static gboolean
parse_plus_set (const char *s, gboolean slots, guint *out)
{
  g_auto(GStrv) parts = g_strsplit (s, "+", -1);
  guint v = 0;

  for (char **p = parts; *p != NULL; p++)
    {
      g_autofree char *t = g_strstrip (g_strdup (*p));
      gboolean found = FALSE;
      if (t[0] == '\0' || (!slots && g_ascii_strcasecmp (t, "none") == 0))
        continue;
      if (slots)
        {
          for (gsize i = 0; i < G_N_ELEMENTS (slot_names); i++)
            if (strcmp (t, slot_names[i].zh) == 0 || g_ascii_strcasecmp (t, slot_names[i].en) == 0)
              {
                v |= slot_names[i].bit;
                found = TRUE;
              }
        }
      else
        {
          for (gsize i = 0; i < G_N_ELEMENTS (comm_names); i++)
            if (g_ascii_strcasecmp (t, comm_names[i].name) == 0)
              {
                v |= comm_names[i].bit;
                found = TRUE;
              }
        }
      if (!found)
        return FALSE;
    }
  *out = v;
  return TRUE;
}

static gboolean
valid_base64 (const char *s)
{
  gsize n = strlen (s), pad = 0;

  if (n % 4 != 0)
    return FALSE;
  for (gsize i = 0; i < n; i++)
    {
      char c = s[i];
      if (c == '=')
        {
          if (i < n - 2)
            return FALSE;
          pad++;
        }
      else if (pad > 0 || !(g_ascii_isalnum (c) || c == '+' || c == '/'))
        return FALSE;
    }
  return TRUE;
}

static const char *
field (GPtrArray *fields, const Row *row, Col c)
{
  return row->field_of[c] >= 0 ? fields->pdata[row->field_of[c]] : "";
}

/* Set *dst to the value, NULL when empty. */
static void
take_text (char **dst, const char *v)
{
  g_free (*dst);
  *dst = v[0] != '\0' ? g_strdup (v) : NULL;
}

#define ENUM_COL(col, func, dst, what)                                                   \
  G_STMT_START {                                                                         \
    const char *v_ = field (fields, row, col);                                           \
    if (v_[0] != '\0' && !func (v_, &(dst)))                                             \
      {                                                                                  \
        row_error (row, error, EC_IMPORT_ERROR_ENUM, col, _("“%s” is not %s"), v_, what);\
        return NULL;                                                                     \
      }                                                                                  \
  } G_STMT_END

static EcResident *
row_to_resident (GPtrArray *fields, const Row *row, GError **error)
{
  g_autoptr(EcResident) r = ec_resident_new ();
  const char *v;

  /* Sizes first: nothing else is worth checking in an oversize field. */
  for (int c = 0; c < N_COLS; c++)
    {
      gsize limit = c == COL_PHOTO_BASE64 ? PHOTO_B64_MAX : EC_CSV_FIELD_MAX;
      if (strlen (field (fields, row, (Col) c)) > limit)
        {
          row_error (row, error, EC_IMPORT_ERROR_OVERSIZE, (Col) c,
                     _("%zu bytes; at most %zu are allowed"), strlen (field (fields, row, (Col) c)), limit);
          return NULL;
        }
    }

  v = field (fields, row, COL_ID);
  if (v[0] != '\0' && !ec_resident_id_parse (v, &r->id))
    {
      row_error (row, error, EC_IMPORT_ERROR_SYNTAX, COL_ID, _("“%s” is not a resident id (16 hex digits)"), v);
      return NULL;
    }
  v = field (fields, row, COL_NAME_ZH);
  if (is_blank (v))
    {
      row_error (row, error, EC_IMPORT_ERROR_MISSING, COL_NAME_ZH, _("the name is required"));
      return NULL;
    }
  take_text (&r->name_zh, v);
  take_text (&r->name_pinyin, field (fields, row, COL_NAME_PINYIN));
  ENUM_COL (COL_SEX, ec_sex_from_string, r->sex, "female, male, other or unknown");
  v = field (fields, row, COL_DOB);
  if (v[0] != '\0' && !_ec_db_valid_date (v, FALSE))
    {
      row_error (row, error, EC_IMPORT_ERROR_DATE, COL_DOB, _("“%s” is not a date (YYYY-MM-DD)"), v);
      return NULL;
    }
  take_text (&r->date_of_birth, v);
  take_text (&r->address, field (fields, row, COL_ADDRESS));
  take_text (&r->building_unit, field (fields, row, COL_BUILDING_UNIT));
  take_text (&r->phone, field (fields, row, COL_PHONE));
  ENUM_COL (COL_BLOOD_TYPE, ec_blood_type_from_string, r->blood_type, "A+, A-, B+, B-, AB+, AB-, O+, O- or unknown");
  take_text (&r->language, field (fields, row, COL_LANGUAGE));
  ENUM_COL (COL_DNR, ec_dnr_from_string, r->dnr, "full, dnr, limited or unknown");
  take_text (&r->directive_location, field (fields, row, COL_DIRECTIVE_LOCATION));
  ENUM_COL (COL_WANDERING, ec_wandering_from_string, r->wandering, "none, at-risk or unknown");
  v = field (fields, row, COL_COMM_NEEDS);
  if (!parse_plus_set (v, FALSE, &r->comm_needs))
    {
      row_error (row, error, EC_IMPORT_ERROR_ENUM, COL_COMM_NEEDS,
                 _("“%s” is not a “+”-list of hearing, speech, dementia, vision, language"), v);
      return NULL;
    }
  take_text (&r->comm_notes, field (fields, row, COL_COMM_NOTES));
  take_text (&r->implants, field (fields, row, COL_IMPLANTS));
  take_text (&r->gp, field (fields, row, COL_GP));
  take_text (&r->social_worker, field (fields, row, COL_SOCIAL_WORKER));
  take_text (&r->notes, field (fields, row, COL_NOTES));

  /* Conditions: text|icd10|since */
  {
    g_autoptr(GPtrArray) es = NULL;
    if (!parse_entries (row, COL_CONDITIONS, field (fields, row, COL_CONDITIONS), 1, 3, &es, error))
      return NULL;
    for (guint i = 0; i < es->len; i++)
      {
        GPtrArray *e = es->pdata[i];
        EcCondition *c;
        if (LEAF (e, 0) == NULL)
          {
            row_error (row, error, EC_IMPORT_ERROR_MISSING, COL_CONDITIONS, _("entry %u has no text"), i + 1);
            return NULL;
          }
        if (LEAF (e, 2) != NULL && !_ec_db_valid_date (LEAF (e, 2), TRUE))
          {
            row_error (row, error, EC_IMPORT_ERROR_DATE, COL_CONDITIONS,
                       _("entry %u: “%s” is not a date (YYYY, YYYY-MM or YYYY-MM-DD)"), i + 1, LEAF (e, 2));
            return NULL;
          }
        c = ec_condition_new ();
        c->text = TAKE (e, 0);
        c->icd10 = TAKE (e, 1);
        c->since = TAKE (e, 2);
        g_ptr_array_add (r->conditions, c);
      }
  }

  /* Allergies: substance|category|criticality|reaction|severity|confirmed */
  {
    g_autoptr(GPtrArray) es = NULL;
    if (!parse_entries (row, COL_ALLERGIES, field (fields, row, COL_ALLERGIES), 3, 6, &es, error))
      return NULL;
    for (guint i = 0; i < es->len; i++)
      {
        GPtrArray *e = es->pdata[i];
        g_autoptr(EcAllergy) a = ec_allergy_new ();
        if (LEAF (e, 0) == NULL)
          {
            row_error (row, error, EC_IMPORT_ERROR_MISSING, COL_ALLERGIES, _("entry %u has no substance"), i + 1);
            return NULL;
          }
        if (LEAF (e, 1) == NULL || !ec_allergy_category_from_string (LEAF (e, 1), &a->category))
          {
            row_error (row, error, EC_IMPORT_ERROR_ENUM, COL_ALLERGIES,
                       _("entry %u: category “%s” is not medication, food, environment or biologic"),
                       i + 1, LEAF (e, 1) != NULL ? LEAF (e, 1) : "");
            return NULL;
          }
        if (LEAF (e, 2) == NULL || !ec_criticality_from_string (LEAF (e, 2), &a->criticality))
          {
            row_error (row, error, EC_IMPORT_ERROR_ENUM, COL_ALLERGIES,
                       _("entry %u: criticality “%s” is not low, high or unable-to-assess"),
                       i + 1, LEAF (e, 2) != NULL ? LEAF (e, 2) : "");
            return NULL;
          }
        if (LEAF (e, 4) != NULL && !ec_severity_from_string (LEAF (e, 4), &a->severity))
          {
            row_error (row, error, EC_IMPORT_ERROR_ENUM, COL_ALLERGIES,
                       _("entry %u: severity “%s” is not mild, moderate, severe or unknown"), i + 1, LEAF (e, 4));
            return NULL;
          }
        if (LEAF (e, 5) == NULL || g_ascii_strcasecmp (LEAF (e, 5), "confirmed") == 0)
          a->confirmed = TRUE;
        else if (g_ascii_strcasecmp (LEAF (e, 5), "suspected") == 0)
          a->confirmed = FALSE;
        else
          {
            row_error (row, error, EC_IMPORT_ERROR_ENUM, COL_ALLERGIES,
                       _("entry %u: “%s” is not confirmed or suspected"), i + 1, LEAF (e, 5));
            return NULL;
          }
        a->substance = TAKE (e, 0);
        a->reaction = TAKE (e, 3);
        g_ptr_array_add (r->allergies, g_steal_pointer (&a));
      }
  }

  /* Medications: name|dose|route|slots|schedule_text */
  {
    g_autoptr(GPtrArray) es = NULL;
    if (!parse_entries (row, COL_MEDICATIONS, field (fields, row, COL_MEDICATIONS), 1, 5, &es, error))
      return NULL;
    for (guint i = 0; i < es->len; i++)
      {
        GPtrArray *e = es->pdata[i];
        g_autoptr(EcMedication) m = ec_medication_new ();
        if (LEAF (e, 0) == NULL)
          {
            row_error (row, error, EC_IMPORT_ERROR_MISSING, COL_MEDICATIONS, _("entry %u has no name"), i + 1);
            return NULL;
          }
        if (LEAF (e, 3) != NULL && !parse_plus_set (LEAF (e, 3), TRUE, &m->slots))
          {
            row_error (row, error, EC_IMPORT_ERROR_ENUM, COL_MEDICATIONS,
                       _("entry %u: “%s” is not a “+”-list of 早, 中, 晚, 睡前"), i + 1, LEAF (e, 3));
            return NULL;
          }
        m->name = TAKE (e, 0);
        m->dose = TAKE (e, 1);
        m->route = TAKE (e, 2);
        m->schedule_text = TAKE (e, 4);
        g_ptr_array_add (r->medications, g_steal_pointer (&m));
      }
  }

  /* Contacts: name|relation|phone,phone|call_order|nearby */
  {
    g_autoptr(GPtrArray) es = NULL;
    if (!parse_entries (row, COL_CONTACTS, field (fields, row, COL_CONTACTS), 3, 5, &es, error))
      return NULL;
    for (guint i = 0; i < es->len; i++)
      {
        GPtrArray *e = es->pdata[i];
        g_autoptr(EcContact) k = ec_contact_new ();
        g_autoptr(GPtrArray) phones = NULL;
        g_autoptr(GStrvBuilder) pb = g_strv_builder_new ();
        guint64 order = i + 1;

        if (LEAF (e, 0) == NULL)
          {
            row_error (row, error, EC_IMPORT_ERROR_MISSING, COL_CONTACTS, _("entry %u has no name"), i + 1);
            return NULL;
          }
        /* The phones were unescaped as one leaf; split them on the raw commas. */
        phones = split_raw (LEAF (e, 2) != NULL ? LEAF (e, 2) : "", ',');
        for (guint j = 0; j < phones->len; j++)
          if (!is_blank (phones->pdata[j]))
            {
              g_autofree char *p = g_strstrip (g_strdup (phones->pdata[j]));
              g_strv_builder_add (pb, p);
            }
        k->phones = g_strv_builder_end (pb);
        if (k->phones[0] == NULL)
          {
            row_error (row, error, EC_IMPORT_ERROR_MISSING, COL_CONTACTS,
                       _("entry %u has no phone number"), i + 1);
            return NULL;
          }
        if (LEAF (e, 3) != NULL && !g_ascii_string_to_unsigned (LEAF (e, 3), 10, 0, 99, &order, NULL))
          {
            row_error (row, error, EC_IMPORT_ERROR_SYNTAX, COL_CONTACTS,
                       _("entry %u: call order “%s” is not a number from 0 to 99"), i + 1, LEAF (e, 3));
            return NULL;
          }
        if (LEAF (e, 4) == NULL || g_ascii_strcasecmp (LEAF (e, 4), "no") == 0)
          k->lives_nearby = FALSE;
        else if (g_ascii_strcasecmp (LEAF (e, 4), "yes") == 0 || g_ascii_strcasecmp (LEAF (e, 4), "nearby") == 0)
          k->lives_nearby = TRUE;
        else
          {
            row_error (row, error, EC_IMPORT_ERROR_ENUM, COL_CONTACTS,
                       _("entry %u: “%s” is not yes or no"), i + 1, LEAF (e, 4));
            return NULL;
          }
        k->name = TAKE (e, 0);
        k->relation = TAKE (e, 1);
        k->call_order = (guint) order;
        g_ptr_array_add (r->contacts, g_steal_pointer (&k));
      }
  }

  v = field (fields, row, COL_ALLERGY_STATUS);
  if (v[0] == '\0')
    r->allergy_status = r->allergies->len > 0 ? EC_ALLERGY_STATUS_RECORDED : EC_ALLERGY_STATUS_UNKNOWN;
  else if (!ec_allergy_status_from_string (v, &r->allergy_status))
    {
      row_error (row, error, EC_IMPORT_ERROR_ENUM, COL_ALLERGY_STATUS,
                 _("“%s” is not unknown, none-known or recorded"), v);
      return NULL;
    }
  if ((r->allergy_status == EC_ALLERGY_STATUS_RECORDED) != (r->allergies->len > 0))
    {
      row_error (row, error, EC_IMPORT_ERROR_ENUM, COL_ALLERGY_STATUS,
                 _("“%s” does not match the allergies column (%u entries)"), v, r->allergies->len);
      return NULL;
    }

  v = field (fields, row, COL_PHOTO_BASE64);
  if (v[0] != '\0')
    {
      const char *mime = field (fields, row, COL_PHOTO_MIME);
      gsize n = 0;
      guchar *bytes;
      if (!valid_base64 (v))
        {
          row_error (row, error, EC_IMPORT_ERROR_SYNTAX, COL_PHOTO_BASE64, _("not base64"));
          return NULL;
        }
      if (strcmp (mime, "image/jpeg") != 0 && strcmp (mime, "image/png") != 0)
        {
          row_error (row, error, EC_IMPORT_ERROR_ENUM, COL_PHOTO_MIME,
                     _("“%s” is not image/jpeg or image/png"), mime);
          return NULL;
        }
      bytes = g_base64_decode (v, &n);
      if (n > EC_DB_PHOTO_MAX_BYTES)
        {
          g_free (bytes);
          row_error (row, error, EC_IMPORT_ERROR_OVERSIZE, COL_PHOTO_BASE64,
                     _("the photo is %zu bytes; at most %d are allowed"), n, EC_DB_PHOTO_MAX_BYTES);
          return NULL;
        }
      r->photo = g_bytes_new_take (bytes, n);
      r->photo_mime = g_strdup (mime);
    }

  /* What the database would still refuse (reported against the row). */
  {
    g_autoptr(GError) local = NULL;
    if (!_ec_db_validate_resident (r, &local))
      {
        import_error (error, EC_IMPORT_ERROR_SYNTAX, row->filename, row->line, 0, "%s", local->message);
        return NULL;
      }
  }
  return g_steal_pointer (&r);
}

gboolean
ec_csv_parse_residents (const char  *data,
                        gsize        len,
                        const char  *filename,
                        gboolean     skip_bad,
                        GPtrArray  **out_residents,
                        GPtrArray  **out_problems,
                        guint       *out_n_rows,
                        GError     **error)
{
  g_autoptr(EcCsvReader) reader = NULL;
  g_autoptr(GPtrArray) residents = g_ptr_array_new_with_free_func ((GDestroyNotify) ec_resident_free);
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) local = NULL;
  GPtrArray *fields = NULL;
  int field_of[N_COLS];
  guint line = 0, n_header = 0, n_rows = 0;
  Row row;

  g_return_val_if_fail (out_residents != NULL, FALSE);
  if (filename == NULL)
    filename = "<input>";
  if (len > EC_CSV_FILE_MAX)
    {
      import_error (error, EC_IMPORT_ERROR_OVERSIZE, filename, 1, 0, _("the file is too large"));
      return FALSE;
    }
  reader = ec_csv_reader_new (data, len, filename);

  if (!ec_csv_reader_next (reader, &fields, &line, &local))
    {
      if (local != NULL)
        g_propagate_error (error, g_steal_pointer (&local));
      else
        import_error (error, EC_IMPORT_ERROR_MISSING, filename, 1, 0,
                      _("the file is empty; the first row must name the columns (docs/csv.md)"));
      return FALSE;
    }
  for (int c = 0; c < N_COLS; c++)
    field_of[c] = -1;
  n_header = fields->len;
  for (guint i = 0; i < fields->len; i++)
    {
      g_autofree char *name = g_strstrip (g_strdup (fields->pdata[i]));
      int found = -1;
      for (int c = 0; c < N_COLS; c++)
        if (g_ascii_strcasecmp (name, col_names[c]) == 0)
          found = c;
      if (found < 0)
        {
          import_error (error, EC_IMPORT_ERROR_COLUMNS, filename, line, i + 1,
                        _("unknown column “%s” (see docs/csv.md)"), name);
          return FALSE;
        }
      if (field_of[found] >= 0)
        {
          import_error (error, EC_IMPORT_ERROR_COLUMNS, filename, line, i + 1,
                        _("column “%s” appears twice"), name);
          return FALSE;
        }
      field_of[found] = (int) i;
    }
  if (field_of[COL_NAME_ZH] < 0)
    {
      import_error (error, EC_IMPORT_ERROR_MISSING, filename, line, 0, _("there is no name_zh column"));
      return FALSE;
    }

  row.filename = filename;
  row.field_of = field_of;
  for (;;)
    {
      EcResident *r;

      if (!ec_csv_reader_next (reader, &fields, &line, &local))
        {
          if (local == NULL)
            break;
          /* A broken quote or encoding ends the reading: nothing after it can be
           * trusted to be split into rows correctly. */
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      n_rows++;
      row.line = line;
      for (guint i = 0; i < fields->len; i++)
        ec_csv_formula_unescape (fields->pdata[i]);
      if (fields->len != n_header)
        {
          import_error (&local, EC_IMPORT_ERROR_COLUMNS, filename, line, 0,
                        _("the row has %u fields, the header has %u"), fields->len, n_header);
          r = NULL;
        }
      else
        r = row_to_resident (fields, &row, &local);
      if (r == NULL)
        {
          if (!skip_bad)
            {
              g_propagate_error (error, g_steal_pointer (&local));
              return FALSE;
            }
          g_ptr_array_add (problems, g_strdup (local->message));
          g_clear_error (&local);
          continue;
        }
      g_ptr_array_add (residents, r);
    }
  *out_residents = g_steal_pointer (&residents);
  if (out_problems != NULL)
    *out_problems = g_steal_pointer (&problems);
  if (out_n_rows != NULL)
    *out_n_rows = n_rows;
  return TRUE;
}

void
ec_csv_import_report_clear (EcCsvImportReport *report)
{
  if (report == NULL)
    return;
  g_clear_pointer (&report->skipped, g_ptr_array_unref);
  report->n_rows = report->n_imported = 0;
}

gboolean
ec_csv_import_data (EcDb               *db,
                    const char         *data,
                    gsize               len,
                    const char         *filename,
                    gboolean            skip_bad,
                    const EcActor      *actor,
                    EcCsvImportReport  *report,
                    GError            **error)
{
  g_autoptr(GPtrArray) residents = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  guint n_rows = 0, imported = 0;

  g_return_val_if_fail (db != NULL, FALSE);
  if (filename == NULL)
    filename = "<input>";
  if (!_ec_db_check_actor (actor, error) || !_ec_db_check_writable (db, error))
    return FALSE;
  if (!ec_csv_parse_residents (data, len, filename, skip_bad, &residents, &problems, &n_rows, error))
    return FALSE;

  if (!ec_db_begin (db, error))
    return FALSE;
  for (guint i = 0; i < residents->len; i++)
    {
      g_autoptr(GError) local = NULL;
      EcResident *r = residents->pdata[i];
      if (ec_db_resident_add (db, r, actor, &local))
        {
          imported++;
          continue;
        }
      if (!skip_bad || local->domain != EC_DB_ERROR ||
          (local->code != EC_DB_ERROR_CONSTRAINT && local->code != EC_DB_ERROR_INVALID))
        {
          ec_db_rollback (db);
          g_set_error (error, EC_IMPORT_ERROR, EC_IMPORT_ERROR_SYNTAX,
                       _("%s: resident “%s”: %s; nothing was imported"), filename, r->name_zh, local->message);
          return FALSE;
        }
      g_ptr_array_add (problems, g_strdup_printf ("%s: resident “%s”: %s", filename, r->name_zh, local->message));
    }
  if (!ec_db_commit (db, error))
    return FALSE;
  if (report != NULL)
    {
      report->n_rows = n_rows;
      report->n_imported = imported;
      if (report->skipped != NULL)
        g_ptr_array_unref (report->skipped);
      report->skipped = g_steal_pointer (&problems);
    }
  return TRUE;
}

gboolean
ec_csv_import_file (EcDb               *db,
                    const char         *path,
                    gboolean            skip_bad,
                    const EcActor      *actor,
                    EcCsvImportReport  *report,
                    GError            **error)
{
  g_autoptr(GError) local = NULL;
  g_autofree char *data = NULL;
  gsize len = 0;

  g_return_val_if_fail (path != NULL, FALSE);
  if (!ec_file_read_bounded (path, EC_CSV_IMPORT_MAX_BYTES, 0, &data, &len, &local))
    {
      g_set_error (error, EC_IMPORT_ERROR, EC_IMPORT_ERROR_MISSING, _("Cannot read %s: %s"), path, local->message);
      return FALSE;
    }
  return ec_csv_import_data (db, data, len, path, skip_bad, actor, report, error);
}

/* ------------------------------------------------------------------------- */
/* Writing */

/* A spreadsheet (Excel, WPS, LibreOffice) runs a cell that starts with one of these
 * as a formula: `=cmd|' /C calc'!A0`, `+SUM(1)`, `@HYPERLINK(…)` (OWASP "CSV
 * injection"). */
static gboolean
formula_start (char c)
{
  return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

/* Whether @s is written with a leading apostrophe: it starts like a formula, or it
 * starts with an apostrophe that the reader would otherwise take for ours. */
static gboolean
needs_formula_escape (const char *s)
{
  return formula_start (s[0]) || (s[0] == '\'' && (formula_start (s[1]) || s[1] == '\''));
}

void
ec_csv_formula_unescape (char *field)
{
  if (field[0] == '\'' && (formula_start (field[1]) || field[1] == '\''))
    memmove (field, field + 1, strlen (field));
}

static void
csv_field (GString *out, const char *s, gboolean first)
{
  gboolean quote = FALSE;
  g_autofree char *escaped = NULL;

  if (!first)
    g_string_append_c (out, ',');
  if (s == NULL)
    return;
  if (needs_formula_escape (s))
    {
      /* Shown as text by every spreadsheet; import takes the apostrophe off again. */
      escaped = g_strconcat ("'", s, NULL);
      s = escaped;
    }
  for (const char *p = s; *p; p++)
    if (*p == ',' || *p == '"' || *p == '\n' || *p == '\r')
      quote = TRUE;
  if (s[0] == ' ' || (s[0] != '\0' && s[strlen (s) - 1] == ' '))
    quote = TRUE;
  if (!quote)
    {
      g_string_append (out, s);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *p = s; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static void
leaf (GString *out, const char *s, gboolean first)
{
  if (!first)
    g_string_append_c (out, '|');
  if (s == NULL)
    return;
  /* The reader trims unescaped spaces at both ends of a leaf, so spaces there are
   * escaped: a value of only spaces must not come back as "no text". */
  const char *body = s, *tail = s + strlen (s);
  while (*body == ' ')
    body++;
  while (tail > body && tail[-1] == ' ')
    tail--;
  for (const char *p = s; *p; p++)
    {
      if (*p == '\\' || *p == ';' || *p == '|' || *p == ',' || (*p == ' ' && (p < body || p >= tail)))
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
}

static char *
plus_set (guint v, gboolean slots)
{
  GString *s = g_string_new (NULL);

  if (slots)
    {
      for (gsize i = 0; i < G_N_ELEMENTS (slot_names); i++)
        if (v & slot_names[i].bit)
          g_string_append_printf (s, "%s%s", s->len ? "+" : "", slot_names[i].zh);
    }
  else
    {
      for (gsize i = 0; i < G_N_ELEMENTS (comm_names); i++)
        if (v & comm_names[i].bit)
          g_string_append_printf (s, "%s%s", s->len ? "+" : "", comm_names[i].name);
    }
  return g_string_free (s, FALSE);
}

char *
ec_csv_header (void)
{
  GString *s = g_string_new (NULL);

  for (int c = 0; c < N_COLS; c++)
    csv_field (s, col_names[c], c == 0);
  g_string_append (s, "\r\n");
  return g_string_free (s, FALSE);
}

char *
ec_csv_format_resident (const EcResident *r)
{
  GString *s = g_string_new (NULL);
  g_autoptr(GString) e = g_string_new (NULL);
  g_autofree char *id = r->id != 0 ? ec_resident_id_to_string (r->id) : NULL;
  g_autofree char *comm = plus_set (r->comm_needs, FALSE);
  g_autofree char *photo = NULL;
  g_autofree char *version = g_strdup_printf ("%" G_GINT64_FORMAT, r->record_version);
  g_autofree char *updated = g_strdup_printf ("%" G_GINT64_FORMAT, r->updated_at);

  csv_field (s, id, TRUE);
  csv_field (s, r->name_zh, FALSE);
  csv_field (s, r->name_pinyin, FALSE);
  csv_field (s, ec_sex_to_string (r->sex), FALSE);
  csv_field (s, r->date_of_birth, FALSE);
  csv_field (s, r->address, FALSE);
  csv_field (s, r->building_unit, FALSE);
  csv_field (s, r->phone, FALSE);
  csv_field (s, ec_blood_type_to_string (r->blood_type), FALSE);
  csv_field (s, r->language, FALSE);
  csv_field (s, ec_dnr_to_string (r->dnr), FALSE);
  csv_field (s, r->directive_location, FALSE);
  csv_field (s, ec_wandering_to_string (r->wandering), FALSE);
  csv_field (s, comm, FALSE);
  csv_field (s, r->comm_notes, FALSE);
  csv_field (s, r->implants, FALSE);
  csv_field (s, r->gp, FALSE);
  csv_field (s, r->social_worker, FALSE);
  csv_field (s, r->notes, FALSE);
  csv_field (s, ec_allergy_status_to_string (r->allergy_status), FALSE);

  g_string_truncate (e, 0);
  for (guint i = 0; i < r->conditions->len; i++)
    {
      EcCondition *c = r->conditions->pdata[i];
      if (i > 0)
        g_string_append_c (e, ';');
      leaf (e, c->text, TRUE);
      leaf (e, c->icd10, FALSE);
      leaf (e, c->since, FALSE);
    }
  csv_field (s, e->str, FALSE);

  g_string_truncate (e, 0);
  for (guint i = 0; i < r->allergies->len; i++)
    {
      EcAllergy *a = r->allergies->pdata[i];
      if (i > 0)
        g_string_append_c (e, ';');
      leaf (e, a->substance, TRUE);
      leaf (e, ec_allergy_category_to_string (a->category), FALSE);
      leaf (e, ec_criticality_to_string (a->criticality), FALSE);
      leaf (e, a->reaction, FALSE);
      leaf (e, ec_severity_to_string (a->severity), FALSE);
      leaf (e, a->confirmed ? "confirmed" : "suspected", FALSE);
    }
  csv_field (s, e->str, FALSE);

  g_string_truncate (e, 0);
  for (guint i = 0; i < r->medications->len; i++)
    {
      EcMedication *m = r->medications->pdata[i];
      g_autofree char *slots = plus_set (m->slots, TRUE);
      if (i > 0)
        g_string_append_c (e, ';');
      leaf (e, m->name, TRUE);
      leaf (e, m->dose, FALSE);
      leaf (e, m->route, FALSE);
      leaf (e, slots, FALSE);
      leaf (e, m->schedule_text, FALSE);
    }
  csv_field (s, e->str, FALSE);

  g_string_truncate (e, 0);
  for (guint i = 0; i < r->contacts->len; i++)
    {
      EcContact *k = r->contacts->pdata[i];
      g_autofree char *order = g_strdup_printf ("%u", k->call_order);
      if (i > 0)
        g_string_append_c (e, ';');
      leaf (e, k->name, TRUE);
      leaf (e, k->relation, FALSE);
      g_string_append_c (e, '|');
      for (guint j = 0; k->phones != NULL && k->phones[j] != NULL; j++)
        {
          if (j > 0)
            g_string_append_c (e, ',');
          leaf (e, k->phones[j], TRUE);
        }
      leaf (e, order, FALSE);
      leaf (e, k->lives_nearby ? "yes" : "no", FALSE);
    }
  csv_field (s, e->str, FALSE);

  if (r->photo != NULL)
    {
      gsize n = 0;
      const guchar *p = g_bytes_get_data (r->photo, &n);
      photo = g_base64_encode (p, n);
    }
  csv_field (s, r->photo != NULL ? r->photo_mime : NULL, FALSE);
  csv_field (s, photo, FALSE);
  csv_field (s, version, FALSE);
  csv_field (s, updated, FALSE);
  csv_field (s, r->updated_by, FALSE);
  g_string_append (s, "\r\n");
  return g_string_free (s, FALSE);
}

/* ------------------------------------------------------------------------- */
/* Export */

typedef gboolean (*WriteOne) (GOutputStream *out, const EcResident *r, guint index, GError **error);

static gboolean
export_all (EcDb          *db,
            GOutputStream *out,
            const EcActor *actor,
            const char    *action,
            WriteOne       write_one,
            guint         *out_written,
            GError       **error)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (EcResidentId));
  g_autofree char *detail = NULL;
  guint64 count = 0;
  int rc;

  if (!_ec_db_check_actor (actor, error) || !ec_db_resident_count (db, &count, error))
    return FALSE;
  /* The audit entry is committed before any medical data leaves the database. */
  detail = g_strdup_printf ("residents=%" G_GUINT64_FORMAT, count);
  if (!ec_db_audit_append (db, actor, action, 0, EC_DB_PURPOSE_EXPORT, NULL, detail, error))
    return FALSE;
  {
    g_autoptr(EcCachedStmt) st = _ec_db_stmt (db, "SELECT id FROM residents ORDER BY id", error);
    if (st == NULL)
      return FALSE;
    while ((rc = _ec_db_step (db, st, _("Cannot read residents"), error)) == SQLITE_ROW)
      {
        EcResidentId id = (EcResidentId) sqlite3_column_int64 (st, 0);
        g_array_append_val (ids, id);
      }
    if (rc == 0)
      return FALSE;
  }
  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(EcResident) r = NULL;
      g_autoptr(GError) local = NULL;
      if (!_ec_db_load_resident (db, g_array_index (ids, EcResidentId, i), &r, &local))
        {
          /* Removed since the list was taken: skip it. */
          if (g_error_matches (local, EC_DB_ERROR, EC_DB_ERROR_NOT_FOUND))
            continue;
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      if (!write_one (out, r, *out_written, error))
        return FALSE;
      (*out_written)++;
    }
  return TRUE;
}

static gboolean
write_csv_header (GOutputStream  *out,
                  GError        **error)
{
  g_autofree char *header = ec_csv_header ();

  return g_output_stream_write_all (out, header, strlen (header), NULL, NULL, error);
}

static gboolean
write_csv_one (GOutputStream *out, const EcResident *r, guint index, GError **error)
{
  g_autofree char *line = ec_csv_format_resident (r);

  if (index == 0 && !write_csv_header (out, error))
    return FALSE;
  return g_output_stream_write_all (out, line, strlen (line), NULL, NULL, error);
}

gboolean
ec_csv_export (EcDb          *db,
               GOutputStream *out,
               const EcActor *actor,
               GError       **error)
{
  guint n = 0;

  g_return_val_if_fail (db != NULL, FALSE);
  if (!export_all (db, out, actor, "export-csv", write_csv_one, &n, error))
    return FALSE;
  /* An empty database still gets the header. */
  if (n == 0)
    return write_csv_header (out, error);
  return TRUE;
}

static void
json_str (JsonBuilder *b, const char *key, const char *value)
{
  json_builder_set_member_name (b, key);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
json_int (JsonBuilder *b, const char *key, gint64 v)
{
  json_builder_set_member_name (b, key);
  json_builder_add_int_value (b, v);
}

static JsonNode *
resident_to_json (const EcResident *r)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *id = ec_resident_id_to_string (r->id);
  g_autofree char *comm = plus_set (r->comm_needs, FALSE);

  json_builder_begin_object (b);
  json_str (b, "id", id);
  json_str (b, "name_zh", r->name_zh);
  json_str (b, "name_pinyin", r->name_pinyin);
  json_str (b, "sex", ec_sex_to_string (r->sex));
  json_str (b, "date_of_birth", r->date_of_birth);
  json_str (b, "address", r->address);
  json_str (b, "building_unit", r->building_unit);
  json_str (b, "phone", r->phone);
  json_str (b, "blood_type", ec_blood_type_to_string (r->blood_type));
  json_str (b, "language", r->language);
  json_str (b, "dnr", ec_dnr_to_string (r->dnr));
  json_str (b, "directive_location", r->directive_location);
  json_str (b, "wandering", ec_wandering_to_string (r->wandering));
  json_builder_set_member_name (b, "comm_needs");
  json_builder_begin_array (b);
  for (gsize i = 0; i < G_N_ELEMENTS (comm_names); i++)
    if (r->comm_needs & comm_names[i].bit)
      json_builder_add_string_value (b, comm_names[i].name);
  json_builder_end_array (b);
  json_str (b, "comm_notes", r->comm_notes);
  json_str (b, "implants", r->implants);
  json_str (b, "gp", r->gp);
  json_str (b, "social_worker", r->social_worker);
  json_str (b, "notes", r->notes);
  json_str (b, "allergy_status", ec_allergy_status_to_string (r->allergy_status));

  json_builder_set_member_name (b, "conditions");
  json_builder_begin_array (b);
  for (guint i = 0; i < r->conditions->len; i++)
    {
      EcCondition *c = r->conditions->pdata[i];
      json_builder_begin_object (b);
      json_str (b, "text", c->text);
      json_str (b, "icd10", c->icd10);
      json_str (b, "since", c->since);
      json_int (b, "updated_at", c->updated_at);
      json_str (b, "updated_by", c->updated_by);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "allergies");
  json_builder_begin_array (b);
  for (guint i = 0; i < r->allergies->len; i++)
    {
      EcAllergy *a = r->allergies->pdata[i];
      json_builder_begin_object (b);
      json_str (b, "substance", a->substance);
      json_str (b, "category", ec_allergy_category_to_string (a->category));
      json_str (b, "criticality", ec_criticality_to_string (a->criticality));
      json_str (b, "reaction", a->reaction);
      json_str (b, "severity", ec_severity_to_string (a->severity));
      json_builder_set_member_name (b, "confirmed");
      json_builder_add_boolean_value (b, a->confirmed);
      json_int (b, "updated_at", a->updated_at);
      json_str (b, "updated_by", a->updated_by);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "medications");
  json_builder_begin_array (b);
  for (guint i = 0; i < r->medications->len; i++)
    {
      EcMedication *m = r->medications->pdata[i];
      json_builder_begin_object (b);
      json_str (b, "name", m->name);
      json_str (b, "dose", m->dose);
      json_str (b, "route", m->route);
      json_builder_set_member_name (b, "slots");
      json_builder_begin_array (b);
      for (gsize j = 0; j < G_N_ELEMENTS (slot_names); j++)
        if (m->slots & slot_names[j].bit)
          json_builder_add_string_value (b, slot_names[j].zh);
      json_builder_end_array (b);
      json_str (b, "schedule_text", m->schedule_text);
      json_int (b, "updated_at", m->updated_at);
      json_str (b, "updated_by", m->updated_by);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "contacts");
  json_builder_begin_array (b);
  for (guint i = 0; i < r->contacts->len; i++)
    {
      EcContact *k = r->contacts->pdata[i];
      json_builder_begin_object (b);
      json_str (b, "name", k->name);
      json_str (b, "relation", k->relation);
      json_builder_set_member_name (b, "phones");
      json_builder_begin_array (b);
      for (guint j = 0; k->phones != NULL && k->phones[j] != NULL; j++)
        json_builder_add_string_value (b, k->phones[j]);
      json_builder_end_array (b);
      json_int (b, "call_order", k->call_order);
      json_builder_set_member_name (b, "lives_nearby");
      json_builder_add_boolean_value (b, k->lives_nearby);
      json_int (b, "updated_at", k->updated_at);
      json_str (b, "updated_by", k->updated_by);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  if (r->photo != NULL)
    {
      gsize n = 0;
      const guchar *p = g_bytes_get_data (r->photo, &n);
      g_autofree char *b64 = g_base64_encode (p, n);
      json_str (b, "photo_mime", r->photo_mime);
      json_str (b, "photo_base64", b64);
    }
  json_int (b, "record_version", r->record_version);
  json_int (b, "updated_at", r->updated_at);
  json_str (b, "updated_by", r->updated_by);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

char *
ec_resident_to_json (const EcResident *resident)
{
  g_autoptr(JsonNode) node = resident_to_json (resident);
  g_autoptr(JsonGenerator) gen = json_generator_new ();

  json_generator_set_root (gen, node);
  json_generator_set_pretty (gen, TRUE);
  return json_generator_to_data (gen, NULL);
}

static gboolean
write_json_one (GOutputStream *out, const EcResident *r, guint index, GError **error)
{
  g_autoptr(JsonNode) node = resident_to_json (r);
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autofree char *text = NULL;
  const char *sep = index == 0 ? "[\n" : ",\n";

  json_generator_set_root (gen, node);
  text = json_generator_to_data (gen, NULL);
  return g_output_stream_write_all (out, sep, strlen (sep), NULL, NULL, error) &&
         g_output_stream_write_all (out, text, strlen (text), NULL, NULL, error);
}

gboolean
ec_json_export (EcDb          *db,
                GOutputStream *out,
                const EcActor *actor,
                GError       **error)
{
  guint n = 0;

  g_return_val_if_fail (db != NULL, FALSE);
  if (!export_all (db, out, actor, "export-json", write_json_one, &n, error))
    return FALSE;
  return g_output_stream_write_all (out, n == 0 ? "[]\n" : "\n]\n", 3, NULL, NULL, error);
}
