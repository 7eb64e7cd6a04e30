package org.sparkwebmodel.common;

import java.util.Locale;

/** The modules of the web model this product implements. */
public enum Module {
  SESSIONS,
  USERS;

  /** The name used in playbooks and in {@code datamodel_metadata.module}. */
  public String value() {
    return name().toLowerCase(Locale.ROOT);
  }
}
