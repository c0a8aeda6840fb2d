/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-file.h: reading files that come from outside, with a size limit.
 *
 * Every reader of a file the program did not just write (tag images, configuration,
 * bundles, checkpoints, summaries, key files, CSV, photos) goes through these: the
 * file is opened without blocking (a FIFO or device in its place is refused before
 * anything waits on it), must be a regular file, and is read up to a limit decided
 * by the caller, never "as much as there is" (`card verify /dev/zero`). */
#pragma once

#include <glib.h>
#include <sys/stat.h>

G_BEGIN_DECLS

typedef enum
{
  EC_FILE_NOFOLLOW = 1 << 0,   /* refuse a symbolic link (key files) */
} EcFileFlags;

/* Open @path read-only and non-blocking; refuse anything but a regular file. Returns
 * the descriptor (O_CLOEXEC, blocking again) and its stat in @out_st, or -1 with
 * @error (G_FILE_ERROR: the errno of open, or G_FILE_ERROR_INVAL "not a regular
 * file"). */
int       ec_file_open_regular  (const char   *path,
                                 EcFileFlags   flags,
                                 struct stat  *out_st,
                                 GError      **error);

/* Read all of @fd, at most @max bytes: more is G_FILE_ERROR_INVAL "larger than". The
 * result is NUL-terminated (not counted in @out_len). @path is for messages. */
gboolean  ec_file_read_fd_bounded (int          fd,
                                   const char  *path,
                                   gsize        max,
                                   char       **out_data,
                                   gsize       *out_len,
                                   GError     **error);

/* ec_file_open_regular() + ec_file_read_fd_bounded(). */
gboolean  ec_file_read_bounded  (const char   *path,
                                 gsize         max,
                                 EcFileFlags   flags,
                                 char        **out_data,
                                 gsize        *out_len,
                                 GError      **error);

G_END_DECLS
