/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-kiosk-role: a kiosk carried by a nurse switches between responder and nurse
 * mode from the staff menu (win.role) without a restart. The kiosk starts as a
 * responder on the demo community and reads demo cards through the real libnfc from
 * the project's PN532 emulator; after the switch the next tap shows the nurse view
 * (allergies first) and is audited with the nurse role, and back in responder mode
 * the record view shows the next tap. Locked in kiosk mode, the switch needs the staff
 * exit PIN. Every check reads what a person would see or what the audit log holds.
 * Runs under xvfb-run. */
#define G_LOG_DOMAIN "test-kiosk-role"

#include <sodium.h>

#include "ec-db.h"
#include "ec-kiosk-window.h"
#include "ec-nurse-page.h"
#include "ec-record-view.h"
#include "kiosk-nurse-fixture.h"
#include "kiosk-test-harness.h"

/* Generous bounds: a sanitizer build under a loaded CI machine is slow. */
#define READER_READY_MS 15000
#define CARD_MS         10000
#define PIN_MS          20000

#define PENICILLIN_CARD "01-valid-allergies"
#define OTHER_CARD      "02-valid-no-known-allergies"
#define EXIT_PIN        "246810"

static EcKioskHarness T;

static gboolean
switch_role (EcKioskWindow *window,
             const char    *role)
{
  return gtk_widget_activate_action_variant (GTK_WIDGET (window), "win.role", g_variant_new_string (role));
}

static char *
action_state (EcKioskWindow *window)
{
  g_autoptr(GVariant) state = g_action_group_get_action_state (G_ACTION_GROUP (window), "role");

  g_assert_nonnull (state);
  return g_variant_dup_string (state, NULL);
}

/* The newest entry @action about @resident (the test fails if there is none). */
static EcAuditEntry *
newest_entry (EcResidentId  resident,
              const char   *action)
{
  g_autoptr(GPtrArray) entries = ec_kiosk_harness_audit_entries (&T, resident, action);
  EcAuditEntry *last;

  g_assert_cmpuint (entries->len, >, 0);
  last = g_ptr_array_steal_index (entries, entries->len - 1);
  return last;
}

typedef struct
{
  const char *action;
  guint       more_than;
} AuditWait;

static gboolean
audit_grew_cb (gpointer data)
{
  const AuditWait *w = data;
  g_autoptr(GPtrArray) entries = ec_kiosk_harness_audit_entries (&T, 0, w->action);

  return entries->len > w->more_than;
}

static guint
n_entries (const char *action)
{
  g_autoptr(GPtrArray) entries = ec_kiosk_harness_audit_entries (&T, 0, action);
  return entries->len;
}

static char *
topbar_text (EcKioskWindow *window)
{
  return ec_test_visible_text (ec_kiosk_window_get_topbar (window));
}

/* ------------------------------------------------------------------------- */

