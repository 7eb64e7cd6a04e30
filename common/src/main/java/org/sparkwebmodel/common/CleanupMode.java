package org.sparkwebmodel.common;

import java.util.Arrays;
import java.util.Locale;

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

  /** Whether intermediate scratch tables (the reference's group 1) are dropped. */
  public boolean dropsIntermediate() {
    return this != TRACE;
  }

  /** Whether the {@code *_this_run} tables (the reference's group 2) are dropped. */
  public boolean dropsThisRun() {
    return this == ALL;
  }

  static CleanupMode parse(String text) {
    return Arrays.stream(values())
        .filter(mode -> mode.value().equals(text))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("must be one of [all, debug, trace]"));
  }
}
