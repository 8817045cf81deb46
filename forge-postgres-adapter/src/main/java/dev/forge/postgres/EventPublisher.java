package dev.forge.postgres;

import dev.forge.events.TaskEvent;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a bus's task events from one daemon thread, many NOTIFYs per transaction, so a publisher
 * (a worker storing a status, a log batch) never waits for a commit, and one thread keeps the
 * publish order: PostgreSQL delivers a transaction's notifications in the order they were sent,
 * and transactions in commit order.
 *
 * <p>PostgreSQL folds notifications of one transaction with the same channel and payload into
 * one. Two events may be equal (a caller may publish one twice, two log batches may carry the
 * same lines at the same instant), so every payload carries this publisher's sequence number
 * and none is ever identical to another in its transaction.
 *
 * <p>Bounded: when the database is down or slow and the queue is full, the oldest events are
 * dropped (events are best effort; the store has the truth), with one warning per outage. A
 * batch whose send fails is dropped the same way.
 */
final class EventPublisher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EventPublisher.class);
    static final int CAPACITY = 100_000;
    static final int BATCH = 500;
    /** How long close waits for the queued events to go out. */
    private static final long CLOSE_MILLIS = 2_000;

    private final Sql sql;
    private final String channel;
    private final String notifySql;
    private final String spillSql;
    private final BlockingQueue<TaskEvent> pending = new ArrayBlockingQueue<>(CAPACITY);
    private final AtomicBoolean warned = new AtomicBoolean();
    private final Thread thread;
    private volatile boolean closed;
    private volatile boolean stopped;
    private final AtomicLong sequence = new AtomicLong();

    /**
     * @param spillSql inserts a body (parameter 1) and notifies {@code channel} (parameter 2)
     *                 with the spill prefix and the row's id
     */
    EventPublisher(Sql sql, String channel, String spillSql) {
        this.sql = sql;
        this.channel = channel;
        this.spillSql = spillSql;
        // a function scan returns the array's elements in order, so they are notified in order
        this.notifySql = "SELECT pg_notify(?, p) FROM unnest(?::text[]) AS e(p)";
        this.thread = new Thread(this::run, "forge-pg-publisher-" + sql.schema());
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Queues one event; never blocks. */
    void publish(TaskEvent event) {
        if (closed) {
            LOG.debug("event bus closed; dropping an event");
            return;
        }
        while (!pending.offer(event)) {
            pending.poll(); // full: drop the oldest
            warnOnce("event queue full (PostgreSQL slow or down); dropping the oldest events");
        }
    }

    private void run() {
        List<TaskEvent> batch = new ArrayList<>(BATCH);
        while (!stopped && (!closed || !pending.isEmpty())) {
            try {
                TaskEvent first = pending.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                pending.drainTo(batch, BATCH - 1);
                send(batch);
            } catch (InterruptedException e) {
                return;
            } finally {
                batch.clear();
            }
        }
    }

    /** Sends {@code batch} in one transaction (package-private so a test can send one batch). */
    void send(List<TaskEvent> batch) {
        List<String> payloads = new ArrayList<>(batch.size());
        boolean spills = false;
        for (TaskEvent event : batch) {
            String payload = EventCodec.encode(event, sequence.getAndIncrement());
            spills |= !fits(payload);
            payloads.add(payload);
        }
        try {
            if (spills) {
                sql.inTransaction("publish task events", c -> notifyInOrder(c, payloads));
            } else {
                sql.run("publish task events", c -> notifyAll(c, payloads));
            }
            if (pending.size() < CAPACITY / 2) {
                warned.set(false); // caught up: the outage (or overload) is over
            }
        } catch (RuntimeException e) {
            warnOnce("could not publish " + batch.size() + " task events: " + e.getMessage());
        }
    }

    static boolean fits(String payload) {
        return payload.getBytes(StandardCharsets.UTF_8).length <= PostgresEventBus.MAX_NOTIFY_BYTES;
    }

    /** In one transaction: runs of small payloads as one statement each, a big one as a spill row. */
    private Void notifyInOrder(Connection c, List<String> payloads) throws SQLException {
        List<String> run = new ArrayList<>();
        for (String payload : payloads) {
            if (fits(payload)) {
                run.add(payload);
                continue;
            }
            notifyAll(c, run);
            run.clear();
            try (PreparedStatement statement = sql.prepare(c, spillSql)) {
                statement.setString(1, payload);
                statement.setString(2, channel);
                statement.execute();
            }
        }
        return notifyAll(c, run);
    }

    private Void notifyAll(Connection c, List<String> payloads) throws SQLException {
        if (payloads.isEmpty()) {
            return null;
        }
        try (PreparedStatement statement = sql.prepare(c, notifySql)) {
            statement.setString(1, channel);
            statement.setArray(2, c.createArrayOf("text", payloads.toArray()));
            statement.execute();
        }
        return null;
    }

    private void warnOnce(String message) {
        if (warned.compareAndSet(false, true)) {
            LOG.warn(message);
        }
    }

    /** Sends what is queued (for up to two seconds), then stops. */
    @Override
    public void close() {
        closed = true;
        try {
            thread.join(CLOSE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stopped = true; // what is still queued (the database is down or slow) is dropped
        thread.interrupt();
    }
}
