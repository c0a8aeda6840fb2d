/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ec-station"

#include "ec-station-editor.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ec-card.h"
#include "ec-card-face.h"
#include "ec-db.h"
#include "ec-i18n.h"
#include "ec-photo.h"

#define N_LISTS 4
#define N_SLOTS 4

/* The card the preview measures against: the smallest tag that carries a summary. */
#define PREVIEW_TAG EC_TAG_NTAG215

/* One entry of a list (an allergy, a condition, a medication or a contact): an
 * AdwExpanderRow whose title sums the entry up, with one row per field. The Entry is
 * the row's data; its widgets live as long as the row. */
typedef struct
{
  EcStationEditor *editor;      /* not owned; the editor owns the row */
  EcStationList    list;
  gint64           id;          /* the stored entry's id, 0 for a new entry */
  gboolean         dead;        /* being removed: its widgets may be gone */
  AdwExpanderRow  *row;
  AdwEntryRow     *text;        /* substance / condition / medication / contact name */
  AdwEntryRow     *reaction;
  AdwEntryRow     *icd10;
  AdwEntryRow     *since;
  AdwEntryRow     *dose;
  AdwEntryRow     *route;
  AdwEntryRow     *schedule;
  AdwEntryRow     *relation;
  AdwEntryRow     *phones;
  AdwComboRow     *category;
  AdwComboRow     *criticality;
  AdwComboRow     *severity;
  AdwComboRow     *verification;
  GtkCheckButton  *slots[N_SLOTS];
  GtkSwitch       *nearby;
  GtkWidget       *up;
  GtkWidget       *remove;
} Entry;

struct _EcStationEditor
{
  GtkBox               parent_instance;

  EcResident          *base;     /* what is being edited (a new one has id 0) */
  GBytes              *photo;
  char                *photo_mime;
  char                *photo_note;      /* what preparing the chosen file did, or NULL */
  GCancellable        *photo_cancel;    /* a photo being prepared in a worker thread */
  GPtrArray           *rows[N_LISTS];   /* AdwExpanderRow (a reference each), in order */
  guint                preview_source;
  gboolean             disposing;
  char                *pristine;        /* the form's fingerprint when opened; NULL = changed */
  guint                scroll_source;
  guint                scroll_tick;     /* the scroll job running (one at a time) */
  gboolean             filling;         /* set_resident() at work: no focus moves */

  /* Template children */
  AdwEntryRow         *address_row;
  AdwPreferencesGroup *allergies_group;
  AdwComboRow         *allergy_status_row;
  AdwComboRow         *blood_row;
  AdwEntryRow         *building_row;
  GtkCheckButton      *comm_dementia_check;
  GtkCheckButton      *comm_hearing_check;
  GtkCheckButton      *comm_language_check;
  AdwEntryRow         *comm_notes_row;
  GtkCheckButton      *comm_speech_check;
  GtkCheckButton      *comm_vision_check;
  AdwPreferencesGroup *conditions_group;
  AdwPreferencesGroup *contacts_group;
  AdwEntryRow         *directive_row;
  AdwComboRow         *dnr_row;
  AdwEntryRow         *dob_row;
  AdwEntryRow         *gp_row;
  AdwEntryRow         *implants_row;
  AdwEntryRow         *language_row;
  AdwPreferencesGroup *medications_group;
  AdwEntryRow         *name_pinyin_row;
  AdwEntryRow         *name_zh_row;
  AdwEntryRow         *notes_row;
  AdwEntryRow         *phone_row;
  GtkImage            *photo_image;
  GtkLabel            *note_label;
  GtkLabel            *photo_label;
  GtkLabel            *preview_label;
  GtkLabel            *preview_omitted_label;
  GtkLabel            *preview_usage_label;
  GtkLabel            *problems_label;
  GtkScrolledWindow   *scroller;
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


/* An ICD-10 code: a letter, two digits, optionally a dot and up to ten letters or
 * digits (the WHO's E11.9, the national clinical edition's I10.x00x002). */
static gboolean
icd10_ok (const char *code)
{
  gsize n = strlen (code);

  if (n < 3 || !g_ascii_isupper (code[0]) || !g_ascii_isdigit (code[1]) || !g_ascii_isdigit (code[2]))
    return FALSE;
  if (n == 3)
    return TRUE;
  if (code[3] != '.' || n == 4 || n > 14)
    return FALSE;
  for (gsize i = 4; i < n; i++)
    if (!g_ascii_isalnum (code[i]))
      return FALSE;
  return TRUE;
}

/* "YYYY", "YYYY-MM" or "YYYY-MM-DD" → the first day it names. */
static gboolean
parse_since (const char *s,
             GDate      *out)
{
  int y, m = 1;
  char tail;
  gsize n = strlen (s);

  if (n == 10)
    return parse_date (s, out);
  if (n == 4 && sscanf (s, "%4d%c", &y, &tail) == 1 && g_ascii_isdigit (s[0]) && g_ascii_isdigit (s[3]))
    ;
  else if (n == 7 && sscanf (s, "%4d-%2d%c", &y, &m, &tail) == 2 && g_ascii_isdigit (s[5]) && g_ascii_isdigit (s[6]))
    ;
  else
    return FALSE;
  if (!g_date_valid_dmy (1, (GDateMonth) m, (GDateYear) y))
    return FALSE;
  g_date_set_dmy (out, 1, (GDateMonth) m, (GDateYear) y);
  return TRUE;
}

static gboolean
is_blank (const char *s)
{
  if (s == NULL)
    return TRUE;
  for (; *s; s++)
    if (!g_ascii_isspace (*s))
      return FALSE;
  return TRUE;
}

gboolean
ec_station_validate_resident (const EcResident *r,
                              const char       *today,
                              GPtrArray        *problems)
{
  guint before = problems->len;
  guint good_contacts = 0;
  GDate now;

  g_autofree char *name = g_strstrip (g_strdup (r->name_zh != NULL ? r->name_zh : ""));

  if (today == NULL || !parse_date (today, &now))
    {
      g_date_clear (&now, 1);
      g_date_set_time_t (&now, time (NULL));
    }
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
      GDate dob;
      if (!parse_date (r->date_of_birth, &dob))
        g_ptr_array_add (problems, g_strdup_printf (_("Date of birth: “%s” is not a date. Write it as "
                                                      "YYYY-MM-DD, for example 1942-03-18."), r->date_of_birth));
      else if (g_date_compare (&dob, &now) > 0)
        g_ptr_array_add (problems, g_strdup_printf (_("Date of birth: %s is in the future."), r->date_of_birth));
      else if (g_date_get_year (&dob) < 1900)
        g_ptr_array_add (problems, g_strdup_printf (_("Date of birth: %s is before 1900; check the year."),
                                                    r->date_of_birth));
    }
  if (r->phone != NULL && *r->phone)
    check_phone (_("Resident's phone"), r->phone, problems);

  if (r->allergy_status == EC_ALLERGY_STATUS_RECORDED && (r->allergies == NULL || r->allergies->len == 0))
    g_ptr_array_add (problems, g_strdup (_("Allergies: “recorded” is chosen but none is listed. List them, or "
                                           "choose “none known” or “not known”.")));
  if (r->allergy_status != EC_ALLERGY_STATUS_RECORDED && r->allergies != NULL && r->allergies->len > 0)
    g_ptr_array_add (problems, g_strdup (_("Allergies are listed but the allergy status is not “recorded”. "
                                           "Choose “recorded”, or clear the list.")));
  for (guint i = 0; r->allergies != NULL && i < r->allergies->len; i++)
    {
      const EcAllergy *a = r->allergies->pdata[i];
      if (is_blank (a->substance))
        g_ptr_array_add (problems, g_strdup_printf (_("Allergy %u has no substance: write what the resident is "
                                                      "allergic to (for example 青霉素), or remove the entry."),
                                                    i + 1));
    }

  for (guint i = 0; r->conditions != NULL && i < r->conditions->len; i++)
    {
      const EcCondition *c = r->conditions->pdata[i];
      g_autofree char *what = g_strdup_printf (_("Condition %u (%s)"), i + 1, c->text != NULL ? c->text : "?");
      GDate since;

      if (is_blank (c->text))
        g_ptr_array_add (problems, g_strdup_printf (_("Condition %u has no name: write the condition (for "
                                                      "example 高血压), or remove the entry."), i + 1));
      if (!is_blank (c->icd10) && !icd10_ok (c->icd10))
        g_ptr_array_add (problems, g_strdup_printf (_("%s: “%s” is not an ICD-10 code. Write a capital letter "
                                                      "and two digits, optionally a dot and more, for example "
                                                      "I10 or E11.9; or leave the code empty."),
                                                    what, c->icd10));
      if (!is_blank (c->since))
        {
          if (!parse_since (c->since, &since))
            g_ptr_array_add (problems, g_strdup_printf (_("%s: since “%s” is not a date. Write YYYY, YYYY-MM "
                                                          "or YYYY-MM-DD, for example 2015 or 2015-06-01."),
                                                        what, c->since));
          else if (g_date_compare (&since, &now) > 0)
            g_ptr_array_add (problems, g_strdup_printf (_("%s: since %s is in the future."), what, c->since));
          else if (g_date_get_year (&since) < 1900)
            g_ptr_array_add (problems, g_strdup_printf (_("%s: since %s is before 1900; check the year."),
                                                        what, c->since));
        }
    }

  for (guint i = 0; r->medications != NULL && i < r->medications->len; i++)
    {
      const EcMedication *m = r->medications->pdata[i];
      if (is_blank (m->name))
        g_ptr_array_add (problems, g_strdup_printf (_("Medication %u has no name: write the medicine (for "
                                                      "example 二甲双胍), or remove the entry."), i + 1));
    }

