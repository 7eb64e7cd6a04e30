package org.sparkwebmodel.common.custom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkwebmodel.common.config.Playbook;
import org.sparkwebmodel.common.config.PlaybookLoader;
import org.sparkwebmodel.common.delta.DeltaStore;
import org.sparkwebmodel.common.error.WebModelException;
import org.sparkwebmodel.common.step.Modules;
import org.sparkwebmodel.common.step.StepReport;
import org.sparkwebmodel.common.table.TableName;
import org.sparkwebmodel.common.table.Warehouse;
import org.sparkwebmodel.common.testing.SharedSpark;
import org.sparkwebmodel.common.testing.TestRows;

/** Custom SQL steps: the shipped example module, table names in the warehouse, errors. */
class ITCustomSqlJob {
  static final StructType THIS_RUN =
      StructType.fromDDL(
          "domain_sessionid STRING, domain_userid STRING, start_tstamp TIMESTAMP, page_views INT");
  static final TableName SESSIONS_THIS_RUN = new TableName("scratch", "sessions_this_run_c");
  static final TableName DEPTH = new TableName("derived", "session_depth_c");
  static final Instant T = Instant.parse("2021-03-01T10:00:00Z");

  @TempDir Path dir;
  DeltaStore store;
  Map<String, String> vars;

  @BeforeEach
  void setUp() {
    store = new DeltaStore(SharedSpark.session(), new Warehouse(dir.toString()));
    vars = Map.of("warehouse", dir.toString(), "entropy", "_c");
  }

  StepReport run(String playbook) {
    Playbook loaded = PlaybookLoader.load(Path.of(playbook), vars);
    return Modules.named(loaded.module(), loaded.source()).run(SharedSpark.session(), loaded);
  }

  void stage(Row... rows) {
    store.overwrite(SESSIONS_THIS_RUN, TestRows.dataset(THIS_RUN, List.of(rows)));
  }

  static Row depth(String session, String user, int pageViews, String bucket) {
    return RowFactory.create(session, user, T, pageViews, bucket);
  }

  @Test
  void theExampleModuleUpsertsTheDepthOfEachSessionOfTheRunAndItsDestroyDropsIt() {
    stage(
        RowFactory.create("s1", "u1", T, 1),
        RowFactory.create("s2", "u1", T, 2),
        RowFactory.create("s3", null, T, 3),
        RowFactory.create("s4", "u2", T, 4),
        RowFactory.create("s9", "u2", T, 9),
        RowFactory.create("s10", "u3", T, 10));
    StepReport report = run("../configs/custom/01-session-depth-main.yml");
    assertThat(report.step()).isEqualTo("custom session-depth-main");
    assertThat(TestRows.sorted(store.read(DEPTH), "domain_sessionid"))
        .containsExactly(
            depth("s1", "u1", 1, "1"),
            depth("s10", "u3", 10, "10+"),
            depth("s2", "u1", 2, "2-3"),
            depth("s3", null, 3, "2-3"),
            depth("s4", "u2", 4, "4-9"),
            depth("s9", "u2", 9, "4-9"));

    // The next run changed s2 (now 5 page views) and added s11; the others stay as they were.
    stage(RowFactory.create("s2", "u1", T, 5), RowFactory.create("s11", "u1", T, 1));
    run("../configs/custom/01-session-depth-main.yml");
    // and a re-run of the same step changes nothing
    run("../configs/custom/01-session-depth-main.yml");
    assertThat(TestRows.sorted(store.read(DEPTH), "domain_sessionid"))
        .containsExactly(
            depth("s1", "u1", 1, "1"),
            depth("s10", "u3", 10, "10+"),
            depth("s11", "u1", 1, "1"),
            depth("s2", "u1", 5, "4-9"),
            depth("s3", null, 3, "2-3"),
            depth("s4", "u2", 4, "4-9"),
            depth("s9", "u2", 9, "4-9"));

    run("../configs/custom/XX-destroy-session-depth.yml");
    assertThat(store.exists(DEPTH)).isFalse();
    assertThat(store.exists(SESSIONS_THIS_RUN)).isTrue();
  }

