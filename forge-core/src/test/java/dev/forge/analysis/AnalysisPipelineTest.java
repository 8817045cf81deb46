package dev.forge.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.forge.InfrastructureException;
import dev.forge.exec.CancellationToken;
import dev.forge.exec.RunOutcome;
import dev.forge.exec.TaskContext;
import dev.forge.process.DefaultWorkspaces;
import dev.forge.project.ProjectSpec;
import dev.forge.task.TaskError;
import dev.forge.testing.RecordingTaskContext;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnalysisPipelineTest {

    @TempDir
    Path dir;

    private final InPlaceWorkspaces workspaces = new InPlaceWorkspaces();

    private RunOutcome run(AnalysisPipeline pipeline, List<String> types) {
        return pipeline.run(PlantedProject.spec(dir), RecordingTaskContext.forAnalysis("demo", types));
    }

    private AnalysisPipeline builtIns() {
        return new AnalysisPipeline(workspaces, AnalysisPipeline.builtInAnalyzers());
    }

    @Test
    void run_plantedProject_everyProblemFoundWhereItWasPlanted() {
        PlantedProject.full(dir);
        RecordingTaskContext context = RecordingTaskContext.forAnalysis("demo", List.of());

        RunOutcome outcome = builtIns().run(PlantedProject.spec(dir), context);

        assertThat(outcome.succeeded()).isTrue();
        Map<String, Object> results = outcome.results();
        assertThat(results).containsKeys("quality_score", "security_issues", "code_smells", "type_errors",
                "unresolved_symbols", "coverage_percent", "recommendations", "findings", "measures",
                "analyzers", "analysis_types");
        assertThat(results).containsEntry("type_errors", 1).containsEntry("coverage_percent", 75.0)
                .containsEntry("unresolved_symbols", 0)
                .doesNotContainKeys("type_errors_reason", "coverage_reason");
        assertThat(results.get("analyzers")).isEqualTo(List.of("javac", "coverage", "secrets", "sarif"));
        assertThat(results.get("analysis_types")).isEqualTo(List.of("quality", "security", "types", "coverage"));

        List<Map<String, Object>> security = list(results.get("security_issues"));
        assertThat(security).anySatisfy(issue -> assertThat(issue)
                .containsEntry("rule", "secret-aws-access-key").containsEntry("file", PlantedProject.PROPERTIES)
                .containsEntry("line", 2).containsEntry("severity", "critical").containsEntry("tool", "secrets"));
        assertThat(security).anySatisfy(issue -> assertThat(issue)
                .containsEntry("rule", "secret-assignment").containsEntry("file", PlantedProject.CONFIG)
                .containsEntry("line", PlantedProject.line(dir, PlantedProject.CONFIG, "password =")));
        assertThat(security).anySatisfy(issue -> assertThat(issue)
                .containsEntry("tool", "semgrep").containsEntry("file", PlantedProject.APP)
                .containsEntry("line", PlantedProject.line(dir, PlantedProject.APP, "exec(")));
        assertThat(security.get(0)).containsEntry("severity", "critical");
        assertThat(results).containsEntry("code_smells", 1); // the SARIF quality warning

        List<Map<String, Object>> findings = list(results.get("findings"));
        assertThat(findings).anySatisfy(f -> assertThat(f)
                .containsEntry("rule", "compiler.err.prob.found.req").containsEntry("category", "types")
                .containsEntry("file", PlantedProject.BROKEN)
                .containsEntry("line", PlantedProject.line(dir, PlantedProject.BROKEN, "int x")));
        assertThat(findings).hasSize(5).allSatisfy(f -> assertThat(f.keySet())
                .containsExactly("rule", "category", "severity", "file", "line", "message", "tool",
                        "fingerprint"));

        Map<String, Object> measures = map(results.get("measures"));
        assertThat((Long) measures.get("lines_of_code")).isGreaterThan(40);
        assertThat(measures).containsEntry("files", 3);
        assertThat((double) results.get("quality_score")).isBetween(0.0, 9.9);
        assertThat(list(results.get("recommendations"))).isNotEmpty().hasSizeLessThanOrEqualTo(10);
        assertThat(workspaces.released()).containsExactly(dir);
    }

    @Test
    void run_progress_reportedPerAnalyzerInOrder() {
        PlantedProject.clean(dir);
        RecordingTaskContext context = RecordingTaskContext.forAnalysis("demo", List.of());

        builtIns().run(PlantedProject.spec(dir), context);

        List<RecordingTaskContext.Progress> progress = context.progressReports();
        assertThat(progress).extracting(RecordingTaskContext.Progress::step).containsExactly(
                "preparing workspace", "analyzing: javac", "analyzing: coverage", "analyzing: secrets",
                "analyzing: sarif", "scoring");
        assertThat(progress).extracting(RecordingTaskContext.Progress::percent).isSorted();
    }

    @Test
    void run_cleanProject_scoresTen() {
        PlantedProject.clean(dir);

        Map<String, Object> results = run(builtIns(), List.of()).results();

        assertThat(results).containsEntry("quality_score", 10.0).containsEntry("type_errors", 0)
                .containsEntry("code_smells", 0).containsEntry("coverage_percent", null);
        assertThat((String) results.get("coverage_reason")).contains("no coverage report");
        assertThat(list(results.get("security_issues"))).isEmpty();
    }

    @Test
    void run_problemsAdded_scoreFallsEachTime() {
        PlantedProject.clean(dir);
        AnalysisPipeline pipeline = builtIns();
        List<Double> scores = new ArrayList<>();
        scores.add(score(pipeline));

        PlantedProject.write(dir, PlantedProject.BROKEN, PlantedProject.BROKEN_CLASS);
        scores.add(score(pipeline));
        PlantedProject.write(dir, PlantedProject.CONFIG, PlantedProject.CONFIG_CLASS);
        scores.add(score(pipeline));
        PlantedProject.write(dir, PlantedProject.PROPERTIES, "key=" + PlantedProject.AWS_KEY + "\n");
        scores.add(score(pipeline));
        PlantedProject.write(dir, PlantedProject.JACOCO, PlantedProject.JACOCO_XML);
        scores.add(score(pipeline));

        assertThat(scores.get(0)).isEqualTo(10.0);
        for (int i = 1; i < scores.size(); i++) {
            assertThat(scores.get(i)).as("score after step %d of %s", i, scores).isLessThan(scores.get(i - 1));
        }
    }

    private double score(AnalysisPipeline pipeline) {
        return (double) run(pipeline, List.of()).results().get("quality_score");
    }

    @Test
    void run_sameProjectTwice_sameResultsApartFromTimings() {
        PlantedProject.full(dir);
        AnalysisPipeline pipeline = builtIns();

        Map<String, Object> first = new java.util.LinkedHashMap<>(run(pipeline, List.of()).results());
        Map<String, Object> second = new java.util.LinkedHashMap<>(run(pipeline, List.of()).results());
        map(first.get("measures")).remove("timings_ms");
        map(second.get("measures")).remove("timings_ms");

        assertThat(second).isEqualTo(first);
    }

    @Test
    void run_freshCopiedWorkspaces_unchangedProjectServedFromCacheAndCleanedUp(@TempDir Path root) throws IOException {
        PlantedProject.full(dir);
        AnalysisPipeline pipeline = AnalysisPipeline.withDiscoveredAnalyzers(DefaultWorkspaces.builder(root).build());
        RecordingTaskContext first = RecordingTaskContext.forAnalysis("demo", List.of());
        RecordingTaskContext second = RecordingTaskContext.forAnalysis("demo", List.of());

        RunOutcome one = pipeline.run(PlantedProject.spec(dir), first);
        RunOutcome two = pipeline.run(PlantedProject.spec(dir), second);

        assertThat(first.logText()).contains("javac: compiling 3 files");
        assertThat(second.logText()).contains("javac: sources unchanged").contains("scanned 5 text files (5 unchanged)");
        Map<String, Object> a = new java.util.LinkedHashMap<>(one.results());
        Map<String, Object> b = new java.util.LinkedHashMap<>(two.results());
        a.remove("measures");
        b.remove("measures");
        assertThat(b).isEqualTo(a).containsEntry("coverage_percent", 75.0).containsEntry("type_errors", 1);
        try (var left = Files.list(root)) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void run_onlySecurity_runsOnlySecurityAnalyzersAndSaysWhyOthersAreNull() {
        PlantedProject.full(dir);

        Map<String, Object> results = run(builtIns(), List.of("security")).results();

        assertThat(results.get("analyzers")).isEqualTo(List.of("secrets", "sarif"));
        assertThat(results).containsEntry("type_errors", null).containsEntry("coverage_percent", null)
                .containsEntry("code_smells", 0)
                .containsEntry("type_errors_reason", "types analysis was not requested")
                .containsEntry("coverage_reason", "coverage analysis was not requested");
        assertThat(list(results.get("findings"))).extracting(f -> f.get("category")).containsOnly("security");
    }

    @Test
    void run_results_areJsonShaped() throws IOException {
        PlantedProject.full(dir);

        Map<String, Object> results = run(builtIns(), List.of()).results();

        assertJsonShaped(results);
        String json = new ObjectMapper().writeValueAsString(results);
        assertThat(new ObjectMapper().readValue(json, Map.class)).containsEntry("coverage_percent", 75.0);
    }

    @Test
    void run_cancelledWhileAnalyzing_stopsBeforeTheNextAnalyzerAndReleases() {
        PlantedProject.clean(dir);
        Recorder second = new Recorder("second", ctx -> { });
        RecordingTaskContext context = RecordingTaskContext.forAnalysis("demo", List.of());
        AnalysisPipeline pipeline = new AnalysisPipeline(workspaces, List.of(
                new Recorder("first", ctx -> context.cancellationSource().cancel(CancellationToken.Reason.USER)),
                second));

        RunOutcome outcome = pipeline.run(PlantedProject.spec(dir), context);

        assertThat(outcome.succeeded()).isFalse();
        assertThat(outcome.error().code()).isEqualTo(TaskError.CANCELLED);
        assertThat(outcome.error().message()).contains("before second");
        assertThat(second.calls).isEmpty();
        assertThat(outcome.results().get("analyzers")).isEqualTo(List.of("first"));
        assertThat(workspaces.released()).containsExactly(dir);
    }

    @Test
    void run_cancelledBeforeStart_preparesNothing() {
        PlantedProject.clean(dir);
        RecordingTaskContext context = RecordingTaskContext.forAnalysis("demo", List.of());
        context.cancellationSource().cancel(CancellationToken.Reason.USER);

        RunOutcome outcome = builtIns().run(PlantedProject.spec(dir), context);

        assertThat(outcome.error().code()).isEqualTo(TaskError.CANCELLED);
        assertThat(workspaces.prepared()).isEmpty();
    }

    @Test
    void run_analyzerBug_recordedAndOthersStillRun() {
        PlantedProject.full(dir);
        Recorder after = new Recorder("after", ctx -> { });
        AnalysisPipeline pipeline = new AnalysisPipeline(workspaces, List.of(
                new Recorder("broken", ctx -> {
                    throw new IllegalStateException("boom");
                }),
                after));

        RunOutcome outcome = run(pipeline, List.of());

        assertThat(outcome.succeeded()).isTrue();
        assertThat(after.calls).hasSize(1);
        assertThat(list(outcome.results().get("analyzer_errors"))).singleElement()
                .satisfies(e -> assertThat(e).containsEntry("analyzer", "broken")
                        .containsEntry("message", "failed unexpectedly; details are in the server log"));
        assertThat(outcome.results().toString()).doesNotContain("boom").doesNotContain("IllegalStateException");
        assertThat(outcome.results().get("analyzers")).isEqualTo(List.of("after"));
    }

    @Test
    void run_infrastructureFailure_propagatesAndStillReleases() {
        PlantedProject.clean(dir);
        AnalysisPipeline pipeline = new AnalysisPipeline(workspaces, List.of(new Recorder("disk", ctx -> {
            throw new InfrastructureException("disk gone");
        })));

        assertThatThrownBy(() -> run(pipeline, List.of())).isInstanceOf(InfrastructureException.class)
                .hasMessage("disk gone");
        assertThat(workspaces.released()).containsExactly(dir);
    }

    @Test
    void run_analyzerTypes_onlyRequestedTypesPassedAndOtherFindingsDropped() {
        PlantedProject.clean(dir);
        Recorder both = new Recorder("both", ctx -> { }, Set.of(AnalysisType.QUALITY, AnalysisType.SECURITY));
        AnalysisPipeline pipeline = new AnalysisPipeline(workspaces, List.of(both));

        Map<String, Object> results = run(pipeline, List.of("quality", "coverage")).results();

        assertThat(both.calls).containsExactly(Set.of(AnalysisType.QUALITY));
        assertThat(results).containsEntry("code_smells", 1);
        assertThat(list(results.get("security_issues"))).isEmpty();
    }

    @Test
    void run_sameProblemFromTwoTools_countedOnce() {
        // e.g. PMD run by forge, and PMD's own SARIF file imported: same rule, same place
        PlantedProject.clean(dir);
        AnalysisPipeline pipeline = new AnalysisPipeline(workspaces, List.of(
                new Recorder("pmd", ctx -> { }, Set.of(AnalysisType.QUALITY, AnalysisType.SECURITY)),
                new Recorder("sarif", ctx -> { }, Set.of(AnalysisType.QUALITY, AnalysisType.SECURITY))));

        Map<String, Object> results = run(pipeline, List.of("quality", "security")).results();

        assertThat(results).containsEntry("code_smells", 1).containsEntry("findings_total", 2);
        assertThat(list(results.get("security_issues"))).hasSize(1);
    }

    @Test
    void constructor_duplicateNames_rejected() {
        assertThatThrownBy(() -> new AnalysisPipeline(workspaces,
                List.of(new Recorder("x", c -> { }), new Recorder("x", c -> { }))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'x'");
    }

    @Test
    void discoverAnalyzers_addsServiceLoaderAnalyzersToBuiltIns() throws IOException {
        Path services = dir.resolve("META-INF/services");
        Files.createDirectories(services);
        Files.writeString(services.resolve(Analyzer.class.getName()), DiscoveredAnalyzer.class.getName() + "\n");

        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()},
                getClass().getClassLoader())) {
            List<Analyzer> analyzers = AnalysisPipeline.discoverAnalyzers(loader);

            assertThat(analyzers).extracting(Analyzer::name)
                    .containsExactly("javac", "coverage", "secrets", "sarif", "discovered");
        }
    }

    /** Registered through a services file by {@link #discoverAnalyzers_addsServiceLoaderAnalyzersToBuiltIns}. */
    public static final class DiscoveredAnalyzer implements Analyzer {
        @Override
        public String name() {
            return "discovered";
        }

        @Override
        public Set<AnalysisType> types() {
            return Set.of(AnalysisType.QUALITY);
        }

        @Override
        public Result analyze(Path workspace, ProjectSpec project, Set<AnalysisType> requested,
                TaskContext context) {
            return new Result(List.of(), Map.of());
        }
    }

    /** Records its calls and runs an action; finds one quality and one security problem. */
    private static final class Recorder implements Analyzer {
        final String name;
        final Consumer<TaskContext> action;
        final Set<AnalysisType> types;
        final List<Set<AnalysisType>> calls = new CopyOnWriteArrayList<>();

        Recorder(String name, Consumer<TaskContext> action) {
            this(name, action, Set.of(AnalysisType.QUALITY));
        }

        Recorder(String name, Consumer<TaskContext> action, Set<AnalysisType> types) {
            this.name = name;
            this.action = action;
            this.types = types;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Set<AnalysisType> types() {
            return types;
        }

        @Override
        public Result analyze(Path workspace, ProjectSpec project, Set<AnalysisType> requested,
                TaskContext context) {
            calls.add(requested);
            action.accept(context);
            return new Result(List.of(
                    new Finding("Q", AnalysisType.QUALITY, Severity.MINOR, "A.java", 1, "q", name),
                    new Finding("S", AnalysisType.SECURITY, Severity.MAJOR, "A.java", 2, "s", name)), Map.of());
        }
    }

    private static void assertJsonShaped(Object value) {
        if (value == null || value instanceof String || value instanceof Number || value instanceof Boolean) {
            return;
        }
        if (value instanceof List<?> list) {
            list.forEach(AnalysisPipelineTest::assertJsonShaped);
        } else if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> {
                assertThat(k).isInstanceOf(String.class);
                assertJsonShaped(v);
            });
        } else {
            throw new AssertionError("not JSON-shaped: " + value.getClass() + " " + value);
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Object value) {
        return (List<Map<String, Object>>) value;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }
}
