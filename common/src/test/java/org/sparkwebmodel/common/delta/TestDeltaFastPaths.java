package org.sparkwebmodel.common.delta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkwebmodel.common.error.WebModelException;
import org.sparkwebmodel.common.table.TableName;
import org.sparkwebmodel.common.table.Warehouse;
import org.sparkwebmodel.common.testing.SharedSpark;
import org.sparkwebmodel.common.testing.TestRows;

/**
 * The public-API fallbacks of the Delta fast paths give the tables the fast paths give, and the
 * switch and the check of Delta's internal API decide which is taken. {@code store} takes the fast
 * paths; {@code publicStore}, over a session of the same application with {@value
 * DeltaFastPaths.Gate#SWITCH}=false, the public API only.
 */
class TestDeltaFastPaths {
  static final StructType STAGED_SCHEMA = StructType.fromDDL("page_view_id STRING, v INT");
  static final TableName STAGED = new TableName("scratch", "page_views_staged_t");
  static final StructType SCHEMA = StructType.fromDDL("id STRING, start_tstamp TIMESTAMP, v INT");
  static final TableName THIS_RUN = new TableName("scratch", "this_run");

  static SparkSession publicOnly;

  @TempDir Path dir;
  DeltaStore store;
  DeltaStore publicStore;

  @BeforeAll
  static void publicOnlySession() {
    publicOnly = SharedSpark.session().newSession();
    publicOnly.conf().set(DeltaFastPaths.Gate.SWITCH, "false");
  }

  @BeforeEach
  void setUp() {
    Warehouse warehouse = new Warehouse(dir.toString());
    store = new DeltaStore(SharedSpark.session(), warehouse);
    publicStore = new DeltaStore(publicOnly, warehouse);
    store.createIfMissing(STAGED, STAGED_SCHEMA);
  }

  private static Row pv(String id, int v) {
    return TestRows.row(
        STAGED_SCHEMA, id == null ? Map.of("v", v) : Map.of("page_view_id", id, "v", v));
  }

  private void stage(Row... rows) {
    store.append(STAGED, TestRows.dataset(STAGED_SCHEMA, List.of(rows)));
  }

  private static Row r(String id, String start, int v) {
    Map<String, Object> values = new HashMap<>();
    values.put("id", id);
    values.put("start_tstamp", start);
    values.put("v", v);
    return TestRows.row(SCHEMA, values);
  }

  /** The operation of the table's latest commit, as its history shows it. */
  private String lastOperation(TableName table) {
    return store.deltaTable(table).history(1).select("operation").head().getString(0);
  }

  @Test
  void theInternalApiOfDelta333IsThereAndTheSwitchTurnsItOff() {
    assertThat(DeltaFastPaths.Gate.probe(() -> DeltaFastPaths.requireApi())).isEmpty();
    assertThat(DeltaFastPaths.Gate.open(SharedSpark.session())).isTrue();
    assertThat(DeltaFastPaths.Gate.open(publicOnly)).isFalse();
  }

  @Test
  void aMissingClassOrMemberIsNamed() {
    assertThat(DeltaFastPaths.Gate.probe(() -> String.class.getMethod("update$default$1")))
        .contains("java.lang.NoSuchMethodException: java.lang.String.update$default$1()");
    assertThat(
            DeltaFastPaths.Gate.probe(
                () -> {
                  throw new NoClassDefFoundError("org/apache/spark/sql/delta/DeltaLog");
                }))
        .contains("java.lang.NoClassDefFoundError: org/apache/spark/sql/delta/DeltaLog");
  }

  @Test
  void aFastPathThatFindsAMemberMissingGivesWayToThePublicApiPath() {
    List<String> missing = new java.util.ArrayList<>();
    String result =
        DeltaFastPaths.Gate.attempt(
            () -> {
              throw new NoSuchMethodError("'boolean DeltaLog.update$default$1()'");
            },
            () -> "public API",
            missing::add);
    assertThat(result).isEqualTo("public API");
    assertThat(missing)
        .containsExactly("java.lang.NoSuchMethodError: 'boolean DeltaLog.update$default$1()'");
    assertThat(DeltaFastPaths.Gate.attempt(() -> "fast", () -> "public API", missing::add))
        .isEqualTo("fast");
  }

