package org.sparkwebmodel.common.layers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The layers of {@code common} (README, "Architecture"): a main source file imports only packages
 * of its own layer or below, and nothing but the command line imports the command line. Read from
 * the sources of every module of the repository.
 */
class TestLayers {
  /** The packages of common, lowest first. custom, csv, sample and maintenance share a layer. */
  static final List<List<String>> LAYERS =
      List.of(
          List.of("error"),
          List.of("table"),
          List.of("config"),
          List.of("delta"),
          List.of("run"),
          List.of("step"),
          List.of("custom", "csv", "sample", "maintenance"),
          List.of("cli"));

  private static final Pattern IMPORT =
      Pattern.compile(
          "^import (?:static )?org\\.sparkwebmodel\\.common\\.([a-z]+)\\.", Pattern.MULTILINE);
  private static final Pattern PACKAGE =
      Pattern.compile("^package org\\.sparkwebmodel\\.common\\.([a-z]+);", Pattern.MULTILINE);

  static int layer(String pkg) {
    for (int i = 0; i < LAYERS.size(); i++) {
      if (LAYERS.get(i).contains(pkg)) {
        return i;
      }
    }
    throw new AssertionError("package org.sparkwebmodel.common." + pkg + " is in no layer");
  }

  @Test
  void commonImportsPointDownOnly() {
    List<String> upward = new ArrayList<>();
    for (Path file : sources(Path.of("src/main/java"))) {
      String source = read(file);
      Matcher own = PACKAGE.matcher(source);
      assertThat(own.find()).as("package of %s", file).isTrue();
      int from = layer(own.group(1));
      Matcher imports = IMPORT.matcher(source);
      while (imports.find()) {
        if (layer(imports.group(1)) > from) {
          upward.add(file + " imports " + imports.group(1));
        }
      }
    }
    assertThat(upward).as("imports of a higher layer").isEmpty();
  }

  @Test
  void onlyTheCommandLineImportsTheCommandLine() {
    List<String> found = new ArrayList<>();
    try (Stream<Path> modules = Files.list(Path.of(".."))) {
      for (Path module :
          modules.filter(m -> Files.isDirectory(m.resolve("src/main/java"))).toList()) {
        for (Path file : sources(module.resolve("src/main/java"))) {
          if (!file.toString().contains("/common/cli/")
              && read(file).contains("import org.sparkwebmodel.common.cli.")) {
            found.add(file.toString());
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    assertThat(found).as("main sources that import the command line").isEmpty();
  }

  private static List<Path> sources(Path root) {
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
