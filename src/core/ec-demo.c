/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-demo.c: a fictional community. Every name is a random combination of a common
 * surname and common given-name characters; addresses are in the fictional 示例市;
 * phones are 139-0000-xxxx. Nobody in it is a real person. */
#define G_LOG_DOMAIN "ec-demo"

#include "ec-demo.h"
#include "ec-db-private.h"

#include <stdlib.h>
#include <string.h>

#include "ec-compat.h"
#include "ec-error.h"
#include "ec-i18n.h"

typedef struct { const char *zh, *py; } Syl;

static const Syl surnames[] = {
  { "王", "Wang" }, { "李", "Li" }, { "张", "Zhang" }, { "刘", "Liu" }, { "陈", "Chen" },
  { "杨", "Yang" }, { "黄", "Huang" }, { "赵", "Zhao" }, { "吴", "Wu" }, { "周", "Zhou" },
  { "徐", "Xu" }, { "孙", "Sun" }, { "马", "Ma" }, { "朱", "Zhu" }, { "胡", "Hu" },
  { "郭", "Guo" }, { "何", "He" }, { "林", "Lin" }, { "高", "Gao" }, { "罗", "Luo" },
  { "郑", "Zheng" }, { "梁", "Liang" }, { "谢", "Xie" }, { "宋", "Song" }, { "唐", "Tang" },
  { "许", "Xu" }, { "邓", "Deng" }, { "冯", "Feng" }, { "韩", "Han" }, { "曹", "Cao" },
  { "曾", "Zeng" }, { "彭", "Peng" }, { "萧", "Xiao" }, { "蔡", "Cai" }, { "潘", "Pan" },
  { "田", "Tian" }, { "董", "Dong" }, { "袁", "Yuan" }, { "于", "Yu" }, { "余", "Yu" },
  { "叶", "Ye" }, { "蒋", "Jiang" }, { "杜", "Du" }, { "苏", "Su" }, { "魏", "Wei" },
  { "程", "Cheng" }, { "吕", "Lü" }, { "丁", "Ding" }, { "沈", "Shen" }, { "任", "Ren" },
  { "姚", "Yao" }, { "卢", "Lu" }, { "钟", "Zhong" }, { "姜", "Jiang" }, { "崔", "Cui" },
  { "谭", "Tan" }, { "陆", "Lu" }, { "范", "Fan" }, { "汪", "Wang" }, { "廖", "Liao" },
  { "石", "Shi" }, { "金", "Jin" }, { "贾", "Jia" }, { "夏", "Xia" }, { "方", "Fang" },
  { "邹", "Zou" }, { "熊", "Xiong" }, { "白", "Bai" }, { "孟", "Meng" }, { "秦", "Qin" },
  { "邱", "Qiu" }, { "侯", "Hou" }, { "江", "Jiang" }, { "尹", "Yin" }, { "薛", "Xue" },
  { "段", "Duan" }, { "雷", "Lei" }, { "龙", "Long" }, { "史", "Shi" }, { "陶", "Tao" },
  { "贺", "He" }, { "毛", "Mao" }, { "郝", "Hao" }, { "顾", "Gu" }, { "龚", "Gong" },
  { "邵", "Shao" }, { "钱", "Qian" }, { "戴", "Dai" }, { "严", "Yan" }, { "孔", "Kong" },
  { "欧阳", "Ouyang" }, { "司马", "Sima" },
};

static const Syl given_female[] = {
  { "秀", "xiu" }, { "英", "ying" }, { "兰", "lan" }, { "芳", "fang" }, { "桂", "gui" },
  { "珍", "zhen" }, { "玉", "yu" }, { "凤", "feng" }, { "淑", "shu" }, { "琴", "qin" },
  { "华", "hua" }, { "梅", "mei" }, { "丽", "li" }, { "敏", "min" }, { "霞", "xia" },
  { "云", "yun" }, { "莲", "lian" }, { "翠", "cui" }, { "娟", "juan" }, { "素", "su" },
  { "惠", "hui" }, { "春", "chun" }, { "萍", "ping" }, { "红", "hong" }, { "金", "jin" },
  { "爱", "ai" }, { "月", "yue" }, { "菊", "ju" }, { "荣", "rong" }, { "淑", "shu" },
};

