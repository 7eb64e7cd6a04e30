package org.sparkwebmodel.common.config;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.sparkwebmodel.common.error.WebModelException;
import org.sparkwebmodel.common.table.TableName;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads a playbook YAML file into a validated {@link Playbook}.
 *
 * <p>Format: top-level keys {@code module} (a module's name: {@code sessions}, {@code users},
 * {@code custom}, ...), {@code step} ({@code main}|{@code complete}|{@code destroy}) and {@code
 * variables}. The sql-runner spelling with a leading colon ({@code :variables:}, {@code
 * :scratch_schema:}) is accepted for every key, so a user's existing playbook variables can be
 * pasted in. An empty value means the default, as in sql-runner. Unknown keys, wrong types and bad
 * values are errors naming the file, the key and what is allowed; overrides ({@code --var
 * KEY=VALUE}) are checked the same way.
 */
public final class PlaybookLoader {
  static final List<String> TOP_LEVEL_KEYS = List.of("module", "step", "variables");

  /** Keys only custom playbooks ({@code module: custom}) have. */
  static final List<String> CUSTOM_KEYS = List.of("sql", "drop_tables");

  /** Every variable a playbook or {@code --var} may set, with its default (null: computed). */
  static final Map<String, Object> DEFAULTS = defaults();

  private static Map<String, Object> defaults() {
    Map<String, Object> defaults = new LinkedHashMap<>();
    defaults.put("scratch_schema", "scratch");
    defaults.put("output_schema", "derived");
    defaults.put("entropy", "");
    defaults.put("warehouse", "./warehouse");
    defaults.put("model_version", BuildInfo.defaultModelVersion());
    defaults.put("upsert_lookback", 30);
    defaults.put("upsert_lookback_days", 30);
    defaults.put("stage_next", true);
    defaults.put("skip_derived", false);
    defaults.put("cleanup_mode", "all");
    defaults.put("ends_run", false);
    defaults.put("catalog", "none");
    defaults.put("vacuum_retention_hours", 168);
    defaults.put("vacuum_force", false);
    defaults.put("events", "");
    defaults.put("input_schema", "atomic");
    defaults.put("start_date", "2020-01-01");
    defaults.put("lookback_window_hours", 6);
    defaults.put("days_late_allowed", 3);
    defaults.put("update_cadence_days", 7);
    defaults.put("session_lookback_days", 365);
    defaults.put("minimumVisitLength", 5);
    defaults.put("heartbeat", 10);
    defaults.put("ua_bot_filter", true);
    defaults.put("iab", false);
    defaults.put("ua_parser", false);
    defaults.put("yauaa", false);
    return Map.copyOf(defaults);
  }

  private PlaybookLoader() {}

  /** Loads a playbook file; {@code overrides} are {@code --var} values and win over the file. */
  public static Playbook load(Path file, Map<String, String> overrides) {
    return load(file.toString(), overrides);
  }

