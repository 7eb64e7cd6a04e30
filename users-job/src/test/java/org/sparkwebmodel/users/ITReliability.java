package org.sparkwebmodel.users;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Encoders;
import org.junit.jupiter.api.Test;
import org.sparkwebmodel.common.cli.WebModelCli;
import org.sparkwebmodel.common.error.WebModelException;
import org.sparkwebmodel.common.testing.TestRows;
import org.sparkwebmodel.common.testing.Warehouses;
import org.sparkwebmodel.sessions.SessionsJob;

/**
 * Rows staged while a run works, the data-quality gate of users main and {@code web-model check}.
 */
class ITReliability extends ModelFixture {

  List<String> column(org.sparkwebmodel.common.table.TableName table, String name) {
    return store.read(table).select(col(name).cast("string")).as(Encoders.STRING()).collectAsList();
  }

  @Test
  void rowsStagedDuringARunSurviveItsCompleteStepsAndTheNextRunProcessesThem() {
    stage(pv("s1", "u1", "2021-03-01T10:00:00Z", "2021-03-01T10:00:10Z"));
    sessionsMain();
    usersMain();
    // Arriving after the mains read their input, before the complete steps: a page view from
    // upstream, and a user staged by a sessions main of another schedule.
    stage(pv("s2", "u2", "2021-03-02T10:00:00Z", "2021-03-02T10:00:10Z"));
    store.append(
        STAGED_USERS,
        TestRows.json(
            SessionsJob.USERID_MANIFEST,
            "{'domain_userid': 'u1', 'start_tstamp': '2021-03-01T09:00:00Z'}"));
    sessionsComplete();
    usersComplete();
    assertThat(column(STAGED, "domain_sessionid")).containsExactly("s2");
    assertThat(column(STAGED_USERS, "domain_userid")).containsExactly("u1");
    assertThat(column(USERS, "domain_userid")).containsExactly("u1");

    // The next run processes both.
    sessionsMain();
    usersMain();
    sessionsComplete();
    usersComplete();
    assertThat(column(SESSIONS, "domain_sessionid")).containsExactlyInAnyOrder("s1", "s2");
    assertThat(users())
        .containsExactly(
            user("u1", "2021-03-01T10:00:00Z", "2021-03-01T10:00:10Z", 1, 1, 10, "s1", "s1"),
            user("u2", "2021-03-02T10:00:00Z", "2021-03-02T10:00:10Z", 1, 1, 10, "s2", "s2"));
    assertThat(store.read(STAGED).count()).isZero();
    assertThat(store.read(STAGED_USERS).count()).isZero();
    // the earliest start ever staged for u1 is kept in the manifest
    assertThat(column(USERS_MANIFEST, "start_tstamp"))
        .containsExactlyInAnyOrder("2021-03-01 09:00:00", "2021-03-02 10:00:00");
  }

  int check(StringWriter out, StringWriter err) {
    return WebModelCli.execute(
        new PrintWriter(out, true),
        new PrintWriter(err, true),
        "--warehouse",
        dir.toString(),
        "check",
        "--var",
        "entropy=" + ENTROPY);
  }

  @Test
  void theUsersGateStopsMainOnCorruptSessionsAndCheckNamesBrokenRules() {
    fullRun(
        pv("s1", "u1", "2021-03-01T10:00:00Z", "2021-03-01T10:00:10Z"),
        pv("s2", "u2", "2021-03-01T11:00:00Z", "2021-03-01T11:00:10Z"));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    assertThat(check(out, err)).as(err.toString()).isZero();
    assertThat(out.toString())
        .contains(
            String.format("  %-56s %s%n", "domain_sessionid unique (rows = distinct keys)", "ok"),
            String.format("  %-56s %s%n", "rows_this_run = distinct_key_count", "ok"),
            String.format(
                "  %-56s %s%n",
                "domain_sessionidx not NULL (reference expectation)",
                "note: 2 rows, e.g. domain_sessionid=s1"));

    // Another writer breaks u1's sessions (page_views NULL); u1 comes back in the next batch.
    stage(pv("s3", "u1", "2021-03-02T10:00:00Z", "2021-03-02T10:00:10Z"));
    sessionsMain();
    store
        .deltaTable(SESSIONS)
        .update(col("domain_userid").equalTo("u1"), Map.of("page_views", lit(null).cast("int")));
    Map<String, List<String>> before = withoutUsersScratch(Warehouses.contents(dir));
    assertThatThrownBy(() -> usersMain())
        .isInstanceOf(WebModelException.class)
        .hasMessage(
            "data-quality gate failed on scratch.users_this_run_it: rule 'page_views not NULL' is"
                + " broken: 1 rows, e.g. domain_userid=u1; nothing was written to"
                + " derived.users_it or the metadata (the rows stay in scratch.users_this_run_it"
                + " for inspection); the run state was reset, so the next users main reads the"
                + " staged input afresh");
    assertThat(withoutUsersScratch(Warehouses.contents(dir))).isEqualTo(before);
    // nothing is pending, so users complete removes no staged user
    usersComplete();
    assertThat(column(STAGED_USERS, "domain_userid")).containsExactly("u1");

    // check finds it too, and a duplicated session.
    store.append(SESSIONS, store.read(SESSIONS).where(col("domain_sessionid").equalTo("s2")));
    out = new StringWriter();
    err = new StringWriter();
    assertThat(check(out, err)).isEqualTo(1);
    assertThat(out.toString())
        .contains(
            String.format(
                "  %-56s %s%n",
                "domain_sessionid unique (rows = distinct keys)",
                "BROKEN: 1 rows, e.g. domain_sessionid=s2 (2 rows)"),
            String.format(
                "  %-56s %s%n", "page_views not NULL", "BROKEN: 2 rows, e.g. domain_sessionid=s1"));
    assertThat(err.toString())
        .isEqualTo(
            "web-model: error: data-quality check failed: derived.sessions_it: domain_sessionid"
                + " unique (rows = distinct keys); derived.sessions_it: page_views not NULL"
                + System.lineSeparator());
  }

  /** Every table but the two users_*this_run tables, which hold the batch for inspection. */
  static Map<String, List<String>> withoutUsersScratch(Map<String, List<String>> tables) {
    Map<String, List<String>> kept = new TreeMap<>(tables);
    kept.keySet()
        .removeAll(List.of("scratch.users_userids_this_run_it", "scratch.users_this_run_it"));
    return kept;
  }
}
