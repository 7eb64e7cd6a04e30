package org.sparkwebmodel.common.sample;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.sparkwebmodel.common.delta.DeltaStore;
import org.sparkwebmodel.common.table.AtomicEvents;
import org.sparkwebmodel.common.table.TableName;
import org.sparkwebmodel.common.table.Warehouse;
import org.sparkwebmodel.common.testing.SharedSpark;

/**
 * The sample events: deterministic, in the Lake Loader layout, with the designed event mix and
 * every edge case. One data set of {@value #PAGE_VIEWS} page views (two chunks) is written once and
 * examined by the tests.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TestSampleEvents {
  private static final long PAGE_VIEWS = 3_000;
  private static final long SEED = 11;
  private static final TableName TABLE = new TableName("atomic", "events");

  private DeltaStore store;
  private Map<String, Long> written;
  private Dataset<Row> events;

  @BeforeAll
  void writeOnce(@TempDir Path dir) {
    store = new DeltaStore(SharedSpark.session(), new Warehouse(dir.toString()));
    written = SampleEvents.write(store, TABLE, PAGE_VIEWS, SEED);
    events = store.read(TABLE).cache();
    events.createOrReplaceTempView("sample_events");
  }

  private static long pageViewsWith(int modulus, int remainder) {
    return LongStream.range(0, PAGE_VIEWS).filter(p -> p % modulus == remainder).count();
  }

  private long count(String sql) {
    return SharedSpark.session().sql(sql).first().getLong(0);
  }

  @Test
  void theSameSeedGivesTheSameRowsWhateverThePartitioning() {
    SparkSession spark = SharedSpark.session();
    List<String> oneTask = sorted(SampleEvents.generate(spark, 4_500, 7, 1, null));
    assertThat(oneTask).hasSizeGreaterThan(4_500);
    assertThat(sorted(SampleEvents.generate(spark, 4_500, 7, 3, null))).isEqualTo(oneTask);
    assertThat(sorted(SampleEvents.generate(spark, 4_500, 8, 3, null))).isNotEqualTo(oneTask);
  }

  @Test
  void neighbouringSeedsShareNoIds() {
    SparkSession spark = SharedSpark.session();
    Dataset<Row> seven = SampleEvents.generate(spark, 4_500, 7, 2, null);
    Dataset<Row> eight = SampleEvents.generate(spark, 4_500, 8, 2, null);
    for (String id : List.of("event_id", "domain_sessionid")) {
      assertThat(seven.select(id).intersect(eight.select(id)).na().drop().count()).as(id).isZero();
    }
  }

  private static List<String> sorted(Dataset<Row> rows) {
    return rows.collectAsList().stream().map(Row::toString).sorted().toList();
  }

  @Test
  void writesTheLakeLoaderLayout() {
    List<String> expected =
        new java.util.ArrayList<>(
            Arrays.stream(AtomicEvents.TABLE.fields())
                .map(f -> f.name() + " " + f.dataType().sql())
                .toList());
    expected.add("load_tstamp_date DATE");
    assertThat(
            Arrays.stream(events.schema().fields()).map(f -> f.name() + " " + f.dataType().sql()))
        .containsExactlyElementsOf(expected);
    assertThat(
            Arrays.stream(events.schema().fields())
                .filter(f -> !f.nullable())
                .map(StructField::name))
        .containsExactlyInAnyOrder(
            "collector_tstamp",
            "event_id",
            "v_collector",
            "v_etl",
            "load_tstamp",
            "load_tstamp_date");
    Row detail = store.deltaTable(TABLE).detail().first();
    assertThat(detail.getList(detail.fieldIndex("partitionColumns")))
        .containsExactly("load_tstamp_date", "event_name");
    assertThat(
            count(
                "SELECT count(*) FROM sample_events WHERE load_tstamp_date != CAST(load_tstamp AS DATE)"))
        .isZero();
  }

  @Test
  void theCountsReturnedAreTheRowsWritten() {
    assertThat(written.keySet()).containsExactly("page_view", "page_ping", "link_click", "struct");
    for (Map.Entry<String, Long> entry : written.entrySet()) {
      assertThat(events.where(col("event_name").equalTo(entry.getKey())).count())
          .as(entry.getKey())
          .isEqualTo(entry.getValue())
          .isPositive();
    }
    assertThat(events.count())
        .isEqualTo(written.values().stream().mapToLong(Long::longValue).sum());
  }

  @Test
  void thePageViewsAreThoseAskedForEachWithItsWebPageId() {
    // N page view events (distinct ids), plus the copies of the duplicated ones.
    assertThat(
            count(
                "SELECT count(DISTINCT event_id) FROM sample_events WHERE event_name = 'page_view'"))
        .isEqualTo(PAGE_VIEWS);
    assertThat(
            count(
                "SELECT count(DISTINCT contexts_com_snowplowanalytics_snowplow_web_page_1[0].id)"
                    + " FROM sample_events WHERE event_name = 'page_view'"))
        .isEqualTo(PAGE_VIEWS);
    assertThat(written.get("page_view"))
        .isEqualTo(PAGE_VIEWS + pageViewsWith(200, 17) + pageViewsWith(200, 117));
    // Every event carries exactly one web_page entity, the id of a page view of the same session.
    assertThat(
            count(
                "SELECT count(*) FROM sample_events"
                    + " WHERE size(contexts_com_snowplowanalytics_snowplow_web_page_1) != 1"))
        .isZero();
    assertThat(
            count(
                "SELECT count(*) FROM sample_events e LEFT JOIN (SELECT DISTINCT"
                    + " contexts_com_snowplowanalytics_snowplow_web_page_1[0].id AS id,"
                    + " domain_sessionid, domain_userid, page_url FROM sample_events"
                    + " WHERE event_name = 'page_view') v"
                    + " ON v.id = e.contexts_com_snowplowanalytics_snowplow_web_page_1[0].id"
                    + " AND v.domain_sessionid <=> e.domain_sessionid"
                    + " AND v.domain_userid <=> e.domain_userid AND v.page_url = e.page_url"
                    + " WHERE v.id IS NULL"))
        .isZero();
  }

  @Test
  void pingsFollowTheHeartbeat() {
    // Ping k of a page view (pauses skip heartbeats) is 5 s + 10 s × slot after the page view,
    // give or take the network latency and the tracker's timer (< 1 s); no two share a slot.
    SharedSpark.session()
        .sql(
            "SELECT p.event_id, (unix_micros(p.derived_tstamp) - unix_micros(v.derived_tstamp))"
                + " / 1e6 AS offset, v.id FROM sample_events p JOIN (SELECT DISTINCT"
                + " contexts_com_snowplowanalytics_snowplow_web_page_1[0].id AS id, derived_tstamp"
                + " FROM sample_events WHERE event_name = 'page_view') v"
                + " ON v.id = p.contexts_com_snowplowanalytics_snowplow_web_page_1[0].id"
                + " WHERE p.event_name = 'page_ping'")
        .createOrReplaceTempView("ping_offsets");
    assertThat(
            count(
                "SELECT count(*) FROM ping_offsets"
                    + " WHERE abs(offset - (5 + 10 * round((offset - 5) / 10))) >= 1"
                    + " OR round((offset - 5) / 10) < 0"))
        .isZero();
    assertThat(
            count(
                "SELECT count(*) FROM (SELECT id, min(round((offset - 5) / 10)) AS first_slot,"
                    + " count(DISTINCT round((offset - 5) / 10)) AS slots,"
                    + " count(DISTINCT event_id) AS pings FROM ping_offsets GROUP BY id)"
                    + " WHERE first_slot != 0 OR slots != pings"))
        .isZero();
    // Several pings on engaged pages, none on a third or so.
    long engaged =
        count(
            "SELECT count(*) FROM (SELECT id FROM ping_offsets GROUP BY id"
                + " HAVING count(DISTINCT event_id) >= 3)");
    long withPings = count("SELECT count(DISTINCT id) FROM ping_offsets");
    assertThat(withPings).isBetween(PAGE_VIEWS / 2, PAGE_VIEWS * 3 / 4);
    assertThat(engaged).isGreaterThan(PAGE_VIEWS / 6);
    // Scroll offsets on pings only; documents and windows on every event.
    assertThat(
            count(
                "SELECT count(*) FROM sample_events WHERE event_name = 'page_ping' AND"
                    + " (pp_xoffset_min != 0 OR pp_xoffset_max != 0 OR pp_yoffset_max IS NULL"
                    + " OR pp_yoffset_min > pp_yoffset_max OR pp_yoffset_max > doc_height)"))
        .isZero();
    assertThat(
            count(
                "SELECT count(*) FROM sample_events WHERE event_name != 'page_ping' AND"
                    + " coalesce(pp_xoffset_min, pp_xoffset_max, pp_yoffset_min, pp_yoffset_max)"
                    + " IS NOT NULL"))
        .isZero();
    assertThat(
            count(
                "SELECT count(*) FROM sample_events WHERE doc_width IS NULL OR doc_height IS NULL"
                    + " OR br_viewwidth IS NULL OR br_viewheight IS NULL"))
        .isZero();
    assertThat(count("SELECT count(*) FROM sample_events WHERE pp_yoffset_min < 0"))
        .as("iOS overscroll")
        .isPositive();
    assertThat(
            count(
                "SELECT count(*) FROM sample_events WHERE event_name = 'page_view'"
                    + " AND doc_height < br_viewheight"))
        .as("documents shorter than the window")
        .isPositive();
  }

  @Test
  void duplicatedEventsAreThereAsDesigned() {
    SharedSpark.session()
        .sql(
            "SELECT event_name, event_id, count(*) AS copies,"
                + " count(DISTINCT collector_tstamp) AS collector_times,"
                + " (unix_micros(max(collector_tstamp)) - unix_micros(min(collector_tstamp))) / 1e6"
                + " AS apart, count(DISTINCT load_tstamp) AS loads FROM sample_events"
                + " GROUP BY event_name, event_id HAVING count(*) > 1")
        .createOrReplaceTempView("duplicates");
    assertThat(count("SELECT count(*) FROM duplicates WHERE copies != 2 OR loads != 2")).isZero();
    assertThat(
            count(
                "SELECT count(*) FROM duplicates WHERE event_name = 'page_view'"
                    + " AND collector_times = 1"))
        .isEqualTo(pageViewsWith(200, 17));
    assertThat(
            count(
                "SELECT count(*) FROM duplicates WHERE event_name = 'page_view'"
                    + " AND collector_times = 2 AND apart BETWEEN 5 AND 60"))
        .isEqualTo(pageViewsWith(200, 117));
    assertThat(
            count(
                "SELECT count(*) FROM duplicates WHERE event_name = 'page_ping'"
                    + " AND collector_times = 1"))
        .isBetween(1L, pageViewsWith(200, 67));
    assertThat(
            count(
                "SELECT count(*) FROM duplicates WHERE event_name NOT IN ('page_view', 'page_ping')"))
        .isZero();
  }

  @Test
  void timestampsAreThoseOfTheTrackerAndThePipeline() {
    // derived = collector − (sent − created), to the microsecond; the device clock may be off.
    assertThat(
            count(
                "SELECT count(*) FROM sample_events WHERE unix_micros(derived_tstamp) !="
                    + " unix_micros(collector_tstamp) - (unix_micros(dvce_sent_tstamp)"
                    + " - unix_micros(dvce_created_tstamp))"))
        .isZero();
    assertThat(
            count(
                "SELECT count(*) FROM sample_events WHERE NOT ("
                    // sent right away (a resent copy up to a minute later), or 3-5 days late
                    + " dvce_sent_tstamp BETWEEN dvce_created_tstamp"
                    + " AND dvce_created_tstamp + INTERVAL 62 SECONDS"
                    + " OR dvce_sent_tstamp BETWEEN dvce_created_tstamp + INTERVAL 3 DAYS"
                    + " AND dvce_created_tstamp + INTERVAL 5 DAYS + INTERVAL 1 SECOND)"
                    // network latency under half a second; device clocks at most 10 minutes off
                    + " OR derived_tstamp > collector_tstamp"
                    + " OR abs(unix_micros(dvce_created_tstamp) - unix_micros(derived_tstamp))"
                    + " > 601000000"
                    // enriched within half a minute, loaded 2 to 8 minutes later (reloaded copies
                    // up to an hour after that)
                    + " OR etl_tstamp NOT BETWEEN collector_tstamp"
                    + " AND collector_tstamp + INTERVAL 21 SECONDS"
                    + " OR load_tstamp NOT BETWEEN collector_tstamp + INTERVAL 2 MINUTES"
                    + " AND collector_tstamp + INTERVAL 68 MINUTES"))
        .isZero();
    // Late: sent more than 3 days after created; every p % 500 == 251 page view and offline
    // devices' sessions.
    long latePageViews =
        count(
            "SELECT count(DISTINCT event_id) FROM sample_events WHERE event_name = 'page_view'"
                + " AND dvce_sent_tstamp > dvce_created_tstamp + INTERVAL 3 DAYS");
    assertThat(latePageViews).isGreaterThanOrEqualTo(pageViewsWith(500, 251));
    assertThat(
            count(
                "SELECT count(*) FROM sample_events WHERE event_name = 'page_ping'"
                    + " AND dvce_sent_tstamp > dvce_created_tstamp + INTERVAL 3 DAYS"))
        .as("pings of offline devices")
        .isPositive();
    // Three weeks from 2020-01-01, the first seven days included.
    Row range =
        SharedSpark.session()
            .sql(
                "SELECT min(derived_tstamp), max(derived_tstamp),"
                    + " count_if(collector_tstamp < TIMESTAMP '2020-01-08 00:00:00')"
                    + " FROM sample_events")
            .first();
    assertThat(range.<java.time.Instant>getAs(0)).isAfter(SampleEvents.FIRST_DAY);
    assertThat(range.<java.time.Instant>getAs(1))
        .isBefore(SampleEvents.FIRST_DAY.plus(java.time.Duration.ofDays(SampleEvents.DAYS + 1)));
    assertThat(range.getLong(2)).isGreaterThan(events.count() / 5);
  }

  @Test
  void botsAnonymousSessionsAndMissingUserAgentsAreThere() {
    // Crawlers: a lowercase bot token (the filter drops them) or only capitalised ones; IAB flags
    // them all; they never ping, click or send structured events.
    assertThat(
            count(
                "SELECT count(*) FROM sample_events WHERE event_name = 'page_view'"
                    + " AND useragent RLIKE 'bot|crawl|spider'"))
        .isPositive();
    assertThat(
            count(
                "SELECT count(*) FROM sample_events WHERE useragent RLIKE '(?i)bot'"
                    + " AND (event_name != 'page_view'"
                    + " OR NOT contexts_com_iab_snowplow_spiders_and_robots_1[0].spider_or_robot"
                    + " OR contexts_nl_basjes_yauaa_context_1[0].agent_class != 'Robot')"))
        .isZero();
    assertThat(
            count(
                "SELECT count(*) FROM sample_events WHERE useragent NOT RLIKE '(?i)bot'"
                    + " AND contexts_com_iab_snowplow_spiders_and_robots_1[0].spider_or_robot"))
        .isZero();
    // Anonymous tracking: no session, no cookie ids; every event of such a page view.
    long anonymous = count("SELECT count(*) FROM sample_events WHERE domain_sessionid IS NULL");
    assertThat(anonymous).isPositive();
    assertThat(
            count(
                "SELECT count(*) FROM sample_events WHERE domain_sessionid IS NULL"
                    + " AND (domain_userid IS NOT NULL OR domain_sessionidx IS NOT NULL"
                    + " OR user_id IS NOT NULL)"))
        .isZero();
    // No user agent: no enrichment entities.
    assertThat(count("SELECT count(*) FROM sample_events WHERE useragent IS NULL")).isPositive();
    assertThat(
            count(
                "SELECT count(*) FROM sample_events WHERE (useragent IS NULL"
                    + " OR event_name = 'page_ping') AND ("
                    + AtomicEvents.IAB.column()
                    + " IS NOT NULL OR "
                    + AtomicEvents.YAUAA.column()
                    + " IS NOT NULL)"))
        .isZero();
    assertThat(
            count(
                "SELECT count(*) FROM sample_events WHERE useragent IS NOT NULL"
                    + " AND event_name != 'page_ping' AND (size("
                    + AtomicEvents.IAB.column()
                    + ") != 1 OR size("
                    + AtomicEvents.UA_PARSER.column()
                    + ") != 1 OR size("
                    + AtomicEvents.YAUAA.column()
                    + ") != 1)"))
        .isZero();
  }

  @Test
  void nonPageEventsAndTheTrackerProtocol() {
    assertThat(
            count(
                "SELECT count(*) FROM sample_events WHERE NOT ("
                    + " event_name = 'page_view' AND event = 'page_view' AND event_version = '1-0-0'"
                    + " OR event_name = 'page_ping' AND event = 'page_ping' AND event_version = '1-0-0'"
                    + " OR event_name = 'link_click' AND event = 'unstruct'"
                    + " AND event_version = '1-0-1'"
                    + " OR event_name = 'struct' AND event = 'struct' AND event_version = '1-0-0')"
                    + " OR event_vendor != 'com.snowplowanalytics.snowplow'"
                    + " OR event_format != 'jsonschema' OR platform != 'web'"
                    + " OR v_collector IS NULL OR v_etl IS NULL OR v_tracker IS NULL"
                    + " OR length(event_id) != 36 OR length(event_fingerprint) != 32"))
        .isZero();
    assertThat(
            count(
                "SELECT count(*) FROM sample_events WHERE (event_name = 'struct')"
                    + " != (se_category IS NOT NULL AND se_action IS NOT NULL)"))
        .isZero();
    assertThat(
            SharedSpark.session()
                .sql(
                    "SELECT DISTINCT se_category, se_action FROM sample_events"
                        + " WHERE event_name = 'struct' ORDER BY 1, 2")
                .collectAsList()
                .stream()
                .map(Row::toString))
        .containsExactly("[checkout,order]", "[product,add-to-basket]", "[video,play]");
  }

  @Test
  void sessionsOfReturningUsersAcrossApps() {
    assertThat(
            SharedSpark.session()
                .sql("SELECT DISTINCT app_id FROM sample_events ORDER BY 1")
                .collectAsList()
                .stream()
                .map(r -> r.getString(0)))
        .containsExactly("blog", "help-center", "shop-web");
    // Sessions of several page views; users with several sessions, later ones numbered higher.
    assertThat(
            count(
                "SELECT count(*) FROM (SELECT domain_sessionid FROM sample_events"
                    + " WHERE event_name = 'page_view' AND domain_sessionid IS NOT NULL"
                    + " GROUP BY domain_sessionid HAVING count(DISTINCT event_id) >= 3)"))
        .isGreaterThan(100);
    assertThat(
            count(
                "SELECT count(*) FROM (SELECT domain_userid FROM sample_events"
                    + " WHERE domain_userid IS NOT NULL GROUP BY domain_userid"
                    + " HAVING count(DISTINCT domain_sessionid) > 1)"))
        .isGreaterThan(50);
    assertThat(
            count(
                "SELECT count(*) FROM (SELECT domain_sessionid, count(DISTINCT domain_userid) AS"
                    + " users, count(DISTINCT domain_sessionidx) AS idx, count(DISTINCT"
                    + " user_ipaddress) AS ips, count(DISTINCT geo_city) AS cities"
                    + " FROM sample_events WHERE domain_sessionid IS NOT NULL"
                    + " GROUP BY domain_sessionid) WHERE users != 1 OR idx != 1 OR ips != 1"
                    + " OR cities != 1"))
        .isZero();
    assertThat(count("SELECT count(DISTINCT user_id) FROM sample_events WHERE user_id IS NOT NULL"))
        .isPositive();
    // The landing page carries the campaign; later pages are referred by the previous one.
    assertThat(
            count(
                "SELECT count(*) FROM sample_events WHERE mkt_medium IS NOT NULL"
                    + " AND page_urlquery NOT LIKE concat('%utm_medium=', mkt_medium, '%')"))
        .isZero();
    assertThat(count("SELECT count(*) FROM sample_events WHERE mkt_medium IS NOT NULL"))
        .isPositive();
    assertThat(
            count(
                "SELECT count(*) FROM sample_events WHERE refr_medium = 'internal'"
                    + " AND page_referrer != concat('https://', refr_urlhost, refr_urlpath)"))
        .isZero();
    assertThat(
            count(
                "SELECT count(*) FROM sample_events WHERE page_url NOT LIKE"
                    + " concat('https://', page_urlhost, page_urlpath, '%') OR page_title IS NULL"
                    + " OR geo_country IS NULL OR br_lang IS NULL"
                    + " OR os_timezone != geo_timezone"))
        .isZero();
  }
}
