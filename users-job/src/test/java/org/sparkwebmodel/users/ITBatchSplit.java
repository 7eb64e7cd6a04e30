package org.sparkwebmodel.users;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.row_number;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sparkwebmodel.common.config.PlaybookLoader;
import org.sparkwebmodel.common.delta.DeltaStore;
import org.sparkwebmodel.common.sample.SampleData;
import org.sparkwebmodel.common.step.ModuleJob;
import org.sparkwebmodel.common.table.Schemas;
import org.sparkwebmodel.common.table.TableName;
import org.sparkwebmodel.common.table.Warehouse;
import org.sparkwebmodel.common.testing.SharedSpark;
import org.sparkwebmodel.common.testing.TestRows;
import org.sparkwebmodel.sessions.SessionsJob;

/**
 * Batch-split invariance: the same page views processed as one batch or as k batches of whole
 * sessions in time order (the way upstream stages them; a user's sessions spread over batches) give
 * identical {@code sessions} and {@code users} tables.
 */
class ITBatchSplit {
  static final int ROWS = 400;

  /** Runs the model over {@code batches} in order in its own warehouse; returns its store. */
  DeltaStore runModel(Path warehouse, List<Dataset<Row>> batches) {
    DeltaStore store = new DeltaStore(SharedSpark.session(), new Warehouse(warehouse.toString()));
    TableName staged = new TableName("scratch", "page_views_staged");
    store.createIfMissing(staged, Schemas.PAGE_VIEWS);
    for (Dataset<Row> batch : batches) {
      store.append(staged, batch);
      step(new SessionsJob(), "sessions/01-sessions-main.yml", warehouse);
      step(new UsersJob(), "users/01-users-main.yml", warehouse);
      step(new SessionsJob(), "sessions/99-sessions-complete.yml", warehouse);
      step(new UsersJob(), "users/99-users-complete.yml", warehouse);
    }
    return store;
  }

  static void step(ModuleJob job, String playbook, Path warehouse) {
    job.run(
        SharedSpark.session(),
        PlaybookLoader.load(
            Path.of("../configs", playbook), Map.of("warehouse", warehouse.toString())));
  }

  /** The page views cut into {@code k} batches of whole sessions, by session start. */
  static List<Dataset<Row>> split(Dataset<Row> pageViews, int k) {
    Dataset<Row> sessions =
        pageViews
            .groupBy("domain_sessionid")
            .agg(min("start_tstamp").as("session_start"))
            .withColumn(
                "batch",
                floor(
                        row_number()
                            .over(Window.orderBy("session_start", "domain_sessionid"))
                            .minus(1)
                            .multiply(k)
                            .divide(lit(pageViews.select("domain_sessionid").distinct().count())))
                    .cast("int"));
    Dataset<Row> numbered =
        pageViews.join(sessions.drop("session_start"), "domain_sessionid").cache();
    return java.util.stream.IntStream.range(0, k)
        .mapToObj(b -> numbered.filter(col("batch").equalTo(b)).drop("batch"))
        .toList();
  }

  @ParameterizedTest(name = "seed {0}, {1} batches")
  // Each case runs 4 (k + 1) steps, which is what limits the cases within the suite's time budget.
  @CsvSource({"7, 3", "11, 2"})
  void oneBatchOrKBatchesOfWholeSessionsGiveTheSameTables(
      long seed, int k, @org.junit.jupiter.api.io.TempDir Path dir) {
    DeltaStore generator =
        new DeltaStore(SharedSpark.session(), new Warehouse(dir.resolve("input").toString()));
    Dataset<Row> pageViews = SampleData.generate(generator, ROWS, seed).cache();
    List<Dataset<Row>> batches = split(pageViews, k);
    // the split is meaningful: users with sessions in more than one batch
    long spreadUsers =
        java.util.stream.IntStream.range(0, k)
            .mapToObj(
                b -> batches.get(b).select("domain_userid").distinct().withColumn("b", lit(b)))
            .reduce(Dataset::union)
            .orElseThrow()
            .filter(col("domain_userid").isNotNull())
            .groupBy("domain_userid")
            .agg(countDistinct("b").as("batches"))
            .filter(col("batches").gt(1))
            .count();
    assertThat(spreadUsers).as("users whose sessions span batches").isPositive();

    DeltaStore whole = runModel(dir.resolve("one"), List.of(pageViews));
    DeltaStore split = runModel(dir.resolve("split"), batches);

    for (String table : List.of("sessions", "users")) {
      String key = table.equals("sessions") ? "domain_sessionid" : "domain_userid";
      TableName name = new TableName("derived", table);
      List<Row> expected = TestRows.sorted(whole.read(name), key);
      assertThat(expected).as(table).hasSizeGreaterThan(10);
      assertThat(TestRows.sorted(split.read(name), key))
          .as("%s after %d batches (seed %d)", table, k, seed)
          .containsExactlyElementsOf(expected);
    }
    assertThat(
            TestRows.sorted(
                split.read(new TableName("derived", "users_manifest")), "domain_userid"))
        .containsExactlyElementsOf(
            TestRows.sorted(
                whole.read(new TableName("derived", "users_manifest")), "domain_userid"));
  }
}
