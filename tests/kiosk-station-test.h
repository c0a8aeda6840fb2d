/* SPDX-License-Identifier: GPL-3.0-or-later */
/* kiosk-station-test.h: the kiosk's service-station mode under test, shared by its
 * integration test and its screenshot tool: the station set-up (the demo community
 * with staff accounts, the emulator at a real PN532 UART's pace, the full key
 * directory, the station page installed in a kiosk window) and the lookups a person's
 * actions go through (a template child of the page or of its resident editor, an
 * entry's widget, …). Header-only (static functions) for one program each: the page
 * under test is this file's station_page (a language switch rebuilds the page: set
 * it again). */
#pragma once

#include "ec-staff.h"
#include "ec-station-editor.h"
#include "ec-station-page.h"
#include "kiosk-test-harness.h"

/* Fictional staff; PINs that pass the policy. The administrator and the social worker
 * are the demo's own (what the demo panel shows). */
#define ADMIN_ID   EC_DEMO_ADMIN_ID
#define ADMIN_PIN  EC_DEMO_ADMIN_PIN
#define STAFF_ID   EC_DEMO_STAFF_ID
#define STAFF_PIN  EC_DEMO_STAFF_PIN
#define LOCK_ID    "S0099"
#define LOCK_PIN   "604917"

static EcStationPage *station_page;

/* The demo community plus the three staff accounts (created as @actor_id), the
 * emulator at 115200 baud (writing takes as long as on a station), a station
 * computer's configuration (the full key directory: station key, pepper; role staff),
 * the kiosk window with the station page installed (sets station_page). */
static G_GNUC_UNUSED void
ec_station_test_setup (EcKioskHarness *h,
                       const char     *tmpl,
                       const char     *actor_id)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *pepper_path = NULL;
  g_autoptr(EcPepper) pepper = NULL;
  g_autoptr(EcDb) db = NULL;
  EcActor actor = { EC_ROLE_ADMIN, actor_id };

  ec_kiosk_harness_create_demo (h, tmpl, 40);
  ec_kiosk_harness_start_emulator (h, NULL, "--pace", "115200", NULL);
  ec_kiosk_harness_load_config (h);
  g_free (h->config->keys_dir);
  h->config->keys_dir = g_build_filename (h->demo->dir, "keys", NULL);
  h->config->role = EC_ROLE_STAFF;
  h->config->station_idle_timeout = 240;   /* [station] idle-timeout: shorter than 5 minutes */

  /* The demo's staff, as `make run` has them; one more for the lockout. */
  g_assert_true (ec_demo_fixture_add_staff (h->demo, actor_id, &error));
  g_assert_no_error (error);
  pepper_path = g_build_filename (h->config->keys_dir, EC_PEPPER_FILE_NAME, NULL);
  pepper = ec_pepper_load_or_create (pepper_path, &error);
  g_assert_no_error (error);
  db = ec_db_open (h->demo->db_path, EC_DB_OPEN_READ_WRITE, &error);
  g_assert_no_error (error);
  g_assert_true (ec_staff_create (db, LOCK_ID, "赵社工", EC_ROLE_STAFF, LOCK_PIN, pepper, &actor, &error));
  g_assert_no_error (error);

  ec_kiosk_harness_open (h, TRUE);
  station_page = ec_station_install (h->window, h->config, TRUE);
  g_assert_nonnull (station_page);
  ec_station_context_set_card_wait (ec_station_page_get_context (station_page), 4000);
}

/* The station page's template child @name (the test fails if there is none). */
static G_GNUC_UNUSED gpointer
child (const char *name)
{
  gpointer w = gtk_widget_get_template_child (GTK_WIDGET (station_page), EC_TYPE_STATION_PAGE, name);

  g_assert_nonnull (w);
  return w;
}

static G_GNUC_UNUSED EcStationEditor *
station_editor (void)
{
  return EC_STATION_EDITOR (gtk_stack_get_child_by_name (child ("stack"), "edit"));
}

/* The resident editor's template child @name. */
static G_GNUC_UNUSED gpointer
editor_child (const char *name)
{
  gpointer w = gtk_widget_get_template_child (GTK_WIDGET (station_editor ()), EC_TYPE_STATION_EDITOR, name);

  g_assert_nonnull (w);
  return w;
}

static G_GNUC_UNUSED const char *
label_text (const char *name)
{
  return gtk_label_get_text (GTK_LABEL (child (name)));
}

