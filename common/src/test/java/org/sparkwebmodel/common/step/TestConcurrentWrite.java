package org.sparkwebmodel.common.step;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.delta.exceptions.ConcurrentAppendException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkwebmodel.common.config.Module;
import org.sparkwebmodel.common.config.Playbook;
import org.sparkwebmodel.common.config.PlaybookLoader;
import org.sparkwebmodel.common.config.Variables;
import org.sparkwebmodel.common.delta.DeltaStore;
import org.sparkwebmodel.common.error.WebModelException;
import org.sparkwebmodel.common.table.TableName;
import org.sparkwebmodel.common.testing.SharedSpark;

class TestConcurrentWrite {
  @TempDir Path dir;

  /** A job whose main loses a Delta commit race, as when another writer commits first. */
  static final class LosingJob extends AbstractModuleJob {
    LosingJob() {
      super(Clock.systemUTC());
    }

    @Override
    public Module module() {
      return Module.SESSIONS;
    }

    @Override
    protected StepReport main(DeltaStore store, Variables vars, StepLog log) {
      throw new ConcurrentAppendException(
          "Files were added to the root of the table by a concurrent update.\nRefer to the documentation");
    }

    @Override
    protected StepReport complete(DeltaStore store, Variables vars, StepLog log) {
      throw new UnsupportedOperationException();
    }

    @Override
    protected List<TableName> destroyedTables(Variables vars) {
      return List.of();
    }
  }

  @Test
  void aDeltaWriteConflictFailsTheStepWithAClearMessage() {
    Playbook playbook =
        PlaybookLoader.load(
            Path.of("../configs/sessions/01-sessions-main.yml"),
            Map.of("warehouse", dir.toString()));
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
