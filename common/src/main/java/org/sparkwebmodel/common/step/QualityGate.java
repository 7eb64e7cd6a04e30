package org.sparkwebmodel.common.step;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.sparkwebmodel.common.error.WebModelException;
import org.sparkwebmodel.common.table.ModelTable;
import org.sparkwebmodel.common.table.ModelTables;
import org.sparkwebmodel.common.table.TableName;

/**
 * The data-quality rules of a table (reference §7.1, §7.2, DECISIONS 1 and 11): its columns, its
 * key unique and not NULL (so its row count equals its count of distinct keys), and the columns
 * that must not be NULL. The jobs check their {@code *_this_run} table against {@link #required}
 * rules before writing any derived table (the rules are the table's declaration, {@link
 * ModelTable}); {@code web-model check} checks the derived tables after a run, and also counts the
 * reference's not-NULL expectations that our data does not guarantee (a page view without {@code
 * domain_userid} gives a session without one, DECISIONS 14).
 *
 * @param schema the expected columns, in order
 * @param key the key column
 * @param notNull columns that are never NULL in rows the jobs write
 * @param expectedNotNull the reference's further not-NULL expectations (reported, not enforced)
 */
public record QualityGate(
    StructType schema, String key, List<String> notNull, List<String> expectedNotNull) {

  /** A rule's outcome: how many rows break it, and one key of such a row. */
  public record Finding(String rule, long rows, String sampleKey, boolean enforced) {
    public boolean broken() {
      return rows > 0;
    }

    /** "ok", or how the rule is broken: rows and a sample key, or the column that differs. */
    public String outcome() {
      if (rows == 0) {
        return "ok";
      }
      return sampleKey.startsWith("column ") ? sampleKey : rows + " rows, e.g. " + sampleKey;
    }

    @Override
    public String toString() {
      return rule + ": " + outcome();
    }
  }

  /** The rules of a declared table: its columns, its key, its not-NULL columns. */
  public static QualityGate of(ModelTable table) {
    if (table.key() == null) {
      throw new IllegalArgumentException("table " + table.name() + " declares no key to check");
    }
    return new QualityGate(table.schema(), table.key(), table.notNull(), table.expectedNotNull());
  }

  /**
   * Checks every rule over {@code rows} in one aggregation pass, plus one small query per broken
   * rule for a sample key. {@code withExpectations} adds the reference's unenforced expectations.
   */
  public List<Finding> check(Dataset<Row> rows, boolean withExpectations) {
    return check(rows, withExpectations, List.of()).findings();
  }

  /** The findings, and the pass's row: count, distinct keys, then the {@code extras}' values. */
  private record Checked(List<Finding> findings, Row values) {}

  private Checked check(Dataset<Row> rows, boolean withExpectations, List<Column> extras) {
    List<Finding> findings = new ArrayList<>();
    String columns = columnsProblem(rows.schema());
    findings.add(new Finding("columns as specified", columns == null ? 0 : 1, columns, true));
    if (columns != null) {
      return new Checked(findings, null);
    }
    List<String> nullable = new ArrayList<>(notNull);
    if (withExpectations) {
      nullable.addAll(expectedNotNull);
    }
    List<Column> aggregates = new ArrayList<>();
    aggregates.add(count(lit(1)));
    aggregates.add(countDistinct(col(key)));
    aggregates.add(nulls(key));
    nullable.forEach(name -> aggregates.add(nulls(name)));
    aggregates.addAll(extras);
    Row counts =
        rows.agg(aggregates.get(0), aggregates.subList(1, aggregates.size()).toArray(Column[]::new))
            .first();
    long total = counts.getLong(0);
    long distinct = counts.getLong(1);
    long nullKeys = counts.getLong(2);
    findings.add(
        new Finding(
            key + " not NULL",
            nullKeys,
            nullKeys == 0 ? null : key + "=NULL (row count only)",
            true));
    // rows that share a key with another row: count(*) - count(distinct key) - NULL keys
    long duplicates = total - distinct - nullKeys;
    findings.add(
        new Finding(
            key + " unique (rows = distinct keys)",
            duplicates,
            duplicates == 0 ? null : duplicateKey(rows),
            true));
    for (int i = 0; i < nullable.size(); i++) {
      String name = nullable.get(i);
      long broken = counts.getLong(3 + i);
      findings.add(
          new Finding(
              name + " not NULL",
              broken,
              broken == 0 ? null : sampleKey(rows.where(col(name).isNull())),
              i < notNull.size()));
    }
    Object[] values = new Object[2 + extras.size()];
    values[0] = total;
    values[1] = distinct;
    for (int i = 0; i < extras.size(); i++) {
      values[2 + i] = counts.get(3 + nullable.size() + i);
    }
    return new Checked(findings, RowFactory.create(values));
  }

  /**
   * Fails before {@code beforeWhat}, naming the table, the first broken rule and a sample key, when
   * {@code rows} break an enforced rule. Otherwise returns, from the same pass over the rows, their
   * count, their count of distinct keys and the first and last value of {@code timeKey} (both
   * {@code null} when {@code timeKey} is).
   */
  public BatchStats require(TableName table, Dataset<Row> rows, String beforeWhat, String timeKey) {
    List<Column> extras = timeKey == null ? List.of() : List.of(min(timeKey), max(timeKey));
    Checked checked = check(rows, false, extras);
    for (Finding finding : checked.findings()) {
      if (finding.broken()) {
        throw new WebModelException(
            "data-quality gate failed on "
                + table
                + ": rule '"
                + finding.rule()
                + "' is broken: "
                + finding.outcome()
                + "; nothing was written to "
                + beforeWhat
                + " (the rows stay in "
                + table
                + " for inspection)");
      }
    }
    Row values = checked.values();
    return new BatchStats(
        values.getLong(0),
        values.getLong(1),
        timeKey == null || values.isNullAt(2) ? null : values.getAs(2),
        timeKey == null || values.isNullAt(3) ? null : values.getAs(3));
  }

  /** As {@link #require(TableName, Dataset, String, String)}, without a time key. */
  public BatchStats require(TableName table, Dataset<Row> rows, String beforeWhat) {
    return require(table, rows, beforeWhat, null);
  }

  /**
   * The rules of {@code datamodel_metadata} (reference §7.3): its columns, the not-NULL columns,
   * and every row's {@code rows_this_run} equal to its {@code distinct_key_count} and not negative
   * (each module's batch was unique on its key in every run).
   */
  public static List<Finding> checkMetadata(Dataset<Row> rows) {
    List<Finding> findings = new ArrayList<>();
    String columns =
        new QualityGate(ModelTables.DATAMODEL_METADATA.schema(), "run_id", List.of(), List.of())
            .columnsProblem(rows.schema());
    findings.add(new Finding("columns as specified", columns == null ? 0 : 1, columns, true));
    if (columns != null) {
      return findings;
    }
    List<String> notNull =
        List.of(
            "run_id",
            "model_version",
            "model",
            "module",
            "run_start_tstamp",
            "run_end_tstamp",
            "rows_this_run",
            "distinct_key",
            "distinct_key_count",
            "time_key");
    for (String name : notNull) {
      findings.add(metadataFinding(rows, name + " not NULL", col(name).isNull()));
    }
    findings.add(
        metadataFinding(
            rows,
            "rows_this_run = distinct_key_count",
            col("rows_this_run").notEqual(col("distinct_key_count"))));
    findings.add(metadataFinding(rows, "rows_this_run >= 0", col("rows_this_run").lt(0)));
    return findings;
  }

  private static Finding metadataFinding(Dataset<Row> rows, String rule, Column broken) {
    List<Row> bad = rows.where(broken).select("run_id", "module").collectAsList();
    return new Finding(
        rule,
        bad.size(),
        bad.isEmpty() ? null : "run_id=" + bad.get(0).get(0) + ", module=" + bad.get(0).get(1),
        true);
  }

  private String columnsProblem(StructType actual) {
    List<String> want = describe(schema);
    List<String> have = describe(actual);
    if (want.equals(have)) {
      return null;
    }
    for (int i = 0; i < Math.max(want.size(), have.size()); i++) {
      String w = i < want.size() ? want.get(i) : "nothing";
      String h = i < have.size() ? have.get(i) : "nothing";
      if (!w.equals(h)) {
        return "column " + (i + 1) + " is " + h + ", expected " + w;
      }
    }
    return null;
  }

  private static List<String> describe(StructType schema) {
    return java.util.Arrays.stream(schema.fields())
        .map(f -> f.name() + " " + f.dataType().sql())
        .toList();
  }

  private static Column nulls(String name) {
    return coalesce(sum(when(col(name).isNull(), 1).otherwise(0)).cast("long"), lit(0L));
  }

  private String duplicateKey(Dataset<Row> rows) {
    List<Row> sample =
        rows.where(col(key).isNotNull())
            .groupBy(col(key))
            .agg(count(lit(1)).as("copies"))
            .where(col("copies").gt(1))
            .orderBy(col(key))
            .limit(1)
            .collectAsList();
    return sample.isEmpty()
        ? "?"
        : key + "=" + sample.get(0).get(0) + " (" + sample.get(0).getLong(1) + " rows)";
  }

  /** The smallest key of {@code rows}, so that the same table always gives the same sample. */
  private String sampleKey(Dataset<Row> rows) {
    Row sample = rows.agg(min(col(key))).first();
    return key + "=" + sample.get(0);
  }
}
