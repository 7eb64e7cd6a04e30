package org.sparkwebmodel.common.delta;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkwebmodel.common.error.WebModelException;
import org.sparkwebmodel.common.table.TableName;
import org.sparkwebmodel.common.table.Warehouse;
import org.sparkwebmodel.common.testing.SharedSpark;
import org.sparkwebmodel.common.testing.TestRows;

class TestUpsert {
  static final StructType SCHEMA = StructType.fromDDL("id STRING, start_tstamp TIMESTAMP, v INT");
  static final TableName TARGET = new TableName("derived", "target");
  static final Optional<Upsert.Window> FEBRUARY_ON =
      Optional.of(new Upsert.Window("start_tstamp", Instant.parse("2021-02-01T00:00:00Z")));

  @TempDir Path dir;
  DeltaStore store;

  @BeforeEach
  void setUp() {
    store = new DeltaStore(SharedSpark.session(), new Warehouse(dir.toString()));
    store.createIfMissing(TARGET, SCHEMA);
  }

  private static Row r(String id, String start, int v) {
    Map<String, Object> values = new HashMap<>();
    values.put("id", id);
    values.put("start_tstamp", start);
    values.put("v", v);
    return TestRows.row(SCHEMA, values);
  }

  private void append(Row... rows) {
    store.append(TARGET, TestRows.dataset(SCHEMA, List.of(rows)));
  }

  private Upsert.Counts replace(Optional<Upsert.Window> window, Row... source) {
    return Upsert.replace(
        store, TARGET, TestRows.dataset(SCHEMA, List.of(source)), List.of("id"), window);
  }

  private List<Row> target() {
    return TestRows.sorted(store.read(TARGET).orderBy("v"), "id");
  }

  @Test
  void replacesRowsOfTheSourceKeysInsideTheWindowAndInsertsTheRest() {
    append(
        r("a", "2021-03-01T00:00:00Z", 1),
        r("old", "2021-01-01T00:00:00Z", 1),
        r("other", "2021-03-01T00:00:00Z", 1));
    Upsert.Counts counts =
        replace(
            FEBRUARY_ON,
            r("a", "2021-03-01T00:00:00Z", 2),
            r("b", "2021-03-02T00:00:00Z", 2),
            r("old", "2021-03-01T00:00:00Z", 2));

    assertThat(counts.inserted()).isEqualTo(3);
    assertThat(counts.deleted()).isEqualTo(1);
    assertThat(target())
        .containsExactly(
            // replaced: inside the window
            r("a", "2021-03-01T00:00:00Z", 2),
            // new key
            r("b", "2021-03-02T00:00:00Z", 2),
            // the stored row starts before the window, so it is kept and the new one inserted
            // next to it: the reference's documented duplicate risk (§10.4)
            r("old", "2021-01-01T00:00:00Z", 1),
            r("old", "2021-03-01T00:00:00Z", 2),
            // not in the source: untouched
            r("other", "2021-03-01T00:00:00Z", 1));
  }

  @Test
  void aBatchWithNoStoredRowInItsWindowIsAppendedInOneCommit() throws IOException {
    // Older than the window; its file is gone from disk, so reading it would fail.
    append(r("old", "2021-01-01T00:00:00Z", 1));
    for (String file : store.read(TARGET).inputFiles()) {
      Files.delete(Path.of(URI.create(file)));
    }
    long before = store.version(TARGET);

    Upsert.Counts counts =
        replace(
            FEBRUARY_ON, r("old", "2021-03-01T00:00:00Z", 2), r("b", "2021-03-02T00:00:00Z", 2));

    assertThat(counts.inserted()).isEqualTo(2);
    assertThat(counts.deleted()).isZero();
    assertThat(store.version(TARGET)).isEqualTo(before + 1);
    assertThat(
            TestRows.sorted(
                store.read(TARGET).where(col("start_tstamp").geq(lit("2021-02-01"))), "id"))
        .containsExactly(r("b", "2021-03-02T00:00:00Z", 2), r("old", "2021-03-01T00:00:00Z", 2));
  }

