package org.sparkwebmodel.common.csv;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.exists;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.filter;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.get_json_object;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.regexp_extract;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.split;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.transform;
import static org.apache.spark.sql.functions.try_element_at;
import static org.apache.spark.sql.functions.when;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkwebmodel.common.delta.DeltaStore;
import org.sparkwebmodel.common.delta.EventsTable;
import org.sparkwebmodel.common.error.WebModelException;
import org.sparkwebmodel.common.table.AtomicEvents;
import org.sparkwebmodel.common.table.TableName;

/**
 * Loads Snowplow enriched events in their canonical TSV form (one event a line, {@link #FIELDS} in
 * order, tab-separated) into the atomic events table in the Lake Loader's layout ({@link
 * AtomicEvents}, DECISIONS 21).
 *
 * <p>The file is read by Spark and never held in the driver: a file larger than the driver's heap
 * loads, and local paths and {@code s3://} or {@code gs://} URIs work alike. Every line is checked
 * first (field count, types, required fields, the self-describing JSON of {@code contexts}, {@code
 * derived_contexts} and {@code unstruct_event}); the first bad line fails the load naming the file,
 * the line, the field and the value, and nothing is written. Then the events are appended in one
 * commit:
 *
 * <ul>
 *   <li>atomic fields cast to their {@link AtomicEvents#ATOMIC} types: empty is NULL, timestamps
 *       {@code yyyy-MM-dd HH:mm:ss[.SSSSSS]} in UTC, booleans {@code 1}/{@code 0}; {@code
 *       load_tstamp} is the load's time, one for the whole load;
 *   <li>the entities of {@code contexts} and {@code derived_contexts} grouped by schema vendor,
 *       name and major version into {@code contexts_<vendor>_<name>_<major>} columns, arrays of
 *       structs whose fields are the entity's properties in snake_case; the unstructured event in
 *       {@code unstruct_event_<vendor>_<name>_<major>}, a struct;
 *   <li>the modelled entities ({@link AtomicEvents#MODELLED}) get exactly their declared structs;
 *       for any other entity the struct is inferred from the entities of this file (Spark's JSON
 *       schema inference: integers {@code BIGINT}, other numbers {@code DOUBLE}, timestamps stay
 *       {@code STRING}, fields in alphabetical order), since the Iglu schema is not at hand. An
 *       entity column that exists in the table with other types makes the append fail.
 * </ul>
 *
 * The file is read up to four times: to number the lines (when Spark splits it), to check them, to
 * infer the unknown entities' structs and to write.
 */
public final class EnrichedTsv {
  private static final Logger LOG = LoggerFactory.getLogger(EnrichedTsv.class);

  /** The field that holds the tracker's entities. */
  public static final String CONTEXTS = "contexts";

  /** The field that holds the unstructured (self-describing) event. */
  public static final String UNSTRUCT_EVENT = "unstruct_event";

  /** The field that holds the enrichments' entities. */
  public static final String DERIVED_CONTEXTS = "derived_contexts";

  /**
   * The 131 fields of an enriched event line, in order: the atomic columns without {@code
   * load_tstamp}, with {@code contexts} after {@code mkt_campaign}, {@code unstruct_event} after
   * {@code se_value} and {@code derived_contexts} after {@code refr_dvce_tstamp}.
   */
  public static final List<String> FIELDS = fieldNames();

  /** The prefix of the column of an unstructured event. */
  static final String UNSTRUCT_PREFIX = "unstruct_event_";

  private static final String CONTEXTS_URI =
      "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-";
  private static final String UNSTRUCT_URI =
      "iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-";

  /** An Iglu URI: vendor, name and major version as groups 1 to 3. */
  private static final String IGLU =
      "^iglu:([A-Za-z0-9_.-]+)/([A-Za-z0-9_-]+)/jsonschema/(0|[1-9][0-9]*)-[0-9]+-[0-9]+$";

  private static final String TIMESTAMP =
      "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,6})?$";
  private static final String INTEGER = "^[+-]?[0-9]+$";
  private static final String DECIMAL = "^[+-]?[0-9]+(\\.[0-9]+)?$";

  /** One entity of a contexts array, its data kept as JSON text. */
  private static final StructType ENTITY = StructType.fromDDL("schema STRING, data STRING");

  private static final StructType CONTEXTS_JSON =
      new StructType().add("schema", DataTypes.StringType).add("data", new ArrayType(ENTITY, true));

  private static final StructType UNSTRUCT_JSON =
      new StructType().add("schema", DataTypes.StringType).add("data", ENTITY);

