package org.sparkwebmodel.common.step;

import org.apache.spark.sql.SparkSession;
import org.sparkwebmodel.common.config.Module;
import org.sparkwebmodel.common.config.Playbook;

/**
 * A module of the model (sessions, users): runs the main, complete or destroy step a playbook
 * names. Implementations are found with {@link java.util.ServiceLoader}, so the launcher runs any
 * module on its classpath.
 */
public interface ModuleJob {
  Module module();

  /** Runs the playbook's step on {@code spark}; throws on failure, having written nothing bad. */
  StepReport run(SparkSession spark, Playbook playbook);
}
