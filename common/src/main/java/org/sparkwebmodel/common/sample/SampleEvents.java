package org.sparkwebmodel.common.sample;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.encoders.ExpressionEncoder;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.util.LongAccumulator;
import org.sparkwebmodel.common.delta.DeltaStore;
import org.sparkwebmodel.common.delta.EventsTable;
import org.sparkwebmodel.common.table.AtomicEvents;
import org.sparkwebmodel.common.table.Schemas;
import org.sparkwebmodel.common.table.TableName;

/**
 * Realistic synthetic Snowplow events in the Lake Loader layout ({@link AtomicEvents#TABLE}), the
 * input of the base module: {@code pageViews} page views' worth of web events over {@value #DAYS}
 * days from 2020-01-01 (the model's default {@code start_date}).
 *
 * <p>Each page view is a {@code page_view} event with a web_page entity (its id is the page view's
 * id), then page pings at the JS tracker's heartbeat (the first {@value #MIN_VISIT_S} s after the
 * page view, then every {@value #HEARTBEAT_S} s of activity, with scroll offsets), sometimes a
 * {@code struct} event (add to basket, video play, order) and a {@code link_click} before the next
 * page. Every event of the page carries the page's web_page entity and, pings excepted (to halve
 * the volume; the model reads them from page view events only), the enrichment entities (IAB, UA
 * parser, YAUAA) of its user agent. Sessions of several page views across the shop, blog and help
 * sites (three {@code app_id}s on one cookie domain), users who come back over the weeks, a quarter
 * of them with a {@code user_id} when logged in. Device clocks are skewed, so {@code
 * derived_tstamp} is computed as the pipeline does it: collector − (sent − created).
 *
 * <p>Edge cases, by the page view's number {@code p} (0-based over the whole data set, so their
 * counts are exact): the page_view event is loaded twice ({@code p % 200 == 17}: same event_id and
 * collector_tstamp, later load_tstamp), sent twice by the tracker ({@code p % 200 == 117}: same
 * event_id, collector_tstamp 5–60 s later), its first ping is loaded twice ({@code p % 200 == 67},
 * when it has pings), it is sent more than 3 days after it was created ({@code p % 500 == 251}). By
 * session, drawn with the rates {@link #BOT_PER_MILLE} etc.: crawlers (bot user agents, one of them
 * with a capitalised token only; no pings), anonymous tracking (NULL domain_sessionid and
 * domain_userid), devices that were offline (every event sent 3–5 days after it was created) and
 * NULL user agents (no enrichment entities).
 *
 * <p>Events are generated in fixed chunks of {@value #CHUNK_PAGE_VIEWS} page views, each from its
 * own random stream derived from the seed and covering its own slice of the days, in parallel on
 * the executors: the same seed and number of page views give the same rows whatever the
 * partitioning.
 */
public final class SampleEvents {
  static final int CHUNK_PAGE_VIEWS = 2_000;
  static final int CHUNKS_PER_TASK = 24;

  /** Where collector time starts: the model's default {@code start_date}. */
  public static final Instant FIRST_DAY = Instant.parse("2020-01-01T00:00:00Z");

  /** Sessions start within this many days from {@link #FIRST_DAY}. */
  public static final int DAYS = 6;

  static final int HEARTBEAT_S = 10;
  static final int MIN_VISIT_S = 5;

  /** Sessions of crawlers, per thousand. */
  static final int BOT_PER_MILLE = 10;

  /** Sessions tracked anonymously (no domain_sessionid, no domain_userid), per thousand. */
  static final int ANONYMOUS_PER_MILLE = 5;

  /** Sessions of a device that was offline (all events sent 3–5 days late), per thousand. */
  static final int OFFLINE_PER_MILLE = 5;

  /** Sessions without a user agent (no enrichment entities), per thousand. */
  static final int NO_USERAGENT_PER_MILLE = 3;

  /** The event names generated, in the order of the counts {@link #write} returns. */
  public static final List<String> EVENT_NAMES =
      List.of("page_view", "page_ping", "link_click", "struct");

  private static final long SECOND = 1_000_000L;
  private static final long MINUTE = 60 * SECOND;
  private static final long HOUR = 60 * MINUTE;
  private static final long DAY = 24 * HOUR;

  private SampleEvents() {}

  /**
   * When the sessions start and who the users are.
   *
   * @param firstDay the sessions start within {@code days} from this instant
   * @param days how many days the sessions' starts are spread over
   * @param userSeed the seed of the users' identities and traits: two data sets with the same one
   *     share returning users
   * @param userPool how many users there are to draw from
   */
  public record Shape(Instant firstDay, int days, long userSeed, long userPool)
      implements java.io.Serializable {
    /** The default: {@link #DAYS} days from {@link #FIRST_DAY}, a user per six page views. */
    public static Shape of(long pageViews, long seed) {
      return new Shape(FIRST_DAY, DAYS, seed, Math.max(10, pageViews / 6));
    }
  }

