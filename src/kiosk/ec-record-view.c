/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ec-record-view"

#include "ec-record-view.h"

#include <adwaita.h>

#include "ec-i18n.h"
#include "ec-kiosk-i18n.h"
#include "ec-kiosk-strings.h"
#include "ec-kiosk-widgets.h"
#include "ec-labels.h"
#include "ec-phone.h"
#include "ec-qr.h"
#include "ec-read-aloud.h"
#include "ec-reflow-box.h"

struct _EcRecordView
{
  GtkWidget   parent_instance;

  GtkLabel   *address_label;
  GtkBox     *allergy_banner;
  GtkLabel   *care_label;
  GtkBox     *conditions_box;
  GtkBox     *contacts_box;
  GtkBox     *content_box;
  GtkLabel   *directive_label;
  GtkButton  *done_button;
  GtkLabel   *facts_label;
  GtkLabel   *footer_label;
  GtkBox     *identity_box;
  GtkButton  *lookup_button;
  GtkButton  *handover_button;
  GtkBox     *medications_box;
  GtkLabel   *name_label;
  GtkBox     *notice_box;
  GtkPicture *photo;
  GtkStack   *photo_stack;
  GtkLabel   *pinyin_label;
  GtkScrolledWindow *scrolled;
  GtkLabel   *support_label;
  GtkWidget  *buttons_box;
  GtkWidget  *directive_section;
  GtkWidget  *contacts_section;
  GtkWidget  *conditions_section;
  GtkWidget  *medications_section;
  GtkWidget  *care_section;
  GtkWidget  *support_section;
  GtkWidget  *flow;            /* EcReflowBox: the record's sections, two columns when wide */
  GtkWidget  *read_aloud_button;
  EcKioskResult *result;       /* shown now (for reading aloud) */
  char       *last_spoken;

  char       *station_name;
  char       *station_phone;
};

G_DEFINE_FINAL_TYPE (EcRecordView, ec_record_view, GTK_TYPE_WIDGET)

enum {
  SIGNAL_DONE,
  SIGNAL_LOOKUP_REQUESTED,
  SIGNAL_HANDOVER_REQUESTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
on_done_button_clicked_cb (EcRecordView *self,
                           GtkButton    *button)
{
  g_signal_emit (self, signals[SIGNAL_DONE], 0);
}

static void
on_lookup_button_clicked_cb (EcRecordView *self,
                             GtkButton    *button)
{
  g_signal_emit (self, signals[SIGNAL_LOOKUP_REQUESTED], 0);
}

static void
on_handover_button_clicked_cb (EcRecordView *self,
                               GtkButton    *button)
{
  if (self->result != NULL && self->result->resident != NULL)
    g_signal_emit (self, signals[SIGNAL_HANDOVER_REQUESTED], 0, (guint64) self->result->resident->id);
}

static void
read_aloud (EcRecordView *self)
{
  g_autoptr(GError) error = NULL;

  if (self->result == NULL || self->result->resident == NULL)
    return;
  g_free (self->last_spoken);
  self->last_spoken = ec_read_aloud_text (self->result);
  if (!ec_read_aloud_speak (self->last_spoken, ec_kiosk_i18n_get_language (), &error))
    g_warning ("read aloud: %s", error->message);
}

static void
read_aloud_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  read_aloud (EC_RECORD_VIEW (widget));
}

static void
ec_record_view_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), EC_TYPE_RECORD_VIEW);
  G_OBJECT_CLASS (ec_record_view_parent_class)->dispose (object);
}

static void
ec_record_view_finalize (GObject *object)
{
  EcRecordView *self = EC_RECORD_VIEW (object);

  g_free (self->station_name);
  g_free (self->station_phone);
  g_free (self->last_spoken);
  g_clear_pointer (&self->result, ec_kiosk_result_unref);
  G_OBJECT_CLASS (ec_record_view_parent_class)->finalize (object);
}

