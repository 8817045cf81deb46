package dev.forge.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.forge.builds.BuildRequest;
import dev.forge.ratelimit.InMemoryRateLimiter;
import dev.forge.ratelimit.RateLimitConfig;
import dev.forge.ratelimit.RateLimitRule;
import dev.forge.ratelimit.RateLimiter;
import dev.forge.security.Principal;
import dev.forge.testing.MutableClock;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class BuildApiTest {

    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void create_validRequest_answers202WithLocationAndTheStoredBuild() {
        String user = TestServer.newUser();
        HttpResponse<String> response = server.postJson("/api/build/", server.userToken(user),
                "{\"project_name\":\"hello\",\"goal\":\"Build; then test it\",\"parameters\":{\"flavor\":\"fast\"}}");

        assertThat(response.statusCode()).isEqualTo(202);
        JsonNode body = TestServer.json(response);
        String id = body.get("task_id").asText();
        assertThat(response.headers().firstValue("Location")).contains("/api/build/" + id);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        assertThat(body.get("status").asText()).isIn("initializing", "running", "completed", "failed");
        assertThat(body.get("project_name").asText()).isEqualTo("hello");
        assertThat(body.get("goal").asText()).isEqualTo("Build; then test it");
        assertThat(body.get("parameters").get("flavor").asText()).isEqualTo("fast");
        assertThat(body.get("owner").asText()).isEqualTo(user);
        assertThat(body.has("created_at")).isTrue();
    }

    @Test
    void create_unknownProject_answers404AtOnce() {
        HttpResponse<String> response = server.postJson("/api/build", server.userToken(TestServer.newUser()),
                "{\"project_name\":\"no-such-project\",\"goal\":\"build\"}");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/problem+json");
        assertThat(TestServer.json(response).get("type").asText()).isEqualTo("urn:forge:problem:not-found");
    }

    @Test
    void status_ownerAndAdmin_see200_otherUser_gets403() {
        String owner = TestServer.newUser();
        String id = server.createBuild(server.userToken(owner), "hello");

        HttpResponse<String> mine = server.get("/api/build/" + id, server.userToken(owner));
        HttpResponse<String> admins = server.get("/api/build/" + id + "/", server.adminToken("root"));
        HttpResponse<String> theirs = server.get("/api/build/" + id, server.userToken(TestServer.newUser()));

        assertThat(mine.statusCode()).isEqualTo(200);
        assertThat(TestServer.json(mine).get("task_id").asText()).isEqualTo(id);
        for (String field : List.of("task_id", "project_name", "goal", "status", "progress", "attempt",
                "results", "error", "created_at", "updated_at", "completed_at")) {
            assertThat(TestServer.json(mine).has(field)).as(field).isTrue();
        }
        assertThat(admins.statusCode()).isEqualTo(200);
        assertThat(theirs.statusCode()).isEqualTo(403);
        assertThat(TestServer.json(theirs).get("type").asText()).isEqualTo("urn:forge:problem:forbidden");
    }

    @Test
    void status_unknownOrImpossibleId_answers404() {
        String token = server.userToken(TestServer.newUser());

        assertThat(server.get("/api/build/doesnotexist", token).statusCode()).isEqualTo(404);
        assertThat(server.get("/api/build/%2e%2e", token).statusCode()).isEqualTo(404);
        assertThat(server.get("/api/build/" + "x".repeat(80), token).statusCode()).isEqualTo(404);
    }

    @Test
    void logs_finishedBuild_answersPlainText_andOthersGet403() {
        String owner = TestServer.newUser();
        String token = server.userToken(owner);
        String id = server.createBuild(token, "hello");
        server.awaitTerminal(id, token);

        HttpResponse<String> logs = server.get("/api/build/" + id + "/logs", token);
        HttpResponse<String> theirs = server.get("/api/build/" + id + "/logs", server.userToken(TestServer.newUser()));
        HttpResponse<String> admins = server.get("/api/build/" + id + "/logs", server.adminToken("root"));

        assertThat(logs.statusCode()).isEqualTo(200);
        assertThat(logs.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain");
        assertThat(logs.body()).contains("compiling hello").contains("tests passed");
        assertThat(theirs.statusCode()).isEqualTo(403);
        assertThat(admins.statusCode()).isEqualTo(200);
        assertThat(server.get("/api/build/nope/logs", token).statusCode()).isEqualTo(404);
    }

    @Test
    void cancel_unfinishedBuild_answers200_thenA409ForTheFinishedOne() {
        try (TestServer idle = TestServer.start(new TestServer.Options().noWorkers())) {
            String token = idle.userToken(TestServer.newUser());
            String id = idle.createBuild(token, "slow");

            HttpResponse<String> cancelled = idle.delete("/api/build/" + id, token);
            HttpResponse<String> again = idle.delete("/api/build/" + id + "/", token);

            assertThat(cancelled.statusCode()).isEqualTo(200);
            JsonNode body = TestServer.json(cancelled);
            assertThat(body.get("task_id").asText()).isEqualTo(id);
            assertThat(body.get("status").asText()).isEqualTo("cancelled");
            assertThat(body.get("message").asText()).isNotBlank();
            assertThat(TestServer.json(idle.get("/api/build/" + id, token)).get("status").asText()).isEqualTo("cancelled");
            assertThat(again.statusCode()).isEqualTo(409);
            assertThat(TestServer.json(again).get("type").asText()).isEqualTo("urn:forge:problem:conflict");
        }
    }

    @Test
    void build_ofAMakeProject_completes_andAFailingOneFails() {
        String token = server.userToken(TestServer.newUser());
        String good = server.createBuild(token, "hello");
        String bad = server.createBuild(token, "broken");

        JsonNode completed = server.awaitTerminal(good, token);
        JsonNode failed = server.awaitTerminal(bad, token);

        assertThat(completed.get("status").asText()).isEqualTo("completed");
        assertThat(completed.get("progress").asInt()).isEqualTo(100);
        assertThat(completed.get("completed_at").isNull()).isFalse();
        assertThat(failed.get("status").asText()).isEqualTo("failed");
        assertThat(failed.get("error").get("code").asText()).isEqualTo("step_failed");
    }

    @Test
    void cancel_runningBuild_answers200_andTheBuildEndsCancelled() {
        String token = server.userToken(TestServer.newUser());
        String id = server.createBuild(token, "slow");
        server.awaitStatus(id, token, "running");

        HttpResponse<String> response = server.delete("/api/build/" + id, token);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(server.awaitTerminal(id, token).get("status").asText()).isEqualTo("cancelled");
    }

    @Test
    void cancel_completedBuild_answers409() {
        String token = server.userToken(TestServer.newUser());
        String id = server.createBuild(token, "hello");
        assertThat(server.awaitTerminal(id, token).get("status").asText()).isEqualTo("completed");

        HttpResponse<String> response = server.delete("/api/build/" + id, token);

        assertThat(response.statusCode()).isEqualTo(409);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/problem+json");
    }

    @Test
    void cancel_otherUsersBuild_answers403_butAdminMayCancel() {
        try (TestServer idle = TestServer.start(new TestServer.Options().noWorkers())) {
            String id = idle.createBuild(idle.userToken(TestServer.newUser()), "slow");

            assertThat(idle.delete("/api/build/" + id, idle.userToken(TestServer.newUser())).statusCode()).isEqualTo(403);
            assertThat(idle.delete("/api/build/" + id, idle.adminToken("root")).statusCode()).isEqualTo(200);
            assertThat(idle.delete("/api/build/unknown-id", idle.adminToken("root")).statusCode()).isEqualTo(404);
        }
    }

    @Test
    void history_pagesNewestFirst_andCapsTheLimit() {
        MutableClock clock = MutableClock.startingAt2026();
        TestServer.Options options = new TestServer.Options().noWorkers().forge(b -> b.clock(clock));
        try (TestServer paged = TestServer.start(options)) {
            String user = TestServer.newUser();
            String token = paged.userToken(user);
            List<String> created = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                created.add(paged.createBuild(token, "hello"));
                clock.advance(Duration.ofSeconds(1));
            }
            paged.createBuild(paged.userToken(TestServer.newUser()), "hello"); // someone else's

            JsonNode first = TestServer.json(paged.get("/api/build/?limit=2", token));
            JsonNode second = TestServer.json(paged.get("/api/build?limit=2&offset=2", token));
            JsonNode capped = TestServer.json(paged.get("/api/build/?limit=1000", token));
            JsonNode defaults = TestServer.json(paged.get("/api/build/", token));

            assertThat(ids(first)).containsExactly(created.get(4), created.get(3));
            assertThat(ids(second)).containsExactly(created.get(2), created.get(1));
            assertThat(first.get("total").asLong()).isEqualTo(5);
            assertThat(first.get("limit").asInt()).isEqualTo(2);
            assertThat(second.get("offset").asInt()).isEqualTo(2);
            assertThat(capped.get("limit").asInt()).isEqualTo(100);
            assertThat(ids(capped)).hasSize(5);
            assertThat(defaults.get("limit").asInt()).isEqualTo(20);
            assertThat(defaults.get("offset").asInt()).isEqualTo(0);
        }
    }

    @Test
    void history_allTrue_showsAnAdminEveryOwnersTasks_andRefusesOtherUsers() {
        try (TestServer idle = TestServer.start(new TestServer.Options().noWorkers())) {
            String alice = idle.userToken(TestServer.newUser());
            String bob = idle.userToken(TestServer.newUser());
            String alices = idle.createBuild(alice, "hello");
            String bobs = idle.createBuild(bob, "hello");

            JsonNode everyone = TestServer.json(idle.get("/api/build/?all=true", idle.adminToken("root")));
            JsonNode own = TestServer.json(idle.get("/api/build/?all=false", alice));

            assertThat(ids(everyone)).containsExactlyInAnyOrder(alices, bobs);
            assertThat(everyone.get("total").asLong()).isEqualTo(2);
            assertThat(ids(own)).containsExactly(alices);
            for (String path : List.of("/api/build/?all=true", "/api/analysis/?all=true")) {
                HttpResponse<String> refused = idle.get(path, alice);
                assertThat(refused.statusCode()).as(path).isEqualTo(403);
                assertThat(TestServer.json(refused).get("type").asText()).isEqualTo("urn:forge:problem:forbidden");
            }
            assertThat(idle.get("/api/analysis/?all=true", idle.adminToken("root")).statusCode()).isEqualTo(200);
            HttpResponse<String> malformed = idle.get("/api/build/?all=yes", idle.adminToken("root"));
            assertThat(malformed.statusCode()).isEqualTo(422);
            assertThat(TestServer.json(malformed).get("errors").get(0).get("field").asText()).isEqualTo("all");
        }
    }

    @Test
    void history_badLimitOrOffset_answers422NamingTheParameter() {
        String token = server.userToken(TestServer.newUser());

        for (String query : List.of("limit=0", "limit=-5", "limit=abc", "limit=1.5", "offset=-1",
                "offset=x", "limit=99999999999")) {
            HttpResponse<String> response = server.get("/api/build/?" + query, token);
            assertThat(response.statusCode()).as(query).isEqualTo(422);
            JsonNode body = TestServer.json(response);
            assertThat(body.get("errors").get(0).get("field").asText()).as(query).isEqualTo(query.split("=")[0]);
        }
    }

    @Test
    void rateLimit_forgeWithoutALimiter_httpStillLimitsCreationsButTheJavaApiDoesNot() {
        try (TestServer limited = TestServer.start(new TestServer.Options().noWorkers().noForgeRateLimiter())) {
            String user = TestServer.newUser();
            String token = limited.userToken(user);
            for (int i = 0; i < RateLimitConfig.DEFAULT_BUILD_CREATE_PER_MINUTE; i++) {
                limited.createBuild(token, "hello");
            }

            HttpResponse<String> eleventh = limited.postJson("/api/build/", token,
                    "{\"project_name\":\"hello\",\"goal\":\"one more\"}");

            assertThat(eleventh.statusCode()).isEqualTo(429);
            assertThat(eleventh.headers().firstValue("RateLimit-Limit")).contains("10");
            assertThat(limited.forge.rateLimiter()).isEmpty();
            // the same user, calling the Java API of the same forge, is not limited
            assertThat(limited.forge.builds().create(Principal.user(user),
                    new BuildRequest("hello", "from Java", Map.of())).isOk()).isTrue();
        }
    }

    @Test
    void rateLimit_eleventhBuildInAMinute_answers429WithRetryAfter() {
        MutableClock clock = MutableClock.startingAt2026();
        RateLimiter limiter = new InMemoryRateLimiter(RateLimitConfig.ofDefaults(), clock);
        try (TestServer limited = TestServer.start(new TestServer.Options().noWorkers().rateLimiter(limiter))) {
            String token = limited.userToken(TestServer.newUser());
            for (int i = 0; i < 10; i++) {
                limited.createBuild(token, "hello");
            }

            HttpResponse<String> eleventh = limited.postJson("/api/build/", token,
                    "{\"project_name\":\"hello\",\"goal\":\"one more\"}");

            assertThat(eleventh.statusCode()).isEqualTo(429);
            assertThat(eleventh.headers().firstValue("Retry-After")).hasValueSatisfying(
                    seconds -> assertThat(Long.parseLong(seconds)).isBetween(1L, 60L));
            assertThat(eleventh.headers().firstValue("RateLimit-Limit")).contains("10");
            assertThat(eleventh.headers().firstValue("RateLimit-Remaining")).contains("0");
            assertThat(TestServer.json(eleventh).get("type").asText()).isEqualTo("urn:forge:problem:rate-limited");
            // another user is not affected
            assertThat(limited.postJson("/api/build/", limited.userToken(TestServer.newUser()),
                    "{\"project_name\":\"hello\",\"goal\":\"mine\"}").statusCode()).isEqualTo(202);
            clock.advance(Duration.ofSeconds(7));
            assertThat(limited.postJson("/api/build/", token,
                    "{\"project_name\":\"hello\",\"goal\":\"later\"}").statusCode()).isEqualTo(202);
        }
    }

    @Test
    void rateLimit_sixtyFirstRequestInAMinute_answers429_andEveryResponseCarriesTheHeaders() {
        MutableClock clock = MutableClock.startingAt2026();
        RateLimiter limiter = new InMemoryRateLimiter(RateLimitConfig.custom()
                .rule(RateLimiter.REQUEST, RateLimitRule.perMinute(60)).build(), clock);
        try (TestServer limited = TestServer.start(new TestServer.Options().noWorkers().rateLimiter(limiter))) {
            String token = limited.userToken(TestServer.newUser());
            for (int i = 0; i < 60; i++) {
                HttpResponse<String> ok = limited.get("/api/build/", token);
                assertThat(ok.statusCode()).isEqualTo(200);
                assertThat(ok.headers().firstValue("RateLimit-Limit")).contains("60");
                assertThat(ok.headers().firstValue("RateLimit-Remaining")).contains(Integer.toString(59 - i));
                assertThat(ok.headers().firstValue("RateLimit-Reset")).isPresent();
            }

            HttpResponse<String> sixtyFirst = limited.get("/api/build/", token);

            assertThat(sixtyFirst.statusCode()).isEqualTo(429);
            assertThat(sixtyFirst.headers().firstValue("Retry-After")).contains("1");
            assertThat(sixtyFirst.headers().firstValue("RateLimit-Remaining")).contains("0");
            // unauthenticated routes are not counted
            assertThat(limited.get("/api/health/", null).statusCode()).isEqualTo(200);
        }
    }

    private static List<String> ids(JsonNode page) {
        List<String> ids = new ArrayList<>();
        page.get("builds").forEach(build -> ids.add(build.get("task_id").asText()));
        return ids;
    }
}
