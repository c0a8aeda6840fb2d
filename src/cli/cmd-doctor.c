/* SPDX-License-Identifier: GPL-3.0-or-later */
/* eldercard doctor: check everything between the user and a working reader, the keys,
 * the database and the clock, and say what to fix.
 *
 * Each check prints one line, "ok", "warn" or "FAIL", and for warn/FAIL an indented
 * "fix:" line. Exit status 0 when nothing FAILed, 1 otherwise, 2 on a usage error.
 *
 * libnfc is probed in a child process under a deadline (--timeout, 10 s): a reader that
 * hangs inside libnfc (card-security.md §5) is killed, reported, and doctor carries on.
 * The configuration is read with ec-config, as the kiosk reads it; the database, keys and
 * reader come from the options, then ELDERCARD_DB / ELDERCARD_KEYS, then the file.
 * Everything else is read from /sys, /proc, /dev and /etc; --sysroot DIR reads those
 * under DIR instead (for tests, or to look at a mounted kiosk image). */
#define G_LOG_DOMAIN "ec-doctor"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <nfc/nfc.h>

#include "ec-cli.h"
#include "ec-config.h"
#include "ec-db.h"
#include "ec-i18n.h"
#include "ec-keys.h"
#include "ec-paths.h"
#include "ec-libnfc-conf.h"

#ifndef EC_SYSCONFDIR
#define EC_SYSCONFDIR "/etc"
#endif

#define DOCTOR_PROBE_MARK "@ec-doctor "
#define DOCTOR_MAX_DEVICES 8

typedef enum
{
  READER_ACR122,    /* acr122_usb: ACR122 family, also claimed by pcscd */
  READER_PN53X,     /* pn53x_usb */
  READER_SERIAL,    /* generic USB-serial bridge; maybe a PN532 behind it */
} ReaderKind;

typedef struct
{
  guint16     vendor;
  guint16     product;
  ReaderKind  kind;
  gboolean    kernel_pn533; /* the kernel's pn533_usb matches this id */
  const char *name;
} KnownReader;

/* Must match udev/readers.tsv (tests/test-doctor.sh compares them). USB readers: the ids
 * of libnfc 1.8.0's acr122_usb and pn53x_usb drivers; kernel_pn533 from Linux's
 * drivers/nfc/pn533/usb.c id table. */
static const KnownReader known_readers[] = {
  { 0x0403, 0x6001, READER_SERIAL, FALSE, "FTDI FT232R USB-serial bridge (generic)" },
  { 0x04cc, 0x0531, READER_PN53X,  FALSE, "Philips / PN531" },
  { 0x04cc, 0x2533, READER_PN53X,  TRUE,  "NXP / PN533" },
  { 0x04e6, 0x5591, READER_PN53X,  TRUE,  "SCM Micro / SCL3711-NFC&RW" },
  { 0x04e6, 0x5594, READER_PN53X,  FALSE, "SCM Micro / SCL3712-NFC&RW" },
  { 0x054c, 0x0193, READER_PN53X,  FALSE, "Sony / PN531" },
  { 0x054c, 0x02e1, READER_PN53X,  TRUE,  "Sony / FeliCa S360 [PaSoRi]" },
  { 0x067b, 0x2303, READER_SERIAL, FALSE, "Prolific PL2303 USB-serial bridge (generic)" },
  { 0x072f, 0x2200, READER_ACR122, TRUE,  "ACS ACR122" },
  { 0x072f, 0x2214, READER_ACR122, FALSE, "ACS ACR1222" },
  { 0x072f, 0x90cc, READER_ACR122, FALSE, "Touchatag" },
  { 0x10c4, 0xea60, READER_SERIAL, FALSE, "Silicon Labs CP210x USB-serial bridge (generic)" },
  { 0x1a86, 0x7523, READER_SERIAL, FALSE, "WCH CH340 USB-serial bridge (generic)" },
  { 0x1fd3, 0x0608, READER_PN53X,  FALSE, "ASK / LoGO" },
};

/* The drivers built into Debian bookworm's libnfc 1.8.0-2 (no pcsc, no acr122_pcsc). */
static const char *const libnfc_drivers[] = {
  "acr122_usb", "pn53x_usb", "usb", "pn532_uart", "acr122s", "arygon", "pn532_spi",
  "pn532_i2c", NULL
};

typedef struct
{
  const char *sysroot;
  int         n_ok, n_warn, n_fail;
  /* Facts later checks use. */
  gboolean    acr122_present;
  gboolean    usb_reader_present;
  gboolean    serial_bridge_present;
  gboolean    kernel_nfc_loaded;
  gboolean    pcscd_running;
  gboolean    kiosk_running;
  gboolean    connstring_unsafe;
  gboolean    reader_no_access;
  char       *connstring;
  const char *connstring_source;
  gboolean    autoscan;
} Doctor;

static char *
sys_path (Doctor *d, const char *path)
{
  return g_strconcat (d->sysroot != NULL ? d->sysroot : "", path, NULL);
}

static void
report (Doctor *d, const char *status, const char *fix, const char *fmt, ...) G_GNUC_PRINTF (4, 5);

static void
report (Doctor     *d,
        const char *status,
        const char *fix,
        const char *fmt,
        ...)
{
  va_list ap;
  g_autofree char *what = NULL;

  va_start (ap, fmt);
  what = g_strdup_vprintf (fmt, ap);
  va_end (ap);

  if (strcmp (status, "ok") == 0)
    d->n_ok++;
  else if (strcmp (status, "warn") == 0)
    d->n_warn++;
  else
    d->n_fail++;
  printf ("%-4s %s\n", status, what);
  if (fix != NULL)
    {
      /* TRANSLATORS: "note: " and "fix: " start a line of advice under a check. */
      printf ("     ");
      printf (strcmp (status, "ok") == 0 ? _("note: %s\n") : _("fix: %s\n"), fix);
    }
}

static gboolean
read_hex16 (const char *dir,
            const char *attr,
            guint16    *out)
{
  g_autofree char *path = g_build_filename (dir, attr, NULL);
  g_autofree char *text = NULL;
  guint64 v;
  char *end = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return FALSE;
  g_strstrip (text);
  v = g_ascii_strtoull (text, &end, 16);
  if (end == text || *end != '\0' || v > 0xffff)
    return FALSE;
  *out = (guint16) v;
  return TRUE;
}

