package org.sparkwebmodel.common.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkwebmodel.common.csv.EnrichedTsv;
import org.sparkwebmodel.common.testing.SharedSpark;

/** {@code load SCHEMA.events FILE} takes enriched TSV; other tables keep taking CSV. */
class TestLoadCommand {
  @TempDir Path dir;

  record Result(int status, String out, String err) {}

  Result run(String... args) {
    SharedSpark.session();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = WebModelCli.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Result(status, out.toString(), err.toString());
  }

  static String line(Map<String, String> values) {
    return EnrichedTsv.FIELDS.stream()
        .map(f -> values.getOrDefault(f, ""))
        .collect(Collectors.joining("\t"));
  }

  @Test
  void theEventsTableIsLoadedFromEnrichedTsv() throws IOException {
    String warehouse = dir.resolve("wh").toString();
    Path tsv = dir.resolve("enriched.tsv");
    Files.writeString(
        tsv,
        line(
                Map.of(
                    "collector_tstamp", "2021-03-01 10:00:00.123",
                    "event_id", "e1",
                    "v_collector", "ssc-2.3.0",
                    "v_etl", "enrich-3.7.0",
                    "event_name", "page_view",
                    "contexts",
                        "{\"schema\":\"iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0\","
                            + "\"data\":[{\"schema\":\"iglu:com.snowplowanalytics.snowplow/web_page/"
                            + "jsonschema/1-0-0\",\"data\":{\"id\":\"pv1\"}}]}"))
            + "\n");

    Result load = run("--warehouse", warehouse, "load", "atomic.events", tsv.toString());
    assertThat(load.status()).as(load.err()).isZero();
    assertThat(load.out())
        .matches(
            "loaded 1 events from "
                + java.util.regex.Pattern.quote(tsv.toString())
                + " into atomic.events, 1 entity columns"
                + " \\[contexts_com_snowplowanalytics_snowplow_web_page_1\\] in [0-9.]+ s\\R");

    Result loadId =
        run("--warehouse", warehouse, "load", "atomic.events", tsv.toString(), "--load-id", "x");
    assertThat(loadId.status()).isEqualTo(1);
    assertThat(loadId.err())
        .startsWith(
            "web-model: error: --load-id is for CSV loads; atomic.events is loaded from enriched"
                + " TSV without it");

    // The CSV path is unchanged: a CSV file is not enriched TSV.
    Path csv = dir.resolve("events.csv");
    Files.writeString(csv, "event_id,collector_tstamp\ne2,2021-03-01T10:00:00Z\n");
    Result wrong = run("--warehouse", warehouse, "load", "atomic.events", csv.toString());
    assertThat(wrong.status()).isEqualTo(1);
    assertThat(wrong.err())
        .startsWith(
            "web-model: error: "
                + csv
                + " line 1: 1 tab-separated fields, an enriched event has 131");
  }
}
