package org.sparkwebmodel.common.step;

import java.util.List;
import org.sparkwebmodel.common.config.Variables;
import org.sparkwebmodel.common.delta.DeltaStore;
import org.sparkwebmodel.common.run.RunId;
import org.sparkwebmodel.common.table.TableName;

/**
 * The end of a complete step (reference §3.4, DECISIONS 16): drops the module's scratch tables by
 * {@code cleanup_mode}, then the run id when {@code ends_run}. {@code step} names its fault points
 * ({@link Faults}). Production tables, manifests and staged tables are never passed here.
 */
public final class Cleanup {
  private Cleanup() {}

  public static void apply(
      DeltaStore store, Variables vars, StepLog log, String step, List<TableName> scratch) {
    Faults.point(step + ".cleanup.before");
    List<TableName> dropped =
        scratch.stream().filter(vars.cleanupMode()::drops).filter(store::drop).toList();
    Faults.point(step + ".cleanup.after");
    log.detail("cleanup_mode " + vars.cleanupMode().value() + ": dropped " + dropped);
    if (vars.endsRun()) {
      RunId.end(store, vars);
      log.detail("run ended (" + RunId.table(vars) + " dropped)");
    }
  }
}
