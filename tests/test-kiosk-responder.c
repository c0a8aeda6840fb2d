/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-kiosk: the real kiosk window and controller, reading cards through the real
 * libnfc (its pn532_uart driver, in the reader's helper process) from the project's
 * PN532 emulator, on the fictional demo community. Every check reads what a person
 * would see: the visible labels of the window's widget tree. Runs under xvfb-run. */
#define G_LOG_DOMAIN "test-kiosk"

#include <sodium.h>

#include "ec-db.h"
#include "ec-demo-panel.h"
#include "ec-init.h"
#include "ec-kiosk-application.h"
#include "ec-kiosk-i18n.h"
#include "ec-kiosk-window.h"
#include "ec-lookup-page.h"
#include "ec-reason-dialog.h"
#include "kiosk-test-harness.h"

/* Generous bounds: a sanitizer build under a loaded CI machine is slow. */
#define READER_READY_MS 15000
#define CARD_MS         10000

static EcKioskHarness T;

/* The phone as the screen groups it (139 0000 1234) or as stored. */
static void
assert_phone_shown (const char *text,
                    const char *phone)
{
  g_autoptr(GString) digits = g_string_new (NULL);
  g_autoptr(GString) screen = g_string_new (NULL);

  for (const char *p = phone; *p; p++)
    if (g_ascii_isdigit (*p))
      g_string_append_c (digits, *p);
  for (const char *p = text; *p; p++)
    if (g_ascii_isdigit (*p))
      g_string_append_c (screen, *p);
  if (strstr (screen->str, digits->str) == NULL)
    g_error ("expected phone %s on screen; the screen shows:\n%s", phone, text);
}

/* Every button a person can touch is at least 48 × 48 px (the window's own minimise and
 * close buttons aside: kiosk mode hides them). Returns how many were checked. */
static guint
check_touch_targets (GtkWidget *widget)
{
  guint n = 0;

  if (!gtk_widget_get_visible (widget) || !gtk_widget_get_child_visible (widget)
      || GTK_IS_WINDOW_CONTROLS (widget))
    return 0;
  if ((GTK_IS_BUTTON (widget) || GTK_IS_LIST_BOX_ROW (widget)) && gtk_widget_get_mapped (widget))
    {
      int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
      if (w < 48 || h < 48)
        g_error ("a %s of %d × %d px (%s): touch targets must be ≥ 48 px",
                 G_OBJECT_TYPE_NAME (widget), w, h,
                 GTK_IS_BUTTON (widget) && gtk_button_get_label (GTK_BUTTON (widget)) != NULL
                 ? gtk_button_get_label (GTK_BUTTON (widget)) : "");
      n++;
    }
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    n += check_touch_targets (c);
  return n;
}

/* ------------------------------------------------------------------------- */

static void
test_touch_targets (void)
{
  guint n;

  ec_kiosk_controller_clear (T.controller);
  ec_test_spin (100);
  n = check_touch_targets (GTK_WIDGET (T.window));
  g_assert_cmpuint (n, >=, 3);   /* language, staff menu, search */
  ec_kiosk_harness_tap_card (&T, "01-valid-allergies", CARD_MS);
  ec_test_spin (200);
  g_assert_cmpuint (check_touch_targets (GTK_WIDGET (T.window)), >=, 4);
  ec_kiosk_harness_tap_card (&T, "05-forged", CARD_MS);
  ec_test_spin (200);
  g_assert_cmpuint (check_touch_targets (GTK_WIDGET (T.window)), >=, 4);
  ec_kiosk_controller_open_lookup (T.controller);
  ec_lookup_page_search (EC_LOOKUP_PAGE (ec_kiosk_window_get_page (T.window, EC_KIOSK_SCREEN_LOOKUP)), "wang");
  ec_test_spin (500);
  g_assert_cmpuint (check_touch_targets (GTK_WIDGET (T.window)), >=, 3);
  ec_kiosk_harness_emu (&T, "remove");
  ec_kiosk_controller_clear (T.controller);
}

static void
test_reader_ready (void)
{
  g_autofree char *text = NULL;

  g_assert_true (ec_kiosk_test_wait_reader (T.controller, EC_KIOSK_READER_READY, READER_READY_MS));
  ec_test_spin (50);
  g_assert_cmpint (ec_kiosk_controller_get_screen (T.controller), ==, EC_KIOSK_SCREEN_WAITING);
  text = ec_kiosk_harness_text (&T);
  ec_test_assert_contains (text, "Tap a card");
  ec_test_assert_contains (text, "Reader ready");
  ec_test_assert_contains (text, "Search residents");
}

static void
check_record_card (const char *file)
{
  const EcDemoCard *c = ec_kiosk_harness_card (&T, file);
  EcKioskResult *r;
  g_autofree char *text = NULL;

  ec_kiosk_harness_tap_card (&T, file, CARD_MS);
  g_assert_cmpint (ec_kiosk_controller_get_screen (T.controller), ==, EC_KIOSK_SCREEN_RECORD);
  r = ec_kiosk_controller_get_result (T.controller);
  g_assert_cmpuint (r->resident->id, ==, c->resident);
  g_assert_true (ec_kiosk_window_get_visible_page (T.window)
                 == ec_kiosk_window_get_page (T.window, EC_KIOSK_SCREEN_RECORD));
  text = ec_kiosk_harness_text (&T);
  ec_test_assert_contains (text, c->name);
  if (c->first_allergy != NULL)
    {
      ec_test_assert_contains (text, c->first_allergy);
      /* The demo's first card holder has a high-criticality allergy. */
      if (g_str_equal (file, "01-valid-allergies"))
        ec_test_assert_contains (text, "HIGH RISK");
    }
  if (c->first_contact_phone != NULL)
    assert_phone_shown (text, c->first_contact_phone);
  ec_test_assert_contains (text, "Emergency contacts (call in this order)");
}

static void
test_card_valid_allergies (void)
{
  g_autofree char *text = NULL;

  check_record_card ("01-valid-allergies");
  text = ec_kiosk_harness_text (&T);
  ec_test_assert_lacks (text, "No known allergies");
  ec_test_assert_lacks (text, "Allergies unknown");
  ec_test_assert_lacks (text, "Card out of date");
}

static void
test_card_no_known_allergies (void)
{
  g_autofree char *text = NULL;

  check_record_card ("02-valid-no-known-allergies");
  text = ec_kiosk_harness_text (&T);
  ec_test_assert_contains (text, "No known allergies");
  ec_test_assert_lacks (text, "Allergies unknown");
}

static void
test_card_allergies_unknown (void)
{
  g_autofree char *text = NULL;

  check_record_card ("03-valid-allergies-unknown");
  text = ec_kiosk_harness_text (&T);
  ec_test_assert_contains (text, "Allergies unknown");
  ec_test_assert_lacks (text, "No known allergies");
}

static void
test_card_out_of_date (void)
{
  g_autofree char *text = NULL;

  check_record_card ("04-valid-card-out-of-date");
  g_assert_true (ec_kiosk_controller_get_result (T.controller)->card_outdated);
  text = ec_kiosk_harness_text (&T);
  ec_test_assert_contains (text, "Card out of date");
}

typedef struct
{
  const char     *command;   /* a demo card file, or an emulator command */
  EcKioskProblem  problem;
  const char     *title;
} ProblemCase;

static void
test_card_problem (gconstpointer data)
{
  const ProblemCase *pc = data;
  g_autofree char *text = NULL;
  EcKioskResult *r;

  if (g_str_has_prefix (pc->command, "place"))
    ec_kiosk_harness_tap (&T, pc->command, CARD_MS);
  else
    ec_kiosk_harness_tap_card (&T, pc->command, CARD_MS);
  g_assert_cmpint (ec_kiosk_controller_get_screen (T.controller), ==, EC_KIOSK_SCREEN_PROBLEM);
  r = ec_kiosk_controller_get_result (T.controller);
  g_assert_cmpstr (ec_kiosk_problem_to_string (r->problem), ==, ec_kiosk_problem_to_string (pc->problem));
  text = ec_kiosk_harness_text (&T);
  ec_test_assert_contains (text, pc->title);
  /* Never a dead end: the next step and manual lookup are on screen. */
  ec_test_assert_contains (text, "Search residents");
  if (pc->problem != EC_KIOSK_PROBLEM_NOT_IN_DATABASE)
    {
      ec_test_assert_contains (text, "What to do now");
      /* Refused cards show no resident data at all. */
      g_assert_null (r->resident);
      for (guint i = 0; i < T.demo->n_cards; i++)
        ec_test_assert_lacks (text, T.demo->cards[i].name);
    }
}

static void
test_card_not_in_database (void)
{
  const EcDemoCard *c = ec_kiosk_harness_card (&T, "08-not-in-database");
  g_autofree char *text = NULL;
  EcKioskResult *r;

  ec_kiosk_harness_tap_card (&T, "08-not-in-database", CARD_MS);
  r = ec_kiosk_controller_get_result (T.controller);
  g_assert_cmpint (r->problem, ==, EC_KIOSK_PROBLEM_NOT_IN_DATABASE);
  g_assert_cmpint (r->source, ==, EC_KIOSK_SOURCE_CARD_SUMMARY);
  text = ec_kiosk_harness_text (&T);
  /* The card's own summary, marked as such. */
  ec_test_assert_contains (text, "Resident not in this kiosk's records");
  ec_test_assert_contains (text, "shown from the card itself");
  ec_test_assert_contains (text, c->name);
  if (c->first_contact_phone != NULL)
    assert_phone_shown (text, c->first_contact_phone);
}

static void
test_new_tap_replaces_record (void)
{
  const EcDemoCard *a = ec_kiosk_harness_card (&T, "01-valid-allergies");
  const EcDemoCard *b = ec_kiosk_harness_card (&T, "02-valid-no-known-allergies");
  g_autofree char *text = NULL;

  ec_kiosk_harness_tap_card (&T, "01-valid-allergies", CARD_MS);
  /* The next card: the first resident's record must be gone from the screen at once. */
  ec_kiosk_harness_emu (&T, "remove");
  ec_test_spin (300);
  {
    g_autofree char *cmd = ec_kiosk_harness_place_card_command (&T, b->file);
    ec_kiosk_harness_emu (&T, cmd);
  }
  g_assert_true (ec_kiosk_test_wait_screen (T.controller, EC_KIOSK_SCREEN_READING, CARD_MS)
                 || ec_kiosk_controller_get_result (T.controller)->resident->id == b->resident);
  g_assert_true (ec_kiosk_test_wait_settled (T.controller, CARD_MS));
  ec_test_spin (50);
  text = ec_kiosk_harness_text (&T);
  ec_test_assert_contains (text, b->name);
  ec_test_assert_lacks (text, a->name);
}

static void
on_screen_time_cb (EcKioskController *controller,
                   GParamSpec        *pspec,
                   gint64            *times)
{
  EcKioskScreen s = ec_kiosk_controller_get_screen (controller);

  if (s == EC_KIOSK_SCREEN_RECORD)
    times[0] = g_get_monotonic_time ();
  else if (s == EC_KIOSK_SCREEN_WAITING && times[0] != 0 && times[1] == 0)
    times[1] = g_get_monotonic_time ();
}

static void
test_idle_clear (void)
{
  const EcDemoCard *c = ec_kiosk_harness_card (&T, "01-valid-allergies");
  g_autofree char *text = NULL;
  gint64 times[2] = { 0, 0 };   /* record shown, back to waiting */
  gulong id;

  ec_kiosk_controller_set_idle_timeout (T.controller, 1);
  id = g_signal_connect (T.controller, "notify::screen", G_CALLBACK (on_screen_time_cb), times);
  ec_kiosk_harness_tap_card (&T, c->file, CARD_MS);
  g_assert_cmpint (ec_kiosk_controller_get_screen (T.controller), ==, EC_KIOSK_SCREEN_RECORD);
  g_assert_true (ec_kiosk_test_wait_screen (T.controller, EC_KIOSK_SCREEN_WAITING, 5000));
  g_signal_handler_disconnect (T.controller, id);
  /* Cleared by the timeout (1 s after the record appeared), not earlier. */
  g_assert_cmpint (times[0], >, 0);
  g_assert_cmpint (times[1] - times[0], >=, 900 * 1000);   /* the record renders after the timer starts */
  ec_test_spin (50);
  text = ec_kiosk_harness_text (&T);
  ec_test_assert_contains (text, "Tap a card");
  ec_test_assert_lacks (text, c->name);
  g_assert_null (ec_kiosk_controller_get_result (T.controller));
  ec_kiosk_controller_set_idle_timeout (T.controller, 60);
  ec_kiosk_harness_emu (&T, "remove");
}

static void
test_unplug_replug (void)
{
  g_autofree char *lost = NULL, *back = NULL;

  g_assert_true (ec_kiosk_test_wait_reader (T.controller, EC_KIOSK_READER_READY, READER_READY_MS));
  ec_kiosk_harness_emu (&T, "unplug");
  g_assert_true (ec_kiosk_test_wait_reader_not (T.controller, EC_KIOSK_READER_READY, READER_READY_MS));
  ec_test_spin (50);
  lost = ec_kiosk_harness_text (&T);
  if (ec_kiosk_controller_get_reader_state (T.controller) == EC_KIOSK_READER_LOST)
    ec_test_assert_contains (lost, "Reader lost, reconnecting");
  else
    ec_test_assert_contains (lost, "No card reader");
  ec_test_assert_lacks (lost, "Reader ready");
  /* The UI stays responsive meanwhile: manual lookup opens at once. */
  ec_kiosk_controller_open_lookup (T.controller);
  ec_test_spin (50);
  g_assert_cmpint (ec_kiosk_controller_get_screen (T.controller), ==, EC_KIOSK_SCREEN_LOOKUP);
  ec_kiosk_controller_clear (T.controller);

  ec_kiosk_harness_emu (&T, "replug");
  g_assert_true (ec_kiosk_test_wait_reader (T.controller, EC_KIOSK_READER_READY, READER_READY_MS));
  ec_test_spin (50);
  back = ec_kiosk_harness_text (&T);
  ec_test_assert_contains (back, "Reader ready");
  /* And cards read again. */
  check_record_card ("02-valid-no-known-allergies");
}

static void
test_reader_stall (void)
{
  g_autofree char *text = NULL;
  gint64 t0;

  /* No card in the field: a read of a card left there from the previous test could
   * otherwise finish late, after the recovery, and be taken for the next tap. */
  ec_kiosk_harness_emu (&T, "remove");
  ec_kiosk_controller_clear (T.controller);
  g_assert_true (ec_kiosk_test_wait_reader (T.controller, EC_KIOSK_READER_READY, READER_READY_MS));
  ec_test_spin (300);
  /* The reader stops answering altogether (a hung USB reader). */
  ec_kiosk_harness_emu (&T, "stall");
  g_assert_true (ec_kiosk_test_wait_reader_not (T.controller, EC_KIOSK_READER_READY, READER_READY_MS));
  /* The main loop never waited on it: a screen change is immediate. */
  t0 = g_get_monotonic_time ();
  ec_kiosk_controller_open_lookup (T.controller);
  ec_test_spin (20);
  g_assert_cmpint (ec_kiosk_controller_get_screen (T.controller), ==, EC_KIOSK_SCREEN_LOOKUP);
  g_assert_cmpint (g_get_monotonic_time () - t0, <, 2 * G_USEC_PER_SEC);
  ec_kiosk_controller_clear (T.controller);
  ec_test_spin (50);
  text = ec_kiosk_harness_text (&T);
  ec_test_assert_lacks (text, "Reader ready");
  /* It answers again: the kiosk recovers by itself and reads cards. */
  ec_kiosk_harness_emu (&T, "unstall");
  g_assert_true (ec_kiosk_test_wait_reader (T.controller, EC_KIOSK_READER_READY, READER_READY_MS));
  check_record_card ("03-valid-allergies-unknown");
  ec_kiosk_harness_emu (&T, "remove");
}

static void
test_language_switch (void)
{
  g_autofree char *zh = NULL, *en = NULL;

  ec_kiosk_controller_clear (T.controller);
  ec_kiosk_window_set_language (T.window, "zh");
  ec_test_spin (50);
  zh = ec_kiosk_harness_text (&T);
  ec_test_assert_contains (zh, "请刷卡");
  ec_test_assert_contains (zh, "读卡器就绪");
  ec_test_assert_lacks (zh, "Tap a card");

  /* The record re-renders in the new language too. */
  ec_kiosk_harness_tap_card (&T, "02-valid-no-known-allergies", CARD_MS);
  {
    g_autofree char *rec = ec_kiosk_harness_text (&T);
    ec_test_assert_contains (rec, "无已知过敏");
    ec_test_assert_contains (rec, "紧急联系人");
  }

  ec_kiosk_window_set_language (T.window, "en");
  ec_test_spin (50);
  en = ec_kiosk_harness_text (&T);
  ec_test_assert_contains (en, "No known allergies");
  ec_test_assert_lacks (en, "无已知过敏");
  ec_kiosk_controller_clear (T.controller);
}

static gboolean
lookup_has_results (gpointer data)
{
  return ec_lookup_page_get_n_results (data) > 0;
}

static void
test_manual_lookup (void)
{
  const EcDemoCard *c = ec_kiosk_harness_card (&T, "01-valid-allergies");
  g_autoptr(EcDb) db = NULL;
  g_autoptr(EcResident) r = NULL;
  g_autoptr(GPtrArray) audit = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  EcActor actor = { EC_ROLE_ADMIN, "test" };
  GtkWidget *page;
  GtkListBoxRow *row;
  GtkWindow *dialog;
  EcAuditFilter filter = { .resident_id = c->resident, .action = "view" };
  gboolean found = FALSE;

  db = ec_db_open (T.demo->db_path, EC_DB_OPEN_READ_WRITE, &error);
  g_assert_no_error (error);
  g_assert_true (ec_db_get_resident (db, c->resident, &actor, EC_DB_PURPOSE_EXPORT, NULL, &r, &error));

  ec_kiosk_controller_open_lookup (T.controller);
  ec_test_spin (50);
  page = ec_kiosk_window_get_page (T.window, EC_KIOSK_SCREEN_LOOKUP);
  g_assert_true (ec_kiosk_window_get_visible_page (T.window) == page);
  /* Touch alone: the pinyin typed on the page's own keyboard. */
  ec_lookup_page_type (EC_LOOKUP_PAGE (page), r->name_pinyin);
  g_assert_true (ec_test_wait_until (lookup_has_results, page, CARD_MS));
  ec_test_spin (50);
  text = ec_test_visible_text (page);
  ec_test_assert_contains (text, c->name);

  /* Touch the resident's row: the reason dialog comes first. */
  {
    /* Find the results list in the page and activate the row for our resident. */
    GtkWidget *w = page;
    GtkListBox *list = NULL;
    GQueue q = G_QUEUE_INIT;
    g_queue_push_tail (&q, w);
    while (!g_queue_is_empty (&q) && list == NULL)
      {
        GtkWidget *x = g_queue_pop_head (&q);
        if (GTK_IS_LIST_BOX (x))
          list = GTK_LIST_BOX (x);
        for (GtkWidget *ch = gtk_widget_get_first_child (x); ch != NULL; ch = gtk_widget_get_next_sibling (ch))
          g_queue_push_tail (&q, ch);
      }
    g_queue_clear (&q);
    g_assert_nonnull (list);
    for (int i = 0; (row = gtk_list_box_get_row_at_index (list, i)) != NULL; i++)
      {
        const EcResidentId *id = g_object_get_data (G_OBJECT (row), "ec-resident-id");
        if (id != NULL && *id == c->resident)
          break;
      }
    g_assert_nonnull (row);
    g_signal_emit_by_name (list, "row-activated", row);
  }
  dialog = ec_test_wait_toplevel (EC_TYPE_REASON_DIALOG, 2000);
  g_assert_nonnull (dialog);
  /* No reason, no record: "open" is disabled until one is given. */
  g_assert_false (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "open"));
  ec_reason_dialog_choose (EC_REASON_DIALOG (dialog), 0);
  g_assert_true (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "open"));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "open");
  g_assert_true (ec_kiosk_test_wait_screen (T.controller, EC_KIOSK_SCREEN_RECORD, CARD_MS));
  ec_test_spin (50);
  g_clear_pointer (&text, g_free);
  text = ec_kiosk_harness_text (&T);
  ec_test_assert_contains (text, c->name);
  ec_test_assert_contains (text, "Opened by manual search");
  ec_test_assert_contains (text, "card missing");

  /* Audited as emergency access, with the reason and the kiosk's role. */
  g_assert_true (ec_db_audit_list (db, &filter, &audit, &error));
  for (guint i = 0; i < audit->len; i++)
    {
      EcAuditEntry *e = g_ptr_array_index (audit, i);
      if (g_strcmp0 (e->purpose, EC_DB_PURPOSE_MANUAL_LOOKUP) == 0)
        {
          g_assert_cmpstr (e->reason, ==, "card missing");
          g_assert_cmpint (e->actor_role, ==, EC_ROLE_RESPONDER);
          g_assert_cmpstr (e->actor_id, ==, "demo-kiosk");
          found = TRUE;
        }
    }
  g_assert_true (found);
  ec_kiosk_controller_clear (T.controller);
}

