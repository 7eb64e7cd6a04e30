package org.sparkwebmodel.common.delta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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

class TestStagedInput {
  static final StructType SCHEMA = StructType.fromDDL("page_view_id STRING, v INT");
  static final TableName STAGED = new TableName("scratch", "page_views_staged_t");

  @TempDir Path dir;
  DeltaStore store;

  @BeforeEach
  void setUp() {
    store = new DeltaStore(SharedSpark.session(), new Warehouse(dir.toString()));
    store.createIfMissing(STAGED, SCHEMA);
  }

  private static Row r(String id, Integer v) {
    return TestRows.row(SCHEMA, id == null ? Map.of("v", v) : Map.of("page_view_id", id, "v", v));
  }

  private void stage(Row... rows) {
    store.append(STAGED, TestRows.dataset(SCHEMA, List.of(rows)));
  }

  @Test
  void removesExactlyTheRowsOfThePinnedVersion() {
    stage(r("a", 1), r("b", 1), r(null, 1));
    StagedInput.Pinned pinned = StagedInput.read(store, STAGED, null, "test");
    assertThat(pinned.rows().count()).isEqualTo(3);
    // Staged after the read: a new page view, and a new version of page view a.
    stage(r("c", 1), r("a", 2));

    long removed = StagedInput.removeRead(store, STAGED, pinned.version(), "page_view_id");

    assertThat(removed).isEqualTo(3);
    assertThat(TestRows.sorted(store.read(STAGED), "page_view_id"))
        .containsExactly(r("a", 2), r("c", 1));
  }

  @Test
  void rowsOfAFileRewrittenSinceTheReadAreMatchedOneByOne() {
    stage(r("a", 1), r("b", 1), r("c", 1));
    long version = StagedInput.read(store, STAGED, null, "test").version();
    // After the read, the file holding a, b and c is rewritten without b, and d is staged.
    store.deltaTable(STAGED).delete("page_view_id = 'b'");
    stage(r("d", 1), r("a", 2));

    assertThat(StagedInput.removeRead(store, STAGED, version, "page_view_id")).isEqualTo(2);
    assertThat(TestRows.sorted(store.read(STAGED), "page_view_id"))
        .containsExactly(r("a", 2), r("d", 1));
  }

  @Test
  void removingAgainAfterACrashKeepsAnIdenticalRowStagedSince() {
    stage(r("a", 1), r("b", 1));
    long version = StagedInput.read(store, STAGED, null, "test").version();
    // The same page view staged again, unchanged, after the read.
    stage(r("a", 1));

    assertThat(StagedInput.removeRead(store, STAGED, version, "page_view_id")).isEqualTo(2);
    // complete killed after its removal commit and run again: the copy stays, as without the kill
    assertThat(StagedInput.removeRead(store, STAGED, version, "page_view_id")).isZero();
    assertThat(store.read(STAGED).collectAsList()).containsExactly(r("a", 1));
  }

  @Test
  void removingTwiceRemovesNothingMore() {
    stage(r("a", 1));
    long version = StagedInput.read(store, STAGED, null, "test").version();
    StagedInput.removeRead(store, STAGED, version, "page_view_id");
    stage(r("b", 1));
    assertThat(StagedInput.removeRead(store, STAGED, version, "page_view_id")).isZero();
    assertThat(store.read(STAGED).collectAsList()).containsExactly(r("b", 1));
  }

  @Test
  void removingTheRowsOfAnEmptyVersionChangesNothing() {
    long empty = store.version(STAGED);
    stage(r("a", 1));
    long before = store.version(STAGED);
    assertThat(StagedInput.removeRead(store, STAGED, empty, "page_view_id")).isZero();
    assertThat(store.version(STAGED)).isEqualTo(before);
    assertThat(store.read(STAGED).collectAsList()).containsExactly(r("a", 1));
  }

  @Test
  void readsAnOlderVersionWhenAsked() {
    stage(r("a", 1));
    long first = store.version(STAGED);
    stage(r("b", 1));
    assertThat(StagedInput.read(store, STAGED, first, "test").rows().collectAsList())
        .containsExactly(r("a", 1));
  }

  @Test
  void aMissingStagedTableIsAClearError() {
    TableName missing = new TableName("scratch", "page_views_staged_missing");
    assertThatThrownBy(() -> StagedInput.read(store, missing, null, "sessions main"))
        .isInstanceOf(WebModelException.class)
        .hasMessage(
            "table scratch.page_views_staged_missing does not exist ("
                + store.location(missing)
                + "); sessions main reads it; stage input into it first");
  }
}
