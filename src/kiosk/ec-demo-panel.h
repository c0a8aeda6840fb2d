/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-demo-panel.h: the `make run` side panel. Reads DIR/demo.ini (written by
 * build-aux/run-demo.sh):
 *
 *   [emulator]
 *   control=/path/to/control.sock          the PN532 emulator's control socket
 *   [card 01]
 *   label=王秀英: valid card               button text (shown as is)
 *   command=place-image /path/wang.tag     the control command the button sends
 *
 * and sends the commands over the socket asynchronously (the emulator answers one
 * line, "ok …" or "err …", shown under the buttons). */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define EC_TYPE_DEMO_PANEL (ec_demo_panel_get_type ())

G_DECLARE_FINAL_TYPE (EcDemoPanel, ec_demo_panel, EC, DEMO_PANEL, GtkWidget)

GtkWidget *ec_demo_panel_new          (const char  *demo_dir);
/* Send one control command (the buttons do this). */
void       ec_demo_panel_send         (EcDemoPanel *self,
                                       const char  *command);
/* Number of card buttons read from demo.ini. */
guint      ec_demo_panel_get_n_cards  (EcDemoPanel *self);

G_END_DECLS
