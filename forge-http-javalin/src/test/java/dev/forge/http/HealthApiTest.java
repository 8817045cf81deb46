package dev.forge.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class HealthApiTest {

    @Test
    void health_readyAndLive_answer200WhileForgeRuns() {
        try (TestServer server = TestServer.start()) {
            JsonNode summary = TestServer.json(server.get("/api/health/", null));
            HttpResponse<String> ready = server.get("/api/health/ready", null);
            HttpResponse<String> live = server.get("/api/health/live", null);

            assertThat(summary.get("status").asText()).isEqualTo("healthy");
            assertThat(summary.get("version").asText()).isNotBlank().isNotEqualTo("unknown");
            assertThat(Instant.parse(summary.get("timestamp").asText())).isNotNull();
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(TestServer.json(ready).get("status").asText()).isEqualTo("ready");
            assertThat(live.statusCode()).isEqualTo(200);
        }
    }

    @Test
    void readyAndLive_answer503Problems_onceForgeIsClosed() {
        try (TestServer server = TestServer.start()) {
            server.forge.close();

            HttpResponse<String> ready = server.get("/api/health/ready", null);
            HttpResponse<String> live = server.get("/api/health/live", null);

            assertThat(ready.statusCode()).isEqualTo(503);
            RequestBodyApiTest.assertProblem(ready, "not-ready");
            assertThat(live.statusCode()).isEqualTo(503);
            assertThat(TestServer.json(server.get("/api/health/", null)).get("status").asText()).isEqualTo("degraded");
        }
    }

    @Test
    void status_showsComponentStatesToAll_butDetailsAndHostFiguresOnlyToAdmins() {
        try (TestServer server = TestServer.start()) {
            JsonNode anonymous = TestServer.json(server.get("/api/health/status", null));
            JsonNode user = TestServer.json(server.get("/api/health/status", server.userToken(TestServer.newUser())));
            JsonNode admin = TestServer.json(server.get("/api/health/status", server.adminToken("root")));

            for (JsonNode status : List.of(anonymous, user, admin)) {
                JsonNode components = status.get("components");
                for (String name : List.of("api", "store", "queue", "executor", "security")) {
                    assertThat(components.get(name).get("status").asText()).as(name).isEqualTo("up");
                }
            }
            for (JsonNode status : List.of(anonymous, user)) {
                assertThat(status.has("metrics")).isFalse();
                assertThat(status.toString()).doesNotContain("heap").doesNotContain("load").doesNotContain("requests");
            }
            JsonNode metrics = admin.get("metrics");
            assertThat(metrics.get("uptime_seconds").asLong()).isGreaterThanOrEqualTo(0);
            assertThat(metrics.get("memory").get("heap_used_bytes").asLong()).isPositive();
            assertThat(metrics.get("cpu").get("available_processors").asInt()).isPositive();
            // the counter counts finished requests, so at least the first one by now
            assertThat(admin.get("metrics").get("requests").asLong()).isBetween(1L, 2L);
            assertThat(anonymous.get("components").get("store").has("details")).isFalse();
            assertThat(user.get("components").get("executor").has("details")).isFalse();
            assertThat(admin.get("components").get("executor").get("details").get("workers").asInt()).isEqualTo(2);
            assertThat(admin.get("components").get("security").get("details").get("algorithm").asText())
                    .isEqualTo("HS256");
        }
    }
}