  /**
   * Appends {@code pageViews} page views' worth of sample events to {@code table} (created in the
   * Lake Loader layout when missing) in one commit; returns the events written per event_name, in
   * the order of {@link #EVENT_NAMES}.
   */
  public static Map<String, Long> write(
      DeltaStore store, TableName table, long pageViews, long seed) {
    return write(store, table, pageViews, seed, Shape.of(pageViews, seed));
  }

  /**
   * As {@link #write(DeltaStore, TableName, long, long)}, with the sessions and users of {@code
   * shape}.
   */
  public static Map<String, Long> write(
      DeltaStore store, TableName table, long pageViews, long seed, Shape shape) {
    SparkSession spark = store.spark();
    LongAccumulator[] counts = new LongAccumulator[EVENT_NAMES.size()];
    for (int i = 0; i < counts.length; i++) {
      counts[i] = spark.sparkContext().longAccumulator("sample events: " + EVENT_NAMES.get(i));
    }
    // The write is one stage of result tasks: Spark merges each partition's counts exactly once.
    EventsTable.append(
        store,
        table,
        generate(spark, pageViews, seed, shape, defaultPartitions(pageViews, shape), counts));
    Map<String, Long> written = new LinkedHashMap<>();
    for (int i = 0; i < counts.length; i++) {
      written.put(EVENT_NAMES.get(i), counts[i].value());
    }
    return written;
  }

  /** The sample events as a Dataset in the layout of {@link AtomicEvents#TABLE} (lazy). */
  public static Dataset<Row> generate(SparkSession spark, long pageViews, long seed) {
    return generate(
        spark,
        pageViews,
        seed,
        Shape.of(pageViews, seed),
        defaultPartitions(pageViews, Shape.of(pageViews, seed)),
        null);
  }

  /**
   * About a day of sessions per task (consecutive chunks cover consecutive times), at most {@value
   * #CHUNKS_PER_TASK} chunks: each task writes a few partitions (load date, event_name) and sorts
   * its rows for them in memory. The rows do not depend on it (chunks are fixed).
   */
  private static int defaultPartitions(long pageViews, Shape shape) {
    long chunks = chunks(pageViews);
    long tasks = Math.max(shape.days(), (chunks + CHUNKS_PER_TASK - 1) / CHUNKS_PER_TASK);
    return (int) Math.max(1, Math.min(chunks, tasks));
  }

  private static long chunks(long pageViews) {
    return (pageViews + CHUNK_PAGE_VIEWS - 1) / CHUNK_PAGE_VIEWS;
  }

  /** As {@link #generate(SparkSession, long, long)} in {@code partitions} tasks, counting. */
  static Dataset<Row> generate(
      SparkSession spark, long pageViews, long seed, int partitions, LongAccumulator[] counts) {
    return generate(spark, pageViews, seed, Shape.of(pageViews, seed), partitions, counts);
  }

  /**
   * As {@link #generate(SparkSession, long, long)} with {@code shape}, in {@code partitions} tasks.
   */
  static Dataset<Row> generate(
      SparkSession spark,
      long pageViews,
      long seed,
      Shape shape,
      int partitions,
      LongAccumulator[] counts) {
    if (pageViews < 0) {
      throw new IllegalArgumentException("page views must be >= 0, got: " + pageViews);
    }
    FlatMapFunction<Long, Row> chunk =
        index -> {
          List<Row> rows = generateChunk(seed, pageViews, index, shape);
          if (counts != null) {
            long[] byName = new long[EVENT_NAMES.size()];
            for (Row row : rows) {
              byName[EVENT_NAMES.indexOf((String) row.get(Col.EVENT_NAME))]++;
            }
            for (int i = 0; i < byName.length; i++) {
              counts[i].add(byName[i]);
            }
          }
          return rows.iterator();
        };
    return spark
        .range(0, chunks(pageViews), 1, partitions)
        .as(Encoders.LONG())
        // Lenient: takes java.time.Instant whatever the calling thread's session settings are.
        .flatMap(chunk, ExpressionEncoder.apply(AtomicEvents.TABLE, true));
  }

  /** The events of chunk {@code chunk} of a data set of {@code pageViews} page views. */
  static List<Row> generateChunk(long seed, long pageViews, long chunk, Shape shape) {
    long first = chunk * CHUNK_PAGE_VIEWS;
    int count = (int) Math.min(CHUNK_PAGE_VIEWS, pageViews - first);
    // The chunk's sessions start in its slice of the days: chunk after chunk, day after day.
    long span = shape.days() * DAY;
    long chunks = chunks(pageViews);
    long start = shape.firstDay().getEpochSecond() * SECOND;
    long from = start + span / chunks * chunk;
    long to = chunk == chunks - 1 ? start + span : from + span / chunks;
    return new Chunk(seed, shape.userSeed(), shape.userPool(), first, count, from, to - from)
        .generate();
  }

