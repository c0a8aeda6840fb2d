/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-db-resident.c: residents and their entries; the audited read; search. */
#define G_LOG_DOMAIN "ec-db"

#include "ec-db-private.h"

#include <string.h>
#include <sodium.h>

#include "ec-error.h"
#include "ec-text.h"
#include "ec-i18n.h"
#include "ec-photo.h"

#define TEXT_MAX (64 * 1024)

void
ec_resident_summary_free (EcResidentSummary *s)
{
  if (s == NULL)
    return;
  g_free (s->name_zh);
  g_free (s->name_pinyin);
  g_free (s->date_of_birth);
  g_free (s->building_unit);
  g_free (s->phone);
  g_free (s);
}

/* ------------------------------------------------------------------------- */
/* Validation */

gboolean
_ec_db_valid_date (const char *s,
                   gboolean    allow_partial)
{
  guint64 y, m = 1, d = 1;
  gsize len;

  if (s == NULL)
    return FALSE;
  len = strlen (s);
  if (len != 10 && !(allow_partial && (len == 4 || len == 7)))
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      if (i == 4 || i == 7)
        {
          if (s[i] != '-')
            return FALSE;
        }
      else if (!g_ascii_isdigit (s[i]))
        return FALSE;
    }
  y = g_ascii_strtoull (s, NULL, 10);
  if (len >= 7)
    m = g_ascii_strtoull (s + 5, NULL, 10);
  if (len == 10)
    d = g_ascii_strtoull (s + 8, NULL, 10);
  if (y < 1850 || y > 2200)
    return FALSE;
  return g_date_valid_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y);
}

/* Free-text fields that may hold several lines (and tabs); every other text is one
 * line. */
