/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ec-station"

#include "ec-station-editor.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ec-card-face.h"
#include "ec-db.h"
#include "ec-i18n.h"

struct _EcStationEditor
{
  GtkBox               parent_instance;

  EcResident          *base;     /* what is being edited (a new one has id 0) */
  GBytes              *photo;
  char                *photo_mime;

  /* Template children */
  AdwEntryRow         *address_row;
  AdwComboRow         *allergy_status_row;
  AdwEntryRow         *allergies_row;
  AdwComboRow         *blood_row;
  AdwEntryRow         *building_row;
  AdwEntryRow         *conditions_row;
  AdwEntryRow         *contact1_name_row;
  AdwEntryRow         *contact1_phone_row;
  AdwEntryRow         *contact1_relation_row;
  AdwEntryRow         *contact2_name_row;
  AdwEntryRow         *contact2_phone_row;
  AdwEntryRow         *contact2_relation_row;
  AdwEntryRow         *directive_row;
  AdwComboRow         *dnr_row;
  AdwEntryRow         *dob_row;
  AdwEntryRow         *gp_row;
  AdwEntryRow         *language_row;
  AdwEntryRow         *medications_row;
  AdwEntryRow         *name_pinyin_row;
  AdwEntryRow         *name_zh_row;
  AdwEntryRow         *notes_row;
  AdwEntryRow         *phone_row;
  GtkImage            *photo_image;
  GtkLabel            *photo_label;
  GtkLabel            *problems_label;
  AdwComboRow         *sex_row;
  AdwEntryRow         *social_worker_row;
  GtkLabel            *title_label;
  AdwComboRow         *wandering_row;
};

G_DEFINE_FINAL_TYPE (EcStationEditor, ec_station_editor, GTK_TYPE_BOX)

enum { SAVE, CANCEL, N_SIGNALS };
static guint signals[N_SIGNALS];

/* ------------------------------------------------------------------------- */
/* Validation (pure) */

static gboolean
parse_date (const char *s,
            GDate      *out)
{
  int y, m, d;
  char tail;

  if (sscanf (s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || strlen (s) != 10)
    return FALSE;
  if (!g_date_valid_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y))
    return FALSE;
  g_date_set_dmy (out, (GDateDay) d, (GDateMonth) m, (GDateYear) y);
  return TRUE;
}

/* Digits of a phone number written with spaces, dashes, brackets and an optional +;
 * NULL when other characters are in it. */
static char *
phone_digits (const char *phone)
{
  g_autoptr(GString) digits = g_string_new (NULL);

  for (const char *p = phone; *p; p++)
    {
      if (g_ascii_isdigit (*p))
        g_string_append_c (digits, *p);
      else if (*p == '+' && p == phone)
        continue;
      else if (*p != ' ' && *p != '-' && *p != '(' && *p != ')')
        return NULL;
    }
  return g_string_free (g_steal_pointer (&digits), FALSE);
}

static void
check_phone (const char *what,
             const char *phone,
             GPtrArray  *problems)
{
  g_autofree char *digits = phone_digits (phone);
  gsize n = digits != NULL ? strlen (digits) : 0;

  if (digits == NULL)
    g_ptr_array_add (problems, g_strdup_printf (_("%s: “%s” is not a phone number. Use digits, spaces and "
                                                  "dashes only, for example 139 0000 1234 or 021-5555 0100."),
                                                what, phone));
  else if (n < 7 || n > 15)
    g_ptr_array_add (problems, g_strdup_printf (_("%s: “%s” has %u digits. A phone number has 7 to 15 digits "
                                                  "(a mobile number 11, for example 139 0000 1234)."),
                                                what, phone, (guint) n));
  else if (digits[0] == '1' && n != 11 && phone[0] != '+' && phone[0] != '0')
    g_ptr_array_add (problems, g_strdup_printf (_("%s: “%s” looks like a mobile number but has %u digits "
                                                  "instead of 11."), what, phone, (guint) n));
}

