/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ec-paths"

#include "ec-paths.h"

#include <string.h>

#ifndef EC_PREFIX
#define EC_PREFIX "/usr/local"
#endif

typedef struct
{
  char *build_dir;
  char *source_dir;
  char *prefix;
} EcPaths;

/* @dir's marker file names an existing directory: the source tree, else NULL. */
static char *
source_from_marker (const char *dir)
{
  g_autofree char *marker = g_build_filename (dir, EC_PATHS_BUILD_MARKER, NULL);
  g_autofree char *text = NULL;

  if (!g_file_get_contents (marker, &text, NULL, NULL))
    return NULL;
  g_strstrip (text);
  if (!g_path_is_absolute (text) || !g_file_test (text, G_FILE_TEST_IS_DIR))
    return NULL;
  return g_steal_pointer (&text);
}

static gpointer
paths_init (gpointer data)
{
  EcPaths *p = g_new0 (EcPaths, 1);
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);

  (void) data;
  if (exe != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (exe);
      g_autofree char *parent = g_path_get_dirname (dir);
      g_autofree char *dir_name = g_path_get_basename (dir);
      g_autofree char *parent_name = g_path_get_basename (parent);

      if ((p->source_dir = source_from_marker (dir)) != NULL)
        p->build_dir = g_strdup (dir);
      else if ((p->source_dir = source_from_marker (parent)) != NULL)
        p->build_dir = g_strdup (parent);
      else if (strcmp (dir_name, "bin") == 0 && strcmp (parent, "/") != 0)
        p->prefix = g_strdup (parent);
      else if (strcmp (dir_name, "eldercard") == 0 && strcmp (parent_name, "libexec") == 0)
        p->prefix = g_path_get_dirname (parent);
    }
  if (p->prefix == NULL)
    p->prefix = g_strdup (EC_PREFIX);
  return p;
}

static const EcPaths *
paths (void)
{
  static GOnce once = G_ONCE_INIT;
  return g_once (&once, paths_init, NULL);
}

const char *
ec_paths_build_dir (void)
{
  return paths ()->build_dir;
}

const char *
ec_paths_source_dir (void)
{
  return paths ()->source_dir;
}

const char *
ec_paths_prefix (void)
{
  return paths ()->prefix;
}

static char *
from_env (const char *name)
{
  const char *v = g_getenv (name);
  return (v != NULL && *v) ? g_strdup (v) : NULL;
}

char *
ec_paths_datadir (void)
{
  char *env = from_env ("ELDERCARD_DATADIR");

  if (env != NULL)
    return env;
  if (paths ()->source_dir != NULL)
    return g_build_filename (paths ()->source_dir, "data", NULL);
  return g_build_filename (paths ()->prefix, "share", "eldercard", NULL);
}

char *
ec_paths_localedir (void)
{
  char *env = from_env ("ELDERCARD_LOCALEDIR");

  if (env != NULL)
    return env;
  if (paths ()->build_dir != NULL)
    return g_build_filename (paths ()->build_dir, "locale", NULL);
  return g_build_filename (paths ()->prefix, "share", "locale", NULL);
}

char *
ec_paths_libexecdir (void)
{
  if (paths ()->build_dir != NULL)
    return g_strdup (paths ()->build_dir);
  return g_build_filename (paths ()->prefix, "libexec", "eldercard", NULL);
}
