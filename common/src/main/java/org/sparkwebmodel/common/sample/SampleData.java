package org.sparkwebmodel.common.sample;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.catalyst.encoders.ExpressionEncoder;
import org.sparkwebmodel.common.delta.DeltaStore;
import org.sparkwebmodel.common.table.Schemas;
import org.sparkwebmodel.common.table.TableName;

/**
 * Realistic synthetic page views with all 98 columns of {@code page_views_staged}: users who come
 * back over several days, multi-page sessions numbered 1..n by start time, engaged time from page
 * pings (heartbeat 10 s, minimum visit 5 s), referrers, marketing parameters, geo, user agents with
 * their enrichments, mostly NULL user ids and a few NULL domain_userids.
 *
 * <p>Rows are generated in fixed chunks of {@value #CHUNK_ROWS} rows, each from its own random
 * stream derived from the seed, in parallel on the executors: the same {@code --seed} and {@code
 * --rows} give the same rows on any machine.
 */
public final class SampleData {
  static final int CHUNK_ROWS = 20_000;
  static final Instant FIRST_DAY = Instant.parse("2021-03-01T00:00:00Z");
  static final int DAYS = 28;

  private SampleData() {}

  /**
   * Where and from whom the page views come: sessions start within {@code days} days from {@code
   * firstDay}, by users drawn from a pool of {@code userPool} users whose identities and traits
   * come from {@code userSeed}. Two data sets with different seeds but the same user seed and pool
   * have different sessions of the same users (returning users, as in an incremental batch).
   */
  public record Shape(Instant firstDay, int days, long userSeed, long userPool)
      implements java.io.Serializable {
    /** The default shape of {@code rows} page views with {@code seed}: 28 days from 2021-03-01. */
    public static Shape of(long rows, long seed) {
      return new Shape(FIRST_DAY, DAYS, seed, Math.max(10, rows / 6));
    }
  }

  /** Appends {@code rows} sample page views to {@code table}, creating it when missing. */
  public static void write(DeltaStore store, TableName table, long rows, long seed) {
    write(store, table, rows, seed, Shape.of(rows, seed));
  }

  /** As {@link #write(DeltaStore, TableName, long, long)}, with the given shape. */
  public static void write(DeltaStore store, TableName table, long rows, long seed, Shape shape) {
    store.createIfMissing(table, Schemas.PAGE_VIEWS);
    store.append(table, generate(store, rows, seed, shape));
  }

  /** The sample page views as a Dataset (lazy; generated on the executors). */
  public static Dataset<Row> generate(DeltaStore store, long rows, long seed) {
    return generate(store, rows, seed, Shape.of(rows, seed));
  }

  /** As {@link #generate(DeltaStore, long, long)}, with the given shape. */
  public static Dataset<Row> generate(DeltaStore store, long rows, long seed, Shape shape) {
    long chunks = (rows + CHUNK_ROWS - 1) / CHUNK_ROWS;
    // One task per core: fewer, larger files. The rows do not depend on it (chunks are fixed).
    int partitions =
        (int) Math.max(1, Math.min(chunks, store.spark().sparkContext().defaultParallelism()));
    FlatMapFunction<Long, Row> chunk = index -> generateChunk(seed, rows, index, shape).iterator();
    return store
        .spark()
        .range(0, chunks, 1, partitions)
        .as(Encoders.LONG())
        // Lenient: takes java.time.Instant whatever the calling thread's session settings are.
        .flatMap(chunk, ExpressionEncoder.apply(Schemas.PAGE_VIEWS, true));
  }

  static List<Row> generateChunk(long seed, long totalRows, long chunk) {
    return generateChunk(seed, totalRows, chunk, Shape.of(totalRows, seed));
  }

  static List<Row> generateChunk(long seed, long totalRows, long chunk, Shape shape) {
    long remaining = Math.min(CHUNK_ROWS, totalRows - chunk * CHUNK_ROWS);
    SplittableRandom random = new SplittableRandom(seed * 1_000_003L + chunk);
    // Users of the default shape: about one per six page views, so many return.
    List<Row> rows = new ArrayList<>((int) remaining);
    while (remaining > 0) {
      int pages = (int) Math.min(remaining, pageCount(random));
      long user = (long) (shape.userPool() * Math.pow(random.nextDouble(), 2));
      session(shape, user, pages, random, rows);
      remaining -= pages;
    }
    return rows;
  }