gboolean
ec_station_validate_resident (const EcResident *r,
                              const char       *today,
                              GPtrArray        *problems)
{
  guint before = problems->len;
  guint good_contacts = 0;

  g_autofree char *name = g_strstrip (g_strdup (r->name_zh != NULL ? r->name_zh : ""));

  if (*name == '\0')
    g_ptr_array_add (problems, g_strdup (_("The name in Chinese characters is required: it is what the card and "
                                           "every kiosk show first.")));
  if (r->name_pinyin != NULL && *r->name_pinyin)
    for (const char *p = r->name_pinyin; *p; p++)
      if (!g_ascii_isalpha (*p) && *p != ' ' && *p != '-' && *p != '\'')
        {
          g_ptr_array_add (problems, g_strdup (_("Pinyin is written with Latin letters and spaces, without "
                                                 "tone marks, for example “Wang Xiuying”.")));
          break;
        }
  if (r->date_of_birth != NULL && *r->date_of_birth)
    {
      GDate dob, now;
      if (!parse_date (r->date_of_birth, &dob))
        g_ptr_array_add (problems, g_strdup_printf (_("Date of birth: “%s” is not a date. Write it as "
                                                      "YYYY-MM-DD, for example 1942-03-18."), r->date_of_birth));
      else
        {
          if (today == NULL || !parse_date (today, &now))
            {
              g_date_clear (&now, 1);
              g_date_set_time_t (&now, time (NULL));
            }
          if (g_date_compare (&dob, &now) > 0)
            g_ptr_array_add (problems, g_strdup_printf (_("Date of birth: %s is in the future."), r->date_of_birth));
          else if (g_date_get_year (&dob) < 1900)
            g_ptr_array_add (problems, g_strdup_printf (_("Date of birth: %s is before 1900; check the year."),
                                                        r->date_of_birth));
        }
    }
  if (r->phone != NULL && *r->phone)
    check_phone (_("Resident's phone"), r->phone, problems);

  if (r->allergy_status == EC_ALLERGY_STATUS_RECORDED && (r->allergies == NULL || r->allergies->len == 0))
    g_ptr_array_add (problems, g_strdup (_("Allergies: “recorded” is chosen but none is listed. List them, or "
                                           "choose “none known” or “not known”.")));
  if (r->allergy_status != EC_ALLERGY_STATUS_RECORDED && r->allergies != NULL && r->allergies->len > 0)
    g_ptr_array_add (problems, g_strdup (_("Allergies are listed but the allergy status is not “recorded”. "
                                           "Choose “recorded”, or clear the list.")));

  for (guint i = 0; r->contacts != NULL && i < r->contacts->len; i++)
    {
      const EcContact *c = r->contacts->pdata[i];
      g_autofree char *what = g_strdup_printf (_("Contact %u (%s)"), i + 1, c->name != NULL ? c->name : "?");
      guint n_phones = c->phones != NULL ? g_strv_length (c->phones) : 0;

      if (c->name == NULL || *c->name == '\0')
        g_ptr_array_add (problems, g_strdup_printf (_("Contact %u has a phone number but no name."), i + 1));
      if (n_phones == 0)
        g_ptr_array_add (problems, g_strdup_printf (_("%s: a phone number is required, or the responder "
                                                      "cannot call."), what));
      for (guint k = 0; k < n_phones; k++)
        check_phone (what, c->phones[k], problems);
      if (c->name != NULL && *c->name && n_phones > 0)
        good_contacts++;
    }
  if (good_contacts == 0 && (r->contacts == NULL || r->contacts->len == 0))
    g_ptr_array_add (problems, g_strdup (_("At least one emergency contact with a name and a phone number is "
                                           "required: it is whom the responder calls.")));
  return problems->len == before;
}

/* ------------------------------------------------------------------------- */
/* Copying a resident (the editor keeps its base until the save succeeds) */

