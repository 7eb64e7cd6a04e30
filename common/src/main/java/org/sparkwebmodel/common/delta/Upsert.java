package org.sparkwebmodel.common.delta;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;

import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.sparkwebmodel.common.error.WebModelException;
import org.sparkwebmodel.common.table.TableName;

/**
 * The Delta upserts of the product, each one atomic commit on key columns. The source must have
 * unique, non-NULL keys; unless the caller has established that, it is checked first, with a
 * message naming a bad key. The commit is a MERGE, unless it can only insert (no stored row in the
 * window, or an empty target): then the source is appended, and a whole {@code *_this_run} table
 * has its data files copied into the target (see {@code DeltaStore.appendFilesOf}).
 *
 * <ul>
 *   <li>{@link #replace}: the reference's delete-and-insert (§4.7): every target row whose key is
 *       in the source and that lies inside an optional target-side window ({@code column >=
 *       lowerLimit}, or NULL) is deleted, and every source row inserted. The window is a literal,
 *       so Delta's file statistics prune the target; rows of a key older than the window are left
 *       alone.
 *   <li>{@link #update}: matched rows get the given update expressions, new keys are inserted.
 * </ul>
 */
public final class Upsert {
  private static final String INSERT_FLAG = "_upsert_insert";
  private static final String KEY_PREFIX = "_upsert_key_";

  private Upsert() {}

  /** What a MERGE did, from Delta's operation metrics. */
  public record Counts(
      long inserted, long deleted, long updated, long copied, long filesAdded, long filesRemoved) {
    static Counts of(Map<String, String> metrics) {
      return new Counts(
          metric(metrics, "numTargetRowsInserted"),
          metric(metrics, "numTargetRowsDeleted"),
          metric(metrics, "numTargetRowsUpdated"),
          metric(metrics, "numTargetRowsCopied"),
          metric(metrics, "numTargetFilesAdded"),
          metric(metrics, "numTargetFilesRemoved"));
    }

    private static long metric(Map<String, String> metrics, String name) {
      return Long.parseLong(metrics.getOrDefault(name, "0"));
    }
  }

  /** A target-side window: only target rows with {@code column >= lowerLimit} (or NULL) match. */
  public record Window(String column, Instant lowerLimit) {
    Column condition() {
      return condition("t.");
    }

    Column condition(String prefix) {
      Column target = col(prefix + column);
      return target.isNull().or(target.geq(lit(lowerLimit)));
    }
  }

  /**
   * Replaces the rows of the source's keys inside {@code window} by the source rows, in one MERGE.
   * Each source row enters the MERGE twice: once with its key, to match and delete the stored rows,
   * and once with a NULL key, which never matches and is inserted.
   */
  public static Counts replace(
      DeltaStore store,
      TableName target,
      Dataset<Row> source,
      List<String> keys,
      Optional<Window> window) {
    return replace(store, target, source, keys, window, false);
  }

  /**
   * As {@link #replace(DeltaStore, TableName, Dataset, List, Optional)}; {@code keysChecked} true
   * says the caller has established that the source keys are unique and not NULL (its row count
   * equals its count of distinct keys, or it was grouped by the non-NULL keys), which saves the
   * check's pass over the source.
   */
  public static Counts replace(
      DeltaStore store,
      TableName target,
      Dataset<Row> source,
      List<String> keys,
      Optional<Window> window,
      boolean keysChecked) {
    return replace(store, target, null, source, keys, window, keysChecked);
  }

  /**
   * As {@link #replace(DeltaStore, TableName, Dataset, List, Optional, boolean)} with every row of
   * the table {@code source}: when nothing is replaced, its data files are copied (see {@link
   * DeltaStore#appendFilesOf}).
   */
  public static Counts replace(
      DeltaStore store,
      TableName target,
      TableName source,
      List<String> keys,
      Optional<Window> window,
      boolean keysChecked) {
    return replace(store, target, source, store.read(source), keys, window, keysChecked);
  }

  private static Counts replace(
      DeltaStore store,
      TableName target,
      TableName sourceTable,
      Dataset<Row> source,
      List<String> keys,
      Optional<Window> window,
      boolean keysChecked) {
    if (!keysChecked) {
      requireUniqueKeys(target, source, keys);
    }
    Dataset<Row> stored = store.read(target);
    StructType schema = stored.schema();
    Column inWindow = window.map(w -> w.condition("")).orElse(lit(true));
    if (stored.where(inWindow).isEmpty()) {
      // No stored row lies in the window (a new table, or a batch newer than all it holds plus the
      // lookback): nothing can be replaced, so the MERGE would only insert.
      return appendInstead(store, target, sourceTable, source);
    }
    Column[] columns =
        Arrays.stream(schema.fieldNames()).map(n -> source.col(n)).toArray(Column[]::new);
    Column[] matchKeys = new Column[keys.size()];
    Column[] nullKeys = new Column[keys.size()];
    for (int i = 0; i < keys.size(); i++) {
      matchKeys[i] = source.col(keys.get(i)).as(KEY_PREFIX + i);
      nullKeys[i] = lit(null).cast(schema.apply(keys.get(i)).dataType()).as(KEY_PREFIX + i);
    }
    Dataset<Row> toMatch = source.select(concat(columns, matchKeys, lit(false).as(INSERT_FLAG)));
    Dataset<Row> toInsert = source.select(concat(columns, nullKeys, lit(true).as(INSERT_FLAG)));
    Column on = lit(true);
    for (int i = 0; i < keys.size(); i++) {
      on = on.and(col("t." + keys.get(i)).equalTo(col("s." + KEY_PREFIX + i)));
    }
    if (window.isPresent()) {
      on = on.and(window.get().condition());
    }
    Map<String, String> insert = new LinkedHashMap<>();
    for (StructField field : schema.fields()) {
      insert.put("`" + field.name() + "`", "s.`" + field.name() + "`");
    }
    long versionBefore = store.version(target);
    store
        .deltaTable(target)
        .as("t")
        .merge(toMatch.unionByName(toInsert).as("s"), on)
        .whenMatched()
        .delete()
        .whenNotMatched("s." + INSERT_FLAG)
        .insertExpr(insert)
        .execute();
    return Counts.of(store.operationMetricsSince(target, versionBefore));
  }

