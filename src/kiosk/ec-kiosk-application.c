/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ec-kiosk-application"

#include "ec-kiosk-application.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "ec-demo-panel.h"
#include "ec-i18n.h"
#include "ec-init.h"
#include "ec-kiosk-i18n.h"
#include "ec-kiosk-lock.h"
#include "ec-kiosk-window.h"
#include "ec-station-page.h"

struct _EcKioskApplication
{
  AdwApplication     parent_instance;

  EcConfig          *config;
  EcKioskController *controller;
  gboolean           kiosk_mode;
  char              *demo_dir;
};

G_DEFINE_FINAL_TYPE (EcKioskApplication, ec_kiosk_application, ADW_TYPE_APPLICATION)

static gboolean
hash_exit_pin (void)
{
  char pin[128] = { 0 };
  char hash[crypto_pwhash_STRBYTES];
  gsize len;

  /* Reads one line from stdin so the PIN is not in the shell history or ps. */
  if (fgets (pin, sizeof pin, stdin) == NULL)
    return FALSE;
  len = strcspn (pin, "\r\n");
  pin[len] = '\0';
  if (len < 6)
    {
      fprintf (stderr, "eldercard-kiosk: the exit PIN needs at least 6 characters\n");
      sodium_memzero (pin, sizeof pin);
      return FALSE;
    }
  if (crypto_pwhash_str (hash, pin, len, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                         crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    {
      fprintf (stderr, "eldercard-kiosk: out of memory hashing the PIN\n");
      sodium_memzero (pin, sizeof pin);
      return FALSE;
    }
  sodium_memzero (pin, sizeof pin);
  printf ("[kiosk]\nexit-pin=%s\n", hash);
  return TRUE;
}

static int
ec_kiosk_application_handle_local_options (GApplication *app,
                                           GVariantDict *options)
{
  EcKioskApplication *self = EC_KIOSK_APPLICATION (app);
  const char *config_path = NULL, *device = NULL, *db = NULL, *keys = NULL;
  const char *role = NULL, *language = NULL, *demo = NULL;
  gint32 idle = 0;
  gboolean explicit_config, hash = FALSE;
  g_autoptr(GError) error = NULL;

  if (g_variant_dict_lookup (options, "version", "b", &hash) && hash)
    {
      printf ("eldercard-kiosk %s\n", EC_VERSION);
      return 0;
    }
  if (g_variant_dict_lookup (options, "hash-exit-pin", "b", &hash) && hash)
    return hash_exit_pin () ? 0 : 1;

  explicit_config = g_variant_dict_lookup (options, "config", "^&ay", &config_path);
  if (!explicit_config)
    config_path = g_getenv ("ELDERCARD_CONFIG") != NULL ? g_getenv ("ELDERCARD_CONFIG")
                                                        : EC_CONFIG_DEFAULT_PATH;
  if (!ec_config_load_file (self->config, config_path, &error))
    {
      /* The default file may be absent (all defaults); one named explicitly must exist. */
      if (explicit_config || !g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_printerr ("eldercard-kiosk: %s\n", error->message);
          return 2;
        }
    }

  if (g_variant_dict_lookup (options, "device", "&s", &device))
    {
      g_free (self->config->device);
      self->config->device = *device ? g_strdup (device) : NULL;
    }
  if (g_variant_dict_lookup (options, "db", "^&ay", &db))
    {
      g_free (self->config->db_path);
      self->config->db_path = g_strdup (db);
    }
  if (g_variant_dict_lookup (options, "keys", "^&ay", &keys))
    {
      g_free (self->config->keys_dir);
      self->config->keys_dir = g_strdup (keys);
    }
  if (g_variant_dict_lookup (options, "idle-timeout", "i", &idle))
    {
      if (idle < 1 || idle > EC_CONFIG_MAX_IDLE_TIMEOUT)
        {
          g_printerr ("eldercard-kiosk: --idle-timeout must be 1 to %d seconds\n", EC_CONFIG_MAX_IDLE_TIMEOUT);
          return 2;
        }
      self->config->idle_timeout = (guint) idle;
    }
  if (g_variant_dict_lookup (options, "role", "&s", &role))
    {
      EcRole r;
      if (!ec_role_from_string (role, &r) || r == EC_ROLE_ADMIN)
        {
          g_printerr ("eldercard-kiosk: --role must be responder, nurse or staff\n");
          return 2;
        }
      self->config->role = r;
    }
  if (g_variant_dict_lookup (options, "language", "&s", &language))
    {
      const char *lang = ec_config_parse_language (language);
      if (lang == NULL)
        {
          g_printerr ("eldercard-kiosk: --language must be zh or en\n");
          return 2;
        }
      g_free (self->config->language);
      self->config->language = g_strdup (lang);
    }
  if (g_variant_dict_lookup (options, "demo", "^&ay", &demo))
    self->demo_dir = g_strdup (demo);
  if (g_variant_dict_contains (options, "kiosk"))
    {
      self->kiosk_mode = TRUE;
      /* Before GTK starts: GTK_DEBUG=interactive would open the Inspector at once. */
      ec_kiosk_lock_environment ();
    }

  ec_kiosk_i18n_init (self->config->language);
  return -1;
}

static void
ec_kiosk_application_startup (GApplication *app)
{
  EcKioskApplication *self = EC_KIOSK_APPLICATION (app);

  G_APPLICATION_CLASS (ec_kiosk_application_parent_class)->startup (app);
  self->controller = ec_kiosk_controller_new (self->config);
}

static void
ec_kiosk_application_activate (GApplication *app)
{
  EcKioskApplication *self = EC_KIOSK_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    {
      EcKioskWindow *w = ec_kiosk_window_new (GTK_APPLICATION (app), self->controller,
                                              self->config, self->kiosk_mode);
      if (self->demo_dir != NULL)
        ec_kiosk_window_set_side_panel (w, ec_demo_panel_new (self->demo_dir));
      /* Station mode: in the staff menu; at once with --role staff. */
      ec_station_install (w, self->config, self->config->role == EC_ROLE_STAFF);
      window = GTK_WINDOW (w);
      ec_kiosk_controller_start (self->controller);
    }
  gtk_window_present (window);
}

static void
ec_kiosk_application_shutdown (GApplication *app)
{
  EcKioskApplication *self = EC_KIOSK_APPLICATION (app);

  if (self->controller != NULL)
    ec_kiosk_controller_stop (self->controller);
  G_APPLICATION_CLASS (ec_kiosk_application_parent_class)->shutdown (app);
}

static void
ec_kiosk_application_finalize (GObject *object)
{
  EcKioskApplication *self = EC_KIOSK_APPLICATION (object);

  g_clear_object (&self->controller);
  g_clear_pointer (&self->config, ec_config_free);
  g_free (self->demo_dir);
  G_OBJECT_CLASS (ec_kiosk_application_parent_class)->finalize (object);
}

static void
ec_kiosk_application_class_init (EcKioskApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = ec_kiosk_application_finalize;
  app_class->handle_local_options = ec_kiosk_application_handle_local_options;
  app_class->startup = ec_kiosk_application_startup;
  app_class->activate = ec_kiosk_application_activate;
  app_class->shutdown = ec_kiosk_application_shutdown;
}

static const GOptionEntry options[] = {
  { "config", 'c', 0, G_OPTION_ARG_FILENAME, NULL, N_("Configuration file (default /etc/eldercard/eldercard.conf)"), N_("FILE") },
  { "device", 'd', 0, G_OPTION_ARG_STRING, NULL, N_("libnfc connection string of the reader, e.g. pn532_uart:/dev/ttyUSB0"), N_("CONNSTRING") },
  { "db", 0, 0, G_OPTION_ARG_FILENAME, NULL, N_("Resident database"), N_("FILE") },
  { "keys", 0, 0, G_OPTION_ARG_FILENAME, NULL, N_("Kiosk key bundle directory"), N_("DIR") },
  { "idle-timeout", 0, 0, G_OPTION_ARG_INT, NULL, N_("Seconds before a record clears (default 60)"), N_("SECONDS") },
  { "role", 0, 0, G_OPTION_ARG_STRING, NULL, N_("responder, nurse or staff"), N_("ROLE") },
  { "language", 0, 0, G_OPTION_ARG_STRING, NULL, N_("zh or en (default: from the locale)"), N_("LANG") },
  { "kiosk", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Full screen; cannot be closed without the staff exit PIN"), NULL },
  { "demo", 0, 0, G_OPTION_ARG_FILENAME, NULL, N_("Show the demo panel for the demo community in DIR"), N_("DIR") },
  { "hash-exit-pin", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Read a PIN on stdin and print the [kiosk] exit-pin line"), NULL },
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Print the version"), NULL },
  { NULL }
};

static void
ec_kiosk_application_init (EcKioskApplication *self)
{
  self->config = ec_config_new ();
  g_application_add_main_option_entries (G_APPLICATION (self), options);
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            "The eldercard kiosk: tap a resident's card to see who they are and whom to call.");
}

EcKioskApplication *
ec_kiosk_application_new (void)
{
  ec_init ();
  return g_object_new (EC_TYPE_KIOSK_APPLICATION,
                       "application-id", EC_KIOSK_APP_ID,
                       "flags", G_APPLICATION_NON_UNIQUE,
                       "resource-base-path", EC_KIOSK_RESOURCE_BASE,
                       NULL);
}

EcKioskController *
ec_kiosk_application_get_controller (EcKioskApplication *self)
{
  g_return_val_if_fail (EC_IS_KIOSK_APPLICATION (self), NULL);
  return self->controller;
}

void
ec_kiosk_ui_init (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();

      ec_init ();
      adw_init ();
      gtk_icon_theme_add_resource_path (gtk_icon_theme_get_for_display (gdk_display_get_default ()),
                                        EC_KIOSK_RESOURCE_BASE "/icons");
      gtk_css_provider_load_from_resource (provider, EC_KIOSK_RESOURCE_BASE "/style.css");
      gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (provider),
                                                  GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
      g_once_init_leave (&done, 1);
    }
}
