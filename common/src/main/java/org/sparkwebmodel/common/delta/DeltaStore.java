package org.sparkwebmodel.common.delta;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.not;

import io.delta.tables.DeltaTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.sparkwebmodel.common.error.Messages;
import org.sparkwebmodel.common.error.WebModelException;
import org.sparkwebmodel.common.table.TableName;
import org.sparkwebmodel.common.table.Warehouse;

/**
 * The only gateway from the jobs to Delta: path-based tables under a {@link Warehouse}, addressed
 * by {@link TableName}. Creating, reading (latest or at a pinned version), overwriting, appending
 * and dropping tables. Delta's public API throughout; where Delta's internal classes save work, the
 * work is done by {@link DeltaFastPaths}, each with a public-API path here or in the caller.
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
      FileSystem fs = fs(root);
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

  /**
   * Writes (or replaces) a small UTF-8 text file beside a table's folder, {@code <table
   * folder>.<extension>}: for a note that changes often and must cost no Delta commit (the run
   * lock's current step).
   */
  public void writeBeside(TableName table, String extension, String text) {
    Path file = beside(table, extension);
    try (var out = fs(file).create(file, true)) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new WebModelException(
          "cannot write " + file + ": " + Messages.firstLine(e.getMessage()), e);
    }
  }

  /** The text {@link #writeBeside} wrote, or empty when there is none. */
  public Optional<String> readBeside(TableName table, String extension) {
    Path file = beside(table, extension);
    try (var in = fs(file).open(file)) {
      return Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (java.io.FileNotFoundException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new WebModelException(
          "cannot read " + file + ": " + Messages.firstLine(e.getMessage()), e);
    }
  }

  /** Deletes the file {@link #writeBeside} wrote, if there is one. */
  public void deleteBeside(TableName table, String extension) {
    Path file = beside(table, extension);
    try {
      fs(file).delete(file, false);
    } catch (IOException e) {
      throw new WebModelException(
          "cannot delete " + file + ": " + Messages.firstLine(e.getMessage()), e);
    }
  }

  private Path beside(TableName table, String extension) {
    return new Path(location(table) + "." + extension);
  }

  /** The file system of a path of the warehouse. */
  private FileSystem fs(Path path) throws IOException {
    return path.getFileSystem(spark.sparkContext().hadoopConfiguration());
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
   * log (with the fast paths, no Spark job; else the table's history).
   */
  public long version(TableName table) {
    long version =
        DeltaFastPaths.Gate.either(
            spark,
            () -> DeltaFastPaths.version(spark, location(table)),
            () -> exists(table) ? latestCommit(table).getLong(0) : -1L);
    if (version < 0) {
      throw missing(table);
    }
    return version;
  }

  /**
   * The table's Delta id: it is new whenever the table is created, so it tells a table from one
   * dropped and created again at the same place.
   */
  public String tableId(TableName table) {
    return DeltaFastPaths.Gate.either(
            spark,
            () -> DeltaFastPaths.tableId(spark, location(table)),
            () ->
                exists(table)
                    ? Optional.of(deltaTable(table).detail().select("id").head().getString(0))
                    : Optional.<String>empty())
        .orElseThrow(() -> missing(table));
  }

  private WebModelException missing(TableName table) {
    return new WebModelException("table " + table + " does not exist (" + location(table) + ")");
  }

  /** The latest entry of the table's history: (version, operationMetrics). */
  private Row latestCommit(TableName table) {
    return deltaTable(table).history(1).select("version", "operationMetrics").head();
  }

  /**
   * Operation metrics (e.g. numTargetRowsInserted of a MERGE) of the commit made after {@code
   * versionBefore}; empty when the operation committed nothing (Delta skips no-op commits).
   */
  public Map<String, String> operationMetricsSince(TableName table, long versionBefore) {
    return DeltaFastPaths.Gate.either(
        spark,
        () -> DeltaFastPaths.operationMetricsSince(spark, location(table), versionBefore),
        () -> {
          Row latest = latestCommit(table);
          return latest.getLong(0) == versionBefore || latest.isNullAt(1)
              ? Map.<String, String>of()
              : Map.copyOf(latest.<String, String>getJavaMap(1));
        });
  }

  /**
   * The Delta transaction id under which a staged removal records the version it removed: by {@link
   * #removeFilesOf}, and by {@link StagedInput#removeRead}'s MERGE through {@link #idempotent}.
   */
  static final String REMOVAL_APP_ID = "spark-web-model:staged-version-removed";

  /**
   * Removes, in one commit, every data file that {@code version} of the table held, when all of
   * them are still in the table unchanged (only appends came after {@code version}, the common case
   * of a staged table): the rows that version held go, rows added since stay, and no data is read.
   * Returns the number of rows removed, or empty when a file of {@code version} has been removed or
   * rewritten since, or lacks a row count, so that its rows must be matched one by one ({@link
   * StagedInput#removeRead}). Without the Delta fast paths the result is the same, but the rows
   * staged since are rewritten ({@link #removeRowsOfFiles}).
   *
   * <p>The commit is checked by Delta's conflict detection like any DELETE: a concurrent commit
   * that removes one of these files makes it fail; a concurrent append does not. It also records
   * {@code version} as a Delta transaction id, so that the removal repeated (a re-run after a
   * crash) removes nothing, not even an identical copy of a removed row staged since.
   */
  public OptionalLong removeFilesOf(TableName table, long version) {
    return DeltaFastPaths.Gate.either(
        spark,
        () -> DeltaFastPaths.removeFilesOf(spark, location(table), REMOVAL_APP_ID, version),
        () -> removeRowsOfFiles(table, version));
  }

  /**
   * The public-API path of {@link #removeFilesOf}, with the same result: when every data file of
   * {@code version} is still in the table with all its rows, the table is overwritten, in one
   * commit, with the rows of its other files (those staged since, usually few), found by Spark's
   * {@code _metadata.file_name}; under the same transaction id, so a repeat is skipped. The
   * overwrite reads the table in its own transaction (Delta's scan of the table being written), so
   * a file appended meanwhile is either rewritten or left alone, never lost. Costs a count of the
   * version's rows and a rewrite of the rows staged since, which the fast path does not.
   */
  private OptionalLong removeRowsOfFiles(TableName table, long version) {
    DeltaStore once = idempotent(REMOVAL_APP_ID, version);
    Dataset<Row> pinned = once.readAt(table, version);
    Set<String> files = fileNames(pinned);
    if (files.isEmpty()) {
      return OptionalLong.of(0);
    }
    Dataset<Row> current = once.read(table);
    if (!fileNames(current).containsAll(files)) {
      // A file of the version was removed or rewritten since (or this removal committed before).
      return OptionalLong.empty();
    }
    Column inPinned = col("_metadata.file_name").isin(files.toArray());
    long rows = pinned.count();
    if (current.where(inPinned).count() != rows) {
      // Rows of a file of the version were deleted since without rewriting it (deletion vectors).
      return OptionalLong.empty();
    }
    long before = version(table);
    current.where(not(inPinned)).write().format("delta").mode("overwrite").save(location(table));
    // No commit: Delta found this version's removal committed before under the transaction id.
    return OptionalLong.of(version(table) == before ? 0 : rows);
  }

  /** The names of the data files a read of a Delta table scans. */
  private static Set<String> fileNames(Dataset<Row> read) {
    return Arrays.stream(read.inputFiles())
        .map(file -> new Path(file).getName())
        .collect(Collectors.toSet());
  }

  /**
   * A store over a session of its own (the same Spark application, its own SQL settings) whose
   * Delta writes and MERGE, UPDATE and DELETE commit under the transaction id {@code appId} and
   * {@code version}, and are skipped, committing nothing, when a commit with that id and that
   * version or a later one was made to the table before: Delta's idempotent writes, set by its
   * documented settings {@code spark.databricks.delta.write.txnAppId} and {@code txnVersion}. No
   * other write of the process gets the id.
   */
  DeltaStore idempotent(String appId, long version) {
    SparkSession once = spark.newSession();
    once.conf().set(DeltaFastPaths.Gate.SWITCH, String.valueOf(DeltaFastPaths.Gate.open(spark)));
    once.conf().set("spark.databricks.delta.write.txnAppId", appId);
    once.conf().set("spark.databricks.delta.write.txnVersion", version);
    return new DeltaStore(once, warehouse);
  }

  /**
   * Appends every row of {@code source} to {@code target} in one commit by copying the source's
   * data files into the target's folder, as they are (their statistics included): no row is read or
   * encoded again. Returns the number of rows appended, or empty, having written nothing, when the
   * tables differ in columns, types or layout (partitioning, column mapping), the target checks
   * something on write (CHECK constraints, generated or identity columns), a source file has
   * deleted rows or no row count, a copy fails, or the Delta fast paths are off: then the rows must
   * be appended as rows.
   */
  public OptionalLong appendFilesOf(TableName source, TableName target) {
    return DeltaFastPaths.Gate.either(
        spark,
        () -> DeltaFastPaths.appendFilesOf(spark, location(source), location(target)),
        OptionalLong::empty);
  }

  /**
   * Every Delta table in the warehouse's schema folders (not the hidden ones, not {@code _locks})
   * with the number of its latest commit, read from a listing of its {@code _delta_log} without
   * building a snapshot: two of these, before and after some SQL, tell which tables it wrote.
   */
  public Map<TableName, Long> latestCommits() {
    Path root = new Path(warehouse.root());
    Map<TableName, Long> commits = new java.util.HashMap<>();
    try {
      FileSystem fs = fs(root);
      if (!fs.exists(root)) {
        return Map.of();
      }
      for (FileStatus schema : fs.listStatus(root)) {
        String schemaName = schema.getPath().getName();
        if (!schema.isDirectory() || schemaName.startsWith(".") || schemaName.startsWith("_")) {
          continue;
        }
        for (FileStatus table : fs.listStatus(schema.getPath())) {
          Path log = new Path(table.getPath(), "_delta_log");
          if (!table.isDirectory()
              || table.getPath().getName().startsWith(".")
              || !fs.exists(log)) {
            continue;
          }
          long latest = -1;
          for (FileStatus entry : fs.listStatus(log)) {
            String name = entry.getPath().getName();
            if (name.matches("\\d{20}\\.json")) {
              latest = Math.max(latest, Long.parseLong(name.substring(0, 20)));
            }
          }
          commits.put(new TableName(schemaName, table.getPath().getName()), latest);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the tables of the warehouse " + root, e);
    }
    return commits;
  }

  /** The number of data files and their bytes in the table's latest version. */
  public record Files(long files, long bytes) {}

  /** {@code DESCRIBE DETAIL}: the files and bytes of the table's latest version. */
  public Files files(TableName table) {
    Row detail = deltaTable(table).detail().first();
    return new Files(detail.<Long>getAs("numFiles"), detail.<Long>getAs("sizeInBytes"));
  }

  /**
   * The data files stored in the table's folder, whatever version refers to them (what VACUUM
   * deletes): every file outside {@code _delta_log} but hidden ones (local checksums).
   */
  public Files storedFiles(TableName table) {
    Path root = new Path(location(table));
    long files = 0;
    long bytes = 0;
    try {
      var it = fs(root).listFiles(root, true);
      while (it.hasNext()) {
        var file = it.next();
        String relative = root.toUri().relativize(file.getPath().toUri()).getPath();
        String name = file.getPath().getName();
        if (!relative.startsWith("_delta_log/") && !name.startsWith(".") && !name.startsWith("_")) {
          files++;
          bytes += file.getLen();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the files of " + table + " at " + root, e);
    }
    return new Files(files, bytes);
  }

  /** Compacts the table's small files into larger ones (Delta's OPTIMIZE); rows do not change. */
  public void optimize(TableName table) {
    deltaTable(table).optimize().executeCompaction();
  }

  /**
   * Deletes the files no version of the last {@code retentionHours} hours refers to (Delta's
   * VACUUM). Delta refuses less than the table's deleted-file retention (7 days) unless {@code
   * force}, which lifts its check for this call only.
   */
  public String vacuum(TableName table, int retentionHours, boolean force) {
    String check = "spark.databricks.delta.retentionDurationCheck.enabled";
    // VACUUM lists the table's folders in a Spark job of this many tasks (Spark's default 10,000:
    // 20 to 30 s for a small table on two cores); the default parallelism lists as fast.
    String listing = "spark.sql.sources.parallelPartitionDiscovery.parallelism";
    String checkBefore = spark.conf().get(check, "true");
    String listingBefore = spark.conf().get(listing);
    spark.conf().set(listing, String.valueOf(spark.sparkContext().defaultParallelism()));
    if (force) {
      spark.conf().set(check, "false");
    }
    // Delta prints what it deleted on the process's standard output (Scala's Console): taken here
    // and returned, for the step's log line, so that stdout keeps only the command's summary.
    java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
    try {
      scala.Console.withOut(
          printed,
          () -> {
            deltaTable(table).vacuum(retentionHours);
            return null;
          });
    } finally {
      spark.conf().set(check, checkBefore);
      spark.conf().set(listing, listingBefore);
    }
    return printed.toString(StandardCharsets.UTF_8).strip().replaceAll("\\s+", " ");
  }

  /**
   * Writes a checkpoint of the table's latest version, so that readers replay fewer commits;
   * returns false when Delta's internal API (the only one that writes checkpoints on demand) is not
   * there; Delta then writes one every 10 commits by itself.
   */
  public boolean checkpoint(TableName table) {
    boolean[] written = {false};
    DeltaFastPaths.Gate.whenAvailable(
        () -> {
          DeltaFastPaths.checkpoint(spark, location(table));
          written[0] = true;
        });
    return written[0];
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
      FileSystem fs = fs(path);
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
      // Delta's cached state of the table is stale now: freed at once where Delta's internal API
      // allows it; else Delta finds the table gone when it next lists the log.
      DeltaFastPaths.Gate.whenAvailable(() -> DeltaFastPaths.forgetCachedLogs());
      return existed;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot drop " + table + " at " + path, e);
    }
  }

  /** File systems whose folder rename is atomic. */
  private static final java.util.Set<String> ATOMIC_RENAME = java.util.Set.of("file", "hdfs");
}
