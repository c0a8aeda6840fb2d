/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-config: the kiosk configuration file and its checks. */
#define G_LOG_DOMAIN "test-config"

#include <glib.h>
#include <string.h>
#include <glib/gstdio.h>

#include "ec-config.h"

static void
test_defaults (void)
{
  g_autoptr(EcConfig) c = ec_config_new ();

  g_assert_null (c->device);
  g_assert_cmpstr (c->db_path, ==, EC_CONFIG_DEFAULT_DB);
  g_assert_cmpstr (c->keys_dir, ==, EC_CONFIG_DEFAULT_KEYS);
  g_assert_cmpuint (c->idle_timeout, ==, 60);
  g_assert_cmpint (c->role, ==, EC_ROLE_RESPONDER);
  g_assert_null (c->language);
  g_assert_false (c->fullscreen);
  g_assert_true (g_str_has_prefix (c->kiosk_id, "kiosk-"));
}

static void
test_installed_file (void)
{
  g_autoptr(EcConfig) c = ec_config_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (EC_SOURCE_DIR, "data", "eldercard.conf", NULL);

  /* The file we install is all defaults. */
  g_assert_true (ec_config_load_file (c, path, &error));
  g_assert_no_error (error);
  g_assert_null (c->device);
  g_assert_cmpuint (c->idle_timeout, ==, 60);
  g_assert_cmpint (c->role, ==, EC_ROLE_RESPONDER);
}

static void
test_values (void)
{
  g_autoptr(EcConfig) c = ec_config_new ();
  g_autoptr(GError) error = NULL;
  const char *text =
    "[reader]\ndevice = pn532_uart:/dev/ttyUSB0 \n"
    "[database]\npath=/srv/ec.db\n"
    "[keys]\ndir=/srv/keys\n"
    "[kiosk]\nidle-timeout=15\nrole=nurse\nlanguage=zh_CN\nfullscreen=true\nid=kiosk-07\n"
    "[data]\nmax-age-days=7\n"
    "[station]\nname=幸福里社区服务站\nphone=021-5555 0100\n";

  g_assert_true (ec_config_load_data (c, text, strlen (text), &error));
  g_assert_no_error (error);
  g_assert_cmpstr (c->device, ==, "pn532_uart:/dev/ttyUSB0");
  g_assert_cmpstr (c->db_path, ==, "/srv/ec.db");
  g_assert_cmpstr (c->keys_dir, ==, "/srv/keys");
  g_assert_cmpuint (c->idle_timeout, ==, 15);
  g_assert_cmpint (c->role, ==, EC_ROLE_NURSE);
  g_assert_cmpstr (c->language, ==, "zh");
  g_assert_true (c->fullscreen);
  g_assert_cmpstr (c->kiosk_id, ==, "kiosk-07");
  g_assert_cmpuint (c->max_age_days, ==, 7);
  g_assert_cmpstr (c->station_name, ==, "幸福里社区服务站");
  g_assert_cmpstr (c->station_phone, ==, "021-5555 0100");
}

static void
test_invalid_leaves_config (void)
{
  const char *bad[] = {
    "[kiosk]\nidle-timeout=0\n",
    "[kiosk]\nidle-timeout=soon\n",
    "[kiosk]\nidle-timeout=99999\n",
    "[kiosk]\nrole=admin\n",
    "[kiosk]\nrole=doctor\n",
    "[kiosk]\nlanguage=fr\n",
    "[kiosk]\nfullscreen=maybe\n",
    "[kiosk]\nexit-pin=123456\n",
    /* A hash at Argon2id's minimum cost (8 KiB, 1 pass): guessable in seconds. */
    "[kiosk]\nexit-pin=$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA\n",
    "[data]\nmax-age-days=-1\n",
    "[station]\nphone=call me\n",
    "[reader]\ndevice=pn532_uart:/dev/tty\\nUSB0\n",
    "not a key file",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(EcConfig) c = ec_config_new ();
      g_autoptr(GError) error = NULL;

      /* A value that parses is applied before a later one fails?  No: nothing is. */
      c->idle_timeout = 42;
      g_assert_false (ec_config_load_data (c, bad[i], strlen (bad[i]), &error));
      g_assert_nonnull (error);
      g_assert_true (error->domain == G_KEY_FILE_ERROR);
      g_assert_cmpuint (c->idle_timeout, ==, 42);
      g_assert_cmpint (c->role, ==, EC_ROLE_RESPONDER);
      g_assert_null (c->language);
    }
}