  for (guint i = 0; r->contacts != NULL && i < r->contacts->len; i++)
    {
      const EcContact *c = r->contacts->pdata[i];
      g_autofree char *what = g_strdup_printf (_("Contact %u (%s)"), i + 1, c->name != NULL ? c->name : "?");
      guint n_phones = c->phones != NULL ? g_strv_length (c->phones) : 0;

      if ((c->name == NULL || *c->name == '\0') && n_phones > 0)
        g_ptr_array_add (problems, g_strdup_printf (_("Contact %u has a phone number but no name."), i + 1));
      else if (c->name == NULL || *c->name == '\0')
        g_ptr_array_add (problems, g_strdup_printf (_("Contact %u has neither a name nor a phone number: fill "
                                                      "them in, or remove the entry."), i + 1));
      else if (n_phones == 0)
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
/* Form helpers */

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

static void
replace_str (char **field,
             char  *value)
{
  g_free (*field);
  *field = value;
}

/* The labels of the coded fields, in the order of their enums (ec-record.h). */
/* No default: a food allergy filed as a medication misleads the nurse's check. The
 * first item means "not chosen"; the others are EcAllergyCategory + 1. */
static const char *const category_labels[] = {
  N_("choose: medication, food, environment or biologic"),
  N_("medication"), N_("food"), N_("environment"), N_("biologic"), NULL
};
static const char *const criticality_labels[] = {
  N_("unable to assess"), N_("low"), N_("high"), NULL
};
static const char *const severity_labels[] = {
  N_("severity unknown"), N_("mild"), N_("moderate"), N_("severe"), NULL
};
static const char *const verification_labels[] = {
  N_("confirmed"), N_("suspected"), NULL
};
static const char *const slot_labels[N_SLOTS] = {
  N_("morning 早"), N_("noon 中"), N_("evening 晚"), N_("bedtime 睡前"),
};
static const guint slot_bits[N_SLOTS] = {
  EC_SCHED_MORNING, EC_SCHED_NOON, EC_SCHED_EVENING, EC_SCHED_NIGHT,
};
static const char *const slot_names[N_SLOTS] = { "morning", "noon", "evening", "night" };

static guint
label_count (const char *const *labels)
{
  guint n = 0;

  while (labels[n] != NULL)
    n++;
  return n;
}

/* The text a combo row shows for item @index of its string list. */
static const char *
combo_item (AdwComboRow *row,
            guint        index)
{
  GListModel *model = adw_combo_row_get_model (row);

  if (model == NULL || !GTK_IS_STRING_LIST (model) || index >= g_list_model_get_n_items (model))
    return "";
  return gtk_string_list_get_string (GTK_STRING_LIST (model), index);
}

static guint
combo_selected (AdwComboRow *row)
{
  guint v = adw_combo_row_get_selected (row);

  return v == GTK_INVALID_LIST_POSITION ? 0 : v;
}

static void
schedule_preview (EcStationEditor *self);
static void
update_preview (EcStationEditor *self);

/* ------------------------------------------------------------------------- */
/* The per-entry editors */

static Entry *
entry_of (gpointer row)
{
  return g_object_get_data (G_OBJECT (row), "ec-entry");
}

static guint
entry_index (Entry *e)
{
  guint index = 0;

  g_ptr_array_find (e->editor->rows[e->list], e->row, &index);
  return index;
}

static void
add_part (GPtrArray  *parts,
          char       *text)
{
  if (text != NULL && *text != '\0')
    g_ptr_array_add (parts, text);
  else
    g_free (text);
}

static char *
join_parts (GPtrArray *parts)
{
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; i < parts->len; i++)
    {
      if (i > 0)
        g_string_append (s, " · ");
      g_string_append (s, parts->pdata[i]);
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static char *
slots_text (guint slots)
{
  GString *s = g_string_new (NULL);

  /* As the card writes them (ec-card.c). */
  if (slots & EC_SCHED_MORNING)
    g_string_append (s, "早");
  if (slots & EC_SCHED_NOON)
    g_string_append (s, "中");
  if (slots & EC_SCHED_EVENING)
    g_string_append (s, "晚");
  if (slots & EC_SCHED_NIGHT)
    g_string_append (s, "睡前");
  return g_string_free (s, FALSE);
}

static guint
entry_slots (Entry *e)
{
  guint slots = 0;

  for (guint i = 0; i < N_SLOTS; i++)
    if (gtk_check_button_get_active (e->slots[i]))
      slots |= slot_bits[i];
  return slots;
}

/* The row's title sums the entry up ("青霉素 · high · 皮疹"); the subtitle has the rest. */
static void
entry_update_title (Entry *e)
{
  g_autoptr(GPtrArray) title = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) sub = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *text = get_text (e->text);
  g_autofree char *t = NULL, *s = NULL, *te = NULL, *se = NULL;
  const char *missing = NULL;

  switch (e->list)
    {
    case EC_STATION_LIST_ALLERGIES:
      missing = _("New allergy: write the substance");
      add_part (title, g_strdup (text));
      add_part (title, g_strdup (combo_item (e->criticality, combo_selected (e->criticality))));
      add_part (title, get_text (e->reaction));
      if (combo_selected (e->category) > 0)
        add_part (sub, g_strdup (combo_item (e->category, combo_selected (e->category))));
      add_part (sub, g_strdup (combo_item (e->severity, combo_selected (e->severity))));
      add_part (sub, g_strdup (combo_item (e->verification, combo_selected (e->verification))));
      break;
    case EC_STATION_LIST_CONDITIONS:
      missing = _("New condition: write its name");
      add_part (title, g_strdup (text));
      add_part (title, get_text (e->icd10));
      {
        g_autofree char *since = get_text (e->since);
        if (since != NULL)
          add_part (title, g_strdup_printf (_("since %s"), since));
      }
      break;
    case EC_STATION_LIST_MEDICATIONS:
      missing = _("New medication: write its name");
      add_part (title, g_strdup (text));
      add_part (title, get_text (e->dose));
      add_part (title, slots_text (entry_slots (e)));
      add_part (title, get_text (e->schedule));
      add_part (sub, get_text (e->route));
      break;
    case EC_STATION_LIST_CONTACTS:
    default:
      missing = _("New contact: write the name");
      add_part (title, g_strdup (text != NULL ? text : missing));
      add_part (title, get_text (e->relation));
      add_part (title, get_text (e->phones));
      if (gtk_switch_get_active (e->nearby))
        add_part (sub, g_strdup (_("lives nearby")));
      missing = NULL;   /* the title always has the call order */
      break;
    }
  t = text != NULL || missing == NULL ? join_parts (title) : g_strdup (missing);
  if (e->list == EC_STATION_LIST_CONTACTS)
    {
      /* The call order comes first: it is what the list is about. */
      g_autofree char *plain = g_steal_pointer (&t);
      t = g_strdup_printf (_("Call %u: %s"), entry_index (e) + 1, plain);
    }
  s = join_parts (sub);
  te = g_markup_escape_text (t, -1);
  se = g_markup_escape_text (s, -1);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (e->row), te);
  adw_expander_row_set_subtitle (e->row, se);
}

static void
on_entry_changed_cb (Entry *e)
{
  if (e->dead || e->editor->disposing)
    return;
  entry_update_title (e);
  schedule_preview (e->editor);
}

static AdwEntryRow *
add_entry_row (Entry      *e,
               const char *title,
               const char *text)
{
  AdwEntryRow *row = ADW_ENTRY_ROW (adw_entry_row_new ());

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  set_text (row, text);
  g_signal_connect_swapped (row, "changed", G_CALLBACK (on_entry_changed_cb), e);
  adw_expander_row_add_row (e->row, GTK_WIDGET (row));
  return row;
}

static void watch_combo (EcStationEditor *self, AdwComboRow *combo);

static AdwComboRow *
add_combo_row (Entry             *e,
               const char        *title,
               const char *const *labels,
               guint              selected)
{
  AdwComboRow *row = ADW_COMBO_ROW (adw_combo_row_new ());
  g_autoptr(GtkStringList) model = gtk_string_list_new (NULL);

  for (guint i = 0; labels[i] != NULL; i++)
    gtk_string_list_append (model, _(labels[i]));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_combo_row_set_model (row, G_LIST_MODEL (model));
  adw_combo_row_set_selected (row, selected < label_count (labels) ? selected : 0);
  g_signal_connect_swapped (row, "notify::selected", G_CALLBACK (on_entry_changed_cb), e);
  watch_combo (e->editor, row);
  adw_expander_row_add_row (e->row, GTK_WIDGET (row));
  return row;
}

static GtkWidget *
action_button (const char *icon,
               const char *label)
{
  GtkWidget *button = gtk_button_new ();
  GtkWidget *content = adw_button_content_new ();

  adw_button_content_set_icon_name (ADW_BUTTON_CONTENT (content), icon);
  adw_button_content_set_label (ADW_BUTTON_CONTENT (content), label);
  adw_button_content_set_use_underline (ADW_BUTTON_CONTENT (content), TRUE);
  gtk_button_set_child (GTK_BUTTON (button), content);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "ec-station-entry-action");
  return button;
}

static void relayout (EcStationEditor *self, EcStationList list);
static AdwPreferencesGroup *list_group (EcStationEditor *self, EcStationList list);