static void
ec_record_view_class_init (EcRecordViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ec_record_view_dispose;
  object_class->finalize = ec_record_view_finalize;

  signals[SIGNAL_DONE] =
    g_signal_new ("done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_LOOKUP_REQUESTED] =
    g_signal_new ("lookup-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* The handover window for the shown resident (its id): only for a record read from
   * this kiosk's database; the card's own summary is not a record to hand over. */
  signals[SIGNAL_HANDOVER_REQUESTED] =
    g_signal_new ("handover-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT64);

  g_type_ensure (ADW_TYPE_CLAMP);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/eldercard/Kiosk/ui/ec-record-view.ui");
  gtk_widget_class_bind_template_child (widget_class, EcRecordView, address_label);
  gtk_widget_class_bind_template_child (widget_class, EcRecordView, allergy_banner);
  gtk_widget_class_bind_template_child (widget_class, EcRecordView, care_label);
  gtk_widget_class_bind_template_child (widget_class, EcRecordView, conditions_box);
  gtk_widget_class_bind_template_child (widget_class, EcRecordView, contacts_box);
  gtk_widget_class_bind_template_child (widget_class, EcRecordView, content_box);
  gtk_widget_class_bind_template_child (widget_class, EcRecordView, directive_label);
  gtk_widget_class_bind_template_child (widget_class, EcRecordView, done_button);
  gtk_widget_class_bind_template_child (widget_class, EcRecordView, facts_label);
  gtk_widget_class_bind_template_child (widget_class, EcRecordView, footer_label);
  gtk_widget_class_bind_template_child (widget_class, EcRecordView, identity_box);
  gtk_widget_class_bind_template_child (widget_class, EcRecordView, lookup_button);
  gtk_widget_class_bind_template_child (widget_class, EcRecordView, handover_button);
  gtk_widget_class_bind_template_child (widget_class, EcRecordView, medications_box);
  gtk_widget_class_bind_template_child (widget_class, EcRecordView, name_label);
  gtk_widget_class_bind_template_child (widget_class, EcRecordView, notice_box);
  gtk_widget_class_bind_template_child (widget_class, EcRecordView, photo);
  gtk_widget_class_bind_template_child (widget_class, EcRecordView, photo_stack);
  gtk_widget_class_bind_template_child (widget_class, EcRecordView, pinyin_label);
  gtk_widget_class_bind_template_child (widget_class, EcRecordView, scrolled);
  gtk_widget_class_bind_template_child (widget_class, EcRecordView, support_label);
  gtk_widget_class_bind_template_callback (widget_class, on_done_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_lookup_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_handover_button_clicked_cb);
  gtk_widget_class_bind_template_child (widget_class, EcRecordView, buttons_box);
  gtk_widget_class_bind_template_child (widget_class, EcRecordView, directive_section);
  gtk_widget_class_bind_template_child (widget_class, EcRecordView, contacts_section);
  gtk_widget_class_bind_template_child (widget_class, EcRecordView, conditions_section);
  gtk_widget_class_bind_template_child (widget_class, EcRecordView, medications_section);
  gtk_widget_class_bind_template_child (widget_class, EcRecordView, care_section);
  gtk_widget_class_bind_template_child (widget_class, EcRecordView, support_section);
  /* F5 reads the critical facts aloud, as the button does. */
  gtk_widget_class_install_action (widget_class, "record.read-aloud", NULL, read_aloud_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "record.read-aloud", NULL);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "ec-record-view");
}

static void
ec_record_view_init (EcRecordView *self)
{
  /* What a responder needs first comes first in one column (narrow or portrait
   * screens): identity, advance directive, the contacts; on a wide screen the
   * contacts stand beside the identity, so the first number is on screen at once. */
  struct { GtkWidget **w; guint column; } order[] = {
    { (GtkWidget **) &self->identity_box, 0 }, { &self->directive_section, 0 }, { &self->contacts_section, 1 },
    { &self->conditions_section, 0 }, { &self->medications_section, 0 }, { &self->care_section, 0 },
    { &self->support_section, 1 },
  };
  GtkWidget *buttons;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->flow = ec_reflow_box_new (16, 820, FALSE);
  gtk_widget_insert_after (self->flow, GTK_WIDGET (self->content_box), GTK_WIDGET (self->identity_box));
  for (gsize i = 0; i < G_N_ELEMENTS (order); i++)
    {
      GtkWidget *w = g_object_ref (*order[i].w);
      gtk_box_remove (GTK_BOX (gtk_widget_get_parent (w)), w);
      ec_reflow_box_append (EC_REFLOW_BOX (self->flow), w, order[i].column);
      g_object_unref (w);
    }
  /* The two buttons side by side, or one above the other on a narrow screen. */
  buttons = ec_reflow_box_new (16, 560, TRUE);
  gtk_widget_insert_after (buttons, GTK_WIDGET (self->content_box), self->buttons_box);
  for (GtkWidget *b = gtk_widget_get_first_child (self->buttons_box); b != NULL;
       b = gtk_widget_get_first_child (self->buttons_box))
    {
      g_object_ref (b);
      gtk_box_remove (GTK_BOX (self->buttons_box), b);
      ec_reflow_box_append (EC_REFLOW_BOX (buttons), b, gtk_widget_get_first_child (buttons) != NULL);
      g_object_unref (b);
    }
  gtk_box_remove (self->content_box, self->buttons_box);
  self->buttons_box = buttons;

  /* Read aloud: under the name, on screen without scrolling. */
  {
    /* An icon (a speaker), named for screen readers, so it fits beside the name at
     * every window size. */
    self->read_aloud_button = gtk_button_new_from_icon_name ("audio-volume-high-symbolic");
    gtk_widget_set_tooltip_text (self->read_aloud_button, _("Read aloud (F5)"));
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->read_aloud_button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                    _("Read aloud"), -1);
    gtk_widget_add_css_class (self->read_aloud_button, "ec-read-aloud");
    g_signal_connect_swapped (self->read_aloud_button, "clicked", G_CALLBACK (read_aloud), self);
    /* Beside the name: on screen with it at every size, and no taller than it. */
    {
      GtkWidget *column = gtk_widget_get_parent (GTK_WIDGET (self->name_label));
      GtkWidget *row = ec_reflow_box_new (12, 0, FALSE);

      g_object_ref (self->name_label);
      gtk_box_remove (GTK_BOX (column), GTK_WIDGET (self->name_label));
      ec_reflow_box_append (EC_REFLOW_BOX (row), GTK_WIDGET (self->name_label), 0);
      g_object_unref (self->name_label);
      gtk_widget_set_valign (self->read_aloud_button, GTK_ALIGN_CENTER);
      ec_reflow_box_append (EC_REFLOW_BOX (row), self->read_aloud_button, 1);
      gtk_box_insert_child_after (GTK_BOX (column), row, NULL);
    }
  }
}

GtkWidget *
ec_record_view_new (void)
{
  return g_object_new (EC_TYPE_RECORD_VIEW, NULL);
}

void
ec_record_view_set_station (EcRecordView *self,
                            const char   *name,
                            const char   *phone)
{
  g_return_if_fail (EC_IS_RECORD_VIEW (self));

  g_free (self->station_name);
  g_free (self->station_phone);
  self->station_name = g_strdup (name);
  self->station_phone = g_strdup (phone);
}

/* ------------------------------------------------------------------------- */
/* Building blocks */

char *
ec_record_view_describe_allergy (const EcAllergy *a)
{
  return ec_label_allergy (a);
}

void
ec_record_view_fill_allergy_banner (GtkBox          *banner_box,
                                    EcAllergyStatus  shown,
                                    GPtrArray       *allergies)
{
  ec_record_view_fill_allergy_banner_full (banner_box, shown, allergies, FALSE, NULL);
}

void
ec_record_view_fill_allergy_banner_full (GtkBox          *banner_box,
                                         EcAllergyStatus  shown,
                                         GPtrArray       *allergies,
                                         gboolean         incomplete,
                                         GHashTable      *cut)
{
  GtkWidget *banner = GTK_WIDGET (banner_box);
  g_autoptr(GPtrArray) sorted = NULL;

  gtk_widget_remove_css_class (banner, "ec-allergy-recorded");
  gtk_widget_remove_css_class (banner, "ec-allergy-none");
  gtk_widget_remove_css_class (banner, "ec-allergy-unknown");

  if (shown == EC_ALLERGY_STATUS_NONE_KNOWN)
    {
      gtk_widget_add_css_class (banner, "ec-allergy-none");
      gtk_box_append (banner_box,
                      ec_kiosk_make_notice ("ec-allergy-line", "emblem-ok-symbolic",
                                            _("No known allergies"),
                                            _("Asked and recorded: the resident has no known allergies.")));
      return;
    }
  if (shown == EC_ALLERGY_STATUS_UNKNOWN)
    {
      gtk_widget_add_css_class (banner, "ec-allergy-unknown");
      gtk_box_append (banner_box,
                      ec_kiosk_make_notice ("ec-allergy-line", "dialog-question-symbolic",
                                            _("Allergies unknown"),
                                            _("Nobody has established this resident's allergies. Do not assume there are none.")));
      return;
    }

  g_return_if_fail (allergies != NULL);
  gtk_widget_add_css_class (banner, "ec-allergy-recorded");
  sorted = ec_label_allergies_sorted (allergies);

  {
    GtkWidget *head = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
    GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");
    g_autofree char *title = incomplete
      ? g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "ALLERGY (%u on the card, may be incomplete)",
                                      "ALLERGIES (%u on the card, may be incomplete)", sorted->len),
                         sorted->len)
      : g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "ALLERGY (%u)", "ALLERGIES (%u)", sorted->len),
                         sorted->len);

    gtk_image_set_pixel_size (GTK_IMAGE (icon), 40);
    gtk_box_append (GTK_BOX (head), icon);
    gtk_box_append (GTK_BOX (head), ec_kiosk_make_label (title, "ec-allergy-title"));
    gtk_box_append (banner_box, head);
  }
  for (guint i = 0; i < sorted->len; i++)
    {
      const EcAllergy *a = g_ptr_array_index (sorted, i);
      g_autofree char *described = ec_record_view_describe_allergy (a);
      g_autofree char *line = cut != NULL && g_hash_table_contains (cut, a)
                              ? g_strconcat (described, _(" (shortened on the card)"), NULL)
                              : g_strdup (described);

      gtk_box_append (banner_box,
                      ec_kiosk_make_label (line, a->criticality == EC_CRITICALITY_HIGH ? "ec-allergy-high" : "ec-allergy-item"));
    }
  if (incomplete)
    gtk_box_append (banner_box, ec_kiosk_make_label (_("More in the record at the station."), "ec-allergy-item"));
}

