/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-bundle: the parsers of ec-sync.c on arbitrary bytes. The first byte picks the
 * target: 0 the decrypted bundle payload (residents and cards), 1 the bundle header,
 * 2 a kiosk audit export (signature, then the hash chain). Seeds in
 * tests/fuzz/corpus/fuzz-bundle/ (a demo payload, a real bundle, a real audit export:
 * fictional data). */
#define G_LOG_DOMAIN "fuzz-bundle"

#include <string.h>
#include <glib.h>

#include "ec-init.h"
#include "ec-sync.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static void
fuzz_payload (const guint8 *data,
              size_t        size)
{
  g_autoptr(GPtrArray) residents = NULL;
  g_autoptr(GPtrArray) cards = NULL;
  g_autoptr(GError) error = NULL;

  if (ec_sync_payload_parse (data, size, &residents, &cards, &error))
    {
      /* Whatever is accepted is canonical: it serializes back to the same bytes. */
      g_autoptr(GBytes) again = ec_sync_payload_build (residents, cards, &error);
      g_assert (again != NULL);
      g_assert (g_bytes_get_size (again) == size);
      g_assert (memcmp (g_bytes_get_data (again, NULL), data, size) == 0);
      for (guint i = 0; i < residents->len; i++)
        {
          const EcResident *r = g_ptr_array_index (residents, i);
          g_assert (r->name_zh != NULL && r->name_zh[0] != '\0');
          g_assert (r->photo == NULL || g_bytes_get_size (r->photo) <= EC_DB_PHOTO_MAX_BYTES);
        }
      for (guint i = 0; i < cards->len; i++)
        {
          const EcCardRecord *c = g_ptr_array_index (cards, i);
          g_assert (c->seq >= 1 && c->seq <= 65535 && c->status <= EC_CARD_STATUS_PENDING);
        }
    }
  else
    g_assert (error != NULL && error->domain == EC_SYNC_ERROR);
}

static void
fuzz_header (const guint8 *data,
             size_t        size)
{
  g_autoptr(GError) error = NULL;
  EcSyncHeader h;

  if (ec_sync_header_parse (data, size, &h, &error))
    {
      g_assert (size >= EC_SYNC_BUNDLE_HEADER_BYTES + 16 + 64);
      g_assert (h.role == EC_ROLE_RESPONDER || h.role == EC_ROLE_NURSE);
    }
  else
    g_assert (error != NULL && error->domain == EC_SYNC_ERROR);
}

static void
fuzz_audit (const guint8 *data,
            size_t        size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  EcSyncAuditReport rep = { 0 };

  if (ec_sync_audit_parse (data, size, &rep, &entries, &error))
    {
      g_assert (entries->len == rep.n_entries);
      g_assert (rep.n_entries == 0 || rep.last_seq - rep.first_seq + 1 == (gint64) rep.n_entries);
      g_assert (rep.kiosk_id != NULL && strlen (rep.kiosk_id) <= EC_SYNC_KIOSK_ID_MAX);
    }
  else
    g_assert (error != NULL);
  ec_sync_audit_report_clear (&rep);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  static gboolean initialised;

  if (!initialised)
    {
      ec_init ();
      initialised = TRUE;
    }
  if (size < 1)
    return 0;
  switch (data[0] % 3)
    {
    case 0:
      fuzz_payload (data + 1, size - 1);
      break;
    case 1:
      fuzz_header (data + 1, size - 1);
      break;
    default:
      fuzz_audit (data + 1, size - 1);
      break;
    }
  return 0;
}
