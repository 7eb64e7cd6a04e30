package org.sparkwebmodel.base;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.sparkwebmodel.base.Events.at;
import static org.sparkwebmodel.base.Events.event;
import static org.sparkwebmodel.base.Events.events;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkwebmodel.common.config.Playbook;
import org.sparkwebmodel.common.config.PlaybookLoader;
import org.sparkwebmodel.common.delta.DeltaStore;
import org.sparkwebmodel.common.delta.EventsTable;
import org.sparkwebmodel.common.error.WebModelException;
import org.sparkwebmodel.common.table.TableName;
import org.sparkwebmodel.common.table.Warehouse;
import org.sparkwebmodel.common.testing.SharedSpark;
import org.sparkwebmodel.common.testing.TestRows;

/**
 * The base module end to end with the shipped playbooks: events loaded in the Lake Loader layout,
 * main and complete over several runs, the staged events, the manifests and the metadata rows.
 */
class ITBaseJob {
  static final TableName EVENTS = new TableName("atomic", "events");
  static final TableName STAGED = new TableName("scratch", "events_staged");
  static final TableName EVENT_MANIFEST = new TableName("derived", "base_event_id_manifest");
  static final TableName SESSION_MANIFEST = new TableName("derived", "base_session_id_manifest");
  static final TableName METADATA = new TableName("derived", "datamodel_metadata");

  @TempDir Path dir;
  DeltaStore store;
  final BaseJob job =
      new BaseJob(Clock.fixed(Instant.parse("2020-03-01T00:00:00Z"), ZoneOffset.UTC));

  @BeforeEach
  void setUp() {
    store = new DeltaStore(SharedSpark.session(), new Warehouse(dir.toString()));
  }

  Playbook playbook(String file, String... overrides) {
    Map<String, String> vars = new HashMap<>();
    vars.put("warehouse", dir.toString());
    vars.put("update_cadence_days", "1");
    for (String override : overrides) {
      String[] kv = override.split("=", 2);
      vars.put(kv[0], kv[1]);
    }
    return PlaybookLoader.load(Path.of("../configs/base", file), vars);
  }

  void run(String... overrides) {
    job.run(SharedSpark.session(), playbook("01-base-main.yml", overrides));
    job.run(SharedSpark.session(), playbook("99-base-complete.yml", overrides));
  }

  void load(Row... rows) {
    EventsTable.append(store, EVENTS, events(rows));
  }

  List<String> staged() {
    return store
        .read(STAGED)
        .select("event_id")
        .as(org.apache.spark.sql.Encoders.STRING())
        .collectAsList()
        .stream()
        .sorted()
        .toList();
  }

  /** The metadata row of the latest run: rows, distinct keys, min/max time, duplicates. */
  Row lastMetadata() {
    return store
        .read(METADATA)
        .orderBy(org.apache.spark.sql.functions.col("run_start_tstamp").desc())
        .select(
            "model",
            "module",
            "rows_this_run",
            "distinct_key",
            "distinct_key_count",
            "time_key",
            "min_time_key",
            "max_time_key",
            "duplicate_rows_removed",
            "distinct_keys_removed")
        .first();
  }

