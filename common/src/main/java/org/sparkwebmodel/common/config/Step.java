package org.sparkwebmodel.common.config;

import java.util.Locale;

/** The three steps of a module (reference §1): main, complete and destroy. */
public enum Step {
  MAIN,
  COMPLETE,
  DESTROY;

  public String value() {
    return name().toLowerCase(Locale.ROOT);
  }
}