  /** The longest value a message quotes in full. */
  private static final int QUOTED = 200;

  private EnrichedTsv() {}

  /** What a load wrote: the events and the entity columns they filled. */
  public record Loaded(long events, List<String> entityColumns) {}

  /**
   * An entity column to write: its name, the struct of the entity's JSON (properties as named in
   * the JSON) and the struct written (the same properties in snake_case).
   */
  record EntityColumn(String name, DataType json, DataType written) {}

  private static List<String> fieldNames() {
    List<String> names = new ArrayList<>();
    for (StructField field : AtomicEvents.ATOMIC.fields()) {
      if (field.name().equals("load_tstamp")) {
        continue;
      }
      names.add(field.name());
      switch (field.name()) {
        case "mkt_campaign" -> names.add(CONTEXTS);
        case "se_value" -> names.add(UNSTRUCT_EVENT);
        case "refr_dvce_tstamp" -> names.add(DERIVED_CONTEXTS);
        default -> {}
      }
    }
    return List.copyOf(names);
  }

  /**
   * Appends the events of the enriched TSV {@code file} (a local path or a URI Hadoop reads, e.g.
   * {@code s3://bucket/enriched/part-0000.gz}) to {@code table}, creating it if missing, with
   * {@code loadTstamp} as every event's {@code load_tstamp}. Nothing is written if a line is bad.
   */
  public static Loaded load(DeltaStore store, TableName table, String file, Instant loadTstamp) {
    SparkSession spark = store.spark();
    InputFiles.require(spark, file, "enriched TSV");
    Dataset<Row> fieldsDF = fields(lines(spark, file));
    long events = phase(spark, "load " + file + ": check", () -> check(fieldsDF, file));
    Dataset<Row> parsedDF = parse(fieldsDF, loadTstamp);
    List<EntityColumn> columns =
        phase(spark, "load " + file + ": entity types", () -> entityColumns(spark, parsedDF));
    phase(
        spark,
        "load " + file + ": append to " + table,
        () -> {
          EventsTable.append(store, table, events(parsedDF, columns));
          return null;
        });
    List<String> names = columns.stream().map(EntityColumn::name).toList();
    LOG.info("loaded {} events from {} into {}, entity columns {}", events, file, table, names);
    return new Loaded(events, names);
  }

  private static <T> T phase(SparkSession spark, String description, Supplier<T> work) {
    spark.sparkContext().setJobDescription(description);
    try {
      return work.get();
    } finally {
      spark.sparkContext().setJobDescription(null);
    }
  }

  /**
   * The lines of {@code file} with their 1-based numbers ({@code line BIGINT, value STRING}), read
   * by Spark in file order (compressed files are decompressed by their extension).
   */
  static Dataset<Row> lines(SparkSession spark, String file) {
    return lines(spark, file, spark.sparkContext().defaultMinPartitions());
  }

  /**
   * As {@link #lines(SparkSession, String)}, in at least {@code minPartitions} splits: the splits
   * of one file are in file order, so numbering them in partition order numbers the lines.
   */
  static Dataset<Row> lines(SparkSession spark, String file, int minPartitions) {
    JavaRDD<Row> numbered =
        spark
            .sparkContext()
            .textFile(file, minPartitions)
            .toJavaRDD()
            .zipWithIndex()
            .map(pair -> RowFactory.create(pair._2() + 1, pair._1()));
    return spark.createDataFrame(numbered, StructType.fromDDL("line BIGINT, value STRING"));
  }

  /**
   * {@code line}, {@code field_count} and a STRING column per field of {@link #FIELDS} (NULL when
   * empty or missing).
   */
  static Dataset<Row> fields(Dataset<Row> linesDF) {
    Dataset<Row> splitDF = linesDF.select(col("line"), split(col("value"), "\t", -1).as("fields"));
    List<Column> columns = new ArrayList<>();
    columns.add(col("line"));
    columns.add(size(col("fields")).as("field_count"));
    for (int i = 0; i < FIELDS.size(); i++) {
      Column value = try_element_at(col("fields"), lit(i + 1));
      columns.add(when(value.notEqual(""), value).as(FIELDS.get(i)));
    }
    return splitDF.select(columns.toArray(Column[]::new));
  }

