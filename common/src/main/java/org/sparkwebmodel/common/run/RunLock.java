package org.sparkwebmodel.common.run;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ConcurrentModificationException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.sparkwebmodel.common.config.Variables;
import org.sparkwebmodel.common.delta.DeltaStore;
import org.sparkwebmodel.common.error.WebModelException;
import org.sparkwebmodel.common.table.TableName;

/**
 * The run lock (the reference's {@code lockType: hard}): a run holds it on its warehouse and
 * entropy while it works, so a second run started meanwhile is refused; a run that fails keeps it,
 * marked failed with the step and the error, so no later run proceeds on half-done state until a
 * person runs {@code web-model unlock}. A process killed outright leaves it held; {@code unlock}
 * clears that too.
 *
 * <p>The lock is a one-row Delta table, {@code <warehouse>/_locks/run<entropy>}, so it works on
 * object stores as on local disks: taking it is a MERGE that inserts a row only when the table has
 * none, and Delta's optimistic concurrency lets one of two simultaneous MERGEs commit and fails the
 * other (it read the table the winner wrote). On S3 this needs a log store with mutual exclusion
 * across writers (Delta's S3DynamoDBLogStore) when runs may start from different drivers.
 *
 * <p>The step a run is at changes at every step, so it is not a Delta commit (an UPDATE of the row
 * cost 1 to 2 s per step): it is a small file beside the table, {@code run<entropy>.step}, holding
 * the lock id, the step and the time. Whether the lock is still this run's is told by the table's
 * version: any unlock or takeover commits to it.
 */
public final class RunLock {
  static final StructType SCHEMA =
      StructType.fromDDL(
          "lock_id STRING, state STRING, holder STRING, acquired_at TIMESTAMP,"
              + " step STRING, message STRING, updated_at TIMESTAMP");

  private final DeltaStore store;
  private final TableName table;
  private final String lockId;

  /** The lock table's version when this run last saw its row there. */
  private long heldAtVersion;

  /** The extension of the file beside the lock table that says which step the holder is at. */
  static final String STEP_FILE = "step";

  private RunLock(DeltaStore store, TableName table, String lockId, long heldAtVersion) {
    this.store = store;
    this.table = table;
    this.lockId = lockId;
    this.heldAtVersion = heldAtVersion;
  }

  /** The lock table of a warehouse and entropy. */
  public static TableName table(Variables vars) {
    return new TableName("_locks", "run" + vars.entropy());
  }

  /**
   * Takes the lock for {@code what} (e.g. {@code run configs/run.yml}); fails with a message saying
   * who holds it, or which step failed, when it is taken.
   */
  public static RunLock acquire(DeltaStore store, Variables vars, String what) {
    TableName table = table(vars);
    String lockId = UUID.randomUUID().toString();
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    Row candidate =
        RowFactory.create(lockId, "running", what + " on " + host(), now, null, null, now);
    try {
      createTable(store, table);
      store
          .deltaTable(table)
          .as("held")
          .merge(store.spark().createDataFrame(List.of(candidate), SCHEMA).as("taking"), "true")
          .whenNotMatched()
          .insertAll()
          .execute();
    } catch (ConcurrentModificationException e) {
      // Another run committed first; its row says who it is.
    }
    long version = store.version(table);
    Optional<Row> holder = current(store, table, version);
    if (holder.isPresent() && lockId.equals(holder.get().getAs("lock_id"))) {
      return new RunLock(store, table, lockId, version);
    }
    throw new WebModelException(refusal(store, vars, holder));
  }

  private static void createTable(DeltaStore store, TableName table) {
    try {
      if (store.exists(table)) {
        Dataset<Row> held = store.read(table);
        if (!held.schema().equals(SCHEMA) && held.isEmpty()) {
          // An empty lock table of an earlier version: nothing is held, so it is replaced.
          store.drop(table);
        }
      }
      store.createIfMissing(table, SCHEMA);
    } catch (RuntimeException e) {
      if (!store.exists(table)) {
        throw e;
      }
      // Created at the same moment by another run.
    }
  }

  private static Optional<Row> current(DeltaStore store, TableName table) {
    return store.read(table).collectAsList().stream().findFirst();
  }

  private static Optional<Row> current(DeltaStore store, TableName table, long version) {
    return store.readAt(table, version).collectAsList().stream().findFirst();
  }

  /**
   * The step the holder {@code row} recorded, and since when: from the step file when it is that
   * holder's, otherwise from the row (a failed run's step, or none).
   */
  private static StepMark stepOf(DeltaStore store, TableName table, Row row) {
    String lockId = row.getAs("lock_id");
    Optional<String[]> noted =
        store
            .readBeside(table, STEP_FILE)
            .map(text -> text.split("\t", 3))
            .filter(parts -> parts.length == 3 && parts[0].equals(lockId));
    if (noted.isPresent() && !"failed".equals(row.getAs("state"))) {
      return new StepMark(noted.get()[1], noted.get()[2]);
    }
    Object updated = row.getAs("updated_at");
    return new StepMark(row.getAs("step"), updated == null ? null : updated.toString());
  }

  /** The step a holder is at (or failed at), and since when; the step is null before the first. */
  private record StepMark(String step, String since) {}