static void
render_allergies (EcRecordView     *self,
                  const EcResident *r,
                  gboolean          incomplete,
                  GHashTable       *cut)
{
  EcAllergyStatus shown = r->allergy_status;

  /* "Recorded" with nothing listed must never read as "none known": only an explicit
   * "none known" says that. Show it as unknown, as the nurse page and the check do. */
  if (r->allergy_status == EC_ALLERGY_STATUS_RECORDED
      && (r->allergies == NULL || r->allergies->len == 0))
    shown = EC_ALLERGY_STATUS_UNKNOWN;
  ec_kiosk_box_remove_all (self->allergy_banner);
  ec_record_view_fill_allergy_banner_full (self->allergy_banner, shown, r->allergies,
                                           incomplete && shown == EC_ALLERGY_STATUS_RECORDED, cut);
}

/* The summary a card result carries (NULL for a database record or a manual lookup). */
static const EcCardSummary *
result_summary (const EcKioskResult *result)
{
  if (result->source != EC_KIOSK_SOURCE_CARD_SUMMARY || result->tap == NULL || result->tap->card == NULL)
    return NULL;
  return result->tap->card->summary;
}

static char *
format_phone (const char *phone)
{
  /* 13900001234 → 139 0000 1234: mobile numbers read in 3-4-4 groups. */
  gsize n = strlen (phone);

  if (n == 11 && strspn (phone, "0123456789") == 11)
    return g_strdup_printf ("%.3s %.4s %.4s", phone, phone + 3, phone + 7);
  return g_strdup (phone);
}

