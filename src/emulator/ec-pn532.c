/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ec-pn532"

#include "ec-pn532.h"

#include <string.h>

/* PN532 command codes (NXP UM0701-02 §7). */
enum
{
  CMD_DIAGNOSE = 0x00,
  CMD_GET_FIRMWARE_VERSION = 0x02,
  CMD_GET_GENERAL_STATUS = 0x04,
  CMD_READ_REGISTER = 0x06,
  CMD_WRITE_REGISTER = 0x08,
  CMD_READ_GPIO = 0x0c,
  CMD_WRITE_GPIO = 0x0e,
  CMD_SET_SERIAL_BAUD_RATE = 0x10,
  CMD_SET_PARAMETERS = 0x12,
  CMD_SAM_CONFIGURATION = 0x14,
  CMD_POWER_DOWN = 0x16,
  CMD_RF_CONFIGURATION = 0x32,
  CMD_IN_DATA_EXCHANGE = 0x40,
  CMD_IN_COMMUNICATE_THRU = 0x42,
  CMD_IN_DESELECT = 0x44,
  CMD_IN_JUMP_FOR_PSL = 0x46,
  CMD_IN_LIST_PASSIVE_TARGET = 0x4a,
  CMD_IN_PSL = 0x4e,
  CMD_IN_ATR = 0x50,
  CMD_IN_RELEASE = 0x52,
  CMD_IN_SELECT = 0x54,
  CMD_IN_JUMP_FOR_DEP = 0x56,
  CMD_IN_AUTO_POLL = 0x60,
};

/* Status bytes (UM0701-02 table 13). */
enum
{
  ST_OK = 0x00,
  ST_TIMEOUT = 0x01,
  ST_CRC = 0x02,
  ST_INBUF_OVERFLOW = 0x0e,
  ST_INVALID_FRAME = 0x13,      /* what a NAK from the tag becomes (see docs/emulator.md) */
  ST_MF_AUTH = 0x14,
  ST_NOT_IN_CONTEXT = 0x27,
};

#define REG_CIU_CONTROL    0x633c
#define REG_CIU_TX_MODE    0x6302
#define REG_CIU_RX_MODE    0x6303
#define REG_CIU_BIT_FRAMING 0x633d
#define CRC_ENABLE         0x80

#define PARAM_AUTO_RATS    0x10

/* The largest answer a PN532 buffers, and libnfc accepts (264 data bytes + status). */
#define MAX_DATA_OUT       264
/* Largest host frame accepted (the PN532 buffer holds 264 bytes + TFI/command). */
#define MAX_BODY           300

/* Air interface, ISO 14443-A 106 kbit/s: one bit is 128/fc = 9.44 us; a byte with
 * parity is 9 bits; each frame adds start and end of communication; the frame
 * delay time between request and answer is about 1172/fc = 86 us. */
#define AIR_BIT_NS         9440
#define AIR_FDT_US         86
#define NTAG_T_PROG_US     4100

static const guint8 ack_frame[] = { 0x00, 0x00, 0xff, 0x00, 0xff, 0x00 };
static const guint8 error_frame[] = { 0x00, 0x00, 0xff, 0x01, 0xff, 0x7f, 0x81, 0x00 };

typedef struct
{
  gint64      not_before;
  GByteArray *bytes;
  gsize       off;
} Chunk;

typedef enum
{
  P_SCAN,
  P_LEN,
  P_LCS,
  P_XLEN_M,
  P_XLEN_L,
  P_XLCS,
  P_BODY,
  P_DCS,
} ParseState;

typedef enum
{
  PENDING_NONE,
  PENDING_IN_LIST,
  PENDING_AUTO_POLL,
} PendingKind;

typedef enum
{
  RUN_ANSWER,
  RUN_PENDING,
  RUN_ERROR,
} RunResult;

struct _EcPn532
{
  guint8       *regs;               /* 64 KiB register/SFR space */
  EcEmuTag     *tag;

  /* Frame parser. */
  ParseState    ps;
  guint8        prev;
  guint8        len_byte;
  guint8        xlen_m;
  guint8        xlen_l;
  gsize         body_len;
  gsize         body_pos;
  guint8        body[MAX_BODY];
  gint64        rx_free;            /* paced input: when the host->chip line is idle */

  /* Chip state. */
  guint8        params;
  gboolean      field;
  guint8        retry_passive;      /* RFConfiguration item 5, MxRtyPassiveActivation */
  guint8        retry_timeout;      /* RFConfiguration item 2, fRetryTimeout index */
  gboolean      target_listed;      /* Tg 1 known to the chip */
  gboolean      target_iso_dep;     /* activated with RATS */

  /* A command waiting for a tag. */
  PendingKind   pending;
  gint64        pending_deadline;
  guint8        pending_types[16];
  gsize         n_pending_types;
  guint8        pending_init[16];
  gsize         n_pending_init;

  /* Output. */
  GQueue        out;
  GByteArray   *last_answer;

  /* Pacing and faults. */
  guint         baud;
  gboolean      air;
  guint         tear_k;
  EcPn532TearMode tear_mode;
  guint         drop_k;
  guint         corrupt_k;
  gboolean      stalled;
  guint         max_answer;         /* data bytes per tag answer, <= MAX_DATA_OUT */
  GRand        *rand;

  EcPn532Stats  stats;
};

static void
chunk_free (gpointer data)
{
  Chunk *c = data;

  g_byte_array_unref (c->bytes);
  g_free (c);
}

