/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-demo.h: a fictional demo community for demos, tests and benchmarks.
 *
 * Names are drawn from a table of common surnames and given-name characters (with
 * their pinyin), so every name is plausible and none is a real person's record.
 * Phones are in the fictional 139-0000-xxxx range. Deterministic for a seed. */
#pragma once

#include "ec-db.h"

G_BEGIN_DECLS

#define EC_DEMO_DEFAULT_RESIDENTS 200

/* Add @n_residents generated residents (ages 60–100; conditions with ICD-10,
 * allergies incl. high-criticality drug allergies, "none known" and "unknown";
 * medications with 早/中/晚/睡前 slots; 1–3 contacts), a few staff members and one
 * active card per resident (some with an older replaced card), in one transaction.
 * One audit entry ("demo-generate") records the run. */
gboolean    ec_demo_generate        (EcDb          *db,
                                     guint          n_residents,
                                     guint32        seed,
                                     GError       **error);

/* One generated resident (no database), for tests and the CSV fuzz corpus.
 * @index selects the resident within the community of @seed. */
EcResident *ec_demo_make_resident   (guint32        seed,
                                     guint          index);

G_END_DECLS