static void
test_card_view_audited (void)
{
  const EcDemoCard *c = ec_kiosk_harness_card (&T, "02-valid-no-known-allergies");
  g_autoptr(EcDb) db = NULL;
  g_autoptr(GPtrArray) before = NULL, after = NULL;
  g_autoptr(GError) error = NULL;
  EcAuditFilter filter = { .resident_id = c->resident, .action = "view" };
  EcAuditEntry *last;

  db = ec_db_open (T.demo->db_path, EC_DB_OPEN_READ_WRITE, &error);
  g_assert_no_error (error);
  g_assert_true (ec_db_audit_list (db, &filter, &before, &error));
  ec_kiosk_harness_tap_card (&T, c->file, CARD_MS);
  g_assert_true (ec_db_audit_list (db, &filter, &after, &error));
  g_assert_cmpuint (after->len, ==, before->len + 1);
  last = g_ptr_array_index (after, after->len - 1);
  g_assert_cmpstr (last->purpose, ==, EC_DB_PURPOSE_CARD_TAP);
  g_assert_cmpint (last->actor_role, ==, EC_ROLE_RESPONDER);
  g_assert_cmpstr (last->actor_id, ==, "demo-kiosk");
  g_assert_true (ec_db_audit_verify (db, NULL, NULL, &error));
  g_assert_no_error (error);
}

