package org.sparkwebmodel.users;

import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.sort_array;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.tuple;
import static org.sparkwebmodel.common.cli.RunOutcome.Status.FAILED;
import static org.sparkwebmodel.common.cli.RunOutcome.Status.NOT_RUN;
import static org.sparkwebmodel.common.cli.RunOutcome.Status.OK;
import static org.sparkwebmodel.common.cli.RunOutcome.Status.SKIPPED;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkwebmodel.common.cli.RunExecutor;
import org.sparkwebmodel.common.cli.RunOutcome;
import org.sparkwebmodel.common.cli.RunOutcome.StepOutcome;
import org.sparkwebmodel.common.cli.WebModelCli;
import org.sparkwebmodel.common.config.PlaybookLoader;
import org.sparkwebmodel.common.config.RunFile;
import org.sparkwebmodel.common.config.Variables;
import org.sparkwebmodel.common.delta.DeltaStore;
import org.sparkwebmodel.common.error.WebModelException;
import org.sparkwebmodel.common.run.RunLock;
import org.sparkwebmodel.common.step.Faults;
import org.sparkwebmodel.common.table.Schemas;
import org.sparkwebmodel.common.table.TableName;
import org.sparkwebmodel.common.table.Warehouse;
import org.sparkwebmodel.common.testing.SharedSpark;
import org.sparkwebmodel.common.testing.SparkLines;
import org.sparkwebmodel.common.testing.TestRows;

/**
 * {@code web-model run} with the shipped run files: order (custom step included), dependencies,
 * summary, the run lock, destroy; and the outcomes {@link RunExecutor} returns for the summary.
 */
@Tag(SparkLines.BOTH)
class ITRunCommand {
  static final TableName STAGED = new TableName("scratch", "page_views_staged_run");

  @TempDir Path dir;
  DeltaStore store;

  record Result(int status, String out, String err) {}

