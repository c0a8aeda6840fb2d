/* SPDX-License-Identifier: GPL-3.0-or-later */
/* kiosk-bench: the kiosk's figures (`make bench-kiosk`, docs/benchmarks.md).
 *
 *   1. cold start to Waiting: GTK and libadwaita start, the window is built and its
 *      first frame with the Waiting screen is painted (in this process);
 *   2. card placed → record fully drawn (the frame after which no page transition is
 *      running; the first tap, which opens the database, reported on its own; with
 *      EC_KIOSK_BENCH_RESIDENTS=N a larger generated community): the control command that puts an NTAG215 demo card
 *      in the emulator's field is written, the real libnfc in the reader's helper
 *      process polls and reads it over the paced UART (115200 baud, as a PN532 on a
 *      serial port; the emulator also adds ISO 14443 air time), the card is verified
 *      and the audited record read in a worker, and the frame showing the record is
 *      painted. Repeated, median and max;
 *   3. idle CPU while waiting for a card (this process + the reader's helper),
 *      over $EC_KIOSK_BENCH_IDLE_SECONDS (default 60);
 *   4. resident memory while a record is shown (this process + the helper).
 *
 *   kiosk-bench BUILDDIR */
#define G_LOG_DOMAIN "kiosk-bench"

#include <dirent.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <gio/gunixsocketaddress.h>

#include "ec-init.h"
#include "kiosk-test-harness.h"

static EcKioskController *controller;
static EcKioskWindow *window;
static gint64 painted_at;
static EcKioskScreen painted_screen = (EcKioskScreen) -1;

static gint64 drawn_at;       /* the first frame of the screen with no transition running */

/* Whether a page transition (the window's 120 ms crossfade) is still running anywhere. */
static gboolean
transition_running (GtkWidget *w)
{
  if (GTK_IS_STACK (w) && gtk_stack_get_transition_running (GTK_STACK (w)))
    return TRUE;
  for (GtkWidget *c = gtk_widget_get_first_child (w); c != NULL; c = gtk_widget_get_next_sibling (c))
    if (transition_running (c))
      return TRUE;
  return FALSE;
}

static void
on_after_paint (GdkFrameClock *clock,
                gpointer       data)
{
  EcKioskScreen now = ec_kiosk_controller_get_screen (controller);

  if (painted_screen != now || painted_at == 0)
    {
      painted_at = g_get_monotonic_time ();
      painted_screen = now;
    }
  /* Only the record counts (a settled frame of the page before it does not). */
  if (drawn_at == 0 && now == EC_KIOSK_SCREEN_RECORD && !transition_running (GTK_WIDGET (window)))
    drawn_at = g_get_monotonic_time ();
}

static gboolean
painted (gpointer data)
{
  return painted_screen == (EcKioskScreen) GPOINTER_TO_INT (data) && painted_at > 0;
}

/* The screen is painted and fully shown: its frame with no transition running. */
static gboolean
drawn (gpointer data)
{
  return painted (data) && drawn_at > 0;
}

/* CPU seconds (user + system) and RSS (KiB) of a process from /proc. */
static gboolean
proc_stats (pid_t   pid,
            double *cpu_s,
            long   *rss_kib)
{
  g_autofree char *stat_path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *status_path = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_autofree char *stat = NULL, *status = NULL;
  const char *p;
  unsigned long utime = 0, stime = 0;

  if (!g_file_get_contents (stat_path, &stat, NULL, NULL)
      || !g_file_get_contents (status_path, &status, NULL, NULL))
    return FALSE;
  p = strrchr (stat, ')');
  /* After "(comm)": state ppid pgrp session tty tpgid flags minflt cminflt majflt
   * cmajflt utime stime → fields 3..15; utime is the 12th after the ')'. */
  if (p == NULL || sscanf (p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2)
    return FALSE;
  *cpu_s = (double) (utime + stime) / (double) sysconf (_SC_CLK_TCK);
  p = strstr (status, "VmRSS:");
  *rss_kib = p != NULL ? strtol (p + 6, NULL, 10) : 0;
  return TRUE;
}

/* The reader's helper: our child process named eldercard-nfc-h…. */
static pid_t
find_helper (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc", 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL, *stat = NULL;
      char comm[64] = { 0 };
      int ppid = 0;

      if (!g_ascii_isdigit (name[0]))
        continue;
      path = g_strdup_printf ("/proc/%s/stat", name);
      if (!g_file_get_contents (path, &stat, NULL, NULL))
        continue;
      if (sscanf (stat, "%*d (%63[^)]) %*c %d", comm, &ppid) == 2
          && ppid == (int) getpid () && g_str_has_prefix (comm, "eldercard-nfc"))
        return (pid_t) atoi (name);
    }
  return 0;
}

