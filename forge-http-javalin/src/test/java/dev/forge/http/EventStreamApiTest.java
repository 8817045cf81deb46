package dev.forge.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import dev.forge.events.TaskEvent;
import dev.forge.task.TaskId;
import dev.forge.task.TaskRecord;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class EventStreamApiTest {

    /** One server-sent event. */
    record Event(String id, String name, JsonNode data) {
        long version() {
            return Long.parseLong(id.substring(0, id.indexOf('-')));
        }

        long line() {
            return Long.parseLong(id.substring(id.indexOf('-') + 1));
        }
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
            assertOrdered(events);
            String log = server.get("/api/build/" + id + "/logs", token).body();
            assertThat(events.stream().filter(e -> e.name().equals("log")).map(e -> e.data().get("line").asText()))
                    .as("every stored line, once, in order").containsExactlyElementsOf(log.lines().toList());
        }
    }

    @Test
    void events_lateJoinerGetsTheStoredLog_thenLiveLinesWithoutRepeatsOrGaps() throws Exception {
        try (TestServer server = TestServer.start(new TestServer.Options().noWorkers())) {
            String token = server.userToken(TestServer.newUser());
            String id = server.createBuild(token, "hello");
            TaskId task = TaskId.of(id);
            // Written before anyone watches, as a worker that started earlier would have.
            server.forge.store().appendLogs(task, List.of("l1", "l2", "l3"));

            Iterator<String> lines = open(server, id, token, null).body().iterator();
            List<Event> events = new ArrayList<>();
            while (events.size() < 4) {
                events.add(nextEvent(lines));
            }
            // Live: a batch; a replay of lines already sent; lines the bus never delivered (only
            // stored) followed by a batch after them; a status event no newer than the one sent.
            publishStored(server, task, List.of("l4", "l5"));
            server.forge.events().publish(TaskEvent.logs(task, List.of("l3", "l4"), 4, Instant.now()));
            server.forge.store().appendLogs(task, List.of("l6", "l7"));
            publishStored(server, task, List.of("l8"));
            TaskRecord current = server.forge.store().find(task).orElseThrow();
            server.forge.events().publish(TaskEvent.statusOf(current, Instant.now()));
            assertThat(server.delete("/api/build/" + id, token).statusCode()).isEqualTo(200);
            events.addAll(CompletableFuture.supplyAsync(() -> rest(lines)).get(30, TimeUnit.SECONDS));

            assertThat(events).extracting(Event::name).containsExactly("status", "log", "log", "log",
                    "log", "log", "log", "log", "log", "status", "done");
            assertThat(events.subList(1, 9)).extracting(e -> e.data().get("line").asText())
                    .containsExactly("l1", "l2", "l3", "l4", "l5", "l6", "l7", "l8");
            assertThat(events.subList(1, 9)).extracting(e -> e.data().get("line_number").asLong())
                    .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
            assertThat(events.get(0).id()).isEqualTo("0-0");
            assertThat(events.get(9).data().get("status").asText()).isEqualTo("cancelled");
            assertThat(events.get(10).id()).isEqualTo("1-8");
            assertOrdered(events);
        }
    }

    @Test
    void events_reconnectWithLastEventId_resumesAfterItWithoutRepeats() throws Exception {
        try (TestServer server = TestServer.start(new TestServer.Options().noWorkers())) {
            String token = server.userToken(TestServer.newUser());
            String id = server.createBuild(token, "hello");
            TaskId task = TaskId.of(id);
            publishStored(server, task, List.of("l1", "l2", "l3", "l4"));
            assertThat(server.delete("/api/build/" + id, token).statusCode()).isEqualTo(200);

            List<Event> resumed = all(open(server, id, token, "0-2"));
            HttpResponse<Stream<String>> upToDate = open(server, id, token, "1-4");
            List<Event> fromGarbage = all(open(server, id, token, "0-2; DROP TABLE"));
            List<Event> fromTheFuture = all(open(server, id, token, "7-2"));

            assertThat(resumed).extracting(Event::name).containsExactly("status", "log", "log", "done");
            assertThat(resumed.get(0).id()).isEqualTo("1-2");
            assertThat(resumed.get(0).data().get("status").asText()).isEqualTo("cancelled");
            assertThat(resumed.subList(1, 3)).extracting(e -> e.data().get("line").asText())
                    .containsExactly("l3", "l4");
            assertOrdered(resumed);
            assertThat(upToDate.statusCode()).as("finished, nothing new: stop reconnecting").isEqualTo(204);
            assertThat(fromGarbage).extracting(Event::name).containsExactly("status", "log", "log", "log",
                    "log", "done");
            assertThat(fromTheFuture).hasSize(6);
        }
    }

    /** Appends the lines and publishes them as a batch, as the executor does. */
    private static void publishStored(TestServer server, TaskId task, List<String> lines) {
        long last = server.forge.store().appendLogs(task, lines);
        server.forge.events().publish(TaskEvent.logs(task, lines, last, Instant.now()));
    }

    private static HttpResponse<Stream<String>> open(TestServer server, String id, String token, String lastEventId)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = server.request("/api/build/" + id + "/events", token)
                .header("Accept", "text/event-stream");
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        return server.http.send(request.GET().build(), HttpResponse.BodyHandlers.ofLines());
    }

    private static List<Event> all(HttpResponse<Stream<String>> response) throws Exception {
        assertThat(response.statusCode()).isEqualTo(200);
        return CompletableFuture.supplyAsync(() -> parse(response.body())).get(30, TimeUnit.SECONDS);
    }

    /** Ids never go back: neither the version nor the line of an event is below an earlier one's. */
    private static void assertOrdered(List<Event> events) {
        for (int i = 1; i < events.size(); i++) {
            Event before = events.get(i - 1);
            Event after = events.get(i);
            assertThat(after.version()).as("version at event %d", i).isGreaterThanOrEqualTo(before.version());
            assertThat(after.line()).as("line at event %d", i).isGreaterThanOrEqualTo(before.line());
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

            // the stored status, the whole stored log, then done
            String log = server.get("/api/build/" + id + "/logs", token).body();
            List<Event> lines = events.stream().filter(e -> e.name().equals("log")).toList();
            assertThat(events.get(0).name()).isEqualTo("status");
            assertThat(events.get(events.size() - 1).name()).isEqualTo("done");
            assertThat(events.subList(1, events.size() - 1)).allMatch(e -> e.name().equals("log"));
            assertThat(lines).isNotEmpty();
            assertThat(lines.stream().map(e -> e.data().get("line").asText() + "\n"))
                    .containsExactlyElementsOf(log.lines().map(l -> l + "\n").toList());
            assertThat(events.get(0).data().get("status").asText()).isEqualTo(status);
            assertThat(events.get(events.size() - 1).data().get("status").asText()).isEqualTo(status);
            assertOrdered(events);
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

            assertThat(seen.get(0)).isEqualTo("id: 0-0");
            assertThat(seen.get(1)).isEqualTo("event: status");
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
        return rest(lines.iterator());
    }

    /** The events left in the stream, until it closes. */
    static List<Event> rest(Iterator<String> lines) {
        List<Event> events = new ArrayList<>();
        for (Event event = nextEvent(lines); event != null; event = nextEvent(lines)) {
            events.add(event);
        }
        return events;
    }

    /** The next event (comments skipped), or null when the stream closed. */
    static Event nextEvent(Iterator<String> lines) {
        String id = null;
        String name = null;
        StringBuilder data = new StringBuilder();
        while (lines.hasNext()) {
            String line = lines.next();
            if (line.startsWith("id: ")) {
                id = line.substring(4);
            } else if (line.startsWith("event: ")) {
                name = line.substring(7);
            } else if (line.startsWith("data: ")) {
                data.append(line.substring(6));
            } else if (line.isEmpty() && name != null) {
                assertThat(id).as("every event has an id").matches("\\d+-\\d+");
                try {
                    return new Event(id, name, TestServer.JSON.readTree(data.toString()));
                } catch (IOException e) {
                    throw new AssertionError("event data is not JSON: " + data, e);
                }
            }
        }
        return null;
    }
}
