package org.sparkwebmodel.common.step;

import java.time.Instant;
import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.sparkwebmodel.common.config.Playbook;
import org.sparkwebmodel.common.config.Step;
import org.sparkwebmodel.common.config.Variables;
import org.sparkwebmodel.common.delta.CatalogTables;
import org.sparkwebmodel.common.delta.DeltaStore;
import org.sparkwebmodel.common.delta.StagedInput;
import org.sparkwebmodel.common.delta.Upsert;
import org.sparkwebmodel.common.error.Messages;
import org.sparkwebmodel.common.error.WebModelException;
import org.sparkwebmodel.common.run.Metadata;
import org.sparkwebmodel.common.run.MetadataRow;
import org.sparkwebmodel.common.run.RunId;
import org.sparkwebmodel.common.run.RunState;
import org.sparkwebmodel.common.table.ModelTable;
import org.sparkwebmodel.common.table.TableName;

/**
 * The steps of a module, written once for every module (reference §3, DECISIONS 15–20):
 *
 * <ul>
 *   <li><b>main</b>: pin the staged input (the same version again when an unfinished main is
 *       retried), check it, take over the open run id or start one and store the run state, write
 *       {@code *_this_run} (the module's transform), pass the data-quality gate, upsert the derived
 *       table within the module's window, stage for the next module, log the {@code
 *       datamodel_metadata} row, mark the run state finished;
 *   <li><b>complete</b>: refuse while main is unfinished; the module's own writes, then remove
 *       exactly the staged rows main read, drop the run state and the scratch tables by {@code
 *       cleanup_mode}, and end the run when {@code ends_run};
 *   <li><b>destroy</b>: drop every table of the module, its run state and the run id.
 * </ul>
 *
 * <p>Each write lies between fault points named after its phase ({@link #points}), where the crash
 * tests and {@code WEB_MODEL_FAULT} stop a run as a kill would.
 */
final class StepProtocol<Q extends InputQuality, T extends Transformed> {
  private final ModelModule<Q, T> module;

  StepProtocol(ModelModule<Q, T> module) {
    this.module = module;
  }

  /**
   * The fault points a step of {@code module} passes, in order: {@code
   * <module>.<step>.<write>.before|after} around each write, {@code <module>.main.start} once the
   * run is taken on and {@code <module>.<step>.end} after the last write. Destroy has none.
   */
  static List<String> points(ModelModule<?, ?> module, Step step) {
    List<String> writes = new ArrayList<>();
    switch (step) {
      case MAIN -> {
        if (module.derived().isPresent()) {
          writes.add("upsert");
        }
        if (module.stagedForNext().isPresent()) {
          writes.add("stage_next");
        }
        writes.add("metadata");
      }
      case COMPLETE -> {
        module.completeWrites().forEach(write -> writes.add(write.name()));
        if (module.consumesInput()) {
          writes.add("remove_staged");
        }
        writes.add("cleanup");
      }
      case DESTROY -> {
        return List.of();
      }
    }
    String prefix = module.name() + "." + step.value() + ".";
    List<String> points = new ArrayList<>();
    if (step == Step.MAIN) {
      points.add(prefix + "start");
    }
    for (String write : writes) {
      points.add(prefix + write + ".before");
      points.add(prefix + write + ".after");
    }
    points.add(prefix + "end");
    return List.copyOf(points);
  }

  StepReport run(SparkSession spark, Playbook playbook) {
    Faults.configured(); // a misspelt fault point fails here, before anything is written
    Variables vars = playbook.variables();
    DeltaStore store = new DeltaStore(spark, vars.locations());
    store.requireWritableWarehouse();
    StepContext step = new StepContext(store, vars, new StepLog(spark, playbook));
    Codegen.bookkeeping(spark);
    try {
      if (vars.registerTables() && playbook.step() != Step.DESTROY) {
        new CatalogTables(store).requireRegistrable(registered(step));
      }
      return switch (playbook.step()) {
        case MAIN -> main(step);
        case COMPLETE -> complete(step);
        case DESTROY -> destroy(step);
      };
    } catch (ConcurrentModificationException e) {
      // Delta's optimistic concurrency: another writer committed first and this commit was not
      // made.
      throw concurrentWrite(playbook, e);
    } finally {
      Codegen.configured(spark);
    }
  }