static void
test_demo_panel (void)
{
  const EcDemoCard *c = ec_kiosk_harness_card (&T, "02-valid-no-known-allergies");
  GtkWidget *panel = ec_demo_panel_new (T.demo->dir);
  g_autofree char *cmd = ec_kiosk_harness_place_card_command (&T, c->file);
  g_autofree char *text = NULL;

  /* Ten demo cards and the unsupported one, as buttons beside the screens. */
  g_assert_cmpuint (ec_demo_panel_get_n_cards (EC_DEMO_PANEL (panel)), ==, T.demo->n_cards + 1);
  ec_kiosk_window_set_side_panel (T.window, panel);
  text = ec_test_visible_text (panel);
  ec_test_assert_contains (text, "Valid card, no known allergies");
  ec_test_assert_contains (text, "Unplug the reader");

  /* A button press goes through the emulator's control socket to the real reader. */
  ec_kiosk_harness_emu (&T, "remove");
  ec_kiosk_controller_clear (T.controller);
  ec_test_spin (300);
  ec_demo_panel_send (EC_DEMO_PANEL (panel), cmd);
  g_assert_true (ec_kiosk_test_wait_settled (T.controller, CARD_MS));
  g_assert_cmpuint (ec_kiosk_controller_get_result (T.controller)->resident->id, ==, c->resident);
  ec_demo_panel_send (EC_DEMO_PANEL (panel), "remove");
  ec_test_spin (300);
  ec_kiosk_window_set_side_panel (T.window, NULL);
  ec_kiosk_controller_clear (T.controller);
}

