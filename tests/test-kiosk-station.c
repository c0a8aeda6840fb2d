/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-kiosk-station: the kiosk's service-station mode (issue 7) in a real window,
 * issuing through the real libnfc (pn532_uart, in the reader's helper process) to the
 * project's PN532 emulator, on the fictional demo community plus staff accounts.
 * Checks read what a person sees: the labels of the page. Runs under xvfb-run. */
#define G_LOG_DOMAIN "test-kiosk-station"

#include <cairo.h>
#include <glib/gstdio.h>
#include <stdio.h>

#include "ec-card.h"
#include "ec-db.h"
#include "ec-demo-panel.h"
#include "ec-init.h"
#include "kiosk-station-test.h"

#define STEP_MS  20000   /* generous: a sanitizer build on a loaded CI machine is slow */

#define NEW_NAME   "钱淑芬"
#define OLD_UID    "04ee5a00000001"
#define NEW_UID    "04ee5a00000002"
#define THIRD_UID  "04ee5a00000003"

static EcKioskHarness T;
static AdwMessageDialog *find_dialog (void);
static gboolean dialog_shown (gpointer data);
static void answer_reason (guint choice, const char *words, const char *response);
static EcResidentId new_resident;
static char *old_card;     /* the first card's image, after the replacement */

static char *
page_text (void)
{
  return ec_test_visible_text (GTK_WIDGET (station_page));
}

/* Wait until the label @name shows @needle. */
static void
wait_label (const char *name,
            const char *needle)
{
  if (!station_wait_label (name, needle, STEP_MS))
    g_error ("“%s” did not show “%s”; it shows “%s”", name, needle, label_text (name));
}

static void
wait_screen (const char *screen)
{
  if (!station_wait_screen (screen, STEP_MS))
    g_error ("station page did not reach “%s” (shows “%s”)", screen, ec_station_page_get_screen (station_page));
}

static void
sign_out (void)
{
  click ("signout_button");
  wait_screen ("signin");
}

static gboolean
list_nonempty (gpointer data)
{
  return gtk_widget_get_first_child (GTK_WIDGET (child (data))) != NULL;
}

/* Press an editor's button as a person does (it must be on screen and enabled). */
static void
press (GtkWidget *button)
{
  g_assert_true (gtk_widget_get_visible (button));
  g_assert_true (gtk_widget_is_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
}

/* Press "Add …" of a list; returns the new entry's index. */
static guint
add_entry (const char   *button,
           EcStationList list)
{
  guint before = n_entries (list);

  press (editor_child (button));
  g_assert_cmpuint (n_entries (list), ==, before + 1);
  g_assert_true (adw_expander_row_get_expanded (ADW_EXPANDER_ROW (entry_widget (list, before, "row"))));
  return before;
}

static char *
save_problems (void)
{
  g_signal_emit_by_name (editor_child ("save_button"), "clicked");
  return g_strdup (gtk_label_get_text (editor_child ("problems_label")));
}

/* The card preview is rebuilt on the main loop: wait until @label shows @needle. */
static void
wait_editor_label (const char *label,
                   const char *needle)
{
  if (!station_wait_editor_label (label, needle, STEP_MS))
    g_error ("“%s” did not show “%s”; it shows “%s”", label, needle,
             gtk_label_get_text (editor_child (label)));
}

/* ------------------------------------------------------------------------- */

/* `make run`: the demo panel names the demo staff, their PINs and the station key's
 * passphrase; a newcomer signs in with what it shows. */
static void
test_demo_sign_in (void)
{
  GtkWidget *panel = g_object_ref_sink (ec_demo_panel_new (T.demo->dir));
  g_autofree char *text = ec_test_visible_text (panel);
  g_autofree char *expect_staff = g_strdup_printf ("%s (%s) with PIN %s", STAFF_ID, EC_DEMO_STAFF_NAME, STAFF_PIN);
  g_autofree char *expect_admin = g_strdup_printf ("%s (%s) with PIN %s", ADMIN_ID, EC_DEMO_ADMIN_NAME, ADMIN_PIN);

  ec_test_assert_contains (text, "Station mode");
  ec_test_assert_contains (text, expect_staff);
  ec_test_assert_contains (text, expect_admin);
  ec_test_assert_contains (text, EC_DEMO_PASSPHRASE);
  ec_test_assert_contains (text, "Blank card");
  g_object_unref (panel);

  wait_screen ("signin");
  sign_in (STAFF_ID, STAFF_PIN);
  wait_screen ("home");
  sign_out ();
}

/* A computer where staff sign-in was never set up (no PIN pepper): the sign-in page
 * says so once, in a social worker's words, and what to do. */
static void
test_first_run_message (void)
{
  g_autoptr(EcConfig) config = ec_config_new ();
  g_autoptr(EcStationContext) ctx = NULL;
  GtkWidget *page;
  const char *text;

  g_free (config->db_path);
  config->db_path = g_strdup (T.demo->db_path);
  g_free (config->keys_dir);
  config->keys_dir = g_build_filename (T.demo->dir, "kiosk-keys", NULL);   /* a kiosk bundle: no pepper */
  ctx = ec_station_context_new (config);
  page = g_object_ref_sink (ec_station_page_new (ctx));
  text = gtk_label_get_text (GTK_LABEL (gtk_widget_get_template_child (page, EC_TYPE_STATION_PAGE, "signin_message")));
  ec_test_assert_contains (text, "has not been set up on this computer");
  ec_test_assert_contains (text, "ask your station's administrator");
  ec_test_assert_contains (text, "still reads cards");
  /* No file names, no commands, no jargon; said once. */
  g_assert_null (strstr (text, "pepper"));
  g_assert_null (strstr (text, "eldercard "));
  g_assert_null (strstr (text, "/"));
  g_assert_true (strstr (text, "set up") == g_strrstr (text, "set up"));
  g_object_unref (page);
}

/* Five wrong PINs lock the account with a wait; the right PIN is not even checked
 * then; after the wait (the clock moved on) it signs in. */
static void
test_lockout (void)
{
  EcStationContext *ctx = ec_station_page_get_context (station_page);

  wait_screen ("signin");
  for (guint i = 1; i <= 5; i++)
    {
      g_autofree char *expect = g_strdup_printf ("Wrong PIN (%u of 5", i);
      sign_in (LOCK_ID, "918273");
      wait_label ("signin_message", i < 5 ? expect : "is locked for 30 s");
    }
  /* The PIN pad is cleared after every attempt. */
  ec_test_assert_contains (label_text ("pin_label"), "○ ○ ○ ○ ○ ○");
  /* The wait counts down. */
  wait_label ("signin_message", "Try again in");
  ec_station_context_set_clock_offset (ctx, 12);
  wait_label ("signin_message", "Try again in 1");
  ec_test_assert_contains (label_text ("signin_message"), " seconds.");

  sign_in (LOCK_ID, LOCK_PIN);
  wait_label ("signin_message", "Try again in");
  g_assert_cmpstr (ec_station_page_get_screen (station_page), ==, "signin");

  ec_station_context_set_clock_offset (ctx, 31);
  sign_in (LOCK_ID, LOCK_PIN);
  wait_screen ("home");
  sign_out ();
  ec_station_context_set_clock_offset (ctx, 0);
}

/* A member of staff signs in, sees the residents, and cannot reach the audit viewer. */
static void
test_staff_no_audit (void)
{
  g_autofree char *text = NULL;

  sign_in (STAFF_ID, STAFF_PIN);
  wait_screen ("home");
  g_assert_true (ec_test_wait_until (list_nonempty, (gpointer) "results", STEP_MS));
  text = page_text ();
  ec_test_assert_contains (text, "Signed in: 张社工 (S0012, ");
  g_assert_false (gtk_widget_get_visible (child ("audit_button")));
  g_assert_false (ec_station_page_open_audit (station_page));
  g_assert_cmpstr (ec_station_page_get_screen (station_page), ==, "home");
  ec_test_assert_contains (label_text ("home_message"), "Only station administrators");
}

static gboolean
station_page_visible (gpointer data)
{
  GtkWidget *page = g_object_get_data (G_OBJECT (T.window), "ec-station-page");
  return page != NULL && page != data && ec_kiosk_window_get_visible_page (T.window) == page;
}

/* Switching the language keeps station mode on screen, in the new language, signed in. */
static void
test_language_switch (void)
{
  g_autofree char *text = NULL;

  ec_kiosk_window_set_language (T.window, "zh");
  g_assert_true (ec_test_wait_until (station_page_visible, station_page, STEP_MS));
  station_page = g_object_get_data (G_OBJECT (T.window), "ec-station-page");
  wait_screen ("home");
  text = page_text ();
  ec_test_assert_contains (text, "已登录：张社工（S0012，");
  ec_test_assert_contains (text, "新居民");
  ec_kiosk_window_set_language (T.window, "en");
  g_assert_true (ec_test_wait_until (station_page_visible, station_page, STEP_MS));
  station_page = g_object_get_data (G_OBJECT (T.window), "ec-station-page");
  wait_screen ("home");
}

/* Registering a resident: each problem is explained; then saved, audited as S0012. */
static void
test_register (void)
{
  g_autofree char *problems = NULL;
  g_autoptr(EcDb) db = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  EcAuditFilter filter = { .actor_id = STAFF_ID, .action = "resident-add" };

  click ("new_resident_button");
  wait_screen ("edit");
  set_row ("name_zh_row", NEW_NAME);
  set_row ("name_pinyin_row", "Qian Shufen");
  set_row ("dob_row", "1941-13-02");
  /* A new form opens with the first contact's editor. */
  g_assert_cmpuint (n_entries (EC_STATION_LIST_CONTACTS), ==, 1);
  set_entry (EC_STATION_LIST_CONTACTS, 0, "text", "钱小梅");
  set_entry (EC_STATION_LIST_CONTACTS, 0, "phones", "12345");
  problems = save_problems ();
  ec_test_assert_contains (problems, "Allergies: choose");
  ec_test_assert_contains (problems, "“1941-13-02” is not a date");
  ec_test_assert_contains (problems, "has 5 digits");
  g_assert_cmpstr (ec_station_page_get_screen (station_page), ==, "edit");

  set_row ("dob_row", "1941-03-02");
  set_entry (EC_STATION_LIST_CONTACTS, 0, "relation", "女儿");
  set_entry (EC_STATION_LIST_CONTACTS, 0, "phones", "139 0000 5678");
  adw_combo_row_set_selected (editor_child ("allergy_status_row"), 3);   /* recorded */
  set_entry (EC_STATION_LIST_ALLERGIES, add_entry ("add_allergy_button", EC_STATION_LIST_ALLERGIES), "text", "青霉素");
  set_entry (EC_STATION_LIST_ALLERGIES, add_entry ("add_allergy_button", EC_STATION_LIST_ALLERGIES), "text", "花生");
  adw_combo_row_set_selected (editor_child ("blood_row"), 7);            /* O+ */
  /* The category has no default: it must be chosen. Save from the bottom of the
   * form: what to fix is shown at its top. */
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (editor_child ("scroller")), 1e6);
  g_free (problems);
  problems = save_problems ();
  ec_test_spin (100);
  g_assert_cmpfloat (gtk_adjustment_get_value (gtk_scrolled_window_get_vadjustment (editor_child ("scroller"))), ==, 0);
  ec_test_assert_contains (problems, "Allergy “青霉素”: choose its category");
  ec_test_assert_contains (problems, "Allergy “花生”: choose its category");
  adw_combo_row_set_selected (ADW_COMBO_ROW (entry_widget (EC_STATION_LIST_ALLERGIES, 0, "category")),
                              EC_ALLERGY_CATEGORY_MEDICATION + 1);
  adw_combo_row_set_selected (ADW_COMBO_ROW (entry_widget (EC_STATION_LIST_ALLERGIES, 1, "category")),
                              EC_ALLERGY_CATEGORY_FOOD + 1);
  g_signal_emit_by_name (editor_child ("save_button"), "clicked");
  if (!station_wait_screen ("resident", STEP_MS))
    g_error ("not saved: %s (page %p, window's %p)", gtk_label_get_text (editor_child ("problems_label")),
             (void *) station_page, g_object_get_data (G_OBJECT (T.window), "ec-station-page"));
  wait_label ("resident_name", NEW_NAME);
  wait_label ("resident_info", "resident number");
  g_assert_true (ec_test_wait_until (list_nonempty, (gpointer) "cards_list", STEP_MS));
  {
    g_autofree char *cards = ec_test_visible_text (child ("cards_list"));
    ec_test_assert_contains (cards, "No card issued yet");
  }
  g_assert_true (gtk_widget_get_visible (child ("issue_button")));
  g_assert_false (gtk_widget_get_visible (child ("revoke_button")));

  db = ec_db_open (T.demo->db_path, EC_DB_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);
  g_assert_true (ec_db_audit_list (db, &filter, &entries, &error));
  g_assert_cmpuint (entries->len, ==, 1);
  new_resident = ((EcAuditEntry *) entries->pdata[0])->resident_id;
  g_assert_cmpuint (new_resident, !=, 0);
}

static gboolean
widget_shown (gpointer data)
{
  return gtk_widget_get_visible (child (data));
}

static cairo_status_t
png_write_cb (void                *closure,
              const unsigned char *data,
              unsigned int         length)
{
  return fwrite (data, 1, length, closure) == length ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

/* Editing: the record opens in the form (an audited read for "edit"), a wrong phone is
 * explained, a file that is no photo is refused, a drawn PNG is taken; the update is
 * audited with the staff id and the photo is in the database. */
static void
test_edit_with_photo (void)
{
  g_autofree char *png = g_build_filename (T.dir, "portrait.png", NULL);
  g_autofree char *txt = g_build_filename (T.dir, "notes.txt", NULL);
  g_autoptr(EcDb) db = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(EcResident) r = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *editor;
  EcAuditFilter filter = { .actor_id = STAFF_ID, .action = "resident-update" };
  EcActor actor = { EC_ROLE_ADMIN, "test-check" };

  {
    cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 120, 160);
    cairo_t *cr = cairo_create (surface);
    FILE *f = fopen (png, "wb");
    cairo_set_source_rgb (cr, 0.6, 0.7, 0.8);
    cairo_paint (cr);
    cairo_destroy (cr);
    g_assert_nonnull (f);
    g_assert_cmpint (cairo_surface_write_to_png_stream (surface, png_write_cb, f), ==, CAIRO_STATUS_SUCCESS);
    fclose (f);
    cairo_surface_destroy (surface);
  }
  g_assert_true (g_file_set_contents (txt, "not a photo", -1, NULL));

  click ("edit_button");
  wait_screen ("edit");
  editor = GTK_WIDGET (station_editor ());
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (editor_child ("name_zh_row"))), ==, NEW_NAME);
  g_assert_cmpuint (adw_combo_row_get_selected (editor_child ("allergy_status_row")), ==, 3);
  set_row ("phone_row", "138 0000 123");
  g_signal_emit_by_name (editor_child ("save_button"), "clicked");
  ec_test_assert_contains (gtk_label_get_text (editor_child ("problems_label")), "looks like a mobile number but has 10 digits");
  set_row ("phone_row", "138 0000 1234");

  g_assert_false (ec_station_editor_set_photo_file (EC_STATION_EDITOR (editor), txt));
  ec_test_assert_contains (gtk_label_get_text (editor_child ("problems_label")), "neither PNG nor JPEG");
  g_assert_true (ec_station_editor_set_photo_file (EC_STATION_EDITOR (editor), png));
  ec_test_assert_contains (gtk_label_get_text (editor_child ("photo_label")), "image/png");
  g_signal_emit_by_name (editor_child ("save_button"), "clicked");
  wait_screen ("resident");
  wait_label ("resident_info", "138 0000 1234");

  db = ec_db_open (T.demo->db_path, EC_DB_OPEN_READ_WRITE, &error);
  g_assert_no_error (error);
  g_assert_true (ec_db_audit_list (db, &filter, &entries, &error));
  g_assert_cmpuint (entries->len, ==, 1);
  g_assert_true (ec_db_get_resident (db, new_resident, &actor, EC_DB_PURPOSE_EXPORT, NULL, &r, &error));
  g_assert_nonnull (r->photo);
  g_assert_cmpstr (r->photo_mime, ==, "image/png");
  g_assert_cmpstr (r->phone, ==, "138 0000 1234");
  g_assert_cmpuint (r->allergies->len, ==, 2);
  g_assert_true (ec_test_wait_until (widget_shown, (gpointer) "issue_button", STEP_MS));
}

