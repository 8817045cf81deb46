package dev.forge.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Throws thousands of malformed requests at a running server - random JSON shapes, random
 * bytes, random paths, methods and headers, and raw bytes no HTTP client would send - and
 * checks that none is answered with a 5xx or a body that leaks internals.
 */
class MalformedRequestsProperties {

    private static final List<String> LEAKS = List.of("Exception", "at dev.", "java.", "jakarta.", "org.eclipse");
    private static final AtomicInteger ANSWERED = new AtomicInteger();

    private static TestServer server;
    private static String userToken;
    private static String adminToken;

    /** A request an HTTP client can send. */
    record Fuzz(String method, String path, Map<String, String> headers, byte[] body) {
        @Override
        public String toString() {
            return method + " " + path + " " + headers + " body=" + new String(body, StandardCharsets.UTF_8);
        }
    }

    @BeforeContainer
    static void start() {
        server = TestServer.start(new TestServer.Options().noWorkers()
                .http(http -> http.bodyLimitBytes(16 * 1024)));
        userToken = server.userToken(TestServer.newUser());
        adminToken = server.adminToken("root");
    }

    @AfterContainer
    static void stop() {
        server.close();
        assertThat(ANSWERED.get()).as("requests that got an HTTP answer").isGreaterThan(3000);
    }

