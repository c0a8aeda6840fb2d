/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-kiosk-a11y: every control on every kiosk screen has a name and a role a screen
 * reader can speak (issue 14: about five accessible labels existed in all of ui/).
 * Walks the widget tree of each screen (GTK_A11Y=test) and fails on a control —
 * button, toggle, check box, text field, search field, link, switch — that has
 * neither an accessible label, nor a labelled-by relation, nor text of its own.
 * Also: the search field has the keyboard as soon as its page opens, so the first
 * keys typed are not lost ("han jun" became "jun"). */
#define G_LOG_DOMAIN "test-kiosk-a11y"

#include "ec-lookup-page.h"
#include "ec-nurse-page.h"
#include "ec-problem-page.h"
#include "ec-reason-dialog.h"
#include "kiosk-test-harness.h"

static EcKioskHarness T;

static gboolean
is_control (GtkAccessibleRole role)
{
  /* (GTK 4.8: a toggle button is a BUTTON with a pressed state) */
  static const GtkAccessibleRole controls[] = {
    GTK_ACCESSIBLE_ROLE_BUTTON, GTK_ACCESSIBLE_ROLE_CHECKBOX, GTK_ACCESSIBLE_ROLE_RADIO,
    GTK_ACCESSIBLE_ROLE_TEXT_BOX, GTK_ACCESSIBLE_ROLE_SEARCH_BOX, GTK_ACCESSIBLE_ROLE_SPIN_BUTTON,
    GTK_ACCESSIBLE_ROLE_SWITCH, GTK_ACCESSIBLE_ROLE_LINK, GTK_ACCESSIBLE_ROLE_COMBO_BOX,
    GTK_ACCESSIBLE_ROLE_SLIDER,
  };

  for (gsize i = 0; i < G_N_ELEMENTS (controls); i++)
    if (controls[i] == role)
      return TRUE;
  return FALSE;
}

/* The text a control shows of its own (a button's label), for roles named from it. */
static gboolean
has_own_text (GtkWidget *w)
{
  if (GTK_IS_LABEL (w) && gtk_widget_get_visible (w) && *gtk_label_get_text (GTK_LABEL (w)) != '\0')
    return TRUE;
  for (GtkWidget *c = gtk_widget_get_first_child (w); c != NULL; c = gtk_widget_get_next_sibling (c))
    if (has_own_text (c))
      return TRUE;
  return FALSE;
}

static gboolean
is_named (GtkWidget         *w,
          GtkAccessibleRole  role)
{
  GtkAccessible *a = GTK_ACCESSIBLE (w);

  if (gtk_test_accessible_has_property (a, GTK_ACCESSIBLE_PROPERTY_LABEL)
      || gtk_test_accessible_has_relation (a, GTK_ACCESSIBLE_RELATION_LABELLED_BY))
    return TRUE;
  /* Buttons, toggles and check boxes are named from their contents; text fields are
   * not (a placeholder is no name). */
  if (role != GTK_ACCESSIBLE_ROLE_TEXT_BOX && role != GTK_ACCESSIBLE_ROLE_SEARCH_BOX
      && role != GTK_ACCESSIBLE_ROLE_SPIN_BUTTON)
    return has_own_text (w);
  return FALSE;
}

/* Every mapped control under @w; the unnamed ones are listed in @unnamed. */
static void
walk (GtkWidget *w,
      GString   *unnamed,
      guint     *n_controls)
{
  GtkAccessibleRole role;

  if (!gtk_widget_get_mapped (w))
    return;
  role = gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (w));
  if (is_control (role))
    {
      (*n_controls)++;
      if (!is_named (w, role))
        g_string_append_printf (unnamed, "  %s (role %d, css name %s, widget name %s)\n", G_OBJECT_TYPE_NAME (w),
                                role, gtk_widget_get_css_name (w), gtk_widget_get_name (w));
      /* A control's parts (a button's label, an entry's text) are not controls. */
      if (role == GTK_ACCESSIBLE_ROLE_TEXT_BOX || role == GTK_ACCESSIBLE_ROLE_SEARCH_BOX
          || role == GTK_ACCESSIBLE_ROLE_SPIN_BUTTON)
        return;
    }
  for (GtkWidget *c = gtk_widget_get_first_child (w); c != NULL; c = gtk_widget_get_next_sibling (c))
    walk (c, unnamed, n_controls);
}

static void
check_screen (GtkWidget  *root,
              const char *where)
{
  g_autoptr(GString) unnamed = g_string_new (NULL);
  guint n = 0;

  ec_test_spin (150);
  walk (root, unnamed, &n);
  g_test_message ("%s: %u controls", where, n);
  g_assert_cmpuint (n, >, 0);
  if (unnamed->len > 0)
    g_error ("%s: controls a screen reader cannot name:\n%s", where, unnamed->str);
}

static gboolean
settled_cb (gpointer data)
{
  EcKioskScreen s = ec_kiosk_controller_get_screen (T.controller);
  return s == EC_KIOSK_SCREEN_RECORD || s == EC_KIOSK_SCREEN_PROBLEM;
}

static void
show_card (const char *file)
{
  g_autofree char *path = g_strdup_printf ("%s/cards/%s.tag", T.demo->dir, file);

  ec_kiosk_controller_clear (T.controller);
  ec_kiosk_controller_submit_image_file (T.controller, path);
  g_assert_true (ec_test_wait_until (settled_cb, NULL, 10000));
}