static gboolean
editor_widget_hidden (gpointer data)
{
  return !gtk_widget_get_visible (editor_child (data));
}

static EcResident *
db_resident (void)
{
  g_autoptr(EcDb) db = NULL;
  g_autoptr(GError) error = NULL;
  EcResident *r = NULL;
  EcActor actor = { EC_ROLE_ADMIN, "test-check" };

  db = ec_db_open (T.demo->db_path, EC_DB_OPEN_READ_WRITE, &error);
  g_assert_no_error (error);
  g_assert_true (ec_db_get_resident (db, new_resident, &actor, EC_DB_PURPOSE_EXPORT, NULL, &r, &error));
  g_assert_no_error (error);
  return r;
}

/* Each check of the entries explains itself and nothing is saved; the card preview
 * names what would not fit on the card. */
static void
test_edit_validation (void)
{
  g_autofree char *problems = NULL;
  g_autoptr(EcResident) before = db_resident ();
  g_autoptr(EcResident) after = NULL;
  guint a, c1, c2, m, k1, k2;

  click ("edit_button");
  wait_screen ("edit");
  g_assert_cmpuint (n_entries (EC_STATION_LIST_ALLERGIES), ==, 2);
  g_assert_cmpuint (n_entries (EC_STATION_LIST_CONTACTS), ==, 1);

  a = add_entry ("add_allergy_button", EC_STATION_LIST_ALLERGIES);
  set_entry (EC_STATION_LIST_ALLERGIES, a, "reaction", "皮疹");
  c1 = add_entry ("add_condition_button", EC_STATION_LIST_CONDITIONS);
  set_entry (EC_STATION_LIST_CONDITIONS, c1, "text", "高血压");
  set_entry (EC_STATION_LIST_CONDITIONS, c1, "icd10", "10I");
  set_entry (EC_STATION_LIST_CONDITIONS, c1, "since", "2015-13");
  c2 = add_entry ("add_condition_button", EC_STATION_LIST_CONDITIONS);
  set_entry (EC_STATION_LIST_CONDITIONS, c2, "text", "冠心病");
  set_entry (EC_STATION_LIST_CONDITIONS, c2, "icd10", "I25.1");
  set_entry (EC_STATION_LIST_CONDITIONS, c2, "since", "2999");
  m = add_entry ("add_medication_button", EC_STATION_LIST_MEDICATIONS);
  set_entry (EC_STATION_LIST_MEDICATIONS, m, "dose", "0.5 g");
  k1 = add_entry ("add_contact_button", EC_STATION_LIST_CONTACTS);
  set_entry (EC_STATION_LIST_CONTACTS, k1, "text", "钱大伟");
  k2 = add_entry ("add_contact_button", EC_STATION_LIST_CONTACTS);
  set_entry (EC_STATION_LIST_CONTACTS, k2, "text", "王阿姨");
  set_entry (EC_STATION_LIST_CONTACTS, k2, "phones", "021-5555 0100, 139 0000 12");

  problems = save_problems ();
  g_test_message ("problems: %s", problems);
  ec_test_assert_contains (problems, "Allergy 3 has no substance: write what the resident is allergic to");
  ec_test_assert_contains (problems, "Condition 1 (高血压): “10I” is not an ICD-10 code");
  ec_test_assert_contains (problems, "Condition 1 (高血压): since “2015-13” is not a date");
  ec_test_assert_contains (problems, "Condition 2 (冠心病): since 2999 is in the future");
  /* A good code is not complained about. */
  g_assert_null (strstr (problems, "“I25.1”"));
  ec_test_assert_contains (problems, "Medication 1 has no name");
  ec_test_assert_contains (problems, "Contact 2 (钱大伟): a phone number is required");
  ec_test_assert_contains (problems, "Contact 3 (王阿姨): “139 0000 12” looks like a mobile number but has 9 digits");
  g_assert_null (strstr (problems, "021-5555 0100"));
  g_assert_cmpstr (ec_station_page_get_screen (station_page), ==, "edit");

  /* More medications than an NTAG215 holds: the preview says which stay off the card. */
  set_entry (EC_STATION_LIST_MEDICATIONS, m, "text", "硝苯地平控释片第一种");
  for (guint i = 2; i <= 14; i++)
    {
      g_autofree char *name = g_strdup_printf ("硝苯地平控释片第%u种", i);
      guint k = add_entry ("add_medication_button", EC_STATION_LIST_MEDICATIONS);
      set_entry (EC_STATION_LIST_MEDICATIONS, k, "text", name);
      set_entry (EC_STATION_LIST_MEDICATIONS, k, "dose", "30 mg");
    }
  wait_editor_label ("preview_omitted_label", "No room on the card for:");
  g_assert_true (gtk_widget_get_visible (editor_child ("preview_omitted_label")));
  ec_test_assert_contains (gtk_label_get_text (editor_child ("preview_omitted_label")), "硝苯地平控释片第14种");
  g_assert_null (strstr (gtk_label_get_text (editor_child ("preview_omitted_label")), "第一种"));

  /* Removing entries: the list shrinks and the preview follows. */
  for (guint i = n_entries (EC_STATION_LIST_MEDICATIONS); i > 1; i--)
    press (entry_widget (EC_STATION_LIST_MEDICATIONS, i - 1, "remove"));
  g_assert_cmpuint (n_entries (EC_STATION_LIST_MEDICATIONS), ==, 1);
  g_assert_true (ec_test_wait_until (editor_widget_hidden, (gpointer) "preview_omitted_label", STEP_MS));

  /* High-risk allergies with names longer than a card field fill the card: the
   * preview says the contact does not fit, and names what is shortened (issue 20). */
  for (guint i = 1; i <= 5; i++)
    {
      g_autofree char *name = g_strdup_printf ("高危过敏原高危过敏原高危过敏原高危过敏原高危过敏原第%u号", i);
      guint k = add_entry ("add_allergy_button", EC_STATION_LIST_ALLERGIES);
      set_entry (EC_STATION_LIST_ALLERGIES, k, "text", name);
      adw_combo_row_set_selected (ADW_COMBO_ROW (entry_widget (EC_STATION_LIST_ALLERGIES, k, "criticality")),
                                  EC_CRITICALITY_HIGH);
    }
  wait_editor_label ("preview_omitted_label", "The first emergency contact does not fit on the card in full");
  g_test_message ("preview:\n%s\n%s", gtk_label_get_text (editor_child ("preview_label")),
                  gtk_label_get_text (editor_child ("preview_omitted_label")));
  ec_test_assert_contains (gtk_label_get_text (editor_child ("preview_omitted_label")), "Shortened to fit the card: ");
  ec_test_assert_contains (gtk_label_get_text (editor_child ("preview_label")), "(shortened)");
  /* Dropped for room is not "none listed". */
  ec_test_assert_contains (gtk_label_get_text (editor_child ("preview_label")), "Conditions: none fit on the card");
  g_assert_true (gtk_widget_get_visible (editor_child ("preview_omitted_label")));

  /* Typed work: Cancel asks first. */
  press (editor_child ("cancel_button"));
  g_assert_true (ec_test_wait_until (dialog_shown, NULL, STEP_MS));
  {
    AdwMessageDialog *dialog = find_dialog ();
    adw_message_dialog_response (dialog, "discard");
    gtk_window_destroy (GTK_WINDOW (dialog));
  }
  wait_screen ("resident");
  after = db_resident ();
  g_assert_cmpint (after->record_version, ==, before->record_version);
  g_assert_cmpuint (after->conditions->len, ==, 0);
}

