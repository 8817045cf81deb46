package dev.forge.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.forge.testing.MutableClock;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Analyses have what builds have: history, logs and live events; and an analysis of a build. */
class AnalysisParityApiTest {

    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String createAnalysis(TestServer on, String token, String body) {
        HttpResponse<String> response = on.postJson("/api/analysis/", token, body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return TestServer.json(response).get("analysis_id").asText();
    }

    private static JsonNode awaitAnalysis(String id, String token) {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (true) {
            JsonNode analysis = TestServer.json(server.get("/api/analysis/" + id, token));
            String status = analysis.get("status").asText();
            if (!status.equals("initializing") && !status.equals("running")) {
                return analysis;
            }
            assertThat(System.nanoTime()).as("analysis " + id + " to finish").isLessThan(deadline);
            Thread.onSpinWait();
            try {
                Thread.sleep(50); // polling a condition, not waiting for time to pass
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    @Test
    void history_pagesNewestFirst_ownerIsolated_andValidatesLikeBuilds() {
        MutableClock clock = MutableClock.startingAt2026();
        try (TestServer paged = TestServer.start(new TestServer.Options().noWorkers().forge(b -> b.clock(clock)))) {
            String token = paged.userToken(TestServer.newUser());
            List<String> created = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                created.add(createAnalysis(paged, token, "{\"project_name\":\"hello\",\"analysis_types\":[\"security\"]}"));
                clock.advance(Duration.ofSeconds(1));
            }
            createAnalysis(paged, paged.userToken(TestServer.newUser()),
                    "{\"project_name\":\"hello\",\"analysis_types\":[\"security\"]}");

            JsonNode first = TestServer.json(paged.get("/api/analysis/?limit=2", token));
            JsonNode rest = TestServer.json(paged.get("/api/analysis?limit=2&offset=2", token));

            assertThat(first.get("analyses").findValuesAsText("analysis_id"))
                    .containsExactly(created.get(2), created.get(1));
            assertThat(rest.get("analyses").findValuesAsText("analysis_id")).containsExactly(created.get(0));
            assertThat(first.get("total").asLong()).isEqualTo(3);
            assertThat(first.get("analyses").get(0).get("quality_score_max").asInt()).isEqualTo(10);
            assertThat(TestServer.json(paged.get("/api/analysis/?limit=1000", token)).get("limit").asInt()).isEqualTo(100);
            for (String query : List.of("limit=0", "offset=-1", "limit=x")) {
                HttpResponse<String> bad = paged.get("/api/analysis/?" + query, token);
                assertThat(bad.statusCode()).as(query).isEqualTo(422);
                assertThat(TestServer.json(bad).get("errors").get(0).get("field").asText()).isEqualTo(query.split("=")[0]);
            }
        }
    }

    @Test
    void logsAndEvents_ofAFinishedAnalysis_likeABuilds() throws Exception {
        String token = server.userToken(TestServer.newUser());
        String id = createAnalysis(server, token, "{\"project_name\":\"hello\",\"analysis_types\":[\"security\",\"types\"]}");
        JsonNode done = awaitAnalysis(id, token);
        assertThat(done.get("status").asText()).isEqualTo("completed");

        HttpResponse<String> logs = server.get("/api/analysis/" + id + "/logs", token);
        assertThat(logs.statusCode()).isEqualTo(200);
        assertThat(logs.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain");
        assertThat(logs.body()).contains("analyzer secrets:").contains(" ms").contains("skipped");
        assertThat(server.get("/api/analysis/" + id + "/logs", server.userToken(TestServer.newUser())).statusCode())
                .isEqualTo(403);
        assertThat(server.get("/api/analysis/" + id + "/logs", server.adminToken("root")).statusCode()).isEqualTo(200);
        assertThat(server.get("/api/analysis/nope/logs", token).statusCode()).isEqualTo(404);

        HttpResponse<Stream<String>> stream = server.http.send(server.request("/api/analysis/" + id + "/events", token)
                .header("Accept", "text/event-stream").GET().build(), HttpResponse.BodyHandlers.ofLines());
        List<EventStreamApiTest.Event> events = CompletableFuture
                .supplyAsync(() -> EventStreamApiTest.parse(stream.body())).get(30, TimeUnit.SECONDS);
        // A first connection gets the stored status, the stored log so far, then done.
        assertThat(events).extracting(EventStreamApiTest.Event::name).startsWith("status").endsWith("done");
        List<EventStreamApiTest.Event> lines = events.subList(1, events.size() - 1);
        assertThat(lines).extracting(EventStreamApiTest.Event::name).containsOnly("log");
        assertThat(lines).extracting(e -> e.data().get("line").asText())
                .containsExactlyElementsOf(logs.body().lines().toList());
        assertThat(events.get(events.size() - 1).data().get("analysis_id").asText()).isEqualTo(id);
        assertThat(server.get("/api/analysis/" + id + "/events", token).statusCode()).isEqualTo(406);
        assertThat(server.send(server.request("/api/analysis/" + id + "/events", server.userToken(TestServer.newUser()))
                .header("Accept", "text/event-stream").GET().build()).statusCode()).isEqualTo(403);
    }

    @Test
    void create_withBuildId_analysesThatBuild_andRefusesWhatCannotBe() {
        String user = TestServer.newUser();
        String token = server.userToken(user);
        String buildId = server.createBuild(token, "hello");
        server.awaitTerminal(buildId, token);

        String id = createAnalysis(server, token, "{\"build_id\":\"" + buildId + "\",\"analysis_types\":[\"security\"]}");
        JsonNode analysis = awaitAnalysis(id, token);

        assertThat(analysis.get("status").asText()).isEqualTo("completed");
        assertThat(analysis.get("project_name").asText()).isEqualTo("hello");
        assertThat(analysis.get("build_id").asText()).isEqualTo(buildId);
        assertThat(analysis.get("build").get("workspace").asText()).isEqualTo("the build's own workspace");

        HttpResponse<String> foreign = server.postJson("/api/analysis/", server.userToken(TestServer.newUser()),
                "{\"build_id\":\"" + buildId + "\",\"analysis_types\":[\"security\"]}");
        HttpResponse<String> wrongProject = server.postJson("/api/analysis/", token,
                "{\"project_name\":\"other\",\"build_id\":\"" + buildId + "\",\"analysis_types\":[\"security\"]}");
        HttpResponse<String> neither = server.postJson("/api/analysis/", token, "{\"analysis_types\":[\"security\"]}");
        HttpResponse<String> notAnId = server.postJson("/api/analysis/", token,
                "{\"build_id\":\"../x\",\"analysis_types\":[\"security\"]}");

        assertThat(foreign.statusCode()).isEqualTo(422);
        assertThat(foreign.body()).contains("build_id").doesNotContain(user);
        assertThat(wrongProject.statusCode()).isEqualTo(422);
        assertThat(neither.statusCode()).isEqualTo(422);
        assertThat(neither.body()).contains("project_name");
        assertThat(notAnId.statusCode()).isIn(400, 422);
    }
}
