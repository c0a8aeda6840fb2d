/* SPDX-License-Identifier: GPL-3.0-or-later */
/* kiosk-test-util.h: helpers shared by the kiosk tests, the screenshot tools and the
 * benchmark: iterate the main context with a deadline, read the visible text of a
 * widget tree, find widgets, assert on what a screen shows, render a widget to PNG,
 * start and stop the emulator. Header-only (static functions); the kiosk itself is
 * not needed here (that is kiosk-test-harness.h). */
#pragma once

#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <gtk/gtk.h>

/* Iterate the default main context until @done (polled after each iteration) returns
 * TRUE or @timeout_ms pass. Returns whether @done became TRUE. */
typedef gboolean (*EcTestCondition) (gpointer data);

static G_GNUC_UNUSED gboolean
ec_test_wait_until (EcTestCondition done,
                    gpointer        data,
                    guint           timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!done (data))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      /* Wake up at least every 10 ms so the deadline is honoured. */
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (2000);
    }
  return TRUE;
}

/* Run the main loop for @ms milliseconds. */
static G_GNUC_UNUSED void
ec_test_spin (guint ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (2000);
}

static void
collect_text (GtkWidget *widget,
              GString   *out)
{
  /* Hidden widgets and the pages a GtkStack is not showing (child-visible FALSE). */
  if (!gtk_widget_get_visible (widget) || !gtk_widget_get_child_visible (widget))
    return;
  if (GTK_IS_LABEL (widget))
    {
      g_string_append (out, gtk_label_get_text (GTK_LABEL (widget)));
      g_string_append_c (out, '\n');
    }
  else if (GTK_IS_EDITABLE (widget) && GTK_IS_ENTRY (widget))
    {
      g_string_append (out, gtk_editable_get_text (GTK_EDITABLE (widget)));
      g_string_append_c (out, '\n');
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_text (child, out);
}

/* Every visible label's text under @widget, one per line (what a person can read;
 * a GtkStack only counts its visible child, because the others are not visible). */
static G_GNUC_UNUSED char *
ec_test_visible_text (GtkWidget *widget)
{
  GString *out = g_string_new (NULL);

  collect_text (widget, out);
  return g_string_free (out, FALSE);
}

/* Render @widget as it is on screen into @path (PNG). */
static G_GNUC_UNUSED gboolean
ec_test_save_png (GtkWidget  *widget,
                  const char *path,
                  GError    **error)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  graphene_rect_t viewport = GRAPHENE_RECT_INIT (0, 0, w, h);

  gdk_paintable_snapshot (paintable, snapshot, w, h);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  if (node == NULL || renderer == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "nothing to render (%dx%d)", w, h);
      return FALSE;
    }
  texture = gsk_renderer_render_texture (renderer, node, &viewport);
  if (!gdk_texture_save_to_png (texture, path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot write %s", path);
      return FALSE;
    }
  return TRUE;
}