EcPn532 *
ec_pn532_new (void)
{
  EcPn532 *self = g_new0 (EcPn532, 1);

  self->regs = g_malloc0 (0x10000);
  g_queue_init (&self->out);
  self->rand = g_rand_new_with_seed (1);
  self->max_answer = MAX_DATA_OUT;
  ec_pn532_reset (self);
  return self;
}

void
ec_pn532_free (EcPn532 *self)
{
  if (self == NULL)
    return;
  g_queue_clear_full (&self->out, chunk_free);
  if (self->last_answer)
    g_byte_array_unref (self->last_answer);
  if (self->tag)
    ec_emu_tag_free (self->tag);
  g_rand_free (self->rand);
  g_free (self->regs);
  g_free (self);
}

void
ec_pn532_reset (EcPn532 *self)
{
  memset (self->regs, 0, 0x10000);
  self->regs[REG_CIU_TX_MODE] = CRC_ENABLE;
  self->regs[REG_CIU_RX_MODE] = CRC_ENABLE;
  self->regs[REG_CIU_CONTROL] = 0x10;
  self->regs[0xffb0] = 0xff;               /* P3 */
  self->regs[0xfff7] = 0xff;               /* P7 */
  self->ps = P_SCAN;
  self->prev = 0xff;
  self->rx_free = 0;
  self->params = 0x00;
  self->field = FALSE;
  self->retry_passive = 0xff;
  self->retry_timeout = 0x0a;
  self->target_listed = FALSE;
  self->target_iso_dep = FALSE;
  self->pending = PENDING_NONE;
  ec_pn532_clear_output (self);
  if (self->last_answer)
    g_clear_pointer (&self->last_answer, g_byte_array_unref);
  if (self->tag)
    ec_emu_tag_power_off (self->tag);
}

void
ec_pn532_set_tag (EcPn532  *self,
                  EcEmuTag *tag)
{
  if (self->tag)
    ec_emu_tag_free (self->tag);
  self->tag = tag;
  if (tag)
    ec_emu_tag_power_off (tag);
}

EcEmuTag *
ec_pn532_get_tag (EcPn532 *self)
{
  return self->tag;
}

void
ec_pn532_set_pace (EcPn532 *self,
                   guint    baud)
{
  self->baud = baud;
}

guint
ec_pn532_get_pace (EcPn532 *self)
{
  return self->baud;
}

void
ec_pn532_set_air (EcPn532 *self,
                  gboolean air)
{
  self->air = air;
}

gboolean
ec_pn532_get_air (EcPn532 *self)
{
  return self->air;
}

void
ec_pn532_set_tear (EcPn532        *self,
                   guint           k,
                   EcPn532TearMode mode)
{
  self->tear_k = k;
  self->tear_mode = k ? mode : EC_PN532_TEAR_NONE;
}

void
ec_pn532_set_drop_frame (EcPn532 *self,
                         guint    k)
{
  self->drop_k = k;
}

void
ec_pn532_set_corrupt_frame (EcPn532 *self,
                            guint    k)
{
  self->corrupt_k = k;
}

void
ec_pn532_set_stalled (EcPn532 *self,
                      gboolean stalled)
{
  self->stalled = stalled;
  if (stalled)
    {
      /* A hung chip: nothing queued goes out, nothing pending completes. */
      ec_pn532_clear_output (self);
      self->pending = PENDING_NONE;
    }
  self->ps = P_SCAN;
  self->prev = 0xff;
}

gboolean
ec_pn532_get_stalled (EcPn532 *self)
{
  return self->stalled;
}

void
ec_pn532_set_max_answer (EcPn532 *self,
                         guint    bytes)
{
  self->max_answer = CLAMP (bytes, 1, MAX_DATA_OUT);
}

guint
ec_pn532_get_max_answer (EcPn532 *self)
{
  return self->max_answer;
}

void
ec_pn532_set_seed (EcPn532 *self,
                   guint32  seed)
{
  g_rand_set_seed (self->rand, seed);
}

/* ---------------------------------------------------------------------------
 * Output. */

static void
emit_raw (EcPn532      *self,
          const guint8 *data,
          gsize         len,
          gint64        not_before)
{
  Chunk *c;

  if (self->drop_k > 0 && --self->drop_k == 0)
    {
      self->stats.frames_dropped++;
      return;
    }
  c = g_new0 (Chunk, 1);
  c->not_before = not_before;
  c->bytes = g_byte_array_sized_new ((guint) len);
  g_byte_array_append (c->bytes, data, (guint) len);
  if (self->corrupt_k > 0 && --self->corrupt_k == 0 && len >= 2)
    {
      c->bytes->data[len - 2] ^= 0x5a;       /* DCS of an answer, LCS of an ACK */
      self->stats.frames_corrupted++;
    }
  self->stats.frames_out++;
  g_queue_push_tail (&self->out, c);
}

static void
emit_answer (EcPn532      *self,
             const guint8 *data,
             gsize         len,
             gint64        not_before)
{
  g_autoptr(GByteArray) f = g_byte_array_sized_new ((guint) len + 10);
  gsize n = len + 1;                          /* TFI + data */
  guint8 sum = 0xd5;
  guint8 b;

  g_byte_array_append (f, (const guint8[]) { 0x00, 0x00, 0xff }, 3);
  if (n <= 255)
    {
      g_byte_array_append (f, (const guint8[]) { (guint8) n, (guint8) (0x100 - n) }, 2);
    }
  else
    {
      guint8 m = (guint8) (n >> 8), l = (guint8) (n & 0xff);
      g_byte_array_append (f, (const guint8[]) { 0xff, 0xff, m, l, (guint8) (0x100 - ((m + l) & 0xff)) }, 5);
    }
  b = 0xd5;
  g_byte_array_append (f, &b, 1);
  g_byte_array_append (f, data, (guint) len);
  for (gsize i = 0; i < len; i++)
    sum = (guint8) (sum + data[i]);
  b = (guint8) (0x100 - sum);
  g_byte_array_append (f, &b, 1);
  b = 0x00;
  g_byte_array_append (f, &b, 1);

  if (self->last_answer)
    g_byte_array_unref (self->last_answer);
  self->last_answer = g_byte_array_ref (f);
  emit_raw (self, f->data, f->len, not_before);
}

