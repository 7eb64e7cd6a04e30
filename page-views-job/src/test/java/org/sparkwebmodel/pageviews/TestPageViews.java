package org.sparkwebmodel.pageviews;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.sparkwebmodel.base.BaseTables;
import org.sparkwebmodel.common.config.Variables;
import org.sparkwebmodel.common.error.WebModelException;
import org.sparkwebmodel.common.table.AtomicEvents;
import org.sparkwebmodel.common.table.Schemas;
import org.sparkwebmodel.common.table.TableName;
import org.sparkwebmodel.common.testing.TestRows;

/**
 * The page-views transform on inline events (most columns NULL), one test per rule of DECISIONS.md
 * 29–35; each expected row says which decision it pins.
 */
class TestPageViews {
  static final String BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0";

  /** The defaults of §8.2: minimumVisitLength 5, heartbeat 10, bot filter on, enrichments off. */
  static final Variables.PageViews DEFAULTS =
      new Variables.PageViews(5, 10, true, false, false, false);

  private static final AtomicInteger PINGS = new AtomicInteger();

  /** An event of {@code events_staged}; {@code more} adds or overrides columns. */
  static Row event(Map<String, Object> values, Object... more) {
    Map<String, Object> all = new HashMap<>(values);
    for (int i = 0; i < more.length; i += 2) {
      all.put((String) more[i], more[i + 1]);
    }
    return TestRows.row(BaseTables.EVENTS_SCHEMA, all);
  }

  /** A page_view event of page view {@code id} in session {@code sid}, event_id {@code e-<id>}. */
  static Row pageView(String id, String sid, String derived, Object... more) {
    Map<String, Object> values = new HashMap<>();
    values.put("event_id", "e-" + id);
    values.put("event_name", "page_view");
    values.put("page_view_id", id);
    values.put("domain_sessionid", sid);
    values.put("derived_tstamp", derived);
    values.put("useragent", BROWSER);
    return event(values, more);
  }

  /** A page_ping event of page view {@code id} in session {@code sid}. */
  static Row ping(String id, String sid, String derived, Object... more) {
    Map<String, Object> values = new HashMap<>();
    values.put("event_id", "ping-" + PINGS.incrementAndGet());
    values.put("event_name", "page_ping");
    values.put("page_view_id", id);
    values.put("domain_sessionid", sid);
    values.put("derived_tstamp", derived);
    values.put("useragent", BROWSER);
    return event(values, more);
  }

  /** The page view expected from {@link #pageView} with the given computed columns. */
  static Row expected(
      String id,
      String sid,
      int index,
      int inSession,
      String start,
      String end,
      int engaged,
      Integer absolute,
      Object... more) {
    Map<String, Object> values = new HashMap<>();
    values.put("page_view_id", id);
    values.put("event_id", "e-" + id);
    values.put("domain_sessionid", sid);
    values.put("page_view_in_session_index", index);
    values.put("page_views_in_session", inSession);
    values.put("derived_tstamp", start);
    values.put("start_tstamp", start);
    values.put("end_tstamp", end);
    values.put("engaged_time_in_s", engaged);
    values.put("absolute_time_in_s", absolute);
    values.put("useragent", BROWSER);
    for (int i = 0; i < more.length; i += 2) {
      values.put((String) more[i], more[i + 1]);
    }
    return TestRows.row(Schemas.PAGE_VIEWS, values);
  }

  static Dataset<Row> events(Row... events) {
    return TestRows.dataset(BaseTables.EVENTS_SCHEMA, List.of(events));
  }

  static List<Row> pageViews(Variables.PageViews rules, Row... events) {
    Dataset<Row> out = PageViews.apply(events(events), rules);
    assertThat(TestRows.columns(out.schema())).isEqualTo(TestRows.columns(Schemas.PAGE_VIEWS));
    return TestRows.sorted(out, "page_view_id");
  }

  static List<Row> pageViews(Row... events) {
    return pageViews(DEFAULTS, events);
  }

  static Variables.PageViews rules(
      boolean botFilter, boolean iab, boolean uaParser, boolean yauaa) {
    return new Variables.PageViews(5, 10, botFilter, iab, uaParser, yauaa);
  }