static GtkWidget *
make_contact (const EcContact *c,
              guint            position,
              gboolean         from_card,
              guint            fields_cut)
{
  GtkWidget *frame = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  g_autofree char *head = NULL;
  const char *name_cut = (fields_cut & EC_CARD_CUT_CONTACT_NAME) ? _(" (shortened on the card)") : "";
  const char *relation_cut = (fields_cut & EC_CARD_CUT_CONTACT_RELATION) ? _(" (shortened on the card)") : "";

  gtk_widget_add_css_class (frame, "ec-contact");
  if (c->relation != NULL && *c->relation)
    head = g_strdup_printf ("%u. %s%s (%s%s)", position, c->name != NULL ? c->name : "?", name_cut,
                            c->relation, relation_cut);
  else
    head = g_strdup_printf ("%u. %s%s", position, c->name != NULL ? c->name : "?", name_cut);
  gtk_box_append (GTK_BOX (frame), ec_kiosk_make_label (head, "ec-contact-name"));
  if (c->lives_nearby)
    gtk_box_append (GTK_BOX (frame), ec_kiosk_make_label (_("Lives nearby"), "ec-contact-note"));

  for (guint i = 0; c->phones != NULL && c->phones[i] != NULL; i++)
    {
      /* The QR code beside the number, or below it when the two do not fit. */
      GtkWidget *row = ec_reflow_box_new (16, 0, FALSE);
      EcPhone parsed = { 0 };
      gboolean whole = ec_phone_parse (c->phones[i], &parsed);
      /* The number in large type; an extension or a note below it, smaller. */
      g_autofree char *shown = format_phone (whole ? parsed.written : c->phones[i]);
      g_autofree char *rest = whole ? g_strdup (parsed.rest) : NULL;
      g_autofree char *uri = ec_qr_tel_uri (c->phones[i]);   /* NULL: not one whole number */
      GtkWidget *number = ec_kiosk_make_label (shown, "ec-phone");
      GtkWidget *column = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);

      ec_phone_clear (&parsed);
      /* A number is never broken across lines. */
      gtk_label_set_wrap (GTK_LABEL (number), FALSE);
      gtk_widget_set_hexpand (column, TRUE);
      gtk_label_set_selectable (GTK_LABEL (number), TRUE);
      gtk_box_append (GTK_BOX (column), number);
      if (rest != NULL)
        gtk_box_append (GTK_BOX (column), ec_kiosk_make_label (rest, "ec-contact-note"));
      ec_reflow_box_append (EC_REFLOW_BOX (row), column, 0);
      if (uri != NULL)
        {
          g_autoptr(GdkTexture) qr = ec_qr_texture_new (uri, 3);
          if (qr != NULL)
            {
              GtkWidget *picture = gtk_picture_new_for_paintable (GDK_PAINTABLE (qr));
              g_autofree char *alt = g_strdup_printf (_("QR code: scan to call %s"), shown);

              gtk_picture_set_can_shrink (GTK_PICTURE (picture), FALSE);
              gtk_picture_set_alternative_text (GTK_PICTURE (picture), alt);
              gtk_widget_set_tooltip_text (picture, alt);
              gtk_widget_add_css_class (picture, "ec-qr");
              gtk_widget_set_name (picture, uri);
              gtk_widget_set_halign (picture, GTK_ALIGN_START);
              ec_reflow_box_append (EC_REFLOW_BOX (row), picture, 1);
            }
        }
      gtk_box_append (GTK_BOX (frame), row);
      if (uri == NULL)
        gtk_box_append (GTK_BOX (frame),
                        ec_kiosk_make_label (_("Not a whole phone number: check it before dialling."), "ec-contact-note"));
    }
  if (c->phones == NULL || c->phones[0] == NULL)
    gtk_box_append (GTK_BOX (frame),
                    ec_kiosk_make_label (from_card ? _("Phone number not on the card: ask the service station.")
                                                   : _("No phone number recorded."),
                                         "ec-contact-note"));
  return frame;
}

/* The card's life-critical items, one per line: what a card newer than this kiosk's
 * data says (DNR, allergies, the contact). */
