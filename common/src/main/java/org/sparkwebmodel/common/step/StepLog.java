package org.sparkwebmodel.common.step;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkwebmodel.common.config.Playbook;

/**
 * Runs the phases of one step and logs one line per phase with its outcome and duration; each phase
 * runs under a Spark job description, so the Spark UI says what is running. Collects the step's
 * {@link StepReport}.
 */
public final class StepLog {
  private static final Logger LOG = LoggerFactory.getLogger("org.sparkwebmodel.step");

  private final SparkSession spark;
  private final String step;
  private final long started = System.nanoTime();
  private final List<String> details = new ArrayList<>();

  public StepLog(SparkSession spark, Playbook playbook) {
    this.spark = spark;
    this.step = playbook.label();
    LOG.info(
        "{}: starting ({}, entropy '{}', warehouse {})",
        step,
        playbook.source(),
        playbook.variables().entropy(),
        playbook.variables().warehouse());
  }

  /** Runs {@code work} as a named phase and logs {@code outcome} of its result. */
  public <T> T phase(String name, Supplier<T> work, Function<T, String> outcome) {
    long phaseStart = System.nanoTime();
    spark.sparkContext().setJobDescription(step + ": " + name);
    try {
      T result = work.get();
      LOG.info(
          "{}: {}: {} ({})",
          step,
          name,
          outcome.apply(result),
          seconds(System.nanoTime() - phaseStart));
      return result;
    } finally {
      spark.sparkContext().setJobDescription(null);
    }
  }

  /** A phase with no result worth naming. */
  public void phase(String name, Runnable work, String outcome) {
    phase(
        name,
        () -> {
          work.run();
          return outcome;
        },
        Function.identity());
  }

  /** Adds a line to the step's summary. */
  public void detail(String line) {
    details.add(line);
  }

  public void warn(String message) {
    LOG.warn("{}: {}", step, message);
    details.add(message);
  }

  public StepReport finish(long rowsRead, long rowsWritten) {
    Duration duration = Duration.ofNanos(System.nanoTime() - started);
    StepReport report = new StepReport(step, duration, rowsRead, rowsWritten, List.copyOf(details));
    LOG.info(
        "{}: done in {}: read {} rows, wrote {} rows",
        step,
        seconds(duration.toNanos()),
        rowsRead,
        rowsWritten);
    return report;
  }

  private static String seconds(long nanos) {
    return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
  }
}