static void
test_error_names_key (void)
{
  g_autoptr(EcConfig) c = ec_config_new ();
  g_autoptr(GError) error = NULL;
  const char *text = "[kiosk]\nrole=responder\nidle-timeout=0\n";

  g_assert_false (ec_config_load_data (c, text, strlen (text), &error));
  g_assert_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE);
  g_assert_nonnull (strstr (error->message, "[kiosk] idle-timeout"));
}

static void
test_missing_file (void)
{
  g_autoptr(EcConfig) c = ec_config_new ();
  g_autoptr(GError) error = NULL;

  g_assert_false (ec_config_load_file (c, "/nonexistent/eldercard.conf", &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
}

static void
test_language_names (void)
{
  g_assert_cmpstr (ec_config_parse_language ("zh_CN.UTF-8"), ==, "zh");
  g_assert_cmpstr (ec_config_parse_language ("zh-Hans"), ==, "zh");
  g_assert_cmpstr (ec_config_parse_language ("EN"), ==, "en");
  g_assert_cmpstr (ec_config_parse_language ("en_GB"), ==, "en");
  g_assert_null (ec_config_parse_language ("de"));
  g_assert_null (ec_config_parse_language (NULL));
}

/* Duplicate sections and keys, unknown sections and misspelt keys are refused with
 * the line and, where one is close, the name that was meant: a misspelt exit-pin used
 * to leave the kiosk unlocked without a word. */
static void
test_strict (void)
{
  static const struct
  {
    const char *text;
    const char *expect[3];
  } cases[] = {
    { "[kiosk]\nrole=nurse\nexit_pin=$argon2id$x\n", { "line 3", "exit_pin", "did you mean exit-pin?" } },
    { "[kiosk]\nexitpin=$argon2id$x\n", { "line 2", "did you mean exit-pin?", NULL } },
    { "[kiosk]\nrole=nurse\n\n[kiosk]\nid=k1\n", { "line 4", "[kiosk] appears a second time", "line 1" } },
    { "[kiosk]\nrole=nurse\nrole=responder\n", { "line 3", "role appears a second time", "line 2" } },
    { "[kiosck]\nrole=nurse\n", { "line 1", "unknown section [kiosck]", "did you mean [kiosk]?" } },
    { "[future]\nsomething=else\n", { "line 1", "unknown section [future]", NULL } },
    { "[kiosk]\npath=/srv/ec.db\n", { "line 2", "path belongs in section [database]", NULL } },
    { "# comment\n[reader]\ndevise=pn532_uart:/dev/ttyUSB0\n", { "line 3", "did you mean device?", NULL } },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(EcConfig) c = ec_config_new ();
      g_autoptr(GError) error = NULL;

      g_assert_false (ec_config_load_data (c, cases[i].text, strlen (cases[i].text), &error));
      g_assert_true (error != NULL && error->domain == G_KEY_FILE_ERROR);
      for (gsize k = 0; k < 3 && cases[i].expect[k] != NULL; k++)
        if (strstr (error->message, cases[i].expect[k]) == NULL)
          g_error ("case %zu: expected “%s” in “%s”", i, cases[i].expect[k], error->message);
      g_assert_cmpint (c->role, ==, EC_ROLE_RESPONDER);
    }
  /* Through a file: its name leads the message. */
  {
    g_autoptr(EcConfig) c = ec_config_new ();
    g_autoptr(GError) error = NULL;
    g_autofree char *dir = g_dir_make_tmp ("ec-config-XXXXXX", NULL);
    g_autofree char *path = g_build_filename (dir, "eldercard.conf", NULL);

    g_assert_true (g_file_set_contents (path, "[kiosk]\nexit_pin=x\n", -1, NULL));
    g_assert_false (ec_config_load_file (c, path, &error));
    g_assert_nonnull (strstr (error->message, path));
    g_assert_nonnull (strstr (error->message, "line 2"));
    g_unlink (path);
    g_rmdir (dir);
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ec/config/defaults", test_defaults);
  g_test_add_func ("/ec/config/installed-file", test_installed_file);
  g_test_add_func ("/ec/config/values", test_values);
  g_test_add_func ("/ec/config/invalid-leaves-config", test_invalid_leaves_config);
  g_test_add_func ("/ec/config/error-names-key", test_error_names_key);
  g_test_add_func ("/ec/config/missing-file", test_missing_file);
  g_test_add_func ("/ec/config/language-names", test_language_names);
  g_test_add_func ("/ec/config/strict", test_strict);
  return g_test_run ();
}
