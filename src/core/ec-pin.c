/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ec-pin"

#include "ec-pin.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sodium.h>

#include "ec-crypto.h"
#include "ec-error.h"
#include "ec-file.h"
#include "ec-i18n.h"
#include "ec-init.h"

G_DEFINE_QUARK (ec-staff-error-quark, ec_staff_error)

struct _EcPepper
{
  guint8 *key;    /* EC_PEPPER_BYTES, sodium_malloc, read-only while held */
};

/* BLAKE2b personalisation: exactly crypto_generichash_blake2b_PERSONALBYTES (16). */
static const unsigned char pin_personal[crypto_generichash_blake2b_PERSONALBYTES] =
  { 'e', 'l', 'd', 'e', 'r', 'c', 'a', 'r', 'd', '-', 'p', 'i', 'n', '-', 'v', '1' };

/* ---- pepper ---------------------------------------------------------------- */

static EcPepper *
pepper_alloc (void)
{
  EcPepper *pepper;
  guint8 *key;

  ec_init ();
  key = sodium_malloc (EC_PEPPER_BYTES);
  if (key == NULL)
    g_error ("sodium_malloc failed for the device pepper");
  pepper = g_new0 (EcPepper, 1);
  pepper->key = key;
  return pepper;
}

static void
pepper_seal (EcPepper *pepper)
{
  /* Read-only from here on; a failure only loses the extra protection. */
  if (sodium_mprotect_readonly (pepper->key) != 0)
    g_debug ("sodium_mprotect_readonly failed: %s", g_strerror (errno));
}

EcPepper *
ec_pepper_new_from_data (const guint8 *data,
                         gsize         len)
{
  EcPepper *pepper;

  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (len == EC_PEPPER_BYTES, NULL);

  pepper = pepper_alloc ();
  memcpy (pepper->key, data, EC_PEPPER_BYTES);
  pepper_seal (pepper);
  return pepper;
}

void
ec_pepper_free (EcPepper *pepper)
{
  if (pepper == NULL)
    return;
  /* sodium_free makes the region writable again and zeroes it before unmapping. */
  sodium_free (pepper->key);
  g_free (pepper);
}

const guint8 *
ec_pepper_get_key (const EcPepper *pepper)
{
  g_return_val_if_fail (pepper != NULL, NULL);
  return pepper->key;
}

static gboolean
read_all (int       fd,
          guint8   *buf,
          gsize     len,
          gsize    *out_read)
{
  gsize done = 0;

  while (done < len)
    {
      ssize_t n = read (fd, buf + done, len - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return FALSE;
      if (n == 0)
        break;
      done += (gsize) n;
    }
  *out_read = done;
  return TRUE;
}

static gboolean
write_all (int           fd,
           const guint8 *buf,
           gsize         len)
{
  gsize done = 0;

  while (done < len)
    {
      ssize_t n = write (fd, buf + done, len - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      done += (gsize) n;
    }
  return TRUE;
}

/* Open and read an existing pepper file. Returns NULL with errno-style ENOENT in
 * @out_missing when it does not exist. */
static EcPepper *
pepper_read (const char *path,
             gboolean   *out_missing,
             GError    **error)
{
  g_autoptr(EcPepper) pepper = NULL;
  struct stat st;
  guint8 extra;
  gsize got = 0;
  int fd;

  *out_missing = FALSE;
  {
    g_autoptr(GError) local = NULL;
    /* Non-blocking open, regular files only: a FIFO in its place is refused at once. */
    fd = ec_file_open_regular (path, EC_FILE_NOFOLLOW, &st, &local);
    if (fd < 0 && g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_INVAL))
      {
        g_set_error (error, EC_KEY_ERROR, EC_KEY_ERROR_FORMAT,
                     _("The PIN pepper file %s is not a regular file"), path);
        return NULL;
      }
    errno = fd < 0 && g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT) ? ENOENT : EIO;
  }
  if (fd < 0)
    {
      int saved = errno;
      if (saved == ENOENT)
        {
          *out_missing = TRUE;
          g_set_error (error, EC_KEY_ERROR, EC_KEY_ERROR_NOT_FOUND,
                       _("The PIN pepper file %s does not exist; create it with "
                         "“eldercard pepper init”"), path);
          return NULL;
        }
      g_set_error (error, EC_KEY_ERROR, EC_KEY_ERROR_IO,
                   _("Cannot open the PIN pepper file %s: %s"), path, g_strerror (saved));
      return NULL;
    }
  if ((st.st_mode & 077) != 0)
    {
      close (fd);
      g_set_error (error, EC_KEY_ERROR, EC_KEY_ERROR_PERMISSIONS,
                   _("The PIN pepper file %s can be read or written by other users "
                     "(mode %04o); refusing to use it. Fix it with: chmod 600 %s"),
                   path, (unsigned) (st.st_mode & 07777), path);
      return NULL;
    }
  if (st.st_size != EC_PEPPER_BYTES)
    {
      close (fd);
      g_set_error (error, EC_KEY_ERROR, EC_KEY_ERROR_FORMAT,
                   _("The PIN pepper file %s has %lld bytes, expected %d: it is not a "
                     "pepper file or it is damaged"),
                   path, (long long) st.st_size, EC_PEPPER_BYTES);
      return NULL;
    }

  pepper = pepper_alloc ();
  if (!read_all (fd, pepper->key, EC_PEPPER_BYTES, &got) || got != EC_PEPPER_BYTES
      || !read_all (fd, &extra, 1, &got) || got != 0)
    {
      int saved = errno;
      close (fd);
      g_set_error (error, EC_KEY_ERROR, EC_KEY_ERROR_FORMAT,
                   _("Cannot read the PIN pepper file %s: %s"), path,
                   saved != 0 ? g_strerror (saved) : _("unexpected length"));
      return NULL;
    }
  close (fd);
  pepper_seal (pepper);
  return g_steal_pointer (&pepper);
}

