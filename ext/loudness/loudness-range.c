/* gst-aes67
 * Copyright (C) 2026 the gst-aes67 authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */
#include "loudness-range.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- loudness range ---- */

int
loudness_range_init (LoudnessRange * lra)
{
  memset (lra, 0, sizeof (*lra));
  lra->bins = calloc (LOUDNESS_LRA_BINS, sizeof (uint32_t));
  return lra->bins ? 0 : -ENOMEM;
}

void
loudness_range_clear (LoudnessRange * lra)
{
  free (lra->bins);
  memset (lra, 0, sizeof (*lra));
}

void
loudness_range_reset (LoudnessRange * lra)
{
  if (lra->bins)
    memset (lra->bins, 0, LOUDNESS_LRA_BINS * sizeof (uint32_t));
  lra->count = 0;
  lra->energy_sum = 0.0;
}

void
loudness_range_add (LoudnessRange * lra, double lufs)
{
  int bin;

  if (!(lufs >= LOUDNESS_LRA_MIN_LUFS)) /* also NaN and -inf */
    return;
  bin = (int) floor ((lufs - LOUDNESS_LRA_MIN_LUFS) * LOUDNESS_LRA_BINS_PER_LU);
  if (bin >= LOUDNESS_LRA_BINS)
    bin = LOUDNESS_LRA_BINS - 1;
  if (lra->bins[bin] < UINT32_MAX)
    lra->bins[bin]++;
  lra->count++;
  lra->energy_sum += pow (10.0, (lufs + 0.691) / 10.0);
}

static double
bin_centre (int bin)
{
  return LOUDNESS_LRA_MIN_LUFS + (bin + 0.5) / LOUDNESS_LRA_BINS_PER_LU;
}

double
loudness_range_get (const LoudnessRange * lra)
{
  double gate, lo = 0.0, hi = 0.0;
  uint64_t n = 0, seen = 0, rank_lo, rank_hi;
  int first, bin;
  int have_lo = 0;

  if (lra->count == 0)
    return 0.0;
  gate = 10.0 * log10 (lra->energy_sum / (double) lra->count) - 0.691 - 20.0;
  first = (int) floor ((gate - LOUDNESS_LRA_MIN_LUFS) *
      LOUDNESS_LRA_BINS_PER_LU);
  if (first < 0)
    first = 0;
  for (bin = first; bin < LOUDNESS_LRA_BINS; bin++)
    n += lra->bins[bin];
  if (n == 0)
    return 0.0;

  /* nearest rank over the n gated values, ranks from 0 */
  rank_lo = (uint64_t) llround ((double) (n - 1) * 0.10);
  rank_hi = (uint64_t) llround ((double) (n - 1) * 0.95);
  for (bin = first; bin < LOUDNESS_LRA_BINS; bin++) {
    seen += lra->bins[bin];
    if (!have_lo && seen > rank_lo) {
      lo = bin_centre (bin);
      have_lo = 1;
    }
    if (seen > rank_hi) {
      hi = bin_centre (bin);
      break;
    }
  }
  return hi - lo;
}
