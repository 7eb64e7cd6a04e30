package org.sparkwebmodel.common.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkwebmodel.common.delta.DeltaStore;
import org.sparkwebmodel.common.table.TableName;
import org.sparkwebmodel.common.table.Warehouse;
import org.sparkwebmodel.common.testing.CliRuns;
import org.sparkwebmodel.common.testing.CliRuns.Result;
import org.sparkwebmodel.common.testing.SharedSpark;

/** {@code web-model sql}: a query over the warehouse by SCHEMA.TABLE, aligned or as CSV. */
class TestSqlCommand {
  @TempDir Path dir;

  String warehouse;

  Result run(String... args) {
    return CliRuns.inWarehouse(warehouse, args);
  }

  @BeforeEach
  void users() {
    SparkSession spark = SharedSpark.session();
    warehouse = dir.resolve("wh").toString();
    StructType schema =
        new StructType()
            .add("domain_userid", DataTypes.StringType)
            .add("sessions", DataTypes.IntegerType)
            .add("start_tstamp", DataTypes.TimestampType)
            .add("tags", DataTypes.createArrayType(DataTypes.StringType));
    List<Row> rows =
        List.of(
            RowFactory.create(
                "u1", 12, Instant.parse("2021-03-01T10:00:00.123456Z"), List.of("a", "b")),
            RowFactory.create("u2", 3, null, null),
            RowFactory.create("a \"quoted\", name", null, null, null));
    new DeltaStore(spark, new Warehouse(warehouse))
        .overwrite(TableName.parse("derived.users"), spark.createDataFrame(rows, schema));
  }

  @Test
  void aQueryIsPrintedAsAnAlignedTable() {
    Result result =
        run(
            "sql",
            "SELECT domain_userid, sessions, start_tstamp, tags FROM derived.users ORDER BY 1");
    assertThat(result.status()).as(result.err()).isZero();
    assertThat(result.out())
        .isEqualTo(
            String.join(
                "\n",
                " domain_userid    | sessions | start_tstamp                | tags",
                "------------------+----------+-----------------------------+-----------",
                " a \"quoted\", name | NULL     | NULL                        | NULL",
                " u1               |       12 | 2021-03-01T10:00:00.123456Z | [\"a\",\"b\"]",
                " u2               |        3 | NULL                        | NULL",
                "(3 rows)",
                ""));
  }

  @Test
  void maxRowsCutsTheTableAndSaysSo() {
    Result result = run("sql", "--max-rows", "1", "SELECT sessions FROM derived.users ORDER BY 1");
    assertThat(result.status()).as(result.err()).isZero();
    assertThat(result.out())
        .isEqualTo(
            String.join(
                "\n",
                " sessions",
                "----------",
                " NULL",
                "(the first 1 rows; --max-rows N shows more, --csv all)",
                ""));
  }

  @Test
  void csvPrintsEveryRowAsExportWritesIt() {
    Result result =
        run(
            "sql",
            "--csv",
            "SELECT domain_userid, sessions, start_tstamp FROM derived.users ORDER BY 1");
    assertThat(result.status()).as(result.err()).isZero();
    assertThat(result.out())
        .isEqualTo(
            String.join(
                "\n",
                "\"domain_userid\",\"sessions\",\"start_tstamp\"",
                "\"a \"\"quoted\"\", name\",,",
                "\"u1\",12,\"2021-03-01T10:00:00.123456Z\"",
                "\"u2\",3,",
                ""));
  }

  @Test
  void statementsThatWriteAreRefusedBeforeTheyRun() {
    Result delete = run("sql", "DELETE FROM derived.users");
    assertThat(delete.status()).isEqualTo(1);
    assertThat(delete.err())
        .isEqualTo(
            "web-model: error: web-model sql runs queries only, and 'DELETE FROM derived.users'"
                + " would write (DeleteFromTable): tables are written by the model's steps and"
                + " custom steps, under the run lock\n");
    Result insert =
        run(
            "sql",
            "WITH x AS (SELECT * FROM derived.users) INSERT INTO derived.users SELECT * FROM x");
    assertThat(insert.status()).isEqualTo(1);
    assertThat(insert.err()).contains("runs queries only").contains("would write");
    // nothing was written
    assertThat(run("sql", "SELECT count(*) AS n FROM derived.users").out())
        .isEqualTo(" n\n---\n 3\n(1 row)\n");
  }

  @Test
  void badQueriesNameTheQueryAndTheProblem() {
    Result parse = run("sql", "SELEC 1");
    assertThat(parse.status()).isEqualTo(1);
    assertThat(parse.err())
        .startsWith("web-model: error: cannot parse the query 'SELEC 1': [PARSE_SYNTAX_ERROR]");
    Result missing = run("sql", "SELECT * FROM derived.nope");
    assertThat(missing.status()).isEqualTo(1);
    assertThat(missing.err())
        .startsWith(
            "web-model: error: query 'SELECT * FROM derived.nope' failed: [TABLE_OR_VIEW_NOT_FOUND]"
                + " The table or view `derived`.`nope` cannot be found.");
    Result rows = run("sql", "--max-rows", "0", "SELECT 1");
    assertThat(rows.err()).isEqualTo("web-model: error: --max-rows must be at least 1, got 0\n");
  }

  @Test
  void showAndDescribeRead() {
    Result show = run("sql", "SHOW TABLES IN derived");
    assertThat(show.status()).as(show.err()).isZero();
    assertThat(show.out()).contains(" derived   | users     | false").endsWith("(1 row)\n");
    Result describe = run("sql", "DESCRIBE derived.users");
    assertThat(describe.status()).as(describe.err()).isZero();
    assertThat(describe.out()).contains(" sessions ").contains(" int ");
  }
}
