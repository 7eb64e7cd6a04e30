package org.sparkwebmodel.common.maintenance;

import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.SparkSession;
import org.sparkwebmodel.common.config.Playbook;
import org.sparkwebmodel.common.config.Step;
import org.sparkwebmodel.common.config.Variables;
import org.sparkwebmodel.common.delta.DeltaStore;
import org.sparkwebmodel.common.error.WebModelException;
import org.sparkwebmodel.common.step.ModuleJob;
import org.sparkwebmodel.common.step.Modules;
import org.sparkwebmodel.common.step.StepLog;
import org.sparkwebmodel.common.step.StepReport;
import org.sparkwebmodel.common.table.TableName;

/**
 * Keeps the model's tables healthy between runs ({@code module: maintenance}, step {@code main}):
 * for every table the model keeps ({@link Modules#keptTables()}) that exists, compacts its small
 * files (OPTIMIZE), deletes the files no version of the last {@code vacuum_retention_hours} hours
 * refers to (VACUUM), and writes a checkpoint. Each table's files and bytes, in its latest version
 * and stored, are logged before and after. Every operation is one Delta commit or only deletes
 * files no version needs, so a killed maintenance leaves the tables readable and a re-run finishes
 * the work. Started by {@code run} or {@code playbook}, it holds the run lock like any step.
 */
public final class MaintenanceJob implements ModuleJob {
  static final String NAME = "maintenance";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public StepReport run(SparkSession spark, Playbook playbook) {
    if (playbook.step() != Step.MAIN) {
      throw new WebModelException(
          playbook.source()
              + ": module maintenance has only a main step, got step: "
              + playbook.step().value());
    }
    Variables vars = playbook.variables();
    Variables.Maintenance settings = vars.maintenance();
    DeltaStore store = new DeltaStore(spark, vars.locations());
    store.requireWritableWarehouse();
    StepLog log = new StepLog(spark, playbook);
    List<TableName> tables =
        Modules.keptTables().stream().map(vars::table).filter(store::exists).toList();
    for (TableName table : tables) {
      DeltaStore.Files before = store.files(table);
      DeltaStore.Files storedBefore = store.storedFiles(table);
      log.phase("optimize " + table, () -> store.optimize(table), "compacted");
      log.phase(
          "vacuum " + table,
          () -> store.vacuum(table, settings.vacuumRetentionHours(), settings.vacuumForce()),
          deleted ->
              "files older than "
                  + settings.vacuumRetentionHours()
                  + " hours removed"
                  + (deleted.isEmpty() ? "" : " (" + deleted + ")"));
      boolean checkpoint =
          log.phase(
              "checkpoint " + table,
              () -> store.checkpoint(table),
              c ->
                  c
                      ? "written"
                      : "not written (Delta's internal API is missing; Delta writes one every 10 commits)");
      DeltaStore.Files after = store.files(table);
      DeltaStore.Files storedAfter = store.storedFiles(table);
      log.detail(
          String.format(
              Locale.ROOT,
              "%s: latest version %s -> %s; stored %s -> %s%s",
              table,
              describe(before),
              describe(after),
              describe(storedBefore),
              describe(storedAfter),
              checkpoint ? "; checkpoint written" : ""));
    }
    if (tables.isEmpty()) {
      log.detail("no table of the model in " + store.warehouse().root());
    }
    return log.finish(0, 0);
  }

  private static String describe(DeltaStore.Files files) {
    return String.format(Locale.ROOT, "%,d files %,.1f MB", files.files(), files.bytes() / 1e6);
  }
}
