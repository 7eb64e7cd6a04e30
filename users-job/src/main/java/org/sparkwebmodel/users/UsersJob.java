package org.sparkwebmodel.users;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.sparkwebmodel.common.cli.WebModelCli;
import org.sparkwebmodel.common.config.Module;
import org.sparkwebmodel.common.config.Variables;
import org.sparkwebmodel.common.delta.DeltaStore;
import org.sparkwebmodel.common.delta.StagedInput;
import org.sparkwebmodel.common.delta.Upsert;
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
 * The users module (reference §5, DECISIONS.md 9–20).
 *
 * <ul>
 *   <li><b>main</b> reads {@code sessions_userid_manifest_staged} at a pinned version; per user the
 *       relevant start is the earlier of its staged start and its {@code users_manifest} start,
 *       {@code lower_limit} the earliest of those; it re-reads every session of those users from
 *       {@code lower_limit} on (no upper bound), computes {@code users_this_run}, replaces their
 *       {@code users} rows from {@code lower_limit} on and logs a metadata row;
 *   <li><b>complete</b> folds each processed user's earliest start into {@code users_manifest},
 *       removes exactly the staged rows main read, drops scratch tables by {@code cleanup_mode} and
 *       ends the run when {@code ends_run};
 *   <li><b>destroy</b> drops {@code users}, {@code users_manifest} and the scratch tables.
 * </ul>
 */
public final class UsersJob extends AbstractModuleJob {
  public UsersJob() {
    this(Clock.systemUTC());
  }

  UsersJob(Clock clock) {
    super(clock);
  }

  /** spark-submit entry point: {@code [--warehouse DIR] FILE.yml [--var KEY=VALUE ...]}. */
  public static void main(String[] args) {
    WebModelCli.main(WebModelCli.playbookArgs(args));
  }

  @Override
  public Module module() {
    return Module.USERS;
  }

  /** The tables of the module for one set of variables. */
  record Tables(
      TableName useridManifestStaged,
      TableName sessions,
      TableName users,
      TableName usersManifest,
      TableName useridsThisRun,
      TableName usersThisRun) {
    static Tables of(Variables vars) {
      return new Tables(
          vars.scratch("sessions_userid_manifest_staged"),
          vars.output("sessions"),
          vars.output("users"),
          vars.output("users_manifest"),
          vars.scratch("users_userids_this_run"),
          vars.scratch("users_this_run"));
    }
  }

