package org.sparkwebmodel.common;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The one Delta upsert of the product: MERGE {@code source} into {@code target} on key columns,
 * replacing matched rows and inserting the rest. A target-side window ({@code windowColumn >=
 * lowerLimit}, a literal so Delta's file statistics prune) limits which target rows may match: this
 * is the reference's upsert lookback (§4.7), and rows of a key older than the window are left
 * alone. The source must have unique, non-NULL keys (a MERGE with two source rows for one target
 * row fails); that is checked first, with a message naming a duplicate key.
 */
public final class Upsert {
  private Upsert() {}

  /** What a MERGE did, from Delta's operation metrics. */
  public record Counts(
      long inserted, long updated, long copied, long filesAdded, long filesRemoved) {
    static Counts of(Map<String, String> metrics) {
      return new Counts(
          metric(metrics, "numTargetRowsInserted"),
          metric(metrics, "numTargetRowsUpdated"),
          metric(metrics, "numTargetRowsCopied"),
          metric(metrics, "numTargetFilesAdded"),
          metric(metrics, "numTargetFilesRemoved"));
    }

    public long written() {
      return inserted + updated;
    }

    private static long metric(Map<String, String> metrics, String name) {
      return Long.parseLong(metrics.getOrDefault(name, "0"));
    }
  }

  /** A target-side window: only target rows with {@code column >= lowerLimit} may be replaced. */
  public record Window(String column, Instant lowerLimit) {}

  /**
   * MERGEs {@code source} into {@code target} on {@code keys}. {@code updates} maps target columns
   * to SQL expressions over {@code t.} (target) and {@code s.} (source) for matched rows; empty
   * means replace the whole row.
   */
  public static Counts merge(
      DeltaStore store,
      TableName target,
      Dataset<Row> source,
      List<String> keys,
      Optional<Window> window,
      Map<String, String> updates) {
    requireUniqueKeys(target, source, keys);
    String condition =
        keys.stream().map(key -> "t." + key + " = s." + key).collect(Collectors.joining(" AND "));
    Column on = org.apache.spark.sql.functions.expr(condition);
    if (window.isPresent()) {
      on = on.and(col("t." + window.get().column()).geq(lit(window.get().lowerLimit())));
    }
    long versionBefore = store.version(target);
    var matched = store.deltaTable(target).as("t").merge(source.as("s"), on).whenMatched();
    var builder = updates.isEmpty() ? matched.updateAll() : matched.updateExpr(updates);
    builder.whenNotMatched().insertAll().execute();
    return Counts.of(store.operationMetricsSince(target, versionBefore));
  }

  /** Fails naming a key that is NULL or appears twice in {@code source}. */
  public static void requireUniqueKeys(TableName target, Dataset<Row> source, List<String> keys) {
    Column[] keyColumns =
        keys.stream().map(org.apache.spark.sql.functions::col).toArray(Column[]::new);
    Column anyNull = Arrays.stream(keyColumns).map(Column::isNull).reduce(Column::or).orElseThrow();
    List<Row> bad =
        source
            .groupBy(keyColumns)
            .agg(count(lit(1)).as("copies"))
            .where(col("copies").gt(1).or(anyNull))
            .limit(3)
            .collectAsList();
    if (!bad.isEmpty()) {
      Row first = bad.get(0);
      StringBuilder key = new StringBuilder();
      for (int i = 0; i < keys.size(); i++) {
        key.append(i == 0 ? "" : ", ").append(keys.get(i)).append("=").append(first.get(i));
      }
      throw new WebModelException(
          "cannot upsert into "
              + target
              + ": the source has "
              + first.getLong(keys.size())
              + " rows for key "
              + key
              + "; keys must be unique and not NULL");
    }
  }
}