  /** Column positions in {@link AtomicEvents#TABLE}. */
  static final class Col {
    private Col() {}

    static final int SIZE = AtomicEvents.TABLE.size();
    static final int APP_ID = at("app_id");
    static final int PLATFORM = at("platform");
    static final int ETL_TSTAMP = at("etl_tstamp");
    static final int COLLECTOR_TSTAMP = at("collector_tstamp");
    static final int DVCE_CREATED_TSTAMP = at("dvce_created_tstamp");
    static final int EVENT = at("event");
    static final int EVENT_ID = at("event_id");
    static final int NAME_TRACKER = at("name_tracker");
    static final int V_TRACKER = at("v_tracker");
    static final int V_COLLECTOR = at("v_collector");
    static final int V_ETL = at("v_etl");
    static final int USER_ID = at("user_id");
    static final int USER_IPADDRESS = at("user_ipaddress");
    static final int DOMAIN_USERID = at("domain_userid");
    static final int DOMAIN_SESSIONIDX = at("domain_sessionidx");
    static final int NETWORK_USERID = at("network_userid");
    static final int GEO_COUNTRY = at("geo_country");
    static final int GEO_REGION = at("geo_region");
    static final int GEO_CITY = at("geo_city");
    static final int GEO_ZIPCODE = at("geo_zipcode");
    static final int GEO_LATITUDE = at("geo_latitude");
    static final int GEO_LONGITUDE = at("geo_longitude");
    static final int GEO_REGION_NAME = at("geo_region_name");
    static final int PAGE_URL = at("page_url");
    static final int PAGE_TITLE = at("page_title");
    static final int PAGE_REFERRER = at("page_referrer");
    static final int PAGE_URLSCHEME = at("page_urlscheme");
    static final int PAGE_URLHOST = at("page_urlhost");
    static final int PAGE_URLPORT = at("page_urlport");
    static final int PAGE_URLPATH = at("page_urlpath");
    static final int PAGE_URLQUERY = at("page_urlquery");
    static final int REFR_URLSCHEME = at("refr_urlscheme");
    static final int REFR_URLHOST = at("refr_urlhost");
    static final int REFR_URLPORT = at("refr_urlport");
    static final int REFR_URLPATH = at("refr_urlpath");
    static final int REFR_URLQUERY = at("refr_urlquery");
    static final int REFR_MEDIUM = at("refr_medium");
    static final int REFR_SOURCE = at("refr_source");
    static final int REFR_TERM = at("refr_term");
    static final int MKT_MEDIUM = at("mkt_medium");
    static final int MKT_SOURCE = at("mkt_source");
    static final int MKT_TERM = at("mkt_term");
    static final int MKT_CONTENT = at("mkt_content");
    static final int MKT_CAMPAIGN = at("mkt_campaign");
    static final int SE_CATEGORY = at("se_category");
    static final int SE_ACTION = at("se_action");
    static final int SE_LABEL = at("se_label");
    static final int SE_PROPERTY = at("se_property");
    static final int SE_VALUE = at("se_value");
    static final int PP_XOFFSET_MIN = at("pp_xoffset_min");
    static final int PP_XOFFSET_MAX = at("pp_xoffset_max");
    static final int PP_YOFFSET_MIN = at("pp_yoffset_min");
    static final int PP_YOFFSET_MAX = at("pp_yoffset_max");
    static final int USERAGENT = at("useragent");
    static final int BR_RENDERENGINE = at("br_renderengine");
    static final int BR_LANG = at("br_lang");
    static final int BR_FEATURES_PDF = at("br_features_pdf");
    static final int BR_COOKIES = at("br_cookies");
    static final int BR_COLORDEPTH = at("br_colordepth");
    static final int BR_VIEWWIDTH = at("br_viewwidth");
    static final int BR_VIEWHEIGHT = at("br_viewheight");
    static final int OS_TIMEZONE = at("os_timezone");
    static final int DVCE_SCREENWIDTH = at("dvce_screenwidth");
    static final int DVCE_SCREENHEIGHT = at("dvce_screenheight");
    static final int DOC_CHARSET = at("doc_charset");
    static final int DOC_WIDTH = at("doc_width");
    static final int DOC_HEIGHT = at("doc_height");
    static final int GEO_TIMEZONE = at("geo_timezone");
    static final int DVCE_SENT_TSTAMP = at("dvce_sent_tstamp");
    static final int DOMAIN_SESSIONID = at("domain_sessionid");
    static final int DERIVED_TSTAMP = at("derived_tstamp");
    static final int EVENT_VENDOR = at("event_vendor");
    static final int EVENT_NAME = at("event_name");
    static final int EVENT_FORMAT = at("event_format");
    static final int EVENT_VERSION = at("event_version");
    static final int EVENT_FINGERPRINT = at("event_fingerprint");
    static final int LOAD_TSTAMP = at("load_tstamp");
    static final int WEB_PAGE = at(AtomicEvents.WEB_PAGE.column());
    static final int IAB = at(AtomicEvents.IAB.column());
    static final int UA_PARSER = at(AtomicEvents.UA_PARSER.column());
    static final int YAUAA = at(AtomicEvents.YAUAA.column());

