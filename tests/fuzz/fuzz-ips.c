/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-ips: the FHIR IPS importer (ec-ips.c) on arbitrary bytes: a bundle from a USB
 * stick or another station is outside input. Whatever parses must export again and
 * parse back to the same bundle text (the exporter is deterministic). */
#define G_LOG_DOMAIN "fuzz-ips"

#include <string.h>
#include <glib.h>

#include "ec-error.h"
#include "ec-init.h"
#include "ec-ips.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  static gboolean inited;
  g_autoptr(GError) error = NULL;
  g_autoptr(EcResident) r = NULL;

  if (!inited)
    {
      ec_init ();
      inited = TRUE;
    }
  r = ec_ips_parse ((const char *) data, size, &error);
  if (r == NULL)
    {
      g_assert (error != NULL && error->domain == EC_IMPORT_ERROR);
      return 0;
    }
  {
    g_autoptr(EcResident) again = NULL;
    g_autofree char *a = NULL;
    g_autofree char *b = NULL;
    gsize la = 0, lb = 0;

    r->updated_at = 1764547200;
    a = ec_ips_build_json (r, &la, &error);
    if (a == NULL)
      g_error ("a parsed summary does not export: %s", error->message);
    again = ec_ips_parse (a, la, &error);
    if (again == NULL)
      g_error ("an exported summary does not parse: %s", error->message);
    again->updated_at = r->updated_at;
    b = ec_ips_build_json (again, &lb, &error);
    g_assert (b != NULL && la == lb && memcmp (a, b, la) == 0);
  }
  return 0;
}
