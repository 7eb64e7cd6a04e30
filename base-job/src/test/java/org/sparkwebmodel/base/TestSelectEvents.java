package org.sparkwebmodel.base;

import static org.assertj.core.api.Assertions.assertThat;
import static org.sparkwebmodel.base.Events.at;
import static org.sparkwebmodel.base.Events.event;
import static org.sparkwebmodel.base.Events.events;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.sparkwebmodel.common.table.AtomicEvents;
import org.sparkwebmodel.common.testing.TestRows;

/** The base module's pure transforms against DECISIONS 22–25 and reference §4.4–4.9. */
class TestSelectEvents {
  static final StructType MANIFEST = BaseTables.EVENT_ID_MANIFEST.schema();
  static final StructType SESSIONS = BaseTables.SESSION_ID_MANIFEST.schema();

  static List<String> ids(Dataset<Row> rows) {
    return rows
        .select("event_id")
        .as(org.apache.spark.sql.Encoders.STRING())
        .collectAsList()
        .stream()
        .sorted()
        .toList();
  }

  @Test
  void newEventsLieInTheInclusiveWindowAndAreSentInTime() {
    Dataset<Row> events =
        events(
            // at the lower bound and at the upper bound: new (both inclusive)
            event("lower", "s1", "2020-01-01T00:00:00Z"),
            event("upper", "s1", "2020-01-08T06:00:00Z"),
            // a microsecond outside either bound: not new
            event("below", "s1", "2019-12-31T23:59:59.999999Z"),
            event("above", "s1", "2020-01-08T06:00:00.000001Z"),
            // no session: never new
            event("nosession", null, "2020-01-02T00:00:00Z"),
            // created 23:59, sent 3 midnights later: 3 day boundaries, new
            event(
                "late3",
                "s2",
                "2020-01-04T00:01:00Z",
                "dvce_created_tstamp",
                "2020-01-01T23:59:00Z",
                "dvce_sent_tstamp",
                "2020-01-04T00:01:00Z"),
            // 4 day boundaries though less than 4 x 24 h: not new
            event(
                "late4",
                "s2",
                "2020-01-05T00:01:00Z",
                "dvce_created_tstamp",
                "2020-01-01T23:59:00Z",
                "dvce_sent_tstamp",
                "2020-01-05T00:01:00Z"),
            // sent before created: new; no sent time: not new
            event(
                "early", "s3", "2020-01-02T00:00:00Z", "dvce_sent_tstamp", "2020-01-01T00:00:00Z"),
            event("unsent", "s3", "2020-01-02T00:00:00Z", "dvce_sent_tstamp", null),
            // in the manifest at another collector time (id only, DECISIONS 24): not new
            event("seen", "s4", "2020-01-03T00:00:00Z"),
            // in the manifest, but that row lies before the lower bound: new again
            event("old", "s4", "2020-01-03T00:00:00Z"));
    Dataset<Row> manifest =
        TestRows.json(
            MANIFEST,
            "{'event_id': 'seen', 'collector_tstamp': '2020-01-02T00:00:00Z'}",
            "{'event_id': 'old', 'collector_tstamp': '2019-12-30T00:00:00Z'}");

    Dataset<Row> fresh =
        SelectEvents.newEvents(
            events, manifest, at("2020-01-01T00:00:00Z"), at("2020-01-08T06:00:00Z"), 3);

    assertThat(ids(fresh)).containsExactly("early", "late3", "lower", "old", "upper");
  }

  @Test
  void sessionsAreIncludedFromTheirFirstSeenTimeUnlessFrozen() {
    Dataset<Row> fresh =
        events(
            // known since 2020-01-01 23:00, newest new event 3 midnights later: included from then
            event("a1", "known3", "2020-01-04T01:00:00Z"),
            // known since 2020-01-01 23:00, newest new event 4 midnights later: frozen (§4.5)
            event("b1", "known4", "2020-01-03T01:00:00Z"),
            event("b2", "known4", "2020-01-05T00:30:00Z"),
            // unknown: included from its earliest new event, however long it lasts
            event("c1", "fresh", "2020-01-02T00:00:00Z"),
            event("c2", "fresh", "2020-01-09T00:00:00Z"),
            // first seen before the session lookback limit: treated as unknown
            event("d1", "forgotten", "2020-01-04T00:00:00Z"));
    Dataset<Row> manifest =
        TestRows.json(
            SESSIONS,
            "{'session_id': 'known3', 'min_tstamp': '2020-01-01T23:00:00Z'}",
            "{'session_id': 'known4', 'min_tstamp': '2020-01-01T23:00:00Z'}",
            "{'session_id': 'forgotten', 'min_tstamp': '2019-01-01T00:00:00Z'}");

    Dataset<Row> included =
        SelectEvents.sessionsToInclude(fresh, manifest, at("2019-06-01T00:00:00Z"), 3);

    assertThat(TestRows.sorted(included, "session_id"))
        .containsExactly(
            RowFactory.create("forgotten", at("2020-01-04T00:00:00Z")),
            RowFactory.create("fresh", at("2020-01-02T00:00:00Z")),
            RowFactory.create("known3", at("2020-01-01T23:00:00Z")));
  }