  @Test
  void theSwitchIsTrueOrFalse() {
    SparkSession session = SharedSpark.session().newSession();
    session.conf().set(DeltaFastPaths.Gate.SWITCH, "FALSE");
    assertThat(DeltaFastPaths.Gate.switchedOn(session)).isFalse();
    session.conf().set(DeltaFastPaths.Gate.SWITCH, "no");
    assertThatThrownBy(() -> DeltaFastPaths.Gate.switchedOn(session))
        .isInstanceOf(WebModelException.class)
        .hasMessage(
            "spark.webmodel.delta.fastPaths must be true or false, got: 'no' (Spark conf or -D"
                + " option)");
  }

  @Test
  void withoutFastPathsTheRowsOfTheVersionGoAndRowsStagedSinceStayEvenIdenticalOnes() {
    stage(pv("a", 1), pv("b", 1), pv(null, 1));
    long version = StagedInput.read(store, STAGED, null, "test").version();
    // Staged after the read: a new page view, a new version of a, and b again, unchanged.
    stage(pv("c", 1), pv("a", 2), pv("b", 1));

    assertThat(StagedInput.removeRead(publicStore, STAGED, version, "page_view_id")).isEqualTo(3);
    // the rows staged since, written anew in place of the table's files
    assertThat(lastOperation(STAGED)).isEqualTo("WRITE");
    List<Row> expected = List.of(pv("a", 2), pv("b", 1), pv("c", 1));
    assertThat(TestRows.sorted(store.read(STAGED), "page_view_id")).isEqualTo(expected);

    // complete killed after its removal and run again: nothing more goes, b's copy stays
    long after = store.version(STAGED);
    assertThat(StagedInput.removeRead(publicStore, STAGED, version, "page_view_id")).isZero();
    assertThat(store.version(STAGED)).isEqualTo(after);
    // and the fast path finds the transaction id the public path recorded
    assertThat(store.removeFilesOf(STAGED, version)).hasValue(0);
    assertThat(TestRows.sorted(store.read(STAGED), "page_view_id")).isEqualTo(expected);
  }

  @Test
  void withoutFastPathsRowsOfAFileRewrittenSinceAreMatchedByAMergeThatARetrySkips() {
    stage(pv("a", 1), pv("b", 1), pv("c", 1));
    long version = StagedInput.read(store, STAGED, null, "test").version();
    // After the read, the file holding a, b and c is rewritten without b; d and a new a staged.
    store.deltaTable(STAGED).delete("page_view_id = 'b'");
    stage(pv("d", 1), pv("a", 2));

    assertThat(publicStore.removeFilesOf(STAGED, version)).isEmpty();
    assertThat(StagedInput.removeRead(publicStore, STAGED, version, "page_view_id")).isEqualTo(2);
    assertThat(lastOperation(STAGED)).isEqualTo("MERGE");
    assertThat(TestRows.sorted(store.read(STAGED), "page_view_id"))
        .containsExactly(pv("a", 2), pv("d", 1));

    // c staged again after the removal; complete run again: Delta skips the MERGE, so c stays
    stage(pv("c", 1));
    long after = store.version(STAGED);
    assertThat(StagedInput.removeRead(publicStore, STAGED, version, "page_view_id")).isZero();
    assertThat(StagedInput.removeRead(store, STAGED, version, "page_view_id")).isZero();
    assertThat(store.version(STAGED)).isEqualTo(after);
    assertThat(TestRows.sorted(store.read(STAGED), "page_view_id"))
        .containsExactly(pv("a", 2), pv("c", 1), pv("d", 1));
  }

