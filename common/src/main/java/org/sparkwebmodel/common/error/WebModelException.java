package org.sparkwebmodel.common.error;

/**
 * An error a person can act on: bad input, a bad playbook, a missing table. Its message names the
 * file, table, column, key or value that is wrong; the CLI prints it as the one-line error.
 */
public class WebModelException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public WebModelException(String message) {
    super(message);
  }

  public WebModelException(String message, Throwable cause) {
    super(message, cause);
  }
}