static gboolean
multiline_field (const char *what)
{
  static const char *const fields[] = {
    "address", "directive_location", "comm_notes", "implants", "notes", "condition",
    "reaction", "schedule",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (fields); i++)
    if (strcmp (what, fields[i]) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
check_text (const char *what,
            const char *s,
            gboolean    required,
            GError    **error)
{
  gunichar bad = 0;

  if (s == NULL)
    {
      if (!required)
        return TRUE;
      g_set_error (error, EC_DB_ERROR, EC_DB_ERROR_INVALID, _("%s is required"), what);
      return FALSE;
    }
  if (!g_utf8_validate (s, -1, NULL))
    {
      g_set_error (error, EC_DB_ERROR, EC_DB_ERROR_INVALID, _("%s is not valid UTF-8"), what);
      return FALSE;
    }
  if (required && s[0] == '\0')
    {
      g_set_error (error, EC_DB_ERROR, EC_DB_ERROR_INVALID, _("%s is required"), what);
      return FALSE;
    }
  if (strlen (s) > TEXT_MAX)
    {
      g_set_error (error, EC_DB_ERROR, EC_DB_ERROR_INVALID, _("%s is too long"), what);
      return FALSE;
    }
  /* Control characters and bidi overrides: a terminal or a screen would act on them
   * (ESC sequences, BEL, text shown reversed) instead of showing them. */
  if (ec_text_find_unsafe (s, multiline_field (what), &bad) != NULL)
    {
      g_set_error (error, EC_DB_ERROR, EC_DB_ERROR_INVALID,
                   _("%s contains a control character (U+%04X); remove it"), what, (guint) bad);
      return FALSE;
    }
  return TRUE;
}

gboolean
_ec_db_validate_resident (const EcResident *r,
                          GError          **error)
{
  const char *texts[][2] = {
    { "name_pinyin", r->name_pinyin }, { "photo_mime", r->photo_mime },
    { "address", r->address }, { "building_unit", r->building_unit }, { "phone", r->phone },
    { "language", r->language }, { "directive_location", r->directive_location },
    { "comm_notes", r->comm_notes }, { "implants", r->implants }, { "gp", r->gp },
    { "social_worker", r->social_worker }, { "notes", r->notes },
  };

  if (!check_text ("name_zh", r->name_zh, TRUE, error))
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (texts); i++)
    if (!check_text (texts[i][0], texts[i][1], FALSE, error))
      return FALSE;
  if (r->date_of_birth != NULL && !_ec_db_valid_date (r->date_of_birth, FALSE))
    {
      g_set_error (error, EC_DB_ERROR, EC_DB_ERROR_INVALID,
                   _("Date of birth “%s” is not a valid YYYY-MM-DD date"), r->date_of_birth);
      return FALSE;
    }
  if (ec_sex_to_string (r->sex) == NULL || ec_blood_type_to_string (r->blood_type) == NULL ||
      ec_dnr_to_string (r->dnr) == NULL || ec_wandering_to_string (r->wandering) == NULL ||
      ec_allergy_status_to_string (r->allergy_status) == NULL || r->comm_needs > 31)
    {
      g_set_error_literal (error, EC_DB_ERROR, EC_DB_ERROR_INVALID, _("A coded field is out of range"));
      return FALSE;
    }
  if (r->photo != NULL)
    {
      gsize n = g_bytes_get_size (r->photo);
      if (n > EC_DB_PHOTO_MAX_BYTES)
        {
          g_set_error (error, EC_DB_ERROR, EC_DB_ERROR_INVALID,
                       _("The photo is %zu bytes; at most %d are allowed"), n, EC_DB_PHOTO_MAX_BYTES);
          return FALSE;
        }
      if (g_strcmp0 (r->photo_mime, "image/jpeg") != 0 && g_strcmp0 (r->photo_mime, "image/png") != 0)
        {
          g_set_error_literal (error, EC_DB_ERROR, EC_DB_ERROR_INVALID,
                               _("The photo must be image/jpeg or image/png"));
          return FALSE;
        }
      /* Every kiosk decodes what is stored here: refuse what no decoder should see. */
      {
        g_autoptr(GError) local = NULL;
        EcPhotoInfo info;

        if (!ec_photo_probe (g_bytes_get_data (r->photo, NULL), n, &info, &local))
          {
            g_set_error_literal (error, EC_DB_ERROR, EC_DB_ERROR_INVALID, local->message);
            return FALSE;
          }
        if (strcmp (r->photo_mime, ec_photo_mime_type (info.format)) != 0)
          {
            g_set_error (error, EC_DB_ERROR, EC_DB_ERROR_INVALID,
                         _("The photo is marked %s but is a %s image"),
                         r->photo_mime, ec_photo_mime_type (info.format));
            return FALSE;
          }
      }
    }
  /* "No known allergies" with allergies listed would contradict itself. */
  if (r->allergies->len > 0 && r->allergy_status != EC_ALLERGY_STATUS_RECORDED)
    {
      g_set_error_literal (error, EC_DB_ERROR, EC_DB_ERROR_INVALID,
                           _("Allergies are listed, so the allergy status must be “recorded”"));
      return FALSE;
    }
  if (r->allergies->len == 0 && r->allergy_status == EC_ALLERGY_STATUS_RECORDED)
    {
      g_set_error_literal (error, EC_DB_ERROR, EC_DB_ERROR_INVALID,
                           _("Allergy status “recorded” needs at least one allergy"));
      return FALSE;
    }

  for (guint i = 0; i < r->conditions->len; i++)
    {
      EcCondition *c = g_ptr_array_index (r->conditions, i);
      if (!check_text ("condition", c->text, TRUE, error) ||
          !check_text ("icd10", c->icd10, FALSE, error) ||
          !check_text ("since", c->since, FALSE, error))
        return FALSE;
      if (c->since != NULL && !_ec_db_valid_date (c->since, TRUE))
        {
          g_set_error (error, EC_DB_ERROR, EC_DB_ERROR_INVALID,
                       _("“%s” is not a date (YYYY, YYYY-MM or YYYY-MM-DD)"), c->since);
          return FALSE;
        }
    }
  for (guint i = 0; i < r->allergies->len; i++)
    {
      EcAllergy *a = g_ptr_array_index (r->allergies, i);
      if (!check_text ("allergy substance", a->substance, TRUE, error) ||
          !check_text ("reaction", a->reaction, FALSE, error))
        return FALSE;
      if (ec_allergy_category_to_string (a->category) == NULL ||
          ec_criticality_to_string (a->criticality) == NULL ||
          ec_severity_to_string (a->severity) == NULL)
        {
          g_set_error_literal (error, EC_DB_ERROR, EC_DB_ERROR_INVALID, _("A coded field is out of range"));
          return FALSE;
        }
    }
  for (guint i = 0; i < r->medications->len; i++)
    {
      EcMedication *m = g_ptr_array_index (r->medications, i);
      if (!check_text ("medication", m->name, TRUE, error) ||
          !check_text ("dose", m->dose, FALSE, error) ||
          !check_text ("route", m->route, FALSE, error) ||
          !check_text ("schedule", m->schedule_text, FALSE, error))
        return FALSE;
      if (m->slots > 15)
        {
          g_set_error_literal (error, EC_DB_ERROR, EC_DB_ERROR_INVALID, _("A coded field is out of range"));
          return FALSE;
        }
    }
  for (guint i = 0; i < r->contacts->len; i++)
    {
      EcContact *c = g_ptr_array_index (r->contacts, i);
      if (!check_text ("contact name", c->name, TRUE, error) ||
          !check_text ("relation", c->relation, FALSE, error))
        return FALSE;
      if (c->phones == NULL || c->phones[0] == NULL)
        {
          g_set_error (error, EC_DB_ERROR, EC_DB_ERROR_INVALID,
                       _("Contact “%s” has no phone number"), c->name);
          return FALSE;
        }
      for (char **p = c->phones; *p != NULL; p++)
        if (!check_text ("contact phone", *p, TRUE, error))
          return FALSE;
        else if (strchr (*p, '\n') != NULL)
          {
            g_set_error_literal (error, EC_DB_ERROR, EC_DB_ERROR_INVALID,
                                 _("A phone number cannot contain a line break"));
            return FALSE;
          }
    }
  return TRUE;
}

/* ------------------------------------------------------------------------- */
/* Insert and load */

gboolean
_ec_db_new_resident_id (EcDb         *db,
                        EcResidentId *out,
                        GError      **error)
{
  for (int tries = 0; tries < 16; tries++)
    {
      EcResidentId id;
      gint64 v = 0;

      randombytes_buf (&id, sizeof id);
      if (id == 0)
        continue;
      if (!ec_db_resident_exists (db, id, &v, error))
        return FALSE;
      if (v == 0)
        {
          *out = id;
          return TRUE;
        }
    }
  g_set_error_literal (error, EC_DB_ERROR, EC_DB_ERROR_SQLITE, _("Cannot find a free resident id"));
  return FALSE;
}

static gboolean
bind_id (EcDb         *db,
         sqlite3_stmt *st,
         gint64        id,
         GError      **error)
{
  int rc;

  if (id <= 0)
    return TRUE;
  if ((rc = sqlite3_bind_int64 (st, 1, id)) != SQLITE_OK)
    {
      _ec_db_set_error (db, rc, _("Cannot bind a database parameter"), error);
      return FALSE;
    }
  return TRUE;
}

static gboolean
insert_entries (EcDb       *db,
                EcResident *r,
                gint64      now,
                const char *actor_id,
                GError    **error)
{
  g_autoptr(EcCachedStmt) cst = NULL, ast = NULL, mst = NULL, kst = NULL;

#define STAMP(e) ((e)->updated_at > 0 ? (e)->updated_at : now), \
                 ((e)->updated_by != NULL ? (e)->updated_by : actor_id)
#define SET_ID(e) G_STMT_START { \
    (e)->id = sqlite3_last_insert_rowid (_ec_db_handle (db)); \
    if ((e)->updated_at <= 0) (e)->updated_at = now; \
    if ((e)->updated_by == NULL) (e)->updated_by = g_strdup (actor_id); } G_STMT_END

  if (r->conditions->len > 0)
    {
      cst = _ec_db_stmt (db, "INSERT INTO conditions (id, resident_id, position, text, icd10, since,"
                             " updated_at, updated_by) VALUES (?,?,?,?,?,?,?,?)", error);
      if (cst == NULL)
        return FALSE;
    }
  for (guint i = 0; i < r->conditions->len; i++)
    {
      EcCondition *c = g_ptr_array_index (r->conditions, i);
      if (!_ec_db_bind (db, cst, error, "nuisssls", r->id, (int) i, c->text, c->icd10, c->since, STAMP (c)) ||
          !bind_id (db, cst, c->id, error))
        return FALSE;
      if (_ec_db_step (db, cst, _("Cannot save a condition"), error) == 0)
        return FALSE;
      SET_ID (c);
      (void) sqlite3_reset (cst);
    }

  if (r->allergies->len > 0)
    {
      ast = _ec_db_stmt (db, "INSERT INTO allergies (id, resident_id, position, substance, category,"
                             " criticality, reaction, severity, confirmed, updated_at, updated_by)"
                             " VALUES (?,?,?,?,?,?,?,?,?,?,?)", error);
      if (ast == NULL)
        return FALSE;
    }
  for (guint i = 0; i < r->allergies->len; i++)
    {
      EcAllergy *a = g_ptr_array_index (r->allergies, i);
      if (!_ec_db_bind (db, ast, error, "nuisiisiils", r->id, (int) i, a->substance, (int) a->category,
                        (int) a->criticality, a->reaction, (int) a->severity, a->confirmed ? 1 : 0,
                        STAMP (a)))
        return FALSE;
      if (!bind_id (db, ast, a->id, error))
        return FALSE;
      if (_ec_db_step (db, ast, _("Cannot save an allergy"), error) == 0)
        return FALSE;
      SET_ID (a);
      (void) sqlite3_reset (ast);
    }

  if (r->medications->len > 0)
    {
      mst = _ec_db_stmt (db, "INSERT INTO medications (id, resident_id, position, name, dose, route,"
                             " slots, schedule_text, updated_at, updated_by)"
                             " VALUES (?,?,?,?,?,?,?,?,?,?)", error);
      if (mst == NULL)
        return FALSE;
    }
  for (guint i = 0; i < r->medications->len; i++)
    {
      EcMedication *m = g_ptr_array_index (r->medications, i);
      if (!_ec_db_bind (db, mst, error, "nuisssisls", r->id, (int) i, m->name, m->dose, m->route,
                        (int) m->slots, m->schedule_text, STAMP (m)))
        return FALSE;
      if (!bind_id (db, mst, m->id, error))
        return FALSE;
      if (_ec_db_step (db, mst, _("Cannot save a medication"), error) == 0)
        return FALSE;
      SET_ID (m);
      (void) sqlite3_reset (mst);
    }

  if (r->contacts->len > 0)
    {
      kst = _ec_db_stmt (db, "INSERT INTO contacts (id, resident_id, position, name, relation, phones,"
                             " call_order, lives_nearby, updated_at, updated_by)"
                             " VALUES (?,?,?,?,?,?,?,?,?,?)", error);
      if (kst == NULL)
        return FALSE;
    }
  for (guint i = 0; i < r->contacts->len; i++)
    {
      EcContact *c = g_ptr_array_index (r->contacts, i);
      g_autofree char *phones = g_strjoinv ("\n", c->phones);
      if (!_ec_db_bind (db, kst, error, "nuisssiils", r->id, (int) i, c->name, c->relation, phones,
                        (int) c->call_order, c->lives_nearby ? 1 : 0, STAMP (c)))
        return FALSE;
      if (!bind_id (db, kst, c->id, error))
        return FALSE;
      if (_ec_db_step (db, kst, _("Cannot save a contact"), error) == 0)
        return FALSE;
      SET_ID (c);
      (void) sqlite3_reset (kst);
    }
#undef STAMP
#undef SET_ID
  return TRUE;
}