  @BeforeEach
  void setUp() {
    store = new DeltaStore(SharedSpark.session(), new Warehouse(dir.toString()));
    store.createIfMissing(STAGED, Schemas.PAGE_VIEWS);
    store.append(
        STAGED,
        TestRows.dataset(
            Schemas.PAGE_VIEWS,
            List.of(
                ITUsersJob.pv("s1", "u1", "2021-03-01T10:00:00Z", "2021-03-01T10:00:10Z"),
                ITUsersJob.pv("s2", "u1", "2021-03-02T10:00:00Z", "2021-03-02T10:00:10Z"))));
  }

  Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] all = new String[args.length + 2];
    all[0] = "--warehouse";
    all[1] = dir.toString();
    System.arraycopy(args, 0, all, 2, args.length);
    int status = WebModelCli.execute(new PrintWriter(out, true), new PrintWriter(err, true), all);
    return new Result(status, out.toString(), err.toString());
  }

  @Test
  void twoFullRunsInOrderWithSummaryThenDestroyTearsTheModelDown() {
    Result result = run("run", "../configs/run-sessions-users.yml", "--var", "entropy=_run");
    assertThat(result.status()).as(result.err()).isZero();
    String summary =
        result.out().substring(result.out().indexOf("Run ../configs/run-sessions-users.yml:"));
    assertThat(
            summary
                .lines()
                .skip(1)
                .limit(5)
                .map(l -> l.trim().split("\\s+")[0] + " " + l.trim().split("\\s+")[1]))
        .containsExactly(
            "sessions main",
            "users main",
            "custom session-depth-main",
            "sessions complete",
            "users complete");
    assertThat(summary)
        .contains("derived.sessions_run                                     2")
        .contains("derived.users_run                                        1")
        .contains("scratch.page_views_staged_run                            0");
    // the last complete step ended the run
    assertThat(store.exists(new TableName("scratch", "metadata_run_id_run"))).isFalse();

    // A second run: u1 comes back, u2 is new.
    store.append(
        STAGED,
        TestRows.dataset(
            Schemas.PAGE_VIEWS,
            List.of(
                ITUsersJob.pv("s3", "u1", "2021-03-04T10:00:00Z", "2021-03-04T10:00:10Z"),
                ITUsersJob.pv("s4", "u2", "2021-03-04T11:00:00Z", "2021-03-04T11:00:10Z"))));
    Result second = run("run", "../configs/run-sessions-users.yml", "--var", "entropy=_run");
    assertThat(second.status()).as(second.err()).isZero();
    assertThat(
            TestRows.sorted(
                store
                    .read(new TableName("derived", "users_run"))
                    .select("domain_userid", "sessions", "page_views", "engaged_time_in_s"),
                "domain_userid"))
        .containsExactly(RowFactory.create("u1", 3, 3, 30), RowFactory.create("u2", 1, 1, 10));
    assertThat(
            TestRows.sorted(
                store
                    .read(new TableName("derived", "users_manifest_run"))
                    .select("domain_userid", "start_tstamp"),
                "domain_userid"))
        .containsExactly(
            RowFactory.create("u1", Instant.parse("2021-03-01T10:00:00Z")),
            RowFactory.create("u2", Instant.parse("2021-03-04T11:00:00Z")));
    // the example custom step ran between sessions main and complete in both runs: one row per
    // session, joining to sessions
    assertThat(
            TestRows.sorted(
                store
                    .read(new TableName("derived", "session_depth_run"))
                    .join(
                        store.read(new TableName("derived", "sessions_run")),
                        new String[] {
                          "domain_sessionid", "domain_userid", "start_tstamp", "page_views"
                        })
                    .select("domain_sessionid", "domain_userid", "page_views", "depth_bucket"),
                "domain_sessionid"))
        .containsExactly(
            RowFactory.create("s1", "u1", 1, "1"),
            RowFactory.create("s2", "u1", 1, "1"),
            RowFactory.create("s3", "u1", 1, "1"),
            RowFactory.create("s4", "u2", 1, "1"));
    // one metadata row per module per run; the modules of a run share its id
    Dataset<Row> metadata = store.read(new TableName("derived", "datamodel_metadata_run"));
    assertThat(
            TestRows.sorted(
                    metadata
                        .groupBy("run_id")
                        .agg(concat_ws(",", sort_array(collect_list("module")))),
                    "run_id")
                .stream()
                .map(r -> r.getString(1))
                .toList())
        .containsExactly("sessions,users", "sessions,users");

    Result destroy = run("run", "../configs/destroy-sessions-users.yml", "--var", "entropy=_run");
    assertThat(destroy.status()).as(destroy.err()).isZero();
    for (String table :
        List.of("sessions_run", "users_run", "users_manifest_run", "session_depth_run")) {
      assertThat(store.exists(new TableName("derived", table))).as(table).isFalse();
    }
    assertThat(store.exists(STAGED)).isTrue();
  }

  @Test
  void aFailedStepSkipsItsDependentsAndKeepsTheStagedInput() {
    // A users table with the wrong columns makes users main fail.
    store.createIfMissing(new TableName("derived", "users_run"), StructType.fromDDL("x INT"));
    Result result = run("run", "../configs/run-sessions-users.yml", "--var", "entropy=_run");
    assertThat(result.status()).isEqualTo(1);
    assertThat(result.err())
        .contains(
            "web-model: step 'users-main' failed: table derived.users_run column 1 is x INT, expected user_id STRING")
        .endsWith(
            "web-model: error: run step 'users-main' failed: table derived.users_run column 1 is x INT, expected user_id STRING;"
                + " skipped: [sessions-complete, users-complete]"
                + System.lineSeparator());
    assertThat(result.out())
        .contains(
            String.format("%-26s skipped: [users-main] did not succeed", "sessions complete"));
    // sessions complete did not run, so the page views are still staged
    assertThat(store.read(STAGED).count()).isEqualTo(2);
    assertThat(store.read(new TableName("derived", "sessions_run")).count()).isEqualTo(2);

    // The failed run keeps the lock: the next run is refused until a person unlocks.
    String where = "warehouse " + store.warehouse().root() + ", entropy '_run'";
    Result refused = run("run", "../configs/run-sessions-users.yml", "--var", "entropy=_run");
    assertThat(refused.status()).isEqualTo(1);
    assertThat(refused.err())
        .isEqualTo(
            "web-model: error: refused: a previous run on "
                + where
                + " failed at step 'users-main' (table derived.users_run column 1 is x INT,"
                + " expected user_id STRING); its lock stays until you check the tables and run"
                + " `web-model unlock`"
                + System.lineSeparator());
    assertThat(store.read(STAGED).count()).isEqualTo(2);
    Result unlock = run("unlock", "--var", "entropy=_run");
    assertThat(unlock.status()).as(unlock.err()).isZero();
    assertThat(unlock.out())
        .startsWith(
            "removed the run lock on " + where + ": taken by " + runCommand("_run") + " on ")
        .endsWith(
            "failed at step 'users-main': table derived.users_run column 1 is x INT, expected"
                + " user_id STRING; to finish that run: web-model "
                + runCommand("_run")
                + " --from users-main"
                + System.lineSeparator());
    // unlocked, a step runs again (and releases the lock when it succeeds)
    Result destroy =
        run("playbook", "../configs/users/XX-destroy-users.yml", "--var", "entropy=_run");
    assertThat(destroy.status()).as(destroy.err()).isZero();
    assertThat(store.exists(new TableName("derived", "users_run"))).isFalse();
    assertThat(store.read(RunLock.table(vars("_run"))).count()).isZero();
  }

  @Test
  void aRunKilledInAStepIsFinishedWithFromAfterUnlockSaysWhereItStopped() {
    Faults.arm("users.main.upsert.after");
    assertThatThrownBy(
            () -> run("run", "../configs/run-sessions-users.yml", "--var", "entropy=_run"))
        .isInstanceOf(Faults.Crash.class);
    // killed: the lock is still marked running, at the step that was running
    Result unlock = run("unlock", "--var", "entropy=_run");
    assertThat(unlock.out())
        .contains("still marked running at step 'users-main' (since ")
        .endsWith(
            "the process stopped without releasing it, or is running; to finish that run:"
                + " web-model "
                + runCommand("_run")
                + " --from users-main"
                + System.lineSeparator());

    Result unknown =
        run("run", "../configs/run-sessions-users.yml", "--var", "entropy=_run", "--from", "users");
    assertThat(unknown.status()).isEqualTo(1);
    assertThat(unknown.err())
        .startsWith(
            "web-model: error: --from users: no such step in ../configs/run-sessions-users.yml; its steps are"
                + " [sessions-main, users-main, session-depth, sessions-complete,"
                + " users-complete]");

    Result tooLate =
        run(
            "run",
            "../configs/run-sessions-users.yml",
            "--var",
            "entropy=_run",
            "--from",
            "sessions-complete");
    assertThat(tooLate.err())
        .isEqualTo(
            "web-model: error: --from sessions-complete: step 'users-main' has no finished users"
                + " main pending its complete step; start from 'users-main'"
                + System.lineSeparator());

    Result resumed =
        run(
            "run",
            "../configs/run-sessions-users.yml",
            "--var",
            "entropy=_run",
            "--from",
            "users-main");
    assertThat(resumed.status()).as(resumed.err()).isZero();
    assertThat(resumed.out())
        .contains(String.format("%-26s not run (--from users-main)", "sessions main"))
        .doesNotContain("skipped");
    // one metadata row per module of the one run, both users written, nothing left staged
    assertThat(
            store
                .read(new TableName("derived", "datamodel_metadata_run"))
                .select("module", "rows_this_run")
                .collectAsList())
        .extracting(Object::toString)
        .containsExactlyInAnyOrder("[sessions,2]", "[users,1]");
    assertThat(store.read(new TableName("derived", "users_run")).count()).isEqualTo(1);
    assertThat(store.read(new TableName("scratch", "page_views_staged_run")).count()).isZero();
    assertThat(store.read(RunLock.table(vars("_run"))).count()).isZero();
  }

  /** The command line a run of this test's helper records in the lock. */
  String runCommand(String entropy) {
    return "--warehouse " + dir + " run ../configs/run-sessions-users.yml --var entropy=" + entropy;
  }

  static Variables vars(String entropy) {
    return PlaybookLoader.variables(Map.of(), "test", Map.of("entropy", entropy));
  }

  @Test
  void aSecondRunIsRefusedWhileAnotherHoldsTheLockAndWritesNothing() {
    Variables vars =
        PlaybookLoader.variables(
            Map.of(), "test", Map.of("warehouse", dir.toString(), "entropy", "_run"));
    RunLock held = RunLock.acquire(store, vars, "run configs/run.yml");
    Result result = run("run", "../configs/run-sessions-users.yml", "--var", "entropy=_run");
    assertThat(result.status()).isEqualTo(1);
    assertThat(result.err())
        .startsWith(
            "web-model: error: refused: another run holds the lock on warehouse "
                + store.warehouse().root()
                + ", entropy '_run' (run configs/run.yml on ");
    assertThat(store.exists(new TableName("derived", "sessions_run"))).isFalse();
    assertThat(store.read(STAGED).count()).isEqualTo(2);
    // another entropy is another lock
    Result single =
        run("playbook", "../configs/users/XX-destroy-users.yml", "--var", "entropy=_other");
    assertThat(single.status()).as(single.err()).isZero();
    held.release();
  }

  @Test
  void aBadPlaybookInTheRunStopsItBeforeAnyStep() {
    Result result = run("run", "../configs/run-sessions-users.yml", "--var", "cleanup_mode=none");
    assertThat(result.status()).isEqualTo(1);
    assertThat(result.err())
        .startsWith(
            "web-model: error: cleanup_mode must be one of [all, debug, trace], got: 'none'");
    assertThat(store.exists(new TableName("derived", "sessions"))).isFalse();
  }

  /** The shipped run file on this test's warehouse, entropy {@code _run}. */
  RunFile runFile() {
    return RunFile.load(
        "../configs/run-sessions-users.yml",
        Map.of("warehouse", dir.toString(), "entropy", "_run"));
  }

  @Test
  void theExecutorReturnsEachStepsRowsInOrderAndTheTablesAfterTheRun() {
    List<StepOutcome> told = new ArrayList<>();
    RunOutcome outcome =
        new RunExecutor(runFile(), null).run(SharedSpark.session(), "test run", told::add);
    assertThat(outcome.steps())
        .extracting(
            StepOutcome::name,
            StepOutcome::status,
            s -> s.report().rowsRead(),
            s -> s.report().rowsWritten())
        .containsExactly(
            // the two staged page views are two sessions of one user
            tuple("sessions-main", OK, 2L, 2L),
            // the one user that sessions main staged
            tuple("users-main", OK, 1L, 1L),
            // a custom step's SQL counts no rows
            tuple("session-depth", OK, 0L, 0L),
            // a complete step writes by removing the staged rows its main read
            tuple("sessions-complete", OK, 0L, 2L),
            tuple("users-complete", OK, 0L, 1L));
    assertThat(outcome.steps())
        .extracting(StepOutcome::failure, StepOutcome::blockedBy)
        .containsOnly(tuple(null, List.of()));
    assertThat(told).as("each outcome told as its step ended").isEqualTo(outcome.steps());
    assertThat(outcome.firstFailure()).isEmpty();
    assertThat(outcome.from()).isNull();
    // the model's tables in its order; the staged inputs are empty after the complete steps
    assertThat(outcome.tables().rows())
        .containsExactly(
            entry(new TableName("derived", "sessions_run"), 2L),
            entry(new TableName("derived", "users_run"), 1L),
            entry(new TableName("derived", "users_manifest_run"), 1L),
            entry(new TableName("derived", "datamodel_metadata_run"), 2L),
            entry(STAGED, 0L),
            entry(new TableName("scratch", "sessions_userid_manifest_staged_run"), 0L));
    // a run that succeeded released its lock
    assertThat(store.read(RunLock.table(vars("_run"))).count()).isZero();
  }

  @Test
  void theExecutorReturnsAFailedStepItsSkippedDependentsAndFromFinishesTheRun() {
    // A users table with the wrong columns makes users main fail.
    TableName users = new TableName("derived", "users_run");
    store.createIfMissing(users, StructType.fromDDL("x INT"));
    RunOutcome failed = new RunExecutor(runFile(), null).run(SharedSpark.session(), "test run");
    String error = "table derived.users_run column 1 is x INT, expected user_id STRING";
    assertThat(failed.steps())
        .extracting(
            StepOutcome::name, StepOutcome::status, StepOutcome::failure, StepOutcome::blockedBy)
        .containsExactly(
            tuple("sessions-main", OK, null, List.of()),
            tuple("users-main", FAILED, error, List.of()),
            // depends on sessions main only: it runs after the failure
            tuple("session-depth", OK, null, List.of()),
            tuple("sessions-complete", SKIPPED, null, List.of("users-main")),
            tuple("users-complete", SKIPPED, null, List.of("users-main")));
    assertThat(failed.steps())
        .filteredOn(s -> s.status() != OK)
        .extracting(StepOutcome::report)
        .containsOnlyNulls();
    assertThat(failed.firstFailure()).map(StepOutcome::name).contains("users-main");
    assertThat(failed.named(SKIPPED)).containsExactly("sessions-complete", "users-complete");
    // sessions complete did not run: the page views are still staged
    assertThat(failed.tables().rows()).containsEntry(STAGED, 2L).containsEntry(users, 0L);
    // the failed step keeps the lock
    assertThatThrownBy(() -> new RunExecutor(runFile(), null).run(SharedSpark.session(), "test"))
        .isInstanceOf(WebModelException.class)
        .hasMessageContaining("failed at step 'users-main' (" + error + ")");

    // Fixed and unlocked, the run is finished from the failed step.
    store.drop(users);
    RunLock.unlock(store, vars("_run"));
    RunOutcome resumed =
        new RunExecutor(runFile(), "users-main").run(SharedSpark.session(), "test run");
    assertThat(resumed.steps())
        .extracting(StepOutcome::name, StepOutcome::status)
        .containsExactly(
            tuple("sessions-main", NOT_RUN),
            tuple("users-main", OK),
            tuple("session-depth", OK),
            tuple("sessions-complete", OK),
            tuple("users-complete", OK));
    assertThat(resumed.from()).isEqualTo("users-main");
    assertThat(resumed.steps().get(0).report()).as("a step before --from has no report").isNull();
    assertThat(resumed.steps().get(1).report().rowsWritten()).as("users main: u1").isEqualTo(1);
    assertThat(resumed.tables().rows()).containsEntry(users, 1L).containsEntry(STAGED, 0L);
  }

  @Test
  void theExecutorRefusesAFromThatIsNoStepBeforeAnythingRuns() {
    assertThatThrownBy(() -> new RunExecutor(runFile(), "users"))
        .isInstanceOf(WebModelException.class)
        .hasMessage(
            "--from users: no such step in ../configs/run-sessions-users.yml; its steps are [sessions-main,"
                + " users-main, session-depth, sessions-complete, users-complete]");
    assertThat(store.exists(RunLock.table(vars("_run")))).isFalse();
  }
}
