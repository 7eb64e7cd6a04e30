package org.sparkwebmodel.common.cli;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.sparkwebmodel.common.step.StepReport;

/**
 * What a run of a run file did ({@link RunExecutor}): the outcome of each of its steps in the run
 * file's order, and the model's tables with their rows after the last step.
 *
 * @param source the run file
 * @param from the step the run started at ({@code --from}), or null: the first
 * @param steps one outcome per step of the run file, in its order
 * @param tables the model's tables (of the last step's warehouse and entropy) after the run
 */
public record RunOutcome(String source, String from, List<StepOutcome> steps, TableCounts tables) {
  public RunOutcome {
    Objects.requireNonNull(source, "source");
    steps = List.copyOf(steps);
    Objects.requireNonNull(tables, "tables");
  }

  /** What became of one step. */
  public enum Status {
    /** It ran and succeeded. */
    OK,
    /** It ran and failed; the steps that depend on it are skipped. */
    FAILED,
    /** It did not start: a step it depends on failed or was skipped. */
    SKIPPED,
    /** It comes before {@code --from}: not run, and counted as done for the steps after it. */
    NOT_RUN
  }

  /**
   * One step's outcome.
   *
   * @param name the step's name in the run file
   * @param label the playbook's label, e.g. {@code sessions main}
   * @param status what became of it
   * @param report what it did, when {@link Status#OK}; else null
   * @param failure the first line of its error, when {@link Status#FAILED}; else null
   * @param blockedBy its dependencies that did not succeed, when {@link Status#SKIPPED}; else empty
   */
  public record StepOutcome(
      String name,
      String label,
      Status status,
      StepReport report,
      String failure,
      List<String> blockedBy) {
    public StepOutcome {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(status, "status");
      blockedBy = List.copyOf(blockedBy);
      if ((report != null) != (status == Status.OK)
          || (failure != null) != (status == Status.FAILED)
          || blockedBy.isEmpty() == (status == Status.SKIPPED)) {
        throw new IllegalArgumentException(
            "step '"
                + name
                + "' "
                + status
                + " with report "
                + report
                + ", failure "
                + failure
                + ", blocked by "
                + blockedBy);
      }
    }

    static StepOutcome ok(String name, String label, StepReport report) {
      return new StepOutcome(name, label, Status.OK, report, null, List.of());
    }

    static StepOutcome failed(String name, String label, String failure) {
      return new StepOutcome(name, label, Status.FAILED, null, failure, List.of());
    }

    static StepOutcome skipped(String name, String label, List<String> blockedBy) {
      return new StepOutcome(name, label, Status.SKIPPED, null, null, blockedBy);
    }

    static StepOutcome notRun(String name, String label) {
      return new StepOutcome(name, label, Status.NOT_RUN, null, null, List.of());
    }

    /** Whether the steps that depend on this one may start: it succeeded or came before --from. */
    boolean done() {
      return status == Status.OK || status == Status.NOT_RUN;
    }
  }

  /** The first step that failed, if any: the run failed. */
  public Optional<StepOutcome> firstFailure() {
    return steps.stream().filter(s -> s.status() == Status.FAILED).findFirst();
  }

  /** The names of the steps with {@code status}, in the run file's order. */
  public List<String> named(Status status) {
    return steps.stream().filter(s -> s.status() == status).map(StepOutcome::name).toList();
  }
}