gboolean
_ec_db_insert_resident (EcDb       *db,
                        EcResident *r,
                        gint64      now,
                        const char *actor_id,
                        GError    **error)
{
  g_autoptr(EcCachedStmt) st = NULL;
  g_autofree char *pkey = _ec_db_pinyin_key (r->name_pinyin);
  g_autofree char *phkey = _ec_db_phone_key (r->phone);

  st = _ec_db_stmt (db,
                    "INSERT INTO residents (id, name_zh, name_pinyin, pinyin_key, sex, date_of_birth,"
                    " photo, photo_mime, address, building_unit, phone, phone_key, blood_type,"
                    " language, dnr, directive_location, wandering, comm_needs, comm_notes, implants,"
                    " gp, social_worker, notes, allergy_status, record_version, updated_at, updated_by)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", error);
  if (st == NULL)
    return FALSE;
  if (r->record_version < 1)
    r->record_version = 1;
  if (r->updated_at <= 0)
    r->updated_at = now;
  if (r->updated_by == NULL)
    r->updated_by = g_strdup (actor_id);
  if (!_ec_db_bind (db, st, error, "usssisbsssssisisiisssssills",
                    r->id, r->name_zh, r->name_pinyin, pkey, (int) r->sex, r->date_of_birth,
                    r->photo, r->photo_mime, r->address, r->building_unit, r->phone, phkey,
                    (int) r->blood_type, r->language, (int) r->dnr, r->directive_location,
                    (int) r->wandering, (int) r->comm_needs, r->comm_notes, r->implants, r->gp,
                    r->social_worker, r->notes, (int) r->allergy_status, r->record_version,
                    r->updated_at, r->updated_by))
    return FALSE;
  if (_ec_db_step (db, st, _("Cannot save the resident"), error) == 0)
    {
      if (error != NULL && *error != NULL && (*error)->code == EC_DB_ERROR_CONSTRAINT)
        {
          g_autofree char *ids = ec_resident_id_to_string (r->id);
          g_prefix_error (error, _("Resident %s: "), ids);
        }
      return FALSE;
    }
  return insert_entries (db, r, now, actor_id, error);
}

