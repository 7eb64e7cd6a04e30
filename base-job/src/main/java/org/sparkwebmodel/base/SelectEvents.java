package org.sparkwebmodel.base;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.to_json;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.sparkwebmodel.common.table.AtomicEvents;

/**
 * The base module's pure transforms (reference-base-page-views §4.4–4.9, DECISIONS 22–25): which
 * events are new, which sessions a run includes, the events of those sessions, and the batch with
 * one row per event_id and its page_view_id. DataFrame operations only; the bounds come in as
 * arguments.
 */
public final class SelectEvents {
  private SelectEvents() {}

  /**
   * The events that make a session worth processing (§4.4, DECISIONS 24): collected within {@code
   * [lower, upper]} (both inclusive), with a domain_sessionid, sent at most {@code daysLateAllowed}
   * day boundaries after the device created them (NULL either way: not new), and whose event_id is
   * not among {@code manifest}'s rows collected at or after {@code lower} (the id only, as BigQuery
   * and Snowflake compare it).
   */
  public static Dataset<Row> newEvents(
      Dataset<Row> events,
      Dataset<Row> manifest,
      Instant lower,
      Instant upper,
      int daysLateAllowed) {
    Dataset<Row> processed =
        manifest.where(col("collector_tstamp").geq(lit(lower))).select(col("event_id"));
    return inWindow(events, lower, upper)
        .where(col("domain_sessionid").isNotNull())
        .where(
            datediff(col("dvce_sent_tstamp"), col("dvce_created_tstamp")).leq(lit(daysLateAllowed)))
        .join(processed, events.col("event_id").equalTo(processed.col("event_id")), "left_anti");
  }

  /**
   * The sessions a run includes (§4.4–4.5, DECISIONS 23), {@code (session_id, min_tstamp)}: each
   * session with new events, unless its newest new event lies more than {@code daysLateAllowed} day
   * boundaries after the session's first-seen time in {@code sessionManifest} (only its rows with
   * {@code min_tstamp >= sessionLimit} are consulted); {@code min_tstamp} is the first-seen time,
   * or the new events' earliest for a session the manifest does not know.
   */
  public static Dataset<Row> sessionsToInclude(
      Dataset<Row> newEvents,
      Dataset<Row> sessionManifest,
      Instant sessionLimit,
      int daysLateAllowed) {
    Dataset<Row> toProcess =
        newEvents
            .groupBy(col("domain_sessionid").as("session_id"))
            .agg(min("collector_tstamp").as("new_min"), max("collector_tstamp").as("new_max"));
    Dataset<Row> known =
        sessionManifest
            .where(col("min_tstamp").geq(lit(sessionLimit)))
            .select(col("session_id"), col("min_tstamp").as("seen_min"));
    return toProcess
        .join(known, new String[] {"session_id"}, "left")
        .where(
            datediff(col("new_max"), coalesce(col("seen_min"), col("new_max")))
                .leq(lit(daysLateAllowed)))
        .select(col("session_id"), least(col("new_min"), col("seen_min")).as("min_tstamp"));
  }

  /**
   * The earliest event after {@code after} that could be new: with a domain_sessionid and sent in
   * time (DECISIONS 28: where a window without includable sessions moves to); empty table: null.
   */
  public static Dataset<Row> earliestAfter(
      Dataset<Row> events, Instant after, int daysLateAllowed) {
    return events
        .where(col("collector_tstamp").gt(lit(after)))
        .where(col("domain_sessionid").isNotNull())
        .where(
            datediff(col("dvce_sent_tstamp"), col("dvce_created_tstamp")).leq(lit(daysLateAllowed)))
        .agg(min("collector_tstamp").as("earliest"));
  }

  /**
   * Every event of the included sessions collected within {@code [lower, upper]} (§4.7): earlier
   * processed ones, late ones, pings and non-web events alike, every copy of a duplicate.
   */
  public static Dataset<Row> eventsOfSessions(
      Dataset<Row> events, Dataset<Row> sessions, Instant lower, Instant upper) {
    return eventsOfSessions(events, sessions, lower, upper, false);
  }

  /**
   * As {@link #eventsOfSessions(Dataset, Dataset, Instant, Instant)}; with {@code broadcast} the
   * session ids are sent to every task, so the wide event rows are filtered where they are read
   * instead of being shuffled for a join (for a number of sessions that fits in memory).
   */
  public static Dataset<Row> eventsOfSessions(
      Dataset<Row> events, Dataset<Row> sessions, Instant lower, Instant upper, boolean broadcast) {
    Dataset<Row> ids = sessions.select(col("session_id"));
    Dataset<Row> included = broadcast ? broadcast(ids) : ids;
    return inWindow(events, lower, upper)
        .join(
            included,
            events.col("domain_sessionid").equalTo(included.col("session_id")),
            "left_semi");
  }

