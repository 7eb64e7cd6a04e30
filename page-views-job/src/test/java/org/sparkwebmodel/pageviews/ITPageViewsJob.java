package org.sparkwebmodel.pageviews;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.sparkwebmodel.pageviews.TestPageViews.expected;
import static org.sparkwebmodel.pageviews.TestPageViews.pageView;
import static org.sparkwebmodel.pageviews.TestPageViews.ping;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkwebmodel.base.BaseTables;
import org.sparkwebmodel.common.config.Playbook;
import org.sparkwebmodel.common.config.PlaybookLoader;
import org.sparkwebmodel.common.delta.DeltaStore;
import org.sparkwebmodel.common.error.WebModelException;
import org.sparkwebmodel.common.step.StepReport;
import org.sparkwebmodel.common.table.AtomicEvents;
import org.sparkwebmodel.common.table.TableName;
import org.sparkwebmodel.common.table.Warehouse;
import org.sparkwebmodel.common.testing.SharedSpark;
import org.sparkwebmodel.common.testing.TestRows;

/** The page-views module end to end with the shipped playbooks, through the step protocol. */
class ITPageViewsJob {
  static final String ENTROPY = "_it";
  static final TableName EVENTS = new TableName("scratch", "events_staged" + ENTROPY);
  static final TableName PAGE_VIEWS = new TableName("derived", "page_views" + ENTROPY);
  static final TableName STAGED = new TableName("scratch", "page_views_staged" + ENTROPY);
  static final TableName THIS_RUN = new TableName("scratch", "page_views_this_run" + ENTROPY);
  static final TableName METADATA = new TableName("derived", "datamodel_metadata" + ENTROPY);