static gboolean
read_uint (const char *dir,
           const char *attr,
           guint      *out)
{
  g_autofree char *path = g_build_filename (dir, attr, NULL);
  g_autofree char *text = NULL;
  guint64 v;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return FALSE;
  g_strstrip (text);
  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT, &v, NULL))
    return FALSE;
  *out = (guint) v;
  return TRUE;
}

static const KnownReader *
find_known (guint16 vendor,
            guint16 product)
{
  for (gsize i = 0; i < G_N_ELEMENTS (known_readers); i++)
    if (known_readers[i].vendor == vendor && known_readers[i].product == product)
      return &known_readers[i];
  return NULL;
}

/* The kernel driver bound to the device's first interface, or NULL. */
static char *
interface_driver (const char *devdir,
                  const char *devname)
{
  g_autofree char *ifname = g_strdup_printf ("%s:1.0", devname);
  g_autofree char *link = g_build_filename (devdir, ifname, "driver", NULL);
  g_autofree char *target = g_file_read_link (link, NULL);

  return target != NULL ? g_path_get_basename (target) : NULL;
}

/* The tty node (ttyUSB0, ttyACM0) under a USB-serial bridge, or NULL. */
static char *
bridge_tty (const char *devdir,
            const char *devname)
{
  g_autoptr(GDir) dir = g_dir_open (devdir, 0, NULL);
  const char *ifname;

  if (dir == NULL)
    return NULL;
  while ((ifname = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *ifdir = NULL;
      g_autoptr(GDir) idir = NULL;
      const char *e;

      if (!g_str_has_prefix (ifname, devname) || strchr (ifname, ':') == NULL)
        continue;
      ifdir = g_build_filename (devdir, ifname, NULL);
      idir = g_dir_open (ifdir, 0, NULL);
      while (idir != NULL && (e = g_dir_read_name (idir)) != NULL)
        {
          if (g_str_has_prefix (e, "ttyUSB"))
            return g_strdup (e);
          if (strcmp (e, "tty") == 0)
            {
              g_autofree char *ttydir = g_build_filename (ifdir, "tty", NULL);
              g_autoptr(GDir) tdir = g_dir_open (ttydir, 0, NULL);
              const char *t = tdir != NULL ? g_dir_read_name (tdir) : NULL;
              if (t != NULL)
                return g_strdup (t);
            }
        }
    }
  return NULL;
}

static void
check_usb_devices (Doctor *d)
{
  g_autofree char *root = sys_path (d, "/sys/bus/usb/devices");
  g_autoptr(GDir) dir = g_dir_open (root, 0, NULL);
  const char *name;
  guint found = 0;

  if (dir == NULL)
    {
      report (d, "warn", _("look at `lsusb`; doctor needs /sys mounted"),
              _("cannot list USB devices (%s)"), root);
      return;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *devdir = g_build_filename (root, name, NULL);
      const KnownReader *kr;
      guint16 vendor, product;
      guint busnum = 0, devnum = 0;

      if (strchr (name, ':') != NULL)   /* an interface, not a device */
        continue;
      if (!read_hex16 (devdir, "idVendor", &vendor) || !read_hex16 (devdir, "idProduct", &product))
        continue;
      kr = find_known (vendor, product);
      if (kr == NULL)
        continue;
      found++;

      if (kr->kind == READER_SERIAL)
        {
          g_autofree char *tty = bridge_tty (devdir, name);
          d->serial_bridge_present = TRUE;
          if (tty != NULL)
            {
              g_autofree char *node = g_strdup_printf ("/dev/%s", tty);
              g_autofree char *real = sys_path (d, node);
              g_autofree char *fix = g_strdup_printf (_("if a PN532 is behind it, set [reader] device=pn532_uart:%s "
                                                        "(serial ports are not autodetected)"), node);
              if (g_access (real, R_OK | W_OK) != 0)
                report (d, "warn",
                        _("add the kiosk user to group dialout (usermod -aG dialout eldercard), "
                          "or install the optional udev/71-eldercard-pn532-serial.rules"),
                        _("USB-serial adapter %04x:%04x (%s) at %s: no read/write access (%s)"),
                        vendor, product, kr->name, node, g_strerror (errno));
              else
                report (d, "ok", d->connstring == NULL ? fix : NULL,
                        _("USB-serial adapter %04x:%04x (%s) at %s, accessible"),
                        vendor, product, kr->name, node);
            }
          else
            report (d, "warn", _("the usbserial driver did not bind it; check `dmesg`"),
                    _("USB-serial adapter %04x:%04x (%s) has no tty"), vendor, product, kr->name);
          continue;
        }

      d->usb_reader_present = TRUE;
      if (kr->kind == READER_ACR122)
        d->acr122_present = TRUE;

      if (!read_uint (devdir, "busnum", &busnum) || !read_uint (devdir, "devnum", &devnum))
        {
          report (d, "warn", NULL, _("reader %04x:%04x (%s): no bus/device number in %s"),
                  vendor, product, kr->name, devdir);
          continue;
        }

      {
        g_autofree char *node = g_strdup_printf ("/dev/bus/usb/%03u/%03u", busnum, devnum);
        g_autofree char *real = sys_path (d, node);
        g_autofree char *driver = interface_driver (devdir, name);

        if (g_access (real, R_OK | W_OK) != 0)
          {
            int err = errno;
            d->reader_no_access = TRUE;
            report (d, "FAIL",
                    _("install udev/70-eldercard-nfc.rules (make install), replug the reader, and "
                      "run the kiosk in the seat session or as a member of group eldercard "
                      "(usermod -aG eldercard USER; log in again)"),
                    _("reader %04x:%04x (%s) at %s: no read/write access (%s)"),
                    vendor, product, kr->name, node, g_strerror (err));
          }
        else
          report (d, "ok", NULL, _("reader %04x:%04x (%s) at %s, accessible"),
                  vendor, product, kr->name, node);

        if (driver != NULL && strcmp (driver, "pn533_usb") == 0)
          report (d, "FAIL",
                  _("sudo modprobe -r pn533_usb pn533 nfc, and keep them off with "
                    "/etc/modprobe.d/eldercard-blacklist-pn533.conf (make install)"),
                  _("the kernel's pn533_usb driver holds reader %04x:%04x: libnfc cannot claim it"),
                  vendor, product);
        else if (driver != NULL && strcmp (driver, "usbfs") == 0)
          report (d, "warn", _("stop the other program (pcscd? another eldercard?); see below"),
                  _("reader %04x:%04x is claimed by a program already"), vendor, product);
      }
    }
  if (found == 0)
    report (d, "warn",
            _("plug in a supported reader (docs/hardware.md); `lsusb` shows what is connected"),
            _("no known NFC reader or USB-serial adapter is plugged in"));
}

/* The helper process the kiosk and `eldercard card` run libnfc in, looked up in the order
 * ec-reader.c's find_helper() uses: $ELDERCARD_NFC_HELPER, next to the running program,
 * the install libexec directory, the build directory. */
static void
check_nfc_helper (Doctor *d)
{
  const char *env = g_getenv ("ELDERCARD_NFC_HELPER");
  g_autoptr(GPtrArray) tried = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *fix = NULL;

  if (env != NULL && *env)
    g_ptr_array_add (tried, g_strdup (env));
  else
    {
      if (exe != NULL)
        {
          g_autofree char *dir = g_path_get_dirname (exe);
          g_ptr_array_add (tried, g_build_filename (dir, "eldercard-nfc-helper", NULL));
        }
      {
        g_autofree char *libexec = ec_paths_libexecdir ();
        g_ptr_array_add (tried, g_build_filename (libexec, "eldercard-nfc-helper", NULL));
      }
    }
  for (guint i = 0; i < tried->len; i++)
    if (g_file_test (tried->pdata[i], G_FILE_TEST_IS_EXECUTABLE))
      {
        report (d, "ok", NULL, _("NFC helper %s"), (const char *) tried->pdata[i]);
        return;
      }
  {
    g_autofree char *helper_in_path = g_find_program_in_path ("eldercard-nfc-helper");
    if (helper_in_path != NULL)
      {
        report (d, "ok", NULL, _("NFC helper %s (from PATH)"), helper_in_path);
        return;
      }
  }
  fix = g_strdup_printf (_("build and install it (make install puts it in libexec/eldercard), or set "
                           "ELDERCARD_NFC_HELPER; looked at: %s"),
                         tried->len > 0 ? (const char *) tried->pdata[0] : "-");
  report (d, "FAIL", fix,
          _("eldercard-nfc-helper, the process that runs libnfc for the kiosk, is missing: "
            "no card can be read"));
}

/* The udev rules and the group they give the readers to. */
static void
check_udev_setup (Doctor *d)
{
  static const char *const dirs[] = {
    "/etc/udev/rules.d", "/run/udev/rules.d", "/usr/local/lib/udev/rules.d",
    "/usr/lib/udev/rules.d", "/lib/udev/rules.d", NULL
  };
  const char *found = NULL;
  g_autofree char *group_path = sys_path (d, "/etc/group");
  g_autofree char *groups = NULL;
  gboolean have_group = FALSE;

  for (guint i = 0; dirs[i] != NULL && found == NULL; i++)
    {
      g_autofree char *f = g_build_filename (dirs[i], "70-eldercard-nfc.rules", NULL);
      g_autofree char *real = sys_path (d, f);
      if (g_file_test (real, G_FILE_TEST_IS_REGULAR))
        found = dirs[i];
    }
  if (found != NULL)
    report (d, "ok", NULL, _("udev rules 70-eldercard-nfc.rules in %s"), found);
  else
    report (d, "warn", _("make install (as root), then replug the reader"),
            _("udev rules 70-eldercard-nfc.rules are not installed: only root can open USB readers"));

  if (g_file_get_contents (group_path, &groups, NULL, NULL))
    {
      g_auto(GStrv) lines = g_strsplit (groups, "\n", -1);
      for (guint i = 0; lines[i] != NULL && !have_group; i++)
        have_group = g_str_has_prefix (lines[i], "eldercard:");
    }
  if (have_group)
    report (d, "ok", NULL, _("group eldercard exists"));
  else
    report (d, "warn", _("sudo systemd-sysusers (make install as root does it), then replug the reader"),
            _("group eldercard does not exist: the udev rules cannot give it the readers"));
}

static void
check_kernel_modules (Doctor *d)
{
  static const char *const mods[] = { "pn533_usb", "pn533_i2c", "pn532_uart", "pn533", "nfc", NULL };
  g_autofree char *path = sys_path (d, "/proc/modules");
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) loaded = g_string_new (NULL);

  if (!g_file_get_contents (path, &text, NULL, NULL))
    {
      report (d, "warn", NULL, _("cannot read %s; kernel NFC modules not checked"), path);
      return;
    }
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    for (guint m = 0; mods[m] != NULL; m++)
      {
        gsize len = strlen (mods[m]);
        if (strncmp (lines[i], mods[m], len) == 0 && lines[i][len] == ' ')
          g_string_append_printf (loaded, "%s%s", loaded->len ? " " : "", mods[m]);
      }

  if (loaded->len > 0)
    {
      g_autofree char *fix = g_strdup_printf (_("sudo modprobe -r %s; keep them off with "
                                                "/etc/modprobe.d/eldercard-blacklist-pn533.conf "
                                                "(make install), then replug the reader"),
                                              loaded->str);
      d->kernel_nfc_loaded = TRUE;
      report (d, d->usb_reader_present ? "FAIL" : "warn", fix,
              _("kernel NFC modules loaded: %s (they take USB readers away from libnfc)"),
              loaded->str);
    }
  else
    report (d, "ok", NULL, _("no kernel NFC module loaded (nfc, pn533, pn533_usb)"));

  /* Is the blacklist in place for the next boot or replug? */
  {
    static const char *const files[] = {
      "/etc/modprobe.d/eldercard-blacklist-pn533.conf",
      "/etc/modprobe.d/blacklist-libnfc.conf",
      "/usr/lib/modprobe.d/eldercard-blacklist-pn533.conf",
      "/lib/modprobe.d/eldercard-blacklist-pn533.conf",
      NULL
    };
    gboolean have = FALSE;
    for (guint i = 0; files[i] != NULL && !have; i++)
      {
        g_autofree char *f = sys_path (d, files[i]);
        g_autofree char *conf = NULL;
        if (g_file_get_contents (f, &conf, NULL, NULL) && strstr (conf, "blacklist pn533_usb") != NULL)
          have = TRUE;
      }
    if (!have)
      report (d, "warn",
              _("install udev/eldercard-blacklist-pn533.conf as /etc/modprobe.d/ (make install)"),
              _("no modprobe blacklist for pn533_usb: the kernel will grab PN533 and ACR122U "
                "readers when they are plugged in"));
  }
}

