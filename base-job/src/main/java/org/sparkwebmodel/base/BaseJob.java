package org.sparkwebmodel.base;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.sparkwebmodel.common.config.Variables;
import org.sparkwebmodel.common.delta.DeltaStore;
import org.sparkwebmodel.common.delta.StagedInput;
import org.sparkwebmodel.common.delta.Upsert;
import org.sparkwebmodel.common.error.WebModelException;
import org.sparkwebmodel.common.step.BatchStats;
import org.sparkwebmodel.common.step.Deduplication;
import org.sparkwebmodel.common.step.InputQuality;
import org.sparkwebmodel.common.step.ModelModule;
import org.sparkwebmodel.common.step.StepContext;
import org.sparkwebmodel.common.step.Transformed;
import org.sparkwebmodel.common.table.AtomicEvents;
import org.sparkwebmodel.common.table.ModelTable;
import org.sparkwebmodel.common.table.TableName;

/**
 * The base module (reference-base-page-views §4, DECISIONS 21–28): the atomic events table in, the
 * events of every session with new events staged for page views in {@code events_staged}. Main
 * reads the events table at a pinned version, finds the run's window from the event manifest,
 * selects the sessions to include and their events ({@link SelectEvents}), keeps one copy of each
 * event_id and stages the batch; complete records the batch in the event and session manifests,
 * which is what moves the next run's window. The events table is only read.
 */
public final class BaseJob extends ModelModule<BaseJob.EventsLayout, BaseJob.Batch> {

  /** The atomic events table (where the {@code events} variable points); never written. */
  public static final ModelTable EVENTS = ModelTable.atomic("events", AtomicEvents.TABLE);

  /**
   * Up to this many sessions, their ids are broadcast to select their events (about 50 MB of ids):
   * the events, 130 columns wide, are then not shuffled (measured at 1,000,000 page views' worth:
   * README, Performance).
   */
  static final long BROADCAST_SESSIONS = 1_000_000;

  /** The manifests' seed id: a row no event or session has, at {@code start_date}. */
  static final String SEED = "seed";

  public BaseJob() {
    this(Clock.systemUTC());
  }

  /** A job whose run ids and run timestamps come from {@code clock} (tests). */
  public BaseJob(Clock clock) {
    super(
        "base",
        clock,
        new Tables(
            EVENTS,
            null,
            BaseTables.EVENTS_THIS_RUN,
            List.of(
                BaseTables.EVENT_ID_MANIFEST,
                BaseTables.SESSION_ID_MANIFEST,
                BaseTables.EVENTS_STAGED),
            List.of(
                BaseTables.EVENTS_THIS_RUN,
                BaseTables.SESSIONS_TO_INCLUDE,
                BaseTables.EVENT_IDS_THIS_RUN,
                BaseTables.RUN_LIMITS),
            Optional.of(BaseTables.EVENTS_STAGED)));
  }

  /**
   * What the input check found: which entity columns the events table has (the others are NULL).
   */
  public record EventsLayout(List<String> entityColumns) implements InputQuality {}

  /**
   * What main selected.
   *
   * @param events the events of the included sessions read (every copy)
   * @param sessions the sessions included
   * @param lower the batch's lower collector-time bound (NULL when no session was included)
   * @param upper the batch's upper collector-time bound
   * @param duplicateRows copies of an event_id removed beyond the one kept
   * @param duplicateKeys event_ids that had more than one copy
   */
  public record Batch(
      long events,
      long sessions,
      Instant lower,
      Instant upper,
      long duplicateRows,
      long duplicateKeys)
      implements Transformed, Deduplication {
    @Override
    public long rowsRead() {
      return events;
    }
  }

  @Override
  public String timeKey() {
    return "collector_tstamp";
  }

