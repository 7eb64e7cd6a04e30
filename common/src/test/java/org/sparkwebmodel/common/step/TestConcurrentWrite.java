package org.sparkwebmodel.common.step;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.delta.exceptions.ConcurrentAppendException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkwebmodel.common.config.Playbook;
import org.sparkwebmodel.common.config.PlaybookLoader;
import org.sparkwebmodel.common.config.Variables;
import org.sparkwebmodel.common.delta.DeltaStore;
import org.sparkwebmodel.common.delta.StagedInput;
import org.sparkwebmodel.common.error.WebModelException;
import org.sparkwebmodel.common.table.ModelTable;
import org.sparkwebmodel.common.table.Warehouse;
import org.sparkwebmodel.common.testing.SharedSpark;

class TestConcurrentWrite {
  @TempDir Path dir;

  /**
   * A module whose main loses a Delta commit race at its first table access, as when another writer
   * commits first.
   */
  static final class LosingJob extends ModelModule<InputQuality, Transformed> {
    private static final ModelTable TABLE =
        ModelTable.scratch("t", StructType.fromDDL("k STRING")).keyed("k");

    LosingJob() {
      super(
          "sessions",
          Clock.systemUTC(),
          new Tables(TABLE, TABLE, TABLE, List.of(TABLE), List.of(), Optional.empty()));
    }

    @Override
    protected InputQuality checkInput(
        StepContext step, StagedInput.Pinned input, java.time.Instant runStart) {
      throw new ConcurrentAppendException(
          "Files were added to the root of the table by a concurrent update.\nRefer to the documentation");
    }

    @Override
    protected Transformed transform(
        StepContext step, StagedInput.Pinned input, InputQuality quality) {
      throw new UnsupportedOperationException();
    }

    @Override
    protected Optional<java.time.Instant> upsertFrom(
        Variables vars, Transformed transformed, BatchStats batch) {
      throw new UnsupportedOperationException();
    }
  }

  @Test
  void aDeltaWriteConflictFailsTheStepWithAClearMessage() {
    Playbook playbook =
        PlaybookLoader.load(
            Path.of("../configs/sessions/01-sessions-main.yml"),
            Map.of("warehouse", dir.toString()));
    // The staged input exists, so main gets as far as the module's first write.
    new DeltaStore(SharedSpark.session(), new Warehouse(dir.toString()))
        .createIfMissing(playbook.variables().table(LosingJob.TABLE), LosingJob.TABLE.schema());
    assertThatThrownBy(() -> new LosingJob().run(SharedSpark.session(), playbook))
        .isInstanceOf(WebModelException.class)
        .hasMessage(
            "sessions main: a concurrent write to a table of this step won"
                + " (ConcurrentAppendException: Files were added to the root of the table by a"
                + " concurrent update.); Delta did not commit this write (the step's earlier commits"
                + " stand, and re-running the step converges). Runs must not overlap: start them"
                + " with `web-model run` or `playbook`, which hold the run lock");
  }
}
