package org.sparkwebmodel.common.step;

import org.sparkwebmodel.common.config.Variables;
import org.sparkwebmodel.common.delta.DeltaStore;
import org.sparkwebmodel.common.table.ModelTable;
import org.sparkwebmodel.common.table.TableName;

/**
 * What a module's phases work with in one step: the warehouse's tables, the playbook's variables
 * and the step's log.
 */
public record StepContext(DeltaStore store, Variables vars, StepLog log) {
  /** The name of a declared table under this step's variables (schema and entropy). */
  public TableName name(ModelTable table) {
    return vars.table(table);
  }

  /**
   * Tells the step how many rows its batch has, once known: a large batch runs the rest of the step
   * with Spark's code generation, a small one without ({@link Codegen}). The protocol does this for
   * a staged input; a module that finds its batch itself (base) calls it.
   */
  public void sizeBatch(long rows) {
    log.detail(Codegen.forBatch(store.spark(), rows));
  }
}
