/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ec-lookup-page"

#include "ec-lookup-page.h"

#include "ec-reflow-box.h"

#include <adwaita.h>
#include <string.h>

#include "ec-db.h"
#include "ec-i18n.h"
#include "ec-kiosk-strings.h"

struct _EcLookupPage
{
  GtkWidget          parent_instance;

  EcKioskController *controller;
  GCancellable      *cancellable;
  guint              n_results;

  GtkButton         *back_button;
  GtkWidget         *clamp;
  GtkBox            *keyboard_box;
  GtkListBox        *results_list;
  GtkSearchEntry    *search_entry;
  GtkLabel          *status_label;
  GtkLabel          *title_label;
};

G_DEFINE_FINAL_TYPE (EcLookupPage, ec_lookup_page, GTK_TYPE_WIDGET)

enum {
  SIGNAL_RESIDENT_CHOSEN,
  SIGNAL_DONE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
clear_results (EcLookupPage *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->results_list))) != NULL)
    gtk_list_box_remove (self->results_list, child);
  self->n_results = 0;
}

static GtkWidget *
make_row (const EcResidentSummary *s)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  g_autoptr(GString) title = g_string_new (s->name_zh);
  g_autoptr(GString) sub = g_string_new (NULL);
  GtkWidget *label;
  EcResident tmp = { 0 };
  int age;

  if (s->name_pinyin != NULL)
    g_string_append_printf (title, "  %s", s->name_pinyin);
  tmp.date_of_birth = s->date_of_birth;
  age = ec_resident_age (&tmp, NULL);
  if (age >= 0)
    g_string_append_printf (sub, g_dngettext (GETTEXT_PACKAGE, "%d year", "%d years", (gulong) age), age);
  g_string_append_printf (sub, "%s%s", sub->len ? " · " : "", ec_kiosk_sex_label (s->sex));
  if (s->building_unit != NULL)
    g_string_append_printf (sub, " · %s", s->building_unit);
  if (s->phone != NULL)
    g_string_append_printf (sub, " · %s", s->phone);

  label = gtk_label_new (title->str);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "ec-result-name");
  gtk_box_append (GTK_BOX (box), label);
  label = gtk_label_new (sub->str);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_box_append (GTK_BOX (box), label);
  gtk_widget_set_margin_top (box, 10);
  gtk_widget_set_margin_bottom (box, 10);
  gtk_widget_set_margin_start (box, 16);
  gtk_widget_set_margin_end (box, 16);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  g_object_set_data_full (G_OBJECT (row), "ec-resident-id", g_memdup2 (&s->id, sizeof s->id), g_free);
  g_object_set_data_full (G_OBJECT (row), "ec-resident-name", g_strdup (s->name_zh), g_free);
  gtk_widget_add_css_class (row, "ec-result-row");
  return row;
}

static void
search_cb (GObject      *source,
           GAsyncResult *res,
           gpointer      user_data)
{
  g_autoptr(EcLookupPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results = ec_kiosk_controller_search_finish (EC_KIOSK_CONTROLLER (source), res, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  clear_results (self);
  if (results == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Search failed: %s"), error->message);
      gtk_label_set_label (self->status_label, text);
      return;
    }
  for (guint i = 0; i < results->len; i++)
    gtk_list_box_append (self->results_list, make_row (g_ptr_array_index (results, i)));
  self->n_results = results->len;
  if (results->len == 0)
    gtk_label_set_label (self->status_label, _("No resident found. Check the spelling, or try the phone number."));
  else
    {
      g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u resident found: touch the right one",
                                                            "%u residents found: touch the right one", results->len),
                                               results->len);
      gtk_label_set_label (self->status_label, text);
    }
}

