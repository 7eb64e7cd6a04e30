package org.sparkwebmodel.common.step;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import org.sparkwebmodel.common.error.WebModelException;
import org.sparkwebmodel.common.table.ModelTable;
import org.sparkwebmodel.common.table.ModelTables;

/**
 * The modules on the classpath, found with {@link ServiceLoader} once per JVM: a module jar adds
 * itself by naming its class in {@code META-INF/services/org.sparkwebmodel.common.step.ModuleJob}.
 * Also the catalogue of every declared table, which {@code load}, {@code check} and the table
 * counts read.
 */
public final class Modules {
  private static volatile List<ModuleJob> all;

  private Modules() {}

  /**
   * Every module on the classpath: the model's modules in chain order (a module comes after the one
   * that stages its input), then the others by name.
   */
  public static List<ModuleJob> all() {
    List<ModuleJob> found = all;
    if (found == null) {
      List<ModelModule<?, ?>> model = new ArrayList<>();
      List<ModuleJob> others = new ArrayList<>();
      for (ModuleJob job : ServiceLoader.load(ModuleJob.class)) {
        if (job instanceof ModelModule<?, ?> module) {
          model.add(module);
        } else {
          others.add(job);
        }
      }
      model.sort(Comparator.comparing(ModuleJob::name));
      others.sort(Comparator.comparing(ModuleJob::name));
      List<ModuleJob> ordered = new ArrayList<>(chainOrder(model));
      ordered.addAll(others);
      found = List.copyOf(ordered);
      all = found;
    }
    return found;
  }

  /** {@code modules} ordered so that each comes after the module that stages its input. */
  static List<ModelModule<?, ?>> chainOrder(List<ModelModule<?, ?>> modules) {
    List<ModelModule<?, ?>> left = new ArrayList<>(modules);
    List<ModelModule<?, ?>> ordered = new ArrayList<>();
    while (!left.isEmpty()) {
      ModelModule<?, ?> next =
          left.stream()
              .filter(
                  module ->
                      left.stream()
                          .noneMatch(
                              other ->
                                  other != module
                                      && other.stagedForNext().equals(Optional.of(module.input()))))
              .findFirst()
              .orElseThrow(
                  () -> new IllegalStateException("modules stage each other's input: " + left));
      ordered.add(next);
      left.remove(next);
    }
    return ordered;
  }

  /** The model's modules (not the custom steps), in chain order. */
  public static List<ModelModule<?, ?>> model() {
    List<ModelModule<?, ?>> model = new ArrayList<>();
    for (ModuleJob job : all()) {
      if (job instanceof ModelModule<?, ?> module) {
        model.add(module);
      }
    }
    return model;
  }

  /** The names of the modules on the classpath. */
  public static List<String> names() {
    return all().stream().map(ModuleJob::name).toList();
  }

  /** The module a playbook names; {@code source} is the playbook, for the message. */
  public static ModuleJob named(String name, String source) {
    for (ModuleJob job : all()) {
      if (job.name().equals(name)) {
        return job;
      }
    }
    throw new WebModelException(
        "no module '" + name + "' (in " + source + ") on the classpath; modules: " + names());
  }

  /**
   * Every table the model declares, once each: the shared ones ({@link ModelTables}), then each
   * module's own, in chain order.
   */
  public static List<ModelTable> tables() {
    Map<String, ModelTable> tables = new LinkedHashMap<>();
    for (ModelTable table :
        List.of(
            ModelTables.PAGE_VIEWS_STAGED,
            ModelTables.DATAMODEL_METADATA,
            ModelTables.METADATA_RUN_ID)) {
      tables.put(table.name(), table);
    }
    for (ModelModule<?, ?> module : model()) {
      module.tables().forEach(table -> tables.putIfAbsent(table.name(), table));
    }
    return List.copyOf(tables.values());
  }

  /**
   * The declaration of the table named {@code name} (without entropy), if any module declares it.
   */
  public static Optional<ModelTable> table(String name) {
    return tables().stream().filter(table -> table.name().equals(name)).findFirst();
  }

  /**
   * The tables {@code check} checks against their rules: each module's permanent tables in the
   * output schema (derived tables and manifests), in chain order.
   */
  public static List<ModelTable> checkedTables() {
    return model().stream()
        .flatMap(module -> module.permanent().stream())
        .filter(table -> table.place() == ModelTable.Place.OUTPUT && table.key() != null)
        .distinct()
        .toList();
  }

  /**
   * The tables the model keeps from run to run, which maintenance compacts and vacuums: each
   * module's permanent tables (derived tables, manifests, staged tables) and its staged input, and
   * the metadata, in chain order; not the atomic events table, which the model only reads.
   */
  public static List<ModelTable> keptTables() {
    List<ModelTable> tables = new ArrayList<>();
    for (ModelModule<?, ?> module : model()) {
      tables.add(module.input());
      tables.addAll(module.permanent());
    }
    tables.add(ModelTables.DATAMODEL_METADATA);
    return tables.stream().filter(t -> t.place() != ModelTable.Place.ATOMIC).distinct().toList();
  }

  /**
   * The tables a run's summary counts: the derived tables and manifests, the metadata, and each
   * module's staged input, in chain order.
   */
  public static List<ModelTable> countedTables() {
    List<ModelTable> tables = new ArrayList<>(checkedTables());
    tables.add(ModelTables.DATAMODEL_METADATA);
    model().stream().map(ModelModule::input).distinct().forEach(tables::add);
    return List.copyOf(tables);
  }
}