static const Syl given_male[] = {
  { "建", "jian" }, { "国", "guo" }, { "明", "ming" }, { "伟", "wei" }, { "德", "de" },
  { "福", "fu" }, { "志", "zhi" }, { "强", "qiang" }, { "军", "jun" }, { "文", "wen" },
  { "华", "hua" }, { "平", "ping" }, { "永", "yong" }, { "海", "hai" }, { "庆", "qing" },
  { "林", "lin" }, { "宝", "bao" }, { "忠", "zhong" }, { "祥", "xiang" }, { "荣", "rong" },
  { "生", "sheng" }, { "成", "cheng" }, { "新", "xin" }, { "民", "min" }, { "光", "guang" },
  { "立", "li" }, { "学", "xue" }, { "俊", "jun" }, { "贵", "gui" }, { "山", "shan" },
};

typedef struct
{
  const char *text, *icd10;
  const char *med, *dose, *route;
  guint slots;
  const char *schedule_text;
} CondDef;

#define M EC_SCHED_MORNING
#define N EC_SCHED_NOON
#define E EC_SCHED_EVENING
#define Z EC_SCHED_NIGHT
static const CondDef conditions[] = {
  { "高血压", "I10", "氨氯地平片", "5 mg", "口服", M, NULL },
  { "2型糖尿病", "E11", "二甲双胍片", "0.5 g", "口服", M | E, NULL },
  { "冠心病", "I25.1", "单硝酸异山梨酯片", "20 mg", "口服", M | E, NULL },
  { "慢性心力衰竭", "I50.9", "呋塞米片", "20 mg", "口服", M, NULL },
  { "心房颤动", "I48", "华法林钠片", "2.5 mg", "口服", E, NULL },
  { "脑梗死后遗症", "I69.3", "阿托伐他汀钙片", "20 mg", "口服", Z, NULL },
  { "阿尔茨海默病", "G30.9", "多奈哌齐片", "5 mg", "口服", Z, NULL },
  { "帕金森病", "G20", "多巴丝肼片", "125 mg", "口服", M | N | E, NULL },
  { "慢性阻塞性肺疾病", "J44.9", "噻托溴铵吸入粉雾剂", "18 μg", "吸入", M, NULL },
  { "骨质疏松症", "M81.9", "阿仑膦酸钠片", "70 mg", "口服", 0, "每周一次，早餐前空腹" },
  { "膝骨关节炎", "M17.9", "塞来昔布胶囊", "200 mg", "口服", 0, "疼痛时服用" },
  { "慢性肾脏病3期", "N18.3", NULL, NULL, NULL, 0, NULL },
  { "白内障", "H26.9", NULL, NULL, NULL, 0, NULL },
  { "青光眼", "H40.9", "拉坦前列素滴眼液", "1 滴", "滴眼", Z, NULL },
  { "甲状腺功能减退症", "E03.9", "左甲状腺素钠片", "50 μg", "口服", M, NULL },
  { "高脂血症", "E78.5", "瑞舒伐他汀钙片", "10 mg", "口服", Z, NULL },
  { "抑郁症", "F32.9", "舍曲林片", "50 mg", "口服", M, NULL },
  { "癫痫", "G40.9", "丙戊酸钠缓释片", "0.5 g", "口服", M | E, NULL },
  { "支气管哮喘", "J45.9", "布地奈德福莫特罗吸入剂", "1 吸", "吸入", M | E, NULL },
  { "2型糖尿病（胰岛素治疗）", "E11.9", "甘精胰岛素注射液", "12 单位", "皮下注射", Z, NULL },
  { "听力下降", "H91.9", NULL, NULL, NULL, 0, NULL },
};
#undef M
#undef N
#undef E
#undef Z
#define COND_ALZHEIMER 6
#define COND_HEARING 20

typedef struct
{
  const char *substance;
  EcAllergyCategory category;
  EcCriticality criticality;
  const char *reaction;
  EcSeverity severity;
} AllergyDef;

