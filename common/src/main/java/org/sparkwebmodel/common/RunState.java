package org.sparkwebmodel.common;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;

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
 * @param stagedVersion the Delta version of the staged input that main read
 * @param mainFinished whether main wrote all its outputs
 */
public record RunState(Instant runId, long stagedVersion, boolean mainFinished) {
  static final StructType SCHEMA =
      StructType.fromDDL("run_id TIMESTAMP, staged_version BIGINT, main_finished BOOLEAN");

  public static TableName table(Variables vars, Module module) {
    return vars.scratch(module.value() + "_run_state");
  }

  public static Optional<RunState> read(DeltaStore store, Variables vars, Module module) {
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
    return Optional.of(
        new RunState(row.getAs("run_id"), row.<Long>getAs("staged_version"), finished));
  }

  /** Replaces the stored state by this one. */
  public void write(DeltaStore store, Variables vars, Module module) {
    store.overwrite(table(vars, module), toDataset(store));
  }

  /** Marks this (stored, unfinished) state's main finished, by appending its finished copy. */
  public RunState markFinished(DeltaStore store, Variables vars, Module module) {
    RunState done = finished();
    store.append(table(vars, module), done.toDataset(store));
    return done;
  }

  private Dataset<Row> toDataset(DeltaStore store) {
    Row row = RowFactory.create(runId, stagedVersion, mainFinished);
    return store.spark().createDataFrame(List.of(row), SCHEMA);
  }

  /** This state with main marked finished. */
  public RunState finished() {
    return new RunState(runId, stagedVersion, true);
  }

  /**
   * The state a complete step acts on: empty when no main is pending; fails, naming the run, when
   * main started but did not finish (its outputs may be partial, so nothing may be removed).
   */
  public static Optional<RunState> forComplete(DeltaStore store, Variables vars, Module module) {
    Optional<RunState> state = read(store, vars, module);
    if (state.isPresent() && !state.get().mainFinished()) {
      throw new WebModelException(
          module.value()
              + " main of run "
              + state.get().runId()
              + " did not finish; re-run it before "
              + module.value()
              + " complete (nothing was removed)");
    }
    return state;
  }

  public static void drop(DeltaStore store, Variables vars, Module module) {
    store.drop(table(vars, module));
  }

  /**
   * The run id for a fresh main step of {@code module}: the open run's id, unless this module
   * already logged a row under it (then that run is over for this module and a new one starts).
   */
  public static Instant runIdForNewMain(
      DeltaStore store, Variables vars, Module module, Instant now) {
    return RunId.current(store, vars)
        .filter(id -> !Metadata.hasRow(store, vars, id, module))
        .orElseGet(() -> RunId.start(store, vars, now));
  }
}
