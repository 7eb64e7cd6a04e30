package org.sparkwebmodel.common.csv;

import java.io.BufferedReader;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.spark.sql.SparkSession;
import org.sparkwebmodel.common.error.WebModelException;

/**
 * The files {@code load} reads: a local path or a URI Hadoop reads ({@code s3://}, {@code gs://},
 * {@code hdfs://}), one file at a time, compressed files read by their extension ({@code .gz}).
 */
final class InputFiles {
  private InputFiles() {}

  /** Fails with a clear message unless {@code file} is a readable file (not a folder). */
  static void require(SparkSession spark, String file, String format) {
    Path path = new Path(file);
    try {
      FileSystem fs = path.getFileSystem(configuration(spark));
      FileStatus status = fs.getFileStatus(path);
      if (status.isDirectory()) {
        throw new WebModelException(
            file
                + " is a folder: load one "
                + format
                + " file at a time (line numbers are per file)");
      }
    } catch (FileNotFoundException e) {
      throw new WebModelException(format + " file not found: " + file);
    } catch (IOException e) {
      throw new WebModelException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * The file's text, decompressed by its extension, as strict UTF-8: a byte sequence that is not
   * UTF-8 throws {@link java.nio.charset.CharacterCodingException} instead of being replaced.
   */
  static BufferedReader open(SparkSession spark, String file) throws IOException {
    return new BufferedReader(
        new InputStreamReader(
            bytes(spark, file),
            StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)),
        1 << 16);
  }

  /**
   * The 1-based number of the first line of {@code file} that is not valid UTF-8 (0 when every line
   * is): a decoder reads ahead, so the line where it failed is found again line by line.
   */
  static long firstLineNotUtf8(SparkSession spark, String file) throws IOException {
    try (InputStream in = new java.io.BufferedInputStream(bytes(spark, file))) {
      var decoder =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT);
      var line = new java.io.ByteArrayOutputStream();
      long number = 1;
      for (int b = in.read(); ; b = in.read()) {
        if (b == '\n' || b == -1) {
          try {
            decoder.decode(java.nio.ByteBuffer.wrap(line.toByteArray()));
          } catch (java.nio.charset.CharacterCodingException e) {
            return number;
          }
          if (b == -1) {
            return 0;
          }
          line.reset();
          number++;
        } else {
          line.write(b);
        }
      }
    }
  }

  /** The file's bytes, decompressed by its extension. */
  private static InputStream bytes(SparkSession spark, String file) throws IOException {
    Path path = new Path(file);
    Configuration conf = configuration(spark);
    InputStream in = path.getFileSystem(conf).open(path);
    CompressionCodec codec = new CompressionCodecFactory(conf).getCodec(path);
    return codec == null ? in : codec.createInputStream(in);
  }

  private static Configuration configuration(SparkSession spark) {
    return spark.sparkContext().hadoopConfiguration();
  }
}
