/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ec-libnfc-conf"

#include "ec-libnfc-conf.h"

#include <string.h>

void
ec_libnfc_conf_init (EcLibnfcConf *conf)
{
  memset (conf, 0, sizeof *conf);
  conf->allow_autoscan = TRUE;
  conf->allow_intrusive_scan = FALSE;
  conf->log_level = -1;
}

void
ec_libnfc_conf_clear (EcLibnfcConf *conf)
{
  for (guint i = 0; i < EC_LIBNFC_MAX_USER_DEVICES; i++)
    {
      g_clear_pointer (&conf->devices[i].name, g_free);
      g_clear_pointer (&conf->devices[i].connstring, g_free);
    }
  ec_libnfc_conf_init (conf);
}

void
ec_libnfc_conf_boolean (const char *text,
                        gboolean   *value)
{
  if (text == NULL)
    return;
  if (!*value && (strcmp (text, "yes") == 0 || strcmp (text, "true") == 0 || strcmp (text, "1") == 0))
    *value = TRUE;
  else if (*value && (strcmp (text, "no") == 0 || strcmp (text, "false") == 0 || strcmp (text, "0") == 0))
    *value = FALSE;
}

static gboolean
is_blank (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* One line (without its '\n', @len bytes, no NUL inside) into key and value. */
static gboolean
parse_line (const char  *line,
            gsize        len,
            char       **key,
            char       **value)
{
  gsize i = 0, kstart, kend, vstart, vend;

  while (i < len && is_blank (line[i]))
    i++;
  kstart = i;
  while (i < len && (g_ascii_isalnum (line[i]) || line[i] == '_' || line[i] == '.'))
    i++;
  kend = i;
  if (kend == kstart)
    return FALSE;
  while (i < len && is_blank (line[i]))
    i++;
  if (i >= len || line[i] != '=')
    return FALSE;
  i++;
  while (i < len && is_blank (line[i]))
    i++;
  if (i >= len)
    return FALSE;

  if (line[i] == '"')
    {
      vstart = ++i;
      while (i < len && line[i] != '"')
        i++;
      if (i >= len || i == vstart)
        return FALSE;           /* unterminated, or "" (libnfc refuses an empty value) */
      vend = i++;
    }
  else
    {
      vstart = i;
      while (i < len && !is_blank (line[i]))
        i++;
      vend = i;
    }
  while (i < len && is_blank (line[i]))
    i++;
  if (i != len)
    return FALSE;

  *key = g_strndup (line + kstart, kend - kstart);
  *value = g_strndup (line + vstart, vend - vstart);
  return TRUE;
}

/* libnfc's conf_keyvalue_context(): a new device starts when the field being set is
 * already set on the current one. */
static void
apply (EcLibnfcConf *conf,
       const char   *key,
       const char   *value)
{
  EcLibnfcDevice *dev;

  if (strcmp (key, "allow_autoscan") == 0)
    ec_libnfc_conf_boolean (value, &conf->allow_autoscan);
  else if (strcmp (key, "allow_intrusive_scan") == 0)
    ec_libnfc_conf_boolean (value, &conf->allow_intrusive_scan);
  else if (strcmp (key, "log_level") == 0)
    conf->log_level = (int) CLAMP (g_ascii_strtoll (value, NULL, 10), 0, 3);
  else if (strcmp (key, "device.name") == 0 || strcmp (key, "device.connstring") == 0 ||
           strcmp (key, "device.optional") == 0)
    {
      gboolean is_name = strcmp (key, "device.name") == 0;
      gboolean is_conn = strcmp (key, "device.connstring") == 0;

      dev = conf->n_devices > 0 ? &conf->devices[conf->n_devices - 1] : NULL;
      if (dev == NULL || (is_name && dev->name != NULL) || (is_conn && dev->connstring != NULL) ||
          (!is_name && !is_conn && dev->optional))
        {
          if (conf->n_devices >= EC_LIBNFC_MAX_USER_DEVICES)
            return;             /* libnfc: "Configuration exceeded maximum user-defined devices." */
          dev = &conf->devices[conf->n_devices++];
        }
      if (is_name)
        {
          g_free (dev->name);
          dev->name = g_strndup (value, 255);
        }
      else if (is_conn)
        {
          g_free (dev->connstring);
          dev->connstring = g_strndup (value, EC_LIBNFC_CONNSTRING_MAX);
        }
      else if (strcmp (value, "true") == 0 || strcmp (value, "True") == 0 || strcmp (value, "1") == 0)
        dev->optional = TRUE;
    }
}

guint
ec_libnfc_conf_parse (EcLibnfcConf *conf,
                      const char   *data,
                      gsize         len,
                      gboolean      device_file)
{
  gsize pos = 0;
  guint bad = 0;

  g_return_val_if_fail (conf != NULL, 0);
  g_return_val_if_fail (data != NULL || len == 0, 0);

  while (pos < len)
    {
      const char *line = data + pos;
      gsize avail = len - pos, n = 0, step;
      g_autofree char *key = NULL;
      g_autofree char *value = NULL;

      /* Like fgets(): up to and including '\n', at most EC_LIBNFC_LINE_MAX bytes. */
      while (n < avail && n < EC_LIBNFC_LINE_MAX && line[n] != '\n')
        n++;
      step = (n < avail && line[n] == '\n') ? n + 1 : n;
      pos += step;

      if (n == 0 || line[0] == '#')
        continue;
      if (memchr (line, '\0', n) != NULL || !parse_line (line, n, &key, &value))
        {
          bad++;
          continue;
        }
      if (device_file)
        {
          g_autofree char *full = g_strconcat ("device.", key, NULL);
          apply (conf, full, value);
        }
      else
        apply (conf, key, value);
    }
  return bad;
}