static char *
describe_card_items (const EcCardSummary *s)
{
  GString *out = g_string_new (NULL);

  g_string_append_printf (out, "%s %s", _("Resuscitation (card):"), ec_label_dnr (s->dnr));
  g_string_append_printf (out, "\n%s ", _("Allergies (card):"));
  if (s->allergy_status == EC_ALLERGY_STATUS_NONE_KNOWN)
    g_string_append (out, _("No known allergies"));
  else if (s->allergy_status == EC_ALLERGY_STATUS_UNKNOWN
           || s->allergies == NULL || s->allergies->len == 0)
    g_string_append (out, _("Allergies unknown"));
  else
    for (guint i = 0; i < s->allergies->len; i++)
      {
        const EcCardAllergy *a = g_ptr_array_index (s->allergies, i);
        g_string_append_printf (out, "%s%s%s — %s", i > 0 ? "; " : "", a->substance,
                                i < 16 && (s->allergies_cut & (1u << i)) ? _(" (shortened on the card)") : "",
                                ec_label_criticality (a->criticality));
      }
  if (s->omitted & EC_CARD_OMITTED_ALLERGIES)
    g_string_append_printf (out, " (%s)", _("more in the record at the station"));
  g_string_append_printf (out, "\n%s ", _("Contact (card):"));
  if (s->contact_name == NULL && s->contact_phone == NULL && (s->omitted & EC_CARD_OMITTED_CONTACT))
    g_string_append (out, _("did not fit on the card"));
  else if (s->contact_name == NULL && s->contact_phone == NULL)
    g_string_append (out, _("no contact recorded"));
  else
    {
      g_string_append (out, s->contact_name != NULL ? s->contact_name : "?");
      if (s->contact_relation != NULL)
        g_string_append_printf (out, " (%s)", s->contact_relation);
      g_string_append_printf (out, " %s", s->contact_phone != NULL ? s->contact_phone : _("phone number not on the card"));
    }
  return g_string_free (out, FALSE);
}

/* ------------------------------------------------------------------------- */

