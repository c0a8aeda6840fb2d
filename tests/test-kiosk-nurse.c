/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-kiosk-nurse: the kiosk in role nurse, reading demo cards through the real libnfc
 * (pn532_uart, in the reader's helper process) from the project's PN532 emulator. A
 * nurse taps a card, sees allergies and medications first, types a drug, presses
 * Check and reads the verdict; records that the injection was withheld. Every check
 * reads what a person would see (the visible labels of the window's widget tree) or
 * what the audit log holds. Runs under xvfb-run. */
#define G_LOG_DOMAIN "test-kiosk-nurse"

#include "ec-db.h"
#include "ec-init.h"
#include "ec-kiosk-application.h"
#include "ec-kiosk-i18n.h"
#include "ec-kiosk-window.h"
#include "ec-nurse-page.h"
#include "kiosk-nurse-fixture.h"
#include "kiosk-test-harness.h"

/* Generous bounds: a sanitizer build under a loaded CI machine is slow. */
#define READER_READY_MS 15000
#define CARD_MS         10000
#define CHECK_MS        10000

#define PENICILLIN_CARD "01-valid-allergies"
#define NONE_KNOWN_CARD "02-valid-no-known-allergies"
#define UNKNOWN_CARD    "03-valid-allergies-unknown"

static EcKioskHarness T;

static EcNursePage *
nurse_page (void)
{
  /* Looked up every time: a language switch rebuilds the pages. */
  GtkWidget *page = ec_kiosk_window_get_page (T.window, EC_KIOSK_SCREEN_RECORD);

  g_assert_true (EC_IS_NURSE_PAGE (page));
  return EC_NURSE_PAGE (page);
}

static gboolean
verdict_shown (gpointer data)
{
  return ec_nurse_page_get_state (nurse_page ()) == EC_NURSE_PAGE_VERDICT;
}

static gboolean
allocated (gpointer data)
{
  return gtk_widget_get_height (data) > 0;
}

static GtkWidget *
page_widget (const char *name)
{
  GtkWidget *w = ec_test_find_named (GTK_WIDGET (nurse_page ()), name);

  g_assert_nonnull (w);
  return w;
}

/* Type into an entry the way a keyboard would end up: the text changes. */
static void
type_into (const char *name,
           const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (page_widget (name)), text);
  ec_test_spin (30);
}

/* Press a button as a touch would: only if it is there and can be pressed. */
static void
press (const char *name)
{
  GtkWidget *button = page_widget (name);

  g_assert_true (gtk_widget_is_sensitive (button));
  g_assert_true (gtk_widget_get_mapped (button));
  g_signal_emit_by_name (button, "clicked");
}

/* Type @drug, press Check, wait for the verdict; returns the screen's text. */
static char *
check_drug (const char *drug)
{
  type_into ("nurse-drug-entry", drug);
  press ("nurse-check-button");
  g_assert_true (ec_test_wait_until (verdict_shown, NULL, CHECK_MS));
  ec_test_spin (50);
  return ec_kiosk_harness_text (&T);
}

/* ------------------------------------------------------------------------- */

static void
test_record_first (void)
{
  const EcDemoCard *c = ec_kiosk_harness_card (&T, PENICILLIN_CARD);
  g_autoptr(GPtrArray) views = NULL;
  g_autofree char *text = NULL;
  const EcAuditEntry *last;
  const char *high, *meds, *drug;

  g_assert_true (ec_kiosk_test_wait_reader (T.controller, EC_KIOSK_READER_READY, READER_READY_MS));
  ec_kiosk_harness_tap_record (&T, PENICILLIN_CARD, CARD_MS);
  g_assert_true (ec_kiosk_window_get_visible_page (T.window) == GTK_WIDGET (nurse_page ()));
  g_assert_cmpint (ec_nurse_page_get_state (nurse_page ()), ==, EC_NURSE_PAGE_RECORD);
  text = ec_kiosk_harness_text (&T);
  ec_test_assert_contains (text, c->name);
  /* Allergies first (the high-criticality penicillin allergy on top), then the
   * medications, then the drug field. */
  high = strstr (text, "青霉素 — HIGH RISK");
  meds = strstr (text, "Current medications");
  drug = strstr (text, "Drug to give");
  if (high == NULL || meds == NULL || drug == NULL || !(high < meds && meds < drug))
    g_error ("expected the allergy, then medications, then the drug field; the screen shows:\n%s", text);
  ec_test_assert_contains (text, "ALLERG");
  /* The card was re-issued after the allergy was added: not out of date. */
  ec_test_assert_lacks (text, "Card out of date");
  /* Least data for the role: no contacts or directive on the nurse's screen. */
  ec_test_assert_lacks (text, "Emergency contacts");
  /* The read is audited as a nurse's check, with the kiosk's role. */
  views = ec_kiosk_harness_audit_entries (&T, c->resident, "view");
  g_assert_cmpuint (views->len, >, 0);
  last = g_ptr_array_index (views, views->len - 1);
  g_assert_cmpstr (last->purpose, ==, EC_DB_PURPOSE_NURSE_CHECK);
  g_assert_cmpint (last->actor_role, ==, EC_ROLE_NURSE);
  g_assert_cmpstr (last->actor_id, ==, "demo-kiosk");
}

static void
test_suggestions (void)
{
  GtkListBox *list;
  GtkListBoxRow *row;
  const char *chosen;

  ec_kiosk_harness_tap_record (&T, PENICILLIN_CARD, CARD_MS);
  type_into ("nurse-drug-entry", "阿莫");
  g_assert_cmpuint (ec_nurse_page_get_n_suggestions (nurse_page ()), >=, 1);
  list = GTK_LIST_BOX (ec_test_find_of_type (GTK_WIDGET (nurse_page ()), GTK_TYPE_LIST_BOX));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (list)));
  ec_test_spin (100);
  row = gtk_list_box_get_row_at_index (list, 0);
  g_assert_nonnull (row);
  /* Touch-sized rows. */
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (row)), >=, 48);
  {
    g_autofree char *rows = ec_test_visible_text (GTK_WIDGET (list));
    ec_test_assert_contains (rows, "阿莫西林");
  }
  /* Touching a suggestion puts the drug's name in the field. */
  g_signal_emit_by_name (list, "row-activated", row);
  ec_test_spin (30);
  chosen = gtk_editable_get_text (GTK_EDITABLE (page_widget ("nurse-drug-entry")));
  /* (in the screen's language: English here) */
  g_assert_true (g_str_has_prefix (chosen, "amoxicillin") || g_str_has_prefix (chosen, "阿莫西林"));
  g_assert_cmpuint (ec_nurse_page_get_n_suggestions (nurse_page ()), ==, 0);
  g_assert_true (gtk_widget_is_sensitive (page_widget ("nurse-check-button")));

  /* English and pinyin find the same drug. */
  type_into ("nurse-drug-entry", "amoxi");
  g_assert_cmpuint (ec_nurse_page_get_n_suggestions (nurse_page ()), >=, 1);

  /* A misspelling gets "did you mean" (issue 14: "amoxcilin" got nothing). */
  type_into ("nurse-drug-entry", "amoxcilin");
  g_assert_cmpuint (ec_nurse_page_get_n_suggestions (nurse_page ()), >=, 1);
  {
    g_autofree char *shown = ec_kiosk_harness_text (&T);
    ec_test_assert_contains (shown, "Did you mean");
    ec_test_assert_contains (shown, "amoxicillin");
  }
}

