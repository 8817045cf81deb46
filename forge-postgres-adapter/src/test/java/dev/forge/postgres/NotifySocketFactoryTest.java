package dev.forge.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** No database: the LISTEN connection's sockets, which answer pgjdbc's pending-message probe at once. */
class NotifySocketFactoryTest {

    /** A stream with nothing available that counts the reads reaching it (each returns 42). */
    private static final class Quiet extends InputStream {
        final AtomicInteger reads = new AtomicInteger();

        @Override
        public int read() {
            reads.incrementAndGet();
            return 42;
        }

        @Override
        public int available() {
            return 0;
        }
    }

    @Test
    void whileProbing_aReadWithNothingPending_timesOutWithoutReachingTheSocket() {
        Quiet socket = new Quiet();
        var stream = new NotifySocketFactory.ProbeAwareStream(socket, () -> true);

        assertThatThrownBy(stream::read).isInstanceOf(SocketTimeoutException.class);
        assertThatThrownBy(() -> stream.read(new byte[8], 0, 8)).isInstanceOf(SocketTimeoutException.class);
        assertThat(socket.reads).hasValue(0);
    }

    @Test
    void notProbing_everyReadIsTheSockets() throws Exception {
        Quiet socket = new Quiet();
        var stream = new NotifySocketFactory.ProbeAwareStream(socket, () -> false);

        assertThat(stream.read()).isEqualTo(42);
        assertThat(socket.reads).hasValue(1);
    }

    @Test
    void whileProbing_aPendingByteIsRead() throws Exception {
        AtomicBoolean probing = new AtomicBoolean(true);
        InputStream pending = new java.io.ByteArrayInputStream(new byte[] {7});
        var stream = new NotifySocketFactory.ProbeAwareStream(pending, probing::get);

        assertThat(stream.read()).isEqualTo(7);
    }

    @Test
    void aRealSocket_probesOnlyUnderTheOneMillisecondTimeout() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Socket client = new NotifySocketFactory().createSocket(InetAddress.getLoopbackAddress(),
                        server.getLocalPort());
                Socket peer = server.accept()) {
            InputStream in = client.getInputStream();
            OutputStream out = peer.getOutputStream();

            client.setSoTimeout(NotifySocketFactory.PROBE_TIMEOUT_MILLIS);
            // nothing sent: the probe's read ends at once (a plain socket's would end after 1 ms;
            // a broken one would wait here for good, which the timeout turns into a failure)
            assertTimeoutPreemptively(Duration.ofSeconds(10),
                    () -> assertThatThrownBy(in::read).isInstanceOf(SocketTimeoutException.class));

            out.write(5);
            out.flush();
            while (in.available() == 0) {
                Thread.onSpinWait(); // the byte is on its way over loopback
            }
            assertThat(in.read()).as("a pending byte, while probing").isEqualTo(5);

            client.setSoTimeout(0);
            Thread writer = new Thread(() -> {
                try {
                    Thread.sleep(50);
                    out.write(6);
                    out.flush();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            writer.start();
            // not probing: the read waits for the byte as any socket read does
            assertThat(assertTimeoutPreemptively(Duration.ofSeconds(10), () -> in.read())).isEqualTo(6);
            writer.join();
        }
    }
}
