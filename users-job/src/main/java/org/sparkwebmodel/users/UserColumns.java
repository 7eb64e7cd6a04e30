package org.sparkwebmodel.users;

import java.util.Arrays;
import java.util.List;
import org.sparkwebmodel.common.table.Schemas;

/** Which {@code sessions} columns the 38 users columns come from (reference §5.7, DECISIONS 11). */
final class UserColumns {
  private UserColumns() {}

  /** Taken from the user's last session (the one that ended last). */
  static final List<String> FROM_LAST_SESSION =
      Arrays.stream(Schemas.USERS.fieldNames()).filter(c -> c.startsWith("last_page_")).toList();

  /**
   * Taken from the user's first session: user ids, first page, referrer and marketing (every column
   * that is neither an aggregate nor a last_page_ column).
   */
  static final List<String> FROM_FIRST_SESSION =
      Arrays.stream(Schemas.USERS.fieldNames())
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