  /**
   * Every atomic column must be there with the Lake Loader's type, and each modelled entity column,
   * where present, an array of structs; fails naming the table and the column otherwise.
   */
  @Override
  protected EventsLayout checkInput(StepContext step, StagedInput.Pinned input, Instant runStart) {
    StructType have = input.rows().schema();
    String where = describe(step, input.table());
    for (StructField want : AtomicEvents.ATOMIC.fields()) {
      DataType type = AtomicEvents.typeOf(have, want.name());
      if (type == null) {
        throw new WebModelException(
            where
                + " lacks column "
                + want.name()
                + " "
                + want.dataType().sql()
                + " (the Snowplow Lake Loader layout); nothing was written");
      }
      if (!type.equals(want.dataType())) {
        throw new WebModelException(
            where
                + " column "
                + want.name()
                + " is "
                + type.sql()
                + ", expected "
                + want.dataType().sql()
                + " (the Snowplow Lake Loader layout); nothing was written");
      }
    }
    List<String> entities = new ArrayList<>();
    for (AtomicEvents.Entity entity : AtomicEvents.MODELLED) {
      DataType type = AtomicEvents.typeOf(have, entity.column());
      if (type == null) {
        continue;
      }
      if (!(type instanceof ArrayType array && array.elementType() instanceof StructType)) {
        throw new WebModelException(
            where
                + " column "
                + entity.column()
                + " is "
                + type.sql()
                + ", expected an array of structs (one per entity); nothing was written");
      }
      entities.add(entity.column());
    }
    if (!entities.contains(AtomicEvents.WEB_PAGE.column())) {
      step.log()
          .warn(
              where
                  + " has no column "
                  + AtomicEvents.WEB_PAGE.column()
                  + ": no event has a page_view_id, so page views will find no page view");
    }
    return new EventsLayout(List.copyOf(entities));
  }

  private static String describe(StepContext step, TableName table) {
    String location = step.store().location(table);
    return step.vars().base().eventsLocation().isPresent()
        ? "events table " + location
        : "events table " + table + " (" + location + ")";
  }

