package dev.forge.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AnalysisApiTest {

    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(new TestServer.Options().noWorkers());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void create_answers202WithIdStatusAndLocation() {
        HttpResponse<String> response = server.postJson("/api/analysis/", server.userToken(TestServer.newUser()),
                "{\"project_name\":\"hello\",\"analysis_types\":[\"quality\",\"coverage\"]}");

        assertThat(response.statusCode()).isEqualTo(202);
        JsonNode body = TestServer.json(response);
        assertThat(body.get("status").asText()).isEqualTo("initializing");
        assertThat(response.headers().firstValue("Location"))
                .contains("/api/analysis/" + body.get("analysis_id").asText());
    }

    @Test
    void result_beforeCompletion_hasTheReportKeysAsNull_andOnlyOwnerOrAdminSeeIt() {
        String token = server.userToken(TestServer.newUser());
        String id = TestServer.json(server.postJson("/api/analysis", token,
                "{\"project_name\":\"hello\",\"analysis_types\":[\"security\"]}")).get("analysis_id").asText();

        HttpResponse<String> mine = server.get("/api/analysis/" + id, token);
        HttpResponse<String> admins = server.get("/api/analysis/" + id + "/", server.adminToken("root"));
        HttpResponse<String> theirs = server.get("/api/analysis/" + id, server.userToken(TestServer.newUser()));

        assertThat(mine.statusCode()).isEqualTo(200);
        JsonNode body = TestServer.json(mine);
        assertThat(body.get("analysis_id").asText()).isEqualTo(id);
        assertThat(body.get("project_name").asText()).isEqualTo("hello");
        assertThat(body.get("status").asText()).isEqualTo("initializing");
        assertThat(body.get("analysis_types")).hasSize(1);
        for (String key : List.of("quality_score", "security_issues", "code_smells", "type_errors",
                "coverage_percent", "recommendations")) {
            assertThat(body.has(key)).as(key).isTrue();
            assertThat(body.get(key).isNull()).as(key).isTrue();
        }
        assertThat(admins.statusCode()).isEqualTo(200);
        assertThat(theirs.statusCode()).isEqualTo(403);
    }

    @Test
    void result_unknownId_orABuildsId_answers404() {
        String token = server.userToken(TestServer.newUser());
        String buildId = server.createBuild(token, "hello");

        assertThat(server.get("/api/analysis/nope", token).statusCode()).isEqualTo(404);
        assertThat(server.get("/api/analysis/" + buildId, token).statusCode()).isEqualTo(404);
    }

    @Test
    void create_unknownProject_answers404() {
        HttpResponse<String> response = server.postJson("/api/analysis/", server.userToken(TestServer.newUser()),
                "{\"project_name\":\"missing\",\"analysis_types\":[\"quality\"]}");

        assertThat(response.statusCode()).isEqualTo(404);
    }

    @Test
    void sarif_ofAnUnfinishedAnalysis_isAConflict_andOthersCannotSeeIt() {
        String token = server.userToken(TestServer.newUser());
        String id = TestServer.json(server.postJson("/api/analysis/", token,
                "{\"project_name\":\"hello\",\"analysis_types\":[\"security\"]}")).get("analysis_id").asText();

        assertThat(server.get("/api/analysis/" + id + "/sarif", token).statusCode()).isEqualTo(409);
        assertThat(server.get("/api/analysis/" + id + "/sarif", server.userToken(TestServer.newUser())).statusCode())
                .isEqualTo(403);
        assertThat(server.get("/api/analysis/nope/sarif", token).statusCode()).isEqualTo(404);
    }

    @Test
    void realAnalysis_completesWithItsReportAtTopLevel_andExportsSarif() throws Exception {
        try (TestServer running = TestServer.start()) {
            String token = running.userToken(TestServer.newUser());
            String id = TestServer.json(running.postJson("/api/analysis/", token,
                    "{\"project_name\":\"leaky\",\"analysis_types\":[\"security\",\"quality\"]}"))
                    .get("analysis_id").asText();

            JsonNode done = awaitAnalysis(running, id, token);
            HttpResponse<String> sarif = running.get("/api/analysis/" + id + "/sarif/", token);

            assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("completed");
            assertThat(done.get("security_issues")).as(done.toString()).hasSize(1);
            assertThat(done.get("security_issues").get(0).get("rule").asText()).isEqualTo("secret-aws-access-key");
            assertThat(done.get("quality_score").isNumber()).isTrue();
            assertThat(done.get("recommendations").isArray()).isTrue();
            assertThat(done.get("analysis_id").asText()).isEqualTo(id);
            assertThat(done.toString()).doesNotContain("AKIAZ7Q3K9VX2MBW4RTN");
            // forge-analysis-pmd is not on this module's class path: the report says what it missed
            assertThat(done.get("not_covered").toString()).isEqualTo("[{\"type\":\"quality\",\"reason\":"
                    + "\"code smells need forge-analysis-pmd on the classpath\"},{\"type\":\"security\","
                    + "\"reason\":\"vulnerable code patterns need forge-analysis-pmd on the classpath\"}]");
            assertThat(sarif.statusCode()).isEqualTo(200);
            assertThat(sarif.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/sarif+json");
            JsonNode log = TestServer.json(sarif);
            assertThat(log.get("version").asText()).isEqualTo("2.1.0");
            assertThat(log.get("runs").get(0).get("results").size()).isPositive();
        }
    }

    private static JsonNode awaitAnalysis(TestServer on, String id, String token) throws InterruptedException {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode analysis = TestServer.json(on.get("/api/analysis/" + id, token));
            if (List.of("completed", "failed", "cancelled").contains(analysis.get("status").asText())) {
                return analysis;
            }
            Thread.sleep(50); // polling a real analysis
        }
        throw new AssertionError("analysis " + id + " did not finish in 60 s");
    }

    @Test
    void cancel_answers200_thenConflict() {
        String token = server.userToken(TestServer.newUser());
        String id = TestServer.json(server.postJson("/api/analysis/", token,
                "{\"project_name\":\"hello\",\"analysis_types\":[\"types\"]}")).get("analysis_id").asText();

        HttpResponse<String> cancelled = server.delete("/api/analysis/" + id, token);

        assertThat(cancelled.statusCode()).isEqualTo(200);
        assertThat(TestServer.json(cancelled).get("status").asText()).isEqualTo("cancelled");
        assertThat(server.delete("/api/analysis/" + id, token).statusCode()).isEqualTo(409);
        assertThat(TestServer.json(server.get("/api/analysis/" + id, token)).get("status").asText())
                .isEqualTo("cancelled");
    }
}