  @Test
  void withCatalogSessionTheTablesTheStepWroteAreRegisteredAndItsDropsUnregistered()
      throws IOException {
    var spark = SharedSpark.session();
    vars = Map.of("warehouse", dir.toString(), "entropy", "_cr", "catalog", "session");
    store.overwrite(
        new TableName("scratch", "sessions_this_run_cr"),
        TestRows.dataset(THIS_RUN, List.of(RowFactory.create("s1", "u1", T, 2))));
    Path playbook =
        customPlaybook(
            "CREATE TABLE scratch.kept_cr AS SELECT 1 AS x;\n"
                + "CREATE OR REPLACE TABLE derived.per_user_cr AS\n"
                + "  SELECT domain_userid, page_views FROM scratch.sessions_this_run_cr;\n",
            "");
    try {
      run("../configs/custom/01-session-depth-main.yml");
      run(playbook.toString());
      // Registered at the warehouse location: the rows by name are the table's.
      assertThat(spark.sql("SELECT * FROM spark_catalog.derived.session_depth_cr").collectAsList())
          .containsExactly(depth("s1", "u1", 2, "2-3"));
      assertThat(spark.sql("SELECT * FROM spark_catalog.derived.per_user_cr").collectAsList())
          .containsExactly(RowFactory.create("u1", 2));
      // Not the scratch tables, which the model never registers; nor a table the step only read.
      assertThat(spark.catalog().tableExists("spark_catalog.scratch.kept_cr")).isFalse();
      assertThat(spark.catalog().tableExists("spark_catalog.scratch.sessions_this_run_cr"))
          .isFalse();

      run("../configs/custom/XX-destroy-session-depth.yml");
      assertThat(spark.catalog().tableExists("spark_catalog.derived.session_depth_cr")).isFalse();
      assertThat(spark.catalog().tableExists("spark_catalog.derived.per_user_cr")).isTrue();
    } finally {
      spark.sql("DROP TABLE IF EXISTS spark_catalog.derived.session_depth_cr");
      spark.sql("DROP TABLE IF EXISTS spark_catalog.derived.per_user_cr");
    }
  }

  Path customPlaybook(String sql, String extra) throws IOException {
    Files.writeString(dir.resolve("step.sql"), sql);
    Path playbook = dir.resolve("step.yml");
    Files.writeString(
        playbook, "module: custom\nstep: main\nsql:\n  - step.sql\n" + extra + "variables: {}\n");
    return playbook;
  }

  @Test
  void tablesAreNamedAsInAMetastoreAndDropTableDeletesTheTable() throws IOException {
    stage(RowFactory.create("s1", "u1", T, 1), RowFactory.create("s2", "u2", T, 7));
    Path playbook =
        customPlaybook(
            "CREATE OR REPLACE TABLE {{.output_schema}}.per_user{{.entropy}} AS\n"
                + "  SELECT domain_userid, sum(page_views) AS page_views\n"
                + "  FROM {{.scratch_schema}}.sessions_this_run{{.entropy}} GROUP BY 1;\n"
                + "INSERT INTO derived.per_user_c VALUES ('u3', 3);\n"
                + "CREATE TABLE scratch.tmp_c (x INT);\n"
                + "DROP TABLE scratch.tmp_c;\n",
            "");
    run(playbook.toString());
    assertThat(TestRows.sorted(store.read(new TableName("derived", "per_user_c")), "domain_userid"))
        .containsExactly(
            RowFactory.create("u1", 1L), RowFactory.create("u2", 7L), RowFactory.create("u3", 3L));
    assertThat(store.exists(new TableName("scratch", "tmp_c"))).isFalse();
    assertThat(dir.resolve("scratch/tmp_c")).doesNotExist();
  }

  @Test
  void aFailingStatementStopsTheStepNamingTheFileAndTheStatement() throws IOException {
    Path playbook =
        customPlaybook(
            "CREATE TABLE derived.first_c (x INT);\n"
                + "INSERT INTO scratch.missing_c VALUES (1);\n"
                + "CREATE TABLE derived.never_c (x INT);\n",
            "");
    assertThatThrownBy(() -> run(playbook.toString()))
        .isInstanceOf(WebModelException.class)
        .hasMessageStartingWith(
            "custom SQL in "
                + dir.resolve("step.sql")
                + " failed at 'INSERT INTO scratch.missing_c VALUES (1)': ")
        .hasMessageContaining("missing_c");
    assertThat(store.exists(new TableName("derived", "first_c"))).isTrue();
    assertThat(store.exists(new TableName("derived", "never_c"))).isFalse();
  }

  @Test
  void badCustomPlaybooksFailWhenLoadedBeforeAnyStatementRuns() throws IOException {
    Path unknown = customPlaybook("CREATE TABLE derived.t_c (x INT);\nSELECT {{.schema}};\n", "");
    assertThatThrownBy(() -> run(unknown.toString()))
        .isInstanceOf(WebModelException.class)
        .hasMessageStartingWith(
            "unknown template variable 'schema' in " + dir.resolve("step.sql") + " line 2;");
    assertThat(store.exists(new TableName("derived", "t_c"))).isFalse();

    Path missing = dir.resolve("missing.yml");
    Files.writeString(missing, "module: custom\nstep: main\nsql: [nowhere.sql]\n");
    assertThatThrownBy(() -> run(missing.toString()))
        .isInstanceOf(WebModelException.class)
        .hasMessage("SQL file not found: " + dir.resolve("nowhere.sql"));

    Path sessions = dir.resolve("sessions.yml");
    Files.writeString(sessions, "module: sessions\nstep: main\nsql: [step.sql]\n");
    assertThatThrownBy(() -> run(sessions.toString()))
        .isInstanceOf(WebModelException.class)
        .hasMessage(
            "unknown key 'sql' in "
                + sessions
                + "; allowed: [module, step, variables] (sql is for module: custom)");
  }
}
