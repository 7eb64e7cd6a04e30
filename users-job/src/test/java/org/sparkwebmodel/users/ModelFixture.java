package org.sparkwebmodel.users;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.sparkwebmodel.common.config.Playbook;
import org.sparkwebmodel.common.config.PlaybookLoader;
import org.sparkwebmodel.common.delta.DeltaStore;
import org.sparkwebmodel.common.step.ModuleJob;
import org.sparkwebmodel.common.table.Schemas;
import org.sparkwebmodel.common.table.TableName;
import org.sparkwebmodel.common.table.Warehouse;
import org.sparkwebmodel.common.testing.SharedSpark;
import org.sparkwebmodel.common.testing.TestRows;
import org.sparkwebmodel.sessions.SessionsJob;

/**
 * A warehouse of its own per test and the steps of a full run with the shipped playbooks: what the
 * users module's integration tests share.
 */
abstract class ModelFixture {
  static final String ENTROPY = "_it";
  static final TableName STAGED = new TableName("scratch", "page_views_staged" + ENTROPY);
  static final TableName SESSIONS = new TableName("derived", "sessions" + ENTROPY);
  static final TableName USERS = new TableName("derived", "users" + ENTROPY);
  static final TableName USERS_MANIFEST = new TableName("derived", "users_manifest" + ENTROPY);
  static final TableName STAGED_USERS =
      new TableName("scratch", "sessions_userid_manifest_staged" + ENTROPY);
  static final TableName METADATA = new TableName("derived", "datamodel_metadata" + ENTROPY);

  @TempDir Path dir;
  DeltaStore store;

  @BeforeEach
  void setUp() {
    store = new DeltaStore(SharedSpark.session(), new Warehouse(dir.toString()));
  }

  void step(ModuleJob job, String playbook, String... overrides) {
    Map<String, String> vars = new HashMap<>();
    vars.put("warehouse", dir.toString());
    vars.put("entropy", ENTROPY);
    for (String override : overrides) {
      String[] kv = override.split("=", 2);
      vars.put(kv[0], kv[1]);
    }
    Playbook loaded = PlaybookLoader.load(Path.of("../configs", playbook), vars);
    job.run(SharedSpark.session(), loaded);
  }

  void sessionsMain() {
    step(new SessionsJob(), "sessions/01-sessions-main.yml");
  }

  void sessionsComplete() {
    step(new SessionsJob(), "sessions/99-sessions-complete.yml");
  }

  void usersMain(String... overrides) {
    step(new UsersJob(), "users/01-users-main.yml", overrides);
  }

  void usersComplete() {
    step(new UsersJob(), "users/99-users-complete.yml");
  }

  /** The run order of configs/run.yml: sessions main, users main, then the completes. */
  void fullRun(Row... pageViews) {
    stage(pageViews);
    sessionsMain();
    usersMain();
    sessionsComplete();
    usersComplete();
  }

  void stage(Row... pageViews) {
    store.createIfMissing(STAGED, Schemas.PAGE_VIEWS);
    store.append(STAGED, TestRows.dataset(Schemas.PAGE_VIEWS, List.of(pageViews)));
  }

  /** A single-page session {@code sid} of user {@code user} from {@code start}, 10 s long. */
  static Row pv(String sid, String user, String start, String end) {
    Map<String, Object> values = new HashMap<>();
    values.put("page_view_id", "pv-" + sid + "-" + start);
    values.put("domain_sessionid", sid);
    values.put("domain_userid", user);
    values.put("page_view_in_session_index", 1);
    values.put("start_tstamp", start);
    values.put("end_tstamp", end);
    values.put("engaged_time_in_s", 10);
    values.put("page_url", "https://a.com/" + sid);
    return TestRows.row(Schemas.PAGE_VIEWS, values);
  }

  /** (domain_userid, start, end, page_views, sessions, engaged, first url, last url) of users. */
  List<Row> users() {
    return TestRows.sorted(
        store
            .read(USERS)
            .select(
                "domain_userid",
                "start_tstamp",
                "end_tstamp",
                "page_views",
                "sessions",
                "engaged_time_in_s",
                "first_page_url",
                "last_page_url"),
        "domain_userid");
  }

  static Row user(
      String id,
      String start,
      String end,
      int pageViews,
      int sessions,
      int engaged,
      String first,
      String last) {
    return RowFactory.create(
        id,
        Instant.parse(start),
        Instant.parse(end),
        pageViews,
        sessions,
        engaged,
        "https://a.com/" + first,
        "https://a.com/" + last);
  }

  /** For every user, the totals equal the sums over that user's rows in sessions. */
  void assertUsersConsistentWithSessions() {
    Dataset<Row> fromSessions =
        store
            .read(SESSIONS)
            .where(col("domain_userid").isNotNull())
            .groupBy("domain_userid")
            .agg(
                min("start_tstamp").as("start_tstamp"),
                sum("page_views").cast("int").as("page_views"),
                countDistinct(col("domain_sessionid")).cast("int").as("sessions"),
                sum("engaged_time_in_s").cast("int").as("engaged_time_in_s"));
    Dataset<Row> fromUsers =
        store
            .read(USERS)
            .select("domain_userid", "start_tstamp", "page_views", "sessions", "engaged_time_in_s");
    assertThat(TestRows.sorted(fromUsers, "domain_userid"))
        .isEqualTo(TestRows.sorted(fromSessions, "domain_userid"));
  }
}
