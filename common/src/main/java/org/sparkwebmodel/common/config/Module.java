package org.sparkwebmodel.common.config;

import java.util.Locale;
import org.sparkwebmodel.common.custom.CustomSqlJob;

/**
 * The modules of the web model this product implements, and {@code custom}: a user's own module of
 * SQL files that runs between the model's steps (see {@link CustomSqlJob}).
 */
public enum Module {
  SESSIONS,
  USERS,
  CUSTOM;

  /** The name used in playbooks and in {@code datamodel_metadata.module}. */
  public String value() {
    return name().toLowerCase(Locale.ROOT);
  }
}
