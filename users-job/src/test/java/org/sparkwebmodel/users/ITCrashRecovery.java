package org.sparkwebmodel.users;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparkwebmodel.base.BaseJob;
import org.sparkwebmodel.common.config.PlaybookLoader;
import org.sparkwebmodel.common.delta.DeltaStore;
import org.sparkwebmodel.common.delta.EventsTable;
import org.sparkwebmodel.common.sample.SampleEvents;
import org.sparkwebmodel.common.step.Faults;
import org.sparkwebmodel.common.step.ModuleJob;
import org.sparkwebmodel.common.table.TableName;
import org.sparkwebmodel.common.table.Warehouse;
import org.sparkwebmodel.common.testing.SharedSpark;
import org.sparkwebmodel.common.testing.SparkLines;
import org.sparkwebmodel.common.testing.Warehouses;
import org.sparkwebmodel.pageviews.PageViewsJob;
import org.sparkwebmodel.sessions.SessionsJob;

/**
 * Crash anywhere, re-run, same result (DECISIONS 18 and 38). A two-run scenario over the whole
 * chain from events (base, page views, sessions, users): run 1 over the first half of some sample
 * events (by collector time, so sessions and users span both runs), then run 2 over the second
 * half. A kill at a fault point leaves the warehouse exactly as it is when the point is passed
 * (points lie between commits), so the uninterrupted run 2 copies the warehouse at every point it
 * passes. For every point, the failed step is then run again on that copy, in a cold process state
 * (new paths, so no cached Delta state), as a restarted scheduler would. Every table of the
 * warehouse (events, derived, manifests, staged, metadata, scratch tables and run state) must then
 * hold exactly the rows it holds after that step in the uninterrupted run: nothing lost, nothing
 * duplicated. The in-process crash itself ({@link Faults#arm}) is exercised by {@code
 * ITRunCommand}, the real halt by {@code .ci/crash-run}.
 *
 * <p>Equal tables make the rest of the run equal, except that a re-run leaves more Delta versions
 * behind, and later steps pin the versions they read. So for one point per step, the one after the
 * step's last big write, the rest of the run is run as well and the final tables are compared with
 * the uninterrupted run's.
 *
 * <p>The steps' clocks are fixed per run, so run ids are comparable. The re-runs run an hour later:
 * a re-run that started a new run instead of finishing the interrupted one would log another run
 * id. Only the metadata's run start and end times are left out of the comparison.
 */
@Tag(SparkLines.BOTH)
class ITCrashRecovery {
  static final Instant RUN_1 = Instant.parse("2026-01-01T01:00:00Z");
  static final Instant RUN_2 = Instant.parse("2026-01-02T01:00:00Z");
  static final Instant RE_RUN = RUN_2.plusSeconds(3600);
  static final java.util.Set<String> RUN_TIMES =
      java.util.Set.of("run_start_tstamp", "run_end_tstamp");

  /** The module steps of configs/run.yml, in its order. */
  static final List<String> STEPS =
      List.of(
          "base.main",
          "page-views.main",
          "sessions.main",
          "users.main",
          "base.complete",
          "page-views.complete",
          "sessions.complete",
          "users.complete");

  @TempDir static Path dir;

  /** The warehouse as a kill at each point of run 2 leaves it. */
  static Path atPoint(String point) {
    return dir.resolve("at-" + point);
  }

  /** The points after which the rest of the run is run as well. */
  static final List<String> CONTINUED =
      List.of(
          "base.main.metadata.after",
          "page-views.main.metadata.after",
          "sessions.main.metadata.after",
          "users.main.metadata.after",
          "base.complete.session_manifest.after",
          "page-views.complete.remove_staged.after",
          "sessions.complete.remove_staged.after",
          "users.complete.remove_staged.after");

  /** Every table's rows at each boundary of run 2. */
  static List<Map<String, List<String>>> expected = new java.util.ArrayList<>();

  static List<String> pointsPassed;

  static ModuleJob job(String module, Clock clock) {
    return switch (module) {
      case "base" -> new BaseJob(clock);
      case "page-views" -> new PageViewsJob(clock);
      case "sessions" -> new SessionsJob(clock);
      case "users" -> new UsersJob(clock);
      default -> throw new IllegalArgumentException(module);
    };
  }

