package org.sparkwebmodel.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkwebmodel.common.error.WebModelException;
import org.sparkwebmodel.common.table.TableName;

class TestPlaybookLoader {
  @TempDir Path dir;

  private Path file(String yaml) throws IOException {
    Path file = dir.resolve("playbook.yml");
    Files.writeString(file, yaml);
    return file;
  }

  @Test
  void emptyValuesAndAbsentKeysTakeTheDefaults() throws IOException {
    Playbook playbook =
        PlaybookLoader.load(
            file("module: sessions\nstep: main\nvariables:\n  upsert_lookback:\n  entropy:\n"),
            Map.of());
    assertThat(playbook.module()).isEqualTo("sessions");
    assertThat(playbook.step()).isEqualTo(Step.MAIN);
    Variables vars = playbook.variables();
    assertThat(vars)
        .isEqualTo(
            new Variables(
                "scratch",
                "derived",
                "",
                "./warehouse",
                "spark-web-model/web/" + BuildInfo.version(),
                30,
                true,
                false,
                CleanupMode.ALL,
                false,
                false,
                new Variables.Base("", "atomic", java.time.LocalDate.of(2020, 1, 1), 6, 3, 7, 365),
                new Variables.PageViews(5, 10, true, false, false, false),
                new Variables.Maintenance(168, false)));
    assertThat(vars.scratch("page_views_staged"))
        .isEqualTo(new TableName("scratch", "page_views_staged"));
  }

  @Test
  void theEventsVariableIsAWarehouseTableOrALocation() {
    java.time.LocalDate start = java.time.LocalDate.of(2020, 1, 1);
    Variables.Base byDefault = new Variables.Base("", "atomic", start, 6, 3, 7, 365);
    assertThat(byDefault.eventsTable()).isEqualTo(new TableName("atomic", "events"));
    assertThat(byDefault.eventsLocation()).isEmpty();
    Variables.Base table =
        new Variables.Base("lake.snowplow_events", "atomic", start, 6, 3, 7, 365);
    assertThat(table.eventsTable()).isEqualTo(new TableName("lake", "snowplow_events"));
    assertThat(table.eventsLocation()).isEmpty();
    for (String location :
        java.util.List.of("s3://bucket/lake/events", "/data/events", "events.delta/v1", "a.b.c")) {
      Variables.Base at = new Variables.Base(location, "atomic", start, 6, 3, 7, 365);
      assertThat(at.eventsLocation()).as(location).contains(location);
      assertThat(at.eventsTable()).as(location).isEqualTo(new TableName("atomic", "events"));
    }
  }

  @Test
  void acceptsTheSqlRunnerSpellingAndTheReferenceVariableNames() throws IOException {
    Playbook playbook =
        PlaybookLoader.load(
            file(
                ":module: users\n:step: complete\n:variables:\n  :scratch_schema: scratch_dev1\n"
                    + "  :output_schema: derived_dev1\n  :entropy: _x\n  :upsert_lookback_days: 7\n"
                    + "  :model_version: redshift/web/1.3.1\n  :cleanup_mode: trace\n  :ends_run: true\n"),
            Map.of());
    Variables vars = playbook.variables();
    assertThat(vars.output("users")).isEqualTo(new TableName("derived_dev1", "users_x"));
    assertThat(vars.upsertLookbackDays()).isEqualTo(7);
    assertThat(vars.modelVersion()).isEqualTo("redshift/web/1.3.1");
    assertThat(vars.cleanupMode()).isEqualTo(CleanupMode.TRACE);
    assertThat(vars.endsRun()).isTrue();
  }

  @Test
  void overridesWinAndAreTyped() throws IOException {
    Variables vars =
        PlaybookLoader.load(
                file("module: sessions\nstep: main\nvariables:\n  stage_next: true\n"),
                Map.of("stage_next", "false", "upsert_lookback", "7", "entropy", "_t"))
            .variables();
    assertThat(vars.stageNext()).isFalse();
    assertThat(vars.upsertLookbackDays()).isEqualTo(7);
    assertThat(vars.entropy()).isEqualTo("_t");
  }

  @Test
  void rejectsAnUnknownVariableNamingFileAndAllowedKeys() throws IOException {
    Path file = file("module: sessions\nstep: main\nvariables:\n  scratch_shema: s\n");
    assertThatThrownBy(() -> PlaybookLoader.load(file, Map.of()))
        .isInstanceOf(WebModelException.class)
        .hasMessageStartingWith("unknown variable 'scratch_shema' in " + file + "; allowed: [")
        .hasMessageContaining("scratch_schema");
  }

  @Test
  void rejectsAnUnknownTopLevelKey() throws IOException {
    Path file = file("module: sessions\nstep: main\ntargets: []\n");
    assertThatThrownBy(() -> PlaybookLoader.load(file, Map.of()))
        .isInstanceOf(WebModelException.class)
        .hasMessage("unknown key 'targets' in " + file + "; allowed: [module, step, variables]");
  }

  @Test
  void rejectsABadCleanupModeNamingValueAndFile() throws IOException {
    Path file = file("module: sessions\nstep: complete\nvariables:\n  cleanup_mode: full\n");
    assertThatThrownBy(() -> PlaybookLoader.load(file, Map.of()))
        .isInstanceOf(WebModelException.class)
        .hasMessage("cleanup_mode must be one of [all, debug, trace], got: 'full' (" + file + ")");
  }

