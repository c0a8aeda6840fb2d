/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ec-config"

#include "ec-config.h"
#include "ec-crypto.h"
#include "ec-file.h"

#include <string.h>
#include <unistd.h>

EcConfig *
ec_config_new (void)
{
  EcConfig *config = g_new0 (EcConfig, 1);
  char host[256] = { 0 };

  config->db_path = g_strdup (EC_CONFIG_DEFAULT_DB);
  config->keys_dir = g_strdup (EC_CONFIG_DEFAULT_KEYS);
  config->idle_timeout = EC_CONFIG_DEFAULT_IDLE_TIMEOUT;
  config->role = EC_ROLE_RESPONDER;
  config->max_age_days = EC_CONFIG_DEFAULT_MAX_AGE_DAYS;
  if (gethostname (host, sizeof host - 1) != 0 || host[0] == '\0')
    g_strlcpy (host, "unknown", sizeof host);
  config->kiosk_id = g_strconcat ("kiosk-", host, NULL);
  return config;
}

void
ec_config_free (EcConfig *config)
{
  if (config == NULL)
    return;
  g_free (config->device);
  g_free (config->db_path);
  g_free (config->keys_dir);
  g_free (config->language);
  g_free (config->exit_pin_hash);
  g_free (config->kiosk_id);
  g_free (config->station_name);
  g_free (config->station_phone);
  g_free (config);
}

const char *
ec_config_parse_language (const char *text)
{
  if (text == NULL)
    return NULL;
  if (g_ascii_strcasecmp (text, "zh") == 0 || g_ascii_strncasecmp (text, "zh_", 3) == 0
      || g_ascii_strncasecmp (text, "zh-", 3) == 0 || g_ascii_strcasecmp (text, "chinese") == 0)
    return "zh";
  if (g_ascii_strcasecmp (text, "en") == 0 || g_ascii_strncasecmp (text, "en_", 3) == 0
      || g_ascii_strncasecmp (text, "en-", 3) == 0 || g_ascii_strcasecmp (text, "english") == 0)
    return "en";
  return NULL;
}

/* A trimmed value, or NULL when the key is absent or empty. */
static gboolean
get_value (GKeyFile    *kf,
           const char  *group,
           const char  *key,
           char       **out,
           GError     **error)
{
  g_autofree char *raw = NULL;
  g_autoptr(GError) local = NULL;

  *out = NULL;
  if (!g_key_file_has_group (kf, group) || !g_key_file_has_key (kf, group, key, NULL))
    return TRUE;
  raw = g_key_file_get_string (kf, group, key, &local);
  if (raw == NULL)
    {
      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                   "[%s] %s: %s", group, key, local->message);
      return FALSE;
    }
  g_strstrip (raw);
  if (raw[0] != '\0')
    *out = g_steal_pointer (&raw);
  return TRUE;
}

static gboolean
invalid (GError     **error,
         const char  *group,
         const char  *key,
         const char  *value,
         const char  *allowed)
{
  g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
               "[%s] %s=%s is not valid: %s", group, key, value, allowed);
  return FALSE;
}

static gboolean
parse_uint (const char *text,
            guint       min,
            guint       max,
            guint      *out)
{
  guint64 v = 0;

  if (!g_ascii_string_to_unsigned (text, 10, min, max, &v, NULL))
    return FALSE;
  *out = (guint) v;
  return TRUE;
}

/* Control characters (other than none at all) in a path or connstring are a typo or an
 * attack; refuse them rather than pass them to libnfc or SQLite. */
