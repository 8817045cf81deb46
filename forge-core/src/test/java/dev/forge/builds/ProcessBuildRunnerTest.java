package dev.forge.builds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.forge.InfrastructureException;
import dev.forge.exec.CancellationToken.Reason;
import dev.forge.exec.RunOutcome;
import dev.forge.project.DirectoryProjectCatalog;
import dev.forge.project.Fixtures;
import dev.forge.project.ProjectConfigException;
import dev.forge.project.ProjectSpec;
import dev.forge.task.TaskError;
import dev.forge.testing.RecordingTaskContext;
import dev.forge.testing.RecordingTaskContext.Progress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real builds of small fixture projects, through the directory catalog where it matters. */
class ProcessBuildRunnerTest {

    private static final String MAKEFILE = """
            TEST_EXIT ?= 0

            all:
            \t@echo compiling calc
            \tmkdir -p out
            \techo built > out/app.txt

            test:
            \t@echo running tests
            \tmkdir -p build/test-results/test
            \tcp junit-fixture.xml build/test-results/test/TEST-calc.CalcTest.xml
            \t@exit $(TEST_EXIT)
            """;

    private static final String JUNIT = """
            <?xml version="1.0" encoding="UTF-8"?>
            <testsuite name="calc.CalcTest" tests="3" failures="1" skipped="1">
              <testcase name="adds" classname="calc.CalcTest"/>
              <testcase name="divides" classname="calc.CalcTest">
                <failure message="expected 2 but was 3" type="AssertionError">trace</failure>
              </testcase>
              <testcase name="later" classname="calc.CalcTest"><skipped/></testcase>
            </testsuite>
            """;

    @TempDir
    Path temp;

    private Path projects;
    private Path workspaceRoot;
    private DirectoryProjectCatalog catalog;

    @BeforeEach
    void setUp() throws IOException {
        projects = Files.createDirectories(temp.resolve("projects"));
        workspaceRoot = temp.resolve("workspaces");
        catalog = new DirectoryProjectCatalog(projects);
    }

    private BuildRunnerConfig.Builder config() {
        return BuildRunnerConfig.builder().workspaceRoot(workspaceRoot).gracePeriod(Duration.ofSeconds(1));
    }

    private ProcessBuildRunner runner() {
        return new ProcessBuildRunner(config().build());
    }

    private Path makeProject(Path dir) throws IOException {
        Fixtures.write(dir, "Makefile", MAKEFILE);
        Fixtures.write(dir, "junit-fixture.xml", JUNIT);
        return dir;
    }