/* Everything the database holds, entered in the form: an allergy with criticality,
 * reaction and severity, a condition with its ICD-10 code, a medication with dose and
 * schedule, a third contact who lives nearby (moved up the call order), communication
 * needs and implants. The card preview shows what the card carries and its size; the
 * database has every field afterwards; entries that were kept keep their ids. */
static void
test_edit_full_record (void)
{
  g_autoptr(EcResident) before = db_resident ();
  g_autoptr(EcResident) r = NULL;
  g_autoptr(EcCardSummary) summary = NULL;
  g_autofree char *preview = NULL, *expect = NULL;
  const EcAllergy *mango = NULL;
  const EcCondition *cond;
  const EcMedication *med;
  const EcContact *c;
  const char *title;
  guint a, k, m, k1, k2;
  gsize used = 0, cap = 0;

  g_assert_cmpuint (before->allergies->len, ==, 2);
  click ("edit_button");
  wait_screen ("edit");
  /* The stored entries are shown, summed up in their titles. */
  g_assert_cmpuint (n_entries (EC_STATION_LIST_ALLERGIES), ==, 2);
  title = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (entry_widget (EC_STATION_LIST_ALLERGIES, 0, "row")));
  ec_test_assert_contains (title, "青霉素");

  a = add_entry ("add_allergy_button", EC_STATION_LIST_ALLERGIES);
  set_entry (EC_STATION_LIST_ALLERGIES, a, "text", "芒果");
  adw_combo_row_set_selected (ADW_COMBO_ROW (entry_widget (EC_STATION_LIST_ALLERGIES, a, "criticality")),
                              EC_CRITICALITY_HIGH);
  set_entry (EC_STATION_LIST_ALLERGIES, a, "reaction", "喉头水肿");
  adw_combo_row_set_selected (ADW_COMBO_ROW (entry_widget (EC_STATION_LIST_ALLERGIES, a, "severity")),
                              EC_SEVERITY_SEVERE);
  adw_combo_row_set_selected (ADW_COMBO_ROW (entry_widget (EC_STATION_LIST_ALLERGIES, a, "category")),
                              EC_ALLERGY_CATEGORY_FOOD + 1);   /* the first item is "choose" */
  adw_combo_row_set_selected (ADW_COMBO_ROW (entry_widget (EC_STATION_LIST_ALLERGIES, a, "verification")), 1);
  title = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (entry_widget (EC_STATION_LIST_ALLERGIES, a, "row")));
  ec_test_assert_contains (title, "芒果 · high · 喉头水肿");

  k = add_entry ("add_condition_button", EC_STATION_LIST_CONDITIONS);
  set_entry (EC_STATION_LIST_CONDITIONS, k, "text", "高血压");
  set_entry (EC_STATION_LIST_CONDITIONS, k, "icd10", "i10");
  set_entry (EC_STATION_LIST_CONDITIONS, k, "since", "2015-06");

  m = add_entry ("add_medication_button", EC_STATION_LIST_MEDICATIONS);
  set_entry (EC_STATION_LIST_MEDICATIONS, m, "text", "二甲双胍");
  set_entry (EC_STATION_LIST_MEDICATIONS, m, "dose", "0.5 g");
  set_entry (EC_STATION_LIST_MEDICATIONS, m, "route", "口服");
  gtk_check_button_set_active (GTK_CHECK_BUTTON (entry_widget (EC_STATION_LIST_MEDICATIONS, m, "morning")), TRUE);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (entry_widget (EC_STATION_LIST_MEDICATIONS, m, "evening")), TRUE);

  k1 = add_entry ("add_contact_button", EC_STATION_LIST_CONTACTS);
  set_entry (EC_STATION_LIST_CONTACTS, k1, "text", "钱大伟");
  set_entry (EC_STATION_LIST_CONTACTS, k1, "relation", "儿子");
  set_entry (EC_STATION_LIST_CONTACTS, k1, "phones", "138 0000 2222");
  k2 = add_entry ("add_contact_button", EC_STATION_LIST_CONTACTS);
  g_assert_cmpuint (k2, ==, 2);
  set_entry (EC_STATION_LIST_CONTACTS, k2, "text", "王阿姨");
  set_entry (EC_STATION_LIST_CONTACTS, k2, "relation", "邻居");
  set_entry (EC_STATION_LIST_CONTACTS, k2, "phones", "021-5555 0100，139 0000 3333");
  gtk_switch_set_active (GTK_SWITCH (entry_widget (EC_STATION_LIST_CONTACTS, k2, "nearby")), TRUE);
  /* The neighbour is called before the son. */
  press (entry_widget (EC_STATION_LIST_CONTACTS, k2, "up"));
  title = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (entry_widget (EC_STATION_LIST_CONTACTS, 1, "row")));
  ec_test_assert_contains (title, "王阿姨");
  g_assert_false (gtk_widget_is_sensitive (entry_widget (EC_STATION_LIST_CONTACTS, 0, "up")));

  gtk_check_button_set_active (editor_child ("comm_hearing_check"), TRUE);
  set_row ("comm_notes_row", "左耳能听见，请大声慢说");
  set_row ("implants_row", "心脏起搏器");

  /* The preview: the card's own summary, the high-criticality allergy first. */
  wait_editor_label ("preview_label", "⚠ 芒果 (high)");
  preview = g_strdup (gtk_label_get_text (editor_child ("preview_label")));
  g_test_message ("preview:\n%s\n%s", preview, gtk_label_get_text (editor_child ("preview_usage_label")));
  g_assert_true (strstr (preview, "⚠ 芒果 (high)") < strstr (preview, "青霉素"));
  ec_test_assert_contains (preview, "Conditions: 高血压");
  ec_test_assert_contains (preview, "二甲双胍 0.5 g 早晚");
  ec_test_assert_contains (preview, "Call first: 钱小梅 · 女儿 · 139 0000 5678");
  /* Database only: not in the preview. */
  g_assert_null (strstr (preview, "喉头水肿"));
  g_assert_null (strstr (preview, "I10"));
  g_assert_null (strstr (preview, "王阿姨"));
  g_assert_cmpint (sscanf (gtk_label_get_text (editor_child ("preview_usage_label")), "%zu of %zu bytes", &used, &cap),
                   ==, 2);
  g_assert_cmpuint (cap, ==, ec_card_summary_capacity (EC_TAG_NTAG215));
  g_assert_cmpuint (used, >, 0);
  g_assert_cmpuint (used, <=, cap);
  g_assert_false (gtk_widget_get_visible (editor_child ("preview_omitted_label")));

  g_signal_emit_by_name (editor_child ("save_button"), "clicked");
  if (!station_wait_screen ("resident", STEP_MS))
    g_error ("not saved: %s", gtk_label_get_text (editor_child ("problems_label")));
  g_assert_true (ec_test_wait_until (widget_shown, (gpointer) "issue_button", STEP_MS));

  r = db_resident ();
  g_assert_cmpint (r->record_version, >, before->record_version);
  g_assert_cmpint (r->allergy_status, ==, EC_ALLERGY_STATUS_RECORDED);
  g_assert_cmpuint (r->allergies->len, ==, 3);
  /* The two stored allergies are the same entries (same ids and history). */
  for (guint i = 0; i < 2; i++)
    {
      const EcAllergy *o = before->allergies->pdata[i], *n = r->allergies->pdata[i];
      g_assert_cmpint (n->id, ==, o->id);
      g_assert_cmpstr (n->substance, ==, o->substance);
      g_assert_cmpstr (n->updated_by, ==, o->updated_by);
      g_assert_cmpint (n->updated_at, ==, o->updated_at);
    }
  for (guint i = 0; i < r->allergies->len; i++)
    if (g_strcmp0 (((EcAllergy *) r->allergies->pdata[i])->substance, "芒果") == 0)
      mango = r->allergies->pdata[i];
  g_assert_nonnull (mango);
  g_assert_cmpint (mango->criticality, ==, EC_CRITICALITY_HIGH);
  g_assert_cmpstr (mango->reaction, ==, "喉头水肿");
  g_assert_cmpint (mango->severity, ==, EC_SEVERITY_SEVERE);
  g_assert_cmpint (mango->category, ==, EC_ALLERGY_CATEGORY_FOOD);
  g_assert_false (mango->confirmed);
  g_assert_cmpstr (mango->updated_by, ==, STAFF_ID);

  g_assert_cmpuint (r->conditions->len, ==, 1);
  cond = r->conditions->pdata[0];
  g_assert_cmpstr (cond->text, ==, "高血压");
  g_assert_cmpstr (cond->icd10, ==, "I10");
  g_assert_cmpstr (cond->since, ==, "2015-06");

  g_assert_cmpuint (r->medications->len, ==, 1);
  med = r->medications->pdata[0];
  g_assert_cmpstr (med->name, ==, "二甲双胍");
  g_assert_cmpstr (med->dose, ==, "0.5 g");
  g_assert_cmpstr (med->route, ==, "口服");
  g_assert_cmpuint (med->slots, ==, EC_SCHED_MORNING | EC_SCHED_EVENING);
  g_assert_null (med->schedule_text);

  g_assert_cmpuint (r->contacts->len, ==, 3);
  c = r->contacts->pdata[0];
  g_assert_cmpstr (c->name, ==, "钱小梅");
  g_assert_cmpuint (c->call_order, ==, 1);
  g_assert_cmpint (c->id, ==, ((EcContact *) before->contacts->pdata[0])->id);
  c = r->contacts->pdata[1];
  g_assert_cmpstr (c->name, ==, "王阿姨");
  g_assert_cmpstr (c->relation, ==, "邻居");
  g_assert_cmpuint (c->call_order, ==, 2);
  g_assert_true (c->lives_nearby);
  g_assert_cmpuint (g_strv_length (c->phones), ==, 2);
  g_assert_cmpstr (c->phones[0], ==, "021-5555 0100");
  g_assert_cmpstr (c->phones[1], ==, "139 0000 3333");
  c = r->contacts->pdata[2];
  g_assert_cmpstr (c->name, ==, "钱大伟");
  g_assert_cmpuint (c->call_order, ==, 3);
  g_assert_false (c->lives_nearby);

  g_assert_cmpuint (r->comm_needs, ==, EC_COMM_HEARING);
  g_assert_cmpstr (r->comm_notes, ==, "左耳能听见，请大声慢说");
  g_assert_cmpstr (r->implants, ==, "心脏起搏器");

  /* The preview's byte count is the size of the summary the card gets. */
  summary = ec_card_summary_from_resident (r, EC_TAG_NTAG215);
  g_assert_cmpuint (ec_card_summary_size (summary), ==, used);

  /* Opened again, the form shows all of it. */
  click ("edit_button");
  wait_screen ("edit");
  g_assert_cmpuint (n_entries (EC_STATION_LIST_CONTACTS), ==, 3);
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (entry_widget (EC_STATION_LIST_CONTACTS, 1, "nearby"))));
  g_assert_true (gtk_check_button_get_active (GTK_CHECK_BUTTON (entry_widget (EC_STATION_LIST_MEDICATIONS, 0, "evening"))));
  g_assert_false (gtk_check_button_get_active (GTK_CHECK_BUTTON (entry_widget (EC_STATION_LIST_MEDICATIONS, 0, "noon"))));
  g_assert_true (gtk_check_button_get_active (editor_child ("comm_hearing_check")));
  title = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (entry_widget (EC_STATION_LIST_CONDITIONS, 0, "row")));
  ec_test_assert_contains (title, "高血压 · I10 · since 2015-06");
  expect = g_strdup (gtk_editable_get_text (GTK_EDITABLE (editor_child ("implants_row"))));
  g_assert_cmpstr (expect, ==, "心脏起搏器");
  press (editor_child ("cancel_button"));
  wait_screen ("resident");
  g_assert_true (ec_test_wait_until (widget_shown, (gpointer) "issue_button", STEP_MS));
}

