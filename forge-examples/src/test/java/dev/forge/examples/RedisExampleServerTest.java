package dev.forge.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.forge.security.DevTokens;
import dev.forge.security.Role;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * The example server on Redis: an API node and a worker node share one Redis (on a key prefix
 * of this test's own) and run a real build end to end; and an API node whose Redis refuses
 * connections answers 503 quickly, is not ready, and stays alive.
 */
class RedisExampleServerTest {

    private static final String SECRET = "redis-example-test-secret-0123456789abcdef";
    private static final String REDIS = System.getenv().getOrDefault("FORGE_REDIS_URL", "redis://127.0.0.1:6379/0");

    private final String user = DevTokens.hs256(SECRET).mint("alice", "Alice", EnumSet.of(Role.USER),
            Duration.ofHours(1));

    @Test
    void apiNodeAndWorkerNode_runABuildThroughRedis() throws Exception {
        requireRedis();
        String prefix = "forge-test-" + UUID.randomUUID() + ":";
        String url = REDIS + "?key_prefix=" + prefix;
        List<ExampleServer.Running> nodes = new ArrayList<>();
        try {
            ExampleServer.Running api = start(url, "api");
            nodes.add(api);
            ExampleServer.Running worker = start(url, "worker");
            nodes.add(worker);

            HttpResponse<String> created = client(api).post("/api/build/",
                    "{\"project_name\": \"hello-make\", \"goal\": \"build it on another node\"}");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
            String id = NodeClient.JSON.readTree(created.body()).get("task_id").asText();
            JsonNode build = client(api).awaitBuild(id, NodeClient::isTerminal, Duration.ofSeconds(90));

            assertThat(build.get("status").asText()).as(build.toString()).isEqualTo("completed");
            assertThat(client(api).get("/api/build/" + id + "/logs").body()).contains("compiling hello");
            assertThat(client(worker).get("/api/health/ready").statusCode()).isEqualTo(200);
            assertThat(client(worker).get("/api/health/live").statusCode()).isEqualTo(200);
            assertThat(client(worker).get("/api/build/").statusCode()).as("a worker serves no API").isEqualTo(404);
            assertThat(client(api).get("/api/health/ready").statusCode()).isEqualTo(200);
        } finally {
            nodes.forEach(ExampleServer.Running::close);
            deleteKeys(prefix);
        }
    }

    @Test
    void redisDown_creationIs503Quickly_notReady_butAlive() throws Exception {
        int refusing;
        try (ServerSocket socket = new ServerSocket(0)) {
            refusing = socket.getLocalPort(); // closed again: connections to it are refused
        }
        ExampleServer.Running api = start("redis://127.0.0.1:" + refusing + "/0", "api");
        try {
            String body = "{\"project_name\": \"hello-make\", \"goal\": \"no redis\"}";
            // the first request also loads and compiles the request path, which on a busy machine
            // takes seconds of its own; the second shows that a refused Redis does not hold it
            assertThat(client(api).post("/api/build/", body).statusCode()).isEqualTo(503);
            long start = System.nanoTime();
            HttpResponse<String> created = client(api).post("/api/build/", body);
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(created.statusCode()).as(created.body()).isEqualTo(503);
            assertThat(created.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/problem+json"));
            assertThat(created.body()).doesNotContain("Jedis").doesNotContain("Exception");
            assertThat(took).isLessThan(Duration.ofSeconds(2));
            assertThat(client(api).get("/api/health/ready").statusCode()).isEqualTo(503);
            assertThat(client(api).get("/api/health/live").statusCode()).isEqualTo(200);
        } finally {
            api.close();
        }
    }

    private static ExampleServer.Running start(String redisUrl, String role) {
        return ExampleServer.start(ServerSettings.parse(Map.of("FORGE_JWT_SECRET", SECRET, "FORGE_REDIS_URL", redisUrl,
                "FORGE_ROLE", role), List.of("--port=0", "--workers=2", "--rate-limit-requests-per-minute=100000")),
                new PrintStream(new ByteArrayOutputStream()));
    }

    static void requireRedis() {
        URI uri = URI.create(REDIS);
        boolean up;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort() < 0 ? 6379 : uri.getPort()), 1000);
            up = true;
        } catch (IOException e) {
            up = false;
        }
        if (!up && "1".equals(System.getenv("FORGE_REQUIRE_REDIS"))) {
            throw new AssertionError("Redis is not reachable at " + REDIS + " and FORGE_REQUIRE_REDIS=1");
        }
        assumeTrue(up, "Redis is not reachable at " + REDIS + "; this test is skipped, not passed");
    }

    static void deleteKeys(String prefix) {
        try (RedisClient client = RedisClient.create(URI.create(REDIS))) {
            String cursor = ScanParams.SCAN_POINTER_START;
            do {
                ScanResult<String> page = client.scan(cursor, new ScanParams().match(prefix + "*").count(1000));
                if (!page.getResult().isEmpty()) {
                    client.del(page.getResult().toArray(new String[0]));
                }
                cursor = page.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        }
    }

    private NodeClient client(ExampleServer.Running node) {
        return new NodeClient(node.url(), user);
    }
}
