/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-pin.h: staff PINs, the device pepper and the lockout policy
 * (docs/station-guide.md, card-security.md §3.5).
 *
 * A staff PIN is 6 to 12 decimal digits. Before it is hashed it is *peppered*: keyed
 * BLAKE2b-256 with a 32-byte device secret (the pepper) that lives in a key file outside
 * the database. The 32-byte result is then hashed with Argon2id (`crypto_pwhash_str`,
 * OPSLIMIT_INTERACTIVE / MEMLIMIT_INTERACTIVE: 2 passes, 64 MiB). Someone who steals the
 * database alone cannot brute-force the 10^6 PIN space offline, because every guess
 * needs the pepper.
 *
 * The cost comes from ec_kdf_policy() (ec-crypto.h); a stored hash cheaper than the
 * policy's minimum (INTERACTIVE) is refused when it is read. Test programs link a
 * cheaper policy of their own; installed programs have no way to lower it.
 *
 * Lockout policy: the first EC_PIN_FREE_ATTEMPTS (5) wrong PINs in a row cost nothing.
 * From the 5th failure on, sign-in is refused until a delay has passed since the last
 * failure: 30 s after the 5th, then doubling with each further failure (60 s, 2 min,
 * 4 min, 8 min) and capped at 15 min. A correct PIN resets the count. The functions
 * below are pure so they can be tested without a clock. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define EC_STAFF_ERROR (ec_staff_error_quark ())

typedef enum
{
  EC_STAFF_ERROR_WEAK_PIN,      /* PIN refused by the policy (too short, not digits, trivial) */
  EC_STAFF_ERROR_WRONG_PIN,     /* PIN does not match */
  EC_STAFF_ERROR_LOCKED_OUT,    /* too many wrong PINs; wait and retry */
  EC_STAFF_ERROR_NOT_FOUND,     /* no such staff account */
  EC_STAFF_ERROR_EXISTS,        /* a staff account with this id already exists */
  EC_STAFF_ERROR_INVALID,       /* bad id, name or role */
  EC_STAFF_ERROR_CRYPTO,        /* libsodium failed (out of memory for Argon2id …) */
  EC_STAFF_ERROR_NOT_SIGNED_IN, /* the session ended (signed out or timed out) */
  EC_STAFF_ERROR_NOT_ALLOWED,   /* the role may not do this */
} EcStaffError;

GQuark ec_staff_error_quark (void);

#define EC_PIN_MIN_DIGITS      6
#define EC_PIN_MAX_DIGITS      12
#define EC_PEPPER_BYTES        32
#define EC_PEPPER_FILE_NAME    "pin-pepper.key"   /* in the key directory */
#define EC_PIN_FREE_ATTEMPTS   5     /* wrong PINs allowed before the first delay */
#define EC_PIN_FIRST_DELAY     30    /* seconds, after the 5th wrong PIN */
#define EC_PIN_MAX_DELAY       900   /* seconds: 15 minutes */

/* ---- the device pepper ------------------------------------------------------ */

/* The 32-byte device secret, held in sodium_malloc memory (guard pages, mlock'd where
 * the system allows, read-only except while being filled) and wiped on free. */
typedef struct _EcPepper EcPepper;

/* Load the pepper from @path, or create it there (32 random bytes, mode 0600, written
 * atomically) when the file does not exist. A file readable or writable by group or
 * others is refused with EC_KEY_ERROR_PERMISSIONS and a message saying how to fix it;
 * a file of the wrong size with EC_KEY_ERROR_FORMAT. */
EcPepper     *ec_pepper_load_or_create (const char     *path,
                                        GError        **error);
/* The same, but a missing file is EC_KEY_ERROR_NOT_FOUND (never created). */
EcPepper     *ec_pepper_load           (const char     *path,
                                        GError        **error);
/* A pepper from @len == EC_PEPPER_BYTES bytes the caller holds (tests, key import). */
EcPepper     *ec_pepper_new_from_data  (const guint8   *data,
                                        gsize           len);
void          ec_pepper_free           (EcPepper       *pepper);
/* The key bytes (EC_PEPPER_BYTES of them), inside the sodium_malloc region. */
const guint8 *ec_pepper_get_key        (const EcPepper *pepper);

/* ---- PINs ------------------------------------------------------------------- */

/* Check @pin against the policy: EC_PIN_MIN_DIGITS..EC_PIN_MAX_DIGITS ASCII digits and
 * not trivially guessable: one digit repeated (000000), a run up or down (123456,
 * 987654, also wrapping: 890123), a short block repeated (121212, 123123, 520520), or
 * one of a short list of the most common PINs (112233, 123321, 147258, 5201314 …).
 * On refusal, EC_STAFF_ERROR_WEAK_PIN with a message saying why. */
gboolean      ec_pin_check_policy      (const char     *pin,
                                        GError        **error);

/* Hash @pin (which must pass the policy) peppered with @pepper: returns the
 * crypto_pwhash_str string ("$argon2id$v=19$m=65536,t=2,p=1$…"), g_free it. */
char         *ec_pin_hash              (const char     *pin,
                                        const EcPepper *pepper,
                                        GError        **error);

/* Whether @hash is a stored PIN hash this program will check PINs against: an
 * Argon2id string at no less than the policy's minimum cost. CRYPTO otherwise. */
gboolean      ec_pin_check_hash        (const char     *hash,
                                        GError        **error);

/* Verify @pin against @hash made by ec_pin_hash with the same pepper. Returns TRUE on a
 * match; FALSE with EC_STAFF_ERROR_WRONG_PIN on a mismatch (also for a hash made with
 * another pepper). When @out_needs_rehash is given it is set to TRUE on a match whose
 * hash uses other cost parameters than the current ones: store a fresh ec_pin_hash. */
gboolean      ec_pin_verify            (const char     *hash,
                                        const char     *pin,
                                        const EcPepper *pepper,
                                        gboolean       *out_needs_rehash,
                                        GError        **error);

/* ---- lockout (pure) --------------------------------------------------------- */

/* The delay in seconds that @failures consecutive wrong PINs impose after the last
 * one: 0 for fewer than EC_PIN_FREE_ATTEMPTS, then 30, 60, 120, 240, 480, 900, 900 … */
gint64        ec_pin_lockout_delay     (guint           failures);

/* Seconds until another attempt is allowed (0 = allowed now), given the number of
 * consecutive failures, the Unix time of the last one and now. If the clock went
 * backwards the wait never exceeds the delay itself. */
gint64        ec_pin_lockout_remaining (guint           failures,
                                        gint64          last_failure,
                                        gint64          now);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EcPepper, ec_pepper_free)

G_END_DECLS
