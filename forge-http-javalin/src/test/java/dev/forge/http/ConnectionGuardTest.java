package dev.forge.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The connection guard of {@link ForgeServer}, over real sockets. Attackers connect from other
 * loopback addresses (127.0.0.2 and up, all local on Linux) so the per-address cap can be told
 * apart from the total one, and well-behaved requests come from 127.0.0.1.
 */
class ConnectionGuardTest {

    private static final Duration DEADLINE = Duration.ofSeconds(20);

    @Test
    void connectionsOverThePerAddressCap_areClosedAtOnce_andOtherClientsAreServed() throws Exception {
        try (TestServer server = TestServer.start(new TestServer.Options().noWorkers()
                .http(h -> h.maxConnections(50, 5)));
                Sockets held = new Sockets()) {
            for (int i = 0; i < 10; i++) {
                held.open(server, "127.0.0.2");
            }

            assertThat(held.closedByServerWithin(DEADLINE, 5)).isEqualTo(5);
            assertThat(server.get("/api/health/live", null).statusCode()).isEqualTo(200);
            assertThat(server.server.guardCounts()[1]).isEqualTo(5);
        }
    }

    @Test
    void connectionsOverTheTotalCap_areClosedAtOnce_andSlotsComeBackWhenTheyClose() throws Exception {
        try (TestServer server = TestServer.start(new TestServer.Options().noWorkers()
                .http(h -> h.maxConnections(6, 2)))) {
            try (Sockets held = new Sockets()) {
                for (int address = 2; address <= 4; address++) {
                    held.open(server, "127.0.0." + address);
                    held.open(server, "127.0.0." + address);
                }
                awaitOpen(server, 6);
                try (Sockets extra = new Sockets()) {
                    extra.open(server, "127.0.0.5");
                    assertThat(extra.closedByServerWithin(DEADLINE, 1)).isEqualTo(1);
                }
                assertThat(server.server.guardCounts()[0]).isEqualTo(1);
            }
            awaitOpen(server, 0);
            assertThat(server.get("/api/health/live", null).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aTrickleOfHeaderLines_isCutAtTheHeaderDeadline() throws Exception {
        try (TestServer server = TestServer.start(new TestServer.Options().noWorkers()
                .http(h -> h.requestTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(1))));
                Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", server.server.port()));
            OutputStream out = socket.getOutputStream();
            out.write("GET /api/health/live HTTP/1.1\r\nHost: localhost\r\n".getBytes(StandardCharsets.US_ASCII));
            long start = System.nanoTime();
            boolean cut = false;
            // one header line every 200 ms: far inside the 30 s idle timeout, so only the deadline can end it
            while (!cut && System.nanoTime() - start < DEADLINE.toNanos()) {
                try {
                    out.write("X-Trickle: 1\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    Thread.sleep(200);
                    socket.setSoTimeout(1);
                    cut = socket.getInputStream().read() == -1;
                } catch (SocketTimeoutException e) {
                    // nothing yet
                } catch (SocketException e) {
                    cut = true;
                }
            }

            assertThat(cut).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
            assertThat(server.server.guardCounts()[2]).isEqualTo(1);
        }
    }

    @Test
    void aTrickledBody_isCutAtTheBodyDeadline() throws Exception {
        try (TestServer server = TestServer.start(new TestServer.Options().noWorkers()
                .http(h -> h.requestTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(1))));
                Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", server.server.port()));
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/build/ HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Authorization: Bearer " + server.userToken("alice") + "\r\nContent-Length: 1000\r\n\r\n{")
                    .getBytes(StandardCharsets.US_ASCII));
            long start = System.nanoTime();
            boolean cut = false;
            while (!cut && System.nanoTime() - start < DEADLINE.toNanos()) {
                try {
                    out.write(' ');
                    out.flush();
                    Thread.sleep(200);
                    socket.setSoTimeout(1);
                    InputStream in = socket.getInputStream();
                    int b;
                    while ((b = in.read()) != -1) {
                        // an answer (e.g. 400 for the cut body) may come before the close
                    }
                    cut = true;
                } catch (SocketTimeoutException e) {
                    // nothing yet
                } catch (SocketException e) {
                    cut = true;
                }
            }

            assertThat(cut).isTrue();
            assertThat(server.server.guardCounts()[3]).isEqualTo(1);
        }
    }

    private static void awaitOpen(TestServer server, int count) throws InterruptedException {
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (server.server.openConnections() != count && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        assertThat(server.server.openConnections()).isEqualTo(count);
    }

    /** Client sockets bound to a given local loopback address, sending the start of a request. */
    static final class Sockets implements AutoCloseable {
        final List<Socket> sockets = new ArrayList<>();

        void open(TestServer server, String localAddress) throws IOException {
            Socket socket = new Socket();
            socket.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
            socket.connect(new InetSocketAddress("127.0.0.1", server.server.port()), 5_000);
            socket.getOutputStream().write("GET /api/health/live HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
            sockets.add(socket);
        }

        /** How many sockets the server closed, waiting until {@code expected} or the deadline. */
        int closedByServerWithin(Duration deadline, int expected) throws IOException, InterruptedException {
            long end = System.nanoTime() + deadline.toNanos();
            int closed;
            do {
                closed = 0;
                for (Socket socket : sockets) {
                    if (closedByServer(socket)) {
                        closed++;
                    }
                }
                if (closed >= expected) {
                    return closed;
                }
                Thread.sleep(20);
            } while (System.nanoTime() < end);
            return closed;
        }

        private static boolean closedByServer(Socket socket) throws IOException {
            try {
                socket.setSoTimeout(1);
                return socket.getInputStream().read() == -1;
            } catch (SocketTimeoutException e) {
                return false;
            } catch (SocketException e) {
                return true; // reset
            }
        }

        @Override
        public void close() throws IOException {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }
}
