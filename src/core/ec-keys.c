/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ec-keys"

#include "ec-keys.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

#include "ec-error.h"
#include "ec-file.h"
#include "ec-i18n.h"

/* File formats (docs/keys.md). All integers big-endian. */
#define EKS_MAGIC       "EKS1"
#define EKS_HEADER      64
#define EKS_SIZE        (EKS_HEADER + EC_SIGN_SEED_BYTES + EC_SECRETBOX_MAC_BYTES)  /* 112 */
#define EKS_KIND_ROOT    1
#define EKS_KIND_STATION 2
#define EKS_ALG_ARGON2ID13 1
#define EPK_MAGIC       "EPK1"
#define EPK_SIZE        (4 + EC_SIGN_PUBLIC_BYTES)
#define ERK_MAGIC       "ERK1"
#define ERK_SIZE        (4 + 4 + EC_AEAD_KEY_BYTES)
#define ESC_MAGIC       "ESC1"
#define ESC_FIXED       55
#define ESC_DOMAIN      "ECARD1-CERT"
#define PASSPHRASE_MAX  1024
#define NEW_PASSPHRASE_MIN 12

G_STATIC_ASSERT (EKS_SIZE == 112);

static void
put_be16 (guint8 *p, guint16 v)
{
  p[0] = (guint8) (v >> 8);
  p[1] = (guint8) v;
}

static void
put_be32 (guint8 *p, guint32 v)
{
  p[0] = (guint8) (v >> 24);
  p[1] = (guint8) (v >> 16);
  p[2] = (guint8) (v >> 8);
  p[3] = (guint8) v;
}

static void
put_be64 (guint8 *p, guint64 v)
{
  put_be32 (p, (guint32) (v >> 32));
  put_be32 (p + 4, (guint32) v);
}

static guint16
get_be16 (const guint8 *p)
{
  return (guint16) (p[0] << 8 | p[1]);
}

static guint32
get_be32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
}

static guint64
get_be64 (const guint8 *p)
{
  return (guint64) get_be32 (p) << 32 | get_be32 (p + 4);
}

/* ---- files ----------------------------------------------------------------------- */

/* How private a key file must be. */
enum
{
  FILE_PUBLIC = 0,       /* root.pub, certificates */
  FILE_SECRET = 1,       /* signing keys, passphrases: the owner alone (0600) */
  FILE_READ_KEY = 2,     /* read keys: also group-readable when root owns the file (a
                          * kiosk's /etc/eldercard/keys, root:eldercard 0640, which the
                          * kiosk account can read but not replace) */
};

static gboolean
secret_mode_ok (const struct stat *st,
                int                secret)
{
  mode_t m = st->st_mode & 0777;

  if (secret == FILE_READ_KEY && st->st_uid == 0)
    return (m & 0027) == 0;   /* owner rw, group at most read, others nothing */
  return (m & 0077) == 0;
}

/* Read a whole file of at most @max bytes. With @secret, refuse a file that group or
 * others may access (see above), and return the bytes in sodium memory. */
static EcSecret *
read_file (const char *path,
           gsize       max,
           int         secret,
           GError    **error)
{
  g_autoptr(EcSecret) buf = NULL;
  struct stat st;
  gsize got = 0;
  int fd;

  {
    g_autoptr(GError) local = NULL;
    /* Non-blocking open, regular files only: a key file replaced by a FIFO is refused
     * at once instead of hanging `card encode`. */
    fd = ec_file_open_regular (path, EC_FILE_NOFOLLOW, &st, &local);
    if (fd < 0)
      {
        g_set_error (error, EC_KEY_ERROR,
                     g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT) ? EC_KEY_ERROR_NOT_FOUND
                                                                               : EC_KEY_ERROR_IO,
                     "%s", local->message);
        return NULL;
      }
  }
  if (secret != FILE_PUBLIC && !secret_mode_ok (&st, secret))
    {
      g_set_error (error, EC_KEY_ERROR, EC_KEY_ERROR_PERMISSIONS,
                   _("%s holds a secret key but group or others may read it (mode %04o); "
                     "refusing to use it. Fix with: chmod 600 %s"),
                   path, (unsigned) (st.st_mode & 07777), path);
      close (fd);
      return NULL;
    }
  if ((guint64) st.st_size > max || st.st_size == 0)
    {
      g_set_error (error, EC_KEY_ERROR, EC_KEY_ERROR_FORMAT,
                   _("%s has the wrong size for a key file"), path);
      close (fd);
      return NULL;
    }
  buf = ec_secret_new ((gsize) st.st_size);
  while (got < buf->len)
    {
      ssize_t n = read (fd, buf->data + got, buf->len - got);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          g_set_error (error, EC_KEY_ERROR, EC_KEY_ERROR_IO, _("cannot read %s: %s"), path,
                       n < 0 ? g_strerror (errno) : _("short read"));
          close (fd);
          return NULL;
        }
      got += (gsize) n;
    }
  close (fd);
  return g_steal_pointer (&buf);
}