    private static int at(String column) {
      return AtomicEvents.TABLE.fieldIndex(column);
    }
  }

  /** What a session is: most are people browsing, a few are the edge cases. */
  enum Kind {
    BROWSER,
    BOT,
    ANONYMOUS,
    OFFLINE,
    NO_USERAGENT
  }

  /** A crawler's user agent and the enrichment entities the pipeline derives from it. */
  record Bot(String useragent, String renderEngine, Row[] iab, Row[] uaParser, Row[] yauaa) {}

  static final List<Bot> BOTS =
      List.of(
          bot(
              "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
              "Blink",
              "FAILED_UA_EXCLUDE",
              "Googlebot",
              "2",
              "1",
              "Google"),
          bot(
              "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
              "Blink",
              "FAILED_UA_EXCLUDE",
              "bingbot",
              "2",
              "0",
              "Microsoft"),
          bot(
              "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
              null,
              "FAILED_UA_EXCLUDE",
              "AhrefsBot",
              "7",
              "0",
              "Ahrefs"),
          // Only capitalised tokens: the case-sensitive bot filter keeps it, IAB flags it.
          bot("MyCrawlerBot/1.0", null, "FAILED_UA_INCLUDE", "MyCrawlerBot", "1", "0", "Unknown"));

  private static Bot bot(
      String useragent,
      String engine,
      String iabReason,
      String name,
      String major,
      String minor,
      String brand) {
    String version = major + "." + minor;
    Map<String, Object> values = new HashMap<>();
    values.put("spider_or_robot", true);
    values.put("category", "SPIDER_OR_ROBOT");
    values.put("reason", iabReason);
    values.put("primary_impact", "UNKNOWN");
    values.put("useragent_family", name);
    values.put("useragent_major", major);
    values.put("useragent_minor", minor);
    values.put("useragent_version", name + " " + version);
    values.put("os_family", "Other");
    values.put("os_version", "Other");
    values.put("device_family", "Spider");
    values.put("device_class", "Robot");
    values.put("device_name", brand + " " + name);
    values.put("device_brand", brand);
    values.put("device_version", version);
    values.put("operating_system_class", "Cloud");
    values.put("operating_system_name", "Cloud");
    values.put("operating_system_version", "??");
    values.put("operating_system_name_version", "Cloud ??");
    values.put("layout_engine_class", "Robot");
    values.put("layout_engine_name", name);
    values.put("layout_engine_version", version);
    values.put("layout_engine_version_major", major);
    values.put("layout_engine_name_version", name + " " + version);
    values.put("layout_engine_name_version_major", name + " " + major);
    values.put("agent_class", "Robot");
    values.put("agent_name", name);
    values.put("agent_version", version);
    values.put("agent_version_major", major);
    values.put("agent_name_version", name + " " + version);
    values.put("agent_name_version_major", name + " " + major);
    return new Bot(
        useragent,
        engine,
        entity(AtomicEvents.IAB, values),
        entity(AtomicEvents.UA_PARSER, values),
        entity(AtomicEvents.YAUAA, values));
  }

  /** The entity column's value: one entity with the named values (absent names NULL). */
  private static Row[] entity(AtomicEvents.Entity entity, Map<String, Object> values) {
    StructField[] fields = entity.fields().fields();
    Object[] row = new Object[fields.length];
    for (int i = 0; i < fields.length; i++) {
      row[i] = values.get(fields[i].name());
    }
    return new Row[] {RowFactory.create(row)};
  }

  /** The IAB, UA parser and YAUAA entities of each browser of {@link SampleData.Catalog#AGENTS}. */
  static final List<Row[][]> BROWSER_ENTITIES =
      SampleData.Catalog.ENRICHMENTS.stream()
          .map(
              enrichments -> {
                Map<String, Object> values = new HashMap<>();
                for (int i = 0; i < Schemas.ENRICHMENT_COLUMNS.size(); i++) {
                  values.put(Schemas.ENRICHMENT_COLUMNS.get(i), enrichments[i]);
                }
                return new Row[][] {
                  entity(AtomicEvents.IAB, values),
                  entity(AtomicEvents.UA_PARSER, values),
                  entity(AtomicEvents.YAUAA, values)
                };
              })
          .toList();

  /** The values every event shares, whoever sends it. */
  private static final Object[] CONSTANTS = constants();