/* Type @text into the editor's entry row @name. */
static G_GNUC_UNUSED void
set_row (const char *name,
         const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (editor_child (name)), text);
}

/* The widget for @field of entry @index in the editor's @list. */
static G_GNUC_UNUSED GtkWidget *
entry_widget (EcStationList list,
              guint         index,
              const char   *field)
{
  GtkWidget *w = ec_station_editor_get_entry_widget (station_editor (), list, index, field);

  if (w == NULL)
    g_error ("entry %u of list %d has no “%s”", index, (int) list, field);
  return w;
}

static G_GNUC_UNUSED void
set_entry (EcStationList list,
           guint         index,
           const char   *field,
           const char   *text)
{
  gtk_editable_set_text (GTK_EDITABLE (entry_widget (list, index, field)), text);
}

static G_GNUC_UNUSED guint
n_entries (EcStationList list)
{
  return ec_station_editor_get_n_entries (station_editor (), list);
}

/* Press the page's button @name as a person does: it must be on screen and enabled. */
static G_GNUC_UNUSED void
click (const char *name)
{
  GtkWidget *b = child (name);

  g_assert_true (gtk_widget_get_visible (b));
  g_assert_true (gtk_widget_is_sensitive (b));
  g_signal_emit_by_name (b, "clicked");
}

/* Sign in as a person does: the staff id, the PIN on the page's keypad, "Sign in". */
static G_GNUC_UNUSED void
sign_in (const char *id,
         const char *pin)
{
  gtk_editable_set_text (GTK_EDITABLE (child ("staff_entry")), id);
  ec_station_page_press_keys (station_page, pin);
  click ("signin_button");
}

static G_GNUC_UNUSED gboolean
station_screen_is (gpointer data)
{
  return g_strcmp0 (ec_station_page_get_screen (station_page), data) == 0;
}

/* Wait (≤ @timeout_ms) until the page shows @screen. */
static G_GNUC_UNUSED gboolean
station_wait_screen (const char *screen,
                     guint       timeout_ms)
{
  return ec_test_wait_until (station_screen_is, (gpointer) screen, timeout_ms);
}

typedef struct
{
  gboolean    editor;
  const char *label;
  const char *needle;
} StationLabelWait;

static G_GNUC_UNUSED gboolean
station_label_has (gpointer data)
{
  const StationLabelWait *w = data;
  GtkLabel *label = w->editor ? editor_child (w->label) : child (w->label);

  return strstr (gtk_label_get_text (label), w->needle) != NULL;
}

/* Wait (≤ @timeout_ms) until the page's label @name shows @needle. */
static G_GNUC_UNUSED gboolean
station_wait_label (const char *name,
                    const char *needle,
                    guint       timeout_ms)
{
  StationLabelWait w = { FALSE, name, needle };
  return ec_test_wait_until (station_label_has, &w, timeout_ms);
}

/* Wait (≤ @timeout_ms) until the editor's label @name shows @needle (the card
 * preview is rebuilt on the main loop). */
static G_GNUC_UNUSED gboolean
station_wait_editor_label (const char *name,
                           const char *needle,
                           guint       timeout_ms)
{
  StationLabelWait w = { TRUE, name, needle };
  return ec_test_wait_until (station_label_has, &w, timeout_ms);
}

/* A card pulled away mid-write: connect ec_station_test_pull_card_cb to the "write"
 * stage label's notify::label with one of these. */
typedef struct
{
  EcKioskHarness *harness;
  const char     *path;     /* where the card is kept */
  gboolean        pulled;
} EcStationTestPull;

/* When writing starts: keep the card as it is at that moment (in @pull->path), and
 * take it away; the emulator's pace goes back to a real UART's. */
static G_GNUC_UNUSED void
ec_station_test_pull_card_cb (GtkLabel          *label,
                              GParamSpec        *pspec,
                              EcStationTestPull *pull)
{
  g_autofree char *cmd = NULL;

  if (pull->pulled || !g_str_has_prefix (gtk_label_get_text (label), "▶"))
    return;
  pull->pulled = TRUE;
  cmd = g_strdup_printf ("save %s", pull->path);
  ec_kiosk_harness_emu (pull->harness, cmd);
  ec_kiosk_harness_emu (pull->harness, "remove");
  ec_kiosk_harness_emu (pull->harness, "pace 115200");
}
