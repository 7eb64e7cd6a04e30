package org.sparkwebmodel.base;

import java.util.Arrays;
import java.util.stream.Stream;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.sparkwebmodel.common.table.AtomicEvents;
import org.sparkwebmodel.common.table.ModelTable;

/**
 * The tables of the base module (reference-base-page-views §4–5, Appendix C; DECISIONS 21–28),
 * declared once: the events it stages for page views, its two manifests and its scratch tables.
 */
public final class BaseTables {
  private BaseTables() {}

  /**
   * The columns of {@code events_staged} and {@code events_this_run}: the 129 atomic columns in the
   * events table's order, then {@code page_view_id} (the id of the first web_page entity, DECISIONS
   * 22), then the enrichment entities page views reads (IAB, UA parser, YAUAA; NULL when the events
   * table has no such column).
   */
  public static final StructType EVENTS_SCHEMA =
      AtomicEvents.withEntities(
          new StructType(
              Stream.concat(
                      Arrays.stream(AtomicEvents.ATOMIC.fields()),
                      Stream.of(
                          new StructField(
                              "page_view_id", DataTypes.StringType, true, Metadata.empty())))
                  .toArray(StructField[]::new)),
          AtomicEvents.ENRICHMENTS);

  /**
   * {@code events_staged}: the events of the sessions base main included, for page views; one row
   * per event_id (DECISIONS 25), never a NULL domain_sessionid.
   */
  public static final ModelTable EVENTS_STAGED =
      ModelTable.scratch("events_staged", EVENTS_SCHEMA)
          .keyed("event_id", "collector_tstamp", "domain_sessionid");

  /** {@code events_this_run}: this run's batch, before it is staged. */
  public static final ModelTable EVENTS_THIS_RUN = EVENTS_STAGED.batch("events_this_run");

  /**
   * {@code base_event_id_manifest}: every (event_id, collector_tstamp) processed, each copy of a
   * duplicate included, plus the seed row ('seed', start_date); its maximum is where the next run
   * starts.
   */
  public static final ModelTable EVENT_ID_MANIFEST =
      ModelTable.output(
          "base_event_id_manifest",
          StructType.fromDDL("event_id STRING, collector_tstamp TIMESTAMP"));

  /**
   * {@code base_session_id_manifest}: per session, the earliest collector time of a run that
   * included it, plus the seed row.
   */
  public static final ModelTable SESSION_ID_MANIFEST =
      ModelTable.output(
              "base_session_id_manifest",
              StructType.fromDDL("session_id STRING, min_tstamp TIMESTAMP"))
          .keyed("session_id", "min_tstamp");

  /** {@code base_sessions_to_include}: this run's sessions with their first-seen time. */
  public static final ModelTable SESSIONS_TO_INCLUDE =
      SESSION_ID_MANIFEST.batch("base_sessions_to_include");

  /** {@code base_event_ids_this_run}: the batch's (event_id, collector_tstamp), every copy. */
  public static final ModelTable EVENT_IDS_THIS_RUN =
      EVENT_ID_MANIFEST.batch("base_event_ids_this_run");

  /** {@code base_run_limits}: the batch's collector-time bounds (one row; public contract). */
  public static final ModelTable RUN_LIMITS =
      ModelTable.scratch(
          "base_run_limits", StructType.fromDDL("lower_limit TIMESTAMP, upper_limit TIMESTAMP"));
}
