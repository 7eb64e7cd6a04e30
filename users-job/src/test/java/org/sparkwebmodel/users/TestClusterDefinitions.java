package org.sparkwebmodel.users;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.sparkwebmodel.common.config.BuildInfo;
import org.sparkwebmodel.common.config.Playbook;
import org.sparkwebmodel.common.config.PlaybookLoader;
import org.sparkwebmodel.common.config.RunFile;
import org.sparkwebmodel.common.testing.Processes;
import org.sparkwebmodel.common.testing.Processes.Output;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The cluster definitions in {@code scripts/}: the EMR steps ({@code scripts/emr/steps.json}) and
 * the Dataproc workflow template ({@code scripts/dataproc/workflow.yaml}), rendered as their
 * scripts render them, against the build (main classes, jar names) and {@code configs/run.yml}
 * (order, dependencies, playbooks). Nothing here needs a SparkSession or a cloud account.
 */
class TestClusterDefinitions {
  /** Maven runs a module's tests in the module folder. */
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  static final Path EMR_STEPS = ROOT.resolve("scripts/emr/steps.json");
  static final Path WORKFLOW = ROOT.resolve("scripts/dataproc/workflow.yaml");
  static final Path RUN_FILE = ROOT.resolve("configs/run.yml");

  static final String BUCKET = "test-bucket";
  static final String RELEASE = "r-1.2_test";
  static final String CLUSTER = "test-cluster";

  /** The main class that runs a playbook, of any module. */
  static final String PLAYBOOK_MAIN = "org.sparkwebmodel.common.cli.PlaybookMain";

  /** The main class that runs a playbook's module. */
  static final Map<String, String> MAIN_CLASS_OF_MODULE =
      Map.of(
          "base",
          PLAYBOOK_MAIN,
          "page-views",
          PLAYBOOK_MAIN,
          "sessions",
          PLAYBOOK_MAIN,
          "users",
          PLAYBOOK_MAIN,
          "custom",
          PLAYBOOK_MAIN);

  /** The Maven module whose cluster jar a playbook's module runs from. */
  static final Map<String, String> ARTIFACT_OF_MODULE =
      Map.of(
          "base",
          "base-job",
          "page-views",
          "page-views-job",
          "sessions",
          "sessions-job",
          "users",
          "users-job",
          "custom",
          "sessions-job");

  /** The keys aws-cli's {@code emr add-steps} reads from a step (its STEPS_SCHEMA). */
  static final Set<String> EMR_STEP_KEYS =
      Set.of("Type", "Name", "ActionOnFailure", "Jar", "Args", "MainClass", "Properties");

