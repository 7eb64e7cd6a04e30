package org.sparkwebmodel.common.config;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.SparkSession;
import org.sparkwebmodel.common.error.WebModelException;

/**
 * Reads the text of playbooks, run files and SQL files from a local path or from any URI Hadoop can
 * read ({@code s3://}, {@code gs://}, {@code hdfs://}), so a cluster job can take its playbook from
 * the same bucket as its jar. Relative references (a run file's playbooks, a playbook's SQL files)
 * resolve against the referring file's folder, in either form.
 */
public final class ConfigFiles {
  private ConfigFiles() {}

  /** Whether {@code location} is a URI with a scheme other than {@code file}. */
  public static boolean isRemote(String location) {
    return location.matches("[A-Za-z][A-Za-z0-9+.-]*:.*")
        && !location.startsWith("file:")
        && !location.matches("[A-Za-z]:[\\\\/].*");
  }

  /**
   * The text of {@code location}; a missing file fails naming {@code what} (e.g. "playbook") and
   * the location.
   */
  public static String read(String location, String what) {
    try {
      if (!isRemote(location)) {
        return Files.readString(localPath(location), StandardCharsets.UTF_8);
      }
      org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(location);
      FileSystem fs = path.getFileSystem(hadoopConfiguration());
      try (InputStream in = fs.open(path)) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    } catch (NoSuchFileException | FileNotFoundException e) {
      throw new WebModelException(what + " not found: " + location);
    } catch (IOException e) {
      throw new WebModelException("cannot read " + what + " " + location + ": " + e, e);
    }
  }

  /** {@code reference} resolved against the folder of the file at {@code base}. */
  public static String resolve(String base, String reference) {
    if (isRemote(reference) || reference.startsWith("file:") || Path.of(reference).isAbsolute()) {
      return reference;
    }
    if (isRemote(base)) {
      org.apache.hadoop.fs.Path parent = new org.apache.hadoop.fs.Path(base).getParent();
      return new org.apache.hadoop.fs.Path(parent, reference).toString();
    }
    Path parent = localPath(base).toAbsolutePath().getParent();
    return parent.resolve(reference).normalize().toString();
  }

  private static Path localPath(String location) {
    return location.startsWith("file:") ? Path.of(URI.create(location)) : Path.of(location);
  }

  private static Configuration hadoopConfiguration() {
    scala.Option<SparkSession> active = SparkSession.getActiveSession();
    return active.isDefined() ? active.get().sessionState().newHadoopConf() : new Configuration();
  }
}