  /**
   * Checks every line of {@code fieldsDF} and returns the number of lines; fails on the first bad
   * line (smallest line number; in it, the first bad field).
   */
  static long check(Dataset<Row> fieldsDF, String file) {
    Column error =
        when(
                col("field_count").notEqual(FIELDS.size()),
                problem(
                    null,
                    col("field_count").cast("STRING"),
                    concat(
                        col("field_count").cast("STRING"),
                        lit(" tab-separated fields, an enriched event has " + FIELDS.size()))))
            .otherwise(coalesce(fieldProblems().toArray(Column[]::new)));
    Row result =
        fieldsDF
            .agg(
                count(lit(1)), min(when(error.isNotNull(), struct(col("line"), error.as("error")))))
            .first();
    if (!result.isNullAt(1)) {
      Row first = result.getStruct(1);
      throw new WebModelException(message(file, first.getLong(0), first.getStruct(1)));
    }
    return result.getLong(0);
  }

  private static String message(String file, long line, Row error) {
    String field = error.getString(0);
    String value = error.getString(1);
    String problem = error.getString(2);
    if (field == null) {
      return file + " line " + line + ": " + problem;
    }
    String where = file + " line " + line + ", field " + field + ": ";
    if (value == null) {
      return where + problem;
    }
    String quoted = value.length() > QUOTED ? value.substring(0, QUOTED) + "..." : value;
    return where + "'" + quoted + "' " + problem;
  }

  private static Column problem(String field, Column value, Column problem) {
    return struct(
        lit(field).cast("STRING").as("field"),
        value.cast("STRING").as("value"),
        problem.as("problem"));
  }

  private static Column problem(String field, String problem) {
    return problem(field, col(field), lit(problem));
  }

  /** For each field in order, the problem of its value or NULL. */
  private static List<Column> fieldProblems() {
    List<String> required =
        AtomicEvents.REQUIRED.stream().filter(name -> !name.equals("load_tstamp")).toList();
    List<Column> problems = new ArrayList<>();
    for (String field : FIELDS) {
      Column value = col(field);
      if (required.contains(field)) {
        problems.add(
            when(
                value.isNull(),
                problem(field, lit(null), lit("must not be empty: the field is required"))));
      }
      switch (field) {
        case CONTEXTS, DERIVED_CONTEXTS ->
            problems.addAll(jsonProblems(field, CONTEXTS_JSON, CONTEXTS_URI, "contexts"));
        case UNSTRUCT_EVENT ->
            problems.addAll(jsonProblems(field, UNSTRUCT_JSON, UNSTRUCT_URI, "unstruct_event"));
        default -> {
          DataType type = AtomicEvents.typeOf(AtomicEvents.ATOMIC, field);
          if (!type.equals(DataTypes.StringType)) {
            problems.add(
                when(
                    value.isNotNull().and(typed(field, type).isNull()),
                    problem(field, expected(type))));
          }
        }
      }
    }
    return problems;
  }

  private static String expected(DataType type) {
    if (type.equals(DataTypes.TimestampType)) {
      return "is not a valid TIMESTAMP (expected yyyy-MM-dd HH:mm:ss.SSS, UTC)";
    }
    if (type.equals(DataTypes.BooleanType)) {
      return "is not a valid BOOLEAN (expected 1 or 0)";
    }
    return "is not a valid " + type.sql();
  }

  private static List<Column> jsonProblems(
      String field, StructType jsonType, String uri, String what) {
    Column value = col(field);
    Column parsed = from_json(value, jsonType);
    Column data = parsed.getField("data");
    Column selfDescribing =
        coalesce(parsed.getField("schema").startsWith(uri).and(data.isNotNull()), lit(false));
    Column badEntity =
        what.equals("contexts")
            ? exists(data, entity -> not(igluEntity(entity)))
            : not(igluEntity(data));
    return List.of(
        when(
            value.isNotNull().and(get_json_object(value, "$").isNull()),
            problem(field, "is not valid JSON")),
        when(
            value.isNotNull().and(not(selfDescribing)),
            problem(field, "is not a self-describing JSON with schema " + uri + "*")),
        when(
            value.isNotNull().and(badEntity),
            problem(
                field,
                "holds an entity without data or without an Iglu schema URI"
                    + " (iglu:VENDOR/NAME/jsonschema/M-m-p)")));
  }

  private static Column igluEntity(Column entity) {
    return coalesce(
        entity.getField("schema").rlike(IGLU).and(entity.getField("data").isNotNull()), lit(false));
  }