EcPepper *
ec_pepper_load (const char *path,
                GError    **error)
{
  gboolean missing = FALSE;

  g_return_val_if_fail (path != NULL, NULL);
  ec_init ();
  return pepper_read (path, &missing, error);
}

/* Write a fresh pepper to @path without ever clobbering an existing one: a temporary
 * file in the same directory is written, synced and then hard-linked into place
 * (link() fails if @path appeared meanwhile; then that one is used). */
static gboolean
pepper_create (const char *path,
               GError    **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *tmp = NULL;
  guint8 *key;
  gboolean ok;
  int fd;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, EC_KEY_ERROR, EC_KEY_ERROR_IO,
                   _("Cannot create the directory %s: %s"), dir, g_strerror (saved));
      return FALSE;
    }
  tmp = g_strdup_printf ("%s.tmp-%d-%u", path, (int) getpid (), randombytes_random ());
  fd = open (tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, EC_KEY_ERROR, EC_KEY_ERROR_IO,
                   _("Cannot create the PIN pepper file %s: %s"), path, g_strerror (saved));
      return FALSE;
    }
  /* A umask cannot widen 0600, but make sure of the mode whatever the umask. */
  key = sodium_malloc (EC_PEPPER_BYTES);
  if (key == NULL)
    g_error ("sodium_malloc failed for the device pepper");
  randombytes_buf (key, EC_PEPPER_BYTES);
  ok = fchmod (fd, 0600) == 0 && write_all (fd, key, EC_PEPPER_BYTES) && fsync (fd) == 0;
  sodium_free (key);
  if (close (fd) != 0)
    ok = FALSE;
  if (!ok)
    {
      int saved = errno;
      unlink (tmp);
      g_set_error (error, EC_KEY_ERROR, EC_KEY_ERROR_IO,
                   _("Cannot write the PIN pepper file %s: %s"), path, g_strerror (saved));
      return FALSE;
    }
  if (link (tmp, path) != 0 && errno != EEXIST)
    {
      int saved = errno;
      unlink (tmp);
      g_set_error (error, EC_KEY_ERROR, EC_KEY_ERROR_IO,
                   _("Cannot create the PIN pepper file %s: %s"), path, g_strerror (saved));
      return FALSE;
    }
  unlink (tmp);

  /* Make the new directory entry durable. */
  fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0)
    {
      if (fsync (fd) != 0)
        g_debug ("fsync %s: %s", dir, g_strerror (errno));
      close (fd);
    }
  return TRUE;
}

EcPepper *
ec_pepper_load_or_create (const char *path,
                          GError    **error)
{
  GError *local = NULL;
  gboolean missing = FALSE;
  EcPepper *pepper;

  g_return_val_if_fail (path != NULL, NULL);
  ec_init ();

  pepper = pepper_read (path, &missing, &local);
  if (pepper != NULL || !missing)
    {
      if (local != NULL)
        g_propagate_error (error, local);
      return pepper;
    }
  g_clear_error (&local);
  if (!pepper_create (path, error))
    return NULL;
  return pepper_read (path, &missing, error);
}

/* ---- PIN policy --------------------------------------------------------------- */

/* The most common PINs that the structural rules below do not already catch
 * (keypad patterns and Chinese number puns: 520 = 我爱你, 1314 = 一生一世). */