static void
on_entry_remove_clicked_cb (Entry *e)
{
  EcStationEditor *self = e->editor;
  EcStationList list = e->list;
  AdwExpanderRow *row = e->row;
  guint index = 0;

  if (e->dead || !g_ptr_array_find (self->rows[list], row, &index))
    return;
  e->dead = TRUE;
  adw_preferences_group_remove (list_group (self, list), GTK_WIDGET (row));
  /* The row (and @e, its data) may be gone after this. */
  g_ptr_array_remove_index (self->rows[list], index);
  relayout (self, list);
  schedule_preview (self);
}

static void
on_entry_up_clicked_cb (Entry *e)
{
  EcStationEditor *self = e->editor;
  guint index = 0;

  if (e->dead || !g_ptr_array_find (self->rows[e->list], e->row, &index) || index == 0)
    return;
  self->rows[e->list]->pdata[index] = self->rows[e->list]->pdata[index - 1];
  self->rows[e->list]->pdata[index - 1] = e->row;
  relayout (self, e->list);
  schedule_preview (self);
}

/* A new entry editor for @list, filled from @src (an EcAllergy, EcCondition,
 * EcMedication or EcContact; NULL for an empty one). Returns a new reference. */
static AdwExpanderRow *
entry_new (EcStationEditor *self,
           EcStationList    list,
           gconstpointer    src)
{
  Entry *e = g_new0 (Entry, 1);

  e->editor = self;
  e->list = list;
  e->row = ADW_EXPANDER_ROW (g_object_ref_sink (adw_expander_row_new ()));
  g_object_set_data_full (G_OBJECT (e->row), "ec-entry", e, g_free);
  gtk_widget_add_css_class (GTK_WIDGET (e->row), "ec-station-entry");

  switch (list)
    {
    case EC_STATION_LIST_ALLERGIES:
      {
        const EcAllergy *a = src;
        e->id = a != NULL ? a->id : 0;
        e->text = add_entry_row (e, _("Substance (required), e.g. 青霉素"), a != NULL ? a->substance : NULL);
        e->criticality = add_combo_row (e, _("Criticality: harm a new exposure could do"), criticality_labels,
                                        a != NULL ? (guint) a->criticality : EC_CRITICALITY_UNABLE_TO_ASSESS);
        e->reaction = add_entry_row (e, _("Reaction, e.g. 皮疹、呼吸困难"), a != NULL ? a->reaction : NULL);
        e->severity = add_combo_row (e, _("How bad the reaction was"), severity_labels,
                                     a != NULL ? (guint) a->severity : EC_SEVERITY_UNKNOWN);
        e->category = add_combo_row (e, _("Category (required)"), category_labels,
                                     a != NULL ? (guint) a->category + 1 : 0);
        e->verification = add_combo_row (e, _("Confirmed or suspected"), verification_labels,
                                         a == NULL || a->confirmed ? 0 : 1);
        break;
      }
    case EC_STATION_LIST_CONDITIONS:
      {
        const EcCondition *c = src;
        e->id = c != NULL ? c->id : 0;
        e->text = add_entry_row (e, _("Condition (required), e.g. 高血压"), c != NULL ? c->text : NULL);
        e->icd10 = add_entry_row (e, _("ICD-10 code (optional), e.g. I10"), c != NULL ? c->icd10 : NULL);
        e->since = add_entry_row (e, _("Since (optional): YYYY or YYYY-MM-DD"), c != NULL ? c->since : NULL);
        break;
      }
    case EC_STATION_LIST_MEDICATIONS:
      {
        const EcMedication *m = src;
        GtkWidget *times = adw_action_row_new ();
        GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);

        e->id = m != NULL ? m->id : 0;
        e->text = add_entry_row (e, _("Medicine (required), e.g. 二甲双胍"), m != NULL ? m->name : NULL);
        e->dose = add_entry_row (e, _("Dose, e.g. 0.5 g"), m != NULL ? m->dose : NULL);
        e->route = add_entry_row (e, _("Route, e.g. 口服 (by mouth)"), m != NULL ? m->route : NULL);
        adw_preferences_row_set_title (ADW_PREFERENCES_ROW (times), _("When"));
        for (guint i = 0; i < N_SLOTS; i++)
          {
            e->slots[i] = GTK_CHECK_BUTTON (gtk_check_button_new_with_label (_(slot_labels[i])));
            gtk_check_button_set_active (e->slots[i], m != NULL && (m->slots & slot_bits[i]) != 0);
            g_signal_connect_swapped (e->slots[i], "toggled", G_CALLBACK (on_entry_changed_cb), e);
            gtk_box_append (GTK_BOX (box), GTK_WIDGET (e->slots[i]));
          }
        gtk_widget_add_css_class (box, "ec-station-slots");
        adw_action_row_add_suffix (ADW_ACTION_ROW (times), box);
        adw_expander_row_add_row (e->row, times);
        e->schedule = add_entry_row (e, _("Schedule in words, when the times above do not say it"),
                                     m != NULL ? m->schedule_text : NULL);
        break;
      }
    case EC_STATION_LIST_CONTACTS:
    default:
      {
        const EcContact *c = src;
        GtkWidget *nearby = adw_action_row_new ();
        g_autofree char *phones = c != NULL && c->phones != NULL ? g_strjoinv (", ", c->phones) : NULL;

        e->id = c != NULL ? c->id : 0;
        e->text = add_entry_row (e, _("Name (required)"), c != NULL ? c->name : NULL);
        e->relation = add_entry_row (e, _("Relation, e.g. 女儿 (daughter)"), c != NULL ? c->relation : NULL);
        e->phones = add_entry_row (e, _("Phone numbers (required; several: separate with commas)"), phones);
        adw_entry_row_set_input_purpose (e->phones, GTK_INPUT_PURPOSE_PHONE);
        e->nearby = GTK_SWITCH (gtk_switch_new ());
        gtk_widget_set_valign (GTK_WIDGET (e->nearby), GTK_ALIGN_CENTER);
        gtk_switch_set_active (e->nearby, c != NULL && c->lives_nearby);
        g_signal_connect_swapped (e->nearby, "notify::active", G_CALLBACK (on_entry_changed_cb), e);
        adw_preferences_row_set_title (ADW_PREFERENCES_ROW (nearby), _("Lives nearby (can come quickly)"));
        adw_action_row_add_suffix (ADW_ACTION_ROW (nearby), GTK_WIDGET (e->nearby));
        adw_action_row_set_activatable_widget (ADW_ACTION_ROW (nearby), GTK_WIDGET (e->nearby));
        adw_expander_row_add_row (e->row, nearby);
        e->up = action_button ("go-up-symbolic", _("Call earlier"));
        g_signal_connect_swapped (e->up, "clicked", G_CALLBACK (on_entry_up_clicked_cb), e);
        adw_expander_row_add_action (e->row, e->up);
        break;
      }
    }
  e->remove = action_button ("user-trash-symbolic", _("Remove"));
  g_signal_connect_swapped (e->remove, "clicked", G_CALLBACK (on_entry_remove_clicked_cb), e);
  adw_expander_row_add_action (e->row, e->remove);
  entry_update_title (e);
  return e->row;
}

static AdwPreferencesGroup *
list_group (EcStationEditor *self,
            EcStationList    list)
{
  switch (list)
    {
    case EC_STATION_LIST_ALLERGIES:
      return self->allergies_group;
    case EC_STATION_LIST_CONDITIONS:
      return self->conditions_group;
    case EC_STATION_LIST_MEDICATIONS:
      return self->medications_group;
    case EC_STATION_LIST_CONTACTS:
    default:
      return self->contacts_group;
    }
}

/* Put the rows of @list into its group in their order (after a move or removal). */
static void
relayout (EcStationEditor *self,
          EcStationList    list)
{
  GPtrArray *rows = self->rows[list];
  AdwPreferencesGroup *group = list_group (self, list);

  for (guint i = 0; i < rows->len; i++)
    if (gtk_widget_get_parent (rows->pdata[i]) != NULL)
      adw_preferences_group_remove (group, rows->pdata[i]);
  for (guint i = 0; i < rows->len; i++)
    {
      Entry *e = entry_of (rows->pdata[i]);
      adw_preferences_group_add (group, rows->pdata[i]);
      if (e->up != NULL)
        gtk_widget_set_sensitive (e->up, i > 0);
      entry_update_title (e);
    }
}

static void
clear_list (EcStationEditor *self,
            EcStationList    list)
{
  GPtrArray *rows = self->rows[list];
  AdwPreferencesGroup *group = list_group (self, list);

  for (guint i = 0; i < rows->len; i++)
    {
      entry_of (rows->pdata[i])->dead = TRUE;
      if (group != NULL && gtk_widget_get_parent (rows->pdata[i]) != NULL)
        adw_preferences_group_remove (group, rows->pdata[i]);
    }
  g_ptr_array_set_size (rows, 0);
}

static void
append_entry (EcStationEditor *self,
              EcStationList    list,
              gconstpointer    src)
{
  AdwExpanderRow *row = entry_new (self, list, src);
  Entry *e = entry_of (row);

  g_ptr_array_add (self->rows[list], row);
  adw_preferences_group_add (list_group (self, list), GTK_WIDGET (row));
  if (e->up != NULL)
    gtk_widget_set_sensitive (e->up, self->rows[list]->len > 1);
  entry_update_title (e);
}

/* ---- scrolling ---- */

/* Frames during which the scroll position is looked after: a row being shown (an
 * expander row opens with an animation of a quarter second), a position kept (the
 * relayout after a choice; short, so as not to fight a person's own scrolling). */
#define SCROLL_SHOW_FRAMES 30
#define SCROLL_KEEP_FRAMES 8