  /** The value of STRING column {@code field} as {@code type}, NULL when it is not one. */
  static Column typed(String field, DataType type) {
    Column value = col(field);
    String quoted = "`" + field + "`";
    if (type.equals(DataTypes.StringType)) {
      return value;
    } else if (type.equals(DataTypes.TimestampType)) {
      // The fields are UTC: the zone is written out, whatever the session's time zone.
      return when(
          value.rlike(TIMESTAMP), expr("try_cast(concat(" + quoted + ", 'Z') AS TIMESTAMP)"));
    } else if (type.equals(DataTypes.IntegerType)) {
      return when(value.rlike(INTEGER), expr("try_cast(" + quoted + " AS INT)"));
    } else if (type.equals(DataTypes.DoubleType)) {
      return expr("try_cast(" + quoted + " AS DOUBLE)");
    } else if (type instanceof DecimalType) {
      return when(value.rlike(DECIMAL), expr("try_cast(" + quoted + " AS " + type.sql() + ")"));
    } else if (type.equals(DataTypes.BooleanType)) {
      return when(value.equalTo("1"), lit(true)).when(value.equalTo("0"), lit(false));
    }
    throw new IllegalArgumentException("no TSV conversion to " + type.sql() + " for " + field);
  }

  /**
   * The checked lines as the atomic columns (typed, {@code load_tstamp} set), {@code _entities}
   * (every entity of contexts and derived contexts: {@code column}, its target column, and {@code
   * data}, its JSON text) and {@code _unstruct} (the unstructured event with its target column).
   */
  static Dataset<Row> parse(Dataset<Row> fieldsDF, Instant loadTstamp) {
    List<Column> columns = new ArrayList<>();
    for (StructField field : AtomicEvents.ATOMIC.fields()) {
      columns.add(
          field.name().equals("load_tstamp")
              ? lit(loadTstamp).as(field.name())
              : typed(field.name(), field.dataType()).as(field.name()));
    }
    Column none = array().cast(new ArrayType(ENTITY, true));
    Column entities =
        concat(
            coalesce(from_json(col(CONTEXTS), CONTEXTS_JSON).getField("data"), none),
            coalesce(from_json(col(DERIVED_CONTEXTS), CONTEXTS_JSON).getField("data"), none));
    columns.add(
        transform(
                entities,
                entity ->
                    struct(
                        column("contexts_", entity.getField("schema")).as("column"),
                        entity.getField("data").as("data")))
            .as("_entities"));
    Column unstruct = from_json(col(UNSTRUCT_EVENT), UNSTRUCT_JSON).getField("data");
    columns.add(
        when(
                unstruct.isNotNull(),
                struct(
                    column(UNSTRUCT_PREFIX, unstruct.getField("schema")).as("column"),
                    unstruct.getField("data").as("data")))
            .as("_unstruct"));
    return fieldsDF.select(columns.toArray(Column[]::new));
  }

  /** {@code <prefix><vendor>_<name>_<major>} of an Iglu URI, as {@link AtomicEvents} names it. */
  private static Column column(String prefix, Column schema) {
    return concat(
        lit(prefix),
        normalise(regexp_extract(schema, IGLU, 1)),
        lit("_"),
        normalise(regexp_extract(schema, IGLU, 2)),
        lit("_"),
        regexp_extract(schema, IGLU, 3));
  }

  private static Column normalise(Column part) {
    return regexp_replace(lower(part), "[^a-z0-9]", "_");
  }

  /**
   * The entity columns the parsed events fill, ordered by name: the modelled entities with their
   * declared structs, the others with structs inferred from their data in one pass. An unknown
   * entity whose data is {@code {}} in every event of the file gets no column (a struct needs a
   * field).
   */
  static List<EntityColumn> entityColumns(SparkSession spark, Dataset<Row> parsedDF) {
    Map<String, AtomicEvents.Entity> modelled = new HashMap<>();
    AtomicEvents.MODELLED.forEach(entity -> modelled.put(entity.column(), entity));
    Object[] known = modelled.keySet().toArray();
    // One JSON object per entity, keyed by its column; for a modelled entity only the key matters.
    Dataset<String> keyed =
        parsedDF
            .select(explode(col("_entities")).as("e"))
            .select(col("e.column").as("column"), col("e.data").as("data"))
            .union(parsedDF.where(col("_unstruct").isNotNull()).select(col("_unstruct.*")))
            .select(
                concat(
                    lit("{\""),
                    col("column"),
                    lit("\":"),
                    when(col("column").isin(known), lit("true")).otherwise(col("data")),
                    lit("}")))
            .as(Encoders.STRING());
    StructType inferred = spark.read().option("mode", "FAILFAST").json(keyed).schema();
    List<EntityColumn> columns = new ArrayList<>();
    for (StructField field : inferred.fields()) {
      AtomicEvents.Entity entity = modelled.get(field.name());
      if (entity != null) {
        columns.add(
            new EntityColumn(
                field.name(), camelCase(entity.fields()), entity.type().elementType()));
      } else {
        columns.add(
            new EntityColumn(
                field.name(), field.dataType(), snakeCase(field.name(), field.dataType())));
      }
    }
    columns.sort(java.util.Comparator.comparing(EntityColumn::name));
    return columns;
  }