static const AllergyDef allergies[] = {
  { "青霉素", EC_ALLERGY_CATEGORY_MEDICATION, EC_CRITICALITY_HIGH, "过敏性休克", EC_SEVERITY_SEVERE },
  { "头孢类抗生素", EC_ALLERGY_CATEGORY_MEDICATION, EC_CRITICALITY_HIGH, "喉头水肿", EC_SEVERITY_SEVERE },
  { "磺胺类药物", EC_ALLERGY_CATEGORY_MEDICATION, EC_CRITICALITY_HIGH, "重症药疹", EC_SEVERITY_SEVERE },
  { "阿司匹林", EC_ALLERGY_CATEGORY_MEDICATION, EC_CRITICALITY_HIGH, "哮喘发作", EC_SEVERITY_MODERATE },
  { "碘造影剂", EC_ALLERGY_CATEGORY_MEDICATION, EC_CRITICALITY_HIGH, "呼吸困难、血压下降", EC_SEVERITY_SEVERE },
  { "布洛芬", EC_ALLERGY_CATEGORY_MEDICATION, EC_CRITICALITY_LOW, "皮疹", EC_SEVERITY_MILD },
  { "链霉素", EC_ALLERGY_CATEGORY_MEDICATION, EC_CRITICALITY_LOW, "耳鸣、头晕", EC_SEVERITY_MODERATE },
  { "海鲜", EC_ALLERGY_CATEGORY_FOOD, EC_CRITICALITY_LOW, "荨麻疹", EC_SEVERITY_MILD },
  { "花生", EC_ALLERGY_CATEGORY_FOOD, EC_CRITICALITY_HIGH, "口唇肿胀", EC_SEVERITY_SEVERE },
  { "鸡蛋", EC_ALLERGY_CATEGORY_FOOD, EC_CRITICALITY_LOW, "腹泻", EC_SEVERITY_MILD },
  { "花粉", EC_ALLERGY_CATEGORY_ENVIRONMENT, EC_CRITICALITY_LOW, "打喷嚏、流涕", EC_SEVERITY_MILD },
  { "尘螨", EC_ALLERGY_CATEGORY_ENVIRONMENT, EC_CRITICALITY_LOW, "喘息", EC_SEVERITY_MODERATE },
  { "乳胶", EC_ALLERGY_CATEGORY_ENVIRONMENT, EC_CRITICALITY_UNABLE_TO_ASSESS, "接触性皮炎", EC_SEVERITY_UNKNOWN },
  { "破伤风抗毒素", EC_ALLERGY_CATEGORY_BIOLOGIC, EC_CRITICALITY_HIGH, "过敏性休克", EC_SEVERITY_SEVERE },
};

static const char *const relations_child[] = { "儿子", "女儿" };
static const char *const relations_other[] = { "儿媳", "女婿", "孙子", "孙女", "侄子", "外甥女", "邻居", "老伴" };
static const char *const districts[] = { "和平", "光明", "长乐", "安康", "福寿" };
static const char *const roads[] = { "幸福路", "和谐街", "康宁路", "松柏路", "长青街", "春晖路" };
static const char *const estates[] = { "幸福里小区", "和平新村", "光明花园", "松柏苑", "长青公寓" };
static const char *const social_workers[] = {
  "周敏 139-0000-0101", "吴娜 139-0000-0102", "郑磊 139-0000-0103", "冯婷 139-0000-0104",
  "陈晨 139-0000-0105", "许静 139-0000-0106",
};
static const char *const gps[] = {
  "幸福里社区卫生服务中心 王医生 010-5550-0120", "光明社区卫生服务站 李医生 010-5550-0121",
  "长乐街道卫生院 赵医生 010-5550-0122",
};
static const char *const languages[] = { "普通话", "普通话", "普通话", "普通话", "上海话", "粤语", "四川话", "闽南话" };
static const char *const notes[] = {
  "独居，备用钥匙在邻居处", "独居，子女每周探望", "与老伴同住", "行动需助行器", "喜欢晨练，常在小区花园",
};

/* splitmix64: small, fast, and the same on every platform. */
typedef struct { guint64 s; } Rng;

static guint64
rng_next (Rng *r)
{
  guint64 z = (r->s += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15));
  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return z ^ (z >> 31);
}

static guint
rng_below (Rng *r, guint n)
{
  return (guint) (rng_next (r) % n);
}

static gboolean
rng_percent (Rng *r, guint p)
{
  return rng_below (r, 100) < p;
}

#define PICK(r, arr) ((arr)[rng_below ((r), G_N_ELEMENTS (arr))])

static char *
phone (Rng *r)
{
  return g_strdup_printf ("139-0000-%04u", rng_below (r, 10000));
}