  @Override
  protected StepReport main(DeltaStore store, Variables vars, StepLog log) {
    Instant runStart = now();
    Tables tables = Tables.of(vars);
    Optional<RunState> stored = runState(store, vars, log, tables.useridManifestStaged());
    Optional<RunState> retry = stored.filter(state -> !state.mainFinished());
    Optional<RunState> done = stored.filter(RunState::mainFinished);
    if (done.isPresent()) {
      return nothingNew(log, tables.useridManifestStaged(), done.get());
    }

    // Read and check the input before anything is written.
    StagedInput.Pinned staged = readStaged(store, log, tables.useridManifestStaged(), retry);
    store.requireSchema(tables.useridManifestStaged(), Schemas.USERID_MANIFEST);
    store.requireExists(tables.sessions(), "users main reads it; run sessions main first");
    store.requireSchema(tables.sessions(), Schemas.SESSIONS);

    // Set up the tables and the run.
    Metadata.ensureTable(store, vars);
    store.createIfMissing(tables.users(), Schemas.USERS);
    store.createIfMissing(tables.usersManifest(), Schemas.USERID_MANIFEST);
    Instant runId = runId(store, vars, retry, runStart);
    RunState state = takeOn(store, vars, retry, runId, staged);
    Faults.point("users.main.start");

    // users_userids_this_run: the earliest known session start of every staged user (DECISIONS 9).
    Row limits =
        log.phase(
            "compute " + tables.useridsThisRun(),
            () -> {
              Dataset<Row> stagedUsers =
                  staged
                      .rows()
                      .where(col("domain_userid").isNotNull())
                      .groupBy("domain_userid")
                      .agg(min("start_tstamp").as("staged_start"));
              Dataset<Row> manifest =
                  store
                      .read(tables.usersManifest())
                      .withColumnRenamed("start_tstamp", "manifest_start");
              store.overwrite(
                  tables.useridsThisRun(),
                  stagedUsers
                      .join(manifest, new String[] {"domain_userid"}, "left")
                      .select(
                          col("domain_userid"),
                          least(col("staged_start"), col("manifest_start")).as("start_tstamp")));
              return store
                  .read(tables.useridsThisRun())
                  .agg(count(lit(1)), min("start_tstamp"))
                  .first();
            },
            row -> row.getLong(0) + " users, lower_limit " + row.get(1));
    long usersStaged = limits.getLong(0);
    Instant lowerLimit = limits.isNullAt(1) ? null : limits.getAs(1);

    // users_this_run from every session of those users since lower_limit, no upper bound (DECISIONS
    // 10).
    log.phase(
        "compute " + tables.usersThisRun(),
        () -> {
          Dataset<Row> sessions = store.read(tables.sessions());
          if (lowerLimit != null) {
            sessions = sessions.where(col("start_tstamp").geq(lit(lowerLimit)));
          }
          Dataset<Row> users = store.read(tables.useridsThisRun()).select("domain_userid");
          store.overwrite(
              tables.usersThisRun(), AggregateUsers.apply(sessions.join(users, "domain_userid")));
        },
        "written");
    // The data-quality gate (reference §7.2) before users or the metadata are written; the same
    // pass
    // counts the rows and finds the first and last start.
    Row stats =
        gate(
            store,
            vars,
            log,
            QualityGate.USERS,
            tables.usersThisRun(),
            tables.users() + " or the metadata",
            min("start_tstamp"),
            max("start_tstamp"));
    long usersThisRun = stats.getLong(0);

    // Replace the users' rows from lower_limit on (DECISIONS 12).
    long written = 0;
    Faults.point("users.main.upsert.before");
    if (vars.skipDerived()) {
      log.detail(tables.users() + " not updated (skip_derived)");
    } else if (usersThisRun > 0) {
      // As many distinct domain_userids as rows: the keys are unique and not NULL.
      boolean keysChecked = stats.getLong(1) == usersThisRun;
      Optional<Upsert.Window> window =
          Optional.ofNullable(lowerLimit).map(limit -> new Upsert.Window("start_tstamp", limit));
      Upsert.Counts counts =
          log.phase(
              "upsert " + tables.users(),
              () ->
                  Upsert.replace(
                      store,
                      tables.users(),
                      tables.usersThisRun(),
                      List.of("domain_userid"),
                      window,
                      keysChecked),
              c -> c.inserted() + " rows written, " + c.deleted() + " replaced");
      written = counts.inserted();
      log.detail(
          tables.users()
              + ": "
              + counts.inserted()
              + " written, "
              + counts.deleted()
              + " replaced");
    }
    Faults.point("users.main.upsert.after");

    MetadataRow row =
        new MetadataRow(
            runId,
            vars.modelVersion(),
            Metadata.MODEL,
            Module.USERS.value(),
            runStart,
            now(),
            Math.toIntExact(usersThisRun),
            "domain_userid",
            Math.toIntExact(stats.getLong(1)),
            "start_tstamp",
            stats.isNullAt(2) ? null : stats.getAs(2),
            stats.isNullAt(3) ? null : stats.getAs(3),
            null,
            null);
    Faults.point("users.main.metadata.before");
    log.phase(
        "log " + Metadata.table(vars), () -> Metadata.write(store, vars, row), "run " + runId);
    Faults.point("users.main.metadata.after");
    state.markFinished(store, vars, Module.USERS);
    Faults.point("users.main.end");
    return log.finish(usersStaged, written);
  }

  @Override
  protected StepReport complete(DeltaStore store, Variables vars, StepLog log) {
    Tables tables = Tables.of(vars);
    Optional<RunState> pending = pendingMain(store, vars, log, tables.useridManifestStaged());
    long removed = 0;
    if (pending.isPresent()) {
      // users_manifest: the earliest session start ever seen per user, only ever earlier (DECISIONS
      // 13).
      Upsert.Counts manifest =
          log.phase(
              "update " + tables.usersManifest(),
              () ->
                  Faults.around(
                      "users.complete.users_manifest",
                      () ->
                          Upsert.update(
                              store,
                              tables.usersManifest(),
                              tables.useridsThisRun(),
                              List.of("domain_userid"),
                              Map.of("start_tstamp", "least(t.start_tstamp, s.start_tstamp)"),
                              // grouped by the non-NULL domain_userid, joined to unique keys
                              true)),
              c -> c.inserted() + " users added, " + c.updated() + " updated");
      log.detail(
          tables.usersManifest()
              + ": "
              + manifest.inserted()
              + " added, "
              + manifest.updated()
              + " updated");
      long version = pending.get().stagedVersion();
      removed =
          log.phase(
              "remove processed rows from " + tables.useridManifestStaged(),
              () ->
                  Faults.around(
                      "users.complete.remove_staged",
                      () ->
                          StagedInput.removeRead(
                              store, tables.useridManifestStaged(), version, "domain_userid")),
              n -> n + " rows of version " + version + " removed");
      log.detail(tables.useridManifestStaged() + ": " + removed + " processed rows removed");
    } else {
      log.warn("no pending users main step: nothing removed from " + tables.useridManifestStaged());
    }
    RunState.drop(store, vars, Module.USERS);
    Cleanup.apply(
        store,
        vars,
        log,
        "users.complete",
        List.of(tables.useridsThisRun(), tables.usersThisRun()));
    Faults.point("users.complete.end");
    return log.finish(0, removed);
  }

  @Override
  protected List<TableName> destroyedTables(Variables vars) {
    Tables tables = Tables.of(vars);
    return List.of(
        tables.users(), tables.usersManifest(), tables.useridsThisRun(), tables.usersThisRun());
  }
}