void
ec_lookup_page_search (EcLookupPage *self,
                       const char   *query)
{
  g_autofree char *q = NULL;

  g_return_if_fail (EC_IS_LOOKUP_PAGE (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  q = g_strstrip (g_strdup (query != NULL ? query : ""));
  if (*q == '\0')
    {
      clear_results (self);
      gtk_label_set_label (self->status_label, _("Start typing to search."));
      return;
    }
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->search_entry)), query) != 0)
    {
      g_signal_handlers_block_matched (self->search_entry, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
      gtk_editable_set_text (GTK_EDITABLE (self->search_entry), query);
      g_signal_handlers_unblock_matched (self->search_entry, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
    }
  self->cancellable = g_cancellable_new ();
  gtk_label_set_label (self->status_label, _("Searching…"));
  ec_kiosk_controller_search_async (self->controller, q, self->cancellable, search_cb, g_object_ref (self));
}

static void
on_search_entry_search_changed_cb (EcLookupPage   *self,
                                   GtkSearchEntry *entry)
{
  ec_lookup_page_search (self, gtk_editable_get_text (GTK_EDITABLE (entry)));
}

static void
on_search_entry_activate_cb (EcLookupPage   *self,
                             GtkSearchEntry *entry)
{
  GtkListBoxRow *first = gtk_list_box_get_row_at_index (self->results_list, 0);

  /* Enter with exactly one result opens it. */
  if (first != NULL && self->n_results == 1)
    g_signal_emit_by_name (self->results_list, "row-activated", first);
}

static void
on_results_list_row_activated_cb (EcLookupPage  *self,
                                  GtkListBoxRow *row,
                                  GtkListBox    *list)
{
  const EcResidentId *id = g_object_get_data (G_OBJECT (row), "ec-resident-id");
  const char *name = g_object_get_data (G_OBJECT (row), "ec-resident-name");

  if (id != NULL)
    g_signal_emit (self, signals[SIGNAL_RESIDENT_CHOSEN], 0, (guint64) *id, name);
}

static void
on_back_button_clicked_cb (EcLookupPage *self,
                           GtkButton    *button)
{
  g_signal_emit (self, signals[SIGNAL_DONE], 0);
}

/* ------------------------------------------------------------------------- */
/* The on-screen keyboard: a kiosk in cage has no input method and no on-screen
 * keyboard, and a responder may have only a touch screen. Pinyin and digits are
 * enough to find anyone (the database matches pinyin prefixes and phone prefixes). */

static void
on_key_clicked_cb (GtkButton    *button,
                   EcLookupPage *self)
{
  const char *key = g_object_get_data (G_OBJECT (button), "ec-key");
  GtkEditable *entry = GTK_EDITABLE (self->search_entry);
  const char *text = gtk_editable_get_text (entry);
  g_autofree char *next = NULL;

  if (g_str_equal (key, "backspace"))
    {
      const char *end = text + strlen (text);
      if (end == text)
        return;
      next = g_strndup (text, (gsize) (g_utf8_find_prev_char (text, end) - text));
    }
  else if (g_str_equal (key, "clear"))
    next = g_strdup ("");
  else if (g_str_equal (key, "space"))
    next = g_strconcat (text, " ", NULL);
  else
    next = g_strconcat (text, key, NULL);
  /* search-changed follows (debounced), as for typing. */
  gtk_editable_set_text (entry, next);
  gtk_editable_set_position (entry, -1);
}

static GtkWidget *
make_key (EcLookupPage *self,
          const char   *key,
          const char   *label,
          const char   *tooltip)
{
  GtkWidget *button = gtk_button_new_with_label (label);

  gtk_widget_add_css_class (button, "ec-key");
  gtk_widget_set_focus_on_click (button, FALSE);
  g_object_set_data_full (G_OBJECT (button), "ec-key", g_strdup (key), g_free);
  if (tooltip != NULL)
    {
      gtk_widget_set_tooltip_text (button, tooltip);
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip, -1);
    }
  g_signal_connect (button, "clicked", G_CALLBACK (on_key_clicked_cb), self);
  return button;
}

static void
build_keyboard (EcLookupPage *self)
{
  static const char *rows[] = { "1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm" };

  for (gsize r = 0; r < G_N_ELEMENTS (rows); r++)
    {
      GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);

      gtk_widget_set_halign (row, GTK_ALIGN_CENTER);
      for (const char *c = rows[r]; *c; c++)
        {
          char key[2] = { *c, 0 };
          gtk_box_append (GTK_BOX (row), make_key (self, key, key, NULL));
        }
      if (r == G_N_ELEMENTS (rows) - 1)
        gtk_box_append (GTK_BOX (row), make_key (self, "backspace", "⌫", _("Delete the last character")));
      gtk_box_append (self->keyboard_box, row);
    }
  {
    GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
    GtkWidget *space = make_key (self, "space", _("Space"), NULL);

    gtk_widget_set_halign (row, GTK_ALIGN_CENTER);
    gtk_widget_set_size_request (space, 220, -1);
    gtk_box_append (GTK_BOX (row), space);
    gtk_box_append (GTK_BOX (row), make_key (self, "clear", _("Clear"), NULL));
    gtk_box_append (self->keyboard_box, row);
  }
}

