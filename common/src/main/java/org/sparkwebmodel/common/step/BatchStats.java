package org.sparkwebmodel.common.step;

import java.time.Instant;

/**
 * The facts of a {@code *_this_run} table that the data-quality gate's pass finds besides the
 * rules: its rows, its distinct keys and the first and last value of the module's time key (NULL
 * for an empty batch, or one whose rows all lack it).
 */
public record BatchStats(long rows, long distinctKeys, Instant minTime, Instant maxTime) {
  /** Whether the batch's keys are unique and not NULL (as many distinct keys as rows). */
  public boolean keysUnique() {
    return distinctKeys == rows;
  }
}
