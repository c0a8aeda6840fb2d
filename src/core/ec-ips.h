/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-ips.h: a resident's record as an HL7 FHIR R4 International Patient Summary.
 *
 * The export is a Bundle of type "document" (HL7 IPS implementation guide): a
 * Composition (LOINC 60591-5) with the sections allergies 48765-2, problems 11450-4,
 * medications 10160-0, advance directives 42348-3, results 30954-2 (blood group) and
 * the emergency contacts, then Patient, AllergyIntolerance, Condition,
 * MedicationStatement, Observation, Consent and RelatedPerson. Every resource has a
 * stable UUID (version 5, from the resident id, the resource kind and its index), and
 * Bundle.timestamp / Composition.date are the record's last change, so exporting the
 * same record version twice gives the same bytes. The field mapping is in
 * docs/handover.md.
 *
 * The import reads such a bundle back (outside input: a file from a USB stick or
 * another station). It is strict and bounded: at most EC_IPS_MAX_BYTES, JSON nesting
 * at most EC_IPS_MAX_DEPTH, every member of the type FHIR says, every string valid
 * UTF-8 and size-limited, every code one the exporter writes; anything else is
 * refused with EC_IMPORT_ERROR naming the element (tests/fuzz/fuzz-ips.c). */
#pragma once

#include <glib.h>

#include "ec-db.h"
#include "ec-record.h"

G_BEGIN_DECLS

#define EC_IPS_MAX_BYTES   (4 * 1024 * 1024)
#define EC_IPS_MAX_DEPTH   32
#define EC_IPS_MAX_ENTRIES 512

/* Identifier system of the pseudonymous resident id, and the prefix of the
 * eldercard extensions (fields IPS has no element for; docs/handover.md). */
#define EC_IPS_RESIDENT_ID_SYSTEM "urn:eldercard:resident-id"
#define EC_IPS_EXT_PREFIX         "urn:eldercard:fhir:extension:"

/* The bundle as JSON text (UTF-8, pretty-printed, no trailing NUL in @out_len).
 * Deterministic for a given record. NULL with EC_IMPORT_ERROR_MISSING when the
 * resident has no Chinese name. */
char       *ec_ips_build_json  (const EcResident *resident,
                                gsize            *out_len,
                                GError          **error);

/* Parse a bundle written by ec_ips_build_json() into a new resident (entry ids 0,
 * record_version 0). */
EcResident *ec_ips_parse       (const char       *data,
                                gsize             len,
                                GError          **error);

/* The audited export: reads the record (purpose "export"), builds the bundle and
 * appends an "export-ips" audit entry. */
gboolean    ec_ips_export      (EcDb             *db,
                                EcResidentId      id,
                                const EcActor    *actor,
                                char            **out_json,
                                gsize            *out_len,
                                GError          **error);

/* Parse @data and add the resident (same resident id) to @db, with an "import-ips"
 * audit entry. EC_DB_ERROR_CONSTRAINT when that resident already exists. */
gboolean    ec_ips_import      (EcDb             *db,
                                const char       *data,
                                gsize             len,
                                const EcActor    *actor,
                                EcResidentId     *out_id,
                                GError          **error);

G_END_DECLS