  @Test
  void oneCopyOfEachEventIsKeptByTheStatedOrderWithItsPageViewId() {
    Dataset<Row> batch =
        events(
            // the earliest collector_tstamp wins
            event("e1", "s1", "2020-01-02T00:00:02Z", "page_view_id", "late-copy"),
            event("e1", "s1", "2020-01-02T00:00:01Z", "page_view_id", "early-copy"),
            // same collector time: the earliest dvce_created_tstamp wins, a NULL one last
            event(
                "e2",
                "s1",
                "2020-01-02T00:00:00Z",
                "dvce_created_tstamp",
                null,
                "page_view_id",
                "null-created"),
            event(
                "e2",
                "s1",
                "2020-01-02T00:00:00Z",
                "dvce_created_tstamp",
                "2020-01-01T23:00:00Z",
                "page_view_id",
                "created-first"),
            // then the smallest event_fingerprint
            event(
                "e3",
                "s1",
                "2020-01-02T00:00:00Z",
                "event_fingerprint",
                "b",
                "page_view_id",
                "fp-b"),
            event(
                "e3",
                "s1",
                "2020-01-02T00:00:00Z",
                "event_fingerprint",
                "a",
                "page_view_id",
                "fp-a"),
            // then the whole row: app_id 'a' before 'b'
            event("e4", "s1", "2020-01-02T00:00:00Z", "app_id", "b", "page_view_id", "app-b"),
            event("e4", "s1", "2020-01-02T00:00:00Z", "app_id", "a", "page_view_id", "app-a"),
            // a single event without a web_page entity: page_view_id NULL
            event("e5", "s1", "2020-01-02T00:00:00Z"));

    Dataset<Row> kept = SelectEvents.deduplicate(batch);

    assertThat(TestRows.columns(kept.schema()))
        .isEqualTo(TestRows.columns(BaseTables.EVENTS_SCHEMA));
    assertThat(TestRows.sorted(kept.select("event_id", "page_view_id"), "event_id"))
        .containsExactly(
            RowFactory.create("e1", "early-copy"),
            RowFactory.create("e2", "created-first"),
            RowFactory.create("e3", "fp-a"),
            RowFactory.create("e4", "app-a"),
            RowFactory.create("e5", null));
  }

  @Test
  void thePageViewIdIsTheFirstWebPageEntityAndEnrichmentsKeepTheirDeclaredFields() {
    // An events table whose YAUAA entity has a field the model does not read and lacks
    // agent_class: the staged column has exactly the declared fields, the missing one NULL.
    StructType yauaa =
        StructType.fromDDL("device_class STRING, agent_name STRING, webview_app_name STRING");
    StructType schema =
        AtomicEvents.withEntities(AtomicEvents.ATOMIC, List.of(AtomicEvents.WEB_PAGE))
            .add(
                AtomicEvents.YAUAA.column(), new org.apache.spark.sql.types.ArrayType(yauaa, true));
    Row base = event("e1", "s1", "2020-01-02T00:00:00Z");
    java.util.Map<String, Object> values = new java.util.HashMap<>();
    for (String column : AtomicEvents.ATOMIC.fieldNames()) {
      values.put(column, base.get(AtomicEvents.TABLE.fieldIndex(column)));
    }
    values.put(
        AtomicEvents.WEB_PAGE.column(),
        List.of(RowFactory.create("first"), RowFactory.create("second")));
    values.put(
        AtomicEvents.YAUAA.column(), List.of(RowFactory.create("Desktop", "Chrome", "none")));
    Dataset<Row> kept =
        SelectEvents.deduplicate(TestRows.dataset(schema, List.of(TestRows.row(schema, values))));

    Row row = kept.first();
    assertThat(row.<String>getAs("page_view_id")).isEqualTo("first");
    assertThat(row.<Object>getAs(AtomicEvents.IAB.column())).isNull();
    Row entity = row.<Row>getList(row.fieldIndex(AtomicEvents.YAUAA.column())).get(0);
    assertThat(entity.schema().fieldNames())
        .containsExactly(AtomicEvents.YAUAA.fields().fieldNames());
    assertThat(entity.<String>getAs("device_class")).isEqualTo("Desktop");
    assertThat(entity.<String>getAs("agent_name")).isEqualTo("Chrome");
    assertThat(entity.<String>getAs("agent_class")).isNull();
  }
}
