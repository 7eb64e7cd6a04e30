package org.sparkwebmodel.common.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkwebmodel.common.testing.SharedSpark;

/** {@code sample-data}: events by default, staged page views with {@code --page-views}. */
class TestSampleDataCommand {
  @TempDir Path dir;

  private record Result(int status, String out, String err) {}

  private Result run(String... args) {
    SharedSpark.session();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = WebModelCli.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Result(status, out.toString(), err.toString());
  }

  private long rows(String table, String where) {
    return SharedSpark.session()
        .read()
        .format("delta")
        .load(dir.resolve(table).toString())
        .where(where)
        .count();
  }

  @Test
  void writesEventsToAtomicEventsByDefault() {
    Result result =
        run("--warehouse", dir.toString(), "sample-data", "--rows", "300", "--seed", "5");
    assertThat(result.status()).as(result.err()).isZero();
    long total = rows("atomic/events", "true");
    long pageViews = rows("atomic/events", "event_name = 'page_view'");
    long pings = rows("atomic/events", "event_name = 'page_ping'");
    long clicks = rows("atomic/events", "event_name = 'link_click'");
    long structs = rows("atomic/events", "event_name = 'struct'");
    // 300 page views, three of them (numbers 17, 117 and 217) written twice
    assertThat(pageViews).isEqualTo(303);
    assertThat(result.out())
        .matches(
            String.format(
                "wrote %,d sample events of 300 page views \\(seed 5\\) to atomic\\.events in"
                    + " [0-9.]+ s: %,d page_view, %,d page_ping, %,d link_click, %,d struct\\R",
                total, pageViews, pings, clicks, structs));
  }

  @Test
  void writesToTheEventsTableNamed() {
    Result result =
        run(
            "--warehouse",
            dir.toString(),
            "sample-data",
            "--rows",
            "20",
            "--events-table",
            "raw.ev");
    assertThat(result.status()).as(result.err()).isZero();
    assertThat(result.out()).contains(" to raw.ev in ");
    // page view number 17 written twice
    assertThat(rows("raw/ev", "event_name = 'page_view'")).isEqualTo(21);
    assertThat(dir.resolve("atomic")).doesNotExist();
  }

  @Test
  void writesStagedPageViewsWithPageViews() {
    Result result =
        run(
            "--warehouse",
            dir.toString(),
            "sample-data",
            "--page-views",
            "--rows",
            "100",
            "--var",
            "entropy=_s");
    assertThat(result.status()).as(result.err()).isZero();
    assertThat(result.out())
        .startsWith("wrote 100 sample page views (seed 1) to scratch.page_views_staged_s in ");
    assertThat(rows("scratch/page_views_staged_s", "true")).isEqualTo(100);
    assertThat(dir.resolve("atomic")).doesNotExist();
  }

  @Test
  void pageViewsAndAnEventsTableExcludeEachOther() {
    Result result =
        run(
            "--warehouse",
            dir.toString(),
            "sample-data",
            "--page-views",
            "--events-table",
            "raw.ev");
    assertThat(result.status()).isEqualTo(1);
    assertThat(result.err())
        .isEqualTo(
            "web-model: error: --events-table and --page-views exclude each other"
                + System.lineSeparator());
  }
}