  private static String refusal(DeltaStore store, Variables vars, Optional<Row> holder) {
    String where = "warehouse " + store.warehouse().root() + ", entropy '" + vars.entropy() + "'";
    if (holder.isEmpty()) {
      return "the run lock on " + where + " was released while this run tried to take it; retry";
    }
    Row row = holder.get();
    String step = stepOf(store, table(vars), row).step();
    if ("failed".equals(row.getAs("state"))) {
      return "refused: a previous run on "
          + where
          + " failed at step '"
          + row.getAs("step")
          + "' ("
          + row.getAs("message")
          + "); its lock stays until you check the tables and run `web-model unlock`";
    }
    return "refused: another run holds the lock on "
        + where
        + " ("
        + row.getAs("holder")
        + ", since "
        + row.getAs("acquired_at")
        + (step == null ? "" : ", at step '" + step + "'")
        + "); if it is no longer running it stopped without releasing the lock: check the tables,"
        + " then run `web-model unlock`";
  }

  /** Marks the lock failed at {@code step} with {@code message}; it stays until unlocked. */
  public void fail(String step, String message) {
    store
        .deltaTable(table)
        .update(
            col("lock_id").equalTo(lockId),
            Map.of(
                "state", lit("failed"),
                "step", lit(step),
                "message", lit(message),
                "updated_at", lit(Instant.now().truncatedTo(ChronoUnit.MICROS))));
  }

  /** Releases the lock after a successful run. */
  public void release() {
    store.deltaTable(table).delete(col("lock_id").equalTo(lockId));
    deleteStepFile(store, table, lockId);
  }

  /**
   * Removes the lock whatever its state and says what it was, or that there was none ({@code
   * web-model unlock}).
   */
  public static String unlock(DeltaStore store, Variables vars) {
    TableName table = table(vars);
    String where = "warehouse " + store.warehouse().root() + ", entropy '" + vars.entropy() + "'";
    if (!store.exists(table)) {
      return "no run lock on " + where;
    }
    Optional<Row> holder = current(store, table);
    if (holder.isEmpty()) {
      return "no run lock on " + where;
    }
    Row row = holder.get();
    StepMark mark = stepOf(store, table, row);
    // Only the lock that was read: a run that took it meanwhile keeps its own.
    store.deltaTable(table).delete(col("lock_id").equalTo(row.<String>getAs("lock_id")));
    deleteStepFile(store, table, row.getAs("lock_id"));
    String step = mark.step();
    String what =
        "failed".equals(row.getAs("state"))
            ? "failed at step '" + step + "': " + row.getAs("message")
            : "still marked running"
                + (step == null ? "" : " at step '" + step + "' (since " + mark.since() + ")")
                + ": the process stopped without releasing it, or is running";
    return "removed the run lock on "
        + where
        + ": taken by "
        + row.getAs("holder")
        + " at "
        + row.getAs("acquired_at")
        + ", "
        + what
        + resumeHint(row.getAs("holder"), step);
  }

  /**
   * How to finish what the lock's holder started: its command line (recorded when it took the lock,
   * with its --warehouse and --var options), from the step where it stopped for a run. Every step
   * may be re-run, and an interrupted one converges to an uninterrupted run (DECISIONS 18).
   */
  private static String resumeHint(String holder, String step) {
    int on = holder == null ? -1 : holder.lastIndexOf(" on ");
    if (on < 0) {
      return "";
    }
    String command = holder.substring(0, on);
    if (command.startsWith("playbook ") || command.contains(" playbook ")) {
      return "; to re-run that step: web-model " + command;
    }
    if (step != null && (command.startsWith("run ") || command.contains(" run "))) {
      return "; to finish that run: web-model " + command + " --from " + step;
    }
    return "";
  }

  /**
   * Records the step the run is starting, so that after a kill {@code unlock} says where the run
   * stopped. Fails when the lock is no longer this run's (someone ran {@code unlock} while it was
   * running): the run must not go on unlocked.
   */
  public void at(String step) {
    long version = store.version(table);
    if (version != heldAtVersion) {
      Optional<Row> holder = current(store, table, version);
      if (holder.isPresent() && lockId.equals(holder.get().getAs("lock_id"))) {
        heldAtVersion = version;
      } else {
        throw removedWhileRunning(step);
      }
    }
    store.writeBeside(
        table,
        STEP_FILE,
        lockId + "\t" + step + "\t" + Instant.now().truncatedTo(ChronoUnit.MICROS));
    // A lock removed between the check and the write: the version tells.
    if (store.version(table) != heldAtVersion) {
      throw removedWhileRunning(step);
    }
  }

  private WebModelException removedWhileRunning(String step) {
    return new WebModelException(
        "the run lock on warehouse "
            + store.warehouse().root()
            + " was removed while this run was running (web-model unlock?); stopping before"
            + " step '"
            + step
            + "'");
  }

  /** Deletes the step file when it is the one of {@code holder} (not of a run that took over). */
  private static void deleteStepFile(DeltaStore store, TableName table, String holder) {
    if (store
        .readBeside(table, STEP_FILE)
        .filter(text -> text.startsWith(holder + "\t"))
        .isPresent()) {
      store.deleteBeside(table, STEP_FILE);
    }
  }

  private static String host() {
    String pid = String.valueOf(ProcessHandle.current().pid());
    try {
      return InetAddress.getLocalHost().getHostName() + " pid " + pid;
    } catch (UnknownHostException e) {
      return ManagementFactory.getRuntimeMXBean().getName() + " pid " + pid;
    }
  }
}
