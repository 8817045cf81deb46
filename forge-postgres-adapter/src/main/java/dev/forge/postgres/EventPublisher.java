package dev.forge.postgres;

import dev.forge.concurrent.BatchSender;
import dev.forge.events.TaskEvent;
import dev.forge.store.BoundedLog;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends a bus's task events from a {@link BatchSender}'s thread, a batch per transaction, so a publisher
 * (a worker storing a status, a log batch) never waits for a commit, and one thread keeps the
 * publish order: PostgreSQL delivers a transaction's notifications in the order they were sent,
 * and transactions in commit order. A batch's events go packed, as many as fit in one NOTIFY
 * payload (a JSON array of them): every notification costs each listening backend of the
 * database a read of it and its receiving node a message, so nine events in one cost about one.
 * An event too big for a payload of its own goes by reference ({@link PostgresEventBus}).
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

    static final int CAPACITY = 100_000;
    static final int BATCH = 500;
    /**
     * After a busy batch, how long the next waits for more events: a transaction with its
     * commit, a NOTIFY and every listening backend's read of it is paid per batch, and batches
     * were about nine events under load. An event alone (an idle queue's) never waits.
     */
    static final Duration LINGER = Duration.ofMillis(2);
    /** How long close waits for the queued events to go out. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(2);

    private final Sql sql;
    private final String channel;
    private final String notifySql;
    private final String notifyOneSql;
    private final String spillSql;
    private final AtomicLong sequence = new AtomicLong();
    private final BatchSender<TaskEvent> sender;

    /**
     * @param spillSql inserts a body (parameter 1) and notifies {@code channel} (parameter 2)
     *                 with the spill prefix and the row's id
     */
    EventPublisher(Sql sql, String channel, String spillSql) {
        this.sql = sql;
        this.channel = channel;
        this.spillSql = spillSql;
        // A function scan returns the array's elements in order, so they are notified in order.
        // The transaction commits without waiting for its WAL flush (set_config(..., true) holds
        // for this transaction only): events are best effort, so one lost in a server crash is
        // what a dropped batch is anyway, while waiting for the flush delayed every event by a
        // disk write and held PostgreSQL's notify lock through it, which every other notifying
        // commit (each enqueue's) queued behind.
        this.notifySql = "SELECT pg_notify(?, e.p) FROM set_config('synchronous_commit', 'off', true) s,"
                + " unnest(?::text[]) AS e(p)";
        this.notifyOneSql = "SELECT pg_notify(?, ?) FROM set_config('synchronous_commit', 'off', true) s";
        this.sender = new BatchSender<>("forge-pg-publisher-" + sql.schema(), "task events to PostgreSQL",
                CAPACITY, BATCH, LINGER, this::send);
    }

    /** Queues one event; never blocks. */
    void publish(TaskEvent event) {
        sender.offer(event);
    }

    /**
     * Sends {@code batch} in one transaction (package-private so a test can send one batch).
     *
     * @throws dev.forge.InfrastructureException if the database fails
     */
    void send(List<TaskEvent> batch) {
        List<String> payloads = new ArrayList<>();
        boolean spills = false;
        StringBuilder packed = new StringBuilder(PostgresEventBus.MAX_NOTIFY_BYTES);
        int packedBytes = 0;
        for (TaskEvent event : batch) {
            String json = EventCodec.encode(event, sequence.getAndIncrement());
            int bytes = BoundedLog.utf8Length(json);
            if (bytes + 2 > PostgresEventBus.MAX_NOTIFY_BYTES) {
                // too big for any NOTIFY: alone, by reference; what was packed before it goes first
                packedBytes = flush(packed, payloads);
                payloads.add(json);
                spills = true;
                continue;
            }
            if (packedBytes + bytes + 2 > PostgresEventBus.MAX_NOTIFY_BYTES) {
                packedBytes = flush(packed, payloads);
            }
            packed.append(packed.length() == 0 ? '[' : ',').append(json);
            packedBytes += bytes + 1;
        }
        flush(packed, payloads);
        if (spills) {
            sql.inTransaction("publish task events", c -> notifyInOrder(c, payloads));
        } else {
            sql.run("publish task events", c -> notifyAll(c, payloads));
        }
    }

    /** Ends the array packed so far as one payload; returns 0, the bytes now packed. */
    private static int flush(StringBuilder packed, List<String> payloads) {
        if (packed.length() > 0) {
            payloads.add(packed.append(']').toString());
            packed.setLength(0);
        }
        return 0;
    }

    /**
     * In one transaction: runs of packed payloads as one statement each, an event too big to pack
     * (a payload that is one object, not an array: see {@link #send}) as a spill row.
     */
    private Void notifyInOrder(Connection c, List<String> payloads) throws SQLException {
        List<String> run = new ArrayList<>();
        for (String payload : payloads) {
            if (payload.charAt(0) == '[') {
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
        // one payload (a packed batch, the usual case) as a plain parameter: as an array element
        // the driver would escape every quote of its JSON
        boolean one = payloads.size() == 1;
        try (PreparedStatement statement = sql.prepare(c, one ? notifyOneSql : notifySql)) {
            statement.setString(1, channel);
            if (one) {
                statement.setString(2, payloads.get(0));
            } else {
                statement.setArray(2, c.createArrayOf("text", payloads.toArray()));
            }
            statement.execute();
        }
        return null;
    }

    /** Sends what is queued (for up to two seconds), then stops; the rest is dropped. */
    @Override
    public void close() {
        sender.close(CLOSE_WAIT);
    }
}