static void
make_name (Rng *r, gboolean female, const Syl *surname, char **zh, char **py)
{
  const Syl *pool = female ? given_female : given_male;
  guint n = female ? G_N_ELEMENTS (given_female) : G_N_ELEMENTS (given_male);
  const Syl *g1 = &pool[rng_below (r, n)];
  const Syl *g2 = rng_percent (r, 70) ? &pool[rng_below (r, n)] : NULL;
  g_autofree char *given_py = g_strconcat (g1->py, g2 != NULL ? g2->py : "", NULL);

  given_py[0] = g_ascii_toupper (given_py[0]);
  *zh = g_strconcat (surname->zh, g1->zh, g2 != NULL ? g2->zh : "", NULL);
  *py = g_strconcat (surname->py, " ", given_py, NULL);
}

static guint64
seed_mix (guint32 seed, guint64 stream)
{
  Rng r = { ((guint64) seed << 32) ^ (stream * G_GUINT64_CONSTANT (0xd1342543de82ef95)) };
  return rng_next (&r);
}

/* The id ec_demo_make_resident() gives resident @index (its first draws). */
static EcResidentId
demo_resident_id (guint32 seed, guint index)
{
  Rng r = { seed_mix (seed, index) };
  EcResidentId id;

  do
    id = rng_next (&r);
  while (id == 0);
  return id;
}

typedef struct
{
  EcResidentId id;
  guint        index;
} IdIndex;

static int
cmp_id_index (const void *a, const void *b)
{
  /* The database orders ids as signed 64-bit integers. */
  gint64 x = (gint64) ((const IdIndex *) a)->id, y = (gint64) ((const IdIndex *) b)->id;
  return x < y ? -1 : x > y;
}

