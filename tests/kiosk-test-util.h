/* SPDX-License-Identifier: GPL-3.0-or-later */
/* kiosk-test-util.h: helpers shared by the kiosk tests, the screenshot tool and the
 * benchmark: iterate the main context with a deadline, read the visible text of a
 * widget tree, render a widget to PNG. Header-only (static functions). */
#pragma once

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
