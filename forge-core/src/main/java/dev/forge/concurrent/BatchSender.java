package dev.forge.concurrent;

import dev.forge.Internal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends queued items from one daemon thread, in batches, so whoever offers one never waits for
 * the backend, and one thread keeps the order they were offered in. The shared adapters' event
 * buses publish through it: an event is best effort (the store has the truth), so the queue is
 * bounded - when the backend is down or slow and the queue is full, the oldest items are dropped
 * - and a batch whose send fails is dropped too. Either is logged once per outage: warned again
 * only after a send succeeded with the queue below half, so a slow backend that keeps it full
 * while some batches go through does not warn on every batch.
 *
 * @param <T> an item
 */
@Internal
public final class BatchSender<T> implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BatchSender.class);
    /** A batch of at least this many items is a busy one: the next may linger. */
    static final int BUSY = 4;

    private final String what;
    private final int capacity;
    private final int batchSize;
    private final Consumer<List<T>> send;
    private final long lingerNanos;
    /** Whether the last batch sent was a busy one (see {@link #BUSY}). */
    private boolean busy;
    private final BlockingQueue<T> pending;
    private final AtomicBoolean warned = new AtomicBoolean();
    private final Thread thread;
    private volatile boolean closed;
    private volatile boolean stopped;

    /**
     * Starts the sending thread.
     *
     * @param thread    the thread's name
     * @param what      what the items are and where they go, for the warnings ("task events to Redis")
     * @param capacity  the most items queued
     * @param batchSize the most items per send
     * @param send      sends one batch, in order; throws when it could not
     */
    public BatchSender(String thread, String what, int capacity, int batchSize, Consumer<List<T>> send) {
        this(thread, what, capacity, batchSize, Duration.ZERO, send);
    }

    /**
     * As {@link #BatchSender(String, String, int, int, Consumer)}, and after a busy batch (at
     * least {@link #BUSY} items) the next one waits up to {@code linger} for more items before it
     * goes: under a steady stream a send then carries several round trips' worth of items, for
     * one round trip's cost, while an item that comes alone still goes at once.
     */
    public BatchSender(String thread, String what, int capacity, int batchSize, Duration linger,
            Consumer<List<T>> send) {
        if (capacity < 1 || batchSize < 1) {
            throw new IllegalArgumentException("capacity and batchSize must be >= 1, were " + capacity
                    + " and " + batchSize);
        }
        this.what = Objects.requireNonNull(what, "what");
        this.capacity = capacity;
        this.batchSize = batchSize;
        this.send = Objects.requireNonNull(send, "send");
        this.lingerNanos = linger.toNanos();
        this.pending = new ArrayBlockingQueue<>(capacity);
        this.thread = new Thread(this::run, Objects.requireNonNull(thread, "thread"));
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Queues one item; never blocks. Dropped once this sender is closed. */
    public void offer(T item) {
        Objects.requireNonNull(item, "item");
        if (closed) {
            LOG.debug("sender of {} closed; dropping one", what);
            return;
        }
        while (!pending.offer(item)) {
            pending.poll(); // full: drop the oldest
            warnOnce("queue of " + what + " full (the backend is slow or down); dropping the oldest");
        }
    }

    private void run() {
        List<T> batch = new ArrayList<>(batchSize);
        while (!stopped && (!closed || !pending.isEmpty())) {
            try {
                T first = pending.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                pending.drainTo(batch, batchSize - 1);
                if (busy && lingerNanos > 0) {
                    linger(batch);
                }
                busy = batch.size() >= BUSY;
                send(batch);
            } catch (InterruptedException e) {
                return;
            } finally {
                batch.clear();
            }
        }
    }

    /** Adds the items that come within the linger time, until the batch is full. */
    private void linger(List<T> batch) throws InterruptedException {
        long deadline = System.nanoTime() + lingerNanos;
        while (batch.size() < batchSize && !closed) {
            long left = deadline - System.nanoTime();
            T next = left > 0 ? pending.poll(left, TimeUnit.NANOSECONDS) : null;
            if (next == null) {
                return;
            }
            batch.add(next);
            pending.drainTo(batch, batchSize - batch.size());
        }
    }

    private void send(List<T> batch) {
        try {
            send.accept(batch);
            if (pending.size() < capacity / 2) {
                warned.set(false); // caught up: the outage (or overload) is over
            }
        } catch (RuntimeException e) {
            warnOnce("could not send " + batch.size() + " " + what + ": " + e.getMessage());
        }
    }

    private void warnOnce(String message) {
        if (warned.compareAndSet(false, true)) {
            LOG.warn(message);
        }
    }

    /** Sends what is queued for up to {@code wait}, then stops; what is still queued is dropped. */
    public void close(Duration wait) {
        closed = true;
        try {
            thread.join(Math.max(1, wait.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stopped = true;
        thread.interrupt();
    }

    /** {@link #close(Duration)} with one second. */
    @Override
    public void close() {
        close(Duration.ofSeconds(1));
    }
}
