package org.sparkwebmodel.sessions;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.sparkwebmodel.common.config.Variables;
import org.sparkwebmodel.common.delta.StagedInput;
import org.sparkwebmodel.common.delta.Upsert;
import org.sparkwebmodel.common.error.WebModelException;
import org.sparkwebmodel.common.step.BatchStats;
import org.sparkwebmodel.common.step.Deduplication;
import org.sparkwebmodel.common.step.InputQuality;
import org.sparkwebmodel.common.step.ModelModule;
import org.sparkwebmodel.common.step.StepContext;
import org.sparkwebmodel.common.step.Transformed;
import org.sparkwebmodel.common.table.ModelTable;
import org.sparkwebmodel.common.table.ModelTables;

/**
 * The sessions module (reference §4, DECISIONS.md 1–8 and 15–20): {@code page_views_staged} in,
 * {@code sessions} out, each user's earliest session start of the batch staged for the users
 * module. The step protocol ({@link ModelModule}) runs main, complete and destroy; this class holds
 * what is the module's own: its tables, the input check, the transform ({@link Sessionize}), the
 * lookback window and the staged users.
 */
public final class SessionsJob extends ModelModule<SessionsJob.PageViewQuality, SessionsJob.Batch> {

  /** {@code sessions}: one row per session, the 90 columns of Appendix A (reference §7.1). */
  public static final ModelTable SESSIONS =
      ModelTable.output("sessions", SessionColumns.SESSIONS_SCHEMA)
          .keyed("domain_sessionid", "page_views")
          .expectingNotNull(
              "domain_sessionidx",
              "start_tstamp",
              "end_tstamp",
              "domain_userid",
              "network_userid",
              "engaged_time_in_s",
              "absolute_time_in_s",
              "first_page_url",
              "last_page_url");

  /** {@code sessions_this_run}: this run's sessions, before the upsert. */
  public static final ModelTable SESSIONS_THIS_RUN = SESSIONS.batch("sessions_this_run");

  /** Each user's earliest session start (the users module's staged input and its manifest). */
  public static final StructType USERID_MANIFEST =
      StructType.fromDDL("domain_userid STRING, start_tstamp TIMESTAMP");

  /** {@code sessions_userid_manifest_staged}: the users of sessions not yet seen by users main. */
  public static final ModelTable USERID_MANIFEST_STAGED =
      ModelTable.scratch("sessions_userid_manifest_staged", USERID_MANIFEST)
          .keyed("domain_userid", "start_tstamp");

  /** {@code sessions_userid_manifest_this_run}: this run's users, before they are staged. */
  public static final ModelTable USERID_MANIFEST_THIS_RUN =
      USERID_MANIFEST_STAGED.batch("sessions_userid_manifest_this_run");

  public SessionsJob() {
    this(Clock.systemUTC());
  }

  /** A job whose run ids and run timestamps come from {@code clock} (tests). */
  public SessionsJob(Clock clock) {
    super(
        "sessions",
        clock,
        new Tables(
            ModelTables.PAGE_VIEWS_STAGED,
            SESSIONS,
            SESSIONS_THIS_RUN,
            List.of(SESSIONS, USERID_MANIFEST_STAGED),
            List.of(SESSIONS_THIS_RUN, USERID_MANIFEST_THIS_RUN),
            Optional.of(USERID_MANIFEST_STAGED)));
  }

  /**
   * What the input check found (DECISIONS 2 and 3), from {@link Sessionize#inputQuality}.
   *
   * @param rows page views read
   * @param withoutKey page views with a NULL domain_sessionid or page_view_id (not sessionized)
   * @param duplicateRows copies of a page_view_id beyond its first (removed)
   * @param duplicateKeys page_view_ids that had more than one row
   * @param earliest the earliest start or end of the page views that are sessionized
   * @param latest the latest start or end of the page views that are sessionized
   */
  public record PageViewQuality(
      long rows,
      long withoutKey,
      long duplicateRows,
      long duplicateKeys,
      Instant earliest,
      Instant latest)
      implements InputQuality, Deduplication {
    static PageViewQuality of(Row row) {
      return new PageViewQuality(
          row.getAs("rows_read"),
          row.getAs("rows_without_key"),
          row.getAs("duplicate_rows_removed"),
          row.getAs("distinct_keys_removed"),
          row.getAs("earliest_tstamp"),
          row.getAs("latest_tstamp"));
    }
  }

  /** What the transform read. */
  public record Batch(long rowsRead) implements Transformed {}

