package org.sparkwebmodel.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.sparkwebmodel.common.table.Schemas;
import org.sparkwebmodel.common.testing.TestRows;

/** The sessions transform on inline page views, one test per rule of DECISIONS.md 1–6. */
class TestSessionize {

  /** A page view of session {@code sid}; {@code more} adds or overrides columns. */
  static Row pv(String id, String sid, Integer index, String start, String end, Object... more) {
    Map<String, Object> values = new HashMap<>();
    values.put("page_view_id", id);
    values.put("event_id", "e-" + id);
    values.put("domain_sessionid", sid);
    values.put("domain_userid", "u1");
    values.put("network_userid", "n1");
    values.put("page_view_in_session_index", index);
    values.put("start_tstamp", start);
    values.put("end_tstamp", end);
    values.put("engaged_time_in_s", 10);
    values.put("page_title", "title " + id);
    values.put("page_url", "https://a.com/" + id);
    for (int i = 0; i < more.length; i += 2) {
      values.put((String) more[i], more[i + 1]);
    }
    return TestRows.row(Schemas.PAGE_VIEWS, values);
  }

  /**
   * The session row expected from pages {@code first} .. {@code last}, with the given aggregates.
   */
  static Row session(
      String sid,
      String first,
      String last,
      String start,
      String end,
      int pageViews,
      int engaged,
      Integer absolute,
      Object... more) {
    Map<String, Object> values = new HashMap<>();
    values.put("domain_sessionid", sid);
    values.put("domain_userid", "u1");
    values.put("network_userid", "n1");
    values.put("start_tstamp", start);
    values.put("end_tstamp", end);
    values.put("page_views", pageViews);
    values.put("engaged_time_in_s", engaged);
    values.put("absolute_time_in_s", absolute);
    values.put("first_page_title", "title " + first);
    values.put("first_page_url", "https://a.com/" + first);
    values.put("last_page_title", "title " + last);
    values.put("last_page_url", "https://a.com/" + last);
    for (int i = 0; i < more.length; i += 2) {
      values.put((String) more[i], more[i + 1]);
    }
    return TestRows.row(SessionsJob.SESSIONS.schema(), values);
  }

  static List<Row> sessionize(Row... pageViews) {
    Dataset<Row> out = Sessionize.apply(TestRows.dataset(Schemas.PAGE_VIEWS, List.of(pageViews)));
    assertThat(TestRows.columns(out.schema()))
        .isEqualTo(TestRows.columns(SessionsJob.SESSIONS.schema()));
    return TestRows.sorted(out, "domain_sessionid");
  }

  @Test
  void aSessionTakesEveryFirstFieldFromItsFirstPageViewAndTheLastPageFromItsLast() {
    Map<String, Object> firstPage = new HashMap<>();
    String[] firstOnly = {
      "app_id",
      "user_id",
      "page_urlscheme",
      "page_urlhost",
      "page_urlpath",
      "page_urlquery",
      "page_urlfragment",
      "page_referrer",
      "refr_urlscheme",
      "refr_urlhost",
      "refr_urlpath",
      "refr_urlquery",
      "refr_urlfragment",
      "refr_medium",
      "refr_source",
      "refr_term",
      "mkt_medium",
      "mkt_source",
      "mkt_term",
      "mkt_content",
      "mkt_campaign",
      "mkt_clickid",
      "mkt_network",
      "geo_country",
      "geo_region",
      "geo_region_name",
      "geo_city",
      "geo_zipcode",
      "geo_timezone",
      "user_ipaddress",
      "useragent",
      "br_renderengine",
      "br_lang",
      "os_timezone"
    };
    for (String column : firstOnly) {
      firstPage.put(column, column + "-1");
    }
    for (String column : Schemas.ENRICHMENT_COLUMNS) {
      firstPage.put(column, column + "-1");
    }
    firstPage.put("spider_or_robot", false);
    firstPage.put("domain_sessionidx", 3);
    firstPage.put("geo_latitude", 51.5);
    firstPage.put("geo_longitude", -0.12);
    Object[] firstMore =
        firstPage.entrySet().stream()
            .flatMap(e -> Arrays.stream(new Object[] {e.getKey(), e.getValue()}))
            .toArray();
    // The other pages carry different values: none of them may leak into the session.
    Object[] otherMore =
        firstPage.entrySet().stream()
            .flatMap(
                e ->
                    Arrays.stream(
                        new Object[] {
                          e.getKey(),
                          e.getValue() instanceof String s ? s.replace("-1", "-2") : e.getValue()
                        }))
            .toArray();

    List<Row> sessions =
        sessionize(
            pv("b", "s1", 2, "2021-03-01T10:01:00Z", "2021-03-01T10:09:00Z", otherMore),
            pv("a", "s1", 1, "2021-03-01T10:00:00.250Z", "2021-03-01T10:00:30Z", firstMore),
            pv("c", "s1", 3, "2021-03-01T10:05:00Z", "2021-03-01T10:06:00.5Z", otherMore));

    Map<String, Object> expected = new HashMap<>(firstPage);
    expected.remove("page_referrer");
    expected.put("referrer", "page_referrer-1");
    for (String part : List.of("urlscheme", "urlhost", "urlpath", "urlquery", "urlfragment")) {
      expected.remove("page_" + part);
      expected.put("first_page_" + part, "page_" + part + "-1");
      // the last page (index 3) carries the "-2" values
      expected.put("last_page_" + part, "page_" + part + "-2");
    }
    Object[] expectedMore =
        expected.entrySet().stream()
            .flatMap(e -> Arrays.stream(new Object[] {e.getKey(), e.getValue()}))
            .toArray();
    assertThat(sessions)
        .containsExactly(
            session(
                "s1",
                "a",
                "c", // index 3 is the last page although page b ended later (§4.3)
                "2021-03-01T10:00:00.250Z",
                "2021-03-01T10:09:00Z",
                3,
                30,
                540, // 10:09:00 - 10:00:00, whole-second boundaries
                expectedMore));
  }