/* Issuing: the passphrase once; a card that is not blank and one of the wrong type
 * are refused plainly; a card pulled away mid-write is put back and Retry finishes
 * it; the confirming tap reads back as the new resident. */
static void
test_issue (void)
{
  g_autofree char *cmd = NULL;
  g_autofree char *saved = g_build_filename (T.dir, "pulled.tag", NULL);
  g_autofree char *text = NULL;

  /* Not blank: a demo card of someone else. */
  cmd = g_strdup_printf ("place-image %s/cards/01-valid-allergies.tag", T.demo->dir);
  ec_kiosk_harness_emu (&T, cmd);
  click ("issue_button");
  wait_screen ("key");
  gtk_editable_set_text (GTK_EDITABLE (child ("passphrase_row")), "not the passphrase");
  click ("unlock_button");
  wait_label ("key_message", "not the station key's passphrase");
  gtk_editable_set_text (GTK_EDITABLE (child ("passphrase_row")), EC_DEMO_PASSPHRASE);
  click ("unlock_button");
  wait_screen ("issue");
  /* The entry does not keep the passphrase. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (child ("passphrase_row"))), ==, "");
  wait_label ("issue_result", "already registered (active)");
  g_assert_true (gtk_widget_get_visible (child ("retry_button")));

  /* Wrong type. */
  ec_kiosk_harness_emu (&T, "remove");
  ec_kiosk_harness_emu (&T, "place-mfc1k");
  click ("retry_button");
  wait_label ("issue_result", "wrong type of card");

  /* A blank NTAG215, pulled away in the middle of writing (kept as it is then). */
  ec_kiosk_harness_emu (&T, "remove");
  ec_kiosk_harness_emu (&T, "place ntag215 " OLD_UID);
  {
    EcStationTestPull pull = { &T, saved, FALSE };
    gulong id = g_signal_connect (child ("stage_write"), "notify::label", G_CALLBACK (ec_station_test_pull_card_cb), &pull);
    /* A slow link for this run (about 0.1 s per page written), so that the card is
     * surely taken away while the body is being written, however loaded the machine. */
    ec_kiosk_harness_emu (&T, "pace 2400");
    click ("retry_button");
    wait_label ("issue_result", "the same card back");
    g_signal_handler_disconnect (child ("stage_write"), id);
    g_assert_true (pull.pulled);
  }
  ec_test_assert_contains (label_text ("issue_result"), OLD_UID);
  g_assert_true (gtk_widget_get_visible (child ("retry_button")));
  g_assert_true (gtk_widget_get_visible (child ("other_card_button")));
  {
    g_autoptr(EcDb) db = ec_db_open (T.demo->db_path, EC_DB_OPEN_READ_ONLY, NULL);
    g_autoptr(EcCardRecord) rec = NULL;
    g_assert_true (ec_db_card_lookup (db, OLD_UID, &rec, NULL));
    g_assert_cmpint (rec->status, ==, EC_CARD_STATUS_PENDING);
  }
  /* Another blank card and Retry: refused; the wait screen asks for the same card,
   * and nothing is spoiled unless the staff choose so. */
  ec_kiosk_harness_emu (&T, "place ntag215 04ee5a000000f1");
  click ("retry_button");
  ec_test_spin (50);
  ec_test_assert_contains (label_text ("issue_hint"), "Put the same card back on the reader (card " OLD_UID);
  wait_label ("issue_result", "different card (04ee5a000000f1)");
  {
    g_autoptr(EcDb) db = ec_db_open (T.demo->db_path, EC_DB_OPEN_READ_ONLY, NULL);
    g_autoptr(EcCardRecord) rec = NULL;
    g_autoptr(EcCardRecord) other = NULL;
    g_assert_true (ec_db_card_lookup (db, OLD_UID, &rec, NULL));
    g_assert_cmpint (rec->status, ==, EC_CARD_STATUS_PENDING);
    g_assert_false (ec_db_card_lookup (db, "04ee5a000000f1", &other, NULL));
  }
  ec_kiosk_harness_emu (&T, "remove");
  g_free (cmd);
  cmd = g_strdup_printf ("place-image %s", saved);
  ec_kiosk_harness_emu (&T, cmd);
  click ("retry_button");
  wait_label ("issue_message", "written, checked and locked");
  text = g_strdup (label_text ("stage_lock"));
  ec_test_assert_contains (text, "✔");
  wait_label ("issue_result", "Confirmed: the new card reads back as " NEW_NAME);

  /* Back on the resident's page: the card in the history, issued by S0012. */
  click ("issue_done_button");
  wait_screen ("resident");
  g_assert_true (ec_test_wait_until (list_nonempty, (gpointer) "cards_list", STEP_MS));
  ec_test_spin (200);
  g_free (text);
  text = ec_test_visible_text (child ("cards_list"));
  ec_test_assert_contains (text, OLD_UID " · active");
  ec_test_assert_contains (text, "by S0012");
  g_assert_true (gtk_widget_get_visible (child ("replace_damaged_button")));
}