typedef struct
{
  EcStationEditor *self;
  GtkWidget       *target;    /* scroll_into_view: the widget to show; else NULL */
  double           keep;      /* keep_scroll: the value to keep */
  guint            frames;
  double           last_height;
  guint            steady;    /* frames the target kept its height, in view */
} ScrollJob;

static void
scroll_job_free (gpointer data)
{
  ScrollJob *job = data;

  g_clear_object (&job->target);
  g_free (job);
}

static gboolean
scroll_tick_cb (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       data)
{
  ScrollJob *job = data;
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (job->self->scroller);
  GtkWidget *content = gtk_scrolled_window_get_child (job->self->scroller);
  graphene_rect_t bounds;

  if (job->target == NULL)
    {
      if (gtk_adjustment_get_value (adj) != job->keep)
        gtk_adjustment_set_value (adj, job->keep);
    }
  else if (content != NULL && gtk_widget_compute_bounds (job->target, content, &bounds))
    {
      double top = gtk_adjustment_get_value (adj), page = gtk_adjustment_get_page_size (adj);
      double y = bounds.origin.y, h = bounds.size.height;

      if (h > page || y < top)
        gtk_adjustment_set_value (adj, y);          /* its top at the top */
      else if (y + h > top + page)
        gtk_adjustment_set_value (adj, y + h - page);   /* its bottom at the bottom */
      /* Done once it has stopped growing (the opening animation is over). */
      job->steady = h > 0 && h == job->last_height ? job->steady + 1 : 0;
      job->last_height = h;
      if (job->steady >= 3)
        {
          job->self->scroll_tick = 0;
          return G_SOURCE_REMOVE;
        }
    }
  if (++job->frames < (job->target != NULL ? SCROLL_SHOW_FRAMES : SCROLL_KEEP_FRAMES))
    return G_SOURCE_CONTINUE;
  job->self->scroll_tick = 0;
  return G_SOURCE_REMOVE;
}

static void
start_scroll_job (EcStationEditor *self,
                  GtkWidget       *target,
                  double           keep)
{
  ScrollJob *job = g_new0 (ScrollJob, 1);

  job->self = self;
  job->target = target != NULL ? g_object_ref (target) : NULL;
  job->keep = keep;
  if (self->scroll_tick != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self->scroller), self->scroll_tick);
  self->scroll_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self->scroller), scroll_tick_cb, job, scroll_job_free);
}

/* A row just added: scroll so that the whole of it is visible as it opens. */
static void
scroll_into_view (EcStationEditor *self,
                  GtkWidget       *target)
{
  start_scroll_job (self, target, 0);
}

/* A choice made in a dropdown: the form stays where it is (closing the list gives
 * the keyboard focus back to where it was, which the form would scroll to, and the
 * card preview changes its height; neither may move what the person is looking at). */
static void
on_combo_selected_cb (AdwComboRow     *combo,
                      GParamSpec      *pspec,
                      EcStationEditor *self)
{
  if (self->disposing || self->filling || !gtk_widget_get_mapped (GTK_WIDGET (combo)))
    return;
  start_scroll_job (self, NULL, gtk_adjustment_get_value (gtk_scrolled_window_get_vadjustment (self->scroller)));
}

static void
watch_combo (EcStationEditor *self,
             AdwComboRow     *combo)
{
  g_signal_connect_object (combo, "notify::selected", G_CALLBACK (on_combo_selected_cb), self, 0);
}

guint
ec_station_editor_add_entry (EcStationEditor *self,
                             EcStationList    list)
{
  AdwExpanderRow *row;

  g_return_val_if_fail (EC_IS_STATION_EDITOR (self), 0);
  g_return_val_if_fail ((guint) list < N_LISTS, 0);

  append_entry (self, list, NULL);
  row = g_ptr_array_index (self->rows[list], self->rows[list]->len - 1);
  adw_expander_row_set_expanded (row, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (entry_of (row)->text));
  scroll_into_view (self, GTK_WIDGET (row));
  schedule_preview (self);
  return self->rows[list]->len - 1;
}

guint
ec_station_editor_get_n_entries (EcStationEditor *self,
                                 EcStationList    list)
{
  g_return_val_if_fail (EC_IS_STATION_EDITOR (self), 0);
  g_return_val_if_fail ((guint) list < N_LISTS, 0);
  return self->rows[list]->len;
}

GtkWidget *
ec_station_editor_get_entry_widget (EcStationEditor *self,
                                    EcStationList    list,
                                    guint            index,
                                    const char      *field)
{
  Entry *e;
  const struct { const char *name; gsize offset; } fields[] = {
    { "text", G_STRUCT_OFFSET (Entry, text) }, { "reaction", G_STRUCT_OFFSET (Entry, reaction) },
    { "icd10", G_STRUCT_OFFSET (Entry, icd10) }, { "since", G_STRUCT_OFFSET (Entry, since) },
    { "dose", G_STRUCT_OFFSET (Entry, dose) }, { "route", G_STRUCT_OFFSET (Entry, route) },
    { "schedule", G_STRUCT_OFFSET (Entry, schedule) }, { "relation", G_STRUCT_OFFSET (Entry, relation) },
    { "phones", G_STRUCT_OFFSET (Entry, phones) }, { "category", G_STRUCT_OFFSET (Entry, category) },
    { "criticality", G_STRUCT_OFFSET (Entry, criticality) }, { "severity", G_STRUCT_OFFSET (Entry, severity) },
    { "verification", G_STRUCT_OFFSET (Entry, verification) }, { "nearby", G_STRUCT_OFFSET (Entry, nearby) },
    { "up", G_STRUCT_OFFSET (Entry, up) }, { "remove", G_STRUCT_OFFSET (Entry, remove) },
    { "row", G_STRUCT_OFFSET (Entry, row) },
  };

  g_return_val_if_fail (EC_IS_STATION_EDITOR (self), NULL);
  g_return_val_if_fail ((guint) list < N_LISTS, NULL);
  g_return_val_if_fail (field != NULL, NULL);

  if (index >= self->rows[list]->len)
    return NULL;
  e = entry_of (self->rows[list]->pdata[index]);
  for (gsize i = 0; i < G_N_ELEMENTS (fields); i++)
    if (strcmp (field, fields[i].name) == 0)
      return G_STRUCT_MEMBER (GtkWidget *, e, fields[i].offset);
  for (guint i = 0; i < N_SLOTS; i++)
    if (strcmp (field, slot_names[i]) == 0)
      return e->slots[i] != NULL ? GTK_WIDGET (e->slots[i]) : NULL;
  return NULL;
}

static void
on_add_button_clicked_cb (EcStationEditor *self,
                          GtkButton       *button)
{
  for (guint i = 0; i < N_LISTS; i++)
    if (adw_preferences_group_get_header_suffix (list_group (self, i)) == GTK_WIDGET (button))
      ec_station_editor_add_entry (self, i);
}

/* ------------------------------------------------------------------------- */
/* Form <-> resident */

static void photo_cancel_pending (EcStationEditor *self);

static void
show_photo (EcStationEditor *self)
{
  if (self->photo != NULL)
    {
      g_autoptr(GdkTexture) t = gdk_texture_new_from_bytes (self->photo, NULL);
      g_autofree char *text =
        self->photo_note != NULL
          /* TRANSLATORS: %s is "image/jpeg, 84.2 KiB (reduced from 4032 × 3024, 3.1 MiB)" */
          ? g_strdup_printf (_("Photo: %s"), self->photo_note)
          : g_strdup_printf (_("Photo: %s, %zu KiB"), self->photo_mime != NULL ? self->photo_mime : "?",
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
  /* What to fix is at the top of the form: show it there. */
  if (text->len > 0 && self->scroller != NULL)
    gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scroller), 0);
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

static GtkCheckButton *
comm_check (EcStationEditor *self,
            guint            bit)
{
  switch (bit)
    {
    case EC_COMM_HEARING:
      return self->comm_hearing_check;
    case EC_COMM_SPEECH:
      return self->comm_speech_check;
    case EC_COMM_DEMENTIA:
      return self->comm_dementia_check;
    case EC_COMM_VISION:
      return self->comm_vision_check;
    case EC_COMM_LANGUAGE:
    default:
      return self->comm_language_check;
    }
}

static const guint comm_bits[] = {
  EC_COMM_HEARING, EC_COMM_SPEECH, EC_COMM_DEMENTIA, EC_COMM_VISION, EC_COMM_LANGUAGE,
};

/* Everything a person can change in the form, as one string: the text of every field,
 * every check button, switch and choice, in widget order, and the photo. */
static void
fingerprint_walk (GtkWidget *w,
                  GString   *out)
{
  if (GTK_IS_TEXT (w))
    g_string_append_printf (out, "t%s\x1f", gtk_editable_get_text (GTK_EDITABLE (w)));
  else if (GTK_IS_CHECK_BUTTON (w))
    g_string_append_printf (out, "c%d", gtk_check_button_get_active (GTK_CHECK_BUTTON (w)));
  else if (GTK_IS_SWITCH (w))
    g_string_append_printf (out, "s%d", gtk_switch_get_active (GTK_SWITCH (w)));
  else if (ADW_IS_COMBO_ROW (w))
    g_string_append_printf (out, "k%u", adw_combo_row_get_selected (ADW_COMBO_ROW (w)));
  for (GtkWidget *c = gtk_widget_get_first_child (w); c != NULL; c = gtk_widget_get_next_sibling (c))
    fingerprint_walk (c, out);
}

static char *
fingerprint (EcStationEditor *self)
{
  GString *out = g_string_new (NULL);

  fingerprint_walk (GTK_WIDGET (self), out);
  g_string_append_printf (out, "p%p", (void *) self->photo);
  return g_string_free (out, FALSE);
}

gboolean
ec_station_editor_has_changes (EcStationEditor *self)
{
  g_autofree char *now = NULL;

  g_return_val_if_fail (EC_IS_STATION_EDITOR (self), FALSE);
  if (self->base == NULL)
    return FALSE;
  if (self->pristine == NULL)
    return TRUE;
  now = fingerprint (self);
  return !g_str_equal (now, self->pristine);
}

struct _EcStationDraft
{
  EcResident *resident;
  guint       allergy_status;   /* the choice's position (0 = not chosen yet) */
};

void
ec_station_draft_free (EcStationDraft *draft)
{
  if (draft == NULL)
    return;
  ec_resident_free (draft->resident);
  g_free (draft);
}

EcResidentId
ec_station_draft_get_resident_id (const EcStationDraft *draft)
{
  return draft != NULL && draft->resident != NULL ? draft->resident->id : 0;
}

static EcResident *form_to_resident (EcStationEditor *self, GPtrArray *problems);

EcStationDraft *
ec_station_editor_take_draft (EcStationEditor *self)
{
  EcStationDraft *draft;

  g_return_val_if_fail (EC_IS_STATION_EDITOR (self), NULL);
  if (!ec_station_editor_has_changes (self))
    return NULL;
  draft = g_new0 (EcStationDraft, 1);
  draft->allergy_status = adw_combo_row_get_selected (self->allergy_status_row);
  draft->resident = form_to_resident (self, NULL);
  return draft;
}

void
ec_station_editor_restore_draft (EcStationEditor *self,
                                 EcStationDraft  *draft)
{
  g_return_if_fail (EC_IS_STATION_EDITOR (self));
  g_return_if_fail (draft != NULL);

  ec_station_editor_set_resident (self, g_steal_pointer (&draft->resident));
  self->filling = TRUE;
  if (draft->allergy_status != GTK_INVALID_LIST_POSITION)
    adw_combo_row_set_selected (self->allergy_status_row, draft->allergy_status);
  self->filling = FALSE;
  ec_station_draft_free (draft);
  g_clear_pointer (&self->pristine, g_free);   /* not saved yet: Cancel asks */
  gtk_label_set_label (self->note_label, _("This is the form as you left it: nothing you typed was lost. It is not "
                                           "saved yet: check it and press Save."));
  gtk_widget_set_visible (GTK_WIDGET (self->note_label), TRUE);
}

static gboolean
scroll_top_cb (gpointer data)
{
  EcStationEditor *self = data;

  self->scroll_source = 0;
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scroller), 0);
  return G_SOURCE_REMOVE;
}

