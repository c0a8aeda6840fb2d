/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-cli.h: the eldercard command's subcommands. Each lives in src/cli/cmd-<area>.c
 * and is listed in the table in src/cli/main.c.
 *
 * A subcommand gets argv with argv[0] = its own name ("card", "resident", …), parses
 * its options with GOptionContext, prints results to stdout and errors to stderr,
 * and returns the process exit status: 0 ok, 1 refused/failed, 2 usage error. */
#pragma once

#include <glib.h>

#include "ec-keys.h"
#include "ec-tap.h"

G_BEGIN_DECLS

typedef int (*EcCliCommandFunc) (int argc, char **argv);

typedef struct
{
  const char       *name;
  EcCliCommandFunc  func;
  const char       *summary;
} EcCliCommand;

/* Defaults shared by every subcommand (src/cli/ec-cli-defaults.c); an option overrides
 * them, the environment overrides the configuration file ($ELDERCARD_CONFIG, default
 * /etc/eldercard/eldercard.conf, read when it exists; one that cannot be read stops the
 * program with exit status 1, naming it):
 *   database:  $ELDERCARD_DB,   else the file's [database] path, else "eldercard.db"
 *   key dir:   $ELDERCARD_KEYS, else the file's [keys] dir,      else "keys"
 * ("eldercard.db" and "keys" in the current directory: only when there is no file). */
const char *ec_cli_default_db      (void);
const char *ec_cli_default_keydir  (void);

/* Print "eldercard: <message>" to stderr for @error and return 1. */
int         ec_cli_fail            (const GError *error);

/* Print "eldercard: <message>" (when @message is not NULL), a blank line and @ctx's full
 * help to stderr; return 2, the usage-error exit status (src/cli/ec-cli-util.c). */
int         ec_cli_usage_error     (GOptionContext *ctx,
                                    const char     *message);

/* Read the station key passphrase from @pass_file ('-' = stdin), or when @pass_file is
 * NULL from the terminal ("Station key passphrase: "), and unlock station @station_id's
 * key in @keydir with it; the passphrase is wiped before returning. */
EcStationKey *ec_cli_station_key_unlock (const char  *keydir,
                                         guint16      station_id,
                                         const char  *pass_file,
                                         GError     **error);

/* Load the community read key from @file (a --read-key option), or when @file is NULL
 * from the default @keydir/community/read.key. */
EcReadKey    *ec_cli_read_key_load      (const char  *keydir,
                                         const char  *file,
                                         GError     **error);

/* Print one table row to stdout: each of @n_cells cells padded to @widths[i]
 * terminal columns (汉字 count two, as a terminal draws them) and a space; the last
 * cell is not padded. A NULL or invalid UTF-8 cell prints as "-". */
void          ec_cli_print_row          (const char  *const *cells,
                                         const guint         *widths,
                                         guint                n_cells);

/* Print one tap's result (src/cli/cmd-card-tap.c): the verdict, what could not be
 * checked, and the emergency view. 0 when something was shown, 1 when refused. */
int           ec_cli_tap_print          (const EcTapResult *result);

/* printf() to stdout for text that holds what the database or a file holds: every
 * control character and bidi override is written as a visible escape (ec-text.h),
 * newlines and tabs are kept. */
int           ec_cli_printf_safe        (const char  *format,
                                         ...) G_GNUC_PRINTF (1, 2);

/* --pin-file FILE of the commands that take --staff ID (NULL: ask at the terminal).
 * EC_CLI_PIN_FILE_ENTRY is its GOptionEntry. */
extern char *ec_cli_pin_file;
#define EC_CLI_PIN_FILE_ENTRY                                                                 \
  { "pin-file", 0, 0, G_OPTION_ARG_FILENAME, &ec_cli_pin_file,                                \
    N_("With --staff: the staff member's PIN from the first line of FILE (mode 0600)"), "FILE" }

/* Read a staff member's PIN into @buf (@size bytes, NUL-terminated, caller wipes it):
 * from @pin_file, which must be a regular file of this user that nobody else may read
 * (mode 0600 or stricter), or when @pin_file is NULL from the controlling terminal with
 * echo off ("PIN for @staff_id: "). Fails when there is neither. */
gboolean      ec_cli_read_staff_pin     (const char  *pin_file,
                                         const char  *staff_id,
                                         char        *buf,
                                         gsize        size,
                                         GError     **error);

/* Subcommands (src/cli/cmd-*.c). */
int         ec_cmd_doctor          (int argc, char **argv);
int         ec_cmd_db              (int argc, char **argv);
int         ec_cmd_resident        (int argc, char **argv);
int         ec_cmd_import          (int argc, char **argv);
int         ec_cmd_export          (int argc, char **argv);
int         ec_cmd_audit           (int argc, char **argv);
int         ec_cmd_backup          (int argc, char **argv);
int         ec_cmd_demo            (int argc, char **argv);
int         ec_cmd_staff           (int argc, char **argv);
int         ec_cmd_pepper          (int argc, char **argv);
int         ec_cmd_card_face       (int argc, char **argv);
int         ec_cmd_community       (int argc, char **argv);
int         ec_cmd_station         (int argc, char **argv);
int         ec_cmd_kiosk_bundle    (int argc, char **argv);
int         ec_cmd_card            (int argc, char **argv);
int         ec_cmd_allergy_check   (int argc, char **argv);
int         ec_cmd_sync            (int argc, char **argv);
/* `eldercard card` actions that use a reader (src/cli/cmd-card-reader.c). */
int         ec_cmd_card_read       (int argc, char **argv);
int         ec_cmd_card_watch      (int argc, char **argv);
int         ec_cmd_card_issue      (int argc, char **argv);
int         ec_cmd_card_replace    (int argc, char **argv);
int         ec_cmd_card_revoke     (int argc, char **argv);
int         ec_cmd_card_import_dump (int argc, char **argv);

G_END_DECLS
