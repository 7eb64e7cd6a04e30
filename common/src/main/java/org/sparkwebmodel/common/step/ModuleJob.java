package org.sparkwebmodel.common.step;

import org.apache.spark.sql.SparkSession;
import org.sparkwebmodel.common.config.Playbook;

/**
 * A module of the model as the command line and {@code spark-submit} see it: it runs the step a
 * playbook names. Implementations are registered in {@code
 * META-INF/services/org.sparkwebmodel.common.step.ModuleJob} and found by {@link Modules}, so the
 * launcher runs any module on its classpath. The model's modules extend {@link ModelModule}; the
 * custom SQL steps are the other kind.
 */
public interface ModuleJob {
  /** The module's name in playbooks ({@code module:}) and in {@code datamodel_metadata.module}. */
  String name();

  /** Runs the playbook's step on {@code spark}; throws on failure, having written nothing bad. */
  StepReport run(SparkSession spark, Playbook playbook);
}