  @Override
  protected Batch transform(StepContext step, StagedInput.Pinned input, EventsLayout layout) {
    DeltaStore store = step.store();
    Variables.Base vars = step.vars().base();
    Dataset<Row> events = input.rows();
    Dataset<Row> eventManifest = store.read(step.name(BaseTables.EVENT_ID_MANIFEST));

    // The window: from the event manifest's maximum (the seed: start_date), §4.2.
    Instant top =
        step.log()
            .phase(
                "read " + step.name(BaseTables.EVENT_ID_MANIFEST),
                () -> manifestTop(eventManifest, vars),
                t -> "latest collector_tstamp processed " + t);
    Instant lower = top.minus(Duration.ofHours(vars.lookbackWindowHours()));
    Instant upper = top.plus(Duration.ofDays(vars.updateCadenceDays()));
    Instant windowEnd = upper;
    Instant sessionLimit = top.minus(Duration.ofDays(vars.sessionLookbackDays()));

    // The sessions to include (§4.4–4.5), written for the complete step's session manifest.
    // The batch is known only once the sessions are: the events in the window (a count over the
    // window's files) size it until then.
    step.sizeBatch(SelectEvents.inWindow(events, lower, upper).count());
    long sessions = includeSessions(step, events, eventManifest, lower, upper, sessionLimit);
    if (sessions == 0) {
      // No stall (DECISIONS 28): move past a gap to the earliest event after the window.
      Row later =
          step.log()
              .phase(
                  "look past " + windowEnd,
                  () ->
                      SelectEvents.earliestAfter(events, windowEnd, vars.daysLateAllowed()).first(),
                  r -> r.isNullAt(0) ? "no later events" : "earliest later event " + r.get(0));
      if (!later.isNullAt(0)) {
        Instant earliest = later.<Instant>getAs(0);
        lower = earliest;
        upper = earliest.plus(Duration.ofDays(vars.updateCadenceDays()));
        step.log()
            .warn(
                "no new events of an includable session in the window up to "
                    + windowEnd
                    + "; skipped the gap to "
                    + earliest
                    + " and process up to "
                    + upper);
        sessions = includeSessions(step, events, eventManifest, lower, upper, sessionLimit);
      }
    }
    Dataset<Row> included = store.read(step.name(BaseTables.SESSIONS_TO_INCLUDE));
    Row first = included.agg(min("min_tstamp")).first();
    Instant batchLower = first.isNullAt(0) ? null : first.<Instant>getAs(0);
    Instant batchUpper = upper;
    store.overwrite(
        step.name(BaseTables.RUN_LIMITS),
        store
            .spark()
            .createDataFrame(
                List.of(RowFactory.create(batchLower, batchUpper)),
                BaseTables.RUN_LIMITS.schema()));

    // The events of those sessions in [batch lower, upper] (§4.7): every copy recorded for the
    // manifest, one copy each staged (DECISIONS 25).
    Dataset<Row> ofSessions =
        batchLower == null
            ? events.limit(0)
            : SelectEvents.eventsOfSessions(
                events, included, batchLower, batchUpper, sessions <= BROADCAST_SESSIONS);
    Copies copies =
        step.log()
            .phase(
                "compute " + step.name(BaseTables.EVENT_IDS_THIS_RUN),
                () -> {
                  store.overwrite(
                      step.name(BaseTables.EVENT_IDS_THIS_RUN), SelectEvents.eventIds(ofSessions));
                  Row stats =
                      store
                          .read(step.name(BaseTables.EVENT_IDS_THIS_RUN))
                          .groupBy("event_id")
                          .agg(count(lit(1)).as("copies"))
                          .agg(
                              sum("copies").as("rows"),
                              sum(col("copies").minus(1)).as("removed"),
                              sum(when(col("copies").gt(1), 1).otherwise(0)).as("ids"))
                          .first();
                  return new Copies(
                      stats.isNullAt(0) ? 0 : stats.getLong(0),
                      stats.isNullAt(1) ? 0 : stats.getLong(1),
                      stats.isNullAt(2) ? 0 : stats.getLong(2));
                },
                c -> c.events() + " events, " + c.removed() + " duplicate copies");
    step.sizeBatch(copies.events());
    step.log()
        .phase(
            "compute " + step.name(BaseTables.EVENTS_THIS_RUN),
            () ->
                store.overwrite(
                    step.name(BaseTables.EVENTS_THIS_RUN),
                    SelectEvents.deduplicate(
                        ofSessions,
                        store
                            .read(step.name(BaseTables.EVENT_IDS_THIS_RUN))
                            .groupBy("event_id")
                            .count()
                            .where(col("count").gt(1))
                            .select("event_id"))),
            "one copy of each event, with its page_view_id");
    if (copies.removed() > 0) {
      step.log()
          .warn(copies.removed() + " duplicate events removed (" + copies.ids() + " event_ids)");
    }
    return new Batch(
        copies.events(), sessions, batchLower, batchUpper, copies.removed(), copies.ids());
  }

  /**
   * The batch's events before de-duplication: every copy, the copies beyond the first of an
   * event_id, and the event_ids with more than one copy.
   */
  private record Copies(long events, long removed, long ids) {}

  /**
   * Writes {@code base_sessions_to_include} for the window and returns how many sessions it holds.
   */
  private long includeSessions(
      StepContext step,
      Dataset<Row> events,
      Dataset<Row> eventManifest,
      Instant lower,
      Instant upper,
      Instant sessionLimit) {
    Variables.Base vars = step.vars().base();
    TableName target = step.name(BaseTables.SESSIONS_TO_INCLUDE);
    return step.log()
        .phase(
            "compute " + target + " for [" + lower + ", " + upper + "]",
            () -> {
              Dataset<Row> newEvents =
                  SelectEvents.newEvents(
                      events, eventManifest, lower, upper, vars.daysLateAllowed());
              step.store()
                  .overwrite(
                      target,
                      SelectEvents.sessionsToInclude(
                          newEvents,
                          step.store().read(step.name(BaseTables.SESSION_ID_MANIFEST)),
                          sessionLimit,
                          vars.daysLateAllowed()));
              return step.store().read(target).count();
            },
            n -> n + " sessions");
  }