  @Test
  void everyPassThroughColumnIsThePageViewEventsOwn() {
    Map<String, Object> values = new HashMap<>();
    for (String column : PageViews.FROM_EVENT) {
      values.put(
          column,
          switch (BaseTables.EVENTS_SCHEMA.apply(column).dataType().typeName()) {
            case "integer" -> 100 + column.length();
            case "double" -> 0.5 + column.length();
            case "timestamp" -> "2021-03-01T10:00:0" + (column.length() % 10) + "Z";
            default -> column + "-value";
          });
    }
    values.put("event_name", "page_view");
    values.put("useragent", BROWSER);
    Row event = event(values);
    Row out = pageViews(event).get(0);
    for (String column : PageViews.FROM_EVENT) {
      assertThat(out.<Object>getAs(column))
          .as(column)
          .isEqualTo(event.get(BaseTables.EVENTS_SCHEMA.fieldIndex(column)));
    }
  }

  @Test
  void botsAreDroppedByCaseSensitiveSubstringButANullUseragentIsKept() {
    Row[] events = {
      pageView("a", "s1", "2021-03-01T10:00:00Z"),
      pageView("b", "s1", "2021-03-01T10:01:00Z", "useragent", null),
      pageView("c", "s1", "2021-03-01T10:02:00Z", "useragent", "MyCrawlerBot/1.0"),
      pageView(
          "d",
          "s1",
          "2021-03-01T10:03:00Z",
          "useragent",
          "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)"),
      pageView("e", "s1", "2021-03-01T10:04:00Z")
    };
    String t = "2021-03-01T10:0";
    assertThat(pageViews(events))
        .containsExactly(
            expected("a", "s1", 1, 4, t + "0:00Z", t + "0:00Z", 0, 0),
            // DECISIONS 29: a NULL useragent is not a bot (Redshift drops it)
            expected("b", "s1", 2, 4, t + "1:00Z", t + "1:00Z", 0, 0, "useragent", null),
            // DECISIONS 29: case-sensitive, so Crawler and Bot are no bot tokens
            expected(
                "c", "s1", 3, 4, t + "2:00Z", t + "2:00Z", 0, 0, "useragent", "MyCrawlerBot/1.0"),
            // d dropped (bot inside robot) and does not consume an index (DECISIONS 31)
            expected("e", "s1", 4, 4, t + "4:00Z", t + "4:00Z", 0, 0));
    // DECISIONS 29: ua_bot_filter false keeps the bot
    assertThat(pageViews(rules(false, false, false, false), events))
        .extracting(r -> r.getAs("page_view_id") + "#" + r.getAs("page_view_in_session_index"))
        .containsExactly("a#1", "b#2", "c#3", "d#4", "e#5");
  }

  @Test
  void onlyPageViewEventsWithAPageViewIdArePageViews() {
    assertThat(
            pageViews(
                pageView("a", "s1", "2021-03-01T10:00:00Z"),
                // no web_page entity
                pageView(null, "s1", "2021-03-01T10:01:00Z", "event_id", "e-null"),
                // another event type carrying a page view id
                pageView("b", "s1", "2021-03-01T10:02:00Z", "event_name", "link_click")))
        .containsExactly(
            expected("a", "s1", 1, 1, "2021-03-01T10:00:00Z", "2021-03-01T10:00:00Z", 0, 0));
  }

  @Test
  void duplicatePageViewIdsKeepTheEarliestThenTheSmallestEventIdBeforeNumbering() {
    List<Row> out =
        pageViews(
            // a: two copies at the same time and one without a time; e-a1 wins the tie
            pageView("a", "s1", "2021-03-01T10:00:00Z", "event_id", "e-a2"),
            pageView("a", "s1", "2021-03-01T10:00:00Z", "event_id", "e-a1"),
            pageView("a", "s1", null, "event_id", "e-a0"),
            // b: a copy in s1 and an earlier one in s2; the s2 copy wins, s1 loses it
            pageView("b", "s1", "2021-03-01T10:05:00Z", "event_id", "e-b1"),
            pageView("b", "s2", "2021-03-01T10:02:00Z", "event_id", "e-b2"),
            pageView("c", "s1", "2021-03-01T10:10:00Z"));
    assertThat(out)
        .containsExactly(
            // DECISIONS 30: earliest derived_tstamp, ties by smallest event_id, NULLs last
            expected(
                "a",
                "s1",
                1,
                2,
                "2021-03-01T10:00:00Z",
                "2021-03-01T10:00:00Z",
                0,
                0,
                "event_id",
                "e-a1"),
            // DECISIONS 30: over the whole batch, across sessions
            expected(
                "b",
                "s2",
                1,
                1,
                "2021-03-01T10:02:00Z",
                "2021-03-01T10:02:00Z",
                0,
                0,
                "event_id",
                "e-b2"),
            // kept before numbering: no gap in s1's indexes (DECISIONS 30, 31)
            expected("c", "s1", 2, 2, "2021-03-01T10:10:00Z", "2021-03-01T10:10:00Z", 0, 0));
  }

