package dev.forge.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.forge.exec.AdmissionConfig;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The admission limits over HTTP: a user with too many active tasks gets 429, a full queue
 * gives everyone 503, each as problem+json naming the limit, with {@code Retry-After}. No
 * workers run here, so every created task stays queued.
 */
class AdmissionApiTest {

    private static final String BUILD = "{\"project_name\":\"hello\",\"goal\":\"build and test\"}";
    private static final String ANALYSIS = "{\"project_name\":\"hello\",\"analysis_types\":[\"quality\"]}";

    private static TestServer serverWith(AdmissionConfig admission) {
        return TestServer.start(new TestServer.Options().noWorkers().forge(b -> b.admission(admission)));
    }

    private static void assertProblem(HttpResponse<String> response, int status, String type, String limit,
            long max, String retryAfter) {
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                value -> assertThat(value).startsWith("application/problem+json"));
        assertThat(response.headers().firstValue("Retry-After")).contains(retryAfter);
        JsonNode body = TestServer.json(response);
        assertThat(body.get("type").asText()).isEqualTo("urn:forge:problem:" + type);
        assertThat(body.get("status").asInt()).isEqualTo(status);
        assertThat(body.get("limit").asText()).isEqualTo(limit);
        assertThat(body.get("max").asLong()).isEqualTo(max);
        assertThat(body.get("detail").asText()).contains(Long.toString(max)).contains(retryAfter + " s");
        assertThat(response.body()).doesNotContain("Exception").doesNotContain("at dev.forge");
    }

    @Test
    void aUserAtTheActiveTaskLimit_gets429NamingIt_forEveryKindOfTask() {
        try (TestServer server = serverWith(AdmissionConfig.ofDefaults().withActiveTasksPerUser(2)
                .withRetryAfter(Duration.ofMillis(6_500), Duration.ofSeconds(40)))) {
            String alice = server.userToken(TestServer.newUser());
            server.createBuild(alice, "hello");
            assertThat(server.postJson("/api/analysis/", alice, ANALYSIS).statusCode()).isEqualTo(202);

            HttpResponse<String> build = server.postJson("/api/build/", alice, BUILD);
            HttpResponse<String> analysis = server.postJson("/api/analysis/", alice, ANALYSIS);

            assertProblem(build, 429, "too-many-active-tasks", "active_tasks_per_user", 2, "7");
            assertProblem(analysis, 429, "too-many-active-tasks", "active_tasks_per_user", 2, "7");
            String bob = server.userToken(TestServer.newUser());
            assertThat(server.postJson("/api/build/", bob, BUILD).statusCode()).as("another user").isEqualTo(202);
        }
    }

    @Test
    void aFullQueue_gives503NamingTheLimit_toEveryone() {
        try (TestServer server = serverWith(AdmissionConfig.ofDefaults().withQueuedTasksPerQueue(3)
                .withRetryAfter(Duration.ofSeconds(5), Duration.ofSeconds(40)))) {
            for (int i = 0; i < 3; i++) {
                server.createBuild(server.userToken(TestServer.newUser()), "hello");
            }

            HttpResponse<String> refused = server.postJson("/api/build/",
                    server.userToken(TestServer.newUser()), BUILD);

            assertProblem(refused, 503, "queue-full", "queued_tasks", 3, "40");
            assertThat(server.postJson("/api/analysis/", server.userToken(TestServer.newUser()), ANALYSIS)
                    .statusCode()).as("the analysis queue has room").isEqualTo(202);
        }
    }
}