/* The pid of a process whose comm (at most 15 characters) is @comm, or 0. */
static gint64
find_process (Doctor     *d,
              const char *comm_name)
{
  g_autofree char *procdir = sys_path (d, "/proc");
  g_autoptr(GDir) dir = g_dir_open (procdir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *comm_path = NULL;
      g_autofree char *comm = NULL;
      if (!g_ascii_isdigit (name[0]))
        continue;
      comm_path = g_build_filename (procdir, name, "comm", NULL);
      if (!g_file_get_contents (comm_path, &comm, NULL, NULL))
        continue;
      g_strstrip (comm);
      if (strcmp (comm, comm_name) == 0)
        return g_ascii_strtoll (name, NULL, 10);
    }
  return 0;
}

/* A running kiosk (its NFC helper) holds the reader: libnfc cannot open it twice. */
static void
check_kiosk_running (Doctor *d)
{
  gint64 pid = find_process (d, "eldercard-nfc-h");   /* eldercard-nfc-helper, cut to 15 */

  if (pid > 0)
    {
      d->kiosk_running = TRUE;
      report (d, "warn", _("sudo systemctl stop eldercard-kiosk (or close the kiosk) before checking the reader"),
              _("an eldercard reader process is running (pid %lld): it holds the reader, "
                "so the libnfc check below cannot open it"), (long long) pid);
    }
}