/* A replacement (the old card damaged): the old card becomes "replaced". */
static void
test_replace (void)
{
  g_autofree char *cmd = NULL;
  g_autofree char *text = NULL;

  old_card = g_build_filename (T.dir, "old.tag", NULL);
  cmd = g_strdup_printf ("save %s", old_card);
  ec_kiosk_harness_emu (&T, cmd);
  ec_kiosk_harness_emu (&T, "remove");
  ec_kiosk_harness_emu (&T, "place ntag215 " NEW_UID);
  /* The key stays unlocked for this sign-in: no passphrase page. */
  click ("replace_damaged_button");
  answer_reason (1, NULL, "replace");   /* damaged or does not read */
  wait_screen ("issue");
  wait_label ("issue_result", "Confirmed: the new card reads back as " NEW_NAME " (card 2)");
  click ("issue_done_button");
  wait_screen ("resident");
  g_assert_true (ec_test_wait_until (list_nonempty, (gpointer) "cards_list", STEP_MS));
  ec_test_spin (200);
  text = ec_test_visible_text (child ("cards_list"));
  ec_test_assert_contains (text, NEW_UID " · active");
  ec_test_assert_contains (text, OLD_UID " · replaced");
}

/* pdfinfo's @info says one ID-1 page: 85.60 × 53.98 mm = 242.65 × 153.01 pt (± @epsilon). */
static void
assert_id1_page (const char *info,
                 double      epsilon)
{
  const char *size = strstr (info, "Page size:");
  double w = 0, h = 0;

  g_assert_nonnull (size);
  g_assert_cmpint (sscanf (size, "Page size: %lf x %lf pts", &w, &h), ==, 2);
  g_assert_cmpfloat_with_epsilon (w, 242.65, epsilon);
  g_assert_cmpfloat_with_epsilon (h, 153.01, epsilon);
}

/* The card face PDF: ID-1 page size and the resident's name. */
static void
test_card_face_pdf (void)
{
  g_autofree char *pdf = g_build_filename (T.dir, "face.pdf", NULL);
  g_autofree char *info = NULL, *text = NULL;
  g_autoptr(GError) error = NULL;
  const char *info_argv[] = { "pdfinfo", pdf, NULL };
  const char *text_argv[] = { "pdftotext", pdf, "-", NULL };
  int status = 0;

  if (g_find_program_in_path ("pdfinfo") == NULL)
    {
      g_test_skip ("pdfinfo (poppler-utils) is not installed");
      return;
    }
  ec_station_page_save_card_face (station_page, pdf);
  wait_label ("resident_message", "Card face saved");
  {
    GStatBuf st;
    g_assert_cmpint (g_stat (pdf, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  }
  g_assert_true (g_spawn_sync (NULL, (char **) info_argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &info, NULL,
                               &status, &error));
  g_assert_no_error (error);
  ec_test_assert_contains (info, "Pages:           1");
  assert_id1_page (info, 0.01);
  g_assert_true (g_spawn_sync (NULL, (char **) text_argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &text, NULL,
                               &status, &error));
  ec_test_assert_contains (text, NEW_NAME);
  ec_test_assert_contains (text, "Qian Shufen");
  /* Nothing medical on the face. */
  g_assert_null (strstr (text, "青霉素"));

  /* The print operation draws the same face on an ID-1 page. Not under the
   * sanitizers: GTK 4.8's print-to-file leaves two buffers inside libcairo's PDF
   * surface (no frame of ours in the stack) that LeakSanitizer reports. */
  if (g_strcmp0 (g_getenv ("SANITIZE"), "1") == 0)
    return;
  g_free (info);
  g_free (text);
  g_unlink (pdf);
  ec_station_page_print_to_file (station_page, pdf);
  wait_label ("resident_message", "Card face sent to the printer");
  {
    /* Owner only, as every export. */
    GStatBuf st;
    g_assert_cmpint (g_stat (pdf, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  }
  g_assert_true (g_spawn_sync (NULL, (char **) info_argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &info, NULL,
                               &status, &error));
  assert_id1_page (info, 0.05);
  g_assert_true (g_spawn_sync (NULL, (char **) text_argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &text, NULL,
                               &status, &error));
  ec_test_assert_contains (text, NEW_NAME);
}

static void tap (const char *command, EcKioskScreen expect);
static gboolean record_of_new_resident (gpointer data);

/* The reason dialog: choose item @choice (1 = the first reason) of its list, type
 * @words (or NULL), press @response. The action stays disabled until a reason. */
static void
answer_reason (guint       choice,
               const char *words,
               const char *response)
{
  AdwMessageDialog *dialog;
  GtkDropDown *drop;
  GtkWidget *entry;

  g_assert_true (ec_test_wait_until (dialog_shown, NULL, STEP_MS));
  dialog = find_dialog ();
  drop = GTK_DROP_DOWN (ec_test_find_of_type (GTK_WIDGET (dialog), GTK_TYPE_DROP_DOWN));
  entry = ec_test_find_of_type (GTK_WIDGET (dialog), GTK_TYPE_ENTRY);
  g_assert_nonnull (drop);
  g_assert_nonnull (entry);
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, response));
  gtk_drop_down_set_selected (drop, choice);
  if (words != NULL)
    gtk_editable_set_text (GTK_EDITABLE (entry), words);
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, response));
  adw_message_dialog_response (dialog, response);
  gtk_window_destroy (GTK_WINDOW (dialog));
}