  private static Object[] constants() {
    Object[] row = new Object[Col.SIZE];
    row[Col.PLATFORM] = "web";
    row[Col.NAME_TRACKER] = "sp";
    row[Col.V_TRACKER] = "js-2.12.0";
    row[Col.V_COLLECTOR] = "ssc-1.0.0-kinesis";
    row[Col.V_ETL] = "stream-enrich-1.0.0-common-1.0.0";
    row[Col.EVENT_VENDOR] = "com.snowplowanalytics.snowplow";
    row[Col.EVENT_FORMAT] = "jsonschema";
    row[Col.EVENT_VERSION] = "1-0-0";
    row[Col.BR_COLORDEPTH] = "24";
    row[Col.DOC_CHARSET] = "UTF-8";
    row[Col.PAGE_URLSCHEME] = "https";
    row[Col.PAGE_URLPORT] = 443;
    return row;
  }

  /** Generates one chunk: whole sessions until the chunk's page views are there. */
  private static final class Chunk {
    private final SplittableRandom random;
    private final long userSeed;
    private final long userPool;
    private final int count;
    private final List<Row> out;
    private long pageView;

    private final long from;
    private final long span;

    Chunk(
        long seed,
        long userSeed,
        long userPool,
        long firstPageView,
        int count,
        long from,
        long span) {
      this.from = from;
      this.span = span;
      // The seed is mixed first: SplittableRandom steps its state by 0x9E3779B97F4A7C15L, so
      // states seed * that + n would make the streams of seeds s and s + 1 the same stream one
      // draw apart, and two data sets of neighbouring seeds would share ids.
      this.random = new SplittableRandom(new SplittableRandom(seed).nextLong() + firstPageView);
      this.userSeed = userSeed;
      this.userPool = userPool;
      this.pageView = firstPageView;
      this.count = count;
      this.out = new ArrayList<>(count * 4);
    }

    List<Row> generate() {
      int remaining = count;
      while (remaining > 0) {
        int pages = Math.min(remaining, pageCount());
        session(pages);
        remaining -= pages;
      }
      return out;
    }

    /** 1 page most often, long tail up to 25. */
    private int pageCount() {
      int pages = 1;
      while (pages < 25 && random.nextDouble() < 0.72) {
        pages++;
      }
      return pages;
    }

    private Kind kind() {
      int draw = random.nextInt(1000);
      int bound = BOT_PER_MILLE;
      if (draw < bound) {
        return Kind.BOT;
      }
      bound += ANONYMOUS_PER_MILLE;
      if (draw < bound) {
        return Kind.ANONYMOUS;
      }
      bound += OFFLINE_PER_MILLE;
      if (draw < bound) {
        return Kind.OFFLINE;
      }
      bound += NO_USERAGENT_PER_MILLE;
      return draw < bound ? Kind.NO_USERAGENT : Kind.BROWSER;
    }

