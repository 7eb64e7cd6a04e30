package org.sparkwebmodel.common.delta;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.DeltaOperations;
import org.apache.spark.sql.delta.OptimisticTransaction;
import org.apache.spark.sql.delta.Snapshot;
import org.apache.spark.sql.delta.actions.Action;
import org.apache.spark.sql.delta.actions.AddFile;
import org.apache.spark.sql.delta.actions.CommitInfo;
import org.apache.spark.sql.delta.actions.Metadata;
import org.apache.spark.sql.delta.actions.SetTransaction;
import org.apache.spark.sql.execution.metric.SQLMetric;
import org.apache.spark.sql.execution.metric.SQLMetrics;
import org.apache.spark.sql.types.StructField;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkwebmodel.common.error.WebModelException;
import scala.Option;
import scala.collection.JavaConverters;

/**
 * The fast paths: the only code of the project that uses Delta's internal classes ({@code
 * org.apache.spark.sql.delta.*}: {@code DeltaLog}, {@code OptimisticTransaction}, {@code AddFile},
 * {@code SetTransaction}, {@code CommitInfo}, Scala default-argument methods) and Spark's internal
 * SQL metrics. Written against <b>delta-spark 3.3.3 on Spark 3.5 (Scala 2.12)</b> and
 * <b>delta-spark 4.4.0 on Spark 4.2 (Scala 2.13)</b>: the calls whose signatures differ between the
 * two are in {@link DeltaLine}, one source file per Spark line. These classes are not Delta's
 * public API and change between Delta releases and on platforms that ship their own build of Delta.
 *
 * <p>What each buys (README, "Performance", measured at 1,000,000 page views) and what is used
 * instead, with the same table contents, when the fast paths are off:
 *
 * <ul>
 *   <li>{@link #removeFilesOf}: complete removes the data files of the staged version main read in
 *       one commit, reading no data (sessions complete 32.3 s → 0.9 s), and records the version as
 *       a Delta transaction id. Instead: the table is overwritten with the rows of its other files
 *       (those staged since), under the same transaction id through Delta's documented idempotent
 *       write settings ({@link DeltaStore#removeFilesOf}). When a file of the version was rewritten
 *       since, both use {@link StagedInput#removeRead}'s MERGE on key and row hash, under that id.
 *   <li>{@link #appendFilesOf}: an upsert that only inserts a whole {@code *_this_run} table copies
 *       its data files into the target in one commit (sessions upsert 4.9 s → 1 s, users upsert 3.9
 *       s → 0.7 s). Instead: the rows are appended with the DataFrame writer ({@link Upsert}).
 *   <li>The hand-made commits of those two carry operation metrics ({@code SQLMetric}), so that the
 *       history shows a DELETE or WRITE with its counts, as Delta's own commands do.
 *   <li>{@link #version}, {@link #tableId}, {@link #operationMetricsSince}: read the log on the
 *       driver, without planning a query. Instead: {@code DeltaTable.history(1)} and {@code
 *       DeltaTable.detail()}.
 *   <li>{@link #forgetCachedLogs}, not a fast path but housekeeping: after a table's folder was
 *       deleted, drops Delta's cached table states, which otherwise stay in memory until they
 *       expire (60 min by default; a test JVM that drops hundreds of tables ran out of heap without
 *       it). It runs whenever the internal API is there, whatever the switch. Without that API:
 *       nothing; Delta lists a table's log before every read and write, so it still sees a table
 *       dropped and created again.
 * </ul>
 *
 * <p>Whether they are used is decided per call by {@link Gate}: the switch {@value Gate#SWITCH}
 * (default true), and whether every class and member used here is there at run time, checked once
 * per JVM.
 */
final class DeltaFastPaths {
  private DeltaFastPaths() {}

  /**
   * Whether to take a fast path, and the one place that reads the switch. This class refers to no
   * internal class, so it loads when {@link DeltaFastPaths} itself cannot.
   */
  static final class Gate {
    /**
     * Spark conf (session or {@code --conf}) or JVM system property: {@code false} uses Delta's
     * public API only.
     */
    static final String SWITCH = "spark.webmodel.delta.fastPaths";

