package dev.forge.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.forge.security.DevTokens;
import dev.forge.security.Role;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real worker JVMs on one Redis, with an API node in this JVM: a worker frozen mid-build
 * ({@code SIGSTOP}) and a worker killed with {@code kill -9} mid-build lose their job to the
 * next worker; the build completes once, and the frozen worker, woken up, cannot store its late
 * result.
 *
 * <p>Part of {@code mvn verify}: it starts three JVMs and waits out two leases, 30-46 s at load
 * average 11-20 on two cores; alone:
 * {@code mvn -B -pl forge-examples -am test -Dtest=RedisWorkerProcessTest -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class RedisWorkerProcessTest {

    private static final String SECRET = "redis-worker-test-secret-0123456789abcdef";
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String REDIS = System.getenv().getOrDefault("FORGE_REDIS_URL", "redis://127.0.0.1:6379/0");
    // short, so the test waits little for the lapses it causes; a worker's heartbeat starts as
    // soon as it holds the lease, so even a cold JVM on a busy machine keeps it
    private static final String VISIBILITY_SECONDS = "10";

    private static String prefix;
    private static Path projects;
    private static ExampleServer.Running api;
    private static final List<Process> workers = new ArrayList<>();
    private static final String USER = DevTokens.hs256(SECRET).mint("alice", "Alice", EnumSet.of(Role.USER),
            Duration.ofHours(1));

    @BeforeAll
    static void startApiNode() throws IOException {
        RedisExampleServerTest.requireRedis();
        prefix = "forge-test-" + UUID.randomUUID() + ":";
        projects = Files.createTempDirectory("forge-kill-test-");
        Path nap = Files.createDirectories(projects.resolve("nap-make"));
        Files.writeString(nap.resolve("Makefile"), "all:\n"
                + "\t@for i in 1 2 3 4 5 6 7 8 9 10; do echo \"napping ($$i/10)\"; sleep 0.5; done\n"
                + "test:\n\t@echo \"nothing to test\"\n.PHONY: all test\n");
        api = ExampleServer.start(ServerSettings.parse(env("api"), List.of("--port=0",
                "--rate-limit-requests-per-minute=100000")), new PrintStream(new ByteArrayOutputStream()));
    }

    @org.junit.jupiter.api.AfterEach
    void stopWorkers() {
        workers.forEach(ServerProcess::killTree);
        workers.clear();
    }

    @AfterAll
    static void stopEverything() {
        workers.forEach(ServerProcess::killTree);
        if (api != null) {
            api.close();
        }
        if (prefix != null) {
            RedisExampleServerTest.deleteKeys(prefix);
        }
        if (projects != null) {
            SampleProjects.deleteTree(projects);
        }
    }

    /**
     * One build, three worker JVMs: the first freezes mid-build, the second takes the job over
     * and is killed with {@code kill -9} mid-build, the third completes it; then the first wakes
     * up and cannot write. (One scenario, so the three JVM starts are paid once.)
     */
    @Test
    void frozenThenKilledWorkers_jobIsRedelivered_completesOnce_andTheLateWriteIsRefused() throws Exception {
        Path frozenLog = Files.createDirectories(Path.of("target", "worker-logs"))
                .resolve("frozen-" + UUID.randomUUID() + ".log");
        Process frozen = startWorker("frozen", frozenLog);
        String id = NodeClient.idOf(api().createBuild("nap-make", "survive a dead worker"));
        api().awaitBuild(id, t -> running(t, 1) && napped(id, 1), WAIT);

        signal(frozen, "STOP"); // its lease lapses (Redis time) while it cannot heartbeat
        Process killed = startWorker("killed");
        api().awaitBuild(id, t -> running(t, 2) && napped(id, 2), WAIT);
        ServerProcess.killTree(killed); // kill -9 of the JVM and its build processes: a machine gone
        startWorker("completes");
        JsonNode done = api().awaitBuild(id, NodeClient::isTerminal, WAIT);

        assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("completed");
        assertThat(done.get("attempt").asInt()).as("two redeliveries, one completion").isEqualTo(3);
        assertThat(api().get("/api/build/" + id + "/logs").body()).contains("napping (10/10)");
        String updatedAt = done.get("updated_at").asText();

        signal(frozen, "CONT");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!Files.readString(frozenLog).contains("lost the lease") && System.nanoTime() < deadline) {
            Thread.sleep(100); // the woken worker notices the lost lease at its next heartbeat
        }
        assertThat(Files.readString(frozenLog)).as("the frozen worker noticed it lost the lease")
                .contains("lost the lease");
        JsonNode after = NodeClient.JSON.readTree(api().get("/api/build/" + id).body());
        assertThat(after.get("status").asText()).isEqualTo("completed");
        assertThat(after.get("attempt").asInt()).isEqualTo(3);
        assertThat(after.get("updated_at").asText()).as("nothing written after the completion").isEqualTo(updatedAt);
    }

    private static boolean running(JsonNode task, int attempt) {
        return task.get("status").asText().equals("running") && task.get("attempt").asInt() == attempt;
    }

    /** True once the log shows the build's first line {@code times} times: that attempt's process runs. */
    private static boolean napped(String id, int times) {
        try {
            String log = api().get("/api/build/" + id + "/logs").body();
            return log.split(java.util.regex.Pattern.quote("napping (1/10)"), -1).length - 1 >= times;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static Map<String, String> env(String role) {
        return Map.of("FORGE_JWT_SECRET", SECRET, "FORGE_REDIS_URL", REDIS + "?key_prefix=" + prefix,
                "FORGE_ROLE", role, "FORGE_PROJECTS_DIR", projects.toString(),
                "FORGE_QUEUE_VISIBILITY_SECONDS", VISIBILITY_SECONDS, "FORGE_WORKERS", "1",
                "FORGE_LOG_FORMAT", "text");
    }

    private static Process startWorker(String name) throws IOException {
        Path logs = Files.createDirectories(Path.of("target", "worker-logs"));
        return startWorker(name, logs.resolve(name + "-" + UUID.randomUUID() + ".log"));
    }

    private static Process startWorker(String name, Path log) throws IOException {
        Process process = ServerProcess.start(env("worker"), log);
        workers.add(process);
        return process;
    }


    private static void signal(Process process, String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start();
        assertThat(kill.waitFor()).isZero();
    }

    private static NodeClient api() {
        return new NodeClient(api.url(), USER);
    }
}