void
ec_record_view_set_result (EcRecordView  *self,
                           EcKioskResult *result)
{
  const EcResident *r;
  g_autoptr(GString) facts = g_string_new (NULL);
  g_autoptr(GString) care = g_string_new (NULL);
  g_autoptr(GString) support = g_string_new (NULL);
  g_autoptr(GString) footer = g_string_new (NULL);
  g_autofree char *comm = NULL;
  g_autofree char *updated = NULL;
  const EcCardSummary *summary;
  const EcTapResult *tap;
  gboolean cut;
  int age;

  g_return_if_fail (EC_IS_RECORD_VIEW (self));
  g_return_if_fail (result != NULL && result->resident != NULL);

  r = result->resident;
  tap = result->tap;
  if (self->result != result)
    {
      g_clear_pointer (&self->result, ec_kiosk_result_unref);
      self->result = ec_kiosk_result_ref (result);
    }
  summary = result_summary (result);
  gtk_widget_set_visible (GTK_WIDGET (self->handover_button), result->source != EC_KIOSK_SOURCE_CARD_SUMMARY);
  ec_kiosk_box_remove_all (self->notice_box);
  ec_kiosk_box_remove_all (self->conditions_box);
  ec_kiosk_box_remove_all (self->medications_box);
  ec_kiosk_box_remove_all (self->contacts_box);

  /* Where this comes from, before anything else. */
  if (result->source == EC_KIOSK_SOURCE_CARD_SUMMARY)
    {
      g_autofree char *written = tap != NULL && tap->card != NULL ? ec_label_date (tap->card->header.issued_at)
                                                                  : g_strdup ("—");
      g_autofree char *card_age = g_strdup_printf (_("This card was written on %s; the record may have changed since."),
                                              written);
      g_autofree char *title = g_strdup_printf (_("%s: shown from the card itself"),
                                                ec_kiosk_problem_title (result->problem));
      g_autofree char *body = g_strdup_printf ("%s %s%s%s\n%s", ec_kiosk_problem_sentence (result->problem), card_age,
                                               result->omitted != 0 ? " " : "",
                                               result->omitted != 0
                                               ? _("Some items did not fit on the card: they are in the record at the station.")
                                               : "",
                                               ec_kiosk_problem_next_step (result->problem));
      gtk_box_append (self->notice_box,
                      ec_kiosk_make_notice ("ec-notice-warning", "dialog-warning-symbolic", title, body));
    }
  else if (result->source == EC_KIOSK_SOURCE_MANUAL)
    {
      g_autofree char *body = g_strdup_printf (result->emergency
                                               ? _("Opened in an emergency from an old or expired card. Reason recorded: %s")
                                               : _("Opened by manual search. Reason recorded: %s"),
                                               result->reason != NULL ? result->reason : "");
      gtk_box_append (self->notice_box,
                      ec_kiosk_make_notice ("ec-notice-source", "system-search-symbolic",
                                            result->emergency ? _("Emergency access: confirm who this is from the photo")
                                                              : _("No card: confirm who this is from the photo"), body));
    }
  /* Revocation fails open on care, never silently. */
  if (tap != NULL && (tap->unchecked & EC_TAP_UNCHECKED_STATUS))
    {
      /* The technical reason is in the result's detail and the log, not for the responder. */
      gtk_box_append (self->notice_box,
                      ec_kiosk_make_notice ("ec-notice-warning", "dialog-warning-symbolic",
                                            _("Revocation could not be checked"),
                                            _("This kiosk could not check whether this card was revoked, reported lost "
                                              "or replaced. Confirm who this person is before relying on what is shown.")));
    }
  /* A card newer than this kiosk's data: its life-critical items win. */
  if (tap != NULL && tap->card_newer && tap->card != NULL && tap->card->summary != NULL)
    {
      g_autofree char *written = ec_label_date (tap->card->header.issued_at);
      g_autofree char *items = describe_card_items (tap->card->summary);
      g_autofree char *body =
        g_strdup_printf (_("The card (written %s) holds version %u of the record; this kiosk has only version %u. "
                           "Trust the card's items:\n%s\nThe record below is this kiosk's older data. "
                           "Tell the service station to update this kiosk."),
                         written, (guint) tap->card_record_version, (guint) tap->db_record_version, items);
      gtk_box_append (self->notice_box,
                      ec_kiosk_make_notice ("ec-notice-warning", "document-open-recent-symbolic",
                                            _("This kiosk's data is older than the card"), body));
    }
  if (result->card_outdated)
    {
      g_autofree char *body =
        g_strdup_printf (_("The card holds version %u of the record; this kiosk has version %u. "
                           "The record below is the newer one. Ask the service station to renew the card."),
                         (guint) result->card_record_version, (guint) result->db_record_version);
      gtk_box_append (self->notice_box,
                      ec_kiosk_make_notice ("ec-notice-warning", "document-open-recent-symbolic",
                                            _("Card out of date"), body));
    }
  gtk_widget_set_visible (GTK_WIDGET (self->notice_box),
                          gtk_widget_get_first_child (GTK_WIDGET (self->notice_box)) != NULL);

  if (tap != NULL && tap->card_newer && tap->card != NULL && tap->card->summary != NULL)
    {
      /* The card is newer: its allergies, not this kiosk's older list, in the banner. */
      g_autoptr(GHashTable) card_cut = g_hash_table_new (NULL, NULL);
      g_autoptr(EcResident) from_card = ec_tap_resident_from_summary (tap->card, card_cut);

      render_allergies (self, from_card, (tap->card->summary->omitted & EC_CARD_OMITTED_ALLERGIES) != 0, card_cut);
      gtk_box_append (self->allergy_banner,
                      ec_kiosk_make_label (_("From the card: newer than this kiosk's data."), "ec-allergy-item"));
    }
  else
    render_allergies (self, r, summary != NULL && (summary->omitted & EC_CARD_OMITTED_ALLERGIES),
                      summary != NULL ? tap->cut : NULL);

  /* Identity */
  if (result->photo != NULL)
    {
      gtk_picture_set_paintable (self->photo, GDK_PAINTABLE (result->photo));
      gtk_stack_set_visible_child_name (self->photo_stack, "photo");
    }
  else
    {
      gtk_picture_set_paintable (self->photo, NULL);
      gtk_stack_set_visible_child_name (self->photo_stack, "no-photo");
    }
  {
    guint fields_cut = ec_tap_result_fields_cut (tap);
    g_autoptr(GString) latin = g_string_new (r->name_pinyin != NULL ? r->name_pinyin : "");

    if (fields_cut & EC_CARD_CUT_NAME_LATIN)
      g_string_append (latin, _(" (shortened on the card)"));
    if (fields_cut & EC_CARD_CUT_NAME)
      g_string_append_printf (latin, "%s%s", latin->len > 0 ? " · " : "", _("Name shortened on the card"));
    gtk_label_set_label (self->name_label, r->name_zh != NULL ? r->name_zh : "?");
    gtk_label_set_label (self->pinyin_label, latin->str);
    gtk_widget_set_visible (GTK_WIDGET (self->pinyin_label), latin->len > 0);
  }
  age = ec_resident_age (r, NULL);
  if (age < 0 && result->birth_year > 0)
    g_string_append_printf (facts, _("born %u"), result->birth_year);
  else if (age >= 0)
    g_string_append_printf (facts, g_dngettext (GETTEXT_PACKAGE, "%d year", "%d years", (gulong) age), age);
  else
    g_string_append (facts, _("age unknown"));
  if (r->blood_type == EC_BLOOD_UNKNOWN)   /* "blood type unknown" is already a phrase */
    g_string_append_printf (facts, " · %s · %s", ec_kiosk_sex_label (r->sex), ec_kiosk_blood_label (r->blood_type));
  else
    g_string_append_printf (facts, " · %s · %s %s", ec_kiosk_sex_label (r->sex), _("blood type"),
                            ec_kiosk_blood_label (r->blood_type));
  gtk_label_set_label (self->facts_label, facts->str);
  {
    g_autoptr(GString) addr = g_string_new (NULL);
    if (r->address != NULL)
      g_string_append (addr, r->address);
    if (r->building_unit != NULL)
      g_string_append_printf (addr, "%s%s", addr->len ? " " : "", r->building_unit);
    if (r->phone != NULL)
      g_string_append_printf (addr, "%s%s %s", addr->len ? "\n" : "", _("Own phone:"), r->phone);
    gtk_label_set_label (self->address_label, addr->str);
    gtk_widget_set_visible (GTK_WIDGET (self->address_label), addr->len > 0);
  }

  /* Advance directive */
  {
    EcDnrStatus dnr = r->dnr;
    g_autoptr(GString) d = NULL;

    if (tap != NULL && tap->card_newer && tap->card != NULL && tap->card->summary != NULL)
      dnr = tap->card->summary->dnr;   /* the card is newer than this kiosk's record */
    d = g_string_new (ec_kiosk_dnr_label (dnr));
    if (dnr != r->dnr)
      g_string_append_printf (d, "\n%s %s", _("From the card. This kiosk's older data says:"), ec_kiosk_dnr_label (r->dnr));
    else if (tap != NULL && tap->card_newer)
      g_string_append_printf (d, "\n%s", _("The card says the same."));
    if (r->directive_location != NULL && *r->directive_location)
      g_string_append_printf (d, "\n%s %s", _("Document kept at:"), r->directive_location);
    gtk_label_set_label (self->directive_label, d->str);
    if (dnr == EC_DNR_DNR || dnr == EC_DNR_LIMITED)
      gtk_widget_add_css_class (GTK_WIDGET (self->directive_label), "ec-directive-set");
    else
      gtk_widget_remove_css_class (GTK_WIDGET (self->directive_label), "ec-directive-set");
  }

  /* Conditions: a list the card had to leave out is never "none recorded". */
  cut = summary != NULL && (summary->omitted & EC_CARD_OMITTED_CONDITIONS);
  if ((r->conditions == NULL || r->conditions->len == 0) && (r->implants == NULL || !*r->implants))
    gtk_box_append (self->conditions_box,
                    ec_kiosk_make_label (cut ? _("Not on the card: see the record at the station.") : _("None recorded"),
                                         cut ? "ec-item" : "dim-label"));
  for (guint i = 0; r->conditions != NULL && i < r->conditions->len; i++)
    {
      const EcCondition *c = g_ptr_array_index (r->conditions, i);
      g_autofree char *text = c->since != NULL
        ? g_strdup_printf ("• %s (%s %s)", c->text, _("since"), c->since)
        : g_strdup_printf ("• %s%s", c->text,
                           ec_tap_result_item_cut (tap, c) ? _(" (shortened on the card)") : "");
      gtk_box_append (self->conditions_box, ec_kiosk_make_label (text, "ec-item"));
    }
  if (r->implants != NULL && *r->implants)
    {
      g_autofree char *text = g_strdup_printf ("• %s %s", _("Implants:"), r->implants);
      gtk_box_append (self->conditions_box, ec_kiosk_make_label (text, "ec-item"));
    }
  if (cut && r->conditions != NULL && r->conditions->len > 0)
    gtk_box_append (self->conditions_box, ec_kiosk_make_label (_("More in the record at the station."), "ec-item"));

  /* Medications */
  cut = summary != NULL && (summary->omitted & EC_CARD_OMITTED_MEDICATIONS);
  if (r->medications == NULL || r->medications->len == 0)
    gtk_box_append (self->medications_box,
                    ec_kiosk_make_label (cut ? _("Not on the card: see the record at the station.") : _("None recorded"),
                                         cut ? "ec-item" : "dim-label"));
  for (guint i = 0; r->medications != NULL && i < r->medications->len; i++)
    {
      const EcMedication *m = g_ptr_array_index (r->medications, i);
      g_autoptr(GString) line = g_string_new ("• ");
      g_autofree char *sched = ec_kiosk_schedule_label (m->slots);

      g_string_append (line, m->name != NULL ? m->name : "?");
      if (ec_tap_result_item_cut (tap, m))
        g_string_append (line, _(" (shortened on the card)"));
      if (m->dose != NULL)
        g_string_append_printf (line, " %s", m->dose);
      if (m->route != NULL)
        g_string_append_printf (line, ", %s", m->route);
      if (sched != NULL)
        g_string_append_printf (line, " — %s", sched);
      if (m->schedule_text != NULL && *m->schedule_text)
        g_string_append_printf (line, " (%s)", m->schedule_text);
      gtk_box_append (self->medications_box, ec_kiosk_make_label (line->str, "ec-item"));
    }
  if (cut && r->medications != NULL && r->medications->len > 0)
    gtk_box_append (self->medications_box, ec_kiosk_make_label (_("More in the record at the station."), "ec-item"));

  /* Wandering and communication */
  g_string_append (care, ec_kiosk_wandering_label (r->wandering));
  comm = ec_kiosk_comm_needs_label (r->comm_needs);
  if (comm != NULL)
    g_string_append_printf (care, "\n%s", comm);
  if (r->comm_notes != NULL && *r->comm_notes)
    g_string_append_printf (care, "\n%s", r->comm_notes);
  if (r->language != NULL && *r->language)
    g_string_append_printf (care, "\n%s %s", _("Language:"), r->language);
  gtk_label_set_label (self->care_label, care->str);
  if (r->wandering == EC_WANDERING_AT_RISK)
    gtk_widget_add_css_class (GTK_WIDGET (self->care_label), "ec-care-alert");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->care_label), "ec-care-alert");

  /* Contacts, in call order */
  if ((r->contacts == NULL || r->contacts->len == 0) && summary != NULL && (summary->omitted & EC_CARD_OMITTED_CONTACT))
    gtk_box_append (self->contacts_box,
                    ec_kiosk_make_label (_("The contact did not fit on the card: see the record at the station."), "ec-item"));
  else if ((r->contacts == NULL || r->contacts->len == 0) && summary != NULL && summary->version == 1)
    gtk_box_append (self->contacts_box,
                    ec_kiosk_make_label (_("No contact on the card (an older card cannot say whether one was left out): "
                                           "ask the service station."), "ec-item"));
  else if (r->contacts == NULL || r->contacts->len == 0)
    gtk_box_append (self->contacts_box, ec_kiosk_make_label (_("No emergency contact recorded: call the service station."), "ec-item"));
  for (guint i = 0; r->contacts != NULL && i < r->contacts->len; i++)
    gtk_box_append (self->contacts_box, make_contact (g_ptr_array_index (r->contacts, i), i + 1, summary != NULL,
                                                      i == 0 ? ec_tap_result_fields_cut (tap) : 0));

  /* Social worker, station, GP */
  g_string_append_printf (support, "%s %s", _("Social worker:"),
                          r->social_worker != NULL ? r->social_worker
                          : summary != NULL ? _("not on the card") : _("not recorded"));
  if (self->station_name != NULL || self->station_phone != NULL)
    g_string_append_printf (support, "\n%s %s %s", _("Service station:"),
                            self->station_name != NULL ? self->station_name : "",
                            self->station_phone != NULL ? self->station_phone : "");
  if (r->gp != NULL && *r->gp)
    g_string_append_printf (support, "\n%s %s", _("Doctor / clinic:"), r->gp);
  gtk_label_set_label (self->support_label, support->str);

  /* When */
  if (summary != NULL)
    {
      updated = ec_label_date (tap->card->header.issued_at);
      g_string_append_printf (footer, _("Card written %s"), updated);
    }
  else
    {
      updated = ec_kiosk_format_time (r->updated_at);
      g_string_append_printf (footer, _("Record last updated %s"), updated);
      if (r->updated_by != NULL)
        g_string_append_printf (footer, _(" by %s"), r->updated_by);
    }
  if (result->uid_hex != NULL)
    g_string_append_printf (footer, " · %s %u", _("card no."), result->card_seq);
  gtk_label_set_label (self->footer_label, footer->str);

  /* Back to the top for a new resident. */
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scrolled), 0);
}

