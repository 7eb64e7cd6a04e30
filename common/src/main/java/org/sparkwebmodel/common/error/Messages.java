package org.sparkwebmodel.common.error;

/** Helpers for the messages a person reads. */
public final class Messages {
  private Messages() {}

  /**
   * The first line of {@code message} that is not blank ("" for none): Spark's and Delta's messages
   * go on with plans and hints that do not belong in a one-line error, and Spark's parse errors
   * start with an empty line.
   */
  public static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    return message.strip().lines().findFirst().orElse("").strip();
  }
}
