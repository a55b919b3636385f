/* gst-aes67
 * Copyright (C) 2026 the gst-aes67 authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */
/* Loudness range for loudnessmeter, in plain C (no GObject).
 *
 * libebur128 1.2.6 takes one short-term value per second for its loudness
 * range; EBU Tech 3342 (2016) asks for at least ten per second, and on
 * speech the two differ by almost 1 LU (20.40 against 21.25 LU, where
 * ffmpeg's ebur128 reads 21.3). Here: short-term values at 10 Hz, counted in
 * a fixed histogram of 0.01 LU bins (constant memory), gated as Tech 3342
 * says. */
#ifndef __LOUDNESS_RANGE_H__
#define __LOUDNESS_RANGE_H__

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- loudness range ---- */

#define LOUDNESS_LRA_MIN_LUFS (-70.0)   /* absolute gate */
#define LOUDNESS_LRA_MAX_LUFS (30.0)
#define LOUDNESS_LRA_BINS_PER_LU 100
#define LOUDNESS_LRA_BINS \
  ((int) ((LOUDNESS_LRA_MAX_LUFS - LOUDNESS_LRA_MIN_LUFS) * \
      LOUDNESS_LRA_BINS_PER_LU))

typedef struct {
  uint32_t *bins;               /* LOUDNESS_LRA_BINS counters */
  uint64_t count;               /* values above the absolute gate */
  double energy_sum;            /* their summed mean-square energies */
} LoudnessRange;

int loudness_range_init (LoudnessRange * lra);
void loudness_range_clear (LoudnessRange * lra);
void loudness_range_reset (LoudnessRange * lra);
/* Adds one short-term loudness value (LUFS; -inf for silence). */
void loudness_range_add (LoudnessRange * lra, double short_term_lufs);
/* Loudness range in LU per EBU Tech 3342: the values above the absolute
 * gate (-70 LUFS) and above the relative gate (20 LU below their energy
 * mean), 95th minus 10th percentile (nearest rank). 0.0 with no value. */
double loudness_range_get (const LoudnessRange * lra);

#ifdef __cplusplus
}
#endif
#endif /* __LOUDNESS_RANGE_H__ */