/* Type @text on the on-screen keyboard, key by key (tests). */
void
ec_lookup_page_type (EcLookupPage *self,
                     const char   *text)
{
  g_return_if_fail (EC_IS_LOOKUP_PAGE (self));

  for (const char *c = text; *c; c++)
    {
      char want[2] = { *c == ' ' ? 0 : g_ascii_tolower (*c), 0 };
      const char *key = *c == ' ' ? "space" : want;

      for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->keyboard_box)); row != NULL;
           row = gtk_widget_get_next_sibling (row))
        for (GtkWidget *b = gtk_widget_get_first_child (row); b != NULL; b = gtk_widget_get_next_sibling (b))
          if (g_strcmp0 (g_object_get_data (G_OBJECT (b), "ec-key"), key) == 0)
            g_signal_emit_by_name (b, "clicked");
    }
}

static void
ec_lookup_page_dispose (GObject *object)
{
  EcLookupPage *self = EC_LOOKUP_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->controller);
  gtk_widget_dispose_template (GTK_WIDGET (object), EC_TYPE_LOOKUP_PAGE);
  /* The scrolled window around the page is not a bound template child. */
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL;)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (ec_lookup_page_parent_class)->dispose (object);
}

static void
ec_lookup_page_class_init (EcLookupPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ec_lookup_page_dispose;

  signals[SIGNAL_RESIDENT_CHOSEN] =
    g_signal_new ("resident-chosen", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT64, G_TYPE_STRING);
  signals[SIGNAL_DONE] =
    g_signal_new ("done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (ADW_TYPE_CLAMP);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/eldercard/Kiosk/ui/ec-lookup-page.ui");
  gtk_widget_class_bind_template_child (widget_class, EcLookupPage, back_button);
  gtk_widget_class_bind_template_child (widget_class, EcLookupPage, clamp);
  gtk_widget_class_bind_template_child (widget_class, EcLookupPage, keyboard_box);
  gtk_widget_class_bind_template_child (widget_class, EcLookupPage, results_list);
  gtk_widget_class_bind_template_child (widget_class, EcLookupPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, EcLookupPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, EcLookupPage, title_label);
  gtk_widget_class_bind_template_callback (widget_class, on_back_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_results_list_row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_search_entry_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_search_entry_search_changed_cb);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "ec-lookup-page");
}

static void
ec_lookup_page_init (EcLookupPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* Keys typed anywhere on the page (a key of the on-screen keyboard focused) go to
   * the search field. */
  gtk_search_entry_set_key_capture_widget (self->search_entry, GTK_WIDGET (self));
  /* The on-screen keyboard beside the results, or below the search field when narrow. */
  ec_reflow_box_replace_box (gtk_widget_get_parent (GTK_WIDGET (self->keyboard_box)), 24, 980, FALSE);
  build_keyboard (self);
  gtk_label_set_label (self->status_label, _("Start typing to search."));
}

GtkWidget *
ec_lookup_page_new (EcKioskController *controller)
{
  EcLookupPage *self = g_object_new (EC_TYPE_LOOKUP_PAGE, NULL);

  self->controller = g_object_ref (controller);
  return GTK_WIDGET (self);
}

void
ec_lookup_page_reset (EcLookupPage *self)
{
  g_return_if_fail (EC_IS_LOOKUP_PAGE (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_signal_handlers_block_matched (self->search_entry, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  g_signal_handlers_unblock_matched (self->search_entry, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
  clear_results (self);
  gtk_label_set_label (self->status_label, _("Start typing to search."));
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

void
ec_lookup_page_focus (EcLookupPage *self)
{
  g_return_if_fail (EC_IS_LOOKUP_PAGE (self));
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

guint
ec_lookup_page_get_n_results (EcLookupPage *self)
{
  g_return_val_if_fail (EC_IS_LOOKUP_PAGE (self), 0);
  return self->n_results;
}
