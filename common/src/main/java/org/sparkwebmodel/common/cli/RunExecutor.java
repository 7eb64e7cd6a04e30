package org.sparkwebmodel.common.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkwebmodel.common.cli.RunOutcome.StepOutcome;
import org.sparkwebmodel.common.config.Playbook;
import org.sparkwebmodel.common.config.RunFile;
import org.sparkwebmodel.common.config.Step;
import org.sparkwebmodel.common.delta.DeltaStore;
import org.sparkwebmodel.common.error.Messages;
import org.sparkwebmodel.common.error.WebModelException;
import org.sparkwebmodel.common.run.RunState;
import org.sparkwebmodel.common.step.Codegen;
import org.sparkwebmodel.common.step.ModuleJob;
import org.sparkwebmodel.common.step.Modules;
import org.sparkwebmodel.common.step.StepReport;

/**
 * Runs the steps of a run file in order (the reference's {@code datamodeling.json} run), from its
 * first step or from {@code --from}, under the run lock of every warehouse and entropy it uses. A
 * step whose dependency failed or was skipped does not start; the steps that do not depend on a
 * failed one still run. Returns what became of each step and the model's tables afterwards; a
 * failed step is an outcome, not an exception, and leaves the lock held and marked failed at it.
 *
 * <p>Exceptions escape for what stops the run before or between steps: an unknown module or {@code
 * --from} step, a {@code --from} that would skip an unfinished main, a lock that another run holds,
 * a lock removed while the run runs.
 */
public final class RunExecutor {
  private static final Logger LOG = LoggerFactory.getLogger(RunExecutor.class);

  private final RunFile run;
  private final String from;

  /**
   * A run of {@code run} from the step {@code from} (null: from the first), checked before anything
   * is read: every step's module is on the classpath, and {@code from} is a step of the run file.
   */
  public RunExecutor(RunFile run, String from) {
    run.steps().forEach(step -> module(step.playbook()));
    List<String> names = run.steps().stream().map(RunFile.Entry::name).toList();
    if (from != null && !names.contains(from)) {
      throw new WebModelException(
          "--from " + from + ": no such step in " + run.source() + "; its steps are " + names);
    }
    this.run = run;
    this.from = from;
  }

  /** As {@link #run(SparkSession, String, Consumer)}, told nothing as the steps end. */
  public RunOutcome run(SparkSession spark, String holder) {
    return run(spark, holder, step -> {});
  }

  /**
   * Runs the steps and counts the tables.
   *
   * @param spark the session every step runs in
   * @param holder what the run lock records as holding it: the command line that started the run
   * @param progress told each step's outcome as soon as it is known (a step that ran: as it ends)
   */
  public RunOutcome run(SparkSession spark, String holder, Consumer<StepOutcome> progress) {
    if (from != null) {
      requireFinishedBefore(spark);
    }
    RunLocks locks =
        RunLocks.acquire(spark, run.steps().stream().map(RunFile.Entry::playbook).toList(), holder);
    Map<String, StepOutcome> outcomes = new LinkedHashMap<>();
    boolean failed = false;
    boolean started = from == null;
    for (RunFile.Entry step : run.steps()) {
      String label = step.playbook().label();
      started |= step.name().equals(from);
      List<String> blocked =
          step.dependsOn().stream().filter(d -> !outcomes.get(d).done()).toList();
      StepOutcome outcome;
      Exception error = null;
      if (!started) {
        outcome = StepOutcome.notRun(step.name(), label);
      } else if (!blocked.isEmpty()) {
        outcome = StepOutcome.skipped(step.name(), label, blocked);
      } else {
        if (!failed) {
          // After a failure the lock keeps the failed step.
          locks.at(step.name());
        }
        try {
          StepReport report = runStep(spark, step.playbook(), module(step.playbook()));
          outcome = StepOutcome.ok(step.name(), label, report);
        } catch (Exception e) {
          // Spark's SparkException and AnalysisException are checked although nothing declares
          // them.
          error = e;
          outcome = StepOutcome.failed(step.name(), label, Messages.firstLine(e.getMessage()));
        }
      }
      outcomes.put(step.name(), outcome);
      progress.accept(outcome);
      if (error != null) {
        LOG.warn("step {} failed", step.name(), error);
        if (!failed) {
          failed = true;
          locks.fail(step.name(), error);
        }
      }
    }
    Codegen.bookkeeping(spark); // the lock's release and the table counts
    if (!failed) {
      locks.release();
    }
    Playbook last = run.steps().get(run.steps().size() - 1).playbook();
    return new RunOutcome(
        run.source(),
        from,
        List.copyOf(outcomes.values()),
        TableCounts.count(store(spark, last), last.variables()));
  }

  /** Runs one playbook's step under a Spark job group named after it, so the UI says what runs. */
  static StepReport runStep(SparkSession spark, Playbook playbook, ModuleJob module) {
    spark.sparkContext().setJobGroup(playbook.label(), playbook.label(), false);
    return module.run(spark, playbook);
  }

  /** The module a playbook runs, among the modules on the classpath. */
  static ModuleJob module(Playbook playbook) {
    return Modules.named(playbook.module(), playbook.source());
  }

  private static DeltaStore store(SparkSession spark, Playbook playbook) {
    return new DeltaStore(spark, playbook.variables().locations());
  }

  /**
   * Refuses {@code --from} when a main step it skips has not finished but its module's complete
   * step will run: complete would refuse, or (with an earlier main finished) a custom step in
   * between would miss the batch. Says where to start instead.
   */
  private void requireFinishedBefore(SparkSession spark) {
    List<RunFile.Entry> steps = run.steps();
    int start = steps.stream().map(RunFile.Entry::name).toList().indexOf(from);
    for (RunFile.Entry skipped : steps.subList(0, start)) {
      Playbook main = skipped.playbook();
      if (main.step() != Step.MAIN || main.module().equals(Playbook.CUSTOM)) {
        continue;
      }
      boolean completeRuns =
          steps.subList(start, steps.size()).stream()
              .map(RunFile.Entry::playbook)
              .anyMatch(p -> p.step() == Step.COMPLETE && p.module().equals(main.module()));
      boolean finished =
          RunState.read(store(spark, main), main.variables(), main.module())
              .filter(RunState::mainFinished)
              .isPresent();
      if (completeRuns && !finished) {
        throw new WebModelException(
            "--from "
                + from
                + ": step '"
                + skipped.name()
                + "' has no finished "
                + main.module()
                + " main pending its complete step; start from '"
                + skipped.name()
                + "'");
      }
    }
  }
}
