-- SPDX-License-Identifier: GPL-3.0-or-later
-- A fictional resident as eldercard 0.1 (schema v1) stored it, with a valid audit chain.
INSERT INTO staff (id, name, role, pin_hash, created_at) VALUES ('S0001', '示例员工', 2, NULL, 1700000000);
INSERT INTO residents (id, name_zh, name_pinyin, sex, date_of_birth, phone, blood_type, allergy_status, record_version, updated_at, updated_by)
  VALUES (1885667171979194497, '赵桂兰', 'Zhao Guilan', 1, '1938-05-12', '139-0000-7777', 7, 2, 1, 1700000100, 'S0001');
INSERT INTO conditions (resident_id, position, text, icd10, since, updated_at, updated_by) VALUES (1885667171979194497, 0, '2型糖尿病', 'E11', '2010', 1700000100, 'S0001');
INSERT INTO allergies (resident_id, position, substance, category, criticality, reaction, severity, confirmed, updated_at, updated_by)
  VALUES (1885667171979194497, 0, '磺胺类', 0, 2, '皮疹', 2, 1, 1700000100, 'S0001');
INSERT INTO contacts (resident_id, position, name, relation, phones, call_order, lives_nearby, updated_at, updated_by)
  VALUES (1885667171979194497, 0, '赵强', '儿子', '139-0000-8888', 1, 1, 1700000100, 'S0001');
INSERT INTO audit (seq, at, actor_role, actor_id, action, resident_id, purpose, reason, detail, hash) VALUES (1, 1700000000, 2, 'S0001', 'staff-add', NULL, NULL, NULL, 'staff=S0001 role=staff', X'3f405655e4753957732ef38a77ac1cb9683e2e09be9ee55f7ea89bd1c44631f8');
INSERT INTO audit (seq, at, actor_role, actor_id, action, resident_id, purpose, reason, detail, hash) VALUES (2, 1700000100, 2, 'S0001', 'resident-add', 1885667171979194497, 'edit', NULL, 'record_version=1', X'8c4da8cc5914f842d74d61f9a28a5749ed30b8b71ae3e10919587481a2d80708');
INSERT INTO audit (seq, at, actor_role, actor_id, action, resident_id, purpose, reason, detail, hash) VALUES (3, 1700000200, 0, 'kiosk-01', 'view', 1885667171979194497, 'card-tap', NULL, 'record_version=1', X'7fc08b06bb1bfe6e36c406a19d0c6be6c9a07b2be02a9d9d4b5731ca0a7ea989');
