package org.sparkwebmodel.common.delta;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.hash;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.xxhash64;

import java.util.Arrays;
import java.util.OptionalLong;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.sparkwebmodel.common.error.Messages;
import org.sparkwebmodel.common.error.WebModelException;
import org.sparkwebmodel.common.table.TableName;

/**
 * Reads a staged table at a pinned Delta version and later removes exactly the rows that version
 * held. Rows staged after the read (new commits) survive the removal, even when they carry the same
 * key as a processed row: a row is removed only if its key and its full content equal a row of the
 * pinned version.
 */
public final class StagedInput {
  private StagedInput() {}

  /** The rows of a staged table at one version. */
  public record Pinned(TableName table, long version, Dataset<Row> rows) {}

  /** Reads {@code table} at its current version, or at {@code version} when given (a re-run). */
  public static Pinned read(DeltaStore store, TableName table, Long version, String neededBy) {
    store.requireExists(table, neededBy + " reads it; stage input into it first");
    long pinned = version != null ? version : store.version(table);
    try {
      return new Pinned(table, pinned, store.readAt(table, pinned));
    } catch (RuntimeException e) {
      throw new WebModelException(
          "cannot read "
              + table
              + " at version "
              + pinned
              + " (was it vacuumed?): "
              + Messages.firstLine(e.getMessage()),
          e);
    }
  }

  /**
   * Deletes from {@code table} the rows of {@code version}. When only appends came after {@code
   * version}, that is removing the files {@code version} held, in one commit ({@link
   * DeltaStore#removeFilesOf}: with the Delta fast paths it reads no data, without them it rewrites
   * the rows staged since); otherwise every row identical to a row of {@code version} is deleted:
   * the rows are matched on {@code key}, NULL-safe, and a hash of all columns, in a MERGE. Returns
   * the number of rows deleted.
   *
   * <p>Either way the commit records {@code version} under one Delta transaction id, and a removal
   * of that version repeated (complete re-run after a crash that followed the commit) removes
   * nothing: not even an identical copy of a removed row staged since, which a MERGE repeated
   * blindly would remove.
   */
  public static long removeRead(DeltaStore store, TableName table, long version, String key) {
    if (!store.exists(table)) {
      return 0;
    }
    // Only appends since the read: the files the read saw are removed whole, without reading them.
    OptionalLong byFile = store.removeFilesOf(table, version);
    if (byFile.isPresent()) {
      return byFile.getAsLong();
    }
    // Row by row, under the transaction id of the file removal: Delta skips the MERGE when this
    // version's removal (by files or by rows) committed before.
    DeltaStore once = store.idempotent(DeltaStore.REMOVAL_APP_ID, version);
    Dataset<Row> read = once.readAt(table, version);
    // No separate check for an empty version: removeFilesOf handled it (no files, no commit).
    String[] columns = read.columns();
    Dataset<Row> processed =
        read.select(col(key).as("_key"), rowHash("", columns).as("_hash")).distinct();
    Column on =
        col("t." + key)
            .eqNullSafe(col("s._key"))
            .and(rowHash("t.", columns).equalTo(col("s._hash")));
    long versionBefore = store.version(table);
    once.deltaTable(table).as("t").merge(processed.as("s"), on).whenMatched().delete().execute();
    return Long.parseLong(
        store
            .operationMetricsSince(table, versionBefore)
            .getOrDefault("numTargetRowsDeleted", "0"));
  }

  /** 96 bits of hash over every column (xxhash64 and murmur3), cheap to compute natively. */
  private static Column rowHash(String prefix, String[] columns) {
    Column[] fields = Arrays.stream(columns).map(name -> col(prefix + name)).toArray(Column[]::new);
    return struct(xxhash64(fields).as("h64"), hash(fields).as("h32"));
  }
}
