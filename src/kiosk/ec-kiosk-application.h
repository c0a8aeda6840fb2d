/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-kiosk-application.h: the kiosk application (org.eldercard.Kiosk). Reads the
 * configuration file, applies the command-line overrides, sets the language, and
 * opens one window on one controller. Not single-instance on purpose: a kiosk has
 * no session bus to rely on, and tests start several. */
#pragma once

#include <adwaita.h>

#include "ec-config.h"
#include "ec-kiosk-controller.h"

G_BEGIN_DECLS

#define EC_KIOSK_APP_ID "org.eldercard.Kiosk"
#define EC_KIOSK_RESOURCE_BASE "/org/eldercard/Kiosk"

#define EC_TYPE_KIOSK_APPLICATION (ec_kiosk_application_get_type ())

G_DECLARE_FINAL_TYPE (EcKioskApplication, ec_kiosk_application, EC, KIOSK_APPLICATION, AdwApplication)

EcKioskApplication *ec_kiosk_application_new            (void);
EcKioskController  *ec_kiosk_application_get_controller (EcKioskApplication *self);

/* For code that shows kiosk widgets without the application (tests, screenshots):
 * libadwaita, our icons and our CSS. */
void                ec_kiosk_ui_init                    (void);

G_END_DECLS
