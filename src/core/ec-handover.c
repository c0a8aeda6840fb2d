/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-handover.c: the one-page handover sheet (ec-handover.h). */
#define G_LOG_DOMAIN "ec-handover"

#include "ec-handover.h"

#include <string.h>
#include <cairo-pdf.h>
#include <pango/pangocairo.h>

#include "ec-card-face.h"
#include "ec-error.h"
#include "ec-i18n.h"
#include "ec-labels.h"

/* LSAN_PAUSE/RESUME around cairo_surface_finish() (Cairo 1.16's CJK font leak). */
#include "ec-lsan.h"

#define FONT_FAMILY "Noto Sans CJK SC, Noto Sans, sans-serif"
#define MARGIN      36.0
#define PHOTO_W     90.0
#define PHOTO_H     120.0

typedef struct
{
  cairo_t *cr;
  double   scale;
  double   y;
  double   bottom;       /* where the footer starts */
  gboolean overflow;    /* something did not fit: nothing more is drawn */
  gboolean cut;         /* the record was cut (said on the sheet) */
} Sheet;

/* Draw @text wrapped to @width at (@x, s->y) and move s->y down; nothing is drawn
 * once the page is full (s->overflow). Returns the height. */
static double
text_at (Sheet *s, const char *text, double size, PangoWeight weight, double x, double width,
         double r, double g, double b, gboolean advance)
{
  g_autoptr(PangoLayout) layout = NULL;
  PangoContext *context;
  cairo_font_options_t *options;
  PangoFontDescription *desc;
  PangoRectangle logical;
  double h;

  if (text == NULL || *text == '\0' || !g_utf8_validate (text, -1, NULL) || s->overflow)
    return 0;
  layout = pango_cairo_create_layout (s->cr);
  context = pango_layout_get_context (layout);
  options = cairo_font_options_create ();
  cairo_font_options_set_hint_metrics (options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style (options, CAIRO_HINT_STYLE_NONE);
  pango_cairo_context_set_font_options (context, options);
  cairo_font_options_destroy (options);
  pango_context_set_language (context, pango_language_from_string ("zh-cn"));
  pango_layout_context_changed (layout);
  desc = pango_font_description_from_string (FONT_FAMILY);
  pango_font_description_set_weight (desc, weight);
  pango_font_description_set_absolute_size (desc, size * s->scale * PANGO_SCALE);
  pango_layout_set_font_description (layout, desc);
  pango_font_description_free (desc);
  pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_text (layout, text, -1);
  pango_layout_get_extents (layout, NULL, &logical);
  h = (double) logical.height / PANGO_SCALE;
  if (s->y + h > s->bottom)
    {
      s->overflow = TRUE;
      return 0;
    }
  cairo_set_source_rgb (s->cr, r, g, b);
  cairo_move_to (s->cr, x, s->y);
  pango_cairo_show_layout (s->cr, layout);
  if (advance)
    s->y += h;
  return h;
}

static void
line (Sheet *s, const char *text, double size, PangoWeight weight)
{
  text_at (s, text, size, weight, MARGIN + 8, EC_HANDOVER_WIDTH_PT - 2 * MARGIN - 8, 0.08, 0.08, 0.10, TRUE);
}

static void
heading (Sheet *s, const char *text, gboolean alarm)
{
  double h;

  if (s->overflow)
    return;
  s->y += 6 * s->scale;
  if (s->y + 16 * s->scale > s->bottom)
    {
      s->overflow = TRUE;
      return;
    }
  cairo_set_source_rgb (s->cr, alarm ? 0.70 : 0.20, alarm ? 0.11 : 0.24, alarm ? 0.11 : 0.30);
  cairo_rectangle (s->cr, MARGIN, s->y, EC_HANDOVER_WIDTH_PT - 2 * MARGIN, 17 * s->scale);
  cairo_fill (s->cr);
  h = text_at (s, text, 11.5, PANGO_WEIGHT_BOLD, MARGIN + 6, EC_HANDOVER_WIDTH_PT - 2 * MARGIN - 12,
               1, 1, 1, FALSE);
  s->y += MAX (h, 17 * s->scale) + 2 * s->scale;
}

static void
draw_photo (Sheet *s, const EcResident *r, double x, double y)
{
  g_autoptr(GError) error = NULL;
  cairo_surface_t *img = NULL;
  cairo_t *cr = s->cr;
  double w = PHOTO_W * s->scale, h = PHOTO_H * s->scale;

  if (r->photo != NULL && (img = ec_card_face_load_photo (r->photo, &error)) == NULL)
    g_debug ("handover sheet without photo: %s", error->message);
  cairo_save (cr);
  if (img != NULL)
    {
      double iw = cairo_image_surface_get_width (img), ih = cairo_image_surface_get_height (img);
      double k = MAX (w / iw, h / ih);
      cairo_rectangle (cr, x, y, w, h);
      cairo_clip (cr);
      cairo_translate (cr, x + (w - iw * k) / 2, y + (h - ih * k) / 2);
      cairo_scale (cr, k, k);
      cairo_set_source_surface (cr, img, 0, 0);
      cairo_paint (cr);
      cairo_surface_destroy (img);
    }
  else
    {
      cairo_set_source_rgb (cr, 0.90, 0.91, 0.93);
      cairo_rectangle (cr, x, y, w, h);
      cairo_fill (cr);
    }
  cairo_restore (cr);
  cairo_set_source_rgb (cr, 0.55, 0.58, 0.62);
  cairo_set_line_width (cr, 0.8);
  cairo_rectangle (cr, x, y, w, h);
  cairo_stroke (cr);
  if (img == NULL)
    {
      Sheet t = *s;
      t.y = y + h / 2 - 8 * s->scale;
      t.bottom = y + h;
      text_at (&t, _("no photo"), 9, PANGO_WEIGHT_NORMAL, x + 4, w - 8, 0.35, 0.37, 0.40, FALSE);
    }
}

static char *
time_text (gint64 t)
{
  if (t <= 0)
    return g_strdup ("—");
  return ec_label_time (t);
}

/* Draw the whole sheet at s->scale. */
static void
draw_sheet (Sheet *s, const EcResident *r, const EcCardRecord *card, const char *printed_by,
            const EcHandoverOptions *o, gint64 now)
{
  const double W = EC_HANDOVER_WIDTH_PT, H = EC_HANDOVER_HEIGHT_PT;
  const double k = s->scale;
  double text_w = W - 2 * MARGIN - PHOTO_W * k - 12;
  g_autofree char *idhex = ec_resident_id_to_string (r->id);
  g_autofree char *ident = NULL;
  double top;
  int age = ec_resident_age (r, NULL);

  cairo_set_source_rgb (s->cr, 1, 1, 1);
  cairo_paint (s->cr);

  /* Title band. */
  cairo_set_source_rgb (s->cr, 0.70, 0.11, 0.11);
  cairo_rectangle (s->cr, 0, 0, W, 30 * k + MARGIN / 2);
  cairo_fill (s->cr);
  s->y = MARGIN / 2;
  text_at (s, _("Emergency handover sheet — for the ambulance crew and the hospital"), 14, PANGO_WEIGHT_BOLD,
           MARGIN, W - 2 * MARGIN, 1, 1, 1, TRUE);
  s->y = 30 * k + MARGIN / 2 + 8 * k;

  /* Identity beside the photo. */
  top = s->y;
  draw_photo (s, r, W - MARGIN - PHOTO_W * k, top);
  text_at (s, r->name_zh, 26, PANGO_WEIGHT_BOLD, MARGIN, text_w, 0.08, 0.08, 0.10, TRUE);
  text_at (s, r->name_pinyin, 14, PANGO_WEIGHT_NORMAL, MARGIN, text_w, 0.08, 0.08, 0.10, TRUE);
  ident = age >= 0
          ? g_strdup_printf (_("%s · born %s · %d years · %s"), ec_label_sex (r->sex),
                             r->date_of_birth, age, ec_label_blood (r->blood_type))
          : g_strdup_printf (_("%s · date of birth not recorded · %s"), ec_label_sex (r->sex),
                             ec_label_blood (r->blood_type));
  text_at (s, ident, 11, PANGO_WEIGHT_NORMAL, MARGIN, text_w, 0.08, 0.08, 0.10, TRUE);
  if (r->address != NULL || r->building_unit != NULL)
    {
      g_autofree char *addr = g_strjoin (" ", r->address != NULL ? r->address : "",
                                         r->building_unit != NULL ? r->building_unit : "", NULL);
      text_at (s, g_strstrip (addr), 10, PANGO_WEIGHT_NORMAL, MARGIN, text_w, 0.2, 0.2, 0.22, TRUE);
    }
  {
    g_autofree char *more = g_strdup_printf (_("Resident id %s · language: %s%s%s"), idhex,
                                             r->language != NULL ? r->language : "—",
                                             r->phone != NULL ? " · ☎ " : "", r->phone != NULL ? r->phone : "");
    text_at (s, more, 9, PANGO_WEIGHT_NORMAL, MARGIN, text_w, 0.35, 0.37, 0.40, TRUE);
  }
  s->y = MAX (s->y, top + PHOTO_H * k);

  /* Allergies first. */
  heading (s, _("ALLERGIES"), TRUE);
  if (r->allergy_status == EC_ALLERGY_STATUS_RECORDED && r->allergies->len > 0)
    {
      g_autoptr(GPtrArray) sorted = ec_label_allergies_sorted (r->allergies);
      for (guint i = 0; i < sorted->len; i++)
        {
          const EcAllergy *a = sorted->pdata[i];
          g_autofree char *t = ec_label_allergy (a);
          line (s, t, 12, a->criticality == EC_CRITICALITY_HIGH ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
        }
    }
  else
    line (s, r->allergy_status == EC_ALLERGY_STATUS_NONE_KNOWN ? _("No known allergies")
                                                                : _("Allergies unknown: nobody has established them"),
          12, PANGO_WEIGHT_BOLD);

  /* Advance directive. */
  heading (s, _("Advance directive"), r->dnr == EC_DNR_DNR);
  line (s, ec_label_dnr (r->dnr), 12, PANGO_WEIGHT_BOLD);
  if (r->directive_location != NULL)
    {
      g_autofree char *t = g_strdup_printf (_("The document is kept: %s"), r->directive_location);
      line (s, t, 10, PANGO_WEIGHT_NORMAL);
    }

  /* Conditions. */
  heading (s, _("Conditions"), FALSE);
  if (r->conditions->len == 0)
    line (s, _("None recorded"), 10, PANGO_WEIGHT_NORMAL);
  for (guint i = 0; i < r->conditions->len; i++)
    {
      const EcCondition *c = r->conditions->pdata[i];
      g_autofree char *since = c->since != NULL ? g_strdup_printf (_("since %s"), c->since) : NULL;
      g_autofree char *t = g_strjoin ("  ", c->text, c->icd10 != NULL ? c->icd10 : "", since != NULL ? since : "", NULL);
      line (s, t, 11, PANGO_WEIGHT_NORMAL);
    }
  if (r->implants != NULL || r->comm_needs != 0 || r->comm_notes != NULL || r->wandering == EC_WANDERING_AT_RISK)
    {
      g_autofree char *needs = ec_label_comm_needs (r->comm_needs);
      if (r->implants != NULL)
        {
          g_autofree char *t = g_strdup_printf (_("Implants: %s"), r->implants);
          line (s, t, 11, PANGO_WEIGHT_BOLD);
        }
      if (needs != NULL)
        {
          g_auto(GStrv) parts = g_strsplit (needs, "\n", -1);
          g_autofree char *joined = g_strjoinv ("; ", parts);
          line (s, joined, 10, PANGO_WEIGHT_NORMAL);
        }
      line (s, r->comm_notes, 10, PANGO_WEIGHT_NORMAL);
      if (r->wandering == EC_WANDERING_AT_RISK)
        line (s, ec_label_wandering (r->wandering), 10, PANGO_WEIGHT_BOLD);
    }

  /* Medications. */
  heading (s, _("Medications"), FALSE);
  if (r->medications->len == 0)
    line (s, _("None recorded"), 10, PANGO_WEIGHT_NORMAL);
  for (guint i = 0; i < r->medications->len; i++)
    {
      const EcMedication *m = r->medications->pdata[i];
      g_autofree char *sched = ec_label_schedule (m->slots);
      g_autofree char *t = g_strjoin ("  ", m->name, m->dose != NULL ? m->dose : "", m->route != NULL ? m->route : "",
                                      sched != NULL ? sched : "", m->schedule_text != NULL ? m->schedule_text : "",
                                      NULL);
      line (s, t, 11, PANGO_WEIGHT_NORMAL);
    }

  /* Contacts in call order. */
  heading (s, _("Emergency contacts (call in this order)"), FALSE);
  if (r->contacts->len == 0)
    line (s, _("None recorded"), 10, PANGO_WEIGHT_NORMAL);
  for (guint i = 0; i < r->contacts->len; i++)
    {
      const EcContact *c = r->contacts->pdata[i];
      g_autofree char *phones = c->phones != NULL ? g_strjoinv (" / ", c->phones) : g_strdup ("");
      g_autofree char *t = g_strdup_printf ("%u. %s (%s)  %s%s", c->call_order, c->name != NULL ? c->name : "",
                                            c->relation != NULL ? c->relation : "—", phones,
                                            c->lives_nearby ? _(" · lives nearby") : "");
      line (s, t, 11, i == 0 ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    }
  if (r->gp != NULL)
    {
      g_autofree char *t = g_strdup_printf (_("Doctor or clinic: %s"), r->gp);
      line (s, t, 10, PANGO_WEIGHT_NORMAL);
    }
  if (r->social_worker != NULL)
    {
      g_autofree char *t = g_strdup_printf (_("Social worker: %s"), r->social_worker);
      line (s, t, 10, PANGO_WEIGHT_NORMAL);
    }
  if (r->notes != NULL)
    {
      g_autofree char *t = g_strdup_printf (_("Notes: %s"), r->notes);
      line (s, t, 10, PANGO_WEIGHT_NORMAL);
    }
  if (s->overflow)
    {
      /* Always room for this: the footer's space is kept free above. */
      s->bottom += 14 * k;
      s->overflow = FALSE;
      s->cut = TRUE;
      line (s, _("More of the record did not fit on this page: see the kiosk or the patient summary export."),
            9, PANGO_WEIGHT_BOLD);
    }

  /* Footer: card, age of the data, who printed it when. */
  {
    Sheet f = *s;
    g_autofree char *changed = time_text (r->updated_at);
    g_autofree char *printed = time_text (now);
    g_autofree char *data = g_strdup_printf (_("Record version %lld, last changed %s by %s (%lld days ago)"),
                                             (long long) r->record_version, changed,
                                             r->updated_by != NULL ? r->updated_by : "—",
                                             (long long) (r->updated_at > 0 ? (now - r->updated_at) / 86400 : 0));
    g_autofree char *cardt = NULL;
    g_autofree char *who = g_strdup_printf (_("Printed by %s on %s. This sheet is a copy of the record at that time."),
                                            printed_by, printed);
    if (card != NULL)
      {
        g_autofree char *issued = time_text (card->issued_at);
        cardt = g_strdup_printf (_("Card no. %u (UID %s), issued %s"), card->seq, card->uid_hex, issued);
      }
    else
      cardt = g_strdup (_("No active card"));
    f.y = H - MARGIN - 62 * k;
    f.bottom = H;
    f.overflow = FALSE;
    cairo_set_source_rgb (s->cr, 0.55, 0.58, 0.62);
    cairo_set_line_width (s->cr, 0.6);
    cairo_move_to (s->cr, MARGIN, f.y - 3);
    cairo_line_to (s->cr, W - MARGIN, f.y - 3);
    cairo_stroke (s->cr);
    text_at (&f, cardt, 9, PANGO_WEIGHT_NORMAL, MARGIN, W - 2 * MARGIN, 0.2, 0.2, 0.22, TRUE);
    text_at (&f, data, 9, PANGO_WEIGHT_NORMAL, MARGIN, W - 2 * MARGIN, 0.2, 0.2, 0.22, TRUE);
    text_at (&f, who, 9, PANGO_WEIGHT_NORMAL, MARGIN, W - 2 * MARGIN, 0.2, 0.2, 0.22, TRUE);
    if (o != NULL && (o->station_name != NULL || o->station_phone != NULL))
      {
        g_autofree char *st = g_strdup_printf ("%s %s", o->station_name != NULL ? o->station_name : "",
                                               o->station_phone != NULL ? o->station_phone : "");
        text_at (&f, g_strstrip (st), 9, PANGO_WEIGHT_BOLD, MARGIN, W - 2 * MARGIN, 0.2, 0.2, 0.22, TRUE);
      }
  }
}

gboolean
ec_handover_draw (cairo_t                 *cr,
                  const EcResident        *resident,
                  const EcCardRecord      *card,
                  const char              *printed_by,
                  const EcHandoverOptions *options,
                  double                  *out_scale,
                  GError                 **error)
{
  gint64 now = options != NULL && options->printed_at > 0 ? options->printed_at
                                                            : g_get_real_time () / G_USEC_PER_SEC;
  Sheet s = { 0 };

  g_return_val_if_fail (cr != NULL && resident != NULL, FALSE);
  if (resident->name_zh == NULL || *resident->name_zh == '\0')
    {
      g_set_error_literal (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID,
                           _("The handover sheet needs the resident's name in Chinese characters"));
      return FALSE;
    }
  if (printed_by == NULL || *printed_by == '\0')
    printed_by = "—";

  /* Find the largest size at which everything fits, on a surface that is thrown away. */
  for (s.scale = 1.0; s.scale >= EC_HANDOVER_MIN_SCALE; s.scale -= 0.05)
    {
      cairo_surface_t *rec = cairo_recording_surface_create (CAIRO_CONTENT_COLOR, NULL);
      Sheet m = { .cr = cairo_create (rec), .scale = s.scale,
                  .bottom = EC_HANDOVER_HEIGHT_PT - MARGIN - 62 * s.scale - 16 * s.scale };
      draw_sheet (&m, resident, card, printed_by, options, now);
      cairo_destroy (m.cr);
      cairo_surface_destroy (rec);
      if (!m.overflow && !m.cut)
        break;
    }
  if (s.scale < EC_HANDOVER_MIN_SCALE)
    s.scale = EC_HANDOVER_MIN_SCALE;
  s.cr = cr;
  s.bottom = EC_HANDOVER_HEIGHT_PT - MARGIN - 62 * s.scale - 16 * s.scale;
  cairo_save (cr);
  draw_sheet (&s, resident, card, printed_by, options, now);
  cairo_restore (cr);
  if (out_scale != NULL)
    *out_scale = s.scale;
  if (cairo_status (cr) != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID, _("Cannot draw the handover sheet: %s"),
                   cairo_status_to_string (cairo_status (cr)));
      return FALSE;
    }
  return TRUE;
}

static cairo_status_t
pdf_write (void *closure, const unsigned char *data, unsigned int length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

GBytes *
ec_handover_render_pdf (const EcResident        *resident,
                        const EcCardRecord      *card,
                        const char              *printed_by,
                        const EcHandoverOptions *options,
                        GError                 **error)
{
  GByteArray *pdf = g_byte_array_new ();
  cairo_surface_t *surface;
  cairo_status_t status;
  cairo_t *cr;
  gboolean ok;

  surface = cairo_pdf_surface_create_for_stream (pdf_write, pdf, EC_HANDOVER_WIDTH_PT, EC_HANDOVER_HEIGHT_PT);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, "交接单 Handover sheet");
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "eldercard");
  cr = cairo_create (surface);
  ok = ec_handover_draw (cr, resident, card, printed_by, options, NULL, error);
  cairo_show_page (cr);
  cairo_destroy (cr);
  LSAN_PAUSE ();
  cairo_surface_finish (surface);
  LSAN_RESUME ();
  status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  if (ok && status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID, _("Cannot write the handover sheet PDF: %s"),
                   cairo_status_to_string (status));
      ok = FALSE;
    }
  if (!ok)
    {
      g_byte_array_unref (pdf);
      return NULL;
    }
  return g_byte_array_free_to_bytes (pdf);
}