static gboolean
widget_visible (gpointer data)
{
  return gtk_widget_get_visible (child (data));
}

static gboolean
record_of_demo_card (gpointer data)
{
  EcKioskResult *r = ec_kiosk_controller_get_result (T.controller);
  return ec_kiosk_controller_get_screen (T.controller) == EC_KIOSK_SCREEN_RECORD && r != NULL
         && r->resident != NULL && g_strcmp0 (r->resident->name_zh, T.demo->cards[0].name) == 0;
}

static gboolean
kiosk_on_screen (gpointer data)
{
  return ec_kiosk_window_get_visible_page (T.window) != GTK_WIDGET (station_page);
}

/* The focus is in the editor's row @name. */
static gboolean
focus_in (const char *name)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (T.window));
  GtkWidget *row = editor_child (name);

  return focus != NULL && (focus == row || gtk_widget_is_ancestor (focus, row));
}

static gboolean
row_in_view (gpointer data)
{
  GtkScrolledWindow *sw = editor_child ("scroller");
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (sw);
  graphene_rect_t b;

  if (!gtk_widget_compute_bounds (GTK_WIDGET (data), gtk_scrolled_window_get_child (sw), &b))
    return FALSE;
  return b.size.height > 0 && b.origin.y >= gtk_adjustment_get_value (adj) - 1
         && b.origin.y + MIN (b.size.height, gtk_adjustment_get_page_size (adj))
            <= gtk_adjustment_get_value (adj) + gtk_adjustment_get_page_size (adj) + 1;
}

/* Edit: the keyboard in the first field, the form at its top; an added entry comes
 * into view; a dropdown choice does not move the form. */
static void
test_form_scrolling (void)
{
  GtkAdjustment *adj;
  GtkWidget *row;
  guint a;
  double before;

  click ("edit_button");
  wait_screen ("edit");
  ec_test_spin (300);
  adj = gtk_scrolled_window_get_vadjustment (editor_child ("scroller"));
  g_assert_true (focus_in ("name_zh_row"));
  g_assert_cmpfloat (gtk_adjustment_get_value (adj), ==, 0);

  a = add_entry ("add_condition_button", EC_STATION_LIST_CONDITIONS);
  row = entry_widget (EC_STATION_LIST_CONDITIONS, a, "row");
  g_assert_true (ec_test_wait_until (row_in_view, row, STEP_MS));
  g_assert_cmpfloat (gtk_adjustment_get_value (adj), >, 0);

  /* A choice in a dropdown of the allergy list, where the form now is. */
  a = add_entry ("add_allergy_button", EC_STATION_LIST_ALLERGIES);
  g_assert_true (ec_test_wait_until (row_in_view, entry_widget (EC_STATION_LIST_ALLERGIES, a, "row"), STEP_MS));
  ec_test_spin (400);
  before = gtk_adjustment_get_value (adj);
  gtk_widget_grab_focus (editor_child ("name_zh_row"));   /* the focus elsewhere, as after a click */
  gtk_adjustment_set_value (adj, before);
  adw_combo_row_set_selected (ADW_COMBO_ROW (entry_widget (EC_STATION_LIST_ALLERGIES, a, "criticality")),
                              EC_CRITICALITY_HIGH);
  ec_test_spin (400);
  g_assert_cmpfloat_with_epsilon (gtk_adjustment_get_value (adj), before, 1.0);

  press (editor_child ("cancel_button"));
  g_assert_true (ec_test_wait_until (dialog_shown, NULL, STEP_MS));
  {
    AdwMessageDialog *dialog = find_dialog ();
    adw_message_dialog_response (dialog, "discard");
    gtk_window_destroy (GTK_WINDOW (dialog));
  }
  wait_screen ("resident");
}

/* Idle sign-out with a form open: first a warning that counts down; then the page
 * goes back to sign-in, nothing personal stays, the key is wiped, and the kiosk reads
 * cards again (as a responder's: it was started as a station). The same member of
 * staff gets the form back after signing in; Cancel then asks before throwing it
 * away. [station] idle-timeout (240 s in this set-up) is what counts. */
static void
test_idle_sign_out (void)
{
  EcStationContext *ctx = ec_station_page_get_context (station_page);
  guint timeout = ec_station_context_get_session (ctx)->idle_timeout;
  g_autofree char *text = NULL;
  g_autofree char *cmd = NULL;
  AdwMessageDialog *dialog;

  g_autofree char *on_reader = g_build_filename (T.dir, "on-reader.tag", NULL);

  g_assert_cmpuint (timeout, ==, 240);
  g_assert_cmpint (ec_station_context_remaining (ctx), <=, 240);
  g_assert_true (ec_station_context_has_station_key (ctx));
  {
    /* The top bar says where the person is: station mode, not a role. */
    g_autofree char *bar = ec_test_visible_text (ec_kiosk_window_get_topbar (T.window));
    ec_test_assert_contains (bar, "Service station (staff)");
  }

  /* New resident: the keyboard is in the first field, the form at its top. */
  click ("new_resident_button");
  wait_screen ("edit");
  ec_test_spin (300);
  g_assert_true (focus_in ("name_zh_row"));
  g_assert_cmpfloat (ec_station_editor_get_scroll (station_editor ()), ==, 0);
  set_row ("name_zh_row", "孙桂兰");
  set_row ("dob_row", "1941-02-03");

  /* A warning with a countdown first. */
  ec_station_context_set_clock_offset (ctx, timeout - 30);
  g_assert_true (ec_test_wait_until (widget_visible, (gpointer) "idle_bar", STEP_MS));
  ec_test_assert_contains (label_text ("idle_label"), "signed out in");
  ec_test_assert_contains (label_text ("idle_label"), "kept for you");
  g_assert_cmpstr (ec_station_page_get_screen (station_page), ==, "edit");

  ec_station_context_set_clock_offset (ctx, timeout + 5);
  wait_screen ("signin");
  ec_station_context_set_clock_offset (ctx, 0);
  wait_label ("signin_message", "signed out because nobody used the screen");
  g_assert_null (ec_station_context_get_session (ctx));
  g_assert_false (gtk_widget_get_visible (child ("idle_bar")));
  text = page_text ();
  g_assert_null (strstr (text, NEW_NAME));
  g_assert_null (strstr (text, "孙桂兰"));
  g_assert_cmpstr (label_text ("resident_name"), ==, "");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (editor_child ("name_zh_row"))), ==, "");

  /* The kiosk is a responder's kiosk again: a card tap shows the record. */
  cmd = g_strdup_printf ("save %s", on_reader);
  ec_kiosk_harness_emu (&T, cmd);
  g_free (cmd);
  g_assert_true (ec_test_wait_until (kiosk_on_screen, NULL, STEP_MS));
  g_assert_cmpint (ec_kiosk_controller_get_role (T.controller), ==, EC_ROLE_RESPONDER);
  g_assert_true (ec_kiosk_test_wait_reader (T.controller, EC_KIOSK_READER_READY, STEP_MS));
  /* (The kiosk may first read the card still on the reader: let that settle.) */
  g_assert_true (ec_kiosk_test_wait_settled (T.controller, STEP_MS));
  cmd = g_strdup_printf ("place-image %s/cards/01-valid-allergies.tag", T.demo->dir);
  tap (cmd, EC_KIOSK_SCREEN_RECORD);
  g_assert_true (ec_test_wait_until (record_of_demo_card, NULL, STEP_MS));
  ec_kiosk_controller_clear (T.controller);
  ec_kiosk_harness_emu (&T, "remove");
  g_free (cmd);
  cmd = g_strdup_printf ("place-image %s", on_reader);   /* the new card, as it was */
  ec_kiosk_harness_emu (&T, cmd);

  /* Back to station mode: the same person signs in and finds the form as it was. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (T.window), "station.open", NULL));
  g_assert_true (ec_kiosk_window_get_visible_page (T.window) == GTK_WIDGET (station_page));
  sign_in (STAFF_ID, STAFF_PIN);
  wait_screen ("edit");
  g_assert_false (ec_station_context_has_station_key (ctx));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (editor_child ("name_zh_row"))), ==, "孙桂兰");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (editor_child ("dob_row"))), ==, "1941-02-03");
  g_assert_true (gtk_widget_get_visible (editor_child ("note_label")));

  /* Cancel asks; "Keep editing" keeps the form; "Throw away" leaves it. */
  press (editor_child ("cancel_button"));
  g_assert_true (ec_test_wait_until (dialog_shown, NULL, STEP_MS));
  dialog = find_dialog ();
  adw_message_dialog_response (dialog, "keep");
  gtk_window_destroy (GTK_WINDOW (dialog));
  ec_test_spin (100);
  g_assert_cmpstr (ec_station_page_get_screen (station_page), ==, "edit");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (editor_child ("name_zh_row"))), ==, "孙桂兰");
  press (editor_child ("cancel_button"));
  g_assert_true (ec_test_wait_until (dialog_shown, NULL, STEP_MS));
  dialog = find_dialog ();
  adw_message_dialog_response (dialog, "discard");
  gtk_window_destroy (GTK_WINDOW (dialog));
  wait_screen ("home");
  ec_test_spin (100);

  /* An untouched form leaves without a question. */
  click ("new_resident_button");
  wait_screen ("edit");
  press (editor_child ("cancel_button"));
  wait_screen ("home");
  g_assert_null (find_dialog ());
  sign_out ();
}