void
ec_station_editor_focus_first (EcStationEditor *self)
{
  GtkAdjustment *adj;

  g_return_if_fail (EC_IS_STATION_EDITOR (self));
  adj = gtk_scrolled_window_get_vadjustment (self->scroller);
  gtk_adjustment_set_value (adj, 0);
  gtk_widget_grab_focus (GTK_WIDGET (self->name_zh_row));
  /* Focusing scrolls the focused row into view once the form is laid out: put the
   * form back at its top after that too. */
  g_clear_handle_id (&self->scroll_source, g_source_remove);
  self->scroll_source = g_idle_add_full (GDK_PRIORITY_REDRAW + 10, scroll_top_cb, self, NULL);
}

double
ec_station_editor_get_scroll (EcStationEditor *self)
{
  g_return_val_if_fail (EC_IS_STATION_EDITOR (self), 0);
  return gtk_adjustment_get_value (gtk_scrolled_window_get_vadjustment (self->scroller));
}

void
ec_station_editor_set_resident (EcStationEditor *self,
                                EcResident      *resident)
{
  EcResident *r;

  g_return_if_fail (EC_IS_STATION_EDITOR (self));

  g_clear_pointer (&self->base, ec_resident_free);
  self->base = resident != NULL ? resident : ec_resident_new ();
  r = self->base;
  self->filling = TRUE;
  photo_cancel_pending (self);
  g_clear_pointer (&self->photo, g_bytes_unref);
  g_clear_pointer (&self->photo_mime, g_free);
  g_clear_pointer (&self->photo_note, g_free);
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
  adw_combo_row_set_selected (self->dnr_row, (guint) r->dnr);
  adw_combo_row_set_selected (self->wandering_row, (guint) r->wandering);

  for (guint l = 0; l < N_LISTS; l++)
    clear_list (self, l);
  for (guint i = 0; i < r->allergies->len; i++)
    append_entry (self, EC_STATION_LIST_ALLERGIES, r->allergies->pdata[i]);
  for (guint i = 0; i < r->conditions->len; i++)
    append_entry (self, EC_STATION_LIST_CONDITIONS, r->conditions->pdata[i]);
  for (guint i = 0; i < r->medications->len; i++)
    append_entry (self, EC_STATION_LIST_MEDICATIONS, r->medications->pdata[i]);
  for (guint i = 0; i < r->contacts->len; i++)
    append_entry (self, EC_STATION_LIST_CONTACTS, r->contacts->pdata[i]);
  /* Every resident needs a first contact: a new form starts with its editor open. */
  if (r->contacts->len == 0)
    {
      append_entry (self, EC_STATION_LIST_CONTACTS, NULL);
      adw_expander_row_set_expanded (g_ptr_array_index (self->rows[EC_STATION_LIST_CONTACTS], 0), TRUE);
    }

  set_text (self->phone_row, r->phone);
  set_text (self->building_row, r->building_unit);
  set_text (self->address_row, r->address);
  set_text (self->language_row, r->language);
  set_text (self->implants_row, r->implants);
  for (gsize i = 0; i < G_N_ELEMENTS (comm_bits); i++)
    gtk_check_button_set_active (comm_check (self, comm_bits[i]), (r->comm_needs & comm_bits[i]) != 0);
  set_text (self->comm_notes_row, r->comm_notes);
  set_text (self->directive_row, r->directive_location);
  set_text (self->gp_row, r->gp);
  set_text (self->social_worker_row, r->social_worker);
  set_text (self->notes_row, r->notes);
  show_photo (self);
  show_problems (self, NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->note_label), FALSE);
  /* At once, not on the next turn: after clear() nothing personal stays on screen. */
  g_clear_handle_id (&self->preview_source, g_source_remove);
  update_preview (self);
  g_free (self->pristine);
  self->pristine = fingerprint (self);
  self->filling = FALSE;
}

void
ec_station_editor_clear (EcStationEditor *self)
{
  g_return_if_fail (EC_IS_STATION_EDITOR (self));
  ec_station_editor_set_resident (self, NULL);
  g_clear_pointer (&self->base, ec_resident_free);
}

/* The history stamp of the stored entry @id of @list (kept for an entry the form
 * still has; the database restamps what changed). */
static void
base_stamp (EcStationEditor *self,
            EcStationList    list,
            gint64           id,
            gint64          *updated_at,
            char           **updated_by)
{
  const EcResident *b = self->base;

  if (id <= 0)
    return;
  switch (list)
    {
    case EC_STATION_LIST_ALLERGIES:
      for (guint i = 0; i < b->allergies->len; i++)
        if (((EcAllergy *) b->allergies->pdata[i])->id == id)
          {
            *updated_at = ((EcAllergy *) b->allergies->pdata[i])->updated_at;
            replace_str (updated_by, g_strdup (((EcAllergy *) b->allergies->pdata[i])->updated_by));
          }
      break;
    case EC_STATION_LIST_CONDITIONS:
      for (guint i = 0; i < b->conditions->len; i++)
        if (((EcCondition *) b->conditions->pdata[i])->id == id)
          {
            *updated_at = ((EcCondition *) b->conditions->pdata[i])->updated_at;
            replace_str (updated_by, g_strdup (((EcCondition *) b->conditions->pdata[i])->updated_by));
          }
      break;
    case EC_STATION_LIST_MEDICATIONS:
      for (guint i = 0; i < b->medications->len; i++)
        if (((EcMedication *) b->medications->pdata[i])->id == id)
          {
            *updated_at = ((EcMedication *) b->medications->pdata[i])->updated_at;
            replace_str (updated_by, g_strdup (((EcMedication *) b->medications->pdata[i])->updated_by));
          }
      break;
    case EC_STATION_LIST_CONTACTS:
    default:
      for (guint i = 0; i < b->contacts->len; i++)
        if (((EcContact *) b->contacts->pdata[i])->id == id)
          {
            *updated_at = ((EcContact *) b->contacts->pdata[i])->updated_at;
            replace_str (updated_by, g_strdup (((EcContact *) b->contacts->pdata[i])->updated_by));
          }
      break;
    }
}

/* "i10" → "I10"; the clinical edition's lower-case extensions stay as written. */
static char *
get_icd10 (AdwEntryRow *row)
{
  char *code = get_text (row);

  if (code != NULL)
    code[0] = g_ascii_toupper (code[0]);
  return code;
}

