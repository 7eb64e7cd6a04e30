package org.sparkwebmodel.common;

/**
 * One playbook: which module and step it runs, with its validated variables.
 *
 * @param source where it was read from (a file path), for messages
 */
public record Playbook(String source, Module module, Step step, Variables variables) {

  /** A short label such as {@code sessions main}. */
  public String label() {
    return module.value() + " " + step.value();
  }
}
