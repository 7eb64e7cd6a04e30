package org.sparkwebmodel.sessions;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.sparkwebmodel.common.cli.WebModelCli;
import org.sparkwebmodel.common.config.Module;
import org.sparkwebmodel.common.config.Variables;
import org.sparkwebmodel.common.delta.DeltaStore;
import org.sparkwebmodel.common.delta.StagedInput;
import org.sparkwebmodel.common.delta.Upsert;
import org.sparkwebmodel.common.error.WebModelException;
import org.sparkwebmodel.common.run.Metadata;
import org.sparkwebmodel.common.run.MetadataRow;
import org.sparkwebmodel.common.run.RunState;
import org.sparkwebmodel.common.step.AbstractModuleJob;
import org.sparkwebmodel.common.step.Cleanup;
import org.sparkwebmodel.common.step.Faults;
import org.sparkwebmodel.common.step.QualityGate;
import org.sparkwebmodel.common.step.StepLog;
import org.sparkwebmodel.common.step.StepReport;
import org.sparkwebmodel.common.table.Schemas;
import org.sparkwebmodel.common.table.TableName;

/**
 * The sessions module (reference §4, DECISIONS.md 1–8 and 15–20).
 *
 * <ul>
 *   <li><b>main</b> reads {@code page_views_staged} at a pinned version, computes {@code
 *       sessions_this_run}, upserts {@code sessions} within the lookback window, stages each user's
 *       earliest session start in {@code sessions_userid_manifest_staged} and logs a {@code
 *       datamodel_metadata} row;
 *   <li><b>complete</b> removes from {@code page_views_staged} exactly the rows main read, drops
 *       scratch tables by {@code cleanup_mode} and ends the run when {@code ends_run};
 *   <li><b>destroy</b> drops the module's derived, manifest and scratch tables.
 * </ul>
 */
public final class SessionsJob extends AbstractModuleJob {
  public SessionsJob() {
    this(Clock.systemUTC());
  }

  /** A job whose run ids and run timestamps come from {@code clock} (tests). */
  public SessionsJob(Clock clock) {
    super(clock);
  }

  /** spark-submit entry point: {@code [--warehouse DIR] FILE.yml [--var KEY=VALUE ...]}. */
  public static void main(String[] args) {
    WebModelCli.main(WebModelCli.playbookArgs(args));
  }

  @Override
  public Module module() {
    return Module.SESSIONS;
  }

  /** The tables of the module for one set of variables. */
  record Tables(
      TableName pageViewsStaged,
      TableName sessions,
      TableName useridManifestStaged,
      TableName sessionsThisRun,
      TableName useridManifestThisRun) {
    static Tables of(Variables vars) {
      return new Tables(
          vars.scratch("page_views_staged"),
          vars.output("sessions"),
          vars.scratch("sessions_userid_manifest_staged"),
          vars.scratch("sessions_this_run"),
          vars.scratch("sessions_userid_manifest_this_run"));
    }
  }