static void
check_pcscd (Doctor *d)
{
  g_autofree char *sock = sys_path (d, "/run/pcscd/pcscd.comm");
  gint64 pid = find_process (d, "pcscd");

  if (pid > 0)
    {
      d->pcscd_running = TRUE;
      if (d->acr122_present)
        report (d, "FAIL",
                _("sudo systemctl mask --now pcscd.socket pcscd.service (the kiosk does not use PC/SC), "
                  "then replug the reader"),
                _("pcscd is running (pid %lld) and an ACR122-family reader is plugged "
                  "in: pcscd claims it and libnfc gets \"Device or resource busy\""), (long long) pid);
      else
        report (d, "warn",
                _("sudo systemctl mask --now pcscd.socket pcscd.service if this kiosk will use an ACR122U"),
                _("pcscd is running (pid %lld): it would claim an ACR122U when plugged in"),
                (long long) pid);
    }
  else if (g_file_test (sock, G_FILE_TEST_EXISTS))
    report (d, d->acr122_present ? "FAIL" : "warn",
            _("sudo systemctl mask --now pcscd.socket pcscd.service"),
            _("pcscd is socket-activated (%s): it starts, and claims an ACR122U, at the first PC/SC client"),
            "/run/pcscd/pcscd.comm");
  else
    report (d, "ok", NULL, _("pcscd is not running"));
}

static int
sort_paths (const char **a,
            const char **b)
{
  return strcmp (*a, *b);
}

/* What libnfc reads from /etc/nfc: libnfc.conf, then devices.d/NAME.conf (libnfc takes them
 * in readdir() order; we sort them, and say so when there is more than one). */
static void
read_libnfc_conf (Doctor       *d,
                  EcLibnfcConf *conf)
{
  g_autofree char *path = sys_path (d, "/etc/nfc/libnfc.conf");
  g_autofree char *dirpath = sys_path (d, "/etc/nfc/devices.d");
  g_autofree char *text = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  gsize len = 0;
  const char *name;

  ec_libnfc_conf_init (conf);
  if (g_file_get_contents (path, &text, &len, NULL))
    ec_libnfc_conf_parse (conf, text, len, FALSE);
  dir = g_dir_open (dirpath, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".conf"))
      g_ptr_array_add (files, g_build_filename (dirpath, name, NULL));
  g_ptr_array_sort (files, (GCompareFunc) sort_paths);
  for (guint i = 0; i < files->len; i++)
    {
      g_autofree char *dtext = NULL;
      gsize dlen = 0;
      if (g_file_get_contents (files->pdata[i], &dtext, &dlen, NULL))
        ec_libnfc_conf_parse (conf, dtext, dlen, TRUE);
    }
  if (files->len > 1)
    report (d, "warn", _("keep one file in /etc/nfc/devices.d, or set the reader in eldercard's config"),
            _("%u device files in /etc/nfc/devices.d: libnfc reads them in directory order, "
              "which decides the default reader"), files->len);
}

static void
set_connstring (Doctor     *d,
                const char *connstring,
                const char *source)
{
  g_free (d->connstring);
  d->connstring = g_strdup (connstring);
  d->connstring_source = source;
}

