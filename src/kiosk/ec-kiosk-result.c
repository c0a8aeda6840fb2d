/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ec-kiosk-result"

#include "ec-kiosk-result.h"

G_DEFINE_BOXED_TYPE (EcKioskResult, ec_kiosk_result, ec_kiosk_result_ref, ec_kiosk_result_unref)

EcKioskResult *
ec_kiosk_result_new (EcKioskScreen  screen,
                     EcKioskProblem problem)
{
  EcKioskResult *r = g_atomic_rc_box_new0 (EcKioskResult);

  r->screen = screen;
  r->problem = problem;
  r->started_us = g_get_monotonic_time ();
  return r;
}

EcKioskResult *
ec_kiosk_result_ref (EcKioskResult *result)
{
  g_return_val_if_fail (result != NULL, NULL);
  return g_atomic_rc_box_acquire (result);
}

static void
result_clear (gpointer data)
{
  EcKioskResult *r = data;

  g_clear_pointer (&r->resident, ec_resident_free);
  g_clear_pointer (&r->tap, ec_tap_result_free);
  g_clear_object (&r->photo);
  g_free (r->uid_hex);
  g_free (r->reason);
  g_free (r->detail);
}

void
ec_kiosk_result_unref (EcKioskResult *result)
{
  g_return_if_fail (result != NULL);
  g_atomic_rc_box_release_full (result, result_clear);
}

/* The enums' GTypes, for properties. */

#define DEFINE_ENUM_TYPE(TypeName, type_name, ...)                        \
  GType                                                                   \
  type_name##_get_type (void)                                             \
  {                                                                       \
    static gsize gtype = 0;                                               \
    static const GEnumValue values[] = { __VA_ARGS__, { 0, NULL, NULL } }; \
    if (g_once_init_enter (&gtype))                                       \
      g_once_init_leave (&gtype, g_enum_register_static (#TypeName, values)); \
    return gtype;                                                         \
  }

DEFINE_ENUM_TYPE (EcKioskScreen, ec_kiosk_screen,
                  { EC_KIOSK_SCREEN_WAITING, "EC_KIOSK_SCREEN_WAITING", "waiting" },
                  { EC_KIOSK_SCREEN_READING, "EC_KIOSK_SCREEN_READING", "reading" },
                  { EC_KIOSK_SCREEN_RECORD, "EC_KIOSK_SCREEN_RECORD", "record" },
                  { EC_KIOSK_SCREEN_PROBLEM, "EC_KIOSK_SCREEN_PROBLEM", "problem" },
                  { EC_KIOSK_SCREEN_LOOKUP, "EC_KIOSK_SCREEN_LOOKUP", "lookup" })

DEFINE_ENUM_TYPE (EcKioskProblem, ec_kiosk_problem,
                  { EC_KIOSK_PROBLEM_NONE, "EC_KIOSK_PROBLEM_NONE", "none" },
                  { EC_KIOSK_PROBLEM_NOT_GENUINE, "EC_KIOSK_PROBLEM_NOT_GENUINE", "not-genuine" },
                  { EC_KIOSK_PROBLEM_REVOKED, "EC_KIOSK_PROBLEM_REVOKED", "revoked" },
                  { EC_KIOSK_PROBLEM_LOST, "EC_KIOSK_PROBLEM_LOST", "lost" },
                  { EC_KIOSK_PROBLEM_REPLACED, "EC_KIOSK_PROBLEM_REPLACED", "replaced" },
                  { EC_KIOSK_PROBLEM_EXPIRED, "EC_KIOSK_PROBLEM_EXPIRED", "expired" },
                  { EC_KIOSK_PROBLEM_DAMAGED, "EC_KIOSK_PROBLEM_DAMAGED", "damaged" },
                  { EC_KIOSK_PROBLEM_UNSUPPORTED, "EC_KIOSK_PROBLEM_UNSUPPORTED", "unsupported" },
                  { EC_KIOSK_PROBLEM_READ_FAILED, "EC_KIOSK_PROBLEM_READ_FAILED", "read-failed" },
                  { EC_KIOSK_PROBLEM_NOT_IN_DATABASE, "EC_KIOSK_PROBLEM_NOT_IN_DATABASE", "not-in-database" },
                  { EC_KIOSK_PROBLEM_DATABASE, "EC_KIOSK_PROBLEM_DATABASE", "database" },
                  { EC_KIOSK_PROBLEM_NOT_SET_UP, "EC_KIOSK_PROBLEM_NOT_SET_UP", "not-set-up" },
                  { EC_KIOSK_PROBLEM_REMOVED, "EC_KIOSK_PROBLEM_REMOVED", "removed" })

DEFINE_ENUM_TYPE (EcKioskReaderState, ec_kiosk_reader_state,
                  { EC_KIOSK_READER_NONE, "EC_KIOSK_READER_NONE", "none" },
                  { EC_KIOSK_READER_BUSY, "EC_KIOSK_READER_BUSY", "busy" },
                  { EC_KIOSK_READER_READY, "EC_KIOSK_READER_READY", "ready" },
                  { EC_KIOSK_READER_LOST, "EC_KIOSK_READER_LOST", "lost" })

static const char *
enum_nick (GType type,
           int   value)
{
  GEnumClass *klass = g_type_class_ref (type);
  GEnumValue *v = g_enum_get_value (klass, value);
  const char *nick = v != NULL ? v->value_nick : "invalid";

  g_type_class_unref (klass); /* static types: the class stays alive */
  return nick;
}

const char *
ec_kiosk_screen_to_string (EcKioskScreen screen)
{
  return enum_nick (EC_TYPE_KIOSK_SCREEN, screen);
}

const char *
ec_kiosk_problem_to_string (EcKioskProblem problem)
{
  return enum_nick (EC_TYPE_KIOSK_PROBLEM, problem);
}
