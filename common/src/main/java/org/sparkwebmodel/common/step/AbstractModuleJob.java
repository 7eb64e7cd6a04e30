package org.sparkwebmodel.common.step;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ConcurrentModificationException;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.sparkwebmodel.common.config.Playbook;
import org.sparkwebmodel.common.config.Variables;
import org.sparkwebmodel.common.delta.DeltaStore;
import org.sparkwebmodel.common.delta.StagedInput;
import org.sparkwebmodel.common.error.Messages;
import org.sparkwebmodel.common.error.WebModelException;
import org.sparkwebmodel.common.run.RunId;
import org.sparkwebmodel.common.run.RunState;
import org.sparkwebmodel.common.table.TableName;
import org.sparkwebmodel.common.table.Warehouse;

/**
 * What the module jobs share: dispatching a playbook to its step, the clock, the pinned read of the
 * staged input (the same version again when an unfinished main is retried), the run id of a main
 * step and dropping tables on destroy. Subclasses hold the module's own logic.
 */
public abstract class AbstractModuleJob implements ModuleJob {
  private final Clock clock;

  protected AbstractModuleJob(Clock clock) {
    this.clock = clock;
  }

  @Override
  public final StepReport run(SparkSession spark, Playbook playbook) {
    Faults.configured(); // a misspelt fault point fails here, before anything is written
    Variables vars = playbook.variables();
    DeltaStore store = new DeltaStore(spark, new Warehouse(vars.warehouse()));
    store.requireWritableWarehouse();
    StepLog log = new StepLog(spark, playbook);
    try {
      return switch (playbook.step()) {
        case MAIN -> main(store, vars, log);
        case COMPLETE -> complete(store, vars, log);
        case DESTROY -> destroy(store, vars, log);
      };
    } catch (ConcurrentModificationException e) {
      // Delta's optimistic concurrency: another writer committed first and this commit was not
      // made.
      throw concurrentWrite(playbook, e);
    }
  }

  /**
   * The error for a Delta write conflict: what happened, that nothing partial stays, what to do.
   */
  static WebModelException concurrentWrite(Playbook playbook, ConcurrentModificationException e) {
    return new WebModelException(
        playbook.label()
            + ": a concurrent write to a table of this step won ("
            + e.getClass().getSimpleName()
            + ": "
            + Messages.firstLine(e.getMessage())
            + "); Delta did not commit this write (the step's earlier commits stand, and re-running"
            + " the step converges). Runs must not overlap: start them with `web-model run` or"
            + " `playbook`, which hold the run lock",
        e);
  }

  protected abstract StepReport main(DeltaStore store, Variables vars, StepLog log);

  protected abstract StepReport complete(DeltaStore store, Variables vars, StepLog log);

  /** The tables destroy drops (besides {@code metadata_run_id}). */
  protected abstract List<TableName> destroyedTables(Variables vars);

  /** Now, to the microsecond (Spark's timestamp precision). */
  protected Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  /**
   * This module's run state, unless it is stale: a state pinned to an earlier table at the place of
   * {@code staged} (dropped and created again since) is dropped with a warning, since its version
   * number would name rows of the new table. An unfinished state is a main to retry; a finished one
   * means main is done for this run until complete runs (DECISIONS 15 and 18): a retry of a main
   * killed after its last write, or a main started twice; rows staged since wait for the next run.
   */
  protected Optional<RunState> runState(
      DeltaStore store, Variables vars, StepLog log, TableName staged) {
    Optional<RunState> state = RunState.read(store, vars, module());
    if (state.isPresent() && !state.get().refersTo(store, staged)) {
      log.warn(
          module().value()
              + " run state of run "
              + state.get().runId()
              + " refers to an earlier "
              + staged
              + " (dropped and created again since): discarded, nothing of the new table is"
              + " taken as processed");
      RunState.drop(store, vars, module());
      return Optional.empty();
    }
    return state;
  }

