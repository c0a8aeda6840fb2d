/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ec-file"

#include "ec-file.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "ec-i18n.h"

int
ec_file_open_regular (const char  *path,
                      EcFileFlags  flags,
                      struct stat *out_st,
                      GError     **error)
{
  struct stat st;
  int oflags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
  int fd, fl;

  g_return_val_if_fail (path != NULL, -1);

  if (flags & EC_FILE_NOFOLLOW)
    oflags |= O_NOFOLLOW;
  /* O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer. */
  do
    fd = open (path, oflags);
  while (fd < 0 && errno == EINTR);
  if (fd < 0)
    {
      int e = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e),
                   _("Cannot open %s: %s"), path, g_strerror (e));
      return -1;
    }
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      close (fd);
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   _("%s is not a regular file"), path);
      return -1;
    }
  fl = fcntl (fd, F_GETFL);
  if (fl >= 0)
    (void) fcntl (fd, F_SETFL, fl & ~O_NONBLOCK);
  if (out_st != NULL)
    *out_st = st;
  return fd;
}

gboolean
ec_file_read_fd_bounded (int          fd,
                         const char  *path,
                         gsize        max,
                         char       **out_data,
                         gsize       *out_len,
                         GError     **error)
{
  g_autofree char *buf = NULL;
  gsize cap, got = 0;

  g_return_val_if_fail (out_data != NULL, FALSE);
  g_return_val_if_fail (max < G_MAXSIZE - 1, FALSE);

  /* Grow as the data comes, never past max + 1 (the byte that proves "too large"). */
  cap = MIN (max + 1, (gsize) 64 * 1024);
  buf = g_malloc (cap + 1);
  for (;;)
    {
      ssize_t n;

      if (got == cap)
        {
          if (cap == max + 1)
            break;
          cap = MIN (max + 1, cap * 2);
          buf = g_realloc (buf, cap + 1);
        }
      n = read (fd, buf + got, cap - got);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int e = errno;
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e),
                       _("Cannot read %s: %s"), path, g_strerror (e));
          return FALSE;
        }
      if (n == 0)
        break;
      got += (gsize) n;
    }
  if (got > max)
    {
      g_autofree char *limit = g_format_size_full (max, G_FORMAT_SIZE_IEC_UNITS);
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   _("%s is larger than %s; it is not a file this program reads"), path, limit);
      return FALSE;
    }
  buf[got] = '\0';
  *out_data = g_steal_pointer (&buf);
  if (out_len != NULL)
    *out_len = got;
  return TRUE;
}

gboolean
ec_file_read_bounded (const char  *path,
                      gsize        max,
                      EcFileFlags  flags,
                      char       **out_data,
                      gsize       *out_len,
                      GError     **error)
{
  gboolean ok;
  int fd = ec_file_open_regular (path, flags, NULL, error);

  if (fd < 0)
    return FALSE;
  ok = ec_file_read_fd_bounded (fd, path, max, out_data, out_len, error);
  close (fd);
  return ok;
}