void
ec_record_view_clear (EcRecordView *self)
{
  GtkLabel *labels[] = { self->name_label, self->pinyin_label, self->facts_label, self->address_label,
                         self->directive_label, self->care_label, self->support_label, self->footer_label };

  g_return_if_fail (EC_IS_RECORD_VIEW (self));

  g_clear_pointer (&self->result, ec_kiosk_result_unref);
  g_clear_pointer (&self->last_spoken, g_free);
  ec_kiosk_box_remove_all (self->notice_box);
  ec_kiosk_box_remove_all (self->allergy_banner);
  ec_kiosk_box_remove_all (self->conditions_box);
  ec_kiosk_box_remove_all (self->medications_box);
  ec_kiosk_box_remove_all (self->contacts_box);
  for (gsize i = 0; i < G_N_ELEMENTS (labels); i++)
    gtk_label_set_label (labels[i], "");
  gtk_picture_set_paintable (self->photo, NULL);
  gtk_stack_set_visible_child_name (self->photo_stack, "no-photo");
}

static GtkWidget *
find_with_class (GtkWidget  *widget,
                 const char *css_class)
{
  if (gtk_widget_has_css_class (widget, css_class))
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_with_class (c, css_class);
      if (found != NULL)
        return found;
    }
  return NULL;
}

