package org.sparkwebmodel.users;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.sparkwebmodel.common.testing.TestRows;
import org.sparkwebmodel.sessions.SessionsJob;

/** The users transform on inline sessions, one test per rule of DECISIONS.md 11 and 14. */
class TestAggregateUsers {

  /**
   * A session of user {@code user}; its first page is {@code sid}-first, last page {@code
   * sid}-last.
   */
  static Row session(
      String sid,
      String user,
      String start,
      String end,
      int pageViews,
      int engaged,
      Object... more) {
    Map<String, Object> values = new HashMap<>();
    values.put("domain_sessionid", sid);
    values.put("domain_userid", user);
    values.put("network_userid", "n-" + sid);
    values.put("user_id", "id-" + sid);
    values.put("start_tstamp", start);
    values.put("end_tstamp", end);
    values.put("page_views", pageViews);
    values.put("engaged_time_in_s", engaged);
    values.put("first_page_url", sid + "-first");
    values.put("first_page_title", "first of " + sid);
    values.put("last_page_url", sid + "-last");
    values.put("last_page_title", "last of " + sid);
    values.put("referrer", "ref-" + sid);
    values.put("refr_medium", "medium-" + sid);
    values.put("mkt_campaign", "campaign-" + sid);
    for (int i = 0; i < more.length; i += 2) {
      values.put((String) more[i], more[i + 1]);
    }
    return TestRows.row(SessionsJob.SESSIONS.schema(), values);
  }

  /** The user row expected with first session {@code first} and last session {@code last}. */
  static Row user(
      String user,
      String first,
      String last,
      String start,
      String end,
      int pageViews,
      int sessions,
      int engaged) {
    Map<String, Object> values = new HashMap<>();
    values.put("domain_userid", user);
    values.put("user_id", "id-" + first);
    values.put("network_userid", "n-" + first);
    values.put("start_tstamp", start);
    values.put("end_tstamp", end);
    values.put("page_views", pageViews);
    values.put("sessions", sessions);
    values.put("engaged_time_in_s", engaged);
    values.put("first_page_url", first + "-first");
    values.put("first_page_title", "first of " + first);
    values.put("last_page_url", last + "-last");
    values.put("last_page_title", "last of " + last);
    values.put("referrer", "ref-" + first);
    values.put("refr_medium", "medium-" + first);
    values.put("mkt_campaign", "campaign-" + first);
    return TestRows.row(UsersJob.USERS.schema(), values);
  }

  static List<Row> aggregate(Row... sessions) {
    Dataset<Row> out =
        AggregateUsers.apply(TestRows.dataset(SessionsJob.SESSIONS.schema(), List.of(sessions)));
    assertThat(TestRows.columns(out.schema())).isEqualTo(TestRows.columns(UsersJob.USERS.schema()));
    return TestRows.sorted(out, "domain_userid");
  }

  @Test
  void aUserTakesIdsFirstPageAndMarketingFromTheFirstSessionAndLastPageFromTheLast() {
    assertThat(
            aggregate(
                session("s2", "u1", "2021-03-02T10:00:00Z", "2021-03-02T10:30:00Z", 3, 40),
                session("s1", "u1", "2021-03-01T10:00:00Z", "2021-03-03T00:00:00Z", 2, 20),
                session("s3", "u1", "2021-03-02T11:00:00Z", "2021-03-02T11:10:00Z", 1, 10)))
        // s1 started first; s1 also ended last (it ran past midnight), so both come from s1
        .containsExactly(
            user("u1", "s1", "s1", "2021-03-01T10:00:00Z", "2021-03-03T00:00:00Z", 6, 3, 70));
    assertThat(
            aggregate(
                session("s1", "u1", "2021-03-01T10:00:00Z", "2021-03-01T10:05:00Z", 2, 20),
                session("s2", "u1", "2021-03-02T10:00:00Z", "2021-03-02T10:30:00Z", 3, 40)))
        .containsExactly(
            user("u1", "s1", "s2", "2021-03-01T10:00:00Z", "2021-03-02T10:30:00Z", 5, 2, 60));
  }

  @Test
  void tiesInStartOrEndAreBrokenDeterministically() {
    assertThat(
            aggregate(
                // same start: the smaller domain_sessionid is first
                session("sb", "u1", "2021-03-01T10:00:00Z", "2021-03-01T10:05:00Z", 1, 10),
                session("sa", "u1", "2021-03-01T10:00:00Z", "2021-03-01T10:04:00Z", 1, 10),
                // same end: the later start is last ...
                session("sc", "u2", "2021-03-01T10:00:00Z", "2021-03-01T12:00:00Z", 1, 10),
                session("sd", "u2", "2021-03-01T11:00:00Z", "2021-03-01T12:00:00Z", 1, 10),
                // ... and with the same start too, the larger domain_sessionid
                session("sf", "u3", "2021-03-01T10:00:00Z", "2021-03-01T12:00:00Z", 1, 10),
                session("se", "u3", "2021-03-01T10:00:00Z", "2021-03-01T12:00:00Z", 1, 10)))
        .containsExactly(
            user("u1", "sa", "sb", "2021-03-01T10:00:00Z", "2021-03-01T10:05:00Z", 2, 2, 20),
            user("u2", "sc", "sd", "2021-03-01T10:00:00Z", "2021-03-01T12:00:00Z", 2, 2, 20),
            user("u3", "se", "sf", "2021-03-01T10:00:00Z", "2021-03-01T12:00:00Z", 2, 2, 20));
  }

  @Test
  void sessionsWithoutDomainUseridNeverReachUsers() {
    assertThat(
            aggregate(
                session("s1", null, "2021-03-01T10:00:00Z", "2021-03-01T10:05:00Z", 1, 10),
                session("s2", "u1", "2021-03-01T11:00:00Z", "2021-03-01T11:05:00Z", 1, 10)))
        .containsExactly(
            user("u1", "s2", "s2", "2021-03-01T11:00:00Z", "2021-03-01T11:05:00Z", 1, 1, 10));
  }

  @Test
  void aDuplicatedSessionRowCountsOnceAsASessionLikeTheReference() {
    Row s1 = session("s1", "u1", "2021-03-01T10:00:00Z", "2021-03-01T10:05:00Z", 2, 10);
    // page views and engaged time sum both copies, sessions counts distinct ids (§5.5)
    assertThat(aggregate(s1, s1))
        .containsExactly(
            user("u1", "s1", "s1", "2021-03-01T10:00:00Z", "2021-03-01T10:05:00Z", 4, 1, 20));
  }

  @Test
  void noSessionsNoUsers() {
    assertThat(aggregate()).isEmpty();
  }
}