/* In the emulator's child process: die with us, also when a test aborts. */
static void
emulator_child_setup (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

/* ec_test_start_emulator() with the extra arguments as a va_list. */
static G_GNUC_UNUSED GPid
ec_test_start_emulator_valist (const char *link,
                               const char *control,
                               va_list     ap)
{
  g_autofree char *emu_path = g_build_filename (EC_BUILD_DIR, "pn532-emu", NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GIOChannel) ch = NULL;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  int out_fd = -1;
  GPid pid = 0;
  const char *arg;

  g_ptr_array_add (argv, emu_path);
  g_ptr_array_add (argv, (gpointer) "--link");
  g_ptr_array_add (argv, (gpointer) link);
  g_ptr_array_add (argv, (gpointer) "--control");
  g_ptr_array_add (argv, (gpointer) control);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  g_ptr_array_add (argv, NULL);

  if (!g_spawn_async_with_pipes (NULL, (char **) argv->pdata, NULL,
                                 G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDERR_TO_DEV_NULL,
                                 emulator_child_setup, NULL, &pid, NULL, &out_fd, NULL, &error))
    g_error ("cannot start the emulator: %s", error->message);
  ch = g_io_channel_unix_new (out_fd);
  g_io_channel_set_close_on_unref (ch, TRUE);
  for (;;)
    {
      g_autofree char *line = NULL;
      if (g_get_monotonic_time () > deadline)
        g_error ("the emulator did not get ready within 10 s");
      if (g_io_channel_read_line (ch, &line, NULL, NULL, NULL) != G_IO_STATUS_NORMAL)
        g_error ("the emulator exited before it was ready");
      if (g_str_has_prefix (line, "ready"))
        break;
    }
  return pid;
}

/* Start $EC_BUILD_DIR/pn532-emu with @link and @control and wait (≤ 10 s) for its
 * "ready" line. Extra arguments (e.g. "--pace", "115200") end with NULL. */
static G_GNUC_UNUSED GPid
ec_test_start_emulator (const char *link,
                        const char *control,
                        ...)
{
  va_list ap;
  GPid pid;

  va_start (ap, control);
  pid = ec_test_start_emulator_valist (link, control, ap);
  va_end (ap);
  return pid;
}

/* Stop an emulator ec_test_start_emulator() started, and reap it. */
static G_GNUC_UNUSED void
ec_test_stop_emulator (GPid pid)
{
  if (pid <= 0)
    return;
  kill (pid, SIGTERM);
  waitpid (pid, NULL, 0);
  g_spawn_close_pid (pid);
}

/* Send one control command to the emulator (through `pn532-emu ctl`); returns the
 * answer line. Fails the test on "err". */
static G_GNUC_UNUSED char *
ec_test_emulator_ctl (const char *control,
                      const char *command)
{
  g_autofree char *emu_path = g_build_filename (EC_BUILD_DIR, "pn532-emu", NULL);
  g_auto(GStrv) words = g_strsplit (command, " ", -1);
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  int status = 0;

  g_strv_builder_add_many (b, emu_path, "ctl", control, NULL);
  g_strv_builder_addv (b, (const char **) words);
  argv = g_strv_builder_end (b);
  if (!g_spawn_sync (NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, &status, &error))
    g_error ("pn532-emu ctl: %s", error->message);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("pn532-emu ctl %s: %s", command, out);
  return g_strstrip (out);
}

/* Remove @dir and everything below it (a test's mktemp directory). */
static G_GNUC_UNUSED gboolean
ec_test_remove_tree (const char *dir)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);

  return system (cmd) == 0;
}

/* Xvfb has no session bus: GTK warns about it (and about the missing settings portal);
 * that is the test environment, not a kiosk fault. Everything else stays fatal. For
 * g_test_log_set_fatal_handler(). */
static G_GNUC_UNUSED gboolean
ec_test_ignore_environment_warnings (const char     *domain,
                                     GLogLevelFlags  level,
                                     const char     *message,
                                     gpointer        data)
{
  return !(strstr (message, "session bus") != NULL || strstr (message, "dbus-launch") != NULL
           || strstr (message, "Settings portal") != NULL);
}

/* Fail the test unless @text (what a screen shows) contains @needle. */
static G_GNUC_UNUSED void
ec_test_assert_contains (const char *text,
                         const char *needle)
{
  if (strstr (text, needle) == NULL)
    g_error ("expected “%s” on screen; the screen shows:\n%s", needle, text);
}

/* Fail the test if @text contains @needle (a NULL @needle is never there). */
static G_GNUC_UNUSED void
ec_test_assert_lacks (const char *text,
                      const char *needle)
{
  if (needle != NULL && strstr (text, needle) != NULL)
    g_error ("did not expect “%s” on screen; the screen shows:\n%s", needle, text);
}

/* Whether @widget is the one a search looks for. */
typedef gboolean (*EcTestWidgetMatch) (GtkWidget     *widget,
                                       gconstpointer  data);