/* The administrator sees the audit log with the chain verified, filters it by staff
 * and exports it. */
static void
test_admin_audit (void)
{
  g_autofree char *export = g_build_filename (T.dir, "audit.csv", NULL);
  g_autofree char *checkpoint = g_strconcat (export, ".checkpoint", NULL);
  g_autofree char *csv = NULL;
  g_autofree char *text = NULL;

  sign_in (ADMIN_ID, ADMIN_PIN);
  wait_screen ("home");
  g_assert_true (gtk_widget_get_visible (child ("audit_button")));
  click ("audit_button");
  wait_screen ("audit");
  wait_label ("audit_chain_label", "Audit chain verified");
  gtk_editable_set_text (GTK_EDITABLE (child ("audit_staff_entry")), STAFF_ID);
  click ("audit_apply_button");
  wait_label ("audit_message", "entries match");
  ec_test_spin (100);
  text = ec_test_visible_text (child ("audit_list"));
  /* Sentences with the resident's name, not codes and bare numbers. */
  ec_test_assert_contains (text, "张社工 (S0012) registered " NEW_NAME " (resident ");
  ec_test_assert_contains (text, "张社工 (S0012) issued a card to " NEW_NAME);
  ec_test_assert_contains (text, "张社工 (S0012) was signed out because nobody used the screen.");
  ec_test_assert_contains (text, "to print the card face");
  ec_test_assert_lacks (text, "resident-add");
  ec_test_assert_lacks (text, "card-issue");
  g_assert_null (strstr (text, ADMIN_ID " ("));
  /* Filtered by name (汉字 or pinyin). */
  gtk_editable_set_text (GTK_EDITABLE (child ("audit_staff_entry")), "");
  gtk_editable_set_text (GTK_EDITABLE (child ("audit_resident_entry")), "qian shu");
  click ("audit_apply_button");
  wait_label ("audit_message", "entries match");
  ec_test_spin (100);
  g_free (text);
  text = ec_test_visible_text (child ("audit_list"));
  ec_test_assert_contains (text, NEW_NAME);
  ec_test_assert_lacks (text, "signed in.");
  gtk_editable_set_text (GTK_EDITABLE (child ("audit_resident_entry")), NEW_NAME);
  click ("audit_apply_button");
  wait_label ("audit_message", "entries match");
  gtk_editable_set_text (GTK_EDITABLE (child ("audit_resident_entry")), "");
  gtk_editable_set_text (GTK_EDITABLE (child ("audit_staff_entry")), STAFF_ID);
  click ("audit_apply_button");
  wait_label ("audit_message", "entries match");
  ec_station_page_export_audit (station_page, export);
  wait_label ("audit_message", "Exported");
  g_assert_true (g_file_get_contents (export, &csv, NULL, NULL));
  g_assert_true (g_str_has_prefix (csv, "seq,at,actor_role,actor_id,action,"));
  ec_test_assert_contains (csv, "\"resident-add\"");
  g_assert_true (g_file_test (checkpoint, G_FILE_TEST_EXISTS));

  /* In the Chinese UI: sentences in Chinese with the name; the stored reason too. */
  ec_kiosk_window_set_language (T.window, "zh");
  g_assert_true (ec_test_wait_until (station_page_visible, station_page, STEP_MS));
  station_page = g_object_get_data (G_OBJECT (T.window), "ec-station-page");
  wait_screen ("home");
  g_assert_true (ec_station_page_open_audit (station_page));
  wait_screen ("audit");
  gtk_editable_set_text (GTK_EDITABLE (child ("audit_resident_entry")), NEW_NAME);
  click ("audit_apply_button");
  wait_label ("audit_message", "条");
  ec_test_spin (100);
  g_free (text);
  text = ec_test_visible_text (child ("audit_list"));
  ec_test_assert_contains (text, "张社工 (S0012) 为 " NEW_NAME "（居民编号 ");
  ec_test_assert_contains (text, "发了卡。");
  ec_test_assert_contains (text, "登记了 " NEW_NAME);
  ec_test_assert_contains (text, "原因：卡已损坏或无法读取。");
  ec_test_assert_lacks (text, "card-issue");
  ec_test_assert_lacks (text, " issued ");
  ec_kiosk_window_set_language (T.window, "en");
  g_assert_true (ec_test_wait_until (station_page_visible, station_page, STEP_MS));
  station_page = g_object_get_data (G_OBJECT (T.window), "ec-station-page");
  wait_screen ("home");
  sign_out ();
}

/* Take any card away, put the card on, wait for @expect (a read that started while
 * the card was still settling may show briefly as a problem and is read again). */
static void
tap (const char   *command,
     EcKioskScreen expect)
{
  ec_kiosk_harness_emu (&T, "remove");
  ec_kiosk_controller_clear (T.controller);
  ec_test_spin (300);
  ec_kiosk_harness_emu (&T, command);
  g_assert_true (ec_kiosk_test_wait_settled (T.controller, STEP_MS));
  g_assert_true (ec_kiosk_test_wait_screen (T.controller, expect, STEP_MS));
  ec_test_spin (50);
}

static gboolean
record_of_new_resident (gpointer data)
{
  EcKioskResult *r = ec_kiosk_controller_get_result (T.controller);
  return ec_kiosk_controller_get_screen (T.controller) == EC_KIOSK_SCREEN_RECORD && r != NULL
         && r->resident != NULL && g_strcmp0 (r->resident->name_zh, NEW_NAME) == 0;
}

static gboolean
problem_replaced (gpointer data)
{
  EcKioskResult *r = ec_kiosk_controller_get_result (T.controller);
  return ec_kiosk_controller_get_screen (T.controller) == EC_KIOSK_SCREEN_PROBLEM && r != NULL
         && r->problem == EC_KIOSK_PROBLEM_REPLACED;
}

static gboolean
problem_is (gpointer data)
{
  EcKioskResult *r = ec_kiosk_controller_get_result (T.controller);
  return ec_kiosk_controller_get_screen (T.controller) == EC_KIOSK_SCREEN_PROBLEM && r != NULL
         && r->problem == (EcKioskProblem) GPOINTER_TO_INT (data);
}

/* Back in the kiosk: the new card shows the new resident; the old one is refused as
 * replaced. */
static void
test_kiosk_sees_cards (void)
{
  g_autofree char *saved = g_build_filename (T.dir, "new.tag", NULL);
  g_autofree char *cmd = g_strdup_printf ("save %s", saved);
  g_autofree char *text = NULL;
  EcKioskResult *r;

  ec_kiosk_harness_emu (&T, cmd);
  click ("exit_button");
  g_assert_true (ec_kiosk_window_get_visible_page (T.window) != GTK_WIDGET (station_page));
  g_assert_true (ec_kiosk_test_wait_reader (T.controller, EC_KIOSK_READER_READY, STEP_MS));

  g_free (cmd);
  cmd = g_strdup_printf ("place-image %s", saved);
  tap (cmd, EC_KIOSK_SCREEN_RECORD);
  g_assert_true (ec_test_wait_until (record_of_new_resident, NULL, STEP_MS));
  r = ec_kiosk_controller_get_result (T.controller);
  g_assert_cmpuint (r->resident->id, ==, new_resident);
  text = ec_test_visible_text (GTK_WIDGET (T.window));
  ec_test_assert_contains (text, NEW_NAME);

  g_free (cmd);
  cmd = g_strdup_printf ("place-image %s", old_card);
  tap (cmd, EC_KIOSK_SCREEN_PROBLEM);
  g_assert_true (ec_test_wait_until (problem_replaced, NULL, STEP_MS));
  ec_kiosk_controller_clear (T.controller);
}

static AdwMessageDialog *
find_dialog (void)
{
  GListModel *tops = gtk_window_get_toplevels ();   /* owned by GTK */

  for (guint i = 0; i < g_list_model_get_n_items (tops); i++)
    {
      g_autoptr(GObject) w = g_list_model_get_item (tops, i);
      if (ADW_IS_MESSAGE_DIALOG (w) && gtk_widget_get_visible (GTK_WIDGET (w)))
        return ADW_MESSAGE_DIALOG (w);
    }
  return NULL;
}

static gboolean
dialog_shown (gpointer data)
{
  return find_dialog () != NULL;
}

/* From the staff menu again: a replacement for a lost card (the old one is lost at
 * once), then the new card revoked after a confirmation; the kiosk refuses both. */
