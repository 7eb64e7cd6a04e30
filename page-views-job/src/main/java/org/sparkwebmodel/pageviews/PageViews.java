package org.sparkwebmodel.pageviews;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.get;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.unix_micros;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.sparkwebmodel.base.BaseTables;
import org.sparkwebmodel.common.config.Variables;
import org.sparkwebmodel.common.error.WebModelException;
import org.sparkwebmodel.common.table.AtomicEvents;
import org.sparkwebmodel.common.table.Schemas;
import org.sparkwebmodel.common.table.TableName;

/**
 * Turns the staged events of a batch into one row per page view (reference-base-page-views §6.3–6.8
 * with DECISIONS.md 29–35): pure DataFrame operations, no I/O, no clock.
 *
 * <ul>
 *   <li>page view events: {@code page_view} events with a page_view_id whose useragent, when the
 *       bot filter is on, contains none of the reference's bot tokens (case-sensitive; a NULL
 *       useragent is kept);
 *   <li>one row per page_view_id over the whole batch, before numbering: the earliest
 *       derived_tstamp, ties by the smallest event_id, NULLs last;
 *   <li>numbered within their session by derived_tstamp (NULLs last), ties by page_view_id;
 *   <li>engaged time, end and scroll depth from the page view's own event and the pings that carry
 *       both its page_view_id and its domain_sessionid and have a derived_tstamp, in one
 *       aggregation per page view (where the reference joins separate aggregates grouped by
 *       page_view_id only, which lets stray pings of other sessions in);
 *   <li>the enrichment columns from the first entity of the page view event's own arrays, when
 *       their flag is on.
 * </ul>
 */
public final class PageViews {
  private PageViews() {}

  /**
   * The reference's bot pattern (§6.3) as alternatives a useragent must not contain; {@code _} in
   * {@code a_archiver} is literal here, which changes nothing since {@code archiv} matches anyway.
   */
  static final String BOT_PATTERN =
      "bot|crawl|slurp|spider|archiv|spinn|sniff|seo|audit|survey|pingdom|worm|capture"
          + "|(browser|screen)shots|analyz|index|thumb|check|facebook|PingdomBot|PhantomJS"
          + "|YandexBot|Twitterbot|a_archiver|facebookexternalhit|Bingbot|BingPreview|Googlebot"
          + "|Baiduspider|360(Spider|User-agent)|semalt";

  /**
   * An enrichment entity whose fields fill output columns of the same names when its flag is on.
   *
   * @param entity the entity (its column of the events)
   * @param flag the playbook variable that turns it on
   * @param fields the output columns it fills, in output order
   */
  record Enrichment(AtomicEvents.Entity entity, String flag, List<String> fields) {
    boolean on(Variables.PageViews rules) {
      return switch (flag) {
        case "iab" -> rules.iab();
        case "ua_parser" -> rules.uaParser();
        default -> rules.yauaa();
      };
    }
  }

  /** The three enrichments (DECISIONS 34), in output order. */
  static final List<Enrichment> ENRICHMENTS =
      List.of(
          new Enrichment(AtomicEvents.IAB, "iab", Schemas.ENRICHMENT_COLUMNS.subList(0, 4)),
          new Enrichment(
              AtomicEvents.UA_PARSER, "ua_parser", Schemas.ENRICHMENT_COLUMNS.subList(4, 16)),
          new Enrichment(AtomicEvents.YAUAA, "yauaa", Schemas.ENRICHMENT_COLUMNS.subList(16, 36)));

  /** Output columns computed here; every other output column is the page view event's own. */
  private static final List<String> COMPUTED =
      List.of(
          "page_view_in_session_index",
          "page_views_in_session",
          "start_tstamp",
          "end_tstamp",
          "engaged_time_in_s",
          "absolute_time_in_s",
          "horizontal_pixels_scrolled",
          "vertical_pixels_scrolled",
          "horizontal_percentage_scrolled",
          "vertical_percentage_scrolled");

  /** The output columns copied from the page view event under the same name. */
  static final List<String> FROM_EVENT =
      Arrays.stream(Schemas.PAGE_VIEWS.fieldNames())
          .filter(c -> !COMPUTED.contains(c) && !Schemas.ENRICHMENT_COLUMNS.contains(c))
          .toList();

  /** Input columns the transform reads besides {@link #FROM_EVENT}. */
  static final List<String> READ_ALSO = List.of("event_name", "pp_xoffset_max", "pp_yoffset_max");