/* Create @path exclusively with @mode and write @data; fsync. */
static gboolean
write_new_file (const char   *path,
                const guint8 *data,
                gsize         len,
                int           mode,
                GError      **error)
{
  gsize done = 0;
  int fd = g_open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);

  if (fd < 0)
    {
      int e = errno;
      g_set_error (error, EC_KEY_ERROR, EC_KEY_ERROR_IO, _("cannot create %s: %s"), path,
                   e == EEXIST ? _("it already exists (refusing to overwrite a key)") : g_strerror (e));
      return FALSE;
    }
  /* The umask may have taken bits away, never added any; make the mode exact. */
  if (fchmod (fd, (mode_t) mode) != 0)
    goto fail;
  while (done < len)
    {
      ssize_t n = write (fd, data + done, len - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        goto fail;
      done += (gsize) n;
    }
  if (fsync (fd) != 0)
    goto fail;
  if (close (fd) != 0)
    {
      fd = -1;
      goto fail;
    }
  return TRUE;

fail:
  {
    int e = errno;
    if (fd >= 0)
      close (fd);
    g_unlink (path);
    g_set_error (error, EC_KEY_ERROR, EC_KEY_ERROR_IO, _("cannot write %s: %s"), path,
                 g_strerror (e));
    return FALSE;
  }
}

static gboolean
make_dir (const char *path,
          int         mode,
          GError    **error)
{
  if (g_mkdir_with_parents (path, mode) != 0)
    {
      int e = errno;
      g_set_error (error, EC_KEY_ERROR, EC_KEY_ERROR_IO, _("cannot create directory %s: %s"),
                   path, g_strerror (e));
      return FALSE;
    }
  return TRUE;
}

/* ---- passphrases ------------------------------------------------------------------ */

static EcSecret *
first_line (const guint8 *data,
            gsize         len,
            GError      **error)
{
  gsize n = 0;

  while (n < len && data[n] != '\n' && data[n] != '\r')
    n++;
  if (n == 0)
    {
      g_set_error (error, EC_KEY_ERROR, EC_KEY_ERROR_FORMAT, _("the passphrase is empty"));
      return NULL;
    }
  return ec_secret_new_from (data, n);
}

EcSecret *
ec_passphrase_from_file (const char *path,
                         GError    **error)
{
  g_autoptr(EcSecret) buf = ec_secret_new (PASSPHRASE_MAX);
  gsize got = 0;
  int fd;
  gboolean is_stdin = g_strcmp0 (path, "-") == 0;

  fd = is_stdin ? 0 : g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int e = errno;
      g_set_error (error, EC_KEY_ERROR, EC_KEY_ERROR_IO, _("cannot open passphrase file %s: %s"),
                   path, g_strerror (e));
      return NULL;
    }
  while (got < buf->len)
    {
      ssize_t n = read (fd, buf->data + got, buf->len - got);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int e = errno;
          if (!is_stdin)
            close (fd);
          g_set_error (error, EC_KEY_ERROR, EC_KEY_ERROR_IO, _("cannot read %s: %s"), path,
                       g_strerror (e));
          return NULL;
        }
      if (n == 0)
        break;
      got += (gsize) n;
      if (memchr (buf->data, '\n', got) != NULL)
        break;
    }
  if (!is_stdin)
    close (fd);
  return first_line (buf->data, got, error);
}

