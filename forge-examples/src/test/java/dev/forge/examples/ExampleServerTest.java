package dev.forge.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The example server with no configuration: sample projects, generated secret, printed tokens. */
class ExampleServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static ExampleServer.Running server;
    private static String banner;
    private static String userToken;
    private static String adminToken;

    @BeforeAll
    static void start() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        server = ExampleServer.start(ServerSettings.parse(Map.of(),
                        List.of("--port=0", "--workers=2", "--rate-limit-requests-per-minute=100000")),
                new PrintStream(out, true, StandardCharsets.UTF_8));
        banner = out.toString(StandardCharsets.UTF_8);
        userToken = tokenAfter("user token (alice): ");
        adminToken = tokenAfter("admin token (admin): ");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void banner_printsTheUrlAndTwoWorkingTokens() {
        assertThat(banner).contains("listening on http://127.0.0.1:" + server.port())
                .contains("hello-make").contains("java-coverage").contains("valid 24 h");

        assertThat(get("/api/build/", userToken).statusCode()).isEqualTo(200);
        JsonNode status = json(get("/api/health/status", adminToken));
        assertThat(status.get("components").get("executor").has("details")).isTrue();
    }

    @Test
    void sandbox_isNamedInTheBannerAndTheHealthStatus_andTheSamplesRunInIt() throws Exception {
        String isolation = server.forge().sandbox().orElseThrow().isolation().label();
        assertThat(banner).contains("  sandbox:   " + isolation).contains("enforcement best_effort");
        JsonNode anonymous = json(send(HttpRequest.newBuilder(uri("/api/health/status")).build()));
        assertThat(anonymous.get("components").get("sandbox").get("isolation").asText()).isEqualTo(isolation);
        JsonNode admin = json(get("/api/health/status", adminToken));
        assertThat(admin.get("components").get("sandbox").get("details").get("enforcement").asText())
                .isEqualTo("best_effort");

        String id = createBuild("hello-shell", Map.of());
        assertThat(awaitTerminal(id).get("status").asText()).isEqualTo("completed");
        assertThat(get("/api/build/" + id + "/logs", userToken).body()).contains("[forge] sandbox: " + isolation);
    }

    @Test
    void makeSample_buildsToCompletion_withTestResultsAndLog() throws Exception {
        String id = createBuild("hello-make", Map.of());

        JsonNode build = awaitTerminal(id);

        assertThat(build.get("status").asText()).isEqualTo("completed");
        assertThat(build.get("results").get("tests").get("passed").asInt()).isEqualTo(3);
        assertThat(get("/api/build/" + id + "/logs", userToken).body()).contains("compiling hello");
    }

    @Test
    void shellSample_receivesItsParameters() throws Exception {
        String id = createBuild("hello-shell", Map.of("greeting", "bonjour"));

        assertThat(awaitTerminal(id).get("status").asText()).isEqualTo("completed");
        assertThat(get("/api/build/" + id + "/logs", userToken).body()).contains("bonjour from a shell build");
    }

    @Test
    void javaSample_compilesAndRunsItsTests_withTheJdkAlone() throws Exception {
        String id = createBuild("java-coverage", Map.of());

        assertThat(awaitTerminal(id).get("status").asText()).isEqualTo("completed");
        assertThat(get("/api/build/" + id + "/logs", userToken).body()).contains("3 tests passed");
    }

    @Test
    void javaSample_analysis_readsItsJacocoReport_andTypeChecksItsSource() throws Exception {
        HttpResponse<String> created = send(HttpRequest.newBuilder(uri("/api/analysis/"))
                .header("Authorization", "Bearer " + userToken).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"project_name\":\"java-coverage\",\"analysis_types\":[\"coverage\",\"types\",\"quality\",\"security\"]}"))
                .build());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
        String id = json(created).get("analysis_id").asText();

        JsonNode analysis = awaitFinished("/api/analysis/" + id);

        assertThat(analysis.get("status").asText()).as(analysis.toString()).isEqualTo("completed");
        assertThat(analysis.get("coverage_percent").asDouble()).isEqualTo(33.3);
        assertThat(analysis.get("type_errors").asInt()).isZero();
        // ReportExporter's planted problems: a weak hash, a command built from a string, an
        // empty catch block and an unused field.
        assertThat(analysis.get("security_issues").toString()).contains("ReportExporter.java");
        assertThat(analysis.get("code_smells").asInt()).isPositive();
        assertThat(analysis.get("quality_score").asDouble()).isBetween(0.0, 9.9);
        assertThat(analysis.get("recommendations").toString()).contains("ReportExporter.java");
        assertThat(get("/api/analysis/" + id + "/sarif", userToken).statusCode()).isEqualTo(200);
    }

    @Test
    void slowSample_canBeWatchedAndCancelled() throws Exception {
        String id = createBuild("slow-make", Map.of());
        HttpResponse<java.util.stream.Stream<String>> events = HTTP.send(HttpRequest.newBuilder(uri("/api/build/" + id + "/events"))
                .header("Authorization", "Bearer " + userToken).header("Accept", "text/event-stream").build(),
                HttpResponse.BodyHandlers.ofLines());
        assertThat(events.statusCode()).isEqualTo(200);

        HttpResponse<String> cancel = HTTP.send(HttpRequest.newBuilder(uri("/api/build/" + id))
                .header("Authorization", "Bearer " + userToken).DELETE().build(), HttpResponse.BodyHandlers.ofString());

        assertThat(cancel.statusCode()).isEqualTo(200);
        List<String> lines = events.body().toList(); // ends when the stream closes
        assertThat(lines).contains("event: done");
        assertThat(awaitTerminal(id).get("status").asText()).isEqualTo("cancelled");
    }

    @Test
    void close_removesTheTemporaryFolders() {
        ExampleServer.Running other = ExampleServer.start(ServerSettings.parse(Map.of(), List.of("--port=0")),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        Path projects = other.forge().catalog() instanceof dev.forge.project.DirectoryProjectCatalog catalog
                ? catalog.root() : null;
        assertThat(projects).isNotNull();
        assertThat(Files.isDirectory(projects.resolve("hello-make"))).isTrue();

        other.close();

        assertThat(Files.exists(projects)).isFalse();
    }

    @Test
    void run_badSetting_exits2WithOneLineNamingIt() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = ExampleServer.run(new String[] {"--workers=many"}, Map.of(),
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8).trim())
                .isEqualTo("forge: --workers (FORGE_WORKERS): must be a whole number from 1 to 256, was 'many'");
    }

    @Test
    void run_splitRoleWithoutRedis_isRefused() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream errors = new PrintStream(err, true, StandardCharsets.UTF_8);
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());

        assertThat(ExampleServer.run(new String[] {"--role=api"}, Map.of(), quiet, errors)).isEqualTo(2);
        assertThat(ExampleServer.run(new String[0], Map.of("FORGE_ROLE", "worker"), quiet, errors)).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("FORGE_ROLE").contains("FORGE_REDIS_URL");
    }

    @Test
    void run_help_listsEveryVariable() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = ExampleServer.run(new String[] {"--help"}, Map.of(),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()));

        assertThat(code).isZero();
        for (String variable : ServerSettings.ORDER) {
            assertThat(out.toString(StandardCharsets.UTF_8)).contains(variable).contains(ServerSettings.flagOf(variable));
        }
    }

    private static String createBuild(String project, Map<String, String> parameters) throws IOException {
        String body = JSON.writeValueAsString(Map.of("project_name", project, "goal", "test the sample",
                "parameters", parameters));
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/api/build/"))
                .header("Authorization", "Bearer " + userToken).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return json(response).get("task_id").asText();
    }

    private static JsonNode awaitTerminal(String buildId) throws InterruptedException {
        return awaitFinished("/api/build/" + buildId);
    }

    /** Polls a build or analysis until it has finished. */
    private static JsonNode awaitFinished(String path) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode task = json(get(path, userToken));
            if (List.of("completed", "failed", "cancelled").contains(task.get("status").asText())) {
                return task;
            }
            Thread.sleep(50); // polling real processes
        }
        throw new AssertionError(path + " did not finish in 90 s");
    }

    private static String tokenAfter(String label) {
        Matcher matcher = Pattern.compile(Pattern.quote(label.trim()) + "\\s+(\\S+)").matcher(banner);
        assertThat(matcher.find()).as("banner has " + label + ":\n" + banner).isTrue();
        return matcher.group(1);
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    private static HttpResponse<String> get(String path, String token) {
        return send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + token).build());
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + response.body(), e);
        }
    }

    @Test
    void metrics_carryTheJvmAndProcessFamilies_andPassPromtool() throws Exception {
        HttpResponse<String> metrics = get("/metrics", adminToken);

        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("jvm_memory_used_bytes", "jvm_gc_memory_allocated_bytes_total",
                "jvm_threads_live_threads", "jvm_classes_loaded_classes", "process_cpu_usage", "process_cpu_seconds_total",
                "system_cpu_processors",
                "process_uptime_seconds", "process_files_open_files", "forge_");
        Path promtool = onPath("promtool");
        org.junit.jupiter.api.Assumptions.assumeTrue(promtool != null,
                "promtool is not on the PATH (Debian package prometheus); /metrics was not linted");
        Process check = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
        try (var stdin = check.getOutputStream()) {
            stdin.write(metrics.body().getBytes(StandardCharsets.UTF_8));
        }
        String verdict = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(check.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).as("promtool finished").isTrue();
        assertThat(check.exitValue()).as(verdict).isZero();
    }

    private static Path onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(dir).resolve(program);
            if (!dir.isEmpty() && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