    // By name: the class literal would load DeltaFastPaths.
    private static final Logger LOG =
        LoggerFactory.getLogger("org.sparkwebmodel.common.delta.DeltaFastPaths");

    /** Empty when the internal API is there; else what is missing. Set on first use. */
    private static volatile Optional<String> missing;

    private Gate() {}

    /** Whether the fast paths are to be used in {@code spark} now. */
    static boolean open(SparkSession spark) {
      return switchedOn(spark) && missing().isEmpty();
    }

    /**
     * The fast path's result when the gate is open, else the public-API fallback's. A {@link
     * LinkageError} from the fast path (a member of Delta's internal API that is not there) closes
     * the gate for the JVM, and the fallback runs: the fast paths check what they may change before
     * their one commit, so such an error leaves the table as it was.
     */
    static <T> T either(SparkSession spark, Supplier<T> fastPath, Supplier<T> fallback) {
      return open(spark) ? attempt(fastPath, fallback, Gate::close) : fallback.get();
    }

    /**
     * {@code fastPath}'s result, or {@code fallback}'s when {@code fastPath} finds part of Delta's
     * internal API missing (a {@link LinkageError}), which is passed to {@code onMissing}.
     */
    static <T> T attempt(Supplier<T> fastPath, Supplier<T> fallback, Consumer<String> onMissing) {
      try {
        return fastPath.get();
      } catch (LinkageError e) {
        onMissing.accept(e.toString());
      }
      return fallback.get();
    }

    /**
     * Runs {@code housekeeping}, a use of the internal API that is not a fast path, when that API
     * is there, whatever the switch; else nothing is done.
     */
    static void whenAvailable(Runnable housekeeping) {
      if (missing().isEmpty()) {
        attempt(
            () -> {
              housekeeping.run();
              return true;
            },
            () -> false,
            Gate::close);
      }
    }

    /** The switch as set in {@code spark}'s conf, else as a system property; true if unset. */
    static boolean switchedOn(SparkSession spark) {
      String value = spark.conf().get(SWITCH, System.getProperty(SWITCH, "true"));
      return switch (value.trim().toLowerCase(Locale.ROOT)) {
        case "true" -> true;
        case "false" -> false;
        default ->
            throw new WebModelException(
                SWITCH + " must be true or false, got: '" + value + "' (Spark conf or -D option)");
      };
    }

    private static Optional<String> missing() {
      Optional<String> known = missing;
      if (known == null) {
        synchronized (Gate.class) {
          if (missing == null) {
            // A lambda, not a method reference: a DeltaFastPaths that cannot be loaded fails inside
            // probe, not while the reference is linked.
            Optional<String> found = probe(() -> DeltaFastPaths.requireApi());
            found.ifPresent(Gate::warn);
            missing = found;
          }
          known = missing;
        }
      }
      return known;
    }

    /** What {@code check} finds missing: the error it throws, if it is one of a missing API. */
    static Optional<String> probe(ApiCheck check) {
      try {
        check.run();
        return Optional.empty();
      } catch (ReflectiveOperationException | LinkageError e) {
        return Optional.of(e.toString());
      }
    }

    private static synchronized void close(String what) {
      if (missing == null || missing.isEmpty()) {
        missing = Optional.of(what);
        warn(what);
      }
    }

    private static void warn(String what) {
      LOG.warn(
          "Delta's internal API is not as in delta-spark 3.3.3 ({}): the Delta fast paths are off"
              + " and the public-API path is used (slower file removal and copies; see {})",
          what,
          SWITCH);
    }
  }

  /** A check that throws when a class or member is missing. */
  @FunctionalInterface
  interface ApiCheck {
    void run() throws ReflectiveOperationException;
  }

