package org.sparkwebmodel.common.csv;

import static java.util.stream.Collectors.joining;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.delta.tables.DeltaTable;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkwebmodel.common.delta.DeltaStore;
import org.sparkwebmodel.common.error.WebModelException;
import org.sparkwebmodel.common.table.AtomicEvents;
import org.sparkwebmodel.common.table.TableName;
import org.sparkwebmodel.common.table.Warehouse;
import org.sparkwebmodel.common.testing.SharedSpark;
import org.sparkwebmodel.common.testing.TestRows;
import scala.collection.JavaConverters;

class TestEnrichedTsv {
  static final TableName EVENTS = new TableName("atomic", "events");
  static final Instant LOADED = Instant.parse("2021-03-02T08:00:00Z");

  static final String WEB_PAGE = "iglu:com.snowplowanalytics.snowplow/web_page/jsonschema/1-0-0";
  static final String IAB = "iglu:com.iab.snowplow/spiders_and_robots/jsonschema/1-0-0";
  static final String UA_PARSER =
      "iglu:com.snowplowanalytics.snowplow/ua_parser_context/jsonschema/1-0-0";

  @TempDir Path dir;
  DeltaStore store;

  @BeforeEach
  void setUp() {
    store = new DeltaStore(SharedSpark.session(), new Warehouse(dir.resolve("wh").toString()));
  }

  /** The fields every event needs, plus {@code more} (field, value, field, value, ...). */
  static Map<String, String> event(String eventId, String eventName, String... more) {
    Map<String, String> values = new HashMap<>();
    values.put("app_id", "site");
    values.put("platform", "web");
    values.put("collector_tstamp", "2021-03-01 10:00:00.123");
    values.put("event_id", eventId);
    values.put("v_collector", "ssc-2.3.0-kinesis");
    values.put("v_etl", "snowplow-enrich-kinesis-3.7.0");
    values.put("event_name", eventName);
    for (int i = 0; i < more.length; i += 2) {
      values.put(more[i], more[i + 1]);
    }
    return values;
  }

  /** One TSV line: every field of the enriched event in order, empty unless given. */
  static String line(Map<String, String> values) {
    assertThat(EnrichedTsv.FIELDS).containsAll(values.keySet());
    return EnrichedTsv.FIELDS.stream().map(f -> values.getOrDefault(f, "")).collect(joining("\t"));
  }

  static String contexts(String... entities) {
    return "{\"schema\":\"iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0\",\"data\":["
        + String.join(",", entities)
        + "]}";
  }

  static String entity(String schema, String data) {
    return "{\"schema\":\"" + schema + "\",\"data\":" + data + "}";
  }