  @Test
  void catalogIsNoneOrSession() throws IOException {
    Path file = file("module: sessions\nstep: main\nvariables:\n  catalog: session\n");
    assertThat(PlaybookLoader.load(file, Map.of()).variables().registerTables()).isTrue();
    assertThat(PlaybookLoader.load(file, Map.of("catalog", "none")).variables().registerTables())
        .isFalse();
    assertThatThrownBy(() -> PlaybookLoader.load(file, Map.of("catalog", "glue")))
        .isInstanceOf(WebModelException.class)
        .hasMessage("catalog must be one of [none, session], got: 'glue' (--var catalog=glue)");
  }

  @Test
  void rejectsWrongTypes() throws IOException {
    Path file = file("module: sessions\nstep: main\nvariables:\n  stage_next: 3\n");
    assertThatThrownBy(() -> PlaybookLoader.load(file, Map.of()))
        .hasMessage("stage_next must be true or false, got: '3' (" + file + ")");
    Path lookback = file("module: sessions\nstep: main\nvariables:\n  upsert_lookback: -1\n");
    assertThatThrownBy(() -> PlaybookLoader.load(lookback, Map.of()))
        .hasMessage(
            "upsert_lookback must be a whole number of days >= 0, got: '-1' (" + lookback + ")");
    assertThatThrownBy(() -> PlaybookLoader.load(lookback, Map.of("upsert_lookback", "ten")))
        .hasMessage(
            "upsert_lookback must be a whole number of days >= 0, got: 'ten' (--var upsert_lookback=ten)");
    assertThatThrownBy(() -> PlaybookLoader.load(lookback, Map.of("entropy", "_a-b")))
        .hasMessage(
            "entropy must be a table-name suffix matching [A-Za-z0-9_]* (may be empty), got: '_a-b' (--var entropy=_a-b)");
  }

  @Test
  void rejectsUnknownOverrides() throws IOException {
    Path file = file("module: sessions\nstep: main\n");
    assertThatThrownBy(() -> PlaybookLoader.load(file, Map.of("lookback", "3")))
        .hasMessageStartingWith("unknown variable 'lookback' in --var; allowed: [");
  }

  @Test
  void rejectsConflictingLookbackSpellings() throws IOException {
    Path file =
        file(
            "module: sessions\nstep: main\nvariables:\n  upsert_lookback: 3\n  upsert_lookback_days: 4\n");
    assertThatThrownBy(() -> PlaybookLoader.load(file, Map.of()))
        .hasMessage(
            "upsert_lookback and upsert_lookback_days are the same variable and disagree: 3 vs 4 ("
                + file
                + "); set one of them");
  }

  @Test
  void eitherLookbackSpellingOverridesTheOtherFromALaterLayer() throws IOException {
    Path file = file("module: sessions\nstep: main\nvariables:\n  upsert_lookback: 30\n");
    assertThat(
            PlaybookLoader.load(file, Map.of("upsert_lookback_days", "7"))
                .variables()
                .upsertLookbackDays())
        .isEqualTo(7);
    Path empty =
        file(
            "module: sessions\nstep: main\nvariables:\n  upsert_lookback: ''\n  upsert_lookback_days: 9\n");
    assertThat(PlaybookLoader.load(empty, Map.of()).variables().upsertLookbackDays()).isEqualTo(9);
    assertThatThrownBy(() -> PlaybookLoader.load(file, Map.of("upsert_lookback_days", "-2")))
        .hasMessage(
            "upsert_lookback must be a whole number of days >= 0, got: '-2' (--var upsert_lookback_days=-2)");
  }

  @Test
  void rejectsMalformedYamlWithTheLine() throws IOException {
    Path file = file("module: sessions\nstep: main\nvariables:\n  entropy: [unclosed\n");
    assertThatThrownBy(() -> PlaybookLoader.load(file, Map.of()))
        .isInstanceOf(WebModelException.class)
        .hasMessageStartingWith("malformed YAML in " + file + " at line ");
  }

  @Test
  void rejectsMissingOrBadModuleAndStep() throws IOException {
    Path noModule = file("step: main\n");
    assertThatThrownBy(() -> PlaybookLoader.load(noModule, Map.of()))
        .hasMessage(
            "missing key 'module' in " + noModule + "; the module to run, e.g. module: sessions");
    Path badStep = file("module: sessions\nstep: run\n");
    assertThatThrownBy(() -> PlaybookLoader.load(badStep, Map.of()))
        .hasMessage("step must be one of [main, complete, destroy], got: 'run' (" + badStep + ")");
    assertThatThrownBy(() -> PlaybookLoader.load(dir.resolve("nope.yml"), Map.of()))
        .hasMessage("playbook not found: " + dir.resolve("nope.yml"));
  }

  @Test
  void shippedPlaybooksLoad() {
    for (String name :
        new String[] {
          "sessions/01-sessions-main.yml",
          "sessions/99-sessions-complete.yml",
          "sessions/XX-destroy-sessions.yml"
        }) {
      Playbook playbook = PlaybookLoader.load(Path.of("../configs", name), Map.of());
      assertThat(playbook.module()).as(name).isEqualTo("sessions");
    }
  }
}
