/* SPDX-License-Identifier: GPL-3.0-or-later */
/* station-screenshots: the screens of the kiosk's service-station mode, for
 * docs/station-guide.md (`make station-screenshots` → docs/screenshots/LANG-station-*.png).
 * Runs the real window, page, database and issuing through libnfc against the PN532
 * emulator, on a fresh fictional demo community with fictional staff.
 *
 *   station-screenshots OUT_DIR zh|en */
#define G_LOG_DOMAIN "station-screenshots"

#include <stdio.h>

#include "ec-db.h"
#include "ec-init.h"
#include "kiosk-station-test.h"

#define WAIT_MS 20000

static EcKioskHarness H;
static const char *out_dir;
static guint n_written;

static void
wait_label (const char *label,
            const char *needle)
{
  if (!station_wait_label (label, needle, WAIT_MS))
    g_printerr ("station-screenshots: %s never showed “%s”\n", label, needle);
}

static void
wait_screen (const char *screen)
{
  if (!station_wait_screen (screen, WAIT_MS))
    g_printerr ("station-screenshots: never reached %s\n", screen);
}

static void
shoot (const char *name)
{
  if (ec_test_shoot (GTK_WIDGET (H.window), "station-screenshots", 900, out_dir, "%s-station-%s.png",
                     ec_kiosk_i18n_get_language (), name))
    n_written++;
}

static guint
add_entry (EcStationList list)
{
  return ec_station_editor_add_entry (station_editor (), list);
}

static void
set_choice (EcStationList list,
            guint         index,
            const char   *field,
            guint         value)
{
  adw_combo_row_set_selected (ADW_COMBO_ROW (entry_widget (list, index, field)), value);
}

static void
collapse (EcStationList list,
          guint         index)
{
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (entry_widget (list, index, "row")), FALSE);
}

/* Scroll the form so that @target is at the top. */
static void
scroll_to (GtkWidget *target)
{
  GtkWidget *sw = gtk_widget_get_ancestor (target, GTK_TYPE_SCROLLED_WINDOW);
  GtkWidget *clamp = gtk_widget_get_ancestor (target, ADW_TYPE_CLAMP);
  double x = 0, y = 0;

  ec_test_spin (300);   /* laid out */
  if (sw != NULL && clamp != NULL && gtk_widget_translate_coordinates (target, clamp, 0, 0, &x, &y))
    gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (sw)), y - 12);
}

