/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-csv.h: residents to and from CSV (docs/csv.md) and JSON.
 *
 * The reader is a parser of outside bytes: RFC 4180 quoting, bounds-checked, every
 * field checked for UTF-8, every refusal an EC_IMPORT_ERROR naming the file, line and
 * column (tests/fuzz/fuzz-csv.c). An import with any bad row imports nothing unless
 * skip_bad is set; then the good rows go in and the report lists the skipped ones. */
#pragma once

#include <gio/gio.h>

#include "ec-db.h"

G_BEGIN_DECLS

/* Limits: any one field (except photo_base64), and a whole file. */
#define EC_CSV_FIELD_MAX  4096
#define EC_CSV_FILE_MAX   (2u * 1024 * 1024 * 1024 - 1)
/* The most `import` reads from a file (far more than any community holds). */
#define EC_CSV_IMPORT_MAX_BYTES (256u * 1024 * 1024)

/* ---- the RFC 4180 reader ---- */
typedef struct _EcCsvReader EcCsvReader;

EcCsvReader *ec_csv_reader_new   (const char   *data,
                                  gsize         len,
                                  const char   *filename);
void         ec_csv_reader_free  (EcCsvReader  *reader);
/* The next record's fields (owned by the reader until the next call) and the line
 * it starts on. FALSE with no error at the end; FALSE with EC_IMPORT_ERROR_SYNTAX
 * (unterminated quote, stray quote), _ENCODING (not UTF-8, NUL byte) or _OVERSIZE
 * (a field over 1 MiB: the reader's hard bound) — after which the reader stops. */
gboolean     ec_csv_reader_next  (EcCsvReader  *reader,
                                  GPtrArray   **out_fields,
                                  guint        *out_line,
                                  GError      **error);

/* Formula injection (OWASP): the writer puts an apostrophe before a cell that starts
 * with = + - @ TAB or CR (or with an apostrophe followed by one of those or another
 * apostrophe), so a spreadsheet shows it as text instead of running it; the resident
 * reader takes exactly that apostrophe off again (in place), so export → import gives
 * back the same text. */
void         ec_csv_formula_unescape (char *field);

/* ---- residents ---- */
typedef struct
{
  guint      n_rows;        /* data rows read (header not counted) */
  guint      n_imported;
  GPtrArray *skipped;       /* char *: "FILE:LINE:COLUMN: message", one per skipped row */
} EcCsvImportReport;

void         ec_csv_import_report_clear (EcCsvImportReport *report);

/* Parse a whole CSV of residents (header row required). Without @skip_bad the first
 * bad row is the error; with it, bad rows are listed in @out_problems (nullable) and
 * left out. @out_residents gets EcResident (ids 0 where the file had none). */
gboolean     ec_csv_parse_residents (const char  *data,
                                     gsize        len,
                                     const char  *filename,
                                     gboolean     skip_bad,
                                     GPtrArray  **out_residents,
                                     GPtrArray  **out_problems,
                                     guint       *out_n_rows,
                                     GError     **error);

/* Parse @path and add every resident in one transaction (each add audited). A row
 * the database refuses (a duplicate id…) is skipped with @skip_bad, otherwise the
 * whole import is rolled back. */
gboolean     ec_csv_import_file     (EcDb               *db,
                                     const char         *path,
                                     gboolean            skip_bad,
                                     const EcActor      *actor,
                                     EcCsvImportReport  *report,
                                     GError            **error);
gboolean     ec_csv_import_data     (EcDb               *db,
                                     const char         *data,
                                     gsize               len,
                                     const char         *filename,
                                     gboolean            skip_bad,
                                     const EcActor      *actor,
                                     EcCsvImportReport  *report,
                                     GError            **error);

/* Export every resident (all fields and entries; the photo base64) to @out, one audit
 * entry ("export-csv" / "export-json", purpose "export") recording who and how many. */
gboolean     ec_csv_export          (EcDb               *db,
                                     GOutputStream      *out,
                                     const EcActor      *actor,
                                     GError            **error);
gboolean     ec_json_export         (EcDb               *db,
                                     GOutputStream      *out,
                                     const EcActor      *actor,
                                     GError            **error);

/* One resident as a CSV row with the export header (for tests and the fuzz corpus). */
char        *ec_csv_header          (void);
char        *ec_csv_format_resident (const EcResident  *resident);
/* One resident as pretty-printed JSON (the export's object form). */
char        *ec_resident_to_json    (const EcResident  *resident);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EcCsvReader, ec_csv_reader_free)

G_END_DECLS