  /** The events as the table stores them: atomic columns then the entity columns. */
  static Dataset<Row> events(Dataset<Row> parsedDF, List<EntityColumn> entityColumns) {
    List<Column> columns = new ArrayList<>();
    for (String name : AtomicEvents.ATOMIC.fieldNames()) {
      columns.add(col(name));
    }
    for (EntityColumn entity : entityColumns) {
      if (entity.name().startsWith(UNSTRUCT_PREFIX)) {
        Column unstruct = col("_unstruct");
        columns.add(
            when(
                    unstruct.getField("column").equalTo(entity.name()),
                    from_json(unstruct.getField("data"), entity.json()).cast(entity.written()))
                .as(entity.name()));
      } else {
        Column own = filter(col("_entities"), e -> e.getField("column").equalTo(entity.name()));
        columns.add(
            when(
                    size(own).gt(0),
                    transform(
                        own,
                        e -> from_json(e.getField("data"), entity.json()).cast(entity.written())))
                .as(entity.name()));
      }
    }
    return parsedDF.select(columns.toArray(Column[]::new));
  }

  private static final Pattern SNAKE_UPPER_RUN = Pattern.compile("([A-Z]+)([A-Z][a-z])");
  private static final Pattern SNAKE_LOWER_UPPER = Pattern.compile("([a-z0-9])([A-Z])");

  /**
   * A property name in snake_case as the Lake Loader writes it: {@code spiderOrRobot} → {@code
   * spider_or_robot}, {@code agentNameVersionMajor} → {@code agent_name_version_major}, {@code
   * HTMLElement} → {@code html_element}; characters outside {@code [a-z0-9_]} become {@code _}.
   */
  public static String snakeCase(String name) {
    String split = SNAKE_UPPER_RUN.matcher(name).replaceAll("$1_$2");
    split = SNAKE_LOWER_UPPER.matcher(split).replaceAll("$1_$2");
    return split.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
  }

  /** {@code type} with every struct field's name in snake_case; two names alike fail. */
  static DataType snakeCase(String column, DataType type) {
    if (type instanceof StructType struct) {
      Map<String, String> seen = new HashMap<>();
      List<StructField> fields = new ArrayList<>();
      for (StructField field : struct.fields()) {
        String name = snakeCase(field.name());
        String before = seen.put(name, field.name());
        if (before != null) {
          throw new WebModelException(
              "entity column "
                  + column
                  + ": properties '"
                  + before
                  + "' and '"
                  + field.name()
                  + "' both become '"
                  + name
                  + "' in snake_case");
        }
        fields.add(
            new StructField(
                name, snakeCase(column, field.dataType()), field.nullable(), field.metadata()));
      }
      return new StructType(fields.toArray(StructField[]::new));
    } else if (type instanceof ArrayType array) {
      return new ArrayType(snakeCase(column, array.elementType()), array.containsNull());
    } else if (type instanceof MapType map) {
      return new MapType(
          map.keyType(), snakeCase(column, map.valueType()), map.valueContainsNull());
    }
    return type;
  }

  /** A declared (snake_case) entity struct with its fields named as in the JSON: camelCase. */
  static StructType camelCase(StructType declared) {
    return new StructType(
        Arrays.stream(declared.fields())
            .map(
                field ->
                    new StructField(
                        camelCase(field.name()),
                        field.dataType(),
                        field.nullable(),
                        field.metadata()))
            .toArray(StructField[]::new));
  }

  private static final Pattern UNDERSCORE_LETTER = Pattern.compile("_([a-z0-9])");

  static String camelCase(String snake) {
    Matcher matcher = UNDERSCORE_LETTER.matcher(snake);
    StringBuilder out = new StringBuilder();
    while (matcher.find()) {
      matcher.appendReplacement(out, matcher.group(1).toUpperCase(Locale.ROOT));
    }
    matcher.appendTail(out);
    return out.toString();
  }
}
