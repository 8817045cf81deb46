package dev.forge.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class EventStreamApiTest {

    /** One server-sent event. */
    record Event(String name, JsonNode data) {
    }

    @Test
    void events_ofABuildThatRunsWhileWatched_arriveFromStatusToDone_thenTheStreamCloses() throws Exception {
        try (TestServer server = TestServer.start(new TestServer.Options().noWorkers())) {
            String token = server.userToken(TestServer.newUser());
            String id = server.createBuild(token, "hello");

            HttpResponse<Stream<String>> response = server.http.send(
                    server.request("/api/build/" + id + "/events", token).header("Accept", "text/event-stream")
                            .GET().build(),
                    HttpResponse.BodyHandlers.ofLines());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/event-stream");
            assertThat(response.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
            // The stream is open and has sent the initial status; only now may the build run.
            server.forge.start();

            List<Event> events = CompletableFuture.supplyAsync(() -> parse(response.body()))
                    .get(60, TimeUnit.SECONDS);

            assertThat(events).isNotEmpty();
            assertThat(events.get(0).name()).isEqualTo("status");
            assertThat(events.get(0).data().get("status").asText()).isEqualTo("initializing");
            assertThat(events.get(0).data().get("task_id").asText()).isEqualTo(id);
            assertThat(events).anySatisfy(event -> {
                assertThat(event.name()).isEqualTo("status");
                assertThat(event.data().get("status").asText()).isEqualTo("running");
            });
            Event done = events.get(events.size() - 1);
            assertThat(done.name()).isEqualTo("done");
            assertThat(done.data().get("task_id").asText()).isEqualTo(id);
            assertThat(done.data().get("status").asText()).isEqualTo("completed");
            assertThat(events).anySatisfy(event -> {
                assertThat(event.name()).isEqualTo("log");
                assertThat(event.data().get("line").asText()).contains("compiling hello");
            });
            assertThat(events).anySatisfy(event -> assertThat(event.name()).isEqualTo("progress"));
            assertThat(done.data().get("status").asText())
                    .isEqualTo(TestServer.json(server.get("/api/build/" + id, token)).get("status").asText());
            assertThat(events.stream().map(Event::name)).allMatch(
                    name -> List.of("status", "progress", "log", "done").contains(name));
        }
    }

    @Test
    void events_ofAFinishedBuild_sendStatusAndDoneAtOnce() throws Exception {
        try (TestServer server = TestServer.start()) {
            String token = server.userToken(TestServer.newUser());
            String id = server.createBuild(token, "hello");
            String status = server.awaitTerminal(id, token).get("status").asText();

            HttpResponse<Stream<String>> response = server.http.send(
                    server.request("/api/build/" + id + "/events/", token)
                            .header("Accept", "text/event-stream").GET().build(),
                    HttpResponse.BodyHandlers.ofLines());
            List<Event> events = CompletableFuture.supplyAsync(() -> parse(response.body())).get(30, TimeUnit.SECONDS);

            assertThat(events).extracting(Event::name).containsExactly("status", "done");
            assertThat(events.get(0).data().get("status").asText()).isEqualTo(status);
            assertThat(events.get(1).data().get("status").asText()).isEqualTo(status);
        }
    }

    @Test
    void events_idleStream_getsKeepAliveComments_andCancellingEndsIt() throws Exception {
        TestServer.Options options = new TestServer.Options().noWorkers()
                .http(http -> http.sseKeepAlive(java.time.Duration.ofMillis(50)));
        try (TestServer server = TestServer.start(options)) {
            String token = server.userToken(TestServer.newUser());
            String id = server.createBuild(token, "slow");
            HttpResponse<Stream<String>> response = server.http.send(
                    server.request("/api/build/" + id + "/events", token)
                            .header("Accept", "text/event-stream").GET().build(),
                    HttpResponse.BodyHandlers.ofLines());
            Iterator<String> lines = response.body().iterator();
            List<String> seen = new ArrayList<>();
            while (seen.stream().noneMatch(line -> line.startsWith(":"))) {
                seen.add(lines.next());
            }

            assertThat(server.delete("/api/build/" + id, token).statusCode()).isEqualTo(200);
            List<String> rest = new ArrayList<>();
            CompletableFuture.runAsync(() -> lines.forEachRemaining(rest::add)).get(30, TimeUnit.SECONDS);

            assertThat(seen.get(0)).isEqualTo("event: status");
            assertThat(seen).anyMatch(line -> line.startsWith(": keep-alive"));
            assertThat(rest).contains("event: done");
            assertThat(String.join("\n", rest)).contains("\"status\":\"cancelled\"");
        }
    }

    @Test
    void events_clientThatGoesAway_endsItsStream_withinAKeepAlive() throws Exception {
        TestServer.Options options = new TestServer.Options().noWorkers()
                .http(http -> http.sseKeepAlive(java.time.Duration.ofMillis(50)));
        try (TestServer server = TestServer.start(options)) {
            String token = server.userToken(TestServer.newUser());
            String id = server.createBuild(token, "slow");
            HttpResponse<java.io.InputStream> response = server.http.send(
                    server.request("/api/build/" + id + "/events", token)
                            .header("Accept", "text/event-stream").GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertThat(response.body().read()).isNotNegative(); // the initial status arrived

            response.body().close(); // hang up

            // The access log (and its timer) records a stream only when the stream has ended.
            String finished = "http_server_requests_seconds_count{method=\"GET\",status=\"200\","
                    + "uri=\"/api/build/{task_id}/events\"} 1";
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
            while (!server.get("/metrics", null).body().contains(finished)) {
                assertThat(System.nanoTime()).as("stream ended within 20 s").isLessThan(deadline);
                Thread.sleep(20); // waiting for the server to notice, on its own schedule
            }
        }
    }

    @Test
    void events_withoutEventStreamAccept_answers406_andAccessIsChecked() {
        try (TestServer server = TestServer.start(new TestServer.Options().noWorkers())) {
            String token = server.userToken(TestServer.newUser());
            String id = server.createBuild(token, "hello");

            HttpResponse<String> noAccept = server.get("/api/build/" + id + "/events", token);
            HttpResponse<String> otherUser = server.send(server.request("/api/build/" + id + "/events",
                    server.userToken(TestServer.newUser())).header("Accept", "text/event-stream").GET().build());
            HttpResponse<String> unknown = server.send(server.request("/api/build/nope/events", token)
                    .header("Accept", "text/event-stream").GET().build());
            // access is checked before the Accept header
            HttpResponse<String> unknownNoAccept = server.get("/api/build/nope/events", token);
            HttpResponse<String> otherUserNoAccept = server.get("/api/build/" + id + "/events",
                    server.userToken(TestServer.newUser()));

            assertThat(noAccept.statusCode()).isEqualTo(406);
            assertThat(noAccept.headers().firstValue("Content-Type")).contains("application/problem+json");
            assertThat(otherUser.statusCode()).isEqualTo(403);
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(unknownNoAccept.statusCode()).isEqualTo(404);
            assertThat(otherUserNoAccept.statusCode()).isEqualTo(403);
        }
    }

    static List<Event> parse(Stream<String> lines) {
        List<Event> events = new ArrayList<>();
        String name = null;
        StringBuilder data = new StringBuilder();
        for (Iterator<String> it = lines.iterator(); it.hasNext();) {
            String line = it.next();
            if (line.startsWith("event: ")) {
                name = line.substring(7);
            } else if (line.startsWith("data: ")) {
                data.append(line.substring(6));
            } else if (line.isEmpty() && name != null) {
                try {
                    events.add(new Event(name, TestServer.JSON.readTree(data.toString())));
                } catch (IOException e) {
                    throw new AssertionError("event data is not JSON: " + data, e);
                }
                name = null;
                data.setLength(0);
            }
        }
        return events;
    }
}
