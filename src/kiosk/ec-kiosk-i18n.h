/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-kiosk-i18n.h: the kiosk's language. Simplified Chinese or English, chosen by the
 * configuration, else by the locale (Chinese for zh_*, English otherwise), and
 * switchable on screen: the switch sets LANGUAGE and invalidates gettext's cache, and
 * the window re-renders, reading every string through _() again. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* bindtextdomain to ec_paths_localedir (): $ELDERCARD_LOCALEDIR, else the build tree's
 * locale directory when running from it, else the installed one. Then sets the language:
 * @language "zh" or "en", or NULL for the locale's. */
void        ec_kiosk_i18n_init            (const char *language);
/* "zh" or "en". */
void        ec_kiosk_i18n_set_language    (const char *language);
const char *ec_kiosk_i18n_get_language    (void);
/* The locale's language: "zh" when LC_ALL / LC_MESSAGES / LANG / LANGUAGE say zh_*. */
const char *ec_kiosk_i18n_locale_language (void);
/* The directory bound for GETTEXT_PACKAGE. */
const char *ec_kiosk_i18n_get_localedir   (void);

G_END_DECLS