  /** The 98 columns of {@code page_views} (reference §7), one row per page view of the batch. */
  public static Dataset<Row> apply(Dataset<Row> events, Variables.PageViews rules) {
    Dataset<Row> pageViews = number(dedupe(pageViewEvents(events, rules)));
    Dataset<Row> activity = activity(events, pageViews, rules);
    return pageViews.join(activity, "page_view_id").select(outputColumns(rules));
  }

  /**
   * Fails, naming the table and the columns, when a column the transform reads is missing or has
   * another type than {@code events_staged} declares; an enrichment entity column is read only when
   * its flag is on, and is then required too.
   */
  public static void requireColumns(StructType input, TableName table, Variables.PageViews rules) {
    List<String> present = List.of(input.fieldNames());
    List<String> missing = required().stream().filter(c -> !present.contains(c)).toList();
    if (!missing.isEmpty()) {
      throw new WebModelException(
          "table "
              + table
              + " lacks required column"
              + (missing.size() > 1 ? "s " : " ")
              + String.join(", ", missing));
    }
    for (Enrichment enrichment : ENRICHMENTS) {
      if (enrichment.on(rules) && !present.contains(enrichment.entity().column())) {
        throw new WebModelException(
            "table "
                + table
                + " lacks column "
                + enrichment.entity().column()
                + ", which "
                + enrichment.flag()
                + ": true reads (set "
                + enrichment.flag()
                + ": false, or enable the enrichment upstream)");
      }
    }
    List<String> wrong = new ArrayList<>();
    for (StructField field : input.fields()) {
      String name = field.name();
      if (required().contains(name)) {
        DataType expected = BaseTables.EVENTS_SCHEMA.apply(name).dataType();
        if (!field.dataType().equals(expected)) {
          wrong.add(name + " is " + field.dataType().sql() + ", expected " + expected.sql());
        }
      }
      ENRICHMENTS.stream()
          .filter(e -> e.on(rules) && e.entity().column().equals(name))
          .filter(e -> !readable(field.dataType(), e))
          .forEach(
              e ->
                  wrong.add(
                      name
                          + " is "
                          + field.dataType().sql()
                          + ", expected an array of structs with "
                          + e.fields().stream()
                              .map(f -> f + " " + e.entity().fields().apply(f).dataType().sql())
                              .collect(Collectors.joining(", "))));
    }
    if (!wrong.isEmpty()) {
      throw new WebModelException(
          "table " + table + " has columns of the wrong type: " + String.join("; ", wrong));
    }
  }

  /** The input columns the transform always reads. */
  static List<String> required() {
    return Stream.concat(FROM_EVENT.stream(), READ_ALSO.stream()).toList();
  }

  /** Whether an entity column of type {@code type} has every field the enrichment reads. */
  private static boolean readable(DataType type, Enrichment enrichment) {
    if (!(type instanceof ArrayType array) || !(array.elementType() instanceof StructType struct)) {
      return false;
    }
    List<String> names = List.of(struct.fieldNames());
    return enrichment.fields().stream()
        .allMatch(
            f ->
                names.contains(f)
                    && struct
                        .apply(f)
                        .dataType()
                        .equals(enrichment.entity().fields().apply(f).dataType()));
  }

  /**
   * One row describing the batch, in one pass: {@code rows_read} (events), {@code page_view_events}
   * (page views that pass the filters of DECISIONS 29, copies included), {@code bot_page_views}
   * (page view events the bot filter drops), {@code duplicate_rows_removed} (copies of a
   * page_view_id beyond the one kept, DECISIONS 30) and {@code distinct_keys_removed}
   * (page_view_ids that had more than one copy); 0 when none.
   */
  public static Dataset<Row> inputQuality(Dataset<Row> events, Variables.PageViews rules) {
    Column bot = rules.uaBotFilter() ? isBot() : lit(false);
    Column kind =
        when(isPageViewEvent(), when(bot, lit("bot")).otherwise(lit("page_view")))
            .otherwise(lit("other"));
    Column pageView = col("kind").equalTo("page_view");
    return events
        .groupBy(col("page_view_id"), kind.as("kind"))
        .agg(count(lit(1)).as("copies"))
        .agg(
            total(col("copies")).as("rows_read"),
            total(when(pageView, col("copies"))).as("page_view_events"),
            total(when(col("kind").equalTo("bot"), col("copies"))).as("bot_page_views"),
            total(when(pageView, col("copies").minus(1))).as("duplicate_rows_removed"),
            total(when(pageView.and(col("copies").gt(1)), lit(1L))).as("distinct_keys_removed"));
  }

