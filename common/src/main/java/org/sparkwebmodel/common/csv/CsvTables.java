package org.sparkwebmodel.common.csv;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;
import org.apache.commons.csv.QuoteMode;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.sparkwebmodel.common.delta.DeltaStore;
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
   * Appends the rows of {@code file} to {@code table} in one commit; nothing is written if any line
   * is bad. A missing {@code page_views_staged*} table is created with its 98 columns. With a
   * {@code loadId}, only once: a second load with the same id adds nothing (Delta's txnAppId), so a
   * scheduler may retry a load whose process died after its commit.
   */
  public static Loaded load(DeltaStore store, TableName table, Path file, String loadId) {
    ModelTable input = ModelTables.PAGE_VIEWS_STAGED;
    boolean staged = input.isNameOf(table);
    StructType schema;
    if (store.exists(table)) {
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
    // The key (page_view_id) is the one NOT NULL column of page views (reference §2.1).
    List<Row> rows = parse(file, table, schema, staged ? input.key() : null);
    store.createIfMissing(table, schema);
    if (rows.isEmpty()) {
      return new Loaded(0, false);
    }
    if (loadId == null) {
      store.append(table, store.spark().createDataFrame(rows, schema));
      return new Loaded(rows.size(), false);
    }
    // A load re-run after its commit (its process died before it reported) adds nothing: Delta
    // skips a write whose transaction id it committed before.
    long before = store.version(table);
    store.appendOnce(
        table, store.spark().createDataFrame(rows, schema), "web-model load " + loadId);
    if (store.version(table) == before) {
      return new Loaded(0, true);
    }
    return new Loaded(rows.size(), false);
  }

  static List<Row> parse(Path file, TableName table, StructType schema, String notNull) {
    Map<String, Integer> positions = new HashMap<>();
    for (int i = 0; i < schema.size(); i++) {
      positions.put(schema.fields()[i].name(), i);
    }
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
        CSVParser parser = FORMAT.parse(reader)) {
      Iterator<CSVRecord> records = parser.iterator();
      if (!records.hasNext()) {
        throw new WebModelException(file + " is empty: expected a header row");
      }
      CSVRecord header = records.next();
      int[] target = new int[header.size()];
      for (int i = 0; i < header.size(); i++) {
        String name = header.get(i);
        Integer position = name == null ? null : positions.get(name);
        if (position == null) {
          throw new WebModelException(
              file + " line 1: unknown column '" + name + "' for table " + table);
        }
        if (Arrays.stream(target, 0, i).anyMatch(p -> p == position)) {
          throw new WebModelException(file + " line 1: column '" + name + "' appears twice");
        }
        target[i] = position;
      }
      int notNullPosition = notNull == null ? -1 : schema.fieldIndex(notNull);
      if (notNull != null && Arrays.stream(target).noneMatch(p -> p == notNullPosition)) {
        throw new WebModelException(
            file + " line 1: required column '" + notNull + "' is missing for table " + table);
      }
      List<Row> rows = new ArrayList<>();
      long line = parser.getCurrentLineNumber() + 1;
      while (records.hasNext()) {
        CSVRecord record = records.next();
        if (record.size() != header.size()) {
          throw new WebModelException(
              file
                  + " line "
                  + line
                  + ": "
                  + record.size()
                  + " fields, the header has "
                  + header.size());
        }
        Object[] values = new Object[schema.size()];
        for (int i = 0; i < record.size(); i++) {
          StructField field = schema.fields()[target[i]];
          values[target[i]] = convert(record.get(i), field, file, line);
        }
        if (notNull != null && values[notNullPosition] == null) {
          throw new WebModelException(
              file + " line " + line + ", column " + notNull + ": must not be NULL (empty)");
        }
        rows.add(RowFactory.create(values));
        // The next record starts on the line after the one this record ended on.
        line = parser.getCurrentLineNumber() + 1;
      }
      return rows;
    } catch (NoSuchFileException e) {
      throw new WebModelException("CSV file not found: " + file);
    } catch (UncheckedIOException e) {
      throw new WebModelException("cannot read " + file + ": " + e.getCause().getMessage(), e);
    } catch (CharacterCodingException e) {
      throw new WebModelException(file + " is not valid UTF-8", e);
    } catch (IOException e) {
      throw new WebModelException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private static Object convert(String text, StructField field, Path file, long line) {
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
      try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
          CSVPrinter printer = new CSVPrinter(out, FORMAT)) {
        printer.printRecord((Object[]) columns);
        Iterator<Row> it = rows.orderBy(order).toLocalIterator();
        Object[] values = new Object[columns.length];
        while (it.hasNext()) {
          Row row = it.next();
          for (int i = 0; i < columns.length; i++) {
            values[i] = format(row.get(i));
          }
          printer.printRecord(values);
          count++;
        }
      }
    } catch (IOException e) {
      throw new WebModelException("cannot write " + file + ": " + e.getMessage(), e);
    }
    return count;
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