gboolean
ec_pn532_peek_output (EcPn532       *self,
                      gint64        *not_before,
                      const guint8 **data,
                      gsize         *len)
{
  Chunk *c = g_queue_peek_head (&self->out);

  if (c == NULL)
    return FALSE;
  *not_before = c->not_before;
  *data = c->bytes->data + c->off;
  *len = c->bytes->len - c->off;
  return TRUE;
}

void
ec_pn532_consume_output (EcPn532 *self,
                         gsize    n)
{
  Chunk *c = g_queue_peek_head (&self->out);

  if (c == NULL)
    return;
  c->off += MIN (n, c->bytes->len - c->off);
  self->stats.bytes_out += n;
  if (c->off >= c->bytes->len)
    chunk_free (g_queue_pop_head (&self->out));
}

void
ec_pn532_clear_output (EcPn532 *self)
{
  g_queue_clear_full (&self->out, chunk_free);
  g_queue_init (&self->out);
}

/* ---------------------------------------------------------------------------
 * Air time. */

static gint64
air_bits_us (guint64 bits)
{
  return (gint64) ((bits * AIR_BIT_NS + 999) / 1000);
}

/* One request/answer exchange: bytes include CRC_A. */
static gint64
air_exchange_us (EcPn532 *self,
                 gsize    req_bytes,
                 gsize    ans_bytes,
                 gboolean ans_4bit,
                 gboolean program)
{
  guint64 bits;

  if (!self->air)
    return 0;
  bits = (guint64) req_bytes * 9 + 2 + (ans_4bit ? 4 + 2 : (guint64) ans_bytes * 9 + 2);
  return air_bits_us (bits) + 2 * AIR_FDT_US + (program ? NTAG_T_PROG_US : 0);
}

/* A request that gets no answer: the PN532 waits for its retry timer. */
static gint64
air_timeout_us (EcPn532 *self,
                gsize    req_bytes)
{
  guint idx = self->retry_timeout;
  gint64 wait;

  if (!self->air)
    return 0;
  /* fRetryTimeout: 0 = no timeout (we still answer), n = 100 us * 2^(n-1). */
  if (idx == 0)
    wait = 0;
  else
    wait = (gint64) 100 << MIN (idx - 1, 16u);
  return air_bits_us ((guint64) req_bytes * 9 + 2) + wait;
}

static gint64
air_activation_us (EcPn532  *self,
                   EcEmuTag *tag,
                   gboolean  rats)
{
  guint64 bits;
  guint levels = tag->uid_len == 4 ? 1 : tag->uid_len == 7 ? 2 : 3;
  guint frames = 1 + 2 * levels;

  if (!self->air)
    return 0;
  bits = 7 + 2 * 9;                                 /* REQA, ATQA */
  bits += (guint64) levels * ((2 + 5) * 9 + (9 + 3) * 9);
  if (rats)
    {
      bits += (4 + 8) * 9;                          /* RATS + CRC, ATS + CRC */
      frames++;
    }
  return air_bits_us (bits + 2ull * 2 * frames) + 2 * AIR_FDT_US * frames;
}

/* ---------------------------------------------------------------------------
 * Targets. */

static gboolean
uid_matches (EcEmuTag     *tag,
             const guint8 *init,
             gsize         n)
{
  if (n == 0)
    return TRUE;
  if (n == tag->uid_len && memcmp (init, tag->uid, n) == 0)
    return TRUE;
  /* Cascaded form: 88 u0 u1 u2 u3 u4 u5 u6 for a 7-byte UID. */
  if (tag->uid_len == 7 && n == 8 && init[0] == 0x88 && memcmp (init + 1, tag->uid, 7) == 0)
    return TRUE;
  return FALSE;
}

/* Tg ATQA SAK UIDlen UID [ATS]: the target data of InListPassiveTarget/InAutoPoll. */
static void
append_target_data (EcPn532    *self,
                    GByteArray *a,
                    gboolean    with_ats)
{
  EcEmuTag *tag = self->tag;
  guint8 atqa[2];
  guint8 b;

  b = 0x01;
  g_byte_array_append (a, &b, 1);
  ec_emu_tag_atqa (tag, atqa);
  g_byte_array_append (a, atqa, 2);
  b = ec_emu_tag_sak (tag);
  g_byte_array_append (a, &b, 1);
  b = (guint8) tag->uid_len;
  g_byte_array_append (a, &b, 1);
  g_byte_array_append (a, tag->uid, (guint) tag->uid_len);
  if (with_ats)
    {
      guint8 ats[32];
      gsize n = ec_emu_tag_ats (tag, ats, sizeof ats);
      g_byte_array_append (a, ats, (guint) n);
    }
}