    private static RecordingTaskContext context() {
        return RecordingTaskContext.forBuild("calc", Map.of());
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> steps(RunOutcome outcome) {
        return (List<Map<String, Object>>) outcome.results().get("steps");
    }

    private static Map<String, Object> step(String name, int exitCode) {
        return Map.of("name", name, "exit_code", exitCode);
    }

    private static List<Map<String, Object>> namesAndCodes(RunOutcome outcome) {
        return steps(outcome).stream().map(s -> Map.of("name", s.get("name"), "exit_code", s.get("exit_code")))
                .toList();
    }

    private static Map<String, Object> tests(long total, long passed, long failed, long skipped) {
        return Map.of("total", total, "passed", passed, "failed", failed, "skipped", skipped);
    }

    @Test
    void run_makeProjectFromTheCatalog_detectsMake_runsBothSteps_andParsesTheTests() throws IOException {
        Path source = makeProject(projects.resolve("calc"));
        ProjectSpec spec = catalog.find("calc").orElseThrow();
        RecordingTaskContext context = context();

        RunOutcome outcome = runner().run(spec, context);

        assertThat(outcome.succeeded()).isTrue();
        assertThat(namesAndCodes(outcome)).containsExactly(step("build", 0), step("test", 0));
        assertThat(steps(outcome)).allSatisfy(s -> assertThat((Long) s.get("duration_ms")).isNotNegative());
        assertThat(outcome.results().get("tests")).isEqualTo(tests(3, 1, 1, 1));
        assertThat(outcome.results().get("failures")).isEqualTo(List.of(
                Map.of("test", "calc.CalcTest.divides", "message", "expected 2 but was 3")));
        assertThat(outcome.results().get("artifacts"))
                .isEqualTo(List.of("build/test-results/test/TEST-calc.CalcTest.xml"));
        assertThat(context.progressReports()).containsExactly(new Progress(0, "copy"),
                new Progress(10, "build"), new Progress(50, "test"), new Progress(90, "collect"),
                new Progress(100, "collect"));
        assertThat(context.logLines()).contains("[forge] detected build: make, then make test",
                "compiling calc", "running tests", "[forge] tests: 3 total, 1 passed, 1 failed, 1 skipped");
        assertThat(context.logText()).contains("[forge] step 'build' exited with code 0",
                "[forge] step 'test' exited with code 0");
        // the build ran in a copy, which is gone
        assertThat(source.resolve("out")).doesNotExist();
        assertThat(Fixtures.listing(workspaceRoot)).isEmpty();
    }

    @Test
    void run_testStepExitsNonZero_isAStepFailure_andReportsAreStillCollected() throws IOException {
        makeProject(projects.resolve("calc"));
        Fixtures.write(projects.resolve("calc"), "forge.json", "{\"env\": {\"TEST_EXIT\": \"2\"}}");
        RecordingTaskContext context = context();

        RunOutcome outcome = runner().run(catalog.find("calc").orElseThrow(), context);

        assertThat(outcome.succeeded()).isFalse();
        assertThat(outcome.error()).isEqualTo(new TaskError(TaskError.STEP_FAILED,
                "step 'test' exited with code 2"));
        assertThat(namesAndCodes(outcome)).containsExactly(step("build", 0), step("test", 2));
        assertThat(outcome.results().get("tests")).isEqualTo(tests(3, 1, 1, 1));
        assertThat(Fixtures.listing(workspaceRoot)).isEmpty();
    }

    @Test
    void run_failingStep_stopsLaterSteps_andKeepOnFailureKeepsTheWorkspace() throws IOException {
        Fixtures.write(projects.resolve("broken"), "forge.json", """
                {"steps": [
                  {"name": "compile", "run": ["sh", "-c", "echo 'error: broken' >&2; exit 7"]},
                  {"name": "never", "run": ["touch", "never-ran"]}
                ]}
                """);
        RecordingTaskContext context = context();
        ProcessBuildRunner keeping = new ProcessBuildRunner(config().keepWorkspaceOnFailure(true).build());

        RunOutcome outcome = keeping.run(catalog.find("broken").orElseThrow(), context);

        assertThat(outcome.error()).isEqualTo(new TaskError(TaskError.STEP_FAILED,
                "step 'compile' exited with code 7"));
        assertThat(namesAndCodes(outcome)).containsExactly(step("compile", 7));
        assertThat(context.logLines()).contains("error: broken");
        assertThat(context.progressReports()).extracting(Progress::step).doesNotContain("never");
        List<String> kept = Fixtures.listing(workspaceRoot);
        assertThat(kept).hasSize(2).anyMatch(path -> path.endsWith("forge.json"))
                .noneMatch(path -> path.endsWith("never-ran"));
    }

    @Test
    void run_forgeJsonWithExplicitStepsEnvAndReportGlobs() throws IOException {
        Path dir = projects.resolve("custom");
        Fixtures.write(dir, "junit-fixture.xml", JUNIT);
        Fixtures.write(dir, "forge.json", """
                {
                  "steps": [
                    {"name": "prepare", "run": ["mkdir", "-p", "custom"]},
                    {"name": "greet", "run": ["printenv", "GREETING"]},
                    {"name": "report", "run": ["cp", "junit-fixture.xml", "custom/results.xml"]}
                  ],
                  "reports": {"junit": ["custom/*.xml"]},
                  "env": {"GREETING": "hello from forge.json"}
                }
                """);
        RecordingTaskContext context = context();

        RunOutcome outcome = runner().run(catalog.find("custom").orElseThrow(), context);

        assertThat(outcome.succeeded()).isTrue();
        assertThat(namesAndCodes(outcome)).containsExactly(step("prepare", 0), step("greet", 0),
                step("report", 0));
        assertThat(context.logLines()).contains("hello from forge.json");
        assertThat(outcome.results().get("artifacts")).isEqualTo(List.of("custom/results.xml"));
        assertThat(outcome.results().get("tests")).isEqualTo(tests(3, 1, 1, 1));
        assertThat(context.progressReports()).extracting(Progress::percent)
                .containsExactly(0, 10, 36, 63, 90, 100);
    }

    @Test
    void run_gitSourceOverFileUrl_clonesTheRefAndBuildsIt() throws Exception {
        Path work = makeProject(Files.createDirectories(temp.resolve("work")));
        String url = Fixtures.bareRepository(temp, work, "release");
        Fixtures.write(projects.resolve("remote"), "forge.json",
                "{\"source\": {\"git\": \"" + url + "\", \"ref\": \"release\"}}");
        RecordingTaskContext context = context();

        RunOutcome outcome = runner().run(catalog.find("remote").orElseThrow(), context);

        assertThat(outcome.succeeded()).isTrue();
        assertThat(context.progressReports().get(0)).isEqualTo(new Progress(0, "clone"));
        assertThat(context.logText()).contains("git: Cloning into", "compiling calc");
        assertThat(outcome.results().get("tests")).isEqualTo(tests(3, 1, 1, 1));
        assertThat(Fixtures.listing(workspaceRoot)).isEmpty();
    }

    @Test
    void run_unknownGitRef_isAConfigError_withNothingLeftBehind() throws Exception {
        Path work = makeProject(Files.createDirectories(temp.resolve("work")));
        String url = Fixtures.bareRepository(temp, work);
        ProjectSpec spec = ProjectSpec.builder("remote").gitSource(url, "v9.9.9").build();

        assertThatThrownBy(() -> runner().run(spec, context()))
                .isInstanceOf(ProjectConfigException.class)
                .hasMessage("git ref 'v9.9.9' of project 'remote' was not found in its repository");
        assertThat(Fixtures.listing(workspaceRoot)).isEmpty();
        assertThat(Fixtures.descendantsNamed("git")).isEmpty();
    }

    @Test
    void run_gitMissing_isAnInfrastructureError() throws IOException {
        ProcessBuildRunner noGit = new ProcessBuildRunner(config().gitExecutable("/nonexistent/bin/git").build());
        ProjectSpec spec = ProjectSpec.builder("remote").gitSource("https://example.invalid/r.git", "main").build();

        assertThatThrownBy(() -> noGit.run(spec, context()))
                .isInstanceOf(InfrastructureException.class)
                .hasMessageContaining("git could not be started ('/nonexistent/bin/git' is missing");
        assertThat(Fixtures.listing(workspaceRoot)).isEmpty();
    }

    @Test
    void cancel_duringClone_killsGitAndReturnsCancelled() throws Exception {
        // a stand-in git that hangs like a clone from a stalled server
        Path fakeGit = Fixtures.write(temp, "bin/git", "#!/bin/sh\necho \"Cloning into '$8'...\"\nsleep 30\n");
        fakeGit.toFile().setExecutable(true);
        ProcessBuildRunner runner = new ProcessBuildRunner(config().gitExecutable(fakeGit.toString()).build());
        ProjectSpec spec = ProjectSpec.builder("remote").gitSource("https://example.invalid/r.git", "main")
                .step("build", "true").build();
        RecordingTaskContext context = context();
        CompletableFuture<RunOutcome> run = CompletableFuture.supplyAsync(() -> runner.run(spec, context));
        assertThat(Fixtures.await(Duration.ofSeconds(10), () -> Fixtures.descendantsNamed("sleep").size() == 1))
                .isTrue();
        List<ProcessHandle> tree = new ArrayList<>(Fixtures.descendantsNamed("sleep"));
        tree.add(tree.get(0).parent().orElseThrow());

        context.cancellationSource().cancel(Reason.USER);

        assertThat(Fixtures.await(Duration.ofSeconds(1),
                () -> tree.stream().noneMatch(p -> Fixtures.running(p.pid())))).isTrue();
        RunOutcome outcome = run.get(5, TimeUnit.SECONDS);
        assertThat(outcome.error()).isEqualTo(new TaskError(TaskError.CANCELLED, "build cancelled during 'clone'"));
        assertThat(context.logText()).contains("git: Cloning into");
        assertThat(Fixtures.listing(workspaceRoot)).isEmpty();
    }

    @Test
    void run_noStepsAndNoBuildFile_isAConfigError() throws IOException {
        Fixtures.write(projects.resolve("empty"), "README.md", "nothing to build");

        assertThatThrownBy(() -> runner().run(catalog.find("empty").orElseThrow(), context()))
                .isInstanceOf(ProjectConfigException.class)
                .hasMessageStartingWith("project 'empty' has no steps in forge.json and no known build file");
        assertThat(Fixtures.listing(workspaceRoot)).isEmpty();
    }

    @Test
    void run_stepProgramMissing_isAStepFailure() throws IOException {
        ProjectSpec spec = ProjectSpec.builder("calc").localSource(Files.createDirectories(temp.resolve("s")))
                .step("build", "no-such-tool-forge-xyz", "--flag").step("test", "true").build();

        RunOutcome outcome = runner().run(spec, context());

        assertThat(outcome.error()).isEqualTo(new TaskError(TaskError.STEP_FAILED,
                "step 'build' could not start: program 'no-such-tool-forge-xyz' was not found or is not executable"));
        assertThat(namesAndCodes(outcome)).containsExactly(step("build", -1));
    }

    @Test
    void run_environmentHoldsOnlyAllowlistedKeys_andNoSecretOfForge() throws IOException {
        Map<String, String> parent = new HashMap<>(System.getenv());
        parent.put("FORGE_JWT_SECRET", "jwt-s3cret-for-test");
        parent.put("FORGE_REDIS_URL", "redis://:redis-s3cret@db:6379");
        parent.put("DATABASE_PASSWORD", "db-s3cret");
        ProcessBuildRunner runner = new ProcessBuildRunner(config().build(),
                dev.forge.process.DefaultWorkspaces.builder(workspaceRoot).build(), parent);
        ProjectSpec spec = ProjectSpec.builder("calc").localSource(Files.createDirectories(temp.resolve("s")))
                .env("GREETING", "hi").step("env", "env").build();
        RecordingTaskContext context = RecordingTaskContext.forBuild("calc", Map.of("flavor", "vanilla"));

        RunOutcome outcome = runner.run(spec, context);

        assertThat(outcome.succeeded()).isTrue();
        List<String> lines = context.logLines();
        List<String> envLines = lines.subList(lines.indexOf("[forge] step 'env': env") + 1,
                lines.indexOf(lines.stream().filter(l -> l.startsWith("[forge] step 'env' exited")).findFirst()
                        .orElseThrow()));
        List<String> keys = new ArrayList<>();
        envLines.forEach(line -> keys.add(line.substring(0, line.indexOf('='))));
        // PWD: bubblewrap names the working directory (the workspace) after changing into it
        assertThat(Set.of("PATH", "HOME", "LANG", "JAVA_HOME", "GREETING", "FORGE_PARAM_FLAVOR",
                "FORGE_TASK_ID", "PWD")).containsAll(keys);
        assertThat(envLines).contains("GREETING=hi", "FORGE_PARAM_FLAVOR=vanilla", "FORGE_TASK_ID=test-task-1",
                "PATH=" + System.getenv("PATH"));
        assertThat(context.logText()).doesNotContain("s3cret");
    }

    @Test
    void run_parameterValueReachesTheStepOnlyAsInertText() throws IOException {
        String hostile = "$(id); rm -rf / `whoami` && echo pwned";
        ProjectSpec spec = ProjectSpec.builder("calc").localSource(Files.createDirectories(temp.resolve("s")))
                .step("print", "printenv", "FORGE_PARAM_X")
                .step("echo", "sh", "-c", "echo \"[$FORGE_PARAM_X]\"").build();
        RecordingTaskContext context = RecordingTaskContext.forBuild("calc", Map.of("x", hostile));

        RunOutcome outcome = runner().run(spec, context);

        assertThat(outcome.succeeded()).isTrue();
        assertThat(context.logLines()).contains(hostile, "[" + hostile + "]");
        assertThat(context.logText()).doesNotContain("uid=").doesNotContain("\npwned");
    }

    @Test
    void cancel_userCancel_killsTheProcessTreeWithinOneSecond() throws Exception {
        assertStopKillsTree(Reason.USER, "sh", "-c", "sleep 30 & sleep 30; wait");
    }

    @Test
    void cancel_hardTimeout_killsAtOnceEvenWhenTermIsIgnored() throws Exception {
        assertStopKillsTree(Reason.HARD_TIMEOUT, "sh", "-c", "trap '' TERM; sleep 30 & sleep 30; wait");
    }

    private void assertStopKillsTree(Reason reason, String... argv) throws Exception {
        ProjectSpec spec = ProjectSpec.builder("calc").localSource(Files.createDirectories(temp.resolve("s")))
                .step("sleepy", argv).step("after", "touch", "after-ran").build();
        RecordingTaskContext context = context();
        ProcessBuildRunner runner = new ProcessBuildRunner(config().gracePeriod(Duration.ofSeconds(5)).build());
        CompletableFuture<RunOutcome> run = CompletableFuture.supplyAsync(() -> runner.run(spec, context));
        assertThat(Fixtures.await(Duration.ofSeconds(10), () -> Fixtures.descendantsNamed("sleep").size() == 2))
                .isTrue();
        List<ProcessHandle> tree = new ArrayList<>(Fixtures.descendantsNamed("sleep"));
        tree.add(tree.get(0).parent().orElseThrow());

        context.cancellationSource().cancel(reason);

        assertThat(Fixtures.await(Duration.ofSeconds(1),
                () -> tree.stream().noneMatch(p -> Fixtures.running(p.pid())))).isTrue();
        RunOutcome outcome = run.get(5, TimeUnit.SECONDS);
        String code = reason == Reason.USER ? TaskError.CANCELLED : TaskError.TIMEOUT;
        assertThat(outcome.error().code()).isEqualTo(code);
        assertThat(outcome.error().message()).contains("during 'sleepy'");
        assertThat(namesAndCodes(outcome)).extracting(s -> s.get("name")).containsExactly("sleepy");
        assertThat(Fixtures.listing(workspaceRoot)).isEmpty();
    }

    @Test
    void cancel_beforeTheRunStarts_returnsCancelledWithoutAWorkspace() throws IOException {
        ProjectSpec spec = ProjectSpec.builder("calc").localSource(Files.createDirectories(temp.resolve("s")))
                .step("build", "true").build();
        RecordingTaskContext context = context();
        context.cancellationSource().cancel(Reason.SHUTDOWN);

        RunOutcome outcome = runner().run(spec, context);

        assertThat(outcome.error().code()).isEqualTo(TaskError.CANCELLED);
        assertThat(outcome.error().message()).contains("shutting down");
        assertThat(workspaceRoot).doesNotExist();
    }

    @Test
    void run_tinyMavenProjectOffline_parsesSurefireReports() throws Exception {
        Path dir = projects.resolve("tiny");
        // builds run as unprivileged users, and ~/.m2 is under /root (mode 700) with folders of
        // mode 750: the repository is shared with a group of its own, read-only, as documented
        Path m2 = MavenFixture.groupSharedRepository(temp);
        // one Maven invocation: detection is covered by the Make build, and each mvn start is slow
        Fixtures.write(dir, "forge.json", "{\"steps\": [{\"name\": \"test\", \"run\": [\"mvn\", \"-o\", \"-B\", "
                + "\"-Dmaven.repo.local=" + m2 + "\", \"test\"]}], \"sandbox\": {\"readable\": [\"" + m2 + "\"]}}");
        Fixtures.write(dir, "pom.xml", MavenFixture.POM);
        Fixtures.write(dir, "src/main/java/tiny/Calc.java", MavenFixture.MAIN);
        Fixtures.write(dir, "src/test/java/tiny/CalcTest.java", MavenFixture.TEST);
        RecordingTaskContext context = context();

        RunOutcome outcome = runner().run(catalog.find("tiny").orElseThrow(), context);

        boolean surefireRan = context.logText().contains("T E S T S");
        Assumptions.assumeTrue(surefireRan || !(context.logText().contains("offline")
                || context.logText().contains("could not start")),
                "Maven or its plugins are not available offline");
        assertThat(outcome.error()).isEqualTo(new TaskError(TaskError.STEP_FAILED, "step 'test' exited with code 1"));
        assertThat(namesAndCodes(outcome)).containsExactly(step("test", 1));
        assertThat(outcome.results().get("tests")).isEqualTo(tests(3, 1, 1, 1));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> failures = (List<Map<String, Object>>) outcome.results().get("failures");
        assertThat(failures).singleElement().satisfies(failure -> {
            assertThat((String) failure.get("test")).startsWith("tiny.CalcTest.divides");
            assertThat((String) failure.get("message")).contains("expected: <2> but was: <3>");
        });
        assertThat(outcome.results().get("artifacts"))
                .isEqualTo(List.of("target/surefire-reports/TEST-tiny.CalcTest.xml"));
    }
}
