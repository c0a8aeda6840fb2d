/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The ways out of --kiosk a person at the screen could try (docs/deploy.md "Ways out
 * of --kiosk"), tried the way that person would: real key presses through the X
 * server (xdotool under Xvfb), with the user's GTK setting that enables the
 * Inspector keybinding switched on (Debian bookworm's default).
 *
 * First a control: an ordinary window of this process does open the Inspector on
 * Ctrl+Shift+D, so the keys and the setting reach GTK. Then the kiosk window: neither
 * Ctrl+Shift+D nor Ctrl+Shift+I opens it, nor do they in a dialog the kiosk shows,
 * and closing the window (Alt+F4, a window manager's close) is refused. */
#include <gdk/x11/gdkx.h>
#include <stdlib.h>

#include "ec-kiosk-lock.h"
#include "kiosk-test-harness.h"

static EcKioskHarness T;

static GtkWindow *
find_inspector (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) w = g_list_model_get_item (toplevels, i);
      if (g_str_has_prefix (G_OBJECT_TYPE_NAME (w), "GtkInspector")
          && gtk_widget_get_visible (GTK_WIDGET (w)))
        return w;
    }
  return NULL;
}

static gboolean
inspector_shown_cb (gpointer data)
{
  return find_inspector () != NULL;
}

static gboolean
mapped_cb (gpointer data)
{
  return gtk_widget_get_mapped (GTK_WIDGET (data));
}

static void
run (const char *const *argv)
{
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               NULL, NULL, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("%s: %s", argv[2], error->message);
}

/* Give @window the X keyboard focus and press @keys there, as a person would. */
static void
press (GtkWindow  *window,
       const char *keys)
{
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (window));
  g_autofree char *xid = NULL;

  g_assert_true (GDK_IS_X11_SURFACE (surface));
  xid = g_strdup_printf ("%lu", (unsigned long) gdk_x11_surface_get_xid (surface));
  {
    const char *focus[] = { "timeout", "5", "xdotool", "windowfocus", "--sync", xid, NULL };
    const char *key[] = { "timeout", "5", "xdotool", "key", "--clearmodifiers", keys, NULL };
    run (focus);
    ec_test_spin (100);
    run (key);
  }
}

static void
enable_inspector_setting (void)
{
  g_autoptr(GSettings) debug = g_settings_new ("org.gtk.gtk4.Settings.Debug");

  g_assert_true (g_settings_set_boolean (debug, "enable-inspector-keybinding", TRUE));
  g_assert_true (g_settings_set_boolean (debug, "inspector-warning", FALSE));
}

static void
test_control_window_opens_inspector (void)
{
  GtkWindow *plain = GTK_WINDOW (gtk_window_new ());
  GtkWindow *inspector;

  gtk_window_set_title (plain, "control");
  gtk_window_set_child (plain, gtk_label_new ("control"));
  gtk_window_present (plain);
  g_assert_true (ec_test_wait_until (mapped_cb, plain, 3000));
  press (plain, "ctrl+shift+d");
  g_assert_true (ec_test_wait_until (inspector_shown_cb, NULL, 5000));
  inspector = find_inspector ();
  /* Hidden, not destroyed (GTK keeps one Inspector; it would show it again). */
  gtk_widget_set_visible (GTK_WIDGET (inspector), FALSE);
  g_assert_null (find_inspector ());
  gtk_window_destroy (plain);
  ec_test_spin (200);
}

static void
test_kiosk_no_inspector (void)
{
  EcKioskWindow *w;

  g_assert_null (find_inspector ());
  w = ec_kiosk_window_new (NULL, T.controller, T.config, TRUE);
  gtk_window_present (GTK_WINDOW (w));
  g_assert_true (ec_test_wait_until (mapped_cb, w, 3000));
  ec_test_spin (200);

  press (GTK_WINDOW (w), "ctrl+shift+d");
  g_assert_false (ec_test_wait_until (inspector_shown_cb, NULL, 1500));
  press (GTK_WINDOW (w), "ctrl+shift+i");
  g_assert_false (ec_test_wait_until (inspector_shown_cb, NULL, 1500));

  /* A dialog of the kiosk process (another GtkWindow class): no way in there either. */
  {
    AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (w), "dialog", NULL));
    adw_message_dialog_add_response (dialog, "ok", "OK");
    gtk_window_present (GTK_WINDOW (dialog));
    g_assert_true (ec_test_wait_until (mapped_cb, dialog, 3000));
    press (GTK_WINDOW (dialog), "ctrl+shift+d");
    g_assert_false (ec_test_wait_until (inspector_shown_cb, NULL, 1500));
    gtk_window_destroy (GTK_WINDOW (dialog));
  }

  /* The window manager's close (Alt+F4, a close button elsewhere) is refused. */
  gtk_window_close (GTK_WINDOW (w));
  ec_test_spin (200);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (w)));
  g_assert_true (ec_kiosk_window_get_locked (w));

  gtk_window_destroy (GTK_WINDOW (w));
  ec_test_spin (200);
}

/* GTK_DEBUG=interactive would open the Inspector at start-up: --kiosk removes it
 * before GTK starts. */
static void
test_environment (void)
{
  g_setenv ("GTK_DEBUG", "interactive", TRUE);
  ec_kiosk_lock_environment ();
  g_assert_null (g_getenv ("GTK_DEBUG"));
}

int
main (int    argc,
      char **argv)
{
  int rc;

  ec_kiosk_test_init (&argc, &argv, FALSE);
  ec_kiosk_harness_create_demo (&T, "test-kiosk-lock-XXXXXX", 5);
  ec_kiosk_harness_load_config (&T);
  T.controller = ec_kiosk_controller_new (T.config);
  enable_inspector_setting ();

  /* In this order: the control runs before any kiosk window locks the process. */
  g_test_add_func ("/kiosk/lock/control-window-opens-inspector", test_control_window_opens_inspector);
  g_test_add_func ("/kiosk/lock/no-inspector", test_kiosk_no_inspector);
  g_test_add_func ("/kiosk/lock/environment", test_environment);
  rc = g_test_run ();

  ec_kiosk_controller_stop (T.controller);
  ec_test_spin (100);
  g_clear_object (&T.controller);
  g_clear_pointer (&T.demo, ec_demo_fixture_free);
  g_clear_pointer (&T.config, ec_config_free);
  if (T.dir != NULL)
    ec_test_remove_tree (T.dir);
  g_free (T.dir);
  return rc;
}