static gboolean
retry_shown (gpointer data)
{
  return gtk_widget_get_visible (child ("retry_button"));
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *saved = NULL, *cmd = NULL;

  if (argc != 3 || (!g_str_equal (argv[2], "zh") && !g_str_equal (argv[2], "en")))
    {
      g_printerr ("usage: station-screenshots OUT_DIR zh|en\n");
      return 2;
    }
  out_dir = argv[1];
  ec_test_fast_kdf (TRUE);
  ec_kiosk_tool_init (out_dir, argv[2], FALSE);

  ec_station_test_setup (&H, "station-shots-XXXXXX", "demo-setup");

  g_print ("station-screenshots (%s):\n", argv[2]);
  shoot ("signin");

  for (guint i = 0; i < 5; i++)
    {
      sign_in (LOCK_ID, "918273");
      ec_test_spin (400);
    }
  wait_label ("signin_message", "30");
  shoot ("lockout");
  gtk_editable_set_text (GTK_EDITABLE (child ("staff_entry")), "");

  sign_in (STAFF_ID, STAFF_PIN);
  wait_screen ("home");
  ec_test_spin (500);
  shoot ("residents");

  click ("new_resident_button");
  wait_screen ("edit");
  set_row ("name_zh_row", "钱淑芬");
  set_row ("name_pinyin_row", "Qian Shufen");
  set_row ("dob_row", "1941-13-02");
  set_entry (EC_STATION_LIST_CONTACTS, 0, "text", "钱小梅");
  set_entry (EC_STATION_LIST_CONTACTS, 0, "phones", "12345");
  g_signal_emit_by_name (editor_child ("save_button"), "clicked");
  shoot ("register-problems");
  set_row ("dob_row", "1941-03-02");
  set_entry (EC_STATION_LIST_CONTACTS, 0, "relation", "女儿");
  set_entry (EC_STATION_LIST_CONTACTS, 0, "phones", "139 0000 5678");
  adw_combo_row_set_selected (editor_child ("allergy_status_row"), 3);
  adw_combo_row_set_selected (editor_child ("blood_row"), 7);
  {
    guint a = add_entry (EC_STATION_LIST_ALLERGIES);
    set_entry (EC_STATION_LIST_ALLERGIES, a, "text", "花生");
    set_choice (EC_STATION_LIST_ALLERGIES, a, "category", EC_ALLERGY_CATEGORY_FOOD);
    set_choice (EC_STATION_LIST_ALLERGIES, a, "criticality", EC_CRITICALITY_LOW);
    set_entry (EC_STATION_LIST_ALLERGIES, a, "reaction", "口唇发痒");
    set_choice (EC_STATION_LIST_ALLERGIES, a, "severity", EC_SEVERITY_MILD);
    set_choice (EC_STATION_LIST_ALLERGIES, a, "verification", 1);
    collapse (EC_STATION_LIST_ALLERGIES, a);
    a = add_entry (EC_STATION_LIST_ALLERGIES);
    set_entry (EC_STATION_LIST_ALLERGIES, a, "text", "青霉素");
    set_choice (EC_STATION_LIST_ALLERGIES, a, "criticality", EC_CRITICALITY_HIGH);
    set_entry (EC_STATION_LIST_ALLERGIES, a, "reaction", "皮疹、呼吸困难");
    set_choice (EC_STATION_LIST_ALLERGIES, a, "severity", EC_SEVERITY_SEVERE);
    scroll_to (editor_child ("allergies_group"));
    shoot ("register-allergy");
    collapse (EC_STATION_LIST_ALLERGIES, a);
  }
  {
    guint c = add_entry (EC_STATION_LIST_CONDITIONS);
    set_entry (EC_STATION_LIST_CONDITIONS, c, "text", "高血压");
    set_entry (EC_STATION_LIST_CONDITIONS, c, "icd10", "I10");
    set_entry (EC_STATION_LIST_CONDITIONS, c, "since", "2009");
    collapse (EC_STATION_LIST_CONDITIONS, c);
    c = add_entry (EC_STATION_LIST_CONDITIONS);
    set_entry (EC_STATION_LIST_CONDITIONS, c, "text", "2型糖尿病");
    set_entry (EC_STATION_LIST_CONDITIONS, c, "icd10", "E11.9");
    collapse (EC_STATION_LIST_CONDITIONS, c);
  }
  {
    guint m = add_entry (EC_STATION_LIST_MEDICATIONS);
    set_entry (EC_STATION_LIST_MEDICATIONS, m, "text", "二甲双胍");
    set_entry (EC_STATION_LIST_MEDICATIONS, m, "dose", "0.5 g");
    set_entry (EC_STATION_LIST_MEDICATIONS, m, "route", "口服");
    gtk_check_button_set_active (GTK_CHECK_BUTTON (entry_widget (EC_STATION_LIST_MEDICATIONS, m, "morning")), TRUE);
    gtk_check_button_set_active (GTK_CHECK_BUTTON (entry_widget (EC_STATION_LIST_MEDICATIONS, m, "evening")), TRUE);
    scroll_to (editor_child ("medications_group"));
    shoot ("register-medication");
    collapse (EC_STATION_LIST_MEDICATIONS, m);
  }
  {
    guint k;
    collapse (EC_STATION_LIST_CONTACTS, 0);
    k = add_entry (EC_STATION_LIST_CONTACTS);
    set_entry (EC_STATION_LIST_CONTACTS, k, "text", "周阿姨");
    set_entry (EC_STATION_LIST_CONTACTS, k, "relation", "邻居");
    set_entry (EC_STATION_LIST_CONTACTS, k, "phones", "138 0000 4321");
    gtk_switch_set_active (GTK_SWITCH (entry_widget (EC_STATION_LIST_CONTACTS, k, "nearby")), TRUE);
    collapse (EC_STATION_LIST_CONTACTS, k);
  }
  gtk_check_button_set_active (editor_child ("comm_hearing_check"), TRUE);
  set_row ("comm_notes_row", "右耳听力好，请在右侧慢慢说");
  set_row ("building_row", "3栋2单元501");
  scroll_to (editor_child ("contacts_group"));
  shoot ("register-preview");
  g_signal_emit_by_name (editor_child ("save_button"), "clicked");
  wait_screen ("resident");
  wait_label ("resident_info", "·");
  ec_test_spin (300);
  shoot ("resident-new");

  ec_kiosk_harness_emu (&H, "place ntag215 04ee5a00000001");
  click ("issue_button");
  wait_screen ("key");
  shoot ("key");

  /* Pulled away mid-write, then put back. */
  saved = g_build_filename (H.dir, "pulled.tag", NULL);
  {
    EcStationTestPull pull = { &H, saved, FALSE };
    gulong id = g_signal_connect (child ("stage_write"), "notify::label", G_CALLBACK (ec_station_test_pull_card_cb), &pull);
    ec_kiosk_harness_emu (&H, "pace 2400");
    gtk_editable_set_text (GTK_EDITABLE (child ("passphrase_row")), EC_DEMO_PASSPHRASE);
    click ("unlock_button");
    wait_screen ("issue");
    if (!ec_test_wait_until (retry_shown, NULL, WAIT_MS))
      g_printerr ("station-screenshots: the pulled card was not reported\n");
    g_signal_handler_disconnect (child ("stage_write"), id);
  }
  shoot ("pulled");
  cmd = g_strdup_printf ("place-image %s", saved);
  ec_kiosk_harness_emu (&H, cmd);
  click ("retry_button");
  wait_label ("issue_result", "钱淑芬");
  shoot ("issued");
  click ("issue_done_button");
  wait_screen ("resident");
  ec_test_spin (500);
  shoot ("resident-card");

  click ("signout_button");
  wait_screen ("signin");
  sign_in (ADMIN_ID, ADMIN_PIN);
  wait_screen ("home");
  ec_station_page_open_audit (station_page);
  wait_label ("audit_chain_label", "✔");
  ec_test_spin (500);
  shoot ("audit");
  click ("signout_button");
  wait_screen ("signin");

  ec_kiosk_harness_close (&H, 200);
  g_print ("%u screenshots\n", n_written);
  return n_written == 13 ? 0 : 1;
}