  @Override
  protected PageViewQuality checkInput(
      StepContext step, StagedInput.Pinned input, Instant runStart) {
    SessionColumns.requireColumns(input.rows().schema(), input.table());
    PageViewQuality quality =
        step.log()
            .phase(
                "check input",
                () -> PageViewQuality.of(Sessionize.inputQuality(input.rows()).first()),
                q ->
                    q.rows()
                        + " page views, "
                        + q.withoutKey()
                        + " without domain_sessionid or page_view_id, "
                        + q.duplicateRows()
                        + " duplicate rows of "
                        + q.duplicateKeys()
                        + " page_view_ids");
    requireTimestampsInRange(input, quality, runStart);
    if (quality.withoutKey() > 0) {
      step.log()
          .warn(
              quality.withoutKey()
                  + " page views with a NULL domain_sessionid or page_view_id were not"
                  + " sessionized");
    }
    if (quality.duplicateRows() > 0) {
      step.log()
          .warn(
              quality.duplicateRows()
                  + " duplicate page views removed ("
                  + quality.duplicateKeys()
                  + " page_view_ids)");
    }
    return quality;
  }

  /**
   * Fails, before anything is written, when a page view starts or ends before 1970 or more than a
   * day after this run's start: a broken clock upstream, whose sessions would stay in the tables
   * with impossible times.
   */
  private static void requireTimestampsInRange(
      StagedInput.Pinned input, PageViewQuality quality, Instant runStart) {
    Instant ceiling = runStart.plus(Duration.ofDays(1));
    boolean early = quality.earliest() != null && quality.earliest().isBefore(Instant.EPOCH);
    boolean late = quality.latest() != null && quality.latest().isAfter(ceiling);
    if (!early && !late) {
      return;
    }
    Column outside =
        col("start_tstamp")
            .lt(lit(Instant.EPOCH))
            .or(col("end_tstamp").lt(lit(Instant.EPOCH)))
            .or(col("start_tstamp").gt(lit(ceiling)))
            .or(col("end_tstamp").gt(lit(ceiling)));
    Dataset<Row> bad =
        input
            .rows()
            .where(col("domain_sessionid").isNotNull().and(col("page_view_id").isNotNull()))
            .where(outside);
    Row sample = bad.select("page_view_id", "start_tstamp", "end_tstamp").first();
    throw new WebModelException(
        input.table()
            + " has "
            + bad.count()
            + " page views with a start_tstamp or end_tstamp before 1970-01-01 or after "
            + ceiling
            + " (a day after this run started), e.g. page_view_id="
            + sample.get(0)
            + " start_tstamp="
            + sample.get(1)
            + " end_tstamp="
            + sample.get(2)
            + "; nothing was written: correct or remove them in "
            + input.table()
            + ", then run again");
  }

  @Override
  protected Batch transform(StepContext step, StagedInput.Pinned input, PageViewQuality quality) {
    step.log()
        .phase(
            "compute " + step.name(SESSIONS_THIS_RUN),
            () ->
                step.store()
                    .overwrite(
                        step.name(SESSIONS_THIS_RUN),
                        Sessionize.apply(input.rows(), quality.duplicateRows() > 0)),
            "written");
    return new Batch(quality.rows());
  }

  @Override
  protected void afterGate(
      StepContext step, StagedInput.Pinned input, PageViewQuality quality, BatchStats batch) {
    if (quality.duplicateRows() > 0) {
      // A page_view_id staged under two sessions stays with the earlier copy (DECISIONS 3); a
      // session left with no page view of its own disappears, so say so.
      long sessionsInInput = Sessionize.sessionsInInput(input.rows()).first().getLong(0);
      if (sessionsInInput > batch.rows()) {
        step.log()
            .warn(
                (sessionsInInput - batch.rows())
                    + " sessions had only page views whose page_view_id is kept under another"
                    + " session and were not written");
      }
    }
  }

  /**
   * Stored sessions that start within {@code upsert_lookback} days before the batch's earliest
   * session may be replaced (DECISIONS 7); a batch whose sessions all lack a start has no window.
   */
  @Override
  protected Optional<Instant> upsertFrom(Variables vars, Batch transformed, BatchStats batch) {
    return Optional.ofNullable(batch.minTime())
        .map(start -> start.minus(Duration.ofDays(vars.upsertLookbackDays())));
  }

  /** Stages each user's earliest session start of this batch for the users module. */
  @Override
  protected String stageNext(StepContext step) {
    step.store()
        .overwrite(
            step.name(USERID_MANIFEST_THIS_RUN),
            step.store()
                .read(step.name(SESSIONS_THIS_RUN))
                .where(col("domain_userid").isNotNull())
                .groupBy("domain_userid")
                .agg(min("start_tstamp").as("start_tstamp")));
    Upsert.Counts staged =
        Upsert.update(
            step.store(),
            step.name(USERID_MANIFEST_STAGED),
            step.name(USERID_MANIFEST_THIS_RUN),
            List.of("domain_userid"),
            Map.of("start_tstamp", "least(t.start_tstamp, s.start_tstamp)"),
            // grouped by the non-NULL domain_userid
            true);
    return step.name(USERID_MANIFEST_STAGED)
        + ": "
        + (staged.inserted() + staged.updated())
        + " users";
  }
}
