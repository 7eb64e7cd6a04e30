package org.sparkwebmodel.users;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkwebmodel.common.config.PlaybookLoader;
import org.sparkwebmodel.common.delta.DeltaStore;
import org.sparkwebmodel.common.step.Faults;
import org.sparkwebmodel.common.step.ModuleJob;
import org.sparkwebmodel.common.table.Schemas;
import org.sparkwebmodel.common.table.TableName;
import org.sparkwebmodel.common.table.Warehouse;
import org.sparkwebmodel.common.testing.SharedSpark;
import org.sparkwebmodel.common.testing.TestRows;
import org.sparkwebmodel.sessions.SessionsJob;

/**
 * The model run with Delta's fast paths (file removal, file copy, reads of the log) and with
 * Delta's public API only ({@value #SWITCH}=false) writes the same tables. The same two batches run
 * in two warehouses, each in a session of the shared Spark application with the switch set: the
 * first into empty tables (file copies) with a page view corrected upstream after main read it (its
 * file rewritten, so complete matches the rows in a MERGE); the second with a page view delivered
 * again unchanged after main read it (complete removes the files main read, and the copy stays) and
 * sessions complete killed after its removal and re-run.
 */
class ITDeltaFastPaths {
  static final String SWITCH = "spark.webmodel.delta.fastPaths";
  static final TableName STAGED = new TableName("scratch", "page_views_staged");
  static final TableName SESSIONS = new TableName("derived", "sessions");
  static final Map<TableName, String> COMPARED =
      Map.of(
          SESSIONS,
          "domain_sessionid",
          new TableName("derived", "users"),
          "domain_userid",
          new TableName("derived", "users_manifest"),
          "domain_userid",
          STAGED,
          "page_view_id",
          new TableName("scratch", "sessions_userid_manifest_staged"),
          "domain_userid");

  static final Row S3 = ModelFixture.pv("s3", "u1", "2021-03-05T10:00:00Z", "2021-03-05T10:00:10Z");
  static final Row S5 = ModelFixture.pv("s5", "u3", "2021-03-03T09:00:00Z", "2021-03-03T09:00:10Z");
  static final Row S2_CORRECTED =
      TestRows.with(
          Schemas.PAGE_VIEWS,
          ModelFixture.pv("s2", "u2", "2021-03-01T11:00:00Z", "2021-03-01T11:00:10Z"),
          Map.of("engaged_time_in_s", 20));

  /** One warehouse and the session that runs the model in it. */
  record Model(SparkSession spark, DeltaStore store, Path warehouse, boolean fastPaths) {
    static Model in(Path warehouse, boolean fastPaths) {
      SparkSession spark = SharedSpark.session().newSession();
      spark.conf().set(SWITCH, fastPaths);
      return new Model(
          spark, new DeltaStore(spark, new Warehouse(warehouse.toString())), warehouse, fastPaths);
    }

    void step(ModuleJob job, String playbook) {
      SparkSession.setActiveSession(spark);
      try {
        job.run(
            spark,
            PlaybookLoader.load(
                Path.of("../configs", playbook), Map.of("warehouse", warehouse.toString())));
      } finally {
        SharedSpark.session();
      }
    }

    void stage(Row... pageViews) {
      store.createIfMissing(STAGED, Schemas.PAGE_VIEWS);
      store.append(STAGED, TestRows.dataset(Schemas.PAGE_VIEWS, List.of(pageViews)));
    }

    /** The rows of every compared table, sorted by its key, named "after {@code batch}: table". */
    void snapshot(String batch, Map<String, List<Row>> into) {
      COMPARED.forEach(
          (table, key) ->
              into.put("after " + batch + ": " + table, TestRows.sorted(store.read(table), key)));
    }

    List<String> operations(TableName table) {
      return store
          .deltaTable(table)
          .history()
          .select("operation")
          .as(Encoders.STRING())
          .collectAsList();
    }

    boolean holdsCopiedFiles(TableName table) {
      return Arrays.stream(store.read(table).inputFiles()).anyMatch(f -> f.contains("part-copy-"));
    }
  }