/* Try to activate the tag in the field for InListPassiveTarget. */
static gboolean
try_list (EcPn532      *self,
          const guint8 *init,
          gsize         n_init,
          GByteArray   *ans,
          gint64       *delay)
{
  EcEmuTag *tag = self->tag;
  gboolean rats;

  if (tag == NULL || !uid_matches (tag, init, n_init) || !ec_emu_tag_select (tag, FALSE))
    return FALSE;
  rats = ec_emu_tag_is_iso14443_4 (tag) && (self->params & PARAM_AUTO_RATS);
  g_byte_array_append (ans, (const guint8[]) { 0x01 }, 1);
  append_target_data (self, ans, rats);
  self->target_listed = TRUE;
  self->target_iso_dep = rats;
  *delay = air_activation_us (self, tag, rats);
  return TRUE;
}

/* InAutoPoll: the first requested type the tag in the field matches. */
static gboolean
try_poll (EcPn532    *self,
          GByteArray *ans,
          gint64     *delay)
{
  EcEmuTag *tag = self->tag;

  if (tag == NULL)
    return FALSE;
  for (gsize i = 0; i < self->n_pending_types; i++)
    {
      guint8 type = self->pending_types[i];
      gboolean iso4 = ec_emu_tag_is_iso14443_4 (tag);
      gboolean match = type == 0x00 || type == 0x10 || (type == 0x20 && iso4);
      g_autoptr(GByteArray) data = NULL;

      if (!match)
        continue;
      if (!ec_emu_tag_select (tag, FALSE))
        return FALSE;
      data = g_byte_array_new ();
      append_target_data (self, data, type == 0x20);
      g_byte_array_append (ans, (const guint8[]) { 0x01, type, (guint8) data->len }, 3);
      g_byte_array_append (ans, data->data, data->len);
      self->target_listed = TRUE;
      self->target_iso_dep = type == 0x20;
      *delay = air_activation_us (self, tag, type == 0x20);
      return TRUE;
    }
  return FALSE;
}

/* One exchange with the tag. Appends the status byte and data to ans. */
static void
tag_exchange (EcPn532      *self,
              const guint8 *data,
              gsize         len,
              gboolean      easy,
              GByteArray   *ans,
              gint64       *delay)
{
  EcEmuTag *tag = self->tag;
  gboolean tx_crc = (self->regs[REG_CIU_TX_MODE] & CRC_ENABLE) != 0;
  gboolean rx_crc = (self->regs[REG_CIU_RX_MODE] & CRC_ENABLE) != 0;
  guint last_bits = easy ? 0 : (self->regs[REG_CIU_BIT_FRAMING] & 0x07);
  gboolean type_a = easy || (self->regs[REG_CIU_TX_MODE] & 0x03) == 0;
  g_autoptr(GByteArray) reply = g_byte_array_new ();
  EcPn532TearMode tear = EC_PN532_TEAR_NONE;
  gsize air_req = len + 2;
  EcEmuReply r;
  EcEmuOp op;
  gboolean has_crc = TRUE;
  guint8 status;

  self->regs[REG_CIU_CONTROL] = (guint8) (self->regs[REG_CIU_CONTROL] & ~0x07);

  if (easy && !self->target_listed)
    {
      g_byte_array_append (ans, (const guint8[]) { ST_NOT_IN_CONTEXT }, 1);
      return;
    }
  if (tag == NULL || !type_a || len == 0)
    {
      self->stats.tag_timeouts++;
      g_byte_array_append (ans, (const guint8[]) { ST_TIMEOUT }, 1);
      *delay = air_timeout_us (self, air_req);
      return;
    }

  /* Without the chip's CRC the host sends CRC_A itself: check and strip it. Short
   * frames and anticollision frames carry no CRC. */
  if (!easy && !tx_crc)
    {
      gboolean anticoll = len == 2 && (data[0] == 0x93 || data[0] == 0x95) && data[1] == 0x20;
      air_req = len;
      if (last_bits == 0 && !anticoll)
        {
          guint16 crc;
          if (len < 3)
            {
              self->stats.tag_cmds++;
              self->stats.tag_timeouts++;
              g_byte_array_append (ans, (const guint8[]) { ST_TIMEOUT }, 1);
              *delay = air_timeout_us (self, air_req);
              return;
            }
          crc = ec_emu_crc_a (data, len - 2);
          if (data[len - 2] != (crc & 0xff) || data[len - 1] != (crc >> 8))
            {
              self->stats.tag_cmds++;
              self->stats.tag_timeouts++;
              g_byte_array_append (ans, (const guint8[]) { ST_TIMEOUT }, 1);
              *delay = air_timeout_us (self, air_req);
              return;
            }
          len -= 2;
        }
    }
  else if (!easy && last_bits != 0)
    air_req = len;

  self->stats.tag_cmds++;
  if (self->tear_k > 0 && --self->tear_k == 0)
    {
      tear = self->tear_mode;
      self->tear_mode = EC_PN532_TEAR_NONE;
      self->stats.tears++;
    }

  if (tear == EC_PN532_TEAR_NOT_APPLIED)
    {
      op = ec_emu_tag_classify (tag, data, len, easy);
      self->stats.tag_op[op]++;
      ec_emu_tag_power_off (tag);
      self->stats.tag_timeouts++;
      g_byte_array_append (ans, (const guint8[]) { ST_TIMEOUT }, 1);
      *delay = air_timeout_us (self, air_req);
      return;
    }

  op = ec_emu_tag_classify (tag, data, len, easy);
  r = ec_emu_tag_transceive (tag, data, len, last_bits, easy,
                             (tear == EC_PN532_TEAR_HALF_WRITTEN
                              && (op == EC_EMU_OP_WRITE || op == EC_EMU_OP_COMPAT_WRITE))
                             ? EC_EMU_WRITE_TORN : EC_EMU_WRITE_NORMAL,
                             self->rand, reply, &op, &has_crc);
  self->stats.tag_op[op]++;

  if (tear != EC_PN532_TEAR_NONE)
    {
      /* The card left the field mid-command: no answer, and it comes back unpowered. */
      ec_emu_tag_power_off (tag);
      self->stats.tag_timeouts++;
      g_byte_array_append (ans, (const guint8[]) { ST_TIMEOUT }, 1);
      *delay = air_timeout_us (self, air_req)
               + ((op == EC_EMU_OP_WRITE || op == EC_EMU_OP_COMPAT_WRITE) && self->air ? NTAG_T_PROG_US / 2 : 0);
      return;
    }

  switch (r)
    {
    case EC_EMU_REPLY_DATA:
      if (easy)
        {
          if (reply->len > self->max_answer)
            {
              g_byte_array_append (ans, (const guint8[]) { ST_INBUF_OVERFLOW }, 1);
            }
          else
            {
              g_byte_array_append (ans, (const guint8[]) { ST_OK }, 1);
              g_byte_array_append (ans, reply->data, reply->len);
            }
        }
      else if (rx_crc && !has_crc)
        {
          /* ATQA/UID answers carry no CRC: the CIU reports a CRC error. */
          g_byte_array_append (ans, (const guint8[]) { ST_CRC }, 1);
        }
      else
        {
          if (has_crc && !rx_crc)
            {
              guint16 crc = ec_emu_crc_a (reply->data, reply->len);
              g_byte_array_append (reply, (const guint8[]) { (guint8) (crc & 0xff), (guint8) (crc >> 8) }, 2);
            }
          if (reply->len > self->max_answer)
            g_byte_array_append (ans, (const guint8[]) { ST_INBUF_OVERFLOW }, 1);
          else
            {
              g_byte_array_append (ans, (const guint8[]) { ST_OK }, 1);
              g_byte_array_append (ans, reply->data, reply->len);
            }
        }
      *delay = air_exchange_us (self, air_req, reply->len + (has_crc && rx_crc ? 2 : 0), FALSE, FALSE);
      break;

    case EC_EMU_REPLY_ACK:
    case EC_EMU_REPLY_NAK:
      if (r == EC_EMU_REPLY_NAK)
        self->stats.tag_naks++;
      if (easy)
        {
          status = r == EC_EMU_REPLY_ACK ? ST_OK : ST_INVALID_FRAME;
          g_byte_array_append (ans, &status, 1);
        }
      else
        {
          guint8 nibble = r == EC_EMU_REPLY_ACK ? 0x0a : (guint8) (reply->len ? reply->data[0] & 0x0f : 0);
          g_byte_array_append (ans, (const guint8[]) { ST_OK, nibble }, 2);
          self->regs[REG_CIU_CONTROL] = (guint8) ((self->regs[REG_CIU_CONTROL] & ~0x07) | 0x04);
        }
      *delay = air_exchange_us (self, air_req, 0, TRUE,
                                r == EC_EMU_REPLY_ACK
                                && (op == EC_EMU_OP_WRITE || op == EC_EMU_OP_COMPAT_WRITE)
                                && ec_emu_tag_type_is_ntag (tag->type));
      if (easy && op == EC_EMU_OP_COMPAT_WRITE)
        *delay += air_exchange_us (self, 18, 0, TRUE, FALSE);
      break;

    case EC_EMU_REPLY_AUTH_FAILED:
      g_byte_array_append (ans, (const guint8[]) { ST_MF_AUTH }, 1);
      *delay = air_timeout_us (self, air_req);
      break;

    case EC_EMU_REPLY_NONE:
    default:
      self->stats.tag_timeouts++;
      g_byte_array_append (ans, (const guint8[]) { ST_TIMEOUT }, 1);
      *delay = air_timeout_us (self, air_req);
      break;
    }
}