EcSecret *
ec_passphrase_from_tty (const char *prompt,
                        gboolean    confirm,
                        GError    **error)
{
  g_autoptr(EcSecret) first = NULL;

  for (int round = 0; round < (confirm ? 2 : 1); round++)
    {
      g_autoptr(EcSecret) buf = ec_secret_new (PASSPHRASE_MAX);
      g_autoptr(EcSecret) line = NULL;
      struct termios old, noecho;
      gsize got = 0;
      gboolean restore;
      const char *p = round == 0 ? prompt : _("Repeat the passphrase: ");
      int fd = g_open ("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY, 0);

      if (fd < 0)
        {
          g_set_error (error, EC_KEY_ERROR, EC_KEY_ERROR_IO,
                       _("no terminal to ask for the passphrase; use --passphrase-file"));
          return NULL;
        }
      restore = tcgetattr (fd, &old) == 0;
      if (restore)
        {
          noecho = old;
          noecho.c_lflag &= (tcflag_t) ~(ECHO | ECHONL);
          noecho.c_lflag |= ICANON;
          if (tcsetattr (fd, TCSAFLUSH, &noecho) != 0)
            restore = FALSE;
        }
      if (write (fd, p, strlen (p)) < 0)
        { /* the prompt is a courtesy */ }
      while (got < buf->len)
        {
          ssize_t n = read (fd, buf->data + got, 1);
          if (n < 0 && errno == EINTR)
            continue;
          if (n <= 0 || buf->data[got] == '\n')
            break;
          got++;
        }
      if (restore)
        tcsetattr (fd, TCSAFLUSH, &old);
      if (write (fd, "\n", 1) < 0)
        { /* cosmetic */ }
      close (fd);
      line = first_line (buf->data, got, error);
      if (line == NULL)
        return NULL;
      if (round == 0)
        {
          if (confirm && g_utf8_strlen ((const char *) line->data, (gssize) line->len) < NEW_PASSPHRASE_MIN)
            {
              g_set_error (error, EC_KEY_ERROR, EC_KEY_ERROR_FORMAT,
                           _("a new passphrase needs at least %d characters"), NEW_PASSPHRASE_MIN);
              return NULL;
            }
          first = g_steal_pointer (&line);
        }
      else if (!ec_secret_equal (first, line))
        {
          g_set_error (error, EC_KEY_ERROR, EC_KEY_ERROR_FORMAT, _("the passphrases do not match"));
          return NULL;
        }
    }
  return g_steal_pointer (&first);
}

/* ---- EKS1: an Ed25519 seed wrapped under a passphrase -------------------------------- */

/* The secretbox key: keyed BLAKE2b-256 of the file header under the Argon2id output,
 * so that changing any header byte (kind, station, limits, salt, nonce) changes the key
 * and the MAC fails. */
static gboolean
eks_box_key (EcSecret      **out,
             const guint8   *header,
             const EcSecret *passphrase,
             GError        **error)
{
  g_autoptr(EcSecret) stretched = NULL;
  g_autoptr(EcSecret) key = ec_secret_new (EC_SECRETBOX_KEY_BYTES);

  if (!ec_crypto_pwhash (&stretched, passphrase, header + 24, get_be64 (header + 8),
                         get_be64 (header + 16), error))
    return FALSE;
  if (!ec_crypto_blake2b (key->data, key->len, stretched->data, stretched->len,
                          header, EKS_HEADER, error))
    return FALSE;
  *out = g_steal_pointer (&key);
  return TRUE;
}

static gboolean
eks_write (const char     *path,
           guint8          kind,
           guint16         station_id,
           const EcSecret *sk,
           const EcSecret *passphrase,
           GError        **error)
{
  guint8 file[EKS_SIZE];
  g_autoptr(EcSecret) key = NULL;
  guint64 ops, mem;
  gboolean ok;

  memset (file, 0, sizeof file);
  memcpy (file, EKS_MAGIC, 4);
  file[4] = kind;
  file[5] = EKS_ALG_ARGON2ID13;
  put_be16 (file + 6, station_id);
  ec_crypto_pwhash_default_limits (&ops, &mem);
  put_be64 (file + 8, ops);
  put_be64 (file + 16, mem);
  ec_crypto_random (file + 24, EC_PWHASH_SALT_BYTES);
  ec_crypto_random (file + 40, EC_SECRETBOX_NONCE_BYTES);
  if (!eks_box_key (&key, file, passphrase, error))
    return FALSE;
  /* The seed is the first half of libsodium's secret key. */
  if (!ec_crypto_secretbox_seal (file + EKS_HEADER, sk->data, EC_SIGN_SEED_BYTES, file + 40,
                                 key, error))
    return FALSE;
  ok = write_new_file (path, file, sizeof file, 0600, error);
  memset (file, 0, sizeof file);
  return ok;
}

/* Unwrap @path: the Ed25519 secret key (64 B) and its public key. */
static gboolean
eks_read (const char     *path,
          guint8          kind,
          guint16         station_id,
          const EcSecret *passphrase,
          EcSecret      **out_sk,
          guint8          pk[EC_SIGN_PUBLIC_BYTES],
          GError        **error)
{
  g_autoptr(EcSecret) file = read_file (path, EKS_SIZE, FILE_SECRET, error);
  g_autoptr(EcSecret) key = NULL;
  g_autoptr(EcSecret) seed = NULL;

  if (file == NULL)
    return FALSE;
  if (file->len != EKS_SIZE || memcmp (file->data, EKS_MAGIC, 4) != 0
      || file->data[5] != EKS_ALG_ARGON2ID13 || file->data[4] != kind
      || get_be16 (file->data + 6) != station_id)
    {
      g_set_error (error, EC_KEY_ERROR, EC_KEY_ERROR_FORMAT,
                   _("%s is not an eldercard %s key file"), path,
                   kind == EKS_KIND_ROOT ? _("community root") : _("station"));
      return FALSE;
    }
  if (!ec_crypto_pwhash_limits_ok (get_be64 (file->data + 8), get_be64 (file->data + 16)))
    {
      g_set_error (error, EC_KEY_ERROR, EC_KEY_ERROR_FORMAT,
                   _("%s asks for Argon2id limits out of range"), path);
      return FALSE;
    }
  if (!eks_box_key (&key, file->data, passphrase, error))
    return FALSE;
  if (!ec_crypto_secretbox_open (&seed, file->data + EKS_HEADER, EKS_SIZE - EKS_HEADER,
                                 file->data + 40, key, error))
    {
      if (error != NULL && *error != NULL)
        g_prefix_error (error, "%s: ", path);
      return FALSE;
    }
  return ec_crypto_sign_keypair (out_sk, pk, seed->data, error);
}

/* ---- public files ------------------------------------------------------------------ */

static gboolean
pub_read (const char *path,
          guint8      pk[EC_SIGN_PUBLIC_BYTES],
          GError    **error)
{
  g_autoptr(EcSecret) file = read_file (path, EPK_SIZE, FILE_PUBLIC, error);

  if (file == NULL)
    return FALSE;
  if (file->len != EPK_SIZE || memcmp (file->data, EPK_MAGIC, 4) != 0)
    {
      g_set_error (error, EC_KEY_ERROR, EC_KEY_ERROR_FORMAT,
                   _("%s is not an eldercard public key file"), path);
      return FALSE;
    }
  memcpy (pk, file->data + 4, EC_SIGN_PUBLIC_BYTES);
  return TRUE;
}

static gboolean
pub_write (const char   *path,
           const guint8  pk[EC_SIGN_PUBLIC_BYTES],
           GError      **error)
{
  guint8 file[EPK_SIZE];

  memcpy (file, EPK_MAGIC, 4);
  memcpy (file + 4, pk, EC_SIGN_PUBLIC_BYTES);
  return write_new_file (path, file, sizeof file, 0644, error);
}

/* ---- certificates -------------------------------------------------------------------- */

void
ec_station_cert_free (EcStationCert *cert)
{
  if (cert == NULL)
    return;
  g_free (cert->name);
  g_free (cert);
}

EcStationCert *
ec_station_cert_copy (const EcStationCert *cert)
{
  EcStationCert *c = g_memdup2 (cert, sizeof *cert);

  c->name = g_strdup (cert->name);
  return c;
}

static gboolean
station_name_ok (const char *name,
                 gsize       len)
{
  const char *p;

  if (len == 0 || len > EC_STATION_NAME_MAX || !g_utf8_validate_len (name, len, NULL))
    return FALSE;
  for (p = name; p < name + len; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      return FALSE;
  return TRUE;
}

static GBytes *
cert_serialise (const EcStationCert *cert,
                const EcSecret      *root_sk,
                GError             **error)
{
  gsize nlen = strlen (cert->name);
  gsize body = ESC_FIXED + nlen;
  g_autofree guint8 *buf = g_malloc0 (body + EC_SIGN_BYTES);
  g_autofree guint8 *msg = g_malloc (sizeof ESC_DOMAIN - 1 + body);

  memcpy (buf, ESC_MAGIC, 4);
  put_be16 (buf + 4, cert->station_id);
  put_be32 (buf + 6, cert->kid);
  memcpy (buf + 10, cert->pk, EC_SIGN_PUBLIC_BYTES);
  put_be32 (buf + 42, (guint32) cert->valid_from);
  put_be32 (buf + 46, (guint32) cert->valid_to);
  put_be32 (buf + 50, cert->root_kid);
  buf[54] = (guint8) nlen;
  memcpy (buf + ESC_FIXED, cert->name, nlen);
  memcpy (msg, ESC_DOMAIN, sizeof ESC_DOMAIN - 1);
  memcpy (msg + sizeof ESC_DOMAIN - 1, buf, body);
  if (!ec_crypto_sign (buf + body, msg, sizeof ESC_DOMAIN - 1 + body, root_sk, error))
    return NULL;
  return g_bytes_new (buf, body + EC_SIGN_BYTES);
}

EcStationCert *
ec_station_cert_parse (const guint8 *data,
                       gsize         len,
                       const guint8  root_pk[EC_SIGN_PUBLIC_BYTES],
                       GError      **error)
{
  g_autoptr(EcStationCert) cert = NULL;
  g_autofree guint8 *msg = NULL;
  gsize nlen, body;

  if (len < ESC_FIXED + 1 + EC_SIGN_BYTES || memcmp (data, ESC_MAGIC, 4) != 0)
    goto bad;
  nlen = data[54];
  body = ESC_FIXED + nlen;
  if (len != body + EC_SIGN_BYTES || !station_name_ok ((const char *) data + ESC_FIXED, nlen))
    goto bad;
  cert = g_new0 (EcStationCert, 1);
  cert->station_id = get_be16 (data + 4);
  cert->kid = get_be32 (data + 6);
  memcpy (cert->pk, data + 10, EC_SIGN_PUBLIC_BYTES);
  cert->valid_from = get_be32 (data + 42);
  cert->valid_to = get_be32 (data + 46);
  cert->root_kid = get_be32 (data + 50);
  cert->name = g_strndup ((const char *) data + ESC_FIXED, nlen);
  if (cert->kid != ec_crypto_key_id (cert->pk) || cert->valid_to < cert->valid_from)
    goto bad;
  if (cert->root_kid != ec_crypto_key_id (root_pk))
    {
      g_set_error (error, EC_KEY_ERROR, EC_KEY_ERROR_NOT_CERTIFIED,
                   _("station certificate %u was issued by another community root"),
                   cert->station_id);
      return NULL;
    }
  msg = g_malloc (sizeof ESC_DOMAIN - 1 + body);
  memcpy (msg, ESC_DOMAIN, sizeof ESC_DOMAIN - 1);
  memcpy (msg + sizeof ESC_DOMAIN - 1, data, body);
  if (!ec_crypto_verify (data + body, msg, sizeof ESC_DOMAIN - 1 + body, root_pk))
    {
      g_set_error (error, EC_KEY_ERROR, EC_KEY_ERROR_NOT_CERTIFIED,
                   _("station certificate %u does not verify against the community root key"),
                   cert->station_id);
      return NULL;
    }
  return g_steal_pointer (&cert);

bad:
  g_set_error (error, EC_KEY_ERROR, EC_KEY_ERROR_FORMAT, _("malformed station certificate"));
  return NULL;
}

static EcStationCert *
cert_load (const char   *path,
           const guint8  root_pk[EC_SIGN_PUBLIC_BYTES],
           GError      **error)
{
  g_autoptr(EcSecret) file = read_file (path, ESC_FIXED + EC_STATION_NAME_MAX + EC_SIGN_BYTES,
                                        FILE_PUBLIC, error);
  EcStationCert *cert;

  if (file == NULL)
    return NULL;
  cert = ec_station_cert_parse (file->data, file->len, root_pk, error);
  if (cert == NULL)
    g_prefix_error (error, "%s: ", path);
  return cert;
}

/* ---- read keys ----------------------------------------------------------------------- */

EcReadKey *
ec_read_key_new_from (const guint8 *key)
{
  EcReadKey *rk = g_new0 (EcReadKey, 1);

  rk->key = ec_secret_new_from (key, EC_AEAD_KEY_BYTES);
  rk->kid = ec_crypto_read_key_id (key);
  return rk;
}

void
ec_read_key_free (EcReadKey *key)
{
  if (key == NULL)
    return;
  ec_secret_free (key->key);
  g_free (key);
}

EcReadKey *
ec_read_key_load (const char *path,
                  GError    **error)
{
  g_autoptr(EcSecret) file = read_file (path, ERK_SIZE, FILE_READ_KEY, error);
  g_autoptr(EcReadKey) rk = NULL;

  if (file == NULL)
    return NULL;
  if (file->len != ERK_SIZE || memcmp (file->data, ERK_MAGIC, 4) != 0)
    {
      g_set_error (error, EC_KEY_ERROR, EC_KEY_ERROR_FORMAT,
                   _("%s is not an eldercard read key file"), path);
      return NULL;
    }
  rk = ec_read_key_new_from (file->data + 8);
  if (rk->kid != get_be32 (file->data + 4))
    {
      g_set_error (error, EC_KEY_ERROR, EC_KEY_ERROR_FORMAT,
                   _("%s: the read key does not match its key id (damaged file)"), path);
      return NULL;
    }
  return g_steal_pointer (&rk);
}

static gboolean
read_key_write (const char      *path,
                const EcReadKey *rk,
                GError         **error)
{
  g_autoptr(EcSecret) file = ec_secret_new (ERK_SIZE);

  memcpy (file->data, ERK_MAGIC, 4);
  put_be32 (file->data + 4, rk->kid);
  memcpy (file->data + 8, rk->key->data, EC_AEAD_KEY_BYTES);
  return write_new_file (path, file->data, file->len, 0600, error);
}

static EcReadKey *
read_key_generate (void)
{
  g_autoptr(EcSecret) k = ec_secret_new (EC_AEAD_KEY_BYTES);

  ec_crypto_random (k->data, k->len);
  return ec_read_key_new_from (k->data);
}

/* ---- community ----------------------------------------------------------------------- */

gboolean
ec_community_create (const char     *keydir,
                     const EcSecret *passphrase,
                     GError        **error)
{
  g_autofree char *dir = g_build_filename (keydir, "community", NULL);
  g_autofree char *sdir = g_build_filename (keydir, "stations", NULL);
  g_autofree char *root_key = g_build_filename (dir, "root.key", NULL);
  g_autofree char *root_pub = g_build_filename (dir, "root.pub", NULL);
  g_autofree char *read_path = g_build_filename (dir, "read.key", NULL);
  g_autoptr(EcSecret) sk = NULL;
  g_autoptr(EcReadKey) rk = NULL;
  guint8 pk[EC_SIGN_PUBLIC_BYTES];

  if (g_file_test (root_key, G_FILE_TEST_EXISTS) || g_file_test (root_pub, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, EC_KEY_ERROR, EC_KEY_ERROR_IO,
                   _("a community already exists in %s (refusing to overwrite its keys)"), keydir);
      return FALSE;
    }
  if (!make_dir (dir, 0700, error) || !make_dir (sdir, 0700, error))
    return FALSE;
  if (!ec_crypto_sign_keypair (&sk, pk, NULL, error))
    return FALSE;
  if (!eks_write (root_key, EKS_KIND_ROOT, 0, sk, passphrase, error))
    return FALSE;
  if (!pub_write (root_pub, pk, error))
    return FALSE;
  rk = read_key_generate ();
  return read_key_write (read_path, rk, error);
}

gboolean
ec_community_rotate_read_key (const char *keydir,
                              guint32    *out_new_kid,
                              GError    **error)
{
  g_autofree char *read_path = g_build_filename (keydir, "community", "read.key", NULL);
  g_autoptr(EcReadKey) old = ec_read_key_load (read_path, error);
  g_autoptr(EcReadKey) rk = NULL;
  g_autofree char *kid = NULL;
  g_autofree char *name = NULL;
  g_autofree char *old_path = NULL;

  if (old == NULL)
    return FALSE;
  kid = ec_key_id_to_string (old->kid);
  name = g_strdup_printf ("read-%s.key", kid);
  old_path = g_build_filename (keydir, "community", name, NULL);
  if (g_file_test (old_path, G_FILE_TEST_EXISTS) || g_rename (read_path, old_path) != 0)
    {
      g_set_error (error, EC_KEY_ERROR, EC_KEY_ERROR_IO, _("cannot move %s to %s"), read_path,
                   old_path);
      return FALSE;
    }
  rk = read_key_generate ();
  if (!read_key_write (read_path, rk, error))
    return FALSE;
  if (out_new_kid != NULL)
    *out_new_kid = rk->kid;
  return TRUE;
}

gboolean
ec_station_add (const char     *keydir,
                guint16         station_id,
                const char     *name,
                gint64          valid_from,
                guint           valid_days,
                const EcSecret *root_passphrase,
                const EcSecret *station_passphrase,
                GError        **error)
{
  g_autofree char *root_key = g_build_filename (keydir, "community", "root.key", NULL);
  g_autofree char *root_pub = g_build_filename (keydir, "community", "root.pub", NULL);
  g_autofree char *sdir = g_build_filename (keydir, "stations", NULL);
  g_autofree char *base = g_strdup_printf ("%u", station_id);
  g_autofree char *kname = g_strconcat (base, ".key", NULL);
  g_autofree char *cname = g_strconcat (base, ".cert", NULL);
  g_autofree char *key_path = g_build_filename (sdir, kname, NULL);
  g_autofree char *cert_path = g_build_filename (sdir, cname, NULL);
  g_autoptr(EcSecret) root_sk = NULL;
  g_autoptr(EcSecret) sk = NULL;
  g_autoptr(GBytes) bytes = NULL;
  guint8 root_pk[EC_SIGN_PUBLIC_BYTES], root_pk_file[EC_SIGN_PUBLIC_BYTES];
  EcStationCert cert = { 0 };
  gint64 valid_to = valid_from + (gint64) valid_days * 86400;

  if (station_id == 0 || name == NULL || !station_name_ok (name, strlen (name))
      || valid_from < 0 || valid_days == 0 || valid_to > G_MAXUINT32)
    {
      g_set_error (error, EC_KEY_ERROR, EC_KEY_ERROR_FORMAT,
                   _("a station needs an id 1..65535, a name of 1..%d bytes without control "
                     "characters, and a validity within the year 2106"), EC_STATION_NAME_MAX);
      return FALSE;
    }
  if (g_file_test (key_path, G_FILE_TEST_EXISTS) || g_file_test (cert_path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, EC_KEY_ERROR, EC_KEY_ERROR_IO,
                   _("station %u already has a key in %s (refusing to overwrite)"), station_id, sdir);
      return FALSE;
    }
  if (!pub_read (root_pub, root_pk_file, error))
    return FALSE;
  if (!eks_read (root_key, EKS_KIND_ROOT, 0, root_passphrase, &root_sk, root_pk, error))
    return FALSE;
  if (memcmp (root_pk, root_pk_file, sizeof root_pk) != 0)
    {
      g_set_error (error, EC_KEY_ERROR, EC_KEY_ERROR_FORMAT,
                   _("%s and %s do not belong together"), root_key, root_pub);
      return FALSE;
    }
  if (!make_dir (sdir, 0700, error))
    return FALSE;
  cert.station_id = station_id;
  cert.name = (char *) name;
  if (!ec_crypto_sign_keypair (&sk, cert.pk, NULL, error))
    return FALSE;
  cert.kid = ec_crypto_key_id (cert.pk);
  cert.valid_from = valid_from;
  cert.valid_to = valid_to;
  cert.root_kid = ec_crypto_key_id (root_pk);
  bytes = cert_serialise (&cert, root_sk, error);
  if (bytes == NULL)
    return FALSE;
  if (!eks_write (key_path, EKS_KIND_STATION, station_id, sk, station_passphrase, error))
    return FALSE;
  if (!write_new_file (cert_path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), 0644,
                       error))
    {
      g_unlink (key_path);
      return FALSE;
    }
  return TRUE;
}

static gboolean
copy_file (const char *from,
           const char *to,
           gboolean    secret,
           GError    **error)
{
  g_autoptr(EcSecret) data = read_file (from, 4096, secret ? FILE_SECRET : FILE_PUBLIC, error);

  if (data == NULL)
    return FALSE;
  return write_new_file (to, data->data, data->len, secret ? 0600 : 0644, error);
}

gboolean
ec_kiosk_bundle_export (const char *keydir,
                        const char *outdir,
                        gboolean    with_read_keys,
                        GError    **error)
{
  g_autofree char *cdir = g_build_filename (keydir, "community", NULL);
  g_autofree char *sdir = g_build_filename (keydir, "stations", NULL);
  g_autofree char *ocdir = g_build_filename (outdir, "community", NULL);
  g_autofree char *osdir = g_build_filename (outdir, "stations", NULL);
  g_autofree char *root_pub = g_build_filename (cdir, "root.pub", NULL);
  g_autofree char *oroot_pub = g_build_filename (ocdir, "root.pub", NULL);
  g_autoptr(EcKeyring) ring = NULL;
  g_autoptr(GDir) d = NULL;
  const char *name;

  /* Load first: never export a bundle a kiosk would refuse. */
  ring = ec_keyring_load (keydir, error);
  if (ring == NULL)
    return FALSE;
  if (!make_dir (ocdir, 0700, error) || !make_dir (osdir, 0700, error))
    return FALSE;
  if (!copy_file (root_pub, oroot_pub, FALSE, error))
    return FALSE;
  d = g_dir_open (sdir, 0, NULL);
  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (name, ".cert"))
      {
        g_autofree char *from = g_build_filename (sdir, name, NULL);
        g_autofree char *to = g_build_filename (osdir, name, NULL);
        if (!copy_file (from, to, FALSE, error))
          return FALSE;
      }
  if (with_read_keys)
    {
      g_autoptr(GDir) cd = g_dir_open (cdir, 0, error);
      if (cd == NULL)
        return FALSE;
      while ((name = g_dir_read_name (cd)) != NULL)
        if (g_str_equal (name, "read.key")
            || (g_str_has_prefix (name, "read-") && g_str_has_suffix (name, ".key")))
          {
            g_autofree char *from = g_build_filename (cdir, name, NULL);
            g_autofree char *to = g_build_filename (ocdir, name, NULL);
            if (!copy_file (from, to, TRUE, error))
              return FALSE;
          }
    }
  return TRUE;
}

