/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-kiosk-widgets.h: small widget builders the kiosk pages share (wrapped labels,
 * boxed notices), so every page draws them the same way. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Remove every child of @box. */
void       ec_kiosk_box_remove_all (GtkBox     *box);

/* A left-aligned label that wraps at word or character boundaries; @css_class may be
 * NULL. */
GtkWidget *ec_kiosk_make_label     (const char *text,
                                    const char *css_class);

/* A boxed notice: a 40 px icon, a bold title and (if @body is non-empty) a body, with
 * CSS classes "ec-notice" and @css_class. Not colour alone: the icon and the words say
 * what kind of notice it is. */
GtkWidget *ec_kiosk_make_notice    (const char *css_class,
                                    const char *icon_name,
                                    const char *title,
                                    const char *body);

G_END_DECLS
