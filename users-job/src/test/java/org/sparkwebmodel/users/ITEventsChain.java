package org.sparkwebmodel.users;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.sum;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkwebmodel.common.config.Playbook;
import org.sparkwebmodel.common.config.RunFile;
import org.sparkwebmodel.common.csv.EnrichedTsv;
import org.sparkwebmodel.common.delta.DeltaStore;
import org.sparkwebmodel.common.step.Modules;
import org.sparkwebmodel.common.table.TableName;
import org.sparkwebmodel.common.table.Warehouse;
import org.sparkwebmodel.common.testing.SharedSpark;
import org.sparkwebmodel.common.testing.TestRows;

/**
 * The whole chain from enriched TSV events loaded as {@code load atomic.events FILE} loads them
 * (configs/run.yml: base, page views, sessions, users, the example custom step, the completes) over
 * four incremental runs with a one-day cadence: a session spanning two runs, a bot page view,
 * pings, a gap longer than the cadence (no stall, DECISIONS 28) and an empty run. After every run
 * the sessions agree with the page views they were made of.
 */
class ITEventsChain {
  static final TableName EVENTS = new TableName("atomic", "events");
  static final TableName PAGE_VIEWS = new TableName("derived", "page_views");
  static final TableName SESSIONS = new TableName("derived", "sessions");
  static final TableName USERS = new TableName("derived", "users");
  static final TableName METADATA = new TableName("derived", "datamodel_metadata");

  @TempDir Path dir;
  DeltaStore store;

  @BeforeEach
  void setUp() {
    store = new DeltaStore(SharedSpark.session(), new Warehouse(dir.toString()));
  }

  /**
   * An enriched event of {@code user}'s session {@code sid} at {@code at} (collector, device and
   * derived time alike), of page view {@code pv}: its TSV fields by name (the rest empty).
   */
  static Map<String, String> event(
      String id, String name, String sid, String user, String pv, String at, String url) {
    Map<String, String> values = new HashMap<>();
    values.put("event_id", id);
    values.put("event_name", name);
    values.put("domain_sessionid", sid);
    values.put("domain_userid", user);
    values.put("network_userid", "n-" + user);
    values.put("domain_sessionidx", "1");
    String tsv = at.replace('T', ' ').replace("Z", "");
    for (String time :
        List.of("collector_tstamp", "dvce_created_tstamp", "dvce_sent_tstamp", "derived_tstamp")) {
      values.put(time, tsv);
    }
    values.put("v_collector", "ssc-2.0.0");
    values.put("v_etl", "enrich-3.0.0");
    values.put("useragent", "Mozilla/5.0");
    if (url != null) {
      values.put("page_url", url);
    }
    values.put(
        EnrichedTsv.CONTEXTS,
        "{\"schema\":\"iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0\",\"data\":"
            + "[{\"schema\":\"iglu:com.snowplowanalytics.snowplow/web_page/jsonschema/1-0-0\","
            + "\"data\":{\"id\":\""
            + pv
            + "\"}}]}");
    return values;
  }

  static Map<String, String> view(
      String id, String sid, String user, String pv, String at, String url) {
    return event(id, "page_view", sid, user, pv, at, url);
  }

  static Map<String, String> ping(String id, String sid, String user, String pv, String at) {
    return event(id, "page_ping", sid, user, pv, at, null);
  }

  /** Writes the events as an enriched TSV file and loads it as `load atomic.events FILE` does. */
  void load(List<Map<String, String>> events) throws java.io.IOException {
    Path file = dir.resolve("events.tsv");
    java.nio.file.Files.write(
        file,
        events.stream()
            .map(
                values ->
                    EnrichedTsv.FIELDS.stream()
                        .map(field -> values.getOrDefault(field, ""))
                        .collect(java.util.stream.Collectors.joining("\t")))
            .toList());
    EnrichedTsv.load(store, EVENTS, file.toString(), Instant.parse("2020-02-01T00:00:00Z"));
  }

  static Map<String, String> bot(Map<String, String> event) {
    Map<String, String> values = new HashMap<>(event);
    values.put("useragent", "Googlebot/2.1");
    return values;
  }

  void run() {
    RunFile run =
        RunFile.load(
            Path.of("../configs/run.yml"),
            Map.of("warehouse", dir.toString(), "update_cadence_days", "1"));
    for (RunFile.Entry entry : run.steps()) {
      Playbook playbook = entry.playbook();
      Modules.named(playbook.module(), playbook.source()).run(SharedSpark.session(), playbook);
    }
  }

  /** Every session's page views and engaged time equal the sums over its rows of page_views. */
  void assertSessionsAgreeWithPageViews() {
    Dataset<Row> fromPageViews =
        store
            .read(PAGE_VIEWS)
            .groupBy("domain_sessionid")
            .agg(
                count("page_view_id").cast("int").as("page_views"),
                sum("engaged_time_in_s").cast("int").as("engaged_time_in_s"));
    assertThat(
            TestRows.sorted(
                store.read(SESSIONS).select("domain_sessionid", "page_views", "engaged_time_in_s"),
                "domain_sessionid"))
        .isEqualTo(TestRows.sorted(fromPageViews, "domain_sessionid"));
  }

