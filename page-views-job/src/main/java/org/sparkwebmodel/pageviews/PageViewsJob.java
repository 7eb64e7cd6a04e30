package org.sparkwebmodel.pageviews;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Row;
import org.sparkwebmodel.base.BaseTables;
import org.sparkwebmodel.common.config.Variables;
import org.sparkwebmodel.common.delta.StagedInput;
import org.sparkwebmodel.common.delta.Upsert;
import org.sparkwebmodel.common.step.BatchStats;
import org.sparkwebmodel.common.step.Deduplication;
import org.sparkwebmodel.common.step.InputQuality;
import org.sparkwebmodel.common.step.ModelModule;
import org.sparkwebmodel.common.step.StepContext;
import org.sparkwebmodel.common.step.Transformed;
import org.sparkwebmodel.common.table.ModelTable;
import org.sparkwebmodel.common.table.ModelTables;
import org.sparkwebmodel.common.table.Schemas;

/**
 * The page-views module (reference-base-page-views §6, DECISIONS.md 29–38): {@code events_staged}
 * in, {@code page_views} out, the batch's page views staged in {@code page_views_staged} for the
 * sessions module. The step protocol ({@link ModelModule}) runs main, complete and destroy; this
 * class holds what is the module's own: its tables, the input check, the transform ({@link
 * PageViews}), the lookback window and the staging.
 */
public final class PageViewsJob extends ModelModule<PageViewsJob.EventQuality, PageViewsJob.Batch> {

  /** {@code page_views}: one row per page view, the 98 columns of reference §7. */
  public static final ModelTable PAGE_VIEWS =
      ModelTable.output("page_views", Schemas.PAGE_VIEWS)
          .keyed(
              "page_view_id",
              "event_id",
              "page_view_in_session_index",
              "page_views_in_session",
              "engaged_time_in_s")
          .expectingNotNull(
              "domain_userid",
              "network_userid",
              "domain_sessionid",
              "domain_sessionidx",
              "dvce_created_tstamp",
              "collector_tstamp",
              "derived_tstamp",
              "start_tstamp",
              "end_tstamp",
              "absolute_time_in_s",
              "page_url");

  /** {@code page_views_this_run}: this run's page views, before the upsert. */
  public static final ModelTable PAGE_VIEWS_THIS_RUN = PAGE_VIEWS.batch("page_views_this_run");

  public PageViewsJob() {
    this(Clock.systemUTC());
  }

  /** A job whose run ids and run timestamps come from {@code clock} (tests). */
  public PageViewsJob(Clock clock) {
    super(
        "page-views",
        clock,
        new Tables(
            BaseTables.EVENTS_STAGED,
            PAGE_VIEWS,
            PAGE_VIEWS_THIS_RUN,
            List.of(PAGE_VIEWS, ModelTables.PAGE_VIEWS_STAGED),
            List.of(PAGE_VIEWS_THIS_RUN),
            Optional.of(ModelTables.PAGE_VIEWS_STAGED)));
  }

  /**
   * What the input check found, from {@link PageViews#inputQuality}.
   *
   * @param rows events read
   * @param pageViewEvents page view events that pass the filters (DECISIONS 29), copies included
   * @param bots page view events the bot filter dropped
   * @param duplicateRows copies of a page_view_id beyond the one kept (DECISIONS 30)
   * @param duplicateKeys page_view_ids that had more than one copy
   */
  public record EventQuality(
      long rows, long pageViewEvents, long bots, long duplicateRows, long duplicateKeys)
      implements InputQuality, Deduplication {
    static EventQuality of(Row row) {
      return new EventQuality(
          row.getAs("rows_read"),
          row.getAs("page_view_events"),
          row.getAs("bot_page_views"),
          row.getAs("duplicate_rows_removed"),
          row.getAs("distinct_keys_removed"));
    }
  }

  /** What the transform read. */
  public record Batch(long rowsRead) implements Transformed {}

  @Override
  protected EventQuality checkInput(StepContext step, StagedInput.Pinned input, Instant runStart) {
    Variables.PageViews rules = step.vars().pageViews();
    PageViews.requireColumns(input.rows().schema(), input.table(), rules);
    EventQuality quality =
        step.log()
            .phase(
                "check input",
                () -> EventQuality.of(PageViews.inputQuality(input.rows(), rules).first()),
                q ->
                    q.rows()
                        + " events, "
                        + q.pageViewEvents()
                        + " page view events, "
                        + q.bots()
                        + " bot page views, "
                        + q.duplicateRows()
                        + " duplicate rows of "
                        + q.duplicateKeys()
                        + " page_view_ids");
    if (quality.bots() > 0) {
      step.log().warn(quality.bots() + " page views of bots removed (ua_bot_filter)");
    }
    if (quality.duplicateRows() > 0) {
      step.log()
          .warn(
              quality.duplicateRows()
                  + " duplicate page view events removed ("
                  + quality.duplicateKeys()
                  + " page_view_ids)");
    }
    return quality;
  }

  @Override
  protected Batch transform(StepContext step, StagedInput.Pinned input, EventQuality quality) {
    step.log()
        .phase(
            "compute " + step.name(PAGE_VIEWS_THIS_RUN),
            () ->
                step.store()
                    .overwrite(
                        step.name(PAGE_VIEWS_THIS_RUN),
                        PageViews.apply(input.rows(), step.vars().pageViews())),
            "written");
    return new Batch(quality.rows());
  }

  /**
   * Stored page views that start within {@code upsert_lookback} days before the batch's earliest
   * page view, or have no start, may be replaced (DECISIONS 36); a batch whose page views all lack
   * a start has no window.
   */
  @Override
  protected Optional<Instant> upsertFrom(Variables vars, Batch transformed, BatchStats batch) {
    return Optional.ofNullable(batch.minTime())
        .map(start -> start.minus(Duration.ofDays(vars.upsertLookbackDays())));
  }

  /** Replaces the batch's page views in {@code page_views_staged}, by id, without a window. */
  @Override
  protected String stageNext(StepContext step) {
    Upsert.Counts staged =
        Upsert.replace(
            step.store(),
            step.name(ModelTables.PAGE_VIEWS_STAGED),
            step.name(PAGE_VIEWS_THIS_RUN),
            List.of("page_view_id"),
            Optional.empty(),
            // the gate found the batch's page_view_ids unique and not NULL
            true);
    return step.name(ModelTables.PAGE_VIEWS_STAGED)
        + ": "
        + staged.inserted()
        + " page views staged, "
        + staged.deleted()
        + " replaced";
  }
}
