/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-kiosk-emergency: an old replaced card or an expired one, tapped for an
 * unconscious resident, used to lead nowhere ("search by name"). The kiosk knows whose
 * card it is: the problem screen offers the current record, after a reason, and the
 * view is audited as emergency access (issue 14). A revoked or lost card, which may be
 * in the wrong hands, offers nothing. The reason dialog marks the chosen reason with
 * more than a shade of grey. */
#define G_LOG_DOMAIN "test-kiosk-emergency"

#include "ec-problem-page.h"
#include "ec-reason-dialog.h"
#include "kiosk-test-harness.h"

static EcKioskHarness T;

static gboolean
screen_is_cb (gpointer data)
{
  return ec_kiosk_controller_get_screen (T.controller) == (EcKioskScreen) GPOINTER_TO_INT (data);
}

static GtkWidget *
show_problem (const char *file)
{
  g_autofree char *path = g_strdup_printf ("%s/cards/%s.tag", T.demo->dir, file);
  GtkWidget *page;

  ec_kiosk_controller_clear (T.controller);
  ec_kiosk_controller_submit_image_file (T.controller, path);
  g_assert_true (ec_test_wait_until (screen_is_cb, GINT_TO_POINTER (EC_KIOSK_SCREEN_PROBLEM), 10000));
  ec_test_spin (200);
  page = ec_kiosk_window_get_page (T.window, EC_KIOSK_SCREEN_PROBLEM);
  g_assert_true (ec_kiosk_window_get_visible_page (T.window) == page);
  return ec_problem_page_get_emergency_button (EC_PROBLEM_PAGE (page));
}

static void
open_from (const char *file,
           guint       chip,
           const char *expected_reason)
{
  GtkWidget *button = show_problem (file);
  /* Whose card it is, as the tap service found it (the card's header or its row). */
  EcResidentId owner = ec_kiosk_controller_get_result (T.controller)->tap->owner;
  GtkWindow *dialog;
  g_autofree char *text = NULL;
  g_autoptr(GPtrArray) audit = NULL;
  gboolean found = FALSE;

  g_assert_cmpuint (owner, !=, 0);
  g_assert_true (gtk_widget_get_mapped (button));
  g_signal_emit_by_name (button, "clicked");
  dialog = ec_test_wait_toplevel (EC_TYPE_REASON_DIALOG, 2000);
  g_assert_nonnull (dialog);
  /* No reason, no record. */
  g_assert_false (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "open"));
  ec_reason_dialog_choose (EC_REASON_DIALOG (dialog), chip);
  g_assert_true (ec_reason_dialog_chip_is_marked (EC_REASON_DIALOG (dialog), chip));
  for (guint other = 0; other < 3; other++)
    if (other != chip)
      g_assert_false (ec_reason_dialog_chip_is_marked (EC_REASON_DIALOG (dialog), other));
  g_assert_true (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "open"));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "open");
  gtk_window_destroy (dialog);   /* a click would close it; the response alone does not */

  g_assert_true (ec_test_wait_until (screen_is_cb, GINT_TO_POINTER (EC_KIOSK_SCREEN_RECORD), 10000));
  ec_test_spin (100);
  g_assert_cmpuint (ec_kiosk_controller_get_result (T.controller)->resident->id, ==, owner);
  text = ec_kiosk_harness_text (&T);
  ec_test_assert_contains (text, "Emergency access: confirm who this is from the photo");
  ec_test_assert_contains (text, expected_reason);

  audit = ec_kiosk_harness_audit_entries (&T, owner, "view");
  for (guint i = 0; i < audit->len; i++)
    {
      EcAuditEntry *e = g_ptr_array_index (audit, i);
      if (g_strcmp0 (e->purpose, EC_DB_PURPOSE_EMERGENCY_ACCESS) == 0 && g_strcmp0 (e->reason, expected_reason) == 0)
        found = TRUE;
    }
  g_assert_true (found);
  ec_kiosk_controller_clear (T.controller);
}

static void
test_replaced_card (void)
{
  open_from ("07-replaced", 2, "emergency access, old or expired card: unconscious");
}

static void
test_expired_card (void)
{
  open_from ("09-expired", 0, "emergency access, old or expired card: needs treatment now");
}

/* A revoked card may be in the wrong hands: no shortcut to the record. */
static void
test_revoked_card_offers_nothing (void)
{
  GtkWidget *button = show_problem ("06-revoked");

  g_assert_false (gtk_widget_get_visible (button));
  button = show_problem ("05-forged");
  g_assert_false (gtk_widget_get_visible (button));
  ec_kiosk_controller_clear (T.controller);
}

/* The manual lookup's dialog marks its chosen chip the same way. */
static void
test_manual_reason_marked (void)
{
  GtkWidget *dialog = ec_reason_dialog_new (GTK_WINDOW (T.window), "王秀英");

  gtk_window_present (GTK_WINDOW (dialog));
  ec_reason_dialog_choose (EC_REASON_DIALOG (dialog), 1);
  g_assert_true (ec_reason_dialog_chip_is_marked (EC_REASON_DIALOG (dialog), 1));
  g_assert_false (ec_reason_dialog_chip_is_marked (EC_REASON_DIALOG (dialog), 0));
  ec_reason_dialog_choose (EC_REASON_DIALOG (dialog), 0);
  g_assert_true (ec_reason_dialog_chip_is_marked (EC_REASON_DIALOG (dialog), 0));
  g_assert_false (ec_reason_dialog_chip_is_marked (EC_REASON_DIALOG (dialog), 1));
  gtk_window_destroy (GTK_WINDOW (dialog));
}

int
main (int    argc,
      char **argv)
{
  int status;

  ec_kiosk_test_init (&argc, &argv, TRUE);
  ec_kiosk_harness_create_demo (&T, "test-kiosk-emergency-XXXXXX", 12);
  ec_kiosk_harness_load_config (&T);
  ec_kiosk_harness_open (&T, FALSE);
  ec_test_spin (200);

  g_test_add_func ("/ec/kiosk/emergency/replaced-card", test_replaced_card);
  g_test_add_func ("/ec/kiosk/emergency/expired-card", test_expired_card);
  g_test_add_func ("/ec/kiosk/emergency/revoked-card-offers-nothing", test_revoked_card_offers_nothing);
  g_test_add_func ("/ec/kiosk/emergency/manual-reason-marked", test_manual_reason_marked);
  status = g_test_run ();

  ec_kiosk_harness_close (&T, 100);
  return status;
}
