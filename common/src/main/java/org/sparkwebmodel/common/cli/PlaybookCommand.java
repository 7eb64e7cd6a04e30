package org.sparkwebmodel.common.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.sparkwebmodel.common.config.Playbook;
import org.sparkwebmodel.common.config.PlaybookLoader;
import org.sparkwebmodel.common.delta.DeltaStore;
import org.sparkwebmodel.common.step.Faults;
import org.sparkwebmodel.common.step.ModuleJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code web-model playbook FILE.yml}: runs one playbook (a module's main, complete or destroy
 * step) under the run lock of its warehouse and entropy, then prints the model's tables with their
 * rows. A failed step keeps the lock, marked failed at the step.
 */
@Command(
    name = "playbook",
    description = "Run one playbook (a module's main, complete or destroy).")
final class PlaybookCommand implements Callable<Integer> {
  @ParentCommand WebModelCli cli;

  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "FILE.yml",
      description = "The playbook to run: a path or a URI (s3://, gs://, hdfs://).")
  String file;

  @Mixin VarOptions vars;

  @Override
  public Integer call() {
    Faults.configured();
    WebModelCli.startSessionFor(file);
    Playbook playbook = PlaybookLoader.load(file, vars.overrides(cli.warehouse));
    ModuleJob job = WebModelCli.jobFor(playbook);
    PrintWriter out = spec.commandLine().getOut();
    SparkSession spark = WebModelCli.session(playbook.label());
    RunLocks lock =
        RunLocks.acquire(
            spark, List.of(playbook), vars.commandLine(cli.warehouse, "playbook " + file));
    try {
      WebModelCli.runPlaybook(playbook, job, out);
    } catch (Exception e) {
      // Spark's SparkException and AnalysisException are checked although nothing declares them.
      lock.fail(playbook.label(), e);
      throw e;
    }
    lock.release();
    out.println();
    DeltaStore store = new DeltaStore(spark, playbook.variables().locations());
    TableCounts.count(store, playbook.variables()).print(out);
    return 0;
  }
}
