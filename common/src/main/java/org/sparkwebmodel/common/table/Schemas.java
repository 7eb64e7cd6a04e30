package org.sparkwebmodel.common.table;

import java.util.List;
import org.apache.spark.sql.types.StructType;

/**
 * Spark schemas of the tables the modules share: the page views the model starts from and the run's
 * own tables (types per DECISIONS.md: strings STRING, counts and seconds INT, floats DOUBLE,
 * spider_or_robot BOOLEAN, timestamps TIMESTAMP in UTC).
 */
public final class Schemas {
  private Schemas() {}

  /** The 36 enrichment columns (IAB, UA parser, YAUAA); optional in the input, NULL when absent. */
  public static final List<String> ENRICHMENT_COLUMNS =
      List.of(
          "category",
          "primary_impact",
          "reason",
          "spider_or_robot",
          "useragent_family",
          "useragent_major",
          "useragent_minor",
          "useragent_patch",
          "useragent_version",
          "os_family",
          "os_major",
          "os_minor",
          "os_patch",
          "os_patch_minor",
          "os_version",
          "device_family",
          "device_class",
          "agent_class",
          "agent_name",
          "agent_name_version",
          "agent_name_version_major",
          "agent_version",
          "agent_version_major",
          "device_brand",
          "device_name",
          "device_version",
          "layout_engine_class",
          "layout_engine_name",
          "layout_engine_name_version",
          "layout_engine_name_version_major",
          "layout_engine_version",
          "layout_engine_version_major",
          "operating_system_class",
          "operating_system_name",
          "operating_system_name_version",
          "operating_system_version");

  /** The enrichment columns as DDL, each with its type, preceded by a comma. */
  public static String enrichmentDdl() {
    StringBuilder ddl = new StringBuilder();
    for (String column : ENRICHMENT_COLUMNS) {
      ddl.append(", ")
          .append(column)
          .append(column.equals("spider_or_robot") ? " BOOLEAN" : " STRING");
    }
    return ddl.toString();
  }

  /** {@code page_views_staged}: the 98 columns of reference §2.1, in order. */
  public static final StructType PAGE_VIEWS =
      StructType.fromDDL(
          "page_view_id STRING, event_id STRING, app_id STRING, user_id STRING, domain_userid STRING,"
              + " network_userid STRING, domain_sessionid STRING, domain_sessionidx INT,"
              + " page_view_in_session_index INT, page_views_in_session INT,"
              + " dvce_created_tstamp TIMESTAMP, collector_tstamp TIMESTAMP, derived_tstamp TIMESTAMP,"
              + " start_tstamp TIMESTAMP, end_tstamp TIMESTAMP, engaged_time_in_s INT,"
              + " absolute_time_in_s INT, horizontal_pixels_scrolled INT, vertical_pixels_scrolled INT,"
              + " horizontal_percentage_scrolled DOUBLE, vertical_percentage_scrolled DOUBLE,"
              + " doc_width INT, doc_height INT, page_title STRING, page_url STRING,"
              + " page_urlscheme STRING, page_urlhost STRING, page_urlpath STRING, page_urlquery STRING,"
              + " page_urlfragment STRING, mkt_medium STRING, mkt_source STRING, mkt_term STRING,"
              + " mkt_content STRING, mkt_campaign STRING, mkt_clickid STRING, mkt_network STRING,"
              + " page_referrer STRING, refr_urlscheme STRING, refr_urlhost STRING, refr_urlpath STRING,"
              + " refr_urlquery STRING, refr_urlfragment STRING, refr_medium STRING, refr_source STRING,"
              + " refr_term STRING, geo_country STRING, geo_region STRING, geo_region_name STRING,"
              + " geo_city STRING, geo_zipcode STRING, geo_latitude DOUBLE, geo_longitude DOUBLE,"
              + " geo_timezone STRING, user_ipaddress STRING, useragent STRING, br_lang STRING,"
              + " br_viewwidth INT, br_viewheight INT, br_colordepth STRING, br_renderengine STRING,"
              + " os_timezone STRING"
              + enrichmentDdl());

  /** {@code datamodel_metadata}: the 14 columns of reference §3.2. */
  public static final StructType METADATA =
      StructType.fromDDL(
          "run_id TIMESTAMP, model_version STRING, model STRING, module STRING,"
              + " run_start_tstamp TIMESTAMP, run_end_tstamp TIMESTAMP, rows_this_run INT,"
              + " distinct_key STRING, distinct_key_count INT, time_key STRING,"
              + " min_time_key TIMESTAMP, max_time_key TIMESTAMP, duplicate_rows_removed INT,"
              + " distinct_keys_removed INT");

  /** {@code metadata_run_id}: the id shared by every module of a run. */
  public static final StructType RUN_ID = StructType.fromDDL("run_id TIMESTAMP");
}
