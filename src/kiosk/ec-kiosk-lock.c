/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ec-kiosk-lock"

#include "ec-kiosk-lock.h"

static gboolean
no_debugging (GtkWindow *window,
              gboolean   toggle)
{
  g_debug ("kiosk mode: the GTK Inspector keybinding is off");
  return TRUE;   /* handled: the key goes no further */
}

/* Replace the handler in @type's class (when it has one already) and its subclasses'.
 * A class made later copies its parent's, so it inherits the replacement. */
static void
patch_class (GType type)
{
  GtkWindowClass *klass = g_type_class_peek (type);
  g_autofree GType *children = NULL;
  guint n = 0;

  if (klass != NULL)
    klass->enable_debugging = no_debugging;
  children = g_type_children (type, &n);
  for (guint i = 0; i < n; i++)
    patch_class (children[i]);
}

void
ec_kiosk_lock_environment (void)
{
  g_unsetenv ("GTK_DEBUG");
  g_unsetenv ("GTK_INSPECTOR_DISPLAY");
  g_unsetenv ("GTK_INSPECTOR_RENDERER");
  g_unsetenv ("GTK_MODULES");
}

void
ec_kiosk_lock_debugging (void)
{
  g_type_class_unref (g_type_class_ref (GTK_TYPE_WINDOW));   /* make sure it exists */
  patch_class (GTK_TYPE_WINDOW);
  gtk_window_set_interactive_debugging (FALSE);
}