/* ---------------------------------------------------------------------------
 * Commands. */

static RunResult
run_command (EcPn532      *self,
             guint8        cmd,
             const guint8 *p,
             gsize         n,
             GByteArray   *ans,
             gint64        t,
             gint64       *delay)
{
  switch (cmd)
    {
    case CMD_DIAGNOSE:
      if (n < 1)
        return RUN_ERROR;
      switch (p[0])
        {
        case 0x00:                                  /* communication test: echo */
          g_byte_array_append (ans, p, (guint) n);
          break;
        case 0x06:                                  /* card presence */
          g_byte_array_append (ans, (const guint8[]) {
            self->tag && self->tag->active && self->target_listed ? ST_OK : ST_TIMEOUT }, 1);
          break;
        default:
          g_byte_array_append (ans, (const guint8[]) { 0x00 }, 1);
          break;
        }
      return RUN_ANSWER;

    case CMD_GET_FIRMWARE_VERSION:
      g_byte_array_append (ans, (const guint8[]) { 0x32, 0x01, 0x06, 0x07 }, 4);
      return RUN_ANSWER;

    case CMD_GET_GENERAL_STATUS:
      g_byte_array_append (ans, (const guint8[]) { 0x00, self->field ? 0x01 : 0x00,
                                                   self->target_listed ? 0x01 : 0x00 }, 3);
      if (self->target_listed)
        g_byte_array_append (ans, (const guint8[]) { 0x01, 0x00, 0x00, 0x00 }, 4);
      g_byte_array_append (ans, (const guint8[]) { 0x00 }, 1);
      return RUN_ANSWER;

    case CMD_READ_REGISTER:
      if (n == 0 || n % 2 != 0)
        return RUN_ERROR;
      for (gsize i = 0; i < n; i += 2)
        g_byte_array_append (ans, &self->regs[(p[i] << 8) | p[i + 1]], 1);
      return RUN_ANSWER;

    case CMD_WRITE_REGISTER:
      if (n == 0 || n % 3 != 0)
        return RUN_ERROR;
      for (gsize i = 0; i < n; i += 3)
        self->regs[(p[i] << 8) | p[i + 1]] = p[i + 2];
      return RUN_ANSWER;

    case CMD_READ_GPIO:
      g_byte_array_append (ans, (const guint8[]) { self->regs[0xffb0], self->regs[0xfff7], 0x00 }, 3);
      return RUN_ANSWER;

    case CMD_WRITE_GPIO:
    case CMD_SET_SERIAL_BAUD_RATE:
      return RUN_ANSWER;

    case CMD_SET_PARAMETERS:
      if (n < 1)
        return RUN_ERROR;
      self->params = p[0];
      return RUN_ANSWER;

    case CMD_SAM_CONFIGURATION:
      if (n < 1 || p[0] < 1 || p[0] > 4)
        return RUN_ERROR;
      return RUN_ANSWER;

    case CMD_POWER_DOWN:
      if (n < 1)
        return RUN_ERROR;
      self->field = FALSE;
      self->target_listed = FALSE;
      if (self->tag)
        ec_emu_tag_power_off (self->tag);
      g_byte_array_append (ans, (const guint8[]) { ST_OK }, 1);
      return RUN_ANSWER;

    case CMD_RF_CONFIGURATION:
      if (n < 2)
        return RUN_ERROR;
      switch (p[0])
        {
        case 0x01:                                  /* RF field */
          self->field = (p[1] & 0x01) != 0;
          if (!self->field)
            {
              self->target_listed = FALSE;
              if (self->tag)
                ec_emu_tag_power_off (self->tag);
            }
          break;
        case 0x02:                                  /* various timings */
          if (n >= 4)
            self->retry_timeout = p[3];
          break;
        case 0x05:                                  /* max retries */
          if (n >= 4)
            self->retry_passive = p[3];
          break;
        default:
          break;
        }
      return RUN_ANSWER;

    case CMD_IN_LIST_PASSIVE_TARGET:
      if (n < 2 || p[0] < 1 || p[0] > 2)
        return RUN_ERROR;
      self->field = TRUE;
      self->target_listed = FALSE;
      if (p[1] != 0x00)
        {
          /* FeliCa, ISO 14443-B, Jewel: nothing of that kind here. */
          g_byte_array_append (ans, (const guint8[]) { 0x00 }, 1);
          *delay = self->air ? 3000 : 0;
          return RUN_ANSWER;
        }
      if (try_list (self, p + 2, n - 2, ans, delay))
        return RUN_ANSWER;
      if (self->retry_passive == 0xff)
        {
          /* Like the chip: keep polling until a tag comes or the host aborts. */
          self->pending = PENDING_IN_LIST;
          self->pending_deadline = G_MAXINT64;
          self->n_pending_init = MIN (n - 2, sizeof self->pending_init);
          memcpy (self->pending_init, p + 2, self->n_pending_init);
          return RUN_PENDING;
        }
      g_byte_array_append (ans, (const guint8[]) { 0x00 }, 1);
      *delay = self->air ? 1000 * ((gint64) self->retry_passive + 1) : 0;
      return RUN_ANSWER;

    case CMD_IN_AUTO_POLL:
      if (n < 3 || p[0] == 0 || p[1] < 1 || p[1] > 15 || n - 2 > 15)
        return RUN_ERROR;
      self->field = TRUE;
      self->target_listed = FALSE;
      self->n_pending_types = n - 2;
      memcpy (self->pending_types, p + 2, n - 2);
      if (try_poll (self, ans, delay))
        return RUN_ANSWER;
      self->pending = PENDING_AUTO_POLL;
      if (p[0] == 0xff)
        self->pending_deadline = G_MAXINT64;
      else
        self->pending_deadline = t + (gint64) p[0] * (gint64) (n - 2) * p[1] * 150000;
      return RUN_PENDING;

    case CMD_IN_DATA_EXCHANGE:
      if (n < 1)
        return RUN_ERROR;
      if ((p[0] & 0x0f) != 0x01)
        {
          g_byte_array_append (ans, (const guint8[]) { ST_NOT_IN_CONTEXT }, 1);
          return RUN_ANSWER;
        }
      tag_exchange (self, p + 1, n - 1, TRUE, ans, delay);
      return RUN_ANSWER;

    case CMD_IN_COMMUNICATE_THRU:
      tag_exchange (self, p, n, FALSE, ans, delay);
      return RUN_ANSWER;

    case CMD_IN_DESELECT:
    case CMD_IN_RELEASE:
      if (n < 1)
        return RUN_ERROR;
      if (self->target_listed && self->tag && self->tag->active)
        {
          ec_emu_tag_halt (self->tag);
          *delay = air_exchange_us (self, 4, 0, FALSE, FALSE);
        }
      if (cmd == CMD_IN_RELEASE)
        self->target_listed = FALSE;
      g_byte_array_append (ans, (const guint8[]) { ST_OK }, 1);
      return RUN_ANSWER;

    case CMD_IN_SELECT:
      if (n < 1)
        return RUN_ERROR;
      if (!self->target_listed)
        g_byte_array_append (ans, (const guint8[]) { ST_NOT_IN_CONTEXT }, 1);
      else if (self->tag && ec_emu_tag_select (self->tag, TRUE))
        {
          g_byte_array_append (ans, (const guint8[]) { ST_OK }, 1);
          *delay = air_activation_us (self, self->tag, FALSE);
        }
      else
        g_byte_array_append (ans, (const guint8[]) { ST_TIMEOUT }, 1);
      return RUN_ANSWER;

    case CMD_IN_ATR:
    case CMD_IN_PSL:
    case CMD_IN_JUMP_FOR_DEP:
    case CMD_IN_JUMP_FOR_PSL:
      /* No NFC-DEP peer in this field. */
      g_byte_array_append (ans, (const guint8[]) { ST_TIMEOUT }, 1);
      *delay = self->air ? 3000 : 0;
      return RUN_ANSWER;

    default:
      return RUN_ERROR;
    }
}