/* ---- station keys ------------------------------------------------------------------- */

void
ec_station_key_free (EcStationKey *key)
{
  if (key == NULL)
    return;
  ec_station_cert_free (key->cert);
  ec_secret_free (key->sk);
  g_free (key);
}

EcStationKey *
ec_station_key_unlock_files (const char     *key_path,
                             const char     *cert_path,
                             const char     *root_pub_path,
                             const EcSecret *passphrase,
                             GError        **error)
{
  g_autoptr(EcStationKey) key = g_new0 (EcStationKey, 1);
  guint8 root_pk[EC_SIGN_PUBLIC_BYTES], pk[EC_SIGN_PUBLIC_BYTES];

  if (!pub_read (root_pub_path, root_pk, error))
    return NULL;
  key->cert = cert_load (cert_path, root_pk, error);
  if (key->cert == NULL)
    return NULL;
  if (!eks_read (key_path, EKS_KIND_STATION, key->cert->station_id, passphrase, &key->sk, pk,
                 error))
    return NULL;
  if (memcmp (pk, key->cert->pk, sizeof pk) != 0)
    {
      g_set_error (error, EC_KEY_ERROR, EC_KEY_ERROR_NOT_CERTIFIED,
                   _("%s is not the key certified by %s"), key_path, cert_path);
      return NULL;
    }
  return g_steal_pointer (&key);
}

