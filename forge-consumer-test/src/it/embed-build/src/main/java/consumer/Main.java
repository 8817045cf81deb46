package consumer;

import dev.forge.Forge;
import dev.forge.builds.BuildRequest;
import dev.forge.builds.BuildResult;
import dev.forge.project.DirectoryProjectCatalog;
import dev.forge.security.Principal;
import dev.forge.task.TaskRecord;
import dev.forge.task.TaskStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** Submits a build of the project "hello", awaits it and checks its typed result and log. */
public final class Main {

    public static void main(String[] args) throws Exception {
        try (Forge forge = Forge.builder().projectCatalog(new DirectoryProjectCatalog(Path.of(args[0])))
                .workspaceRoot(Files.createDirectories(Path.of(args[1]))).build().start()) {
            Principal me = Principal.user("consumer");
            TaskRecord build = forge.builds().create(me, new BuildRequest("hello", "consumer test", Map.of())).orElseThrow();
            build = forge.builds().await(me, build.id(), Duration.ofMinutes(2)).orElseThrow();
            BuildResult result = forge.builds().result(me, build.id()).orElseThrow();
            String log = forge.builds().logs(me, build.id()).orElseThrow();
            System.out.println("build " + build.id() + " " + build.status().wireName() + ", " + result);
            if (build.status() != TaskStatus.COMPLETED || !log.contains("hello from a consumer")) {
                throw new IllegalStateException("build did not complete: " + build.error() + "\n" + log);
            }
        }
    }
}
