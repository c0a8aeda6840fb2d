-- SPDX-License-Identifier: GPL-3.0-or-later
-- The first eldercard schema (user_version 1), frozen: a copy of _ec_db_schema_v1 in
-- src/core/ec-db.c. tests/test-db.c builds a v1 database from it and checks the upgrade.
CREATE TABLE residents (
  id                 INTEGER PRIMARY KEY,
  name_zh            TEXT NOT NULL CHECK (length (name_zh) > 0),
  name_pinyin        TEXT,
  sex                INTEGER NOT NULL DEFAULT 0 CHECK (sex BETWEEN 0 AND 3),
  date_of_birth      TEXT CHECK (date_of_birth IS NULL OR date_of_birth GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  photo              BLOB CHECK (photo IS NULL OR length (photo) <= 262144),
  photo_mime         TEXT,
  address            TEXT,
  building_unit      TEXT,
  phone              TEXT,
  blood_type         INTEGER NOT NULL DEFAULT 0 CHECK (blood_type BETWEEN 0 AND 8),
  language           TEXT,
  dnr                INTEGER NOT NULL DEFAULT 0 CHECK (dnr BETWEEN 0 AND 3),
  directive_location TEXT,
  wandering          INTEGER NOT NULL DEFAULT 0 CHECK (wandering BETWEEN 0 AND 2),
  comm_needs         INTEGER NOT NULL DEFAULT 0 CHECK (comm_needs BETWEEN 0 AND 31),
  comm_notes         TEXT,
  implants           TEXT,
  gp                 TEXT,
  social_worker      TEXT,
  notes              TEXT,
  allergy_status     INTEGER NOT NULL DEFAULT 0 CHECK (allergy_status BETWEEN 0 AND 2),
  record_version     INTEGER NOT NULL DEFAULT 1 CHECK (record_version >= 1),
  updated_at         INTEGER NOT NULL,
  updated_by         TEXT NOT NULL
);
CREATE INDEX residents_name_zh ON residents (name_zh);
CREATE INDEX residents_phone ON residents (phone);
CREATE TABLE conditions (
  id          INTEGER PRIMARY KEY,
  resident_id INTEGER NOT NULL REFERENCES residents (id) ON DELETE CASCADE,
  position    INTEGER NOT NULL,
  text        TEXT NOT NULL CHECK (length (text) > 0),
  icd10       TEXT,
  since       TEXT,
  updated_at  INTEGER NOT NULL,
  updated_by  TEXT NOT NULL
);
CREATE INDEX conditions_resident ON conditions (resident_id, position);
CREATE TABLE allergies (
  id          INTEGER PRIMARY KEY,
  resident_id INTEGER NOT NULL REFERENCES residents (id) ON DELETE CASCADE,
  position    INTEGER NOT NULL,
  substance   TEXT NOT NULL CHECK (length (substance) > 0),
  category    INTEGER NOT NULL CHECK (category BETWEEN 0 AND 3),
  criticality INTEGER NOT NULL CHECK (criticality BETWEEN 0 AND 2),
  reaction    TEXT,
  severity    INTEGER NOT NULL CHECK (severity BETWEEN 0 AND 3),
  confirmed   INTEGER NOT NULL CHECK (confirmed IN (0, 1)),
  updated_at  INTEGER NOT NULL,
  updated_by  TEXT NOT NULL
);
CREATE INDEX allergies_resident ON allergies (resident_id, position);
CREATE TABLE medications (
  id            INTEGER PRIMARY KEY,
  resident_id   INTEGER NOT NULL REFERENCES residents (id) ON DELETE CASCADE,
  position      INTEGER NOT NULL,
  name          TEXT NOT NULL CHECK (length (name) > 0),
  dose          TEXT,
  route         TEXT,
  slots         INTEGER NOT NULL DEFAULT 0 CHECK (slots BETWEEN 0 AND 15),
  schedule_text TEXT,
  updated_at    INTEGER NOT NULL,
  updated_by    TEXT NOT NULL
);
CREATE INDEX medications_resident ON medications (resident_id, position);
CREATE TABLE contacts (
  id           INTEGER PRIMARY KEY,
  resident_id  INTEGER NOT NULL REFERENCES residents (id) ON DELETE CASCADE,
  position     INTEGER NOT NULL,
  name         TEXT NOT NULL CHECK (length (name) > 0),
  relation     TEXT,
  phones       TEXT NOT NULL CHECK (length (phones) > 0),
  call_order   INTEGER NOT NULL DEFAULT 0,
  lives_nearby INTEGER NOT NULL DEFAULT 0 CHECK (lives_nearby IN (0, 1)),
  updated_at   INTEGER NOT NULL,
  updated_by   TEXT NOT NULL
);
CREATE INDEX contacts_resident ON contacts (resident_id, position);
CREATE TABLE cards (
  id                INTEGER PRIMARY KEY,
  uid               TEXT NOT NULL UNIQUE,
  resident_id       INTEGER NOT NULL,
  seq               INTEGER NOT NULL CHECK (seq BETWEEN 1 AND 65535),
  status            INTEGER NOT NULL CHECK (status BETWEEN 0 AND 5),
  issued_at         INTEGER NOT NULL,
  station_id        INTEGER NOT NULL,
  staff_id          TEXT NOT NULL,
  status_changed_at INTEGER NOT NULL,
  status_reason     TEXT,
  image             BLOB,
  UNIQUE (resident_id, seq)
);
CREATE TABLE staff (
  id         TEXT PRIMARY KEY CHECK (length (id) > 0),
  name       TEXT NOT NULL,
  role       INTEGER NOT NULL CHECK (role BETWEEN 0 AND 3),
  pin_hash   TEXT,
  created_at INTEGER NOT NULL
);
CREATE TABLE audit (
  seq         INTEGER PRIMARY KEY,
  at          INTEGER NOT NULL,
  actor_role  INTEGER NOT NULL,
  actor_id    TEXT NOT NULL,
  action      TEXT NOT NULL,
  resident_id INTEGER,
  purpose     TEXT,
  reason      TEXT,
  detail      TEXT,
  hash        BLOB NOT NULL CHECK (length (hash) = 32)
);
CREATE INDEX audit_resident ON audit (resident_id) WHERE resident_id IS NOT NULL;
CREATE INDEX audit_actor ON audit (actor_id);
CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit
  BEGIN SELECT RAISE (ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit
  BEGIN SELECT RAISE (ABORT, 'the audit log is append-only'); END;
PRAGMA application_id = 1164723044;
PRAGMA user_version = 1;
