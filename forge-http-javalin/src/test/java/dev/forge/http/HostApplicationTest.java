package dev.forge.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forge.Forge;
import dev.forge.project.DirectoryProjectCatalog;
import dev.forge.security.JwtAuthenticator;
import io.javalin.Javalin;
import io.javalin.http.BadRequestResponse;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Forge embedded in a host application with routes of its own: forge's filters, headers and
 * error mapping stay on forge's paths, and the host's routes behave as they would in a Javalin
 * application without forge.
 */
class HostApplicationTest {

    private static final String HTML = "<!doctype html><p>hello from the host</p>";

    private static Forge forge;
    private static Javalin app;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws IOException {
        Path root = Files.createTempDirectory("forge-host-app");
        forge = Forge.builder()
                .authenticator(JwtAuthenticator.builder().hs256Secret(TestServer.SECRET).build())
                .projectCatalog(new DirectoryProjectCatalog(Files.createDirectories(root.resolve("projects"))))
                .workspaceRoot(Files.createDirectories(root.resolve("workspaces")))
                .meterRegistry(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))
                .build();
        app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.routes.get("/hello", ctx -> ctx.html(HTML));
            config.routes.get("/teapot", ctx -> {
                throw new IllegalStateException("the host's own failure");
            });
            config.routes.get("/crash", ctx -> {
                throw new UnsupportedOperationException("nobody handles this");
            });
            config.routes.get("/bad", ctx -> {
                throw new BadRequestResponse("host says no");
            });
            ForgeHttp.install(config, forge, HttpConfig.defaults());
            // registered after forge, as an application adding its own handling would
            config.routes.exception(IllegalStateException.class, (e, ctx) -> ctx.status(418).result("host handled"));
        });
        app.start("127.0.0.1", 0);
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.stop();
        }
        if (forge != null) {
            forge.close();
        }
    }

    @Test
    void hostRoute_getsNoneOfForgesHeaders() {
        HttpResponse<String> hello = send(request("/hello").GET());

        assertThat(hello.statusCode()).isEqualTo(200);
        assertThat(hello.body()).isEqualTo(HTML);
        for (String forgeHeader : SecurityHeaders.HEADERS.keySet()) {
            assertThat(hello.headers().firstValue(forgeHeader)).as(forgeHeader).isEmpty();
        }
        assertThat(hello.headers().firstValue(RequestContext.HEADER)).isEmpty();
    }

    @Test
    void hostRoute_answersHead_asJavalinDoes() {
        HttpResponse<String> head = send(request("/hello").method("HEAD", HttpRequest.BodyPublishers.noBody()));

        // Javalin answers HEAD for a GET route by itself; forge refuses that only on its own paths
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValue("Allow")).isEmpty();
    }

    @Test
    void hostRoute_isNotHostCheckedNorCorsRefused() {
        HttpResponse<String> foreignHost = send(request("/hello").header("Host", "evil.example").GET());
        HttpResponse<String> foreignPreflight = send(request("/hello")
                .header("Origin", "https://elsewhere.example")
                .header("Access-Control-Request-Method", "GET")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));

        assertThat(foreignHost.statusCode()).isEqualTo(200);
        assertThat(foreignPreflight.statusCode()).isNotEqualTo(403);
        assertNotProblem(foreignPreflight);
    }

    @Test
    void hostErrors_keepTheHostsHandlers_andJavalinsDefaults() {
        HttpResponse<String> handled = send(request("/teapot").GET());
        HttpResponse<String> uncaught = send(request("/crash").GET());
        HttpResponse<String> badRequest = send(request("/bad").GET());
        HttpResponse<String> missing = send(request("/no/such/page").GET());
        HttpResponse<String> wrongMethod = send(request("/hello").DELETE());

        assertThat(handled.statusCode()).isEqualTo(418);
        assertThat(handled.body()).isEqualTo("host handled");
        assertThat(uncaught.statusCode()).isEqualTo(500);
        assertThat(uncaught.body()).containsIgnoringCase("server error");
        assertThat(badRequest.statusCode()).isEqualTo(400);
        assertThat(badRequest.body()).contains("host says no");
        // Javalin's default is 404, not 405, for a wrong method: forge does not switch on prefer405over404
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(wrongMethod.statusCode()).isEqualTo(404);
        for (HttpResponse<String> response : java.util.List.of(handled, uncaught, badRequest, missing, wrongMethod)) {
            assertNotProblem(response);
            assertThat(response.headers().firstValue("Content-Security-Policy")).as(response.uri().toString())
                    .isEmpty();
        }
    }

    @Test
    void forgePaths_keepForgesHeadersAndErrors() {
        HttpResponse<String> health = send(request("/api/health").GET());
        HttpResponse<String> docs = send(request("/docs").GET());
        HttpResponse<String> headOnBuilds = send(request("/api/build").method("HEAD",
                HttpRequest.BodyPublishers.noBody()));
        HttpResponse<String> missing = send(request("/api/nothing-here").GET());
        HttpResponse<String> wrongMethod = send(request("/api/build/abc")
                .method("PATCH", HttpRequest.BodyPublishers.ofString("{}")));
        HttpResponse<String> foreignHost = send(request("/api/health").header("Host", "evil.example").GET());
        HttpResponse<String> foreignPreflight = send(request("/api/build")
                .header("Origin", "https://elsewhere.example")
                .header("Access-Control-Request-Method", "POST")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));

        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(docs.statusCode()).isEqualTo(200);
        assertThat(headOnBuilds.statusCode()).isEqualTo(405);
        assertThat(missing.statusCode()).isEqualTo(404);
        RequestBodyApiTest.assertProblem(missing, "not-found");
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        RequestBodyApiTest.assertProblem(wrongMethod, "method-not-allowed");
        assertThat(wrongMethod.headers().firstValue("Allow").orElseThrow()).contains("GET").contains("DELETE");
        assertThat(foreignHost.statusCode()).isBetween(400, 499);
        assertThat(foreignHost.headers().firstValue("Content-Type")).contains(Problem.CONTENT_TYPE);
        assertThat(foreignPreflight.statusCode()).isEqualTo(403);
        for (HttpResponse<String> response : java.util.List.of(health, docs, headOnBuilds, missing, wrongMethod,
                foreignHost, foreignPreflight)) {
            HttpBasicsTest.SECURITY_HEADERS.forEach((name, expected) -> assertThat(response.headers().firstValue(name))
                    .as(response.uri() + " " + response.statusCode() + " " + name)
                    .hasValueSatisfying(value -> assertThat(value).contains(expected)));
            assertThat(response.headers().firstValue(RequestContext.HEADER)).as(response.uri().toString()).isPresent();
        }
    }

    private static void assertNotProblem(HttpResponse<String> response) {
        assertThat(response.headers().firstValue("Content-Type").orElse(""))
                .as(response.uri() + " " + response.statusCode())
                .doesNotContain("problem+json");
        assertThat(response.body()).as(response.uri().toString()).doesNotContain("\"type\"");
    }

    private static HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
                .timeout(Duration.ofSeconds(20));
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