  @Test
  void anEmptyTargetGetsTheSourceRowsAsTheyAre() {
    Upsert.Counts replaced =
        replace(Optional.empty(), r("a", "2021-03-01T00:00:00Z", 1), r("b", null, 1));
    assertThat(replaced.inserted()).isEqualTo(2);
    assertThat(target()).containsExactly(r("a", "2021-03-01T00:00:00Z", 1), r("b", null, 1));

    TableName other = new TableName("scratch", "manifest");
    store.createIfMissing(other, SCHEMA);
    Upsert.Counts updated =
        Upsert.update(
            store,
            other,
            TestRows.dataset(SCHEMA, List.of(r("a", "2021-03-01T00:00:00Z", 1))),
            List.of("id"),
            Map.of("v", "t.v + s.v"));
    assertThat(updated.inserted()).isEqualTo(1);
    assertThat(updated.updated()).isZero();
    assertThat(store.read(other).collectAsList())
        .containsExactly(r("a", "2021-03-01T00:00:00Z", 1));
  }

  @Test
  void aSourceTableAppendedWholeKeepsItsRowsAfterTheSourceIsDropped() {
    TableName source = new TableName("scratch", "this_run");
    store.createIfMissing(source, SCHEMA);
    store.append(
        source,
        TestRows.dataset(
            SCHEMA, List.of(r("a", "2021-03-01T00:00:00Z", 1), r("b", "2021-03-02T00:00:00Z", 1))));

    Upsert.Counts counts = Upsert.replace(store, TARGET, source, List.of("id"), FEBRUARY_ON, false);
    store.drop(source);

    assertThat(counts.inserted()).isEqualTo(2);
    assertThat(target())
        .containsExactly(r("a", "2021-03-01T00:00:00Z", 1), r("b", "2021-03-02T00:00:00Z", 1));
    // Later upserts treat the copied rows as any others.
    replace(FEBRUARY_ON, r("a", "2021-03-01T00:00:00Z", 2));
    assertThat(target())
        .containsExactly(r("a", "2021-03-01T00:00:00Z", 2), r("b", "2021-03-02T00:00:00Z", 1));
  }

  @Test
  void aSourceTableWithColumnsInAnotherOrderIsAppendedAsRows() {
    StructType reordered = StructType.fromDDL("v INT, id STRING, start_tstamp TIMESTAMP");
    TableName source = new TableName("scratch", "reordered");
    store.createIfMissing(source, reordered);
    Map<String, Object> values = new HashMap<>();
    values.put("id", "a");
    values.put("start_tstamp", "2021-03-01T00:00:00Z");
    values.put("v", 1);
    store.append(source, TestRows.dataset(reordered, List.of(TestRows.row(reordered, values))));

    assertThat(store.appendFilesOf(source, TARGET)).isEmpty();
    Upsert.Counts counts = Upsert.replace(store, TARGET, source, List.of("id"), FEBRUARY_ON, false);

    assertThat(counts.inserted()).isEqualTo(1);
    assertThat(target()).containsExactly(r("a", "2021-03-01T00:00:00Z", 1));
  }

  @Test
  void rowsForATargetWithACheckConstraintAreWrittenAsRowsSoTheConstraintHolds() {
    store
        .spark()
        .sql(
            "ALTER TABLE delta.`"
                + store.location(TARGET)
                + "` ADD CONSTRAINT v_positive CHECK (v > 0)");
    TableName source = new TableName("scratch", "this_run");
    store.createIfMissing(source, SCHEMA);
    store.append(source, TestRows.dataset(SCHEMA, List.of(r("a", "2021-03-01T00:00:00Z", -1))));

    assertThat(store.appendFilesOf(source, TARGET)).isEmpty();
    assertThatThrownBy(
            () -> Upsert.replace(store, TARGET, source, List.of("id"), FEBRUARY_ON, false))
        .hasMessageContaining("v_positive");
    assertThat(target()).isEmpty();
  }

