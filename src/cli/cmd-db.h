/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cmd-db.h: helpers shared by the database subcommands (cmd-db.c, cmd-resident.c). */
#pragma once

#include "ec-db.h"

G_BEGIN_DECLS

/* Who is acting, for the audit log:
 *   --staff ID      signs in as that staff member (PIN from --pin-file or the terminal,
 *                   with the lockout and audit of any sign-in); role from the account
 *   --actor ROLE:ID an unchecked claim: recorded as "cli:USER/claims:ID" with ROLE
 *   neither         the command line's administrator "cli:USER"
 * @storage keeps the id string alive. */
gboolean  ec_cli_db_actor      (EcDb        *db,
                                const char  *actor_opt,
                                const char  *staff_opt,
                                EcActor     *out,
                                char       **storage,
                                GError     **error);
/* Open @path (NULL = default) writable; print the error and return NULL on failure. */
EcDb     *ec_cli_db_open       (const char  *path,
                                gboolean     create);
/* Parse GOptionContext options; print usage errors. FALSE = exit 2. */
gboolean  ec_cli_db_parse      (GOptionContext *ctx,
                                int            *argc,
                                char         ***argv);

G_END_DECLS