static gboolean
is_plain_text (const char *s)
{
  for (const char *p = s; *p; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      return FALSE;
  return TRUE;
}

/* Take *@value into *@field when it is set. */
static void
replace (char **field,
         char **value)
{
  if (*value == NULL)
    return;
  g_free (*field);
  *field = g_steal_pointer (value);
}

/* ---- the schema: every section and key this file may hold ------------------ */

static const struct
{
  const char *group;
  const char *keys[7];
} schema[] = {
  { "reader", { "device", NULL } },
  { "database", { "path", NULL } },
  { "keys", { "dir", NULL } },
  { "kiosk", { "idle-timeout", "role", "language", "fullscreen", "exit-pin", "id", NULL } },
  { "data", { "max-age-days", NULL } },
  { "station", { "name", "phone", NULL } },
};

static guint
edit_distance (const char *a,
               const char *b)
{
  gsize la = strlen (a), lb = strlen (b);
  guint row[65];

  if (la > 64 || lb > 64)
    return G_MAXUINT;
  for (gsize j = 0; j <= lb; j++)
    row[j] = (guint) j;
  for (gsize i = 1; i <= la; i++)
    {
      guint diag = row[0];
      row[0] = (guint) i;
      for (gsize j = 1; j <= lb; j++)
        {
          guint up = row[j];
          guint cost = g_ascii_tolower (a[i - 1]) == g_ascii_tolower (b[j - 1]) ? 0 : 1;
          row[j] = MIN (MIN (row[j] + 1, row[j - 1] + 1), diag + cost);
          diag = up;
        }
    }
  return row[lb];
}

/* The known name closest to @name (at most 2 edits, or a third of its length). */
static const char *
closest (const char        *name,
         const char *const *known,
         gsize              n_known)
{
  const char *best = NULL;
  guint best_d = G_MAXUINT;

  for (gsize i = 0; i < n_known && known[i] != NULL; i++)
    {
      guint d = edit_distance (name, known[i]);
      if (d < best_d)
        {
          best_d = d;
          best = known[i];
        }
    }
  return best != NULL && best_d <= MAX (2u, (guint) strlen (name) / 3) ? best : NULL;
}

static int
schema_group (const char *group)
{
  for (gsize i = 0; i < G_N_ELEMENTS (schema); i++)
    if (strcmp (schema[i].group, group) == 0)
      return (int) i;
  return -1;
}

static gboolean
schema_has_key (int         g,
                const char *key)
{
  for (gsize k = 0; schema[g].keys[k] != NULL; k++)
    if (strcmp (schema[g].keys[k], key) == 0)
      return TRUE;
  return FALSE;
}

/* Before GKeyFile (which keeps the last of two equal keys, merges two equal sections
 * and ignores what nobody asks for): refuse a duplicate section or key, an unknown
 * section and an unknown (misspelt) key, naming the line and the likely intent. A
 * misspelt `exit-pin` must not leave a kiosk unlocked without a word. */
static gboolean
check_schema (const char  *data,
              gsize        len,
              GError     **error)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *text = g_strndup (data, len);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autofree char *group = NULL;
  int g = -1;

  for (guint n = 0; lines[n] != NULL; n++)
    {
      char *line = g_strstrip (lines[n]);
      guint lineno = n + 1;

      if (line[0] == '\0' || line[0] == '#')
        continue;
      if (line[0] == '[')
        {
          char *end = strchr (line, ']');
          g_autofree char *name = end != NULL ? g_strndup (line + 1, (gsize) (end - line - 1)) : NULL;
          g_autofree char *gkey = NULL;
          gpointer first;

          if (name == NULL)
            continue;   /* GKeyFile reports the syntax error */
          gkey = g_strdup_printf ("[%s]", name);
          if ((first = g_hash_table_lookup (seen, gkey)) != NULL)
            {
              g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_PARSE,
                           "line %u: section [%s] appears a second time (first on line %u); "
                           "put all its keys in one section", lineno, name, GPOINTER_TO_UINT (first));
              return FALSE;
            }
          g_hash_table_insert (seen, g_steal_pointer (&gkey), GUINT_TO_POINTER (lineno));
          g = schema_group (name);
          if (g < 0)
            {
              const char *known[G_N_ELEMENTS (schema) + 1] = { NULL };
              const char *hint;
              for (gsize i = 0; i < G_N_ELEMENTS (schema); i++)
                known[i] = schema[i].group;
              hint = closest (name, known, G_N_ELEMENTS (schema));
              if (hint != NULL)
                g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND,
                             "line %u: unknown section [%s]; did you mean [%s]?", lineno, name, hint);
              else
                g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND,
                             "line %u: unknown section [%s] (known: [reader] [database] [keys] "
                             "[kiosk] [data] [station])", lineno, name);
              return FALSE;
            }
          g_free (group);
          group = g_steal_pointer (&name);
          continue;
        }
      {
        char *eq = strchr (line, '=');
        g_autofree char *key = NULL;
        g_autofree char *kkey = NULL;
        gpointer first;

        if (eq == NULL || g < 0)
          continue;   /* GKeyFile reports the syntax error */
        key = g_strstrip (g_strndup (line, (gsize) (eq - line)));
        if (!schema_has_key (g, key))
          {
            const char *hint = closest (key, schema[g].keys, G_N_ELEMENTS (schema[g].keys));
            int other = -1;

            for (gsize i = 0; i < G_N_ELEMENTS (schema) && other < 0; i++)
              if ((int) i != g && schema_has_key ((int) i, key))
                other = (int) i;
            if (other >= 0)
              g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND,
                           "line %u: %s belongs in section [%s], not [%s]", lineno, key,
                           schema[other].group, group);
            else if (hint != NULL)
              g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND,
                           "line %u: unknown key %s in [%s]; did you mean %s?", lineno, key, group, hint);
            else
              g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND,
                           "line %u: unknown key %s in [%s] (docs/configuration.md lists the keys)",
                           lineno, key, group);
            return FALSE;
          }
        kkey = g_strdup_printf ("%s/%s", group, key);
        if ((first = g_hash_table_lookup (seen, kkey)) != NULL)
          {
            g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_PARSE,
                         "line %u: %s appears a second time in [%s] (first on line %u); "
                         "keep one", lineno, key, group, GPOINTER_TO_UINT (first));
            return FALSE;
          }
        g_hash_table_insert (seen, g_steal_pointer (&kkey), GUINT_TO_POINTER (lineno));
      }
    }
  return TRUE;
}

