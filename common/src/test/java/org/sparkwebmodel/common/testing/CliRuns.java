package org.sparkwebmodel.common.testing;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.sparkwebmodel.common.cli.WebModelCli;

/** The command line run in the test JVM, as a person types it, on a warehouse of the test's. */
public final class CliRuns {
  private CliRuns() {}

  /** The exit status and both outputs of a command. */
  public record Result(int status, String out, String err) {}

  /** {@code web-model --warehouse WAREHOUSE ARGS...} on the test JVM's session. */
  public static Result inWarehouse(String warehouse, String... args) {
    SharedSpark.session();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] all = new String[args.length + 2];
    all[0] = "--warehouse";
    all[1] = warehouse;
    System.arraycopy(args, 0, all, 2, args.length);
    int status = WebModelCli.execute(new PrintWriter(out, true), new PrintWriter(err, true), all);
    return new Result(status, out.toString(), err.toString());
  }
}
