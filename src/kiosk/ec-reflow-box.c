/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ec-reflow-box"

#include "ec-reflow-box.h"

struct _EcReflowBox
{
  GtkWidget parent_instance;
  int       spacing;
  int       min_two_columns;
  gboolean  homogeneous;
  gboolean  two_columns;      /* the last allocation's choice */
};

G_DEFINE_FINAL_TYPE (EcReflowBox, ec_reflow_box, GTK_TYPE_WIDGET)

static GQuark column_quark;

static guint
child_column (GtkWidget *child)
{
  return GPOINTER_TO_UINT (g_object_get_qdata (G_OBJECT (child), column_quark));
}

/* The widths of the two columns for @width, or FALSE when one column must do. */
static gboolean
column_widths (EcReflowBox *self,
               int          width,
               int         *w0,
               int         *w1)
{
  int min0 = 0, min1 = 0, nat1 = 0, n1 = 0, n0 = 0;

  if (width < self->min_two_columns)
    return FALSE;
  for (GtkWidget *c = gtk_widget_get_first_child (GTK_WIDGET (self)); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      int min, nat;

      if (!gtk_widget_should_layout (c))
        continue;
      gtk_widget_measure (c, GTK_ORIENTATION_HORIZONTAL, -1, &min, &nat, NULL, NULL);
      if (child_column (c) == 0)
        {
          min0 = MAX (min0, min);
          n0++;
        }
      else
        {
          min1 = MAX (min1, min);
          nat1 = MAX (nat1, nat);
          n1++;
        }
    }
  if (n0 == 0 || n1 == 0)
    return FALSE;
  if (self->homogeneous)
    {
      *w0 = (width - self->spacing) / 2;
      *w1 = width - self->spacing - *w0;
    }
  else
    {
      *w1 = MIN (nat1, (width - self->spacing) * 42 / 100);
      *w1 = MAX (*w1, min1);
      *w0 = width - self->spacing - *w1;
    }
  return *w0 >= min0 && *w1 >= min1;
}

static int
child_height (GtkWidget *c,
              int        width,
              int       *nat)
{
  int min, n;

  gtk_widget_measure (c, GTK_ORIENTATION_VERTICAL, width, &min, &n, NULL, NULL);
  if (nat != NULL)
    *nat = n;
  return min;
}

static void
ec_reflow_box_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  EcReflowBox *self = EC_REFLOW_BOX (widget);
  int w0, w1;

  *minimum = *natural = 0;
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      int nat0 = 0, nat1 = 0;

      for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
        {
          int min, nat;

          if (!gtk_widget_should_layout (c))
            continue;
          gtk_widget_measure (c, GTK_ORIENTATION_HORIZONTAL, -1, &min, &nat, NULL, NULL);
          *minimum = MAX (*minimum, min);
          if (child_column (c) == 0)
            nat0 = MAX (nat0, nat);
          else
            nat1 = MAX (nat1, nat);
        }
      *natural = MAX (*minimum, nat0 + (nat1 > 0 ? self->spacing + nat1 : 0));
      if (self->homogeneous && nat1 > 0)
        *natural = MAX (*minimum, 2 * MAX (nat0, nat1) + self->spacing);
      return;
    }

  if (for_size >= 0 && column_widths (self, for_size, &w0, &w1))
    {
      int h[2] = { 0, 0 }, hn[2] = { 0, 0 }, n[2] = { 0, 0 };

      for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
        {
          guint col;
          int nat;

          if (!gtk_widget_should_layout (c))
            continue;
          col = child_column (c) == 0 ? 0 : 1;
          h[col] += child_height (c, col == 0 ? w0 : w1, &nat) + (n[col] > 0 ? self->spacing : 0);
          hn[col] += nat + (n[col] > 0 ? self->spacing : 0);
          n[col]++;
        }
      *minimum = MAX (h[0], h[1]);
      *natural = MAX (hn[0], hn[1]);
      return;
    }
  {
    int n = 0;

    for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
      {
        int nat;

        if (!gtk_widget_should_layout (c))
          continue;
        *minimum += child_height (c, for_size, &nat) + (n > 0 ? self->spacing : 0);
        *natural += nat + (n > 0 ? self->spacing : 0);
        n++;
      }
  }
}