  /** 1 page most often, long tail up to 25. */
  private static int pageCount(SplittableRandom random) {
    int pages = 1;
    while (pages < 25 && random.nextDouble() < 0.72) {
      pages++;
    }
    return pages;
  }

  private static String uuid(SplittableRandom random) {
    long high = (random.nextLong() & ~0xF000L) | 0x4000L;
    long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(high, low).toString();
  }

  private static void session(
      Shape shape, long user, int pages, SplittableRandom random, List<Row> out) {
    // Per-user traits come from the user's own stream, so a returning user keeps them.
    SplittableRandom traits = new SplittableRandom(shape.userSeed() * 7_919L + user);
    String domainUserid = uuid(traits);
    String networkUserid = uuid(traits);
    String userId = traits.nextInt(4) == 0 ? "user-" + user : null;
    int agentIndex = traits.nextInt(Catalog.AGENTS.size());
    Catalog.UserAgent agent = Catalog.AGENTS.get(agentIndex);
    Catalog.Geo geo = Catalog.GEO.get(traits.nextInt(Catalog.GEO.size()));
    String lang = Catalog.LANGUAGES.get(traits.nextInt(Catalog.LANGUAGES.size()));
    String ip =
        "10." + traits.nextInt(256) + "." + traits.nextInt(256) + "." + (1 + traits.nextInt(254));
    boolean loggedIn = userId != null && random.nextInt(3) > 0;
    boolean noCookie = random.nextInt(100) == 0;

    String appId = random.nextInt(10) == 0 ? "shop-mobile" : "shop-web";
    String sessionId = uuid(random);
    int sessionIdx = 1 + random.nextInt(12);
    long startMicros =
        shape.firstDay().getEpochSecond() * 1_000_000L
            + (long) (random.nextDouble() * shape.days() * 86_400L * 1_000_000L);
    Catalog.Referrer referrer = Catalog.REFERRERS.get(random.nextInt(Catalog.REFERRERS.size()));
    Catalog.Marketing marketing = referrer.marketing();
    for (int index = 1; index <= pages; index++) {
      Catalog.Page page = Catalog.PAGES.get(random.nextInt(Catalog.PAGES.size()));
      int pings = random.nextInt(4) == 0 ? 0 : random.nextInt(30);
      long durationMicros = pings == 0 ? 0 : pings * 10_000_000L + random.nextInt(10_000_000);
      int engaged = pings == 0 ? 0 : 10 * (pings - 1) + 5;
      Instant start = Instant.ofEpochSecond(0, startMicros * 1000);
      Instant end = Instant.ofEpochSecond(0, (startMicros + durationMicros) * 1000);
      int absolute =
          (int)
              (Math.floorDiv(startMicros + durationMicros, 1_000_000L)
                  - Math.floorDiv(startMicros, 1_000_000L));
      boolean first = index == 1;
      String query = first ? marketing.pageQuery() : null;
      int docHeight = 1200 + random.nextInt(4000);
      int viewHeight = 600 + random.nextInt(400);
      int scrolled = random.nextInt(docHeight);
      Object[] row = {
        uuid(random), // page_view_id
        uuid(random), // event_id
        appId,
        loggedIn ? userId : null,
        noCookie ? null : domainUserid,
        networkUserid,
        sessionId,
        sessionIdx,
        index,
        pages,
        start.minusMillis(50 + random.nextInt(500)), // dvce_created_tstamp
        start.plusMillis(200 + random.nextInt(800)), // collector_tstamp
        start, // derived_tstamp
        start,
        end,
        engaged,
        absolute,
        0, // horizontal_pixels_scrolled
        scrolled,
        100.0,
        (double) Math.round(100.0 * Math.min(scrolled + viewHeight, docHeight) / docHeight),
        1280, // doc_width
        docHeight,
        page.title(),
        "https://www.example.com" + page.urlPath() + (query == null ? "" : "?" + query),
        "https",
        "www.example.com",
        page.urlPath(),
        query,
        null, // page_urlfragment
        first ? marketing.medium() : null,
        first ? marketing.source() : null,
        first ? marketing.term() : null,
        first ? marketing.content() : null,
        first ? marketing.campaign() : null,
        null, // mkt_clickid
        null, // mkt_network
        first ? referrer.url() : "https://www.example.com/", // page_referrer
        first ? referrer.scheme() : "https",
        first ? referrer.host() : "www.example.com",
        first ? referrer.path() : "/",
        first ? referrer.query() : null,
        null, // refr_urlfragment
        first ? referrer.medium() : "internal",
        first ? referrer.source() : null,
        first ? referrer.term() : null,
        geo.country(),
        geo.region(),
        geo.regionName(),
        geo.city(),
        geo.zipcode(),
        geo.latitude(),
        geo.longitude(),
        geo.timezone(),
        ip,
        agent.useragent(),
        lang,
        1280, // br_viewwidth
        viewHeight,
        "24", // br_colordepth
        agent.renderEngine(),
        geo.timezone(), // os_timezone
      };
      Object[] values = Arrays.copyOf(row, row.length + Schemas.ENRICHMENT_COLUMNS.size());
      // IAB, UA parser, YAUAA: fixed per user agent
      System.arraycopy(
          Catalog.ENRICHMENTS.get(agentIndex),
          0,
          values,
          row.length,
          Schemas.ENRICHMENT_COLUMNS.size());
      out.add(RowFactory.create(values));
      startMicros += durationMicros + 1_000_000L + random.nextInt(90_000_000);
    }
  }