EcResident *
ec_demo_make_resident (guint32 seed,
                       guint   index)
{
  EcResident *res = ec_resident_new ();
  Rng r = { seed_mix (seed, index) };
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  GDate dob;
  char dob_s[16];
  gboolean female = rng_percent (&r, 58);
  const Syl *surname = &PICK (&r, surnames);
  guint age = 60 + rng_below (&r, 41);        /* 60..100 */
  guint n_cond, n_contacts;
  gboolean has_dementia = FALSE, has_hearing = FALSE;
  guint8 used_cond[G_N_ELEMENTS (conditions)] = { 0 };

  do
    res->id = rng_next (&r);
  while (res->id == 0);

  make_name (&r, female, surname, &res->name_zh, &res->name_pinyin);
  res->sex = female ? EC_SEX_FEMALE : EC_SEX_MALE;

  g_date_clear (&dob, 1);
  g_date_set_dmy (&dob, (GDateDay) g_date_time_get_day_of_month (now),
                  (GDateMonth) g_date_time_get_month (now), (GDateYear) g_date_time_get_year (now));
  g_date_subtract_years (&dob, age);
  g_date_subtract_days (&dob, 1 + rng_below (&r, 364));
  g_snprintf (dob_s, sizeof dob_s, "%04u-%02u-%02u", g_date_get_year (&dob),
              (guint) g_date_get_month (&dob), g_date_get_day (&dob));
  res->date_of_birth = g_strdup (dob_s);

  res->address = g_strdup_printf ("示例市%s区%s%u号 %s", PICK (&r, districts), PICK (&r, roads),
                                  1 + rng_below (&r, 200), PICK (&r, estates));
  res->building_unit = g_strdup_printf ("%u栋%u单元%u%02u", 1 + rng_below (&r, 30), 1 + rng_below (&r, 4),
                                        1 + rng_below (&r, 18), 1 + rng_below (&r, 4));
  if (rng_percent (&r, 70))
    res->phone = phone (&r);
  res->blood_type = rng_percent (&r, 30) ? EC_BLOOD_UNKNOWN : (EcBloodType) (1 + rng_below (&r, 8));
  res->language = g_strdup (PICK (&r, languages));
  res->social_worker = g_strdup (PICK (&r, social_workers));
  res->gp = g_strdup (PICK (&r, gps));
  if (rng_percent (&r, 45))
    res->notes = g_strdup (PICK (&r, notes));

  /* Conditions (0–4) and the medication that usually goes with each. */
  n_cond = rng_below (&r, 5);
  for (guint i = 0; i < n_cond; i++)
    {
      guint k = rng_below (&r, G_N_ELEMENTS (conditions));
      const CondDef *d = &conditions[k];
      EcCondition *c;

      if (used_cond[k]++)
        continue;
      c = ec_condition_new ();
      c->text = g_strdup (d->text);
      c->icd10 = g_strdup (d->icd10);
      if (rng_percent (&r, 70))
        c->since = g_strdup_printf ("%u", g_date_get_year (&dob) + 45 + rng_below (&r, age - 44));
      g_ptr_array_add (res->conditions, c);
      if (k == COND_ALZHEIMER)
        has_dementia = TRUE;
      if (k == COND_HEARING)
        has_hearing = TRUE;
      if (d->med != NULL && rng_percent (&r, 85))
        {
          EcMedication *m = ec_medication_new ();
          m->name = g_strdup (d->med);
          m->dose = g_strdup (d->dose);
          m->route = g_strdup (d->route);
          m->slots = d->slots;
          m->schedule_text = g_strdup (d->schedule_text);
          g_ptr_array_add (res->medications, m);
        }
    }

  /* Allergies: about a quarter never asked, a third none known, the rest 1–3. */
  {
    guint p = rng_below (&r, 100);
    if (p < 25)
      res->allergy_status = EC_ALLERGY_STATUS_UNKNOWN;
    else if (p < 60)
      res->allergy_status = EC_ALLERGY_STATUS_NONE_KNOWN;
    else
      {
        guint n = 1 + (rng_percent (&r, 25) ? 1 + rng_below (&r, 2) : 0);
        guint8 used[G_N_ELEMENTS (allergies)] = { 0 };
        res->allergy_status = EC_ALLERGY_STATUS_RECORDED;
        for (guint i = 0; i < n; i++)
          {
            /* Drug allergies are the common ones in this age group. */
            guint k = rng_percent (&r, 65) ? rng_below (&r, 7) : rng_below (&r, G_N_ELEMENTS (allergies));
            const AllergyDef *d = &allergies[k];
            EcAllergy *a;
            if (used[k]++)
              continue;
            a = ec_allergy_new ();
            a->substance = g_strdup (d->substance);
            a->category = d->category;
            a->criticality = d->criticality;
            a->reaction = g_strdup (d->reaction);
            a->severity = d->severity;
            a->confirmed = rng_percent (&r, 80);
            g_ptr_array_add (res->allergies, a);
          }
      }
  }

  res->dnr = (EcDnrStatus) (rng_percent (&r, 55) ? EC_DNR_UNKNOWN : 1 + rng_below (&r, 3));
  if (res->dnr == EC_DNR_DNR || res->dnr == EC_DNR_LIMITED)
    res->directive_location = g_strdup (rng_percent (&r, 50) ? "卧室床头柜抽屉" : "由子女保管，复印件在社区服务站");
  res->wandering = has_dementia ? EC_WANDERING_AT_RISK
                 : (rng_percent (&r, 50) ? EC_WANDERING_NONE : EC_WANDERING_UNKNOWN);
  if (has_dementia)
    res->comm_needs |= EC_COMM_DEMENTIA;
  if (has_hearing || rng_percent (&r, 12))
    res->comm_needs |= EC_COMM_HEARING;
  if (rng_percent (&r, 8))
    res->comm_needs |= EC_COMM_VISION;
  if (rng_percent (&r, 4))
    res->comm_needs |= EC_COMM_SPEECH;
  if (g_strcmp0 (res->language, "普通话") != 0 && rng_percent (&r, 30))
    {
      res->comm_needs |= EC_COMM_LANGUAGE;
      res->comm_notes = g_strdup_printf ("只会说%s", res->language);
    }
  else if (has_dementia)
    res->comm_notes = g_strdup ("记忆力差，请耐心慢慢说");
  if (rng_percent (&r, 5))
    res->implants = g_strdup_printf ("心脏起搏器（%u年植入）", 2005 + rng_below (&r, 18));
  else if (rng_percent (&r, 4))
    res->implants = g_strdup ("冠脉支架");
  else if (rng_percent (&r, 3))
    res->implants = g_strdup ("人工髋关节");

  n_contacts = 1 + rng_below (&r, 3);
  for (guint i = 0; i < n_contacts; i++)
    {
      EcContact *c = ec_contact_new ();
      gboolean child = i == 0 || rng_percent (&r, 40);
      const char *rel = child ? PICK (&r, relations_child) : PICK (&r, relations_other);
      gboolean rel_female = strcmp (rel, "女儿") == 0 || strcmp (rel, "儿媳") == 0 ||
                            strcmp (rel, "孙女") == 0 || strcmp (rel, "外甥女") == 0 ||
                            (strcmp (rel, "老伴") == 0 && !female);
      const Syl *sn = (child || strcmp (rel, "孙子") == 0 || strcmp (rel, "孙女") == 0)
                      ? surname : &PICK (&r, surnames);
      g_autofree char *py = NULL;

      make_name (&r, rel_female, sn, &c->name, &py);
      c->relation = g_strdup (rel);
      c->phones = g_new0 (char *, 3);
      c->phones[0] = phone (&r);
      if (rng_percent (&r, 20))
        c->phones[1] = g_strdup_printf ("010-5550-%04u", rng_below (&r, 10000));
      c->call_order = i + 1;
      c->lives_nearby = rng_percent (&r, 40);
      g_ptr_array_add (res->contacts, c);
    }
  return res;
}

