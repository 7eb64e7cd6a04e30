package org.sparkwebmodel.common.table;

import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The atomic events table in the layout the Snowplow Lake Loader writes to Delta (DECISIONS 21):
 *
 * <ul>
 *   <li>the flat atomic columns of {@code atomic.events} in the enriched event's order (reference
 *       Appendix A: 128 columns), then {@code load_tstamp}, which the loader adds;
 *   <li>every self-describing entity in a column {@code contexts_<vendor>_<name>_<major>} (dots of
 *       the vendor and dashes become underscores) holding an array of structs whose fields are the
 *       schema's properties in snake_case; tracker contexts and enrichment (derived) contexts
 *       alike; the unstructured event in {@code unstruct_event_<vendor>_<name>_<major>} (a struct);
 *   <li>partitioned by {@code load_tstamp_date} (generated: {@code CAST(load_tstamp AS DATE)}) and
 *       {@code event_name}.
 * </ul>
 *
 * Types follow the Lake Loader: strings {@code STRING}, counts and pixels {@code INT}, coordinates
 * and {@code se_value} {@code DOUBLE}, money {@code DECIMAL(18,2)}, flags {@code BOOLEAN},
 * timestamps {@code TIMESTAMP} (UTC).
 */
public final class AtomicEvents {
  private AtomicEvents() {}

  /** The 129 atomic columns, in the loader's order, {@code load_tstamp} last. */
  public static final StructType ATOMIC =
      StructType.fromDDL(
          "app_id STRING, platform STRING, etl_tstamp TIMESTAMP, collector_tstamp TIMESTAMP,"
              + " dvce_created_tstamp TIMESTAMP, event STRING, event_id STRING, txn_id INT,"
              + " name_tracker STRING, v_tracker STRING, v_collector STRING, v_etl STRING,"
              + " user_id STRING, user_ipaddress STRING, user_fingerprint STRING,"
              + " domain_userid STRING, domain_sessionidx INT, network_userid STRING,"
              + " geo_country STRING, geo_region STRING, geo_city STRING, geo_zipcode STRING,"
              + " geo_latitude DOUBLE, geo_longitude DOUBLE, geo_region_name STRING, ip_isp STRING,"
              + " ip_organization STRING, ip_domain STRING, ip_netspeed STRING, page_url STRING,"
              + " page_title STRING, page_referrer STRING, page_urlscheme STRING,"
              + " page_urlhost STRING, page_urlport INT, page_urlpath STRING, page_urlquery STRING,"
              + " page_urlfragment STRING, refr_urlscheme STRING, refr_urlhost STRING,"
              + " refr_urlport INT, refr_urlpath STRING, refr_urlquery STRING,"
              + " refr_urlfragment STRING, refr_medium STRING, refr_source STRING, refr_term STRING,"
              + " mkt_medium STRING, mkt_source STRING, mkt_term STRING, mkt_content STRING,"
              + " mkt_campaign STRING, se_category STRING, se_action STRING, se_label STRING,"
              + " se_property STRING, se_value DOUBLE, tr_orderid STRING, tr_affiliation STRING,"
              + " tr_total DECIMAL(18,2), tr_tax DECIMAL(18,2), tr_shipping DECIMAL(18,2),"
              + " tr_city STRING, tr_state STRING, tr_country STRING, ti_orderid STRING,"
              + " ti_sku STRING, ti_name STRING, ti_category STRING, ti_price DECIMAL(18,2),"
              + " ti_quantity INT, pp_xoffset_min INT, pp_xoffset_max INT, pp_yoffset_min INT,"
              + " pp_yoffset_max INT, useragent STRING, br_name STRING, br_family STRING,"
              + " br_version STRING, br_type STRING, br_renderengine STRING, br_lang STRING,"
              + " br_features_pdf BOOLEAN, br_features_flash BOOLEAN, br_features_java BOOLEAN,"
              + " br_features_director BOOLEAN, br_features_quicktime BOOLEAN,"
              + " br_features_realplayer BOOLEAN, br_features_windowsmedia BOOLEAN,"
              + " br_features_gears BOOLEAN, br_features_silverlight BOOLEAN, br_cookies BOOLEAN,"
              + " br_colordepth STRING, br_viewwidth INT, br_viewheight INT, os_name STRING,"
              + " os_family STRING, os_manufacturer STRING, os_timezone STRING, dvce_type STRING,"
              + " dvce_ismobile BOOLEAN, dvce_screenwidth INT, dvce_screenheight INT,"
              + " doc_charset STRING, doc_width INT, doc_height INT, tr_currency STRING,"
              + " tr_total_base DECIMAL(18,2), tr_tax_base DECIMAL(18,2),"
              + " tr_shipping_base DECIMAL(18,2), ti_currency STRING, ti_price_base DECIMAL(18,2),"
              + " base_currency STRING, geo_timezone STRING, mkt_clickid STRING,"
              + " mkt_network STRING, etl_tags STRING, dvce_sent_tstamp TIMESTAMP,"
              + " refr_domain_userid STRING, refr_dvce_tstamp TIMESTAMP, domain_sessionid STRING,"
              + " derived_tstamp TIMESTAMP, event_vendor STRING, event_name STRING,"
              + " event_format STRING, event_version STRING, event_fingerprint STRING,"
              + " true_tstamp TIMESTAMP, load_tstamp TIMESTAMP");

