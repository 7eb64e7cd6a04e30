package org.sparkwebmodel.common.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkwebmodel.common.config.PlaybookLoader;
import org.sparkwebmodel.common.config.Variables;
import org.sparkwebmodel.common.delta.DeltaStore;
import org.sparkwebmodel.common.error.WebModelException;
import org.sparkwebmodel.common.table.Warehouse;
import org.sparkwebmodel.common.testing.SharedSpark;

/** The run lock: one holder at a time, a failed run keeps it, unlock clears it. */
class ITRunLock {
  @TempDir Path dir;
  DeltaStore store;
  Variables vars;
  String where;

  @BeforeEach
  void setUp() {
    vars =
        PlaybookLoader.variables(
            Map.of(), "test", Map.of("warehouse", dir.toString(), "entropy", "_lock"));
    store = new DeltaStore(SharedSpark.session(), new Warehouse(vars.warehouse()));
    where = "warehouse " + store.warehouse().root() + ", entropy '_lock'";
  }

  @Test
  void ofTwoRunsTakingTheLockAtOnceExactlyOneGetsIt() throws Exception {
    // The table exists beforehand so both attempts race on the same MERGE.
    RunLock.acquire(store, vars, "warm-up").release();
    CountDownLatch start = new CountDownLatch(1);
    List<CompletableFuture<Object>> attempts = new ArrayList<>();
    for (String run : List.of("run A", "run B")) {
      attempts.add(
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  start.await();
                  return RunLock.acquire(store, vars, run);
                } catch (RuntimeException | InterruptedException e) {
                  return e;
                }
              }));
    }
    start.countDown();
    List<Object> outcomes = new ArrayList<>();
    for (CompletableFuture<Object> attempt : attempts) {
      outcomes.add(attempt.get());
    }
    assertThat(outcomes).filteredOn(RunLock.class::isInstance).hasSize(1);
    assertThat(outcomes)
        .filteredOn(WebModelException.class::isInstance)
        .singleElement()
        .extracting(o -> ((Exception) o).getMessage())
        .asString()
        .startsWith("refused: another run holds the lock on " + where + " (run ");
    // only the winner's row is in the table
    assertThat(store.read(RunLock.table(vars)).count()).isEqualTo(1);
  }

  @Test
  void aFailedRunKeepsTheLockUntilUnlockSaysWhatFailed() {
    assertThat(RunLock.unlock(store, vars)).isEqualTo("no run lock on " + where);
    RunLock lock = RunLock.acquire(store, vars, "run configs/run.yml");
    lock.fail("users-main", "table derived.users has an unexpected column x");

    assertThatThrownBy(() -> RunLock.acquire(store, vars, "run configs/run.yml"))
        .isInstanceOf(WebModelException.class)
        .hasMessage(
            "refused: a previous run on "
                + where
                + " failed at step 'users-main' (table derived.users has an unexpected column x);"
                + " its lock stays until you check the tables and run `web-model unlock`");
    // another entropy is another lock
    Variables other =
        PlaybookLoader.variables(
            Map.of(), "test", Map.of("warehouse", dir.toString(), "entropy", "_other"));
    RunLock.acquire(store, other, "run configs/run.yml").release();

    assertThat(RunLock.unlock(store, vars))
        .startsWith("removed the run lock on " + where + ": taken by run configs/run.yml on ")
        .endsWith(
            "failed at step 'users-main': table derived.users has an unexpected column x; to finish"
                + " that run: web-model run configs/run.yml --from users-main");
    RunLock again = RunLock.acquire(store, vars, "run configs/run.yml");
    again.release();
    RunLock.acquire(store, vars, "run configs/run.yml").release();
    assertThat(store.read(RunLock.table(vars)).count()).isZero();
  }

  @Test
  void theStepARunIsAtIsInTheRefusalAndInUnlockAndAnUnlockStopsTheRun() {
    RunLock lock = RunLock.acquire(store, vars, "run configs/run.yml");
    lock.at("sessions-main");
    lock.at("users-main");
    assertThatThrownBy(() -> RunLock.acquire(store, vars, "run configs/run.yml"))
        .isInstanceOf(WebModelException.class)
        .hasMessageContaining(", at step 'users-main');");
    // recording a step is no Delta commit
    long version = store.version(RunLock.table(vars));
    lock.at("sessions-complete");
    assertThat(store.version(RunLock.table(vars))).isEqualTo(version);

    assertThat(RunLock.unlock(store, vars))
        .contains("still marked running at step 'sessions-complete' (since ")
        .endsWith("to finish that run: web-model run configs/run.yml --from sessions-complete");
    assertThatThrownBy(() -> lock.at("users-complete"))
        .isInstanceOf(WebModelException.class)
        .hasMessage(
            "the run lock on warehouse "
                + store.warehouse().root()
                + " was removed while this run was running (web-model unlock?); stopping before"
                + " step 'users-complete'");
    // a new holder does not inherit the old holder's step
    RunLock.acquire(store, vars, "run configs/run.yml");
    assertThat(RunLock.unlock(store, vars))
        .endsWith("still marked running: the process stopped without releasing it, or is running");
  }

  @Test
  void aKilledRunLeavesTheLockHeldAndUnlockSaysSo() {
    // A process that dies never releases: the row stays "running".
    RunLock.acquire(store, vars, "playbook configs/sessions/01-sessions-main.yml");
    assertThatThrownBy(() -> RunLock.acquire(store, vars, "run configs/run.yml"))
        .isInstanceOf(WebModelException.class)
        .hasMessageStartingWith(
            "refused: another run holds the lock on "
                + where
                + " (playbook configs/sessions/01-sessions-main.yml on ")
        .hasMessageEndingWith(
            "if it is no longer running it stopped without releasing the lock: check the tables,"
                + " then run `web-model unlock`");
    assertThat(RunLock.unlock(store, vars))
        .endsWith(
            "still marked running: the process stopped without releasing it, or is running; to"
                + " re-run that step: web-model playbook configs/sessions/01-sessions-main.yml");
  }
}
