package org.sparkwebmodel.sessions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.sparkwebmodel.sessions.TestSessionize.pv;
import static org.sparkwebmodel.sessions.TestSessionize.session;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sparkwebmodel.common.config.Playbook;
import org.sparkwebmodel.common.config.PlaybookLoader;
import org.sparkwebmodel.common.delta.DeltaStore;
import org.sparkwebmodel.common.error.WebModelException;
import org.sparkwebmodel.common.run.RunId;
import org.sparkwebmodel.common.run.RunState;
import org.sparkwebmodel.common.step.StepReport;
import org.sparkwebmodel.common.table.Schemas;
import org.sparkwebmodel.common.table.TableName;
import org.sparkwebmodel.common.table.Warehouse;
import org.sparkwebmodel.common.testing.SharedSpark;
import org.sparkwebmodel.common.testing.SparkLines;
import org.sparkwebmodel.common.testing.TestRows;

/** The sessions module end to end with the shipped playbooks, over several incremental runs. */
@Tag(SparkLines.BOTH)
class ITSessionsJob {
  static final String ENTROPY = "_it";
  static final TableName STAGED = new TableName("scratch", "page_views_staged" + ENTROPY);
  static final TableName SESSIONS = new TableName("derived", "sessions" + ENTROPY);
  static final TableName MANIFEST =
      new TableName("scratch", "sessions_userid_manifest_staged" + ENTROPY);
  static final TableName THIS_RUN = new TableName("scratch", "sessions_this_run" + ENTROPY);
  static final TableName MANIFEST_THIS_RUN =
      new TableName("scratch", "sessions_userid_manifest_this_run" + ENTROPY);
  static final TableName RUN_STATE = new TableName("scratch", "sessions_run_state" + ENTROPY);
  static final TableName RUN_ID = new TableName("scratch", "metadata_run_id" + ENTROPY);
  static final TableName METADATA = new TableName("derived", "datamodel_metadata" + ENTROPY);

  @TempDir Path dir;
  DeltaStore store;
  final SessionsJob job = new SessionsJob();

  @BeforeEach
  void setUp() {
    store = new DeltaStore(SharedSpark.session(), new Warehouse(dir.toString()));
  }

  Playbook playbook(String file, String... overrides) {
    Map<String, String> vars = new HashMap<>();
    vars.put("warehouse", dir.toString());
    vars.put("entropy", ENTROPY);
    for (String override : overrides) {
      String[] kv = override.split("=", 2);
      vars.put(kv[0], kv[1]);
    }
    return PlaybookLoader.load(Path.of("../configs/sessions", file), vars);
  }

  void main(String... overrides) {
    job.run(SharedSpark.session(), playbook("01-sessions-main.yml", overrides));
  }

  void complete(String... overrides) {
    job.run(SharedSpark.session(), playbook("99-sessions-complete.yml", overrides));
  }

  void stage(TableName table, Row... pageViews) {
    store.createIfMissing(table, Schemas.PAGE_VIEWS);
    store.append(table, TestRows.dataset(Schemas.PAGE_VIEWS, List.of(pageViews)));
  }

  void stage(Row... pageViews) {
    stage(STAGED, pageViews);
  }

  List<Row> rows(TableName table, String key) {
    return TestRows.sorted(store.read(table), key);
  }

  static Row manifest(String user, String start) {
    return TestRows.row(
        SessionsJob.USERID_MANIFEST, Map.of("domain_userid", user, "start_tstamp", start));
  }

  static Row u(Row pageView, String user) {
    return TestRows.with(Schemas.PAGE_VIEWS, pageView, Map.of("domain_userid", user));
  }

  static Row s(Row session, String user) {
    return TestRows.with(SessionsJob.SESSIONS.schema(), session, Map.of("domain_userid", user));
  }

