/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The Makefile defines it for normal builds; the libFuzzer build (make fuzz) does
 * not, so give it the same value here. */
#ifndef GETTEXT_PACKAGE
#define GETTEXT_PACKAGE "eldercard"
#endif

#include <glib/gi18n-lib.h>