#define RESIDENT_COLUMNS \
  "id, name_zh, name_pinyin, sex, date_of_birth, photo, photo_mime, address, building_unit," \
  " phone, blood_type, language, dnr, directive_location, wandering, comm_needs, comm_notes," \
  " implants, gp, social_worker, notes, allergy_status, record_version, updated_at, updated_by"

gboolean
_ec_db_load_resident (EcDb         *db,
                      EcResidentId  id,
                      EcResident  **out,
                      GError      **error)
{
  g_autoptr(EcResident) r = NULL;
  g_autoptr(EcCachedStmt) st = NULL;
  int rc, c = 0;

  st = _ec_db_stmt (db, "SELECT " RESIDENT_COLUMNS " FROM residents WHERE id = ?", error);
  if (st == NULL || !_ec_db_bind (db, st, error, "u", id))
    return FALSE;
  rc = _ec_db_step (db, st, _("Cannot read the resident"), error);
  if (rc == 0)
    return FALSE;
  if (rc == SQLITE_DONE)
    {
      g_autofree char *ids = ec_resident_id_to_string (id);
      g_set_error (error, EC_DB_ERROR, EC_DB_ERROR_NOT_FOUND, _("No resident with id %s"), ids);
      return FALSE;
    }
  r = ec_resident_new ();
  r->id = (EcResidentId) sqlite3_column_int64 (st, c++);
  r->name_zh = _ec_db_col_text (st, c++);
  r->name_pinyin = _ec_db_col_text (st, c++);
  r->sex = (EcSex) sqlite3_column_int (st, c++);
  r->date_of_birth = _ec_db_col_text (st, c++);
  if (sqlite3_column_type (st, c) != SQLITE_NULL)
    r->photo = g_bytes_new (sqlite3_column_blob (st, c), (gsize) sqlite3_column_bytes (st, c));
  c++;
  r->photo_mime = _ec_db_col_text (st, c++);
  r->address = _ec_db_col_text (st, c++);
  r->building_unit = _ec_db_col_text (st, c++);
  r->phone = _ec_db_col_text (st, c++);
  r->blood_type = (EcBloodType) sqlite3_column_int (st, c++);
  r->language = _ec_db_col_text (st, c++);
  r->dnr = (EcDnrStatus) sqlite3_column_int (st, c++);
  r->directive_location = _ec_db_col_text (st, c++);
  r->wandering = (EcWanderingRisk) sqlite3_column_int (st, c++);
  r->comm_needs = (guint) sqlite3_column_int (st, c++);
  r->comm_notes = _ec_db_col_text (st, c++);
  r->implants = _ec_db_col_text (st, c++);
  r->gp = _ec_db_col_text (st, c++);
  r->social_worker = _ec_db_col_text (st, c++);
  r->notes = _ec_db_col_text (st, c++);
  r->allergy_status = (EcAllergyStatus) sqlite3_column_int (st, c++);
  r->record_version = sqlite3_column_int64 (st, c++);
  r->updated_at = sqlite3_column_int64 (st, c++);
  r->updated_by = _ec_db_col_text (st, c++);
  g_clear_pointer (&st, _ec_cached_stmt_release);

  st = _ec_db_stmt (db, "SELECT id, text, icd10, since, updated_at, updated_by FROM conditions"
                        " WHERE resident_id = ? ORDER BY position", error);
  if (st == NULL || !_ec_db_bind (db, st, error, "u", id))
    return FALSE;
  while ((rc = _ec_db_step (db, st, _("Cannot read conditions"), error)) == SQLITE_ROW)
    {
      EcCondition *e = ec_condition_new ();
      e->id = sqlite3_column_int64 (st, 0);
      e->text = _ec_db_col_text (st, 1);
      e->icd10 = _ec_db_col_text (st, 2);
      e->since = _ec_db_col_text (st, 3);
      e->updated_at = sqlite3_column_int64 (st, 4);
      e->updated_by = _ec_db_col_text (st, 5);
      g_ptr_array_add (r->conditions, e);
    }
  if (rc == 0)
    return FALSE;
  g_clear_pointer (&st, _ec_cached_stmt_release);

  st = _ec_db_stmt (db, "SELECT id, substance, category, criticality, reaction, severity, confirmed,"
                        " updated_at, updated_by FROM allergies WHERE resident_id = ? ORDER BY position", error);
  if (st == NULL || !_ec_db_bind (db, st, error, "u", id))
    return FALSE;
  while ((rc = _ec_db_step (db, st, _("Cannot read allergies"), error)) == SQLITE_ROW)
    {
      EcAllergy *e = ec_allergy_new ();
      e->id = sqlite3_column_int64 (st, 0);
      e->substance = _ec_db_col_text (st, 1);
      e->category = (EcAllergyCategory) sqlite3_column_int (st, 2);
      e->criticality = (EcCriticality) sqlite3_column_int (st, 3);
      e->reaction = _ec_db_col_text (st, 4);
      e->severity = (EcSeverity) sqlite3_column_int (st, 5);
      e->confirmed = sqlite3_column_int (st, 6) != 0;
      e->updated_at = sqlite3_column_int64 (st, 7);
      e->updated_by = _ec_db_col_text (st, 8);
      g_ptr_array_add (r->allergies, e);
    }
  if (rc == 0)
    return FALSE;
  g_clear_pointer (&st, _ec_cached_stmt_release);

  st = _ec_db_stmt (db, "SELECT id, name, dose, route, slots, schedule_text, updated_at, updated_by"
                        " FROM medications WHERE resident_id = ? ORDER BY position", error);
  if (st == NULL || !_ec_db_bind (db, st, error, "u", id))
    return FALSE;
  while ((rc = _ec_db_step (db, st, _("Cannot read medications"), error)) == SQLITE_ROW)
    {
      EcMedication *e = ec_medication_new ();
      e->id = sqlite3_column_int64 (st, 0);
      e->name = _ec_db_col_text (st, 1);
      e->dose = _ec_db_col_text (st, 2);
      e->route = _ec_db_col_text (st, 3);
      e->slots = (guint) sqlite3_column_int (st, 4);
      e->schedule_text = _ec_db_col_text (st, 5);
      e->updated_at = sqlite3_column_int64 (st, 6);
      e->updated_by = _ec_db_col_text (st, 7);
      g_ptr_array_add (r->medications, e);
    }
  if (rc == 0)
    return FALSE;
  g_clear_pointer (&st, _ec_cached_stmt_release);

  st = _ec_db_stmt (db, "SELECT id, name, relation, phones, call_order, lives_nearby, updated_at,"
                        " updated_by FROM contacts WHERE resident_id = ? ORDER BY position", error);
  if (st == NULL || !_ec_db_bind (db, st, error, "u", id))
    return FALSE;
  while ((rc = _ec_db_step (db, st, _("Cannot read contacts"), error)) == SQLITE_ROW)
    {
      EcContact *e = ec_contact_new ();
      const char *phones = (const char *) sqlite3_column_text (st, 3);
      e->id = sqlite3_column_int64 (st, 0);
      e->name = _ec_db_col_text (st, 1);
      e->relation = _ec_db_col_text (st, 2);
      e->phones = g_strsplit (phones != NULL ? phones : "", "\n", -1);
      e->call_order = (guint) sqlite3_column_int (st, 4);
      e->lives_nearby = sqlite3_column_int (st, 5) != 0;
      e->updated_at = sqlite3_column_int64 (st, 6);
      e->updated_by = _ec_db_col_text (st, 7);
      g_ptr_array_add (r->contacts, e);
    }
  if (rc == 0)
    return FALSE;

  *out = g_steal_pointer (&r);
  return TRUE;
}