  /** Every table of the warehouse with its Delta version. */
  Map<String, Long> tableVersions() throws IOException {
    Map<String, Long> versions = new TreeMap<>();
    if (!Files.exists(dir)) {
      return versions;
    }
    try (Stream<Path> schemas = Files.list(dir)) {
      for (Path schema : schemas.toList()) {
        try (Stream<Path> tables = Files.list(schema)) {
          for (Path table : tables.toList()) {
            TableName name =
                new TableName(schema.getFileName().toString(), table.getFileName().toString());
            versions.put(name.toString(), store.version(name));
          }
        }
      }
    }
    return versions;
  }

  @Test
  void incrementalRunsReplaceRestagedSessionsAndNeverDuplicate() {
    // Run 1: s1 (two pages, user u1) and s2 (user u2).
    stage(
        u(pv("a", "s1", 1, "2021-03-01T10:00:00Z", "2021-03-01T10:00:10Z"), "u1"),
        u(pv("b", "s1", 2, "2021-03-01T10:01:00Z", "2021-03-01T10:01:10Z"), "u1"),
        u(pv("c", "s2", 1, "2021-03-01T11:00:00Z", "2021-03-01T11:00:10Z"), "u2"));
    main();
    assertThat(rows(SESSIONS, "domain_sessionid"))
        .containsExactly(
            s(
                session("s1", "a", "b", "2021-03-01T10:00:00Z", "2021-03-01T10:01:10Z", 2, 20, 70),
                "u1"),
            s(
                session("s2", "c", "c", "2021-03-01T11:00:00Z", "2021-03-01T11:00:10Z", 1, 10, 10),
                "u2"));
    assertThat(rows(MANIFEST, "domain_userid"))
        .containsExactly(
            manifest("u1", "2021-03-01T10:00:00Z"), manifest("u2", "2021-03-01T11:00:00Z"));
    complete();
    assertThat(store.read(STAGED).count()).isZero();
    assertThat(store.exists(THIS_RUN)).isFalse();

    // Run 2 (no users run in between): s1 continued, re-staged in full; s3 a later session of u1.
    stage(
        u(pv("a", "s1", 1, "2021-03-01T10:00:00Z", "2021-03-01T10:00:10Z"), "u1"),
        u(pv("b", "s1", 2, "2021-03-01T10:01:00Z", "2021-03-01T10:01:10Z"), "u1"),
        u(pv("d", "s1", 3, "2021-03-01T10:20:00Z", "2021-03-01T10:25:00Z"), "u1"),
        u(pv("e", "s3", 1, "2021-03-02T09:00:00Z", "2021-03-02T09:00:10Z"), "u1"));
    main();
    assertThat(rows(SESSIONS, "domain_sessionid"))
        .containsExactly(
            // replaced, not duplicated
            s(
                session(
                    "s1", "a", "d", "2021-03-01T10:00:00Z", "2021-03-01T10:25:00Z", 3, 30, 1500),
                "u1"),
            // untouched
            s(
                session("s2", "c", "c", "2021-03-01T11:00:00Z", "2021-03-01T11:00:10Z", 1, 10, 10),
                "u2"),
            s(
                session("s3", "e", "e", "2021-03-02T09:00:00Z", "2021-03-02T09:00:10Z", 1, 10, 10),
                "u1"));
    // u1 was staged by run 1 already: the earlier start is kept (DECISIONS 8)
    assertThat(rows(MANIFEST, "domain_userid"))
        .containsExactly(
            manifest("u1", "2021-03-01T10:00:00Z"), manifest("u2", "2021-03-01T11:00:00Z"));
    complete();

    List<Row> metadata = TestRows.sorted(store.read(METADATA), "run_start_tstamp");
    assertThat(metadata).hasSize(2);
    Instant firstRun = metadata.get(0).getAs("run_id");
    Instant secondRun = metadata.get(1).getAs("run_id");
    assertThat(firstRun).isNotEqualTo(secondRun);
    assertThat(metadata)
        .extracting(ITSessionsJob::metadataCounts)
        .containsExactly(
            RowFactory.create(
                "web",
                "sessions",
                2,
                "domain_sessionid",
                2,
                "start_tstamp",
                Instant.parse("2021-03-01T10:00:00Z"),
                Instant.parse("2021-03-01T11:00:00Z"),
                0,
                0),
            RowFactory.create(
                "web",
                "sessions",
                2,
                "domain_sessionid",
                2,
                "start_tstamp",
                Instant.parse("2021-03-01T10:00:00Z"),
                Instant.parse("2021-03-02T09:00:00Z"),
                0,
                0));
    assertThat(metadata.get(0).<String>getAs("model_version")).startsWith("spark-web-model/web/");
  }