EcStationKey *
ec_station_key_unlock (const char     *keydir,
                       guint16         station_id,
                       const EcSecret *passphrase,
                       GError        **error)
{
  g_autofree char *kname = g_strdup_printf ("%u.key", station_id);
  g_autofree char *cname = g_strdup_printf ("%u.cert", station_id);
  g_autofree char *key_path = g_build_filename (keydir, "stations", kname, NULL);
  g_autofree char *cert_path = g_build_filename (keydir, "stations", cname, NULL);
  g_autofree char *root_pub = g_build_filename (keydir, "community", "root.pub", NULL);

  return ec_station_key_unlock_files (key_path, cert_path, root_pub, passphrase, error);
}

/* ---- keyring ------------------------------------------------------------------------ */

struct _EcKeyring
{
  guint8     root_pk[EC_SIGN_PUBLIC_BYTES];
  GPtrArray *certs;       /* EcStationCert */
  GPtrArray *read_keys;   /* EcReadKey */
  EcReadKey *current;     /* in read_keys, or NULL */
};

EcKeyring *
ec_keyring_new (const guint8 root_pk[EC_SIGN_PUBLIC_BYTES])
{
  EcKeyring *ring = g_new0 (EcKeyring, 1);

  memcpy (ring->root_pk, root_pk, EC_SIGN_PUBLIC_BYTES);
  ring->certs = g_ptr_array_new_with_free_func ((GDestroyNotify) ec_station_cert_free);
  ring->read_keys = g_ptr_array_new_with_free_func ((GDestroyNotify) ec_read_key_free);
  return ring;
}