/* ------------------------------------------------------------------------- */
/* Public: add, update, remove, the audited read */

gboolean
ec_db_resident_add (EcDb          *db,
                    EcResident    *resident,
                    const EcActor *actor,
                    GError       **error)
{
  g_autofree char *detail = NULL;
  gint64 now = _ec_db_now ();
  gboolean ok;

  g_return_val_if_fail (db != NULL, FALSE);
  g_return_val_if_fail (resident != NULL, FALSE);

  if (!_ec_db_check_actor (actor, error) || !_ec_db_check_writable (db, error) ||
      !_ec_db_validate_resident (resident, error))
    return FALSE;
  if (!_ec_db_op_begin (db, error))
    return FALSE;
  ok = resident->id != 0 || _ec_db_new_resident_id (db, &resident->id, error);
  if (ok)
    {
      /* A new record: its stamps are now and this actor, whatever the struct said. */
      resident->record_version = 1;
      resident->updated_at = now;
      g_free (resident->updated_by);
      resident->updated_by = g_strdup (actor->id);
      ok = _ec_db_insert_resident (db, resident, now, actor->id, error);
    }
  if (ok)
    {
      detail = g_strdup_printf ("record_version=1 conditions=%u allergies=%u medications=%u contacts=%u",
                                resident->conditions->len, resident->allergies->len,
                                resident->medications->len, resident->contacts->len);
      ok = _ec_db_audit_append_locked (db, actor, "resident-add", resident->id, EC_DB_PURPOSE_EDIT,
                                       NULL, detail, error);
    }
  return _ec_db_op_end (db, ok, error);
}

static gboolean
condition_equal (const EcCondition *a, const EcCondition *b)
{
  return g_strcmp0 (a->text, b->text) == 0 && g_strcmp0 (a->icd10, b->icd10) == 0 &&
         g_strcmp0 (a->since, b->since) == 0;
}

static gboolean
allergy_equal (const EcAllergy *a, const EcAllergy *b)
{
  return g_strcmp0 (a->substance, b->substance) == 0 && a->category == b->category &&
         a->criticality == b->criticality && g_strcmp0 (a->reaction, b->reaction) == 0 &&
         a->severity == b->severity && !a->confirmed == !b->confirmed;
}

static gboolean
medication_equal (const EcMedication *a, const EcMedication *b)
{
  return g_strcmp0 (a->name, b->name) == 0 && g_strcmp0 (a->dose, b->dose) == 0 &&
         g_strcmp0 (a->route, b->route) == 0 && a->slots == b->slots &&
         g_strcmp0 (a->schedule_text, b->schedule_text) == 0;
}

static gboolean
contact_equal (const EcContact *a, const EcContact *b)
{
  return g_strcmp0 (a->name, b->name) == 0 && g_strcmp0 (a->relation, b->relation) == 0 &&
         g_strv_equal ((const char *const *) a->phones, (const char *const *) b->phones) &&
         a->call_order == b->call_order && !a->lives_nearby == !b->lives_nearby;
}

typedef gboolean (*EntryEqual) (gconstpointer a, gconstpointer b);

/* Entries are stamped (id, updated_at, updated_by come first in every entry struct
 * after the id... so handle each kind through offsets). */
typedef struct
{
  gint64 *id;
  gint64 *updated_at;
  char  **updated_by;
} EntryStamp;

static EntryStamp
stamp_of (int kind, gpointer e)
{
  EntryStamp s = { 0 };
  switch (kind)
    {
    case 0: { EcCondition *x = e; s.id = &x->id; s.updated_at = &x->updated_at; s.updated_by = &x->updated_by; break; }
    case 1: { EcAllergy *x = e; s.id = &x->id; s.updated_at = &x->updated_at; s.updated_by = &x->updated_by; break; }
    case 2: { EcMedication *x = e; s.id = &x->id; s.updated_at = &x->updated_at; s.updated_by = &x->updated_by; break; }
    default: { EcContact *x = e; s.id = &x->id; s.updated_at = &x->updated_at; s.updated_by = &x->updated_by; break; }
    }
  return s;
}

