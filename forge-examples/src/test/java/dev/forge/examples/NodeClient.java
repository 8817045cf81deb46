package dev.forge.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/**
 * One user's HTTP calls to one forge node in a test: reads, creations, and polling a build
 * until it reaches a state (builds run as real processes, on this node or another).
 */
final class NodeClient {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String url;
    private final String token;

    NodeClient(String url, String token) {
        this.url = url;
        this.token = token;
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(request(path).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
        return HTTP.send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** POSTs a build of {@code project}; the answer as it came. */
    HttpResponse<String> createBuild(String project, String goal) throws IOException, InterruptedException {
        return post("/api/build/", "{\"project_name\": \"" + project + "\", \"goal\": \"" + goal + "\"}");
    }

    /** The task id of an accepted creation; fails the test on any other answer. */
    static String idOf(HttpResponse<String> created) throws IOException {
        assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
        return JSON.readTree(created.body()).get("task_id").asText();
    }

    /** Polls the build until {@code condition} holds, skipping answers other than 200; fails after {@code wait}. */
    JsonNode awaitBuild(String id, Predicate<JsonNode> condition, Duration wait) throws Exception {
        long deadline = System.nanoTime() + wait.toNanos();
        JsonNode task = null;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> answer = get("/api/build/" + id);
            if (answer.statusCode() == 200) {
                task = JSON.readTree(answer.body());
                if (condition.test(task)) {
                    return task;
                }
            }
            Thread.sleep(50); // polling a real build
        }
        throw new AssertionError("build " + id + " never reached the expected state in " + wait + "; last: " + task);
    }

    static boolean isTerminal(JsonNode task) {
        return List.of("completed", "failed", "cancelled").contains(task.get("status").asText());
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + token);
    }
}