void
ec_keyring_free (EcKeyring *ring)
{
  if (ring == NULL)
    return;
  g_ptr_array_unref (ring->certs);
  g_ptr_array_unref (ring->read_keys);
  g_free (ring);
}

void
ec_keyring_add_cert (EcKeyring           *ring,
                     const EcStationCert *cert)
{
  g_ptr_array_add (ring->certs, ec_station_cert_copy (cert));
}

void
ec_keyring_add_read_key (EcKeyring *ring,
                         EcReadKey *key)
{
  if (ring->read_keys->len == 0)
    ring->current = key;
  g_ptr_array_add (ring->read_keys, key);
}

static gint
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

EcKeyring *
ec_keyring_load (const char *dir,
                 GError    **error)
{
  g_autofree char *cdir = g_build_filename (dir, "community", NULL);
  g_autofree char *sdir = g_build_filename (dir, "stations", NULL);
  g_autofree char *root_pub = g_build_filename (cdir, "root.pub", NULL);
  g_autofree char *read_path = g_build_filename (cdir, "read.key", NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(EcKeyring) ring = NULL;
  g_autoptr(GDir) sd = NULL;
  g_autoptr(GDir) cd = NULL;
  guint8 root_pk[EC_SIGN_PUBLIC_BYTES];
  const char *name;

  if (!pub_read (root_pub, root_pk, error))
    return NULL;
  ring = ec_keyring_new (root_pk);

  sd = g_dir_open (sdir, 0, NULL);
  while (sd != NULL && (name = g_dir_read_name (sd)) != NULL)
    if (g_str_has_suffix (name, ".cert"))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (sdir, names->pdata[i], NULL);
      EcStationCert *cert = cert_load (path, root_pk, error);
      if (cert == NULL)
        return NULL;
      /* Equal key ids must mean the same key (and station): a second certificate
       * for another key under a colliding id is refused, not chosen by file name. */
      for (guint j = 0; j < ring->certs->len; j++)
        {
          const EcStationCert *other = ring->certs->pdata[j];
          if (other->kid == cert->kid
              && (memcmp (other->pk, cert->pk, EC_SIGN_PUBLIC_BYTES) != 0
                  || other->station_id != cert->station_id))
            {
              g_set_error (error, EC_KEY_ERROR, EC_KEY_ERROR_FORMAT,
                           _("%s certifies another key or station under key id %08x than an "
                             "earlier certificate; remove the wrong one"),
                           path, (guint) cert->kid);
              ec_station_cert_free (cert);
              return NULL;
            }
        }
      g_ptr_array_add (ring->certs, cert);
    }

  if (g_file_test (read_path, G_FILE_TEST_EXISTS))
    {
      EcReadKey *rk = ec_read_key_load (read_path, error);
      if (rk == NULL)
        return NULL;
      ec_keyring_add_read_key (ring, rk);
    }
  g_ptr_array_set_size (names, 0);
  cd = g_dir_open (cdir, 0, NULL);
  while (cd != NULL && (name = g_dir_read_name (cd)) != NULL)
    if (g_str_has_prefix (name, "read-") && g_str_has_suffix (name, ".key"))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (cdir, names->pdata[i], NULL);
      EcReadKey *rk = ec_read_key_load (path, error);
      if (rk == NULL)
        return NULL;
      /* A kiosk with only old keys should not encrypt: only read.key is current. */
      g_ptr_array_add (ring->read_keys, rk);
    }
  return g_steal_pointer (&ring);
}

