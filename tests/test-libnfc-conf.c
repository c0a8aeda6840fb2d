/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-libnfc-conf: reading /etc/nfc/libnfc.conf and devices.d files as libnfc 1.8.0
 * does, so that `eldercard doctor` names the reader libnfc will really open. */
#define G_LOG_DOMAIN "test-libnfc-conf"

#include <glib.h>
#include <string.h>

#include "ec-libnfc-conf.h"

static guint
parse (EcLibnfcConf *conf,
       const char   *text,
       gboolean      device_file)
{
  return ec_libnfc_conf_parse (conf, text, strlen (text), device_file);
}

/* Debian's shipped file is all comments: autoscan on, no device. */
static void
test_debian_default (void)
{
  EcLibnfcConf conf;
  g_autofree char *text = NULL;
  gsize len;
  g_autofree char *path = g_build_filename (EC_SOURCE_DIR, "tests", "fuzz", "corpus", "fuzz-libnfc-conf",
                                            "debian-libnfc.conf", NULL);

  g_assert_true (g_file_get_contents (path, &text, &len, NULL));
  ec_libnfc_conf_init (&conf);
  g_assert_cmpuint (ec_libnfc_conf_parse (&conf, text, len, FALSE), ==, 0);
  g_assert_true (conf.allow_autoscan);
  g_assert_false (conf.allow_intrusive_scan);
  g_assert_cmpuint (conf.n_devices, ==, 0);
  ec_libnfc_conf_clear (&conf);
}

/* The serial PN532 set up as docs/hardware.md says, quoted or not. */
static void
test_serial_device (void)
{
  EcLibnfcConf conf;

  ec_libnfc_conf_init (&conf);
  parse (&conf, "# PN532 on a CH340\n"
                "device.name = \"PN532 on USB serial\"\n"
                "device.connstring = \"pn532_uart:/dev/ttyUSB0\"\n", FALSE);
  g_assert_cmpuint (conf.n_devices, ==, 1);
  g_assert_cmpstr (conf.devices[0].name, ==, "PN532 on USB serial");
  g_assert_cmpstr (conf.devices[0].connstring, ==, "pn532_uart:/dev/ttyUSB0");
  g_assert_false (conf.devices[0].optional);

  /* A second connstring starts a second device; the first stays libnfc's default. */
  parse (&conf, "device.connstring=acr122_usb:   \n", FALSE);
  g_assert_cmpuint (conf.n_devices, ==, 2);
  g_assert_cmpstr (conf.devices[0].connstring, ==, "pn532_uart:/dev/ttyUSB0");
  g_assert_cmpstr (conf.devices[1].connstring, ==, "acr122_usb:");
  g_assert_null (conf.devices[1].name);
  ec_libnfc_conf_clear (&conf);
  g_assert_cmpuint (conf.n_devices, ==, 0);
}

/* devices.d files have no "device." prefix. */
static void
test_device_file (void)
{
  EcLibnfcConf conf;

  ec_libnfc_conf_init (&conf);
  parse (&conf, "name = \"ACR122U\"\nconnstring = acr122_usb:\noptional = true\n", TRUE);
  g_assert_cmpuint (conf.n_devices, ==, 1);
  g_assert_cmpstr (conf.devices[0].connstring, ==, "acr122_usb:");
  g_assert_true (conf.devices[0].optional);
  ec_libnfc_conf_clear (&conf);
}

/* Booleans are libnfc's: yes/true/1 and no/false/0 only, case-sensitive; junk and
 * malformed lines are ignored, and counted. */
static void
test_booleans_and_junk (void)
{
  EcLibnfcConf conf;

  ec_libnfc_conf_init (&conf);
  g_assert_cmpuint (parse (&conf, "allow_autoscan = False\n", FALSE), ==, 0);
  g_assert_true (conf.allow_autoscan);              /* "False" is not libnfc's "false" */
  parse (&conf, "allow_autoscan = no\nallow_intrusive_scan = 1\n", FALSE);
  g_assert_false (conf.allow_autoscan);
  g_assert_true (conf.allow_intrusive_scan);

  g_assert_cmpuint (parse (&conf,
                           "device.connstring = \"unterminated\n"
                           "device.connstring = two words\n"
                           "= nokey\n"
                           "device.connstring = \"\"\n"
                           "   # indented comment\n", FALSE), ==, 5);
  g_assert_cmpuint (conf.n_devices, ==, 0);
  ec_libnfc_conf_clear (&conf);
}

/* No more devices than libnfc keeps (MAX_USER_DEFINED_DEVICES); a very long line is cut
 * where libnfc's fgets() would cut it, and the connstring to libnfc's buffer size. */
static void
test_limits (void)
{
  EcLibnfcConf conf;
  g_autoptr(GString) s = g_string_new (NULL);

  ec_libnfc_conf_init (&conf);
  for (int i = 0; i < 10; i++)
    g_string_append_printf (s, "device.connstring = pn532_uart:/dev/ttyUSB%d\n", i);
  parse (&conf, s->str, FALSE);
  g_assert_cmpuint (conf.n_devices, ==, EC_LIBNFC_MAX_USER_DEVICES);
  g_assert_cmpstr (conf.devices[3].connstring, ==, "pn532_uart:/dev/ttyUSB3");
  ec_libnfc_conf_clear (&conf);

  g_string_truncate (s, 0);
  g_string_append (s, "device.connstring = ");
  for (int i = 0; i < 20000; i++)
    g_string_append_c (s, 'x');
  g_string_append_c (s, '\n');
  ec_libnfc_conf_init (&conf);
  g_assert_cmpuint (parse (&conf, s->str, FALSE), ==, 2);   /* the two cut-off tails */
  g_assert_cmpuint (conf.n_devices, ==, 1);
  g_assert_cmpuint (strlen (conf.devices[0].connstring), ==, EC_LIBNFC_CONNSTRING_MAX);
  ec_libnfc_conf_clear (&conf);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ec/libnfc-conf/debian-default", test_debian_default);
  g_test_add_func ("/ec/libnfc-conf/serial-device", test_serial_device);
  g_test_add_func ("/ec/libnfc-conf/device-file", test_device_file);
  g_test_add_func ("/ec/libnfc-conf/booleans-and-junk", test_booleans_and_junk);
  g_test_add_func ("/ec/libnfc-conf/limits", test_limits);
  return g_test_run ();
}
