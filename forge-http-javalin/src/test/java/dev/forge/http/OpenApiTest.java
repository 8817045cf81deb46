package dev.forge.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OpenApiTest {

    private static TestServer server;
    private static JsonNode doc;

    @BeforeAll
    static void start() {
        server = TestServer.start(new TestServer.Options().noWorkers());
        doc = TestServer.json(server.get("/openapi.json", null));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void document_describesExactlyTheRegisteredRoutes() {
        Set<String> registered = new TreeSet<>();
        Javalin.create(config -> {
            config.events.handlerAdded(info -> {
                if (info.getHttpMethod().isHttpMethod()) {
                    registered.add(info.getHttpMethod().name() + " " + normalise(info.getPath()));
                }
            });
            ForgeHttp.install(config, server.forge, HttpConfig.defaults());
        });
        Set<String> documented = new TreeSet<>();
        Iterator<Map.Entry<String, JsonNode>> paths = doc.get("paths").fields();
        while (paths.hasNext()) {
            Map.Entry<String, JsonNode> path = paths.next();
            path.getValue().fieldNames().forEachRemaining(method -> {
                if (List.of("get", "post", "put", "patch", "delete", "head", "options").contains(method)) {
                    documented.add(method.toUpperCase() + " " + normalise(path.getKey()));
                }
            });
        }

        assertThat(registered).isNotEmpty();
        assertThat(documented).isEqualTo(registered);
    }

    @Test
    void document_isOpenApi31_andEveryReferenceResolves() {
        assertThat(doc.get("openapi").asText()).isEqualTo("3.1.0");
        assertThat(doc.get("info").get("version").asText()).isEqualTo(ForgeHttp.version());
        List<String> refs = new ArrayList<>();
        collectRefs(doc, refs);

        assertThat(refs).isNotEmpty();
        for (String ref : refs) {
            assertThat(ref).startsWith("#/");
            JsonNode target = doc.at(ref.substring(1));
            assertThat(target.isMissingNode()).as(ref).isFalse();
        }
    }

    @Test
    void everyOperation_documentsItsErrorsAsProblems() {
        doc.get("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(op -> {
            if (!op.getValue().has("responses")) {
                return;
            }
            String name = op.getKey() + " " + path.getKey();
            JsonNode responses = op.getValue().get("responses");
            JsonNode security = op.getValue().get("security");
            boolean open = security != null && security.isArray() && security.size() == 0;
            if (!open) {
                assertThat(responses.has("401")).as(name + " documents 401").isTrue();
            }
            if (op.getKey().equals("post")) {
                for (String status : List.of("400", "413", "415", "422", "429")) {
                    assertThat(responses.has(status)).as(name + " documents " + status).isTrue();
                }
            }
            if (path.getKey().contains("{")) {
                assertThat(responses.has("404")).as(name + " documents 404").isTrue();
            }
            responses.fields().forEachRemaining(response -> {
                if (response.getKey().startsWith("4") || response.getKey().startsWith("5")) {
                    JsonNode resolved = response.getValue().has("$ref")
                            ? doc.at(response.getValue().get("$ref").asText().substring(1))
                            : response.getValue();
                    assertThat(resolved.get("content").has("application/problem+json"))
                            .as(name + " " + response.getKey()).isTrue();
                }
            });
        }));
    }

    @Test
    void everyProblemTypeTheCodeCanProduce_isDocumented() {
        Set<String> documented = new HashSet<>();
        doc.get("x-problem-types").forEach(type -> documented.add(type.get("type").asText()));
        List<Problem> produced = List.of(Problem.malformed("x"), Problem.unsafeInput(List.of()),
                Problem.untrustedHost(), Problem.unauthorized("x", true), Problem.forbidden("x"),
                Problem.notFound("x"), Problem.methodNotAllowed(""), Problem.notAcceptable("x"),
                Problem.conflict("x"), Problem.tooLarge(1), Problem.unsupportedMediaType("x"),
                Problem.schema(List.of()), Problem.rateLimited(1), Problem.internal("x"),
                Problem.unavailable("x"), JettyErrors.problemFor(414), JettyErrors.problemFor(431));

        for (Problem problem : produced) {
            assertThat(documented).contains(Problem.TYPE_PREFIX + problem.slug());
        }
    }

    @Test
    void docsPage_rendersEveryPath_andLoadsNothingFromElsewhere() {
        HttpResponse<String> page = server.get("/docs", null);

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/html");
        String csp = page.headers().firstValue("Content-Security-Policy").orElseThrow();
        assertThat(csp).contains("default-src 'none'").contains("style-src 'sha256-").doesNotContain("unsafe-inline");
        doc.get("paths").fieldNames().forEachRemaining(path -> assertThat(page.body()).contains(path));
        assertThat(page.body()).doesNotContain("<script").doesNotContain("src=").doesNotContain("http://")
                .doesNotContain("https://").contains("urn:forge:problem:rate-limited")
                // shared responses are resolved: the 429 row names its meaning and problem body
                .contains("A rate limit was reached").contains("application/problem+json Problem");
    }

    private static String normalise(String path) {
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    private static void collectRefs(JsonNode node, List<String> refs) {
        if (node.isObject()) {
            node.fields().forEachRemaining(field -> {
                if (field.getKey().equals("$ref")) {
                    refs.add(field.getValue().asText());
                } else {
                    collectRefs(field.getValue(), refs);
                }
            });
        } else if (node.isArray()) {
            node.forEach(item -> collectRefs(item, refs));
        }
    }
}
