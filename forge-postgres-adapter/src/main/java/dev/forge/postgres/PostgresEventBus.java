package dev.forge.postgres;

import dev.forge.events.EventBus;
import dev.forge.events.InMemoryEventBus;
import dev.forge.events.TaskEvent;
import dev.forge.task.TaskId;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link EventBus} over PostgreSQL LISTEN/NOTIFY: every node sharing the schema hears every
 * publish. Task events and cancel requests go on two channels, and a node LISTENs to a channel
 * only from its first subscriber on - a worker, which only listens for cancels, never receives
 * log traffic.
 *
 * <p>A NOTIFY payload must stay under 8,000 bytes. An event whose JSON is larger (a big batch of
 * log lines) is written to a spill row and the notification carries the row's id; the receiving
 * node reads it back. Spilled rows older than five minutes are deleted by later spills.
 *
 * <p>Publishing does not wait for the database: an {@link EventPublisher} thread sends the
 * queued events in batches, many NOTIFYs per transaction, in publish order (bounded: when the
 * database is down the oldest are dropped, as events are best effort).
 *
 * <p>Received events are decoded on one thread per bus, in the order PostgreSQL delivered them
 * (commit order, so per task the publish order), and fanned out through an
 * {@link InMemoryEventBus}: a slow or failing listener delays nobody else. Delivery is best
 * effort, as the port says: notifications sent while this node's connection is down are lost.
 */
public final class PostgresEventBus implements EventBus {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresEventBus.class);
    /** NOTIFY's limit is 8,000 bytes; leave room for the channel name and framing. */
    static final int MAX_NOTIFY_BYTES = 7_800;
    private static final String SPILL_PREFIX = "@";

    private final Sql sql;
    private final PgListener listener;
    private final String eventsChannel;
    private final String cancelChannel;
    private final String notifySql = "SELECT pg_notify(?, ?)";
    private final String readSpillSql;
    private final EventPublisher publisher;
    private final InMemoryEventBus local = new InMemoryEventBus();
    private final ExecutorService decoder;
    private final Consumer<String> onEvent = this::received;
    private final Consumer<String> onCancel = this::cancelReceived;
    private volatile boolean listeningEvents;
    private volatile boolean listeningCancels;

    PostgresEventBus(Sql sql, PgListener listener) {
        this.sql = sql;
        this.listener = listener;
        this.eventsChannel = sql.channel("events");
        this.cancelChannel = sql.channel("cancel");
        String spill = sql.table("event_spill");
        String spillSql = "WITH old AS (DELETE FROM " + spill + " WHERE created_at < now() - interval '5 minutes'),"
                + " s AS (INSERT INTO " + spill + " (body) VALUES (?) RETURNING id)"
                + " SELECT pg_notify(?, '" + SPILL_PREFIX + "' || id) FROM s";
        this.readSpillSql = "SELECT body FROM " + spill + " WHERE id = ?";
        this.publisher = new EventPublisher(sql, eventsChannel, spillSql);
        this.decoder = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "forge-pg-events-" + sql.schema());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Queues the event for this bus's publisher thread and returns: never waits for the database. */
    @Override
    public void publish(TaskEvent event) {
        Objects.requireNonNull(event, "event");
        publisher.publish(event);
    }

    @Override
    public Subscription subscribe(TaskId taskId, Consumer<TaskEvent> listener) {
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(listener, "listener");
        Subscription subscription = local.subscribe(taskId, listener);
        listenToEvents();
        return subscription;
    }

    @Override
    public Subscription subscribe(Consumer<TaskEvent> listener) {
        Objects.requireNonNull(listener, "listener");
        Subscription subscription = local.subscribe(listener);
        listenToEvents();
        return subscription;
    }

    @Override
    public void requestCancel(TaskId taskId) {
        Objects.requireNonNull(taskId, "taskId");
        sql.run("request a cancel", c -> {
            try (PreparedStatement statement = sql.prepare(c, notifySql)) {
                statement.setString(1, cancelChannel);
                statement.setString(2, taskId.value());
                statement.execute();
            }
            return null;
        });
    }

    @Override
    public Subscription onCancel(Consumer<TaskId> listener) {
        Objects.requireNonNull(listener, "listener");
        Subscription subscription = local.onCancel(listener);
        if (!listeningCancels) {
            synchronized (this) {
                if (!listeningCancels) {
                    this.listener.listen(cancelChannel, onCancel);
                    listeningCancels = true;
                }
            }
        }
        return subscription;
    }

    private void listenToEvents() {
        if (!listeningEvents) {
            synchronized (this) {
                if (!listeningEvents) {
                    listener.listen(eventsChannel, onEvent);
                    listeningEvents = true;
                }
            }
        }
    }

    /** On the listener thread: hand off, so a spill read never holds up notifications. */
    private void received(String payload) {
        try {
            decoder.execute(() -> deliver(payload));
        } catch (RejectedExecutionException e) {
            LOG.debug("event bus closed; dropping an event");
        }
    }

    private void deliver(String payload) {
        try {
            String json = payload.startsWith(SPILL_PREFIX) ? readSpill(payload.substring(1)) : payload;
            if (json != null) {
                // a packed batch (EventPublisher), or one event (spilled, or from a node that does not pack)
                for (TaskEvent event : EventCodec.decodeAll(json)) {
                    local.publish(event);
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("dropping a task event that could not be read", e);
        }
    }

    private String readSpill(String id) {
        return sql.run("read a spilled event", c -> {
            try (PreparedStatement statement = sql.prepare(c, readSpillSql)) {
                statement.setLong(1, Long.parseLong(id));
                try (ResultSet rows = statement.executeQuery()) {
                    return rows.next() ? rows.getString(1) : null;
                }
            }
        });
    }

    private void cancelReceived(String taskId) {
        TaskId id = TaskId.parseOrNull(taskId);
        if (id != null) {
            local.requestCancel(id);
        }
    }

    EventPublisher publisher() {
        return publisher;
    }

    /**
     * Sends what is queued (for a bounded time) and stops delivery to this bus's subscribers; the
     * backend's owner closes the connections.
     */
    @Override
    public void close() {
        publisher.close();
        listener.unlisten(eventsChannel, onEvent);
        listener.unlisten(cancelChannel, onCancel);
        decoder.shutdownNow();
        local.close();
    }
}