  @Test
  void tiesInStartTimeAreBrokenByIndexThenPageViewId() {
    List<Row> sessions =
        sessionize(
            // s1: same start; index 1 is first
            pv("z", "s1", 1, "2021-03-01T10:00:00Z", "2021-03-01T10:00:10Z"),
            pv("y", "s1", 2, "2021-03-01T10:00:00Z", "2021-03-01T10:00:20Z"),
            // s2: same start and same index (inconsistent input): smallest page_view_id is first,
            // largest page_view_id is last
            pv("q", "s2", 1, "2021-03-01T11:00:00Z", "2021-03-01T11:00:10Z"),
            pv("p", "s2", 1, "2021-03-01T11:00:00Z", "2021-03-01T11:00:10Z"));
    assertThat(sessions)
        .containsExactly(
            session("s1", "z", "y", "2021-03-01T10:00:00Z", "2021-03-01T10:00:20Z", 2, 20, 20),
            session("s2", "p", "q", "2021-03-01T11:00:00Z", "2021-03-01T11:00:10Z", 2, 20, 10));
  }

  @Test
  void gapsInTheIndexNeverDropASession() {
    List<Row> sessions =
        sessionize(
            // s1: indexes 1, 3, 4 (page 2 was removed upstream): last = index 4, not index 3 =
            // count
            pv("a", "s1", 1, "2021-03-01T10:00:00Z", "2021-03-01T10:00:10Z"),
            pv("c", "s1", 3, "2021-03-01T10:02:00Z", "2021-03-01T10:02:10Z"),
            pv("d", "s1", 4, "2021-03-01T10:03:00Z", "2021-03-01T10:03:10Z"),
            // s2: index 1 missing: the first page is still the earliest
            pv("f", "s2", 2, "2021-03-01T12:00:00Z", "2021-03-01T12:00:10Z"),
            pv("g", "s2", 3, "2021-03-01T12:01:00Z", "2021-03-01T12:01:10Z"));
    assertThat(sessions)
        .containsExactly(
            session("s1", "a", "d", "2021-03-01T10:00:00Z", "2021-03-01T10:03:10Z", 3, 30, 190),
            session("s2", "f", "g", "2021-03-01T12:00:00Z", "2021-03-01T12:01:10Z", 2, 20, 70));
  }

  @Test
  void duplicatePageViewIdsKeepTheEarliestCopyAndAreCounted() {
    Row[] input = {
      // a twice: the later copy is dropped (its end would otherwise widen the session)
      pv("a", "s1", 1, "2021-03-01T10:00:00Z", "2021-03-01T10:00:10Z"),
      pv("a", "s1", 2, "2021-03-01T10:00:05Z", "2021-03-01T10:30:00Z", "event_id", "e-0"),
      // b twice with the same start: the smaller event_id wins
      pv(
          "b",
          "s1",
          2,
          "2021-03-01T10:01:00Z",
          "2021-03-01T10:01:10Z",
          "event_id",
          "e-b2",
          "page_title",
          "second copy"),
      pv("b", "s1", 2, "2021-03-01T10:01:00Z", "2021-03-01T10:01:10Z", "event_id", "e-b1"),
      pv(
          "b",
          "s1",
          2,
          "2021-03-01T10:01:00Z",
          "2021-03-01T10:01:10Z",
          "event_id",
          "e-b3",
          "page_title",
          "third copy"),
    };
    assertThat(sessionize(input))
        .containsExactly(
            session("s1", "a", "b", "2021-03-01T10:00:00Z", "2021-03-01T10:01:10Z", 2, 20, 70));
    assertThat(
            Sessionize.inputQuality(TestRows.dataset(Schemas.PAGE_VIEWS, List.of(input)))
                .select(
                    "rows_read",
                    "rows_without_key",
                    "duplicate_rows_removed",
                    "distinct_keys_removed")
                .collectAsList())
        .containsExactly(org.apache.spark.sql.RowFactory.create(5L, 0L, 3L, 2L));
  }