static void
check_connstring (Doctor     *d,
                  const char *opt_device,
                  const char *conf_device)
{
  EcLibnfcConf lconf;
  const char *env_default = g_getenv ("LIBNFC_DEFAULT_DEVICE");
  const char *env_device = g_getenv ("LIBNFC_DEVICE");
  const char *env_autoscan = g_getenv ("LIBNFC_AUTO_SCAN");
  const char *libnfc_conf_device = NULL;
  g_autofree char *driver = NULL;

  read_libnfc_conf (d, &lconf);
  d->autoscan = lconf.allow_autoscan;
  ec_libnfc_conf_boolean (env_autoscan, &d->autoscan);   /* the environment wins, as in libnfc */
  if (lconf.n_devices > 0)
    libnfc_conf_device = lconf.devices[0].connstring;

  if (opt_device != NULL && *opt_device)
    set_connstring (d, opt_device, "--device");
  else if (conf_device != NULL && *conf_device)
    set_connstring (d, conf_device, "[reader] device");
  else if (env_device != NULL && *env_device)
    set_connstring (d, env_device, "LIBNFC_DEVICE");
  else if (env_default != NULL && *env_default)
    set_connstring (d, env_default, "LIBNFC_DEFAULT_DEVICE");
  else if (libnfc_conf_device != NULL && *libnfc_conf_device)
    set_connstring (d, libnfc_conf_device,
                    lconf.devices[0].optional ? "/etc/nfc (device.connstring, optional)"
                                              : "/etc/nfc (device.connstring)");
  ec_libnfc_conf_clear (&lconf);

  if (d->connstring == NULL)
    {
      if (d->autoscan)
        report (d, "ok", NULL,
                _("no reader configured: libnfc autodetects USB readers (serial ports need "
                  "[reader] device=pn532_uart:/dev/ttyUSB0)"));
      else
        report (d, "FAIL",
                _("set [reader] device= in the config, or unset LIBNFC_AUTO_SCAN / allow_autoscan=false"),
                _("no reader configured and libnfc autodetection is off (LIBNFC_AUTO_SCAN or "
                  "allow_autoscan): libnfc will find nothing"));
      return;
    }

  driver = g_strndup (d->connstring, strcspn (d->connstring, ":"));
  if (!g_strv_contains (libnfc_drivers, driver))
    {
      g_autofree char *fix = g_strdup_printf (_("use one of: %s (docs/hardware.md)"),
                                              "acr122_usb pn53x_usb pn532_uart pn532_i2c pn532_spi acr122s arygon");
      report (d, "FAIL", fix,
              _("connstring \"%s\" (from %s): libnfc 1.8.0 as built by Debian has no driver \"%s\""),
              d->connstring, d->connstring_source, driver);
      return;
    }

  if (g_str_equal (driver, "acr122_usb") || g_str_equal (driver, "pn53x_usb") || g_str_equal (driver, "usb"))
    {
      g_auto(GStrv) parts = g_strsplit (d->connstring, ":", 4);
      if (g_strv_length (parts) < 3 || *parts[1] == '\0' || *parts[2] == '\0')
        {
          report (d, "FAIL",
                  _("leave the connstring empty (autodetection finds the reader by its USB id), or give "
                    "bus and device: acr122_usb:001:005 (lsusb)"),
                  _("connstring \"%s\" (from %s) names no USB bus and device: libnfc 1.8.0 would reset or "
                    "reconfigure and claim the first USB device it can open, whatever it is"),
                  d->connstring, d->connstring_source);
          d->connstring_unsafe = TRUE;
          return;
        }
      report (d, "ok", _("the device number changes when the reader is replugged; an empty connstring "
                         "(autodetection) does not"),
              _("reader connstring \"%s\" (from %s)"), d->connstring, d->connstring_source);
      return;
    }

  if (g_str_equal (driver, "pn532_uart") || g_str_equal (driver, "acr122s") || g_str_equal (driver, "arygon"))
    {
      g_auto(GStrv) parts = g_strsplit (d->connstring, ":", 3);
      const char *port = parts[1];
      g_autofree char *real = NULL;

      if (port == NULL || *port == '\0')
        {
          report (d, "FAIL", _("name the port: pn532_uart:/dev/ttyUSB0"),
                  _("connstring \"%s\" (from %s) names no serial port"), d->connstring, d->connstring_source);
          return;
        }
      if (parts[2] != NULL && !g_ascii_string_to_unsigned (parts[2], 10, 1, 4000000, NULL, NULL))
        {
          report (d, "FAIL", _("the third field is the baud rate, e.g. pn532_uart:/dev/ttyUSB0:115200 "
                               "(a /dev/serial/by-path name has ':' in it; use /dev/serial/by-id)"),
                  _("connstring \"%s\": \"%s\" is not a baud rate"), d->connstring, parts[2]);
          return;
        }
      real = sys_path (d, port);
      if (!g_file_test (real, G_FILE_TEST_EXISTS))
        report (d, "FAIL", _("plug in the adapter, or correct the port (ls /dev/ttyUSB* /dev/serial/by-id)"),
                _("connstring \"%s\" (from %s): %s does not exist"), d->connstring, d->connstring_source, port);
      else if (g_access (real, R_OK | W_OK) != 0)
        report (d, "FAIL",
                _("add the kiosk user to group dialout (usermod -aG dialout eldercard; log in again)"),
                _("connstring \"%s\" (from %s): no read/write access to %s (%s)"),
                d->connstring, d->connstring_source, port, g_strerror (errno));
      else
        report (d, "ok", NULL, _("reader connstring \"%s\" (from %s), port accessible"),
                d->connstring, d->connstring_source);
      return;
    }

  report (d, "ok", NULL, _("reader connstring \"%s\" (from %s)"), d->connstring, d->connstring_source);
}

/* ---- the libnfc probe, in a child under a deadline --------------------------------- */

G_GNUC_NORETURN static void
probe_child (const char *connstring)
{
  nfc_context *ctx = NULL;
  nfc_connstring found[DOCTOR_MAX_DEVICES];
  nfc_device *pnd;
  size_t n;

  nfc_init (&ctx);
  if (ctx == NULL)
    {
      printf (DOCTOR_PROBE_MARK "init-failed\n");
      fflush (stdout);
      _exit (0);
    }
  n = nfc_list_devices (ctx, found, G_N_ELEMENTS (found));
  for (size_t i = 0; i < n; i++)
    printf (DOCTOR_PROBE_MARK "found %s\n", found[i]);
  fflush (stdout);
  if (connstring == NULL && n == 0)
    {
      printf (DOCTOR_PROBE_MARK "none\n");
      fflush (stdout);
      nfc_exit (ctx);
      _exit (0);
    }
  pnd = nfc_open (ctx, connstring);
  if (pnd == NULL)
    {
      printf (DOCTOR_PROBE_MARK "open-failed %s\n", connstring != NULL ? connstring : found[0]);
      fflush (stdout);
      nfc_exit (ctx);
      _exit (0);
    }
  printf (DOCTOR_PROBE_MARK "open %s\t%s\n", nfc_device_get_connstring (pnd), nfc_device_get_name (pnd));
  fflush (stdout);
  if (nfc_initiator_init (pnd) < 0)
    printf (DOCTOR_PROBE_MARK "init-reader-failed %s\n", nfc_strerror (pnd));
  else
    printf (DOCTOR_PROBE_MARK "ready\n");
  fflush (stdout);
  nfc_close (pnd);
  nfc_exit (ctx);
  _exit (0);
}