  @Override
  protected StepReport main(DeltaStore store, Variables vars, StepLog log) {
    Instant runStart = now();
    Tables tables = Tables.of(vars);
    // An unfinished main of this module is retried on the same input under the same run.
    Optional<RunState> stored = runState(store, vars, log, tables.pageViewsStaged());
    Optional<RunState> retry = stored.filter(state -> !state.mainFinished());
    Optional<RunState> done = stored.filter(RunState::mainFinished);
    if (done.isPresent()) {
      return nothingNew(log, tables.pageViewsStaged(), done.get());
    }

    // Read and check the input before anything is written.
    StagedInput.Pinned input = readStaged(store, log, tables.pageViewsStaged(), retry);
    SessionColumns.requireColumns(input.rows().schema(), tables.pageViewsStaged());
    Row quality =
        log.phase(
            "check input",
            () -> Sessionize.inputQuality(input.rows()).first(),
            row ->
                row.getLong(0)
                    + " page views, "
                    + row.getLong(1)
                    + " without domain_sessionid or page_view_id, "
                    + row.getLong(2)
                    + " duplicate rows of "
                    + row.getLong(3)
                    + " page_view_ids");
    long rowsRead = quality.getLong(0);
    requireTimestampsInRange(input, quality, runStart);
    if (quality.getLong(1) > 0) {
      log.warn(
          quality.getLong(1)
              + " page views with a NULL domain_sessionid or page_view_id were not sessionized");
    }
    if (quality.getLong(2) > 0) {
      log.warn(
          quality.getLong(2)
              + " duplicate page views removed ("
              + quality.getLong(3)
              + " page_view_ids)");
    }

    // Set up the tables and the run.
    Metadata.ensureTable(store, vars);
    store.createIfMissing(tables.sessions(), Schemas.SESSIONS);
    store.createIfMissing(tables.useridManifestStaged(), Schemas.USERID_MANIFEST);
    Instant runId = runId(store, vars, retry, runStart);
    RunState state = takeOn(store, vars, retry, runId, input);
    Faults.point("sessions.main.start");

    // sessions_this_run
    log.phase(
        "compute " + tables.sessionsThisRun(),
        () ->
            store.overwrite(
                tables.sessionsThisRun(), Sessionize.apply(input.rows(), quality.getLong(2) > 0)),
        "written");
    // The data-quality gate (reference §7.1) before anything derived from the batch is written; its
    // pass over sessions_this_run also counts the rows and finds the batch's first and last start.
    Row stats =
        gate(
            store,
            vars,
            log,
            QualityGate.SESSIONS,
            tables.sessionsThisRun(),
            tables.sessions() + ", " + tables.useridManifestStaged() + " or the metadata",
            min("start_tstamp"),
            max("start_tstamp"));
    long sessionsThisRun = stats.getLong(0);
    if (quality.getLong(2) > 0) {
      // A page_view_id staged under two sessions stays with the earlier copy (DECISIONS 3); a
      // session left with no page view of its own disappears, so say so.
      long sessionsInInput = Sessionize.sessionsInInput(input.rows()).first().getLong(0);
      if (sessionsInInput > sessionsThisRun) {
        log.warn(
            (sessionsInInput - sessionsThisRun)
                + " sessions had only page views whose page_view_id is kept under another"
                + " session and were not written");
      }
    }
    Dataset<Row> thisRun = store.read(tables.sessionsThisRun());
    Instant minStart = stats.isNullAt(2) ? null : stats.getAs(2);

    // Replace the batch's sessions within the lookback window (DECISIONS 7).
    long written = 0;
    Faults.point("sessions.main.upsert.before");
    if (vars.skipDerived()) {
      log.detail(tables.sessions() + " not updated (skip_derived)");
    } else if (sessionsThisRun > 0) {
      // A batch whose sessions all lack a start has no window: its keys are matched everywhere.
      // As many distinct domain_sessionids as rows: the keys are unique and not NULL.
      boolean keysChecked = stats.getLong(1) == sessionsThisRun;
      Optional<Upsert.Window> window =
          Optional.ofNullable(minStart)
              .map(
                  start ->
                      new Upsert.Window(
                          "start_tstamp", start.minus(Duration.ofDays(vars.upsertLookbackDays()))));
      Upsert.Counts counts =
          log.phase(
              "upsert " + tables.sessions(),
              () ->
                  Upsert.replace(
                      store,
                      tables.sessions(),
                      tables.sessionsThisRun(),
                      List.of("domain_sessionid"),
                      window,
                      keysChecked),
              c ->
                  c.inserted()
                      + " rows written, "
                      + c.deleted()
                      + " replaced"
                      + window
                          .map(w -> " (rows with start_tstamp >= " + w.lowerLimit() + ")")
                          .orElse(""));
      written = counts.inserted();
      log.detail(
          tables.sessions()
              + ": "
              + counts.inserted()
              + " written, "
              + counts.deleted()
              + " replaced");
    }
    Faults.point("sessions.main.upsert.after");

    // Stage each user's earliest session start of this batch for the users module.
    Faults.point("sessions.main.stage_next.before");
    if (vars.stageNext()) {
      Upsert.Counts staged =
          log.phase(
              "stage " + tables.useridManifestStaged(),
              () -> {
                store.overwrite(
                    tables.useridManifestThisRun(),
                    thisRun
                        .where(col("domain_userid").isNotNull())
                        .groupBy("domain_userid")
                        .agg(min("start_tstamp").as("start_tstamp")));
                return Upsert.update(
                    store,
                    tables.useridManifestStaged(),
                    tables.useridManifestThisRun(),
                    List.of("domain_userid"),
                    Map.of("start_tstamp", "least(t.start_tstamp, s.start_tstamp)"),
                    // grouped by the non-NULL domain_userid
                    true);
              },
              c ->
                  c.inserted()
                      + " users added, "
                      + c.updated()
                      + " already staged (earlier start kept)");
      log.detail(
          tables.useridManifestStaged() + ": " + (staged.inserted() + staged.updated()) + " users");
    }
    Faults.point("sessions.main.stage_next.after");

    // One metadata row per run and module.
    MetadataRow row =
        new MetadataRow(
            runId,
            vars.modelVersion(),
            Metadata.MODEL,
            Module.SESSIONS.value(),
            runStart,
            now(),
            Math.toIntExact(sessionsThisRun),
            "domain_sessionid",
            Math.toIntExact(stats.getLong(1)),
            "start_tstamp",
            minStart,
            stats.isNullAt(3) ? null : stats.getAs(3),
            Math.toIntExact(quality.getLong(2)),
            Math.toIntExact(quality.getLong(3)));
    Faults.point("sessions.main.metadata.before");
    log.phase(
        "log " + Metadata.table(vars), () -> Metadata.write(store, vars, row), "run " + runId);
    Faults.point("sessions.main.metadata.after");
    state.markFinished(store, vars, Module.SESSIONS);
    Faults.point("sessions.main.end");
    return log.finish(rowsRead, written);
  }

