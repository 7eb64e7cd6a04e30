package org.sparkwebmodel.common.run;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.sparkwebmodel.common.config.Variables;
import org.sparkwebmodel.common.delta.DeltaStore;
import org.sparkwebmodel.common.table.ModelTables;
import org.sparkwebmodel.common.table.TableName;

/**
 * The run id shared by every module of a run: the one-row scratch table {@code metadata_run_id}
 * (reference §3.1). Created by the first main step of a run, dropped by a complete step with {@code
 * ends_run: true}.
 */
public final class RunId {
  private RunId() {}

  public static TableName table(Variables vars) {
    return vars.table(ModelTables.METADATA_RUN_ID);
  }

  /** The current run id, if a run is open. */
  public static Optional<Instant> current(DeltaStore store, Variables vars) {
    TableName table = table(vars);
    if (!store.exists(table)) {
      return Optional.empty();
    }
    Row row = store.read(table).agg(max(col("run_id"))).first();
    return row.isNullAt(0) ? Optional.empty() : Optional.of(row.getAs(0));
  }

  /** Opens a new run with id {@code now}, replacing any previous id. */
  public static Instant start(DeltaStore store, Variables vars, Instant now) {
    store.overwrite(
        table(vars),
        store
            .spark()
            .createDataFrame(
                List.of(RowFactory.create(now)), ModelTables.METADATA_RUN_ID.schema()));
    return now;
  }

  /** Ends the run: drops {@code metadata_run_id}. Returns whether a run was open. */
  public static boolean end(DeltaStore store, Variables vars) {
    return store.drop(table(vars));
  }
}