static void
read_lists (EcStationEditor *self,
            EcResident      *r,
            GPtrArray       *problems)
{
  GPtrArray *rows;

  g_ptr_array_set_size (r->allergies, 0);
  g_ptr_array_set_size (r->conditions, 0);
  g_ptr_array_set_size (r->medications, 0);
  g_ptr_array_set_size (r->contacts, 0);

  rows = self->rows[EC_STATION_LIST_ALLERGIES];
  for (guint i = 0; i < rows->len; i++)
    {
      Entry *e = entry_of (rows->pdata[i]);
      g_autoptr(EcAllergy) a = ec_allergy_new ();

      a->substance = get_text (e->text);
      a->reaction = get_text (e->reaction);
      if (a->substance == NULL && a->reaction == NULL)
        continue;   /* an untouched new entry */
      a->id = e->id;
      if (combo_selected (e->category) == 0)
        {
          if (problems != NULL)
            g_ptr_array_add (problems, g_strdup_printf (_("Allergy “%s”: choose its category (medication, food, "
                                                          "environment or biologic)."),
                                                        a->substance != NULL ? a->substance : "?"));
          a->category = EC_ALLERGY_CATEGORY_MEDICATION;   /* not saved: the problem above stops it */
        }
      else
        a->category = (EcAllergyCategory) (combo_selected (e->category) - 1);
      a->criticality = (EcCriticality) combo_selected (e->criticality);
      a->severity = (EcSeverity) combo_selected (e->severity);
      a->confirmed = combo_selected (e->verification) == 0;
      base_stamp (self, EC_STATION_LIST_ALLERGIES, a->id, &a->updated_at, &a->updated_by);
      g_ptr_array_add (r->allergies, g_steal_pointer (&a));
    }
  rows = self->rows[EC_STATION_LIST_CONDITIONS];
  for (guint i = 0; i < rows->len; i++)
    {
      Entry *e = entry_of (rows->pdata[i]);
      g_autoptr(EcCondition) c = ec_condition_new ();

      c->text = get_text (e->text);
      c->icd10 = get_icd10 (e->icd10);
      c->since = get_text (e->since);
      if (c->text == NULL && c->icd10 == NULL && c->since == NULL)
        continue;
      c->id = e->id;
      base_stamp (self, EC_STATION_LIST_CONDITIONS, c->id, &c->updated_at, &c->updated_by);
      g_ptr_array_add (r->conditions, g_steal_pointer (&c));
    }
  rows = self->rows[EC_STATION_LIST_MEDICATIONS];
  for (guint i = 0; i < rows->len; i++)
    {
      Entry *e = entry_of (rows->pdata[i]);
      g_autoptr(EcMedication) m = ec_medication_new ();

      m->name = get_text (e->text);
      m->dose = get_text (e->dose);
      m->route = get_text (e->route);
      m->slots = entry_slots (e);
      m->schedule_text = get_text (e->schedule);
      if (m->name == NULL && m->dose == NULL && m->route == NULL && m->slots == 0 && m->schedule_text == NULL)
        continue;
      m->id = e->id;
      base_stamp (self, EC_STATION_LIST_MEDICATIONS, m->id, &m->updated_at, &m->updated_by);
      g_ptr_array_add (r->medications, g_steal_pointer (&m));
    }
  rows = self->rows[EC_STATION_LIST_CONTACTS];
  for (guint i = 0; i < rows->len; i++)
    {
      Entry *e = entry_of (rows->pdata[i]);
      g_autoptr(EcContact) c = ec_contact_new ();

      c->name = get_text (e->text);
      c->relation = get_text (e->relation);
      c->phones = split_list (e->phones);
      if (c->name == NULL && c->relation == NULL && c->phones[0] == NULL)
        continue;
      c->id = e->id;
      c->lives_nearby = gtk_switch_get_active (e->nearby);
      c->call_order = r->contacts->len + 1;
      base_stamp (self, EC_STATION_LIST_CONTACTS, c->id, &c->updated_at, &c->updated_by);
      g_ptr_array_add (r->contacts, g_steal_pointer (&c));
    }
}

/* The resident as the form says (not validated). A missing allergy status is added
 * to @problems (may be NULL) and left as the base had it. */
static EcResident *
form_to_resident (EcStationEditor *self,
                  GPtrArray       *problems)
{
  EcResident *r;
  guint status;

  if (self->base == NULL)
    self->base = ec_resident_new ();
  r = resident_copy (self->base);
  replace_str (&r->name_zh, get_text (self->name_zh_row));
  replace_str (&r->name_pinyin, get_text (self->name_pinyin_row));
  r->sex = (EcSex) combo_selected (self->sex_row);
  replace_str (&r->date_of_birth, get_text (self->dob_row));
  r->blood_type = (EcBloodType) combo_selected (self->blood_row);
  status = adw_combo_row_get_selected (self->allergy_status_row);
  if (status == 0 || status == GTK_INVALID_LIST_POSITION)
    {
      if (problems != NULL)
        g_ptr_array_add (problems, g_strdup (_("Allergies: choose whether they are not known, none known, or "
                                               "recorded. A blank is never allowed: a responder must know "
                                               "whether anyone asked.")));
    }
  else
    r->allergy_status = (EcAllergyStatus) (status - 1);
  r->dnr = (EcDnrStatus) combo_selected (self->dnr_row);
  r->wandering = (EcWanderingRisk) combo_selected (self->wandering_row);
  read_lists (self, r, problems);
  replace_str (&r->phone, get_text (self->phone_row));
  replace_str (&r->building_unit, get_text (self->building_row));
  replace_str (&r->address, get_text (self->address_row));
  replace_str (&r->language, get_text (self->language_row));
  replace_str (&r->implants, get_text (self->implants_row));
  r->comm_needs = 0;
  for (gsize i = 0; i < G_N_ELEMENTS (comm_bits); i++)
    if (gtk_check_button_get_active (comm_check (self, comm_bits[i])))
      r->comm_needs |= comm_bits[i];
  replace_str (&r->comm_notes, get_text (self->comm_notes_row));
  replace_str (&r->directive_location, get_text (self->directive_row));
  replace_str (&r->gp, get_text (self->gp_row));
  replace_str (&r->social_worker, get_text (self->social_worker_row));
  replace_str (&r->notes, get_text (self->notes_row));
  g_clear_pointer (&r->photo, g_bytes_unref);
  g_clear_pointer (&r->photo_mime, g_free);
  r->photo = self->photo != NULL ? g_bytes_ref (self->photo) : NULL;
  r->photo_mime = g_strdup (self->photo_mime);
  return r;
}

EcResident *
ec_station_editor_take_resident (EcStationEditor *self)
{
  g_autoptr(EcResident) r = NULL;
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);

  g_return_val_if_fail (EC_IS_STATION_EDITOR (self), NULL);

  r = form_to_resident (self, problems);
  ec_station_validate_resident (r, NULL, problems);
  show_problems (self, problems);
  if (problems->len > 0)
    return NULL;
  return g_steal_pointer (&r);
}

/* ------------------------------------------------------------------------- */
/* The card preview: the core's own summary of the form, as an NTAG215 carries it */

/* Append to @missing the texts of @all that are not (even shortened) on the card. */
static void
find_missing (GPtrArray *missing,
              GPtrArray *all,
              GPtrArray *on_card)
{
  g_autofree gboolean *used = g_new0 (gboolean, on_card->len + 1);

  for (guint i = 0; i < all->len; i++)
    {
      const char *t = all->pdata[i];
      gboolean found = FALSE;

      for (guint k = 0; k < on_card->len && !found; k++)
        if (!used[k] && (g_str_has_prefix (t, on_card->pdata[k]) || g_str_has_prefix (on_card->pdata[k], t)))
          used[k] = found = TRUE;
      if (!found)
        g_ptr_array_add (missing, g_strdup (t));
    }
}

/* @text as the preview shows it: with "(shortened)" when the card carries it cut. */
static char *
preview_item (const char *text,
              gboolean    cut)
{
  return cut ? g_strdup_printf (_("%s (shortened)"), text) : g_strdup (text);
}

#define LIST_CUT(marks, i) ((i) < EC_CARD_LIST_MAX && ((marks) & (1u << (i))) != 0)

/* The first emergency contact as ec_card_summary_from_resident() picks it. */
static const EcContact *
first_contact (const EcResident *r)
{
  const EcContact *c = NULL;

  for (guint i = 0; r->contacts != NULL && i < r->contacts->len; i++)
    {
      const EcContact *o = r->contacts->pdata[i];
      if (c == NULL || (o->call_order != 0 && (c->call_order == 0 || o->call_order < c->call_order)))
        c = o;
    }
  return c;
}

