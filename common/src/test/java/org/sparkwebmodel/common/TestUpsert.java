package org.sparkwebmodel.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestUpsert {
  static final StructType SCHEMA = StructType.fromDDL("id STRING, start_tstamp TIMESTAMP, v INT");
  static final TableName TARGET = new TableName("derived", "target");

  @TempDir Path dir;
  DeltaStore store;

  @BeforeEach
  void setUp() {
    store = new DeltaStore(SharedSpark.session(), new Warehouse(dir.toString()));
    store.createIfMissing(TARGET, SCHEMA);
  }

  private static Row r(String id, String start, int v) {
    return TestRows.row(SCHEMA, Map.of("id", id, "start_tstamp", start, "v", v));
  }

  private Upsert.Counts merge(List<Row> source, Optional<Upsert.Window> window) {
    return Upsert.merge(
        store, TARGET, TestRows.dataset(SCHEMA, source), List.of("id"), window, Map.of());
  }

  @Test
  void replacesMatchedRowsInsideTheWindowAndInsertsTheRest() {
    merge(
        List.of(r("a", "2021-03-01T00:00:00Z", 1), r("old", "2021-01-01T00:00:00Z", 1)),
        Optional.empty());
    Upsert.Counts counts =
        merge(
            List.of(
                r("a", "2021-03-01T00:00:00Z", 2),
                r("b", "2021-03-02T00:00:00Z", 2),
                r("old", "2021-03-01T00:00:00Z", 2)),
            Optional.of(new Upsert.Window("start_tstamp", Instant.parse("2021-02-01T00:00:00Z"))));

    assertThat(counts.inserted()).isEqualTo(2);
    assertThat(counts.updated()).isEqualTo(1);
    assertThat(TestRows.sorted(store.read(TARGET).orderBy("v"), "id"))
        .containsExactly(
            // replaced: inside the window
            r("a", "2021-03-01T00:00:00Z", 2),
            // new key
            r("b", "2021-03-02T00:00:00Z", 2),
            // the stored row starts before the window, so it is kept and the new one inserted
            // next to it: the reference's documented duplicate risk (§10.4)
            r("old", "2021-01-01T00:00:00Z", 1),
            r("old", "2021-03-01T00:00:00Z", 2));
  }

  @Test
  void theWindowLeavesOldFilesUntouched() {
    merge(List.of(r("old", "2020-01-01T00:00:00Z", 1)), Optional.empty());
    List<String> oldFiles = List.of(store.read(TARGET).inputFiles());
    Upsert.Counts counts =
        merge(
            List.of(r("new", "2021-03-01T00:00:00Z", 1)),
            Optional.of(new Upsert.Window("start_tstamp", Instant.parse("2021-02-01T00:00:00Z"))));
    assertThat(counts.filesRemoved()).isZero();
    assertThat(counts.copied()).isZero();
    assertThat(List.of(store.read(TARGET).inputFiles())).containsAll(oldFiles);
  }

  @Test
  void rejectsDuplicateSourceKeysBeforeWriting() {
    long before = store.version(TARGET);
    assertThatThrownBy(
            () ->
                merge(
                    List.of(r("a", "2021-03-01T00:00:00Z", 1), r("a", "2021-03-02T00:00:00Z", 2)),
                    Optional.empty()))
        .isInstanceOf(WebModelException.class)
        .hasMessage(
            "cannot upsert into derived.target: the source has 2 rows for key id=a; keys must be unique and not NULL");
    assertThat(store.version(TARGET)).isEqualTo(before);
  }

  @Test
  void rejectsNullKeys() {
    Row nullKey = TestRows.row(SCHEMA, Map.of("start_tstamp", "2021-03-01T00:00:00Z", "v", 1));
    assertThatThrownBy(() -> merge(List.of(nullKey), Optional.empty()))
        .isInstanceOf(WebModelException.class)
        .hasMessage(
            "cannot upsert into derived.target: the source has 1 rows for key id=null; keys must be unique and not NULL");
  }

  @Test
  void customUpdateExpressionsApplyToMatchedRows() {
    merge(List.of(r("a", "2021-03-01T00:00:00Z", 5)), Optional.empty());
    Upsert.Counts counts =
        Upsert.merge(
            store,
            TARGET,
            TestRows.dataset(SCHEMA, List.of(r("a", "2021-03-02T00:00:00Z", 3))),
            List.of("id"),
            Optional.empty(),
            Map.of("v", "least(t.v, s.v)"));
    assertThat(counts.updated()).isEqualTo(1);
    // start_tstamp is not in the update map, so the stored value stays
    assertThat(store.read(TARGET).collectAsList())
        .containsExactly(r("a", "2021-03-01T00:00:00Z", 3));
  }

  @Test
  void aMergeThatChangesNothingReportsZero() {
    merge(List.of(r("a", "2021-03-01T00:00:00Z", 5)), Optional.empty());
    Upsert.Counts counts = merge(List.of(), Optional.empty());
    assertThat(counts).isEqualTo(new Upsert.Counts(0, 0, 0, 0, 0));
  }
}
