package org.sparkwebmodel.common.delta;

import static org.apache.spark.sql.functions.col;

import io.delta.tables.DeltaTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.DeltaOperations;
import org.apache.spark.sql.delta.OptimisticTransaction;
import org.apache.spark.sql.delta.actions.Action;
import org.apache.spark.sql.delta.actions.AddFile;
import org.apache.spark.sql.delta.actions.CommitInfo;
import org.apache.spark.sql.delta.actions.SetTransaction;
import org.apache.spark.sql.execution.metric.SQLMetric;
import org.apache.spark.sql.execution.metric.SQLMetrics;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.sparkwebmodel.common.error.Messages;
import org.sparkwebmodel.common.error.WebModelException;
import org.sparkwebmodel.common.table.TableName;
import org.sparkwebmodel.common.table.Warehouse;
import scala.Tuple2;
import scala.collection.Iterator;
import scala.collection.JavaConverters;
import scala.collection.Seq;

/**
 * The only gateway from the jobs to Delta: path-based tables under a {@link Warehouse}, addressed
 * by {@link TableName}. Creating, reading (latest or at a pinned version), overwriting, appending
 * and dropping tables.
 */
public final class DeltaStore {
  private final SparkSession spark;
  private final Warehouse warehouse;

  public DeltaStore(SparkSession spark, Warehouse warehouse) {
    this.spark = spark;
    this.warehouse = warehouse;
  }

  public SparkSession spark() {
    return spark;
  }

  public Warehouse warehouse() {
    return warehouse;
  }

  public String location(TableName table) {
    return warehouse.location(table);
  }

  public boolean exists(TableName table) {
    return DeltaTable.isDeltaTable(spark, location(table));
  }

