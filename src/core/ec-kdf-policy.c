/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-kdf-policy.c: the Argon2id policy of installed programs.
 *
 * Alone in its file on purpose: a test program that defines its own ec_kdf_policy()
 * (tests/ec-test-kdf.h) links before the library, so this object is never pulled
 * into it, while every installed program gets exactly this one. There is no
 * environment variable, option or configuration key that changes it. */
#include "ec-crypto.h"

const EcKdfPolicy *
ec_kdf_policy (void)
{
  return ec_kdf_policy_product ();
}
