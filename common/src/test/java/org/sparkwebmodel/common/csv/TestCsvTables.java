package org.sparkwebmodel.common.csv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkwebmodel.common.delta.DeltaStore;
import org.sparkwebmodel.common.error.WebModelException;
import org.sparkwebmodel.common.table.Schemas;
import org.sparkwebmodel.common.table.TableName;
import org.sparkwebmodel.common.table.Warehouse;
import org.sparkwebmodel.common.testing.SharedSpark;
import org.sparkwebmodel.common.testing.TestRows;

class TestCsvTables {
  static final TableName STAGED = new TableName("scratch", "page_views_staged_csv");

  @TempDir Path dir;
  DeltaStore store;

  @BeforeEach
  void setUp() {
    store = new DeltaStore(SharedSpark.session(), new Warehouse(dir.resolve("wh").toString()));
  }

  private Path csv(String text) throws IOException {
    Path file = dir.resolve("in.csv");
    Files.writeString(file, text);
    return file;
  }

  @Test
  void timestampsAcceptIsoVariantsInUtc() {
    Instant expected = Instant.parse("2021-03-01T10:00:00.120Z");
    assertThat(CsvTables.parseTimestamp("2021-03-01T10:00:00.120000Z")).isEqualTo(expected);
    assertThat(CsvTables.parseTimestamp("2021-03-01T10:00:00.12Z")).isEqualTo(expected);
    assertThat(CsvTables.parseTimestamp("2021-03-01 10:00:00.12")).isEqualTo(expected);
    assertThat(CsvTables.parseTimestamp("2021-03-01T10:00:00.12+00:00")).isEqualTo(expected);
    assertThat(CsvTables.parseTimestamp("2021-03-01 10:00:00"))
        .isEqualTo(Instant.parse("2021-03-01T10:00:00Z"));
  }

  @Test
  void loadCreatesTheStagedTableAndRoundTripsThroughExport() throws IOException {
    Path in =
        csv(
            "page_view_id,start_tstamp,page_title,page_urlquery,engaged_time_in_s,geo_latitude,spider_or_robot\n"
                + "pv1,2021-03-01 10:00:00.5,\"Shoes, red\",\"\",10,51.5,false\n"
                + "pv2,2021-03-01T11:00:00Z,,,,,\n");
    assertThat(CsvTables.load(store, STAGED, in.toString(), "in-1"))
        .isEqualTo(new CsvTables.Loaded(2, false));
    // a retry of the same load (its process died after the commit) adds nothing
    assertThat(CsvTables.load(store, STAGED, in.toString(), "in-1"))
        .isEqualTo(new CsvTables.Loaded(0, true));
    assertThat(store.read(STAGED).count()).isEqualTo(2);

    Map<String, Object> first = new HashMap<>();
    first.put("page_view_id", "pv1");
    first.put("start_tstamp", "2021-03-01T10:00:00.500Z");
    first.put("page_title", "Shoes, red");
    first.put("page_urlquery", ""); // quoted "": an empty string, not NULL
    first.put("engaged_time_in_s", 10);
    first.put("geo_latitude", 51.5);
    first.put("spider_or_robot", false);
    Row pv1 = TestRows.row(Schemas.PAGE_VIEWS, first);
    Row pv2 =
        TestRows.row(
            Schemas.PAGE_VIEWS,
            Map.of("page_view_id", "pv2", "start_tstamp", "2021-03-01T11:00:00Z"));
    assertThat(store.read(STAGED).schema()).isEqualTo(Schemas.PAGE_VIEWS);
    assertThat(TestRows.sorted(store.read(STAGED), "page_view_id")).containsExactly(pv1, pv2);

    Path out = dir.resolve("out/pv.csv");
    assertThat(CsvTables.export(store, STAGED, out)).isEqualTo(2);
    List<String> lines = Files.readAllLines(out);
    assertThat(lines).hasSize(3);
    assertThat(lines.get(0)).startsWith("\"page_view_id\",\"event_id\",\"app_id\",");
    assertThat(lines.get(1))
        .startsWith("\"pv1\",,,")
        .contains(",\"2021-03-01T10:00:00.500000Z\",")
        .contains(",10,")
        .contains(",\"Shoes, red\",")
        .contains(",\"\",")
        .contains(",51.5,")
        .contains(",\"false\",");

    // Export then load gives back the same rows.
    TableName copy = new TableName("scratch", "page_views_staged_copy");
    CsvTables.load(store, copy, out.toString(), null);
    assertThat(TestRows.sorted(store.read(copy), "page_view_id")).containsExactly(pv1, pv2);
  }

