package org.sparkwebmodel.users;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkwebmodel.common.cli.WebModelCli;
import org.sparkwebmodel.common.delta.DeltaStore;
import org.sparkwebmodel.common.sample.SampleData;
import org.sparkwebmodel.common.table.TableName;
import org.sparkwebmodel.common.table.Warehouse;
import org.sparkwebmodel.common.testing.Processes;
import org.sparkwebmodel.common.testing.Processes.Output;
import org.sparkwebmodel.common.testing.SharedSpark;

/**
 * {@code catalog: session} against a real Hive metastore on local disk (Spark's Hive support,
 * Derby): a run in one JVM registers the model's tables; a new Spark application on the same
 * metastore queries {@code derived.sessions} and {@code derived.users} by name and gets exactly the
 * rows in the warehouse. Each is a JVM of its own, started as the launcher starts one, since a test
 * JVM's one SparkSession has no metastore. The rules of registering (a table registered elsewhere,
 * destroy, idempotence) are {@code TestCatalogTables}'s, on Spark's in-memory catalog.
 */
class ITCatalogRegistration {
  /** Every row of both tables as JSON, in one order: compares every column exactly. */
  static final String BOTH_TABLES =
      "SELECT 'sessions' AS t, to_json(struct(*)) AS r FROM derived.sessions"
          + " UNION ALL SELECT 'users', to_json(struct(*)) FROM derived.users ORDER BY t, r";

  @TempDir Path dir;

  /** {@code web-model ARGS} in a new JVM whose Spark session uses the metastore in {@code dir}. */
  Output webModel(String... args) throws IOException, InterruptedException {
    Properties build = new Properties();
    try (InputStream in = getClass().getResourceAsStream("/webmodel-build.properties")) {
      build.load(in);
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(Arrays.asList(build.getProperty("jvm.opens").split("\\s+")));
    command.addAll(
        List.of(
            "-Xmx1g",
            "-XX:+UseSerialGC",
            "-Duser.timezone=UTC",
            "-Dspark.master=local[2]",
            "-Dspark.sql.shuffle.partitions=2",
            "-Dspark.databricks.delta.snapshotPartitions=1",
            "-Dspark.ui.enabled=false",
            "-Dspark.sql.catalogImplementation=hive",
            "-Dspark.sql.warehouse.dir=" + dir.resolve("hive-warehouse"),
            "-Dlog4j2.configurationFile="
                + Path.of("../scripts/log4j2.properties").toAbsolutePath(),
            "-cp",
            System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
            WebModelCli.class.getName()));
    command.addAll(List.of(args));
    // The metastore (Derby's metastore_db) lives in the working directory: dir, for every JVM.
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
    builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    return Processes.run(builder, Duration.ofMinutes(5));
  }

  /**
   * {@code web-model sql --csv QUERY} in this JVM: the warehouse's tables by path, no metastore.
   */
  String byPath(String warehouse, String query) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status =
        WebModelCli.execute(
            new PrintWriter(out, true),
            new PrintWriter(err, true),
            "--warehouse",
            warehouse,
            "sql",
            "--csv",
            query);
    assertThat(status).as(err.toString()).isZero();
    return out.toString();
  }

  @Test
  void aRunRegistersItsTablesAndAnotherApplicationQueriesThemByName() throws Exception {
    String warehouse = dir.resolve("warehouse").toString();
    SampleData.write(
        new DeltaStore(SharedSpark.session(), new Warehouse(warehouse)),
        new TableName("scratch", "page_views_staged"),
        2_000,
        1);

    Output run =
        webModel(
            "--warehouse",
            warehouse,
            "run",
            Path.of("../configs/run-sessions-users.yml").toAbsolutePath().toString(),
            "--var",
            "catalog=session");
    assertThat(run.status()).as(run.err()).isZero();
    assertThat(run.err())
        .contains(
            "sessions main: register in the session catalog: [derived.sessions,"
                + " scratch.sessions_userid_manifest_staged, derived.datamodel_metadata]")
        .contains(
            "users main: register in the session catalog: [derived.users,"
                + " derived.users_manifest]");

    // A new application on the same metastore, by name only: no --warehouse.
    Output byName = webModel("sql", "--catalog", "session", "--csv", BOTH_TABLES);
    assertThat(byName.status()).as(byName.err()).isZero();
    String expected = byPath(warehouse, BOTH_TABLES);
    assertThat(expected.lines().filter(line -> line.startsWith("\"users\"")).count())
        .isGreaterThan(100);
    assertThat(expected.lines().filter(line -> line.startsWith("\"sessions\"")).count())
        .isGreaterThan(300);
    assertThat(byName.out()).isEqualTo(expected);
  }
}
