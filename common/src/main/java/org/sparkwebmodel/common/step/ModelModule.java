package org.sparkwebmodel.common.step;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.apache.spark.sql.SparkSession;
import org.sparkwebmodel.common.config.Playbook;
import org.sparkwebmodel.common.config.Variables;
import org.sparkwebmodel.common.delta.StagedInput;
import org.sparkwebmodel.common.table.ModelTable;

/**
 * A module of the model: what is its own, and nothing else. {@link StepProtocol} runs its main,
 * complete and destroy steps the same way for every module; a module supplies
 *
 * <ul>
 *   <li>its tables, declared once ({@link ModelTable}: schema, key, gate rules): the staged {@link
 *       #input()} it reads, the {@link #derived()} table it upserts, the {@link #thisRun()} batch,
 *       the other tables it keeps ({@link #permanent()}) and its {@link #scratch()} tables;
 *   <li>its input check ({@link #checkInput}) and its transform ({@link #transform}), which writes
 *       the {@code *_this_run} table from the pinned input, calling the module's pure transform;
 *   <li>its upsert window ({@link #upsertFrom});
 *   <li>what it stages for the next module ({@link #stagedForNext()}, {@link #stageNext}) and what
 *       its complete step folds in before the staged rows go ({@link #completeWrites()}).
 * </ul>
 *
 * Adding a module is one such class plus its playbooks, registered in {@code
 * META-INF/services/org.sparkwebmodel.common.step.ModuleJob}.
 *
 * @param <Q> what the module's input check finds
 * @param <T> what the module's transform reports
 */
public abstract class ModelModule<Q extends InputQuality, T extends Transformed>
    implements ModuleJob {
  private final Clock clock;

  protected ModelModule(Clock clock) {
    this.clock = clock;
  }

  @Override
  public final StepReport run(SparkSession spark, Playbook playbook) {
    return new StepProtocol<>(this).run(spark, playbook);
  }

  /** The staged table main reads at a pinned version; complete removes those rows by its key. */
  public abstract ModelTable input();

  /** The table main upserts the batch into, on its key, within the upsert window. */
  public abstract ModelTable derived();

  /** The batch: main writes it from the input, the gate checks it, the upsert reads it. */
  public abstract ModelTable thisRun();

  /**
   * The tables main creates when missing and destroy drops: the derived table, the module's
   * manifests and the table it stages for the next module.
   */
  public abstract List<ModelTable> permanent();

  /** The scratch tables complete drops by {@code cleanup_mode}, and destroy drops. */
  public abstract List<ModelTable> scratch();

  /** The table main stages for the next module (fault points {@code main.stage_next}), if any. */
  public Optional<ModelTable> stagedForNext() {
    return Optional.empty();
  }

  /** The column of {@code datamodel_metadata.time_key}, and of the upsert window. */
  public String timeKey() {
    return "start_tstamp";
  }

  /** Every table the module owns: what destroy drops besides the run's own tables. */
  public final List<ModelTable> tables() {
    List<ModelTable> tables = new ArrayList<>(permanent());
    tables.addAll(scratch());
    return List.copyOf(tables);
  }

  /**
   * Checks the pinned input before anything is written, failing with a message that names the table
   * and what is wrong.
   */
  protected abstract Q checkInput(StepContext step, StagedInput.Pinned input, Instant runStart);

  /** Writes {@link #thisRun()} (and any scratch table it needs) from the pinned input. */
  protected abstract T transform(StepContext step, StagedInput.Pinned input, Q quality);

  /**
   * After the gate passed: warns about what the batch lost against its input, if the module can
   * tell.
   */
  protected void afterGate(
      StepContext step, StagedInput.Pinned input, Q quality, BatchStats batch) {}

  /**
   * Where the upsert window starts: stored rows of the derived table with {@link #timeKey()} at or
   * after it may be replaced; empty when every row may be (a batch with no time key).
   */
  protected abstract Optional<Instant> upsertFrom(Variables vars, T transformed, BatchStats batch);

  /**
   * Stages the batch for the next module in {@link #stagedForNext()}, when {@code stage_next};
   * returns what it did, for the log and the step's summary.
   */
  protected String stageNext(StepContext step) {
    throw new UnsupportedOperationException(name() + " stages nothing for the next module");
  }

  /**
   * What complete writes before it removes the staged rows main read, in order; each is a pair of
   * fault points {@code <module>.complete.<name>.before|after}.
   */
  protected List<CompleteWrite> completeWrites() {
    return List.of();
  }

  /**
   * A write of a complete step: {@code name} names its fault points, {@code phase} its log line;
   * {@code write} returns what it did, for the step's summary.
   */
  public record CompleteWrite(String name, String phase, Function<StepContext, String> write) {}

  /** Now, to the microsecond (Spark's timestamp precision). */
  protected final Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }
}
