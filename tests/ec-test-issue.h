/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-test-issue.h: a station for issuing tests (header-only): a community in memory
 * (root, station 7, read key: deterministic), a real SQLite database file with
 * residents, and the EcIssueParams that go with them. */
#pragma once

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "ec-crypto.h"
#include "ec-demo.h"
#include "ec-issue.h"

typedef struct
{
  char         *dir;
  char         *db_path;
  EcDb         *db;
  EcStationKey *station;
  EcReadKey    *read_key;
  EcKeyring    *ring;
  EcActor       actor;
  EcResidentId  residents[4];
} EcTestStation;

static inline void
ec_test_station_free (EcTestStation *st)
{
  if (st == NULL)
    return;
  g_clear_pointer (&st->db, ec_db_close);
  ec_station_key_free (st->station);
  ec_read_key_free (st->read_key);
  ec_keyring_free (st->ring);
  if (st->dir != NULL)
    {
      g_autoptr(GDir) d = g_dir_open (st->dir, 0, NULL);
      const char *name;
      while (d != NULL && (name = g_dir_read_name (d)) != NULL)
        {
          g_autofree char *p = g_build_filename (st->dir, name, NULL);
          g_unlink (p);
        }
      g_rmdir (st->dir);
    }
  g_free (st->dir);
  g_free (st->db_path);
  g_free (st);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EcTestStation, ec_test_station_free)

static inline EcTestStation *
ec_test_station_new (void)
{
  EcTestStation *st = g_new0 (EcTestStation, 1);
  g_autoptr(EcSecret) root_sk = NULL;
  guint8 root_pk[EC_SIGN_PUBLIC_BYTES], s[32], rk[32];
  g_autoptr(GError) error = NULL;

  st->dir = g_dir_make_tmp ("ec-station-XXXXXX", &error);
  g_assert_no_error (error);
  st->db_path = g_build_filename (st->dir, "station.db", NULL);
  st->db = ec_db_open (st->db_path, EC_DB_OPEN_CREATE, &error);
  g_assert_no_error (error);

  memset (s, 0x41, sizeof s);
  g_assert_true (ec_crypto_sign_keypair (&root_sk, root_pk, s, &error));
  st->station = g_new0 (EcStationKey, 1);
  st->station->cert = g_new0 (EcStationCert, 1);
  memset (s, 0x42, sizeof s);
  g_assert_true (ec_crypto_sign_keypair (&st->station->sk, st->station->cert->pk, s, &error));
  st->station->cert->station_id = 7;
  st->station->cert->name = g_strdup ("测试社区服务站");
  st->station->cert->kid = ec_crypto_key_id (st->station->cert->pk);
  st->station->cert->valid_from = 1700000000;
  st->station->cert->valid_to = 4000000000;
  st->station->cert->root_kid = ec_crypto_key_id (root_pk);
  memset (rk, 0x43, sizeof rk);
  st->read_key = ec_read_key_new_from (rk);
  st->ring = ec_keyring_new (root_pk);
  ec_keyring_add_cert (st->ring, st->station->cert);
  ec_keyring_add_read_key (st->ring, ec_read_key_new_from (rk));

  st->actor.role = EC_ROLE_STAFF;
  st->actor.id = "S0001";
  for (guint i = 0; i < G_N_ELEMENTS (st->residents); i++)
    {
      g_autoptr(EcResident) r = ec_demo_make_resident (4242, i);
      r->id = 0;
      g_assert_true (ec_db_resident_add (st->db, r, &st->actor, &error));
      g_assert_no_error (error);
      st->residents[i] = r->id;
    }
  return st;
}

static inline EcIssueParams
ec_test_station_params (EcTestStation *st,
                        guint          resident_index)
{
  EcIssueParams p = { 0 };

  p.db = st->db;
  p.actor = &st->actor;
  p.resident_id = st->residents[resident_index];
  p.station_key = st->station;
  p.read_key = st->read_key;
  p.ring = st->ring;
  p.expires_days = 0;
  p.wait_ms = 3000;
  return p;
}