  static Row metadataCounts(Row row) {
    return RowFactory.create(
        row.getAs("model"),
        row.getAs("module"),
        row.getAs("rows_this_run"),
        row.getAs("distinct_key"),
        row.getAs("distinct_key_count"),
        row.getAs("time_key"),
        row.getAs("min_time_key"),
        row.getAs("max_time_key"),
        row.getAs("duplicate_rows_removed"),
        row.getAs("distinct_keys_removed"));
  }

  @Test
  void rowsStagedAfterMainReadSurviveComplete() {
    Row a = pv("a", "s1", 1, "2021-03-01T10:00:00Z", "2021-03-01T10:00:10Z");
    stage(a);
    main();
    // Upstream stages a new page view and a new version of page view a while the run goes on.
    Row b = pv("b", "s2", 1, "2021-03-01T12:00:00Z", "2021-03-01T12:00:10Z");
    Row aAgain = pv("a", "s1", 1, "2021-03-01T10:00:00Z", "2021-03-01T10:00:40Z");
    stage(b, aAgain);
    complete();
    assertThat(rows(STAGED, "page_view_id")).containsExactly(aAgain, b);
    // The next run processes them.
    main();
    assertThat(rows(SESSIONS, "domain_sessionid"))
        .containsExactly(
            session("s1", "a", "a", "2021-03-01T10:00:00Z", "2021-03-01T10:00:40Z", 1, 10, 40),
            session("s2", "b", "b", "2021-03-01T12:00:00Z", "2021-03-01T12:00:10Z", 1, 10, 10));
  }

  @Test
  void skipDerivedLeavesSessionsAloneButStagesAndLogs() {
    stage(u(pv("a", "s1", 1, "2021-03-01T10:00:00Z", "2021-03-01T10:00:10Z"), "u1"));
    main("skip_derived=true");
    assertThat(store.read(SESSIONS).count()).isZero();
    assertThat(rows(THIS_RUN, "domain_sessionid"))
        .containsExactly(
            s(
                session("s1", "a", "a", "2021-03-01T10:00:00Z", "2021-03-01T10:00:10Z", 1, 10, 10),
                "u1"));
    assertThat(rows(MANIFEST, "domain_userid"))
        .containsExactly(manifest("u1", "2021-03-01T10:00:00Z"));
    assertThat(store.read(METADATA).count()).isEqualTo(1);
  }

  @Test
  void stageNextFalseStagesNoUsers() {
    stage(u(pv("a", "s1", 1, "2021-03-01T10:00:00Z", "2021-03-01T10:00:10Z"), "u1"));
    main("stage_next=false");
    assertThat(store.read(SESSIONS).count()).isEqualTo(1);
    assertThat(store.read(MANIFEST).count()).isZero();
  }

  @Test
  void entropyKeepsRunsApart() {
    TableName otherStaged = new TableName("scratch", "page_views_staged_other");
    stage(pv("a", "s1", 1, "2021-03-01T10:00:00Z", "2021-03-01T10:00:10Z"));
    stage(otherStaged, pv("z", "s9", 1, "2021-03-05T10:00:00Z", "2021-03-05T10:00:10Z"));
    main("entropy=_other");
    assertThat(rows(new TableName("derived", "sessions_other"), "domain_sessionid"))
        .containsExactly(
            session("s9", "z", "z", "2021-03-05T10:00:00Z", "2021-03-05T10:00:10Z", 1, 10, 10));
    assertThat(store.exists(SESSIONS)).isFalse();
    assertThat(store.read(STAGED).count()).isEqualTo(1);
    main();
    assertThat(rows(SESSIONS, "domain_sessionid"))
        .containsExactly(
            session("s1", "a", "a", "2021-03-01T10:00:00Z", "2021-03-01T10:00:10Z", 1, 10, 10));
    complete("entropy=_other");
    assertThat(store.read(otherStaged).count()).isZero();
    assertThat(store.read(STAGED).count()).isEqualTo(1);
  }