/* Give each new entry the old entry's stamp when it is unchanged, now/actor when it
 * is new or changed; drop ids that are not this resident's. Returns how many
 * entries changed (added, changed or removed). */
static guint
restamp (int         kind,
         GPtrArray  *new_list,
         GPtrArray  *old_list,
         EntryEqual  equal,
         gint64      now,
         const char *actor_id)
{
  guint changed = 0, kept = 0;
  g_autofree gboolean *taken = g_new0 (gboolean, old_list->len + 1);

  for (guint i = 0; i < new_list->len; i++)
    {
      gpointer n = g_ptr_array_index (new_list, i);
      EntryStamp ns = stamp_of (kind, n);
      gpointer match = NULL;

      for (guint j = 0; *ns.id > 0 && j < old_list->len; j++)
        if (!taken[j] && *stamp_of (kind, g_ptr_array_index (old_list, j)).id == *ns.id)
          {
            match = g_ptr_array_index (old_list, j);
            taken[j] = TRUE;
          }
      /* An entry without an id (a re-typed list) that equals a stored one is that
       * entry: it keeps its id and its stamp. */
      for (guint j = 0; match == NULL && *ns.id <= 0 && j < old_list->len; j++)
        if (!taken[j] && equal (n, g_ptr_array_index (old_list, j)))
          {
            match = g_ptr_array_index (old_list, j);
            taken[j] = TRUE;
            *ns.id = *stamp_of (kind, match).id;
          }
      if (match == NULL)
        *ns.id = 0;
      g_free (*ns.updated_by);
      if (match != NULL && equal (n, match))
        {
          EntryStamp os = stamp_of (kind, match);
          *ns.updated_at = *os.updated_at;
          *ns.updated_by = g_strdup (*os.updated_by);
          kept++;
        }
      else
        {
          *ns.updated_at = now;
          *ns.updated_by = g_strdup (actor_id);
          changed++;
        }
    }
  return changed + (old_list->len - kept);
}

gboolean
ec_db_resident_update (EcDb          *db,
                       EcResident    *r,
                       const EcActor *actor,
                       GError       **error)
{
  g_autoptr(EcResident) old = NULL;
  g_autofree char *detail = NULL;
  const char *const deletes[] = {
    "DELETE FROM conditions WHERE resident_id = ?", "DELETE FROM allergies WHERE resident_id = ?",
    "DELETE FROM medications WHERE resident_id = ?", "DELETE FROM contacts WHERE resident_id = ?",
  };
  gint64 now = _ec_db_now ();
  guint changed = 0;
  gboolean ok;

  g_return_val_if_fail (db != NULL, FALSE);
  g_return_val_if_fail (r != NULL, FALSE);

  if (!_ec_db_check_actor (actor, error) || !_ec_db_check_writable (db, error) ||
      !_ec_db_validate_resident (r, error))
    return FALSE;
  if (!_ec_db_op_begin (db, error))
    return FALSE;
  ok = _ec_db_load_resident (db, r->id, &old, error);
  if (ok)
    {
      changed += restamp (0, r->conditions, old->conditions, (EntryEqual) condition_equal, now, actor->id);
      changed += restamp (1, r->allergies, old->allergies, (EntryEqual) allergy_equal, now, actor->id);
      changed += restamp (2, r->medications, old->medications, (EntryEqual) medication_equal, now, actor->id);
      changed += restamp (3, r->contacts, old->contacts, (EntryEqual) contact_equal, now, actor->id);
      for (gsize i = 0; ok && i < G_N_ELEMENTS (deletes); i++)
        {
          g_autoptr(EcCachedStmt) st = _ec_db_stmt (db, deletes[i], error);
          ok = st != NULL && _ec_db_bind (db, st, error, "u", r->id) &&
               _ec_db_step (db, st, _("Cannot update the resident"), error) != 0;
        }
    }
  if (ok)
    {
      g_autoptr(EcCachedStmt) st = _ec_db_stmt (db, "DELETE FROM residents WHERE id = ?", error);
      ok = st != NULL && _ec_db_bind (db, st, error, "u", r->id) &&
           _ec_db_step (db, st, _("Cannot update the resident"), error) != 0;
    }
  if (ok)
    {
      r->record_version = old->record_version + 1;
      r->updated_at = now;
      g_free (r->updated_by);
      r->updated_by = g_strdup (actor->id);
      ok = _ec_db_insert_resident (db, r, now, actor->id, error);
    }
  if (ok)
    {
      detail = g_strdup_printf ("record_version=%" G_GINT64_FORMAT " entries_changed=%u",
                                r->record_version, changed);
      ok = _ec_db_audit_append_locked (db, actor, "resident-update", r->id, EC_DB_PURPOSE_EDIT,
                                       NULL, detail, error);
    }
  return _ec_db_op_end (db, ok, error);
}

