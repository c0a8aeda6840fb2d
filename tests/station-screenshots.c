/* SPDX-License-Identifier: GPL-3.0-or-later */
/* station-screenshots: the screens of the kiosk's service-station mode, for
 * docs/station-guide.md (`make station-screenshots` → docs/screenshots/LANG-station-*.png).
 * Runs the real window, page, database and issuing through libnfc against the PN532
 * emulator, on a fresh fictional demo community with fictional staff.
 *
 *   station-screenshots OUT_DIR zh|en */
#define G_LOG_DOMAIN "station-screenshots"

#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>

#include "ec-db.h"
#include "ec-init.h"
#include "ec-kiosk-application.h"
#include "ec-kiosk-i18n.h"
#include "ec-kiosk-window.h"
#include "ec-staff.h"
#include "ec-station-editor.h"
#include "ec-station-page.h"
#include "kiosk-demo-fixture.h"
#include "kiosk-test-util.h"

#define WAIT_MS 20000

static EcKioskWindow *window;
static EcStationPage *page;
static const char *out_dir;
static char *control;
static guint n_written;

static gpointer
child (const char *name)
{
  return gtk_widget_get_template_child (GTK_WIDGET (page), EC_TYPE_STATION_PAGE, name);
}

static gpointer
editor_child (const char *name)
{
  GtkWidget *editor = gtk_stack_get_child_by_name (child ("stack"), "edit");
  return gtk_widget_get_template_child (editor, EC_TYPE_STATION_EDITOR, name);
}

static void
emu (const char *command)
{
  g_free (ec_test_emulator_ctl (control, command));
}

static gboolean
screen_is (gpointer data)
{
  return g_strcmp0 (ec_station_page_get_screen (page), data) == 0;
}

typedef struct
{
  const char *label;
  const char *needle;
} LabelWait;

static gboolean
label_has (gpointer data)
{
  const LabelWait *w = data;
  return strstr (gtk_label_get_text (child (w->label)), w->needle) != NULL;
}

static void
wait_label (const char *label,
            const char *needle)
{
  LabelWait w = { label, needle };

  if (!ec_test_wait_until (label_has, &w, WAIT_MS))
    g_printerr ("station-screenshots: %s never showed “%s”\n", label, needle);
}

static void
wait_screen (const char *screen)
{
  if (!ec_test_wait_until (screen_is, (gpointer) screen, WAIT_MS))
    g_printerr ("station-screenshots: never reached %s\n", screen);
}

static void
shoot (const char *name)
{
  g_autofree char *file = g_strdup_printf ("%s-station-%s.png", ec_kiosk_i18n_get_language (), name);
  g_autofree char *path = g_build_filename (out_dir, file, NULL);
  g_autoptr(GError) error = NULL;

  ec_test_spin (900);
  if (!ec_test_save_png (GTK_WIDGET (window), path, &error))
    g_printerr ("station-screenshots: %s\n", error->message);
  else
    {
      g_print ("  %s\n", path);
      n_written++;
    }
}

static void
sign_in (const char *id,
         const char *pin)
{
  gtk_editable_set_text (GTK_EDITABLE (child ("staff_entry")), id);
  ec_station_page_press_keys (page, pin);
  g_signal_emit_by_name (child ("signin_button"), "clicked");
}

static void
click (const char *name)
{
  g_signal_emit_by_name (child (name), "clicked");
}

static void
set_row (const char *name,
         const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (editor_child (name)), text);
}

static GtkWidget *
entry_widget (EcStationList list,
              guint         index,
              const char   *field)
{
  GtkWidget *editor = gtk_stack_get_child_by_name (child ("stack"), "edit");
  return ec_station_editor_get_entry_widget (EC_STATION_EDITOR (editor), list, index, field);
}

static guint
add_entry (EcStationList list)
{
  GtkWidget *editor = gtk_stack_get_child_by_name (child ("stack"), "edit");
  return ec_station_editor_add_entry (EC_STATION_EDITOR (editor), list);
}

