package org.sparkwebmodel.common.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sparkwebmodel.common.error.WebModelException;

/**
 * One SQL file of a custom step, rendered and split into statements when the playbook is loaded, so
 * a bad template stops a run before its first step.
 *
 * <p>Templates follow sql-runner: {@code {{.scratch_schema}}}, {@code {{.output_schema}}}, {@code
 * {{.entropy}}} and every other playbook variable ({@link Variables#templateValues()}), with
 * optional spaces inside the braces. Any other template expression, or an unknown variable, is an
 * error naming the file and line. Statements are separated by {@code ;} outside quotes, backquotes
 * and comments.
 *
 * @param source where the file was read from, for messages
 * @param statements the rendered statements in order, comments kept, empty ones left out
 */
public record SqlFile(String source, List<String> statements) {
  private static final Pattern TEMPLATE = Pattern.compile("\\{\\{(.*?)}}");
  private static final Pattern VARIABLE = Pattern.compile("\\s*\\.([A-Za-z_][A-Za-z0-9_]*)\\s*");

  /** Reads, renders and splits the SQL file at {@code location}. */
  public static SqlFile load(String location, Map<String, String> values) {
    return parse(location, ConfigFiles.read(location, "SQL file"), values);
  }

  /** Renders and splits {@code text} read from {@code source}. */
  public static SqlFile parse(String source, String text, Map<String, String> values) {
    List<String> statements =
        split(render(source, text, values)).stream().filter(SqlFile::hasCode).toList();
    if (statements.isEmpty()) {
      throw new WebModelException("SQL file " + source + " holds no statement");
    }
    return new SqlFile(source, statements);
  }

  static String render(String source, String text, Map<String, String> values) {
    Matcher matcher = TEMPLATE.matcher(text);
    StringBuilder rendered = new StringBuilder();
    while (matcher.find()) {
      String line = " line " + (text.substring(0, matcher.start()).split("\n", -1).length);
      Matcher variable = VARIABLE.matcher(matcher.group(1));
      if (!variable.matches()) {
        throw new WebModelException(
            "unsupported template expression '"
                + matcher.group()
                + "' in "
                + source
                + line
                + "; only {{.variable}} is supported");
      }
      String value = values.get(variable.group(1));
      if (value == null) {
        throw new WebModelException(
            "unknown template variable '"
                + variable.group(1)
                + "' in "
                + source
                + line
                + "; known: "
                + values.keySet().stream().sorted().toList());
      }
      matcher.appendReplacement(rendered, Matcher.quoteReplacement(value));
    }
    matcher.appendTail(rendered);
    return rendered.toString();
  }

  /** Splits at semicolons outside quoted text, quoted identifiers and comments. */
  static List<String> split(String sql) {
    List<String> statements = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    int i = 0;
    while (i < sql.length()) {
      char c = sql.charAt(i);
      int end;
      if (c == '\'' || c == '"') {
        boolean raw = i > 0 && (sql.charAt(i - 1) == 'r' || sql.charAt(i - 1) == 'R');
        end = closingQuote(sql, i, c, !raw);
      } else if (c == '`') {
        end = closingQuote(sql, i, c, false);
      } else if (sql.startsWith("--", i)) {
        int newline = sql.indexOf('\n', i);
        end = newline < 0 ? sql.length() : newline + 1;
      } else if (sql.startsWith("/*", i)) {
        end = closingComment(sql, i);
      } else if (c == ';') {
        statements.add(current.toString().trim());
        current.setLength(0);
        i++;
        continue;
      } else {
        end = i + 1;
      }
      current.append(sql, i, end);
      i = end;
    }
    statements.add(current.toString().trim());
    return statements;
  }

  /** The index after the quote closing the one at {@code start}; backslash escapes if asked. */
  private static int closingQuote(String sql, int start, char quote, boolean escapes) {
    int i = start + 1;
    while (i < sql.length()) {
      char c = sql.charAt(i);
      if (escapes && c == '\\') {
        i += 2;
      } else if (c == quote) {
        return i + 1;
      } else {
        i++;
      }
    }
    return sql.length();
  }

  /** The index after the end of the block comment at {@code start}; Spark nests them. */
  private static int closingComment(String sql, int start) {
    int depth = 0;
    int i = start;
    while (i < sql.length()) {
      if (sql.startsWith("/*", i)) {
        depth++;
        i += 2;
      } else if (sql.startsWith("*/", i)) {
        depth--;
        i += 2;
        if (depth == 0) {
          return i;
        }
      } else {
        i++;
      }
    }
    return sql.length();
  }

  /** Whether a statement holds more than comments and blanks. */
  private static boolean hasCode(String statement) {
    return !statement.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("(?m)--.*$", "").isBlank();
  }
}
