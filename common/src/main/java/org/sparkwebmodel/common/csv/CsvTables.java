package org.sparkwebmodel.common.csv;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.instr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.raise_error;
import static org.apache.spark.sql.functions.when;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;
import org.apache.commons.csv.QuoteMode;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkwebmodel.common.delta.DeltaStore;
import org.sparkwebmodel.common.error.Messages;
import org.sparkwebmodel.common.error.WebModelException;
import org.sparkwebmodel.common.table.ModelTable;
import org.sparkwebmodel.common.table.ModelTables;
import org.sparkwebmodel.common.table.TableName;

/**
 * CSV in and out of tables, as the command-line contract fixes it: UTF-8, a header row, commas, RFC
 * 4180 quoting, NULL as an empty unquoted field (a quoted {@code ""} is an empty string),
 * timestamps ISO-8601 in UTC, booleans {@code true}/{@code false}.
 */
public final class CsvTables {
  private static final Logger LOG = LoggerFactory.getLogger(CsvTables.class);

  private static final DateTimeFormatter TIMESTAMP_OUT =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  /** Strict quote mode keeps a quoted "" apart from an empty unquoted field (NULL). */
  private static final CSVFormat FORMAT =
      CSVFormat.RFC4180
          .builder()
          .setNullString("")
          .setQuoteMode(QuoteMode.NON_NUMERIC)
          .setRecordSeparator("\n")
          .build();

  private CsvTables() {}

  /**
   * What a load did: the rows added, or that a load with the same load id committed to the table
   * before, so nothing was added.
   */
  public record Loaded(long rows, boolean before) {}

  /**
   * Appends the rows of {@code file} (a local path or a URI Hadoop reads, e.g. {@code
   * s3://bucket/pv.csv}; {@code .gz} read compressed) to {@code table} in one commit; nothing is
   * written if any line is bad. A missing {@code page_views_staged*} table is created with its 98
   * columns. With a {@code loadId}, only once: a second load with the same id adds nothing (Delta's
   * txnAppId), so a scheduler may retry a load whose process died after its commit.
   *
   * <p>The file streams through Spark's CSV reader, line by line in parallel splits, so its size is
   * not bounded by the driver's memory: header row checked on the driver, then every line parsed
   * with the header's columns at their table types (fail-fast: a bad value fails the write, which
   * then commits nothing). A failure is then explained by reading the file once more on the driver,
   * record by record ({@link #scan}), which names the first bad line, column and value. When that
   * finds the file valid (a quoted field spans lines, which a line-by-line read cannot parse), the
   * file is loaded again with Spark's multi-line CSV reader, in one task.
   */
  public static Loaded load(DeltaStore store, TableName table, String file, String loadId) {
    ModelTable input = ModelTables.PAGE_VIEWS_STAGED;
    boolean staged = input.isNameOf(table);
    StructType schema;
    boolean created = !store.exists(table);
    if (!created) {
      schema = store.read(table).schema();
    } else if (staged) {
      schema = input.schema();
    } else {
      throw new WebModelException(
          "table "
              + table
              + " does not exist ("
              + store.location(table)
              + "); load creates only "
              + input.name()
              + " tables");
    }
    SparkSession spark = store.spark();
    InputFiles.require(spark, file, "CSV");
    // The key (page_view_id) is the one NOT NULL column of page views (reference §2.1).
    Header header = header(spark, file, table, schema, staged ? input.key() : null);
    store.createIfMissing(table, schema);
    long before = store.version(table);
    try {
      try {
        append(store, table, rows(spark, file, header, false), loadId);
      } catch (Exception lineByLine) { // SparkException too, which Scala throws unchecked
        LOG.info("load {}: the line-by-line read failed; finding the first bad line", file);
        scan(spark, file, header);
        append(store, table, rows(spark, file, header, true), loadId);
      }
    } catch (WebModelException e) {
      dropIfCreated(store, table, created);
      throw e;
    } catch (Exception e) {
      dropIfCreated(store, table, created);
      throw new WebModelException(
          "cannot load " + file + " into " + table + ": " + Messages.firstLine(e.getMessage()), e);
    }
    if (store.version(table) == before) {
      // Delta skipped the write: a commit with this load id was made before
      return new Loaded(0, true);
    }
    // an append: the rows written are in its commit's metrics, or the difference of the counts
    String written = store.operationMetricsSince(table, before).get("numOutputRows");
    return new Loaded(
        written != null
            ? Long.parseLong(written)
            : store.read(table).count() - store.readAt(table, before).count(),
        false);
  }

