package dev.forge.examples;

import dev.forge.Forge;
import dev.forge.Outcome;
import dev.forge.analysis.AnalysisReport;
import dev.forge.analysis.AnalysisRequest;
import dev.forge.analysis.AnalysisType;
import dev.forge.builds.BuildRequest;
import dev.forge.builds.BuildResult;
import dev.forge.examples.logging.Logging;
import dev.forge.project.DirectoryProjectCatalog;
import dev.forge.security.Principal;
import dev.forge.task.TaskRecord;
import dev.forge.task.TaskStatus;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * forge used from plain Java, without HTTP: build a bundled sample project, await it, read its
 * typed result, then analyse what the build left and read the typed report.
 *
 * <pre>{@code
 * try (Forge forge = Forge.builder().projectCatalog(new DirectoryProjectCatalog(projects)).build().start()) {
 *     TaskRecord build = forge.builds().create(alice, new BuildRequest("hello-make", "build it", Map.of()))
 *             .orElseThrow();
 *     TaskRecord done = forge.builds().await(alice, build.id(), Duration.ofMinutes(5)).orElseThrow();
 *     BuildResult result = forge.builds().result(alice, build.id()).orElseThrow();
 * }
 * }</pre>
 */
public final class EmbeddedExample {

    private static final Duration PATIENCE = Duration.ofMinutes(5);

    private EmbeddedExample() {
    }

    /** Builds the {@code hello-make} sample; exits 0 when it completed. */
    public static void main(String[] args) {
        int code = run(args.length > 0 ? args[0] : "hello-make", System.out);
        Logging.stop();
        System.exit(code);
    }

    /** Builds {@code project} from the samples, analyses it and prints what happened; 0 when the build completed. */
    static int run(String project, PrintStream out) {
        Path projects = SampleProjects.extract();
        Path workspaces;
        try {
            workspaces = Files.createTempDirectory("forge-embedded-");
        } catch (IOException e) {
            SampleProjects.deleteTree(projects);
            throw new UncheckedIOException(e);
        }
        try (Forge forge = Forge.builder()
                .projectCatalog(new DirectoryProjectCatalog(projects))
                .workspaceRoot(workspaces)
                .build()
                .start()) {
            Principal alice = Principal.user("alice");
            Outcome<TaskRecord> created = forge.builds().create(alice,
                    new BuildRequest(project, "build the sample from plain Java", Map.of()));
            if (!(created instanceof Outcome.Ok<TaskRecord> ok)) {
                out.println("build refused: " + created.describe());
                return 1;
            }
            // await subscribes before it reads, so a build that ends at once is not missed
            TaskRecord finished = forge.builds().await(alice, ok.value().id(), PATIENCE).orElseThrow();
            BuildResult result = forge.builds().result(alice, finished.id()).orElseThrow();
            out.println("build " + finished.id() + " of " + project + ": " + finished.status().wireName());
            out.println("steps: " + result.steps().stream().map(s -> s.name() + "=" + s.exitCode()).toList());
            out.println("tests: " + result.tests().passed() + " passed, " + result.tests().failed() + " failed");
            if (finished.error() != null) {
                out.println("error: " + finished.error().code() + " - " + finished.error().message());
            }
            out.println("log:");
            out.println(forge.builds().logs(alice, finished.id()).orElseThrow());
            if (finished.status() != TaskStatus.COMPLETED) {
                return 1;
            }
            analyse(forge, alice, finished, out);
            return 0;
        } finally {
            SampleProjects.deleteTree(projects);
            SampleProjects.deleteTree(workspaces);
        }
    }

    /** Analyses what the build left (its kept workspace) and prints the report's headline. */
    private static void analyse(Forge forge, Principal alice, TaskRecord build, PrintStream out) {
        TaskRecord analysis = forge.analyses().create(alice, AnalysisRequest.ofBuild(build.id().value(),
                AnalysisType.QUALITY, AnalysisType.SECURITY)).orElseThrow();
        forge.analyses().await(alice, analysis.id(), PATIENCE).orElseThrow();
        AnalysisReport report = forge.analyses().result(alice, analysis.id()).orElseThrow();
        out.println("analysis " + analysis.id() + ": quality " + report.qualityScore() + " of "
                + report.qualityScoreMax() + ", " + report.findingsTotal() + " findings, analyzers "
                + report.analyzers());
        out.println("not covered: " + (report.notCovered().isEmpty() ? "nothing" : report.notCovered()));
    }
}
