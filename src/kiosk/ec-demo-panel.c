/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ec-demo-panel"

#include "ec-demo-panel.h"

#include <string.h>
#include <gio/gunixsocketaddress.h>

#include "ec-i18n.h"

struct _EcDemoPanel
{
  GtkWidget  parent_instance;

  char      *control_path;
  guint      n_cards;

  GtkButton *blank_button;
  GtkBox    *cards_box;
  GtkButton *remove_button;
  GtkButton *replug_button;
  GtkWidget *scrolled;
  GtkWidget *station_separator;
  GtkLabel  *station_label;
  GtkWidget *station_title;
  GtkLabel  *status_label;
  GtkButton *unplug_button;
};

G_DEFINE_FINAL_TYPE (EcDemoPanel, ec_demo_panel, GTK_TYPE_WIDGET)

typedef struct
{
  EcDemoPanel       *self;   /* weak: the panel may go first */
  char              *command;
  char              *line;     /* command + "\n", alive until the write completes */
  GSocketConnection *connection;
  GDataInputStream  *input;
} SendData;

static void
send_data_free (SendData *d)
{
  g_clear_weak_pointer (&d->self);
  g_free (d->command);
  g_free (d->line);
  g_clear_object (&d->input);
  g_clear_object (&d->connection);
  g_free (d);
}

static void
show_status (SendData   *d,
             const char *text)
{
  g_autofree char *line = NULL;

  if (d->self == NULL)
    return;
  line = g_strdup_printf ("%s → %s", d->command, text);
  gtk_label_set_label (d->self->status_label, line);
}

static void
read_line_cb (GObject      *source,
              GAsyncResult *res,
              gpointer      user_data)
{
  SendData *d = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), res, NULL, &error);

  show_status (d, line != NULL ? line : (error != NULL ? error->message : "no answer"));
  send_data_free (d);
}

static void
write_cb (GObject      *source,
          GAsyncResult *res,
          gpointer      user_data)
{
  SendData *d = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), res, NULL, &error))
    {
      show_status (d, error->message);
      send_data_free (d);
      return;
    }
  d->input = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (d->connection)));
  g_data_input_stream_read_line_async (d->input, G_PRIORITY_DEFAULT, NULL, read_line_cb, d);
}

static void
connect_cb (GObject      *source,
            GAsyncResult *res,
            gpointer      user_data)
{
  SendData *d = user_data;
  g_autoptr(GError) error = NULL;
  GOutputStream *out;

  d->connection = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), res, &error);
  if (d->connection == NULL)
    {
      show_status (d, error->message);
      send_data_free (d);
      return;
    }
  d->line = g_strconcat (d->command, "\n", NULL);
  out = g_io_stream_get_output_stream (G_IO_STREAM (d->connection));
  g_output_stream_write_all_async (out, d->line, strlen (d->line),
                                   G_PRIORITY_DEFAULT, NULL, write_cb, d);
}

void
ec_demo_panel_send (EcDemoPanel *self,
                    const char  *command)
{
  g_autoptr(GSocketClient) client = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  SendData *d;

  g_return_if_fail (EC_IS_DEMO_PANEL (self));
  g_return_if_fail (command != NULL);

  if (self->control_path == NULL)
    {
      gtk_label_set_label (self->status_label, _("No emulator control socket in demo.ini"));
      return;
    }
  d = g_new0 (SendData, 1);
  g_set_weak_pointer (&d->self, self);
  d->command = g_strdup (command);
  client = g_socket_client_new ();
  address = g_unix_socket_address_new (self->control_path);
  g_socket_client_connect_async (client, G_SOCKET_CONNECTABLE (address), NULL, connect_cb, d);
}

static void
on_card_button_clicked_cb (GtkButton   *button,
                           EcDemoPanel *self)
{
  ec_demo_panel_send (self, g_object_get_data (G_OBJECT (button), "ec-command"));
}

/* A fresh blank NTAG215 with a UID never used before (NXP's 0x04 and six random
 * bytes), so that the demo can issue one card after another. */
static void
on_blank_button_clicked_cb (EcDemoPanel *self,
                            GtkButton   *button)
{
  g_autofree char *command = g_strdup_printf ("place ntag215 04%06x%06x", g_random_int () & 0xffffff,
                                              g_random_int () & 0xffffff);

  ec_demo_panel_send (self, "remove");
  ec_demo_panel_send (self, command);
}

static void
on_remove_button_clicked_cb (EcDemoPanel *self,
                             GtkButton   *button)
{
  ec_demo_panel_send (self, "remove");
}

static void
on_unplug_button_clicked_cb (EcDemoPanel *self,
                             GtkButton   *button)
{
  ec_demo_panel_send (self, "unplug");
}

static void
on_replug_button_clicked_cb (EcDemoPanel *self,
                             GtkButton   *button)
{
  ec_demo_panel_send (self, "replug");
}

static void
ec_demo_panel_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), EC_TYPE_DEMO_PANEL);
  G_OBJECT_CLASS (ec_demo_panel_parent_class)->dispose (object);
}

static void
ec_demo_panel_finalize (GObject *object)
{
  EcDemoPanel *self = EC_DEMO_PANEL (object);

  g_free (self->control_path);
  G_OBJECT_CLASS (ec_demo_panel_parent_class)->finalize (object);
}

