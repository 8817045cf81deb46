package dev.forge.examples;

import dev.forge.examples.logging.Logging;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Benchmark-only: the example server as an API node with everything in memory and its workers
 * never started ({@code forge.start()} is not called, see {@code Forge}'s javadoc). Builds are
 * authenticated, validated, rate-limited, admitted and queued by the same code as on any node,
 * but nothing runs them: they stay queued, in the heap, until the process ends. It measures
 * "create on an API node" without a shared store (docs/performance.md); the server itself
 * refuses {@code FORGE_ROLE=api} without one, as such a node is of no use in a deployment.
 *
 * <pre>
 * java -cp forge-server.jar dev.forge.examples.InMemoryApiNode [--port=...]
 * </pre>
 * Settings as the server's ({@code FORGE_*} or flags); {@code FORGE_ROLE} is always {@code api}
 * and {@code FORGE_REDIS_URL} / {@code FORGE_DATABASE_URL} are ignored.
 */
public final class InMemoryApiNode {

    private InMemoryApiNode() {
    }

    /** Starts the node; exits 2 on a bad setting, 1 when start-up fails. */
    public static void main(String[] args) {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("FORGE_ROLE", "api");
        env.remove("FORGE_REDIS_URL");
        env.remove("FORGE_DATABASE_URL");
        int code;
        try {
            // not ExampleServer.run: its requireSupported refuses an API node without a shared store
            code = ExampleServer.serve(ServerSettings.parse(env, List.of(args)), System.err);
        } catch (SettingsException e) {
            System.err.println("forge: " + e.getMessage());
            code = 2;
        }
        if (code != 0) {
            Logging.stop();
            System.exit(code);
        }
    }
}
