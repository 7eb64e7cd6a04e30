package org.sparkwebmodel.sessions;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.StructField;

/**
 * Turns page views into one row per session (reference §4.2–4.4, with DECISIONS.md 1–6): pure
 * DataFrame operations, no I/O, no clock.
 *
 * <p>Where the reference joins aggregates, an index-1 row and an index-n row (and drops or
 * duplicates sessions when those disagree), this computes everything in one aggregation per
 * session: the first page view is the minimum of an ordering struct, the last page view the
 * maximum, so every session yields exactly one row whatever its indexes look like.
 */
public final class Sessionize {
  private Sessionize() {}

  /** The 90 columns of {@code sessions_this_run}, one row per non-NULL domain_sessionid. */
  public static Dataset<Row> apply(Dataset<Row> pageViews) {
    return apply(pageViews, true);
  }

  /**
   * As {@link #apply(Dataset)}; {@code mayHaveDuplicates} false (known from {@link #inputQuality})
   * skips the de-duplication, a full sort of the page views.
   */
  public static Dataset<Row> apply(Dataset<Row> pageViews, boolean mayHaveDuplicates) {
    Dataset<Row> keyed =
        withOptionalColumns(pageViews)
            .where(col("domain_sessionid").isNotNull().and(col("page_view_id").isNotNull()));
    return aggregate(mayHaveDuplicates ? dedupe(keyed) : keyed);
  }

  /**
   * One row per page_view_id (DECISIONS 3): the copy with the earliest start_tstamp, ties by the
   * smallest event_id, NULLs last.
   */
  static Dataset<Row> dedupe(Dataset<Row> pageViews) {
    var earliestFirst =
        Window.partitionBy("page_view_id")
            .orderBy(col("start_tstamp").asc_nulls_last(), col("event_id").asc_nulls_last());
    return pageViews
        .withColumn("_copy", row_number().over(earliestFirst))
        .where(col("_copy").equalTo(1))
        .drop("_copy");
  }

  static Dataset<Row> aggregate(Dataset<Row> pageViews) {
    // First page view: smallest (start_tstamp, page_view_in_session_index, page_view_id), NULLs
    // last.
    Column first =
        struct(
            col("start_tstamp").isNull().as("k1"),
            col("start_tstamp").as("k2"),
            col("page_view_in_session_index").isNull().as("k3"),
            col("page_view_in_session_index").as("k4"),
            col("page_view_id").as("k5"),
            struct(
                    Stream.concat(
                            Stream.of("page_referrer"),
                            Stream.concat(
                                SessionColumns.PAGE_COLUMNS.stream(),
                                SessionColumns.FIRST_SAME_NAME.stream()))
                        .map(Sessionize::col)
                        .toArray(Column[]::new))
                .as("v"));
    // Last page view: largest (page_view_in_session_index, start_tstamp, page_view_id), NULLs
    // lowest.
    Column last =
        struct(
            col("page_view_in_session_index").isNotNull().as("k1"),
            col("page_view_in_session_index").as("k2"),
            col("start_tstamp").isNotNull().as("k3"),
            col("start_tstamp").as("k4"),
            col("page_view_id").as("k5"),
            struct(SessionColumns.PAGE_COLUMNS.stream().map(Sessionize::col).toArray(Column[]::new))
                .as("v"));
    Dataset<Row> sessions =
        pageViews
            .groupBy("domain_sessionid")
            .agg(
                min("start_tstamp").as("start_tstamp"),
                max("end_tstamp").as("end_tstamp"),
                count("page_view_id").as("page_views"),
                sum("engaged_time_in_s").as("engaged_time_in_s"),
                min(first).as("_first"),
                max(last).as("_last"));
    return sessions.select(outputColumns());
  }

  private static Column col(String name) {
    return org.apache.spark.sql.functions.col(name);
  }

  /** Appendix A, in order, each with its type. */
  private static Column[] outputColumns() {
    List<Column> columns = new ArrayList<>();
    for (StructField field : SessionColumns.SESSIONS_SCHEMA.fields()) {
      String name = field.name();
      Column value =
          switch (name) {
            case "domain_sessionid",
                "start_tstamp",
                "end_tstamp",
                "page_views",
                "engaged_time_in_s" ->
                col(name);
            case "absolute_time_in_s" ->
                expr(
                    "(unix_micros(end_tstamp) - pmod(unix_micros(end_tstamp), 1000000)) div 1000000"
                        + " - (unix_micros(start_tstamp) - pmod(unix_micros(start_tstamp), 1000000)) div 1000000");
            case "referrer" -> col("_first.v.page_referrer");
            default ->
                name.startsWith("first_page_")
                    ? col("_first.v.page_" + name.substring("first_page_".length()))
                    : name.startsWith("last_page_")
                        ? col("_last.v.page_" + name.substring("last_page_".length()))
                        : col("_first.v." + name);
          };
      columns.add(value.cast(field.dataType()).as(name));
    }
    return columns.toArray(Column[]::new);
  }

  /** Adds optional input columns (event_id, enrichments) that are absent, as typed NULLs. */
  static Dataset<Row> withOptionalColumns(Dataset<Row> pageViews) {
    List<String> present = List.of(pageViews.columns());
    Dataset<Row> result = pageViews;
    for (String column : SessionColumns.OPTIONAL) {
      if (!present.contains(column)) {
        result = result.withColumn(column, lit(null).cast(SessionColumns.typeOf(column)));
      }
    }
    return result;
  }

  /** One row: how many distinct non-NULL domain_sessionids with a page_view_id the input has. */
  public static Dataset<Row> sessionsInInput(Dataset<Row> pageViews) {
    return pageViews
        .where(col("domain_sessionid").isNotNull().and(col("page_view_id").isNotNull()))
        .agg(countDistinct(col("domain_sessionid")));
  }

  /**
   * One row describing the input (DECISIONS 2 and 3): rows_read, rows_without_key (NULL
   * domain_sessionid or page_view_id, not sessionized), duplicate_rows_removed and
   * distinct_keys_removed (page_view_ids that had more than one row), earliest_tstamp and
   * latest_tstamp (over start_tstamp and end_tstamp of the rows that are sessionized).
   */
  public static Dataset<Row> inputQuality(Dataset<Row> pageViews) {
    Column keyed = col("domain_sessionid").isNotNull().and(col("page_view_id").isNotNull());
    return pageViews
        .groupBy(col("page_view_id"), keyed.as("keyed"))
        .agg(
            count(lit(1)).as("copies"),
            // over the rows that are sessionized
            min(when(keyed, least(col("start_tstamp"), col("end_tstamp")))).as("earliest"),
            max(when(keyed, greatest(col("start_tstamp"), col("end_tstamp")))).as("latest"))
        .agg(
            coalesce(sum("copies"), lit(0L)).as("rows_read"),
            coalesce(sum(when(not(col("keyed")), col("copies")).otherwise(0L)), lit(0L))
                .as("rows_without_key"),
            coalesce(sum(when(col("keyed"), col("copies").minus(1)).otherwise(0L)), lit(0L))
                .as("duplicate_rows_removed"),
            coalesce(
                    sum(when(col("keyed").and(col("copies").gt(1)), lit(1L)).otherwise(0L)),
                    lit(0L))
                .as("distinct_keys_removed"),
            min("earliest").as("earliest_tstamp"),
            max("latest").as("latest_tstamp"));
  }
}
