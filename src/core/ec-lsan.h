/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-lsan.h: pause LeakSanitizer around one library call whose leak is not ours.
 *
 * Cairo 1.16 (Debian bookworm) leaks a CID-keyed CFF font subset per embedded CJK font
 * (Noto Sans CJK) inside cairo_surface_finish() of a PDF surface. The card face and the
 * handover sheet pause leak checking around that one call in sanitizer builds, so
 * LeakSanitizer reports our leaks, not that one. Elsewhere the macros do nothing. */
#pragma once

#if defined(__SANITIZE_ADDRESS__)
# define EC_LSAN 1
#elif defined(__has_feature)
# if __has_feature(address_sanitizer)
#  define EC_LSAN 1
# endif
#endif

#ifdef EC_LSAN
# include <sanitizer/lsan_interface.h>
# define LSAN_PAUSE() __lsan_disable ()
# define LSAN_RESUME() __lsan_enable ()
#else
# define LSAN_PAUSE() do { } while (0)
# define LSAN_RESUME() do { } while (0)
#endif