static void
ec_reflow_box_size_allocate (GtkWidget *widget,
                             int        width,
                             int        height,
                             int        baseline)
{
  EcReflowBox *self = EC_REFLOW_BOX (widget);
  int w0 = width, w1 = 0, y[2] = { 0, 0 }, used[2] = { 0, 0 }, n_expand[2] = { 0, 0 }, extra[2];

  self->two_columns = column_widths (self, width, &w0, &w1);
  /* Height left over goes to the children that expand (a results list). */
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      guint col = self->two_columns && child_column (c) != 0 ? 1 : 0;

      if (!gtk_widget_should_layout (c))
        continue;
      used[col] += child_height (c, self->two_columns ? (col == 0 ? w0 : w1) : width, NULL)
                   + (used[col] > 0 ? self->spacing : 0);
      if (gtk_widget_compute_expand (c, GTK_ORIENTATION_VERTICAL))
        n_expand[col]++;
    }
  for (int i = 0; i < 2; i++)
    extra[i] = n_expand[i] > 0 ? MAX (0, height - used[i]) / n_expand[i] : 0;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      guint col = self->two_columns && child_column (c) != 0 ? 1 : 0;
      int cw = self->two_columns ? (col == 0 ? w0 : w1) : width;
      int ch;

      if (!gtk_widget_should_layout (c))
        continue;
      ch = child_height (c, cw, NULL);
      if (gtk_widget_compute_expand (c, GTK_ORIENTATION_VERTICAL))
        ch += extra[col];
      gtk_widget_size_allocate (c, &(GtkAllocation) { col == 1 ? w0 + self->spacing : 0, y[col], cw, ch }, -1);
      y[col] += ch + self->spacing;
    }
}

static void
ec_reflow_box_compute_expand (GtkWidget *widget,
                              gboolean  *hexpand,
                              gboolean  *vexpand)
{
  *hexpand = *vexpand = FALSE;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      *hexpand = *hexpand || gtk_widget_compute_expand (c, GTK_ORIENTATION_HORIZONTAL);
      *vexpand = *vexpand || gtk_widget_compute_expand (c, GTK_ORIENTATION_VERTICAL);
    }
}

static GtkSizeRequestMode
ec_reflow_box_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
ec_reflow_box_dispose (GObject *object)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (ec_reflow_box_parent_class)->dispose (object);
}

static void
ec_reflow_box_class_init (EcReflowBoxClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ec_reflow_box_dispose;
  widget_class->measure = ec_reflow_box_measure;
  widget_class->size_allocate = ec_reflow_box_size_allocate;
  widget_class->get_request_mode = ec_reflow_box_get_request_mode;
  widget_class->compute_expand = ec_reflow_box_compute_expand;
  gtk_widget_class_set_css_name (widget_class, "ec-reflow-box");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
  column_quark = g_quark_from_static_string ("ec-reflow-column");
}

static void
ec_reflow_box_init (EcReflowBox *self)
{
}

GtkWidget *
ec_reflow_box_new (int      spacing,
                   int      min_two_columns,
                   gboolean homogeneous)
{
  EcReflowBox *self = g_object_new (EC_TYPE_REFLOW_BOX, NULL);

  self->spacing = spacing;
  self->min_two_columns = min_two_columns;
  self->homogeneous = homogeneous;
  return GTK_WIDGET (self);
}

void
ec_reflow_box_append (EcReflowBox *self,
                      GtkWidget   *child,
                      guint        column)
{
  g_return_if_fail (EC_IS_REFLOW_BOX (self));
  g_return_if_fail (GTK_IS_WIDGET (child));

  g_object_set_qdata (G_OBJECT (child), column_quark, GUINT_TO_POINTER (column ? 1 : 0));
  gtk_widget_insert_before (child, GTK_WIDGET (self), NULL);
}

void
ec_reflow_box_remove_all (EcReflowBox *self)
{
  GtkWidget *child;

  g_return_if_fail (EC_IS_REFLOW_BOX (self));
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
}

gboolean
ec_reflow_box_get_two_columns (EcReflowBox *self)
{
  g_return_val_if_fail (EC_IS_REFLOW_BOX (self), FALSE);
  return self->two_columns;
}

GtkWidget *
ec_reflow_box_replace_box (GtkWidget *box,
                           int        spacing,
                           int        min_two_columns,
                           gboolean   homogeneous)
{
  GtkWidget *parent, *flow, *child;
  gboolean first = TRUE;

  g_return_val_if_fail (GTK_IS_BOX (box), NULL);
  parent = gtk_widget_get_parent (box);
  g_return_val_if_fail (GTK_IS_BOX (parent), NULL);

  flow = ec_reflow_box_new (spacing, min_two_columns, homogeneous);
  gtk_widget_set_halign (flow, gtk_widget_get_halign (box));
  gtk_widget_set_valign (flow, gtk_widget_get_valign (box));
  gtk_widget_set_hexpand (flow, gtk_widget_get_hexpand (box));
  gtk_widget_set_vexpand (flow, gtk_widget_get_vexpand (box));
  gtk_box_insert_child_after (GTK_BOX (parent), flow, box);
  while ((child = gtk_widget_get_first_child (box)) != NULL)
    {
      g_object_ref (child);
      gtk_box_remove (GTK_BOX (box), child);
      ec_reflow_box_append (EC_REFLOW_BOX (flow), child, first ? 0 : 1);
      g_object_unref (child);
      first = FALSE;
    }
  gtk_box_remove (GTK_BOX (parent), box);
  return flow;
}