  /**
   * The state a complete step acts on: empty when no main is pending (or its state was stale);
   * fails, naming the run, when main started but did not finish (its outputs may be partial, so
   * nothing may be removed).
   */
  protected Optional<RunState> pendingMain(
      DeltaStore store, Variables vars, StepLog log, TableName staged) {
    Optional<RunState> state = runState(store, vars, log, staged);
    if (state.isPresent() && !state.get().mainFinished()) {
      throw new WebModelException(
          module().value()
              + " main of run "
              + state.get().runId()
              + " did not finish; re-run it before "
              + module().value()
              + " complete (nothing was removed)");
    }
    return state;
  }

  /** The outcome of a main step after a finished one: nothing is written. */
  protected StepReport nothingNew(StepLog log, TableName staged, RunState done) {
    log.warn(
        module().value()
            + " main of run "
            + done.runId()
            + " already finished (it read version "
            + done.stagedVersion()
            + " of "
            + staged
            + "): nothing to do until "
            + module().value()
            + " complete runs; rows staged since wait for the next run");
    return log.finish(0, 0);
  }

  /**
   * The data-quality gate on this run's rows, before anything derived from them is written. On a
   * violation the step fails naming the rule and a sample key, and the run state is dropped: the
   * pinned input is bad, so the next main reads the staged input afresh, after it was corrected.
   */
  protected Row gate(
      DeltaStore store,
      Variables vars,
      StepLog log,
      QualityGate gate,
      TableName thisRun,
      String beforeWhat,
      Column... extras) {
    return log.phase(
        "check " + thisRun,
        () -> {
          try {
            return gate.require(thisRun, store.read(thisRun), beforeWhat, extras);
          } catch (WebModelException e) {
            RunState.drop(store, vars, module());
            throw new WebModelException(
                e.getMessage()
                    + "; the run state was reset, so the next "
                    + module().value()
                    + " main reads the staged input afresh",
                e);
          }
        },
        row -> row.getLong(0) + " rows, data-quality rules hold");
  }

  /** Reads the staged input at its current version, or at the retried main's version. */
  protected StagedInput.Pinned readStaged(
      DeltaStore store, StepLog log, TableName staged, Optional<RunState> retry) {
    return log.phase(
        "read " + staged,
        () ->
            StagedInput.read(
                store,
                staged,
                retry.map(RunState::stagedVersion).orElse(null),
                module().value() + " main"),
        pinned ->
            "version "
                + pinned.version()
                + (retry.isPresent() ? " (re-run of the unfinished main step)" : ""));
  }

  /** The run id of a main step: the retried main's, else the open run's or a new one. */
  protected Instant runId(
      DeltaStore store, Variables vars, Optional<RunState> retry, Instant runStart) {
    return retry
        .map(RunState::runId)
        .orElseGet(() -> RunState.runIdForNewMain(store, vars, module(), runStart));
  }

  /**
   * Stores the run state of a main step before its first output. A retried main's state (same run
   * id, same staged version) is stored already and is not written again.
   */
  protected RunState takeOn(
      DeltaStore store,
      Variables vars,
      Optional<RunState> retry,
      Instant runId,
      StagedInput.Pinned input) {
    RunState state =
        retry.orElseGet(
            () -> new RunState(runId, input.version(), false, store.tableId(input.table())));
    if (retry.isEmpty()) {
      state.write(store, vars, module());
    }
    return state;
  }

  private StepReport destroy(DeltaStore store, Variables vars, StepLog log) {
    List<TableName> all =
        java.util.stream.Stream.concat(
                destroyedTables(vars).stream(),
                java.util.stream.Stream.of(RunState.table(vars, module()), RunId.table(vars)))
            .toList();
    List<TableName> dropped = all.stream().filter(store::drop).toList();
    log.detail("dropped " + dropped);
    return log.finish(0, 0);
  }
}
