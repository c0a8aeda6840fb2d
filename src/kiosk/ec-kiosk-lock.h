/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-kiosk-lock.h: what --kiosk turns off for the whole process (docs/deploy.md
 * "Ways out of --kiosk").
 *
 * GTK opens its Inspector on Ctrl+Shift+D or Ctrl+Shift+I in every window when the
 * user's setting org.gtk.gtk4.Settings.Debug enable-inspector-keybinding is true (the
 * default on Debian bookworm), and at start-up with GTK_DEBUG=interactive: a person
 * at the screen would get a widget tree editor past the exit PIN. In kiosk mode both
 * are made impossible whatever the user's settings: the keybinding's handler
 * (GtkWindowClass.enable_debugging) of GtkWindow and of every window class derived
 * from it is replaced by one that does nothing, and GTK_DEBUG is removed from the
 * environment before GTK starts. An administrator who needs the Inspector runs the
 * kiosk without --kiosk (as a normal window, after the exit PIN). */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Before GTK starts (handle-local-options): drop GTK_DEBUG and GTK_INSPECTOR hooks
 * from the environment. */
void      ec_kiosk_lock_environment (void);
/* After the first window exists (any time): no window of this process opens the
 * Inspector from now on. Idempotent. */
void      ec_kiosk_lock_debugging   (void);

G_END_DECLS
