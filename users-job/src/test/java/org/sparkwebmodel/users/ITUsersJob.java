package org.sparkwebmodel.users;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.sparkwebmodel.common.testing.SparkLines;
import org.sparkwebmodel.common.testing.TestRows;
import org.sparkwebmodel.sessions.SessionsJob;

/** The users module end to end after the sessions module, over several incremental runs. */
@Tag(SparkLines.BOTH)
class ITUsersJob extends ModelFixture {
  @Test
  void returningUsersGrowAcrossRunsAndNewUsersGetEverySession() {
    fullRun(
        pv("s1", "u1", "2021-03-01T10:00:00Z", "2021-03-01T10:00:10Z"),
        pv("s2", "u2", "2021-03-01T11:00:00Z", "2021-03-01T11:00:10Z"),
        // no domain_userid: stays in sessions, never reaches users or users_manifest
        pv("s0", null, "2021-03-01T09:00:00Z", "2021-03-01T09:00:10Z"));
    assertThat(store.read(SESSIONS).count()).isEqualTo(3);
    assertThat(users())
        .containsExactly(
            user("u1", "2021-03-01T10:00:00Z", "2021-03-01T10:00:10Z", 1, 1, 10, "s1", "s1"),
            user("u2", "2021-03-01T11:00:00Z", "2021-03-01T11:00:10Z", 1, 1, 10, "s2", "s2"));

    fullRun(
        // u1 comes back: only the new session is staged
        pv("s3", "u1", "2021-03-05T10:00:00Z", "2021-03-05T10:00:10Z"),
        // a new user with three sessions in one run gets all three (no upper bound, #118)
        pv("s4", "u3", "2021-03-02T09:00:00Z", "2021-03-02T09:00:10Z"),
        pv("s5", "u3", "2021-03-03T09:00:00Z", "2021-03-03T09:00:10Z"),
        pv("s6", "u3", "2021-03-04T09:00:00Z", "2021-03-04T09:00:10Z"));
    assertThat(users())
        .containsExactly(
            user("u1", "2021-03-01T10:00:00Z", "2021-03-05T10:00:10Z", 2, 2, 20, "s1", "s3"),
            user("u2", "2021-03-01T11:00:00Z", "2021-03-01T11:00:10Z", 1, 1, 10, "s2", "s2"),
            user("u3", "2021-03-02T09:00:00Z", "2021-03-04T09:00:10Z", 3, 3, 30, "s4", "s6"));
    assertUsersConsistentWithSessions();
    assertThat(TestRows.sorted(store.read(USERS_MANIFEST), "domain_userid"))
        .containsExactly(
            manifest("u1", "2021-03-01T10:00:00Z"),
            manifest("u2", "2021-03-01T11:00:00Z"),
            manifest("u3", "2021-03-02T09:00:00Z"));
    assertThat(store.read(STAGED_USERS).count()).isZero();

    // One metadata row per module per run, the modules of a run sharing its id.
    List<Row> metadata =
        TestRows.sorted(store.read(METADATA).select("run_id", "module", "rows_this_run"), "run_id");
    assertThat(metadata)
        .extracting(r -> r.getString(1) + ":" + r.getInt(2))
        .containsExactlyInAnyOrder("sessions:3", "users:2", "sessions:4", "users:2");
    assertThat(store.read(METADATA).select("run_id").distinct().count()).isEqualTo(2);
    assertThat(store.read(METADATA).groupBy("run_id").count().where("count != 2").count()).isZero();
  }

  static Row manifest(String user, String start) {
    return TestRows.row(
        SessionsJob.USERID_MANIFEST, Map.of("domain_userid", user, "start_tstamp", start));
  }

  @Test
  void sessionsRunTwiceBeforeUsersKeepsTheEarlierStagedStart() {
    stage(pv("s1", "u1", "2021-03-01T10:00:00Z", "2021-03-01T10:00:10Z"));
    sessionsMain();
    sessionsComplete();
    stage(pv("s2", "u1", "2021-03-03T10:00:00Z", "2021-03-03T10:00:10Z"));
    sessionsMain();
    sessionsComplete();
    usersMain();
    usersComplete();
    assertThat(users())
        .containsExactly(
            user("u1", "2021-03-01T10:00:00Z", "2021-03-03T10:00:10Z", 2, 2, 20, "s1", "s2"));
  }

  @Test
  void aUserWhoseSessionsSpanRunsKeepsItsFirstSessionFromHistory() {
    fullRun(pv("s1", "u1", "2021-03-01T10:00:00Z", "2021-03-01T10:00:10Z"));
    // Months later only the new session is staged: the start of u1's history (and so the read
    // of s1) comes from users_manifest.
    fullRun(pv("s2", "u1", "2021-06-01T10:00:00Z", "2021-06-01T10:00:10Z"));
    assertThat(users())
        .containsExactly(
            user("u1", "2021-03-01T10:00:00Z", "2021-06-01T10:00:10Z", 2, 2, 20, "s1", "s2"));

    // destroy drops users and its manifest, not sessions
    step(new UsersJob(), "users/XX-destroy-users.yml");
    assertThat(store.exists(USERS)).isFalse();
    assertThat(store.exists(USERS_MANIFEST)).isFalse();
    assertThat(store.exists(SESSIONS)).isTrue();
  }

  @Test
  void skipDerivedLeavesUsersAloneAndRowsStagedDuringTheRunSurvive() {
    stage(pv("s1", "u1", "2021-03-01T10:00:00Z", "2021-03-01T10:00:10Z"));
    sessionsMain();
    usersMain("skip_derived=true");
    assertThat(store.read(USERS).count()).isZero();
    // a later sessions run stages u2 before users complete
    stage(pv("s2", "u2", "2021-03-02T10:00:00Z", "2021-03-02T10:00:10Z"));
    sessionsComplete();
    sessionsMain();
    usersComplete();
    assertThat(
            store.read(STAGED_USERS).select("domain_userid").as(Encoders.STRING()).collectAsList())
        .containsExactly("u2");
  }
}