  /** The atomic columns the loader never leaves NULL. */
  public static final List<String> REQUIRED =
      List.of("collector_tstamp", "event_id", "v_collector", "v_etl", "load_tstamp");

  /** The generated partition column: {@code CAST(load_tstamp AS DATE)}. */
  public static final String LOAD_DATE = "load_tstamp_date";

  /** The partition columns, in order. */
  public static final List<String> PARTITION_COLUMNS = List.of(LOAD_DATE, "event_name");

  /** An entity type the model reads, with the struct of one entity. */
  public record Entity(String vendor, String name, int major, StructType fields) {
    /** {@code contexts_<vendor>_<name>_<major>}, as the Lake Loader names it. */
    public String column() {
      return "contexts_" + normalise(vendor) + "_" + normalise(name) + "_" + major;
    }

    /** The column's type: an array of the entity's struct. */
    public ArrayType type() {
      return new ArrayType(fields, true);
    }

    /** The column's field in a table schema. */
    public StructField field() {
      return new StructField(column(), type(), true, org.apache.spark.sql.types.Metadata.empty());
    }
  }

  /** Lower-cases and turns every character outside {@code [a-z0-9]} into {@code _}. */
  public static String normalise(String part) {
    return part.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]", "_");
  }

  /** {@code com.snowplowanalytics.snowplow/web_page/jsonschema/1-0-0}: the page view id. */
  public static final Entity WEB_PAGE =
      new Entity("com.snowplowanalytics.snowplow", "web_page", 1, StructType.fromDDL("id STRING"));

  /** {@code com.iab.snowplow/spiders_and_robots/jsonschema/1-0-0} (IAB enrichment). */
  public static final Entity IAB =
      new Entity(
          "com.iab.snowplow",
          "spiders_and_robots",
          1,
          StructType.fromDDL(
              "spider_or_robot BOOLEAN, category STRING, reason STRING, primary_impact STRING"));

  /** {@code com.snowplowanalytics.snowplow/ua_parser_context/jsonschema/1-0-0}. */
  public static final Entity UA_PARSER =
      new Entity(
          "com.snowplowanalytics.snowplow",
          "ua_parser_context",
          1,
          StructType.fromDDL(
              "useragent_family STRING, useragent_major STRING, useragent_minor STRING,"
                  + " useragent_patch STRING, useragent_version STRING, os_family STRING,"
                  + " os_major STRING, os_minor STRING, os_patch STRING, os_patch_minor STRING,"
                  + " os_version STRING, device_family STRING"));

  /** {@code nl.basjes/yauaa_context/jsonschema/1-0-*}: the 20 fields the model reads. */
  public static final Entity YAUAA =
      new Entity(
          "nl.basjes",
          "yauaa_context",
          1,
          StructType.fromDDL(
              "device_class STRING, device_name STRING, device_brand STRING,"
                  + " device_version STRING, operating_system_class STRING,"
                  + " operating_system_name STRING, operating_system_version STRING,"
                  + " operating_system_name_version STRING, layout_engine_class STRING,"
                  + " layout_engine_name STRING, layout_engine_version STRING,"
                  + " layout_engine_version_major STRING, layout_engine_name_version STRING,"
                  + " layout_engine_name_version_major STRING, agent_class STRING,"
                  + " agent_name STRING, agent_version STRING, agent_version_major STRING,"
                  + " agent_name_version STRING, agent_name_version_major STRING"));

  /** The enrichment entities page views reads, each behind its flag (DECISIONS 34). */
  public static final List<Entity> ENRICHMENTS = List.of(IAB, UA_PARSER, YAUAA);

  /** The entities the model reads: web_page and the enrichments. */
  public static final List<Entity> MODELLED = List.of(WEB_PAGE, IAB, UA_PARSER, YAUAA);

  /**
   * The events table as the model's tests and sample data write it: the atomic columns, then the
   * modelled entities' columns (a Lake Loader table may hold more entity columns, in any order).
   */
  public static final StructType TABLE = withEntities(ATOMIC, MODELLED);

  /** {@code schema} followed by a column per entity. */
  public static StructType withEntities(StructType schema, List<Entity> entities) {
    StructField[] fields =
        java.util.stream.Stream.concat(
                Arrays.stream(schema.fields()), entities.stream().map(Entity::field))
            .toArray(StructField[]::new);
    return new StructType(fields);
  }

  /** The type of a column in a schema, or null when it has none. */
  public static DataType typeOf(StructType schema, String column) {
    return Arrays.stream(schema.fields())
        .filter(f -> f.name().equals(column))
        .map(StructField::dataType)
        .findFirst()
        .orElse(null);
  }
}
