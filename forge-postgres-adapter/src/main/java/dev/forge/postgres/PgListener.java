package dev.forge.postgres;

import dev.forge.InfrastructureException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection that LISTENs for the whole backend, read by one daemon thread. A channel is
 * LISTENed from the first handler on and stays so (a node that never subscribes to task events,
 * e.g. a pure worker, never receives their traffic). Handlers run on the listener thread and
 * must only hand work off.
 *
 * <p>pgjdbc holds the connection's lock while it waits for notifications, so a LISTEN cannot
 * be sent from another thread; {@link #listen} queues the channel and NOTIFYs this connection's
 * wake channel from the pool, and the thread LISTENs before it waits again. When the
 * connection drops (the server restarts), the thread reconnects with backoff, LISTENs again
 * and runs the reconnect hooks, because notifications sent meanwhile are lost.
 */
final class PgListener implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PgListener.class);
    private static final int WAIT_MILLIS = 1_000;
    /** An idle connection is checked this often, so a silently dead one is noticed. */
    private static final long PING_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final Sql sql;
    private final ConnectionSource source;
    private final String wakeChannel;
    private final Map<String, Channel> channels = new ConcurrentHashMap<>();
    private final List<Runnable> reconnectHooks = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean closed;
    private Connection connection;

    PgListener(Sql sql, ConnectionSource source) {
        this.sql = sql;
        this.source = source;
        this.wakeChannel = sql.channel("wake");
        this.thread = new Thread(this::loop, "forge-pg-listener-" + sql.schema());
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /**
     * Calls {@code handler} with the payload of every notification on {@code channel}; returns
     * once the channel is LISTENed, so nothing NOTIFYed afterwards is missed.
     *
     * @throws InfrastructureException if the database does not confirm in the statement timeout
     */
    void listen(String channel, Consumer<String> handler) {
        Channel state = channels.computeIfAbsent(channel, name -> new Channel());
        state.handlers.add(handler);
        if (state.active.isDone()) {
            return;
        }
        sql.run("wake the listener", c -> {
            try (var statement = sql.prepare(c, "SELECT pg_notify(?, '')")) {
                statement.setString(1, wakeChannel);
                statement.execute();
            }
            return null;
        });
        try {
            state.active.get(sql.timeoutSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InfrastructureException("interrupted while subscribing to " + channel, e);
        } catch (ExecutionException | TimeoutException e) {
            state.handlers.remove(handler);
            throw new InfrastructureException("PostgreSQL did not confirm LISTEN " + channel, e);
        }
    }

    /** Stops calling {@code handler}; the channel stays LISTENed. */
    void unlisten(String channel, Consumer<String> handler) {
        Channel state = channels.get(channel);
        if (state != null) {
            state.handlers.remove(handler);
        }
    }

    /** Runs {@code hook} (on the listener thread) after every reconnect. */
    void onReconnect(Runnable hook) {
        reconnectHooks.add(hook);
    }

    /** Stops running {@code hook}. */
    void removeReconnectHook(Runnable hook) {
        reconnectHooks.remove(hook);
    }

    private void loop() {
        long backoffMillis = 50;
        long lastTraffic = System.nanoTime();
        while (!closed) {
            try {
                if (connection == null) {
                    connect();
                    backoffMillis = 50;
                    lastTraffic = System.nanoTime();
                }
                listenToNewChannels();
                PGNotification[] notifications =
                        connection.unwrap(PGConnection.class).getNotifications(WAIT_MILLIS);
                if (notifications != null && notifications.length > 0) {
                    lastTraffic = System.nanoTime();
                    dispatch(notifications);
                } else if (System.nanoTime() - lastTraffic > PING_NANOS) {
                    ping();
                    lastTraffic = System.nanoTime();
                }
            } catch (SQLException | RuntimeException e) {
                if (closed) {
                    break;
                }
                LOG.warn("PostgreSQL notification connection lost ({}); reconnecting", e.toString());
                disconnect();
                sleep(backoffMillis);
                backoffMillis = Math.min(2_000, backoffMillis * 2);
            }
        }
        disconnect();
    }

    private void connect() throws SQLException {
        boolean reconnect = false;
        Connection fresh = source.open();
        try (Statement statement = fresh.createStatement()) {
            statement.setQueryTimeout(sql.timeoutSeconds());
            statement.execute("LISTEN " + quote(wakeChannel));
            for (Map.Entry<String, Channel> entry : channels.entrySet()) {
                if (entry.getValue().active.isDone()) {
                    statement.execute("LISTEN " + quote(entry.getKey()));
                    reconnect = true;
                }
            }
        } catch (SQLException e) {
            fresh.close();
            throw e;
        }
        connection = fresh;
        if (reconnect) {
            LOG.info("PostgreSQL notification connection re-established");
            for (Runnable hook : reconnectHooks) {
                hook.run();
            }
        }
    }

    private void listenToNewChannels() throws SQLException {
        for (Map.Entry<String, Channel> entry : channels.entrySet()) {
            CompletableFuture<Void> active = entry.getValue().active;
            if (!active.isDone()) {
                try (Statement statement = connection.createStatement()) {
                    statement.setQueryTimeout(sql.timeoutSeconds());
                    statement.execute("LISTEN " + quote(entry.getKey()));
                }
                active.complete(null);
            }
        }
    }

    private void dispatch(PGNotification[] notifications) {
        for (PGNotification notification : notifications) {
            Channel state = channels.get(notification.getName());
            if (state == null) {
                continue; // the wake channel
            }
            for (Consumer<String> handler : state.handlers) {
                try {
                    handler.accept(notification.getParameter());
                } catch (RuntimeException e) {
                    LOG.warn("notification handler for {} failed", notification.getName(), e);
                }
            }
        }
    }

    private void ping() throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.setQueryTimeout(sql.timeoutSeconds());
            statement.execute("SELECT 1");
        }
    }

    private void disconnect() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                LOG.debug("closing the notification connection failed", e);
            }
            connection = null;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Channel names come from the validated schema name; quoting keeps their case. */
    private static String quote(String channel) {
        return '"' + channel + '"';
    }

    /** Stops the thread and closes the connection. */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One channel's handlers, and whether its LISTEN has been sent. */
    private static final class Channel {
        final List<Consumer<String>> handlers = new CopyOnWriteArrayList<>();
        final CompletableFuture<Void> active = new CompletableFuture<>();
    }

    /** Opens the listener's own connection. */
    @FunctionalInterface
    interface ConnectionSource {
        Connection open() throws SQLException;
    }
}
