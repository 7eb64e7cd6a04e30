package org.sparkwebmodel.common.custom;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.sparkwebmodel.common.config.Playbook;
import org.sparkwebmodel.common.config.SqlFile;
import org.sparkwebmodel.common.config.Variables;
import org.sparkwebmodel.common.delta.CatalogTables;
import org.sparkwebmodel.common.delta.DeltaStore;
import org.sparkwebmodel.common.delta.SparkSessions;
import org.sparkwebmodel.common.delta.WarehouseCatalog;
import org.sparkwebmodel.common.error.Messages;
import org.sparkwebmodel.common.error.WebModelException;
import org.sparkwebmodel.common.step.ModuleJob;
import org.sparkwebmodel.common.step.StepLog;
import org.sparkwebmodel.common.step.StepReport;
import org.sparkwebmodel.common.table.TableName;
import org.sparkwebmodel.common.table.Warehouse;

/**
 * Runs a custom step ({@code module: custom}): the playbook's SQL files in order, statement by
 * statement, then drops its {@code drop_tables}. Custom steps sit between a module's main and
 * complete (DECISIONS 19): they read the {@code *_staged} and {@code *_this_run} tables and write
 * tables of their own that join to sessions or users.
 *
 * <p>The statements run in a session of their own whose default catalog is a {@link
 * WarehouseCatalog} over the playbook's warehouse, so {@code scratch.sessions_this_run} means the
 * Delta table in {@code <warehouse>/scratch/sessions_this_run}. Statements run for their effect
 * (DDL, INSERT, MERGE, CREATE TABLE AS SELECT); a statement that fails stops the step with a
 * message naming the file and the statement, and the later statements do not run. Each statement
 * commits on its own: write custom SQL so that a re-run converges (MERGE or CREATE OR REPLACE
 * rather than INSERT).
 */
public final class CustomSqlJob implements ModuleJob {
  @Override
  public String name() {
    return Playbook.CUSTOM;
  }

  @Override
  public StepReport run(SparkSession spark, Playbook playbook) {
    StepLog log = new StepLog(spark, playbook);
    Variables vars = playbook.variables();
    Warehouse warehouse = new Warehouse(vars.warehouse());
    DeltaStore store = new DeltaStore(spark, warehouse);
    store.requireWritableWarehouse();
    SparkSession session = WarehouseCatalog.sessionOver(spark, warehouse);
    // catalog: session: the tables the statements write are known only once written, from the
    // tables' latest commits before and after.
    Map<TableName, Long> before = vars.registerTables() ? store.latestCommits() : Map.of();
    List<TableName> dropped = new ArrayList<>();
    int statements =
        SparkSessions.whileActive(
            session,
            () -> {
              int count = 0;
              for (SqlFile file : playbook.sql()) {
                String name = file.source().substring(file.source().lastIndexOf('/') + 1);
                List<String> sql = file.statements();
                for (int i = 0; i < sql.size(); i++) {
                  String statement = sql.get(i);
                  String label = name + " #" + (i + 1) + " " + summary(statement);
                  log.phase(label, () -> execute(session, file, statement), "done");
                  count++;
                }
              }
              playbook.dropTables().stream().filter(store::drop).forEach(dropped::add);
              if (!playbook.dropTables().isEmpty()) {
                log.detail("dropped " + dropped);
              }
              return count;
            });
    log.detail(statements + " SQL statements from " + playbook.sql().size() + " files");
    if (vars.registerTables()) {
      register(log, store, vars, before, dropped);
    }
    return log.finish(0, 0);
  }

  /**
   * With {@code catalog: session}: registers the tables the statements wrote (a new latest commit)
   * that still exist, but the scratch schema's, as the modules register theirs; removes the
   * registration of the tables the step dropped.
   */
  private static void register(
      StepLog log,
      DeltaStore store,
      Variables vars,
      Map<TableName, Long> before,
      List<TableName> dropped) {
    CatalogTables catalog = new CatalogTables(store);
    List<TableName> written =
        store.latestCommits().entrySet().stream()
            .filter(e -> !e.getValue().equals(before.get(e.getKey())))
            .map(Map.Entry::getKey)
            .filter(table -> !table.schema().equals(vars.scratchSchema()))
            .sorted(Comparator.comparing(TableName::toString))
            .toList();
    log.phase(
        "register in the session catalog",
        () -> {
          catalog.requireRegistrable(
              written, "the step's statements have run; its tables are not registered");
          return catalog.register(written);
        },
        added -> added.isEmpty() ? "nothing new" : added.toString());
    if (!dropped.isEmpty()) {
      log.phase(
          "unregister from the session catalog",
          () -> catalog.unregister(dropped),
          removed -> removed.isEmpty() ? "none was registered" : removed.toString());
    }
  }

  private static void execute(SparkSession session, SqlFile file, String statement) {
    try {
      session.sql(statement);
    } catch (Exception e) {
      // Spark's AnalysisException is checked in Java terms although no signature declares it.
      throw new WebModelException(
          "custom SQL in "
              + file.source()
              + " failed at '"
              + summary(statement)
              + "': "
              + Messages.firstLine(e.getMessage()),
          e);
    }
  }

  /** The statement's first line of code, shortened, for logs and messages. */
  static String summary(String statement) {
    String code =
        statement
            .replaceAll("(?s)/\\*.*?\\*/", "")
            .replaceAll("(?m)--.*$", "")
            .trim()
            .replaceAll("\\s+", " ");
    return code.length() <= 60 ? code : code.substring(0, 57) + "...";
  }
}