static void
test_replace_lost_and_revoke (void)
{
  g_autofree char *saved = g_build_filename (T.dir, "third.tag", NULL);
  g_autofree char *cmd = NULL;
  g_autofree char *text = NULL;
  AdwMessageDialog *dialog;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (T.window), "station.open", NULL));
  g_assert_true (ec_kiosk_window_get_visible_page (T.window) == GTK_WIDGET (station_page));
  wait_screen ("signin");
  sign_in (STAFF_ID, STAFF_PIN);
  wait_screen ("home");
  ec_station_page_open_resident (station_page, new_resident);
  wait_label ("resident_info", "resident number");
  g_assert_true (ec_test_wait_until (list_nonempty, (gpointer) "cards_list", STEP_MS));
  ec_test_spin (200);

  /* The old card put back on the reader by mistake: refused, with the reason in the
   * staff's words (it was just marked lost), not "not blank". */
  ec_kiosk_harness_emu (&T, "remove");
  g_free (cmd);
  cmd = g_strdup_printf ("place-image %s/new.tag", T.dir);
  ec_kiosk_harness_emu (&T, cmd);
  click ("replace_lost_button");
  answer_reason (1, "left on the bus", "replace");
  /* A new sign-in: the key must be unlocked again. */
  wait_screen ("key");
  gtk_editable_set_text (GTK_EDITABLE (child ("passphrase_row")), EC_DEMO_PASSPHRASE);
  click ("unlock_button");
  wait_screen ("issue");
  wait_label ("issue_result", "already registered (lost)");
  g_assert_null (strstr (label_text ("issue_result"), "not blank"));
  g_assert_false (gtk_widget_get_visible (child ("other_card_button")));
  ec_kiosk_harness_emu (&T, "remove");
  ec_kiosk_harness_emu (&T, "place ntag215 " THIRD_UID);
  click ("retry_button");
  wait_label ("issue_result", "Confirmed: the new card reads back as " NEW_NAME " (card 3)");
  g_free (cmd);
  cmd = g_strdup_printf ("save %s", saved);
  ec_kiosk_harness_emu (&T, cmd);
  click ("issue_done_button");
  wait_screen ("resident");
  g_assert_true (ec_test_wait_until (list_nonempty, (gpointer) "cards_list", STEP_MS));
  ec_test_spin (300);
  text = ec_test_visible_text (child ("cards_list"));
  ec_test_assert_contains (text, THIRD_UID " · active");
  ec_test_assert_contains (text, NEW_UID " · lost");
  ec_test_assert_contains (text, OLD_UID " · replaced");

  ec_test_assert_contains (text, "The resident reported the card lost — left on the bus");

  click ("revoke_button");
  g_assert_true (ec_test_wait_until (dialog_shown, NULL, STEP_MS));
  dialog = find_dialog ();
  ec_test_assert_contains (adw_message_dialog_get_body (dialog), THIRD_UID);
  answer_reason (3, NULL, "revoke");   /* the resident has died */
  wait_label ("resident_message", "The card is revoked");
  g_assert_true (ec_test_wait_until (list_nonempty, (gpointer) "cards_list", STEP_MS));
  ec_test_spin (300);
  g_free (text);
  text = ec_test_visible_text (child ("cards_list"));
  ec_test_assert_contains (text, THIRD_UID " · revoked");
  ec_test_assert_contains (text, "The resident has died");
  g_assert_true (gtk_widget_get_visible (child ("issue_button")));
  {
    /* Stored and audited with the reason. */
    g_autoptr(EcDb) db = ec_db_open (T.demo->db_path, EC_DB_OPEN_READ_ONLY, NULL);
    g_autoptr(GPtrArray) entries = NULL;
    EcAuditFilter filter = { .action = "card-revoked" };
    g_assert_true (ec_db_audit_list (db, &filter, &entries, NULL));
    g_assert_cmpuint (entries->len, >=, 1);
    g_assert_cmpstr (((EcAuditEntry *) entries->pdata[entries->len - 1])->reason, ==, "The resident has died");
  }

  click ("signout_button");
  wait_screen ("signin");
  click ("exit_button");
  g_assert_true (ec_kiosk_test_wait_reader (T.controller, EC_KIOSK_READER_READY, STEP_MS));
  g_free (cmd);
  cmd = g_strdup_printf ("place-image %s", saved);
  tap (cmd, EC_KIOSK_SCREEN_PROBLEM);
  g_assert_true (ec_test_wait_until (problem_is, GINT_TO_POINTER (EC_KIOSK_PROBLEM_REVOKED), STEP_MS));
  /* The card reported lost. */
  g_free (cmd);
  cmd = g_strdup_printf ("place-image %s/new.tag", T.dir);
  tap (cmd, EC_KIOSK_SCREEN_PROBLEM);
  g_assert_true (ec_test_wait_until (problem_is, GINT_TO_POINTER (EC_KIOSK_PROBLEM_LOST), STEP_MS));
  ec_kiosk_controller_clear (T.controller);
}

/* Pull-then-retry, giving up the first card: only when the staff press "Use another
 * card instead" is it marked spoiled, and the screen says so; the new card is issued. */
static void
test_pull_use_other_card (void)
{
  g_autofree char *saved = g_build_filename (T.dir, "fourth.tag", NULL);
  EcStationTestPull pull = { &T, saved, FALSE };
  gulong id;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (T.window), "station.open", NULL));
  wait_screen ("signin");
  sign_in (STAFF_ID, STAFF_PIN);
  wait_screen ("home");
  ec_station_page_open_resident (station_page, new_resident);
  wait_label ("resident_info", "resident number");
  g_assert_true (ec_test_wait_until (list_nonempty, (gpointer) "cards_list", STEP_MS));
  ec_test_spin (300);
  ec_kiosk_harness_emu (&T, "remove");
  ec_kiosk_harness_emu (&T, "place ntag215 04ee5a00000004");
  id = g_signal_connect (child ("stage_write"), "notify::label", G_CALLBACK (ec_station_test_pull_card_cb), &pull);
  ec_kiosk_harness_emu (&T, "pace 2400");
  click ("issue_button");
  wait_screen ("key");
  gtk_editable_set_text (GTK_EDITABLE (child ("passphrase_row")), EC_DEMO_PASSPHRASE);
  click ("unlock_button");
  wait_label ("issue_result", "the same card back");
  g_signal_handler_disconnect (child ("stage_write"), id);
  g_assert_true (pull.pulled);

  ec_kiosk_harness_emu (&T, "place ntag215 04ee5a00000005");
  click ("other_card_button");
  wait_label ("issue_result", "Card 04ee5a00000004 is now marked spoiled");
  wait_label ("issue_message", "Card 04ee5a00000005 written, checked and locked");
  ec_test_assert_contains (label_text ("issue_message"), "04ee5a00000004 was marked spoiled");
  {
    g_autoptr(EcDb) db = ec_db_open (T.demo->db_path, EC_DB_OPEN_READ_ONLY, NULL);
    g_autoptr(EcCardRecord) first = NULL, second = NULL;
    g_assert_true (ec_db_card_lookup (db, "04ee5a00000004", &first, NULL));
    g_assert_cmpint (first->status, ==, EC_CARD_STATUS_SPOILED);
    g_assert_true (ec_db_card_lookup (db, "04ee5a00000005", &second, NULL));
    g_assert_cmpint (second->status, ==, EC_CARD_STATUS_ACTIVE);
  }
  click ("issue_done_button");
  wait_screen ("resident");
  sign_out ();
  click ("exit_button");
}

int
main (int    argc,
      char **argv)
{
  int rc;

  ec_test_fast_kdf (TRUE);
  ec_kiosk_test_init (&argc, &argv, TRUE);
  ec_station_test_setup (&T, "test-kiosk-station-XXXXXX", "test-setup");
  g_assert_null (ec_station_context_get_setup_error (ec_station_page_get_context (station_page)));
  g_assert_cmpuint (ec_station_context_get_station_id (ec_station_page_get_context (station_page)), ==, 1);
  g_assert_true (ec_kiosk_window_get_visible_page (T.window) == GTK_WIDGET (station_page));

  g_test_add_func ("/ec/kiosk/station/demo-sign-in", test_demo_sign_in);
  g_test_add_func ("/ec/kiosk/station/first-run-message", test_first_run_message);
  g_test_add_func ("/ec/kiosk/station/lockout", test_lockout);
  g_test_add_func ("/ec/kiosk/station/staff-no-audit", test_staff_no_audit);
  g_test_add_func ("/ec/kiosk/station/language-switch", test_language_switch);
  g_test_add_func ("/ec/kiosk/station/register", test_register);
  g_test_add_func ("/ec/kiosk/station/form-scrolling", test_form_scrolling);
  g_test_add_func ("/ec/kiosk/station/edit-with-photo", test_edit_with_photo);
  g_test_add_func ("/ec/kiosk/station/edit-validation", test_edit_validation);
  g_test_add_func ("/ec/kiosk/station/edit-full-record", test_edit_full_record);
  g_test_add_func ("/ec/kiosk/station/issue", test_issue);
  g_test_add_func ("/ec/kiosk/station/replace", test_replace);
  g_test_add_func ("/ec/kiosk/station/card-face-pdf", test_card_face_pdf);
  g_test_add_func ("/ec/kiosk/station/idle-sign-out", test_idle_sign_out);
  g_test_add_func ("/ec/kiosk/station/admin-audit", test_admin_audit);
  g_test_add_func ("/ec/kiosk/station/kiosk-sees-cards", test_kiosk_sees_cards);
  g_test_add_func ("/ec/kiosk/station/replace-lost-and-revoke", test_replace_lost_and_revoke);
  g_test_add_func ("/ec/kiosk/station/pull-use-other-card", test_pull_use_other_card);

  rc = g_test_run ();

  ec_kiosk_harness_close (&T, 200);
  g_free (old_card);
  return rc;
}
