package org.sparkwebmodel.common.run;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.sparkwebmodel.common.config.Variables;
import org.sparkwebmodel.common.delta.DeltaStore;
import org.sparkwebmodel.common.delta.Upsert;
import org.sparkwebmodel.common.table.ModelTables;
import org.sparkwebmodel.common.table.TableName;

/**
 * The permanent {@code datamodel_metadata} table: one row per module per run. Writing is keyed on
 * (run_id, model, module), so re-running a failed main step replaces its row instead of adding a
 * second one (DECISIONS 15).
 */
public final class Metadata {
  public static final String MODEL = "web";

  private Metadata() {}

  public static TableName table(Variables vars) {
    return vars.table(ModelTables.DATAMODEL_METADATA);
  }

  public static void ensureTable(DeltaStore store, Variables vars) {
    store.createIfMissing(table(vars), ModelTables.DATAMODEL_METADATA.schema());
  }

  /** Inserts or replaces the row of (run_id, model, module). */
  public static void write(DeltaStore store, Variables vars, MetadataRow row) {
    ensureTable(store, vars);
    var source =
        store
            .spark()
            .createDataFrame(List.of(row.toRow()), ModelTables.DATAMODEL_METADATA.schema());
    // One row: its key is unique, and not NULL when its three columns are set.
    boolean keySet = row.runId() != null && row.model() != null && row.module() != null;
    Upsert.replace(
        store, table(vars), source, List.of("run_id", "model", "module"), Optional.empty(), keySet);
  }

  /** Whether a row for this run and module exists already. */
  public static boolean hasRow(DeltaStore store, Variables vars, Instant runId, String module) {
    if (!store.exists(table(vars))) {
      return false;
    }
    return !store
        .read(table(vars))
        .where(
            col("run_id")
                .equalTo(lit(runId))
                .and(col("model").equalTo(MODEL))
                .and(col("module").equalTo(module)))
        .isEmpty();
  }
}