static void
check_libnfc (Doctor *d,
              guint   timeout_s)
{
  int fds[2];
  pid_t pid;
  g_autoptr(GString) out = g_string_new (NULL);
  gint64 deadline;
  gboolean timed_out = FALSE;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) libnfc_said = g_string_new (NULL);
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *opened = NULL;
  g_autofree char *opened_name = NULL;
  g_autofree char *open_failed = NULL;
  g_autofree char *init_failed = NULL;
  gboolean ready = FALSE, ctx_failed = FALSE;
  int status = 0;

  if (pipe (fds) != 0)
    {
      report (d, "FAIL", NULL, _("cannot probe libnfc: pipe: %s"), g_strerror (errno));
      return;
    }
  fflush (stdout);
  fflush (stderr);
  pid = fork ();
  if (pid < 0)
    {
      report (d, "FAIL", NULL, _("cannot probe libnfc: fork: %s"), g_strerror (errno));
      close (fds[0]);
      close (fds[1]);
      return;
    }
  if (pid == 0)
    {
      /* libnfc's own log lines (stderr) and our protocol (stdout) share the pipe. */
      close (fds[0]);
      if (dup2 (fds[1], STDOUT_FILENO) < 0 || dup2 (fds[1], STDERR_FILENO) < 0)
        _exit (3);
      close (fds[1]);
      setvbuf (stdout, NULL, _IOLBF, 0);
      probe_child (d->connstring);
    }
  close (fds[1]);

  deadline = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;
  for (;;)
    {
      struct pollfd pfd = { fds[0], POLLIN, 0 };
      gint64 left = deadline - g_get_monotonic_time ();
      char buf[1024];
      ssize_t r;
      int pr;

      if (left <= 0)
        {
          timed_out = TRUE;
          break;
        }
      pr = poll (&pfd, 1, (int) MIN (left / 1000 + 1, G_MAXINT));
      if (pr < 0 && errno == EINTR)
        continue;
      if (pr == 0)
        continue;
      r = read (fds[0], buf, sizeof buf);
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        break;
      g_string_append_len (out, buf, r);
    }
  close (fds[0]);
  if (timed_out)
    kill (pid, SIGKILL);
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;

  lines = g_strsplit (out->str, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *l = lines[i];
      if (!g_str_has_prefix (l, DOCTOR_PROBE_MARK))
        {
          if (*l != '\0' && libnfc_said->len < 2000)
            g_string_append_printf (libnfc_said, "     libnfc: %s\n", l);
          continue;
        }
      l += strlen (DOCTOR_PROBE_MARK);
      if (g_str_has_prefix (l, "found "))
        g_ptr_array_add (found, g_strdup (l + 6));
      else if (g_str_has_prefix (l, "open-failed "))
        open_failed = g_strdup (l + 12);
      else if (g_str_has_prefix (l, "open "))
        opened = g_strdup (l + 5);
      else if (g_str_has_prefix (l, "init-reader-failed "))
        init_failed = g_strdup (l + 19);
      else if (g_str_equal (l, "ready"))
        ready = TRUE;
      else if (g_str_equal (l, "init-failed"))
        ctx_failed = TRUE;
    }

  if (opened != NULL && strchr (opened, '\t') != NULL)
    {
      char *tab = strchr (opened, '\t');
      opened_name = g_strdup (tab + 1);
      *tab = '\0';
    }
  if (timed_out)
    {
      g_autofree char *what = g_strdup_printf (_("libnfc did not finish within %u s (killed)%s%s: the reader "
                                                 "or its driver hangs"),
                                               timeout_s, opened != NULL ? _(" after opening ") : "",
                                               opened != NULL ? opened : "");
      report (d, "FAIL", _("unplug the reader and plug it in again; if it keeps hanging, try another USB "
                           "port or reader (qualify every batch, docs/hardware.md)"), "%s", what);
    }
  else if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    report (d, "FAIL", _("run `nfc-list -v` (package libnfc-bin) to see libnfc's own view"),
            _("the libnfc probe died (status %d)"), status);
  else if (ctx_failed)
    report (d, "FAIL", _("check /etc/nfc/libnfc.conf for errors"), _("libnfc could not initialise (nfc_init)"));
  else if (ready)
    report (d, "ok", NULL, _("libnfc opened %s (%s) and it answers"),
            opened_name != NULL ? opened_name : "?", opened);
  else if (init_failed != NULL)
    report (d, "FAIL", _("unplug and replug the reader; an ACR122U may need another USB port"),
            _("libnfc opened %s but it does not initialise: %s"), opened, init_failed);
  else if (open_failed != NULL)
    {
      const char *fix;
      if (d->kiosk_running)
        fix = _("the running kiosk holds the reader: sudo systemctl stop eldercard-kiosk, then run doctor again");
      else if (d->pcscd_running && d->acr122_present)
        fix = _("pcscd holds the reader: sudo systemctl mask --now pcscd.socket pcscd.service, replug");
      else if (d->kernel_nfc_loaded)
        fix = _("a kernel NFC module holds the reader: sudo modprobe -r pn533_usb pn533 nfc, replug");
      else if (d->reader_no_access)
        fix = _("no permission on the USB device: see the reader line above");
      else
        fix = _("check the connstring and the cable; `LIBNFC_LOG_LEVEL=3 nfc-list` shows libnfc's reasons");
      report (d, "FAIL", fix, _("libnfc found but could not open the reader \"%s\" (busy, no permission, or "
                                "not answering)"), open_failed);
    }
  else
    {
      const char *fix;
      if (!d->autoscan && d->connstring == NULL)
        fix = _("autodetection is off: turn it back on for a USB reader, or set [reader] device= "
                "(e.g. pn532_uart:/dev/ttyUSB0)");
      else if (d->serial_bridge_present && d->connstring == NULL)
        fix = _("a USB-serial adapter is plugged in but serial ports are not autodetected: set [reader] "
                "device=pn532_uart:/dev/ttyUSB0");
      else if (d->usb_reader_present)
        fix = _("a reader is plugged in but libnfc does not list it: see the permission, module and pcscd "
                "lines above");
      else
        fix = _("plug in a reader (ACR122U, a PN533 USB reader, or a PN532 on a USB-serial adapter with "
                "[reader] device=pn532_uart:/dev/ttyUSB0); docs/hardware.md");
      report (d, "FAIL", fix, _("no reader: libnfc sees no NFC device"));
    }
  if (libnfc_said->len > 0 && (!ready || timed_out))
    fputs (libnfc_said->str, stdout);
  for (guint i = 0; i < found->len && !ready; i++)
    printf ("     %s %s\n", _("libnfc lists:"), (const char *) found->pdata[i]);
}

/* ---- keys, database, clock ------------------------------------------------------------- */

/* The permission rules of the key tree, the same as eldercard's own (ec-keys.c): a
 * directory or a read key owned by root may be read by its group (a kiosk's
 * /etc/eldercard/keys, root:eldercard 0750 and 0640: the kiosk account reads the keys and
 * cannot replace them), anything else is its owner's alone; nothing may be written by
 * the group or others, so that no one but the owner can swap a trust anchor (root.pub,
 * a certificate). Returns the chmod that fixes @st, or NULL when it is fine. */
static char *
key_mode_fix (const struct stat *st,
              const char        *path,
              gboolean           group_readable_if_root)
{
  mode_t m = st->st_mode & 07777;
  mode_t allowed_other = group_readable_if_root && st->st_uid == 0 ? 0027 : 0077;

  if (S_ISDIR (st->st_mode))
    return (m & allowed_other) == 0 ? NULL
           : g_strdup_printf ("chmod %s %s", allowed_other == 0027 ? "750" : "700", path);
  return (m & allowed_other) == 0 ? NULL
         : g_strdup_printf ("chmod %s %s", allowed_other == 0027 ? "640" : "600", path);
}

