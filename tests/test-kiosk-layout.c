/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-kiosk-layout: the kiosk at the window sizes kiosks have (issue 14): 1280 × 800
 * and 1366 × 768 laptops, 1024 × 600 and 800 × 1280 tablets, 400 × 800, in Chinese and
 * English. Measured from widget geometry:
 *   - the window is no larger than the screen it is opened for;
 *   - nothing is cut at the right edge: every visible label and button lies within the
 *     window's width, and no label is shortened with an ellipsis;
 *   - on the record: the allergy banner comes first (before "Card out of date" and the
 *     other notices), and the must-see items (ec_record_view_get_must_see: allergies,
 *     photo, name, advance directive, the first contact's number) lie inside the
 *     window without scrolling;
 *   - the demo panel folds over the kiosk instead of taking its width. */
#define G_LOG_DOMAIN "test-kiosk-layout"

#include "ec-demo-panel.h"
#include "ec-record-view.h"
#include "kiosk-test-harness.h"

static EcKioskHarness T;

static void maybe_shoot (const char *where);

typedef struct
{
  int width;
  int height;
} Size;

static const Size sizes[] = {
  { 1280, 800 }, { 1366, 768 }, { 1024, 600 }, { 800, 1280 }, { 400, 800 },
};

static int base_width, base_height;   /* the window as it opened, on the waiting screen */

static void
open_window (int width,
             int height)
{
  if (T.window != NULL)
    gtk_window_destroy (GTK_WINDOW (T.window));
  T.window = ec_kiosk_window_new (NULL, T.controller, T.config, FALSE);
  gtk_window_set_default_size (GTK_WINDOW (T.window), width, height);
  gtk_window_present (GTK_WINDOW (T.window));
  ec_test_spin (400);   /* mapped, allocated, size classes applied, allocated again */
  base_width = gtk_widget_get_width (GTK_WIDGET (T.window));
  base_height = gtk_widget_get_height (GTK_WIDGET (T.window));
}

static gboolean
settled_cb (gpointer data)
{
  EcKioskScreen s = ec_kiosk_controller_get_screen (T.controller);
  return s == EC_KIOSK_SCREEN_RECORD || s == EC_KIOSK_SCREEN_PROBLEM;
}

static void
show_card (const char *file)
{
  g_autofree char *path = g_strdup_printf ("%s/cards/%s.tag", T.demo->dir, file);

  ec_kiosk_controller_clear (T.controller);
  ec_kiosk_controller_submit_image_file (T.controller, path);
  g_assert_true (ec_test_wait_until (settled_cb, NULL, 10000));
  ec_test_spin (400);   /* crossfade, layout */
}

static graphene_rect_t
bounds_in_window (GtkWidget *w)
{
  graphene_rect_t r;

  g_assert_true (gtk_widget_compute_bounds (w, GTK_WIDGET (T.window), &r));
  return r;
}

static const char *
describe (GtkWidget *w)
{
  if (GTK_IS_LABEL (w))
    return gtk_label_get_label (GTK_LABEL (w));
  if (GTK_IS_BUTTON (w) && gtk_button_get_label (GTK_BUTTON (w)) != NULL)
    return gtk_button_get_label (GTK_BUTTON (w));
  return G_OBJECT_TYPE_NAME (w);
}

/* Every mapped label and button under @w lies within [0, @width]; no label is
 * ellipsized. Widgets inside a scrolled window are checked horizontally only (they
 * may be scrolled out of view vertically). */
static void
check_not_cut (GtkWidget  *w,
               int         width,
               const char *where)
{
  if (!gtk_widget_get_mapped (w))
    return;
  if (GTK_IS_LABEL (w) || GTK_IS_BUTTON (w))
    {
      graphene_rect_t r = bounds_in_window (w);

      if (r.origin.x < -0.5 || r.origin.x + r.size.width > width + 0.5)
        g_error ("%s: \"%s\" is cut: x %.0f … %.0f, window %d wide", where, describe (w),
                 r.origin.x, r.origin.x + r.size.width, width);
      if (GTK_IS_LABEL (w) && *gtk_label_get_label (GTK_LABEL (w)) != '\0')
        {
          PangoLayout *layout = gtk_label_get_layout (GTK_LABEL (w));
          if (pango_layout_is_ellipsized (layout))
            g_error ("%s: \"%s\" is shortened with an ellipsis", where, describe (w));
        }
    }
  for (GtkWidget *c = gtk_widget_get_first_child (w); c != NULL; c = gtk_widget_get_next_sibling (c))
    check_not_cut (c, width, where);
}

/* On failure: which widgets ask for the size (min width, min height). */
static void
dump_sizes (GtkWidget *w,
            int        depth)
{
  int minw, minh;

  if (!gtk_widget_get_visible (w) || depth > 14)
    return;
  gtk_widget_measure (w, GTK_ORIENTATION_HORIZONTAL, -1, &minw, NULL, NULL, NULL);
  gtk_widget_measure (w, GTK_ORIENTATION_VERTICAL, -1, &minh, NULL, NULL, NULL);
  g_test_message ("%*s%s (%s) min %d × %d", depth * 2, "", G_OBJECT_TYPE_NAME (w), describe (w), minw, minh);
  for (GtkWidget *c = gtk_widget_get_first_child (w); c != NULL; c = gtk_widget_get_next_sibling (c))
    dump_sizes (c, depth + 1);
}

static void
check_window (const Size *s,
              const char *where)
{
  int w = gtk_widget_get_width (GTK_WIDGET (T.window));
  int h = gtk_widget_get_height (GTK_WIDGET (T.window));

  g_test_message ("%s: window %d × %d", where, w, h);
  maybe_shoot (where);
  if (w > s->width || h > s->height || w > base_width || h > base_height)
    dump_sizes (GTK_WIDGET (T.window), 0);
  g_assert_cmpint (w, <=, s->width);
  g_assert_cmpint (h, <=, s->height);
  /* No screen makes the window grow beyond what it opened at. */
  g_assert_cmpint (w, <=, base_width);
  g_assert_cmpint (h, <=, base_height);
  check_not_cut (GTK_WIDGET (T.window), w, where);
}

/* EC_LAYOUT_SHOTS=DIR: also save each checked screen as a PNG (to look at). */
static void
maybe_shoot (const char *where)
{
  const char *dir = g_getenv ("EC_LAYOUT_SHOTS");
  g_autofree char *name = NULL;

  if (dir == NULL || *dir == '\0')
    return;
  name = g_strdelimit (g_strdup (where), " ×", '-');
  g_mkdir_with_parents (dir, 0755);
  ec_test_shoot (GTK_WIDGET (T.window), "test-kiosk-layout", 0, dir, "%s.png", name);
}

static void
check_must_see (const Size *s,
                const char *where,
                guint       expected)
{
  GtkWidget *view = ec_kiosk_window_get_page (T.window, EC_KIOSK_SCREEN_RECORD);
  g_autoptr(GPtrArray) must = ec_record_view_get_must_see (EC_RECORD_VIEW (view));
  int w = gtk_widget_get_width (GTK_WIDGET (T.window));
  int h = gtk_widget_get_height (GTK_WIDGET (T.window));

  g_assert_true (ec_kiosk_window_get_visible_page (T.window) == view);
  g_assert_cmpuint (must->len, ==, expected);
  for (guint i = 0; i < must->len; i++)
    {
      GtkWidget *m = g_ptr_array_index (must, i);
      graphene_rect_t r = bounds_in_window (m);

      g_assert_true (gtk_widget_get_mapped (m));
      /* 400 px wide: the first contact's number is the next thing below the advance
       * directive, one short scroll away (within half a screen more). */
      if (i == 4 && s->width < 700)
        {
          g_assert_cmpfloat (r.origin.y + r.size.height, <=, 1.5 * h);
          continue;
        }
      if (r.origin.x < -0.5 || r.origin.y < -0.5 || r.origin.x + r.size.width > w + 0.5
          || r.origin.y + r.size.height > h + 0.5)
        g_error ("%s: must-see item %u (%s) is not on screen without scrolling: "
                 "(%.0f, %.0f) %.0f × %.0f in a %d × %d window", where, i, describe (m),
                 r.origin.x, r.origin.y, r.size.width, r.size.height, w, h);
    }
}

static void
test_sizes (void)
{
  static const char *langs[] = { "zh", "en" };

  for (gsize l = 0; l < G_N_ELEMENTS (langs); l++)
    for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++)
      {
        const Size *s = &sizes[i];
        g_autofree char *where = NULL;

        ec_kiosk_i18n_set_language (langs[l]);
        open_window (s->width, s->height);
        ec_kiosk_controller_clear (T.controller);
        ec_test_spin (200);
        where = g_strdup_printf ("%s %d×%d waiting", langs[l], s->width, s->height);
        check_window (s, where);
        /* "No card? Search residents" is on screen without scrolling. */
        {
          GtkWidget *b = ec_test_find_named (ec_kiosk_window_get_page (T.window, EC_KIOSK_SCREEN_WAITING),
                                             "waiting-lookup-button");
          graphene_rect_t r = bounds_in_window (b);

          g_assert_cmpfloat (r.origin.y + r.size.height, <=, gtk_widget_get_height (GTK_WIDGET (T.window)));
        }

        show_card ("01-valid-allergies");
        g_free (where);
        where = g_strdup_printf ("%s %d×%d record", langs[l], s->width, s->height);
        check_window (s, where);
        /* allergies, photo, name, directive, the first contact's number */
        check_must_see (s, where, 5);

        /* "Card out of date" below the allergy banner, and the must-see still there. */
        show_card ("04-valid-card-out-of-date");
        g_free (where);
        where = g_strdup_printf ("%s %d×%d out-of-date record", langs[l], s->width, s->height);
        check_window (s, where);
        {
          GtkWidget *view = ec_kiosk_window_get_page (T.window, EC_KIOSK_SCREEN_RECORD);
          g_autoptr(GPtrArray) must = ec_record_view_get_must_see (EC_RECORD_VIEW (view));
          GtkWidget *notices = ec_record_view_get_notices (EC_RECORD_VIEW (view));
          graphene_rect_t banner = bounds_in_window (g_ptr_array_index (must, 0));
          graphene_rect_t notice = bounds_in_window (notices);

          g_assert_true (gtk_widget_get_mapped (notices));
          g_assert_cmpfloat (banner.origin.y + banner.size.height, <=, notice.origin.y);
        }

        show_card ("07-replaced");
        g_free (where);
        where = g_strdup_printf ("%s %d×%d problem", langs[l], s->width, s->height);
        check_window (s, where);

        ec_kiosk_controller_clear (T.controller);
        ec_kiosk_controller_open_lookup (T.controller);
        ec_test_spin (300);
        g_free (where);
        where = g_strdup_printf ("%s %d×%d search", langs[l], s->width, s->height);
        check_window (s, where);
        ec_kiosk_controller_clear (T.controller);
      }
  ec_kiosk_i18n_set_language ("en");
}

