/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-handover-dialog.c: the kiosk's handover window (ec-handover-dialog.h). */
#define G_LOG_DOMAIN "ec-handover-dialog"

#include "ec-handover-dialog.h"

#include "ec-error.h"
#include "ec-handover.h"
#include "ec-i18n.h"
#include "ec-ips.h"
#include "ec-kiosk-i18n.h"
#include "ec-qr.h"

typedef struct
{
  char         *db_path;
  EcResidentId  id;
  EcRole        role;
  char         *actor_id;
  char         *station_name;
  char         *station_phone;
  gboolean      has_qr;
  GtkLabel     *status;
} Handover;

static void
handover_free (gpointer p)
{
  Handover *h = p;
  g_free (h->db_path);
  g_free (h->actor_id);
  g_free (h->station_name);
  g_free (h->station_phone);
  g_free (h);
}

static Handover *
get (GtkWindow *dialog)
{
  return g_object_get_data (G_OBJECT (dialog), "ec-handover");
}

static EcDb *
open_db (Handover *h, GError **error)
{
  return ec_db_open (h->db_path, EC_DB_OPEN_READ_WRITE, error);
}

gboolean
ec_handover_dialog_save_pdf (GtkWindow   *dialog,
                             const char  *path,
                             GError     **error)
{
  Handover *h = get (dialog);
  g_autoptr(EcDb) db = NULL;
  EcActor actor;
  EcHandoverOptions opts = { 0 };

  g_return_val_if_fail (h != NULL, FALSE);
  actor.role = h->role;
  actor.id = h->actor_id;
  opts.language = ec_kiosk_i18n_get_language ();
  opts.station_name = h->station_name;
  opts.station_phone = h->station_phone;
  if ((db = open_db (h, error)) == NULL)
    return FALSE;
  return ec_handover_write_pdf (db, h->id, &actor, &opts, path, error);
}