  private static void dropIfCreated(DeltaStore store, TableName table, boolean created) {
    if (created) {
      store.drop(table);
    }
  }

  private static void append(DeltaStore store, TableName table, Dataset<Row> rows, String loadId) {
    if (loadId == null) {
      store.append(table, rows);
    } else {
      // A load re-run after its commit (its process died before it reported) adds nothing: Delta
      // skips a write whose transaction id it committed before.
      store.appendOnce(table, rows, "web-model load " + loadId);
    }
  }

  /**
   * The file's header row, checked against the table: the table's schema, the table columns the CSV
   * columns fill, in the file's order, and the column that must not be NULL (may be null), which
   * must be one of them.
   */
  record Header(StructType schema, List<String> columns, String notNull) {}

  static Header header(
      SparkSession spark, String file, TableName table, StructType schema, String notNull) {
    Set<String> names = Set.of(schema.fieldNames());
    List<String> columns = new ArrayList<>();
    withRecords(
        spark,
        file,
        (records, parser) -> {
          if (!records.hasNext()) {
            throw new WebModelException(file + " is empty: expected a header row");
          }
          for (String name : records.next()) {
            if (name == null || !names.contains(name)) {
              throw new WebModelException(
                  file + " line 1: unknown column '" + name + "' for table " + table);
            }
            if (columns.contains(name)) {
              throw new WebModelException(file + " line 1: column '" + name + "' appears twice");
            }
            DataType type = schema.apply(name).dataType();
            if (!READABLE.contains(type)) {
              throw new WebModelException(
                  "column "
                      + name
                      + " has type "
                      + type.sql()
                      + ", which CSV load does not support");
            }
            columns.add(name);
          }
          return null;
        });
    if (notNull != null && !columns.contains(notNull)) {
      throw new WebModelException(
          file + " line 1: required column '" + notNull + "' is missing for table " + table);
    }
    return new Header(schema, List.copyOf(columns), notNull);
  }

  /** The types CSV load converts. */
  private static final List<DataType> READABLE =
      List.of(
          DataTypes.StringType,
          DataTypes.IntegerType,
          DataTypes.LongType,
          DataTypes.DoubleType,
          DataTypes.BooleanType,
          DataTypes.TimestampType);

  /**
   * An unquoted empty field is NULL, a quoted {@code ""} the empty string: Spark's reader makes an
   * empty field equal to its {@code nullValue} NULL, so that must be a text no field holds.
   */
  private static final String NULL_MARK = "\u0000web-model:null\u0000";