static EcResident *
resident_copy (const EcResident *r)
{
  EcResident *c = ec_resident_new ();

  c->id = r->id;
  c->name_zh = g_strdup (r->name_zh);
  c->name_pinyin = g_strdup (r->name_pinyin);
  c->sex = r->sex;
  c->date_of_birth = g_strdup (r->date_of_birth);
  c->photo = r->photo != NULL ? g_bytes_ref (r->photo) : NULL;
  c->photo_mime = g_strdup (r->photo_mime);
  c->address = g_strdup (r->address);
  c->building_unit = g_strdup (r->building_unit);
  c->phone = g_strdup (r->phone);
  c->blood_type = r->blood_type;
  c->language = g_strdup (r->language);
  c->dnr = r->dnr;
  c->directive_location = g_strdup (r->directive_location);
  c->wandering = r->wandering;
  c->comm_needs = r->comm_needs;
  c->comm_notes = g_strdup (r->comm_notes);
  c->implants = g_strdup (r->implants);
  c->gp = g_strdup (r->gp);
  c->social_worker = g_strdup (r->social_worker);
  c->notes = g_strdup (r->notes);
  c->allergy_status = r->allergy_status;
  c->record_version = r->record_version;
  for (guint i = 0; i < r->conditions->len; i++)
    {
      const EcCondition *s = r->conditions->pdata[i];
      EcCondition *d = ec_condition_new ();
      d->id = s->id;
      d->text = g_strdup (s->text);
      d->icd10 = g_strdup (s->icd10);
      d->since = g_strdup (s->since);
      g_ptr_array_add (c->conditions, d);
    }
  for (guint i = 0; i < r->allergies->len; i++)
    {
      const EcAllergy *s = r->allergies->pdata[i];
      EcAllergy *d = ec_allergy_new ();
      d->id = s->id;
      d->substance = g_strdup (s->substance);
      d->category = s->category;
      d->criticality = s->criticality;
      d->reaction = g_strdup (s->reaction);
      d->severity = s->severity;
      d->confirmed = s->confirmed;
      g_ptr_array_add (c->allergies, d);
    }
  for (guint i = 0; i < r->medications->len; i++)
    {
      const EcMedication *s = r->medications->pdata[i];
      EcMedication *d = ec_medication_new ();
      d->id = s->id;
      d->name = g_strdup (s->name);
      d->dose = g_strdup (s->dose);
      d->route = g_strdup (s->route);
      d->slots = s->slots;
      d->schedule_text = g_strdup (s->schedule_text);
      g_ptr_array_add (c->medications, d);
    }
  for (guint i = 0; i < r->contacts->len; i++)
    {
      const EcContact *s = r->contacts->pdata[i];
      EcContact *d = ec_contact_new ();
      d->id = s->id;
      d->name = g_strdup (s->name);
      d->relation = g_strdup (s->relation);
      d->phones = g_strdupv (s->phones);
      d->call_order = s->call_order;
      d->lives_nearby = s->lives_nearby;
      g_ptr_array_add (c->contacts, d);
    }
  return c;
}

/* ------------------------------------------------------------------------- */
/* Form <-> resident */

static void
set_text (AdwEntryRow *row,
          const char  *text)
{
  gtk_editable_set_text (GTK_EDITABLE (row), text != NULL ? text : "");
}

static char *
get_text (AdwEntryRow *row)
{
  g_autofree char *s = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));

  return *s != '\0' ? g_steal_pointer (&s) : NULL;
}

/* "a, b，c、d" → ["a", "b", "c", "d"] */
static GStrv
split_list (AdwEntryRow *row)
{
  g_autofree char *text = get_text (row);
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_auto(GStrv) parts = NULL;
  g_autoptr(GString) norm = NULL;

  if (text == NULL)
    return g_strv_builder_end (b);
  norm = g_string_new (text);
  g_string_replace (norm, "，", ",", 0);
  g_string_replace (norm, "、", ",", 0);
  g_string_replace (norm, ";", ",", 0);
  parts = g_strsplit (norm->str, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_strstrip (parts[i]);
      if (*parts[i] != '\0')
        g_strv_builder_add (b, parts[i]);
    }
  return g_strv_builder_end (b);
}

static char *
join_field (GPtrArray *list,
            gsize      offset)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_auto(GStrv) v = NULL;

  for (guint i = 0; i < list->len; i++)
    {
      const char *s = G_STRUCT_MEMBER (const char *, list->pdata[i], offset);
      if (s != NULL)
        g_strv_builder_add (b, s);
    }
  v = g_strv_builder_end (b);
  return g_strjoinv (", ", v);
}