static void
update_preview (EcStationEditor *self)
{
  g_autoptr(EcResident) r = form_to_resident (self, NULL);
  g_autoptr(EcCardSummary) s = ec_card_summary_from_resident (r, PREVIEW_TAG);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) missing = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) shortened = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) all = g_ptr_array_new ();
  g_autoptr(GPtrArray) on_card = g_ptr_array_new ();
  g_autofree char *line = NULL, *usage = NULL;
  gsize cap = ec_card_summary_capacity (PREVIEW_TAG), used;

  if (s == NULL)
    return;
  used = ec_card_summary_size (s);

  /* Who */
  add_part (parts, s->name != NULL ? preview_item (s->name, (s->fields_cut & EC_CARD_CUT_NAME) != 0)
                                   : g_strdup (_("(no name yet)")));
  if (s->name_latin != NULL)
    add_part (parts, preview_item (s->name_latin, (s->fields_cut & EC_CARD_CUT_NAME_LATIN) != 0));
  if (s->birth_year != 0)
    add_part (parts, g_strdup_printf (_("born %u"), (guint) s->birth_year));
  if (s->sex != EC_SEX_UNKNOWN)
    add_part (parts, g_strdup (combo_item (self->sex_row, (guint) s->sex)));
  if (s->blood_type != EC_BLOOD_UNKNOWN)
    add_part (parts, g_strdup_printf (_("blood type %s"), combo_item (self->blood_row, (guint) s->blood_type)));
  line = join_parts (parts);
  g_string_append (text, line);
  g_ptr_array_set_size (parts, 0);
  if (s->fields_cut & EC_CARD_CUT_NAME)
    g_ptr_array_add (shortened, g_strdup (s->name));
  if (s->fields_cut & EC_CARD_CUT_NAME_LATIN)
    g_ptr_array_add (shortened, g_strdup (s->name_latin));

  /* In the order the card is filled (cards/FORMAT.md §4.3): allergies, high
   * criticality first; the first contact right after the dangerous ones; the rest. */
  g_string_append_c (text, '\n');
  if (s->allergy_status == EC_ALLERGY_STATUS_UNKNOWN)
    g_string_append (text, _("Allergies: not known"));
  else if (s->allergy_status == EC_ALLERGY_STATUS_NONE_KNOWN)
    g_string_append (text, _("Allergies: none known"));
  else
    {
      for (guint i = 0; i < s->allergies->len; i++)
        {
          const EcCardAllergy *a = s->allergies->pdata[i];
          const char *crit = (guint) a->criticality < label_count (criticality_labels)
                             ? _(criticality_labels[a->criticality]) : "";
          g_autofree char *sub = preview_item (a->substance, LIST_CUT (s->allergies_cut, i));
          add_part (parts, g_strdup_printf (a->criticality == EC_CRITICALITY_HIGH ? "⚠ %s (%s)" : "%s (%s)",
                                            sub, crit));
          if (LIST_CUT (s->allergies_cut, i))
            g_ptr_array_add (shortened, g_strdup (a->substance));
        }
      g_free (line);
      line = join_parts (parts);
      g_string_append_printf (text, _("Allergies: %s"), parts->len > 0 ? line : _("none fit on the card"));
      g_ptr_array_set_size (parts, 0);
    }

  /* The first contact */
  if (s->contact_name != NULL)
    add_part (parts, preview_item (s->contact_name, (s->fields_cut & EC_CARD_CUT_CONTACT_NAME) != 0));
  if (s->contact_relation != NULL)
    add_part (parts, preview_item (s->contact_relation, (s->fields_cut & EC_CARD_CUT_CONTACT_RELATION) != 0));
  add_part (parts, g_strdup (s->contact_phone));
  if (s->fields_cut & EC_CARD_CUT_CONTACT_NAME)
    g_ptr_array_add (shortened, g_strdup (s->contact_name));
  if (s->fields_cut & EC_CARD_CUT_CONTACT_RELATION)
    g_ptr_array_add (shortened, g_strdup (s->contact_relation));
  if ((s->omitted & EC_CARD_OMITTED_CONTACT) && s->contact_phone == NULL && parts->len > 0)
    add_part (parts, g_strdup (_("no phone number on the card")));
  g_free (line);
  line = join_parts (parts);
  g_string_append_c (text, '\n');
  g_string_append_printf (text, _("Call first: %s"),
                          parts->len > 0 ? line
                          : (s->omitted & EC_CARD_OMITTED_CONTACT) ? _("does not fit on the card")
                          : _("nobody yet"));
  g_ptr_array_set_size (parts, 0);

  /* Conditions, medications */
  for (guint i = 0; i < s->conditions->len; i++)
    {
      add_part (parts, preview_item (s->conditions->pdata[i], LIST_CUT (s->conditions_cut, i)));
      if (LIST_CUT (s->conditions_cut, i))
        g_ptr_array_add (shortened, g_strdup (s->conditions->pdata[i]));
    }
  g_free (line);
  line = join_parts (parts);
  g_string_append_c (text, '\n');
  g_string_append_printf (text, _("Conditions: %s"), parts->len > 0 ? line
                          : (s->omitted & EC_CARD_OMITTED_CONDITIONS) ? _("none fit on the card") : _("none listed"));
  g_ptr_array_set_size (parts, 0);
  for (guint i = 0; i < s->medications->len; i++)
    {
      add_part (parts, preview_item (s->medications->pdata[i], LIST_CUT (s->medications_cut, i)));
      if (LIST_CUT (s->medications_cut, i))
        g_ptr_array_add (shortened, g_strdup (s->medications->pdata[i]));
    }
  g_free (line);
  line = join_parts (parts);
  g_string_append_c (text, '\n');
  g_string_append_printf (text, _("Medications: %s"), parts->len > 0 ? line
                          : (s->omitted & EC_CARD_OMITTED_MEDICATIONS) ? _("none fit on the card") : _("none listed"));
  g_ptr_array_set_size (parts, 0);

  g_string_append_c (text, '\n');
  g_string_append_printf (text, _("Resuscitation wishes: %s · Risk of wandering off: %s"),
                          combo_item (self->dnr_row, (guint) s->dnr),
                          combo_item (self->wandering_row, (guint) s->wandering));
  gtk_label_set_label (self->preview_label, text->str);

  usage = g_strdup_printf (_("%zu of %zu bytes of an NTAG215 card used."), used, cap);
  gtk_label_set_label (self->preview_usage_label, usage);

  /* What does not fit: named, so staff can shorten or reorder. The contact first:
   * without it a responder who has only the card does not know whom to call. */
  g_string_truncate (text, 0);
  if (s->omitted & EC_CARD_OMITTED_CONTACT)
    {
      const EcContact *c = first_contact (r);
      gboolean long_phone = c != NULL && c->phones != NULL && c->phones[0] != NULL
                            && strlen (c->phones[0]) > EC_CARD_TEXT_MAX;

      if (long_phone)
        g_string_append (text, _("The first contact's phone number is too long for the card. A phone number is "
                                 "never shortened, so it is left off the card. Write only the number, and put "
                                 "a note such as “daytime” in the relation."));
      else
        g_string_append (text, _("The first emergency contact does not fit on the card in full. A responder who "
                                 "has only the card may not see whom to call. Shorten the names of the allergies "
                                 "marked high risk, or the contact's name or relation."));
    }
  if (s->omitted & EC_CARD_OMITTED_ALLERGIES)
    {
      g_ptr_array_set_size (all, 0);
      g_ptr_array_set_size (on_card, 0);
      for (guint i = 0; i < r->allergies->len; i++)
        if (((EcAllergy *) r->allergies->pdata[i])->substance != NULL)
          g_ptr_array_add (all, ((EcAllergy *) r->allergies->pdata[i])->substance);
      for (guint i = 0; i < s->allergies->len; i++)
        g_ptr_array_add (on_card, ((EcCardAllergy *) s->allergies->pdata[i])->substance);
      find_missing (missing, all, on_card);
    }
  if (s->omitted & EC_CARD_OMITTED_CONDITIONS)
    {
      g_ptr_array_set_size (all, 0);
      for (guint i = 0; i < r->conditions->len; i++)
        if (((EcCondition *) r->conditions->pdata[i])->text != NULL)
          g_ptr_array_add (all, ((EcCondition *) r->conditions->pdata[i])->text);
      find_missing (missing, all, s->conditions);
    }
  if (s->omitted & EC_CARD_OMITTED_MEDICATIONS)
    {
      g_ptr_array_set_size (all, 0);
      for (guint i = 0; i < r->medications->len; i++)
        if (((EcMedication *) r->medications->pdata[i])->name != NULL)
          g_ptr_array_add (all, ((EcMedication *) r->medications->pdata[i])->name);
      find_missing (missing, all, s->medications);
    }
  if (missing->len > 0)
    {
      if (text->len > 0)
        g_string_append_c (text, '\n');
      g_free (line);
      line = join_parts (missing);
      g_string_append_printf (text, _("No room on the card for: %s. They stay in the station database; a kiosk "
                                      "reading only the card says that some entries did not fit. Put the most "
                                      "important entries first."),
                              line);
    }
  if (shortened->len > 0)
    {
      if (text->len > 0)
        g_string_append_c (text, '\n');
      g_free (line);
      line = join_parts (shortened);
      g_string_append_printf (text, _("Shortened to fit the card: %s. The card marks them as shortened and the full "
                                      "text stays in the station database. A dose or a phone number is never cut: "
                                      "it is on the card whole or not at all."),
                              line);
    }
  gtk_label_set_label (self->preview_omitted_label, text->str);
  gtk_widget_set_visible (GTK_WIDGET (self->preview_omitted_label), text->len > 0);
}

#undef LIST_CUT

static gboolean
preview_idle_cb (gpointer data)
{
  EcStationEditor *self = data;

  self->preview_source = 0;
  update_preview (self);
  return G_SOURCE_REMOVE;
}

/* String building only (no crypto, no disk): at most once per main-loop turn. */
static void
schedule_preview (EcStationEditor *self)
{
  if (self->disposing || self->preview_source != 0)
    return;
  self->preview_source = g_idle_add (preview_idle_cb, self);
}

static void
on_form_changed_cb (EcStationEditor *self)
{
  schedule_preview (self);
}


/* ------------------------------------------------------------------------- */
/* Photo */

/* Preparing runs in a worker thread (a phone's 12 MP JPEG takes a tenth of a second
 * to several, on a slow station computer); Save waits for it. */
static GtkWidget *
save_button (EcStationEditor *self)
{
  return GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (self), EC_TYPE_STATION_EDITOR, "save_button"));
}

static void
photo_set_busy (EcStationEditor *self,
                gboolean         busy)
{
  GtkWidget *save = save_button (self);

  if (save != NULL)
    gtk_widget_set_sensitive (save, !busy);
  if (busy)
    gtk_label_set_label (self->photo_label, _("Preparing the photo…"));
}

/* Forget a photo being prepared: its result will not be used. */
static void
photo_cancel_pending (EcStationEditor *self)
{
  if (self->photo_cancel == NULL)
    return;
  g_cancellable_cancel (self->photo_cancel);
  g_clear_object (&self->photo_cancel);
  if (!self->disposing)
    photo_set_busy (self, FALSE);
}

