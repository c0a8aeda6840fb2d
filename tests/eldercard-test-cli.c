/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The `eldercard` command for shell tests: the product's objects linked with this
 * file, whose ec_kdf_policy() makes keys and PIN hashes at Argon2id's minimum cost
 * so the suites stay fast. Built as build/tests/eldercard-test (never installed);
 * the installed build/eldercard has no such switch and refuses what this one makes. */
#include "ec-test-kdf.h"

/* Runs before main(): the policy is the fast one for the whole process. */
__attribute__ ((constructor)) static void
ec_test_cli_fast (void)
{
  ec_test_fast_kdf (TRUE);
}