  @Test
  void aRemovalByFilesIsNotRepeatedByTheMergeOfARetryWithoutFastPaths() {
    stage(pv("a", 1));
    long version = StagedInput.read(store, STAGED, null, "test").version();
    stage(pv("a", 1));

    assertThat(StagedInput.removeRead(store, STAGED, version, "page_view_id")).isEqualTo(1);
    assertThat(lastOperation(STAGED)).isEqualTo("DELETE");
    assertThat(StagedInput.removeRead(publicStore, STAGED, version, "page_view_id")).isZero();
    assertThat(store.read(STAGED).collectAsList()).containsExactly(pv("a", 1));
  }

  @Test
  void withoutFastPathsRemovingAnEmptyVersionCommitsNothing() {
    long empty = store.version(STAGED);
    stage(pv("a", 1));
    long before = store.version(STAGED);
    assertThat(StagedInput.removeRead(publicStore, STAGED, empty, "page_view_id")).isZero();
    assertThat(store.version(STAGED)).isEqualTo(before);
    assertThat(store.read(STAGED).collectAsList()).containsExactly(pv("a", 1));
  }

  @Test
  void withoutFastPathsATableIsAppendedAsRowsWithTheRowsOfAFileCopy() {
    TableName copied = new TableName("derived", "copied");
    TableName written = new TableName("derived", "written");
    store.createIfMissing(copied, SCHEMA);
    store.createIfMissing(written, SCHEMA);
    store.createIfMissing(THIS_RUN, SCHEMA);
    List<Row> rows = List.of(r("a", "2021-03-01T00:00:00Z", 1), r("b", null, 2));
    store.append(THIS_RUN, TestRows.dataset(SCHEMA, rows));

    assertThat(publicStore.appendFilesOf(THIS_RUN, written)).isEmpty();
    Upsert.Counts byRows =
        Upsert.replace(publicStore, written, THIS_RUN, List.of("id"), Optional.empty(), false);
    Upsert.Counts byFiles =
        Upsert.replace(store, copied, THIS_RUN, List.of("id"), Optional.empty(), false);

    assertThat(byRows).isEqualTo(byFiles).isEqualTo(new Upsert.Counts(2, 0, 0, 0, 1, 0));
    assertThat(TestRows.sorted(publicStore.read(written), "id")).isEqualTo(rows);
    assertThat(TestRows.sorted(store.read(copied), "id")).isEqualTo(rows);
    // the rows were written anew, not copied
    assertThat(
            Arrays.stream(store.read(written).inputFiles()).filter(f -> f.contains("part-copy-")))
        .isEmpty();
    assertThat(Arrays.stream(store.read(copied).inputFiles()).filter(f -> f.contains("part-copy-")))
        .hasSize(1);
  }

  @Test
  void withoutFastPathsVersionIdAndMetricsComeFromTheHistoryAndDetail() {
    stage(pv("a", 1));
    long before = store.version(STAGED);
    store.deltaTable(STAGED).update(Map.of("v", org.apache.spark.sql.functions.lit(2)));

    assertThat(publicStore.version(STAGED)).isEqualTo(store.version(STAGED)).isEqualTo(before + 1);
    assertThat(publicStore.tableId(STAGED)).isEqualTo(store.tableId(STAGED)).hasSize(36);
    Map<String, String> metrics = store.operationMetricsSince(STAGED, before);
    assertThat(metrics).containsEntry("numUpdatedRows", "1");
    assertThat(publicStore.operationMetricsSince(STAGED, before)).isEqualTo(metrics);
    assertThat(publicStore.operationMetricsSince(STAGED, before + 1)).isEmpty();

    TableName missing = new TableName("scratch", "missing");
    assertThatThrownBy(() -> publicStore.version(missing))
        .isInstanceOf(WebModelException.class)
        .hasMessage("table scratch.missing does not exist (" + store.location(missing) + ")");
    assertThatThrownBy(() -> publicStore.tableId(missing))
        .isInstanceOf(WebModelException.class)
        .hasMessage("table scratch.missing does not exist (" + store.location(missing) + ")");
  }
}