  static void step(int index, Path warehouse, Instant clock) {
    String[] parts = STEPS.get(index).split("\\.");
    String playbook =
        parts[0] + "/" + (parts[1].equals("main") ? "01-" : "99-") + parts[0] + "-" + parts[1];
    job(parts[0], Clock.fixed(clock, ZoneOffset.UTC))
        .run(
            SharedSpark.session(),
            PlaybookLoader.load(
                Path.of("../configs", playbook + ".yml"),
                Map.of("warehouse", warehouse.toString())));
  }

  @BeforeAll
  static void uninterruptedRuns() {
    Path warehouse = dir.resolve("uninterrupted");
    DeltaStore store = new DeltaStore(SharedSpark.session(), new Warehouse(warehouse.toString()));
    Dataset<Row> events = SampleEvents.generate(SharedSpark.session(), 60, 5).cache();
    List<Row> times = events.select("collector_tstamp").orderBy("collector_tstamp").collectAsList();
    Instant middle = times.get(times.size() / 2).getAs(0);
    TableName atomic = new TableName("atomic", "events");
    EventsTable.append(store, atomic, events.where(col("collector_tstamp").lt(lit(middle))));
    for (int i = 0; i < STEPS.size(); i++) {
      step(i, warehouse, RUN_1);
    }
    EventsTable.append(store, atomic, events.where(col("collector_tstamp").geq(lit(middle))));
    Faults.record();
    Faults.watch(point -> Warehouses.copy(warehouse, atPoint(point)));
    try {
      for (int i = 0; i < STEPS.size(); i++) {
        step(i, warehouse, RUN_2);
        expected.add(Warehouses.contents(warehouse, RUN_TIMES));
      }
    } finally {
      Faults.watch(null);
      pointsPassed = Faults.recorded();
    }
  }

  static Map<String, List<String>> finalTables() {
    return expected.get(STEPS.size() - 1);
  }

  @Test
  void anUninterruptedRunPassesEveryPointOnceInOrder() {
    assertThat(pointsPassed).containsExactlyElementsOf(Faults.points());
    // the scenario exercises what the points guard: both runs wrote page views, sessions, users
    // and manifests
    Map<String, List<String>> tables = finalTables();
    assertThat(tables.get("derived.page_views")).hasSizeGreaterThan(20);
    assertThat(tables.get("derived.base_event_id_manifest")).hasSizeGreaterThan(100);
    assertThat(tables.get("derived.sessions")).hasSizeGreaterThan(10);
    assertThat(tables.get("derived.users")).hasSizeGreaterThan(5);
    assertThat(tables.get("derived.users_manifest")).hasSameSizeAs(tables.get("derived.users"));
    // one metadata row per module of each run, logged under the run's id
    assertThat(tables.get("derived.datamodel_metadata"))
        .hasSize(8)
        .allMatch(row -> row.startsWith("[" + RUN_1 + ",") || row.startsWith("[" + RUN_2 + ","));
    assertThat(tables.get("scratch.events_staged")).isEmpty();
    assertThat(tables.get("scratch.page_views_staged")).isEmpty();
  }

  static Stream<String> points() {
    return Faults.points().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("points")
  void aKillAtThePointThenReRunningTheFailedStepGivesTheUninterruptedTables(String point) {
    int failed = STEPS.indexOf(point.substring(0, point.indexOf('.', point.indexOf('.') + 1)));
    assertThat(failed).as("the step of %s", point).isNotNegative();
    Path warehouse = atPoint(point);
    assertThat(warehouse).isDirectory();

    step(failed, warehouse, RE_RUN);
    assertThat(Warehouses.contents(warehouse, RUN_TIMES))
        .as("every table after re-running %s", STEPS.get(failed))
        .isEqualTo(expected.get(failed));

    if (CONTINUED.contains(point)) {
      for (int i = failed + 1; i < STEPS.size(); i++) {
        step(i, warehouse, RE_RUN);
      }
      assertThat(Warehouses.contents(warehouse, RUN_TIMES))
          .as("every table after the rest of the run")
          .isEqualTo(finalTables());
    }
  }
}
