/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-libnfc-conf.h: read libnfc 1.8.0's configuration files the way libnfc does, so that
 * `eldercard doctor` can say which reader libnfc will pick and why.
 *
 * /etc/nfc/libnfc.conf holds "key = value" lines (libnfc/conf.c): a key of letters,
 * digits, '_' and '.', optional blanks, '=', then either a double-quoted value (nothing
 * but blanks after it) or an unquoted value without blanks. Lines starting with '#' and
 * lines that do not parse are ignored, as libnfc ignores them. Known keys:
 * allow_autoscan, allow_intrusive_scan, log_level, device.name, device.connstring,
 * device.optional. /etc/nfc/devices.d/NAME.conf holds the same device keys without the
 * "device." prefix. Booleans follow libnfc's string_as_boolean(): "yes"/"true"/"1" set,
 * "no"/"false"/"0" clear, anything else leaves the value as it was.
 *
 * The files are outside input: each line is bounded (libnfc reads at most BUFSIZ - 1
 * bytes a line; longer lines are split the same way), values are copied with their
 * lengths; see tests/fuzz/fuzz-libnfc-conf.c. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* libnfc's limits (nfc-internal.h, nfc-types.h). */
#define EC_LIBNFC_MAX_USER_DEVICES  4
#define EC_LIBNFC_CONNSTRING_MAX    1023
#define EC_LIBNFC_LINE_MAX          8191   /* BUFSIZ - 1 with glibc */

typedef struct
{
  char     *name;
  char     *connstring;
  gboolean  optional;
} EcLibnfcDevice;

typedef struct
{
  gboolean        allow_autoscan;        /* default TRUE */
  gboolean        allow_intrusive_scan;  /* default FALSE */
  int             log_level;             /* -1: not set */
  guint           n_devices;
  EcLibnfcDevice  devices[EC_LIBNFC_MAX_USER_DEVICES];
} EcLibnfcConf;

/* libnfc's defaults: autoscan on, intrusive scan off, no device. */
void      ec_libnfc_conf_init   (EcLibnfcConf *conf);
void      ec_libnfc_conf_clear  (EcLibnfcConf *conf);

/* Apply the lines of @data (@len bytes, need not be NUL-terminated) to @conf.
 * @device_file: the data is a devices.d file (keys without "device."). Returns the
 * number of lines that did not parse (libnfc skips them too). */
guint     ec_libnfc_conf_parse  (EcLibnfcConf *conf,
                                 const char   *data,
                                 gsize         len,
                                 gboolean      device_file);

/* libnfc's string_as_boolean(): updates *@value for yes/true/1 and no/false/0 only. */
void      ec_libnfc_conf_boolean (const char *text,
                                  gboolean   *value);

G_END_DECLS