/* A card UID for the k-th card of the community: 04 + 6 bytes from a bijection of k,
 * so no two demo cards share a UID. */
static char *
demo_uid (guint32 seed, guint64 k)
{
  guint64 v = (k * G_GUINT64_CONSTANT (0x5deece66d) + seed_mix (seed, G_MAXUINT32)) & G_GUINT64_CONSTANT (0xffffffffffff);
  return g_strdup_printf ("04%012" G_GINT64_MODIFIER "x", v);
}

static gboolean
insert_card (EcDb *db, const char *uid, EcResidentId rid, guint seq, EcCardStatus status,
             gint64 at, const char *reason, GError **error)
{
  g_autoptr(EcCachedStmt) st =
    _ec_db_stmt (db, "INSERT INTO cards (uid, resident_id, seq, status, issued_at, station_id, staff_id,"
                     " status_changed_at, status_reason, image) VALUES (?,?,?,?,?,1,'S0001',?,?,NULL)", error);

  return st != NULL &&
         _ec_db_bind (db, st, error, "suiills", uid, rid, (int) seq, (int) status, at, at, reason) &&
         _ec_db_step (db, st, _("Cannot save a card"), error) != 0;
}

static gboolean
add_staff (EcDb *db, GError **error)
{
  static const struct { const char *id, *name; EcRole role; } staff[] = {
    { "S0001", "社区服务站 林站长", EC_ROLE_ADMIN },
    { "S0002", "社区服务站 周敏", EC_ROLE_STAFF },
    { "S0003", "社区服务站 吴娜", EC_ROLE_STAFF },
    { "N0001", "社区护士 郑丽", EC_ROLE_NURSE },
    { "N0002", "社区护士 许静", EC_ROLE_NURSE },
  };
  g_autoptr(EcCachedStmt) st =
    _ec_db_stmt (db, "INSERT OR IGNORE INTO staff (id, name, role, pin_hash, pin_failures,"
                     " pin_locked_until, created_at) VALUES (?,?,?,NULL,0,0,?)", error);

  if (st == NULL)
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (staff); i++)
    {
      if (!_ec_db_bind (db, st, error, "ssil", staff[i].id, staff[i].name, (int) staff[i].role, _ec_db_now ()) ||
          _ec_db_step (db, st, _("Cannot save staff"), error) == 0)
        return FALSE;
      (void) sqlite3_reset (st);
    }
  return TRUE;
}

/* Drop the secondary indexes of the resident tables (inside the open transaction);
 * @out gets name, CREATE statement pairs to rebuild them. */
