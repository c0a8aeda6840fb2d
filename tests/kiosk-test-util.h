/* SPDX-License-Identifier: GPL-3.0-or-later */
/* kiosk-test-util.h: helpers shared by the kiosk tests, the screenshot tool and the
 * benchmark: iterate the main context with a deadline, read the visible text of a
 * widget tree, render a widget to PNG. Header-only (static functions). */
#pragma once

#include <signal.h>
#include <stdarg.h>
#include <sys/prctl.h>
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

/* Start $EC_BUILD_DIR/pn532-emu with @link and @control and wait (≤ 10 s) for its
 * "ready" line. Extra arguments (e.g. "--pace", "115200") end with NULL. */
static G_GNUC_UNUSED GPid
ec_test_start_emulator (const char *link,
                        const char *control,
                        ...)
{
  g_autofree char *emu_path = g_build_filename (EC_BUILD_DIR, "pn532-emu", NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GIOChannel) ch = NULL;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  int out_fd = -1;
  GPid pid = 0;
  va_list ap;
  const char *arg;

  g_ptr_array_add (argv, emu_path);
  g_ptr_array_add (argv, (gpointer) "--link");
  g_ptr_array_add (argv, (gpointer) link);
  g_ptr_array_add (argv, (gpointer) "--control");
  g_ptr_array_add (argv, (gpointer) control);
  va_start (ap, control);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (ap);
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
