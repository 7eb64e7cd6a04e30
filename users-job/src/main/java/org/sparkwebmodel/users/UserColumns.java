package org.sparkwebmodel.users;

import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.types.StructType;

/** Which {@code sessions} columns the 38 users columns come from (reference §5.7, DECISIONS 11). */
final class UserColumns {
  private UserColumns() {}

  /** {@code users} and {@code users_this_run}: the 38 columns of Appendix B, in order. */
  public static final StructType USERS_SCHEMA =
      StructType.fromDDL(
          "user_id STRING, domain_userid STRING, network_userid STRING, start_tstamp TIMESTAMP,"
              + " end_tstamp TIMESTAMP, page_views INT, sessions INT, engaged_time_in_s INT,"
              + " first_page_title STRING, first_page_url STRING, first_page_urlscheme STRING,"
              + " first_page_urlhost STRING, first_page_urlpath STRING, first_page_urlquery STRING,"
              + " first_page_urlfragment STRING, last_page_title STRING, last_page_url STRING,"
              + " last_page_urlscheme STRING, last_page_urlhost STRING, last_page_urlpath STRING,"
              + " last_page_urlquery STRING, last_page_urlfragment STRING, referrer STRING,"
              + " refr_urlscheme STRING, refr_urlhost STRING, refr_urlpath STRING,"
              + " refr_urlquery STRING, refr_urlfragment STRING, refr_medium STRING,"
              + " refr_source STRING, refr_term STRING, mkt_medium STRING, mkt_source STRING,"
              + " mkt_term STRING, mkt_content STRING, mkt_campaign STRING, mkt_clickid STRING,"
              + " mkt_network STRING");

  /** Taken from the user's last session (the one that ended last). */
  static final List<String> FROM_LAST_SESSION =
      Arrays.stream(USERS_SCHEMA.fieldNames()).filter(c -> c.startsWith("last_page_")).toList();

  /**
   * Taken from the user's first session: user ids, first page, referrer and marketing (every column
   * that is neither an aggregate nor a last_page_ column).
   */
  static final List<String> FROM_FIRST_SESSION =
      Arrays.stream(USERS_SCHEMA.fieldNames())
          .filter(
              c ->
                  !c.startsWith("last_page_")
                      && !List.of(
                              "domain_userid",
                              "start_tstamp",
                              "end_tstamp",
                              "page_views",
                              "sessions",
                              "engaged_time_in_s")
                          .contains(c))
          .toList();
}
