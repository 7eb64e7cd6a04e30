package org.sparkwebmodel.users;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.sparkwebmodel.common.error.WebModelException;
import org.sparkwebmodel.common.step.QualityGate;
import org.sparkwebmodel.common.table.Schemas;
import org.sparkwebmodel.common.table.TableName;
import org.sparkwebmodel.common.testing.TestRows;

class TestQualityGate {
  static final StructType USERS = UsersJob.USERS.schema();

  static Row user(String id, Integer sessions, Integer pageViews, String network) {
    Map<String, Object> values = new HashMap<>();
    values.put("domain_userid", id);
    values.put("sessions", sessions);
    values.put("page_views", pageViews);
    values.put("network_userid", network);
    return TestRows.row(USERS, values);
  }

  static Dataset<Row> users(Row... rows) {
    return TestRows.dataset(USERS, List.of(rows));
  }

  static List<String> findings(Dataset<Row> rows) {
    return QualityGate.of(UsersJob.USERS).check(rows, true).stream()
        .filter(QualityGate.Finding::broken)
        .map(f -> f + (f.enforced() ? "" : " (expectation)"))
        .toList();
  }

  @Test
  void cleanRowsBreakNoEnforcedRule() {
    Dataset<Row> rows = users(user("u1", 1, 2, "n1"), user("u2", 3, 5, null));
    QualityGate.of(UsersJob.USERS)
        .require(new TableName("scratch", "users_this_run"), rows, "derived.users");
    // the reference's expectations that our data does not guarantee are counted, not enforced
    assertThat(findings(rows))
        .contains("network_userid not NULL: 1 rows, e.g. domain_userid=u2 (expectation)");
    assertThat(findings(users())).isEmpty();
  }

  @Test
  void eachBrokenRuleIsNamedWithASampleKey() {
    Dataset<Row> rows =
        users(
            user("u1", 1, 2, "n"),
            user("u1", 1, 2, "n"),
            user("u1", 1, 2, "n"),
            user(null, 1, 2, "n"),
            user("u3", null, 2, "n"),
            user("u4", 1, null, "n"));
    List<QualityGate.Finding> enforced =
        QualityGate.of(UsersJob.USERS).check(rows, false).stream()
            .filter(QualityGate.Finding::broken)
            .toList();
    assertThat(enforced)
        .extracting(Object::toString)
        .containsExactly(
            "domain_userid not NULL: 1 rows, e.g. domain_userid=NULL (row count only)",
            "domain_userid unique (rows = distinct keys): 2 rows, e.g. domain_userid=u1 (3 rows)",
            "sessions not NULL: 1 rows, e.g. domain_userid=u3",
            "page_views not NULL: 1 rows, e.g. domain_userid=u4");
    assertThatThrownBy(
            () ->
                QualityGate.of(UsersJob.USERS)
                    .require(
                        new TableName("scratch", "users_this_run"),
                        rows.where("domain_userid = 'u4'"),
                        "derived.users"))
        .isInstanceOf(WebModelException.class)
        .hasMessage(
            "data-quality gate failed on scratch.users_this_run: rule 'page_views not NULL' is"
                + " broken: 1 rows, e.g. domain_userid=u4; nothing was written to derived.users"
                + " (the rows stay in scratch.users_this_run for inspection)");
  }

  @Test
  void wrongColumnsAreNamedFirst() {
    Dataset<Row> rows = users(user("u1", 1, 2, "n")).drop("last_page_url");
    assertThat(QualityGate.of(UsersJob.USERS).check(rows, false))
        .extracting(Object::toString)
        .containsExactly(
            "columns as specified: column 17 is last_page_urlscheme STRING, expected"
                + " last_page_url STRING");
  }

  @Test
  void metadataRowsCountTheirDistinctKeys() {
    Map<String, Object> good =
        Map.of(
            "run_id", "2021-01-01T00:00:00Z",
            "model_version", "v",
            "model", "web",
            "module", "sessions",
            "run_start_tstamp", "2021-01-01T00:00:00Z",
            "run_end_tstamp", "2021-01-01T00:00:01Z",
            "rows_this_run", 3,
            "distinct_key", "domain_sessionid",
            "distinct_key_count", 3,
            "time_key", "start_tstamp");
    Map<String, Object> bad = new HashMap<>(good);
    bad.put("module", "users");
    bad.put("distinct_key_count", 2);
    Dataset<Row> rows =
        TestRows.dataset(
            Schemas.METADATA,
            List.of(TestRows.row(Schemas.METADATA, good), TestRows.row(Schemas.METADATA, bad)));
    assertThat(QualityGate.checkMetadata(rows).stream().filter(QualityGate.Finding::broken))
        .extracting(Object::toString)
        .containsExactly(
            "rows_this_run = distinct_key_count: 1 rows, e.g. run_id=2021-01-01T00:00:00Z,"
                + " module=users");
  }
}