static void
test_responder_screens (void)
{
  static const char *langs[] = { "en", "zh" };

  for (gsize l = 0; l < G_N_ELEMENTS (langs); l++)
    {
      g_autofree char *w1 = g_strdup_printf ("%s waiting", langs[l]);
      g_autofree char *w2 = g_strdup_printf ("%s record", langs[l]);
      g_autofree char *w3 = g_strdup_printf ("%s problem", langs[l]);
      g_autofree char *w4 = g_strdup_printf ("%s search", langs[l]);
      g_autofree char *w5 = g_strdup_printf ("%s reason dialog", langs[l]);
      GtkWidget *dialog;

      ec_kiosk_window_set_language (T.window, langs[l]);
      ec_kiosk_controller_clear (T.controller);
      check_screen (GTK_WIDGET (T.window), w1);
      show_card ("01-valid-allergies");
      check_screen (GTK_WIDGET (T.window), w2);
      show_card ("07-replaced");
      check_screen (GTK_WIDGET (T.window), w3);
      ec_kiosk_controller_open_lookup (T.controller);
      ec_lookup_page_search (EC_LOOKUP_PAGE (ec_kiosk_window_get_page (T.window, EC_KIOSK_SCREEN_LOOKUP)), "wang");
      ec_test_spin (600);
      check_screen (GTK_WIDGET (T.window), w4);
      dialog = ec_reason_dialog_new_emergency (GTK_WINDOW (T.window));
      gtk_window_present (GTK_WINDOW (dialog));
      check_screen (dialog, w5);
      gtk_window_destroy (GTK_WINDOW (dialog));
      ec_kiosk_controller_clear (T.controller);
    }
  ec_kiosk_window_set_language (T.window, "en");
}

/* The privacy countdown bar and its button. */
static void
test_countdown_bar (void)
{
  guint old = ec_kiosk_controller_get_idle_timeout (T.controller);

  ec_kiosk_controller_set_idle_timeout (T.controller, 2);
  show_card ("01-valid-allergies");
  ec_test_spin (1300);
  g_assert_true (ec_kiosk_window_get_countdown_shown (T.window, NULL));
  check_screen (GTK_WIDGET (T.window), "countdown");
  ec_kiosk_controller_clear (T.controller);
  ec_kiosk_controller_set_idle_timeout (T.controller, old);
}

static gboolean
verdict_cb (gpointer data)
{
  return ec_nurse_page_get_state (data) == EC_NURSE_PAGE_VERDICT;
}

/* The nurse's record page and a verdict. */
static void
test_nurse_screens (void)
{
  GtkWidget *page, *entry, *check;

  g_action_group_activate_action (G_ACTION_GROUP (T.window), "role", g_variant_new_string ("nurse"));
  ec_test_spin (300);
  show_card ("01-valid-allergies");
  ec_test_spin (200);
  page = ec_kiosk_window_get_page (T.window, EC_KIOSK_SCREEN_RECORD);
  g_assert_true (EC_IS_NURSE_PAGE (page));
  check_screen (GTK_WIDGET (T.window), "nurse record");
  entry = ec_test_find_named (page, "nurse-drug-entry");
  check = ec_test_find_named (page, "nurse-check-button");
  g_assert_nonnull (entry);
  g_assert_nonnull (check);
  gtk_editable_set_text (GTK_EDITABLE (entry), "amoxcilin");
  ec_test_spin (100);
  check_screen (GTK_WIDGET (T.window), "nurse did-you-mean");
  gtk_editable_set_text (GTK_EDITABLE (entry), "阿莫西林");
  ec_test_spin (100);
  g_signal_emit_by_name (check, "clicked");
  g_assert_true (ec_test_wait_until (verdict_cb, page, 10000));
  check_screen (GTK_WIDGET (T.window), "nurse verdict");
  ec_kiosk_controller_clear (T.controller);
  g_action_group_activate_action (G_ACTION_GROUP (T.window), "role", g_variant_new_string ("responder"));
  ec_test_spin (300);
}

static gboolean
search_focused_cb (gpointer data)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (T.window));
  GtkWidget *entry = ec_test_find_named (data, "lookup-search-entry");

  return focus != NULL && entry != NULL && (focus == entry || gtk_widget_is_ancestor (focus, entry));
}

/* The search field has the keyboard at once: the first keys are not lost. */
static void
test_search_has_keyboard_at_once (void)
{
  GtkWidget *page;

  ec_kiosk_controller_clear (T.controller);
  ec_test_spin (100);
  ec_kiosk_controller_open_lookup (T.controller);
  page = ec_kiosk_window_get_page (T.window, EC_KIOSK_SCREEN_LOOKUP);
  /* No waiting for a transition or a timer: focus is there as the page shows. */
  g_assert_true (search_focused_cb (page));
  ec_kiosk_controller_clear (T.controller);
  ec_kiosk_controller_open_lookup (T.controller);
  g_assert_true (search_focused_cb (page));
  ec_kiosk_controller_clear (T.controller);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_setenv ("GTK_A11Y", "test", TRUE);
  ec_kiosk_test_init (&argc, &argv, TRUE);
  ec_kiosk_harness_create_demo (&T, "test-kiosk-a11y-XXXXXX", 20);
  ec_kiosk_harness_load_config (&T);
  ec_kiosk_harness_open (&T, FALSE);
  ec_test_spin (300);

  g_test_add_func ("/ec/kiosk/a11y/search-has-keyboard-at-once", test_search_has_keyboard_at_once);
  g_test_add_func ("/ec/kiosk/a11y/responder-screens", test_responder_screens);
  g_test_add_func ("/ec/kiosk/a11y/countdown-bar", test_countdown_bar);
  g_test_add_func ("/ec/kiosk/a11y/nurse-screens", test_nurse_screens);
  status = g_test_run ();

  ec_kiosk_harness_close (&T, 100);
  return status;
}