  @Test
  void runsWalkForwardThroughCollectorTimeAndStageWholeSessions() {
    load(
        // s1 starts in run 1 (window [2019-12-31 18:00, 2020-01-02 00:00]) and continues in run 2
        event("a1", "s1", "2020-01-01T10:00:00Z", "event_name", "page_view", "page_view_id", "p1"),
        event("a2", "s1", "2020-01-01T10:00:10Z", "page_view_id", "p1"),
        // duplicated event_id: the earlier copy stays (DECISIONS 25)
        event("a3", "s1", "2020-01-01T11:00:00Z", "app_id", "first"),
        event("a3", "s1", "2020-01-01T11:00:05Z", "app_id", "second"),
        // the window's upper bound is inclusive
        event("b1", "s2", "2020-01-02T00:00:00Z"),
        // no session: never staged
        event("n1", null, "2020-01-01T12:00:00Z"),
        // run 2 (window [2020-01-01 18:00, 2020-01-03 00:00]): s1 continues, s3 starts
        event("a4", "s1", "2020-01-02T09:00:00Z"),
        event("c1", "s3", "2020-01-02T10:00:00Z"),
        // alone in its session and sent 4 day boundaries after creation: never new
        event("l1", "s4", "2020-01-02T11:00:00Z", "dvce_created_tstamp", "2019-12-29T11:00:00Z"));

    run();
    assertThat(staged()).containsExactly("a1", "a2", "a3", "b1");
    assertThat(
            store
                .read(STAGED)
                .where("event_id = 'a3'")
                .select("app_id", "page_view_id")
                .collectAsList())
        .containsExactly(RowFactory.create("first", null));
    assertThat(
            store.read(STAGED).where("event_id = 'a1'").select("page_view_id").first().getString(0))
        .isEqualTo("p1");
    assertThat(lastMetadata())
        .isEqualTo(
            RowFactory.create(
                "web",
                "base",
                4,
                "event_id",
                4,
                "collector_tstamp",
                at("2020-01-01T10:00:00Z"),
                at("2020-01-02T00:00:00Z"),
                1,
                1));
    // Every copy is recorded, and the seed (DECISIONS 24, §4.12).
    assertThat(TestRows.sorted(store.read(EVENT_MANIFEST), "event_id").size()).isEqualTo(6);
    assertThat(TestRows.sorted(store.read(SESSION_MANIFEST), "session_id"))
        .containsExactly(
            RowFactory.create("s1", at("2020-01-01T10:00:00Z")),
            RowFactory.create("s2", at("2020-01-02T00:00:00Z")),
            RowFactory.create("seed", at("2020-01-01T00:00:00Z")));

    // Run 2: s1 is re-read from its first-seen time, whole (staged rows replaced by event_id).
    run();
    assertThat(staged()).containsExactly("a1", "a2", "a3", "a4", "b1", "c1");
    assertThat(lastMetadata().getInt(2)).isEqualTo(5);
    assertThat(lastMetadata().get(8)).isEqualTo(1);
    assertThat(
            TestRows.sorted(
                store.read(SESSION_MANIFEST).where("session_id in ('s1', 's3')"), "session_id"))
        .containsExactly(
            RowFactory.create("s1", at("2020-01-01T10:00:00Z")),
            RowFactory.create("s3", at("2020-01-02T10:00:00Z")));

    // Run 3: nothing new in the window; the late-device event alone never triggers its session.
    run();
    assertThat(lastMetadata())
        .isEqualTo(
            RowFactory.create(
                "web", "base", 0, "event_id", 0, "collector_tstamp", null, null, 0, 0));
    assertThat(staged()).doesNotContain("l1");
  }

  @Test
  void aGapLongerThanTheCadenceIsSkippedNotAStall() {
    // Data starts 20 days after start_date: the reference never gets there (#128, P12).
    load(event("g1", "s1", "2020-01-21T10:00:00Z"), event("g2", "s1", "2020-01-21T10:05:00Z"));

    run();

    assertThat(staged()).containsExactly("g1", "g2");
  }

  @Test
  void eventsAreReadFromAPathAndNeverWritten() {
    TableName elsewhere = new TableName("lake", "events");
    Path lake = dir.resolve("lake-events");
    DeltaStore lakeStore =
        new DeltaStore(
            SharedSpark.session(), new Warehouse(dir.toString()).with(elsewhere, lake.toString()));
    EventsTable.append(lakeStore, elsewhere, events(event("e1", "s1", "2020-01-01T10:00:00Z")));
    long version = lakeStore.version(elsewhere);

    run("events=" + lake);

    assertThat(staged()).containsExactly("e1");
    assertThat(lakeStore.version(elsewhere)).isEqualTo(version);
  }

  @Test
  void anEventsTableWithoutARequiredColumnFailsBeforeAnythingIsWritten() {
    store
        .spark()
        .createDataFrame(
            List.of(RowFactory.create("e1")),
            org.apache.spark.sql.types.StructType.fromDDL("event_id STRING"))
        .write()
        .format("delta")
        .save(store.location(EVENTS));

    assertThatThrownBy(() -> job.run(SharedSpark.session(), playbook("01-base-main.yml")))
        .isInstanceOf(WebModelException.class)
        .hasMessage(
            "events table atomic.events ("
                + store.location(EVENTS)
                + ") lacks column app_id STRING (the Snowplow Lake Loader layout); nothing was"
                + " written");
    assertThat(store.exists(EVENT_MANIFEST)).isFalse();
    assertThat(store.exists(STAGED)).isFalse();
    assertThat(store.exists(METADATA)).isFalse();
  }

  @Test
  void aMissingEventsTableIsNamedWithWhatToDo() {
    assertThatThrownBy(() -> job.run(SharedSpark.session(), playbook("01-base-main.yml")))
        .isInstanceOf(WebModelException.class)
        .hasMessageContaining("atomic.events")
        .hasMessageContaining("load atomic.events FILE.tsv");
  }
}