/* Files and directories in the key tree (2 levels: community/, stations/) that others
 * may read or anyone but the owner may write, and signing secrets that have no business
 * on a kiosk. */
static void
scan_key_tree (Doctor     *d,
               const char *dir,
               guint       depth,
               gboolean   *bad,
               GPtrArray  *signing)
{
  g_autoptr(GDir) gd = g_dir_open (dir, 0, NULL);
  const char *name;

  while (gd != NULL && (name = g_dir_read_name (gd)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *fix = NULL;
      struct stat st;

      if (g_lstat (path, &st) != 0)
        continue;
      if (S_ISDIR (st.st_mode) && depth < 2)
        {
          fix = key_mode_fix (&st, path, TRUE);
          if (fix != NULL)
            {
              report (d, "FAIL", fix, _("key directory %s is mode %04o: others can get at the keys"),
                      path, (unsigned) (st.st_mode & 07777));
              *bad = TRUE;
            }
          scan_key_tree (d, path, depth + 1, bad, signing);
        }
      else if (S_ISREG (st.st_mode) && g_str_has_suffix (name, ".key"))
        {
          gboolean read_key = g_str_has_prefix (name, "read");

          fix = key_mode_fix (&st, path, read_key);
          if (fix != NULL)
            {
              report (d, "FAIL", fix, _("key file %s is mode %04o: eldercard refuses secret keys others "
                                        "can read"), path, (unsigned) (st.st_mode & 07777));
              *bad = TRUE;
            }
          if (!read_key)
            g_ptr_array_add (signing, g_steal_pointer (&path));
        }
      else if (S_ISREG (st.st_mode) && (st.st_mode & 0022) != 0)
        {
          fix = g_strdup_printf ("chmod go-w %s", path);
          report (d, "FAIL", fix, _("trust anchor %s is mode %04o: someone other than its owner could "
                                    "replace it and make forged cards verify"),
                  path, (unsigned) (st.st_mode & 07777));
          *bad = TRUE;
        }
    }
}

static void
check_keys (Doctor     *d,
            const char *keydir)
{
  struct stat st;
  gboolean bad = FALSE;
  g_autoptr(GPtrArray) signing = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  EcKeyring *ring;

  if (g_stat (keydir, &st) != 0)
    {
      g_autofree char *fix = g_strdup_printf (_("copy the station's kiosk bundle (eldercard kiosk-bundle "
                                                "export) into %s, owner root, group eldercard, mode 0750 "
                                                "(docs/deploy.md)"), keydir);
      report (d, "FAIL", fix, _("key directory %s: %s"), keydir, g_strerror (errno));
      return;
    }
  if (!S_ISDIR (st.st_mode))
    {
      report (d, "FAIL", _("point [keys] dir (or --keys) at a directory"), _("%s is not a directory"), keydir);
      return;
    }
  {
    g_autofree char *fix = key_mode_fix (&st, keydir, TRUE);

    if (fix != NULL)
      {
        report (d, "FAIL", fix, _("key directory %s is mode %04o: others can get at the keys"),
                keydir, (unsigned) (st.st_mode & 07777));
        bad = TRUE;
      }
  }
  /* Root's key directory, group-readable (the packages' and `make install`'s layout), is
   * read by the kiosk user through its group; any other owner should be the user. */
  if (st.st_uid != 0 && st.st_uid != getuid () && getuid () != 0)
    report (d, "warn", _("run doctor as the kiosk user (sudo -u eldercard eldercard doctor), or chown the keys "
                         "to it"),
            _("key directory %s belongs to uid %u, not to you (uid %u)"), keydir, (unsigned) st.st_uid,
            (unsigned) getuid ());
  scan_key_tree (d, keydir, 1, &bad, signing);
  for (guint i = 0; i < signing->len; i++)
    {
      g_autofree char *sfix = g_strdup_printf (_("on a kiosk, remove it (a kiosk bundle never holds "
                                                 "it): shred -u %s; a station computer keeps its own"), (const char *) signing->pdata[i]);
      report (d, "warn", sfix, _("%s is a signing secret: whoever takes this machine could try to forge cards"),
              (const char *) signing->pdata[i]);
    }

  /* Load it exactly as the kiosk does. */
  ring = ec_keyring_load (keydir, &error);
  if (ring == NULL)
    {
      g_autofree char *fix = g_strdup_printf (_("copy the station's kiosk bundle (eldercard kiosk-bundle "
                                                "export) into %s (docs/keys.md)"), keydir);
      report (d, "FAIL", fix, _("the keys in %s do not load: %s"), keydir, error->message);
      return;
    }
  if (ec_keyring_n_certs (ring) == 0)
    report (d, "FAIL", _("export a new kiosk bundle at the station after `eldercard station add`"),
            _("keys in %s: no station certificate, so no card verifies"), keydir);
  else if (ec_keyring_n_read_keys (ring) == 0)
    report (d, "warn", _("export the kiosk bundle with its read keys (without --no-read-key) for responders "
                         "and nurses"),
            _("keys in %s: %u station certificate(s) but no read key: cards verify, their emergency summary "
              "cannot be shown"), keydir, ec_keyring_n_certs (ring));
  else if (!bad)
    report (d, "ok", NULL, _("keys in %s: community root, %u station certificate(s), %u read key(s)"),
            keydir, ec_keyring_n_certs (ring), ec_keyring_n_read_keys (ring));
  ec_keyring_free (ring);
}

static void
check_database (Doctor     *d,
                const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EcDb) db = NULL;
  g_autofree char *dirname = g_path_get_dirname (path);
  g_autofree char *fix = NULL;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      fix = g_strdup_printf (_("copy the station's database or import its update bundle to %s, "
                               "or set [database] path"), path);
      report (d, "FAIL", fix, _("database %s does not exist"), path);
      return;
    }
  if (g_access (path, R_OK) != 0)
    {
      fix = g_strdup_printf (_("run doctor as the kiosk user, or chown eldercard: %s"), path);
      report (d, "FAIL", fix, _("database %s is not readable (%s)"), path, g_strerror (errno));
      return;
    }
  db = ec_db_open (path, EC_DB_OPEN_READ_ONLY, &error);
  if (db == NULL)
    {
      report (d, "FAIL", _("restore the database from a backup (eldercard db backup) or the station"),
              _("database %s does not open: %s"), path, error->message);
      return;
    }
  /* Opening checks the file only after an unclean shutdown: doctor always does. */
  if (!ec_db_quick_check (db, &error))
    {
      report (d, "FAIL", _("restore the database from a backup (eldercard db backup) or the station"),
              _("database %s is damaged: %s"), path, error->message);
      return;
    }
  report (d, "ok", NULL, _("database %s opens, quick_check ok, schema %d"), path, ec_db_get_schema_version (db));
  if (g_access (path, W_OK) != 0 || g_access (dirname, W_OK) != 0)
    {
      fix = g_strdup_printf (_("the kiosk writes its audit log there: chown -R eldercard: %s"), dirname);
      report (d, "warn", fix, _("database %s or its directory is not writable for you"), path);
    }
}