  /**
   * The file's rows in the table's columns and types, parsed by Spark's CSV reader (fail-fast), the
   * columns the file lacks NULL. {@code multiLine} false reads line by line in parallel splits:
   * then a quote inside an unquoted field is an error, which every record spanning lines makes (the
   * part of it after a line break starts inside a quoted field), and so is a string holding U+FFFD,
   * the character a byte sequence that is not UTF-8 is decoded as. True reads the file as one
   * stream of records, in one task.
   */
  static Dataset<Row> rows(SparkSession spark, String file, Header header, boolean multiLine) {
    StructType fileSchema = new StructType();
    for (String name : header.columns()) {
      fileSchema = fileSchema.add(name, header.schema().apply(name).dataType(), true);
    }
    Dataset<Row> parsed =
        spark
            .read()
            .schema(fileSchema)
            .option("header", "true")
            .option("mode", "FAILFAST")
            .option("multiLine", String.valueOf(multiLine))
            .option("unescapedQuoteHandling", multiLine ? "STOP_AT_DELIMITER" : "RAISE_ERROR")
            .option("escape", "\"")
            .option("nullValue", NULL_MARK)
            .option("emptyValue", "")
            .option("ignoreLeadingWhiteSpace", "false")
            .option("ignoreTrailingWhiteSpace", "false")
            .option("timeZone", "UTC")
            .option("encoding", "UTF-8")
            .csv(file);
    List<Column> columns = new ArrayList<>();
    for (StructField field : header.schema().fields()) {
      String name = field.name();
      Column value = col(name);
      if (!header.columns().contains(name)) {
        value = lit(null).cast(field.dataType());
      } else if (name.equals(header.notNull())) {
        value = when(value.isNull(), raise_error(lit(name + " is NULL"))).otherwise(value);
      } else if (!multiLine && field.dataType().equals(DataTypes.StringType)) {
        value = when(instr(value, "\uFFFD").gt(0), raise_error(lit("U+FFFD"))).otherwise(value);
      }
      columns.add(value.as(name));
    }
    return parsed.select(columns.toArray(Column[]::new));
  }

  /**
   * Reads the file record by record on the driver, as the CSV contract defines it, and fails on the
   * first bad record with its line, column and value; holds one record at a time.
   */
  static void scan(SparkSession spark, String file, Header header) {
    StructType schema = header.schema();
    StructField[] fields = header.columns().stream().map(schema::apply).toArray(StructField[]::new);
    withRecords(
        spark,
        file,
        (records, parser) -> {
          records.next(); // the header, checked before
          long line = parser.getCurrentLineNumber() + 1;
          while (records.hasNext()) {
            CSVRecord record = records.next();
            if (record.size() != fields.length) {
              throw new WebModelException(
                  file
                      + " line "
                      + line
                      + ": "
                      + record.size()
                      + " fields, the header has "
                      + fields.length);
            }
            for (int i = 0; i < fields.length; i++) {
              Object value = convert(record.get(i), fields[i], file, line);
              if (value == null && fields[i].name().equals(header.notNull())) {
                throw new WebModelException(
                    file
                        + " line "
                        + line
                        + ", column "
                        + header.notNull()
                        + ": must not be NULL (empty)");
              }
            }
            // The next record starts on the line after the one this record ended on.
            line = parser.getCurrentLineNumber() + 1;
          }
          return null;
        });
  }

  private interface RecordsReader<T> {
    T read(Iterator<CSVRecord> records, CSVParser parser);
  }

  /** Runs {@code read} over the file's CSV records, streamed; I/O failures name the file. */
  private static <T> T withRecords(SparkSession spark, String file, RecordsReader<T> read) {
    try (Reader reader = InputFiles.open(spark, file);
        CSVParser parser = FORMAT.parse(reader)) {
      return read.read(parser.iterator(), parser);
    } catch (UncheckedIOException e) {
      throw unreadable(spark, file, e.getCause());
    } catch (IOException e) {
      throw unreadable(spark, file, e);
    }
  }

  private static WebModelException unreadable(SparkSession spark, String file, IOException e) {
    if (e instanceof CharacterCodingException) {
      long line;
      try {
        line = InputFiles.firstLineNotUtf8(spark, file);
      } catch (IOException again) {
        return new WebModelException("cannot read " + file + ": " + again.getMessage(), again);
      }
      return new WebModelException(
          file + (line > 0 ? " line " + line + ":" : "") + " not valid UTF-8", e);
    }
    return new WebModelException("cannot read " + file + ": " + e.getMessage(), e);
  }