static void
test_stop_amoxicillin (void)
{
  const EcDemoCard *c = ec_kiosk_harness_card (&T, PENICILLIN_CARD);
  g_autoptr(GPtrArray) checks = NULL;
  g_autofree char *text = NULL;
  const EcAllergyVerdict *v;
  GtkWidget *verdict_box;
  const EcAuditEntry *last;

  ec_kiosk_harness_tap_record (&T, PENICILLIN_CARD, CARD_MS);
  text = check_drug ("阿莫西林");
  v = ec_nurse_page_get_verdict (nurse_page ());
  g_assert_nonnull (v);
  g_assert_cmpint (v->verdict, ==, EC_VERDICT_STOP);
  /* In words, not colour alone: the headline, the matched allergy with its
   * criticality and past reaction, the reason, the local practice, the disclaimer. */
  ec_test_assert_contains (text, "STOP — do not inject");
  ec_test_assert_contains (text, "阿莫西林");
  ec_test_assert_contains (text, "allergy 青霉素 — HIGH RISK");
  ec_test_assert_contains (text, "past reaction");
  ec_test_assert_contains (text, "skin test");
  ec_test_assert_contains (text, "Source:");
  ec_test_assert_contains (text, "The nurse's judgement and the prescription decide.");
  /* The verdict fills the page: the record part is not on screen. */
  ec_test_assert_lacks (text, "Drug to give");
  ec_test_assert_lacks (text, "No recorded conflict");
  /* And in colour, over most of the window's height. */
  verdict_box = ec_test_find_with_class (GTK_WIDGET (nurse_page ()), "ec-verdict");
  g_assert_nonnull (verdict_box);
  g_assert_true (gtk_widget_has_css_class (verdict_box, "ec-verdict-stop"));
  g_assert_true (gtk_widget_get_mapped (verdict_box));
  ec_test_wait_until (allocated, verdict_box, 2000);
  g_assert_cmpint (gtk_widget_get_height (verdict_box), >=, gtk_widget_get_height (GTK_WIDGET (T.window)) / 2);

  /* The check and its verdict are in the audit log. */
  checks = ec_kiosk_harness_audit_entries (&T, c->resident, "allergy-check");
  g_assert_cmpuint (checks->len, >, 0);
  last = g_ptr_array_index (checks, checks->len - 1);
  g_assert_nonnull (strstr (last->detail, "verdict=stop"));
  g_assert_nonnull (strstr (last->detail, "amoxicillin"));
  g_assert_cmpint (last->actor_role, ==, EC_ROLE_NURSE);
  g_assert_cmpstr (last->purpose, ==, EC_DB_PURPOSE_NURSE_CHECK);
}