GPtrArray *
ec_record_view_get_must_see (EcRecordView *self)
{
  GPtrArray *out;
  GtkWidget *first;

  g_return_val_if_fail (EC_IS_RECORD_VIEW (self), NULL);

  out = g_ptr_array_new ();
  g_ptr_array_add (out, self->allergy_banner);
  g_ptr_array_add (out, self->photo_stack);
  g_ptr_array_add (out, self->name_label);
  g_ptr_array_add (out, self->directive_label);
  /* The first contact's frame: its first ec-phone label. */
  first = gtk_widget_get_first_child (GTK_WIDGET (self->contacts_box));
  if (first != NULL && gtk_widget_has_css_class (first, "ec-contact")
      && (first = find_with_class (first, "ec-phone")) != NULL)
    g_ptr_array_add (out, first);
  return out;
}

GtkWidget *
ec_record_view_get_notices (EcRecordView *self)
{
  g_return_val_if_fail (EC_IS_RECORD_VIEW (self), NULL);
  return GTK_WIDGET (self->notice_box);
}

GtkWidget *
ec_record_view_get_read_aloud_button (EcRecordView *self)
{
  g_return_val_if_fail (EC_IS_RECORD_VIEW (self), NULL);
  return self->read_aloud_button;
}

const char *
ec_record_view_get_last_spoken (EcRecordView *self)
{
  g_return_val_if_fail (EC_IS_RECORD_VIEW (self), NULL);
  return self->last_spoken;
}
