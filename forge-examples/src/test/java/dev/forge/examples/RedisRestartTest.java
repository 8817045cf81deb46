package dev.forge.examples;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.forge.redis.RedisBackend;
import dev.forge.redis.RedisSettings;
import dev.forge.security.DevTokens;
import dev.forge.security.Role;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * forge outlives the things around it, on a Redis of the test's own: an API node restarted finds
 * every task, log and history page as it left them; a Redis killed and restarted - with its AOF,
 * or empty because it kept nothing - gives 503s while down and serves again afterwards, its
 * workers resuming without a restart of forge (scripts loaded again after {@code NOSCRIPT}); and
 * at start forge warns when the Redis persists nothing.
 */
class RedisRestartTest {

    private static final String SECRET = "redis-restart-test-secret-0123456789abcdef";
    private static final Duration WAIT = Duration.ofSeconds(90);

    private final String user = DevTokens.hs256(SECRET).mint("alice", "Alice", EnumSet.of(Role.USER),
            Duration.ofHours(1));

    @Test
    void apiNodeRestarted_everyTaskLogAndHistoryPageIsIntact() throws Exception {
        try (PrivateRedis redis = PrivateRedis.start(false)) {
            Map<String, String> before = new LinkedHashMap<>();
            ExampleServer.Running first = start(redis, "all");
            List<String> paths = new ArrayList<>();
            try {
                for (String project : List.of("hello-make", "hello-shell", "hello-make")) {
                    String id = NodeClient.idOf(client(first).createBuild(project, "survive restarts"));
                    client(first).awaitBuild(id, NodeClient::isTerminal, WAIT);
                    paths.add("/api/build/" + id);
                    paths.add("/api/build/" + id + "/logs");
                }
                for (int offset = 0; offset < 4; offset += 2) {
                    paths.add("/api/build/?limit=2&offset=" + offset);
                }
                for (String path : paths) {
                    HttpResponse<String> answer = client(first).get(path);
                    assertThat(answer.statusCode()).as(path).isEqualTo(200);
                    before.put(path, answer.body());
                }
            } finally {
                first.close();
            }
            assertThat(NodeClient.JSON.readTree(before.get("/api/build/?limit=2&offset=0")).get("total").asInt())
                    .isEqualTo(3);

            ExampleServer.Running second = start(redis, "api");
            try {
                for (Map.Entry<String, String> entry : before.entrySet()) {
                    HttpResponse<String> answer = client(second).get(entry.getKey());
                    assertThat(answer.statusCode()).as(entry.getKey()).isEqualTo(200);
                    assertThat(answer.body()).as(entry.getKey()).isEqualTo(entry.getValue());
                }
            } finally {
                second.close();
            }
        }
    }

    @Test
    void redisRestartedEmpty_503WhileDown_thenServesAndRunsBuildsAgain() throws Exception {
        try (PrivateRedis redis = PrivateRedis.start(false)) {
            ExampleServer.Running node = start(redis, "all");
            try {
                String before = NodeClient.idOf(client(node).createBuild("hello-make", "survive restarts"));
                assertThat(client(node).awaitBuild(before, NodeClient::isTerminal, WAIT).get("status").asText())
                        .isEqualTo("completed");

                redis.stop();
                assertDown(node);

                redis.restart(); // no AOF, no snapshot: it comes back empty
                awaitReady(node);
                // the task lived only in that Redis: gone, as the start-up warning said it would be
                assertThat(client(node).get("/api/build/" + before).statusCode()).isEqualTo(404);
                String after = NodeClient.idOf(client(node).createBuild("hello-make", "survive restarts"));
                JsonNode done = client(node).awaitBuild(after, NodeClient::isTerminal, WAIT);
                assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("completed");
                assertThat(client(node).get("/api/build/" + after + "/logs").body()).contains("compiling hello");
            } finally {
                node.close();
            }
        }
    }

