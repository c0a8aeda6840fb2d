/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ec-pn532.h: a PN532 as seen through its HSU (UART) port, as a pure state machine.
 *
 * Bytes the host writes are fed in with the time they arrived; the chip's answers
 * come out as a queue of byte chunks, each with the earliest time it may be put on
 * the wire (ACKs right away, answers after the modelled air time). Nothing here
 * does I/O or reads a clock, so the frame parser and the command dispatcher can be
 * fuzzed and unit-tested without a pseudo-terminal. main.c does the I/O. */
#pragma once

#include <glib.h>

#include "ec-emu-tag.h"

G_BEGIN_DECLS

typedef struct _EcPn532 EcPn532;

typedef enum
{
  EC_PN532_TEAR_NONE,
  EC_PN532_TEAR_NOT_APPLIED,   /* the command never reaches the tag; no answer */
  EC_PN532_TEAR_LOST_ANSWER,   /* the tag executes it; the answer is lost */
  EC_PN532_TEAR_HALF_WRITTEN,  /* a write leaves a mix of old/new/random bytes; no answer */
} EcPn532TearMode;

typedef struct
{
  guint64 bytes_in;
  guint64 bytes_out;
  guint64 frames_in;        /* well-formed command frames (ACK/NACK not included) */
  guint64 acks_in;
  guint64 nacks_in;
  guint64 bad_frames;       /* checksum errors and malformed frames */
  guint64 frames_out;       /* ACKs, answers, error frames actually queued */
  guint64 frames_dropped;
  guint64 frames_corrupted;
  guint64 aborted;          /* pending commands aborted by a host ACK or a new frame */
  guint64 cmd[256];         /* per PN532 command code */
  guint64 tag_cmds;         /* commands sent to a tag in the field */
  guint64 tag_op[EC_EMU_OP_N];
  guint64 tag_naks;
  guint64 tag_timeouts;     /* status 01 answered (no tag, silent tag, tear) */
  guint64 tears;
  guint64 air_us;           /* modelled chip and air time of the answers sent (--air) */
} EcPn532Stats;

EcPn532     *ec_pn532_new              (void);
void         ec_pn532_free             (EcPn532      *self);

/* Power-on reset (a replugged reader): registers, parser and pending work. The
 * tag stays in the field, powered off. */
void         ec_pn532_reset            (EcPn532      *self);

/* Takes ownership of tag; NULL removes the tag from the field. */
void         ec_pn532_set_tag          (EcPn532      *self,
                                        EcEmuTag     *tag);
EcEmuTag    *ec_pn532_get_tag          (EcPn532      *self);

/* Pacing: baud = 0 disables UART pacing; air adds 106 kbit/s air time. */
void         ec_pn532_set_pace         (EcPn532      *self,
                                        guint         baud);
guint        ec_pn532_get_pace         (EcPn532      *self);
void         ec_pn532_set_air          (EcPn532      *self,
                                        gboolean      air);
gboolean     ec_pn532_get_air          (EcPn532      *self);

/* Faults. k counts from now, 1-based; 0 cancels. */
void         ec_pn532_set_tear         (EcPn532      *self,
                                        guint         k,
                                        EcPn532TearMode mode);
void         ec_pn532_set_drop_frame   (EcPn532      *self,
                                        guint         k);
void         ec_pn532_set_corrupt_frame (EcPn532     *self,
                                        guint         k);
void         ec_pn532_set_stalled      (EcPn532      *self,
                                        gboolean      stalled);
gboolean     ec_pn532_get_stalled      (EcPn532      *self);
/* Seed for the random bytes of half-written tears (default 1). */
/* The most data bytes one InDataExchange/InCommunicateThru answer may carry (1..264,
 * default 264): a longer tag answer gets status 0E, which libnfc reports as
 * NFC_ECHIP ("Internal Chip Error"), like a PN532 clone or a CCID-wrapped reader with
 * a smaller buffer. */
void         ec_pn532_set_max_answer   (EcPn532      *self,
                                        guint         bytes);
guint        ec_pn532_get_max_answer   (EcPn532      *self);
void         ec_pn532_set_seed         (EcPn532      *self,
                                        guint32       seed);

/* Bytes from the host, received at now_us (monotonic microseconds). */
void         ec_pn532_feed             (EcPn532      *self,
                                        const guint8 *data,
                                        gsize         len,
                                        gint64        now_us);
/* Let time pass: completes pending polls (tag placed, poll period over). */
void         ec_pn532_tick             (EcPn532      *self,
                                        gint64        now_us);
/* When tick must next run, or G_MAXINT64. */
gint64       ec_pn532_next_deadline    (EcPn532      *self);

/* The output queue: the head chunk, when it may be written, and how much of it
 * has been written so far. */
gboolean     ec_pn532_peek_output      (EcPn532      *self,
                                        gint64       *not_before,
                                        const guint8 **data,
                                        gsize        *len);
void         ec_pn532_consume_output   (EcPn532      *self,
                                        gsize         n);
void         ec_pn532_clear_output     (EcPn532      *self);

const EcPn532Stats *ec_pn532_get_stats (EcPn532      *self);
void         ec_pn532_reset_stats      (EcPn532      *self);
/* "key=value key=value ..." on one line (see docs/emulator.md). */
char        *ec_pn532_format_stats     (EcPn532      *self);

G_END_DECLS