static gboolean
outcome_recorded (gpointer data)
{
  g_autofree char *text = ec_kiosk_harness_text (&T);
  return strstr (text, "Recorded in the audit log") != NULL || strstr (text, "Not recorded") != NULL;
}

static void
test_record_withheld (void)
{
  const EcDemoCard *c = ec_kiosk_harness_card (&T, PENICILLIN_CARD);
  g_autoptr(GPtrArray) before = ec_kiosk_harness_audit_entries (&T, c->resident, "injection-withheld");
  g_autoptr(GPtrArray) after = NULL;
  g_autofree char *text = NULL;
  g_autofree char *screen = NULL;
  const EcAuditEntry *last;

  ec_kiosk_harness_tap_record (&T, PENICILLIN_CARD, CARD_MS);
  text = check_drug ("阿莫西林");
  ec_test_assert_contains (text, "STOP — do not inject");
  /* After STOP the safe action is the prominent one, first, and can be pressed at
   * once; "given" is plain, not the eye-catching red (issue 14). */
  {
    GtkWidget *withheld = page_widget ("nurse-withheld-button");
    GtkWidget *given = page_widget ("nurse-given-button");
    graphene_rect_t w, g;
    g_autoptr(GPtrArray) none = NULL;

    g_assert_true (gtk_widget_is_sensitive (withheld));
    g_assert_true (gtk_widget_has_css_class (withheld, "suggested-action"));
    g_assert_false (gtk_widget_has_css_class (given, "destructive-action"));
    g_assert_false (gtk_widget_has_css_class (given, "suggested-action"));
    ec_test_spin (50);
    g_assert_true (gtk_widget_compute_bounds (withheld, GTK_WIDGET (T.window), &w));
    g_assert_true (gtk_widget_compute_bounds (given, GTK_WIDGET (T.window), &g));
    g_assert_cmpfloat (w.origin.y, <, g.origin.y);
    /* No nurse id, no record: it asks for one, in the field, with the keyboard there. */
    press ("nurse-withheld-button");
    ec_test_spin (100);
    g_assert_true (gtk_widget_has_css_class (page_widget ("nurse-id-entry"), "error"));
    g_assert_cmpstr (gtk_entry_get_placeholder_text (GTK_ENTRY (page_widget ("nurse-id-entry"))), ==,
                     "Type your nurse ID first");
    none = ec_kiosk_harness_audit_entries (&T, c->resident, "injection-withheld");
    g_assert_cmpuint (none->len, ==, before->len);
  }
  type_into ("nurse-dose-entry", "0.5 g");
  type_into ("nurse-id-entry", "N007");
  press ("nurse-withheld-button");
  g_assert_true (ec_test_wait_until (outcome_recorded, NULL, CHECK_MS));
  screen = ec_kiosk_harness_text (&T);
  ec_test_assert_contains (screen, "Recorded in the audit log: injection withheld");
  ec_test_assert_contains (screen, "N007");
  /* Once only. */
  g_assert_false (gtk_widget_is_sensitive (page_widget ("nurse-withheld-button")));
  g_assert_false (gtk_widget_is_sensitive (page_widget ("nurse-given-button")));

  after = ec_kiosk_harness_audit_entries (&T, c->resident, "injection-withheld");
  g_assert_cmpuint (after->len, ==, before->len + 1);
  last = g_ptr_array_index (after, after->len - 1);
  g_test_message ("audit: %s", last->detail);
  g_assert_true (g_str_has_prefix (last->detail, "drug=amoxicillin "));
  g_assert_nonnull (strstr (last->detail, "drug_text=\"阿莫西林\""));
  g_assert_nonnull (strstr (last->detail, "dose=\"0.5 g\""));
  g_assert_nonnull (strstr (last->detail, "nurse=\"N007\""));
  g_assert_nonnull (strstr (last->detail, " at="));
  g_assert_nonnull (strstr (last->detail, "verdict=stop"));
  g_assert_cmpint (last->actor_role, ==, EC_ROLE_NURSE);
  g_assert_cmpstr (last->purpose, ==, EC_DB_PURPOSE_NURSE_CHECK);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(EcDb) db = ec_db_open (T.demo->db_path, EC_DB_OPEN_READ_WRITE, &error);
    g_assert_true (ec_db_audit_verify (db, NULL, NULL, &error));
    g_assert_no_error (error);
  }
}