    @Test
    void redisRestartedWithItsAof_theQueuedBuildSurvivesAndCompletes() throws Exception {
        try (PrivateRedis redis = PrivateRedis.start(true)) {
            ExampleServer.Running api = start(redis, "api");
            ExampleServer.Running worker = null;
            try {
                String done = NodeClient.idOf(client(api).createBuild("hello-make", "survive restarts"));
                worker = start(redis, "worker");
                client(api).awaitBuild(done, NodeClient::isTerminal, WAIT);
                worker.close();
                worker = null;
                // acknowledged (202) while no worker runs: only Redis holds it when Redis dies
                String queued = NodeClient.idOf(client(api).createBuild("hello-make", "survive restarts"));

                redis.stop();
                assertDown(api);
                redis.restart();
                awaitReady(api);

                worker = start(redis, "worker");
                JsonNode built = client(api).awaitBuild(queued, NodeClient::isTerminal, WAIT);
                assertThat(built.get("status").asText()).as(built.toString()).isEqualTo("completed");
                assertThat(client(api).awaitBuild(done, NodeClient::isTerminal, WAIT).get("status").asText())
                        .isEqualTo("completed");
                JsonNode history = NodeClient.JSON.readTree(client(api).get("/api/build/?limit=10").body());
                assertThat(history.get("total").asInt()).isEqualTo(2);
            } finally {
                if (worker != null) {
                    worker.close();
                }
                api.close();
            }
        }
    }

    @Test
    void atStart_forgeWarnsWhenRedisPersistsNothing() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(RedisBackend.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try (PrivateRedis volatileRedis = PrivateRedis.start(false);
                PrivateRedis durableRedis = PrivateRedis.start(true)) {
            RedisBackend.connect(RedisSettings.custom().uri(durableRedis.url()).build()).close();
            assertThat(warnings(appender)).as("AOF on: no warning").isEmpty();

            RedisBackend.connect(RedisSettings.custom().uri(volatileRedis.url()).build()).close();
            assertThat(warnings(appender)).singleElement().asString()
                    .contains("neither AOF (appendonly) nor RDB snapshots (save)");
        } finally {
            logger.detachAppender(appender);
        }
    }

    @Test
    void redisDownAtStartOrRestarted_persistenceIsCheckedWhenItAnswersAgain() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(RedisBackend.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try (PrivateRedis redis = PrivateRedis.start(false)) {
            redis.stop();
            try (RedisBackend backend = RedisBackend.connect(RedisSettings.custom().uri(redis.url()).build())) {
                assertThat(backend.ping()).isFalse();
                assertThat(warnings(appender)).as("nothing known while Redis is down").isEmpty();

                redis.restart();
                awaitWarnings(backend, appender, 1);

                redis.stop();
                assertThat(backend.ping()).isFalse();
                redis.restart(); // empty again, and still without persistence: said again
                awaitWarnings(backend, appender, 2);
            }
        } finally {
            logger.detachAppender(appender);
        }
        assertThat(warnings(appender)).allSatisfy(w -> assertThat(w).contains("neither AOF"));
    }

    /** Pings (a command that succeeds once Redis is back) until {@code count} warnings were logged. */
    private static void awaitWarnings(RedisBackend backend, ListAppender<ILoggingEvent> appender, int count)
            throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!(backend.ping() && warnings(appender).size() >= count)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("expected " + count + " persistence warnings, got " + warnings(appender));
            }
            Thread.sleep(50); // the check runs on a thread of its own
        }
        assertThat(warnings(appender)).hasSize(count);
    }

    private static List<String> warnings(ListAppender<ILoggingEvent> appender) {
        return appender.list.stream().filter(e -> e.getLevel() == Level.WARN)
                .map(ILoggingEvent::getFormattedMessage).toList();
    }

    /** While Redis is down: a creation is a quick 503 problem, the node is not ready but alive. */
    private void assertDown(ExampleServer.Running node) throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> refused = client(node).createBuild("hello-make", "survive restarts");
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(took).isLessThan(Duration.ofSeconds(2));
        assertThat(client(node).get("/api/health/ready").statusCode()).isEqualTo(503);
        assertThat(client(node).get("/api/health/live").statusCode()).isEqualTo(200);
    }

    private void awaitReady(ExampleServer.Running node) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (client(node).get("/api/health/ready").statusCode() != 200) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not ready again " + WAIT.toSeconds() + " s after Redis came back");
            }
            Thread.sleep(100); // Redis reconnecting
        }
    }

    private ExampleServer.Running start(PrivateRedis redis, String role) {
        return ExampleServer.start(ServerSettings.parse(Map.of("FORGE_JWT_SECRET", SECRET, "FORGE_REDIS_URL",
                redis.url(), "FORGE_ROLE", role, "FORGE_QUEUE_VISIBILITY_SECONDS", "5"),
                List.of("--port=0", "--workers=2", "--rate-limit-requests-per-minute=100000",
                        "--rate-limit-builds-per-minute=100000")),
                new PrintStream(new ByteArrayOutputStream()));
    }

    private NodeClient client(ExampleServer.Running node) {
        return new NodeClient(node.url(), user);
    }
}