static void
show_photo (EcStationEditor *self)
{
  if (self->photo != NULL)
    {
      g_autoptr(GdkTexture) t = gdk_texture_new_from_bytes (self->photo, NULL);
      g_autofree char *text = g_strdup_printf (_("Photo: %s, %zu KiB"), self->photo_mime != NULL ? self->photo_mime : "?",
                                               g_bytes_get_size (self->photo) / 1024);
      if (t != NULL)
        gtk_image_set_from_paintable (self->photo_image, GDK_PAINTABLE (t));
      gtk_label_set_label (self->photo_label, text);
    }
  else
    {
      gtk_image_set_from_icon_name (self->photo_image, "avatar-default-symbolic");
      gtk_label_set_label (self->photo_label, _("No photo."));
    }
}

static void
show_problems (EcStationEditor *self,
               GPtrArray       *problems)
{
  g_autoptr(GString) text = g_string_new (NULL);

  if (problems != NULL && problems->len > 0)
    {
      g_string_append (text, _("Please fix this before saving:"));
      for (guint i = 0; i < problems->len; i++)
        g_string_append_printf (text, "\n• %s", (const char *) problems->pdata[i]);
    }
  gtk_label_set_label (self->problems_label, text->str);
  gtk_widget_set_visible (GTK_WIDGET (self->problems_label), text->len > 0);
}

void
ec_station_editor_show_error (EcStationEditor *self,
                              const char      *message)
{
  g_autoptr(GPtrArray) p = g_ptr_array_new_with_free_func (g_free);

  g_return_if_fail (EC_IS_STATION_EDITOR (self));
  g_ptr_array_add (p, g_strdup (message));
  show_problems (self, p);
}

void
ec_station_editor_set_resident (EcStationEditor *self,
                                EcResident      *resident)
{
  EcResident *r;
  const EcContact *c1 = NULL, *c2 = NULL;
  g_autofree char *allergies = NULL, *conditions = NULL, *medications = NULL;

  g_return_if_fail (EC_IS_STATION_EDITOR (self));

  g_clear_pointer (&self->base, ec_resident_free);
  self->base = resident != NULL ? resident : ec_resident_new ();
  r = self->base;
  g_clear_pointer (&self->photo, g_bytes_unref);
  g_clear_pointer (&self->photo_mime, g_free);
  self->photo = r->photo != NULL ? g_bytes_ref (r->photo) : NULL;
  self->photo_mime = g_strdup (r->photo_mime);

  gtk_label_set_label (self->title_label, r->id == 0 ? _("New resident") : _("Edit the record"));
  set_text (self->name_zh_row, r->name_zh);
  set_text (self->name_pinyin_row, r->name_pinyin);
  adw_combo_row_set_selected (self->sex_row, (guint) r->sex);
  set_text (self->dob_row, r->date_of_birth);
  adw_combo_row_set_selected (self->blood_row, (guint) r->blood_type);
  /* A new resident's allergy status must be chosen on purpose. */
  adw_combo_row_set_selected (self->allergy_status_row, r->id == 0 ? 0 : (guint) r->allergy_status + 1);
  allergies = join_field (r->allergies, G_STRUCT_OFFSET (EcAllergy, substance));
  conditions = join_field (r->conditions, G_STRUCT_OFFSET (EcCondition, text));
  medications = join_field (r->medications, G_STRUCT_OFFSET (EcMedication, name));
  set_text (self->allergies_row, allergies);
  set_text (self->conditions_row, conditions);
  set_text (self->medications_row, medications);
  adw_combo_row_set_selected (self->dnr_row, (guint) r->dnr);
  adw_combo_row_set_selected (self->wandering_row, (guint) r->wandering);
  if (r->contacts->len > 0)
    c1 = r->contacts->pdata[0];
  if (r->contacts->len > 1)
    c2 = r->contacts->pdata[1];
  {
    g_autofree char *p1 = c1 != NULL && c1->phones != NULL ? g_strjoinv (", ", c1->phones) : NULL;
    g_autofree char *p2 = c2 != NULL && c2->phones != NULL ? g_strjoinv (", ", c2->phones) : NULL;
    set_text (self->contact1_name_row, c1 != NULL ? c1->name : NULL);
    set_text (self->contact1_relation_row, c1 != NULL ? c1->relation : NULL);
    set_text (self->contact1_phone_row, p1);
    set_text (self->contact2_name_row, c2 != NULL ? c2->name : NULL);
    set_text (self->contact2_relation_row, c2 != NULL ? c2->relation : NULL);
    set_text (self->contact2_phone_row, p2);
  }
  set_text (self->phone_row, r->phone);
  set_text (self->building_row, r->building_unit);
  set_text (self->address_row, r->address);
  set_text (self->language_row, r->language);
  set_text (self->directive_row, r->directive_location);
  set_text (self->gp_row, r->gp);
  set_text (self->social_worker_row, r->social_worker);
  set_text (self->notes_row, r->notes);
  show_photo (self);
  show_problems (self, NULL);
}

