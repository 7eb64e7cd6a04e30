package org.sparkwebmodel.base;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.sparkwebmodel.common.table.AtomicEvents;
import org.sparkwebmodel.common.testing.TestRows;

/** Inline atomic events for the base module's tests: only the columns that matter are set. */
final class Events {
  private Events() {}

  /**
   * An event collected at {@code collectorTstamp} (ISO-8601), created and sent by the device at the
   * same time, loaded then; {@code more} are further column / value pairs ({@code "page_view_id"}
   * sets the web_page entity's id).
   */
  static Row event(String eventId, String sessionId, String collectorTstamp, Object... more) {
    Map<String, Object> values = new HashMap<>();
    values.put("event_id", eventId);
    values.put("domain_sessionid", sessionId);
    values.put("collector_tstamp", collectorTstamp);
    values.put("dvce_created_tstamp", collectorTstamp);
    values.put("dvce_sent_tstamp", collectorTstamp);
    values.put("load_tstamp", collectorTstamp);
    values.put("event_name", "page_ping");
    values.put("v_collector", "ssc-2.0.0");
    values.put("v_etl", "enrich-3.0.0");
    for (int i = 0; i < more.length; i += 2) {
      String column = (String) more[i];
      Object value = more[i + 1];
      if (column.equals("page_view_id")) {
        values.put(AtomicEvents.WEB_PAGE.column(), List.of(RowFactory.create(value)));
      } else {
        values.put(column, value);
      }
    }
    return TestRows.row(AtomicEvents.TABLE, values);
  }

  static Dataset<Row> events(Row... rows) {
    return TestRows.dataset(AtomicEvents.TABLE, List.of(rows));
  }

  static Instant at(String iso) {
    return Instant.parse(iso);
  }
}
