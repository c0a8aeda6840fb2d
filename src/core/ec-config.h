/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-config.h: the kiosk's configuration file (/etc/eldercard/eldercard.conf).
 *
 * A GKeyFile read by eldercard-kiosk (docs/configuration.md). Every key is optional and
 * an empty value means "the default"; command-line options override the file. Unknown
 * groups and keys are ignored (a newer file on an older kiosk still starts), values that
 * are present but wrong are refused with G_KEY_FILE_ERROR_INVALID_VALUE naming the group,
 * key and what is allowed, so a typo does not silently change what a responder sees.
 *
 *   [reader]   device=        libnfc connstring; empty = libnfc's default device
 *   [database] path=          the resident database
 *   [keys]     dir=           the kiosk bundle directory
 *   [kiosk]    idle-timeout=  seconds before a record clears (1 … 3600, default 60)
 *              role=          responder | nurse | staff
 *              language=      zh | en; empty = from the locale
 *              fullscreen=    true | false
 *              exit-pin=      crypto_pwhash_str hash of the staff PIN that leaves --kiosk
 *              id=            this kiosk's name in the audit log (default kiosk-HOSTNAME)
 *   [data]     max-age-days=  warn when the kiosk's data is older (0 … 3650, default 7)
 *   [station]  name=, phone=  the service station shown on every record
 *              idle-timeout=  station mode signs staff out after this many idle seconds
 *                             (30 … 300, default 300: a kiosk may only shorten it)
 *   [handover] qr=            true | false (default false): show the paramedic QR code
 *                             on the handover screen (a privacy decision, docs/handover.md)
 *
 * The file is outside input: size-limited, parsed by GLib, every value checked; see
 * tests/fuzz/fuzz-config.c. */
#pragma once

#include <glib.h>

#include "ec-record.h"

G_BEGIN_DECLS

#define EC_CONFIG_DEFAULT_PATH         "/etc/eldercard/eldercard.conf"
#define EC_CONFIG_DEFAULT_DB           "/var/lib/eldercard/eldercard.db"
#define EC_CONFIG_DEFAULT_KEYS         "/etc/eldercard/keys"
#define EC_CONFIG_DEFAULT_IDLE_TIMEOUT 60
#define EC_CONFIG_MAX_IDLE_TIMEOUT     3600
#define EC_CONFIG_DEFAULT_MAX_AGE_DAYS 7
#define EC_CONFIG_MIN_STATION_IDLE     30
#define EC_CONFIG_MAX_STATION_IDLE     300   /* EC_STAFF_IDLE_TIMEOUT */
#define EC_CONFIG_MAX_BYTES            (64 * 1024)

typedef struct
{
  char     *device;         /* NULL = libnfc's default */
  char     *db_path;
  char     *keys_dir;
  guint     idle_timeout;   /* seconds */
  EcRole    role;
  char     *language;       /* "zh", "en", or NULL = from the locale */
  gboolean  fullscreen;
  char     *exit_pin_hash;  /* NULL = leaving kiosk mode is not possible on screen */
  char     *kiosk_id;       /* actor id for the audit log */
  guint     max_age_days;
  char     *station_name;   /* NULL = not shown */
  char     *station_phone;
  guint     station_idle_timeout;   /* seconds; station mode's idle sign-out */
  gboolean  handover_qr;    /* default FALSE: medical data in a QR code is opt-in */
} EcConfig;

/* The defaults (kiosk_id = "kiosk-" + host name). */
EcConfig   *ec_config_new           (void);
void        ec_config_free          (EcConfig    *config);

/* Apply the values present in @data (a GKeyFile text of @len bytes) over @config. On
 * error @config is left unchanged. */
gboolean    ec_config_load_data     (EcConfig    *config,
                                     const char  *data,
                                     gsize        len,
                                     GError     **error);
/* The same from a file. A missing file is G_FILE_ERROR_NOENT (callers treat a missing
 * default file as "all defaults"); "/dev/null" is an empty configuration; any other
 * file that is not a regular file is refused. */
gboolean    ec_config_load_file     (EcConfig    *config,
                                     const char  *path,
                                     GError     **error);

/* "zh"/"zh_CN"/"zh-CN"/"chinese" → "zh", "en"/"english"/"en_*" → "en"; NULL otherwise. */
const char *ec_config_parse_language (const char *text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EcConfig, ec_config_free)

G_END_DECLS