static void
test_given_after_stop_asks (void)
{
  const EcDemoCard *c = ec_kiosk_harness_card (&T, PENICILLIN_CARD);
  g_autoptr(GPtrArray) before = ec_kiosk_harness_audit_entries (&T, c->resident, "injection-given");
  g_autoptr(GPtrArray) cancelled = NULL, after = NULL;
  g_autofree char *text = NULL;
  GtkWindow *dialog;
  const EcAuditEntry *last;

  ec_kiosk_harness_tap_record (&T, PENICILLIN_CARD, CARD_MS);
  g_free (check_drug ("阿莫西林"));
  type_into ("nurse-id-entry", "N008");
  /* "Given" needs the dose. */
  g_assert_false (gtk_widget_is_sensitive (page_widget ("nurse-given-button")));
  type_into ("nurse-dose-entry", "0.5 g");
  /* After a STOP, "given" is asked for twice; cancelling records nothing. */
  press ("nurse-given-button");
  dialog = ec_test_wait_toplevel (ADW_TYPE_MESSAGE_DIALOG, 2000);
  g_assert_nonnull (dialog);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  gtk_window_destroy (dialog);
  ec_test_spin (200);
  cancelled = ec_kiosk_harness_audit_entries (&T, c->resident, "injection-given");
  g_assert_cmpuint (cancelled->len, ==, before->len);

  press ("nurse-given-button");
  dialog = ec_test_wait_toplevel (ADW_TYPE_MESSAGE_DIALOG, 2000);
  g_assert_nonnull (dialog);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "given");
  gtk_window_destroy (dialog);
  g_assert_true (ec_test_wait_until (outcome_recorded, NULL, CHECK_MS));
  text = ec_kiosk_harness_text (&T);
  ec_test_assert_contains (text, "Recorded in the audit log: injection given");
  after = ec_kiosk_harness_audit_entries (&T, c->resident, "injection-given");
  g_assert_cmpuint (after->len, ==, before->len + 1);
  last = g_ptr_array_index (after, after->len - 1);
  g_assert_nonnull (strstr (last->detail, "nurse=\"N008\""));
  g_assert_nonnull (strstr (last->detail, "verdict=stop"));
}

