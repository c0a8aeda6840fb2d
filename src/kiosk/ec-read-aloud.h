/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-read-aloud.h: the record's critical facts spoken, for a responder whose hands are
 * busy (issue 14): name, age, allergies with their criticality, the advance directive,
 * the first contact and number, in the kiosk's language, with espeak-ng (Debian's
 * espeak-ng package) run as a child process: never on the screen's thread. */
#pragma once

#include <gio/gio.h>

#include "ec-kiosk-result.h"

G_BEGIN_DECLS

/* What is spoken for @result's resident, in the current kiosk language (g_free). */
char      *ec_read_aloud_text  (const EcKioskResult *result);
/* The espeak-ng command that speaks @text in @language ("zh" or "en"); with @wav_path
 * it writes the audio to that file instead of the sound card. */
GStrv      ec_read_aloud_argv  (const char *text,
                                const char *language,
                                const char *wav_path);
/* Speak @text now (asynchronously; an earlier speech still running is stopped).
 * Returns FALSE with @error when espeak-ng cannot be started. */
gboolean   ec_read_aloud_speak (const char  *text,
                                const char  *language,
                                GError     **error);

G_END_DECLS
