package dev.forge.examples;

import dev.forge.Forge;
import dev.forge.Outcome;
import dev.forge.builds.BuildRequest;
import dev.forge.events.EventBus;
import dev.forge.events.TaskEvent;
import dev.forge.project.DirectoryProjectCatalog;
import dev.forge.security.Principal;
import dev.forge.task.TaskId;
import dev.forge.task.TaskRecord;
import dev.forge.task.TaskStatus;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * forge used from plain Java, without HTTP: build a bundled sample project, wait for it by
 * listening to its events, then print its status, results and log.
 *
 * <pre>{@code
 * try (Forge forge = Forge.builder().projectCatalog(new DirectoryProjectCatalog(projects)).build().start()) {
 *     TaskRecord build = forge.builds().create(Principal.user("alice"),
 *             new BuildRequest("hello-make", "build the sample", Map.of())).orElseThrow();
 *     ...
 * }
 * }</pre>
 */
public final class EmbeddedExample {

    private EmbeddedExample() {
    }

    /** Builds the {@code hello-make} sample; exits 0 when it completed. */
    public static void main(String[] args) {
        System.exit(run(args.length > 0 ? args[0] : "hello-make", System.out));
    }

    /** Builds {@code project} from the samples and prints what happened; 0 when it completed. */
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
                out.println("build refused: " + created);
                return 1;
            }
            TaskRecord finished = awaitFinished(forge, alice, ok.value().id());
            out.println("build " + finished.id() + " of " + project + ": " + finished.status().wireName());
            out.println("results: " + finished.results());
            if (finished.error() != null) {
                out.println("error: " + finished.error().code() + " - " + finished.error().message());
            }
            out.println("log:");
            out.println(forge.builds().logs(alice, finished.id()).orElseThrow());
            return finished.status() == TaskStatus.COMPLETED ? 0 : 1;
        } finally {
            SampleProjects.deleteTree(projects);
            SampleProjects.deleteTree(workspaces);
        }
    }

    /** Subscribes first, then reads the status, so a build finishing in between is not missed. */
    private static TaskRecord awaitFinished(Forge forge, Principal caller, TaskId id) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try (EventBus.Subscription subscription = forge.events().subscribe(id, event -> {
            if (event.type() == TaskEvent.Type.DONE) {
                done.complete(null);
            }
        })) {
            if (!forge.builds().status(caller, id).orElseThrow().isTerminal()) {
                done.get(5, TimeUnit.MINUTES);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for build " + id, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("build " + id + " did not finish in 5 minutes", e);
        }
        return forge.builds().status(caller, id).orElseThrow();
    }
}