  @Test
  void inputQualityCountsEventsBotsAndDuplicatesInOnePass() {
    Dataset<Row> events =
        events(
            pageView("a", "s1", "2021-03-01T10:00:00Z", "event_id", "e-a1"),
            pageView("a", "s1", "2021-03-01T10:00:01Z", "event_id", "e-a2"),
            pageView("a", "s1", "2021-03-01T10:00:02Z", "event_id", "e-a3"),
            pageView("b", "s1", "2021-03-01T10:01:00Z", "event_id", "e-b1"),
            pageView("b", "s2", "2021-03-01T10:01:00Z", "event_id", "e-b2"),
            pageView("c", "s1", "2021-03-01T10:02:00Z"),
            // a bot copy of c: not a duplicate, the bot filter drops it first
            pageView(
                "c", "s1", "2021-03-01T10:03:00Z", "event_id", "e-c2", "useragent", "Googlebot"),
            ping("a", "s1", "2021-03-01T10:00:30Z"),
            ping("a", "s1", "2021-03-01T10:00:40Z"));
    // DECISIONS 30 (metadata as 25): copies removed beyond the one kept, ids with more than one
    // copy
    assertThat(PageViews.inputQuality(events, DEFAULTS).collectAsList())
        .containsExactly(RowFactory.create(9L, 6L, 1L, 3L, 2L));
    // Without the bot filter the bot copy of c is a duplicate.
    assertThat(PageViews.inputQuality(events, rules(false, false, false, false)).collectAsList())
        .containsExactly(RowFactory.create(9L, 7L, 0L, 4L, 3L));
    // None: 0, not NULL (DECISIONS 30, P15).
    assertThat(PageViews.inputQuality(events(), DEFAULTS).collectAsList())
        .containsExactly(RowFactory.create(0L, 0L, 0L, 0L, 0L));
  }

  @Test
  void pageViewsAreNumberedByTimeThenPageViewIdWithNullTimesLast() {
    String t = "2021-03-01T10:00:00Z";
    assertThat(
            pageViews(
                pageView("c", "s1", null),
                pageView("b", "s1", t),
                pageView("a", "s1", t),
                pageView("z", "s2", "2021-03-01T09:00:00Z")))
        .containsExactly(
            // DECISIONS 31: a tie on derived_tstamp goes by page_view_id
            expected("a", "s1", 1, 3, t, t, 0, 0),
            expected("b", "s1", 2, 3, t, t, 0, 0),
            // DECISIONS 31: NULL derived_tstamp last; no start, no end, no absolute time
            expected("c", "s1", 3, 3, null, null, 0, null),
            expected("z", "s2", 1, 1, "2021-03-01T09:00:00Z", "2021-03-01T09:00:00Z", 0, 0));
  }