static gboolean
drop_indexes (EcDb *db, GPtrArray **out, GError **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(EcCachedStmt) st =
    _ec_db_stmt (db, "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL"
                     " AND tbl_name IN ('residents', 'conditions', 'allergies', 'medications', 'contacts')"
                     " ORDER BY name", error);
  int rc;

  if (st == NULL)
    return FALSE;
  while ((rc = _ec_db_step (db, st, _("Cannot read the schema"), error)) == SQLITE_ROW)
    {
      g_ptr_array_add (list, _ec_db_col_text (st, 0));
      g_ptr_array_add (list, _ec_db_col_text (st, 1));
    }
  if (rc == 0)
    return FALSE;
  for (guint i = 0; i < list->len; i += 2)
    {
      const char *name = list->pdata[i];
      g_autofree char *sql = NULL;
      g_autoptr(sqlite3_stmt) drop = NULL;

      /* Identifiers cannot be bound; these are our own schema's index names. */
      for (const char *p = name; *p; p++)
        if (!(g_ascii_islower (*p) || g_ascii_isdigit (*p) || *p == '_'))
          {
            g_set_error (error, EC_DB_ERROR, EC_DB_ERROR_INVALID, "unexpected index name %s", name);
            return FALSE;
          }
      sql = g_strdup_printf ("DROP INDEX %s", name);
      rc = sqlite3_prepare_v2 (_ec_db_handle (db), sql, -1, &drop, NULL);
      if (rc != SQLITE_OK || (rc = sqlite3_step (drop)) != SQLITE_DONE)
        {
          _ec_db_set_error (db, rc, _("Cannot drop an index for the bulk load"), error);
          return FALSE;
        }
    }
  *out = g_steal_pointer (&list);
  return TRUE;
}

