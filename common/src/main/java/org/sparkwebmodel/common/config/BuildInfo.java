package org.sparkwebmodel.common.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** Facts fixed at build time: the product version (filtered in by Maven). */
public final class BuildInfo {
  private static final Properties PROPERTIES = load();

  private BuildInfo() {}

  private static Properties load() {
    Properties properties = new Properties();
    try (InputStream in = BuildInfo.class.getResourceAsStream("/webmodel-build.properties")) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return properties;
  }

  /** The product version, e.g. {@code 0.1.0}. */
  public static String version() {
    return PROPERTIES.getProperty("version", "unknown");
  }

  /** What {@code datamodel_metadata.model_version} records unless a playbook says otherwise. */
  public static String defaultModelVersion() {
    return "spark-web-model/web/" + version();
  }
}
