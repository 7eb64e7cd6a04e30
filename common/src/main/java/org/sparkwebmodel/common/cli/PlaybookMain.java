package org.sparkwebmodel.common.cli;

/**
 * The {@code spark-submit} entry point of every module: {@code [--warehouse DIR] FILE.yml [--var
 * KEY=VALUE ...]} runs one playbook, the step of the module its {@code module:} names (found on the
 * classpath, so the module's cluster jar must be the one submitted). Custom SQL steps run with it
 * too. Exits non-zero when the step fails.
 */
public final class PlaybookMain {
  private PlaybookMain() {}

  public static void main(String[] args) {
    WebModelCli.main(WebModelCli.playbookArgs(args));
  }
}