  /**
   * The latest collector_tstamp of the event manifest, counting its seed ({@code start_date}) when
   * it has none yet (§4.1: a manifest without rows is seeded).
   */
  static Instant manifestTop(Dataset<Row> manifest, Variables.Base vars) {
    Row row =
        manifest
            .agg(
                max("collector_tstamp").as("top"),
                count(when(col("event_id").equalTo(SEED), 1)).as("seeds"))
            .first();
    Instant seed = vars.startDate().atStartOfDay(ZoneOffset.UTC).toInstant();
    Instant top = row.isNullAt(0) ? seed : row.<Instant>getAs(0);
    return row.getLong(1) == 0 && seed.isAfter(top) ? seed : top;
  }

  /** Base has no derived table to upsert. */
  @Override
  protected Optional<Instant> upsertFrom(Variables vars, Batch transformed, BatchStats batch) {
    return Optional.empty();
  }

  /**
   * Stages the batch in {@code events_staged}, replacing rows staged earlier with the same event_id
   * (DECISIONS 26: it accumulates until page-views complete removes what page views read).
   */
  @Override
  protected String stageNext(StepContext step) {
    Upsert.Counts counts =
        Upsert.replace(
            step.store(),
            step.name(BaseTables.EVENTS_STAGED),
            step.name(BaseTables.EVENTS_THIS_RUN),
            List.of("event_id"),
            Optional.empty(),
            // the gate established one row per non-NULL event_id
            true);
    return step.name(BaseTables.EVENTS_STAGED)
        + ": "
        + counts.inserted()
        + " events staged, "
        + counts.deleted()
        + " replaced";
  }

  /**
   * Before the run ends: the batch enters the manifests (§4.12, DECISIONS 24 and 27), which moves
   * the next run's window. Each write is a replace on its keys, so a repeat after a crash changes
   * nothing; a manifest without its seed row gets it.
   */
  @Override
  protected List<CompleteWrite> completeWrites() {
    return List.of(
        new CompleteWrite(
            "event_manifest",
            "update base_event_id_manifest",
            step -> {
              TableName manifest = step.name(BaseTables.EVENT_ID_MANIFEST);
              seed(step, manifest, "event_id", "collector_tstamp");
              Upsert.Counts counts =
                  Upsert.replace(
                      step.store(),
                      manifest,
                      step.store().read(step.name(BaseTables.EVENT_IDS_THIS_RUN)).distinct(),
                      List.of("event_id", "collector_tstamp"),
                      Optional.empty(),
                      true);
              return manifest + ": " + (counts.inserted() - counts.deleted()) + " events added";
            }),
        new CompleteWrite(
            "session_manifest",
            "update base_session_id_manifest",
            step -> {
              TableName manifest = step.name(BaseTables.SESSION_ID_MANIFEST);
              seed(step, manifest, "session_id", "min_tstamp");
              Upsert.Counts counts =
                  Upsert.replace(
                      step.store(),
                      manifest,
                      step.name(BaseTables.SESSIONS_TO_INCLUDE),
                      List.of("session_id"),
                      Optional.empty(),
                      // grouped by session_id
                      true);
              return manifest
                  + ": "
                  + (counts.inserted() - counts.deleted())
                  + " sessions added, "
                  + counts.deleted()
                  + " updated";
            }));
  }

  /** Adds the seed row ('seed', start_date) to a manifest that lacks it. */
  private static void seed(StepContext step, TableName manifest, String id, String time) {
    DeltaStore store = step.store();
    if (!store.read(manifest).where(col(id).equalTo(SEED)).isEmpty()) {
      return;
    }
    StructType schema = store.read(manifest).schema();
    store.append(
        manifest,
        store
            .spark()
            .createDataFrame(
                List.of(
                    RowFactory.create(
                        SEED,
                        step.vars().base().startDate().atStartOfDay(ZoneOffset.UTC).toInstant())),
                schema)
            .select(id, time));
  }
}