  @ParameterizedTest
  @CsvSource({"all,false,false", "debug,true,true", "trace,true,true"})
  void cleanupModeDecidesWhichScratchTablesStay(
      String mode, boolean thisRunKept, boolean intermediateKept) {
    stage(u(pv("a", "s1", 1, "2021-03-01T10:00:00Z", "2021-03-01T10:00:10Z"), "u1"));
    main();
    complete("cleanup_mode=" + mode);
    assertThat(store.exists(THIS_RUN)).as("sessions_this_run kept").isEqualTo(thisRunKept);
    assertThat(store.exists(MANIFEST_THIS_RUN))
        .as("manifest_this_run kept")
        .isEqualTo(intermediateKept);
    assertThat(store.exists(RUN_STATE)).as("run state").isFalse();
    // never touched by cleanup
    assertThat(store.read(SESSIONS).count()).isEqualTo(1);
    assertThat(store.read(MANIFEST).count()).isEqualTo(1);
    assertThat(store.exists(RUN_ID)).isTrue();
  }

  @Test
  void endsRunDropsTheRunIdAndTheNextRunGetsANewOne() {
    stage(pv("a", "s1", 1, "2021-03-01T10:00:00Z", "2021-03-01T10:00:10Z"));
    main();
    Instant first =
        RunId.current(store, playbook("01-sessions-main.yml").variables()).orElseThrow();
    complete("ends_run=true");
    assertThat(store.exists(RUN_ID)).isFalse();
    stage(pv("b", "s2", 1, "2021-03-01T12:00:00Z", "2021-03-01T12:00:10Z"));
    main();
    Instant second =
        RunId.current(store, playbook("01-sessions-main.yml").variables()).orElseThrow();
    assertThat(second).isAfter(first);
    assertThat(
            store
                .read(METADATA)
                .select("run_id")
                .as(org.apache.spark.sql.Encoders.INSTANT())
                .collectAsList())
        .containsExactlyInAnyOrder(first, second);
  }

  @Test
  void destroyDropsTheModuleButNotItsInputOrTheMetadata() throws IOException {
    stage(pv("a", "s1", 1, "2021-03-01T10:00:00Z", "2021-03-01T10:00:10Z"));
    main();
    job.run(SharedSpark.session(), playbook("XX-destroy-sessions.yml"));
    assertThat(tableVersions().keySet()).containsExactly(METADATA.toString(), STAGED.toString());
  }

  @Test
  void emptyInputLogsAZeroRowRunAndChangesNothingElse() throws IOException {
    stage(pv("a", "s1", 1, "2021-03-01T10:00:00Z", "2021-03-01T10:00:10Z"));
    main();
    complete();
    long sessionsVersion = store.version(SESSIONS);
    long manifestVersion = store.version(MANIFEST);
    main();
    assertThat(store.version(SESSIONS)).isEqualTo(sessionsVersion);
    assertThat(store.version(MANIFEST)).isEqualTo(manifestVersion);
    List<Row> metadata = TestRows.sorted(store.read(METADATA), "run_start_tstamp");
    assertThat(metadata).hasSize(2);
    assertThat(metadataCounts(metadata.get(1)))
        .isEqualTo(
            RowFactory.create(
                "web", "sessions", 0, "domain_sessionid", 0, "start_tstamp", null, null, 0, 0));
  }