const guint8 *
ec_keyring_root_pk (const EcKeyring *ring)
{
  return ring->root_pk;
}

const EcStationCert *
ec_keyring_find_cert_at (const EcKeyring *ring,
                         guint32          kid,
                         gint64           when)
{
  const EcStationCert *best = NULL;
  gboolean best_valid = FALSE;

  /* Several certificates may certify one key (a renewal keeps the key and gets a new
   * validity). Never the first in directory order: the one valid at @when with the
   * latest not-before; when none is valid then, the one that ends last. */
  for (guint i = 0; i < ring->certs->len; i++)
    {
      const EcStationCert *c = ring->certs->pdata[i];
      gboolean valid;

      if (c->kid != kid)
        continue;
      valid = c->valid_from <= when && when <= c->valid_to;
      if (best == NULL
          || (valid && !best_valid)
          || (valid && best_valid && c->valid_from > best->valid_from)
          || (!valid && !best_valid && c->valid_to > best->valid_to))
        {
          best = c;
          best_valid = valid;
        }
    }
  return best;
}

const EcStationCert *
ec_keyring_find_cert (const EcKeyring *ring,
                      guint32          kid)
{
  return ec_keyring_find_cert_at (ring, kid, g_get_real_time () / G_USEC_PER_SEC);
}

const EcReadKey *
ec_keyring_find_read_key (const EcKeyring *ring,
                          guint32          enc_kid)
{
  for (guint i = 0; i < ring->read_keys->len; i++)
    {
      const EcReadKey *k = ring->read_keys->pdata[i];
      if (k->kid == enc_kid)
        return k;
    }
  return NULL;
}

const EcReadKey *
ec_keyring_current_read_key (const EcKeyring *ring)
{
  return ring->current;
}

guint
ec_keyring_n_certs (const EcKeyring *ring)
{
  return ring->certs->len;
}

guint
ec_keyring_n_read_keys (const EcKeyring *ring)
{
  return ring->read_keys->len;
}