  @Test
  void aQuotedFieldOverSeveralLinesAGzipFileAndTimestampVariantsLoad() throws IOException {
    // a line-by-line read cannot parse a field that spans lines: loaded by the multi-line reader
    Path multiLine =
        csv(
            "page_view_id,page_title,start_tstamp\n"
                + "pv1,\"Shoes\nred \"\"new\"\"\",2021-03-01T10:00:00.12+00:00\n"
                + "pv2,Hats,2021-03-01 10:00:00\n");
    assertThat(CsvTables.load(store, STAGED, multiLine.toString(), null))
        .isEqualTo(new CsvTables.Loaded(2, false));
    assertThat(
            TestRows.sorted(store.read(STAGED), "page_view_id").stream()
                .map(row -> row.getAs("page_title") + " " + row.getAs("start_tstamp"))
                .toList())
        .containsExactly(
            "Shoes\nred \"new\" " + CsvTables.parseTimestamp("2021-03-01T10:00:00.12+00:00"),
            "Hats " + CsvTables.parseTimestamp("2021-03-01 10:00:00"));

    Path gzip = dir.resolve("pv.csv.gz");
    try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gzip))) {
      out.write("page_view_id,start_tstamp\npv3,2021-03-01T10:00:00.120000Z\n".getBytes());
    }
    assertThat(CsvTables.load(store, STAGED, gzip.toString(), null))
        .isEqualTo(new CsvTables.Loaded(1, false));
    assertThat(
            store.read(STAGED).where("page_view_id = 'pv3'").first().<Instant>getAs("start_tstamp"))
        .isEqualTo(Instant.parse("2021-03-01T10:00:00.120Z"));
  }

  @Test
  void bytesThatAreNotUtf8NameTheLineAndWriteNothing() throws IOException {
    Path bad = dir.resolve("latin1.csv");
    Files.write(
        bad,
        "page_view_id,page_title\npv1,Home\npv2,Caf\u00e9\n"
            .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    assertThatThrownBy(() -> CsvTables.load(store, STAGED, bad.toString(), null))
        .isInstanceOf(WebModelException.class)
        .hasMessage(bad + " line 3: not valid UTF-8");
    assertThat(store.exists(STAGED)).isFalse();
  }

  @Test
  void aBadValueNamesLineAndColumnAndWritesNothing() throws IOException {
    CsvTables.load(store, STAGED, csv("page_view_id\npv0\n").toString(), null);
    long version = store.version(STAGED);
    Path bad = csv("page_view_id,engaged_time_in_s\npv1,5\npv2,five\n");
    assertThatThrownBy(() -> CsvTables.load(store, STAGED, bad.toString(), null))
        .isInstanceOf(WebModelException.class)
        .hasMessage(bad + " line 3, column engaged_time_in_s: 'five' is not a valid INT");
    Path badTime = csv("page_view_id,start_tstamp\npv1,yesterday\n");
    assertThatThrownBy(() -> CsvTables.load(store, STAGED, badTime.toString(), null))
        .hasMessage(
            badTime
                + " line 2, column start_tstamp: 'yesterday' is not a valid TIMESTAMP (expected e.g. 2021-03-01T10:00:00.000000Z)");
    Path badBool = csv("page_view_id,spider_or_robot\npv1,yes\n");
    assertThatThrownBy(() -> CsvTables.load(store, STAGED, badBool.toString(), null))
        .hasMessage(
            badBool
                + " line 2, column spider_or_robot: 'yes' is not a valid BOOLEAN (expected true or false)");
    assertThat(store.version(STAGED)).isEqualTo(version);
    assertThat(store.read(STAGED).count()).isEqualTo(1);
  }

  @Test
  void anUnknownColumnOrAMissingTableIsAnError() throws IOException {
    Path unknown = csv("page_view_id,colour\npv1,red\n");
    assertThatThrownBy(() -> CsvTables.load(store, STAGED, unknown.toString(), null))
        .isInstanceOf(WebModelException.class)
        .hasMessage(unknown + " line 1: unknown column 'colour' for table " + STAGED);
    // a bad file leaves no table behind either
    assertThat(store.exists(STAGED)).isFalse();
    Path noId = csv("page_title\nHome\n");
    assertThatThrownBy(() -> CsvTables.load(store, STAGED, noId.toString(), null))
        .hasMessage(
            noId + " line 1: required column 'page_view_id' is missing for table " + STAGED);
    Path nullId = csv("page_view_id,page_title\npv1,Home\n,Away\n");
    assertThatThrownBy(() -> CsvTables.load(store, STAGED, nullId.toString(), null))
        .hasMessage(nullId + " line 3, column page_view_id: must not be NULL (empty)");
    assertThat(store.exists(STAGED)).isFalse();
    TableName other = new TableName("derived", "sessions");
    assertThatThrownBy(() -> CsvTables.load(store, other, unknown.toString(), null))
        .hasMessage(
            "table derived.sessions does not exist ("
                + store.location(other)
                + "); load creates only page_views_staged tables");
    Path ragged = csv("page_view_id,page_title\npv1\n");
    assertThatThrownBy(() -> CsvTables.load(store, STAGED, ragged.toString(), null))
        .hasMessage(ragged + " line 2: 1 fields, the header has 2");
  }
}
