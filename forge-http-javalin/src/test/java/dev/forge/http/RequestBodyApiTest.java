package dev.forge.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RequestBodyApiTest {

    private static TestServer server;
    private static String token;

    @BeforeAll
    static void start() {
        server = TestServer.start(new TestServer.Options().noWorkers()
                .http(http -> http.bodyLimitBytes(64 * 1024)));
        token = server.userToken(TestServer.newUser());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void malformedJson_answers400() {
        for (String body : List.of("{", "{\"project_name\":", "not json", "{\"a\":1} trailing",
                "{\"project_name\":\"hello\",\"project_name\":\"twice\",\"goal\":\"x\"}", "", "[1,2",
                "{\"goal\": \"x\" /* comment */}", "\u0000\u0001", "{'single':'quotes'}",
                "[".repeat(5000))) {
            HttpResponse<String> response = server.postJson("/api/build/", token, body);

            assertThat(response.statusCode()).as(body).isEqualTo(400);
            assertProblem(response, "malformed-request");
            assertThat(response.body()).doesNotContain("Exception").doesNotContain("jackson").doesNotContain("line:");
        }
    }

    /**
     * The build body is read token by token; what it does not read as a string must still be
     * checked whole: a malformed value after a schema error is a 400, as it is for a tree.
     */
    @Test
    void malformedValuesTheBuildReaderDoesNotKeep_answer400() {
        for (String body : List.of("{\"project_name\":1,\"extra\":{\"a\":1,\"a\":2}}",
                "{\"goal\":\"x\",\"parameters\":{\"p\":{\"a\":1,\"a\":2}}}",
                "{\"goal\":[\"x\",{\"a\":1,\"a\":2}]}",
                "{\"extra\":" + "[".repeat(40) + "]".repeat(40) + "}",
                "{\"project_name\":\"hello\",\"goal\":\"x\"} {}",
                "[{\"a\":1,\"a\":2}]")) {
            HttpResponse<String> response = server.postJson("/api/build/", token, body);

            assertThat(response.statusCode()).as(body).isEqualTo(400);
            assertProblem(response, "malformed-request");
        }
    }

    @Test
    void schemaErrors_listUnknownFieldsFirst_thenTheFieldsInSchemaOrder() {
        HttpResponse<String> response = server.postJson("/api/build/", token,
                "{\"parameters\":{\"b\":1,\"a\":null},\"zeta\":1,\"goal\":7,\"alpha\":{\"x\":[1]}}");

        assertThat(response.statusCode()).isEqualTo(422);
        assertThat(fields(response)).containsExactly("zeta", "alpha", "project_name", "goal", "parameters.b",
                "parameters.a");
    }

    @Test
    void buildBody_reachesTheBuildAsSent() {
        HttpResponse<String> response = server.postJson("/api/build/", token,
                "{\"parameters\":{\"flavor\":\"caf\\u00e9\",\"size\":\"big\"},\"goal\":\"Build\\u0020it\","
                        + "\"project_name\":\"hello\"}");

        assertThat(response.statusCode()).isEqualTo(202);
        JsonNode build = TestServer.json(response);
        assertThat(build.get("project_name").asText()).isEqualTo("hello");
        assertThat(build.get("goal").asText()).isEqualTo("Build it");
        assertThat(build.get("parameters").get("flavor").asText()).isEqualTo("caf\u00e9");
        assertThat(build.get("parameters").get("size").asText()).isEqualTo("big");
        assertThat(build.get("parameters").size()).isEqualTo(2);
    }

    @Test
    void wrongTypes_answer422_withAnErrorPerField() {
        HttpResponse<String> response = server.postJson("/api/build/", token,
                "{\"project_name\":42,\"goal\":[\"x\"],\"parameters\":{\"flavor\":1,\"ok\":\"yes\",\"deep\":{}}}");

        assertThat(response.statusCode()).isEqualTo(422);
        assertProblem(response, "validation-failed");
        assertThat(fields(response)).containsExactlyInAnyOrder("project_name", "goal", "parameters.flavor",
                "parameters.deep");
    }

    @Test
    void parametersNotAnObject_answers422() {
        HttpResponse<String> response = server.postJson("/api/build/", token,
                "{\"project_name\":\"hello\",\"goal\":\"x\",\"parameters\":[\"a\"]}");

        assertThat(response.statusCode()).isEqualTo(422);
        assertThat(fields(response)).containsExactly("parameters");
    }

    @Test
    void unknownFields_answer422_namingThem() {
        HttpResponse<String> response = server.postJson("/api/build/", token,
                "{\"project_name\":\"hello\",\"goal\":\"x\",\"owner\":\"root\",\"script\":\"rm -rf /\"}");

        assertThat(response.statusCode()).isEqualTo(422);
        assertThat(fields(response)).containsExactlyInAnyOrder("owner", "script");
    }

    @Test
    void missingFields_answer422() {
        HttpResponse<String> build = server.postJson("/api/build/", token, "{}");
        HttpResponse<String> analysis = server.postJson("/api/analysis/", token, "{\"project_name\":null}");

        assertThat(build.statusCode()).isEqualTo(422);
        assertThat(fields(build)).containsExactlyInAnyOrder("project_name", "goal");
        assertThat(analysis.statusCode()).isEqualTo(422);
        assertThat(fields(analysis)).containsExactlyInAnyOrder("project_name", "analysis_types");
    }

    @Test
    void buildAndAnalysisBodies_wordTheSameErrorAlike() {
        HttpResponse<String> build = server.postJson("/api/build/", token, "{\"project_name\":42,\"extra\":1}");
        HttpResponse<String> analysis = server.postJson("/api/analysis/", token,
                "{\"project_name\":42,\"extra\":1}");

        Map<String, String> expected = Map.of("project_name", "must be a string", "extra", "is not a known field");
        assertThat(messages(build)).containsAllEntriesOf(expected).containsEntry("goal", "is required");
        assertThat(messages(analysis)).containsAllEntriesOf(expected).containsEntry("analysis_types", "is required");
    }

    private static Map<String, String> messages(HttpResponse<String> response) {
        Map<String, String> messages = new HashMap<>();
        TestServer.json(response).get("errors").forEach(error ->
                messages.put(error.get("field").asText(), error.get("message").asText()));
        return messages;
    }

    @Test
    void nonObjectBodies_answer422() {
        for (String body : List.of("[]", "\"text\"", "42", "null", "true")) {
            HttpResponse<String> response = server.postJson("/api/build/", token, body);
            assertThat(response.statusCode()).as(body).isEqualTo(422);
            assertThat(fields(response)).containsExactly("body");
        }
    }

    @Test
    void analysisTypesOfWrongShape_answer422() {
        HttpResponse<String> notArray = server.postJson("/api/analysis/", token,
                "{\"project_name\":\"hello\",\"analysis_types\":\"quality\"}");
        HttpResponse<String> notStrings = server.postJson("/api/analysis/", token,
                "{\"project_name\":\"hello\",\"analysis_types\":[\"quality\",7]}");

        assertThat(notArray.statusCode()).isEqualTo(422);
        assertThat(fields(notArray)).containsExactly("analysis_types");
        assertThat(notStrings.statusCode()).isEqualTo(422);
        assertThat(fields(notStrings)).containsExactly("analysis_types[1]");
    }

    @Test
    void oversizedBody_answers413_whetherDeclaredOrStreamed() {
        String big = "{\"project_name\":\"hello\",\"goal\":\"" + "a".repeat(100 * 1024) + "\"}";

        HttpResponse<String> declared = server.postJson("/api/build/", token, big);
        HttpResponse<String> streamed = server.send(server.request("/api/build/", token)
                .header("Content-Type", "application/json")
                .POST(chunked(big.getBytes(StandardCharsets.UTF_8))).build());

        assertThat(declared.statusCode()).isEqualTo(413);
        assertProblem(declared, "payload-too-large");
        assertThat(streamed.statusCode()).isEqualTo(413);
        assertProblem(streamed, "payload-too-large");
    }

    /**
     * An error answered before the body was read waits for the body (up to
     * ErrorMapper.DRAIN_LIMIT), so the connection then serves the next request. Answered at once,
     * the 413 or 415 went out while the body was still arriving and the connection closed on it:
     * the kernel's reset now and then dropped the answer before the client read it. Here the
     * body's last bytes come only after a pause: no answer may come before them. (On a machine too
     * slow to answer within the pause, a server that answers early would pass; one that reads the
     * body never fails.)
     */
    @Test
    void bodyAnsweredEarly_isReadBeforeTheAnswer_soTheConnectionServesTheNextRequest() throws IOException {
        String big = "{\"project_name\":\"hello\",\"goal\":\"" + "a".repeat(100 * 1024) + "\"}";

        assertThat(answersOnOneConnection("application/json", big)).startsWith("HTTP/1.1 413");
        assertThat(answersOnOneConnection("text/plain", big)).startsWith("HTTP/1.1 415");
    }

    /** Both answers on one connection: to a POST of {@code body}, its last bytes sent late, then to a GET. */
    private static String answersOnOneConnection(String contentType, String body) throws IOException {
        String head = "POST /api/build/ HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
                + "\r\nContent-Type: " + contentType + "\r\nContent-Length: " + body.length() + "\r\n\r\n";
        String next = "GET /api/health/live HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
        try (Socket socket = new Socket("127.0.0.1", server.server.port())) {
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write((head + body.substring(0, body.length() - 10)).getBytes(StandardCharsets.US_ASCII));
            out.flush();

            socket.setSoTimeout(1_000);
            assertThatThrownBy(in::read).as("an answer before the body ended").isInstanceOf(SocketTimeoutException.class);

            out.write((body.substring(body.length() - 10) + next).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            socket.setSoTimeout(10_000);
            String answers = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(answers.indexOf("HTTP/1.1 200")).as("the next request answered on the same connection")
                    .isPositive();
            return answers;
        }
    }

    @Test
    void wrongContentType_answers415() {
        String body = "{\"project_name\":\"hello\",\"goal\":\"x\"}";
        for (String type : List.of("text/plain", "application/x-www-form-urlencoded", "application/xml",
                "application/json; charset=iso-8859-1", "multipart/form-data; boundary=x", "application/jsonx",
                // found by the fuzzer: Jetty's own parsing of these throws
                "application/json; charset=\"\"", "application/json; charset=", "application/json; charset=??", ";;;")) {
            HttpResponse<String> response = server.send(server.request("/api/build/", token)
                    .header("Content-Type", type).POST(HttpRequest.BodyPublishers.ofString(body)).build());
            assertThat(response.statusCode()).as(type).isEqualTo(415);
            assertProblem(response, "unsupported-media-type");
        }
        HttpResponse<String> none = server.send(server.request("/api/build/", token)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
        assertThat(none.statusCode()).isEqualTo(415);
    }

    @Test
    void unsafeInput_answers400_namingTheField() {
        for (String body : List.of(
                "{\"project_name\":\"../etc\",\"goal\":\"x\"}",
                "{\"project_name\":\"%2e%2e\",\"goal\":\"x\"}",
                "{\"project_name\":\"hello\",\"goal\":\"'; DROP TABLE users; --\"}",
                "{\"project_name\":\"hello\",\"goal\":\"<script>alert(1)</script>\"}",
                "{\"project_name\":\"hello\",\"goal\":\"x\",\"parameters\":{\"flavor\":\"$(rm -rf /)\"}}")) {
            HttpResponse<String> response = server.postJson("/api/build/", token, body);

            assertThat(response.statusCode()).as(body).isEqualTo(400);
            assertProblem(response, "unsafe-input");
            assertThat(fields(response)).as(body).isNotEmpty();
            assertThat(response.body()).doesNotContain("DROP TABLE").doesNotContain("<script>");
        }
    }

    @Test
    void valuesOutsideTheSchema_answer422() {
        String longGoal = "a".repeat(2001);
        HttpResponse<String> tooLong = server.postJson("/api/build/", token,
                "{\"project_name\":\"hello\",\"goal\":\"" + longGoal + "\"}");
        HttpResponse<String> badType = server.postJson("/api/analysis/", token,
                "{\"project_name\":\"hello\",\"analysis_types\":[\"quality\",\"bogus\"]}");
        HttpResponse<String> noTypes = server.postJson("/api/analysis/", token,
                "{\"project_name\":\"hello\",\"analysis_types\":[]}");

        assertThat(tooLong.statusCode()).isEqualTo(422);
        assertThat(fields(tooLong)).containsExactly("goal");
        assertThat(badType.statusCode()).isEqualTo(422);
        assertThat(noTypes.statusCode()).isEqualTo(422);
    }

    @Test
    void ordinaryEnglish_passes() {
        HttpResponse<String> response = server.postJson("/api/build/", token,
                "{\"project_name\":\"hello\",\"goal\":\"Build; then test it - and report back (please)!\"}");

        assertThat(response.statusCode()).isEqualTo(202);
    }

    @Test
    void jsonWithUtf8CharsetParameter_isAccepted() {
        HttpResponse<String> response = server.send(server.request("/api/build/", token)
                .header("Content-Type", "application/json; charset=UTF-8")
                .POST(HttpRequest.BodyPublishers.ofString("{\"project_name\":\"hello\",\"goal\":\"ünïcode ✓\"}"))
                .build());

        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(TestServer.json(response).get("goal").asText()).isEqualTo("ünïcode ✓");
    }

    @Test
    void invalidUtf8_answers400() {
        byte[] body = "{\"project_name\":\"hello\",\"goal\":\"\u0000\"}".getBytes(StandardCharsets.UTF_8);
        byte[] broken = Arrays.copyOf(body, body.length);
        broken[body.length - 3] = (byte) 0xC3; // a lead byte without its continuation
        HttpResponse<String> response = server.send(server.request("/api/build/", token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(broken)).build());

        assertThat(response.statusCode()).isEqualTo(400);
    }

    static void assertProblem(HttpResponse<String> response, String slug) {
        assertThat(response.headers().firstValue("Content-Type")).contains("application/problem+json");
        JsonNode body = TestServer.json(response);
        assertThat(body.get("type").asText()).isEqualTo("urn:forge:problem:" + slug);
        assertThat(body.get("status").asInt()).isEqualTo(response.statusCode());
        assertThat(body.get("title").asText()).isNotBlank();
        assertThat(body.get("detail").asText()).isNotBlank();
    }

    static List<String> fields(HttpResponse<String> response) {
        List<String> fields = new ArrayList<>();
        TestServer.json(response).get("errors").forEach(error -> {
            assertThat(error.get("message").asText()).isNotBlank();
            fields.add(error.get("field").asText());
        });
        return fields;
    }

    /** A body without Content-Length, so only reading it shows its size. */
    private static HttpRequest.BodyPublisher chunked(byte[] bytes) {
        HttpRequest.BodyPublisher inner = HttpRequest.BodyPublishers.ofByteArray(bytes);
        return new HttpRequest.BodyPublisher() {
            @Override
            public long contentLength() {
                return -1;
            }

            @Override
            public void subscribe(Flow.Subscriber<? super java.nio.ByteBuffer> subscriber) {
                inner.subscribe(subscriber);
            }
        };
    }
}