static const char *const common_pins[] = {
  "112233", "123321", "147258", "147258369", "147369", "159357", "159753", "258369",
  "369258", "741852", "852963", "789456", "456789123", "5201314", "1314520", "520131",
  "131452", "110110", "110120", "119119", "100200", "102030", "123654", "654123",
  "135790", "246810", "111222", "112211", "121314", "199999", "200000", "888999",
  "168168", "168888", "666888", "888666", "518518", "987654321",
  NULL
};

static gboolean
is_run (const char *pin,
        gsize       len,
        int         step)
{
  for (gsize i = 1; i < len; i++)
    if (((pin[i - 1] - '0') + step + 10) % 10 != pin[i] - '0')
      return FALSE;
  return TRUE;
}

static gboolean
is_repeated_block (const char *pin,
                   gsize       len)
{
  for (gsize block = 1; block <= len / 2; block++)
    {
      gboolean repeats = TRUE;

      if (len % block != 0)
        continue;
      for (gsize i = block; i < len && repeats; i++)
        if (pin[i] != pin[i - block])
          repeats = FALSE;
      if (repeats)
        return TRUE;
    }
  return FALSE;
}

gboolean
ec_pin_check_policy (const char *pin,
                     GError    **error)
{
  gsize len;

  if (pin == NULL || *pin == '\0')
    {
      g_set_error_literal (error, EC_STAFF_ERROR, EC_STAFF_ERROR_WEAK_PIN,
                           _("The PIN is empty"));
      return FALSE;
    }
  len = strlen (pin);
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isdigit (pin[i]))
      {
        g_set_error_literal (error, EC_STAFF_ERROR, EC_STAFF_ERROR_WEAK_PIN,
                             _("A PIN may only contain the digits 0–9"));
        return FALSE;
      }
  if (len < EC_PIN_MIN_DIGITS)
    {
      g_set_error (error, EC_STAFF_ERROR, EC_STAFF_ERROR_WEAK_PIN,
                   _("The PIN is too short: use at least %d digits"), EC_PIN_MIN_DIGITS);
      return FALSE;
    }
  if (len > EC_PIN_MAX_DIGITS)
    {
      g_set_error (error, EC_STAFF_ERROR, EC_STAFF_ERROR_WEAK_PIN,
                   _("The PIN is too long: use at most %d digits"), EC_PIN_MAX_DIGITS);
      return FALSE;
    }
  if (is_run (pin, len, 1) || is_run (pin, len, -1))
    {
      g_set_error_literal (error, EC_STAFF_ERROR, EC_STAFF_ERROR_WEAK_PIN,
                           _("The PIN is too easy to guess: digits counting up or down "
                             "(like 123456) are not allowed"));
      return FALSE;
    }
  if (is_repeated_block (pin, len))
    {
      g_set_error_literal (error, EC_STAFF_ERROR, EC_STAFF_ERROR_WEAK_PIN,
                           _("The PIN is too easy to guess: a repeated digit or pattern "
                             "(like 000000 or 121212) is not allowed"));
      return FALSE;
    }
  for (gsize i = 0; common_pins[i] != NULL; i++)
    if (strcmp (pin, common_pins[i]) == 0)
      {
        g_set_error_literal (error, EC_STAFF_ERROR, EC_STAFF_ERROR_WEAK_PIN,
                             _("The PIN is one of the most common PINs; choose another"));
        return FALSE;
      }
  return TRUE;
}

/* ---- hashing -------------------------------------------------------------- */

static void
kdf_limits (unsigned long long *ops,
            gsize              *mem)
{
  const EcKdfPolicy *policy = ec_kdf_policy ();

  *ops = (unsigned long long) policy->pin_ops;
  *mem = (gsize) policy->pin_mem;
}

/* The peppered PIN: keyed BLAKE2b-256(pin), into sodium_malloc memory. */
static guint8 *
pepper_pin (const char     *pin,
            const EcPepper *pepper,
            GError        **error)
{
  guint8 *out = sodium_malloc (crypto_generichash_blake2b_BYTES);

  if (out == NULL)
    {
      g_set_error_literal (error, EC_STAFF_ERROR, EC_STAFF_ERROR_CRYPTO,
                           _("Out of secure memory"));
      return NULL;
    }
  if (crypto_generichash_blake2b_salt_personal (out, crypto_generichash_blake2b_BYTES,
                                                (const unsigned char *) pin, strlen (pin),
                                                pepper->key, EC_PEPPER_BYTES,
                                                NULL, pin_personal) != 0)
    {
      sodium_free (out);
      g_set_error_literal (error, EC_STAFF_ERROR, EC_STAFF_ERROR_CRYPTO,
                           _("Cannot pepper the PIN (BLAKE2b failed)"));
      return NULL;
    }
  return out;
}