  /**
   * The tables {@code catalog: session} registers by name: those the module keeps (its derived
   * table, manifests, the table it stages) and the metadata table; not the scratch tables, which
   * complete drops.
   */
  private List<TableName> registered(StepContext step) {
    List<TableName> tables = new ArrayList<>(module.permanent().stream().map(step::name).toList());
    tables.add(Metadata.table(step.vars()));
    return List.copyOf(tables);
  }

  /**
   * With {@code catalog: session}, the last phase of a main or complete step: registers the step's
   * tables that exist and are not registered yet.
   */
  private void register(StepContext step) {
    if (step.vars().registerTables()) {
      CatalogTables catalog = new CatalogTables(step.store());
      step.log()
          .phase(
              "register in the session catalog",
              () -> catalog.register(registered(step)),
              added -> added.isEmpty() ? "nothing new" : added.toString());
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

  private String point(String name) {
    return module.name() + "." + name;
  }

  private StepReport main(StepContext step) {
    DeltaStore store = step.store();
    Variables vars = step.vars();
    StepLog log = step.log();
    Instant runStart = module.now();
    TableName staged = step.name(module.input());
    Optional<TableName> derived = module.derived().map(step::name);
    TableName thisRun = step.name(module.thisRun());
    // An unfinished main of this module is retried on the same input under the same run.
    Optional<RunState> stored = runState(step, staged);
    Optional<RunState> retry = stored.filter(state -> !state.mainFinished());
    Optional<RunState> done = stored.filter(RunState::mainFinished);
    if (done.isPresent()) {
      return nothingNew(log, staged, done.get());
    }

    // Read and check the input before anything is written.
    if (!module.consumesInput()) {
      store.requireExists(
          staged,
          module.name()
              + " main reads it: point the events variable at a Delta table in the Snowplow Lake"
              + " Loader layout, or load events with `web-model load "
              + staged
              + " FILE.tsv`");
    }
    StagedInput.Pinned input = readStaged(step, staged, retry);
    if (module.consumesInput()) {
      step.sizeBatch(input.rows().count());
    }
    Q quality = module.checkInput(step, input, runStart);

    // Set up the tables and the run.
    Metadata.ensureTable(store, vars);
    for (ModelTable table : module.permanent()) {
      store.createIfMissing(step.name(table), table.schema());
    }
    Instant runId =
        retry
            .map(RunState::runId)
            .orElseGet(() -> RunState.runIdForNewMain(store, vars, module.name(), runStart));
    RunState state = takeOn(step, retry, runId, input);
    Faults.point(point("main.start"));

    // *_this_run, then the data-quality gate (reference §7) before anything derived from the batch
    // is written; the gate's pass also counts the rows and finds the first and last time key.
    T transformed = module.transform(step, input, quality);
    BatchStats batch = gate(step, thisRun);
    module.afterGate(step, input, quality, batch);

    // Replace the batch's rows of the derived table within the window (DECISIONS 7 and 12).
    // A module without one (base) writes its batch only to the table it stages.
    long written =
        derived.isPresent()
            ? upsert(step, derived.get(), thisRun, transformed, batch)
            : batch.rows();

    // Stage the batch for the next module.
    Optional<ModelTable> next = module.stagedForNext();
    if (next.isPresent()) {
      Faults.point(point("main.stage_next.before"));
      if (vars.stageNext()) {
        String outcome =
            log.phase("stage " + step.name(next.get()), () -> module.stageNext(step), o -> o);
        log.detail(outcome);
      }
      Faults.point(point("main.stage_next.after"));
    }

    // One metadata row per run and module.
    MetadataRow row =
        new MetadataRow(
            runId,
            vars.modelVersion(),
            Metadata.MODEL,
            module.name(),
            runStart,
            module.now(),
            Math.toIntExact(batch.rows()),
            module.thisRun().key(),
            Math.toIntExact(batch.distinctKeys()),
            module.timeKey(),
            batch.minTime(),
            batch.maxTime(),
            Optional.ofNullable(transformed.duplicateRowsRemoved())
                .orElse(quality.duplicateRowsRemoved()),
            Optional.ofNullable(transformed.distinctKeysRemoved())
                .orElse(quality.distinctKeysRemoved()));
    Faults.point(point("main.metadata.before"));
    log.phase(
        "log " + Metadata.table(vars), () -> Metadata.write(store, vars, row), "run " + runId);
    Faults.point(point("main.metadata.after"));
    state.markFinished(store, vars, module.name());
    Faults.point(point("main.end"));
    register(step);
    return log.finish(transformed.rowsRead(), written);
  }

  /**
   * Replaces the batch's rows of {@code derived} within the module's window, between the fault
   * points {@code main.upsert.before|after}; returns the rows written.
   */
  private long upsert(
      StepContext step, TableName derived, TableName thisRun, T transformed, BatchStats batch) {
    Variables vars = step.vars();
    StepLog log = step.log();
    long written = 0;
    Faults.point(point("main.upsert.before"));
    if (vars.skipDerived()) {
      log.detail(derived + " not updated (skip_derived)");
    } else if (batch.rows() > 0) {
      Optional<Upsert.Window> window =
          module
              .upsertFrom(vars, transformed, batch)
              .map(from -> new Upsert.Window(module.timeKey(), from));
      Upsert.Counts counts =
          log.phase(
              "upsert " + derived,
              () ->
                  Upsert.replace(
                      step.store(),
                      derived,
                      thisRun,
                      List.of(module.thisRun().key()),
                      window,
                      batch.keysUnique()),
              c ->
                  c.inserted()
                      + " rows written, "
                      + c.deleted()
                      + " replaced"
                      + window
                          .map(w -> " (rows with " + w.column() + " >= " + w.lowerLimit() + ")")
                          .orElse(""));
      written = counts.inserted();
      log.detail(
          derived + ": " + counts.inserted() + " written, " + counts.deleted() + " replaced");
    }
    Faults.point(point("main.upsert.after"));
    return written;
  }

  private StepReport complete(StepContext step) {
    DeltaStore store = step.store();
    Variables vars = step.vars();
    StepLog log = step.log();
    TableName staged = step.name(module.input());
    Optional<RunState> pending = pendingMain(step, staged);
    long removed = 0;
    if (pending.isPresent()) {
      for (ModelModule.CompleteWrite write : module.completeWrites()) {
        String outcome =
            log.phase(
                write.phase(),
                () ->
                    Faults.around(
                        point("complete." + write.name()), () -> write.write().apply(step)),
                o -> o);
        log.detail(outcome);
      }
      if (module.consumesInput()) {
        long version = pending.get().stagedVersion();
        removed =
            log.phase(
                "remove processed rows from " + staged,
                () ->
                    Faults.around(
                        point("complete.remove_staged"),
                        () -> StagedInput.removeRead(store, staged, version, module.input().key())),
                n -> n + " rows of version " + version + " removed");
        log.detail(staged + ": " + removed + " processed rows removed");
      }
    } else {
      log.warn(
          "no pending "
              + module.name()
              + " main step: nothing "
              + (module.consumesInput() ? "removed from " + staged : "to complete"));
    }
    RunState.drop(store, vars, module.name());
    cleanup(step);
    Faults.point(point("complete.end"));
    register(step);
    return log.finish(0, removed);
  }

  /**
   * The end of a complete step (reference §3.4, DECISIONS 16): drops the module's scratch tables by
   * {@code cleanup_mode}, then the run id when {@code ends_run}. Derived tables, manifests and
   * staged tables are never dropped here.
   */
  private void cleanup(StepContext step) {
    Variables vars = step.vars();
    Faults.point(point("complete.cleanup.before"));
    List<TableName> dropped =
        module.scratch().stream()
            .map(step::name)
            .filter(vars.cleanupMode()::drops)
            .filter(step.store()::drop)
            .toList();
    Faults.point(point("complete.cleanup.after"));
    step.log().detail("cleanup_mode " + vars.cleanupMode().value() + ": dropped " + dropped);
    if (vars.endsRun()) {
      RunId.end(step.store(), vars);
      step.log().detail("run ended (" + RunId.table(vars) + " dropped)");
    }
  }

  private StepReport destroy(StepContext step) {
    Variables vars = step.vars();
    List<TableName> all =
        Stream.concat(
                module.tables().stream().map(step::name),
                Stream.of(RunState.table(vars, module.name()), RunId.table(vars)))
            .toList();
    if (vars.registerTables()) {
      List<TableName> gone = new CatalogTables(step.store()).unregister(all);
      if (!gone.isEmpty()) {
        step.log().detail("unregistered from the session catalog: " + gone);
      }
    }
    List<TableName> dropped = all.stream().filter(step.store()::drop).toList();
    step.log().detail("dropped " + dropped);
    return step.log().finish(0, 0);
  }

  /**
   * This module's run state, unless it is stale: a state pinned to an earlier table at the place of
   * {@code staged} (dropped and created again since) is dropped with a warning, since its version
   * number would name rows of the new table. An unfinished state is a main to retry; a finished one
   * means main is done for this run until complete runs (DECISIONS 15 and 18): a retry of a main
   * killed after its last write, or a main started twice; rows staged since wait for the next run.
   */
  private Optional<RunState> runState(StepContext step, TableName staged) {
    Optional<RunState> state = RunState.read(step.store(), step.vars(), module.name());
    if (state.isPresent() && !state.get().refersTo(step.store(), staged)) {
      step.log()
          .warn(
              module.name()
                  + " run state of run "
                  + state.get().runId()
                  + " refers to an earlier "
                  + staged
                  + " (dropped and created again since): discarded, nothing of the new table is"
                  + " taken as processed");
      RunState.drop(step.store(), step.vars(), module.name());
      return Optional.empty();
    }
    return state;
  }

  /**
   * The state a complete step acts on: empty when no main is pending (or its state was stale);
   * fails, naming the run, when main started but did not finish (its outputs may be partial, so
   * nothing may be removed).
   */
  private Optional<RunState> pendingMain(StepContext step, TableName staged) {
    Optional<RunState> state = runState(step, staged);
    if (state.isPresent() && !state.get().mainFinished()) {
      throw new WebModelException(
          module.name()
              + " main of run "
              + state.get().runId()
              + " did not finish; re-run it before "
              + module.name()
              + " complete (nothing was removed)");
    }
    return state;
  }

  /** The outcome of a main step after a finished one: nothing is written. */
  private StepReport nothingNew(StepLog log, TableName staged, RunState done) {
    log.warn(
        module.name()
            + " main of run "
            + done.runId()
            + " already finished (it read version "
            + done.stagedVersion()
            + " of "
            + staged
            + "): nothing to do until "
            + module.name()
            + " complete runs; rows staged since wait for the next run");
    return log.finish(0, 0);
  }

  /**
   * The data-quality gate on this run's rows, before anything derived from them is written. On a
   * violation the step fails naming the rule and a sample key, and the run state is dropped: the
   * pinned input is bad, so the next main reads the staged input afresh, after it was corrected.
   */
  private BatchStats gate(StepContext step, TableName thisRun) {
    String beforeWhat =
        Stream.concat(
                    module.derived().map(step::name).stream(),
                    module.stagedForNext().map(step::name).stream())
                .map(TableName::toString)
                .reduce((a, b) -> a + ", " + b)
                .orElseThrow()
            + " or the metadata";
    return step.log()
        .phase(
            "check " + thisRun,
            () -> {
              try {
                return QualityGate.of(module.thisRun())
                    .require(thisRun, step.store().read(thisRun), beforeWhat, module.timeKey());
              } catch (WebModelException e) {
                RunState.drop(step.store(), step.vars(), module.name());
                throw new WebModelException(
                    e.getMessage()
                        + "; the run state was reset, so the next "
                        + module.name()
                        + " main reads the staged input afresh",
                    e);
              }
            },
            stats -> stats.rows() + " rows, data-quality rules hold");
  }

  /** Reads the staged input at its current version, or at the retried main's version. */
  private StagedInput.Pinned readStaged(
      StepContext step, TableName staged, Optional<RunState> retry) {
    return step.log()
        .phase(
            "read " + staged,
            () ->
                StagedInput.read(
                    step.store(),
                    staged,
                    retry.map(RunState::stagedVersion).orElse(null),
                    module.name() + " main"),
            pinned ->
                "version "
                    + pinned.version()
                    + (retry.isPresent() ? " (re-run of the unfinished main step)" : ""));
  }

  /**
   * Stores the run state of a main step before its first output. A retried main's state (same run
   * id, same staged version) is stored already and is not written again.
   */
  private RunState takeOn(
      StepContext step, Optional<RunState> retry, Instant runId, StagedInput.Pinned input) {
    RunState state =
        retry.orElseGet(
            () -> new RunState(runId, input.version(), false, step.store().tableId(input.table())));
    if (retry.isEmpty()) {
      state.write(step.store(), step.vars(), module.name());
    }
    return state;
  }
}
