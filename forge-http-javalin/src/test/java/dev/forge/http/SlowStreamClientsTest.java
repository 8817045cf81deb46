package dev.forge.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forge.events.InMemoryEventBus;
import dev.forge.task.TaskId;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Slow stream clients (issue 11, item 3) against a real server and real builds: a client that
 * never reads is dropped by the write deadline without delaying other streams' keep-alives, a
 * client that reads late still gets every line, and many streams share a fixed set of threads.
 */
class SlowStreamClientsTest {

    private static final Duration KEEP_ALIVE = Duration.ofSeconds(1);
    /** "Within 1 s of schedule": a keep-alive is due one interval after the previous one. */
    private static final Duration LATENESS_BOUND = Duration.ofSeconds(1);
    private static final Duration WRITE_DEADLINE = Duration.ofSeconds(2);
    /** 64-byte lines: {@code yes} repeats the 63 characters and a newline. */
    private static final String FLOOD_LINE = "0123456789abcdef".repeat(4).substring(0, 63);

    /** A real build printing {@code bytes} of output as fast as the process can. */
    private static String floodProject(TestServer server, String name, long bytes) throws IOException {
        TestServer.makeProject(server.projects, name,
                "all:\n\t@yes " + FLOOD_LINE + " | head -c " + bytes + "\ntest:\n\t@echo flooded\n");
        return name;
    }