    private void session(int pages) {
      Kind kind = kind();
      long user = (long) (userPool * Math.pow(random.nextDouble(), 2));
      // Per-user traits come from the user's own stream, so a returning user keeps them.
      SplittableRandom traits =
          new SplittableRandom(userSeed * 7_919L + user * 0xBF58476D1CE4E5B9L);
      String domainUserid = uuid(traits);
      String networkUserid = uuid(traits);
      String userId = traits.nextInt(4) == 0 ? "user-" + user : null;
      int agentIndex = traits.nextInt(SampleData.Catalog.AGENTS.size());
      SampleData.Catalog.UserAgent agent = SampleData.Catalog.AGENTS.get(agentIndex);
      SampleData.Catalog.Geo geo =
          SampleData.Catalog.GEO.get(traits.nextInt(SampleData.Catalog.GEO.size()));
      String lang =
          SampleData.Catalog.LANGUAGES.get(traits.nextInt(SampleData.Catalog.LANGUAGES.size()));
      String ip =
          "10." + traits.nextInt(256) + "." + traits.nextInt(256) + "." + (1 + traits.nextInt(254));
      // Most device clocks are right to a few seconds; one in ten is minutes off.
      long skew =
          traits.nextInt(10) == 0
              ? (traits.nextInt(1_200_001) - 600_000) * 1000L
              : (traits.nextInt(4_001) - 2_000) * 1000L;
      boolean desktop = "Desktop".equals(agent.deviceClass());
      int screenWidth = desktop ? List.of(1280, 1366, 1440, 1920).get(traits.nextInt(4)) : 390;
      int screenHeight = desktop ? screenWidth * 9 / 16 : 844;
      int viewWidth = desktop ? screenWidth - traits.nextInt(200) : screenWidth;
      int viewHeight = desktop ? screenHeight - 100 - traits.nextInt(150) : 664;
      int firstSessionIndex = 1 + traits.nextInt(5);

      Object[] session = CONSTANTS.clone();
      Bot bot = kind == Kind.BOT ? BOTS.get(random.nextInt(BOTS.size())) : null;
      if (bot != null) {
        session[Col.USERAGENT] = bot.useragent();
        session[Col.BR_RENDERENGINE] = bot.renderEngine();
        session[Col.IAB] = bot.iab();
        session[Col.UA_PARSER] = bot.uaParser();
        session[Col.YAUAA] = bot.yauaa();
        session[Col.BR_LANG] = "en-US";
        viewWidth = 1024;
        viewHeight = 1024;
        screenWidth = 1024;
        screenHeight = 1024;
        desktop = true;
      } else if (kind != Kind.NO_USERAGENT) {
        session[Col.USERAGENT] = agent.useragent();
        session[Col.BR_RENDERENGINE] = agent.renderEngine();
        Row[][] entities = BROWSER_ENTITIES.get(agentIndex);
        session[Col.IAB] = entities[0];
        session[Col.UA_PARSER] = entities[1];
        session[Col.YAUAA] = entities[2];
        session[Col.BR_LANG] = lang;
      } else {
        session[Col.BR_LANG] = lang;
      }
      session[Col.BR_FEATURES_PDF] = bot == null;
      for (int c = Col.BR_FEATURES_PDF + 1; c < Col.BR_COOKIES; c++) {
        session[c] = false; // flash, java, director, quicktime, realplayer, windowsmedia, ...
      }
      session[Col.BR_COOKIES] = kind != Kind.ANONYMOUS;
      session[Col.BR_VIEWWIDTH] = viewWidth;
      session[Col.BR_VIEWHEIGHT] = viewHeight;
      session[Col.DVCE_SCREENWIDTH] = screenWidth;
      session[Col.DVCE_SCREENHEIGHT] = screenHeight;
      session[Col.USER_IPADDRESS] = ip;
      session[Col.GEO_COUNTRY] = geo.country();
      session[Col.GEO_REGION] = geo.region();
      session[Col.GEO_CITY] = geo.city();
      session[Col.GEO_ZIPCODE] = geo.zipcode();
      session[Col.GEO_LATITUDE] = geo.latitude();
      session[Col.GEO_LONGITUDE] = geo.longitude();
      session[Col.GEO_REGION_NAME] = geo.regionName();
      session[Col.GEO_TIMEZONE] = geo.timezone();
      session[Col.OS_TIMEZONE] = geo.timezone();

      long start = from + (long) (random.nextDouble() * span);
      if (kind != Kind.ANONYMOUS) {
        session[Col.DOMAIN_USERID] = domainUserid;
        session[Col.NETWORK_USERID] = networkUserid;
        session[Col.DOMAIN_SESSIONID] = uuid(random);
        // The tracker's visit count grows with time: about two sessions a day at most.
        session[Col.DOMAIN_SESSIONIDX] =
            firstSessionIndex + (int) ((start - FIRST_DAY.getEpochSecond() * SECOND) / (12 * HOUR));
        boolean loggedIn = userId != null && bot == null && random.nextInt(3) > 0;
        session[Col.USER_ID] = loggedIn ? userId : null;
      }
      long offlineDelay =
          kind == Kind.OFFLINE ? 3 * DAY + (long) (random.nextDouble() * 2 * DAY) : 0;

      SampleData.Catalog.Referrer referrer =
          bot != null
              ? SampleData.Catalog.REFERRERS.get(0)
              : SampleData.Catalog.REFERRERS.get(
                  random.nextInt(SampleData.Catalog.REFERRERS.size()));
      SampleData.Catalog.Page previous = null;
      long time = start;
      for (int index = 1; index <= pages; index++) {
        SampleData.Catalog.Page page =
            SampleData.Catalog.PAGES.get(random.nextInt(SampleData.Catalog.PAGES.size()));
        boolean last = index == pages;
        time =
            page(
                session,
                page,
                index == 1 ? referrer : null,
                previous,
                bot != null,
                desktop,
                agent.osFamily(),
                last,
                time,
                skew,
                offlineDelay);
        previous = page;
      }
    }