gboolean
ec_config_load_data (EcConfig    *config,
                     const char  *data,
                     gsize        len,
                     GError     **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autofree char *device = NULL, *db = NULL, *keys = NULL, *idle = NULL, *role = NULL;
  g_autofree char *language = NULL, *fullscreen = NULL, *exit_pin = NULL, *id = NULL;
  g_autofree char *max_age = NULL, *station_name = NULL, *station_phone = NULL;
  guint idle_v = config->idle_timeout, max_age_v = config->max_age_days;
  EcRole role_v = config->role;
  gboolean fullscreen_v = config->fullscreen;
  const char *lang_v = NULL;

  g_return_val_if_fail (config != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  if (len > EC_CONFIG_MAX_BYTES)
    {
      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_PARSE,
                   "configuration larger than %u bytes", (guint) EC_CONFIG_MAX_BYTES);
      return FALSE;
    }
  if (len > 0 && memchr (data, '\0', len) != NULL)
    {
      g_set_error_literal (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_PARSE,
                           "configuration contains a NUL byte");
      return FALSE;
    }
  if (len > 0 && !g_key_file_load_from_data (kf, data, len, G_KEY_FILE_NONE, error))
    return FALSE;
  if (len > 0 && !check_schema (data, len, error))
    return FALSE;

  if (!get_value (kf, "reader", "device", &device, error)
      || !get_value (kf, "database", "path", &db, error)
      || !get_value (kf, "keys", "dir", &keys, error)
      || !get_value (kf, "kiosk", "idle-timeout", &idle, error)
      || !get_value (kf, "kiosk", "role", &role, error)
      || !get_value (kf, "kiosk", "language", &language, error)
      || !get_value (kf, "kiosk", "fullscreen", &fullscreen, error)
      || !get_value (kf, "kiosk", "exit-pin", &exit_pin, error)
      || !get_value (kf, "kiosk", "id", &id, error)
      || !get_value (kf, "data", "max-age-days", &max_age, error)
      || !get_value (kf, "station", "name", &station_name, error)
      || !get_value (kf, "station", "phone", &station_phone, error))
    return FALSE;

  if (device != NULL && (!is_plain_text (device) || strlen (device) > 1024))
    return invalid (error, "reader", "device", device, "a libnfc connection string such as pn532_uart:/dev/ttyUSB0");
  if (db != NULL && (!is_plain_text (db) || strlen (db) > 4096))
    return invalid (error, "database", "path", db, "a file path");
  if (keys != NULL && (!is_plain_text (keys) || strlen (keys) > 4096))
    return invalid (error, "keys", "dir", keys, "a directory path");
  if (idle != NULL && !parse_uint (idle, 1, EC_CONFIG_MAX_IDLE_TIMEOUT, &idle_v))
    return invalid (error, "kiosk", "idle-timeout", idle, "seconds, 1 to 3600");
  if (role != NULL
      && (!ec_role_from_string (role, &role_v) || role_v == EC_ROLE_ADMIN))
    return invalid (error, "kiosk", "role", role, "responder, nurse or staff");
  if (language != NULL && (lang_v = ec_config_parse_language (language)) == NULL)
    return invalid (error, "kiosk", "language", language, "zh or en (empty: from the locale)");
  if (fullscreen != NULL)
    {
      if (g_ascii_strcasecmp (fullscreen, "true") == 0 || strcmp (fullscreen, "1") == 0)
        fullscreen_v = TRUE;
      else if (g_ascii_strcasecmp (fullscreen, "false") == 0 || strcmp (fullscreen, "0") == 0)
        fullscreen_v = FALSE;
      else
        return invalid (error, "kiosk", "fullscreen", fullscreen, "true or false");
    }
  if (exit_pin != NULL
      && (!g_str_has_prefix (exit_pin, "$argon2id$") || strlen (exit_pin) > 256
          || !is_plain_text (exit_pin)))
    return invalid (error, "kiosk", "exit-pin", exit_pin,
                    "a hash from `eldercard` (crypto_pwhash_str, starting with $argon2id$)");
  if (exit_pin != NULL && !ec_crypto_pwhash_str_cost_ok (exit_pin))
    return invalid (error, "kiosk", "exit-pin", exit_pin,
                    "a hash from `eldercard-kiosk --hash-exit-pin` (this one is cheaper than "
                    "Argon2id INTERACTIVE, 2 passes and 64 MiB)");
  if (id != NULL && (!is_plain_text (id) || strlen (id) > 64))
    return invalid (error, "kiosk", "id", id, "a short name, at most 64 bytes");
  if (max_age != NULL && !parse_uint (max_age, 0, 3650, &max_age_v))
    return invalid (error, "data", "max-age-days", max_age, "days, 0 to 3650");
  if (station_name != NULL && (!is_plain_text (station_name) || strlen (station_name) > 200))
    return invalid (error, "station", "name", station_name, "a name, at most 200 bytes");
  if (station_phone != NULL
      && (strlen (station_phone) > 32 || strspn (station_phone, "0123456789+-() ") != strlen (station_phone)))
    return invalid (error, "station", "phone", station_phone, "a phone number: digits, spaces, + - ( )");

  /* Everything checked: apply. */
  replace (&config->device, &device);
  replace (&config->db_path, &db);
  replace (&config->keys_dir, &keys);
  if (lang_v != NULL)
    {
      g_free (config->language);
      config->language = g_strdup (lang_v);
    }
  replace (&config->exit_pin_hash, &exit_pin);
  replace (&config->kiosk_id, &id);
  replace (&config->station_name, &station_name);
  replace (&config->station_phone, &station_phone);
  config->idle_timeout = idle_v;
  config->role = role_v;
  config->fullscreen = fullscreen_v;
  config->max_age_days = max_age_v;
  return TRUE;
}

gboolean
ec_config_load_file (EcConfig    *config,
                     const char  *path,
                     GError     **error)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  g_autoptr(GError) local = NULL;

  g_return_val_if_fail (config != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (!ec_file_read_bounded (path, EC_CONFIG_MAX_BYTES, 0, &data, &len, error))
    return FALSE;
  if (!ec_config_load_data (config, data, len, &local))
    {
      g_set_error (error, local->domain, local->code, "%s: %s", path, local->message);
      return FALSE;
    }
  return TRUE;
}