static void
check_clock (Doctor *d)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  int year = g_date_time_get_year (now);
  g_autofree char *iso = g_date_time_format_iso8601 (now);

  if (year < 2024 || year > 2100)
    report (d, "FAIL",
            _("set the clock: sudo timedatectl set-ntp true, or sudo timedatectl set-time 'YYYY-MM-DD HH:MM'"),
            _("the clock says %s: card issue and expiry dates cannot be judged"), iso);
  else
    report (d, "ok", NULL, _("clock %s"), iso);
}

/* ---- main ----------------------------------------------------------------------------- */

int
ec_cmd_doctor (int    argc,
               char **argv)
{
  g_autofree char *opt_device = NULL;
  g_autofree char *opt_config = NULL;
  g_autofree char *opt_db = NULL;
  g_autofree char *opt_keys = NULL;
  g_autofree char *opt_sysroot = NULL;
  g_autoptr(EcConfig) config = NULL;
  g_autofree char *config_path = NULL;
  gint opt_timeout = 10;
  gboolean opt_list = FALSE;
  g_autofree char *config_help = NULL;
  const char *db_path, *keydir;
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) ctx = NULL;
  Doctor d = { 0 };
  GOptionEntry entries[] = {
    { "device", 'd', 0, G_OPTION_ARG_STRING, &opt_device, N_("libnfc connstring of the reader to check"), "CONNSTRING" },
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &opt_config, NULL, "FILE" },
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &opt_db, N_("database file"), "FILE" },
    { "keys", 0, 0, G_OPTION_ARG_FILENAME, &opt_keys, N_("key directory"), "DIR" },
    { "timeout", 't', 0, G_OPTION_ARG_INT, &opt_timeout, N_("seconds to give libnfc before it counts as hung (default 10)"), "SECONDS" },
    { "list-readers", 0, 0, G_OPTION_ARG_NONE, &opt_list, N_("print the USB ids doctor knows and exit"), NULL },
    { "sysroot", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_FILENAME, &opt_sysroot, "read /sys, /proc, /dev, /etc/nfc, /etc/modprobe.d, /run under DIR", "DIR" },
    { NULL }
  };

  config_help = g_strdup_printf (_("configuration file (default %s)"), EC_SYSCONFDIR "/eldercard/eldercard.conf");
  entries[1].description = config_help;
  ctx = g_option_context_new (NULL);
  g_option_context_set_summary (ctx, _("Check the reader, its permissions, kernel modules, pcscd, the keys, "
                                       "the database and the clock, and say what to fix."));
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("eldercard doctor: %s\n", error->message);
      return 2;
    }
  if (argc > 1)
    {
      g_printerr ("eldercard doctor: %s '%s'\n", _("unexpected argument"), argv[1]);
      return 2;
    }
  if (opt_timeout < 1 || opt_timeout > 600)
    {
      g_printerr ("eldercard doctor: %s\n", _("--timeout must be 1…600 seconds"));
      return 2;
    }
  if (opt_list)
    {
      for (gsize i = 0; i < G_N_ELEMENTS (known_readers); i++)
        printf ("%04x:%04x\t%s\t%s\n", known_readers[i].vendor, known_readers[i].product,
                known_readers[i].kind == READER_ACR122 ? "acr122_usb" :
                known_readers[i].kind == READER_PN53X ? "pn53x_usb" : "pn532_uart",
                known_readers[i].name);
      return 0;
    }
  d.sysroot = opt_sysroot;

  /* The configuration file, read exactly as the kiosk reads it: --config, else the
   * system one if it exists. */
  config = ec_config_new ();
  config_path = g_strdup (opt_config != NULL ? opt_config : EC_SYSCONFDIR "/eldercard/eldercard.conf");
  if (!ec_config_load_file (config, config_path, &error))
    {
      if (g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT) && opt_config == NULL)
        report (&d, "warn", _("make install puts the default one there (data/eldercard.conf)"),
                _("no configuration file %s; using defaults"), config_path);
      else
        report (&d, "FAIL", _("correct the file: the kiosk refuses it too (docs/configuration.md)"),
                _("configuration %s: %s"), config_path, error->message);
      g_clear_error (&error);
    }
  else
    report (&d, "ok", NULL, _("configuration %s"), config_path);

  /* Option, then environment, then config file, then the CLI's default. */
  db_path = opt_db != NULL ? opt_db
          : (g_getenv ("ELDERCARD_DB") != NULL && *g_getenv ("ELDERCARD_DB")) ? g_getenv ("ELDERCARD_DB")
          : config->db_path;
  keydir = opt_keys != NULL ? opt_keys
         : (g_getenv ("ELDERCARD_KEYS") != NULL && *g_getenv ("ELDERCARD_KEYS")) ? g_getenv ("ELDERCARD_KEYS")
         : config->keys_dir;

  if (getuid () == 0)
    report (&d, "warn", _("run it as the kiosk user: sudo -u eldercard eldercard doctor"),
            _("running as root: the permission checks below are root's, not the kiosk user's"));

  check_clock (&d);
  check_connstring (&d, opt_device, config->device);
  check_udev_setup (&d);
  check_nfc_helper (&d);
  check_usb_devices (&d);
  check_kernel_modules (&d);
  check_pcscd (&d);
  check_kiosk_running (&d);
  if (d.connstring_unsafe)
    report (&d, "FAIL", NULL, _("libnfc not probed: the connstring above could take over another USB device"));
  else if (opt_sysroot == NULL)
    check_libnfc (&d, (guint) opt_timeout);
  else
    report (&d, "warn", NULL, _("libnfc not probed: --sysroot describes another system"));
  check_keys (&d, keydir);
  check_database (&d, db_path);

  printf ("\n");
  printf (_("%d ok, %d warnings, %d failures"), d.n_ok, d.n_warn, d.n_fail);
  printf ("\n");
  g_free (d.connstring);
  return d.n_fail > 0 ? 1 : 0;
}
