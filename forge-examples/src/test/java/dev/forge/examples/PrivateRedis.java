package dev.forge.examples;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A redis-server of a test's own, on a free port and in a temporary folder, so a test may stop
 * and restart it (the shared Redis on 6379 is never touched). Skips the test when no
 * {@code redis-server} is installed, unless {@code FORGE_REQUIRE_REDIS=1}.
 */
final class PrivateRedis implements AutoCloseable {

    private final Path dir;
    private final int port;
    private final boolean persistent;
    private Process process;

    private PrivateRedis(Path dir, int port, boolean persistent) {
        this.dir = dir;
        this.port = port;
        this.persistent = persistent;
    }

    /**
     * Starts one.
     *
     * @param persistent true for {@code appendonly yes} (it comes back with its data after a
     *                   restart), false for no AOF and no snapshots (it comes back empty)
     */
    static PrivateRedis start(boolean persistent) throws IOException, InterruptedException {
        String binary = findBinary();
        if (binary == null && "1".equals(System.getenv("FORGE_REQUIRE_REDIS"))) {
            throw new AssertionError("redis-server is not installed and FORGE_REQUIRE_REDIS=1");
        }
        assumeTrue(binary != null, "redis-server is not installed; this test is skipped, not passed");
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        PrivateRedis redis = new PrivateRedis(Files.createTempDirectory("forge-private-redis-"), port, persistent);
        redis.startServer();
        return redis;
    }

    String url() {
        return "redis://127.0.0.1:" + port + "/0";
    }

    int port() {
        return port;
    }

    /** Stops the server the hard way (SIGKILL): an AOF written on every write keeps its data. */
    void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor();
        }
        awaitPort(false);
    }

    /** Starts it again on the same port and folder. */
    void restart() throws IOException, InterruptedException {
        stop();
        startServer();
    }

    @Override
    public void close() throws InterruptedException {
        stop();
        SampleProjects.deleteTree(dir);
    }

    private void startServer() throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(findBinary(), "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--dir", dir.toString(), "--save", ""));
        if (persistent) {
            command.addAll(List.of("--appendonly", "yes", "--appendfsync", "always"));
        } else {
            command.addAll(List.of("--appendonly", "no"));
        }
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile()).start();
        awaitPort(true);
    }

    private void awaitPort(boolean open) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (accepts() == open) {
                return;
            }
            if (open && !process.isAlive()) {
                throw new IllegalStateException("redis-server exited; see " + dir.resolve("redis.log"));
            }
            TimeUnit.MILLISECONDS.sleep(20); // waiting for a server process
        }
        throw new IllegalStateException("redis-server on port " + port + " did not " + (open ? "start" : "stop"));
    }

    private boolean accepts() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String findBinary() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path candidate = Path.of(dir, "redis-server");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return null;
    }
}
