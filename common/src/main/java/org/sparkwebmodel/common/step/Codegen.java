package org.sparkwebmodel.common.step;

import java.util.Locale;
import org.apache.spark.sql.SparkSession;
import org.sparkwebmodel.common.error.WebModelException;

/**
 * Spark's code generation by the size of the work. Spark generates and compiles Java code for every
 * query it plans (whole-stage and expression code generation); that pays back on large batches and
 * costs more than it saves on the small queries of a step's bookkeeping (run state, metadata, run
 * lock, Delta's own log queries) and on small batches, which every scheduled run and every test
 * mostly has. So, unless {@value #MIN_ROWS} (Spark conf or {@code -D} option; default {@value
 * #DEFAULT_MIN_ROWS}) is 0:
 *
 * <ul>
 *   <li>the run lock, the table counts at the end of a run and a step's bookkeeping run
 *       interpreted, as Spark runs any query whose generated code fails; the rows are the same
 *       either way;
 *   <li>a main step's batch of at least {@value #MIN_ROWS} rows runs with the session's own
 *       settings (code generation, unless configured otherwise), a smaller one interpreted;
 *   <li>custom SQL steps (a session of their own) run with the session's own settings, and so does
 *       what a caller runs after a step.
 * </ul>
 *
 * <p>Measured on 2 cores (README, "Performance"): an empty sessions-and-users run took 47.2 s with
 * code generation throughout and 36.1 s without; sessions main at 1,000,000 page views 19.5 s with
 * it and 24.0 s without, and at 100,000 page views about 12 s with it and 13 s without.
 */
public final class Codegen {
  /** Spark conf (or system property): batches below this many rows run without code generation. */
  public static final String MIN_ROWS = "spark.webmodel.codegen.minRows";

  static final long DEFAULT_MIN_ROWS = 100_000;

  private static final String WHOLE_STAGE = "spark.sql.codegen.wholeStage";
  private static final String FACTORY_MODE = "spark.sql.codegen.factoryMode";

  /** Where the session's own settings are kept while they are overridden. */
  private static final String KEPT = "spark.webmodel.codegen.sessionDefault";

  private Codegen() {}

  /** The session's own code-generation settings, from now on. */
  public static void configured(SparkSession spark) {
    String[] settings = kept(spark).split("\\|", 2);
    spark.conf().set(WHOLE_STAGE, settings[0]);
    spark.conf().set(FACTORY_MODE, settings[1]);
  }

  /** For bookkeeping of a few rows: interpreted, unless {@value #MIN_ROWS} is 0. */
  public static void bookkeeping(SparkSession spark) {
    if (minRows(spark) == 0) {
      configured(spark);
    } else {
      interpreted(spark);
    }
  }

  /**
   * For a batch of {@code rows}: the session's own settings from {@value #MIN_ROWS} rows on,
   * interpreted below; returns what was decided, for the step's log.
   */
  static String forBatch(SparkSession spark, long rows) {
    long minRows = minRows(spark);
    if (rows >= minRows) {
      configured(spark);
      return String.format(Locale.ROOT, "batch of %,d rows: code generation as configured", rows);
    }
    interpreted(spark);
    return String.format(
        Locale.ROOT,
        "batch of %,d rows (below %s = %,d): queries run interpreted, without code generation",
        rows,
        MIN_ROWS,
        minRows);
  }

  private static void interpreted(SparkSession spark) {
    kept(spark);
    spark.conf().set(WHOLE_STAGE, "false");
    spark.conf().set(FACTORY_MODE, "NO_CODEGEN");
  }

  /** The session's own settings, recorded in its conf the first time they are overridden. */
  private static synchronized String kept(SparkSession spark) {
    String kept = spark.conf().get(KEPT, null);
    if (kept == null) {
      kept =
          spark.conf().get(WHOLE_STAGE, "true") + "|" + spark.conf().get(FACTORY_MODE, "FALLBACK");
      spark.conf().set(KEPT, kept);
    }
    return kept;
  }

  static long minRows(SparkSession spark) {
    String value =
        spark.conf().get(MIN_ROWS, System.getProperty(MIN_ROWS, String.valueOf(DEFAULT_MIN_ROWS)));
    try {
      long minRows = Long.parseLong(value.trim());
      if (minRows >= 0) {
        return minRows;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new WebModelException(
        MIN_ROWS
            + " must be a whole number of rows >= 0 (0: always generate code), got: '"
            + value
            + "' (Spark conf or -D option)");
  }
}