static void
cancel_pending (EcPn532 *self)
{
  if (self->pending != PENDING_NONE)
    {
      self->pending = PENDING_NONE;
      self->stats.aborted++;
    }
}

static void
handle_frame (EcPn532      *self,
              const guint8 *body,
              gsize         len,
              gint64        t)
{
  g_autoptr(GByteArray) ans = NULL;
  gint64 delay = 0;
  guint8 cmd;

  if (len < 2 || body[0] != 0xd4)
    {
      self->stats.bad_frames++;
      emit_raw (self, error_frame, sizeof error_frame, t);
      return;
    }
  cancel_pending (self);
  cmd = body[1];
  self->stats.frames_in++;
  self->stats.cmd[cmd]++;
  emit_raw (self, ack_frame, sizeof ack_frame, t);

  ans = g_byte_array_new ();
  g_byte_array_append (ans, (const guint8[]) { (guint8) (cmd + 1) }, 1);
  switch (run_command (self, cmd, body + 2, len - 2, ans, t, &delay))
    {
    case RUN_ANSWER:
      self->stats.air_us += (guint64) MAX (delay, 0);
      emit_answer (self, ans->data, ans->len, t + delay);
      break;
    case RUN_PENDING:
      break;
    case RUN_ERROR:
    default:
      emit_raw (self, error_frame, sizeof error_frame, t);
      break;
    }
}