static void
bulk_pragmas (EcDb *db, gboolean normal)
{
  const char *sql = normal ? "PRAGMA foreign_keys = ON; PRAGMA cell_size_check = ON;"
                           : "PRAGMA foreign_keys = OFF; PRAGMA cell_size_check = OFF;";
  int rc = sqlite3_exec (_ec_db_handle (db), sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    g_warning ("%s: %s", sql, sqlite3_errstr (rc));
}

static gboolean
set_journal_mode (EcDb *db, const char *sql, const char *want)
{
  g_autoptr(sqlite3_stmt) st = NULL;
  const char *mode;

  if (sqlite3_prepare_v2 (_ec_db_handle (db), sql, -1, &st, NULL) != SQLITE_OK ||
      sqlite3_step (st) != SQLITE_ROW)
    return FALSE;
  mode = (const char *) sqlite3_column_text (st, 0);
  return mode != NULL && g_ascii_strcasecmp (mode, want) == 0;
}

gboolean
ec_demo_generate (EcDb     *db,
                  guint     n_residents,
                  guint32   seed,
                  GError  **error)
{
  static const EcActor actor = { EC_ROLE_ADMIN, "demo-generator" };
  g_autofree char *detail = NULL;
  g_autofree IdIndex *order = NULL;
  g_autoptr(GPtrArray) indexes = NULL;
  gboolean bulk_journal = FALSE;
  gint64 now = _ec_db_now ();
  gboolean ok;

  g_return_val_if_fail (db != NULL, FALSE);
  if (!_ec_db_check_writable (db, error))
    return FALSE;
  /* A bulk load: with SQLite's default 2 MB page cache the transaction spends its
   * time spilling pages to the WAL and reading them back. Let this connection keep
   * about what the new rows take (≈1.1 kB a resident with indexes), at most 128 MiB
   * (the process stays under 200 MB at any size; rows go in id order and the
   * indexes are rebuilt after, so a bigger cache bought little), for the run, and
   * sort the rebuilt indexes with a helper thread. */
  {
    gint64 kib = MIN ((gint64) n_residents * 11 / 10 + 65536, 128 * 1024);
    g_autofree char *sql = g_strdup_printf ("PRAGMA cache_size = -%" G_GINT64_FORMAT, kib);
    g_autoptr(sqlite3_stmt) st = NULL;
    int rc = sqlite3_prepare_v2 (_ec_db_handle (db), sql, -1, &st, NULL);
    if (rc != SQLITE_OK || (rc = sqlite3_step (st)) != SQLITE_DONE)
      {
        _ec_db_set_error (db, rc, _("Cannot size the page cache"), error);
        return FALSE;
      }
    (void) sqlite3_limit (_ec_db_handle (db), SQLITE_LIMIT_WORKER_THREADS, 2);
  }
  {
    g_autoptr(EcCachedStmt) st = _ec_db_stmt (db, "PRAGMA threads = 2", error);
    if (st == NULL || _ec_db_step (db, st, _("Cannot size the page cache"), error) == 0)
      return FALSE;
  }
  /* Into an empty database, a rollback journal is as safe for one transaction and
   * writes the new pages once; WAL would write them to the log and then copy them
   * into the file. Only possible when no other connection has the file open; back
   * to WAL afterwards either way. */
  {
    guint64 existing = 1;
    if (n_residents >= 20000 && ec_db_resident_count (db, &existing, NULL) && existing == 0)
      bulk_journal = set_journal_mode (db, "PRAGMA journal_mode = DELETE", "delete");
  }
  /* The generator's rows are consistent by construction (each child row is
   * inserted right after its resident): skip the per-row parent lookups and the
   * page-read checks for the load, restore both after it. Both pragmas are no-ops
   * inside a transaction, hence here. */
  bulk_pragmas (db, FALSE);
  if (!_ec_db_op_begin (db, error))
    {
      bulk_pragmas (db, TRUE);
      if (bulk_journal && !set_journal_mode (db, "PRAGMA journal_mode = WAL", "wal"))
        g_warning ("%s: could not return to WAL mode", ec_db_get_path (db));
      return FALSE;
    }
  ok = add_staff (db, error);
  if (ok && n_residents >= 20000)
    ok = drop_indexes (db, &indexes, error);
  /* Insert in id order: the residents table and every (resident_id, …) index then
   * grow at their right edge instead of at random places. */
  order = g_new (IdIndex, MAX (n_residents, 1));
  for (guint i = 0; i < n_residents; i++)
    {
      order[i].id = demo_resident_id (seed, i);
      order[i].index = i;
    }
  qsort (order, n_residents, sizeof *order, cmp_id_index);
  for (guint k = 0; ok && k < n_residents; k++)
    {
      guint i = order[k].index;
      g_autoptr(EcResident) r = ec_demo_make_resident (seed, i);
      g_autofree char *uid = demo_uid (seed, i);

      ok = _ec_db_insert_resident (db, r, now, actor.id, error);
      /* One resident in ten has had a card replaced (lost, or a new photo). */
      if (ok && i % 10 == 3)
        {
          g_autofree char *old_uid = demo_uid (seed, (guint64) n_residents + i);
          ok = insert_card (db, old_uid, r->id, 1, EC_CARD_STATUS_REPLACED, now - 86400 * 400,
                            "replaced by card seq 2", error) &&
               insert_card (db, uid, r->id, 2, EC_CARD_STATUS_ACTIVE, now - 86400 * 30, NULL, error);
        }
      else if (ok)
        ok = insert_card (db, uid, r->id, 1, EC_CARD_STATUS_ACTIVE, now - 86400 * 200, NULL, error);
    }
  /* Rebuilding an index from sorted data is several times faster than growing it
   * row by row; same transaction, so readers never see the table without it. */
  for (guint i = 0; ok && indexes != NULL && i < indexes->len; i += 2)
    {
      g_autoptr(sqlite3_stmt) st = NULL;
      int rc = sqlite3_prepare_v2 (_ec_db_handle (db), indexes->pdata[i + 1], -1, &st, NULL);
      if (rc != SQLITE_OK || (rc = sqlite3_step (st)) != SQLITE_DONE)
        {
          _ec_db_set_error (db, rc, _("Cannot rebuild an index"), error);
          ok = FALSE;
        }
    }
  if (ok)
    {
      detail = g_strdup_printf ("residents=%u seed=%u", n_residents, seed);
      ok = _ec_db_audit_append_locked (db, &actor, "demo-generate", 0, NULL, NULL, detail, error);
    }
  ok = _ec_db_op_end (db, ok, error);
  bulk_pragmas (db, TRUE);
  if (bulk_journal && !set_journal_mode (db, "PRAGMA journal_mode = WAL", "wal"))
    {
      if (ok)
        g_set_error (error, EC_DB_ERROR, EC_DB_ERROR_SQLITE,
                     _("%s: cannot return to write-ahead logging"), ec_db_get_path (db));
      ok = FALSE;
    }
  {
    g_autoptr(EcCachedStmt) st = _ec_db_stmt (db, "PRAGMA cache_size = -2000", NULL);
    g_autoptr(EcCachedStmt) st2 = _ec_db_stmt (db, "PRAGMA threads = 0", NULL);
    /* Back to the defaults; failing to shrink a cache is harmless. */
    if (st != NULL)
      (void) sqlite3_step (st);
    if (st2 != NULL)
      (void) sqlite3_step (st2);
  }
  if (!ok)
    {
      g_prefix_error (error, _("Cannot generate the demo community: "));
      return FALSE;
    }
  return TRUE;
}
