package org.sparkwebmodel.common.cli;

import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.sparkwebmodel.common.cli.RunOutcome.Status;
import org.sparkwebmodel.common.cli.RunOutcome.StepOutcome;
import org.sparkwebmodel.common.config.RunFile;
import org.sparkwebmodel.common.error.WebModelException;
import org.sparkwebmodel.common.step.Faults;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code web-model run [RUN_FILE]}: runs the steps of a run file with {@link RunExecutor} and
 * prints what became of them: each step's summary line (or its error, on stderr) as it ends, then
 * the run's summary and the model's tables with their rows. Exits 1 naming the first failed step
 * and the skipped ones.
 */
@Command(
    name = "run",
    description =
        "Run the playbooks of a run file in order (default configs/run.yml); a step whose"
            + " dependency failed is skipped.")
final class RunCommand implements Callable<Integer> {
  @ParentCommand WebModelCli cli;

  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "RUN_FILE",
      defaultValue = "configs/run.yml",
      description = "The run file, a path or a URI (default: ${DEFAULT-VALUE}).")
  String file;

  @Mixin VarOptions vars;

  @Option(
      names = "--from",
      paramLabel = "STEP",
      description =
          "Start at this step of the run file: finish a run that failed or was killed there"
              + " (the earlier steps count as done).")
  String from;

  @Override
  public Integer call() {
    Faults.configured();
    WebModelCli.startSessionFor(file);
    RunFile run = RunFile.load(file, vars.overrides(cli.warehouse));
    RunExecutor executor = new RunExecutor(run, from);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    RunOutcome outcome =
        executor.run(
            WebModelCli.session(run.steps().get(0).playbook().label()),
            vars.commandLine(cli.warehouse, "run " + file),
            step -> {
              if (step.status() == Status.OK) {
                out.println(step.report().summaryLine());
                out.flush();
              } else if (step.status() == Status.FAILED) {
                err.println("web-model: step '" + step.name() + "' failed: " + step.failure());
              }
            });
    out.println();
    out.println("Run " + outcome.source() + ":");
    outcome.steps().forEach(step -> out.println("  " + summaryLine(step, outcome.from())));
    out.println();
    outcome.tables().print(out);
    Optional<StepOutcome> failed = outcome.firstFailure();
    if (failed.isPresent()) {
      throw new WebModelException(
          "run step '"
              + failed.get().name()
              + "' failed: "
              + failed.get().failure()
              + "; skipped: "
              + outcome.named(Status.SKIPPED));
    }
    return 0;
  }

  /** A step's line in the run's summary. */
  static String summaryLine(StepOutcome step, String from) {
    return switch (step.status()) {
      case OK -> step.report().summaryLine();
      case FAILED -> String.format("%-26s FAILED: %s", step.label(), step.failure());
      case SKIPPED ->
          String.format("%-26s skipped: %s did not succeed", step.label(), step.blockedBy());
      case NOT_RUN -> String.format("%-26s not run (--from %s)", step.label(), from);
    };
  }
}
