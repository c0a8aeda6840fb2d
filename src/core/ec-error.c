/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ec-error"

#include "ec-error.h"

G_DEFINE_QUARK (ec-card-error-quark, ec_card_error)
G_DEFINE_QUARK (ec-key-error-quark, ec_key_error)
G_DEFINE_QUARK (ec-db-error-quark, ec_db_error)
G_DEFINE_QUARK (ec-reader-error-quark, ec_reader_error)
G_DEFINE_QUARK (ec-import-error-quark, ec_import_error)