void
ec_station_editor_clear (EcStationEditor *self)
{
  g_return_if_fail (EC_IS_STATION_EDITOR (self));
  ec_station_editor_set_resident (self, NULL);
  g_clear_pointer (&self->base, ec_resident_free);
}

static void
replace_str (char       **field,
             char        *value)
{
  g_free (*field);
  *field = value;
}

/* Rebuild a list from the texts, keeping entries whose text did not change (their
 * details and history stay). */
static void
merge_list (GPtrArray      *list,
            GStrv           texts,
            gsize           text_offset,
            gpointer      (*make) (const char *text),
            GDestroyNotify  free_func)
{
  g_autoptr(GPtrArray) old = g_ptr_array_new_with_free_func (free_func);

  /* Move the old entries out without freeing them. */
  for (guint i = 0; i < list->len; i++)
    g_ptr_array_add (old, list->pdata[i]);
  g_ptr_array_set_free_func (list, NULL);
  g_ptr_array_set_size (list, 0);
  g_ptr_array_set_free_func (list, free_func);
  for (guint i = 0; texts[i] != NULL; i++)
    {
      gpointer keep = NULL;
      for (guint k = 0; k < old->len && keep == NULL; k++)
        if (old->pdata[k] != NULL && g_strcmp0 (G_STRUCT_MEMBER (const char *, old->pdata[k], text_offset), texts[i]) == 0)
          {
            keep = old->pdata[k];
            old->pdata[k] = NULL;
          }
      g_ptr_array_add (list, keep != NULL ? keep : make (texts[i]));
    }
  /* What is left in @old was removed from the form: freed here. */
}

static gpointer
make_allergy (const char *text)
{
  EcAllergy *a = ec_allergy_new ();
  a->substance = g_strdup (text);
  a->category = EC_ALLERGY_CATEGORY_MEDICATION;
  a->criticality = EC_CRITICALITY_UNABLE_TO_ASSESS;
  return a;
}

static gpointer
make_condition (const char *text)
{
  EcCondition *c = ec_condition_new ();
  c->text = g_strdup (text);
  return c;
}

static gpointer
make_medication (const char *text)
{
  EcMedication *m = ec_medication_new ();
  m->name = g_strdup (text);
  return m;
}

static void
set_contact (EcResident  *r,
             guint        index,
             AdwEntryRow *name_row,
             AdwEntryRow *relation_row,
             AdwEntryRow *phone_row)
{
  g_autofree char *name = get_text (name_row);
  g_auto(GStrv) phones = split_list (phone_row);
  EcContact *c;

  if (name == NULL && phones[0] == NULL)
    {
      if (index < r->contacts->len)
        g_ptr_array_remove_index (r->contacts, index);
      return;
    }
  if (index < r->contacts->len)
    c = r->contacts->pdata[index];
  else
    {
      c = ec_contact_new ();
      g_ptr_array_add (r->contacts, c);
    }
  replace_str (&c->name, g_steal_pointer (&name));
  replace_str (&c->relation, get_text (relation_row));
  g_strfreev (c->phones);
  c->phones = g_steal_pointer (&phones);
  c->call_order = index + 1;
}