/* The demo panel folds over the kiosk: the screens keep the window's whole width. */
static void
test_demo_panel_folds (void)
{
  GtkWidget *panel = ec_demo_panel_new (T.demo->dir);
  GtkWidget *page;

  open_window (1280, 800);
  ec_kiosk_window_set_side_panel (T.window, panel);
  ec_test_spin (400);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (T.window)), <=, 1280);
  page = ec_kiosk_window_get_visible_page (T.window);
  g_assert_cmpint (gtk_widget_get_width (page), ==, gtk_widget_get_width (GTK_WIDGET (T.window)));
  g_assert_true (gtk_widget_get_mapped (panel));   /* shown at first, over the edge */
  ec_kiosk_window_set_side_panel (T.window, NULL);
}

int
main (int    argc,
      char **argv)
{
  int status;

  ec_kiosk_test_init (&argc, &argv, TRUE);
  ec_kiosk_harness_create_demo (&T, "test-kiosk-layout-XXXXXX", 30);
  ec_kiosk_harness_load_config (&T);
  T.controller = ec_kiosk_controller_new (T.config);

  g_test_add_func ("/ec/kiosk/layout/sizes", test_sizes);
  g_test_add_func ("/ec/kiosk/layout/demo-panel-folds", test_demo_panel_folds);
  status = g_test_run ();

  ec_kiosk_harness_close (&T, 100);
  return status;
}
