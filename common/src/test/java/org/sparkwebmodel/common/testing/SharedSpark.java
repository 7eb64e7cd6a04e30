package org.sparkwebmodel.common.testing;

import org.apache.spark.sql.SparkSession;
import org.sparkwebmodel.common.delta.SparkSessions;

/**
 * The one SparkSession of a test JVM: local[2], UI off, Delta enabled. Each test isolates its
 * tables in its own warehouse folder.
 *
 * <p>Settings for test-sized data (a handful of rows per table), none of which changes a result:
 *
 * <ul>
 *   <li>One shuffle partition and one Delta log-replay partition: every stage is a single task, and
 *       a write produces one file. Tests run two at a time, so both cores stay busy.
 *   <li>Delta keeps its reconstructed table states in memory deserialized, not serialized.
 *   <li>No adaptive query execution: on a handful of rows it only re-plans every query stage by
 *       stage (one Spark job per stage) and has nothing to coalesce or re-balance.
 *   <li>Plans are described to the (disabled) UI in Spark's simple explain mode, cheaper to produce
 *       for every query than the default formatted one.
 *   <li>Code generation as in production (whole-stage and expression code generation) when the test
 *       JVM runs with {@code -Dwebmodel.test.codegen=true}: the end-to-end tests of full runs
 *       (users-job's failsafe execution {@code production-path}) and the unit tests of the pure
 *       transformations do, so the path users run is the path tested. Elsewhere the session
 *       evaluates expressions interpreted, which Spark guarantees to give the same results:
 *       generating and compiling code for every query takes about a third of a step's CPU time, and
 *       the suite must stay within 10 minutes on two cores.
 * </ul>
 */
public final class SharedSpark {
  /** System property: {@code true} keeps Spark's code generation on in the test session. */
  public static final String CODEGEN_PROPERTY = "webmodel.test.codegen";

  private static SparkSession session;

  private SharedSpark() {}

  /** The session, made the active one of the calling thread (tests run on several threads). */
  public static synchronized SparkSession session() {
    if (session == null) {
      SparkSession.Builder builder =
          SparkSessions.builder("spark-web-model tests")
              .master("local[2]")
              .config("spark.ui.enabled", "false")
              .config("spark.ui.showConsoleProgress", "false")
              .config("spark.sql.shuffle.partitions", "1")
              .config("spark.default.parallelism", "1")
              .config("spark.databricks.delta.snapshotPartitions", "1")
              .config("spark.databricks.delta.snapshotCache.storageLevel", "MEMORY_ONLY")
              .config("spark.sql.adaptive.enabled", "false")
              .config("spark.sql.ui.explainMode", "simple");
      if (!Boolean.getBoolean(CODEGEN_PROPERTY)) {
        builder
            .config("spark.sql.codegen.wholeStage", "false")
            .config("spark.sql.codegen.factoryMode", "NO_CODEGEN");
      }
      session = builder.getOrCreate();
    }
    SparkSession.setActiveSession(session);
    return session;
  }
}
