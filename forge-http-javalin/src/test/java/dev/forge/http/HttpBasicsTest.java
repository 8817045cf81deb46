package dev.forge.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The filters every request passes: headers, request ids, hosts, CORS, routing errors. */
class HttpBasicsTest {

    static final Map<String, String> SECURITY_HEADERS = Map.of(
            "Content-Security-Policy", "default-src 'none'",
            "X-Frame-Options", "DENY",
            "X-Content-Type-Options", "nosniff",
            "Referrer-Policy", "no-referrer",
            "Strict-Transport-Security", "max-age=",
            "Permissions-Policy", "camera=()",
            "Cross-Origin-Resource-Policy", "same-origin");

    private static TestServer server;
    private static String token;

    @BeforeAll
    static void start() {
        server = TestServer.start(new TestServer.Options().noWorkers().http(http -> http
                .corsOrigins(List.of("https://app.example.com"))
                .trustedHosts(List.of("forge.example.com", "*.internal.example"))));
        token = server.userToken(TestServer.newUser());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void securityHeaders_onSuccessAndEveryKindOfError() {
        List<HttpResponse<String>> responses = List.of(
                server.get("/api/health/", null),
                server.get("/api/build/", token),
                server.get("/api/build/", null),
                server.get("/no/such/route", null),
                server.get("/api/build/nope", token),
                server.send(server.request("/api/build/", token).PUT(HttpRequest.BodyPublishers.noBody()).build()),
                server.postJson("/api/build/", token, "{oops"),
                server.postJson("/api/build/", token, "{}"),
                server.get("/api/build/?limit=x", token),
                server.send(server.request("/api/health/", null).header("Host", "evil.example").GET().build()),
                server.get("/docs", null));
        for (HttpResponse<String> response : responses) {
            SECURITY_HEADERS.forEach((name, expected) -> assertThat(response.headers().firstValue(name))
                    .as(response.uri() + " " + response.statusCode() + " " + name)
                    .hasValueSatisfying(value -> assertThat(value).contains(expected)));
        }
        assertThat(responses).extracting(HttpResponse::statusCode)
                .containsExactly(200, 200, 401, 404, 404, 405, 400, 422, 422, 400, 200);
    }

    @Test
    void jettyLevelErrors_areProblemsWithSecurityHeadersToo() {
        RawHttp.Response badUri = RawHttp.send(server.server.port(),
                "GET /api/%zz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        RawHttp.Response hugeHeader = RawHttp.send(server.server.port(),
                "GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + "a".repeat(20_000)
                        + "\r\nConnection: close\r\n\r\n");
        RawHttp.Response garbage = RawHttp.send(server.server.port(), "\u0001\u0002 nonsense\r\n\r\n");

        for (RawHttp.Response response : List.of(badUri, hugeHeader, garbage)) {
            assertThat(response.status()).as(response.body()).isBetween(400, 499);
            assertThat(response.header("Content-Type")).isEqualTo("application/problem+json");
            assertThat(response.body()).contains("\"status\":" + response.status()).doesNotContain("Exception")
                    .doesNotContain("<html");
            SECURITY_HEADERS.forEach((name, expected) -> assertThat(response.header(name)).as(name).contains(expected));
        }
        assertThat(hugeHeader.status()).isEqualTo(431);
    }

    @Test
    void head_isRefusedOutsideTheHealthProbes_soItCannotSkipAuthentication() {
        HttpResponse<String> protectedRoute = server.send(server.request("/api/build/", null)
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
        HttpResponse<String> metrics = server.send(server.request("/metrics", null)
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
        HttpResponse<String> health = server.send(server.request("/api/health/live", null)
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build());

        assertThat(protectedRoute.statusCode()).isEqualTo(405);
        assertThat(protectedRoute.headers().firstValue("Allow")).contains("GET");
        assertThat(metrics.statusCode()).isEqualTo(405);
        assertThat(health.statusCode()).isEqualTo(200);
    }

    @Test
    void duplicateHostHeaders_areRefused() {
        RawHttp.Response twoHosts = RawHttp.send(server.server.port(),
                "GET /api/health/ HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\nConnection: close\r\n\r\n");

        assertThat(twoHosts.status()).isEqualTo(400);
        assertThat(twoHosts.header("Content-Type")).isEqualTo("application/problem+json");
    }

    @Test
    void requestId_isEchoedWhenSafe_andGeneratedOtherwise() {
        HttpResponse<String> echoed = server.send(server.request("/api/health/", null)
                .header("X-Request-Id", "trace-123.abc").GET().build());
        HttpResponse<String> unsafe = server.send(server.request("/api/health/", null)
                .header("X-Request-Id", "bad id with spaces and \"quotes\"").GET().build());
        HttpResponse<String> generated = server.get("/api/health/", null);
        HttpResponse<String> onError = server.send(server.request("/nowhere", null)
                .header("X-Request-Id", "err-1").GET().build());

        assertThat(echoed.headers().firstValue("X-Request-Id")).contains("trace-123.abc");
        assertThat(unsafe.headers().firstValue("X-Request-Id").orElseThrow()).matches("[0-9a-f-]{36}");
        assertThat(generated.headers().firstValue("X-Request-Id").orElseThrow()).matches("[0-9a-f-]{36}");
        assertThat(generated.headers().firstValue("X-Request-Id"))
                .isNotEqualTo(server.get("/api/health/", null).headers().firstValue("X-Request-Id"));
        assertThat(onError.headers().firstValue("X-Request-Id")).contains("err-1");
    }

    @Test
    void trustedHosts_defaultsAndConfigured_areServed_othersRefused() {
        Function<String, Integer> withHost = host -> server.send(server.request("/api/health/", null)
                .header("Host", host).GET().build()).statusCode();

        assertThat(withHost.apply("localhost")).isEqualTo(200);
        assertThat(withHost.apply("localhost:" + server.server.port())).isEqualTo(200);
        assertThat(withHost.apply("127.0.0.1:8080")).isEqualTo(200);
        assertThat(withHost.apply("[::1]:8080")).isEqualTo(200);
        assertThat(withHost.apply("forge.example.com")).isEqualTo(200);
        assertThat(withHost.apply("FORGE.EXAMPLE.COM")).isEqualTo(200);
        assertThat(withHost.apply("a.internal.example")).isEqualTo(200);
        assertThat(withHost.apply("evil.example")).isEqualTo(400);
        assertThat(withHost.apply("forge.example.com.evil.example")).isEqualTo(400);
        assertThat(withHost.apply("internal.example")).isEqualTo(400);
        HttpResponse<String> refused = server.send(server.request("/api/build/", token)
                .header("Host", "evil.example").GET().build());
        assertThat(TestServer.json(refused).get("type").asText()).isEqualTo("urn:forge:problem:untrusted-host");
    }

    @Test
    void cors_allowsOnlyConfiguredOrigins() {
        HttpResponse<String> allowed = server.send(server.request("/api/build/", token)
                .header("Origin", "https://app.example.com").GET().build());
        HttpResponse<String> other = server.send(server.request("/api/build/", token)
                .header("Origin", "https://evil.example").GET().build());
        HttpResponse<String> preflight = server.send(server.request("/api/build/", null)
                .header("Origin", "https://app.example.com")
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization, content-type")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build());
        HttpResponse<String> foreignPreflight = server.send(server.request("/api/build/", null)
                .header("Origin", "https://evil.example")
                .header("Access-Control-Request-Method", "POST")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build());

        assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin")).contains("https://app.example.com");
        assertThat(allowed.headers().firstValue("Access-Control-Expose-Headers").orElseThrow()).contains("Location");
        assertThat(other.statusCode()).isEqualTo(200);
        assertThat(other.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        assertThat(preflight.statusCode()).isEqualTo(204);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods").orElseThrow()).contains("POST");
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers").orElseThrow())
                .contains("Authorization");
        assertThat(foreignPreflight.statusCode()).isEqualTo(403);
        assertThat(foreignPreflight.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }

    @Test
    void unknownRoutes_answer404Problems_andWrongMethods405WithAllow() {
        HttpResponse<String> missing = server.get("/api/nothing-here", null);
        HttpResponse<String> wrongMethod = server.send(server.request("/api/build/abc", token)
                .method("PATCH", HttpRequest.BodyPublishers.ofString("{}")).build());

        assertThat(missing.statusCode()).isEqualTo(404);
        RequestBodyApiTest.assertProblem(missing, "not-found");
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        RequestBodyApiTest.assertProblem(wrongMethod, "method-not-allowed");
        assertThat(wrongMethod.headers().firstValue("Allow").orElseThrow()).contains("GET").contains("DELETE");
    }

    @Test
    void everyRoute_answersWithAndWithoutTheTrailingSlash() {
        for (String path : List.of("/api/health", "/api/health/ready", "/api/health/live", "/api/health/status",
                "/metrics", "/openapi.json", "/docs")) {
            assertThat(server.get(path, null).statusCode()).as(path).isEqualTo(200);
            assertThat(server.get(path + "/", null).statusCode()).as(path + "/").isEqualTo(200);
        }
        assertThat(server.get("/api/build", token).statusCode()).isEqualTo(200);
        assertThat(server.get("/api/build/", token).statusCode()).isEqualTo(200);
    }
}