static void
test_switch_to_nurse (void)
{
  const EcDemoCard *c = ec_kiosk_harness_card (&T, PENICILLIN_CARD);
  g_autoptr(EcAuditEntry) view = NULL;
  g_autoptr(EcAuditEntry) change = NULL;
  g_autofree char *state = NULL;
  g_autofree char *top = NULL;
  g_autofree char *text = NULL;
  const char *high, *meds, *drug;
  GtkWidget *page;

  g_assert_true (ec_kiosk_test_wait_reader (T.controller, EC_KIOSK_READER_READY, READER_READY_MS));
  g_assert_cmpint (ec_kiosk_controller_get_role (T.controller), ==, EC_ROLE_RESPONDER);
  state = action_state (T.window);
  g_assert_cmpstr (state, ==, "responder");
  g_clear_pointer (&state, g_free);

  /* A responder's record is on screen when the nurse takes the kiosk over. */
  ec_kiosk_harness_tap_record (&T, OTHER_CARD, CARD_MS);
  g_assert_true (EC_IS_RECORD_VIEW (ec_kiosk_window_get_visible_page (T.window)));

  g_assert_true (switch_role (T.window, "nurse"));
  /* At once (not in kiosk mode): the record is gone, the top bar says Nurse. */
  g_assert_cmpint (ec_kiosk_controller_get_role (T.controller), ==, EC_ROLE_NURSE);
  g_assert_cmpint (ec_kiosk_controller_get_screen (T.controller), ==, EC_KIOSK_SCREEN_WAITING);
  ec_test_spin (50);
  g_assert_true (ec_kiosk_window_get_visible_page (T.window)
                 == ec_kiosk_window_get_page (T.window, EC_KIOSK_SCREEN_WAITING));
  text = ec_kiosk_harness_text (&T);
  ec_test_assert_lacks (text, ec_kiosk_harness_card (&T, OTHER_CARD)->name);
  g_clear_pointer (&text, g_free);
  top = topbar_text (T.window);
  ec_test_assert_contains (top, "Nurse");
  state = action_state (T.window);
  g_assert_cmpstr (state, ==, "nurse");

  /* The next tap shows the nurse view: allergies first, then medications, then the
   * drug field. */
  ec_kiosk_harness_tap_record (&T, PENICILLIN_CARD, CARD_MS);
  page = ec_kiosk_window_get_page (T.window, EC_KIOSK_SCREEN_RECORD);
  g_assert_true (EC_IS_NURSE_PAGE (page));
  g_assert_true (ec_kiosk_window_get_visible_page (T.window) == page);
  g_assert_cmpint (ec_nurse_page_get_state (EC_NURSE_PAGE (page)), ==, EC_NURSE_PAGE_RECORD);
  text = ec_kiosk_harness_text (&T);
  ec_test_assert_contains (text, c->name);
  high = strstr (text, "青霉素 — HIGH RISK");
  meds = strstr (text, "Current medications");
  drug = strstr (text, "Drug to give");
  if (high == NULL || meds == NULL || drug == NULL || !(high < meds && meds < drug))
    g_error ("expected the allergy, then medications, then the drug field; the screen shows:\n%s", text);

  /* Read and audited as a nurse's check. */
  view = newest_entry (c->resident, "view");
  g_assert_cmpint (view->actor_role, ==, EC_ROLE_NURSE);
  g_assert_cmpstr (view->purpose, ==, EC_DB_PURPOSE_NURSE_CHECK);
  g_assert_cmpstr (view->actor_id, ==, "demo-kiosk");
  /* The switch itself is in the log. */
  change = newest_entry (0, "role-change");
  g_assert_cmpstr (change->detail, ==, "responder -> nurse");
  g_assert_cmpstr (change->actor_id, ==, "demo-kiosk");
}

static void
test_back_to_responder (void)
{
  const EcDemoCard *c = ec_kiosk_harness_card (&T, PENICILLIN_CARD);
  g_autoptr(EcAuditEntry) view = NULL;
  g_autoptr(EcAuditEntry) change = NULL;
  g_autofree char *top = NULL;
  g_autofree char *text = NULL;
  GtkWidget *page;

  ec_kiosk_harness_tap_record (&T, PENICILLIN_CARD, CARD_MS);
  g_assert_true (EC_IS_NURSE_PAGE (ec_kiosk_window_get_visible_page (T.window)));

  g_assert_true (switch_role (T.window, "responder"));
  g_assert_cmpint (ec_kiosk_controller_get_role (T.controller), ==, EC_ROLE_RESPONDER);
  g_assert_cmpint (ec_kiosk_controller_get_screen (T.controller), ==, EC_KIOSK_SCREEN_WAITING);
  ec_test_spin (50);
  text = ec_kiosk_harness_text (&T);
  ec_test_assert_lacks (text, c->name);
  g_clear_pointer (&text, g_free);
  top = topbar_text (T.window);
  ec_test_assert_contains (top, "Responder");
  ec_test_assert_lacks (top, "Nurse");

  /* The responder's record view shows the next tap, not the nurse view. */
  ec_kiosk_harness_tap_record (&T, PENICILLIN_CARD, CARD_MS);
  page = ec_kiosk_window_get_page (T.window, EC_KIOSK_SCREEN_RECORD);
  g_assert_true (EC_IS_RECORD_VIEW (page));
  g_assert_true (ec_kiosk_window_get_visible_page (T.window) == page);
  text = ec_kiosk_harness_text (&T);
  ec_test_assert_contains (text, c->name);
  ec_test_assert_lacks (text, "Drug to give");
  view = newest_entry (c->resident, "view");
  g_assert_cmpint (view->actor_role, ==, EC_ROLE_RESPONDER);
  g_assert_cmpstr (view->purpose, ==, EC_DB_PURPOSE_CARD_TAP);
  change = newest_entry (0, "role-change");
  g_assert_cmpstr (change->detail, ==, "nurse -> responder");

  /* Asking for the role the kiosk already has changes nothing. */
  g_assert_true (switch_role (T.window, "responder"));
  g_assert_cmpint (ec_kiosk_controller_get_screen (T.controller), ==, EC_KIOSK_SCREEN_RECORD);
  ec_kiosk_controller_clear (T.controller);
}

