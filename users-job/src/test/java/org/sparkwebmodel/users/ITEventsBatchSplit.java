package org.sparkwebmodel.users;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkwebmodel.common.config.Playbook;
import org.sparkwebmodel.common.config.RunFile;
import org.sparkwebmodel.common.delta.DeltaStore;
import org.sparkwebmodel.common.delta.EventsTable;
import org.sparkwebmodel.common.sample.SampleEvents;
import org.sparkwebmodel.common.step.Modules;
import org.sparkwebmodel.common.table.TableName;
import org.sparkwebmodel.common.table.Warehouse;
import org.sparkwebmodel.common.testing.SharedSpark;
import org.sparkwebmodel.common.testing.Warehouses;

/**
 * Batch-split invariance from events: the same sample events (six days of sessions, with
 * duplicates, late devices, bots and sessions that cross midnight) modelled by one run that reads
 * them all, or by two runs that walk through them four days at a time (base's window moving with
 * its manifest, sessions re-processed whole when they continue), give identical {@code page_views},
 * {@code sessions} and {@code users}.
 */
class ITEventsBatchSplit {
  @TempDir Path dir;

  /** Runs configs/run.yml {@code runs} times with {@code cadence}; returns the warehouse. */
  Path model(String name, Dataset<Row> events, int cadence, int runs) {
    Path warehouse = dir.resolve(name);
    DeltaStore store = new DeltaStore(SharedSpark.session(), new Warehouse(warehouse.toString()));
    EventsTable.append(store, new TableName("atomic", "events"), events);
    RunFile run =
        RunFile.load(
            Path.of("../configs/run.yml"),
            Map.of(
                "warehouse", warehouse.toString(), "update_cadence_days", String.valueOf(cadence)));
    for (int i = 0; i < runs; i++) {
      for (RunFile.Entry entry : run.steps()) {
        Playbook playbook = entry.playbook();
        Modules.named(playbook.module(), playbook.source()).run(SharedSpark.session(), playbook);
      }
    }
    return warehouse;
  }

  @Test
  void oneRunOrTwoRunsOfFourDaysGiveTheSameTables() {
    Dataset<Row> events = SampleEvents.generate(SharedSpark.session(), 150, 3).cache();
    Path whole = model("whole", events, 7, 1);
    Path split = model("split", events, 4, 2);

    java.util.Set<String> compared =
        java.util.Set.of("derived.page_views", "derived.sessions", "derived.users");
    Map<String, List<String>> wholeTables = Warehouses.contents(whole);
    Map<String, List<String>> splitTables = Warehouses.contents(split);
    for (String table : compared) {
      assertThat(splitTables.get(table)).as(table).isNotEmpty().isEqualTo(wholeTables.get(table));
    }
  }
}