  /**
   * Fails, naming the first one missing, unless every class, constructor and method used here is
   * there with its delta-spark 3.3.3 signature: a changed API is found before anything is written,
   * not half-way through a fast path.
   */
  static void requireApi() throws ReflectiveOperationException {
    Class<?> option = Option.class;
    DeltaLog.class.getMethod("forTable", SparkSession.class, String.class);
    DeltaLog.class.getMethod("clearCache");
    DeltaLog.class.getMethod("checkpoint");
    DeltaLog.class.getMethod("update", boolean.class, option, option);
    DeltaLog.class.getMethod("update$default$1");
    DeltaLog.class.getMethod("update$default$2");
    DeltaLog.class.getMethod("update$default$3");
    DeltaLog.class.getMethod("startTransaction");
    DeltaLog.class.getMethod("dataPath");
    Snapshot.class.getMethod("version");
    Snapshot.class.getMethod("metadata");
    Snapshot.class.getMethod("allFiles");
    Snapshot.class.getMethod("deltaLog");
    OptimisticTransaction.class.getMethod("txnVersion", String.class);
    OptimisticTransaction.class.getMethod("filterFiles");
    OptimisticTransaction.class.getMethod("metadata");
    Metadata.class.getMethod("id");
    Metadata.class.getMethod("schema");
    Metadata.class.getMethod("partitionColumns");
    Metadata.class.getMethod("columnMappingMode");
    Metadata.class.getMethod("configuration");
    CommitInfo.class.getMethod("operationMetrics");
    for (String getter :
        List.of(
            "path",
            "partitionValues",
            "size",
            "stats",
            "tags",
            "deletionVector",
            "numLogicalRecords",
            "getDeletionVectorUniqueId")) {
      AddFile.class.getMethod(getter);
    }
    AddFile.class.getMethod("removeWithTimestamp", long.class, boolean.class);
    SetTransaction.class.getConstructor(String.class, long.class, option);
    DeltaLine.requireApi();
    SQLMetrics.class.getMethod("createMetric", SparkContext.class, String.class);
    SQLMetric.class.getMethod("set", long.class);
  }

  /** The latest version of the table at {@code location}, or -1 when there is none. */
  static long version(SparkSession spark, String location) {
    return latest(DeltaLog.forTable(spark, location)).version();
  }

  /** The table's Delta id, or empty when there is no table at {@code location}. */
  static Optional<String> tableId(SparkSession spark, String location) {
    Snapshot snapshot = latest(DeltaLog.forTable(spark, location));
    return snapshot.version() < 0 ? Optional.empty() : Optional.of(snapshot.metadata().id());
  }

  private static Snapshot latest(DeltaLog log) {
    return log.update(log.update$default$1(), log.update$default$2(), log.update$default$3());
  }

  /**
   * The operation metrics of the latest commit when it came after {@code versionBefore}, read from
   * its log entry on the driver; empty when there is none or it has no metrics.
   */
  static Map<String, String> operationMetricsSince(
      SparkSession spark, String location, long versionBefore) {
    DeltaLog log = DeltaLog.forTable(spark, location);
    long latest = latest(log).version();
    if (latest == versionBefore) {
      return Map.of();
    }
    for (Action action : DeltaLine.actionsOf(log, latest)) {
      if (action instanceof CommitInfo info && info.operationMetrics().isDefined()) {
        return JavaConverters.mapAsJavaMap(info.operationMetrics().get());
      }
    }
    return Map.of();
  }

