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
 *   <li>its name and its tables, declared once ({@link Tables}): the staged input it reads, the
 *       derived table it upserts, the {@code *_this_run} batch, the other tables it keeps and its
 *       scratch tables;
 *   <li>its input check ({@link #checkInput}) and its transform ({@link #transform}), which writes
 *       the {@code *_this_run} table from the pinned input, calling the module's pure transform;
 *   <li>its upsert window ({@link #upsertFrom});
 *   <li>what it stages for the next module ({@link #stageNext}) and what its complete step folds in
 *       before the staged rows go ({@link #completeWrites()}).
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
  private final String name;
  private final Clock clock;
  private final Tables tables;

  /**
   * The tables of a module, declared once ({@link ModelTable}: schema, key, gate rules).
   *
   * @param input the staged table main reads at a pinned version; complete removes those rows by
   *     its key, unless it is an atomic table ({@link ModelTable.Place#ATOMIC}), which is only read
   * @param derived the table main upserts the batch into, on its key, within the upsert window;
   *     null for a module without one (base, which only stages its batch)
   * @param thisRun the batch: main writes it from the input, the gate checks it, the upsert reads
   *     it
   * @param permanent the tables main creates when missing: the derived table, the module's
   *     manifests and the table it stages for the next module
   * @param scratch the scratch tables complete drops by {@code cleanup_mode}
   * @param stagedForNext the table main stages for the next module (fault points {@code
   *     main.stage_next}), if any
   */
  public record Tables(
      ModelTable input,
      ModelTable derived,
      ModelTable thisRun,
      List<ModelTable> permanent,
      List<ModelTable> scratch,
      Optional<ModelTable> stagedForNext) {
    public Tables {
      permanent = List.copyOf(permanent);
      scratch = List.copyOf(scratch);
      if (derived != null && !permanent.contains(derived)) {
        throw new IllegalArgumentException("the derived table " + derived.name() + " is permanent");
      }
      if (stagedForNext.isPresent() && !permanent.contains(stagedForNext.get())) {
        throw new IllegalArgumentException(
            "the staged table " + stagedForNext.get().name() + " is permanent");
      }
    }
  }

  /**
   * @param name the module's name in playbooks and in {@code datamodel_metadata.module}
   * @param clock where run ids and run timestamps come from
   * @param tables the module's tables
   */
  protected ModelModule(String name, Clock clock, Tables tables) {
    this.name = name;
    this.clock = clock;
    this.tables = tables;
  }

  @Override
  public final StepReport run(SparkSession spark, Playbook playbook) {
    return new StepProtocol<>(this).run(spark, playbook);
  }

  @Override
  public final String name() {
    return name;
  }

  /** The module's tables. */
  public final Tables declared() {
    return tables;
  }

  public final ModelTable input() {
    return tables.input();
  }

  /** The table main upserts the batch into, if the module has one. */
  public final Optional<ModelTable> derived() {
    return Optional.ofNullable(tables.derived());
  }

  /** Whether complete removes the rows main read from the input (not from an atomic table). */
  public final boolean consumesInput() {
    return tables.input().place() != ModelTable.Place.ATOMIC;
  }

  public final ModelTable thisRun() {
    return tables.thisRun();
  }

  public final List<ModelTable> permanent() {
    return tables.permanent();
  }

  public final List<ModelTable> scratch() {
    return tables.scratch();
  }

  public final Optional<ModelTable> stagedForNext() {
    return tables.stagedForNext();
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