gboolean
ec_db_resident_remove (EcDb          *db,
                       EcResidentId   id,
                       const EcActor *actor,
                       const char    *reason,
                       GError       **error)
{
  gboolean ok;
  gint64 version = 0;

  g_return_val_if_fail (db != NULL, FALSE);

  if (!_ec_db_check_actor (actor, error) || !_ec_db_check_writable (db, error))
    return FALSE;
  if (!_ec_db_op_begin (db, error))
    return FALSE;
  ok = ec_db_resident_exists (db, id, &version, error);
  if (ok && version == 0)
    {
      g_autofree char *ids = ec_resident_id_to_string (id);
      g_set_error (error, EC_DB_ERROR, EC_DB_ERROR_NOT_FOUND, _("No resident with id %s"), ids);
      ok = FALSE;
    }
  if (ok)
    {
      g_autoptr(EcCachedStmt) st =
        _ec_db_stmt (db, "UPDATE cards SET status = ?, status_changed_at = ?, status_reason = ?,"
                         " image = NULL WHERE resident_id = ? AND status IN (?, ?)", error);
      ok = st != NULL &&
           _ec_db_bind (db, st, error, "ilsuii", (int) EC_CARD_STATUS_REVOKED, _ec_db_now (),
                        "resident removed", id, (int) EC_CARD_STATUS_ACTIVE,
                        (int) EC_CARD_STATUS_PENDING) &&
           _ec_db_step (db, st, _("Cannot revoke the resident's cards"), error) != 0;
    }
  if (ok)
    {
      /* Entries go with ON DELETE CASCADE; secure_delete zeroes the freed space. */
      g_autoptr(EcCachedStmt) st = _ec_db_stmt (db, "DELETE FROM residents WHERE id = ?", error);
      ok = st != NULL && _ec_db_bind (db, st, error, "u", id) &&
           _ec_db_step (db, st, _("Cannot remove the resident"), error) != 0;
    }
  if (ok)
    ok = _ec_db_audit_append_locked (db, actor, "resident-remove", id, EC_DB_PURPOSE_EDIT, reason,
                                     NULL, error);
  return _ec_db_op_end (db, ok, error);
}

gboolean
ec_db_get_resident (EcDb          *db,
                    EcResidentId   id,
                    const EcActor *actor,
                    const char    *purpose,
                    const char    *reason,
                    EcResident   **out,
                    GError       **error)
{
  g_autoptr(EcResident) r = NULL;
  g_autoptr(GError) load_error = NULL;
  g_autofree char *detail = NULL;
  gboolean ok, found;

  g_return_val_if_fail (db != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  if (!_ec_db_check_actor (actor, error))
    return FALSE;
  if (purpose == NULL || purpose[0] == '\0')
    {
      g_set_error_literal (error, EC_DB_ERROR, EC_DB_ERROR_INVALID,
                           _("Viewing a resident's record needs a purpose"));
      return FALSE;
    }
  if ((strcmp (purpose, EC_DB_PURPOSE_MANUAL_LOOKUP) == 0 || strcmp (purpose, EC_DB_PURPOSE_EMERGENCY_ACCESS) == 0)
      && (reason == NULL || reason[0] == '\0'))
    {
      g_set_error_literal (error, EC_DB_ERROR, EC_DB_ERROR_INVALID,
                           _("A manual lookup needs a reason"));
      return FALSE;
    }
  if (!_ec_db_check_writable (db, error))
    {
      g_prefix_error (error, _("Medical data is shown only when the view can be audited: "));
      return FALSE;
    }

  if (!_ec_db_op_begin (db, error))
    return FALSE;
  found = _ec_db_load_resident (db, id, &r, &load_error);
  ok = found || g_error_matches (load_error, EC_DB_ERROR, EC_DB_ERROR_NOT_FOUND);
  if (ok)
    {
      if (found)
        detail = g_strdup_printf ("record_version=%" G_GINT64_FORMAT, r->record_version);
      ok = _ec_db_audit_append_locked (db, actor, found ? "view" : "view-missing", id, purpose,
                                       reason, detail, error);
    }
  else
    g_propagate_error (error, g_steal_pointer (&load_error));
  if (!_ec_db_op_end (db, ok, error))
    return FALSE;
  if (!found)
    {
      g_propagate_error (error, g_steal_pointer (&load_error));
      return FALSE;
    }
  *out = g_steal_pointer (&r);
  return TRUE;
}

/* ------------------------------------------------------------------------- */
/* Identity-only queries */

gboolean
ec_db_resident_exists (EcDb         *db,
                       EcResidentId  id,
                       gint64       *out_record_version,
                       GError      **error)
{
  g_autoptr(EcCachedStmt) st = NULL;
  int rc;

  g_return_val_if_fail (db != NULL, FALSE);
  st = _ec_db_stmt (db, "SELECT record_version FROM residents WHERE id = ?", error);
  if (st == NULL || !_ec_db_bind (db, st, error, "u", id) ||
      (rc = _ec_db_step (db, st, _("Cannot read the resident"), error)) == 0)
    return FALSE;
  if (out_record_version != NULL)
    *out_record_version = rc == SQLITE_ROW ? sqlite3_column_int64 (st, 0) : 0;
  return TRUE;
}

gboolean
ec_db_resident_count (EcDb     *db,
                      guint64  *out_count,
                      GError  **error)
{
  g_autoptr(EcCachedStmt) st = NULL;

  g_return_val_if_fail (db != NULL, FALSE);
  st = _ec_db_stmt (db, "SELECT count(*) FROM residents", error);
  if (st == NULL || _ec_db_step (db, st, _("Cannot count residents"), error) != SQLITE_ROW)
    return FALSE;
  *out_count = (guint64) sqlite3_column_int64 (st, 0);
  return TRUE;
}

#define SUMMARY_COLUMNS "id, name_zh, name_pinyin, sex, date_of_birth, building_unit, phone"

static gboolean
collect_summaries (EcDb         *db,
                   sqlite3_stmt *st,
                   GPtrArray    *out,
                   GHashTable   *seen,
                   guint         limit,
                   GError      **error)
{
  int rc = SQLITE_DONE;

  while (out->len < limit && (rc = _ec_db_step (db, st, _("Cannot search residents"), error)) == SQLITE_ROW)
    {
      EcResidentSummary *s;
      EcResidentId id = (EcResidentId) sqlite3_column_int64 (st, 0);

      if (seen != NULL && !g_hash_table_add (seen, g_memdup2 (&id, sizeof id)))
        continue;
      s = g_new0 (EcResidentSummary, 1);
      s->id = id;
      s->name_zh = _ec_db_col_text (st, 1);
      s->name_pinyin = _ec_db_col_text (st, 2);
      s->sex = (EcSex) sqlite3_column_int (st, 3);
      s->date_of_birth = _ec_db_col_text (st, 4);
      s->building_unit = _ec_db_col_text (st, 5);
      s->phone = _ec_db_col_text (st, 6);
      g_ptr_array_add (out, s);
    }
  return out->len >= limit || rc != 0;
}

gboolean
ec_db_resident_list (EcDb       *db,
                     guint       offset,
                     guint       limit,
                     GPtrArray **out_summaries,
                     GError    **error)
{
  g_autoptr(EcCachedStmt) st = NULL;
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) ec_resident_summary_free);

  g_return_val_if_fail (db != NULL, FALSE);
  st = _ec_db_stmt (db, "SELECT " SUMMARY_COLUMNS " FROM residents"
                        " ORDER BY pinyin_key, id LIMIT ? OFFSET ?", error);
  if (st == NULL ||
      !_ec_db_bind (db, st, error, "ll", limit == 0 ? (gint64) -1 : (gint64) limit, (gint64) offset) ||
      !collect_summaries (db, st, list, NULL, limit == 0 ? G_MAXUINT : limit, error))
    return FALSE;
  *out_summaries = g_steal_pointer (&list);
  return TRUE;
}

