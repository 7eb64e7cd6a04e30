package org.sparkwebmodel.common.sample;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkwebmodel.common.delta.DeltaStore;
import org.sparkwebmodel.common.table.Schemas;
import org.sparkwebmodel.common.table.TableName;
import org.sparkwebmodel.common.table.Warehouse;
import org.sparkwebmodel.common.testing.SharedSpark;

class TestSampleData {
  @TempDir Path dir;

  @Test
  void theSameSeedGivesTheSameRows() {
    assertThat(SampleData.generateChunk(7, 50_000, 1))
        .isEqualTo(SampleData.generateChunk(7, 50_000, 1));
    assertThat(SampleData.generateChunk(7, 50_000, 1))
        .isNotEqualTo(SampleData.generateChunk(8, 50_000, 1));
  }

  @Test
  void writesConsistentSessionsOfReturningUsers() {
    DeltaStore store = new DeltaStore(SharedSpark.session(), new Warehouse(dir.toString()));
    TableName table = new TableName("scratch", "page_views_staged");
    SampleData.write(store, table, 30_000, 3);
    Dataset<Row> rows = store.read(table);
    assertThat(rows.schema()).isEqualTo(Schemas.PAGE_VIEWS);

    Row totals =
        rows.agg(
                count(lit(1)),
                countDistinct(col("page_view_id")),
                sum(when(col("user_id").isNull(), 1).otherwise(0)),
                sum(when(col("domain_userid").isNull(), 1).otherwise(0)),
                sum(when(col("mkt_medium").isNotNull(), 1).otherwise(0)))
            .first();
    assertThat(totals.getLong(0)).isEqualTo(30_000);
    assertThat(totals.getLong(1)).isEqualTo(30_000);
    assertThat(totals.getLong(2)).as("NULL user_id rows").isBetween(15_000L, 29_000L);
    assertThat(totals.getLong(3)).as("NULL domain_userid rows").isBetween(1L, 1_500L);
    assertThat(totals.getLong(4)).as("rows with marketing parameters").isPositive();

    // Every session is numbered 1..n in start order, with page_views_in_session = n.
    Dataset<Row> sessions =
        rows.groupBy("domain_sessionid")
            .agg(
                count(lit(1)).as("n"),
                min("page_view_in_session_index").as("lo"),
                max("page_view_in_session_index").as("hi"),
                countDistinct(col("page_view_in_session_index")).as("distinct_idx"),
                max("page_views_in_session").as("pvis"));
    assertThat(sessions.where("lo != 1 OR hi != n OR distinct_idx != n OR pvis != n").count())
        .isZero();
    assertThat(sessions.where("n > 1").count()).as("multi-page sessions").isGreaterThan(1000);
    Dataset<Row> ordered =
        rows.withColumn(
            "prev_start",
            expr("lag(start_tstamp)")
                .over(
                    Window.partitionBy("domain_sessionid").orderBy("page_view_in_session_index")));
    assertThat(ordered.where("prev_start >= start_tstamp").count()).isZero();
    assertThat(rows.where("end_tstamp < start_tstamp OR engaged_time_in_s < 0").count()).isZero();

    // Users come back: many have more than one session.
    List<Row> returning =
        rows.where("domain_userid IS NOT NULL")
            .groupBy("domain_userid")
            .agg(countDistinct(col("domain_sessionid")).as("sessions"))
            .where("sessions > 1")
            .limit(10)
            .collectAsList();
    assertThat(returning).hasSize(10);
  }
}