EcResident *
ec_station_editor_take_resident (EcStationEditor *self)
{
  g_autoptr(EcResident) r = NULL;
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) allergies = NULL, conditions = NULL, medications = NULL;
  guint status;

  g_return_val_if_fail (EC_IS_STATION_EDITOR (self), NULL);

  if (self->base == NULL)
    self->base = ec_resident_new ();
  r = resident_copy (self->base);
  replace_str (&r->name_zh, get_text (self->name_zh_row));
  replace_str (&r->name_pinyin, get_text (self->name_pinyin_row));
  r->sex = (EcSex) adw_combo_row_get_selected (self->sex_row);
  replace_str (&r->date_of_birth, get_text (self->dob_row));
  r->blood_type = (EcBloodType) adw_combo_row_get_selected (self->blood_row);
  status = adw_combo_row_get_selected (self->allergy_status_row);
  if (status == 0 || status == GTK_INVALID_LIST_POSITION)
    g_ptr_array_add (problems, g_strdup (_("Allergies: choose whether they are not known, none known, or recorded. "
                                           "A blank is never allowed: a responder must know whether anyone asked.")));
  else
    r->allergy_status = (EcAllergyStatus) (status - 1);
  allergies = split_list (self->allergies_row);
  conditions = split_list (self->conditions_row);
  medications = split_list (self->medications_row);
  merge_list (r->allergies, allergies, G_STRUCT_OFFSET (EcAllergy, substance), make_allergy,
              (GDestroyNotify) ec_allergy_free);
  merge_list (r->conditions, conditions, G_STRUCT_OFFSET (EcCondition, text), make_condition,
              (GDestroyNotify) ec_condition_free);
  merge_list (r->medications, medications, G_STRUCT_OFFSET (EcMedication, name), make_medication,
              (GDestroyNotify) ec_medication_free);
  r->dnr = (EcDnrStatus) adw_combo_row_get_selected (self->dnr_row);
  r->wandering = (EcWanderingRisk) adw_combo_row_get_selected (self->wandering_row);
  /* The second contact first, so removing it does not shift the first. */
  set_contact (r, 1, self->contact2_name_row, self->contact2_relation_row, self->contact2_phone_row);
  set_contact (r, 0, self->contact1_name_row, self->contact1_relation_row, self->contact1_phone_row);
  replace_str (&r->phone, get_text (self->phone_row));
  replace_str (&r->building_unit, get_text (self->building_row));
  replace_str (&r->address, get_text (self->address_row));
  replace_str (&r->language, get_text (self->language_row));
  replace_str (&r->directive_location, get_text (self->directive_row));
  replace_str (&r->gp, get_text (self->gp_row));
  replace_str (&r->social_worker, get_text (self->social_worker_row));
  replace_str (&r->notes, get_text (self->notes_row));
  g_clear_pointer (&r->photo, g_bytes_unref);
  g_clear_pointer (&r->photo_mime, g_free);
  r->photo = self->photo != NULL ? g_bytes_ref (self->photo) : NULL;
  r->photo_mime = g_strdup (self->photo_mime);

  ec_station_validate_resident (r, NULL, problems);
  show_problems (self, problems);
  if (problems->len > 0)
    return NULL;
  return g_steal_pointer (&r);
}

/* ------------------------------------------------------------------------- */
/* Photo */

gboolean
ec_station_editor_set_photo_file (EcStationEditor *self,
                                  const char      *path)
{
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  cairo_surface_t *surface;
  gsize len = 0;
  EcPhotoInfo info;
  const char *mime;

  g_return_val_if_fail (EC_IS_STATION_EDITOR (self), FALSE);

  if (!g_file_get_contents (path, &data, &len, &error))
    {
      ec_station_editor_show_error (self, error->message);
      return FALSE;
    }
  if (len > EC_DB_PHOTO_MAX_BYTES)
    {
      g_autofree char *msg = g_strdup_printf (_("The photo is %zu KiB; at most %d KiB fit in the database. "
                                                "Make it smaller (for example 300 × 400 pixels) and choose it again."),
                                              len / 1024, EC_DB_PHOTO_MAX_BYTES / 1024);
      ec_station_editor_show_error (self, msg);
      return FALSE;
    }
  if (!ec_photo_probe ((const guint8 *) data, len, &info, &error))
    {
      g_autofree char *msg = g_strdup_printf (_("This photo cannot be used: %s"), error->message);
      ec_station_editor_show_error (self, msg);
      return FALSE;
    }
  mime = ec_photo_mime_type (info.format);
  bytes = g_bytes_new_take (g_steal_pointer (&data), len);
  surface = ec_card_face_load_photo (bytes, &error);
  if (surface == NULL && !(info.format == EC_PHOTO_JPEG && !ec_card_face_supports_jpeg ()))
    {
      g_autofree char *msg = g_strdup_printf (_("The photo cannot be read: %s"), error->message);
      ec_station_editor_show_error (self, msg);
      return FALSE;
    }
  g_clear_pointer (&surface, cairo_surface_destroy);
  g_clear_pointer (&self->photo, g_bytes_unref);
  g_free (self->photo_mime);
  self->photo = g_steal_pointer (&bytes);
  self->photo_mime = g_strdup (mime);
  show_photo (self);
  show_problems (self, NULL);
  return TRUE;
}