  private static Object convert(String text, StructField field, String file, long line) {
    if (text == null) {
      return null;
    }
    DataType type = field.dataType();
    try {
      if (type.equals(DataTypes.StringType)) {
        return text;
      } else if (type.equals(DataTypes.IntegerType)) {
        return Integer.valueOf(text);
      } else if (type.equals(DataTypes.LongType)) {
        return Long.valueOf(text);
      } else if (type.equals(DataTypes.DoubleType)) {
        return Double.valueOf(text);
      } else if (type.equals(DataTypes.BooleanType)) {
        if (text.equals("true") || text.equals("false")) {
          return Boolean.valueOf(text);
        }
        throw new IllegalArgumentException();
      } else if (type.equals(DataTypes.TimestampType)) {
        return parseTimestamp(text);
      }
    } catch (IllegalArgumentException | DateTimeParseException e) {
      throw new WebModelException(
          file
              + " line "
              + line
              + ", column "
              + field.name()
              + ": '"
              + text
              + "' is not a valid "
              + type.sql()
              + (type.equals(DataTypes.TimestampType)
                  ? " (expected e.g. 2021-03-01T10:00:00.000000Z)"
                  : "")
              + (type.equals(DataTypes.BooleanType) ? " (expected true or false)" : ""));
    }
    throw new WebModelException(
        "column " + field.name() + " has type " + type.sql() + ", which CSV load does not support");
  }

  /**
   * ISO-8601 in UTC; a space may stand for 'T', the fraction may have 0-9 digits, the zone may be
   * absent.
   */
  static Instant parseTimestamp(String text) {
    String iso =
        text.length() > 10 && text.charAt(10) == ' '
            ? text.substring(0, 10) + 'T' + text.substring(11)
            : text;
    if (iso.endsWith("Z") || iso.endsWith("z")) {
      return Instant.parse(iso.substring(0, iso.length() - 1) + "Z");
    }
    if (iso.matches(".*T.*[+-]\\d\\d:?\\d\\d$")) {
      return OffsetDateTime.parse(iso).toInstant();
    }
    return LocalDateTime.parse(iso).toInstant(ZoneOffset.UTC);
  }

  /** Writes the whole table, ordered by all columns, to {@code file}; returns the row count. */
  public static long export(DeltaStore store, TableName table, Path file) {
    store.requireExists(table, "nothing to export");
    var rows = store.read(table);
    String[] columns = rows.columns();
    Column[] order =
        Arrays.stream(columns).map(c -> rows.col(c).asc_nulls_first()).toArray(Column[]::new);
    long count = 0;
    try {
      if (file.getParent() != null) {
        Files.createDirectories(file.getParent());
      }
      try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
        count = write(columns, rows.orderBy(order).toLocalIterator(), out);
      }
    } catch (IOException e) {
      throw new WebModelException("cannot write " + file + ": " + e.getMessage(), e);
    }
    return count;
  }

  /**
   * Writes a header of {@code columns}, then {@code rows} as CSV records in the format {@code load}
   * reads (timestamps in ISO-8601 UTC, NULL as an empty field); returns the rows written. The
   * caller closes {@code out}.
   */
  public static long write(String[] columns, Iterator<Row> rows, Appendable out)
      throws IOException {
    CSVPrinter printer = new CSVPrinter(out, FORMAT);
    printer.printRecord((Object[]) columns);
    Object[] values = new Object[columns.length];
    long count = 0;
    while (rows.hasNext()) {
      Row row = rows.next();
      for (int i = 0; i < columns.length; i++) {
        values[i] = format(row.get(i));
      }
      printer.printRecord(values);
      count++;
    }
    printer.flush();
    return count;
  }

  /** A value as {@code export} and {@code web-model sql} print it: timestamps in ISO-8601 UTC. */
  public static String text(Object value) {
    Object formatted = format(value);
    return formatted == null ? null : formatted.toString();
  }

  private static Object format(Object value) {
    if (value instanceof Instant instant) {
      return TIMESTAMP_OUT.format(instant);
    }
    if (value instanceof Boolean b) {
      return b.toString();
    }
    return value;
  }
}