  /** The spark-submit options the steps may use; each takes one value. */
  static final Set<String> SPARK_SUBMIT_OPTIONS = Set.of("--deploy-mode", "--class", "--conf");

  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z_]+)}");

  /** One step of a definition file, reduced to what EMR and Dataproc have in common. */
  record ClusterStep(
      String name, String mainClass, String jarUri, List<String> jobArgs, List<String> after) {}

  /** The arguments of a job class: {@code [--warehouse DIR] PLAYBOOK [--var KEY=VALUE ...]}. */
  record JobArgs(String warehouse, String playbook, Map<String, String> vars) {}

  // ---------------------------------------------------------------------------------------------
  // Rendering, as scripts/emr/add-steps and scripts/dataproc/run-workflow do it (sed).

  static String emrTemplate() {
    return read(EMR_STEPS);
  }

  static String workflowTemplate() {
    return read(WORKFLOW);
  }

  static String renderedEmrSteps() {
    return emrTemplate().replace("${BUCKET}", BUCKET).replace("${RELEASE}", RELEASE);
  }

  static String renderedWorkflow() {
    return workflowTemplate()
        .replace("${BUCKET}", BUCKET)
        .replace("${RELEASE}", RELEASE)
        .replace("${CLUSTER}", CLUSTER);
  }

  static String releasePrefix(String scheme) {
    return scheme + "://" + BUCKET + "/spark-web-model/" + RELEASE + "/";
  }

  // ---------------------------------------------------------------------------------------------
  // Parsing.

  static List<ClusterStep> emrSteps() {
    JsonNode steps = parseJson(renderedEmrSteps());
    assertThat(steps.isArray()).as("%s is a JSON list of steps", EMR_STEPS).isTrue();
    List<ClusterStep> result = new ArrayList<>();
    for (JsonNode step : steps) {
      String name = step.path("Name").asText();
      List<String> args = new ArrayList<>();
      step.path("Args").forEach(arg -> args.add(arg.asText()));
      assertThat(args).as("Args of EMR step %s", name).isNotEmpty();
      assertThat(args.get(0)).as("first Arg of EMR step %s", name).isEqualTo("spark-submit");
      Map<String, String> options = new LinkedHashMap<>();
      int i = 1;
      while (i < args.size() && args.get(i).startsWith("--")) {
        assertThat(SPARK_SUBMIT_OPTIONS)
            .as("spark-submit option %s of EMR step %s", args.get(i), name)
            .contains(args.get(i));
        assertThat(i + 1)
            .as("value of %s in EMR step %s", args.get(i), name)
            .isLessThan(args.size());
        if (!args.get(i).equals("--conf")) {
          options.put(args.get(i), args.get(i + 1));
        }
        i += 2;
      }
      assertThat(i).as("application jar of EMR step %s", name).isLessThan(args.size());
      result.add(
          new ClusterStep(
              name,
              options.get("--class"),
              args.get(i),
              List.copyOf(args.subList(i + 1, args.size())),
              List.of()));
    }
    return result;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> workflow() {
    Object document = new Yaml(new SafeConstructor(new LoaderOptions())).load(renderedWorkflow());
    assertThat(document).as("%s is a YAML mapping", WORKFLOW).isInstanceOf(Map.class);
    return (Map<String, Object>) document;
  }

  @SuppressWarnings("unchecked")
  static List<ClusterStep> dataprocJobs() {
    List<ClusterStep> result = new ArrayList<>();
    for (Object item : (List<Object>) workflow().get("jobs")) {
      Map<String, Object> job = (Map<String, Object>) item;
      String name = (String) job.get("stepId");
      Map<String, Object> spark = (Map<String, Object>) job.get("sparkJob");
      assertThat(spark).as("sparkJob of Dataproc job %s", name).isNotNull();
      List<String> jars = (List<String>) spark.get("jarFileUris");
      assertThat(jars).as("jarFileUris of Dataproc job %s", name).hasSize(1);
      result.add(
          new ClusterStep(
              name,
              (String) spark.get("mainClass"),
              jars.get(0),
              (List<String>) spark.get("args"),
              (List<String>) job.getOrDefault("prerequisiteStepIds", List.of())));
    }
    return result;
  }

  static JobArgs jobArgs(ClusterStep step) {
    List<String> args = step.jobArgs();
    String where = "job arguments " + args + " of step " + step.name();
    int i = 0;
    String warehouse = null;
    if (!args.isEmpty() && args.get(0).equals("--warehouse")) {
      assertThat(args.size()).as(where).isGreaterThan(1);
      warehouse = args.get(1);
      i = 2;
    }
    assertThat(i).as("playbook in " + where).isLessThan(args.size());
    String playbook = args.get(i++);
    assertThat(playbook).as("playbook in " + where).doesNotStartWith("--");
    Map<String, String> vars = new LinkedHashMap<>();
    while (i < args.size()) {
      assertThat(args.get(i)).as(where).isEqualTo("--var");
      assertThat(i + 1).as("value of --var in " + where).isLessThan(args.size());
      String pair = args.get(i + 1);
      assertThat(pair).as("--var in " + where).matches("[a-z_]+=[^=].*");
      String key = pair.substring(0, pair.indexOf('='));
      assertThat(vars).as("--var %s twice in %s", key, where).doesNotContainKey(key);
      vars.put(key, pair.substring(pair.indexOf('=') + 1));
      i += 2;
    }
    return new JobArgs(warehouse, playbook, vars);
  }

  /** The repository file an uploaded playbook URI was copied from (upload copies configs/). */
  static Path repositoryPath(String uri, String scheme, String step) {
    assertThat(uri).as("playbook of step %s", step).startsWith(releasePrefix(scheme) + "configs/");
    return ROOT.resolve(uri.substring(releasePrefix(scheme).length())).normalize();
  }

  // ---------------------------------------------------------------------------------------------
  // Tests.

  @Test
  void templatesUseExactlyThePlaceholdersTheirScriptsReplace() {
    assertThat(placeholders(emrTemplate()))
        .as("placeholders in %s (scripts/emr/add-steps replaces these)", EMR_STEPS)
        .containsExactly("BUCKET", "RELEASE");
    assertThat(placeholders(workflowTemplate()))
        .as("placeholders in %s (scripts/dataproc/run-workflow replaces these)", WORKFLOW)
        .containsExactly("BUCKET", "CLUSTER", "RELEASE");
    assertThat(renderedEmrSteps()).as("rendered EMR steps").doesNotContain("${");
    assertThat(renderedWorkflow()).as("rendered workflow").doesNotContain("${");
  }

  @Test
  void emrStepsAreClusterModeSparkSubmitsThatCancelTheRestOnFailure() {
    JsonNode steps = parseJson(renderedEmrSteps());
    for (JsonNode step : steps) {
      String name = step.path("Name").asText();
      Set<String> keys = new TreeSet<>();
      step.fieldNames().forEachRemaining(keys::add);
      assertThat(EMR_STEP_KEYS).as("keys of EMR step %s", name).containsAll(keys);
      assertThat(step.path("Type").asText())
          .as("Type of EMR step %s", name)
          .isEqualTo("CUSTOM_JAR");
      assertThat(step.path("Jar").asText())
          .as("Jar of EMR step %s", name)
          .isEqualTo("command-runner.jar");
      assertThat(step.path("ActionOnFailure").asText())
          .as("ActionOnFailure of EMR step %s (a failed step must stop the later ones)", name)
          .isEqualTo("CANCEL_AND_WAIT");
      List<String> args = new ArrayList<>();
      step.path("Args").forEach(arg -> args.add(arg.asText()));
      int deployMode = args.indexOf("--deploy-mode");
      assertThat(deployMode).as("--deploy-mode in EMR step %s", name).isPositive();
      assertThat(args.get(deployMode + 1))
          .as("--deploy-mode of EMR step %s", name)
          .isEqualTo("cluster");
    }
  }

  @Test
  void emrStepsRunTheRunFileInOrder() {
    RunFile run = runFile();
    List<ClusterStep> steps = emrSteps();
    assertThat(names(steps))
        .as("EMR step names in %s vs step names in %s", EMR_STEPS, RUN_FILE)
        .containsExactlyElementsOf(run.steps().stream().map(RunFile.Entry::name).toList());
    assertThat(steps.stream().map(s -> repositoryPath(jobArgs(s).playbook(), "s3", s.name())))
        .as("EMR playbooks vs the playbooks of %s, in order", RUN_FILE)
        .containsExactlyElementsOf(playbookPaths(run));
  }

  @Test
  void dataprocJobsRunTheRunFileInOrderOneAtATime() {
    RunFile run = runFile();
    List<ClusterStep> jobs = dataprocJobs();
    assertThat(names(jobs))
        .as("Dataproc stepIds in %s vs step names in %s", WORKFLOW, RUN_FILE)
        .containsExactlyElementsOf(run.steps().stream().map(RunFile.Entry::name).toList());
    assertThat(jobs.stream().map(s -> repositoryPath(jobArgs(s).playbook(), "gs", s.name())))
        .as("Dataproc playbooks vs the playbooks of %s, in order", RUN_FILE)
        .containsExactlyElementsOf(playbookPaths(run));
    for (int i = 0; i < jobs.size(); i++) {
      // depends_on, plus the step before: steps share the run lock, so they must not overlap.
      Set<String> expected = new LinkedHashSet<>(run.steps().get(i).dependsOn());
      if (i > 0) {
        expected.add(run.steps().get(i - 1).name());
      }
      assertThat(jobs.get(i).after())
          .as(
              "prerequisiteStepIds of Dataproc job %s (depends_on %s of run.yml + the step before)",
              jobs.get(i).name(), run.steps().get(i).dependsOn())
          .containsExactlyElementsOf(expected);
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void dataprocTemplateUsesTheWorkflowTemplateFieldsAndSelectsTheClusterByName() {
    Map<String, Object> workflow = workflow();
    assertThat(workflow.keySet())
        .as("top-level keys of %s", WORKFLOW)
        .containsExactlyInAnyOrder("jobs", "placement");
    for (Object item : (List<Object>) workflow.get("jobs")) {
      Map<String, Object> job = (Map<String, Object>) item;
      assertThat(Set.of("stepId", "prerequisiteStepIds", "sparkJob"))
          .as("keys of Dataproc job %s", job.get("stepId"))
          .containsAll(job.keySet());
      assertThat(Set.of("mainClass", "jarFileUris", "args", "properties"))
          .as("keys of sparkJob of Dataproc job %s", job.get("stepId"))
          .containsAll(((Map<String, Object>) job.get("sparkJob")).keySet());
    }
    assertThat(workflow.get("placement"))
        .as("placement of %s", WORKFLOW)
        .isEqualTo(
            Map.of(
                "clusterSelector",
                Map.of("clusterLabels", Map.of("goog-dataproc-cluster-name", CLUSTER))));
  }

  @Test
  void everyStepRunsAPublicStaticMainFromTheClusterJarOfItsModule() throws Exception {
    String version = BuildInfo.version();
    assertThat(version).as("BuildInfo.version()").isNotEqualTo("unknown");
    for (String scheme : List.of("s3", "gs")) {
      for (ClusterStep step : scheme.equals("s3") ? emrSteps() : dataprocJobs()) {
        String where = scheme + " step " + step.name();
        Method main = Class.forName(step.mainClass()).getMethod("main", String[].class);
        assertThat(Modifier.isPublic(main.getModifiers()) && Modifier.isStatic(main.getModifiers()))
            .as("%s.main(String[]) is public static (%s)", step.mainClass(), where)
            .isTrue();
        assertThat(main.getReturnType())
            .as("return type of main (%s)", where)
            .isEqualTo(void.class);
        String module =
            PlaybookLoader.load(
                    repositoryPath(jobArgs(step).playbook(), scheme, step.name()),
                    jobArgs(step).vars())
                .module();
        String artifact = ARTIFACT_OF_MODULE.get(module);
        assertThat(artifact)
            .as("module of main class %s (%s)", step.mainClass(), where)
            .isNotNull();
        // The default line's jar (Spark 3.5, Scala 2.12): the line EMR 7.x and Dataproc 2.2 / 2.3
        // run (README, Platforms); the Spark 4 line's jars end in -spark4-cluster.jar.
        String jarName = artifact + "-" + version + "-cluster.jar";
        assertThat(step.jarUri())
            .as("jar of %s: the Spark 3.5 line's", where)
            .isEqualTo(releasePrefix(scheme) + jarName);
        Path built = ROOT.resolve(artifact).resolve("target").resolve(jarName);
        if (Files.exists(built)) { // only after mvn package; then it must hold the main class
          try (JarFile jar = new JarFile(built.toFile())) {
            assertThat(jar.getEntry(step.mainClass().replace('.', '/') + ".class"))
                .as("%s in %s (%s)", step.mainClass(), built, where)
                .isNotNull();
          }
        }
      }
    }
  }

  @Test
  void everyPlaybookLoadsWithItsArgumentsAndMatchesItsMainClass() {
    for (String scheme : List.of("s3", "gs")) {
      for (ClusterStep step : scheme.equals("s3") ? emrSteps() : dataprocJobs()) {
        String where = scheme + " step " + step.name();
        JobArgs args = jobArgs(step);
        Path file = repositoryPath(args.playbook(), scheme, step.name());
        assertThat(file).as("playbook of %s in the repository", where).isRegularFile();
        // --var keys and values are checked as the job checks them.
        Playbook playbook = PlaybookLoader.load(file, args.vars());
        assertThat(MAIN_CLASS_OF_MODULE.get(playbook.module()))
            .as("main class for module '%s' of %s (%s)", playbook.module(), file, where)
            .isEqualTo(step.mainClass());
        String warehouse =
            args.warehouse() != null ? args.warehouse() : args.vars().get("warehouse");
        assertThat(warehouse)
            .as("warehouse of %s (--warehouse or --var warehouse=)", where)
            .isEqualTo(scheme + "://" + BUCKET + "/warehouse");
        if (args.warehouse() == null) {
          assertThat(playbook.variables().warehouse())
              .as("warehouse the playbook of %s resolves to with its --var", where)
              .isEqualTo(warehouse);
        }
      }
    }
  }

  @Test
  void dryRunsPrintWhatThisTestRenders() throws Exception {
    Assumptions.assumeTrue(bashAvailable(), "bash is not available");
    Output emr =
        run(
            ROOT.resolve("scripts/emr/add-steps").toString(),
            BUCKET,
            RELEASE,
            "j-TEST",
            "--dry-run");
    assertThat(emr.status())
        .as("exit status of add-steps --dry-run; stderr: %s", emr.err())
        .isZero();
    assertThat(emr.out()).as("add-steps --dry-run output").isEqualTo(renderedEmrSteps());
    assertThat(emr.err())
        .as("add-steps --dry-run stderr")
        .startsWith("would run: aws emr add-steps --cluster-id j-TEST --steps file://");

    Output dataproc =
        run(
            ROOT.resolve("scripts/dataproc/run-workflow").toString(),
            BUCKET,
            RELEASE,
            CLUSTER,
            "europe-west1",
            "--dry-run");
    assertThat(dataproc.status())
        .as("exit status of run-workflow --dry-run; stderr: %s", dataproc.err())
        .isZero();
    assertThat(dataproc.out()).as("run-workflow --dry-run output").isEqualTo(renderedWorkflow());
    assertThat(dataproc.err())
        .as("run-workflow --dry-run stderr")
        .startsWith("would run: gcloud dataproc workflow-templates instantiate-from-file --file=")
        .endsWith(" --region=europe-west1\n");
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers.

  static RunFile runFile() {
    return RunFile.load(RUN_FILE, Map.of());
  }

  static List<String> names(List<ClusterStep> steps) {
    return steps.stream().map(ClusterStep::name).toList();
  }

  static List<Path> playbookPaths(RunFile run) {
    return run.steps().stream()
        .map(entry -> Path.of(entry.playbook().source()).toAbsolutePath().normalize())
        .toList();
  }

  static Set<String> placeholders(String text) {
    Set<String> names = new TreeSet<>();
    Matcher matcher = PLACEHOLDER.matcher(text);
    while (matcher.find()) {
      names.add(matcher.group(1));
    }
    return names;
  }

  static JsonNode parseJson(String text) {
    try {
      return new ObjectMapper().readTree(text);
    } catch (IOException e) {
      throw new AssertionError("not valid JSON: " + EMR_STEPS + ": " + e.getMessage(), e);
    }
  }

  static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static boolean bashAvailable() {
    try {
      return run("-c", "true").status() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  /** Runs {@code bash ARGS...} and returns its exit status, stdout and stderr. */
  static Output run(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("bash"));
    command.addAll(List.of(args));
    return Processes.run(new ProcessBuilder(command), Duration.ofSeconds(30));
  }
}