  @TempDir Path dir;
  DeltaStore store;
  final PageViewsJob job = new PageViewsJob(Clock.systemUTC());

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
    return PlaybookLoader.load(Path.of("../configs/page-views", file), vars);
  }

  StepReport main(String... overrides) {
    return job.run(SharedSpark.session(), playbook("01-page-views-main.yml", overrides));
  }

  void complete(String... overrides) {
    job.run(SharedSpark.session(), playbook("99-page-views-complete.yml", overrides));
  }

  void stage(Row... events) {
    store.createIfMissing(EVENTS, BaseTables.EVENTS_SCHEMA);
    store.append(EVENTS, TestRows.dataset(BaseTables.EVENTS_SCHEMA, List.of(events)));
  }

  List<Row> rows(TableName table, String key) {
    return TestRows.sorted(store.read(table), key);
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
  void mainWritesPageViewsStagesThemAndLogsAndCompleteRemovesTheEventsRead() {
    stage(
        pageView("a", "s1", "2021-03-01T10:00:00Z"),
        ping("a", "s1", "2021-03-01T10:00:12Z"),
        // a later copy of page view a: removed, counted in the metadata
        pageView("a", "s1", "2021-03-01T10:00:30Z", "event_id", "e-a2"),
        pageView("b", "s1", "2021-03-01T10:05:00Z"),
        pageView("bot", "s1", "2021-03-01T10:06:00Z", "useragent", "Googlebot/2.1"),
        pageView("c", "s2", "2021-03-02T09:00:00Z"));
    StepReport report = main();
    List<Row> expected =
        List.of(
            expected("a", "s1", 1, 2, "2021-03-01T10:00:00Z", "2021-03-01T10:00:12Z", 5, 12),
            expected("b", "s1", 2, 2, "2021-03-01T10:05:00Z", "2021-03-01T10:05:00Z", 0, 0),
            expected("c", "s2", 1, 1, "2021-03-02T09:00:00Z", "2021-03-02T09:00:00Z", 0, 0));
    assertThat(rows(PAGE_VIEWS, "page_view_id")).isEqualTo(expected);
    assertThat(rows(STAGED, "page_view_id")).isEqualTo(expected);
    assertThat(report.details())
        .contains(
            "1 page views of bots removed (ua_bot_filter)",
            "1 duplicate page view events removed (1 page_view_ids)");
    assertThat(store.read(METADATA).collectAsList())
        .extracting(ITPageViewsJob::metadataCounts)
        .containsExactly(
            RowFactory.create(
                "web",
                "page-views",
                3,
                "page_view_id",
                3,
                "start_tstamp",
                Instant.parse("2021-03-01T10:00:00Z"),
                Instant.parse("2021-03-02T09:00:00Z"),
                1,
                1));

    // An event staged while the run goes on survives complete; the events read do not.
    Row late = ping("c", "s2", "2021-03-02T09:00:40Z");
    stage(late);
    complete();
    assertThat(store.read(EVENTS).collectAsList()).containsExactly(late);
    assertThat(store.exists(THIS_RUN)).isFalse();
    assertThat(rows(STAGED, "page_view_id")).isEqualTo(expected);
  }

  @Test
  void aSecondRunReplacesPageViewsInTheWindowAndRestagesThemById() {
    stage(
        pageView("a", "s1", "2021-03-01T10:00:00Z"),
        pageView("old", "s0", "2020-01-01T10:00:00Z"),
        pageView("n", "s9", null));
    main();
    complete();
    // Run 2: page view a with a ping; "old" again with a start moved more than the 30-day lookback
    // later (reference P21); n (no start) again with a ping.
    stage(
        pageView("a", "s1", "2021-03-01T10:00:00Z"),
        ping("a", "s1", "2021-03-01T10:00:25Z"),
        pageView("old", "s0", "2021-03-01T09:00:00Z", "page_title", "again"),
        pageView("n", "s9", null),
        ping("n", "s9", "2021-03-01T12:00:00Z"));
    main();
    Row a = expected("a", "s1", 1, 1, "2021-03-01T10:00:00Z", "2021-03-01T10:00:25Z", 5, 25);
    Row oldFirst =
        expected("old", "s0", 1, 1, "2020-01-01T10:00:00Z", "2020-01-01T10:00:00Z", 0, 0);
    Row oldAgain =
        expected(
            "old",
            "s0",
            1,
            1,
            "2021-03-01T09:00:00Z",
            "2021-03-01T09:00:00Z",
            0,
            0,
            "page_title",
            "again");
    Row n = expected("n", "s9", 1, 1, null, "2021-03-01T12:00:00Z", 5, null);
    // DECISIONS 36: replaced inside the window and when the stored start is NULL; the stored row
    // older than the window stays beside the new one (the reference's lookback rule)
    assertThat(rows(PAGE_VIEWS, "page_view_id"))
        .containsExactlyInAnyOrder(a, n, oldFirst, oldAgain);
    // DECISIONS 36: page_views_staged replaces by id without a window
    assertThat(rows(STAGED, "page_view_id")).containsExactly(a, n, oldAgain);
  }

  @Test
  void aMissingRequiredColumnFailsNamingTableAndColumnAndWritesNothing() throws IOException {
    StructType withoutUseragent =
        new StructType(
            Arrays.stream(BaseTables.EVENTS_SCHEMA.fields())
                .filter(f -> !f.name().equals("useragent"))
                .toArray(StructField[]::new));
    store.createIfMissing(EVENTS, withoutUseragent);
    store.append(
        EVENTS,
        TestRows.dataset(
                BaseTables.EVENTS_SCHEMA, List.of(pageView("a", "s1", "2021-03-01T10:00:00Z")))
            .drop("useragent"));
    Map<String, Long> before = tableVersions();
    assertThatThrownBy(this::main)
        .isInstanceOf(WebModelException.class)
        .hasMessage("table scratch.events_staged_it lacks required column useragent");
    assertThat(tableVersions()).isEqualTo(before);
  }

  @Test
  void anEnrichmentFlagWithoutItsEntityColumnFailsNamingBothAndWritesNothing() throws IOException {
    StructType withoutYauaa =
        new StructType(
            Arrays.stream(BaseTables.EVENTS_SCHEMA.fields())
                .filter(f -> !f.name().equals(AtomicEvents.YAUAA.column()))
                .toArray(StructField[]::new));
    store.createIfMissing(EVENTS, withoutYauaa);
    Map<String, Long> before = tableVersions();
    assertThatThrownBy(() -> main("yauaa=true"))
        .isInstanceOf(WebModelException.class)
        .hasMessage(
            "table scratch.events_staged_it lacks column contexts_nl_basjes_yauaa_context_1,"
                + " which yauaa: true reads (set yauaa: false, or enable the enrichment upstream)");
    assertThat(tableVersions()).isEqualTo(before);
  }

  @Test
  void destroyDropsTheModuleButNotItsInputOrTheMetadata() throws IOException {
    stage(pageView("a", "s1", "2021-03-01T10:00:00Z"));
    main();
    job.run(SharedSpark.session(), playbook("XX-destroy-page-views.yml"));
    assertThat(tableVersions().keySet()).containsExactly(METADATA.toString(), EVENTS.toString());
  }
}