static gboolean
match_button_label (GtkWidget     *widget,
                    gconstpointer  label)
{
  return GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0;
}

/* Answer the PIN dialog as staff would: type @pin, press Switch; the dialog closes. */
static void
answer_pin_dialog (AdwMessageDialog *dialog,
                   const char       *pin)
{
  GtkWidget *button = ec_test_find (GTK_WIDGET (dialog), match_button_label, "_Switch");

  g_assert_nonnull (button);
  gtk_editable_set_text (GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog)), pin);
  g_signal_emit_by_name (button, "clicked");
  ec_test_spin (20);
  g_assert_null (ec_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
}

static void
test_kiosk_mode_needs_pin (void)
{
  const EcDemoCard *c = ec_kiosk_harness_card (&T, PENICILLIN_CARD);
  g_autoptr(EcConfig) config = ec_config_new ();
  g_autoptr(EcKioskController) controller = NULL;
  g_autofree char *tag = g_strdup_printf ("%s/cards/%s.tag", T.demo->dir, PENICILLIN_CARD);
  AuditWait refused = { "role-change-refused", n_entries ("role-change-refused") };
  AuditWait changed = { "role-change", n_entries ("role-change") };
  AdwMessageDialog *dialog;
  EcKioskWindow *w;

  g_free (config->db_path);
  config->db_path = g_strdup (T.config->db_path);
  g_free (config->keys_dir);
  config->keys_dir = g_strdup (T.config->keys_dir);
  g_free (config->kiosk_id);
  config->kiosk_id = g_strdup ("locked-kiosk");
  /* [kiosk] exit-pin, as `eldercard-kiosk --hash-exit-pin` makes it (cheap cost here). */
  config->exit_pin_hash = g_malloc (crypto_pwhash_STRBYTES);
  g_assert_cmpint (crypto_pwhash_str (config->exit_pin_hash, EXIT_PIN, strlen (EXIT_PIN),
                                      crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN), ==, 0);
  controller = ec_kiosk_controller_new (config);
  w = ec_kiosk_window_new (NULL, controller, config, TRUE);
  gtk_window_present (GTK_WINDOW (w));
  ec_test_spin (100);
  g_assert_true (ec_kiosk_window_get_locked (w));

  /* Without the PIN nothing switches: the staff PIN dialog appears. */
  g_assert_null (ec_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_true (switch_role (w, "nurse"));
  dialog = ADW_MESSAGE_DIALOG (ec_test_wait_toplevel (ADW_TYPE_MESSAGE_DIALOG, 2000));
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Switch to nurse mode");
  g_assert_cmpint (ec_kiosk_controller_get_role (controller), ==, EC_ROLE_RESPONDER);
  g_assert_true (EC_IS_RECORD_VIEW (ec_kiosk_window_get_page (w, EC_KIOSK_SCREEN_RECORD)));

  /* A wrong PIN: refused (and audited), still a responder. */
  answer_pin_dialog (dialog, "000000");
  g_assert_true (ec_test_wait_until (audit_grew_cb, &refused, PIN_MS));
  g_assert_cmpint (ec_kiosk_controller_get_role (controller), ==, EC_ROLE_RESPONDER);
  g_assert_true (EC_IS_RECORD_VIEW (ec_kiosk_window_get_page (w, EC_KIOSK_SCREEN_RECORD)));

  /* The right PIN: nurse mode, and the kiosk stays locked. */
  g_assert_true (switch_role (w, "nurse"));
  dialog = ADW_MESSAGE_DIALOG (ec_test_wait_toplevel (ADW_TYPE_MESSAGE_DIALOG, 2000));
  g_assert_nonnull (dialog);
  answer_pin_dialog (dialog, EXIT_PIN);
  g_assert_true (ec_test_wait_until (audit_grew_cb, &changed, PIN_MS));
  g_assert_cmpint (ec_kiosk_controller_get_role (controller), ==, EC_ROLE_NURSE);
  g_assert_true (ec_kiosk_window_get_locked (w));
  g_assert_true (EC_IS_NURSE_PAGE (ec_kiosk_window_get_page (w, EC_KIOSK_SCREEN_RECORD)));

  /* A card read now is the nurse's view, audited as the nurse's. */
  ec_kiosk_controller_submit_image_file (controller, tag);
  g_assert_true (ec_kiosk_test_wait_settled (controller, CARD_MS));
  ec_test_spin (50);
  g_assert_cmpint (ec_kiosk_controller_get_screen (controller), ==, EC_KIOSK_SCREEN_RECORD);
  g_assert_true (ec_kiosk_window_get_visible_page (w) == ec_kiosk_window_get_page (w, EC_KIOSK_SCREEN_RECORD));
  {
    g_autoptr(EcAuditEntry) view = newest_entry (c->resident, "view");

    g_assert_cmpint (view->actor_role, ==, EC_ROLE_NURSE);
    g_assert_cmpstr (view->actor_id, ==, "locked-kiosk");
  }

  gtk_window_destroy (GTK_WINDOW (w));
  ec_kiosk_controller_stop (controller);
  ec_test_spin (300);   /* the audit workers finish */
  g_assert_finalize_object (g_steal_pointer (&controller));
}

static void
test_staff_does_not_switch (void)
{
  g_autoptr(EcConfig) config = ec_config_new ();
  g_autoptr(EcKioskController) controller = NULL;
  EcKioskWindow *w;

  g_free (config->db_path);
  config->db_path = g_strdup (T.config->db_path);
  config->role = EC_ROLE_STAFF;
  controller = ec_kiosk_controller_new (config);
  w = ec_kiosk_window_new (NULL, controller, config, FALSE);
  gtk_window_present (GTK_WINDOW (w));
  ec_test_spin (50);
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (w), "role"));
  switch_role (w, "nurse");
  ec_test_spin (50);
  g_assert_cmpint (ec_kiosk_controller_get_role (controller), ==, EC_ROLE_STAFF);
  gtk_window_destroy (GTK_WINDOW (w));
  ec_kiosk_controller_stop (controller);
  ec_test_spin (50);
  g_assert_finalize_object (g_steal_pointer (&controller));
}

/* ------------------------------------------------------------------------- */

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int rc;

  ec_kiosk_test_init (&argc, &argv, TRUE);
  ec_kiosk_harness_create_demo (&T, "test-kiosk-role-XXXXXX", 60);
  g_assert_true (ec_nurse_fixture_give_penicillin_allergy (T.demo, &error));
  g_assert_no_error (error);
  ec_kiosk_harness_start_emulator (&T, NULL, NULL);
  ec_kiosk_harness_load_config (&T);
  g_assert_cmpint (T.config->role, ==, EC_ROLE_RESPONDER);
  ec_kiosk_harness_open (&T, TRUE);

  g_test_add_func ("/ec/kiosk/role/switch-to-nurse", test_switch_to_nurse);
  g_test_add_func ("/ec/kiosk/role/back-to-responder", test_back_to_responder);
  g_test_add_func ("/ec/kiosk/role/kiosk-mode-needs-pin", test_kiosk_mode_needs_pin);
  g_test_add_func ("/ec/kiosk/role/staff-does-not-switch", test_staff_does_not_switch);

  rc = g_test_run ();

  ec_kiosk_harness_close (&T, 100);
  return rc;
}
