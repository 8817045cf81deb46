package dev.forge.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forge.security.DevTokens;
import dev.forge.security.Role;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AuthApiTest {

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
    void missingToken_answers401WithBearerChallenge_onEveryProtectedRoute() {
        for (String path : List.of("/api/build/", "/api/build/abc", "/api/build/abc/logs",
                "/api/build/abc/events", "/api/analysis/abc")) {
            HttpResponse<String> response = server.get(path, null);

            assertThat(response.statusCode()).as(path).isEqualTo(401);
            assertThat(response.headers().firstValue("WWW-Authenticate")).as(path)
                    .hasValueSatisfying(value -> assertThat(value).startsWith("Bearer"));
            assertThat(response.headers().firstValue("Content-Type")).contains("application/problem+json");
            assertThat(TestServer.json(response).get("type").asText()).isEqualTo("urn:forge:problem:unauthorized");
        }
        assertThat(server.postJson("/api/build/", null, "{}").statusCode()).isEqualTo(401);
        assertThat(server.delete("/api/build/abc", null).statusCode()).isEqualTo(401);
        assertThat(server.postJson("/api/analysis/", null, "{}").statusCode()).isEqualTo(401);
    }

    @Test
    void twoAuthorizationHeaders_answer400_evenWhenBothAreValid() {
        String alice = server.userToken("alice");
        String admin = server.adminToken("root");
        for (String second : List.of(alice, admin)) {
            RawHttp.Response response = RawHttp.send(server.server.port(), "GET /api/build/ HTTP/1.1\r\n"
                    + "Host: localhost\r\nAuthorization: Bearer " + alice + "\r\nAuthorization: Bearer " + second
                    + "\r\nConnection: close\r\n\r\n");

            assertThat(response.status()).isEqualTo(400);
            assertThat(response.header("Content-Type")).isEqualTo("application/problem+json");
            assertThat(response.body()).contains("urn:forge:problem:malformed-request");
        }
        RawHttp.Response one = RawHttp.send(server.server.port(), "GET /api/build/ HTTP/1.1\r\n"
                + "Host: localhost\r\nAuthorization: Bearer " + alice + "\r\nConnection: close\r\n\r\n");
        assertThat(one.status()).isEqualTo(200);
    }

    @Test
    void tokenWithAControlCharacterInSub_answers401() {
        String token = DevTokens.hs256(TestServer.SECRET)
                .mint("alice\n12:00:00 ERROR forged", "alice", EnumSet.of(Role.USER), Duration.ofHours(1));

        assertRejected(token);
    }

    @Test
    void expiredToken_answers401() {
        Clock lastWeek = Clock.fixed(Instant.now().minus(Duration.ofDays(7)), ZoneOffset.UTC);
        String expired = DevTokens.hs256(TestServer.SECRET, lastWeek)
                .mint("alice", "alice", EnumSet.of(Role.USER), Duration.ofHours(1));

        assertRejected(expired);
    }

    @Test
    void algNoneToken_answers401() {
        String valid = server.userToken("alice");
        String payload = valid.split("\\.")[1];
        String header = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}");

        assertRejected(header + "." + payload + ".");
        assertRejected(header + "." + payload);
    }

    @Test
    void tokenSignedWithAnotherKey_answers401() {
        String forged = DevTokens.hs256("another-secret-that-is-long-enough-1234567")
                .mint("alice", "alice", EnumSet.of(Role.ADMIN), Duration.ofHours(1));

        assertRejected(forged);
    }

    @Test
    void tamperedToken_answers401() {
        String[] parts = server.userToken("alice").split("\\.");
        String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("\"user\"", "\"admin\"");

        assertRejected(parts[0] + "." + b64(claims) + "." + parts[2]);
        assertRejected(parts[0] + "." + parts[1] + "." + parts[2].substring(0, parts[2].length() - 2) + "AA");
    }

    @Test
    void garbageOrWrongScheme_answers401() {
        for (String header : List.of("Bearer", "Bearer ", "Bearer not.a.jwt", "Basic YWxpY2U6c2VjcmV0",
                "bearer " + "x".repeat(5000), "Token abc")) {
            HttpResponse<String> response = server.send(server.request("/api/build/", null)
                    .header("Authorization", header).GET().build());
            assertThat(response.statusCode()).as(header).isEqualTo(401);
            assertThat(response.headers().firstValue("WWW-Authenticate")).isPresent();
        }
    }

    @Test
    void validToken_lowerCaseScheme_isAccepted() {
        HttpResponse<String> response = server.send(server.request("/api/build/", null)
                .header("Authorization", "bearer " + server.userToken(TestServer.newUser())).GET().build());

        assertThat(response.statusCode()).isEqualTo(200);
    }

    @Test
    void invalidToken_onOptionalRoute_answers401_butNoTokenIsFine() {
        assertThat(server.get("/api/health/status", "not-a-token").statusCode()).isEqualTo(401);
        assertThat(server.get("/api/health/status", null).statusCode()).isEqualTo(200);
    }

    private static void assertRejected(String token) {
        HttpResponse<String> response = server.get("/api/build/", token);
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate"))
                .hasValueSatisfying(value -> assertThat(value).contains("invalid_token"));
        assertThat(response.body()).doesNotContain("Exception").doesNotContain("io.jsonwebtoken");
    }

    private static String b64(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
