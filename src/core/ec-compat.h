/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-compat.h: automatic cleanup for the foreign handles we use. */
#pragma once

#include <glib.h>
#include <sqlite3.h>
#include <nfc/nfc.h>

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (nfc_context, nfc_exit)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (nfc_device, nfc_close)