static void
on_photo_chooser_response_cb (GtkNativeDialog *chooser,
                              int              response,
                              gpointer         user_data)
{
  EcStationEditor *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;
      if (path != NULL)
        ec_station_editor_set_photo_file (self, path);
    }
  g_object_unref (chooser);
}

static void
on_photo_button_clicked_cb (EcStationEditor *self,
                            GtkButton       *button)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkFileChooserNative *chooser =
    gtk_file_chooser_native_new (_("Choose a photo"), GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                 GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("Photos (PNG, JPEG)"));
  gtk_file_filter_add_mime_type (filter, "image/png");
  gtk_file_filter_add_mime_type (filter, "image/jpeg");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  g_signal_connect_object (chooser, "response", G_CALLBACK (on_photo_chooser_response_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
on_photo_remove_button_clicked_cb (EcStationEditor *self,
                                   GtkButton       *button)
{
  g_clear_pointer (&self->photo, g_bytes_unref);
  g_clear_pointer (&self->photo_mime, g_free);
  show_photo (self);
}

static void
on_save_button_clicked_cb (EcStationEditor *self,
                           GtkButton       *button)
{
  g_signal_emit (self, signals[SAVE], 0);
}

static void
on_cancel_button_clicked_cb (EcStationEditor *self,
                             GtkButton       *button)
{
  g_signal_emit (self, signals[CANCEL], 0);
}

/* ------------------------------------------------------------------------- */

static void
ec_station_editor_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), EC_TYPE_STATION_EDITOR);
  G_OBJECT_CLASS (ec_station_editor_parent_class)->dispose (object);
}

static void
ec_station_editor_finalize (GObject *object)
{
  EcStationEditor *self = EC_STATION_EDITOR (object);

  g_clear_pointer (&self->base, ec_resident_free);
  g_clear_pointer (&self->photo, g_bytes_unref);
  g_free (self->photo_mime);
  G_OBJECT_CLASS (ec_station_editor_parent_class)->finalize (object);
}

static void
ec_station_editor_class_init (EcStationEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ec_station_editor_dispose;
  object_class->finalize = ec_station_editor_finalize;

  signals[SAVE] = g_signal_new ("save", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                G_TYPE_NONE, 0);
  signals[CANCEL] = g_signal_new ("cancel", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                  G_TYPE_NONE, 0);

  g_type_ensure (ADW_TYPE_CLAMP);
  g_type_ensure (ADW_TYPE_PREFERENCES_GROUP);
  g_type_ensure (ADW_TYPE_ENTRY_ROW);
  g_type_ensure (ADW_TYPE_COMBO_ROW);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/eldercard/Kiosk/ui/ec-station-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, address_row);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, allergy_status_row);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, allergies_row);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, blood_row);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, building_row);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, conditions_row);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, contact1_name_row);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, contact1_phone_row);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, contact1_relation_row);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, contact2_name_row);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, contact2_phone_row);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, contact2_relation_row);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, directive_row);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, dnr_row);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, dob_row);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, gp_row);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, language_row);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, medications_row);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, name_pinyin_row);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, name_zh_row);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, notes_row);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, phone_row);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, photo_image);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, photo_label);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, problems_label);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, sex_row);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, social_worker_row);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, title_label);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, wandering_row);
  /* Not kept in the struct; bound so tests can press them. */
  gtk_widget_class_bind_template_child_full (widget_class, "cancel_button", FALSE, 0);
  gtk_widget_class_bind_template_child_full (widget_class, "save_button", FALSE, 0);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_photo_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_photo_remove_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_save_button_clicked_cb);
}

static void
ec_station_editor_init (EcStationEditor *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
ec_station_editor_new (void)
{
  return g_object_new (EC_TYPE_STATION_EDITOR, NULL);
}
