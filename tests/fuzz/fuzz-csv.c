/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-csv: the CSV reader (in memory and streaming from a file descriptor) and the
 * resident row parser (ec-csv.c) on arbitrary bytes,
 * both all-or-nothing and skipping bad rows. What parses must format and parse back
 * to the same residents. */
#define G_LOG_DOMAIN "fuzz-csv"

#define _GNU_SOURCE
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <glib.h>

#include "ec-csv.h"
#include "ec-error.h"
#include "ec-init.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static void
check_round_trip (GPtrArray *residents)
{
  g_autoptr(GString) csv = g_string_new (NULL);
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *header = ec_csv_header ();

  g_string_append (csv, header);
  for (guint i = 0; i < residents->len; i++)
    {
      g_autofree char *row = ec_csv_format_resident (residents->pdata[i]);
      g_string_append (csv, row);
    }
  if (!ec_csv_parse_residents (csv->str, csv->len, "again", FALSE, &again, NULL, NULL, &error))
    g_error ("formatted residents do not parse back: %s", error->message);
  g_assert (again->len == residents->len);
  for (guint i = 0; i < residents->len; i++)
    {
      g_autofree char *a = ec_csv_format_resident (residents->pdata[i]);
      g_autofree char *b = ec_csv_format_resident (again->pdata[i]);
      g_assert (g_strcmp0 (a, b) == 0);
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  ec_init ();

  /* The bare reader: every field it returns is UTF-8. */
  {
    g_autoptr(EcCsvReader) r = ec_csv_reader_new ((const char *) data, size, "fuzz.csv");
    g_autoptr(GError) error = NULL;
    GPtrArray *fields = NULL;
    guint line = 0, n = 0;

    while (ec_csv_reader_next (r, &fields, &line, &error) && n++ < 100000)
      for (guint i = 0; i < fields->len; i++)
        g_assert (g_utf8_validate (fields->pdata[i], -1, NULL));
    g_assert (error == NULL || error->domain == EC_IMPORT_ERROR);
  }

  /* The streaming reader (from a file descriptor) returns exactly what the in-memory
   * one returns, error included. */
  {
    int fd = memfd_create ("fuzz.csv", MFD_CLOEXEC);
    g_autoptr(EcCsvReader) a = NULL;
    g_autoptr(EcCsvReader) b = NULL;
    g_autoptr(GError) ea = NULL;
    g_autoptr(GError) eb = NULL;
    guint n = 0;

    g_assert (fd >= 0);
    g_assert (size == 0 || write (fd, data, size) == (ssize_t) size);
    g_assert (lseek (fd, 0, SEEK_SET) == 0);
    a = ec_csv_reader_new ((const char *) data, size, "fuzz.csv");
    b = ec_csv_reader_new_fd (fd, "fuzz.csv");
    for (;;)
      {
        GPtrArray *fa = NULL, *fb = NULL;
        guint la = 0, lb = 0;
        gboolean ga = ec_csv_reader_next (a, &fa, &la, &ea);
        gboolean gb = ec_csv_reader_next (b, &fb, &lb, &eb);

        g_assert (ga == gb);
        if (!ga || n++ >= 100000)
          break;
        g_assert (la == lb && fa->len == fb->len);
        for (guint i = 0; i < fa->len; i++)
          g_assert (strcmp (fa->pdata[i], fb->pdata[i]) == 0);
      }
    g_assert ((ea == NULL) == (eb == NULL));
    g_assert (ea == NULL || strcmp (ea->message, eb->message) == 0);
    close (fd);
  }

  for (int skip = 0; skip <= 1; skip++)
    {
      g_autoptr(GPtrArray) residents = NULL;
      g_autoptr(GPtrArray) problems = NULL;
      g_autoptr(GError) error = NULL;

      if (ec_csv_parse_residents ((const char *) data, size, "fuzz.csv", skip, &residents,
                                  &problems, NULL, &error))
        {
          g_assert (error == NULL);
          if (!skip)
            g_assert (problems->len == 0);
          check_round_trip (residents);
        }
      else
        g_assert (error != NULL && error->domain == EC_IMPORT_ERROR);
    }
  return 0;
}
