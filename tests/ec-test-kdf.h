/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-test-kdf.h: a cheap Argon2id policy for test programs only.
 *
 * Include it in exactly one file of a test program. It defines ec_kdf_policy(), which
 * the linker then takes instead of the library's (src/core/ec-kdf-policy.c), so the
 * switch exists in test binaries and nowhere else. ec_test_fast_kdf (TRUE) makes new
 * key files and PIN hashes use Argon2id's minimum (1 pass, 8 KiB) and accepts them when
 * read; ec_test_fast_kdf (FALSE) is the product's policy exactly. */
#pragma once

#include "ec-crypto.h"

#include <sodium.h>

static gboolean ec_test_kdf_fast_on;

static inline void
ec_test_fast_kdf (gboolean on)
{
  ec_test_kdf_fast_on = on;
}

const EcKdfPolicy *
ec_kdf_policy (void)
{
  static const EcKdfPolicy fast = {
    .key_ops = crypto_pwhash_argon2id_OPSLIMIT_MIN,
    .key_mem = crypto_pwhash_argon2id_MEMLIMIT_MIN,
    .pin_ops = crypto_pwhash_argon2id_OPSLIMIT_MIN,
    .pin_mem = crypto_pwhash_argon2id_MEMLIMIT_MIN,
    .min_ops = crypto_pwhash_argon2id_OPSLIMIT_MIN,
    .min_mem = crypto_pwhash_argon2id_MEMLIMIT_MIN,
  };
  return ec_test_kdf_fast_on ? &fast : ec_kdf_policy_product ();
}