/* The first widget (depth first, @widget included) @match accepts, or NULL. */
static G_GNUC_UNUSED GtkWidget *
ec_test_find (GtkWidget         *widget,
              EcTestWidgetMatch  match,
              gconstpointer      data)
{
  if (match (widget, data))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = ec_test_find (child, match, data);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static G_GNUC_UNUSED gboolean
ec_test_match_name (GtkWidget     *widget,
                    gconstpointer  name)
{
  return g_strcmp0 (gtk_widget_get_name (widget), name) == 0;
}

static G_GNUC_UNUSED gboolean
ec_test_match_type (GtkWidget     *widget,
                    gconstpointer  type)
{
  return G_TYPE_CHECK_INSTANCE_TYPE (widget, (GType) GPOINTER_TO_SIZE (type));
}

static G_GNUC_UNUSED gboolean
ec_test_match_css_class (GtkWidget     *widget,
                         gconstpointer  css_class)
{
  return gtk_widget_has_css_class (widget, css_class);
}

/* The first widget (depth first, @widget included) whose widget name is @name. */
static G_GNUC_UNUSED GtkWidget *
ec_test_find_named (GtkWidget  *widget,
                    const char *name)
{
  return ec_test_find (widget, ec_test_match_name, name);
}

/* The first widget (depth first, @widget included) of @type. */
static G_GNUC_UNUSED GtkWidget *
ec_test_find_of_type (GtkWidget *widget,
                      GType      type)
{
  return ec_test_find (widget, ec_test_match_type, GSIZE_TO_POINTER (type));
}

/* The first widget (depth first, @widget included) with the CSS class @css_class. */
static G_GNUC_UNUSED GtkWidget *
ec_test_find_with_class (GtkWidget  *widget,
                         const char *css_class)
{
  return ec_test_find (widget, ec_test_match_css_class, css_class);
}

/* A screenshot tool's shot: let the window settle for @settle_ms (layout, the stack
 * transition, fonts, the feedback flash), then render @window into @out_dir/@format….
 * Prints the path written, or the reason (prefixed with @tool) why not; returns
 * whether it was written. */
G_GNUC_PRINTF (5, 6)
static G_GNUC_UNUSED gboolean
ec_test_shoot (GtkWidget  *window,
               const char *tool,
               guint       settle_ms,
               const char *out_dir,
               const char *format,
               ...)
{
  g_autofree char *file = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  va_list ap;

  va_start (ap, format);
  file = g_strdup_vprintf (format, ap);
  va_end (ap);
  path = g_build_filename (out_dir, file, NULL);
  ec_test_spin (settle_ms);
  if (!ec_test_save_png (window, path, &error))
    {
      g_printerr ("%s: %s\n", tool, error->message);
      return FALSE;
    }
  g_print ("  %s\n", path);
  return TRUE;
}

/* The first visible toplevel window of @type (a dialog), or NULL. */
static G_GNUC_UNUSED GtkWindow *
ec_test_find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();   /* owned by GTK */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) w = g_list_model_get_item (toplevels, i);
      if (G_TYPE_CHECK_INSTANCE_TYPE (w, type) && gtk_widget_get_visible (GTK_WIDGET (w)))
        return GTK_WINDOW (w);
    }
  return NULL;
}

static G_GNUC_UNUSED gboolean
ec_test_toplevel_shown_cb (gpointer data)
{
  return ec_test_find_toplevel ((GType) GPOINTER_TO_SIZE (data)) != NULL;
}

/* Wait (≤ @timeout_ms) for a visible toplevel of @type; returns it, or NULL. */
static G_GNUC_UNUSED GtkWindow *
ec_test_wait_toplevel (GType type,
                       guint timeout_ms)
{
  if (!ec_test_wait_until (ec_test_toplevel_shown_cb, GSIZE_TO_POINTER (type), timeout_ms))
    return NULL;
  return ec_test_find_toplevel (type);
}

typedef struct
{
  GtkWidget  *widget;
  const char *needle;
} EcTestTextWait;

static G_GNUC_UNUSED gboolean
ec_test_text_shown_cb (gpointer data)
{
  const EcTestTextWait *w = data;
  g_autofree char *text = ec_test_visible_text (w->widget);

  return strstr (text, w->needle) != NULL;
}

/* Wait (≤ @timeout_ms) until the visible text under @widget contains @needle. */
static G_GNUC_UNUSED gboolean
ec_test_wait_text (GtkWidget  *widget,
                   const char *needle,
                   guint       timeout_ms)
{
  EcTestTextWait w = { widget, needle };

  return ec_test_wait_until (ec_test_text_shown_cb, &w, timeout_ms);
}
