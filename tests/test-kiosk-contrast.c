/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-kiosk-contrast: what the staff menu and the keyboard focus look like, measured
 * in the pixels the kiosk draws (issue 14). Every item of the ☰ menu must be readable
 * without hovering it (its text once was white on white), and a focused control must
 * carry a ring that a person at arm's length can see. */
#define G_LOG_DOMAIN "test-kiosk-contrast"

#include <math.h>

#include "kiosk-test-harness.h"

static EcKioskHarness T;

typedef struct
{
  GdkTexture *texture;
  guint32    *px;      /* ARGB32, premultiplied */
  int         width;
  int         height;
} Pixels;

static void
pixels_clear (Pixels *p)
{
  g_clear_object (&p->texture);
  g_clear_pointer (&p->px, g_free);
}

/* Render @widget (its own native: a window or a popover) as the screen shows it. */
static void
pixels_render (GtkWidget *widget,
               Pixels    *out)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  graphene_rect_t viewport;

  out->width = gtk_widget_get_width (widget);
  out->height = gtk_widget_get_height (widget);
  g_assert_cmpint (out->width, >, 0);
  g_assert_cmpint (out->height, >, 0);
  viewport = GRAPHENE_RECT_INIT (0, 0, out->width, out->height);
  gdk_paintable_snapshot (paintable, snapshot, out->width, out->height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  g_assert_nonnull (renderer);
  out->texture = gsk_renderer_render_texture (renderer, node, &viewport);
  out->px = g_new (guint32, (gsize) out->width * out->height);
  gdk_texture_download (out->texture, (guchar *) out->px, (gsize) out->width * 4);
}

/* WCAG relative luminance of one (opaque) pixel. */
static double
luminance (guint32 argb)
{
  double c[3] = { (argb >> 16) & 0xff, (argb >> 8) & 0xff, argb & 0xff };

  for (int i = 0; i < 3; i++)
    {
      c[i] /= 255.0;
      c[i] = c[i] <= 0.03928 ? c[i] / 12.92 : pow ((c[i] + 0.055) / 1.055, 2.4);
    }
  return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
}

/* The contrast between the lightest and the darkest pixel inside @child's area of
 * @p (rendered from @root): text and its background, whatever their colours. */
static double
contrast_in (const Pixels *p,
             GtkWidget    *root,
             GtkWidget    *child)
{
  double x = 0, y = 0, lo = 1.0, hi = 0.0;
  int w = gtk_widget_get_width (child), h = gtk_widget_get_height (child);

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  g_assert_true (gtk_widget_translate_coordinates (child, root, 0, 0, &x, &y));
  G_GNUC_END_IGNORE_DEPRECATIONS
  for (int j = MAX (0, (int) y); j < MIN (p->height, (int) y + h); j++)
    for (int i = MAX (0, (int) x); i < MIN (p->width, (int) x + w); i++)
      {
        double l = luminance (p->px[(gsize) j * p->width + i]);

        lo = MIN (lo, l);
        hi = MAX (hi, l);
      }
  return (hi + 0.05) / (lo + 0.05);
}

static void
collect_labels (GtkWidget *widget,
                GPtrArray *out)
{
  if (!gtk_widget_get_mapped (widget))
    return;
  if (GTK_IS_LABEL (widget) && gtk_label_get_text (GTK_LABEL (widget))[0] != '\0')
    g_ptr_array_add (out, widget);
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    collect_labels (c, out);
}

static gboolean
popover_shown_cb (gpointer data)
{
  GtkPopover *popover = data;

  return gtk_widget_get_mapped (GTK_WIDGET (popover))
         && gtk_widget_get_width (GTK_WIDGET (popover)) > 0;
}