  @Test
  void storedDuplicatesInsideTheWindowCollapseIntoOneRow() {
    append(r("a", "2021-03-01T00:00:00Z", 1), r("a", "2021-03-05T00:00:00Z", 1));
    Upsert.Counts counts = replace(FEBRUARY_ON, r("a", "2021-03-01T00:00:00Z", 2));
    assertThat(counts.deleted()).isEqualTo(2);
    assertThat(target()).containsExactly(r("a", "2021-03-01T00:00:00Z", 2));
  }

  @Test
  void aStoredRowWithoutStartIsReplacedToo() {
    append(r("a", null, 1));
    replace(FEBRUARY_ON, r("a", "2021-03-01T00:00:00Z", 2));
    replace(FEBRUARY_ON, r("a", "2021-03-01T00:00:00Z", 3));
    assertThat(target()).containsExactly(r("a", "2021-03-01T00:00:00Z", 3));
  }

  @Test
  void filesOutsideTheWindowAreNeitherReadNorRewritten() throws IOException {
    append(r("old", "2020-01-01T00:00:00Z", 1));
    List<String> oldFiles = List.of(store.read(TARGET).inputFiles());
    append(r("recent", "2021-03-01T00:00:00Z", 1));
    // Remove the old data file from disk: a MERGE that read it would fail.
    for (String file : oldFiles) {
      Files.delete(Path.of(URI.create(file)));
    }
    Upsert.Counts counts =
        replace(
            FEBRUARY_ON,
            r("old", "2021-03-01T00:00:00Z", 2),
            r("recent", "2021-03-01T00:00:00Z", 2));
    assertThat(counts.filesRemoved()).isEqualTo(1);
    assertThat(counts.deleted()).isEqualTo(1);
    assertThat(counts.inserted()).isEqualTo(2);
  }

  @Test
  void rejectsDuplicateSourceKeysBeforeWriting() {
    long before = store.version(TARGET);
    assertThatThrownBy(
            () ->
                replace(
                    Optional.empty(),
                    r("a", "2021-03-01T00:00:00Z", 1),
                    r("a", "2021-03-02T00:00:00Z", 2)))
        .isInstanceOf(WebModelException.class)
        .hasMessage(
            "cannot upsert into derived.target: the source has 2 rows for key id=a; keys must be unique and not NULL");
    assertThat(store.version(TARGET)).isEqualTo(before);
  }

  @Test
  void rejectsNullKeys() {
    assertThatThrownBy(() -> replace(Optional.empty(), r(null, "2021-03-01T00:00:00Z", 1)))
        .isInstanceOf(WebModelException.class)
        .hasMessage(
            "cannot upsert into derived.target: the source has a row with a NULL key (id=null); keys must be unique and not NULL");
  }

  @Test
  void updateAppliesExpressionsToMatchedRowsAndInsertsNewKeys() {
    append(r("a", "2021-03-01T00:00:00Z", 5));
    Upsert.Counts counts =
        Upsert.update(
            store,
            TARGET,
            TestRows.dataset(
                SCHEMA,
                List.of(r("a", "2021-03-02T00:00:00Z", 3), r("b", "2021-03-02T00:00:00Z", 4))),
            List.of("id"),
            Map.of("v", "least(t.v, s.v)"));
    assertThat(counts.updated()).isEqualTo(1);
    assertThat(counts.inserted()).isEqualTo(1);
    // start_tstamp is not in the update map, so the stored value stays
    assertThat(target())
        .containsExactly(r("a", "2021-03-01T00:00:00Z", 3), r("b", "2021-03-02T00:00:00Z", 4));
  }

  @Test
  void aMergeThatChangesNothingReportsZero() {
    append(r("a", "2021-03-01T00:00:00Z", 5));
    assertThat(replace(Optional.empty())).isEqualTo(new Upsert.Counts(0, 0, 0, 0, 0, 0));
  }
}
