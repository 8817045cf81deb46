package dev.forge.http;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connection hygiene for {@link ForgeServer}, as a Jetty {@link Connection.Listener} on the
 * connector: a cap on open connections in total and per client address, and deadlines for a
 * request's headers and body.
 *
 * <p>A connection over a cap is closed the moment it opens: the client sees its connection
 * end at once instead of waiting in the accept queue, and the server never spends a thread on
 * it. (Jetty's own {@code NetworkConnectionLimit} stops accepting instead, which parks every
 * new client - the well-behaved ones too - until an old connection goes.)
 *
 * <p>Deadlines: Jetty's idle timeout restarts with every byte, so a client sending one header
 * line every few seconds keeps a connection for ever. A sweep every {@value #SWEEP_MILLIS} ms
 * reads each connection's parser state; a connection that has been inside one request's
 * headers for longer than the header timeout, or inside its body for longer than the body
 * timeout, is closed. The parser's state is read from the sweep thread without a lock: a stale
 * read only delays a close by one sweep.
 *
 * <p>Refusals and closes are expected outcomes: they are counted and summed up in at most one
 * WARN line per {@value #REPORT_SECONDS} s, never logged one by one and never with a stack trace.
 */
final class ConnectionGuard implements Connection.Listener, AutoCloseable {

    static final long SWEEP_MILLIS = 250;
    static final long REPORT_SECONDS = 10;

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);

    private final int maxConnections;
    private final int maxPerAddress;
    private final long headerTimeoutNanos;
    private final long bodyTimeoutNanos;
    private final AtomicInteger open = new AtomicInteger();
    private final Map<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();
    private final Map<Connection, Tracked> tracked = new ConcurrentHashMap<>();
    private final LongAdder refusedTotal = new LongAdder();
    private final LongAdder refusedPerAddress = new LongAdder();
    private final LongAdder slowHeaders = new LongAdder();
    private final LongAdder slowBodies = new LongAdder();
    private final ScheduledExecutorService sweeper;

    ConnectionGuard(int maxConnections, int maxPerAddress, Duration headerTimeout, Duration bodyTimeout) {
        this.maxConnections = maxConnections;
        this.maxPerAddress = maxPerAddress;
        this.headerTimeoutNanos = headerTimeout.toNanos();
        this.bodyTimeoutNanos = bodyTimeout.toNanos();
        this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "forge-http-connection-guard");
            thread.setDaemon(true);
            return thread;
        });
        sweeper.scheduleWithFixedDelay(this::sweepQuietly, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
        sweeper.scheduleWithFixedDelay(this::report, REPORT_SECONDS, REPORT_SECONDS, TimeUnit.SECONDS);
    }

    @Override
    public void onOpened(Connection connection) {
        InetAddress address = address(connection.getEndPoint().getRemoteSocketAddress());
        int total = open.incrementAndGet();
        int fromAddress = address == null ? 0
                : perAddress.computeIfAbsent(address, a -> new AtomicInteger()).incrementAndGet();
        tracked.put(connection, new Tracked(address, System.nanoTime()));
        if (fromAddress > maxPerAddress) {
            refusedPerAddress.increment();
            connection.getEndPoint().close();
        } else if (total > maxConnections) {
            refusedTotal.increment();
            connection.getEndPoint().close();
        }
    }

    @Override
    public void onClosed(Connection connection) {
        Tracked gone = tracked.remove(connection);
        if (gone == null) {
            return;
        }
        open.decrementAndGet();
        if (gone.address != null) {
            perAddress.computeIfPresent(gone.address, (a, count) -> count.decrementAndGet() <= 0 ? null : count);
        }
    }

    /** Open connections now, refused or not yet closed included; for tests and the status page. */
    int openConnections() {
        return open.get();
    }

    /** Connections closed so far: over a cap, and for slow headers or bodies. */
    long[] counts() {
        return new long[] {refusedTotal.sum(), refusedPerAddress.sum(), slowHeaders.sum(), slowBodies.sum()};
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
    }

    private void sweepQuietly() {
        try {
            sweep(System.nanoTime());
        } catch (RuntimeException e) {
            // a sweep must never stop the schedule; the next one starts from fresh state
            LOG.debug("connection sweep failed", e);
        }
    }

    void sweep(long now) {
        for (Map.Entry<Connection, Tracked> entry : tracked.entrySet()) {
            if (!(entry.getKey() instanceof HttpConnection http)) {
                continue;
            }
            Tracked state = entry.getValue();
            HttpParser parser = http.getParser();
            Phase phase = parser.isStart() ? Phase.IDLE
                    : parser.inHeaderState() ? Phase.HEADERS
                    : parser.inContentState() ? Phase.BODY
                    : Phase.IDLE;
            long requests = http.getMessagesIn();
            if (phase != state.phase || requests != state.requests) {
                state.phase = phase;
                state.requests = requests;
                state.since = now;
            } else if (phase == Phase.HEADERS && now - state.since > headerTimeoutNanos) {
                slowHeaders.increment();
                http.getEndPoint().close();
            } else if (phase == Phase.BODY && now - state.since > bodyTimeoutNanos) {
                slowBodies.increment();
                http.getEndPoint().close();
            }
        }
    }

    private long[] reported = new long[4];

    private void report() {
        long[] now = counts();
        long[] delta = new long[4];
        boolean any = false;
        for (int i = 0; i < now.length; i++) {
            delta[i] = now[i] - reported[i];
            any |= delta[i] > 0;
        }
        reported = now;
        if (any) {
            LOG.warn("connections closed in the last {} s: {} over the total cap of {}, {} over the cap of {} per"
                    + " address, {} too slow sending headers, {} too slow sending a body; {} open now",
                    REPORT_SECONDS, delta[0], maxConnections, delta[1], maxPerAddress, delta[2], delta[3], open.get());
        }
    }

    private static InetAddress address(SocketAddress remote) {
        return remote instanceof InetSocketAddress inet ? inet.getAddress() : null;
    }

    private enum Phase { IDLE, HEADERS, BODY }

    /** What the sweep saw of one connection last time; touched only by the sweep thread. */
    private static final class Tracked {
        final InetAddress address;
        Phase phase = Phase.IDLE;
        long requests;
        long since;

        Tracked(InetAddress address, long since) {
            this.address = address;
            this.since = since;
        }
    }
}