  /**
   * MERGEs {@code source} into {@code target} on {@code keys}: matched rows get {@code updates}
   * (target column to SQL expression over {@code t.} and {@code s.}), new keys are inserted.
   */
  public static Counts update(
      DeltaStore store,
      TableName target,
      Dataset<Row> source,
      List<String> keys,
      Map<String, String> updates) {
    return update(store, target, source, keys, updates, false);
  }

  /**
   * As {@link #update(DeltaStore, TableName, Dataset, List, Map)}; {@code keysChecked} as for
   * {@link #replace(DeltaStore, TableName, Dataset, List, Optional, boolean)}.
   */
  public static Counts update(
      DeltaStore store,
      TableName target,
      Dataset<Row> source,
      List<String> keys,
      Map<String, String> updates,
      boolean keysChecked) {
    return update(store, target, null, source, keys, updates, keysChecked);
  }

  /**
   * As {@link #update(DeltaStore, TableName, Dataset, List, Map, boolean)} with every row of the
   * table {@code source}: into an empty target, its data files are copied (see {@link
   * DeltaStore#appendFilesOf}).
   */
  public static Counts update(
      DeltaStore store,
      TableName target,
      TableName source,
      List<String> keys,
      Map<String, String> updates,
      boolean keysChecked) {
    return update(store, target, source, store.read(source), keys, updates, keysChecked);
  }

  private static Counts update(
      DeltaStore store,
      TableName target,
      TableName sourceTable,
      Dataset<Row> source,
      List<String> keys,
      Map<String, String> updates,
      boolean keysChecked) {
    if (!keysChecked) {
      requireUniqueKeys(target, source, keys);
    }
    if (store.read(target).isEmpty()) {
      // An empty target (a staged manifest after complete, a new table): every row is inserted.
      return appendInstead(store, target, sourceTable, source);
    }
    Column on = lit(true);
    for (String key : keys) {
      on = on.and(col("t." + key).equalTo(col("s." + key)));
    }
    long versionBefore = store.version(target);
    store
        .deltaTable(target)
        .as("t")
        .merge(source.as("s"), on)
        .whenMatched()
        .updateExpr(updates)
        .whenNotMatched()
        .insertAll()
        .execute();
    return Counts.of(store.operationMetricsSince(target, versionBefore));
  }

  /**
   * Appends the source: what a MERGE that matches no stored row commits, in one commit without the
   * MERGE's join of source and target.
   */
  private static Counts appendInstead(
      DeltaStore store, TableName target, TableName sourceTable, Dataset<Row> source) {
    long versionBefore = store.version(target);
    if (sourceTable == null || store.appendFilesOf(sourceTable, target).isEmpty()) {
      store.append(target, source);
    }
    Map<String, String> metrics = store.operationMetricsSince(target, versionBefore);
    return new Counts(
        Long.parseLong(metrics.getOrDefault("numOutputRows", "0")),
        0,
        0,
        0,
        Long.parseLong(metrics.getOrDefault("numFiles", "0")),
        0);
  }

  private static Column[] concat(Column[] columns, Column[] keys, Column flag) {
    Column[] all = Arrays.copyOf(columns, columns.length + keys.length + 1);
    System.arraycopy(keys, 0, all, columns.length, keys.length);
    all[all.length - 1] = flag;
    return all;
  }

  /** Fails naming a key that is NULL or appears twice in {@code source}. */
  public static void requireUniqueKeys(TableName target, Dataset<Row> source, List<String> keys) {
    Column[] keyColumns = keys.stream().map(k -> col(k)).toArray(Column[]::new);
    Column anyNull = Arrays.stream(keyColumns).map(Column::isNull).reduce(Column::or).orElseThrow();
    List<Row> bad =
        source
            .groupBy(keyColumns)
            .agg(count(lit(1)).as("copies"))
            .where(col("copies").gt(1).or(anyNull))
            .limit(1)
            .collectAsList();
    if (!bad.isEmpty()) {
      Row first = bad.get(0);
      StringBuilder key = new StringBuilder();
      boolean nullKey = false;
      for (int i = 0; i < keys.size(); i++) {
        key.append(i == 0 ? "" : ", ").append(keys.get(i)).append("=").append(first.get(i));
        nullKey |= first.isNullAt(i);
      }
      throw new WebModelException(
          "cannot upsert into "
              + target
              + ": "
              + (nullKey
                  ? "the source has a row with a NULL key (" + key + ")"
                  : "the source has " + first.getLong(keys.size()) + " rows for key " + key)
              + "; keys must be unique and not NULL");
    }
  }
}
