package org.sparkwebmodel.common.config;

import java.util.Arrays;
import java.util.Locale;
import org.sparkwebmodel.common.table.TableName;

/**
 * Which scratch tables a complete step drops (reference §3.4): {@code all} drops every scratch
 * table of the module, {@code debug} keeps the {@code *_this_run} tables, {@code trace} keeps all.
 */
public enum CleanupMode {
  ALL,
  DEBUG,
  TRACE;

  public String value() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether a complete step in this mode drops the scratch table {@code table}. */
  public boolean drops(TableName table) {
    return switch (this) {
      case ALL -> true;
      case DEBUG -> !table.name().contains("_this_run");
      case TRACE -> false;
    };
  }

  static CleanupMode parse(String text) {
    return Arrays.stream(values())
        .filter(mode -> mode.value().equals(text))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("must be one of [all, debug, trace]"));
  }
}
