package org.sparkwebmodel.common.step;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.sparkwebmodel.common.config.Step;
import org.sparkwebmodel.common.error.WebModelException;

/**
 * Fault injection for crash tests (developers only; README, "Development"). The jobs pass a named
 * point before and after each write. When the environment variable {@value #ENV} (or the system
 * property {@value #PROPERTY}) names a point, the process halts there at once with exit status
 * {@value #HALT_STATUS}: no finally block, shutdown hook or lock release runs, as after {@code kill
 * -9}. Tests arm a point in their own thread instead, which throws {@link Crash}.
 *
 * <p>The step protocol names the points after its phases ({@code
 * <module>.<step>.<write>.before|after}, {@code <module>.main.start}, {@code <module>.<step>.end});
 * {@link #points()} lists them all in the order a full run passes them.
 */
public final class Faults {
  public static final String ENV = "WEB_MODEL_FAULT";
  public static final String PROPERTY = "webmodel.fault";
  public static final int HALT_STATUS = 137;

  /**
   * Every point of the modules on the classpath, in the order a full run passes them: each module's
   * main in chain order, then each module's complete.
   */
  public static List<String> points() {
    List<String> points = new ArrayList<>();
    for (Step step : List.of(Step.MAIN, Step.COMPLETE)) {
      Modules.model().forEach(module -> points.addAll(StepProtocol.points(module, step)));
    }
    return List.copyOf(points);
  }

  private static final ThreadLocal<String> ARMED = new ThreadLocal<>();
  private static final ThreadLocal<List<String>> PASSED = new ThreadLocal<>();
  private static final ThreadLocal<java.util.function.Consumer<String>> WATCHER =
      new ThreadLocal<>();

  private Faults() {}

  /**
   * The in-process stand-in for a kill, thrown at an armed point. An {@link Error}, so the jobs'
   * and the command line's {@code catch (Exception)} blocks do not handle it: nothing marks the
   * lock failed or cleans anything up.
   */
  public static final class Crash extends Error {
    private static final long serialVersionUID = 1L;

    Crash(String point) {
      super("injected crash at " + point);
    }
  }

  /** Passes the point {@code name}: halts or crashes when it is the armed one. */
  public static void point(String name) {
    List<String> passed = PASSED.get();
    if (passed != null) {
      passed.add(name);
    }
    java.util.function.Consumer<String> watcher = WATCHER.get();
    if (watcher != null) {
      watcher.accept(name);
    }
    if (name.equals(ARMED.get())) {
      ARMED.remove();
      throw new Crash(name);
    }
    if (name.equals(configured())) {
      System.err.println("web-model: fault injection: halting at " + name);
      System.err.flush();
      Runtime.getRuntime().halt(HALT_STATUS);
    }
  }

  /** Runs a write between the points {@code name.before} and {@code name.after}. */
  public static <T> T around(String name, Supplier<T> write) {
    point(name + ".before");
    T result = write.get();
    point(name + ".after");
    return result;
  }

  /**
   * The point named by {@value #ENV} or {@value #PROPERTY}, checked: a name that is not a point
   * would never fire, so it is an error.
   */
  public static String configured() {
    String name = System.getProperty(PROPERTY, System.getenv(ENV));
    if (name == null || name.isEmpty()) {
      return null;
    }
    List<String> points = points();
    if (!points.contains(name)) {
      throw new WebModelException(
          ENV + "=" + name + " is not a fault point; the points are " + String.join(", ", points));
    }
    return name;
  }

  /** Tests: crash (throw {@link Crash}) at {@code name} the next time this thread passes it. */
  public static void arm(String name) {
    if (!points().contains(name)) {
      throw new IllegalArgumentException("not a fault point: " + name);
    }
    ARMED.set(name);
  }

  /** Tests: disarms this thread's point. */
  public static void disarm() {
    ARMED.remove();
  }

  /**
   * Tests: calls {@code watcher} with each point this thread passes (e.g. to copy the warehouse as
   * a kill at that point would leave it); {@code null} stops.
   */
  public static void watch(java.util.function.Consumer<String> watcher) {
    if (watcher == null) {
      WATCHER.remove();
    } else {
      WATCHER.set(watcher);
    }
  }

  /** Tests: starts recording the points this thread passes. */
  public static void record() {
    PASSED.set(new ArrayList<>());
  }

  /** Tests: the points this thread passed since {@link #record()}, and stops recording. */
  public static List<String> recorded() {
    List<String> passed = PASSED.get();
    PASSED.remove();
    return passed == null ? List.of() : List.copyOf(passed);
  }
}