char *
ec_pin_hash (const char     *pin,
             const EcPepper *pepper,
             GError        **error)
{
  char out[crypto_pwhash_argon2id_STRBYTES];
  unsigned long long ops;
  gsize mem;
  guint8 *peppered;
  int rc;

  g_return_val_if_fail (pin != NULL, NULL);
  g_return_val_if_fail (pepper != NULL, NULL);

  if (!ec_pin_check_policy (pin, error))
    return NULL;
  peppered = pepper_pin (pin, pepper, error);
  if (peppered == NULL)
    return NULL;
  kdf_limits (&ops, &mem);
  rc = crypto_pwhash_argon2id_str (out, (const char *) peppered,
                                   crypto_generichash_blake2b_BYTES, ops, mem);
  sodium_free (peppered);
  if (rc != 0)
    {
      g_set_error_literal (error, EC_STAFF_ERROR, EC_STAFF_ERROR_CRYPTO,
                           _("Cannot hash the PIN: Argon2id failed (out of memory?)"));
      return NULL;
    }
  return g_strdup (out);
}

gboolean
ec_pin_check_hash (const char *hash,
                   GError    **error)
{
  if (hash == NULL || strnlen (hash, crypto_pwhash_argon2id_STRBYTES) >= crypto_pwhash_argon2id_STRBYTES
      || !g_str_has_prefix (hash, crypto_pwhash_argon2id_STRPREFIX))
    {
      g_set_error_literal (error, EC_STAFF_ERROR, EC_STAFF_ERROR_CRYPTO,
                           _("The stored PIN hash is damaged; an administrator must set a new PIN"));
      return FALSE;
    }
  /* A hash below the least accepted cost was not made by this program (or was made
   * by a test build): refuse it rather than check PINs against it. */
  if (!ec_crypto_pwhash_str_cost_ok (hash))
    {
      g_set_error_literal (error, EC_STAFF_ERROR, EC_STAFF_ERROR_CRYPTO,
                           _("The stored PIN hash uses a weaker Argon2id cost than this program "
                             "accepts; an administrator must set a new PIN"));
      return FALSE;
    }
  return TRUE;
}

gboolean
ec_pin_verify (const char     *hash,
               const char     *pin,
               const EcPepper *pepper,
               gboolean       *out_needs_rehash,
               GError        **error)
{
  unsigned long long ops;
  gsize mem;
  guint8 *peppered;
  int rc;

  g_return_val_if_fail (pin != NULL, FALSE);
  g_return_val_if_fail (pepper != NULL, FALSE);

  if (out_needs_rehash != NULL)
    *out_needs_rehash = FALSE;
  if (!ec_pin_check_hash (hash, error))
    return FALSE;
  /* The length bound also rejects PINs the policy would never have hashed, without
   * spending Argon2id on them. */
  if (strlen (pin) > EC_PIN_MAX_DIGITS)
    {
      g_set_error_literal (error, EC_STAFF_ERROR, EC_STAFF_ERROR_WRONG_PIN,
                           _("Wrong PIN"));
      return FALSE;
    }
  peppered = pepper_pin (pin, pepper, error);
  if (peppered == NULL)
    return FALSE;
  rc = crypto_pwhash_argon2id_str_verify (hash, (const char *) peppered,
                                          crypto_generichash_blake2b_BYTES);
  sodium_free (peppered);
  if (rc != 0)
    {
      g_set_error_literal (error, EC_STAFF_ERROR, EC_STAFF_ERROR_WRONG_PIN, _("Wrong PIN"));
      return FALSE;
    }
  if (out_needs_rehash != NULL)
    {
      kdf_limits (&ops, &mem);
      rc = crypto_pwhash_argon2id_str_needs_rehash (hash, ops, mem);
      /* -1 (unparsable) cannot happen after a successful verify; treat it as "rehash". */
      *out_needs_rehash = rc != 0;
    }
  return TRUE;
}

/* ---- lockout ------------------------------------------------------------------ */

gint64
ec_pin_lockout_delay (guint failures)
{
  guint doublings;
  gint64 delay;

  if (failures < EC_PIN_FREE_ATTEMPTS)
    return 0;
  doublings = failures - EC_PIN_FREE_ATTEMPTS;
  if (doublings >= 10)
    return EC_PIN_MAX_DELAY;
  delay = (gint64) EC_PIN_FIRST_DELAY << doublings;
  return MIN (delay, EC_PIN_MAX_DELAY);
}

gint64
ec_pin_lockout_remaining (guint  failures,
                          gint64 last_failure,
                          gint64 now)
{
  gint64 delay = ec_pin_lockout_delay (failures);
  gint64 remaining;

  if (delay == 0)
    return 0;
  if (now < last_failure)   /* clock went backwards: wait the delay, never longer */
    return delay;
  remaining = delay - (now - last_failure);
  return remaining > 0 ? remaining : 0;
}