  /**
   * Loads a playbook from a local path or a URI ({@code s3://...}; see {@link ConfigFiles}); a
   * custom playbook's SQL files are read and rendered too.
   */
  public static Playbook load(String source, Map<String, String> overrides) {
    Object document;
    try {
      document =
          new Yaml(new SafeConstructor(new LoaderOptions()))
              .load(ConfigFiles.read(source, "playbook"));
    } catch (MarkedYAMLException e) {
      throw new WebModelException(
          "malformed YAML in "
              + source
              + " at line "
              + (e.getProblemMark().getLine() + 1)
              + ": "
              + e.getProblem());
    } catch (YAMLException e) {
      throw new WebModelException("malformed YAML in " + source + ": " + e.getMessage());
    }
    if (!(document instanceof Map<?, ?> top)) {
      throw new WebModelException(
          "playbook " + source + " must be a YAML mapping with keys " + TOP_LEVEL_KEYS);
    }
    Map<String, Object> keys = normalise(top, source, "");
    String module = moduleName(keys.get("module"), source);
    List<String> allowed = new ArrayList<>(TOP_LEVEL_KEYS);
    if (module.equals(Playbook.CUSTOM)) {
      allowed.addAll(CUSTOM_KEYS);
    }
    for (String key : keys.keySet()) {
      if (!allowed.contains(key)) {
        throw new WebModelException(
            "unknown key '"
                + key
                + "' in "
                + source
                + "; allowed: "
                + allowed
                + (CUSTOM_KEYS.contains(key) ? " (" + key + " is for module: custom)" : ""));
      }
    }
    Step step = parseEnum(keys.get("step"), "step", source, Step.values(), Step::value);
    Object variablesNode = keys.get("variables");
    Map<String, Object> raw = new LinkedHashMap<>();
    if (variablesNode != null) {
      if (!(variablesNode instanceof Map<?, ?> vars)) {
        throw new WebModelException(
            "key 'variables' in " + source + " must be a mapping of variable names to values");
      }
      raw.putAll(normalise(vars, source, "variables."));
    }
    Variables variables = variables(raw, source, overrides);
    if (!module.equals(Playbook.CUSTOM)) {
      return new Playbook(source, module, step, variables);
    }
    List<SqlFile> sql =
        stringList(keys.get("sql"), "sql", source).stream()
            .map(
                file -> SqlFile.load(ConfigFiles.resolve(source, file), variables.templateValues()))
            .toList();
    List<TableName> drops =
        stringList(keys.get("drop_tables"), "drop_tables", source).stream()
            .map(
                table ->
                    TableName.parse(
                        SqlFile.render(source, table, variables.templateValues()).trim()))
            .toList();
    if (sql.isEmpty() && drops.isEmpty()) {
      throw new WebModelException(
          "custom playbook " + source + " lists neither 'sql' files nor 'drop_tables'");
    }
    return new Playbook(source, module, step, variables, sql, drops);
  }

