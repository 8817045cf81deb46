package dev.forge.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.forge.analysis.javac.TypeCheckAnalyzer;
import dev.forge.analysis.sarif.Sarif;
import dev.forge.analysis.sarif.SarifImportAnalyzer;
import dev.forge.analysis.secrets.SecretsAnalyzer;
import dev.forge.builds.BuildRunnerConfig;
import dev.forge.builds.ProcessBuildRunner;
import dev.forge.exec.CancellationToken;
import dev.forge.exec.RunOutcome;
import dev.forge.exec.TaskContext;
import dev.forge.process.DefaultWorkspaces;
import dev.forge.project.ProjectSpec;
import dev.forge.store.InMemoryTaskStore;
import dev.forge.task.TaskId;
import dev.forge.task.TaskKind;
import dev.forge.task.TaskRecord;
import dev.forge.task.TaskStatus;
import dev.forge.testing.RecordingTaskContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Crash isolation, score explanation, baselines and analyses of builds. */
class AnalysisFollowUpTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path dir;

    private final InPlaceWorkspaces workspaces = new InPlaceWorkspaces();

    private ProjectSpec spec() {
        return ProjectSpec.builder("demo").localSource(dir).build();
    }

    private static TaskContext context(String id, Instant created, Map<String, String> parameters, List<String> types) {
        TaskRecord record = TaskRecord.create(TaskId.of(id), TaskKind.ANALYSIS, "alice", "demo", "",
                parameters, types, 2, created);
        return new RecordingTaskContext(record.start(created.plusSeconds(1)));
    }

    private static Analyzer throwing(String name, Throwable t) {
        return new Analyzer() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Set<AnalysisType> types() {
                return Set.of(AnalysisType.QUALITY);
            }

            @Override
            public Result analyze(Path workspace, ProjectSpec project, Set<AnalysisType> requested, TaskContext c) {
                if (t instanceof RuntimeException r) {
                    throw r;
                }
                throw (Error) t;
            }
        };
    }

    @Test
    void run_stackOverflowInOneAnalyzer_completesNamesItPlainlyAndKeepsTheOthers() throws IOException {
        Files.writeString(dir.resolve("app.properties"), "password=S3cr3t-Pa55phrase!\n");
        AnalysisPipeline pipeline = new AnalysisPipeline(workspaces, List.of(
                throwing("deep", new StackOverflowError()), new SecretsAnalyzer()));

        RunOutcome outcome = pipeline.run(spec(), context("a1", T0, Map.of(), List.of()));

        assertThat(outcome.succeeded()).isTrue();
        assertThat(outcome.results().get("analyzer_errors")).asString()
                .contains("deep").contains("nested too deeply");
        assertThat(outcome.results().get("security_issues")).asList().hasSize(1);
        String json = new ObjectMapper().writeValueAsString(outcome.results());
        assertThat(json).doesNotContain("StackOverflowError").doesNotContain("java.lang");
    }

    @Test
    void run_outOfMemory_propagates() {
        AnalysisPipeline pipeline = new AnalysisPipeline(workspaces, List.of(
                throwing("hungry", new OutOfMemoryError("test"))));

        assertThatThrownBy(() -> pipeline.run(spec(), context("a1", T0, Map.of(), List.of())))
                .isInstanceOf(OutOfMemoryError.class);
        assertThat(workspaces.released()).containsExactly(dir);
    }

    @Test
    void run_analyzerOverItsTime_stoppedAndReportedWhileTheOthersStand() throws IOException {
        Files.writeString(dir.resolve("app.properties"), "password=S3cr3t-Pa55phrase!\n");
        Analyzer slow = new Analyzer() {
            @Override
            public String name() {
                return "slow";
            }

            @Override
            public Set<AnalysisType> types() {
                return Set.of(AnalysisType.QUALITY);
            }

            @Override
            public Result analyze(Path workspace, ProjectSpec project, Set<AnalysisType> requested, TaskContext c) {
                while (!c.cancellation().isCancelled()) {
                    Thread.onSpinWait();
                }
                return new Result(List.of(), Map.of());
            }
        };
        AnalysisConfig config = AnalysisConfig.custom().analyzerTimeout(Duration.ofMillis(300)).build();
        AnalysisPipeline pipeline = new AnalysisPipeline(workspaces, List.of(slow, new SecretsAnalyzer()),
                config, Baselines.none());

        RunOutcome outcome = pipeline.run(spec(), context("a1", T0, Map.of(), List.of()));

        assertThat(outcome.succeeded()).isTrue();
        assertThat(outcome.results().get("analyzer_errors")).asString().contains("slow")
                .contains("did not finish within 300 ms");
        assertThat(outcome.results().get("security_issues")).asList().hasSize(1);
    }

    @Test
    void run_deeplyNestedJavaFile_completedWithTheCompilerNamedAsFailed() throws IOException {
        // 5,000 levels overflow half a megabyte; PmdPipelineTest runs 20,000 with the defaults
        Files.writeString(dir.resolve("Deep.java"), "class Deep { int x = " + "(".repeat(5_000) + "1"
                + ")".repeat(5_000) + "; }\n");
        Files.writeString(dir.resolve("app.properties"), "password=S3cr3t-Pa55phrase!\n");
        AnalysisConfig config = AnalysisConfig.custom().analyzerStackBytes(512 * 1024).build();
        AnalysisPipeline pipeline = new AnalysisPipeline(workspaces,
                List.of(new TypeCheckAnalyzer(0), new SecretsAnalyzer()), config, Baselines.none());

        RunOutcome outcome = pipeline.run(spec(), context("a1", T0, Map.of(), List.of("types", "security")));

        assertThat(outcome.succeeded()).isTrue();
        assertThat(outcome.results().get("analyzer_errors")).asString().contains("javac");
        assertThat(outcome.results().get("type_errors")).isNull();
        assertThat((String) outcome.results().get("type_errors_reason")).startsWith("javac failed: ")
                .doesNotContain("java.lang");
        assertThat(outcome.results().get("security_issues")).asList().hasSize(1);
        assertThat(((Map<?, ?>) outcome.results().get("measures")).get("lines_of_code")).isNotNull();
    }

    @Test
    void run_cancelled_capsFindingsAtTheConfiguredMaximum() {
        AtomicInteger calls = new AtomicInteger();
        RecordingTaskContext context = (RecordingTaskContext) context("a1", T0, Map.of(), List.of());
        Analyzer many = new Analyzer() {
            @Override
            public String name() {
                return "many";
            }

            @Override
            public Set<AnalysisType> types() {
                return Set.of(AnalysisType.QUALITY);
            }

            @Override
            public Result analyze(Path workspace, ProjectSpec project, Set<AnalysisType> requested, TaskContext c) {
                calls.incrementAndGet();
                context.cancellationSource().cancel(CancellationToken.Reason.USER);
                List<Finding> findings = new ArrayList<>();
                for (int i = 1; i <= 5; i++) {
                    findings.add(new Finding("R", AnalysisType.QUALITY, Severity.MINOR, "A.java", i, "m", "many"));
                }
                return new Result(findings, Map.of());
            }
        };
        AnalysisPipeline pipeline = new AnalysisPipeline(workspaces, List.of(many), 2);

        RunOutcome outcome = pipeline.run(spec(), context);

        assertThat(outcome.succeeded()).isFalse();
        assertThat(outcome.results().get("findings")).asList().hasSize(2);
        assertThat(outcome.results()).containsEntry("findings_total", 5);
    }

    @Test
    void run_reportSaysTheScaleAndTheInputsThatReproduceTheScore() throws IOException {
        Files.writeString(dir.resolve("app.properties"), "password=S3cr3t-Pa55phrase!\n");
        RunOutcome outcome = new AnalysisPipeline(workspaces, List.of(new SecretsAnalyzer()))
                .run(spec(), context("a1", T0, Map.of(), List.of("security")));

        Map<String, Object> results = outcome.results();
        assertThat(results).containsEntry("quality_score_max", 10);
        Map<?, ?> inputs = (Map<?, ?>) results.get("score_inputs");
        long weight = ((Number) inputs.get("findings_weight")).longValue();
        long lines = ((Number) inputs.get("lines_scored")).longValue();
        double byHand = Math.round(10 * Math.exp(-(weight / (lines / 1000.0)) / 25) * 10) / 10.0;
        assertThat(weight).isEqualTo(3);
        assertThat(results.get("quality_score")).isEqualTo(byHand);
        assertThat(results.get("rules")).asString().contains("secret-assignment").contains("secret store");
        assertThat(results.get("recommendations")).asList().first().asString().contains("move credentials");
    }

    // --- baselines ---------------------------------------------------------------------------

    private static final String SECRETS = """
            # settings
            a=1
            password=Fir5t-Pa55phrase!

            b=2
            """;

    private RunOutcome analyse(InMemoryTaskStore store, String id, Instant created) {
        AnalysisPipeline pipeline = new AnalysisPipeline(workspaces, List.of(new SecretsAnalyzer()),
                AnalysisConfig.ofDefaults(), new TaskStoreBaselines(store));
        TaskContext context = context(id, created, Map.of(), List.of("security"));
        RunOutcome outcome = pipeline.run(spec(), context);
        TaskRecord running = context.task();
        store.create(TaskRecord.create(running.id(), TaskKind.ANALYSIS, "alice", "demo", "", Map.of(),
                List.of("security"), 2, created));
        TaskRecord stored = store.find(running.id()).orElseThrow();
        TaskRecord started = stored.start(created.plusSeconds(1));
        store.compareAndSet(stored, started);
        store.compareAndSet(started, started.transitionTo(TaskStatus.COMPLETED, outcome.results(), null,
                created.plusSeconds(2)));
        return outcome;
    }

    @Test
    void baseline_editAboveChangesNothing_newProblemIsOneNew_fixedOneIsGone() throws IOException {
        InMemoryTaskStore store = new InMemoryTaskStore();
        Path file = dir.resolve("app.properties");
        Files.writeString(file, SECRETS);
        Map<String, Object> first = analyse(store, "b1", T0).results();
        assertThat(first.get("new_findings")).isNull();
        assertThat((String) first.get("baseline_reason")).contains("no earlier");

        Files.writeString(file, "# a new first line\n# and another\n" + SECRETS);
        Map<String, Object> second = analyse(store, "b2", T0.plusSeconds(10)).results();
        assertThat(second).containsEntry("new_findings", 0);
        assertThat(second.get("fixed_findings")).asList().isEmpty();
        assertThat(((Map<?, ?>) second.get("baseline")).get("analysis_id")).isEqualTo("b1");

        Files.writeString(file, "# a new first line\n# and another\n" + SECRETS + "\ntoken=Sec0nd-Pa55phrase!\n");
        Map<String, Object> third = analyse(store, "b3", T0.plusSeconds(20)).results();
        assertThat(third).containsEntry("new_findings", 1);
        assertThat(third.get("findings")).asList().filteredOn(f -> "new".equals(((Map<?, ?>) f).get("baseline_state")))
                .singleElement().asString().contains("token");

        Files.writeString(file, "# a new first line\n# and another\n" + SECRETS.replace("password=Fir5t-Pa55phrase!", "password=${DB_PASSWORD}")
                + "\ntoken=Sec0nd-Pa55phrase!\n");
        Map<String, Object> fourth = analyse(store, "b4", T0.plusSeconds(30)).results();
        assertThat(fourth).containsEntry("new_findings", 0);
        assertThat(fourth.get("fixed_findings")).asList().singleElement().asString()
                .contains("password").contains("absent");

        // SARIF carries the states and imports back without the fixed finding
        Map<String, Object> log = Sarif.export(fourth);
        String sarif = new ObjectMapper().writeValueAsString(log);
        assertThat(sarif).contains("\"baselineState\":\"unchanged\"").contains("\"baselineState\":\"absent\"")
                .contains(Sarif.FINGERPRINT_KEY);
        Map<String, Object> third2 = third;
        assertThat(new ObjectMapper().writeValueAsString(Sarif.export(third2))).contains("\"baselineState\":\"new\"");
        Path imported = Files.createDirectories(dir.resolve("sarif-in"));
        Files.writeString(imported.resolve("forge.sarif"), sarif);
        Analyzer.Result back = new SarifImportAnalyzer().analyze(imported,
                ProjectSpec.builder("x").localSource(imported).build(), Set.of(AnalysisType.SECURITY),
                context("b9", T0, Map.of(), List.of("security")));
        assertThat(back.findings()).hasSize(((List<?>) fourth.get("findings")).size());
    }

    // --- analysis of a build -----------------------------------------------------------------

    @Test
    void buildThenAnalyse_readsTheCoverageTheBuildWrote_andFreshSourceOnceExpired(@TempDir Path root) throws IOException {
        Files.writeString(dir.resolve("write-report.sh"), """
                mkdir -p target/site/jacoco
                printf '<report name="r"><counter type="LINE" missed="1" covered="3"/></report>' > target/site/jacoco/jacoco.xml
                """);
        ProjectSpec project = ProjectSpec.builder("demo").localSource(dir).step("test", "sh", "write-report.sh").build();
        DefaultWorkspaces shared = DefaultWorkspaces.builder(root).keepBuildWorkspaces(Duration.ofHours(1)).build();
        TaskRecord build = TaskRecord.create(TaskId.of("build1"), TaskKind.BUILD, "alice", "demo", "build",
                Map.of(), List.of(), 3, T0).start(T0);
        RunOutcome built = new ProcessBuildRunner(BuildRunnerConfig.builder().workspaceRoot(root).build(), shared)
                .run(project, new RecordingTaskContext(build));
        assertThat(built.succeeded()).as(built.toString()).isTrue();

        AnalysisPipeline pipeline = new AnalysisPipeline(
                DefaultWorkspaces.builder(root).keepBuildWorkspaces(Duration.ofHours(1)).build(),
                List.of(new dev.forge.analysis.coverage.CoverageAnalyzer()));
        RecordingTaskContext analysis = (RecordingTaskContext) context("an1", T0, Map.of("build_id", "build1"),
                List.of("coverage"));
        Map<String, Object> results = pipeline.run(project, analysis).results();

        assertThat(results).containsEntry("coverage_percent", 75.0);
        assertThat(results.get("build")).asString().contains("build_id=build1")
                .contains("the build's own workspace");
        assertThat(((Map<?, ?>) results.get("measures")).get("build_classpath")).asString().contains("not Maven");
        assertThat(analysis.logText()).contains("reading the workspace build build1 left");

        Map<String, Object> gone = pipeline.run(project, context("an2", T0, Map.of("build_id", "nobuild"),
                List.of("coverage"))).results();
        assertThat(gone.get("coverage_percent")).isNull();
        assertThat(((Map<?, ?>) gone.get("build")).get("note")).asString().contains("no longer kept");
    }

    @Test
    void buildThenAnalyse_mavenProject_javacGetsTheClasspathMavenResolved(@TempDir Path root) throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(onPath("mvn"), "needs Maven on PATH");
        Path m2 = Path.of(System.getProperty("user.home"), ".m2/repository/org/junit/jupiter/junit-jupiter-api");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(m2), "needs JUnit in the local repository");
        String version;
        try (var versions = Files.list(m2)) {
            version = versions.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().reduce((a, b) -> b)
                    .orElseThrow();
        }
        Files.writeString(dir.resolve("pom.xml"), "<project><modelVersion>4.0.0</modelVersion><groupId>demo</groupId>"
                + "<artifactId>calc</artifactId><version>1</version><dependencies><dependency>"
                + "<groupId>org.junit.jupiter</groupId><artifactId>junit-jupiter-api</artifactId><version>" + version
                + "</version><scope>test</scope></dependency></dependencies></project>\n");
        PlantedProject.write(dir, "src/test/java/demo/CalcTest.java", """
                package demo;

                import static org.junit.jupiter.api.Assertions.assertEquals;

                import org.junit.jupiter.api.Test;

                class CalcTest {
                    @Test
                    void adds() {
                        assertEquals(2, 1 + 1);
                    }
                }
                """);
        ProjectSpec project = ProjectSpec.builder("demo").localSource(dir).step("build", "true").build();
        DefaultWorkspaces shared = DefaultWorkspaces.builder(root).keepBuildWorkspaces(Duration.ofHours(1)).build();
        TaskRecord build = TaskRecord.create(TaskId.of("mvnbuild"), TaskKind.BUILD, "alice", "demo", "build",
                Map.of(), List.of(), 3, T0).start(T0);
        assertThat(new ProcessBuildRunner(BuildRunnerConfig.builder().workspaceRoot(root).build(), shared)
                .run(project, new RecordingTaskContext(build)).succeeded()).isTrue();

        Map<String, Object> results = new AnalysisPipeline(shared, List.of(new TypeCheckAnalyzer(0)))
                .run(project, context("an3", T0, Map.of("build_id", "mvnbuild"), List.of("types"))).results();

        assertThat(((Map<?, ?>) results.get("measures")).get("build_classpath")).asString().contains("resolved by Maven");
        assertThat(results).containsEntry("type_errors", 0).containsEntry("unresolved_symbols", 0);
    }

    private static boolean onPath(String program) {
        for (String part : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(part, program))) {
                return true;
            }
        }
        return false;
    }
}
