package dev.forge.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class MetricsApiTest {

    @Test
    void metrics_arePrometheusText_withTaskAndHttpMeters() {
        try (TestServer server = TestServer.start(new TestServer.Options().noWorkers())) {
            String token = server.userToken(TestServer.newUser());
            server.createBuild(token, "hello");
            server.get("/api/build/", token);
            server.get("/no-such-page-abc", null);

            HttpResponse<String> response = server.get("/metrics", null);

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain");
            assertThat(response.body())
                    .contains("forge_tasks_total{kind=\"build\",status=\"initializing\"} 1.0")
                    .contains("http_server_requests_seconds_count{method=\"POST\",status=\"202\",uri=\"/api/build\"} 1")
                    .contains("uri=\"NOT_FOUND\"")
                    .doesNotContain("no-such-page-abc");
        }
    }

    @Test
    void requestTimer_countsEveryRequestOfARoute_underOneTemplate() {
        try (TestServer server = TestServer.start(new TestServer.Options().noWorkers())) {
            String token = server.userToken(TestServer.newUser());
            String id = server.createBuild(token, "hello");
            for (int i = 0; i < 3; i++) {
                assertThat(server.get("/api/build/" + id, token).statusCode()).isEqualTo(200);
            }
            server.get("/api/build/no-such-task", token);

            assertThat(server.get("/metrics", null).body())
                    .contains("http_server_requests_seconds_count{method=\"GET\",status=\"200\","
                            + "uri=\"/api/build/{task_id}\"} 3")
                    .contains("http_server_requests_seconds_count{method=\"GET\",status=\"404\","
                            + "uri=\"NOT_FOUND\"} 1");
        }
    }

    @Test
    void metrics_needAnAdminToken_byDefault() {
        TestServer.Options defaults = new TestServer.Options().noWorkers();
        defaults.http = HttpConfig.builder();
        try (TestServer server = TestServer.start(defaults)) {
            assertThat(server.get("/metrics", null).statusCode()).isEqualTo(401);
            assertThat(server.get("/metrics", server.userToken(TestServer.newUser())).statusCode()).isEqualTo(403);
            assertThat(server.get("/metrics", server.adminToken("root")).statusCode()).isEqualTo(200);
        }
    }
}