/* A second kiosk beside the first, with other keys, database or reader; cards go in
 * as tag image files. */
typedef struct
{
  EcKioskController *controller;
  EcKioskWindow     *window;
} Spare;

static void
spare_open (Spare      *sp,
            const char *keys_dir,
            const char *db_path,
            const char *device)
{
  g_autoptr(EcConfig) config = ec_config_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (ec_config_load_file (config, T.demo->conf_path, &error));
  if (keys_dir != NULL)
    {
      g_free (config->keys_dir);
      config->keys_dir = g_strdup (keys_dir);
    }
  if (db_path != NULL)
    {
      g_free (config->db_path);
      config->db_path = g_strdup (db_path);
    }
  config->device = g_strdup (device);
  sp->controller = ec_kiosk_controller_new (config);
  sp->window = ec_kiosk_window_new (NULL, sp->controller, config, FALSE);
  gtk_window_present (GTK_WINDOW (sp->window));
}

static void
spare_close (Spare *sp)
{
  gtk_window_destroy (GTK_WINDOW (sp->window));
  ec_kiosk_controller_stop (sp->controller);
  ec_test_spin (50);
  g_assert_finalize_object (sp->controller);
}

static void
test_no_keys (void)
{
  g_autofree char *empty = g_build_filename (T.dir, "no-keys", NULL);
  g_autofree char *card = g_build_filename (T.demo->dir, "cards", "01-valid-allergies.tag", NULL);
  g_autofree char *text = NULL;
  Spare sp;

  g_assert_cmpint (g_mkdir_with_parents (empty, 0700), ==, 0);
  spare_open (&sp, empty, NULL, NULL);
  ec_kiosk_controller_submit_image_file (sp.controller, card);
  g_assert_true (ec_kiosk_test_wait_settled (sp.controller, CARD_MS));
  ec_test_spin (50);
  g_assert_cmpint (ec_kiosk_controller_get_result (sp.controller)->problem, ==, EC_KIOSK_PROBLEM_NOT_SET_UP);
  text = ec_test_visible_text (GTK_WIDGET (sp.window));
  ec_test_assert_contains (text, "Kiosk not set up");
  ec_test_assert_lacks (text, ec_kiosk_harness_card (&T, "01-valid-allergies")->name);
  spare_close (&sp);
}

