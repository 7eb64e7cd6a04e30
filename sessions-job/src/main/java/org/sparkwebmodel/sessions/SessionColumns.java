package org.sparkwebmodel.sessions;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.sparkwebmodel.common.error.WebModelException;
import org.sparkwebmodel.common.table.Schemas;
import org.sparkwebmodel.common.table.TableName;

/**
 * Which columns of {@code page_views_staged} the sessions module reads (reference §2.4) and how the
 * 90 output columns map to them.
 */
public final class SessionColumns {
  private SessionColumns() {}

  /** {@code sessions} and {@code sessions_this_run}: the 90 columns of Appendix A, in order. */
  public static final StructType SESSIONS_SCHEMA =
      StructType.fromDDL(
          "app_id STRING, domain_sessionid STRING, domain_sessionidx INT, start_tstamp TIMESTAMP,"
              + " end_tstamp TIMESTAMP, user_id STRING, domain_userid STRING, network_userid STRING,"
              + " page_views INT, engaged_time_in_s INT, absolute_time_in_s INT,"
              + " first_page_title STRING, first_page_url STRING, first_page_urlscheme STRING,"
              + " first_page_urlhost STRING, first_page_urlpath STRING, first_page_urlquery STRING,"
              + " first_page_urlfragment STRING, last_page_title STRING, last_page_url STRING,"
              + " last_page_urlscheme STRING, last_page_urlhost STRING, last_page_urlpath STRING,"
              + " last_page_urlquery STRING, last_page_urlfragment STRING, referrer STRING,"
              + " refr_urlscheme STRING, refr_urlhost STRING, refr_urlpath STRING, refr_urlquery STRING,"
              + " refr_urlfragment STRING, refr_medium STRING, refr_source STRING, refr_term STRING,"
              + " mkt_medium STRING, mkt_source STRING, mkt_term STRING, mkt_content STRING,"
              + " mkt_campaign STRING, mkt_clickid STRING, mkt_network STRING, geo_country STRING,"
              + " geo_region STRING, geo_region_name STRING, geo_city STRING, geo_zipcode STRING,"
              + " geo_latitude DOUBLE, geo_longitude DOUBLE, geo_timezone STRING,"
              + " user_ipaddress STRING, useragent STRING, br_renderengine STRING, br_lang STRING,"
              + " os_timezone STRING"
              + Schemas.enrichmentDdl());

  static final List<String> PAGE_PARTS =
      List.of("title", "url", "urlscheme", "urlhost", "urlpath", "urlquery", "urlfragment");

  /** Columns copied from the first page view under the same name. */
  static final List<String> FIRST_SAME_NAME =
      Stream.concat(
              Stream.of(
                  "app_id",
                  "domain_sessionidx",
                  "user_id",
                  "domain_userid",
                  "network_userid",
                  "refr_urlscheme",
                  "refr_urlhost",
                  "refr_urlpath",
                  "refr_urlquery",
                  "refr_urlfragment",
                  "refr_medium",
                  "refr_source",
                  "refr_term",
                  "mkt_medium",
                  "mkt_source",
                  "mkt_term",
                  "mkt_content",
                  "mkt_campaign",
                  "mkt_clickid",
                  "mkt_network",
                  "geo_country",
                  "geo_region",
                  "geo_region_name",
                  "geo_city",
                  "geo_zipcode",
                  "geo_latitude",
                  "geo_longitude",
                  "geo_timezone",
                  "user_ipaddress",
                  "useragent",
                  "br_renderengine",
                  "br_lang",
                  "os_timezone"),
              Schemas.ENRICHMENT_COLUMNS.stream())
          .toList();

  /** Page columns ({@code page_title}, {@code page_url}, ...), the source of first/last_page_*. */
  static final List<String> PAGE_COLUMNS = PAGE_PARTS.stream().map(part -> "page_" + part).toList();

  /** Input columns the job cannot run without. */
  public static final List<String> REQUIRED =
      Stream.of(
              Stream.of(
                  "page_view_id",
                  "domain_sessionid",
                  "page_view_in_session_index",
                  "start_tstamp",
                  "end_tstamp",
                  "engaged_time_in_s",
                  "page_referrer"),
              PAGE_COLUMNS.stream(),
              FIRST_SAME_NAME.stream().filter(c -> !Schemas.ENRICHMENT_COLUMNS.contains(c)))
          .flatMap(s -> s)
          .toList();

  /** Input columns read when present and taken as NULL when absent. */
  public static final List<String> OPTIONAL =
      Stream.concat(Stream.of("event_id"), Schemas.ENRICHMENT_COLUMNS.stream()).toList();

  /** The type a page-view column must have. */
  static DataType typeOf(String column) {
    return Schemas.PAGE_VIEWS.apply(column).dataType();
  }

  /**
   * Fails, naming the table and the columns, when a required column is missing or a column the
   * module reads has another type than §2.1 gives.
   */
  public static void requireColumns(StructType input, TableName table) {
    List<String> present = List.of(input.fieldNames());
    List<String> missing = REQUIRED.stream().filter(c -> !present.contains(c)).toList();
    if (!missing.isEmpty()) {
      throw new WebModelException(
          "table "
              + table
              + " lacks required column"
              + (missing.size() > 1 ? "s " : " ")
              + String.join(", ", missing));
    }
    List<String> wrong = new ArrayList<>();
    for (StructField field : input.fields()) {
      if (REQUIRED.contains(field.name()) || OPTIONAL.contains(field.name())) {
        DataType expected = typeOf(field.name());
        if (!field.dataType().equals(expected)) {
          wrong.add(
              field.name() + " is " + field.dataType().sql() + ", expected " + expected.sql());
        }
      }
    }
    if (!wrong.isEmpty()) {
      throw new WebModelException(
          "table " + table + " has columns of the wrong type: " + String.join("; ", wrong));
    }
  }
}
