package org.sparkwebmodel.common.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Runs a process the way a person would (no input), for tests of scripts and of new JVMs. */
public final class Processes {
  private Processes() {}

  /** A finished process: its exit status and both outputs. */
  public record Output(int status, String out, String err) {}

  /** Starts {@code builder} with empty input and waits at most {@code timeout} for it. */
  public static Output run(ProcessBuilder builder, Duration timeout)
      throws IOException, InterruptedException {
    Process process = builder.start();
    process.getOutputStream().close();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Thread errReader = new Thread(() -> copy(process.getErrorStream(), err));
    errReader.start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS))
        .as("%s finished", builder.command())
        .isTrue();
    errReader.join();
    return new Output(process.exitValue(), out, err.toString(StandardCharsets.UTF_8));
  }

  private static void copy(InputStream in, ByteArrayOutputStream out) {
    try {
      in.transferTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