  @Test
  void engagedTimeCountsDistinctHeartbeatBucketsOfThePings() {
    assertThat(
            pageViews(
                // §6.5's worked example: buckets ...0, ...1, ...2, ...2
                pageView("a", "s1", "2021-03-01T10:00:00.000Z"),
                ping("a", "s1", "2021-03-01T10:00:05.300Z"),
                ping("a", "s1", "2021-03-01T10:00:15.100Z"),
                ping("a", "s1", "2021-03-01T10:00:25.900Z"),
                ping("a", "s1", "2021-03-01T10:00:29.000Z"),
                // one bucket: the minimum visit length
                pageView("b", "s1", "2021-03-01T11:00:00Z"),
                ping("b", "s1", "2021-03-01T11:00:01Z"),
                ping("b", "s1", "2021-03-01T11:00:09Z"),
                // the same 8 seconds across a bucket boundary
                pageView("c", "s1", "2021-03-01T12:00:00Z"),
                ping("c", "s1", "2021-03-01T12:00:09Z"),
                ping("c", "s1", "2021-03-01T12:00:11Z"),
                // second boundaries: 12:30:00.9 to 12:30:09.1 is 9 seconds
                pageView("d", "s1", "2021-03-01T12:30:00.900Z"),
                ping("d", "s1", "2021-03-01T12:30:09.100Z")))
        .containsExactly(
            // DECISIONS 32, 35: 10 x (3 - 1) + 5 = 25 s, end at the last ping, 29 s absolute
            expected("a", "s1", 1, 4, "2021-03-01T10:00:00Z", "2021-03-01T10:00:29Z", 25, 29),
            expected("b", "s1", 2, 4, "2021-03-01T11:00:00Z", "2021-03-01T11:00:09Z", 5, 9),
            expected("c", "s1", 3, 4, "2021-03-01T12:00:00Z", "2021-03-01T12:00:11Z", 15, 11),
            expected(
                "d", "s1", 4, 4, "2021-03-01T12:30:00.900Z", "2021-03-01T12:30:09.100Z", 5, 9));
  }

  @Test
  void onlyPingsOfThePageViewsSessionWithATimeCount() {
    assertThat(
            pageViews(
                // a: a stray ping of another session and a ping without time; neither counts
                pageView("a", "s1", "2021-03-01T10:00:00Z"),
                ping("a", "s2", "2021-03-01T10:00:40Z"),
                ping("a", "s1", null),
                // b: kept in s1 (the earliest copy); the pings of its dropped copy in s1 count,
                // those of its dropped copy in s3 do not
                pageView("b", "s1", "2021-03-01T11:00:00Z"),
                pageView("b", "s1", "2021-03-01T11:00:30Z", "event_id", "e-b2"),
                pageView("b", "s3", "2021-03-01T11:00:40Z", "event_id", "e-b3"),
                ping("b", "s1", "2021-03-01T11:00:50Z"),
                ping("b", "s3", "2021-03-01T11:01:30Z"),
                // orphan pings of a page view that is not in the batch
                ping("x", "s1", "2021-03-01T12:00:00Z"),
                // c: no pings
                pageView("c", "s2", "2021-03-01T13:00:00Z")))
        .containsExactly(
            // DECISIONS 32: stray ping (#92) and NULL-time ping ignored: engaged 0, end = start
            expected("a", "s1", 1, 2, "2021-03-01T10:00:00Z", "2021-03-01T10:00:00Z", 0, 0),
            // DECISIONS 32: only pings carrying the kept page view's session count
            expected("b", "s1", 2, 2, "2021-03-01T11:00:00Z", "2021-03-01T11:00:50Z", 5, 50),
            // DECISIONS 32: without pings engaged 0, end = start, absolute 0
            expected("c", "s2", 1, 1, "2021-03-01T13:00:00Z", "2021-03-01T13:00:00Z", 0, 0));
  }

  /** The scroll columns of each page view: h px, v px, h %, v %. */
  static List<List<Object>> scroll(Row... events) {
    return pageViews(events).stream()
        .map(
            r ->
                Arrays.asList(
                    r.getAs("page_view_id"),
                    r.getAs("horizontal_pixels_scrolled"),
                    r.getAs("vertical_pixels_scrolled"),
                    r.getAs("horizontal_percentage_scrolled"),
                    r.getAs("vertical_percentage_scrolled")))
        .toList();
  }

