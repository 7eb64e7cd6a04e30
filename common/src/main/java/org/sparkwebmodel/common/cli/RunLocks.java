package org.sparkwebmodel.common.cli;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.SparkSession;
import org.sparkwebmodel.common.config.Playbook;
import org.sparkwebmodel.common.config.Variables;
import org.sparkwebmodel.common.delta.DeltaStore;
import org.sparkwebmodel.common.error.Messages;
import org.sparkwebmodel.common.run.RunLock;
import org.sparkwebmodel.common.step.Codegen;
import org.sparkwebmodel.common.table.Warehouse;

/**
 * The run locks of a command: one per warehouse and entropy its playbooks use (normally one), taken
 * all or none, marked at the running step, failed or released together.
 */
final class RunLocks {
  private final List<RunLock> locks;

  private RunLocks(List<RunLock> locks) {
    this.locks = List.copyOf(locks);
  }

  /** Takes the lock of every warehouse and entropy of {@code playbooks} for {@code holder}. */
  static RunLocks acquire(SparkSession spark, List<Playbook> playbooks, String holder) {
    Codegen.bookkeeping(spark);
    List<RunLock> locks = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    try {
      for (Playbook playbook : playbooks) {
        Variables vars = playbook.variables();
        Warehouse warehouse = new Warehouse(vars.warehouse());
        if (seen.add(warehouse.root() + "|" + vars.entropy())) {
          locks.add(RunLock.acquire(new DeltaStore(spark, warehouse), vars, holder));
        }
      }
    } catch (RuntimeException e) {
      locks.forEach(RunLock::release);
      throw e;
    }
    return new RunLocks(locks);
  }

  /** Records the step that starts now, for {@code unlock} to say where a killed run stopped. */
  void at(String step) {
    locks.forEach(lock -> lock.at(step));
  }

  /**
   * Marks the locks failed at {@code step}; a failure to do so is attached to {@code cause}, whose
   * error is the one to report.
   */
  void fail(String step, Exception cause) {
    for (RunLock lock : locks) {
      try {
        lock.fail(step, Messages.firstLine(cause.getMessage()));
      } catch (RuntimeException e) {
        cause.addSuppressed(e);
      }
    }
  }

  void release() {
    locks.forEach(RunLock::release);
  }
}