  /**
   * Removes, in one commit, every data file that {@code version} of the table held, when all of
   * them are still in the table unchanged (only appends came after {@code version}): the rows that
   * version held go, rows added since stay, and no data is read. Returns the number of rows
   * removed, or empty when a file of {@code version} has been removed or rewritten since, or lacks
   * a row count, so that its rows must be matched one by one.
   *
   * <p>The commit is checked by Delta's conflict detection like any DELETE: a concurrent commit
   * that removes one of these files makes it fail; a concurrent append does not. It also records
   * {@code version} as the Delta transaction id {@code appId}, so that the removal repeated (a
   * re-run after a crash) removes nothing, not even an identical copy of a removed row staged
   * since; the public-API path checks and records the same id.
   */
  static OptionalLong removeFilesOf(
      SparkSession spark, String location, String appId, long version) {
    long now = System.currentTimeMillis();
    DeltaLog log = DeltaLog.forTable(spark, location);
    OptimisticTransaction txn = log.startTransaction();
    if (txn.txnVersion(appId) >= version) {
      // This removal committed before (a re-run after a crash): nothing of that version is left,
      // and rows staged since, even identical ones, are not the version's.
      return OptionalLong.of(0);
    }
    Map<String, AddFile> current = new HashMap<>();
    for (AddFile file : JavaConverters.seqAsJavaList(txn.filterFiles())) {
      current.put(file.path(), file);
    }
    Snapshot pinned = DeltaLine.snapshotAt(log, version);
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
    removes.add(new SetTransaction(appId, version, Option.apply(now)));
    if (removes.size() > 1) {
      // The history shows it as a DELETE with its counts, as Delta's own full-file DELETE does.
      commit(
          spark,
          txn,
          removes,
          DeltaLine.deleteAll(),
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
   * Appends every row of the table at {@code source} to the one at {@code target} in one commit by
   * copying the source's data files into the target's folder, as they are (their statistics
   * included): no row is read or encoded again. Returns the number of rows appended, or empty,
   * having written nothing, when the tables differ in columns, types or layout (partitioning,
   * column mapping), the target checks something on write (CHECK constraints, generated or identity
   * columns), a source file has deleted rows or no row count, or a copy fails: then the rows must
   * be appended as rows.
   */
  static OptionalLong appendFilesOf(SparkSession spark, String source, String target) {
    Snapshot snapshot = latest(DeltaLog.forTable(spark, source));
    if (snapshot.version() < 0) {
      throw new WebModelException("no Delta table at " + source);
    }
    DeltaLog from = snapshot.deltaLog();
    DeltaLog to = DeltaLog.forTable(spark, target);
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
        Path original = new Path(from.dataPath(), new Path(new URI(file.path())));
        if (!FileUtil.copy(fs, original, fs, copy, false, fs.getConf())) {
          throw new IOException("cannot copy " + original + " to " + copy);
        }
        adds.add(DeltaLine.copyOf(file, copy.getName(), now));
      }
    } catch (IOException | URISyntaxException | IllegalArgumentException e) {
      // Not copyable here (another file system, a failed copy): remove the copies made so far and
      // let the caller append the rows.
      deleteQuietly(spark, to.dataPath(), adds);
      return OptionalLong.empty();
    }
    commit(
        spark,
        txn,
        adds,
        DeltaLine.append(),
        Map.of("numFiles", (long) adds.size(), "numOutputRows", rows, "numOutputBytes", bytes));
    return OptionalLong.of(rows);
  }

  /** Writes a checkpoint of the table's latest version (Delta has no public API for it). */
  static void checkpoint(SparkSession spark, String location) {
    DeltaLog.forTable(spark, location).checkpoint();
  }

  /** Forgets Delta's cached state of every table (after a table's folder was deleted). */
  static void forgetCachedLogs() {
    DeltaLog.clearCache();
  }

  private static void deleteQuietly(SparkSession spark, Path folder, List<Action> adds) {
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
  private static boolean sameLayout(Metadata from, Metadata to) {
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
  private static void commit(
      SparkSession spark,
      OptimisticTransaction txn,
      List<Action> actions,
      DeltaOperations.Operation operation,
      Map<String, Long> counts) {
    SparkContext context = spark.sparkContext();
    Map<String, SQLMetric> metrics = new HashMap<>();
    counts.forEach(
        (name, value) -> {
          SQLMetric metric = SQLMetrics.createMetric(context, name);
          metric.set(value);
          metrics.put(name, metric);
        });
    DeltaLine.commit(spark, txn, actions, operation, metrics);
  }
}