  /**
   * Fails, before anything is written, when a page view starts or ends before 1970 or more than a
   * day after this run's start: a broken clock upstream, whose sessions would stay in the tables
   * with impossible times.
   */
  private static void requireTimestampsInRange(
      StagedInput.Pinned input, Row quality, Instant runStart) {
    Instant ceiling = runStart.plus(Duration.ofDays(1));
    Instant earliest = quality.isNullAt(4) ? null : quality.getAs(4);
    Instant latest = quality.isNullAt(5) ? null : quality.getAs(5);
    boolean early = earliest != null && earliest.isBefore(Instant.EPOCH);
    boolean late = latest != null && latest.isAfter(ceiling);
    if (!early && !late) {
      return;
    }
    Column outside =
        col("start_tstamp")
            .lt(lit(Instant.EPOCH))
            .or(col("end_tstamp").lt(lit(Instant.EPOCH)))
            .or(col("start_tstamp").gt(lit(ceiling)))
            .or(col("end_tstamp").gt(lit(ceiling)));
    Dataset<Row> bad =
        input
            .rows()
            .where(col("domain_sessionid").isNotNull().and(col("page_view_id").isNotNull()))
            .where(outside);
    Row sample = bad.select("page_view_id", "start_tstamp", "end_tstamp").first();
    throw new WebModelException(
        input.table()
            + " has "
            + bad.count()
            + " page views with a start_tstamp or end_tstamp before 1970-01-01 or after "
            + ceiling
            + " (a day after this run started), e.g. page_view_id="
            + sample.get(0)
            + " start_tstamp="
            + sample.get(1)
            + " end_tstamp="
            + sample.get(2)
            + "; nothing was written: correct or remove them in "
            + input.table()
            + ", then run again");
  }

  @Override
  protected StepReport complete(DeltaStore store, Variables vars, StepLog log) {
    Tables tables = Tables.of(vars);
    Optional<RunState> pending = pendingMain(store, vars, log, tables.pageViewsStaged());
    long removed = 0;
    if (pending.isPresent()) {
      long version = pending.get().stagedVersion();
      removed =
          log.phase(
              "remove processed rows from " + tables.pageViewsStaged(),
              () ->
                  Faults.around(
                      "sessions.complete.remove_staged",
                      () ->
                          StagedInput.removeRead(
                              store, tables.pageViewsStaged(), version, "page_view_id")),
              n -> n + " rows of version " + version + " removed");
      log.detail(tables.pageViewsStaged() + ": " + removed + " processed rows removed");
    } else {
      log.warn("no pending sessions main step: nothing removed from " + tables.pageViewsStaged());
    }
    RunState.drop(store, vars, Module.SESSIONS);
    Cleanup.apply(
        store,
        vars,
        log,
        "sessions.complete",
        List.of(tables.sessionsThisRun(), tables.useridManifestThisRun()));
    Faults.point("sessions.complete.end");
    return log.finish(0, removed);
  }

  @Override
  protected List<TableName> destroyedTables(Variables vars) {
    Tables tables = Tables.of(vars);
    return List.of(
        tables.sessions(),
        tables.useridManifestStaged(),
        tables.sessionsThisRun(),
        tables.useridManifestThisRun());
  }
}