static void
test_database_unavailable (void)
{
  g_autofree char *missing = g_build_filename (T.dir, "no-such-dir", "eldercard.db", NULL);
  g_autofree char *card = g_build_filename (T.demo->dir, "cards", "01-valid-allergies.tag", NULL);
  g_autofree char *text = NULL;
  const EcDemoCard *c = ec_kiosk_harness_card (&T, "01-valid-allergies");
  EcKioskResult *r;
  Spare sp;

  /* A genuine card and no database: fail open on care — the card's own summary. */
  spare_open (&sp, NULL, missing, NULL);
  ec_kiosk_controller_submit_image_file (sp.controller, card);
  g_assert_true (ec_kiosk_test_wait_settled (sp.controller, CARD_MS));
  ec_test_spin (50);
  r = ec_kiosk_controller_get_result (sp.controller);
  g_assert_cmpint (r->problem, ==, EC_KIOSK_PROBLEM_DATABASE);
  g_assert_cmpint (r->source, ==, EC_KIOSK_SOURCE_CARD_SUMMARY);
  text = ec_test_visible_text (GTK_WIDGET (sp.window));
  ec_test_assert_contains (text, "Records cannot be opened");
  /* … and says that nobody could check whether the card was revoked (issue 11). */
  ec_test_assert_contains (text, "Revocation could not be checked");
  ec_test_assert_contains (text, c->name);
  ec_test_assert_contains (text, c->first_allergy);
  spare_close (&sp);
}