    @Test
    void clientThatNeverReads_onABuildPrinting100MB_isDropped_whileOtherStreamsKeepAlivesStayOnTime()
            throws Exception {
        TestServer.Options options = new TestServer.Options()
                .http(http -> http.sseKeepAlive(KEEP_ALIVE)
                        .streamLimits(64 * 1024, WRITE_DEADLINE)
                        // far beyond the test: only the write deadline may close the slow client
                        .idleTimeout(Duration.ofMinutes(10)));
        try (TestServer server = TestServer.start(options)) {
            String token = server.userToken(TestServer.newUser());
            TestServer.makeProject(server.projects, "quiet",
                    "all:\n\t@echo waiting\n\t@sleep 300\ntest:\n\t@echo never\n");
            String quiet = server.createBuild(token, "quiet");
            server.awaitStatus(quiet, token, "running");
            List<KeepAliveRecorder> readers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                readers.add(KeepAliveRecorder.open(server, quiet, token));
            }
            // the quiet streams have sent their replay and are idle: keep-alives from here on
            awaitTrue(Duration.ofSeconds(30), () -> readers.stream().allMatch(r -> r.keepAlives.size() >= 2),
                    "keep-alives on every quiet stream");

            String flood = server.createBuild(token, floodProject(server, "flood", 100_000_000L));
            long floodStarted = System.nanoTime();
            try (Socket slow = openSse(server, flood, token)) {
                // never read from it: the server must notice and drop it on its own
                awaitTrue(Duration.ofSeconds(120), () -> dropped(server, "sse") >= 1, "the slow client dropped");
                long droppedAt = System.nanoTime();
                assertThat(closedByServer(slow)).as("the server closed the slow client's connection").isTrue();

                server.awaitTerminal(flood, token);
                long floodEnded = System.nanoTime();
                long stored = server.forge.store().readLogAfter(TaskId.of(flood), 0).totalLines();
                assertThat(stored).as("lines the build printed (and make's few)")
                        .isBetween(100_000_000L / 64, 100_000_000L / 64 + 100);

                // watch on for a few intervals: a stuck timer would show here too
                long after = Math.max(droppedAt, floodEnded);
                awaitTrue(Duration.ofSeconds(30), () -> readers.stream().allMatch(r -> r.between(after, Long.MAX_VALUE)
                        .size() >= 3), "keep-alives after the drop");
                long watched = System.nanoTime();
                for (KeepAliveRecorder reader : readers) {
                    List<Long> during = reader.between(floodStarted, watched);
                    assertThat(during.size()).as("keep-alives from the flood's start").isGreaterThanOrEqualTo(4);
                    long due = KEEP_ALIVE.toNanos();
                    for (int i = 1; i < during.size(); i++) {
                        long late = during.get(i) - during.get(i - 1) - due;
                        assertThat(Duration.ofNanos(late)).as("lateness of keep-alive %d", i)
                                .isLessThanOrEqualTo(LATENESS_BOUND);
                    }
                    reader.assertStillOpen();
                }
            } finally {
                readers.forEach(KeepAliveRecorder::close);
                server.delete("/api/build/" + quiet, token);
            }
        }
    }

    @Test
    void clientThatReadsOnlyAfterTheBuild_getsEveryLineOnce_inOrder_fromTheStore() throws Exception {
        TestServer.Options options = new TestServer.Options()
                .http(http -> http.streamLimits(4096, Duration.ofMinutes(2)));
        try (TestServer server = TestServer.start(options)) {
            String token = server.userToken(TestServer.newUser());
            TestServer.makeProject(server.projects, "counting", "all:\n\t@seq 1 20000\ntest:\n\t@echo counted\n");
            String id = server.createBuild(token, "counting");
            try (Socket client = openSse(server, id, token)) {
                // the outbox fills while nobody reads: the feed lags and must refill from the store
                server.awaitTerminal(id, token);
                client.setSoTimeout(60_000);
                BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(),
                        StandardCharsets.UTF_8));
                List<Long> numbers = new ArrayList<>();
                String event = null;
                Pattern number = Pattern.compile("\"line\":\"(\\d+)\"");
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    if (line.startsWith("event: ")) {
                        event = line.substring(7);
                    } else if (line.startsWith("data: ") && "log".equals(event)) {
                        Matcher m = number.matcher(line);
                        if (m.find()) {
                            numbers.add(Long.parseLong(m.group(1)));
                        }
                    } else if (line.startsWith("data: ") && "done".equals(event)) {
                        break;
                    }
                }
                assertThat(event).isEqualTo("done");
                List<Long> expected = new ArrayList<>();
                for (long i = 1; i <= 20_000; i++) {
                    expected.add(i);
                }
                assertThat(numbers).containsExactlyElementsOf(expected);
            }
            assertThat(dropped(server, "sse")).isZero();
        }
    }

    @Test
    void webSocketClientThatNeverReads_onAFloodingBuild_isDisconnected() throws Exception {
        TestServer.Options options = new TestServer.Options()
                .http(http -> http.streamLimits(16 * 1024, WRITE_DEADLINE).idleTimeout(Duration.ofMinutes(10)));
        try (TestServer server = TestServer.start(options)) {
            String token = server.userToken(TestServer.newUser());
            String id = server.createBuild(token, floodProject(server, "wsflood", 30_000_000L));
            try (Socket slow = new Socket()) {
                slow.setReceiveBufferSize(4096);
                slow.connect(new java.net.InetSocketAddress("127.0.0.1", server.server.port()), 10_000);
                slow.getOutputStream().write(("GET /api/build/" + id + "/ws HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                        + "Authorization: Bearer " + token + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                assertThat(readHead(slow)).startsWith("HTTP/1.1 101");
                // then never read: the server must notice and disconnect it on its own

                awaitTrue(Duration.ofSeconds(120), () -> dropped(server, "websocket") >= 1, "the slow socket dropped");
                assertThat(closedByServer(slow)).as("the server closed the slow socket").isTrue();
            }
            assertThat(server.awaitTerminal(id, token).get("status").asText()).isEqualTo("completed");
        }
    }

    @Test
    void fiveHundredStreams_ofNonReadingClients_shareTheFixedDeliveryPool() throws Exception {
        // no workers yet: the build waits in the queue until every stream is open
        TestServer.Options options = new TestServer.Options().noWorkers()
                .http(http -> http.maxConnections(2_000, 1_000)
                        .streamLimits(16 * 1024, Duration.ofSeconds(5)));
        try (TestServer server = TestServer.start(options)) {
            String token = server.userToken(TestServer.newUser());
            String id = server.createBuild(token, floodProject(server, "flood20", 20_000_000L));
            List<Socket> sockets = new ArrayList<>();
            AtomicInteger most = new AtomicInteger();
            try {
                for (int i = 0; i < 500; i++) {
                    Socket socket = openSse(server, id, token);
                    sockets.add(socket);
                    assertThat(readHead(socket)).as("stream %d answered", i).startsWith("HTTP/1.1 200");
                }
                server.forge.start(); // the build runs and prints to 500 clients that read no more
                while (!isTerminal(server, id, token)) {
                    most.accumulateAndGet(threads("forge-events-"), Math::max);
                    Thread.sleep(50); // sampling a thread count while a real build runs
                }
                // each ends: dropped by the deadline, or done if its socket buffers took it all
                awaitTrue(Duration.ofSeconds(120), () -> endedStreams(server) + dropped(server, "sse") >= 500,
                        "every stream ended");
                assertThat(dropped(server, "sse")).as("clients dropped for not reading").isPositive();
            } finally {
                for (Socket socket : sockets) {
                    socket.close();
                }
            }
            assertThat(most.get()).as("event-delivery threads while 500 streams followed a flooding build")
                    .isPositive()
                    .isLessThanOrEqualTo(InMemoryEventBus.DELIVERY_THREADS);
            assertThat(threads("forge-http-refill-")).isLessThanOrEqualTo(StreamLimits.REFILL_THREADS);
        }
    }

    private static boolean isTerminal(TestServer server, String id, String token) {
        String status = TestServer.json(server.get("/api/build/" + id, token)).get("status").asText();
        return List.of("completed", "failed", "cancelled").contains(status);
    }

    /** Event streams the access log has recorded: it does so when a stream has ended. */
    private static long endedStreams(TestServer server) {
        return server.forge.metrics().registry().find("http.server.requests")
                .tag("uri", "/api/build/{task_id}/events").timers().stream().mapToLong(t -> t.count()).sum();
    }

    private static int threads(String prefix) {
        return (int) Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith(prefix)).count();
    }

    /** Opens an event stream over a raw socket with a small receive buffer, and reads nothing. */
    static Socket openSse(TestServer server, String id, String token) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(4096);
        socket.connect(new java.net.InetSocketAddress("127.0.0.1", server.server.port()), 10_000);
        OutputStream out = socket.getOutputStream();
        out.write(("GET /api/build/" + id + "/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Accept: text/event-stream\r\nAuthorization: Bearer " + token + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return socket;
    }

    /** Reads the first bytes the server sent (the response head), then reads no more. */
    static String readHead(Socket socket) throws IOException {
        socket.setSoTimeout(30_000);
        byte[] buffer = new byte[256];
        int n = socket.getInputStream().read(buffer);
        return n <= 0 ? "" : new String(buffer, 0, n, StandardCharsets.ISO_8859_1);
    }

    /** Reads what is left; true when the server ended the connection (end of stream or reset). */
    static boolean closedByServer(Socket socket) throws IOException {
        socket.setSoTimeout(30_000);
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[64 * 1024];
        try {
            while (in.read(buffer) != -1) {
                // draining what the kernel buffered before the server closed
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false; // still open: nothing came and nothing ended within 30 s
        } catch (SocketException e) {
            return true; // reset by the server
        }
    }

    /** The count of clients dropped for being too slow, read from the registry. */
    static double dropped(TestServer server, String transport) {
        var counter = server.forge.metrics().registry().find(StreamLimits.DROPPED_METER)
                .tag("transport", transport).counter();
        return counter == null ? 0 : counter.count();
    }

    static void awaitTrue(Duration limit, BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("%s within %s", what, limit).isLessThan(deadline);
            Thread.sleep(20); // polling a condition the server reaches on its own
        }
    }

    /** An SSE client that reads everything and notes when each keep-alive comment arrived. */
    static final class KeepAliveRecorder implements AutoCloseable {
        final List<Long> keepAlives = new CopyOnWriteArrayList<>();
        private final Socket socket;
        private final Thread reader;
        private volatile boolean ended;

        private KeepAliveRecorder(Socket socket) {
            this.socket = socket;
            this.reader = new Thread(this::read, "keep-alive-recorder");
            reader.setDaemon(true);
            reader.start();
        }

        static KeepAliveRecorder open(TestServer server, String id, String token) throws IOException {
            return new KeepAliveRecorder(openSse(server, id, token));
        }

        private void read() {
            try {
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                        StandardCharsets.UTF_8));
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    if (line.startsWith(": keep-alive")) {
                        keepAlives.add(System.nanoTime());
                    }
                }
            } catch (IOException e) {
                // closed by the test
            }
            ended = true;
        }

        List<Long> between(long from, long to) {
            return keepAlives.stream().filter(t -> t >= from && t <= to).toList();
        }

        void assertStillOpen() {
            assertThat(ended).as("a reading client's stream stays open").isFalse();
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
