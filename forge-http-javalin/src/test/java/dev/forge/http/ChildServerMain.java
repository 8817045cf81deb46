package dev.forge.http;

import dev.forge.Forge;
import dev.forge.project.DirectoryProjectCatalog;
import dev.forge.security.JwtAuthenticator;
import java.nio.file.Path;

/**
 * A forge server in its own JVM, for tests that must not share the test JVM's file
 * descriptors, or that kill the server with SIGKILL: {@code ChildServerMain <root> <maxConnections>
 * <maxPerAddress> <headerTimeoutSeconds>}, projects in {@code <root>/projects}, workspaces in {@code <root>/workspaces}.
 * Prints {@code PORT <n>} once it serves, and runs until killed.
 */
public final class ChildServerMain {

    private ChildServerMain() {
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        Forge forge = Forge.builder()
                .authenticator(JwtAuthenticator.builder().hs256Secret(TestServer.SECRET).build())
                .rateLimiter(TestServer.generousLimits())
                .projectCatalog(new DirectoryProjectCatalog(root.resolve("projects")))
                .workspaceRoot(root.resolve("workspaces"))
                .workers(2)
                .build()
                .start();
        ForgeServer server = ForgeServer.start(forge, HttpConfig.builder()
                .maxConnections(Integer.parseInt(args[1]), Integer.parseInt(args[2]))
                .requestTimeouts(java.time.Duration.ofSeconds(Long.parseLong(args[3])), HttpConfig.DEFAULT_BODY_TIMEOUT)
                .build(), "127.0.0.1", 0);
        System.out.println("PORT " + server.port());
        System.out.flush();
        Thread.currentThread().join();
    }
}