  /**
   * Fails, naming the warehouse, when its root folder does not exist, is not a folder, or cannot be
   * written (a probe file is created and deleted): a step checks this before it writes anything.
   */
  public void requireWritableWarehouse() {
    Path root = new Path(warehouse.root());
    try {
      FileSystem fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(root)) {
        throw new WebModelException(
            "warehouse "
                + root
                + " does not exist: check --warehouse or the warehouse variable, or load the"
                + " staged input into it first (web-model load, sample-data)");
      }
      if (!fs.getFileStatus(root).isDirectory()) {
        throw new WebModelException("warehouse " + root + " is not a folder");
      }
      Path probe = new Path(root, "_write-probe-" + UUID.randomUUID());
      fs.create(probe, false).close();
      fs.delete(probe, false);
    } catch (IOException e) {
      throw new WebModelException(
          "warehouse " + root + " is not writable: " + Messages.firstLine(e.getMessage()), e);
    }
  }

  /** Fails with a message naming the table when it does not exist. */
  public void requireExists(TableName table, String why) {
    if (!exists(table)) {
      throw new WebModelException(
          "table " + table + " does not exist (" + location(table) + "); " + why);
    }
  }

  /** The latest version of a table. */
  public Dataset<Row> read(TableName table) {
    return spark.read().format("delta").load(location(table));
  }

  /** The table as it was at {@code version} (Delta time travel). */
  public Dataset<Row> readAt(TableName table, long version) {
    return spark.read().format("delta").option("versionAsOf", version).load(location(table));
  }

  /**
   * The current version number of a table's Delta log: its latest snapshot, found by listing the
   * log (no Spark job, unlike reading the table's history).
   */
  public long version(TableName table) {
    return snapshot(table).version();
  }

  /**
   * The table's Delta id: it is new whenever the table is created, so it tells a table from one
   * dropped and created again at the same place.
   */
  public String tableId(TableName table) {
    return snapshot(table).metadata().id();
  }

  private org.apache.spark.sql.delta.Snapshot snapshot(TableName table) {
    DeltaLog log = DeltaLog.forTable(spark, location(table));
    org.apache.spark.sql.delta.Snapshot snapshot =
        log.update(log.update$default$1(), log.update$default$2(), log.update$default$3());
    if (snapshot.version() < 0) {
      throw new WebModelException("table " + table + " does not exist (" + location(table) + ")");
    }
    return snapshot;
  }

  /**
   * Operation metrics (e.g. numTargetRowsInserted of a MERGE) of the commit made after {@code
   * versionBefore}; empty when the operation committed nothing (Delta skips no-op commits).
   */
  public Map<String, String> operationMetricsSince(TableName table, long versionBefore) {
    // The latest commit's own log entry, read on the driver: history(1) would plan and run a job.
    DeltaLog log = DeltaLog.forTable(spark, location(table));
    long latest =
        log.update(log.update$default$1(), log.update$default$2(), log.update$default$3())
            .version();
    if (latest == versionBefore) {
      return Map.of();
    }
    Iterator<Tuple2<Object, Seq<Action>>> changes = log.getChanges(latest, false);
    if (changes.hasNext()) {
      for (Action action : JavaConverters.seqAsJavaList(changes.next()._2())) {
        if (action instanceof CommitInfo info && info.operationMetrics().isDefined()) {
          return JavaConverters.mapAsJavaMap(info.operationMetrics().get());
        }
      }
    }
    return Map.of();
  }

  /** The Delta transaction id under which {@link #removeFilesOf} records the version removed. */
  private static final String REMOVAL_APP_ID = "spark-web-model:staged-version-removed";

  /**
   * Removes, in one commit, every data file that {@code version} of the table held, when all of
   * them are still in the table unchanged (only appends came after {@code version}, the common case
   * of a staged table): the rows that version held go, rows added since stay, and no data is read.
   * Returns the number of rows removed, or empty when a file of {@code version} has been removed or
   * rewritten since, or lacks a row count, so that its rows must be matched one by one.
   *
   * <p>The commit is checked by Delta's conflict detection like any DELETE: a concurrent commit
   * that removes one of these files makes it fail; a concurrent append does not. It also records
   * {@code version} as a Delta transaction id, so that the removal repeated (a re-run after a
   * crash) removes nothing, not even an identical copy of a removed row staged since.
   */
  public OptionalLong removeFilesOf(TableName table, long version) {
    long now = System.currentTimeMillis();
    DeltaLog log = DeltaLog.forTable(spark, location(table));
    OptimisticTransaction txn = log.startTransaction();
    if (txn.txnVersion(REMOVAL_APP_ID) >= version) {
      // This removal committed before (a re-run after a crash): nothing of that version is left,
      // and rows staged since, even identical ones, are not the version's.
      return OptionalLong.of(0);
    }
    Map<String, AddFile> current = new HashMap<>();
    for (AddFile file : JavaConverters.seqAsJavaList(txn.filterFiles())) {
      current.put(file.path(), file);
    }
    org.apache.spark.sql.delta.Snapshot pinned =
        log.getSnapshotAt(version, log.getSnapshotAt$default$2(), log.getSnapshotAt$default$3());
    List<Action> removes = new ArrayList<>();
    long rows = 0;
    for (AddFile file : pinned.allFiles().collectAsList()) {
      AddFile still = current.get(file.path());
      if (still == null
          || !still.getDeletionVectorUniqueId().equals(file.getDeletionVectorUniqueId())
          || file.numLogicalRecords().isEmpty()) {
        return OptionalLong.empty();
      }
      rows += (Long) file.numLogicalRecords().get();
      removes.add(still.removeWithTimestamp(now, true));
    }
    // Recorded in the same commit, so that a re-run knows this version's files are gone.
    removes.add(new SetTransaction(REMOVAL_APP_ID, version, scala.Option.apply(now)));
    if (removes.size() > 1) {
      // The history shows it as a DELETE with its counts, as Delta's own full-file DELETE does.
      commit(
          txn,
          removes,
          new DeltaOperations.Delete(JavaConverters.asScalaBuffer(List.<Expression>of()).toSeq()),
          Map.of(
              "numRemovedFiles",
              removes.size() - 1L,
              "numDeletedRows",
              rows,
              "numAddedFiles",
              0L,
              "numCopiedRows",
              0L));
    }
    return OptionalLong.of(rows);
  }

  /**
   * Appends every row of {@code source} to {@code target} in one commit by copying the source's
   * data files into the target's folder, as they are (their statistics included): no row is read or
   * encoded again. Returns the number of rows appended, or empty, having written nothing, when the
   * tables differ in columns, types or layout (partitioning, column mapping), the target checks
   * something on write (CHECK constraints, generated or identity columns), a source file has
   * deleted rows or no row count, or a copy fails: then the rows must be appended as rows.
   */
  public OptionalLong appendFilesOf(TableName source, TableName target) {
    org.apache.spark.sql.delta.Snapshot snapshot = snapshot(source);
    DeltaLog from = snapshot.deltaLog();
    DeltaLog to = DeltaLog.forTable(spark, location(target));
    OptimisticTransaction txn = to.startTransaction();
    if (!sameLayout(snapshot.metadata(), txn.metadata())) {
      return OptionalLong.empty();
    }
    List<AddFile> files = snapshot.allFiles().collectAsList();
    long rows = 0;
    long bytes = 0;
    for (AddFile file : files) {
      if (file.deletionVector() != null || file.numLogicalRecords().isEmpty()) {
        return OptionalLong.empty();
      }
      rows += (Long) file.numLogicalRecords().get();
      bytes += file.size();
    }
    List<Action> adds = new ArrayList<>();
    long now = System.currentTimeMillis();
    try {
      FileSystem fs = to.dataPath().getFileSystem(spark.sparkContext().hadoopConfiguration());
      for (AddFile file : files) {
        Path copy = new Path(to.dataPath(), "part-copy-" + UUID.randomUUID() + ".snappy.parquet");
        Path original = new Path(from.dataPath(), new Path(new java.net.URI(file.path())));
        if (!FileUtil.copy(fs, original, fs, copy, false, fs.getConf())) {
          throw new IOException("cannot copy " + original + " to " + copy);
        }
        adds.add(
            new AddFile(
                copy.getName(),
                file.partitionValues(),
                file.size(),
                now,
                true,
                file.stats(),
                file.tags(),
                null,
                scala.Option.empty(),
                scala.Option.empty(),
                scala.Option.empty()));
      }
    } catch (IOException | java.net.URISyntaxException | IllegalArgumentException e) {
      // Not copyable here (another file system, a failed copy): remove the copies made so far and
      // let the caller append the rows.
      deleteQuietly(to.dataPath(), adds);
      return OptionalLong.empty();
    }
    commit(
        txn,
        adds,
        new DeltaOperations.Write(
            SaveMode.Append, scala.Option.empty(), scala.Option.empty(), scala.Option.empty()),
        Map.of("numFiles", (long) adds.size(), "numOutputRows", rows, "numOutputBytes", bytes));
    return OptionalLong.of(rows);
  }

  private void deleteQuietly(Path folder, List<Action> adds) {
    for (Action add : adds) {
      try {
        Path copy = new Path(folder, ((AddFile) add).path());
        copy.getFileSystem(spark.sparkContext().hadoopConfiguration()).delete(copy, false);
      } catch (IOException | RuntimeException e) {
        // An unreferenced data file: harmless, VACUUM removes it.
      }
    }
  }

  /**
   * Whether data files of a table with {@code from}'s metadata can be added to one with {@code
   * to}'s as they are: the same column names and types in the same order (a NOT NULL column of
   * {@code to} only from a NOT NULL column), no partitioning, no column mapping, and nothing that
   * Delta checks on write in {@code to}: no CHECK constraint, no column with metadata (generated,
   * identity, CHAR/VARCHAR, invariants).
   */
  private static boolean sameLayout(
      org.apache.spark.sql.delta.actions.Metadata from,
      org.apache.spark.sql.delta.actions.Metadata to) {
    StructField[] source = from.schema().fields();
    StructField[] target = to.schema().fields();
    if (source.length != target.length
        || !from.partitionColumns().isEmpty()
        || !to.partitionColumns().isEmpty()
        || !from.columnMappingMode().name().equals("none")
        || !to.columnMappingMode().name().equals("none")
        || JavaConverters.mapAsJavaMap(to.configuration()).keySet().stream()
            .anyMatch(key -> key.startsWith("delta.constraints."))) {
      return false;
    }
    for (int i = 0; i < source.length; i++) {
      if (!source[i].name().equals(target[i].name())
          || !source[i].dataType().equals(target[i].dataType())
          || (!target[i].nullable() && source[i].nullable())
          || !target[i].metadata().equals(org.apache.spark.sql.types.Metadata.empty())) {
        return false;
      }
    }
    return true;
  }

  /**
   * Commits {@code actions} as {@code operation}, with {@code counts} as its operation metrics
   * (what the table's history shows, and what {@link #operationMetricsSince} reads back).
   */
  private void commit(
      OptimisticTransaction txn,
      List<Action> actions,
      DeltaOperations.Operation operation,
      Map<String, Long> counts) {
    Map<String, SQLMetric> metrics = new HashMap<>();
    counts.forEach(
        (name, value) -> {
          SQLMetric metric = SQLMetrics.createMetric(spark.sparkContext(), name);
          metric.set(value);
          metrics.put(name, metric);
        });
    txn.registerSQLMetrics(
        spark,
        scala.collection.immutable.Map$.MODULE$
            .<String, SQLMetric>empty()
            .$plus$plus(JavaConverters.mapAsScalaMap(metrics)));
    txn.commit(JavaConverters.asScalaBuffer(actions).toSeq(), operation);
  }

  public DeltaTable deltaTable(TableName table) {
    return DeltaTable.forPath(spark, location(table));
  }

  /**
   * Creates an empty table with {@code schema} unless it exists; an existing table must have the
   * same columns in the same order with the same types.
   */
  public void createIfMissing(TableName table, StructType schema) {
    if (exists(table)) {
      requireSchema(table, schema);
      return;
    }
    DeltaTable.createIfNotExists(spark).location(location(table)).addColumns(schema).execute();
  }

  /** Fails naming the first column that differs from {@code expected}. */
  public void requireSchema(TableName table, StructType expected) {
    StructType actual = read(table).schema();
    for (int i = 0; i < expected.size(); i++) {
      StructField want = expected.fields()[i];
      if (i >= actual.size()) {
        throw new WebModelException(
            "table " + table + " lacks column " + want.name() + " " + want.dataType().sql());
      }
      StructField have = actual.fields()[i];
      if (!have.name().equals(want.name()) || !have.dataType().equals(want.dataType())) {
        throw new WebModelException(
            "table "
                + table
                + " column "
                + (i + 1)
                + " is "
                + have.name()
                + " "
                + have.dataType().sql()
                + ", expected "
                + want.name()
                + " "
                + want.dataType().sql());
      }
    }
    if (actual.size() > expected.size()) {
      throw new WebModelException(
          "table "
              + table
              + " has an unexpected column "
              + actual.fields()[expected.size()].name());
    }
  }

  /** Replaces the table's content with {@code rows} in one commit (creating it if missing). */
  public void overwrite(TableName table, Dataset<Row> rows) {
    // A missing table (most scratch tables, dropped at the end of each run) is created without
    // Delta's overwrite pass listing the files to remove: a Spark job on its empty state.
    rows.write()
        .format("delta")
        .mode(exists(table) ? "overwrite" : "errorifexists")
        .option("overwriteSchema", "true")
        .save(location(table));
  }

  /** Appends {@code rows} in one commit; the table must exist with the same columns. */
  public void append(TableName table, Dataset<Row> rows) {
    append(table, rows, Map.of());
  }

  /**
   * Appends {@code rows} in one commit unless a commit with transaction id {@code appId} was made
   * before (Delta's idempotent writes: {@code txnAppId} and {@code txnVersion}).
   */
  public void appendOnce(TableName table, Dataset<Row> rows, String appId) {
    append(table, rows, Map.of("txnAppId", appId, "txnVersion", "1"));
  }

  private void append(TableName table, Dataset<Row> rows, Map<String, String> options) {
    StructType schema = read(table).schema();
    Column[] ordered = new Column[schema.size()];
    for (int i = 0; i < ordered.length; i++) {
      ordered[i] = col(schema.fields()[i].name());
    }
    rows.select(ordered)
        .write()
        .format("delta")
        .mode("append")
        .options(options)
        .save(location(table));
  }

  /**
   * Deletes the table's folder; returns whether there was one. Where renaming a folder is atomic
   * (local disks, HDFS), the folder is first renamed to a hidden name, so that a process killed
   * while deleting leaves either the whole table or none of it, never a table whose log is half
   * gone; leftovers of such a kill are deleted by the next drop of the table.
   */
  public boolean drop(TableName table) {
    Path path = new Path(location(table));
    try {
      FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
      Path parent = path.getParent();
      String hidden = "." + path.getName() + ".dropped-";
      FileStatus[] leftovers = fs.globStatus(new Path(parent, hidden + "*"));
      for (FileStatus leftover : leftovers == null ? new FileStatus[0] : leftovers) {
        fs.delete(leftover.getPath(), true);
      }
      boolean existed = fs.exists(path);
      if (existed) {
        Path doomed = path;
        if (ATOMIC_RENAME.contains(fs.getScheme())) {
          Path renamed = new Path(parent, hidden + UUID.randomUUID());
          if (fs.rename(path, renamed)) {
            doomed = renamed;
          }
        }
        fs.delete(doomed, true);
      }
      DeltaLog.clearCache();
      return existed;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot drop " + table + " at " + path, e);
    }
  }

  /** File systems whose folder rename is atomic. */
  private static final java.util.Set<String> ATOMIC_RENAME = java.util.Set.of("file", "hdfs");
}