  /** (module, rows_this_run) of the metadata rows, in run order. */
  List<String> metadata() {
    List<String> rows = new ArrayList<>();
    for (Row row :
        store
            .read(METADATA)
            .orderBy(col("run_id"), col("run_start_tstamp"))
            .select("module", "rows_this_run")
            .collectAsList()) {
      rows.add(row.getString(0) + " " + row.getInt(1));
    }
    return rows;
  }

  @Test
  void pageViewsSessionsAndUsersFromEventsOverIncrementalRuns() throws java.io.IOException {
    load(
        List.of(
            // s1 of u1: two page views on day 1 (run 1), a third on day 2 (run 2)
            view("e1", "s1", "u1", "p1", "2020-01-01T10:00:00Z", "https://a.com/a"),
            ping("e2", "s1", "u1", "p1", "2020-01-01T10:00:15Z"),
            ping("e3", "s1", "u1", "p1", "2020-01-01T10:00:27Z"),
            view("e4", "s1", "u1", "p2", "2020-01-01T10:01:00Z", "https://a.com/b"),
            view("e5", "s1", "u1", "p3", "2020-01-02T09:00:00Z", "https://a.com/c"),
            ping("e6", "s1", "u1", "p3", "2020-01-02T09:00:12Z"),
            // s2 of u2: a bot page view (dropped, no index consumed), then a real one
            bot(view("e7", "s2", "u2", "p4", "2020-01-01T12:00:00Z", "https://a.com/x")),
            view("e8", "s2", "u2", "p5", "2020-01-01T12:00:30Z", "https://a.com/d"),
            ping("e9", "s2", "u2", "p5", "2020-01-01T12:00:41Z"),
            // s3 of u1, after a gap of a week: reached without a stall (run 3)
            view("e10", "s3", "u1", "p6", "2020-01-10T08:00:00Z", "https://a.com/e")));

    run();
    assertSessionsAgreeWithPageViews();
    assertThat(
            TestRows.sorted(
                store
                    .read(PAGE_VIEWS)
                    .select(
                        "page_view_id",
                        "domain_sessionid",
                        "page_view_in_session_index",
                        "page_views_in_session",
                        "end_tstamp",
                        "engaged_time_in_s",
                        "absolute_time_in_s"),
                "page_view_id"))
        .containsExactly(
            // heartbeat buckets ...:10 and ...:20 of the pings: 10 x (2 - 1) + 5
            RowFactory.create("p1", "s1", 1, 2, Instant.parse("2020-01-01T10:00:27Z"), 15, 27),
            // no ping: engaged 0, end = start
            RowFactory.create("p2", "s1", 2, 2, Instant.parse("2020-01-01T10:01:00Z"), 0, 0),
            RowFactory.create("p5", "s2", 1, 1, Instant.parse("2020-01-01T12:00:41Z"), 5, 11));

    // Run 2: s1 is processed again, whole: three page views, p1 and p2 renumbered in place.
    run();
    assertSessionsAgreeWithPageViews();
    assertThat(
            TestRows.sorted(
                store
                    .read(PAGE_VIEWS)
                    .where("domain_sessionid = 's1'")
                    .select("page_view_id", "page_views_in_session", "engaged_time_in_s"),
                "page_view_id"))
        .containsExactly(
            RowFactory.create("p1", 3, 15),
            RowFactory.create("p2", 3, 0),
            RowFactory.create("p3", 3, 5));

    // Run 3 skips the gap to s3; run 4 finds nothing.
    run();
    run();
    assertSessionsAgreeWithPageViews();
    assertThat(
            TestRows.sorted(
                store
                    .read(SESSIONS)
                    .select("domain_sessionid", "domain_userid", "page_views", "engaged_time_in_s"),
                "domain_sessionid"))
        .containsExactly(
            RowFactory.create("s1", "u1", 3, 20),
            RowFactory.create("s2", "u2", 1, 5),
            RowFactory.create("s3", "u1", 1, 0));
    assertThat(
            TestRows.sorted(
                store
                    .read(USERS)
                    .select("domain_userid", "sessions", "page_views", "engaged_time_in_s"),
                "domain_userid"))
        .containsExactly(RowFactory.create("u1", 2, 4, 20), RowFactory.create("u2", 1, 1, 5));
    // One metadata row per module and run: events of the included sessions, page views, sessions
    // and users of each batch.
    assertThat(metadata())
        .containsExactly(
            "base 7",
            "page-views 3",
            "sessions 2",
            "users 2",
            "base 6",
            "page-views 3",
            "sessions 1",
            "users 1",
            "base 1",
            "page-views 1",
            "sessions 1",
            "users 1",
            "base 0",
            "page-views 0",
            "sessions 0",
            "users 0");
    assertThat(store.read(new TableName("scratch", "events_staged")).count()).isZero();
  }
}