static void
set_entry (EcStationList list,
           guint         index,
           const char   *field,
           const char   *text)
{
  gtk_editable_set_text (GTK_EDITABLE (entry_widget (list, index, field)), text);
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

typedef struct
{
  const char *path;
  gboolean    pulled;
} PullData;

static void
pull_card_cb (GtkLabel   *label,
              GParamSpec *pspec,
              PullData   *pull)
{
  g_autofree char *cmd = NULL;

  if (pull->pulled || !g_str_has_prefix (gtk_label_get_text (label), "▶"))
    return;
  pull->pulled = TRUE;
  cmd = g_strdup_printf ("save %s", pull->path);
  emu (cmd);
  emu ("remove");
  emu ("pace 115200");
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
  g_autoptr(GError) error = NULL;
  g_autoptr(EcDemoFixture) demo = NULL;
  g_autoptr(EcConfig) config = NULL;
  g_autoptr(EcKioskController) controller = NULL;
  g_autofree char *dir = NULL, *link = NULL, *saved = NULL, *cmd = NULL;
  GPid emu_pid;

  if (argc != 3 || (!g_str_equal (argv[2], "zh") && !g_str_equal (argv[2], "en")))
    {
      g_printerr ("usage: station-screenshots OUT_DIR zh|en\n");
      return 2;
    }
  out_dir = argv[1];
  setlocale (LC_ALL, "");
  g_setenv ("LIBNFC_AUTO_SCAN", "false", TRUE);
  g_setenv ("ELDERCARD_TEST_FAST_KDF", "1", TRUE);
  gtk_init ();
  ec_kiosk_ui_init ();
  ec_kiosk_i18n_init (argv[2]);
  g_mkdir_with_parents (out_dir, 0755);

  dir = g_dir_make_tmp ("station-shots-XXXXXX", &error);
  g_assert_no_error (error);
  {
    g_autofree char *demo_dir = g_build_filename (dir, "demo", NULL);
    demo = ec_demo_fixture_create (demo_dir, 40, &error);
    g_assert_no_error (error);
  }
  link = g_build_filename (dir, "reader", NULL);
  control = g_build_filename (dir, "emulator.sock", NULL);
  emu_pid = ec_test_start_emulator (link, control, "--pace", "115200", NULL);

  config = ec_config_new ();
  g_assert_true (ec_config_load_file (config, demo->conf_path, &error));
  g_free (config->device);
  config->device = g_strdup_printf ("pn532_uart:%s", link);
  g_free (config->keys_dir);
  config->keys_dir = g_build_filename (demo->dir, "keys", NULL);
  config->role = EC_ROLE_STAFF;
  {
    g_autofree char *pepper_path = g_build_filename (config->keys_dir, EC_PEPPER_FILE_NAME, NULL);
    g_autoptr(EcPepper) pepper = ec_pepper_load_or_create (pepper_path, &error);
    g_autoptr(EcDb) db = ec_db_open (demo->db_path, EC_DB_OPEN_READ_WRITE, &error);
    EcActor actor = { EC_ROLE_ADMIN, "demo-setup" };
    g_assert_no_error (error);
    g_assert_true (ec_staff_create (db, "A001", "李主任", EC_ROLE_ADMIN, "739154", pepper, &actor, &error));
    g_assert_true (ec_staff_create (db, "S0012", "张社工", EC_ROLE_STAFF, "582946", pepper, &actor, &error));
    g_assert_true (ec_staff_create (db, "S0099", "赵社工", EC_ROLE_STAFF, "604917", pepper, &actor, &error));
  }

  controller = ec_kiosk_controller_new (config);
  window = ec_kiosk_window_new (NULL, controller, config, FALSE);
  gtk_window_present (GTK_WINDOW (window));
  ec_kiosk_controller_start (controller);
  page = ec_station_install (window, config, TRUE);
  ec_station_context_set_card_wait (ec_station_page_get_context (page), 4000);

  g_print ("station-screenshots (%s):\n", argv[2]);
  shoot ("signin");

  for (guint i = 0; i < 5; i++)
    {
      sign_in ("S0099", "918273");
      ec_test_spin (400);
    }
  wait_label ("signin_message", "30");
  shoot ("lockout");
  gtk_editable_set_text (GTK_EDITABLE (child ("staff_entry")), "");

  sign_in ("S0012", "582946");
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

  emu ("place ntag215 04ee5a00000001");
  click ("issue_button");
  wait_screen ("key");
  shoot ("key");

  /* Pulled away mid-write, then put back. */
  saved = g_build_filename (dir, "pulled.tag", NULL);
  {
    PullData pull = { saved, FALSE };
    gulong id = g_signal_connect (child ("stage_write"), "notify::label", G_CALLBACK (pull_card_cb), &pull);
    emu ("pace 2400");
    gtk_editable_set_text (GTK_EDITABLE (child ("passphrase_row")), EC_DEMO_PASSPHRASE);
    click ("unlock_button");
    wait_screen ("issue");
    if (!ec_test_wait_until (retry_shown, NULL, WAIT_MS))
      g_printerr ("station-screenshots: the pulled card was not reported\n");
    g_signal_handler_disconnect (child ("stage_write"), id);
  }
  shoot ("pulled");
  cmd = g_strdup_printf ("place-image %s", saved);
  emu (cmd);
  click ("retry_button");
  wait_label ("issue_result", "钱淑芬");
  shoot ("issued");
  click ("issue_done_button");
  wait_screen ("resident");
  ec_test_spin (500);
  shoot ("resident-card");

  click ("signout_button");
  wait_screen ("signin");
  sign_in ("A001", "739154");
  wait_screen ("home");
  ec_station_page_open_audit (page);
  wait_label ("audit_chain_label", "✔");
  ec_test_spin (500);
  shoot ("audit");
  click ("signout_button");
  wait_screen ("signin");

  gtk_window_destroy (GTK_WINDOW (window));
  ec_kiosk_controller_stop (controller);
  ec_test_spin (200);
  kill (emu_pid, SIGTERM);
  waitpid (emu_pid, NULL, 0);
  g_spawn_close_pid (emu_pid);
  {
    g_autofree char *rm = g_strdup_printf ("rm -rf '%s'", dir);
    if (system (rm) != 0)
      g_printerr ("station-screenshots: could not remove %s\n", dir);
  }
  g_free (control);
  g_print ("%u screenshots\n", n_written);
  return n_written == 13 ? 0 : 1;
}