static void
ctl (const char *control,
     const char *command,
     gint64     *written_at)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (control);
  g_autoptr(GSocketConnection) conn = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_strconcat (command, "\n", NULL);
  char answer[256] = { 0 };

  conn = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address), NULL, &error);
  if (conn == NULL
      || !g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)), line, strlen (line),
                                     NULL, NULL, &error))
    g_error ("emulator control: %s", error->message);
  if (written_at != NULL)
    *written_at = g_get_monotonic_time ();
  if (g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (conn)), answer, sizeof answer - 1,
                           NULL, &error) < 0 || !g_str_has_prefix (answer, "ok"))
    g_error ("emulator control %s: %s", command, error != NULL ? error->message : answer);
}

static gboolean
quit_loop (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(EcConfig) config = ec_config_new ();
  g_autoptr(EcDemoFixture) demo = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) taps = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) first_frames = g_array_new (FALSE, FALSE, sizeof (double));
  double first_tap_ms = 0;
  const char *res_env = g_getenv ("EC_KIOSK_BENCH_RESIDENTS");
  guint n_residents = res_env != NULL ? (guint) atoi (res_env) : 200;
  double sum_detect = 0, sum_read = 0, sum_worker = 0, sum_paint = 0, sum_reader = 0;
  g_autofree char *tmp = NULL, *demo_dir = NULL, *link = NULL, *control = NULL;
  const char *idle_env = g_getenv ("EC_KIOSK_BENCH_IDLE_SECONDS");
  guint idle_s = idle_env != NULL ? (guint) atoi (idle_env) : 60;
  const char *cards[] = { "01-valid-allergies", "02-valid-no-known-allergies", "03-valid-allergies-unknown" };
  guint n_taps = 12;
  gint64 t0, t_start;
  double cold_ms, kiosk_cpu0, kiosk_cpu1, helper_cpu0 = 0, helper_cpu1 = 0;
  long kiosk_rss = 0, helper_rss = 0, rss_idle = 0;
  pid_t helper;
  GPid emu_pid;
  GdkFrameClock *clock;

  t_start = g_get_monotonic_time ();
  setlocale (LC_ALL, "");
  g_setenv ("PANGO_LANGUAGE", "zh-cn:en", FALSE);
  g_setenv ("LIBNFC_AUTO_SCAN", "false", TRUE);
  ec_init ();

  /* The demo community and the paced emulator (not timed). */
  tmp = g_dir_make_tmp ("kiosk-bench-XXXXXX", &error);
  g_assert_no_error (error);
  demo_dir = g_build_filename (tmp, "demo", NULL);
  demo = ec_demo_fixture_create (demo_dir, MAX (n_residents, 200), &error);
  g_assert_no_error (error);
  g_assert_true (ec_config_load_file (config, demo->conf_path, &error));
  link = g_build_filename (tmp, "reader", NULL);
  control = g_build_filename (tmp, "emulator.sock", NULL);
  emu_pid = ec_test_start_emulator (link, control, "--pace", "115200", "--air", NULL);
  g_free (config->device);
  config->device = g_strdup_printf ("pn532_uart:%s", link);

  /* 1. cold start to the first painted Waiting frame. */
  t0 = g_get_monotonic_time ();
  gtk_init ();
  ec_kiosk_ui_init ();
  ec_kiosk_i18n_init ("zh");
  controller = ec_kiosk_controller_new (config);
  window = ec_kiosk_window_new (NULL, controller, config, FALSE);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 860);
  gtk_window_present (GTK_WINDOW (window));
  ec_kiosk_controller_start (controller);
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), NULL);
  if (!ec_test_wait_until (painted, GINT_TO_POINTER (EC_KIOSK_SCREEN_WAITING), 20000))
    g_error ("the Waiting screen was never painted");
  cold_ms = (double) (painted_at - t0) / 1000.0;
  if (!ec_kiosk_test_wait_reader (controller, EC_KIOSK_READER_READY, 20000))
    g_error ("the reader never became ready");

  /* 2. card placed → record painted, on the paced emulator. */
  for (guint i = 0; i < n_taps; i++)
    {
      gint64 placed = 0;
      g_autofree char *cmd = g_strdup_printf ("place-image %s/cards/%s.tag", demo_dir, cards[i % G_N_ELEMENTS (cards)]);
      double ms;

      ctl (control, "remove", NULL);
      ec_kiosk_controller_clear (controller);
      ec_test_spin (400);
      painted_at = 0;
      drawn_at = 0;
      painted_screen = (EcKioskScreen) -1;
      ctl (control, cmd, &placed);
      /* Fully drawn: the record on screen with the crossfade from the Waiting page over
       * (its first frame still shows the old page). */
      if (!ec_test_wait_until (drawn, GINT_TO_POINTER (EC_KIOSK_SCREEN_RECORD), 10000))
        g_error ("tap %u: no record within 10 s (screen %s)", i,
                 ec_kiosk_screen_to_string (ec_kiosk_controller_get_screen (controller)));
      ms = (double) (drawn_at - placed) / 1000.0;
      if (i == 0)  /* opens the database, loads the keyring: counted on its own */
        first_tap_ms = ms;
      else
        {
          EcKioskResult *r = ec_kiosk_controller_get_result (controller);
          double first = (double) (painted_at - placed) / 1000.0;
          g_array_append_val (first_frames, first);
          g_array_append_val (taps, ms);
          sum_detect += (double) (r->started_us - placed) / 1000.0;
          sum_read += (double) (r->read_us - r->started_us) / 1000.0;
          sum_worker += (double) (r->worker_us - r->read_us) / 1000.0;
          sum_paint += (double) (drawn_at - r->worker_us) / 1000.0;
          sum_reader += r->reader_read_ms;
        }
    }
  g_array_sort (taps, compare_double);
  g_array_sort (first_frames, compare_double);

  /* 4. memory with a record on screen. */
  helper = find_helper ();
  {
    double dummy;
    proc_stats (getpid (), &dummy, &kiosk_rss);
    if (helper != 0)
      proc_stats (helper, &dummy, &helper_rss);
  }

  /* 3. idle CPU on the Waiting screen, card removed. */
  ctl (control, "remove", NULL);
  ec_kiosk_controller_clear (controller);
  ec_kiosk_test_wait_screen (controller, EC_KIOSK_SCREEN_WAITING, 2000);
  ec_test_spin (1000);
  helper = find_helper ();
  proc_stats (getpid (), &kiosk_cpu0, &rss_idle);
  if (helper != 0)
    proc_stats (helper, &helper_cpu0, &rss_idle);
  t0 = g_get_monotonic_time ();
  {
    /* A real main loop: the kiosk sleeps in poll() between events, as in production. */
    g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
    g_timeout_add_seconds (idle_s, quit_loop, loop);
    g_main_loop_run (loop);
  }
  {
    double wall = (double) (g_get_monotonic_time () - t0) / G_USEC_PER_SEC;
    long dummy;
    double kiosk_pct, helper_pct;

    proc_stats (getpid (), &kiosk_cpu1, &dummy);
    if (helper != 0 && !proc_stats (helper, &helper_cpu1, &dummy))
      helper_cpu1 = helper_cpu0;
    kiosk_pct = 100.0 * (kiosk_cpu1 - kiosk_cpu0) / wall;
    helper_pct = 100.0 * (helper_cpu1 - helper_cpu0) / wall;

    printf ("\nkiosk benchmark (emulated PN532 at 115200 baud with air time, NTAG215 demo cards, "
            "%u residents)\n", MAX (n_residents, 200));
    printf ("| figure | value | goal |\n|---|---|---|\n");
    printf ("| cold start (from gtk_init, in process) to Waiting painted | %.0f ms | — |\n", cold_ms);
    printf ("| first tap (opens the database, loads the keyring) → record fully drawn | %.0f ms | < 300 ms |\n",
            first_tap_ms);
    printf ("| card placed → record fully drawn (no transition running), median of %u | %.0f ms | < 250 ms |\n",
            taps->len, g_array_index (taps, double, taps->len / 2));
    printf ("| card placed → record fully drawn, max | %.0f ms | < 300 ms |\n",
            MAX (g_array_index (taps, double, taps->len - 1), first_tap_ms));
    printf ("| card placed → first frame of the record (crossfade starts), median | %.0f ms | |\n",
            g_array_index (first_frames, double, first_frames->len / 2));
    printf ("| … of which: placed → card-detected (reader polling) | %.0f ms mean | |\n", sum_detect / taps->len);
    printf ("| … card-detected → pages read (reader says %.0f ms) | %.0f ms mean | |\n", sum_reader / taps->len, sum_read / taps->len);
    printf ("| … verify + card status + audited record read (worker) | %.0f ms mean | |\n", sum_worker / taps->len);
    printf ("| … build, render and paint the record until fully shown | %.0f ms mean | |\n", sum_paint / taps->len);
    printf ("| idle CPU over %.0f s waiting: kiosk process | %.2f %% of a core | |\n", wall, kiosk_pct);
    printf ("| idle CPU over %.0f s waiting: reader helper (libnfc polling) | %.2f %% of a core | |\n", wall, helper_pct);
    printf ("| idle CPU total | %.2f %% of a core | < 2 %% |\n", kiosk_pct + helper_pct);
    printf ("| RSS with a record shown: kiosk process | %.1f MiB | |\n", kiosk_rss / 1024.0);
    printf ("| RSS with a record shown: reader helper | %.1f MiB | |\n", helper_rss / 1024.0);
    printf ("(whole run %.0f s)\n", (double) (g_get_monotonic_time () - t_start) / G_USEC_PER_SEC);
  }

  gtk_window_destroy (GTK_WINDOW (window));
  ec_kiosk_controller_stop (controller);
  g_clear_object (&controller);
  ec_test_stop_emulator (emu_pid);
  if (!ec_test_remove_tree (tmp))
    g_printerr ("kiosk-bench: could not remove %s\n", tmp);
  return 0;
}
