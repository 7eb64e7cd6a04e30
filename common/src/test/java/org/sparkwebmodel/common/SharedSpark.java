package org.sparkwebmodel.common;

import org.apache.spark.sql.SparkSession;

/**
 * The one SparkSession of a test JVM: local[2], UI off, two shuffle partitions, Delta enabled. Each
 * test isolates its tables in its own warehouse folder.
 */
public final class SharedSpark {
  private static SparkSession session;

  private SharedSpark() {}

  /** The session, made the active one of the calling thread (tests run on several threads). */
  public static synchronized SparkSession session() {
    if (session == null) {
      session =
          SparkSessions.builder("spark-web-model tests")
              .master("local[2]")
              .config("spark.ui.enabled", "false")
              .config("spark.sql.shuffle.partitions", "2")
              .config("spark.default.parallelism", "2")
              .config("spark.databricks.delta.snapshotPartitions", "2")
              .config("spark.ui.showConsoleProgress", "false")
              .getOrCreate();
    }
    SparkSession.setActiveSession(session);
    return session;
  }
}
