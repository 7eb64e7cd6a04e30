package org.sparkwebmodel.common.error;

/** Helpers for the messages a person reads. */
public final class Messages {
  private Messages() {}

  /**
   * The first line of {@code message} ("" for none): Spark's and Delta's messages go on with plans
   * and hints that do not belong in a one-line error.
   */
  public static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