  /** Fixed value lists the generator draws from (a list's order fixes which value a draw picks). */
  static final class Catalog {
    private Catalog() {}

    /** A page of the example shop. */
    record Page(String title, String urlPath) {}

    /**
     * Where a session comes from: the referrer URL and its parts, the referrer's classification
     * (medium, source, term) and the marketing parameters of the landing page.
     */
    record Referrer(
        String url,
        String scheme,
        String host,
        String path,
        String query,
        String medium,
        String source,
        String term,
        Marketing marketing) {}

    /** The query of the landing page and the marketing (utm_) parameters read from it. */
    record Marketing(
        String pageQuery,
        String medium,
        String source,
        String term,
        String content,
        String campaign) {
      static final Marketing NONE = new Marketing(null, null, null, null, null, null);
    }

    /** A place of the geo enrichment. */
    record Geo(
        String country,
        String region,
        String regionName,
        String city,
        String zipcode,
        double latitude,
        double longitude,
        String timezone) {}

    /** A browser: its user agent string and what the UA parser and YAUAA derive from it. */
    record UserAgent(
        String useragent,
        String renderEngine,
        String family,
        String major,
        String minor,
        String osFamily,
        String osMajor,
        String device,
        String deviceClass,
        String brand) {

      /** The 36 enrichment values (IAB, UA parser, YAUAA) of this user agent, in schema order. */
      Object[] enrichments() {
        String os = osMajor == null ? osFamily : osFamily + " " + osMajor;
        return new Object[] {
          // IAB
          "BROWSER",
          "NONE",
          "PASSED_ALL",
          false,
          // UA parser
          family,
          major,
          minor,
          "0",
          major + "." + minor + ".0",
          osFamily,
          osMajor,
          null,
          null,
          null,
          os,
          device,
          // YAUAA
          deviceClass,
          "Browser",
          family,
          family + " " + major + "." + minor,
          family + " " + major,
          major + "." + minor,
          major,
          brand,
          device,
          null,
          "Browser",
          renderEngine,
          renderEngine + " " + major,
          renderEngine + " " + major,
          major,
          major,
          "Desktop".equals(deviceClass) ? "Desktop" : "Mobile",
          osFamily,
          os,
          osMajor
        };
      }
    }

    static final List<Page> PAGES =
        List.of(
            new Page("Home", "/"),
            new Page("All products", "/products"),
            new Page("Running shoes", "/products/running-shoes"),
            new Page("Trail jacket", "/products/trail-jacket"),
            new Page("Wool socks", "/products/wool-socks"),
            new Page("Basket", "/basket"),
            new Page("Checkout", "/checkout"),
            new Page("Order confirmed", "/checkout/confirmed"),
            new Page("Blog: how to choose shoes", "/blog/choosing-shoes"),
            new Page("Help", "/help"),
            new Page("Search results", "/search"));

