package dev.forge.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the event streams (SSE and WebSocket) share to bound slow clients: the buffer and write
 * deadline of each client's {@link Outbox}, one timer sweep that drops clients whose write is
 * overdue, the small fixed pool that refills lagging feeds from the store, and the
 * {@value #DROPPED_METER} counter.
 *
 * <p>Why here and not per stream: a thread or a timer per client is what let 500 streams grow
 * the server's thread count without bound; these are fixed, however many clients there are,
 * and none of them ever waits for a client.
 */
final class StreamLimits implements AutoCloseable {

    /** Counter of clients dropped for not reading within the write deadline, tagged by transport. */
    static final String DROPPED_METER = "forge.http.stream.slow.dropped";
    /**
     * Threads that read on from the store for feeds whose client has caught up again, and close
     * the connections of clients found too slow.
     */
    static final int REFILL_THREADS = 2;

    private final int bufferChars;
    private final long deadlineMillis;
    private final MeterRegistry registry;
    private final Set<Outbox> watched = ConcurrentHashMap.newKeySet();
    private final ThreadPoolExecutor refills;
    private final ScheduledFuture<?> sweep;

    StreamLimits(HttpConfig config, ScheduledExecutorService timer, MeterRegistry registry) {
        this.bufferChars = config.streamBufferBytes();
        this.deadlineMillis = config.streamWriteDeadline().toMillis();
        this.registry = registry;
        AtomicInteger count = new AtomicInteger();
        this.refills = new ThreadPoolExecutor(REFILL_THREADS, REFILL_THREADS, 1, TimeUnit.MINUTES,
                new LinkedBlockingQueue<>(), task -> {
                    Thread thread = new Thread(task, "forge-http-refill-" + count.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        refills.allowCoreThreadTimeOut(true);
        counter("sse");
        counter("websocket"); // both show in /metrics from the start, at 0
        long period = Math.max(10, deadlineMillis / 4);
        this.sweep = timer.scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.MILLISECONDS);
    }

    /** Characters a client's outbox holds before its feed waits for it (about bytes for ASCII). */
    int bufferChars() {
        return bufferChars;
    }

    /** Longest one write to a client may take before the client is dropped. */
    long deadlineMillis() {
        return deadlineMillis;
    }

    /** Where lagging feeds read on from the store. */
    Executor refills() {
        return refills;
    }

    /** Checks {@code outbox}'s write deadline on every sweep until {@link #forget}. */
    void watch(Outbox outbox) {
        watched.add(outbox);
    }

    void forget(Outbox outbox) {
        watched.remove(outbox);
    }

    /** Counts one client dropped for being too slow. */
    void dropped(String transport) {
        counter(transport).increment();
    }

    private Counter counter(String transport) {
        return Counter.builder(DROPPED_METER)
                .description("Stream clients dropped because a write to them did not complete within the deadline")
                .tag("transport", transport)
                .register(registry);
    }

    private void sweep() {
        for (Outbox outbox : watched) {
            if (outbox.overdue()) {
                // closing completes the request; that runs on the pool, never on the shared timer
                watched.remove(outbox);
                try {
                    refills.execute(outbox::checkDeadline);
                } catch (RuntimeException e) {
                    outbox.end(Outbox.End.CLOSED); // the server is stopping
                }
            }
        }
    }

    @Override
    public void close() {
        sweep.cancel(false);
        refills.shutdownNow();
    }
}