static gboolean
search_one (EcDb       *db,
            const char *sql,
            const char *fmt,
            const char *a,
            const char *b,
            GPtrArray  *out,
            GHashTable *seen,
            guint       limit,
            GError    **error)
{
  g_autoptr(EcCachedStmt) st = _ec_db_stmt (db, sql, error);

  if (st == NULL)
    return FALSE;
  if (b != NULL ? !_ec_db_bind (db, st, error, fmt, a, b, (gint64) limit)
                : !_ec_db_bind (db, st, error, fmt, a, (gint64) limit))
    return FALSE;
  return collect_summaries (db, st, out, seen, limit, error);
}

gboolean
ec_db_search (EcDb        *db,
              const char  *query,
              guint        limit,
              GPtrArray  **out_results,
              GError     **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) ec_resident_summary_free);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autofree char *q = NULL, *uid = NULL;
  gboolean phone_like = TRUE, pinyin_like = TRUE;
  EcResidentId rid;

  g_return_val_if_fail (db != NULL, FALSE);
  g_return_val_if_fail (out_results != NULL, FALSE);

  if (limit == 0)
    limit = 50;
  q = g_strstrip (g_strdup (query != NULL ? query : ""));
  if (q[0] == '\0' || !g_utf8_validate (q, -1, NULL) || strlen (q) > 256)
    {
      g_set_error_literal (error, EC_DB_ERROR, EC_DB_ERROR_INVALID,
                           _("Search for a name, pinyin, phone number or card UID"));
      return FALSE;
    }

  if (ec_resident_id_parse (q, &rid))
    {
      g_autoptr(EcCachedStmt) st = _ec_db_stmt (db, "SELECT " SUMMARY_COLUMNS " FROM residents WHERE id = ?", error);
      if (st == NULL || !_ec_db_bind (db, st, error, "u", rid) ||
          !collect_summaries (db, st, list, seen, limit, error))
        return FALSE;
    }

  uid = _ec_db_normalize_uid (q);
  if (uid != NULL &&
      !search_one (db, "SELECT r.id, r.name_zh, r.name_pinyin, r.sex, r.date_of_birth, r.building_unit,"
                       " r.phone FROM cards c JOIN residents r ON r.id = c.resident_id"
                       " WHERE c.uid = ?1 LIMIT ?2", "sl", uid, NULL, list, seen, limit, error))
    return FALSE;

  for (const char *p = q; *p != '\0'; p++)
    {
      if (!(g_ascii_isdigit (*p) || *p == '+' || *p == '-' || *p == ' ' || *p == '(' || *p == ')'))
        phone_like = FALSE;
      if (!(g_ascii_isalpha (*p) || *p == ' ' || *p == '\'' || *p == '-' || (guchar) *p >= 0x80))
        pinyin_like = FALSE;
    }

  if (phone_like && list->len < limit)
    {
      g_autofree char *key = _ec_db_phone_key (q);
      if (key[0] != '\0')
        {
          g_autofree char *hi = g_strconcat (key, ":", NULL);   /* ':' follows '9' */
          if (!search_one (db, "SELECT " SUMMARY_COLUMNS " FROM residents"
                               " WHERE phone_key >= ?1 AND phone_key < ?2 ORDER BY phone_key, id LIMIT ?3",
                           "ssl", key, hi, list, seen, limit, error))
            return FALSE;
        }
    }

  if (pinyin_like && list->len < limit)
    {
      g_autofree char *key = _ec_db_pinyin_key (q);
      /* Only when the query is pinyin, not Chinese characters. */
      gboolean has_ascii = FALSE;
      for (const char *p = q; *p; p++)
        if (g_ascii_isalpha (*p))
          has_ascii = TRUE;
      if (has_ascii && key[0] != '\0')
        {
          g_autofree char *hi = g_strconcat (key, "{", NULL);   /* '{' follows 'z' */
          if (!search_one (db, "SELECT " SUMMARY_COLUMNS " FROM residents"
                               " WHERE pinyin_key >= ?1 AND pinyin_key < ?2 ORDER BY pinyin_key, id LIMIT ?3",
                           "ssl", key, hi, list, seen, limit, error))
            return FALSE;
        }
    }

  if (list->len < limit && !phone_like)
    {
      /* Chinese name prefix: every name starting with q sorts between q and
       * q + U+10FFFF under the binary collation. */
      g_autofree char *hi = g_strconcat (q, "\xf4\x8f\xbf\xbf", NULL);
      if (!search_one (db, "SELECT " SUMMARY_COLUMNS " FROM residents"
                           " WHERE name_zh >= ?1 AND name_zh <= ?2 ORDER BY name_zh, id LIMIT ?3",
                       "ssl", q, hi, list, seen, limit, error))
        return FALSE;
    }

  *out_results = g_steal_pointer (&list);
  return TRUE;
}
