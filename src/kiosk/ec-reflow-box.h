/* SPDX-License-Identifier: GPL-3.0-or-later */
/* EcReflowBox: children side by side in two columns when the box is wide enough, one
 * column (in the order they were added) when it is not. GTK 4.8 has no breakpoints;
 * this decides per allocation, from the width it is given, so every screen re-flows
 * at every window size without a resize loop. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define EC_TYPE_REFLOW_BOX (ec_reflow_box_get_type ())

G_DECLARE_FINAL_TYPE (EcReflowBox, ec_reflow_box, EC, REFLOW_BOX, GtkWidget)

/* @min_two_columns: the narrowest width (px) at which two columns are used.
 * @homogeneous: two equal columns; otherwise the second column gets its natural
 * width, at most 42 % of the box, and the first the rest. */
GtkWidget *ec_reflow_box_new       (int          spacing,
                                    int          min_two_columns,
                                    gboolean     homogeneous);
/* Append @child to column 0 or 1 (in one column, children keep the order added). */
void       ec_reflow_box_append    (EcReflowBox *self,
                                    GtkWidget   *child,
                                    guint        column);
void       ec_reflow_box_remove_all (EcReflowBox *self);
/* Put a reflow box in place of @box (a child of a GtkBox) with its children: the
 * first in column 0, the others in column 1. @box is removed. Returns the new box. */
GtkWidget *ec_reflow_box_replace_box (GtkWidget  *box,
                                      int         spacing,
                                      int         min_two_columns,
                                      gboolean    homogeneous);
/* Whether the last allocation used two columns. */
gboolean   ec_reflow_box_get_two_columns (EcReflowBox *self);

G_END_DECLS