static void
check_menu (const char *lang)
{
  GtkWidget *topbar = ec_kiosk_window_get_topbar (T.window);
  GtkMenuButton *button = GTK_MENU_BUTTON (ec_test_find_of_type (topbar, GTK_TYPE_MENU_BUTTON));
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  GtkPopover *popover;
  Pixels p = { 0 };

  ec_kiosk_window_set_language (T.window, lang);
  g_assert_nonnull (button);
  gtk_menu_button_popup (button);
  popover = gtk_menu_button_get_popover (button);
  g_assert_nonnull (popover);
  g_assert_true (ec_test_wait_until (popover_shown_cb, popover, 5000));
  ec_test_spin (300);

  pixels_render (GTK_WIDGET (popover), &p);
  collect_labels (GTK_WIDGET (popover), labels);
  /* Kiosk information, Leave kiosk mode, Responder mode, Nurse mode, in the kiosk's
   * language (the menu follows the language button). */
  g_assert_cmpuint (labels->len, >=, 4);
  if (g_str_equal (lang, "zh"))
    {
      g_autofree char *text = ec_test_visible_text (GTK_WIDGET (popover));

      ec_test_assert_contains (text, "护士模式");
      ec_test_assert_lacks (text, "Nurse mode");
    }
  for (guint i = 0; i < labels->len; i++)
    {
      GtkWidget *label = labels->pdata[i];
      double c;

      /* A greyed-out item (leave kiosk mode, outside --kiosk) may be dimmer: WCAG
       * exempts inactive controls. */
      if (!gtk_widget_is_sensitive (label))
        continue;
      c = contrast_in (&p, GTK_WIDGET (popover), label);

      g_test_message ("%s: \"%s\" contrast %.1f:1", lang, gtk_label_get_text (GTK_LABEL (label)), c);
      /* WCAG AA for text: 4.5:1. */
      g_assert_cmpfloat (c, >=, 4.5);
    }
  pixels_clear (&p);
  gtk_menu_button_popdown (button);
  ec_test_spin (200);
}

static void
test_menu_readable (void)
{
  check_menu ("en");
  check_menu ("zh");
}

/* A focused button's ring: render the same button unfocused and focused; the ring
 * must change a band at least 3 px wide around it, in a colour with 3:1 contrast
 * against the page (WCAG 2.2 focus appearance). */
static void
test_focus_ring_visible (void)
{
  GtkWidget *root = GTK_WIDGET (T.window);
  /* The language button: the first of the top bar's buttons. */
  GtkWidget *button = ec_test_find_with_class (ec_kiosk_window_get_topbar (T.window), "ec-topbar-button");
  Pixels before = { 0 }, after = { 0 };
  double x = 0, y = 0;
  int w, h, changed_rows = 0;
  double best = 1.0;

  g_assert_nonnull (button);
  ec_kiosk_window_set_language (T.window, "en");
  ec_test_spin (200);
  pixels_render (root, &before);
  gtk_widget_grab_focus (button);
  /* As after a Tab key press: GTK shows focus rings only for keyboard focus. */
  gtk_window_set_focus_visible (GTK_WINDOW (T.window), TRUE);
  ec_test_spin (300);
  g_assert_true (gtk_widget_has_focus (button));
  pixels_render (root, &after);

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  g_assert_true (gtk_widget_translate_coordinates (button, root, 0, 0, &x, &y));
  G_GNUC_END_IGNORE_DEPRECATIONS
  w = gtk_widget_get_width (button);
  h = gtk_widget_get_height (button);
  /* Walk down the middle column of the button, from 8 px above it into it: count the
   * rows whose pixel changed, and the strongest contrast of a changed pixel against
   * what was there before. */
  for (int j = MAX (0, (int) y - 8); j < MIN (before.height, (int) y + h / 2); j++)
    {
      int i = (int) x + w / 2;
      guint32 a = before.px[(gsize) j * before.width + i], b = after.px[(gsize) j * after.width + i];

      if ((a & 0xffffff) != (b & 0xffffff))
        {
          double la = luminance (a), lb = luminance (b);

          changed_rows++;
          best = MAX (best, (MAX (la, lb) + 0.05) / (MIN (la, lb) + 0.05));
        }
    }
  g_test_message ("focus ring: %d rows changed, contrast %.1f:1", changed_rows, best);
  g_assert_cmpint (changed_rows, >=, 3);
  g_assert_cmpfloat (best, >=, 3.0);
  pixels_clear (&before);
  pixels_clear (&after);
}

int
main (int    argc,
      char **argv)
{
  int rc;

  ec_kiosk_test_init (&argc, &argv, TRUE);
  ec_kiosk_harness_create_demo (&T, "test-kiosk-contrast-XXXXXX", 60);
  ec_kiosk_harness_start_emulator (&T, NULL, NULL);
  ec_kiosk_harness_load_config (&T);
  ec_kiosk_harness_open (&T, TRUE);

  g_test_add_func ("/ec/kiosk-contrast/menu-readable", test_menu_readable);
  g_test_add_func ("/ec/kiosk-contrast/focus-ring-visible", test_focus_ring_visible);
  rc = g_test_run ();

  ec_kiosk_harness_close (&T, 100);
  return rc;
}