  /** The sum of a long column, 0 (not NULL) over no rows. */
  private static Column total(Column value) {
    return coalesce(sum(value), lit(0L));
  }

  /** DECISIONS 29: the events that are page views, bots dropped when {@code ua_bot_filter}. */
  static Dataset<Row> pageViewEvents(Dataset<Row> events, Variables.PageViews rules) {
    Dataset<Row> candidates = events.where(isPageViewEvent());
    return rules.uaBotFilter() ? candidates.where(not(isBot())) : candidates;
  }

  private static Column isPageViewEvent() {
    return col("event_name").equalTo("page_view").and(col("page_view_id").isNotNull());
  }

  /** Whether the useragent contains a bot token; false for a NULL useragent (DECISIONS 29). */
  private static Column isBot() {
    return coalesce(col("useragent").rlike(BOT_PATTERN), lit(false));
  }

  /**
   * DECISIONS 30: one row per page_view_id, the earliest derived_tstamp, ties by the smallest
   * event_id, NULLs last.
   */
  static Dataset<Row> dedupe(Dataset<Row> pageViews) {
    var earliestFirst =
        Window.partitionBy("page_view_id")
            .orderBy(col("derived_tstamp").asc_nulls_last(), col("event_id").asc_nulls_last());
    return pageViews
        .withColumn("_copy", row_number().over(earliestFirst))
        .where(col("_copy").equalTo(1))
        .drop("_copy");
  }

  /**
   * DECISIONS 31: the index within the session by derived_tstamp (NULLs last), ties by
   * page_view_id, and the session's page views in the batch.
   */
  static Dataset<Row> number(Dataset<Row> pageViews) {
    var inSession =
        Window.partitionBy("domain_sessionid")
            .orderBy(col("derived_tstamp").asc_nulls_last(), col("page_view_id").asc());
    return pageViews
        .withColumn("page_view_in_session_index", row_number().over(inSession))
        .withColumn(
            "page_views_in_session", count(lit(1)).over(Window.partitionBy("domain_sessionid")));
  }

  /**
   * Per page view: its pings' last derived_tstamp, count and distinct heartbeat buckets (DECISIONS
   * 32), and the scroll depth of §6.6 over its event and its pings (DECISIONS 33). A ping counts
   * when it carries the page view's page_view_id and domain_sessionid and has a derived_tstamp.
   */
  static Dataset<Row> activity(
      Dataset<Row> events, Dataset<Row> pageViews, Variables.PageViews rules) {
    List<String> scrollInputs =
        List.of(
            "doc_width",
            "doc_height",
            "br_viewwidth",
            "br_viewheight",
            "pp_xoffset_max",
            "pp_yoffset_max");
    List<Column> pingColumns =
        new ArrayList<>(List.of(col("page_view_id"), col("derived_tstamp"), lit(true).as("_ping")));
    List<Column> ownColumns =
        new ArrayList<>(
            List.of(
                col("page_view_id"),
                lit(null).cast("timestamp").as("derived_tstamp"),
                lit(false).as("_ping")));
    scrollInputs.forEach(name -> pingColumns.add(col(name)));
    scrollInputs.forEach(name -> ownColumns.add(col(name)));
    // the inner join on both keys drops stray pings of other sessions and orphan pings
    Dataset<Row> pingRows =
        events
            .where(col("event_name").equalTo("page_ping").and(col("derived_tstamp").isNotNull()))
            .join(
                pageViews.select(col("page_view_id").as("_pv"), col("domain_sessionid").as("_sid")),
                col("page_view_id")
                    .equalTo(col("_pv"))
                    .and(col("domain_sessionid").equalTo(col("_sid"))))
            .select(pingColumns.toArray(Column[]::new));
    Dataset<Row> ownRows = pageViews.select(ownColumns.toArray(Column[]::new));
    long heartbeatMicros = rules.heartbeat() * 1_000_000L;
    Column micros = unix_micros(col("derived_tstamp"));
    // floor(epoch seconds / heartbeat), in integers: also before 1970, exact until 2255
    Column bucket = micros.minus(pmod(micros, lit(heartbeatMicros))).divide(lit(heartbeatMicros));
    Column ping = col("_ping");
    Column scrolls = col("doc_width").gt(0).and(col("doc_height").gt(0));
    Dataset<Row> aggregated =
        pingRows
            .unionByName(ownRows)
            .groupBy("page_view_id")
            .agg(
                count(when(ping, lit(1))).as("_pings"),
                max(when(ping, col("derived_tstamp"))).as("_ping_end"),
                countDistinct(when(ping, bucket.cast("long"))).as("_buckets"),
                max(when(scrolls, col("doc_width"))).as("_doc_width"),
                max(when(scrolls, col("doc_height"))).as("_doc_height"),
                max(when(scrolls, col("br_viewwidth"))).as("_view_width"),
                max(when(scrolls, col("br_viewheight"))).as("_view_height"),
                max(when(scrolls, coalesce(col("pp_xoffset_max"), lit(0)))).as("_x_max"),
                max(when(scrolls, coalesce(col("pp_yoffset_max"), lit(0)))).as("_y_max"));
    Column hmax = clamp(col("_x_max"), col("_doc_width"));
    Column vmax = clamp(col("_y_max"), col("_doc_height"));
    return aggregated.select(
        col("page_view_id"),
        when(
                col("_pings").gt(0),
                lit(rules.heartbeat())
                    .multiply(col("_buckets").minus(1))
                    .plus(lit(rules.minimumVisitLength())))
            .otherwise(lit(0))
            .as("_engaged"),
        col("_ping_end"),
        hmax.as("_hmax"),
        vmax.as("_vmax"),
        percentage(hmax, col("_view_width"), col("_doc_width")).as("_hpct"),
        percentage(vmax, col("_view_height"), col("_doc_height")).as("_vpct"));
  }

