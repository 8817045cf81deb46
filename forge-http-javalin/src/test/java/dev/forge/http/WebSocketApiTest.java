package dev.forge.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.forge.events.TaskEvent;
import dev.forge.task.TaskId;
import java.net.URI;
import java.net.http.WebSocket;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The task WebSockets over a real server, with the JDK's WebSocket client. */
class WebSocketApiTest {

    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Collects text messages and the close code of one socket. */
    static final class Recorder implements WebSocket.Listener {
        final List<JsonNode> messages = new CopyOnWriteArrayList<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        final CompletableFuture<Void> opened = new CompletableFuture<>();
        final CompletableFuture<Void> first = new CompletableFuture<>();
        private final StringBuilder partial = new StringBuilder();

        @Override
        public void onOpen(WebSocket webSocket) {
            opened.complete(null);
            webSocket.request(Long.MAX_VALUE);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    messages.add(TestServer.JSON.readTree(partial.toString()));
                    first.complete(null);
                } catch (java.io.IOException e) {
                    closed.completeExceptionally(e);
                }
                partial.setLength(0);
            }
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.completeExceptionally(error);
        }

        int closeCode() throws Exception {
            return closed.get(30, TimeUnit.SECONDS);
        }

        List<String> types() {
            List<String> types = new ArrayList<>();
            messages.forEach(m -> types.add(m.get("type").asText()));
            return types;
        }
    }

    private static WebSocket connect(String path, String headerToken, Recorder recorder) throws Exception {
        WebSocket.Builder builder = server.http.newWebSocketBuilder();
        if (headerToken != null) {
            builder.header("Authorization", "Bearer " + headerToken);
        }
        URI uri = URI.create("ws://127.0.0.1:" + server.server.port() + path);
        return builder.buildAsync(uri, recorder).get(20, TimeUnit.SECONDS);
    }

    @Test
    void buildSocket_withHeaderToken_followsTheBuildToDone_thenClosesNormally() throws Exception {
        String token = server.userToken(TestServer.newUser());
        String id = server.createBuild(token, "hello");
        Recorder recorder = new Recorder();
        connect("/api/build/" + id + "/ws", token, recorder);

        assertThat(recorder.closeCode()).isEqualTo(1000);
        List<String> types = recorder.types();
        assertThat(types.get(0)).isEqualTo("status");
        assertThat(types.get(types.size() - 1)).isEqualTo("done");
        JsonNode done = recorder.messages.get(types.size() - 1).get("data");
        assertThat(done.get("task_id").asText()).isEqualTo(id);
        assertThat(done.get("status").asText()).isEqualTo("completed");
        assertThat(done.get("results").get("steps")).isNotEmpty();
        assertThat(types).allMatch(type -> List.of("status", "progress", "log", "done").contains(type));
    }

    @Test
    void buildSocket_authenticatedByFirstMessage_seesLogLinesWhileTheBuildRuns() throws Exception {
        String token = server.userToken(TestServer.newUser());
        // created while the socket is open: the build is watched from initializing on
        TestServer.makeProject(server.projects, "ws-ticker",
                "all:\n\t@echo tick one\n\t@sleep 0.3\n\t@echo tick two\ntest:\n\t@echo tested\n");
        String id = server.createBuild(token, "ws-ticker");
        Recorder recorder = new Recorder();
        WebSocket socket = connect("/api/build/" + id + "/ws", null, recorder);
        recorder.opened.get(10, TimeUnit.SECONDS);
        socket.sendText("{\"type\":\"ping\"}", true).get(10, TimeUnit.SECONDS);
        socket.sendText("{\"type\":\"auth\",\"token\":\"" + token + "\"}", true).get(10, TimeUnit.SECONDS);

        assertThat(recorder.closeCode()).isEqualTo(1000);
        assertThat(recorder.types().get(0)).isEqualTo("pong");
        assertThat(recorder.types()).contains("status", "done");
        JsonNode done = recorder.messages.get(recorder.messages.size() - 1).get("data");
        assertThat(done.get("status").asText()).isEqualTo("completed");
        String log = server.get("/api/build/" + id + "/logs", token).body();
        // Either the socket saw the lines live, or the build had finished before it subscribed.
        List<String> lines = recorder.messages.stream().filter(m -> m.get("type").asText().equals("log"))
                .map(m -> m.get("data").get("line").asText()).toList();
        assertThat(log).contains("tick one").contains("tick two");
        lines.forEach(line -> assertThat(log).contains(line));
    }

    @Test
    void socket_withoutToken_closes4401_afterTheAuthTimeout_orAtOnceOnABadAuthMessage() throws Exception {
        String token = server.userToken(TestServer.newUser());
        String id = server.createBuild(token, "hello");

        Recorder silent = new Recorder();
        connect("/api/build/" + id + "/ws", null, silent);
        Recorder bad = new Recorder();
        WebSocket socket = connect("/api/build/" + id + "/ws", null, bad);
        socket.sendText("{\"type\":\"auth\",\"token\":\"not-a-jwt\"}", true).get(10, TimeUnit.SECONDS);
        Recorder forged = new Recorder();
        connect("/api/build/" + id + "/ws", token + "x", forged);

        assertThat(bad.closeCode()).isEqualTo(WebSocketRoutes.UNAUTHENTICATED);
        assertThat(forged.closeCode()).isEqualTo(WebSocketRoutes.UNAUTHENTICATED);
        assertThat(silent.closeCode()).isEqualTo(WebSocketRoutes.UNAUTHENTICATED);
        assertThat(silent.messages).isEmpty();
        assertThat(bad.messages).isEmpty();
    }

    @Test
    void socket_ofAnotherUsersBuild_closes4403_butAnAdminMayFollowIt() throws Exception {
        String owner = server.userToken(TestServer.newUser());
        String id = server.createBuild(owner, "hello");

        Recorder stranger = new Recorder();
        connect("/api/build/" + id + "/ws", server.userToken(TestServer.newUser()), stranger);
        Recorder admin = new Recorder();
        connect("/api/build/" + id + "/ws", server.adminToken(TestServer.newUser()), admin);

        assertThat(stranger.closeCode()).isEqualTo(WebSocketRoutes.FORBIDDEN);
        assertThat(stranger.messages).isEmpty();
        assertThat(admin.closeCode()).isEqualTo(1000);
        assertThat(admin.types()).endsWith("done");
    }

    @Test
    void socket_onUnknownIds_closes4404_andABuildIsNotAnAnalysis() throws Exception {
        String token = server.userToken(TestServer.newUser());
        String build = server.createBuild(token, "hello");

        Recorder unknown = new Recorder();
        connect("/api/build/0123456789abcdef0123456789abcdef/ws", token, unknown);
        Recorder impossible = new Recorder();
        connect("/api/build/..%2f..%2fetc/ws", token, impossible);
        Recorder wrongKind = new Recorder();
        connect("/api/analysis/" + build + "/ws", token, wrongKind);

        assertThat(unknown.closeCode()).isEqualTo(WebSocketRoutes.NOT_FOUND);
        assertThat(impossible.closeCode()).isEqualTo(WebSocketRoutes.NOT_FOUND);
        assertThat(wrongKind.closeCode()).isEqualTo(WebSocketRoutes.NOT_FOUND);
    }

    @Test
    void sockets_overThePerUserBound_close4429_andAClosedOneFreesItsSlot() throws Exception {
        String token = server.userToken(TestServer.newUser());
        String id = server.createBuild(token, "slow");
        List<Recorder> open = new ArrayList<>();
        List<WebSocket> sockets = new ArrayList<>();
        for (int i = 0; i < WebSocketRoutes.MAX_PER_USER; i++) {
            Recorder recorder = new Recorder();
            sockets.add(connect("/api/build/" + id + "/ws", token, recorder));
            open.add(recorder);
        }
        // every one of them has been accepted (its first status arrived) before the next is tried
        for (Recorder recorder : open) {
            awaitMessage(recorder);
        }
        Recorder extra = new Recorder();
        connect("/api/build/" + id + "/ws", token, extra);
        assertThat(extra.closeCode()).isEqualTo(WebSocketRoutes.TOO_MANY);

        sockets.get(0).sendClose(1000, "bye").get(10, TimeUnit.SECONDS);
        open.get(0).closeCode();
        Recorder again = awaitAccepted(id, token);
        assertThat(again.types()).startsWith("status");

        assertThat(server.delete("/api/build/" + id, token).statusCode()).isEqualTo(200);
        for (Recorder recorder : open.subList(1, open.size())) {
            assertThat(recorder.closeCode()).isEqualTo(1000);
            assertThat(recorder.types()).endsWith("done");
        }
    }

    @Test
    void upgrade_forAnUntrustedHost_isRefusedBeforeTheSocketOpens() {
        RawHttp.Response response = RawHttp.send(server.server.port(), "GET /api/build/abc/ws HTTP/1.1\r\n"
                + "Host: rebinding.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");

        // the handshake is answered 400, never 101 (Javalin writes no body on a refused upgrade)
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.header("Upgrade")).isNull();
    }

    @Test
    void plainGet_onASocketPath_isAProblem_neverA5xx() {
        String token = server.userToken(TestServer.newUser());
        String id = server.createBuild(token, "hello");

        var response = server.get("/api/build/" + id + "/ws", token);

        assertThat(response.statusCode()).isBetween(400, 499);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(response.headers().firstValue("Content-Security-Policy")).contains(SecurityHeaders.API_CSP);
    }

    @Test
    void reconnect_withTheLastId_getsExactlyTheMissingLines_andAFinishedTaskSeenToTheEndClosesAtOnce()
            throws Exception {
        try (TestServer own = TestServer.start(new TestServer.Options().noWorkers())) {
            String token = own.userToken(TestServer.newUser());
            String id = own.createBuild(token, "hello");
            TaskId task = TaskId.of(id);
            String path = "/api/build/" + id + "/ws";
            publishStored(own, task, List.of("l1", "l2", "l3"));

            Recorder first = new Recorder();
            WebSocket firstSocket = connect(own, path, token, null, first);
            awaitTrue(() -> logLines(first).size() == 3);
            firstSocket.sendClose(1000, "going away").get(10, TimeUnit.SECONDS);
            first.closeCode();
            String lastSeen = first.messages.get(first.messages.size() - 1).get("id").asText();

            publishStored(own, task, List.of("l4", "l5")); // while nobody watches
            Recorder byMessage = new Recorder();
            connect(own, path, token, lastSeen, byMessage); // position in the auth message
            Recorder byHeader = new Recorder();
            connectWithHeader(own, path, token, lastSeen, byHeader);
            awaitTrue(() -> logLines(byMessage).size() == 2 && logLines(byHeader).size() == 2);
            assertThat(own.delete("/api/build/" + id, token).statusCode()).isEqualTo(200);

            assertThat(first.types()).containsExactly("status", "log", "log", "log");
            assertThat(logLines(first)).containsExactly("l1", "l2", "l3");
            for (Recorder resumed : List.of(byMessage, byHeader)) {
                assertThat(resumed.closeCode()).isEqualTo(1000);
                assertThat(logLines(resumed)).as("only the lines after the last id").containsExactly("l4", "l5");
                assertThat(resumed.types()).containsExactly("log", "log", "status", "done");
                assertThat(resumed.messages.get(0).get("id").asText()).endsWith("-4");
            }
            String end = byMessage.messages.get(byMessage.messages.size() - 1).get("id").asText();
            Recorder upToDate = new Recorder();
            connect(own, path, token, end, upToDate);
            assertThat(upToDate.closeCode()).isEqualTo(1000);
            assertThat(upToDate.messages).as("finished and seen to the end: nothing to send").isEmpty();
        }
    }

    /** Appends the lines and publishes them as a batch, as the executor does. */
    private static void publishStored(TestServer server, TaskId task, List<String> lines) {
        long last = server.forge.store().appendLogs(task, lines);
        server.forge.events().publish(TaskEvent.logs(task, lines, last, Instant.now()));
    }

    private static List<String> logLines(Recorder recorder) {
        return recorder.messages.stream().filter(m -> m.get("type").asText().equals("log"))
                .map(m -> m.get("data").get("line").asText()).toList();
    }

    /** Connects and authenticates with the auth message, carrying {@code lastEventId} if given. */
    private static WebSocket connect(TestServer on, String path, String token, String lastEventId,
            Recorder recorder) throws Exception {
        URI uri = URI.create("ws://127.0.0.1:" + on.server.port() + path);
        WebSocket socket = on.http.newWebSocketBuilder().buildAsync(uri, recorder).get(20, TimeUnit.SECONDS);
        String auth = "{\"type\":\"auth\",\"token\":\"" + token + "\""
                + (lastEventId != null ? ",\"last_event_id\":\"" + lastEventId + "\"" : "") + "}";
        socket.sendText(auth, true).get(10, TimeUnit.SECONDS);
        return socket;
    }

    private static WebSocket connectWithHeader(TestServer on, String path, String token, String lastEventId,
            Recorder recorder) throws Exception {
        URI uri = URI.create("ws://127.0.0.1:" + on.server.port() + path);
        return on.http.newWebSocketBuilder().header("Authorization", "Bearer " + token)
                .header("Last-Event-ID", lastEventId).buildAsync(uri, recorder).get(20, TimeUnit.SECONDS);
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 30 s").isLessThan(deadline);
            Thread.sleep(20); // polling what the server sends on its own schedule
        }
    }

    /** A slot is freed when the server has processed the close; retry until one is accepted. */
    private static Recorder awaitAccepted(String id, String token) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            Recorder recorder = new Recorder();
            connect("/api/build/" + id + "/ws", token, recorder);
            awaitMessage(recorder);
            if (!recorder.messages.isEmpty()) {
                return recorder;
            }
        }
        throw new AssertionError("no socket was accepted within 30 s after one closed");
    }

    /** Waits for the first message or the close, whichever comes first. */
    private static void awaitMessage(Recorder recorder) throws Exception {
        CompletableFuture.anyOf(recorder.first, recorder.closed).get(30, TimeUnit.SECONDS);
    }
}
