package org.sparkwebmodel.common.delta;

import org.apache.spark.sql.SparkSession;

/**
 * Builds the SparkSession every entry point uses: Delta extension and catalog, UTC session time
 * zone, java.time values in rows. The master and the sizing settings (shuffle partitions, memory)
 * come from the launcher or spark-submit, never from here.
 */
public final class SparkSessions {
  private SparkSessions() {}

  /** A builder with the settings the jobs rely on; callers may add more before getOrCreate. */
  public static SparkSession.Builder builder(String appName) {
    return SparkSession.builder()
        .appName(appName)
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config(
            "spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.datetime.java8API.enabled", "true");
  }
}