static void
parse_byte (EcPn532 *self,
            guint8   b,
            gint64   t)
{
  switch (self->ps)
    {
    case P_SCAN:
      if (b == 0xff && self->prev == 0x00)
        self->ps = P_LEN;
      break;

    case P_LEN:
      self->len_byte = b;
      self->ps = P_LCS;
      break;

    case P_LCS:
      self->ps = P_SCAN;
      if (self->len_byte == 0x00 && b == 0xff)
        {
          self->stats.acks_in++;
          cancel_pending (self);                    /* the host aborts the running command */
        }
      else if (self->len_byte == 0xff && b == 0x00)
        {
          self->stats.nacks_in++;
          if (self->last_answer)
            {
              g_autoptr(GByteArray) again = g_byte_array_ref (self->last_answer);
              emit_raw (self, again->data, again->len, t);
            }
        }
      else if (self->len_byte == 0xff && b == 0xff)
        self->ps = P_XLEN_M;
      else if (((self->len_byte + b) & 0xff) == 0 && self->len_byte > 0)
        {
          self->body_len = self->len_byte;
          self->body_pos = 0;
          self->ps = P_BODY;
        }
      else
        self->stats.bad_frames++;
      break;

    case P_XLEN_M:
      self->xlen_m = b;
      self->ps = P_XLEN_L;
      break;

    case P_XLEN_L:
      self->xlen_l = b;
      self->ps = P_XLCS;
      break;

    case P_XLCS:
      self->body_len = ((gsize) self->xlen_m << 8) | self->xlen_l;
      if (((self->xlen_m + self->xlen_l + b) & 0xff) != 0 || self->body_len == 0 || self->body_len > MAX_BODY)
        {
          self->stats.bad_frames++;
          self->ps = P_SCAN;
        }
      else
        {
          self->body_pos = 0;
          self->ps = P_BODY;
        }
      break;

    case P_BODY:
      self->body[self->body_pos++] = b;
      if (self->body_pos == self->body_len)
        self->ps = P_DCS;
      break;

    case P_DCS:
      {
        guint8 sum = b;
        for (gsize i = 0; i < self->body_len; i++)
          sum = (guint8) (sum + self->body[i]);
        self->ps = P_SCAN;
        if (sum != 0)
          self->stats.bad_frames++;                 /* the chip ignores it: the host times out */
        else
          handle_frame (self, self->body, self->body_len, t);
      }
      break;

    default:
      self->ps = P_SCAN;
      break;
    }
  self->prev = b;
}

void
ec_pn532_feed (EcPn532      *self,
               const guint8 *data,
               gsize         len,
               gint64        now_us)
{
  gint64 byte_us = self->baud ? (10 * G_USEC_PER_SEC + self->baud - 1) / self->baud : 0;

  if (self->stalled)
    return;
  self->stats.bytes_in += len;
  for (gsize i = 0; i < len; i++)
    {
      gint64 t = now_us;
      if (byte_us)
        {
          /* A pty delivers at once: model the time the byte would take on the wire. */
          t = MAX (now_us, self->rx_free) + byte_us;
          self->rx_free = t;
        }
      parse_byte (self, data[i], t);
      if (self->stalled)
        return;
    }
}

