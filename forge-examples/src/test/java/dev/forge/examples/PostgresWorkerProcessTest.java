package dev.forge.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.forge.security.DevTokens;
import dev.forge.security.Role;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A worker JVM killed with {@code kill -9} mid-build, on PostgreSQL: the API node (in this JVM)
 * and the worker JVMs share a database of this test's own on the local server; the dead worker's
 * lease lapses (measured by the database's clock), the job is delivered to a second worker JVM,
 * and the build completes once.
 */
class PostgresWorkerProcessTest {

    private static final String SECRET = "postgres-worker-test-secret-0123456789abcdef";
    private static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/";
    private static final Duration WAIT = Duration.ofSeconds(120);

    private final String user = DevTokens.hs256(SECRET).mint("alice", "Alice", EnumSet.of(Role.USER),
            Duration.ofHours(1));
    private final List<Process> workers = new ArrayList<>();
    private String dbUser;
    private String database;
    private Path projects;
    private ExampleServer.Running api;

    @AfterEach
    void stopEverything() throws Exception {
        workers.forEach(ServerProcess::killTree);
        if (api != null) {
            api.close();
        }
        if (database != null) {
            try (Connection connection = connect("test"); Statement statement = connection.createStatement()) {
                statement.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
            }
        }
        if (projects != null) {
            SampleProjects.deleteTree(projects);
        }
    }

    @Test
    void workerKilledMidBuild_jobIsRedelivered_andCompletesOnce() throws Exception {
        createDatabase();
        projects = Files.createTempDirectory("forge-pg-kill-test-");
        Path nap = Files.createDirectories(projects.resolve("nap-make"));
        Files.writeString(nap.resolve("Makefile"), "all:\n"
                + "\t@for i in 1 2 3 4 5 6; do echo \"napping ($$i/6)\"; sleep 0.5; done\n"
                + "test:\n\t@echo \"nothing to test\"\n.PHONY: all test\n");
        api = ExampleServer.start(ServerSettings.parse(env("api"), List.of("--port=0",
                "--rate-limit-requests-per-minute=100000")), new PrintStream(new ByteArrayOutputStream()));

        Process doomed = startWorker("doomed");
        String id = NodeClient.idOf(api().createBuild("nap-make", "survive a dead worker"));
        api().awaitBuild(id, t -> running(t, 1) && napped(id, 1), WAIT);
        ServerProcess.killTree(doomed); // kill -9: a machine gone, its lease left to lapse
        startWorker("survivor");
        JsonNode done = api().awaitBuild(id, NodeClient::isTerminal, WAIT);

        assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("completed");
        assertThat(done.get("attempt").asInt()).as("one redelivery, one completion").isEqualTo(2);
        String log = api().get("/api/build/" + id + "/logs").body();
        assertThat(log).contains("napping (6/6)");
        assertThat(count(log, "napping (6/6)")).as("only the second attempt finished its build").isEqualTo(1);
        try (Connection connection = connect(database); Statement statement = connection.createStatement();
                var rows = statement.executeQuery("SELECT count(*) FROM forge.jobs")) {
            rows.next();
            assertThat(rows.getLong(1)).as("the job was acknowledged and removed").isZero();
        }
    }

    private void createDatabase() throws SQLException {
        database = "forge_kill_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12)
                .toLowerCase(Locale.ROOT);
        try (Connection connection = connect("test"); Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + database);
        }
    }

    /** A connection as postgres or root (trust auth); skips the test when the server does not answer. */
    private Connection connect(String db) throws SQLException {
        SQLException last = null;
        for (String candidate : dbUser != null ? List.of(dbUser) : List.of("postgres", "root")) {
            Properties properties = new Properties();
            properties.setProperty("user", candidate);
            properties.setProperty("connectTimeout", "3");
            try {
                Connection connection = DriverManager.getConnection(SERVER + db, properties);
                dbUser = candidate;
                return connection;
            } catch (SQLException e) {
                last = e;
            }
        }
        if ("1".equals(System.getenv("FORGE_REQUIRE_POSTGRES"))) {
            throw last;
        }
        assumeTrue(false, "PostgreSQL is not answering at 127.0.0.1:5432 (" + last.getMessage()
                + "); this test is skipped, not passed");
        return null; // not reached
    }

    private Map<String, String> env(String role) {
        return Map.of("FORGE_JWT_SECRET", SECRET, "FORGE_DATABASE_URL", SERVER + database + "?user=" + dbUser,
                "FORGE_ROLE", role, "FORGE_PROJECTS_DIR", projects.toString(),
                "FORGE_QUEUE_VISIBILITY_SECONDS", "5", "FORGE_WORKERS", "1", "FORGE_LOG_FORMAT", "text");
    }

    private Process startWorker(String name) throws IOException {
        Path logs = Files.createDirectories(Path.of("target", "worker-logs"));
        Process process = ServerProcess.start(env("worker"),
                logs.resolve("pg-" + name + "-" + UUID.randomUUID() + ".log"));
        workers.add(process);
        return process;
    }


    private static boolean running(JsonNode task, int attempt) {
        return task.get("status").asText().equals("running") && task.get("attempt").asInt() == attempt;
    }

    /** True once the log shows the build's first line {@code times} times: that attempt's process runs. */
    private boolean napped(String id, int times) {
        try {
            return count(api().get("/api/build/" + id + "/logs").body(), "napping (1/6)") >= times;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static int count(String text, String what) {
        return text.split(Pattern.quote(what), -1).length - 1;
    }

    private NodeClient api() {
        return new NodeClient(api.url(), user);
    }
}