    @Property(tries = 3000, shrinking = ShrinkingMode.OFF)
    void clientRequests_neverGet5xxOrLeakInternals(@ForAll("requests") Fuzz fuzz) {
        HttpRequest.Builder builder;
        try {
            builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.server.port() + fuzz.path()))
                    .timeout(Duration.ofSeconds(10))
                    .method(fuzz.method(), fuzz.body().length == 0
                            ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(fuzz.body()));
            fuzz.headers().forEach(builder::header);
        } catch (IllegalArgumentException e) {
            return; // the client refuses to send it; nothing reached the server
        }
        HttpResponse<String> response;
        try {
            response = server.http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return; // the server closed the connection without an answer: not a 5xx
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        ANSWERED.incrementAndGet();
        Statistics.label("status").collect(response.statusCode());
        assertThat(response.statusCode()).as(fuzz.toString()).isLessThan(500);
        for (String leak : LEAKS) {
            assertThat(response.body()).as(fuzz.toString()).doesNotContain(leak);
        }
        if (response.statusCode() >= 400 && !fuzz.method().equals("HEAD")) {
            assertThat(response.headers().firstValue("Content-Type")).as(fuzz.toString())
                    .contains("application/problem+json");
        }
        assertThat(response.headers().firstValue("X-Content-Type-Options")).as(fuzz.toString()).contains("nosniff");
    }

    @Property(tries = 2000, shrinking = ShrinkingMode.OFF)
    void rawBytes_neverGet5xxOrLeakInternals(@ForAll("raw") byte[] raw) {
        RawHttp.Response response = RawHttp.send(server.server.port(), raw);

        if (response.status() < 0) {
            return; // closed without an answer
        }
        ANSWERED.incrementAndGet();
        Statistics.label("status").collect(response.status());
        String shown = new String(raw, StandardCharsets.ISO_8859_1);
        assertThat(response.status()).as(shown).isLessThan(500);
        for (String leak : LEAKS) {
            assertThat(response.body()).as(shown).doesNotContain(leak);
        }
    }

    @Provide
    Arbitrary<Fuzz> requests() {
        Arbitrary<String> method = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Arbitraries.of("GET", "POST", "DELETE")),
                net.jqwik.api.Tuple.of(2, Arbitraries.of("PUT", "PATCH", "OPTIONS", "HEAD", "TRACE")),
                net.jqwik.api.Tuple.of(1, Arbitraries.strings().withCharRange('A', 'Z').ofMinLength(1).ofMaxLength(12)));
        Arbitrary<Fuzz> anything = Combinators.combine(method, paths(), headers(), bodies()).as(Fuzz::new);
        // Most refusals happen before a body is read; these get past auth to reach the parsers.
        Arbitrary<Map<String, String>> authenticated = Combinators.combine(
                Arbitraries.of(userToken, adminToken),
                Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(8, Arbitraries.just("application/json")),
                        net.jqwik.api.Tuple.of(1, Arbitraries.of("application/json; charset=utf-8", "text/json",
                                "application/json; charset=latin1", "application/json;;"))))
                .as((token, type) -> Map.of("Authorization", "Bearer " + token, "Content-Type", type));
        Arbitrary<Fuzz> bodies = Combinators.combine(Arbitraries.of("/api/build/", "/api/analysis/", "/api/build"),
                authenticated, bodies()).as((path, headers, body) -> new Fuzz("POST", path, headers, body));
        Arbitrary<Fuzz> reads = Combinators.combine(Arbitraries.of("GET", "DELETE"), paths(), authenticated)
                .as((m, path, headers) -> new Fuzz(m, path, headers, new byte[0]));
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(4, anything), net.jqwik.api.Tuple.of(4, bodies),
                net.jqwik.api.Tuple.of(2, reads));
    }

    private static Arbitrary<String> paths() {
        Arbitrary<String> segment = Arbitraries.oneOf(
                Arbitraries.strings().alpha().numeric().withChars("-_").ofMaxLength(70),
                Arbitraries.strings().all().ofMaxLength(30).map(MalformedRequestsProperties::encode),
                Arbitraries.of("..", "%2e%2e", "%2F", "%00", "%", "%zz", ";x=1", "~", "\u00e9".repeat(3)).map(
                        s -> s.equals("\u00e9\u00e9\u00e9") ? encode(s) : s));
        Arbitrary<String> known = Arbitraries.of("/api/build/", "/api/build", "/api/analysis/", "/api/health/",
                "/api/health/status", "/api/health/ready", "/metrics", "/openapi.json", "/docs", "/", "");
        Arbitrary<String> templated = segment.map(id -> Arbitraries.of(
                "/api/build/" + id, "/api/build/" + id + "/logs", "/api/build/" + id + "/events",
                "/api/analysis/" + id, "/" + id, "/api/" + id + "/" + id).sample());
        Arbitrary<String> query = Arbitraries.oneOf(
                Arbitraries.just(""),
                Combinators.combine(Arbitraries.of("limit", "offset", "x", "limit[]"),
                        Arbitraries.oneOf(Arbitraries.integers().map(String::valueOf), segment))
                        .as((k, v) -> "?" + k + "=" + v),
                Arbitraries.just("?limit=1&limit=2&offset=-0"));
        return Combinators.combine(Arbitraries.oneOf(known, templated), query)
                .as((p, q) -> (p.startsWith("/") ? p : "/" + p) + q);
    }

    private Arbitrary<Map<String, String>> headers() {
        Arbitrary<String> visible = Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(80);
        Arbitrary<Map.Entry<String, String>> auth = Arbitraries.oneOf(
                Arbitraries.of(userToken, adminToken).map(token -> Map.entry("Authorization", "Bearer " + token)),
                visible.map(v -> Map.entry("Authorization", v)),
                visible.map(v -> Map.entry("Authorization", "Bearer " + v)));
        Arbitrary<Map.Entry<String, String>> contentType = Arbitraries.of("application/json",
                "application/json; charset=utf-8", "text/plain", "application/problem+json", "*/*", "application/",
                ";;;", "application/json; charset=\"\"", "multipart/form-data").map(v -> Map.entry("Content-Type", v));
        Arbitrary<Map.Entry<String, String>> accept = Arbitraries.of("text/event-stream", "*/*",
                "application/json", "text/html", "image/png;q=0").map(v -> Map.entry("Accept", v));
        Arbitrary<Map.Entry<String, String>> host = Arbitraries.oneOf(
                Arbitraries.of("localhost", "127.0.0.1", "evil.example", "[::1]:80", "localhost:99999", "a b",
                        "", "[", "localhost:abc"),
                visible).map(v -> Map.entry("Host", v));
        Arbitrary<Map.Entry<String, String>> misc = Combinators.combine(
                Arbitraries.oneOf(Arbitraries.of("X-Request-Id", "Origin", "Access-Control-Request-Method",
                                "Accept-Encoding", "Range", "Cookie", "X-Forwarded-For", "Transfer-Encoding"),
                        Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(20)),
                visible).as(Map::entry);
        Arbitrary<Map.Entry<String, String>> any = Arbitraries.oneOf(auth, contentType, accept, host, misc);
        return any.list().ofMaxSize(6).map(entries -> {
            Map<String, String> headers = new java.util.LinkedHashMap<>();
            entries.forEach(entry -> headers.put(entry.getKey(), entry.getValue()));
            return headers;
        });
    }

    private static Arbitrary<byte[]> bodies() {
        Arbitrary<byte[]> randomBytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        Arbitrary<byte[]> json = jsonValue(3).map(s -> s.getBytes(StandardCharsets.UTF_8));
        Arbitrary<byte[]> nearlyValid = Combinators.combine(jsonValue(1), jsonValue(1), jsonValue(2))
                .as((p, g, params) -> ("{\"project_name\":" + p + ",\"goal\":" + g + ",\"parameters\":" + params
                        + ",\"analysis_types\":" + params + "}").getBytes(StandardCharsets.UTF_8));
        Arbitrary<byte[]> huge = Arbitraries.just(("{\"goal\":\"" + "x".repeat(20_000) + "\"}")
                .getBytes(StandardCharsets.UTF_8));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(2, Arbitraries.just(new byte[0])),
                net.jqwik.api.Tuple.of(3, randomBytes),
                net.jqwik.api.Tuple.of(4, json),
                net.jqwik.api.Tuple.of(4, nearlyValid),
                net.jqwik.api.Tuple.of(1, huge));
    }

    private static Arbitrary<String> jsonValue(int depth) {
        Arbitrary<String> scalar = Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(40).map(TestServerJson::quote),
                Arbitraries.of("\"hello\"", "\"../etc\"", "\"a/b\"", "\"quality\"", "\"'; DROP TABLE x;--\"",
                        "\"<script>\"", "\"$(rm -rf /)\""),
                Arbitraries.integers().map(String::valueOf),
                Arbitraries.doubles().map(d -> Double.isFinite(d) ? String.valueOf(d) : "1e999"),
                Arbitraries.of("true", "false", "null", "1e400", "-0", "12345678901234567890123"));
        if (depth <= 0) {
            return scalar;
        }
        Arbitrary<String> key = Arbitraries.oneOf(
                Arbitraries.of("project_name", "goal", "parameters", "analysis_types", "flavor", "__proto__"),
                Arbitraries.strings().all().ofMaxLength(12)).map(TestServerJson::quote);
        Arbitrary<String> object = Combinators.combine(key, jsonValue(depth - 1)).as((k, v) -> k + ":" + v)
                .list().ofMaxSize(5).map(members -> "{" + String.join(",", members) + "}");
        Arbitrary<String> array = jsonValue(depth - 1).list().ofMaxSize(5)
                .map(items -> "[" + String.join(",", items) + "]");
        return Arbitraries.oneOf(scalar, object, array);
    }

    @Provide
    Arbitrary<byte[]> raw() {
        Arbitrary<String> method = Arbitraries.oneOf(Arbitraries.of("GET", "POST", "DELETE", "PUT", "get", "G ET",
                "CONNECT", ""), Arbitraries.strings().ascii().ofMaxLength(10));
        Arbitrary<String> target = Arbitraries.oneOf(
                Arbitraries.of("/api/build/", "/api/health", "*", "http://evil.example/api/build/",
                        "/api/build/../../etc/passwd", "/%", "/api/%ff%fe", "//", "/api/build/\u00ff"),
                Arbitraries.strings().all().ofMaxLength(60));
        Arbitrary<String> version = Arbitraries.of("HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/9", "", "http/1.1",
                "HTTP/1.1 extra");
        Arbitrary<String> headerLines = Arbitraries.oneOf(
                Arbitraries.of("Host: 127.0.0.1", "Host: evil", "Host:", "Content-Length: 5", "Content-Length: -1",
                        "Content-Length: 99999999999999999999", "Transfer-Encoding: chunked",
                        "Transfer-Encoding: gzip, chunked", "Content-Type: application/json",
                        "Authorization: Bearer x", "Expect: 100-continue", "Connection: close",
                        " folded continuation", ": no name", "NoColon"),
                Arbitraries.strings().all().ofMaxLength(40))
                .list().ofMaxSize(6).map(lines -> String.join("\r\n", lines));
        Arbitrary<String> body = Arbitraries.oneOf(Arbitraries.just(""), Arbitraries.of("{}", "0\r\n\r\n",
                "zz\r\nabc\r\n", "{\"project_name\":\"hello\"}"), Arbitraries.strings().all().ofMaxLength(100));
        Arbitrary<byte[]> structured = Combinators.combine(method, target, version, headerLines, body)
                .as((m, t, v, h, b) -> (m + " " + t + " " + v + "\r\n" + h + "\r\nConnection: close\r\n\r\n" + b)
                        .getBytes(StandardCharsets.UTF_8));
        Arbitrary<byte[]> noise = Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(200);
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(4, structured), net.jqwik.api.Tuple.of(1, noise));
    }

    private static String encode(String text) {
        StringBuilder out = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (Character.isLetterOrDigit(c) && c < 128) {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }

    /** JSON string quoting for generated bodies. */
    static final class TestServerJson {
        private TestServerJson() {
        }

        static String quote(String text) {
            List<String> parts = new ArrayList<>();
            StringBuilder out = new StringBuilder("\"");
            for (char c : text.toCharArray()) {
                if (c == '"' || c == '\\') {
                    out.append('\\').append(c);
                } else if (c < 0x20) {
                    out.append(String.format("\\u%04x", (int) c));
                } else {
                    out.append(c);
                }
            }
            parts.add(out.append('"').toString());
            return parts.get(0);
        }
    }
}