  @Test
  void rowsWithoutSessionOrPageViewIdAreNotSessionizedButCounted() {
    Row[] input = {
      pv("a", "s1", 1, "2021-03-01T10:00:00Z", "2021-03-01T10:00:10Z"),
      pv("b", null, 1, "2021-03-01T10:00:00Z", "2021-03-01T10:00:10Z"),
      pv(null, "s1", 2, "2021-03-01T09:00:00Z", "2021-03-01T11:00:10Z"),
    };
    assertThat(sessionize(input))
        .containsExactly(
            session("s1", "a", "a", "2021-03-01T10:00:00Z", "2021-03-01T10:00:10Z", 1, 10, 10));
    assertThat(
            Sessionize.inputQuality(TestRows.dataset(Schemas.PAGE_VIEWS, List.of(input)))
                .select(
                    "rows_read",
                    "rows_without_key",
                    "duplicate_rows_removed",
                    "distinct_keys_removed")
                .collectAsList())
        .containsExactly(org.apache.spark.sql.RowFactory.create(3L, 2L, 0L, 0L));
  }

  @Test
  void nullUserIdsAreCarriedFromTheFirstPageView() {
    List<Row> sessions =
        sessionize(
            // first page view has no cookie id and no user id; a later login does not back-fill
            pv(
                "a",
                "s1",
                1,
                "2021-03-01T10:00:00Z",
                "2021-03-01T10:00:10Z",
                "domain_userid",
                null,
                "network_userid",
                null),
            pv("b", "s1", 2, "2021-03-01T10:01:00Z", "2021-03-01T10:01:10Z", "user_id", "alice"));
    assertThat(sessions)
        .containsExactly(
            session(
                "s1",
                "a",
                "b",
                "2021-03-01T10:00:00Z",
                "2021-03-01T10:01:10Z",
                2,
                20,
                70,
                "domain_userid",
                null,
                "network_userid",
                null));
  }

  @Test
  void aSinglePageSessionIsItsOwnFirstAndLastPage() {
    assertThat(
            sessionize(
                pv(
                    "a",
                    "s1",
                    1,
                    "2021-03-01T10:00:00Z",
                    "2021-03-01T10:00:00Z",
                    "engaged_time_in_s",
                    0)))
        .containsExactly(
            session("s1", "a", "a", "2021-03-01T10:00:00Z", "2021-03-01T10:00:00Z", 1, 0, 0));
  }

  @Test
  void absoluteTimeCountsWholeSecondBoundariesCrossed() {
    List<Row> sessions =
        sessionize(
            // 0.2 s long but crosses one second boundary: 1 (Redshift semantics)
            pv("a", "s1", 1, "2021-03-01T10:00:00.900Z", "2021-03-01T10:00:01.100Z"),
            // 0.8 s long within one second: 0
            pv("b", "s2", 1, "2021-03-01T10:00:00.100Z", "2021-03-01T10:00:00.900Z"),
            // 2.000002 s: from just before 10:00:01 to just after 10:00:03: 3
            pv("c", "s3", 1, "2021-03-01T10:00:00.999999Z", "2021-03-01T10:00:03.000001Z"),
            // before 1970: floor, not truncation
            pv("d", "s4", 1, "1969-12-31T23:59:59.500Z", "1970-01-01T00:00:00.500Z"));
    assertThat(sessions)
        .extracting(r -> r.<Integer>getAs("absolute_time_in_s"))
        .containsExactly(1, 0, 3, 1);
  }

  @Test
  void aNullStartSortsLastForTheFirstPageAndLowestForTheLast() {
    List<Row> sessions =
        sessionize(
            pv("a", "s1", null, null, "2021-03-01T10:05:00Z"),
            pv("b", "s1", 1, "2021-03-01T10:00:00Z", "2021-03-01T10:00:10Z"),
            pv("c", "s1", 2, "2021-03-01T10:01:00Z", "2021-03-01T10:01:10Z"));
    assertThat(sessions)
        .containsExactly(
            session("s1", "b", "c", "2021-03-01T10:00:00Z", "2021-03-01T10:05:00Z", 3, 30, 300));
  }

  @Test
  void enrichmentColumnsAndEventIdAbsentFromTheInputAreNull() {
    Dataset<Row> full =
        TestRows.dataset(
            Schemas.PAGE_VIEWS,
            List.of(
                pv("a", "s1", 1, "2021-03-01T10:00:00Z", "2021-03-01T10:00:10Z"),
                pv("a", "s1", 1, "2021-03-01T10:00:00Z", "2021-03-01T10:00:10Z")));
    List<String> dropped = new java.util.ArrayList<>(Schemas.ENRICHMENT_COLUMNS);
    dropped.add("event_id");
    dropped.add("absolute_time_in_s");
    Dataset<Row> narrow = full.drop(dropped.toArray(String[]::new));
    SessionColumns.requireColumns(
        narrow.schema(), new org.sparkwebmodel.common.table.TableName("scratch", "pv"));
    assertThat(TestRows.sorted(Sessionize.apply(narrow), "domain_sessionid"))
        .containsExactly(
            session("s1", "a", "a", "2021-03-01T10:00:00Z", "2021-03-01T10:00:10Z", 1, 10, 10));
  }

  @Test
  void anEmptyInputGivesNoSessions() {
    assertThat(sessionize()).isEmpty();
  }
}
