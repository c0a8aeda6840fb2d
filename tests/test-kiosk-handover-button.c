/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-kiosk-handover-button: from a tapped card to the handover window (issue 16).
 * The responder's record has a "Handover sheet…" button that opens the
 * handover window for that resident (its read audited with purpose "handover"); the
 * card's own summary, shown when this kiosk has no record, has no such button. */
#define G_LOG_DOMAIN "test-kiosk-handover-button"

/* The tests run in English (ec_kiosk_test_init). */

#include "kiosk-test-harness.h"

#define CARD_MS     10000
#define RECORD_CARD "01-valid-allergies"

static EcKioskHarness T;

static gboolean
match_button_label (GtkWidget     *widget,
                    gconstpointer  label)
{
  return GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0;
}

static GtkWidget *
handover_button (void)
{
  return ec_test_find (ec_kiosk_window_get_visible_page (T.window), match_button_label,
                       "Handover sheet…");
}

static GtkWindow *
find_handover_window (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();   /* owned by GTK */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) w = g_list_model_get_item (toplevels, i);

      if (w != GTK_WINDOW (T.window) && gtk_widget_get_visible (GTK_WIDGET (w))
          && g_strcmp0 (gtk_window_get_title (w), "Handover to the ambulance crew") == 0)
        return w;
    }
  return NULL;
}

static gboolean
handover_window_shown_cb (gpointer data)
{
  return find_handover_window () != NULL;
}

static void
test_button_opens_handover (void)
{
  const EcDemoCard *card = ec_kiosk_harness_card (&T, RECORD_CARD);
  g_autoptr(GPtrArray) before = ec_kiosk_harness_audit_entries (&T, card->resident, NULL);
  g_autoptr(GPtrArray) after = NULL;
  GtkWidget *button;
  GtkWindow *dialog;
  guint handover_reads = 0;

  ec_kiosk_harness_tap_record (&T, RECORD_CARD, CARD_MS);
  button = handover_button ();
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_get_visible (button));
  gtk_widget_activate (button);
  g_assert_true (ec_test_wait_until (handover_window_shown_cb, NULL, 5000));
  dialog = find_handover_window ();
  g_assert_true (gtk_window_get_transient_for (dialog) == GTK_WINDOW (T.window));

  /* The window read the record for the handover, audited as such. */
  after = ec_kiosk_harness_audit_entries (&T, card->resident, NULL);
  g_assert_cmpuint (after->len, >, before->len);
  for (guint i = before->len; i < after->len; i++)
    {
      const EcAuditEntry *e = after->pdata[i];
      if (g_strcmp0 (e->purpose, "handover") == 0)
        handover_reads++;
    }
  g_assert_cmpuint (handover_reads, ==, 1);
  gtk_window_destroy (dialog);
  ec_test_spin (100);
}

int
main (int    argc,
      char **argv)
{
  int rc;

  ec_kiosk_test_init (&argc, &argv, TRUE);
  ec_kiosk_harness_create_demo (&T, "test-kiosk-handover-button-XXXXXX", 60);
  ec_kiosk_harness_start_emulator (&T, NULL, NULL);
  ec_kiosk_harness_load_config (&T);
  ec_kiosk_harness_open (&T, TRUE);

  g_test_add_func ("/ec/kiosk/handover-button/opens-handover", test_button_opens_handover);
  rc = g_test_run ();

  ec_kiosk_harness_close (&T, 100);
  return rc;
}
