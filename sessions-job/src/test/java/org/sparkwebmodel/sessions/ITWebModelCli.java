package org.sparkwebmodel.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkwebmodel.common.cli.WebModelCli;
import org.sparkwebmodel.common.testing.SharedSpark;

/** The command-line contract of the README, driven in-process (the session is the shared one). */
class ITWebModelCli {
  @TempDir Path dir;

  record Result(int status, String out, String err) {}

  Result run(String... args) {
    SharedSpark.session();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = WebModelCli.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Result(status, out.toString(), err.toString());
  }

  @Test
  void loadRunExportOverTheCommandLine() throws IOException {
    String warehouse = dir.resolve("wh").toString();
    Path csv = dir.resolve("pv.csv");
    Files.writeString(
        csv,
        "page_view_id,domain_sessionid,domain_userid,page_view_in_session_index,start_tstamp,end_tstamp,"
            + "engaged_time_in_s,page_url,page_title\n"
            + "a,s1,u1,1,2021-03-01 10:00:00,2021-03-01T10:00:10.000000Z,10,https://a.com/,\"Home, sweet\"\n"
            + "b,s1,u1,2,2021-03-01T10:01:00Z,2021-03-01T10:01:30Z,25,https://a.com/b,\"\"\n");

    Result load =
        run("--warehouse", warehouse, "load", "scratch.page_views_staged_cli", csv.toString());
    assertThat(load.status()).as(load.err()).isZero();
    assertThat(load.out())
        .contains("loaded 2 rows from " + csv + " into scratch.page_views_staged_cli");

    Result main =
        run(
            "--warehouse",
            warehouse,
            "playbook",
            "../configs/sessions/01-sessions-main.yml",
            "--var",
            "entropy=_cli");
    assertThat(main.status()).as(main.err()).isZero();
    assertThat(main.out()).startsWith("sessions main").contains("read 2").contains("written 1");

    Path out = dir.resolve("out/sessions.csv");
    Result export = run("--warehouse", warehouse, "export", "derived.sessions_cli", out.toString());
    assertThat(export.status()).as(export.err()).isZero();
    List<String> lines = Files.readAllLines(out);
    assertThat(lines).hasSize(2);
    assertThat(lines.get(1))
        .isEqualTo(
            ",\"s1\",,\"2021-03-01T10:00:00.000000Z\",\"2021-03-01T10:01:30.000000Z\",,\"u1\",,2,35,90,"
                + "\"Home, sweet\",\"https://a.com/\",,,,,,\"\",\"https://a.com/b\""
                // 70 NULL columns follow: last_page_urlscheme .. operating_system_version
                + ",".repeat(70));
  }

  @Test
  void aBadPlaybookExitsNonZeroWithOneLineAndWritesNothing() throws IOException {
    Path playbook = dir.resolve("bad.yml");
    Files.writeString(
        playbook, "module: sessions\nstep: complete\nvariables:\n  cleanup_mode: full\n");
    Result result =
        run("--warehouse", dir.resolve("wh").toString(), "playbook", playbook.toString());
    assertThat(result.status()).isEqualTo(1);
    assertThat(result.err())
        .isEqualTo(
            "web-model: error: cleanup_mode must be one of [all, debug, trace], got: 'full' ("
                + playbook
                + ")"
                + System.lineSeparator());
    assertThat(dir.resolve("wh")).doesNotExist();
  }

  @Test
  void anUnknownVarIsRefused() {
    Result result =
        run("--warehouse", dir.toString(), "sample-data", "--rows", "10", "--var", "entropi=_x");
    assertThat(result.status()).isEqualTo(1);
    assertThat(result.err())
        .startsWith("web-model: error: unknown variable 'entropi' in --var; allowed: [");
  }

  @Test
  void sampleDataWritesTheRequestedRows() {
    Result result =
        run(
            "--warehouse",
            dir.toString(),
            "sample-data",
            "--page-views",
            "--rows",
            "1000",
            "--seed",
            "5",
            "--var",
            "entropy=_s");
    assertThat(result.status()).as(result.err()).isZero();
    assertThat(result.out())
        .startsWith("wrote 1,000 sample page views (seed 5) to scratch.page_views_staged_s");
    assertThat(
            SharedSpark.session()
                .read()
                .format("delta")
                .load(dir.resolve("scratch/page_views_staged_s").toString())
                .count())
        .isEqualTo(1000);
  }

  @Test
  void spark_submitArgumentsBecomeAPlaybookCommand() {
    assertThat(
            WebModelCli.playbookArgs(
                new String[] {"--warehouse", "s3://b/wh", "x.yml", "--var", "a=b"}))
        .containsExactly("playbook", "--warehouse", "s3://b/wh", "x.yml", "--var", "a=b");
  }
}
