package org.sparkwebmodel.common.delta;

import java.util.function.Supplier;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * Builds the SparkSession every entry point uses: Delta extension and catalog, UTC session time
 * zone, java.time values in rows, and Delta's checksum files without a table's file list (below).
 * The master and the sizing settings (shuffle partitions, memory) come from the launcher or
 * spark-submit, never from here.
 */
public final class SparkSessions {
  private SparkSessions() {}

  /**
   * Delta 3.3 stores a small table's list of files in each commit's checksum file, computing it
   * from the previous version's files after every commit (Spark jobs on the driver's critical
   * path); reads rebuild the list from the log anyway. Off, an empty sessions-and-users run took
   * 33.2 s instead of 36.4 s (README, "Performance"). A value set with {@code --conf} or {@code -D}
   * wins.
   */
  static final String ALL_FILES_IN_CRC = "spark.databricks.delta.allFilesInCrc.enabled";

  /**
   * Runs {@code work} with {@code session} as the calling thread's active session (Spark's catalogs
   * and Delta find the session that way), then restores the one active before.
   */
  public static <T> T whileActive(SparkSession session, Supplier<T> work) {
    scala.Option<SparkSession> previous = SparkSession.getActiveSession();
    SparkSession.setActiveSession(session);
    try {
      return work.get();
    } finally {
      if (previous.isDefined()) {
        SparkSession.setActiveSession(previous.get());
      } else {
        SparkSession.clearActiveSession();
      }
    }
  }

  /** A builder with the settings the jobs rely on; callers may add more before getOrCreate. */
  public static SparkSession.Builder builder(String appName) {
    SparkSession.Builder builder =
        SparkSession.builder()
            .appName(appName)
            .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
            .config(
                "spark.sql.catalog.spark_catalog",
                "org.apache.spark.sql.delta.catalog.DeltaCatalog")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.datetime.java8API.enabled", "true");
    // SparkConf reads the spark.* system properties, which spark-submit sets from --conf.
    if (!new SparkConf().contains(ALL_FILES_IN_CRC)) {
      builder.config(ALL_FILES_IN_CRC, "false");
    }
    return builder;
  }
}