    /** The first is a direct visit: no referrer, no marketing. */
    static final List<Referrer> REFERRERS =
        List.of(
            new Referrer(null, null, null, null, null, null, null, null, Marketing.NONE),
            new Referrer(
                "https://www.google.com/search?q=running+shoes",
                "https",
                "www.google.com",
                "/search",
                "q=running+shoes",
                "search",
                "Google",
                "running shoes",
                Marketing.NONE),
            new Referrer(
                "https://www.bing.com/search?q=trail+jacket",
                "https",
                "www.bing.com",
                "/search",
                "q=trail+jacket",
                "search",
                "Bing",
                "trail jacket",
                Marketing.NONE),
            new Referrer(
                "https://www.facebook.com/",
                "https",
                "www.facebook.com",
                "/",
                null,
                "social",
                "Facebook",
                null,
                new Marketing(
                    "utm_medium=social&utm_source=facebook&utm_campaign=spring_sale",
                    "social",
                    "facebook",
                    null,
                    null,
                    "spring_sale")),
            new Referrer(
                "https://mail.example.net/",
                "https",
                "mail.example.net",
                "/",
                null,
                "email",
                null,
                null,
                new Marketing(
                    "utm_medium=email&utm_source=newsletter&utm_campaign=march&utm_content=hero",
                    "email",
                    "newsletter",
                    null,
                    "hero",
                    "march")),
            new Referrer(
                "https://www.google.com/",
                "https",
                "www.google.com",
                "/",
                null,
                "search",
                "Google",
                null,
                new Marketing(
                    "utm_medium=cpc&utm_source=google&utm_term=wool+socks&utm_campaign=socks",
                    "cpc",
                    "google",
                    "wool socks",
                    null,
                    "socks")),
            new Referrer(
                "https://blog.partner.org/review",
                "https",
                "blog.partner.org",
                "/review",
                null,
                "unknown",
                null,
                null,
                Marketing.NONE));

    static final List<Geo> GEO =
        List.of(
            new Geo("GB", "ENG", "England", "London", "EC1A", 51.5074, -0.1278, "Europe/London"),
            new Geo(
                "FR", "IDF", "Ile-de-France", "Paris", "75001", 48.8566, 2.3522, "Europe/Paris"),
            new Geo("DE", "BE", "Berlin", "Berlin", "10115", 52.52, 13.405, "Europe/Berlin"),
            new Geo(
                "US", "NY", "New York", "New York", "10001", 40.7128, -74.006, "America/New_York"),
            new Geo(
                "US",
                "CA",
                "California",
                "San Francisco",
                "94103",
                37.7749,
                -122.4194,
                "America/Los_Angeles"),
            new Geo("JP", "13", "Tokyo", "Tokyo", "100-0001", 35.6762, 139.6503, "Asia/Tokyo"),
            new Geo(
                "BR",
                "SP",
                "Sao Paulo",
                "Sao Paulo",
                "01000-000",
                -23.5505,
                -46.6333,
                "America/Sao_Paulo"));

    static final List<UserAgent> AGENTS =
        List.of(
            new UserAgent(
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
                "Blink",
                "Chrome",
                "120",
                "0",
                "Windows",
                "10",
                "Other",
                "Desktop",
                "Unknown"),
            new UserAgent(
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15",
                "WebKit",
                "Safari",
                "17",
                "1",
                "Mac OS X",
                "10",
                "Mac",
                "Desktop",
                "Apple"),
            new UserAgent(
                "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
                "Gecko",
                "Firefox",
                "121",
                "0",
                "Linux",
                null,
                "Other",
                "Desktop",
                "Unknown"),
            new UserAgent(
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
                "WebKit",
                "Mobile Safari",
                "17",
                "1",
                "iOS",
                "17",
                "iPhone",
                "Phone",
                "Apple"),
            new UserAgent(
                "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36",
                "Blink",
                "Chrome Mobile",
                "120",
                "0",
                "Android",
                "14",
                "Pixel 8",
                "Phone",
                "Google"));

    static final List<String> LANGUAGES =
        List.of("en-GB", "en-US", "fr-FR", "de-DE", "ja-JP", "pt-BR");

    /** Each user agent's enrichment values, computed once (same order as {@link #AGENTS}). */
    static final List<Object[]> ENRICHMENTS = AGENTS.stream().map(UserAgent::enrichments).toList();
  }
}