    /** One page view and the events on its page; returns when the next page view starts. */
    private long page(
        Object[] session,
        SampleData.Catalog.Page page,
        SampleData.Catalog.Referrer landing,
        SampleData.Catalog.Page previous,
        boolean bot,
        boolean desktop,
        String osFamily,
        boolean last,
        long start,
        long skew,
        long offlineDelay) {
      long p = pageView++;
      Object[] row = session.clone();
      String path = page.urlPath();
      row[Col.APP_ID] = appId(path);
      row[Col.PAGE_TITLE] = page.title();
      row[Col.PAGE_URLHOST] = host(path);
      row[Col.PAGE_URLPATH] = path;
      if (landing != null) {
        SampleData.Catalog.Marketing marketing = landing.marketing();
        String query = marketing.pageQuery();
        row[Col.PAGE_URL] = url(path) + (query == null ? "" : "?" + query);
        row[Col.PAGE_URLQUERY] = query;
        row[Col.MKT_MEDIUM] = marketing.medium();
        row[Col.MKT_SOURCE] = marketing.source();
        row[Col.MKT_TERM] = marketing.term();
        row[Col.MKT_CONTENT] = marketing.content();
        row[Col.MKT_CAMPAIGN] = marketing.campaign();
        row[Col.PAGE_REFERRER] = landing.url();
        row[Col.REFR_URLSCHEME] = landing.scheme();
        row[Col.REFR_URLHOST] = landing.host();
        row[Col.REFR_URLPORT] = landing.url() == null ? null : 443;
        row[Col.REFR_URLPATH] = landing.path();
        row[Col.REFR_URLQUERY] = landing.query();
        row[Col.REFR_MEDIUM] = landing.medium();
        row[Col.REFR_SOURCE] = landing.source();
        row[Col.REFR_TERM] = landing.term();
      } else {
        row[Col.PAGE_URL] = url(path);
        row[Col.PAGE_REFERRER] = url(previous.urlPath());
        row[Col.REFR_URLSCHEME] = "https";
        row[Col.REFR_URLHOST] = host(previous.urlPath());
        row[Col.REFR_URLPORT] = 443;
        row[Col.REFR_URLPATH] = previous.urlPath();
        row[Col.REFR_MEDIUM] = "internal";
      }
      int viewWidth = (Integer) row[Col.BR_VIEWWIDTH];
      int viewHeight = (Integer) row[Col.BR_VIEWHEIGHT];
      int docWidth = desktop ? viewWidth - 15 : viewWidth;
      // The order confirmation is shorter than the window.
      int docHeight =
          path.equals("/checkout/confirmed")
              ? viewHeight - 100 - random.nextInt(200)
              : 1_500 + random.nextInt(4_500);
      row[Col.DOC_WIDTH] = docWidth;
      row[Col.DOC_HEIGHT] = docHeight;
      row[Col.WEB_PAGE] = new Row[] {RowFactory.create(uuid(random))};

      // The page view, sometimes loaded twice, sent twice by the tracker, or sent days late.
      long delay = offlineDelay > 0 ? offlineDelay : p % 500 == 251 ? 3 * DAY + randomDay() : 0;
      Object[] view = event(row, "page_view", "page_view", start, skew, delay);
      out.add(RowFactory.create(view));
      if (p % 200 == 17) {
        out.add(RowFactory.create(reloaded(view)));
      } else if (p % 200 == 117) {
        out.add(RowFactory.create(resent(view)));
      }

      // Pings: none when the visitor left (or was idle) within the minimum visit length, else one
      // per heartbeat of activity, with pauses.
      int pings = bot || random.nextInt(100) < 35 ? 0 : 1;
      while (pings > 0 && pings < 120 && random.nextDouble() < 0.6) {
        pings++;
      }
      boolean lazyLoading = random.nextInt(10) == 0;
      boolean overscroll = osFamily.equals("iOS") && random.nextInt(3) == 0;
      int maxOffset = Math.max(0, docHeight - viewHeight);
      int depth = (int) (maxOffset * Math.pow(random.nextDouble(), 0.7));
      int offset = 0;
      long end = start + SECOND + random.nextInt(4 * (int) SECOND);
      int slot = 0;
      for (int k = 0; k < pings; k++) {
        if (k > 0 && random.nextInt(10) == 0) {
          slot += 1 + random.nextInt(6); // idle for a while
        }
        long at =
            start + (MIN_VISIT_S + (long) HEARTBEAT_S * slot) * SECOND + random.nextInt(200_000);
        slot++;
        int next = k == pings - 1 ? depth : offset + (int) ((depth - offset) * random.nextDouble());
        Object[] ping =
            event(row, "page_ping", "page_ping", at, skew, offlineDelay > 0 ? offlineDelay : 0);
        // The enrichments' entities are on every other event; on pings, half the events and
        // never read for them, they would add over a tenth to the time it takes to write the data.
        ping[Col.IAB] = null;
        ping[Col.UA_PARSER] = null;
        ping[Col.YAUAA] = null;
        ping[Col.PP_XOFFSET_MIN] = 0;
        ping[Col.PP_XOFFSET_MAX] = 0;
        ping[Col.PP_YOFFSET_MIN] = k == 0 && overscroll ? -1 - random.nextInt(60) : offset;
        ping[Col.PP_YOFFSET_MAX] = next;
        if (lazyLoading) {
          ping[Col.DOC_HEIGHT] = docHeight + 800; // more content loaded below
        }
        out.add(RowFactory.create(ping));
        if (k == 0 && p % 200 == 67) {
          out.add(RowFactory.create(reloaded(ping)));
        }
        offset = next;
        end = at + random.nextInt(10 * (int) SECOND);
      }

      if (!bot) {
        structEvent(row, path, start, end, skew, offlineDelay);
        // A click on the link to the next page, or now and then on a link out of the site.
        if (last ? random.nextInt(20) == 0 : random.nextInt(3) == 0) {
          Object[] click = event(row, "unstruct", "link_click", end, skew, offlineDelay);
          click[Col.EVENT_VERSION] = "1-0-1"; // the link_click schema's current version
          out.add(RowFactory.create(click));
        }
      }
      return end
          + 300_000
          + random.nextInt(3 * (int) SECOND)
          + (bot ? 0 : random.nextInt(20) * SECOND);
    }