static void
test_no_recorded_conflict (void)
{
  g_autofree char *text = NULL;

  ec_kiosk_harness_tap_record (&T, NONE_KNOWN_CARD, CARD_MS);
  text = ec_kiosk_harness_text (&T);
  ec_test_assert_contains (text, "No known allergies");
  ec_test_assert_lacks (text, "Allergies unknown");
  g_clear_pointer (&text, g_free);
  text = check_drug ("维生素B12");
  g_assert_cmpint (ec_nurse_page_get_verdict (nurse_page ())->verdict, ==, EC_VERDICT_NO_RECORDED_CONFLICT);
  ec_test_assert_contains (text, "No recorded conflict");
  ec_test_assert_contains (text, "This does not mean the drug is safe.");
  ec_test_assert_contains (text, "The nurse's judgement and the prescription decide.");
  ec_test_assert_lacks (text, "STOP");
  ec_test_assert_lacks (text, "CAUTION");
}

/* Issue 19: a name that fits several products shows each with its result, and the
 * worst as the verdict (never "no recorded conflict" before the nurse picks one). */
static void
test_ambiguous_product (void)
{
  g_autofree char *text = NULL;
  const EcAllergyVerdict *v;
  GtkWidget *verdict_box;

  ec_kiosk_harness_tap_record (&T, NONE_KNOWN_CARD, CARD_MS);
  text = check_drug ("带状疱疹疫苗");
  v = ec_nurse_page_get_verdict (nurse_page ());
  g_assert_cmpint (v->verdict, ==, EC_VERDICT_CAUTION);
  g_assert_cmpuint (v->candidate_checks->len, ==, 2);
  ec_test_assert_contains (text, "CAUTION — check before injecting");
  ec_test_assert_contains (text, "It fits several products. The worst result is shown until you pick one");
  ec_test_assert_contains (text, "zoster vaccine live");
  ec_test_assert_contains (text, "recombinant zoster vaccine");
  ec_test_assert_lacks (text, "This does not mean the drug is safe.");
  verdict_box = ec_test_find_with_class (GTK_WIDGET (nurse_page ()), "ec-verdict");
  g_assert_true (gtk_widget_has_css_class (verdict_box, "ec-verdict-caution"));
}

static void
test_allergies_unknown_caution (void)
{
  g_autofree char *text = NULL;

  ec_kiosk_harness_tap_record (&T, UNKNOWN_CARD, CARD_MS);
  text = ec_kiosk_harness_text (&T);
  ec_test_assert_contains (text, "Allergies unknown");
  ec_test_assert_lacks (text, "No known allergies");
  g_clear_pointer (&text, g_free);
  /* "Allergies unknown" is never "no recorded conflict". */
  text = check_drug ("amoxicillin");
  g_assert_cmpint (ec_nurse_page_get_verdict (nurse_page ())->verdict, ==, EC_VERDICT_CAUTION);
  ec_test_assert_contains (text, "CAUTION");
  ec_test_assert_lacks (text, "No recorded conflict");
}

