package org.sparkwebmodel.users;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkwebmodel.common.delta.DeltaStore;
import org.sparkwebmodel.common.sample.SampleData;
import org.sparkwebmodel.common.table.TableName;
import org.sparkwebmodel.common.table.Warehouse;
import org.sparkwebmodel.common.testing.CliRuns;
import org.sparkwebmodel.common.testing.CliRuns.Result;
import org.sparkwebmodel.common.testing.SharedSpark;

/**
 * The maintenance playbook after several runs: fewer files, the same rows, a retention under 7 days
 * refused unless forced, and a second maintenance that finds nothing left to do.
 */
class ITMaintenance {
  static final String MAINTAIN = "../configs/maintenance/01-maintain.yml";

  static final TableName SESSIONS = new TableName("derived", "sessions");

  static final TableName METADATA = new TableName("derived", "datamodel_metadata");

  @TempDir Path dir;

  Result webModel(String... args) {
    return CliRuns.inWarehouse(dir.toString(), args);
  }

  /** Every row of the derived tables and the metadata, as CSV in one order. */
  String rows() {
    Result result =
        webModel(
            "sql",
            "--csv",
            "SELECT 'sessions' AS t, to_json(struct(*)) AS r FROM derived.sessions UNION ALL"
                + " SELECT 'users', to_json(struct(*)) FROM derived.users UNION ALL SELECT"
                + " 'metadata', to_json(struct(*)) FROM derived.datamodel_metadata ORDER BY t, r");
    assertThat(result.status()).as(result.err()).isZero();
    return result.out();
  }

  @Test
  void compactsAndVacuumsKeepingTheRows() {
    DeltaStore store = new DeltaStore(SharedSpark.session(), new Warehouse(dir.toString()));
    for (int batch = 1; batch <= 2; batch++) {
      SampleData.write(store, new TableName("scratch", "page_views_staged"), 300, batch);
      Result run = webModel("run", "../configs/run-sessions-users.yml");
      assertThat(run.status()).as(run.err()).isZero();
    }
    String rows = rows();
    DeltaStore.Files sessionsBefore = store.files(SESSIONS);
    DeltaStore.Files storedBefore = store.storedFiles(METADATA);
    assertThat(sessionsBefore.files()).isGreaterThan(1);
    assertThat(storedBefore.files()).isGreaterThan(2);

    // Under 7 days without vacuum_force: refused before anything is done (no lock left either).
    Result refused = webModel("playbook", MAINTAIN, "--var", "vacuum_retention_hours=1");
    assertThat(refused.status()).isEqualTo(1);
    assertThat(refused.err())
        .startsWith(
            "web-model: error: vacuum_retention_hours must be at least 168 (Delta's 7 days) unless"
                + " vacuum_force: true");
    assertThat(store.storedFiles(METADATA)).isEqualTo(storedBefore);

    List<String> forced =
        List.of(
            "playbook",
            MAINTAIN,
            "--var",
            "vacuum_retention_hours=0",
            "--var",
            "vacuum_force=true");
    Result maintained = webModel(forced.toArray(String[]::new));
    assertThat(maintained.status()).as(maintained.err()).isZero();
    assertThat(maintained.out())
        .startsWith("maintenance main")
        .contains("derived.sessions: latest version " + sessionsBefore.files() + " files")
        .contains("checkpoint written");
    assertThat(store.files(SESSIONS).files()).isEqualTo(1);
    assertThat(store.storedFiles(SESSIONS).files()).isEqualTo(1);
    assertThat(store.storedFiles(METADATA).files()).isEqualTo(1);
    assertThat(rows()).isEqualTo(rows);

    // Run again (as after a kill): nothing left to compact or delete, the same rows.
    Result again = webModel(forced.toArray(String[]::new));
    assertThat(again.status()).as(again.err()).isZero();
    assertThat(store.storedFiles(SESSIONS).files()).isEqualTo(1);
    assertThat(rows()).isEqualTo(rows);
  }
}