  @Test
  void scrollDepthClampsOffsetsAndCapsPercentages() {
    String t = "2021-03-01T10:00:00Z";
    String p = "2021-03-01T10:00:10Z";
    Object[] doc = {"doc_width", 1000, "doc_height", 2000};
    Object[] view = {"br_viewwidth", 500, "br_viewheight", 800};
    assertThat(
            scroll(
                // a: §6.6's example, offsets {NULL (page view), 300}: 55 %
                pageView("a", "s1", t, concat(doc, view)),
                ping("a", "s1", p, concat(doc, view, "pp_xoffset_max", 100, "pp_yoffset_max", 300)),
                // b: §6.6's example with 1450 as well: capped at 100 %
                pageView("b", "s1", t, concat(doc, view)),
                ping("b", "s1", p, concat(doc, view, "pp_yoffset_max", 300)),
                ping("b", "s1", p, concat(doc, view, "pp_yoffset_max", 1450)),
                // c: viewport larger than the page
                pageView("c", "s1", t, concat(doc, "br_viewwidth", 1200, "br_viewheight", 2500)),
                // d: NULL viewport: 100 %
                pageView("d", "s1", t, doc),
                ping("d", "s1", p, concat(doc, "pp_xoffset_max", 100, "pp_yoffset_max", 300)),
                // e: the page view has no size; its ping's negative and too large offsets clamp
                pageView("e", "s1", t, view),
                ping(
                    "e", "s1", p, concat(doc, view, "pp_xoffset_max", -50, "pp_yoffset_max", 5000)),
                // f: sizes 0 or NULL everywhere: no scroll depth
                pageView("f", "s1", t, concat(view, "doc_width", 0, "doc_height", 2000)),
                ping("f", "s1", p, concat(view, "pp_yoffset_max", 300)),
                // g: exact halves, 100 x 5 / 200 = 2.5 and 100 x 1010 / 2000 = 50.5
                pageView(
                    "g",
                    "s1",
                    t,
                    "doc_width",
                    200,
                    "doc_height",
                    2000,
                    "br_viewwidth",
                    5,
                    "br_viewheight",
                    1010),
                // h: a stray ping of another session does not scroll the page view
                pageView("h", "s1", t, concat(doc, view)),
                ping("h", "s2", p, concat(doc, view, "pp_yoffset_max", 1200))))
        .containsExactly(
            // DECISIONS 33: round(100 x min(100 + 500, 1000) / 1000), round(100 x 1100 / 2000)
            List.of("a", 100, 300, 60.0, 55.0),
            List.of("b", 0, 1450, 50.0, 100.0),
            List.of("c", 0, 0, 100.0, 100.0),
            List.of("d", 100, 300, 100.0, 100.0),
            // DECISIONS 33 (§6.6): clamped to [0, document size]
            List.of("e", 0, 2000, 50.0, 100.0),
            Arrays.asList("f", null, null, null, null),
            // DECISIONS 33: half away from zero (half to even would give 2 and 50)
            List.of("g", 0, 0, 3.0, 51.0),
            // DECISIONS 33 with 32: the page view's own session only
            List.of("h", 0, 0, 50.0, 40.0));
  }

  static Object[] concat(Object[] first, Object... rest) {
    Object[] all = Arrays.copyOf(first, first.length + rest.length);
    System.arraycopy(rest, 0, all, first.length, rest.length);
    return all;
  }

  static Object[] concat(Object[] first, Object[] second, Object... rest) {
    return concat(concat(first, second), rest);
  }

  /** An entity array: each element a struct of {@code entity}'s fields with the given values. */
  @SafeVarargs
  static List<Row> entities(AtomicEvents.Entity entity, Map<String, ?>... elements) {
    return Arrays.stream(elements).map(values -> TestRows.row(entity.fields(), values)).toList();
  }

  @Test
  void enrichmentsComeFromTheFirstEntityOfThePageViewEventWhenTheirFlagIsOn() {
    Map<String, Object> robot = new HashMap<>();
    robot.put("category", "SPIDER_OR_ROBOT");
    robot.put("primary_impact", "UNKNOWN");
    robot.put("reason", "FAILED_UA_INCLUDE");
    robot.put("spider_or_robot", true);
    Map<String, Object> browser = new HashMap<>(robot);
    browser.put("category", "BROWSER");
    browser.put("spider_or_robot", false);
    Map<String, Object> yauaa = new HashMap<>();
    for (String field : AtomicEvents.YAUAA.fields().fieldNames()) {
      yauaa.put(field, field + "-1");
    }
    Row[] events = {
      pageView(
          "a",
          "s1",
          "2021-03-01T10:00:00Z",
          AtomicEvents.IAB.column(),
          entities(AtomicEvents.IAB, browser, robot),
          // an empty array: NULL columns
          AtomicEvents.UA_PARSER.column(),
          List.of(),
          AtomicEvents.YAUAA.column(),
          entities(AtomicEvents.YAUAA, yauaa)),
      // a ping's entities are not the page view's
      ping(
          "a",
          "s1",
          "2021-03-01T10:00:10Z",
          AtomicEvents.IAB.column(),
          entities(AtomicEvents.IAB, robot))
    };
    Map<String, Object> on = new HashMap<>(browser);
    on.putAll(yauaa);
    Object[] onColumns =
        on.entrySet().stream()
            .flatMap(e -> Arrays.stream(new Object[] {e.getKey(), e.getValue()}))
            .toArray();
    // DECISIONS 34: the first element of the page view event's own arrays
    assertThat(pageViews(rules(true, true, true, true), events))
        .containsExactly(
            expected(
                "a", "s1", 1, 1, "2021-03-01T10:00:00Z", "2021-03-01T10:00:10Z", 5, 10, onColumns));
    // DECISIONS 34: a flag that is off gives NULL columns
    assertThat(pageViews(events))
        .containsExactly(
            expected("a", "s1", 1, 1, "2021-03-01T10:00:00Z", "2021-03-01T10:00:10Z", 5, 10));
  }

