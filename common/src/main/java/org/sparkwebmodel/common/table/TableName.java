package org.sparkwebmodel.common.table;

import java.util.regex.Pattern;
import org.sparkwebmodel.common.error.WebModelException;

/**
 * A table's {@code schema.name}, entropy already part of the name. It maps to the folder {@code
 * <warehouse>/<schema>/<name>} (see {@link Warehouse}).
 */
public record TableName(String schema, String name) {
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  public TableName {
    if (schema == null || !IDENTIFIER.matcher(schema).matches()) {
      throw new WebModelException(
          "schema name must match [A-Za-z_][A-Za-z0-9_]*, got: '" + schema + "'");
    }
    if (name == null || !IDENTIFIER.matcher(name).matches()) {
      throw new WebModelException(
          "table name must match [A-Za-z_][A-Za-z0-9_]*, got: '" + name + "'");
    }
  }

  /** Whether {@code text} is a valid {@code SCHEMA.TABLE} (and not, say, a path or a URI). */
  public static boolean isQualifiedName(String text) {
    int dot = text.indexOf('.');
    return dot > 0
        && dot == text.lastIndexOf('.')
        && IDENTIFIER.matcher(text.substring(0, dot)).matches()
        && IDENTIFIER.matcher(text.substring(dot + 1)).matches();
  }

  /** Parses {@code SCHEMA.TABLE} as given on the command line. */
  public static TableName parse(String qualified) {
    int dot = qualified.indexOf('.');
    if (dot <= 0 || dot != qualified.lastIndexOf('.')) {
      throw new WebModelException("table must be given as SCHEMA.TABLE, got: '" + qualified + "'");
    }
    return new TableName(qualified.substring(0, dot), qualified.substring(dot + 1));
  }

  @Override
  public String toString() {
    return schema + "." + name;
  }
}