static void
ec_demo_panel_class_init (EcDemoPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ec_demo_panel_dispose;
  object_class->finalize = ec_demo_panel_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/eldercard/Kiosk/ui/ec-demo-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, EcDemoPanel, blank_button);
  gtk_widget_class_bind_template_child (widget_class, EcDemoPanel, cards_box);
  gtk_widget_class_bind_template_child (widget_class, EcDemoPanel, remove_button);
  gtk_widget_class_bind_template_child (widget_class, EcDemoPanel, replug_button);
  gtk_widget_class_bind_template_child (widget_class, EcDemoPanel, scrolled);
  gtk_widget_class_bind_template_child (widget_class, EcDemoPanel, station_label);
  gtk_widget_class_bind_template_child (widget_class, EcDemoPanel, station_separator);
  gtk_widget_class_bind_template_child (widget_class, EcDemoPanel, station_title);
  gtk_widget_class_bind_template_child (widget_class, EcDemoPanel, status_label);
  gtk_widget_class_bind_template_child (widget_class, EcDemoPanel, unplug_button);
  gtk_widget_class_bind_template_callback (widget_class, on_blank_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_remove_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_replug_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_unplug_button_clicked_cb);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "ec-demo-panel");
}

static void
ec_demo_panel_init (EcDemoPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/* The demo's staff accounts, PINs and station-key passphrase (all fictional, demo
 * only), so that a newcomer can try station mode. */
static void
show_station_demo (EcDemoPanel *self,
                   GKeyFile    *kf)
{
  g_autofree char *staff = g_key_file_get_string (kf, "station-demo", "staff", NULL);
  g_autofree char *staff_name = g_key_file_get_string (kf, "station-demo", "staff-name", NULL);
  g_autofree char *staff_pin = g_key_file_get_string (kf, "station-demo", "staff-pin", NULL);
  g_autofree char *admin = g_key_file_get_string (kf, "station-demo", "admin", NULL);
  g_autofree char *admin_name = g_key_file_get_string (kf, "station-demo", "admin-name", NULL);
  g_autofree char *admin_pin = g_key_file_get_string (kf, "station-demo", "admin-pin", NULL);
  g_autofree char *passphrase = g_key_file_get_string (kf, "station-demo", "passphrase", NULL);
  g_autofree char *text = NULL;

  if (staff == NULL || staff_pin == NULL || admin == NULL || admin_pin == NULL || passphrase == NULL)
    return;
  /* TRANSLATORS: the demo's fictional accounts: staff id, name, PIN; admin id, name,
   * PIN; the station key's passphrase. */
  text = g_strdup_printf (_("☰ → Station mode. Sign in as the social worker %s (%s) with PIN %s, or as the "
                            "administrator %s (%s) with PIN %s. The station key's passphrase is “%s”. "
                            "Demo only: these are fictional and must never be used on a real station."),
                          staff, staff_name != NULL ? staff_name : "", staff_pin,
                          admin, admin_name != NULL ? admin_name : "", admin_pin, passphrase);
  gtk_label_set_label (self->station_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->station_label), TRUE);
  gtk_widget_set_visible (self->station_title, TRUE);
  gtk_widget_set_visible (self->station_separator, TRUE);
}

GtkWidget *
ec_demo_panel_new (const char *demo_dir)
{
  EcDemoPanel *self = g_object_new (EC_TYPE_DEMO_PANEL, NULL);
  g_autofree char *path = g_build_filename (demo_dir, "demo.ini", NULL);
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) groups = NULL;

  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, &error))
    {
      g_autofree char *text = g_strdup_printf (_("Cannot read %s: %s"), path, error->message);
      gtk_label_set_label (self->status_label, text);
      return GTK_WIDGET (self);
    }
  self->control_path = g_key_file_get_string (kf, "emulator", "control", NULL);
  groups = g_key_file_get_groups (kf, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    {
      g_autofree char *label = NULL, *command = NULL;
      GtkWidget *button;

      if (!g_str_has_prefix (groups[i], "card "))
        continue;
      label = g_key_file_get_string (kf, groups[i], "label", NULL);
      command = g_key_file_get_string (kf, groups[i], "command", NULL);
      if (label == NULL || command == NULL)
        continue;
      button = gtk_button_new_with_label (label);
      gtk_label_set_wrap (GTK_LABEL (gtk_button_get_child (GTK_BUTTON (button))), TRUE);
      gtk_label_set_xalign (GTK_LABEL (gtk_button_get_child (GTK_BUTTON (button))), 0);
      g_object_set_data_full (G_OBJECT (button), "ec-command", g_steal_pointer (&command), g_free);
      g_signal_connect (button, "clicked", G_CALLBACK (on_card_button_clicked_cb), self);
      gtk_box_append (self->cards_box, button);
      self->n_cards++;
    }
  show_station_demo (self, kf);
  return GTK_WIDGET (self);
}

guint
ec_demo_panel_get_n_cards (EcDemoPanel *self)
{
  g_return_val_if_fail (EC_IS_DEMO_PANEL (self), 0);
  return self->n_cards;
}