    /** Add to basket on product pages, video plays on the blog, the order on its confirmation. */
    private void structEvent(
        Object[] row, String path, long start, long end, long skew, long offlineDelay) {
      String category;
      String action;
      String label;
      String property = null;
      Double value = null;
      if (path.startsWith("/products/") && random.nextInt(6) == 0) {
        category = "product";
        action = "add-to-basket";
        label = path.substring("/products/".length());
        property = "quantity";
        value = 1.0 + random.nextInt(3);
      } else if (path.startsWith("/blog/") && random.nextInt(4) == 0) {
        category = "video";
        action = "play";
        label = "choosing-shoes-video";
      } else if (path.equals("/checkout/confirmed")) {
        category = "checkout";
        action = "order";
        label = "order-" + Long.toHexString(random.nextLong() & 0xFFFFFFFFFFL);
        property = "total";
        value = (2_000 + random.nextInt(30_000)) / 100.0;
      } else {
        return;
      }
      long at = start + (end - start) / 2;
      Object[] event = event(row, "struct", "struct", at, skew, offlineDelay);
      event[Col.SE_CATEGORY] = category;
      event[Col.SE_ACTION] = action;
      event[Col.SE_LABEL] = label;
      event[Col.SE_PROPERTY] = property;
      event[Col.SE_VALUE] = value;
      out.add(RowFactory.create(event));
    }

    /**
     * An event of the page at true time {@code at}: created by the device's clock, sent after
     * {@code delay} (0: right away), collected, enriched and loaded a few minutes later.
     */
    private Object[] event(
        Object[] page, String legacy, String name, long at, long skew, long delay) {
      Object[] row = page.clone();
      long send = delay > 0 ? delay + random.nextInt((int) SECOND) : random.nextInt(2_000_000);
      long latency = 30_000 + random.nextInt(370_000);
      long created = at + skew;
      long collector = at + send + latency;
      row[Col.EVENT] = legacy;
      row[Col.EVENT_NAME] = name;
      row[Col.EVENT_ID] = uuid(random);
      row[Col.EVENT_FINGERPRINT] = hex(random.nextLong()) + hex(random.nextLong());
      row[Col.DVCE_CREATED_TSTAMP] = instant(created);
      row[Col.DVCE_SENT_TSTAMP] = instant(created + send);
      row[Col.COLLECTOR_TSTAMP] = instant(collector);
      row[Col.DERIVED_TSTAMP] = instant(collector - send);
      row[Col.ETL_TSTAMP] = instant(collector + 500_000 + random.nextInt(20_000_000));
      row[Col.LOAD_TSTAMP] = instant(collector + 2 * MINUTE + random.nextInt(6 * (int) MINUTE));
      return row;
    }

    /** The same event loaded again by a later loader batch. */
    private Object[] reloaded(Object[] event) {
      Object[] copy = event.clone();
      copy[Col.LOAD_TSTAMP] =
          ((Instant) event[Col.LOAD_TSTAMP]).plusSeconds(600 + random.nextInt(3_000));
      return copy;
    }

    /** The same event sent again by the tracker, its first request unacknowledged. */
    private Object[] resent(Object[] event) {
      Object[] copy = event.clone();
      long again = 5 * SECOND + random.nextInt(55 * (int) SECOND);
      for (int column :
          new int[] {Col.DVCE_SENT_TSTAMP, Col.COLLECTOR_TSTAMP, Col.ETL_TSTAMP, Col.LOAD_TSTAMP}) {
        copy[column] = ((Instant) event[column]).plusNanos(again * 1000);
      }
      return copy;
    }

    private long randomDay() {
      return (long) (random.nextDouble() * 2 * DAY);
    }
  }

  private static String appId(String path) {
    return path.startsWith("/blog/") ? "blog" : path.equals("/help") ? "help-center" : "shop-web";
  }

  private static String host(String path) {
    return path.startsWith("/blog/")
        ? "blog.example.com"
        : path.equals("/help") ? "help.example.com" : "www.example.com";
  }

  private static String url(String path) {
    return "https://" + host(path) + path;
  }

  private static Instant instant(long micros) {
    return Instant.ofEpochSecond(
        Math.floorDiv(micros, SECOND), Math.floorMod(micros, SECOND) * 1000);
  }

  private static String uuid(SplittableRandom random) {
    long high = (random.nextLong() & ~0xF000L) | 0x4000L;
    long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(high, low).toString();
  }

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private static String hex(long value) {
    char[] chars = new char[16];
    for (int i = 15; i >= 0; i--) {
      chars[i] = HEX[(int) (value & 0xF)];
      value >>>= 4;
    }
    return new String(chars);
  }
}