  /**
   * The (event_id, collector_tstamp) of every copy of {@code events}: what the manifest records.
   */
  public static Dataset<Row> eventIds(Dataset<Row> events) {
    return events.select("event_id", "collector_tstamp");
  }

  /**
   * The batch (§4.8–4.9, DECISIONS 22 and 25): one row per event_id, the copy with the earliest
   * collector_tstamp, then dvce_created_tstamp, then event_fingerprint, then the smallest whole row
   * (atomic columns in order, text by UTF-8 bytes, then the entities as JSON), NULLs last at every
   * step; with {@code page_view_id} (the id of the first web_page entity) and the enrichment
   * entities, in the columns of {@link BaseTables#EVENTS_SCHEMA}. Entity columns the events table
   * lacks are NULL.
   */
  public static Dataset<Row> deduplicate(Dataset<Row> events) {
    return deduplicate(
        events, events.groupBy("event_id").count().where(col("count").gt(1)).select("event_id"));
  }

  /**
   * As {@link #deduplicate(Dataset)}, given the event_ids that have more than one copy in {@code
   * events} (few): only their copies are ordered; every other event passes through.
   */
  public static Dataset<Row> deduplicate(Dataset<Row> events, Dataset<Row> duplicatedIds) {
    Dataset<Row> ids = broadcast(duplicatedIds.select("event_id"));
    Dataset<Row> singles = events.join(ids, new String[] {"event_id"}, "left_anti");
    Dataset<Row> copies = events.join(ids, new String[] {"event_id"}, "left_semi");
    Set<String> present = Set.of(events.columns());
    List<Column> order = new ArrayList<>();
    for (String first : List.of("collector_tstamp", "dvce_created_tstamp", "event_fingerprint")) {
      order.add(col(first).asc_nulls_last());
    }
    for (String column : AtomicEvents.ATOMIC.fieldNames()) {
      order.add(col(column).asc_nulls_last());
    }
    for (AtomicEvents.Entity entity : AtomicEvents.MODELLED) {
      if (present.contains(entity.column())) {
        order.add(to_json(col(entity.column())).asc_nulls_last());
      }
    }
    Dataset<Row> kept =
        copies
            .withColumn(
                "_copy",
                row_number()
                    .over(Window.partitionBy("event_id").orderBy(order.toArray(Column[]::new))))
            .where(col("_copy").equalTo(1))
            .drop("_copy");
    return singles
        .select(stagedColumns(events.schema()))
        .union(kept.select(stagedColumns(events.schema())));
  }

  /** The columns of {@link BaseTables#EVENTS_SCHEMA} from a row of the events table. */
  static Column[] stagedColumns(StructType events) {
    List<Column> columns = new ArrayList<>();
    for (String column : AtomicEvents.ATOMIC.fieldNames()) {
      columns.add(col(column));
    }
    DataType webPage = AtomicEvents.typeOf(events, AtomicEvents.WEB_PAGE.column());
    columns.add(
        (webPage == null
                ? lit(null)
                : col(AtomicEvents.WEB_PAGE.column()).getItem(0).getField("id"))
            .cast("string")
            .as("page_view_id"));
    for (AtomicEvents.Entity entity : AtomicEvents.ENRICHMENTS) {
      columns.add(entity(events, entity).as(entity.column()));
    }
    return columns.toArray(Column[]::new);
  }

  /**
   * An entity column in the declared struct: as stored when the types agree; else each element
   * re-built with the declared fields (a field the table's struct lacks is NULL); NULL when the
   * events table has no such column.
   */
  static Column entity(StructType events, AtomicEvents.Entity entity) {
    DataType stored = AtomicEvents.typeOf(events, entity.column());
    if (stored == null) {
      return lit(null).cast(entity.type());
    }
    if (stored.equals(entity.type())) {
      return col(entity.column());
    }
    StructType have = (StructType) ((ArrayType) stored).elementType();
    Set<String> fields = Set.of(have.fieldNames());
    String rebuilt =
        Arrays.stream(entity.fields().fields())
            .map(
                (StructField f) ->
                    "'"
                        + f.name()
                        + "', "
                        + (fields.contains(f.name())
                            ? "CAST(x." + f.name() + " AS " + f.dataType().sql() + ")"
                            : "CAST(NULL AS " + f.dataType().sql() + ")"))
            .collect(Collectors.joining(", "));
    return expr("transform(" + entity.column() + ", x -> named_struct(" + rebuilt + "))");
  }

  static Dataset<Row> inWindow(Dataset<Row> events, Instant lower, Instant upper) {
    return events.where(
        col("collector_tstamp").geq(lit(lower)).and(col("collector_tstamp").leq(lit(upper))));
  }
}