void
ec_pn532_tick (EcPn532 *self,
               gint64   now_us)
{
  g_autoptr(GByteArray) ans = NULL;
  gint64 delay = 0;

  if (self->stalled || self->pending == PENDING_NONE)
    return;

  ans = g_byte_array_new ();
  if (self->pending == PENDING_IN_LIST)
    {
      g_byte_array_append (ans, (const guint8[]) { CMD_IN_LIST_PASSIVE_TARGET + 1 }, 1);
      if (try_list (self, self->pending_init, self->n_pending_init, ans, &delay))
        {
          self->pending = PENDING_NONE;
          self->stats.air_us += (guint64) MAX (delay, 0);
          emit_answer (self, ans->data, ans->len, now_us + delay);
        }
      return;
    }

  g_byte_array_append (ans, (const guint8[]) { CMD_IN_AUTO_POLL + 1 }, 1);
  if (try_poll (self, ans, &delay))
    {
      self->pending = PENDING_NONE;
      self->stats.air_us += (guint64) MAX (delay, 0);
      emit_answer (self, ans->data, ans->len, now_us + delay);
    }
  else if (now_us >= self->pending_deadline)
    {
      self->pending = PENDING_NONE;
      g_byte_array_append (ans, (const guint8[]) { 0x00 }, 1);
      emit_answer (self, ans->data, ans->len, now_us);
    }
}

gint64
ec_pn532_next_deadline (EcPn532 *self)
{
  if (self->stalled || self->pending != PENDING_AUTO_POLL)
    return G_MAXINT64;
  return self->pending_deadline;
}

/* ---------------------------------------------------------------------------
 * Statistics. */

const EcPn532Stats *
ec_pn532_get_stats (EcPn532 *self)
{
  return &self->stats;
}

void
ec_pn532_reset_stats (EcPn532 *self)
{
  memset (&self->stats, 0, sizeof self->stats);
}

char *
ec_pn532_format_stats (EcPn532 *self)
{
  static const struct { guint8 code; const char *name; } cmds[] = {
    { CMD_DIAGNOSE, "diagnose" },
    { CMD_GET_FIRMWARE_VERSION, "get_firmware_version" },
    { CMD_READ_REGISTER, "read_register" },
    { CMD_WRITE_REGISTER, "write_register" },
    { CMD_SET_PARAMETERS, "set_parameters" },
    { CMD_SAM_CONFIGURATION, "sam_configuration" },
    { CMD_POWER_DOWN, "power_down" },
    { CMD_RF_CONFIGURATION, "rf_configuration" },
    { CMD_IN_LIST_PASSIVE_TARGET, "in_list_passive_target" },
    { CMD_IN_AUTO_POLL, "in_auto_poll" },
    { CMD_IN_DATA_EXCHANGE, "in_data_exchange" },
    { CMD_IN_COMMUNICATE_THRU, "in_communicate_thru" },
    { CMD_IN_DESELECT, "in_deselect" },
    { CMD_IN_RELEASE, "in_release" },
    { CMD_IN_SELECT, "in_select" },
  };
  static const char *ops[EC_EMU_OP_N] = {
    [EC_EMU_OP_READ] = "read",
    [EC_EMU_OP_FAST_READ] = "fast_read",
    [EC_EMU_OP_WRITE] = "write",
    [EC_EMU_OP_COMPAT_WRITE] = "compat_write",
    [EC_EMU_OP_GET_VERSION] = "get_version",
    [EC_EMU_OP_READ_SIG] = "read_sig",
    [EC_EMU_OP_PWD_AUTH] = "pwd_auth",
    [EC_EMU_OP_READ_CNT] = "read_cnt",
    [EC_EMU_OP_ACTIVATION] = "activation",
    [EC_EMU_OP_MFC_AUTH] = "mfc_auth",
    [EC_EMU_OP_APDU] = "apdu",
    [EC_EMU_OP_OTHER] = "other_tag",
  };
  const EcPn532Stats *s = &self->stats;
  GString *str = g_string_new (NULL);
  guint64 other = s->frames_in;

  g_string_append_printf (str,
                          "chip_cmds=%" G_GUINT64_FORMAT " frames_in=%" G_GUINT64_FORMAT
                          " frames_out=%" G_GUINT64_FORMAT " acks_in=%" G_GUINT64_FORMAT
                          " nacks_in=%" G_GUINT64_FORMAT " bad_frames=%" G_GUINT64_FORMAT
                          " dropped=%" G_GUINT64_FORMAT " corrupted=%" G_GUINT64_FORMAT
                          " aborted=%" G_GUINT64_FORMAT " bytes_in=%" G_GUINT64_FORMAT
                          " bytes_out=%" G_GUINT64_FORMAT,
                          s->frames_in, s->frames_in, s->frames_out, s->acks_in, s->nacks_in,
                          s->bad_frames, s->frames_dropped, s->frames_corrupted, s->aborted,
                          s->bytes_in, s->bytes_out);
  for (gsize i = 0; i < G_N_ELEMENTS (cmds); i++)
    {
      g_string_append_printf (str, " %s=%" G_GUINT64_FORMAT, cmds[i].name, s->cmd[cmds[i].code]);
      other -= s->cmd[cmds[i].code];
    }
  g_string_append_printf (str, " other_cmds=%" G_GUINT64_FORMAT, other);
  g_string_append_printf (str, " tag_cmds=%" G_GUINT64_FORMAT, s->tag_cmds);
  for (gsize i = 0; i < EC_EMU_OP_N; i++)
    g_string_append_printf (str, " %s=%" G_GUINT64_FORMAT, ops[i], s->tag_op[i]);
  g_string_append_printf (str, " naks=%" G_GUINT64_FORMAT " timeouts=%" G_GUINT64_FORMAT
                          " tears=%" G_GUINT64_FORMAT " air_us=%" G_GUINT64_FORMAT,
                          s->tag_naks, s->tag_timeouts, s->tears, s->air_us);
  return g_string_free (str, FALSE);
}