  /** A list of strings under {@code key} (missing: empty). */
  private static List<String> stringList(Object value, String key, String source) {
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof List<?> items)
        || !items.stream().allMatch(item -> item instanceof String s && !s.isBlank())) {
      throw new WebModelException(
          "key '" + key + "' in " + source + " must be a list of non-empty strings");
    }
    return items.stream().map(String.class::cast).toList();
  }

  /**
   * Builds variables from raw values (YAML scalars or strings), applying {@code overrides} ({@code
   * --var}, always strings) on top. Used for commands that take variables without a playbook too.
   */
  public static Variables variables(
      Map<String, Object> raw, String source, Map<String, String> overrides) {
    Map<String, Object> values = new LinkedHashMap<>();
    Map<String, String> origin = new LinkedHashMap<>();
    layer(values, origin, raw, source, key -> source);
    layer(values, origin, overrides, "--var", key -> "--var " + key + "=" + overrides.get(key));
    Values reader = new Values(values, origin);
    String lookbackKey =
        values.get("upsert_lookback") != null ? "upsert_lookback" : "upsert_lookback_days";
    return new Variables(
        reader.identifier("scratch_schema"),
        reader.identifier("output_schema"),
        reader.entropy(),
        reader.text("warehouse"),
        reader.text("model_version"),
        reader.nonNegativeInt("upsert_lookback"),
        reader.bool("stage_next"),
        reader.bool("skip_derived"),
        reader.cleanupMode(),
        reader.bool("ends_run"),
        reader.catalog(),
        new Variables.Base(
            reader.events(),
            reader.identifier("input_schema"),
            reader.date("start_date"),
            reader.count("lookback_window_hours", "hours", 0),
            reader.count("days_late_allowed", "days", 0),
            reader.count("update_cadence_days", "days", 0),
            reader.count("session_lookback_days", "days", 0)),
        new Variables.PageViews(
            reader.count("minimumVisitLength", "seconds", 0),
            reader.count("heartbeat", "seconds", 1),
            reader.bool("ua_bot_filter"),
            reader.bool("iab"),
            reader.bool("ua_parser"),
            reader.bool("yauaa")),
        reader.maintenance());
  }

  /**
   * Applies one layer of values (the playbook's, then --var). The reference's spelling {@code
   * upsert_lookback_days} is folded into {@code upsert_lookback} within the layer, so a later layer
   * may use either spelling; an empty value means "not set here".
   */
  private static void layer(
      Map<String, Object> values,
      Map<String, String> origin,
      Map<String, ?> layer,
      String source,
      Function<String, String> originOf) {
    Object lookback = null;
    String lookbackKey = null;
    for (Map.Entry<String, ?> entry : layer.entrySet()) {
      String key = entry.getKey();
      requireKnown(key, source);
      Object value = entry.getValue();
      if (!key.startsWith("upsert_lookback")) {
        values.put(key, value);
        origin.put(key, originOf.apply(key));
      } else if (value != null && !value.toString().isEmpty()) {
        if (lookback != null && !lookback.toString().equals(value.toString())) {
          throw new WebModelException(
              "upsert_lookback and upsert_lookback_days are the same variable and disagree: "
                  + lookback
                  + " vs "
                  + value
                  + " ("
                  + source
                  + "); set one of them");
        }
        lookback = value;
        lookbackKey = key;
      }
    }
    if (lookback != null) {
      values.put("upsert_lookback", lookback);
      origin.put("upsert_lookback", originOf.apply(lookbackKey));
    }
  }

  private static void requireKnown(String key, String source) {
    if (!DEFAULTS.containsKey(key)) {
      throw new WebModelException(
          "unknown variable '"
              + key
              + "' in "
              + source
              + "; allowed: "
              + DEFAULTS.keySet().stream().sorted().toList());
    }
  }

  /** Strips the sql-runner leading colon from keys and rejects non-string or duplicate keys. */
  private static Map<String, Object> normalise(Map<?, ?> node, String source, String path) {
    Map<String, Object> result = new LinkedHashMap<>();
    for (Map.Entry<?, ?> entry : node.entrySet()) {
      if (!(entry.getKey() instanceof String key)) {
        throw new WebModelException(
            "key '" + path + entry.getKey() + "' in " + source + " must be a string");
      }
      String name = key.startsWith(":") ? key.substring(1) : key;
      if (result.containsKey(name)) {
        throw new WebModelException("key '" + path + name + "' appears twice in " + source);
      }
      result.put(name, entry.getValue());
    }
    return result;
  }

  /**
   * The module a playbook names: a lower-case name ({@code sessions}, {@code users}, {@code
   * custom}); which modules exist is known to the step layer, which finds them on the classpath.
   */
  private static String moduleName(Object value, String source) {
    if (value == null) {
      throw new WebModelException(
          "missing key 'module' in " + source + "; the module to run, e.g. module: sessions");
    }
    String name = String.valueOf(value);
    if (!name.matches("[a-z][a-z0-9_-]*")) {
      throw new WebModelException(
          "module must be a module's name (lower-case letters, digits, _ and -), got: '"
              + name
              + "' ("
              + source
              + ")");
    }
    return name;
  }

  private static <E extends Enum<E>> E parseEnum(
      Object value, String key, String source, E[] allowed, Function<E, String> name) {
    List<String> names = Arrays.stream(allowed).map(name).toList();
    if (value == null) {
      throw new WebModelException("missing key '" + key + "' in " + source + "; one of " + names);
    }
    return Arrays.stream(allowed)
        .filter(candidate -> name.apply(candidate).equals(String.valueOf(value)))
        .findFirst()
        .orElseThrow(
            () ->
                new WebModelException(
                    key + " must be one of " + names + ", got: '" + value + "' (" + source + ")"));
  }

  /** Typed access to the merged values; an empty or missing value yields the default. */
  private record Values(Map<String, Object> values, Map<String, String> origin) {

    private Object value(String key) {
      Object value = values.get(key);
      if (value == null || (value instanceof String s && s.isEmpty() && !key.equals("entropy"))) {
        return DEFAULTS.get(key);
      }
      return value;
    }

    private WebModelException bad(String key, Object value, String allowed) {
      return new WebModelException(
          key + " must be " + allowed + ", got: '" + value + "' (" + origin.get(key) + ")");
    }

    String text(String key) {
      Object value = value(key);
      if (!(value instanceof String text)) {
        throw bad(key, value, "a string");
      }
      return text;
    }

    String identifier(String key) {
      String text = text(key);
      if (!text.matches("[A-Za-z_][A-Za-z0-9_]*")) {
        throw bad(key, text, "a schema name matching [A-Za-z_][A-Za-z0-9_]*");
      }
      return text;
    }

    String entropy() {
      Object value = values.getOrDefault("entropy", "");
      String text = value == null ? "" : value.toString();
      if (!(value == null || value instanceof String) || !text.matches("[A-Za-z0-9_]*")) {
        throw bad("entropy", value, "a table-name suffix matching [A-Za-z0-9_]* (may be empty)");
      }
      return text;
    }

    boolean bool(String key) {
      Object value = value(key);
      if (value instanceof Boolean b) {
        return b;
      }
      if (value instanceof String s) {
        switch (s.toLowerCase(Locale.ROOT)) {
          case "true":
            return true;
          case "false":
            return false;
          default:
            break;
        }
      }
      throw bad(key, value, "true or false");
    }

    int nonNegativeInt(String key) {
      Object value = value(key);
      int number;
      if (value instanceof Integer i) {
        number = i;
      } else if (value instanceof String s && s.matches("[0-9]{1,9}")) {
        number = Integer.parseInt(s);
      } else {
        throw bad(key, value, "a whole number of days >= 0");
      }
      if (number < 0) {
        throw bad(key, value, "a whole number of days >= 0");
      }
      return number;
    }

    /** A whole number of {@code unit} at least {@code least}. */
    int count(String key, String unit, int least) {
      Object value = value(key);
      String allowed = "a whole number of " + unit + " >= " + least;
      if (value instanceof Integer i && i >= least) {
        return i;
      }
      if (value instanceof String s && s.matches("[0-9]{1,9}") && Integer.parseInt(s) >= least) {
        return Integer.parseInt(s);
      }
      throw bad(key, value, allowed);
    }

    /** A date {@code YYYY-MM-DD} (YAML may give it as a date already). */
    LocalDate date(String key) {
      Object value = value(key);
      if (value instanceof java.util.Date d) {
        return d.toInstant().atZone(java.time.ZoneOffset.UTC).toLocalDate();
      }
      try {
        return LocalDate.parse(String.valueOf(value));
      } catch (java.time.format.DateTimeParseException e) {
        throw bad(key, value, "a date YYYY-MM-DD");
      }
    }

    /**
     * The events table: empty (the default, {@code <input_schema>.events}), {@code schema.table} of
     * the warehouse, or a path or URI of a Delta table.
     */
    String events() {
      Object value = value("events");
      if (!(value instanceof String text) || text.isBlank() && !text.isEmpty()) {
        throw bad("events", value, "schema.table of the warehouse or a Delta table path or URI");
      }
      return text.trim();
    }

    /** {@code none} or {@code session}: whether the model's tables are registered by name. */
    boolean catalog() {
      Object value = value("catalog");
      String text = value == null ? "" : value.toString();
      if (!text.equals("none") && !text.equals("session")) {
        throw bad("catalog", value, "one of [none, session]");
      }
      return text.equals("session");
    }

    /**
     * The maintenance variables: a retention below Delta's 7 days is refused here, before a run
     * takes its lock, unless {@code vacuum_force}.
     */
    Variables.Maintenance maintenance() {
      int hours = count("vacuum_retention_hours", "hours", 0);
      boolean force = bool("vacuum_force");
      if (hours < Variables.Maintenance.SAFE_RETENTION_HOURS && !force) {
        throw bad(
            "vacuum_retention_hours",
            value("vacuum_retention_hours"),
            "at least "
                + Variables.Maintenance.SAFE_RETENTION_HOURS
                + " (Delta's 7 days) unless vacuum_force: true, since VACUUM would delete files"
                + " that a query still reading, time travel, or the retry of a killed main (which"
                + " re-reads the staged version it pinned) may need");
      }
      return new Variables.Maintenance(hours, force);
    }

    CleanupMode cleanupMode() {
      Object value = value("cleanup_mode");
      try {
        return CleanupMode.parse(String.valueOf(value));
      } catch (IllegalArgumentException e) {
        throw bad("cleanup_mode", value, "one of [all, debug, trace]");
      }
    }
  }
}