static gboolean
spare_reader_none (gpointer data)
{
  Spare *sp = data;
  return ec_kiosk_controller_get_reader_state (sp->controller) == EC_KIOSK_READER_NONE
         && ec_kiosk_controller_get_reader_message (sp->controller) != NULL;
}

static void
test_no_reader (void)
{
  g_autofree char *device = g_strdup_printf ("pn532_uart:%s/no-such-reader", T.dir);
  g_autofree char *text = NULL;
  Spare sp;

  spare_open (&sp, NULL, NULL, device);
  ec_kiosk_controller_start (sp.controller);
  g_assert_true (ec_test_wait_until (spare_reader_none, &sp, READER_READY_MS));
  ec_test_spin (50);
  text = ec_test_visible_text (GTK_WIDGET (sp.window));
  ec_test_assert_contains (text, "No card reader");
  ec_test_assert_contains (text, "Plug the USB card reader in");
  ec_test_assert_contains (text, "No card? Search residents");
  spare_close (&sp);
}

static void
store_result_cb (GObject      *source,
                 GAsyncResult *res,
                 gpointer      data)
{
  *(GAsyncResult **) data = g_object_ref (res);
}

static gboolean
have_result (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

static void
test_kiosk_mode_refuses_close (void)
{
  g_autoptr(EcConfig) config = ec_config_new ();
  g_autoptr(EcKioskController) controller = NULL;
  EcKioskWindow *w;
  GtkWidget *weak;

  g_free (config->db_path);
  config->db_path = g_strdup (T.demo->db_path);
  /* [kiosk] exit-pin, as `eldercard-kiosk --hash-exit-pin` makes it (cheap cost here). */
  config->exit_pin_hash = g_malloc (crypto_pwhash_STRBYTES);
  g_assert_cmpint (crypto_pwhash_str (config->exit_pin_hash, "246810", 6, crypto_pwhash_OPSLIMIT_MIN,
                                      crypto_pwhash_MEMLIMIT_MIN), ==, 0);
  controller = ec_kiosk_controller_new (config);
  w = ec_kiosk_window_new (NULL, controller, config, TRUE);
  weak = GTK_WIDGET (w);
  g_object_add_weak_pointer (G_OBJECT (w), (gpointer *) &weak);
  gtk_window_present (GTK_WINDOW (w));
  ec_test_spin (100);
  g_assert_true (ec_kiosk_window_get_locked (w));
  /* Alt-F4 or the compositor's close: refused, the window stays. */
  gtk_window_close (GTK_WINDOW (w));
  ec_test_spin (100);
  g_assert_nonnull (weak);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (w)));
  g_assert_false (gtk_window_get_deletable (GTK_WINDOW (w)));

  /* Staff leave with the exit PIN: a wrong one is refused, both are audited. */
  {
    g_autoptr(GAsyncResult) res = NULL;
    g_autoptr(GError) error = NULL;

    ec_kiosk_window_unlock_async (w, "000000", NULL, store_result_cb, &res);
    g_assert_true (ec_test_wait_until (have_result, &res, 20000));
    g_assert_false (ec_kiosk_window_unlock_finish (w, res, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
    g_assert_true (ec_kiosk_window_get_locked (w));
    g_clear_object (&res);
    ec_kiosk_window_unlock_async (w, "246810", NULL, store_result_cb, &res);
    g_assert_true (ec_test_wait_until (have_result, &res, 20000));
    g_assert_true (ec_kiosk_window_unlock_finish (w, res, NULL));
    g_assert_false (ec_kiosk_window_get_locked (w));
  }
  /* Now the window closes. */
  gtk_window_close (GTK_WINDOW (w));
  ec_test_spin (200);
  g_assert_null (weak);
  ec_kiosk_controller_stop (controller);
  ec_test_spin (200);   /* the audit workers finish */
  g_assert_finalize_object (g_steal_pointer (&controller));
  {
    g_autoptr(EcDb) db = ec_db_open (T.demo->db_path, EC_DB_OPEN_READ_WRITE, NULL);
    g_autoptr(GPtrArray) fails = NULL, oks = NULL;
    EcAuditFilter ff = { .action = "kiosk-unlock-failure" }, fo = { .action = "kiosk-unlock" };

    g_assert_true (ec_db_audit_list (db, &ff, &fails, NULL));
    g_assert_true (ec_db_audit_list (db, &fo, &oks, NULL));
    g_assert_cmpuint (fails->len, ==, 1);
    g_assert_cmpuint (oks->len, ==, 1);
  }
}

/* ------------------------------------------------------------------------- */

int
main (int    argc,
      char **argv)
{
  int rc;

  ec_kiosk_test_init (&argc, &argv, TRUE);
  ec_kiosk_harness_create_demo (&T, "test-kiosk-XXXXXX", 60);
  /* Where the demo panel (demo.ini) expects the emulator's control socket. */
  ec_kiosk_harness_start_emulator (&T, T.demo->dir, NULL);
  ec_kiosk_harness_load_config (&T);
  ec_kiosk_harness_open (&T, TRUE);

  g_test_add_func ("/ec/kiosk/reader-ready", test_reader_ready);
  g_test_add_func ("/ec/kiosk/card/valid-allergies", test_card_valid_allergies);
  g_test_add_func ("/ec/kiosk/card/no-known-allergies", test_card_no_known_allergies);
  g_test_add_func ("/ec/kiosk/card/allergies-unknown", test_card_allergies_unknown);
  g_test_add_func ("/ec/kiosk/card/out-of-date", test_card_out_of_date);
  {
    static const ProblemCase cases[] = {
      { "05-forged", EC_KIOSK_PROBLEM_NOT_GENUINE, "Card not valid" },
      { "06-revoked", EC_KIOSK_PROBLEM_REVOKED, "Card revoked" },
      { "07-replaced", EC_KIOSK_PROBLEM_REPLACED, "Old card: replaced by a newer one" },
      { "09-expired", EC_KIOSK_PROBLEM_EXPIRED, "Card expired" },
      { "10-damaged", EC_KIOSK_PROBLEM_DAMAGED, "Card damaged" },
      { "place-mfc1k", EC_KIOSK_PROBLEM_UNSUPPORTED, "Not an eldercard card" },
      { "place-iso14443-4", EC_KIOSK_PROBLEM_UNSUPPORTED, "Not an eldercard card" },
    };
    for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_autofree char *path = g_strdup_printf ("/ec/kiosk/card/problem/%s%s",
                                                 ec_kiosk_problem_to_string (cases[i].problem),
                                                 i == G_N_ELEMENTS (cases) - 1 ? "-iso14443-4" : "");
        g_test_add_data_func (path, &cases[i], test_card_problem);
      }
  }
  g_test_add_func ("/ec/kiosk/card/not-in-database", test_card_not_in_database);
  g_test_add_func ("/ec/kiosk/card/view-audited", test_card_view_audited);
  g_test_add_func ("/ec/kiosk/new-tap-replaces-record", test_new_tap_replaces_record);
  g_test_add_func ("/ec/kiosk/idle-clear", test_idle_clear);
  g_test_add_func ("/ec/kiosk/manual-lookup", test_manual_lookup);
  g_test_add_func ("/ec/kiosk/language-switch", test_language_switch);
  g_test_add_func ("/ec/kiosk/unplug-replug", test_unplug_replug);
  g_test_add_func ("/ec/kiosk/reader-stall", test_reader_stall);
  g_test_add_func ("/ec/kiosk/kiosk-mode-refuses-close", test_kiosk_mode_refuses_close);
  g_test_add_func ("/ec/kiosk/demo-panel", test_demo_panel);
  g_test_add_func ("/ec/kiosk/touch-targets", test_touch_targets);
  g_test_add_func ("/ec/kiosk/no-keys", test_no_keys);
  g_test_add_func ("/ec/kiosk/database-unavailable", test_database_unavailable);
  g_test_add_func ("/ec/kiosk/no-reader", test_no_reader);

  rc = g_test_run ();

  ec_kiosk_harness_close (&T, 50);
  return rc;
}