typedef struct
{
  GBytes             *bytes;
  char               *mime;
  EcPhotoPrepareInfo  info;
} Prepared;

static void
prepared_free (gpointer data)
{
  Prepared *p = data;

  g_clear_pointer (&p->bytes, g_bytes_unref);
  g_free (p->mime);
  g_free (p);
}

static Prepared *
prepare (const char  *path,
         GError     **error)
{
  Prepared *p = g_new0 (Prepared, 1);

  cairo_surface_t *surface;
  g_autoptr(GError) decode_error = NULL;

  if (!ec_photo_prepare_file (path, EC_PHOTO_PREPARE_WIDTH, EC_PHOTO_PREPARE_HEIGHT,
                              EC_DB_PHOTO_MAX_BYTES, &p->bytes, &p->mime, &p->info, error))
    {
      prepared_free (p);
      return NULL;
    }
  /* Decoded once as the card face will (the same check as a stored photo), here in
   * the worker rather than on the main loop. */
  surface = ec_card_face_load_photo (p->bytes, &decode_error);
  if (surface == NULL && !(g_strcmp0 (p->mime, "image/jpeg") == 0 && !ec_card_face_supports_jpeg ()))
    {
      g_propagate_error (error, g_steal_pointer (&decode_error));
      prepared_free (p);
      return NULL;
    }
  g_clear_pointer (&surface, cairo_surface_destroy);
  return p;
}

/* The prepared photo (or why there is none) into the form, shown with what was
 * done to it. */
static gboolean
photo_apply (EcStationEditor *self,
             Prepared        *p,
             const GError    *prepare_error)
{
  if (p == NULL)
    {
      g_autofree char *msg = g_strdup_printf (_("This photo cannot be used: %s"), prepare_error->message);
      show_photo (self);
      ec_station_editor_show_error (self, msg);
      return FALSE;
    }
  g_clear_pointer (&self->photo, g_bytes_unref);
  g_free (self->photo_mime);
  g_free (self->photo_note);
  self->photo = g_steal_pointer (&p->bytes);
  self->photo_mime = g_steal_pointer (&p->mime);
  self->photo_note = ec_photo_prepare_describe (&p->info, self->photo_mime);
  show_photo (self);
  show_problems (self, NULL);
  return TRUE;
}

gboolean
ec_station_editor_set_photo_file (EcStationEditor *self,
                                  const char      *path)
{
  g_autoptr(GError) error = NULL;
  Prepared *p;
  gboolean ok;

  g_return_val_if_fail (EC_IS_STATION_EDITOR (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  photo_cancel_pending (self);
  p = prepare (path, &error);
  ok = photo_apply (self, p, error);
  if (p != NULL)
    prepared_free (p);
  return ok;
}

static void
prepare_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  GError *error = NULL;
  Prepared *p = prepare (task_data, &error);

  if (p == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, p, prepared_free);
}

static void
prepare_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  EcStationEditor *self = EC_STATION_EDITOR (source);
  g_autoptr(GError) error = NULL;
  Prepared *p;

  /* Cancelled: another photo was chosen, the form was cleared or is gone. The
   * cancellable's owner has set the form as it should be. */
  if (g_task_get_cancellable (G_TASK (result)) != self->photo_cancel || self->disposing)
    {
      p = g_task_propagate_pointer (G_TASK (result), NULL);
      if (p != NULL)
        prepared_free (p);
      return;
    }
  g_clear_object (&self->photo_cancel);
  photo_set_busy (self, FALSE);
  p = g_task_propagate_pointer (G_TASK (result), &error);
  photo_apply (self, p, error);
  if (p != NULL)
    prepared_free (p);
}

void
ec_station_editor_set_photo_file_async (EcStationEditor *self,
                                        const char      *path)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (EC_IS_STATION_EDITOR (self));
  g_return_if_fail (path != NULL);

  photo_cancel_pending (self);
  self->photo_cancel = g_cancellable_new ();
  show_problems (self, NULL);
  photo_set_busy (self, TRUE);
  task = g_task_new (self, self->photo_cancel, prepare_done_cb, NULL);
  g_task_set_source_tag (task, ec_station_editor_set_photo_file_async);
  g_task_set_task_data (task, g_strdup (path), g_free);
  /* The result is ignored once cancelled; the thread itself runs to its end. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_run_in_thread (task, prepare_thread);
}

gboolean
ec_station_editor_get_photo_busy (EcStationEditor *self)
{
  g_return_val_if_fail (EC_IS_STATION_EDITOR (self), FALSE);
  return self->photo_cancel != NULL;
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
        ec_station_editor_set_photo_file_async (self, path);
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

  /* Any photo from a phone or a camera: it is prepared for the card. */
  gtk_file_filter_set_name (filter, _("Photos"));
  gtk_file_filter_add_pixbuf_formats (filter);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  g_signal_connect_object (chooser, "response", G_CALLBACK (on_photo_chooser_response_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
on_photo_remove_button_clicked_cb (EcStationEditor *self,
                                   GtkButton       *button)
{
  photo_cancel_pending (self);
  g_clear_pointer (&self->photo, g_bytes_unref);
  g_clear_pointer (&self->photo_mime, g_free);
  g_clear_pointer (&self->photo_note, g_free);
  show_photo (self);
}

static void
on_save_button_clicked_cb (EcStationEditor *self,
                           GtkButton       *button)
{
  if (self->photo_cancel != NULL)   /* the photo is still being prepared */
    return;
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
  EcStationEditor *self = EC_STATION_EDITOR (object);

  self->disposing = TRUE;
  g_clear_handle_id (&self->preview_source, g_source_remove);
  g_clear_handle_id (&self->scroll_source, g_source_remove);
  photo_cancel_pending (self);
  for (guint l = 0; l < N_LISTS; l++)
    if (self->rows[l] != NULL)
      {
        clear_list (self, l);
        g_clear_pointer (&self->rows[l], g_ptr_array_unref);
      }
  gtk_widget_dispose_template (GTK_WIDGET (object), EC_TYPE_STATION_EDITOR);
  G_OBJECT_CLASS (ec_station_editor_parent_class)->dispose (object);
}

static void
ec_station_editor_finalize (GObject *object)
{
  EcStationEditor *self = EC_STATION_EDITOR (object);

  g_clear_pointer (&self->base, ec_resident_free);
  g_clear_pointer (&self->photo, g_bytes_unref);
  g_free (self->pristine);
  g_free (self->photo_mime);
  g_free (self->photo_note);
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
  g_type_ensure (ADW_TYPE_ACTION_ROW);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/eldercard/Kiosk/ui/ec-station-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, address_row);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, allergies_group);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, allergy_status_row);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, blood_row);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, building_row);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, comm_dementia_check);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, comm_hearing_check);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, comm_language_check);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, comm_notes_row);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, comm_speech_check);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, comm_vision_check);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, conditions_group);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, contacts_group);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, directive_row);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, dnr_row);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, dob_row);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, gp_row);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, implants_row);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, language_row);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, medications_group);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, name_pinyin_row);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, name_zh_row);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, notes_row);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, phone_row);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, photo_image);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, note_label);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, photo_label);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, scroller);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, preview_label);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, preview_omitted_label);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, preview_usage_label);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, problems_label);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, sex_row);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, social_worker_row);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, title_label);
  gtk_widget_class_bind_template_child (widget_class, EcStationEditor, wandering_row);
  /* Not kept in the struct; bound so tests can press them. */
  gtk_widget_class_bind_template_child_full (widget_class, "add_allergy_button", FALSE, 0);
  gtk_widget_class_bind_template_child_full (widget_class, "add_condition_button", FALSE, 0);
  gtk_widget_class_bind_template_child_full (widget_class, "add_contact_button", FALSE, 0);
  gtk_widget_class_bind_template_child_full (widget_class, "add_medication_button", FALSE, 0);
  gtk_widget_class_bind_template_child_full (widget_class, "cancel_button", FALSE, 0);
  gtk_widget_class_bind_template_child_full (widget_class, "preview_group", FALSE, 0);
  gtk_widget_class_bind_template_child_full (widget_class, "save_button", FALSE, 0);
  gtk_widget_class_bind_template_callback (widget_class, on_add_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_photo_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_photo_remove_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_save_button_clicked_cb);
}

static void
ec_station_editor_init (EcStationEditor *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  for (guint l = 0; l < N_LISTS; l++)
    self->rows[l] = g_ptr_array_new_with_free_func (g_object_unref);

  /* The preview follows everything that goes on the card (the lists' entries
   * schedule it themselves). */
  {
    AdwEntryRow *entries[] = { self->name_zh_row, self->name_pinyin_row, self->dob_row };
    AdwComboRow *combos[] = {
      self->sex_row, self->blood_row, self->allergy_status_row, self->dnr_row, self->wandering_row,
    };

    for (gsize i = 0; i < G_N_ELEMENTS (entries); i++)
      g_signal_connect_swapped (entries[i], "changed", G_CALLBACK (on_form_changed_cb), self);
    for (gsize i = 0; i < G_N_ELEMENTS (combos); i++)
      {
        g_signal_connect_swapped (combos[i], "notify::selected", G_CALLBACK (on_form_changed_cb), self);
        watch_combo (self, combos[i]);
      }
  }
  ec_station_editor_set_resident (self, NULL);
}

GtkWidget *
ec_station_editor_new (void)
{
  return g_object_new (EC_TYPE_STATION_EDITOR, NULL);
}