static void
test_unknown_drug (void)
{
  g_autofree char *text = NULL;

  ec_kiosk_harness_tap_record (&T, NONE_KNOWN_CARD, CARD_MS);
  text = check_drug ("XYZ-12345");
  g_assert_cmpint (ec_nurse_page_get_verdict (nurse_page ())->verdict, ==, EC_VERDICT_UNKNOWN_DRUG);
  ec_test_assert_contains (text, "Not in the table: check manually");
  ec_test_assert_contains (text, "XYZ-12345");
  /* What to check it against is on the same screen. */
  ec_test_assert_contains (text, "No known allergies");
  ec_test_assert_contains (text, "Current medications");
  ec_test_assert_contains (text, "The nurse's judgement and the prescription decide.");
  ec_test_assert_lacks (text, "No recorded conflict");

  /* Back to the record for another drug. */
  press ("nurse-back-button");
  ec_test_spin (50);
  g_assert_cmpint (ec_nurse_page_get_state (nurse_page ()), ==, EC_NURSE_PAGE_RECORD);
  g_clear_pointer (&text, g_free);
  text = ec_kiosk_harness_text (&T);
  ec_test_assert_contains (text, "Drug to give");
  ec_test_assert_lacks (text, "Not in the table");
}

static void
test_new_tap_replaces_verdict (void)
{
  const EcDemoCard *a = ec_kiosk_harness_card (&T, PENICILLIN_CARD);
  const EcDemoCard *b = ec_kiosk_harness_card (&T, NONE_KNOWN_CARD);
  g_autofree char *text = NULL;

  ec_kiosk_harness_tap_record (&T, a->file, CARD_MS);
  g_free (check_drug ("阿莫西林"));
  ec_kiosk_harness_tap_record (&T, b->file, CARD_MS);
  g_assert_cmpint (ec_nurse_page_get_state (nurse_page ()), ==, EC_NURSE_PAGE_RECORD);
  g_assert_null (ec_nurse_page_get_verdict (nurse_page ()));
  text = ec_kiosk_harness_text (&T);
  ec_test_assert_contains (text, b->name);
  ec_test_assert_lacks (text, a->name);
  ec_test_assert_lacks (text, "STOP");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (page_widget ("nurse-drug-entry"))), ==, "");
}

static void
test_idle_clear (void)
{
  const EcDemoCard *c = ec_kiosk_harness_card (&T, PENICILLIN_CARD);
  g_autofree char *text = NULL;

  ec_kiosk_harness_tap_record (&T, c->file, CARD_MS);
  g_free (check_drug ("阿莫西林"));
  type_into ("nurse-id-entry", "N007");
  ec_kiosk_controller_set_idle_timeout (T.controller, 1);
  g_assert_true (ec_kiosk_test_wait_screen (T.controller, EC_KIOSK_SCREEN_WAITING, 5000));
  ec_test_spin (50);
  text = ec_kiosk_harness_text (&T);
  ec_test_assert_contains (text, "Tap a card");
  ec_test_assert_lacks (text, c->name);
  ec_test_assert_lacks (text, "STOP");
  /* Nothing of the resident or the nurse's work is left in the page either. */
  g_assert_cmpint (ec_nurse_page_get_state (nurse_page ()), ==, EC_NURSE_PAGE_EMPTY);
  g_assert_null (ec_nurse_page_get_verdict (nurse_page ()));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (page_widget ("nurse-id-entry"))), ==, "");
  {
    g_autofree char *hidden = ec_test_visible_text (GTK_WIDGET (nurse_page ()));
    ec_test_assert_lacks (hidden, c->name);
  }
  ec_kiosk_controller_set_idle_timeout (T.controller, 60);
  ec_kiosk_harness_emu (&T, "remove");
}

