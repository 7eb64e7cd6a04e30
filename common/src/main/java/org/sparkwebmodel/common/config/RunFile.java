package org.sparkwebmodel.common.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.sparkwebmodel.common.error.Messages;
import org.sparkwebmodel.common.error.WebModelException;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * A run file: the playbooks of a run in order, each with the steps it depends on (the reference's
 * {@code datamodeling.json}). Every playbook is loaded and validated when the run file is, so a bad
 * playbook stops the run before anything is written.
 *
 * <pre>
 * steps:
 *   - name: sessions-main
 *     playbook: sessions/01-sessions-main.yml   # relative to the run file
 *     depends_on: []
 * </pre>
 */
public record RunFile(String source, List<Entry> steps) {
  static final List<String> STEP_KEYS = List.of("name", "playbook", "depends_on");

  /** One step of a run. */
  public record Entry(String name, Playbook playbook, List<String> dependsOn) {}

  /** Loads {@code file}; {@code overrides} (--var) apply to every playbook. */
  public static RunFile load(Path file, Map<String, String> overrides) {
    return load(file.toString(), overrides);
  }

  /** Loads a run file from a local path or a URI (see {@link ConfigFiles}). */
  public static RunFile load(String source, Map<String, String> overrides) {
    Object document;
    try {
      document =
          new Yaml(new SafeConstructor(new LoaderOptions()))
              .load(ConfigFiles.read(source, "run file"));
    } catch (YAMLException e) {
      throw new WebModelException(
          "malformed YAML in " + source + ": " + Messages.firstLine(e.getMessage()));
    }
    if (!(document instanceof Map<?, ?> top)
        || !top.keySet().equals(Set.of("steps"))
        || !(top.get("steps") instanceof List<?> items)) {
      throw new WebModelException(
          "run file " + source + " must have exactly one key, 'steps', a list");
    }
    List<Entry> steps = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (Object item : items) {
      if (!(item instanceof Map<?, ?> step)) {
        throw new WebModelException(
            "each step in " + source + " must be a mapping with keys " + STEP_KEYS);
      }
      Map<String, Object> keys = new LinkedHashMap<>();
      step.forEach((k, v) -> keys.put(String.valueOf(k), v));
      for (String key : keys.keySet()) {
        if (!STEP_KEYS.contains(key)) {
          throw new WebModelException(
              "unknown key '" + key + "' in a step of " + source + "; allowed: " + STEP_KEYS);
        }
      }
      if (!(keys.get("name") instanceof String name) || name.isBlank()) {
        throw new WebModelException("a step of " + source + " lacks a 'name'");
      }
      if (!(keys.get("playbook") instanceof String playbook)) {
        throw new WebModelException("step '" + name + "' of " + source + " lacks a 'playbook'");
      }
      List<String> dependsOn = new ArrayList<>();
      Object deps = keys.getOrDefault("depends_on", List.of());
      if (!(deps instanceof List<?> list)) {
        throw new WebModelException(
            "depends_on of step '" + name + "' in " + source + " must be a list");
      }
      for (Object dep : list) {
        if (!names.contains(String.valueOf(dep))) {
          throw new WebModelException(
              "step '"
                  + name
                  + "' in "
                  + source
                  + " depends on '"
                  + dep
                  + "', which is not an earlier step");
        }
        dependsOn.add(String.valueOf(dep));
      }
      if (!names.add(name)) {
        throw new WebModelException("step name '" + name + "' appears twice in " + source);
      }
      steps.add(
          new Entry(
              name,
              PlaybookLoader.load(ConfigFiles.resolve(source, playbook), overrides),
              List.copyOf(dependsOn)));
    }
    if (steps.isEmpty()) {
      throw new WebModelException("run file " + source + " lists no steps");
    }
    return new RunFile(source, List.copyOf(steps));
  }
}
