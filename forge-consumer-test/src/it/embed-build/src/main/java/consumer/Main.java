package consumer;

import dev.forge.Forge;
import dev.forge.builds.BuildRequest;
import dev.forge.project.DirectoryProjectCatalog;
import dev.forge.security.Principal;
import dev.forge.task.TaskRecord;
import dev.forge.task.TaskStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Submits a build of the project "hello", waits for it and checks its result and log. */
public final class Main {

    public static void main(String[] args) throws Exception {
        try (Forge forge = Forge.builder().projectCatalog(new DirectoryProjectCatalog(Path.of(args[0])))
                .workspaceRoot(Files.createDirectories(Path.of(args[1]))).build().start()) {
            Principal me = Principal.user("consumer");
            TaskRecord build = forge.builds().create(me, new BuildRequest("hello", "consumer test", Map.of())).orElseThrow();
            // TODO(issue 15, api): await with the new API instead of polling, and read the typed BuildResult
            while (!(build = forge.builds().status(me, build.id()).orElseThrow()).isTerminal()) {
                Thread.sleep(20);
            }
            String log = forge.builds().logs(me, build.id()).orElseThrow();
            System.out.println("build " + build.id() + " " + build.status().wireName() + ", results " + build.results());
            if (build.status() != TaskStatus.COMPLETED || !log.contains("hello from a consumer")) {
                throw new IllegalStateException("build did not complete: " + build.error() + "\n" + log);
            }
        }
    }
}
