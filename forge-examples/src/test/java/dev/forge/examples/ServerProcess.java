package dev.forge.examples;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The example server in a JVM of its own (this test JVM's class path), for tests that kill or
 * freeze a node: a worker dies with {@code kill -9}, a process tree at a time.
 */
final class ServerProcess {

    private ServerProcess() {
    }

    /** Starts {@link ExampleServer} on a free loopback port with {@code env} added, output to {@code log}. */
    static Process start(Map<String, String> env, Path log) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                ExampleServer.class.getName(), "--port=0", "--host=127.0.0.1");
        builder.environment().putAll(env);
        builder.redirectErrorStream(true).redirectOutput(log.toFile());
        return builder.start();
    }

    /** {@code kill -9} of the process and everything below it, as when its machine is gone; waits for it. */
    static void killTree(Process process) {
        process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
