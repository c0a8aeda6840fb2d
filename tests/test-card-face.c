/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The printed card face: ID-1 page size, the resident's name in 汉字 and pinyin, the
 * station's phone, and nothing medical (checked with poppler's pdfinfo/pdftotext). */
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <glib/gstdio.h>
#include <cairo.h>

#include "ec-card-face.h"
#include "ec-db.h"
#include "ec-error.h"
#include "ec-init.h"
#include "ec-record.h"

/* A 12 × 16 pixel JPEG (a flat blue square), 632 bytes, made with gdk-pixbuf. */
static const guint8 tiny_jpeg[] = {
  0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01,
  0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xff, 0xdb, 0x00, 0x43,
  0x00, 0x10, 0x0b, 0x0c, 0x0e, 0x0c, 0x0a, 0x10, 0x0e, 0x0d, 0x0e, 0x12,
  0x11, 0x10, 0x13, 0x18, 0x28, 0x1a, 0x18, 0x16, 0x16, 0x18, 0x31, 0x23,
  0x25, 0x1d, 0x28, 0x3a, 0x33, 0x3d, 0x3c, 0x39, 0x33, 0x38, 0x37, 0x40,
  0x48, 0x5c, 0x4e, 0x40, 0x44, 0x57, 0x45, 0x37, 0x38, 0x50, 0x6d, 0x51,
  0x57, 0x5f, 0x62, 0x67, 0x68, 0x67, 0x3e, 0x4d, 0x71, 0x79, 0x70, 0x64,
  0x78, 0x5c, 0x65, 0x67, 0x63, 0xff, 0xdb, 0x00, 0x43, 0x01, 0x11, 0x12,
  0x12, 0x18, 0x15, 0x18, 0x2f, 0x1a, 0x1a, 0x2f, 0x63, 0x42, 0x38, 0x42,
  0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63,
  0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63,
  0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63,
  0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63,
  0x63, 0x63, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x00, 0x10, 0x00, 0x0c, 0x03,
  0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01, 0xff, 0xc4, 0x00,
  0x1f, 0x00, 0x00, 0x01, 0x05, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x00,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05,
  0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0xff, 0xc4, 0x00, 0xb5, 0x10, 0x00,
  0x02, 0x01, 0x03, 0x03, 0x02, 0x04, 0x03, 0x05, 0x05, 0x04, 0x04, 0x00,
  0x00, 0x01, 0x7d, 0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21,
  0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07, 0x22, 0x71, 0x14, 0x32, 0x81,
  0x91, 0xa1, 0x08, 0x23, 0x42, 0xb1, 0xc1, 0x15, 0x52, 0xd1, 0xf0, 0x24,
  0x33, 0x62, 0x72, 0x82, 0x09, 0x0a, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x25,
  0x26, 0x27, 0x28, 0x29, 0x2a, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a,
  0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x53, 0x54, 0x55, 0x56,
  0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a,
  0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x83, 0x84, 0x85, 0x86,
  0x87, 0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99,
  0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3,
  0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6,
  0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9,
  0xda, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf1,
  0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xff, 0xc4, 0x00,
  0x1f, 0x01, 0x00, 0x03, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01,
  0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05,
  0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0xff, 0xc4, 0x00, 0xb5, 0x11, 0x00,
  0x02, 0x01, 0x02, 0x04, 0x04, 0x03, 0x04, 0x07, 0x05, 0x04, 0x04, 0x00,
  0x01, 0x02, 0x77, 0x00, 0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21, 0x31,
  0x06, 0x12, 0x41, 0x51, 0x07, 0x61, 0x71, 0x13, 0x22, 0x32, 0x81, 0x08,
  0x14, 0x42, 0x91, 0xa1, 0xb1, 0xc1, 0x09, 0x23, 0x33, 0x52, 0xf0, 0x15,
  0x62, 0x72, 0xd1, 0x0a, 0x16, 0x24, 0x34, 0xe1, 0x25, 0xf1, 0x17, 0x18,
  0x19, 0x1a, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x35, 0x36, 0x37, 0x38, 0x39,
  0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x53, 0x54, 0x55,
  0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69,
  0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x82, 0x83, 0x84,
  0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97,
  0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa,
  0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4,
  0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7,
  0xd8, 0xd9, 0xda, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea,
  0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xff, 0xda, 0x00,
  0x0c, 0x03, 0x01, 0x00, 0x02, 0x11, 0x03, 0x11, 0x00, 0x3f, 0x00, 0x86,
  0x8a, 0x28, 0xaf, 0x50, 0xf3, 0x8f, 0xff, 0xd9,
};

