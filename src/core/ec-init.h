/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Initialise the core library: libsodium (fatal if it cannot start) and gettext.
 * Safe to call more than once. */
void ec_init (void);

G_END_DECLS
