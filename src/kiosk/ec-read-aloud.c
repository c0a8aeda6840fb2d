/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ec-read-aloud"

#include "ec-read-aloud.h"

#include <string.h>

#include "ec-i18n.h"
#include "ec-kiosk-i18n.h"
#include "ec-kiosk-strings.h"
#include "ec-labels.h"

/* Digits one by one, so a number is read as a number to dial, not as millions. */
static void
append_digits (GString    *out,
               const char *phone)
{
  for (const char *p = phone; *p; p++)
    {
      if (g_ascii_isdigit (*p))
        g_string_append_printf (out, "%c ", *p);
      else if (*p == '-' || *p == ' ')
        g_string_append (out, ", ");
    }
}

char *
ec_read_aloud_text (const EcKioskResult *result)
{
  const EcResident *r;
  GString *out;
  int age;

  g_return_val_if_fail (result != NULL && result->resident != NULL, NULL);
  r = result->resident;
  out = g_string_new (r->name_zh != NULL ? r->name_zh : "");
  age = ec_resident_age (r, NULL);
  if (age >= 0)
    {
      g_string_append (out, ", ");
      g_string_append_printf (out, g_dngettext (GETTEXT_PACKAGE, "%d year", "%d years", (gulong) age), age);
    }
  g_string_append (out, ". ");

  /* Allergies, most critical first, with their criticality. */
  if (r->allergy_status == EC_ALLERGY_STATUS_NONE_KNOWN)
    g_string_append_printf (out, "%s. ", _("No known allergies"));
  else if (r->allergies == NULL || r->allergies->len == 0)
    g_string_append_printf (out, "%s. ", _("Allergies unknown"));
  else
    {
      g_autoptr(GPtrArray) sorted = ec_label_allergies_sorted (r->allergies);

      g_string_append_printf (out, "%s ", _("Allergies:"));
      for (guint i = 0; i < sorted->len; i++)
        {
          const EcAllergy *a = g_ptr_array_index (sorted, i);
          g_string_append_printf (out, "%s, %s. ", a->substance != NULL ? a->substance : "?",
                                  ec_label_criticality (a->criticality));
        }
    }

  g_string_append_printf (out, "%s %s. ", _("Advance directive:"), ec_kiosk_dnr_label (r->dnr));

  if (r->contacts != NULL && r->contacts->len > 0)
    {
      const EcContact *c = g_ptr_array_index (r->contacts, 0);

      g_string_append_printf (out, "%s %s", _("First contact:"), c->name != NULL ? c->name : "?");
      if (c->relation != NULL && *c->relation)
        g_string_append_printf (out, ", %s", c->relation);
      if (c->phones != NULL && c->phones[0] != NULL)
        {
          g_string_append_printf (out, ", %s ", _("phone"));
          append_digits (out, c->phones[0]);
        }
      g_string_append (out, ".");
    }
  else
    g_string_append (out, _("No emergency contact recorded: call the service station."));
  return g_string_free (out, FALSE);
}

GStrv
ec_read_aloud_argv (const char *text,
                    const char *language,
                    const char *wav_path)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();

  g_strv_builder_add_many (b, "espeak-ng", "-v", g_strcmp0 (language, "zh") == 0 ? "cmn" : "en", "-s", "150", NULL);
  if (wav_path != NULL)
    g_strv_builder_add_many (b, "-w", wav_path, NULL);
  g_strv_builder_add_many (b, "--", text, NULL);
  return g_strv_builder_end (b);
}

static GSubprocess *speaking;   /* the speech running now, or NULL */

static void
speak_done_cb (GObject      *source,
               GAsyncResult *res,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!g_subprocess_wait_finish (G_SUBPROCESS (source), res, &error))
    g_debug ("read aloud: %s", error->message);
  if (speaking == G_SUBPROCESS (source))
    g_clear_object (&speaking);
}

gboolean
ec_read_aloud_speak (const char  *text,
                     const char  *language,
                     GError     **error)
{
  g_auto(GStrv) argv = NULL;

  g_return_val_if_fail (text != NULL, FALSE);

  if (speaking != NULL)
    {
      g_subprocess_force_exit (speaking);
      g_clear_object (&speaking);
    }
  argv = ec_read_aloud_argv (text, language, NULL);
  speaking = g_subprocess_newv ((const char * const *) argv,
                                G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, error);
  if (speaking == NULL)
    return FALSE;
  g_subprocess_wait_async (speaking, NULL, speak_done_cb, NULL);
  return TRUE;
}