  @Test
  void absentEnrichmentColumnsAreNullWhenTheirFlagIsOff() {
    Dataset<Row> events =
        events(pageView("a", "s1", "2021-03-01T10:00:00Z"))
            .drop(
                AtomicEvents.IAB.column(),
                AtomicEvents.UA_PARSER.column(),
                AtomicEvents.YAUAA.column());
    PageViews.requireColumns(events.schema(), new TableName("scratch", "events_staged"), DEFAULTS);
    assertThat(PageViews.apply(events, DEFAULTS).collectAsList())
        .containsExactly(
            expected("a", "s1", 1, 1, "2021-03-01T10:00:00Z", "2021-03-01T10:00:00Z", 0, 0));
  }

  @Test
  void theInputCheckNamesTheTableTheColumnAndTheFlag() {
    TableName table = new TableName("scratch", "events_staged");
    StructType withoutIab =
        new StructType(
            Arrays.stream(BaseTables.EVENTS_SCHEMA.fields())
                .filter(f -> !f.name().equals(AtomicEvents.IAB.column()))
                .toArray(StructField[]::new));
    assertThatThrownBy(
            () -> PageViews.requireColumns(withoutIab, table, rules(true, true, false, false)))
        .isInstanceOf(WebModelException.class)
        .hasMessage(
            "table scratch.events_staged lacks column contexts_com_iab_snowplow_spiders_and_robots_1,"
                + " which iab: true reads (set iab: false, or enable the enrichment upstream)");
    StructType withoutUseragent =
        new StructType(
            Arrays.stream(BaseTables.EVENTS_SCHEMA.fields())
                .filter(f -> !f.name().equals("useragent") && !f.name().equals("doc_width"))
                .toArray(StructField[]::new));
    assertThatThrownBy(() -> PageViews.requireColumns(withoutUseragent, table, DEFAULTS))
        .isInstanceOf(WebModelException.class)
        .hasMessage("table scratch.events_staged lacks required columns doc_width, useragent");
    StructType badTypes =
        StructType.fromDDL(
            BaseTables.EVENTS_SCHEMA
                .toDDL()
                .replace("doc_height INT", "doc_height STRING")
                .replace(
                    AtomicEvents.IAB.column() + " ARRAY<STRUCT<spider_or_robot: BOOLEAN",
                    AtomicEvents.IAB.column() + " ARRAY<STRUCT<spider_or_robot: STRING"));
    assertThatThrownBy(
            () -> PageViews.requireColumns(badTypes, table, rules(true, true, false, false)))
        .isInstanceOf(WebModelException.class)
        .hasMessage(
            "table scratch.events_staged has columns of the wrong type: doc_height is STRING,"
                + " expected INT; contexts_com_iab_snowplow_spiders_and_robots_1 is"
                + " ARRAY<STRUCT<spider_or_robot: STRING, category: STRING, reason: STRING,"
                + " primary_impact: STRING>>, expected an array of structs with category STRING,"
                + " primary_impact STRING, reason STRING, spider_or_robot BOOLEAN");
    // the same bad entity column is not read, so not checked, when its flag is off
    StructType badEntityOnly =
        StructType.fromDDL(
            BaseTables.EVENTS_SCHEMA
                .toDDL()
                .replace(
                    AtomicEvents.IAB.column() + " ARRAY<STRUCT<spider_or_robot: BOOLEAN",
                    AtomicEvents.IAB.column() + " ARRAY<STRUCT<spider_or_robot: STRING"));
    PageViews.requireColumns(badEntityOnly, table, DEFAULTS);
  }
}