static void
test_language_switch_during_check (void)
{
  g_autofree char *text = NULL;

  ec_kiosk_harness_tap_record (&T, PENICILLIN_CARD, CARD_MS);
  type_into ("nurse-drug-entry", "阿莫西林");
  /* The answer arrives after the page it was asked for is gone: it is dropped, and
   * the rebuilt page shows the record again, ready for a new check. */
  press ("nurse-check-button");
  ec_kiosk_window_set_language (T.window, "en");
  ec_test_spin (500);
  g_assert_cmpint (ec_nurse_page_get_state (nurse_page ()), ==, EC_NURSE_PAGE_RECORD);
  text = ec_kiosk_harness_text (&T);
  ec_test_assert_contains (text, "Drug to give");
  ec_test_assert_lacks (text, "STOP");
  g_free (check_drug ("阿莫西林"));
  g_assert_cmpint (ec_nurse_page_get_verdict (nurse_page ())->verdict, ==, EC_VERDICT_STOP);
}

static void
test_chinese (void)
{
  g_autofree char *text = NULL;

  ec_kiosk_controller_clear (T.controller);
  ec_kiosk_window_set_language (T.window, "zh");
  ec_test_spin (50);
  ec_kiosk_harness_tap_record (&T, PENICILLIN_CARD, CARD_MS);
  text = ec_kiosk_harness_text (&T);
  ec_test_assert_contains (text, "当前用药");
  g_clear_pointer (&text, g_free);
  text = check_drug ("阿莫西林");
  ec_test_assert_contains (text, "停止 — 不要注射");
  ec_test_assert_contains (text, "以护士判断和处方为准。");
  ec_test_assert_lacks (text, "STOP — do not inject");
  ec_kiosk_controller_clear (T.controller);
  ec_kiosk_window_set_language (T.window, "en");
  ec_test_spin (50);
}

/* ------------------------------------------------------------------------- */

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int rc;

  ec_kiosk_test_init (&argc, &argv, TRUE);
  ec_kiosk_harness_create_demo (&T, "test-kiosk-nurse-XXXXXX", 60);
  g_assert_true (ec_nurse_fixture_give_penicillin_allergy (T.demo, &error));
  g_assert_no_error (error);
  ec_kiosk_harness_start_emulator (&T, NULL, NULL);
  ec_kiosk_harness_load_config (&T);
  T.config->role = EC_ROLE_NURSE;
  ec_kiosk_harness_open (&T, TRUE);

  g_test_add_func ("/ec/kiosk/nurse/record-first", test_record_first);
  g_test_add_func ("/ec/kiosk/nurse/suggestions", test_suggestions);
  g_test_add_func ("/ec/kiosk/nurse/stop-amoxicillin", test_stop_amoxicillin);
  g_test_add_func ("/ec/kiosk/nurse/record-withheld", test_record_withheld);
  g_test_add_func ("/ec/kiosk/nurse/given-after-stop-asks", test_given_after_stop_asks);
  g_test_add_func ("/ec/kiosk/nurse/no-recorded-conflict", test_no_recorded_conflict);
  g_test_add_func ("/ec/kiosk/nurse/ambiguous-product", test_ambiguous_product);
  g_test_add_func ("/ec/kiosk/nurse/allergies-unknown-caution", test_allergies_unknown_caution);
  g_test_add_func ("/ec/kiosk/nurse/unknown-drug", test_unknown_drug);
  g_test_add_func ("/ec/kiosk/nurse/new-tap-replaces-verdict", test_new_tap_replaces_verdict);
  g_test_add_func ("/ec/kiosk/nurse/idle-clear", test_idle_clear);
  g_test_add_func ("/ec/kiosk/nurse/chinese", test_chinese);
  g_test_add_func ("/ec/kiosk/nurse/language-switch-during-check", test_language_switch_during_check);

  rc = g_test_run ();

  ec_kiosk_harness_close (&T, 100);
  return rc;
}