static cairo_status_t
append_png (void                *closure,
            const unsigned char *data,
            unsigned int         length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

/* A small PNG "photo" drawn here (fictional, no real person). */
static GBytes *
make_png (int width,
          int height)
{
  GByteArray *png = g_byte_array_new ();
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  cairo_t *cr = cairo_create (s);

  cairo_set_source_rgb (cr, 0.3, 0.5, 0.8);
  cairo_paint (cr);
  cairo_set_source_rgb (cr, 0.9, 0.8, 0.7);
  cairo_arc (cr, width / 2.0, height / 2.5, width / 4.0, 0, 2 * G_PI);
  cairo_fill (cr);
  cairo_destroy (cr);
  g_assert_cmpint (cairo_surface_write_to_png_stream (s, append_png, png), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (s);
  return g_byte_array_free_to_bytes (png);
}

/* A fictional resident with medical data that must NOT reach the card face. */
static EcResident *
make_resident (void)
{
  EcResident *r = ec_resident_new ();
  EcAllergy *a = ec_allergy_new ();
  EcCondition *c = ec_condition_new ();
  EcMedication *m = ec_medication_new ();

  r->id = G_GUINT64_CONSTANT (0x00a1b2c3d4e5f607);
  r->name_zh = g_strdup ("王秀英");
  r->name_pinyin = g_strdup ("Wang Xiuying");
  r->date_of_birth = g_strdup ("1941-03-17");
  r->address = g_strdup ("幸福路88号");
  r->blood_type = EC_BLOOD_AB_NEG;
  r->allergy_status = EC_ALLERGY_STATUS_RECORDED;
  r->implants = g_strdup ("心脏起搏器 pacemaker");
  a->substance = g_strdup ("青霉素 penicillin");
  a->reaction = g_strdup ("呼吸困难");
  g_ptr_array_add (r->allergies, a);
  c->text = g_strdup ("高血压 hypertension");
  c->icd10 = g_strdup ("I10");
  g_ptr_array_add (r->conditions, c);
  m->name = g_strdup ("二甲双胍 metformin");
  m->dose = g_strdup ("0.5 g");
  g_ptr_array_add (r->medications, m);
  r->photo = make_png (120, 160);
  r->photo_mime = g_strdup ("image/png");
  return r;
}

static char *
run_tool (const char *const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;
  int status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               &out, &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s failed: %s", argv[0], err);
  return out;
}

static void
page_size (const char *pdf,
           double     *w,
           double     *h)
{
  const char *argv[] = { "pdfinfo", pdf, NULL };
  g_autofree char *info = run_tool (argv);
  const char *line = strstr (info, "Page size:");

  g_assert_nonnull (line);
  g_assert_cmpint (sscanf (line, "Page size: %lf x %lf pts", w, h), ==, 2);
  g_assert_nonnull (strstr (info, "Pages:           1"));
}

static char *
pdf_text (const char *pdf)
{
  const char *argv[] = { "pdftotext", "-enc", "UTF-8", pdf, "-", NULL };
  return run_tool (argv);
}

static char *
tmp_pdf (const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ec-card-face-XXXXXX", &error);

  g_assert_no_error (error);
  return g_build_filename (dir, name, NULL);
}

static void
remove_tmp (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_pdf (void)
{
  g_autoptr(EcResident) r = make_resident ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = tmp_pdf ("card.pdf");
  g_autofree char *text = NULL;
  double w = 0, h = 0;
  GStatBuf st;

  g_assert_true (ec_card_face_write_pdf (r, "幸福里社区服务站", "021-5555-0100", path, &error));
  g_assert_no_error (error);

  page_size (path, &w, &h);
  g_assert_cmpfloat_with_epsilon (w, 242.65, 0.1);
  g_assert_cmpfloat_with_epsilon (h, 153.01, 0.1);

  /* The file shows a person: owner-only. */
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  text = pdf_text (path);
  g_assert_nonnull (strstr (text, "王秀英"));
  g_assert_nonnull (strstr (text, "Wang Xiuying"));
  g_assert_nonnull (strstr (text, "021-5555-0100"));
  g_assert_nonnull (strstr (text, "幸福里社区服务站"));
  g_assert_nonnull (strstr (text, "紧急联络卡"));
  g_assert_nonnull (strstr (text, "Emergency card"));
  g_assert_nonnull (strstr (text, "f607"));
  /* The full pseudonymous id is not printed, only its last 4 digits. */
  g_assert_null (strstr (text, "00a1b2c3d4e5f607"));

  /* Nothing medical, no date of birth, no address. */
  {
    const char *forbidden[] = { "青霉素", "penicillin", "呼吸困难", "高血压", "hypertension",
                                "I10", "二甲双胍", "metformin", "AB-", "起搏器", "pacemaker",
                                "1941", "幸福路", NULL };
    for (guint i = 0; forbidden[i] != NULL; i++)
      if (strstr (text, forbidden[i]) != NULL)
        g_error ("card face shows medical/private text “%s”:\n%s", forbidden[i], text);
  }
  remove_tmp (path);
}

static void
test_long_name_and_no_photo (void)
{
  g_autoptr(EcResident) r = make_resident ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = tmp_pdf ("long.pdf");
  g_autofree char *text = NULL;
  double w = 0, h = 0;

  /* A four-character compound surname and a long pinyin still fit (shrunk), and a
   * resident without a photo gets the neutral silhouette. */
  g_free (r->name_zh);
  r->name_zh = g_strdup ("欧阳慕容秀英");
  g_free (r->name_pinyin);
  r->name_pinyin = g_strdup ("Ouyang Murong Xiuying");
  g_clear_pointer (&r->photo, g_bytes_unref);

  g_assert_true (ec_card_face_write_pdf (r, NULL, "13900000000", path, &error));
  g_assert_no_error (error);
  page_size (path, &w, &h);
  g_assert_cmpfloat_with_epsilon (w, 242.65, 0.1);
  g_assert_cmpfloat_with_epsilon (h, 153.01, 0.1);
  text = pdf_text (path);
  g_assert_nonnull (strstr (text, "欧阳慕容秀英"));
  g_assert_nonnull (strstr (text, "Ouyang Murong Xiuying"));
  g_assert_nonnull (strstr (text, "13900000000"));
  remove_tmp (path);
}

static void
test_refused (void)
{
  g_autoptr(EcResident) r = make_resident ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = tmp_pdf ("none.pdf");

  g_clear_pointer (&r->name_zh, g_free);
  g_assert_false (ec_card_face_write_pdf (r, "站", "1", path, &error));
  g_assert_error (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  remove_tmp (path);
}

static void
test_photo_decoding (void)
{
  g_autoptr(GBytes) png = make_png (30, 40);
  g_autoptr(GError) error = NULL;
  cairo_surface_t *s;
  gsize len;
  const guint8 *data = g_bytes_get_data (png, &len);

  s = ec_card_face_load_photo (png, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cairo_image_surface_get_width (s), ==, 30);
  g_assert_cmpint (cairo_image_surface_get_height (s), ==, 40);
  cairo_surface_destroy (s);

  /* Every truncation is refused cleanly. */
  for (gsize cut = 0; cut < len; cut += (cut < 64 ? 1 : 17))
    {
      g_autoptr(GBytes) part = g_bytes_new (data, cut);
      g_autoptr(GError) e = NULL;
      g_assert_null (ec_card_face_load_photo (part, &e));
      g_assert_error (e, EC_CARD_ERROR, EC_CARD_ERROR_INVALID);
    }

  /* A header claiming 100000 × 100000 pixels is refused before decoding. */
  {
    g_autofree guint8 *bomb = g_memdup2 (data, len);
    g_autoptr(GBytes) b = NULL;
    bomb[16] = 0; bomb[17] = 1; bomb[18] = 0x86; bomb[19] = 0xa0;
    bomb[20] = 0; bomb[21] = 1; bomb[22] = 0x86; bomb[23] = 0xa0;
    b = g_bytes_new (bomb, len);
    g_assert_null (ec_card_face_load_photo (b, &error));
    g_assert_error (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID);
    g_assert_nonnull (strstr (error->message, "4096"));
    g_clear_error (&error);
  }

  /* Not an image. */
  {
    g_autoptr(GBytes) junk = g_bytes_new_static ("GIF89a....", 10);
    g_assert_null (ec_card_face_load_photo (junk, &error));
    g_assert_error (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID);
    g_clear_error (&error);
  }

  /* A damaged photo does not stop the card face: the silhouette is drawn. */
  {
    g_autoptr(EcResident) r = make_resident ();
    g_autofree char *path = tmp_pdf ("damaged.pdf");
    g_autofree char *text = NULL;
    g_bytes_unref (r->photo);
    r->photo = g_bytes_new (data, len / 2);
    g_assert_true (ec_card_face_write_pdf (r, "站", "021-5555-0100", path, &error));
    g_assert_no_error (error);
    text = pdf_text (path);
    g_assert_nonnull (strstr (text, "王秀英"));
    remove_tmp (path);
  }
}

static void
test_jpeg (void)
{
  g_autoptr(GBytes) jpeg = g_bytes_new_static (tiny_jpeg, sizeof tiny_jpeg);
  g_autoptr(EcResident) r = make_resident ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = tmp_pdf ("jpeg.pdf");
  g_autofree char *text = NULL;
  cairo_surface_t *s = ec_card_face_load_photo (jpeg, &error);

  if (ec_card_face_supports_jpeg ())
    {
      g_assert_no_error (error);
      g_assert_cmpint (cairo_image_surface_get_width (s), ==, 12);
      g_assert_cmpint (cairo_image_surface_get_height (s), ==, 16);
      cairo_surface_destroy (s);
    }
  else
    {
      /* Without gdk-pixbuf in the core the refusal says what to do. */
      g_assert_null (s);
      g_assert_error (error, EC_CARD_ERROR, EC_CARD_ERROR_INVALID);
      g_assert_nonnull (strstr (error->message, "PNG"));
      g_clear_error (&error);
    }

  /* Either way the card face is printed (with the photo or the silhouette). */
  g_bytes_unref (r->photo);
  r->photo = g_bytes_ref (jpeg);
  g_assert_true (ec_card_face_write_pdf (r, "站", "021-5555-0100", path, &error));
  g_assert_no_error (error);
  text = pdf_text (path);
  g_assert_nonnull (strstr (text, "王秀英"));
  remove_tmp (path);
}

/* eldercard card face, end to end: a resident in a real database, the PDF through the
 * command, and the audited read. */
static void
test_cli (void)
{
  g_autoptr(EcResident) r = make_resident ();
  g_autoptr(GError) error = NULL;
  g_autoptr(EcDb) db = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autofree char *pdf = tmp_pdf ("cli.pdf");
  g_autofree char *dir = g_path_get_dirname (pdf);
  g_autofree char *dbpath = g_build_filename (dir, "station.db", NULL);
  g_autofree char *cli = g_build_filename (g_getenv ("EC_BUILD_DIR") ? g_getenv ("EC_BUILD_DIR")
                                                                      : EC_BUILD_DIR, "eldercard", NULL);
  g_autofree char *id = NULL;
  g_autofree char *text = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  EcActor actor = { EC_ROLE_STAFF, "S0012" };
  EcAuditFilter filter = { 0 };
  double w = 0, h = 0;
  int status = 0;

  db = ec_db_open (dbpath, EC_DB_OPEN_CREATE, &error);
  g_assert_no_error (error);
  r->id = 0;
  g_assert_true (ec_db_resident_add (db, r, &actor, &error));
  g_assert_no_error (error);
  id = ec_resident_id_to_string (r->id);

  {
    const char *argv[] = { cli, "card", "face", id, "-o", pdf, "--db", dbpath,
                           "--station-name", "幸福里社区服务站", "--station-phone", "021-5555-0100", NULL };
    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, 0, NULL, NULL, &out, &err, &status, &error));
    g_assert_no_error (error);
    if (!g_spawn_check_wait_status (status, NULL))
      g_error ("eldercard card face failed: %s", err);
  }
  page_size (pdf, &w, &h);
  g_assert_cmpfloat_with_epsilon (w, 242.65, 0.1);
  g_assert_cmpfloat_with_epsilon (h, 153.01, 0.1);
  text = pdf_text (pdf);
  g_assert_nonnull (strstr (text, "王秀英"));
  g_assert_nonnull (strstr (text, "Wang Xiuying"));
  g_assert_nonnull (strstr (text, "021-5555-0100"));
  g_assert_null (strstr (text, "青霉素"));
  g_assert_null (strstr (text, "高血压"));

  /* The record was read through the audited accessor, for this purpose. */
  filter.resident_id = r->id;
  filter.action = "view";
  g_assert_true (ec_db_audit_list (db, &filter, &entries, &error));
  g_assert_cmpuint (entries->len, ==, 1);
  g_assert_cmpstr (((EcAuditEntry *) entries->pdata[0])->purpose, ==, "card-face");

  /* Without the station phone: a usage error, no file. */
  {
    g_autofree char *pdf2 = g_build_filename (dir, "nophone.pdf", NULL);
    const char *argv[] = { cli, "card", "face", id, "-o", pdf2, "--db", dbpath, NULL };
    g_autofree char *o2 = NULL, *e2 = NULL;
    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &o2, &e2, &status, &error));
    g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 2);
    g_assert_nonnull (strstr (e2, "station-phone"));
    g_assert_false (g_file_test (pdf2, G_FILE_TEST_EXISTS));
  }
  /* An unknown resident: refused (exit 1). */
  {
    const char *argv[] = { cli, "card", "face", "0000000000000001", "-o", pdf, "--db", dbpath,
                           "--station-phone", "1", NULL };
    g_autofree char *o2 = NULL, *e2 = NULL;
    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &o2, &e2, &status, &error));
    g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 1);
  }

  g_clear_pointer (&db, ec_db_close);
  {
    g_autofree char *wal = g_strconcat (dbpath, "-wal", NULL);
    g_autofree char *shm = g_strconcat (dbpath, "-shm", NULL);
    g_unlink (wal);
    g_unlink (shm);
    g_unlink (dbpath);
  }
  remove_tmp (pdf);
}

int
main (int argc, char **argv)
{
  g_autofree char *pdfinfo = NULL;
  g_autofree char *pdftotext = NULL;

  g_test_init (&argc, &argv, NULL);
  ec_init ();
  pdfinfo = g_find_program_in_path ("pdfinfo");
  pdftotext = g_find_program_in_path ("pdftotext");
  if (pdfinfo == NULL || pdftotext == NULL)
    {
      g_printerr ("poppler-utils (pdfinfo, pdftotext) is required\n");
      return 1;
    }
  g_test_add_func ("/ec/card-face/pdf", test_pdf);
  g_test_add_func ("/ec/card-face/long-name-no-photo", test_long_name_and_no_photo);
  g_test_add_func ("/ec/card-face/refused", test_refused);
  g_test_add_func ("/ec/card-face/photo-decoding", test_photo_decoding);
  g_test_add_func ("/ec/card-face/jpeg", test_jpeg);
  g_test_add_func ("/ec/card-face/cli", test_cli);
  return g_test_run ();
}