  @Test
  void aMissingRequiredColumnFailsNamingItAndWritesNothing() throws IOException {
    StructType withoutPageUrl =
        new StructType(
            Stream.of(Schemas.PAGE_VIEWS.fields())
                .filter(f -> !f.name().equals("page_url"))
                .toArray(org.apache.spark.sql.types.StructField[]::new));
    store.createIfMissing(STAGED, withoutPageUrl);
    store.append(
        STAGED,
        TestRows.dataset(
                Schemas.PAGE_VIEWS,
                List.of(pv("a", "s1", 1, "2021-03-01T10:00:00Z", "2021-03-01T10:00:10Z")))
            .drop("page_url"));
    Map<String, Long> before = tableVersions();
    assertThatThrownBy(this::main)
        .isInstanceOf(WebModelException.class)
        .hasMessage("table scratch.page_views_staged_it lacks required column page_url");
    assertThat(tableVersions()).isEqualTo(before);
  }

  @Test
  void aWrongColumnTypeFailsNamingItAndWritesNothing() throws IOException {
    StructType badType =
        StructType.fromDDL(
            Schemas.PAGE_VIEWS
                .toDDL()
                .replace("engaged_time_in_s INT", "engaged_time_in_s STRING"));
    store.createIfMissing(STAGED, badType);
    Map<String, Long> before = tableVersions();
    assertThatThrownBy(this::main)
        .isInstanceOf(WebModelException.class)
        .hasMessage(
            "table scratch.page_views_staged_it has columns of the wrong type: engaged_time_in_s is STRING, expected INT");
    assertThat(tableVersions()).isEqualTo(before);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "1969-12-31T23:59:59Z, 1970-01-01T00:00:05Z",
    "2999-01-01T00:00:00Z, 2999-01-01T00:00:10Z"
  })
  void timestampsBefore1970OrInTheFarFutureFailNamingAPageViewAndWriteNothing(
      String start, String end) throws IOException {
    stage(
        pv("good", "s1", 1, "2021-03-01T10:00:00Z", "2021-03-01T10:00:10Z"),
        pv("bad", "s2", 1, start, end));
    Map<String, Long> before = tableVersions();
    assertThatThrownBy(this::main)
        .isInstanceOf(WebModelException.class)
        .hasMessageStartingWith(
            "scratch.page_views_staged_it has 1 page views with a start_tstamp or end_tstamp"
                + " before 1970-01-01 or after ")
        .hasMessageContaining(
            "(a day after this run started), e.g. page_view_id=bad start_tstamp="
                + start
                + " end_tstamp="
                + end
                + "; nothing was written: correct or remove them in"
                + " scratch.page_views_staged_it, then run again");
    assertThat(tableVersions()).isEqualTo(before);
  }

  @Test
  void rowsWithoutSessionOrPageViewIdAreSkippedAndCountedNotFatal() {
    stage(
        pv("a", "s1", 1, "2021-03-01T10:00:00Z", "2021-03-01T10:00:10Z"),
        pv("b", null, 1, "2021-03-01T11:00:00Z", "2021-03-01T11:00:10Z"),
        pv(null, "s3", 1, "2021-03-01T12:00:00Z", "2021-03-01T12:00:10Z"));
    StepReport report = job.run(SharedSpark.session(), playbook("01-sessions-main.yml"));
    assertThat(report.details())
        .contains("2 page views with a NULL domain_sessionid or page_view_id were not sessionized");
    assertThat(
            store.read(SESSIONS).select("domain_sessionid").as(Encoders.STRING()).collectAsList())
        .containsExactly("s1");
    assertThat(store.read(METADATA).select("rows_this_run").as(Encoders.INT()).collectAsList())
        .containsExactly(1);
    complete();
    // all three rows were read, so all three are removed: the two bad ones are not retried forever
    assertThat(store.read(STAGED).count()).isZero();
  }

  @Test
  void aWarehouseThatIsMissingNotAFolderOrNotWritableFailsNamingIt() throws IOException {
    Path missing = dir.resolve("missing");
    assertThatThrownBy(
            () ->
                job.run(
                    SharedSpark.session(),
                    playbook("01-sessions-main.yml", "warehouse=" + missing)))
        .isInstanceOf(WebModelException.class)
        .hasMessage(
            "warehouse file:"
                + missing
                + " does not exist: check --warehouse or the warehouse variable, or load the staged"
                + " input into it first (web-model load, sample-data)");
    assertThat(missing).doesNotExist();

    Path file = Files.writeString(dir.resolve("a-file"), "x");
    assertThatThrownBy(
            () ->
                job.run(
                    SharedSpark.session(), playbook("01-sessions-main.yml", "warehouse=" + file)))
        .isInstanceOf(WebModelException.class)
        .hasMessage("warehouse file:" + file + " is not a folder");

    // A read-only folder; the tests may run as root, who may write anywhere but in /sys.
    Path readOnly = Files.createDirectory(dir.resolve("read-only"));
    readOnly.toFile().setWritable(false, false);
    Path target = Files.isWritable(readOnly) ? Path.of("/sys/fs") : readOnly;
    assertThatThrownBy(
            () ->
                job.run(
                    SharedSpark.session(), playbook("01-sessions-main.yml", "warehouse=" + target)))
        .isInstanceOf(WebModelException.class)
        .hasMessageStartingWith("warehouse file:" + target + " is not writable: ");
    readOnly.toFile().setWritable(true, false);
  }

  @Test
  void aMissingStagedTableFailsBeforeWriting() throws IOException {
    assertThatThrownBy(this::main)
        .isInstanceOf(WebModelException.class)
        .hasMessageStartingWith("table scratch.page_views_staged_it does not exist (");
    assertThat(tableVersions()).isEmpty();
  }

  @Test
  void theLookbackWindowKeepsOldSessionFilesOutOfTheRewrite() {
    stage(pv("old", "s0", 1, "2020-06-01T10:00:00Z", "2020-06-01T10:00:10Z"));
    main();
    complete();
    List<String> oldFiles = List.of(store.read(SESSIONS).inputFiles());
    stage(pv("a", "s1", 1, "2021-03-01T10:00:00Z", "2021-03-01T10:00:10Z"));
    main();
    assertThat(List.of(store.read(SESSIONS).inputFiles())).containsAll(oldFiles);
    assertThat(store.read(SESSIONS).count()).isEqualTo(2);
  }

  @Test
  void aRunStatePinnedToAnEarlierStagedTableIsDiscardedAndNoNewRowIsRemoved() {
    stage(pv("a", "s1", 1, "2021-03-01T10:00:00Z", "2021-03-01T10:00:10Z"));
    main();
    // The staged table is dropped and created again: its version 1 now holds other rows.
    store.drop(STAGED);
    stage(pv("b", "s2", 1, "2021-03-02T10:00:00Z", "2021-03-02T10:00:10Z"));
    assertThat(store.version(STAGED)).isEqualTo(1);
    StepReport completed = job.run(SharedSpark.session(), playbook("99-sessions-complete.yml"));
    assertThat(completed.details())
        .first()
        .asString()
        .matches(
            "sessions run state of run .* refers to an earlier scratch.page_views_staged_it"
                + " \\(dropped and created again since\\): discarded, nothing of the new table is"
                + " taken as processed");
    assertThat(rows(STAGED, "page_view_id"))
        .extracting(r -> r.getAs("page_view_id"))
        .containsExactly("b");
    // the next run processes the new row
    main();
    complete();
    assertThat(rows(SESSIONS, "domain_sessionid"))
        .extracting(r -> r.getAs("domain_sessionid"))
        .containsExactly("s1", "s2");
    assertThat(store.read(STAGED).count()).isZero();
  }

  @Test
  void completeRefusesAfterAnUnfinishedMainAndTheRetryFinishesTheRun() {
    stage(pv("a", "s1", 1, "2021-03-01T10:00:00Z", "2021-03-01T10:00:10Z"));
    // A main that crashed after taking on the batch.
    Instant runId = Instant.parse("2026-01-01T00:00:00Z");
    new RunState(runId, store.version(STAGED), false, store.tableId(STAGED))
        .write(store, playbook("01-sessions-main.yml").variables(), "sessions");
    assertThatThrownBy(this::complete)
        .isInstanceOf(WebModelException.class)
        .hasMessage(
            "sessions main of run 2026-01-01T00:00:00Z did not finish; re-run it before sessions complete (nothing was removed)");
    assertThat(store.read(STAGED).count()).isEqualTo(1);
    main();
    assertThat(store.read(METADATA).select("run_id").as(Encoders.INSTANT()).collectAsList())
        .containsExactly(runId);
    complete();
    assertThat(store.read(STAGED).count()).isZero();
  }

  @Test
  void aMainAfterAFinishedMainDoesNothingAndRowsStagedSinceWaitForTheNextRun() throws IOException {
    stage(pv("a", "s1", 1, "2021-03-01T10:00:00Z", "2021-03-01T10:00:10Z"));
    main();
    stage(pv("b", "s2", 1, "2021-03-01T12:00:00Z", "2021-03-01T12:00:10Z"));
    Map<String, Long> before = tableVersions();
    StepReport again = job.run(SharedSpark.session(), playbook("01-sessions-main.yml"));
    assertThat(again.details())
        .singleElement()
        .asString()
        .matches(
            "sessions main of run .* already finished \\(it read version 1 of"
                + " scratch.page_views_staged_it\\): nothing to do until sessions complete runs;"
                + " rows staged since wait for the next run");
    assertThat(tableVersions()).isEqualTo(before);
    complete();
    assertThat(rows(STAGED, "page_view_id"))
        .extracting(r -> r.getAs("page_view_id"))
        .containsExactly("b");
    main();
    assertThat(store.read(SESSIONS).count()).isEqualTo(2);
    assertThat(store.read(METADATA).count()).isEqualTo(2);
  }

  @Test
  void aSessionWithoutStartIsReplacedNotDuplicated() {
    stage(pv("a", "s1", 1, null, "2021-03-01T10:00:10Z"));
    main();
    complete();
    stage(pv("a", "s1", 1, null, "2021-03-01T10:00:20Z"));
    main();
    assertThat(rows(SESSIONS, "domain_sessionid"))
        .containsExactly(session("s1", "a", "a", null, "2021-03-01T10:00:20Z", 1, 10, null));
  }

  @Test
  void aSessionLeftWithoutPageViewsByDeduplicationIsReported() {
    stage(
        pv("a", "s1", 1, "2021-03-01T10:00:00Z", "2021-03-01T10:00:10Z"),
        // the same page view staged later under another session: the earlier copy wins
        pv("a", "s2", 1, "2021-03-01T10:05:00Z", "2021-03-01T10:05:10Z"));
    StepReport report = job.run(SharedSpark.session(), playbook("01-sessions-main.yml"));
    assertThat(rows(SESSIONS, "domain_sessionid"))
        .containsExactly(
            session("s1", "a", "a", "2021-03-01T10:00:00Z", "2021-03-01T10:00:10Z", 1, 10, 10));
    assertThat(report.details())
        .contains(
            "1 duplicate page views removed (1 page_view_ids)",
            "1 sessions had only page views whose page_view_id is kept under another session and were not written");
    assertThat(metadataCounts(store.read(METADATA).first()))
        .isEqualTo(
            RowFactory.create(
                "web",
                "sessions",
                1,
                "domain_sessionid",
                1,
                "start_tstamp",
                Instant.parse("2021-03-01T10:00:00Z"),
                Instant.parse("2021-03-01T10:00:00Z"),
                1,
                1));
  }

  @Test
  void completeWithoutAPendingMainRemovesNothing() {
    stage(pv("a", "s1", 1, "2021-03-01T10:00:00Z", "2021-03-01T10:00:10Z"));
    complete();
    assertThat(store.read(STAGED).count()).isEqualTo(1);
  }
}