  private Path tsv(String name, String... lines) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, Arrays.stream(lines).map(l -> l + "\n").collect(joining()));
    return file;
  }

  @Test
  void theFieldsAreTheAtomicColumnsWithTheThreeJsonFieldsInPlace() {
    List<String> fields = EnrichedTsv.FIELDS;
    assertThat(fields).hasSize(131);
    assertThat(fields.subList(0, 7))
        .containsExactly(
            "app_id",
            "platform",
            "etl_tstamp",
            "collector_tstamp",
            "dvce_created_tstamp",
            "event",
            "event_id");
    assertThat(fields.subList(51, 54)).containsExactly("mkt_campaign", "contexts", "se_category");
    assertThat(fields.subList(57, 60)).containsExactly("se_value", "unstruct_event", "tr_orderid");
    assertThat(fields.subList(120, 124))
        .containsExactly(
            "refr_domain_userid", "refr_dvce_tstamp", "derived_contexts", "domain_sessionid");
    assertThat(fields.get(130)).isEqualTo("true_tstamp");
    assertThat(fields).doesNotContain("load_tstamp");
  }

  @Test
  void propertyNamesBecomeSnakeCaseAsTheLakeLoaderWritesThem() {
    assertThat(EnrichedTsv.snakeCase("spiderOrRobot")).isEqualTo("spider_or_robot");
    assertThat(EnrichedTsv.snakeCase("useragentFamily")).isEqualTo("useragent_family");
    assertThat(EnrichedTsv.snakeCase("agentNameVersionMajor"))
        .isEqualTo("agent_name_version_major");
    assertThat(EnrichedTsv.snakeCase("HTMLElement")).isEqualTo("html_element");
    assertThat(EnrichedTsv.snakeCase("already_snake")).isEqualTo("already_snake");
    assertThat(EnrichedTsv.snakeCase("my-field.v2")).isEqualTo("my_field_v2");
    assertThat(EnrichedTsv.camelCase("os_patch_minor")).isEqualTo("osPatchMinor");
  }

  @Test
  void loadsEventsWithEntitiesIntoTheLakeLoaderLayout() throws IOException {
    String pageView =
        line(
            event(
                "e1",
                "page_view",
                "txn_id",
                "42",
                "geo_latitude",
                "51.5",
                "tr_total",
                "12.99",
                "br_cookies",
                "1",
                "dvce_ismobile",
                "0",
                "dvce_created_tstamp",
                "2021-03-01 09:59:59",
                "derived_tstamp",
                "2021-03-01 10:00:00.123456",
                "contexts",
                contexts(
                    entity(WEB_PAGE, "{\"id\":\"pv1\"}"),
                    entity(
                        UA_PARSER,
                        "{\"useragentFamily\":\"Chrome\",\"useragentMajor\":\"87\","
                            + "\"osFamily\":\"Mac OS X\",\"deviceFamily\":\"Other\"}"),
                    entity(
                        "iglu:com.acme/cart_item/jsonschema/1-0-0",
                        "{\"productId\":\"p1\",\"unitPrice\":9.5}")),
                "derived_contexts",
                contexts(
                    entity(
                        IAB,
                        "{\"spiderOrRobot\":false,\"category\":\"BROWSER\","
                            + "\"reason\":\"PASSED_ALL\",\"primaryImpact\":\"NONE\"}"))));
    String linkClick =
        line(
            event(
                "e2",
                "link_click",
                "collector_tstamp",
                "2021-03-01 10:00:05",
                "contexts",
                contexts(
                    entity(WEB_PAGE, "{\"id\":\"pv1\"}"),
                    // a later minor version: its struct is merged with the 1-0-0 one
                    entity(
                        "iglu:com.acme/cart_item/jsonschema/1-0-1",
                        "{\"productId\":\"p2\",\"quantity\":2}"),
                    entity(
                        "iglu:com.acme/cart_item/jsonschema/1-0-1",
                        "{\"productId\":\"p3\",\"quantity\":1}")),
                "unstruct_event",
                "{\"schema\":\"iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0\","
                    + "\"data\":"
                    + entity(
                        "iglu:com.snowplowanalytics.snowplow/link_click/jsonschema/1-0-1",
                        "{\"targetUrl\":\"https://example.com/\",\"elementId\":\"a1\"}")
                    + "}"));
    String pagePing =
        line(
            event(
                "e3",
                "page_ping",
                "collector_tstamp",
                "2021-03-01 10:00:10.5",
                // an entity without properties gets no column
                "contexts",
                contexts(entity("iglu:com.acme/empty/jsonschema/1-0-0", "{}"))));
    Path file = tsv("enriched.tsv", pageView, linkClick, pagePing);

    EnrichedTsv.Loaded loaded = EnrichedTsv.load(store, EVENTS, file.toString(), LOADED);

    assertThat(loaded)
        .isEqualTo(
            new EnrichedTsv.Loaded(
                3,
                List.of(
                    "contexts_com_acme_cart_item_1",
                    "contexts_com_iab_snowplow_spiders_and_robots_1",
                    "contexts_com_snowplowanalytics_snowplow_ua_parser_context_1",
                    "contexts_com_snowplowanalytics_snowplow_web_page_1",
                    "unstruct_event_com_snowplowanalytics_snowplow_link_click_1")));

    // The table as EventsTable creates it (atomic columns, the modelled entities present, the
    // generated date), then the columns schema evolution added.
    Dataset<Row> eventsDF = store.read(EVENTS);
    List<String> expectedColumns = new ArrayList<>(List.of(AtomicEvents.ATOMIC.fieldNames()));
    expectedColumns.addAll(
        List.of(
            AtomicEvents.WEB_PAGE.column(),
            AtomicEvents.IAB.column(),
            AtomicEvents.UA_PARSER.column(),
            AtomicEvents.LOAD_DATE,
            "contexts_com_acme_cart_item_1",
            "unstruct_event_com_snowplowanalytics_snowplow_link_click_1"));
    assertThat(eventsDF.columns()).containsExactlyElementsOf(expectedColumns);
    for (StructField field : AtomicEvents.ATOMIC.fields()) {
      assertThat(AtomicEvents.typeOf(eventsDF.schema(), field.name()))
          .as(field.name())
          .isEqualTo(field.dataType());
    }
    for (AtomicEvents.Entity entity :
        List.of(AtomicEvents.WEB_PAGE, AtomicEvents.IAB, AtomicEvents.UA_PARSER)) {
      assertThat(AtomicEvents.typeOf(eventsDF.schema(), entity.column()).sql())
          .as(entity.column())
          .isEqualTo(entity.type().sql());
    }
    // Unknown entities: structs inferred from the data, properties in snake_case.
    assertThat(TestRows.columns(eventsDF.schema()))
        .contains(
            "contexts_com_acme_cart_item_1"
                + " ARRAY<STRUCT<product_id: STRING, quantity: BIGINT, unit_price: DOUBLE>>",
            "unstruct_event_com_snowplowanalytics_snowplow_link_click_1"
                + " STRUCT<element_id: STRING, target_url: STRING>");

    Dataset<Row> selectedDF =
        eventsDF
            .orderBy("event_id")
            .selectExpr(
                "event_id",
                "collector_tstamp",
                "dvce_created_tstamp",
                "derived_tstamp",
                "txn_id",
                "geo_latitude",
                "tr_total",
                "br_cookies",
                "dvce_ismobile",
                "app_id",
                "page_url",
                "load_tstamp",
                "load_tstamp_date",
                "event_name",
                "contexts_com_snowplowanalytics_snowplow_web_page_1[0].id",
                "contexts_com_iab_snowplow_spiders_and_robots_1",
                "contexts_com_snowplowanalytics_snowplow_ua_parser_context_1[0].useragent_family",
                "contexts_com_snowplowanalytics_snowplow_ua_parser_context_1[0].useragent_major",
                "contexts_com_snowplowanalytics_snowplow_ua_parser_context_1[0].os_version",
                "transform(contexts_com_acme_cart_item_1,"
                    + " c -> concat_ws(':', c.product_id, c.quantity, c.unit_price))",
                "unstruct_event_com_snowplowanalytics_snowplow_link_click_1.target_url");
    Instant at = Instant.parse("2021-03-01T10:00:00.123Z");
    LocalDate day = LocalDate.parse("2021-03-02");
    Row iab = RowFactory.create(false, "BROWSER", "PASSED_ALL", "NONE");
    assertThat(selectedDF.collectAsList())
        .containsExactly(
            // the page view: typed atomic values, its own and the enrichment's entities
            RowFactory.create(
                "e1",
                at,
                Instant.parse("2021-03-01T09:59:59Z"),
                Instant.parse("2021-03-01T10:00:00.123456Z"),
                42,
                51.5,
                new BigDecimal("12.99"),
                true,
                false,
                "site",
                null,
                LOADED,
                day,
                "page_view",
                "pv1",
                seq(iab),
                "Chrome",
                "87",
                null,
                seq("p1:9.5"),
                null),
            // the link click: two cart items of version 1-0-1, the unstructured event
            RowFactory.create(
                "e2",
                Instant.parse("2021-03-01T10:00:05Z"),
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                "site",
                null,
                LOADED,
                day,
                "link_click",
                "pv1",
                null,
                null,
                null,
                null,
                seq("p2:2", "p3:1"),
                "https://example.com/"),
            // the page ping: no entities at all
            RowFactory.create(
                "e3",
                Instant.parse("2021-03-01T10:00:10.500Z"),
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                "site",
                null,
                LOADED,
                day,
                "page_ping",
                null,
                null,
                null,
                null,
                null,
                null,
                null));

    List<String> partitions =
        DeltaTable.forPath(store.spark(), store.location(EVENTS))
            .detail()
            .select("partitionColumns")
            .first()
            .getList(0);
    assertThat(partitions).containsExactly(AtomicEvents.LOAD_DATE, "event_name");
  }

  private static scala.collection.Seq<Object> seq(Object... values) {
    return JavaConverters.asScalaBuffer(Arrays.asList(values)).toSeq();
  }

  @Test
  void linesAreNumberedAcrossSplitsAndCompressedFilesAreRead() throws IOException {
    List<String> lines = new ArrayList<>();
    for (int i = 1; i <= 400; i++) {
      lines.add(line(event("e" + i, "page_view", "page_title", "page " + i)));
    }
    lines.set(369, line(event("e370", "page_view", "doc_width", "wide")));
    Path file = tsv("split.tsv", lines.toArray(String[]::new));
    Dataset<Row> linesDF = EnrichedTsv.lines(store.spark(), file.toString(), 4);
    assertThat(linesDF.rdd().getNumPartitions()).isGreaterThanOrEqualTo(4);
    assertThat(linesDF.where("line = 371").first().getString(1)).isEqualTo(lines.get(370));
    assertThatThrownBy(() -> EnrichedTsv.check(EnrichedTsv.fields(linesDF), file.toString()))
        .isInstanceOf(WebModelException.class)
        .hasMessage(file + " line 370, field doc_width: 'wide' is not a valid INT");

    Path gz = dir.resolve("enriched.tsv.gz");
    try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz))) {
      out.write((lines.get(0) + "\n" + lines.get(1) + "\n").getBytes(StandardCharsets.UTF_8));
    }
    assertThat(
            EnrichedTsv.check(
                EnrichedTsv.fields(EnrichedTsv.lines(store.spark(), gz.toString())), gz.toString()))
        .isEqualTo(2);
  }

  @Test
  void aBadLineNamesFileLineFieldAndValueAndNothingIsWritten() throws IOException {
    String good = line(event("e1", "page_view"));
    Map<String, String> shortEvent = event("e2", "page_view");
    String tooShort = line(shortEvent).substring(0, line(shortEvent).lastIndexOf('\t'));
    Path count = tsv("count.tsv", good, tooShort);
    assertThatThrownBy(() -> EnrichedTsv.load(store, EVENTS, count.toString(), LOADED))
        .isInstanceOf(WebModelException.class)
        .hasMessage(count + " line 2: 130 tab-separated fields, an enriched event has 131");

    Path time =
        tsv(
            "time.tsv",
            good,
            line(event("e2", "page_view", "collector_tstamp", "2021-03-01T10:00:00Z")));
    assertThatThrownBy(() -> EnrichedTsv.load(store, EVENTS, time.toString(), LOADED))
        .isInstanceOf(WebModelException.class)
        .hasMessage(
            time
                + " line 2, field collector_tstamp: '2021-03-01T10:00:00Z' is not a valid"
                + " TIMESTAMP (expected yyyy-MM-dd HH:mm:ss.SSS, UTC)");

    Path json = tsv("json.tsv", line(event("e1", "page_view", "contexts", "{\"schema\":")));
    assertThatThrownBy(() -> EnrichedTsv.load(store, EVENTS, json.toString(), LOADED))
        .isInstanceOf(WebModelException.class)
        .hasMessage(json + " line 1, field contexts: '{\"schema\":' is not valid JSON");

    Path noId = tsv("no-id.tsv", good, good, line(event("", "page_view")));
    assertThatThrownBy(() -> EnrichedTsv.load(store, EVENTS, noId.toString(), LOADED))
        .isInstanceOf(WebModelException.class)
        .hasMessage(noId + " line 3, field event_id: must not be empty: the field is required");
    assertThat(store.exists(EVENTS)).as("no table is left behind").isFalse();

    // With the table there, a bad file leaves it unchanged.
    EnrichedTsv.load(store, EVENTS, tsv("good.tsv", good).toString(), LOADED);
    long version = store.version(EVENTS);
    // The first bad line is reported (line 3), and in it the first bad field (txn_id).
    Path first =
        tsv(
            "first.tsv",
            good,
            good,
            line(event("e3", "page_view", "txn_id", "4.5", "br_cookies", "yes")),
            line(event("e4", "page_view", "br_cookies", "yes")),
            "");
    assertThatThrownBy(() -> EnrichedTsv.load(store, EVENTS, first.toString(), LOADED))
        .isInstanceOf(WebModelException.class)
        .hasMessage(first + " line 3, field txn_id: '4.5' is not a valid INT");
    Path bool = tsv("bool.tsv", good, line(event("e4", "page_view", "br_cookies", "yes")));
    assertThatThrownBy(() -> EnrichedTsv.load(store, EVENTS, bool.toString(), LOADED))
        .hasMessage(
            bool + " line 2, field br_cookies: 'yes' is not a valid BOOLEAN (expected 1 or 0)");
    Path money = tsv("money.tsv", line(event("e4", "page_view", "tr_total", "12,99")));
    assertThatThrownBy(() -> EnrichedTsv.load(store, EVENTS, money.toString(), LOADED))
        .hasMessage(money + " line 1, field tr_total: '12,99' is not a valid DECIMAL(18,2)");
    Path notContexts =
        tsv("sd.tsv", line(event("e4", "page_view", "derived_contexts", "{\"data\":[]}")));
    assertThatThrownBy(() -> EnrichedTsv.load(store, EVENTS, notContexts.toString(), LOADED))
        .hasMessage(
            notContexts
                + " line 1, field derived_contexts: '{\"data\":[]}' is not a self-describing JSON"
                + " with schema iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-*");
    String badUri = contexts(entity("com.acme/thing/1-0-0", "{}"));
    Path uri = tsv("uri.tsv", line(event("e4", "page_view", "contexts", badUri)));
    assertThatThrownBy(() -> EnrichedTsv.load(store, EVENTS, uri.toString(), LOADED))
        .hasMessage(
            uri
                + " line 1, field contexts: '"
                + badUri
                + "' holds an entity without data or without an Iglu schema URI"
                + " (iglu:VENDOR/NAME/jsonschema/M-m-p)");
    assertThat(store.version(EVENTS)).isEqualTo(version);
    assertThat(store.read(EVENTS).count()).isEqualTo(1);

    assertThatThrownBy(
            () -> EnrichedTsv.load(store, EVENTS, dir.resolve("none.tsv").toString(), LOADED))
        .hasMessage("enriched TSV file not found: " + dir.resolve("none.tsv"));
  }
}