gboolean
ec_handover_write_pdf (EcDb                    *db,
                       EcResidentId             id,
                       const EcActor           *actor,
                       const EcHandoverOptions *options,
                       const char              *path,
                       GError                 **error)
{
  g_autoptr(EcResident) r = NULL;
  g_autoptr(GPtrArray) cards = NULL;
  g_autoptr(GBytes) pdf = NULL;
  g_autofree char *detail = NULL;
  const EcCardRecord *card = NULL;
  gsize len;
  const char *data;

  g_return_val_if_fail (db != NULL && actor != NULL && path != NULL, FALSE);
  if (!ec_db_get_resident (db, id, actor, "handover", NULL, &r, error) ||
      !ec_db_card_list_for_resident (db, id, &cards, error))
    return FALSE;
  for (guint i = 0; i < cards->len; i++)
    {
      const EcCardRecord *c = cards->pdata[i];
      if (c->status == EC_CARD_STATUS_ACTIVE && (card == NULL || c->seq > card->seq))
        card = c;
    }
  if ((pdf = ec_handover_render_pdf (r, card, actor->id, options, error)) == NULL)
    return FALSE;
  data = g_bytes_get_data (pdf, &len);
  /* Logged before any data leaves, as every export (docs/database.md). */
  detail = g_strdup_printf ("handover sheet, language %s, record version %" G_GINT64_FORMAT,
                            options != NULL && options->language != NULL ? options->language : "zh",
                            r->record_version);
  if (!ec_db_audit_append (db, actor, "handover-print", id, "handover", NULL, detail, error))
    return FALSE;
  /* Medical data: readable by the owner only. */
  return g_file_set_contents_full (path, data, (gssize) len, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

/* Fixed bilingual words: the phone that scans the code is not the kiosk's. */
static const char *
qr_criticality (EcCriticality c)
{
  switch (c)
    {
    case EC_CRITICALITY_HIGH: return "高危 HIGH";
    case EC_CRITICALITY_LOW: return "低危 low";
    case EC_CRITICALITY_UNABLE_TO_ASSESS:
    default: return "未评估 not assessed";
    }
}

static const char *
qr_dnr (EcDnrStatus d)
{
  switch (d)
    {
    case EC_DNR_DNR: return "不做心肺复苏 DNR";
    case EC_DNR_FULL_RESUSCITATION: return "全力抢救 full resuscitation";
    case EC_DNR_LIMITED: return "有限治疗 limited, see directive";
    case EC_DNR_UNKNOWN:
    default: return "未记录 not recorded";
    }
}

char *
ec_handover_qr_text (const EcResident *r)
{
  GString *s = g_string_new ("紧急信息 EMERGENCY INFO\n");
  gsize before;

  g_return_val_if_fail (r != NULL, NULL);
  g_string_append_printf (s, "%s %s\n", r->name_zh != NULL ? r->name_zh : "",
                          r->name_pinyin != NULL ? r->name_pinyin : "");
  if (r->date_of_birth != NULL && strlen (r->date_of_birth) >= 4)
    g_string_append_printf (s, "出生 born %.4s\n", r->date_of_birth);
  g_string_append_printf (s, "复苏 Resuscitation: %s\n", qr_dnr (r->dnr));
  if (r->contacts->len > 0)
    {
      const EcContact *c = r->contacts->pdata[0];
      g_string_append_printf (s, "联系人 Contact: %s %s %s\n", c->name != NULL ? c->name : "",
                              c->relation != NULL ? c->relation : "",
                              c->phones != NULL && c->phones[0] != NULL ? c->phones[0] : "");
    }
  /* Allergies last, as many as fit, most critical first. */
  g_string_append (s, "过敏 Allergies:");
  if (r->allergy_status != EC_ALLERGY_STATUS_RECORDED || r->allergies->len == 0)
    g_string_append (s, r->allergy_status == EC_ALLERGY_STATUS_NONE_KNOWN ? " 无已知过敏 none known"
                                                                         : " 不详 unknown");
  else
    {
      g_autoptr(GPtrArray) sorted = ec_label_allergies_sorted (r->allergies);
      for (guint i = 0; i < sorted->len; i++)
        {
          const EcAllergy *a = sorted->pdata[i];
          before = s->len;
          g_string_append_printf (s, "\n- %s (%s)", a->substance, qr_criticality (a->criticality));
          if (s->len > EC_HANDOVER_QR_MAX_BYTES - 32)
            {
              g_string_truncate (s, before);
              g_string_append_printf (s, "\n+%u …", sorted->len - i);
              break;
            }
        }
    }
  /* A name or contact so long that the text is still too big: cut at a character. */
  if (s->len > EC_HANDOVER_QR_MAX_BYTES)
    {
      const char *end = g_utf8_find_prev_char (s->str, s->str + EC_HANDOVER_QR_MAX_BYTES);
      g_string_truncate (s, (gsize) (end - s->str));
    }
  return g_string_free (s, FALSE);
}