  /** The largest offset clamped to [0, document size]; NULL when no event had a document size. */
  private static Column clamp(Column offset, Column size) {
    return when(size.isNotNull(), least(greatest(offset, lit(0)), size));
  }

  /**
   * {@code round(100 × least(offset + viewport, size) / size)}, half away from zero (DECISIONS 33;
   * Spark's {@code round} on a double is HALF_UP). A NULL viewport leaves {@code least} the size:
   * 100. The product is taken before the division so that a true half (e.g. 1010 / 2000) is exactly
   * k.5 in floating point; any other quotient of two ints is far from a half, so the order changes
   * no other result.
   */
  private static Column percentage(Column offset, Column viewport, Column size) {
    return round(
        lit(100.0).multiply(least(offset.plus(viewport), size)).divide(size.cast("double")));
  }

  /** §7, in order, each with its type. */
  private static Column[] outputColumns(Variables.PageViews rules) {
    List<Column> columns = new ArrayList<>();
    for (StructField field : Schemas.PAGE_VIEWS.fields()) {
      String name = field.name();
      Column value =
          switch (name) {
            case "start_tstamp" -> col("derived_tstamp");
            case "end_tstamp" -> coalesce(col("_ping_end"), col("derived_tstamp"));
            case "engaged_time_in_s" -> col("_engaged");
            case "absolute_time_in_s" ->
                floorSeconds(coalesce(col("_ping_end"), col("derived_tstamp")))
                    .minus(floorSeconds(col("derived_tstamp")));
            case "horizontal_pixels_scrolled" -> col("_hmax");
            case "vertical_pixels_scrolled" -> col("_vmax");
            case "horizontal_percentage_scrolled" -> col("_hpct");
            case "vertical_percentage_scrolled" -> col("_vpct");
            default ->
                Schemas.ENRICHMENT_COLUMNS.contains(name) ? enrichment(name, rules) : col(name);
          };
      columns.add(value.cast(field.dataType()).as(name));
    }
    return columns.toArray(Column[]::new);
  }

  /** Whole seconds since the epoch, rounded down (also before 1970; exact until 2255). */
  private static Column floorSeconds(Column timestamp) {
    Column micros = unix_micros(timestamp);
    return micros.minus(pmod(micros, lit(1_000_000L))).divide(lit(1_000_000L)).cast("long");
  }

  /**
   * DECISIONS 34: the field of the first entity of the page view event, NULL when the flag is off.
   */
  private static Column enrichment(String name, Variables.PageViews rules) {
    Enrichment source =
        ENRICHMENTS.stream().filter(e -> e.fields().contains(name)).findFirst().orElseThrow();
    DataType type = Schemas.PAGE_VIEWS.apply(name).dataType();
    if (!source.on(rules)) {
      return lit(null).cast(type);
    }
    return get(col(source.entity().column()), lit(0)).getField(name);
  }
}
