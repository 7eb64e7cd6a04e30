package org.sparkwebmodel.common.run;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.sparkwebmodel.common.config.Variables;
import org.sparkwebmodel.common.delta.DeltaStore;
import org.sparkwebmodel.common.table.TableName;

/**
 * What a module's main step has taken on and its complete step has not yet finished: the run id and
 * the pinned version of the staged input. Kept in the scratch table {@code <module>_run_state};
 * main writes it (unfinished) before its first output and marks it finished after its last,
 * complete drops it.
 *
 * <p>While main is unfinished, re-running main processes the same staged version under the same run
 * id, so a retry converges to the result of an uninterrupted run, and complete refuses to run. A
 * main step after a finished one reads the latest staged version (which still holds every row the
 * earlier one read), so one complete step removes what both processed.
 *
 * <p>The table holds the state's row, plus a second, finished copy once main is done: marking main
 * finished is an append, a commit that does not have to read and remove the table's files as an
 * overwrite would.
 *
 * <p>A version number only means something for the table it was read from: the state also keeps the
 * staged table's Delta id, and a state whose staged table was dropped and created again since is
 * stale ({@link #refersTo}).
 *
 * @param stagedVersion the Delta version of the staged input that main read
 * @param mainFinished whether main wrote all its outputs
 * @param stagedTableId the Delta table id of the staged input (NULL in states of earlier versions)
 */
public record RunState(
    Instant runId, long stagedVersion, boolean mainFinished, String stagedTableId) {
  static final StructType SCHEMA =
      StructType.fromDDL(
          "run_id TIMESTAMP, staged_version BIGINT, main_finished BOOLEAN, staged_table_id STRING");

  public static TableName table(Variables vars, String module) {
    // A module's name may hold '-' (page-views); a table name may not.
    return vars.scratch(module.replace('-', '_') + "_run_state");
  }

  public static Optional<RunState> read(DeltaStore store, Variables vars, String module) {
    TableName table = table(vars, module);
    if (!store.exists(table)) {
      return Optional.empty();
    }
    List<Row> rows = store.read(table).collectAsList();
    if (rows.isEmpty()) {
      return Optional.empty();
    }
    Row row = rows.get(0);
    boolean finished = rows.stream().anyMatch(r -> r.<Boolean>getAs("main_finished"));
    String tableId =
        row.schema().getFieldIndex("staged_table_id").isDefined()
            ? row.getAs("staged_table_id")
            : null;
    return Optional.of(
        new RunState(row.getAs("run_id"), row.<Long>getAs("staged_version"), finished, tableId));
  }

  /**
   * Whether this state's pinned version belongs to the current {@code staged} table: false when the
   * table was dropped and created again (or is gone) since main read it.
   */
  public boolean refersTo(DeltaStore store, TableName staged) {
    return stagedTableId == null
        || (store.exists(staged) && stagedTableId.equals(store.tableId(staged)));
  }

  /** Replaces the stored state by this one. */
  public void write(DeltaStore store, Variables vars, String module) {
    store.overwrite(table(vars, module), toDataset(store));
  }

  /** Marks this (stored, unfinished) state's main finished, by appending its finished copy. */
  public RunState markFinished(DeltaStore store, Variables vars, String module) {
    RunState done = finished();
    store.append(table(vars, module), done.toDataset(store));
    return done;
  }

  private Dataset<Row> toDataset(DeltaStore store) {
    Row row = RowFactory.create(runId, stagedVersion, mainFinished, stagedTableId);
    return store.spark().createDataFrame(List.of(row), SCHEMA);
  }

  /** This state with main marked finished. */
  public RunState finished() {
    return new RunState(runId, stagedVersion, true, stagedTableId);
  }

  public static void drop(DeltaStore store, Variables vars, String module) {
    store.drop(table(vars, module));
  }

  /**
   * The run id for a fresh main step of {@code module}: the open run's id, unless this module
   * already logged a row under it (then that run is over for this module and a new one starts).
   */
  public static Instant runIdForNewMain(
      DeltaStore store, Variables vars, String module, Instant now) {
    return RunId.current(store, vars)
        .filter(id -> !Metadata.hasRow(store, vars, id, module))
        .orElseGet(() -> RunId.start(store, vars, now));
  }
}