  /** Runs the two batches in {@code model}; returns the compared tables after each. */
  static Map<String, List<Row>> runBatches(Model model) {
    Map<String, List<Row>> tables = new LinkedHashMap<>();
    model.stage(
        ModelFixture.pv("s1", "u1", "2021-03-01T10:00:00Z", "2021-03-01T10:00:10Z"),
        ModelFixture.pv("s2", "u2", "2021-03-01T11:00:00Z", "2021-03-01T11:00:10Z"),
        ModelFixture.pv("s0", null, "2021-03-01T09:00:00Z", "2021-03-01T09:00:10Z"));
    model.step(new SessionsJob(), "sessions/01-sessions-main.yml");
    // After main read it, s2 is corrected upstream: the file main read is rewritten.
    model
        .store()
        .deltaTable(STAGED)
        .update(
            col("page_view_id").equalTo(lit("pv-s2-2021-03-01T11:00:00Z")),
            Map.of("engaged_time_in_s", lit(20)));
    model.step(new UsersJob(), "users/01-users-main.yml");
    model.step(new SessionsJob(), "sessions/99-sessions-complete.yml");
    model.step(new UsersJob(), "users/99-users-complete.yml");
    model.snapshot("batch 1", tables);
    assertThat(model.holdsCopiedFiles(SESSIONS))
        .as("the first batch's sessions copied as files (fast paths: %s)", model.fastPaths())
        .isEqualTo(model.fastPaths());

    model.stage(S3, ModelFixture.pv("s4", "u3", "2021-03-02T09:00:00Z", "2021-03-02T09:00:10Z"));
    model.step(new SessionsJob(), "sessions/01-sessions-main.yml");
    // After main read them: s3 delivered again, unchanged, and a new page view.
    model.stage(S3, S5);
    model.step(new UsersJob(), "users/01-users-main.yml");
    Faults.arm("sessions.complete.remove_staged.after");
    assertThatThrownBy(() -> model.step(new SessionsJob(), "sessions/99-sessions-complete.yml"))
        .isInstanceOf(Faults.Crash.class);
    model.step(new SessionsJob(), "sessions/99-sessions-complete.yml");
    model.step(new UsersJob(), "users/99-users-complete.yml");
    model.snapshot("batch 2", tables);
    // Batch 1 removed rows by a MERGE; batch 2 removed files: with the fast paths by a hand-made
    // DELETE commit, without them by overwriting the table with the rows staged since.
    List<String> operations = model.operations(STAGED);
    assertThat(operations).as("commits of %s", STAGED).contains("MERGE");
    assertThat(operations.contains("DELETE"))
        .as("%s removed files by a DELETE commit (fast paths: %s)", STAGED, model.fastPaths())
        .isEqualTo(model.fastPaths());
    return tables;
  }

  @Test
  void withAndWithoutTheFastPathsTheModelWritesTheSameTables(@TempDir Path dir) {
    Model fast = Model.in(dir.resolve("fast"), true);
    Model publicApi = Model.in(dir.resolve("public"), false);
    Map<String, List<Row>> expected = runBatches(fast);
    Map<String, List<Row>> actual = runBatches(publicApi);

    // What the batches leave staged, with or without the fast paths (compared below).
    assertThat(expected.get("after batch 1: " + STAGED))
        .as("s2 corrected after main read it stays; s1 and s0 were read and go")
        .containsExactly(S2_CORRECTED);
    assertThat(expected.get("after batch 2: " + STAGED))
        .as("the copy of s3 and s5, staged after main read the table, stay")
        .containsExactly(S3, S5);
    assertThat(expected.get("after batch 2: " + SESSIONS)).hasSize(5);
    assertThat(actual.keySet()).containsExactlyElementsOf(expected.keySet());
    expected.forEach(
        (table, rows) ->
            assertThat(actual.get(table))
                .as("%s without the fast paths", table)
                .containsExactlyElementsOf(rows));
  }
}
