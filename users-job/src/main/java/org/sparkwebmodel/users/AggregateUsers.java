package org.sparkwebmodel.users;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;

/**
 * Turns the sessions of a set of users into one row per {@code domain_userid} (reference §5.5–5.7,
 * DECISIONS.md 11 and 14): pure DataFrame operations, no I/O, no clock.
 *
 * <p>Where the reference joins aggregates to the sessions starting and ending at the user's
 * extremes (and duplicates users on ties, issue #106), this takes the first and last session as the
 * minimum and maximum of ordering structs in one aggregation: the first session is the smallest
 * ({@code start_tstamp}, {@code domain_sessionid}), NULLs last; the last session the largest
 * ({@code end_tstamp}, {@code start_tstamp}, {@code domain_sessionid}), NULLs lowest.
 */
public final class AggregateUsers {
  private AggregateUsers() {}

  /** The 38 columns of {@code users_this_run}; sessions with a NULL domain_userid are ignored. */
  public static Dataset<Row> apply(Dataset<Row> sessions) {
    Column first =
        struct(
            col("start_tstamp").isNull().as("k1"),
            col("start_tstamp").as("k2"),
            col("domain_sessionid").as("k3"),
            struct(UserColumns.FROM_FIRST_SESSION.stream().map(c -> col(c)).toArray(Column[]::new))
                .as("v"));
    Column last =
        struct(
            col("end_tstamp").isNotNull().as("k1"),
            col("end_tstamp").as("k2"),
            col("start_tstamp").isNotNull().as("k3"),
            col("start_tstamp").as("k4"),
            col("domain_sessionid").as("k5"),
            struct(UserColumns.FROM_LAST_SESSION.stream().map(c -> col(c)).toArray(Column[]::new))
                .as("v"));
    return sessions
        .where(col("domain_userid").isNotNull())
        .groupBy("domain_userid")
        .agg(
            min("start_tstamp").as("start_tstamp"),
            max("end_tstamp").as("end_tstamp"),
            sum("page_views").as("page_views"),
            countDistinct(col("domain_sessionid")).as("sessions"),
            sum("engaged_time_in_s").as("engaged_time_in_s"),
            min(first).as("_first"),
            max(last).as("_last"))
        .select(outputColumns());
  }

  /** Appendix B, in order, each with its type. */
  private static Column[] outputColumns() {
    List<Column> columns = new ArrayList<>();
    for (StructField field : UserColumns.USERS_SCHEMA.fields()) {
      String name = field.name();
      Column value =
          switch (name) {
            case "domain_userid",
                "start_tstamp",
                "end_tstamp",
                "page_views",
                "sessions",
                "engaged_time_in_s" ->
                col(name);
            default ->
                UserColumns.FROM_LAST_SESSION.contains(name)
                    ? col("_last.v." + name)
                    : col("_first.v." + name);
          };
      columns.add(value.cast(field.dataType()).as(name));
    }
    return columns.toArray(Column[]::new);
  }
}
