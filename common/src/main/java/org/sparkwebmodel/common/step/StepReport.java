package org.sparkwebmodel.common.step;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * What one step did, for the summary a person reads: rows read and written, and one line per table
 * it changed.
 */
public record StepReport(
    String step, Duration duration, long rowsRead, long rowsWritten, List<String> details) {

  /** One line: {@code sessions main 12.3 s read 1000 written 120 (details)}. */
  public String summaryLine() {
    return String.format(
        Locale.ROOT,
        "%-26s %7.1f s  read %,d  written %,d%s",
        step,
        duration.toMillis() / 1000.0,
        rowsRead,
        rowsWritten,
        details.isEmpty() ? "" : "  (" + String.join("; ", details) + ")");
  }
}