gboolean
ec_handover_dialog_save_ips (GtkWindow   *dialog,
                             const char  *path,
                             GError     **error)
{
  Handover *h = get (dialog);
  g_autoptr(EcDb) db = NULL;
  g_autofree char *json = NULL;
  gsize len = 0;
  EcActor actor;

  g_return_val_if_fail (h != NULL, FALSE);
  if (h->role != EC_ROLE_NURSE && h->role != EC_ROLE_STAFF)
    {
      g_set_error_literal (error, EC_DB_ERROR, EC_DB_ERROR_PERMISSION,
                           _("Only nurses and station staff export the patient summary"));
      return FALSE;
    }
  actor.role = h->role;
  actor.id = h->actor_id;
  if ((db = open_db (h, error)) == NULL || !ec_ips_export (db, h->id, &actor, &json, &len, error))
    return FALSE;
  return g_file_set_contents_full (path, json, (gssize) len, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

gboolean
ec_handover_dialog_has_qr (GtkWindow *dialog)
{
  Handover *h = get (dialog);
  return h != NULL && h->has_qr;
}

typedef struct
{
  GtkWindow *dialog;
  gboolean   ips;
} SaveRequest;

static void
on_chooser_response (GtkNativeDialog *chooser,
                     int              response,
                     gpointer         user_data)
{
  SaveRequest *req = user_data;
  Handover *h = get (req->dialog);

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;
      g_autoptr(GError) error = NULL;
      gboolean ok = path != NULL && (req->ips ? ec_handover_dialog_save_ips (req->dialog, path, &error)
                                              : ec_handover_dialog_save_pdf (req->dialog, path, &error));
      g_autofree char *msg = ok ? g_strdup_printf (_("Saved to %s"), path)
                                : g_strdup_printf (_("Not saved: %s"), error != NULL ? error->message : "?");
      gtk_label_set_text (h->status, msg);
    }
  g_object_unref (chooser);
  g_free (req);
}

static void
choose_file (GtkWindow *dialog, gboolean ips)
{
  SaveRequest *req = g_new0 (SaveRequest, 1);
  GtkFileChooserNative *chooser =
    gtk_file_chooser_native_new (ips ? _("Save the patient summary") : _("Save the handover sheet"),
                                 dialog, GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  Handover *h = get (dialog);
  g_autofree char *hex = ec_resident_id_to_string (h->id);
  g_autofree char *name = g_strdup_printf (ips ? "ips-%s.json" : "handover-%s.pdf", hex);

  req->dialog = dialog;
  req->ips = ips;
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  g_signal_connect (chooser, "response", G_CALLBACK (on_chooser_response), req);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
on_save_pdf (GtkButton *button, gpointer dialog)
{
  choose_file (dialog, FALSE);
}

static void
on_save_ips (GtkButton *button, gpointer dialog)
{
  choose_file (dialog, TRUE);
}

GtkWindow *
ec_handover_dialog_new (GtkWindow      *parent,
                        const char     *db_path,
                        EcResidentId    id,
                        const EcActor  *actor,
                        const EcConfig *config)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EcDb) db = NULL;
  g_autoptr(EcResident) r = NULL;
  GtkWindow *win;
  GtkWidget *box, *title, *buttons, *b;
  Handover *h;

  g_return_val_if_fail (db_path != NULL && actor != NULL && config != NULL, NULL);
  db = ec_db_open (db_path, EC_DB_OPEN_READ_WRITE, &error);
  if (db == NULL || !ec_db_get_resident (db, id, actor, "handover", NULL, &r, &error))
    {
      g_warning ("handover: %s", error->message);
      return NULL;
    }

  h = g_new0 (Handover, 1);
  h->db_path = g_strdup (db_path);
  h->id = id;
  h->role = actor->role;
  h->actor_id = g_strdup (actor->id);
  h->station_name = g_strdup (config->station_name);
  h->station_phone = g_strdup (config->station_phone);

  win = GTK_WINDOW (gtk_window_new ());
  g_object_set_data_full (G_OBJECT (win), "ec-handover", h, handover_free);
  gtk_window_set_title (win, _("Handover to the ambulance crew"));
  gtk_window_set_modal (win, TRUE);
  if (parent != NULL)
    gtk_window_set_transient_for (win, parent);
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  gtk_widget_set_margin_top (box, 24);
  gtk_widget_set_margin_bottom (box, 24);
  gtk_widget_set_margin_start (box, 24);
  gtk_widget_set_margin_end (box, 24);
  title = gtk_label_new (r->name_zh);
  gtk_widget_add_css_class (title, "title-1");
  gtk_box_append (GTK_BOX (box), title);

  if (config->handover_qr)
    {
      g_autofree char *text = ec_handover_qr_text (r);
      g_autoptr(GdkTexture) qr = ec_qr_texture_new (text, 4);
      if (qr != NULL)
        {
          GtkWidget *pic = gtk_picture_new_for_paintable (GDK_PAINTABLE (qr));
          gtk_widget_set_name (pic, "handover-qr");
          gtk_widget_set_size_request (pic, 320, 320);
          gtk_box_append (GTK_BOX (box), pic);
          gtk_box_append (GTK_BOX (box),
                          gtk_label_new (_("For the paramedic's phone: name, birth year, allergies, "
                                           "resuscitation status and the first contact")));
          h->has_qr = TRUE;
          if (!ec_db_audit_append (db, actor, "handover-qr-shown", id, "handover", NULL, NULL, &error))
            g_warning ("handover: %s", error->message);
        }
    }

  buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  b = gtk_button_new_with_label (_("Save handover sheet (PDF)"));
  gtk_widget_add_css_class (b, "suggested-action");
  g_signal_connect (b, "clicked", G_CALLBACK (on_save_pdf), win);
  gtk_box_append (GTK_BOX (buttons), b);
  if (actor->role == EC_ROLE_NURSE || actor->role == EC_ROLE_STAFF)
    {
      b = gtk_button_new_with_label (_("Save patient summary (FHIR)"));
      g_signal_connect (b, "clicked", G_CALLBACK (on_save_ips), win);
      gtk_box_append (GTK_BOX (buttons), b);
    }
  gtk_box_append (GTK_BOX (box), buttons);
  h->status = GTK_LABEL (gtk_label_new (""));
  gtk_label_set_wrap (h->status, TRUE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (h->status));
  gtk_window_set_child (win, box);
  return win;
}
