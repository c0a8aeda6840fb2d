/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ec-kiosk-i18n"

#include "ec-kiosk-i18n.h"

#include <libintl.h>
#include <locale.h>
#include <string.h>

#include "ec-config.h"
#include "ec-paths.h"

/* GNU gettext caches translations; bumping this counter invalidates the cache so a
 * changed LANGUAGE takes effect (what gettext's own manual recommends). */
extern int _nl_msg_cat_cntr;

static char *localedir;
static const char *current = "en";

const char *
ec_kiosk_i18n_locale_language (void)
{
  const char *vars[] = { "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG" };

  for (gsize i = 0; i < G_N_ELEMENTS (vars); i++)
    {
      const char *v = g_getenv (vars[i]);
      if (v != NULL && *v)
        return g_str_has_prefix (v, "zh") ? "zh" : "en";
    }
  return "en";
}

const char *
ec_kiosk_i18n_get_localedir (void)
{
  return localedir;
}

void
ec_kiosk_i18n_init (const char *language)
{
  const char *messages;

  g_free (localedir);
  localedir = ec_paths_localedir ();
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* gettext ignores LANGUAGE in the "C" locale; C.UTF-8 is always there on Debian. */
  messages = setlocale (LC_MESSAGES, NULL);
  if (messages == NULL || strcmp (messages, "C") == 0 || strcmp (messages, "POSIX") == 0)
    setlocale (LC_MESSAGES, "C.UTF-8");

  ec_kiosk_i18n_set_language (language != NULL ? language : ec_kiosk_i18n_locale_language ());
}

void
ec_kiosk_i18n_set_language (const char *language)
{
  const char *lang = ec_config_parse_language (language);

  if (lang == NULL)
    lang = "en";
  current = g_str_equal (lang, "zh") ? "zh" : "en";
  g_setenv ("LANGUAGE", g_str_equal (current, "zh") ? "zh_CN" : "en", TRUE);
  ++_nl_msg_cat_cntr;
}

const char *
ec_kiosk_i18n_get_language (void)
{
  return current;
}
