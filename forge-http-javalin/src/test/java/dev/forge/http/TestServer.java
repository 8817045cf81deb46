package dev.forge.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.forge.Forge;
import dev.forge.project.DirectoryProjectCatalog;
import dev.forge.ratelimit.InMemoryRateLimiter;
import dev.forge.ratelimit.RateLimitConfig;
import dev.forge.ratelimit.RateLimitRule;
import dev.forge.ratelimit.RateLimiter;
import dev.forge.security.DevTokens;
import dev.forge.security.JwtAuthenticator;
import dev.forge.security.Role;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A real forge server on a free port for tests: in-memory core, a temporary projects folder
 * (Makefile projects), HS256 tokens, and a Java HTTP client.
 */
final class TestServer implements AutoCloseable {

    static final String SECRET = "forge-http-test-secret-0123456789-abcdef";
    static final ObjectMapper JSON = new ObjectMapper();

    final Path root;
    final Path projects;
    final Forge forge;
    final ForgeServer server;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    final DevTokens tokens = DevTokens.hs256(SECRET);

    private TestServer(Path root, Forge forge, ForgeServer server) {
        this.root = root;
        this.projects = root.resolve("projects");
        this.forge = forge;
        this.server = server;
    }

    /** Options of a test server. */
    static final class Options {
        // open /metrics, so tests can read meters without a token; MetricsApiTest checks the default
        HttpConfig.Builder http = HttpConfig.builder().metricsRequireAdmin(false);
        boolean startWorkers = true;
        RateLimiter rateLimiter;
        boolean forgeRateLimiter = true;
        Consumer<Forge.Builder> forge = b -> { };

        Options http(Consumer<HttpConfig.Builder> change) {
            change.accept(http);
            return this;
        }

        Options noWorkers() {
            startWorkers = false;
            return this;
        }

        Options rateLimiter(RateLimiter limiter) {
            this.rateLimiter = limiter;
            return this;
        }

        /** Forge without a rate limiter of its own, as an embedding application builds it. */
        Options noForgeRateLimiter() {
            forgeRateLimiter = false;
            return this;
        }

        Options forge(Consumer<Forge.Builder> change) {
            this.forge = change;
            return this;
        }
    }

    static TestServer start() {
        return start(new Options());
    }

    static TestServer start(Options options) {
        try {
            Path root = Files.createTempDirectory("forge-http-test");
            Path projects = Files.createDirectories(root.resolve("projects"));
            makeProject(projects, "hello", "all:\n\t@echo compiling hello\ntest:\n\t@echo tests passed\n");
            makeProject(projects, "slow", "all:\n\t@echo starting\n\t@sleep 30\ntest:\n\t@echo done\n");
            makeProject(projects, "broken", "all:\n\t@echo about to fail\n\t@exit 3\ntest:\n\t@echo never\n");
            makeProject(projects, "leaky", "all:\n\t@echo ok\ntest:\n\t@echo ok\n");
            Files.writeString(projects.resolve("leaky").resolve("deploy.env"),
                    "AWS_ACCESS_KEY_ID=AKIAZ7Q3K9VX2MBW4RTN\nAWS_REGION=eu-west-1\n");
            Path workspaces = Files.createDirectories(root.resolve("workspaces"));
            Forge.Builder builder = Forge.builder()
                    .authenticator(JwtAuthenticator.builder().hs256Secret(SECRET).build())
                    .projectCatalog(new DirectoryProjectCatalog(projects))
                    .workspaceRoot(workspaces)
                    .meterRegistry(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))
                    .workers(2);
            if (options.forgeRateLimiter) {
                builder.rateLimiter(options.rateLimiter != null ? options.rateLimiter : generousLimits());
            }
            options.forge.accept(builder);
            Forge forge = builder.build();
            if (options.startWorkers) {
                forge.start();
            }
            ForgeServer server = ForgeServer.start(forge, options.http.build(), "127.0.0.1", 0);
            return new TestServer(root, forge, server);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Limits high enough that ordinary tests never meet them. */
    static RateLimiter generousLimits() {
        return new InMemoryRateLimiter(RateLimitConfig.custom()
                .rule(RateLimiter.REQUEST, RateLimitRule.perMinute(100_000))
                .rule(RateLimiter.BUILD_CREATE, RateLimitRule.perMinute(100_000))
                .rule(RateLimiter.ANALYSIS_CREATE, RateLimitRule.perMinute(100_000))
                .build(), Clock.systemUTC());
    }

    static void makeProject(Path projects, String name, String makefile) throws IOException {
        Path dir = Files.createDirectories(projects.resolve(name));
        Files.writeString(dir.resolve("Makefile"), makefile);
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    static String newUser() {
        return "u" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    String userToken(String userId) {
        return tokens.mint(userId, userId, EnumSet.of(Role.USER), Duration.ofHours(1));
    }

    String adminToken(String userId) {
        return tokens.mint(userId, userId, EnumSet.of(Role.ADMIN), Duration.ofHours(1));
    }

    HttpRequest.Builder request(String path, String token) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20));
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        return builder;
    }

    HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<String> get(String path, String token) {
        return send(request(path, token).GET().build());
    }

    HttpResponse<String> delete(String path, String token) {
        return send(request(path, token).DELETE().build());
    }

    HttpResponse<String> postJson(String path, String token, String json) {
        return send(request(path, token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    /** Creates a build and returns its id, failing the test on anything but 202. */
    String createBuild(String token, String project) {
        HttpResponse<String> response = postJson("/api/build/", token,
                "{\"project_name\":\"" + project + "\",\"goal\":\"build and test\"}");
        if (response.statusCode() != 202) {
            throw new AssertionError("expected 202 but was " + response.statusCode() + ": " + response.body());
        }
        return json(response).get("task_id").asText();
    }

    /** Polls a build until it is terminal, or fails after 30 s. */
    JsonNode awaitTerminal(String taskId, String token) {
        return await(taskId, token, status -> List.of("completed", "failed", "cancelled").contains(status));
    }

    /** Polls a build until it has {@code status}, or fails after 30 s. */
    JsonNode awaitStatus(String taskId, String token, String status) {
        return await(taskId, token, status::equals);
    }

    private JsonNode await(String taskId, String token, java.util.function.Predicate<String> done) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode build = json(get("/api/build/" + taskId, token));
            if (done.test(build.get("status").asText())) {
                return build;
            }
            try {
                Thread.sleep(20); // polling a real process, not waiting on a clock
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new AssertionError("build " + taskId + " did not reach the status within 30 s");
    }

    static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON (" + response.statusCode() + "): " + response.body(), e);
        }
    }

    @Override
    public void close() {
        server.close();
        forge.close();
        try (Stream<Path> files = Files.walk(root)) {
            List<Path> all = new ArrayList<>(files.sorted(Comparator.reverseOrder()).toList());
            for (Path path : all) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            // a temp folder left behind is not worth failing a test over
        }
    }
}
