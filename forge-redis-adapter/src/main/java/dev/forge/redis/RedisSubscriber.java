package dev.forge.redis;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Connection;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisPubSub;

/**
 * The one subscriber connection of a backend, multiplexed: task-event channels, the all-tasks
 * pattern, the cancel channel and the queues' wake-up channels all share it. A daemon thread
 * reads it; handlers run on that thread and must only hand messages on (they do: to local
 * queues). When the connection drops, the thread reconnects with backoff and subscribes again
 * to everything still wanted; messages published meanwhile are lost (pub/sub is best effort),
 * which is why the queue also polls and the executor checks stored status as a backstop.
 */
final class RedisSubscriber implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RedisSubscriber.class);
    private static final long MAX_BACKOFF_MILLIS = 2000;

    private final HostAndPort address;
    private final JedisClientConfig config;
    private final String homeChannel;
    private final Duration confirmTimeout;
    private final Map<String, List<BiConsumer<String, String>>> channels = new ConcurrentHashMap<>();
    private final Map<String, List<BiConsumer<String, String>>> patterns = new ConcurrentHashMap<>();
    private final Map<String, CountDownLatch> pendingConfirms = new ConcurrentHashMap<>();
    private final List<Runnable> reconnectListeners = new CopyOnWriteArrayList<>();
    private final Object writeLock = new Object();
    private final Thread reader;
    private volatile Handler current;
    private volatile Connection connection;
    private volatile boolean closed;

    /**
     * @param homeChannel a channel always subscribed, so the connection has one from the start
     */
    RedisSubscriber(HostAndPort address, JedisClientConfig config, String homeChannel,
            Duration confirmTimeout) {
        this.address = Objects.requireNonNull(address, "address");
        this.config = Objects.requireNonNull(config, "config");
        this.homeChannel = Objects.requireNonNull(homeChannel, "homeChannel");
        this.confirmTimeout = confirmTimeout;
        this.reader = new Thread(this::readLoop, "forge-redis-subscriber");
        this.reader.setDaemon(true);
        this.reader.start();
    }

    /** Runs {@code listener} after each reconnect (wake-ups may have been lost meanwhile). */
    void onReconnect(Runnable listener) {
        reconnectListeners.add(listener);
    }

    /** True while the connection is up and subscribed. */
    boolean isConnected() {
        Handler handler = current;
        return handler != null && handler.isSubscribed();
    }

    /**
     * Delivers messages on {@code channel} to {@code handler} until the returned runnable runs.
     * Waits (up to the command timeout) for Redis to confirm a new subscription, so a message
     * published after this returns is delivered; when Redis is down it returns anyway and the
     * subscription is made on reconnect.
     */
    Runnable listen(String channel, BiConsumer<String, String> handler) {
        return add(channels, channel, handler, false);
    }

    /** Like {@link #listen} for a PSUBSCRIBE pattern; the handler gets (channel, message). */
    Runnable listenPattern(String pattern, BiConsumer<String, String> handler) {
        return add(patterns, pattern, handler, true);
    }

    private Runnable add(Map<String, List<BiConsumer<String, String>>> registry, String name,
            BiConsumer<String, String> handler, boolean pattern) {
        boolean[] first = {false};
        registry.compute(name, (k, list) -> {
            List<BiConsumer<String, String>> handlers = list == null ? new CopyOnWriteArrayList<>() : list;
            first[0] = handlers.isEmpty();
            handlers.add(handler);
            return handlers;
        });
        if (first[0]) {
            CountDownLatch confirmed = new CountDownLatch(1);
            pendingConfirms.put(confirmKey(name, pattern), confirmed);
            // when not sent now, the reader sends it after (re)connecting; wait for that too
            send(name, pattern, true);
            if (!closed) {
                awaitQuietly(confirmed);
            }
        }
        return () -> remove(registry, name, handler, pattern);
    }

    private void remove(Map<String, List<BiConsumer<String, String>>> registry, String name,
            BiConsumer<String, String> handler, boolean pattern) {
        boolean[] last = {false};
        registry.computeIfPresent(name, (k, list) -> {
            list.remove(handler);
            last[0] = list.isEmpty();
            return list.isEmpty() ? null : list;
        });
        if (last[0] && !closed) {
            send(name, pattern, false);
        }
    }

    /** Sends (un)subscribe on the live connection; false when there is none. */
    private boolean send(String name, boolean pattern, boolean subscribe) {
        Handler handler = current;
        if (handler == null || !handler.isSubscribed()) {
            return false;
        }
        try {
            synchronized (writeLock) {
                if (pattern) {
                    if (subscribe) {
                        handler.psubscribe(name);
                    } else {
                        handler.punsubscribe(name);
                    }
                } else if (subscribe) {
                    handler.subscribe(name);
                } else {
                    handler.unsubscribe(name);
                }
            }
            return true;
        } catch (RuntimeException e) {
            LOG.debug("subscriber could not send to Redis; it resubscribes on reconnect", e);
            return false;
        }
    }

    private void awaitQuietly(CountDownLatch latch) {
        try {
            if (!latch.await(confirmTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.debug("Redis did not confirm a subscription within {}", confirmTimeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String confirmKey(String name, boolean pattern) {
        return (pattern ? "p:" : "c:") + name;
    }

    private void readLoop() {
        long backoff = 50;
        boolean wasConnected = false;
        while (!closed) {
            Handler handler = new Handler();
            try (Connection conn = new Connection(address, config)) {
                connection = conn;
                current = handler;
                if (closed) {
                    return;
                }
                if (wasConnected) {
                    LOG.info("Redis subscriber reconnected");
                }
                handler.reconnected = wasConnected;
                wasConnected = true;
                backoff = 50;
                // the home channel first; everything else follows once it is confirmed
                handler.proceed(conn, homeChannel);
            } catch (RuntimeException e) {
                if (closed) {
                    return;
                }
                LOG.warn("Redis subscriber connection lost ({}); reconnecting", e.getMessage());
            } finally {
                current = null;
                connection = null;
            }
            sleepQuietly(backoff);
            backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Unsubscribes everything and stops the reader thread. */
    @Override
    public void close() {
        closed = true;
        Handler handler = current;
        try {
            if (handler != null && handler.isSubscribed()) {
                synchronized (writeLock) {
                    handler.unsubscribe();
                    handler.punsubscribe();
                }
            }
        } catch (RuntimeException e) {
            LOG.debug("subscriber close: unsubscribe failed", e);
        }
        Connection conn = connection;
        if (conn != null) {
            try {
                conn.close();
            } catch (RuntimeException e) {
                LOG.debug("subscriber close: connection close failed", e);
            }
        }
        try {
            reader.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private final class Handler extends JedisPubSub {
        private boolean patternsSent;
        private volatile boolean reconnected;

        @Override
        public void onSubscribe(String channel, int subscribedChannels) {
            CountDownLatch latch = pendingConfirms.remove(confirmKey(channel, false));
            if (latch != null) {
                latch.countDown();
            }
            if (!patternsSent && channel.equals(homeChannel)) {
                patternsSent = true;
                for (String wanted : channels.keySet()) {
                    if (!wanted.equals(homeChannel)) {
                        send(wanted, false, true);
                    }
                }
                for (String pattern : patterns.keySet()) {
                    send(pattern, true, true);
                }
                if (reconnected) {
                    reconnectListeners.forEach(RedisSubscriber::runQuietly);
                }
            }
        }

        @Override
        public void onPSubscribe(String pattern, int subscribedChannels) {
            CountDownLatch latch = pendingConfirms.remove(confirmKey(pattern, true));
            if (latch != null) {
                latch.countDown();
            }
        }

        @Override
        public void onMessage(String channel, String message) {
            List<BiConsumer<String, String>> handlers = channels.get(channel);
            if (handlers != null) {
                for (BiConsumer<String, String> h : handlers) {
                    runQuietly(() -> h.accept(channel, message));
                }
            }
        }

        @Override
        public void onPMessage(String pattern, String channel, String message) {
            List<BiConsumer<String, String>> handlers = patterns.get(pattern);
            if (handlers != null) {
                for (BiConsumer<String, String> h : handlers) {
                    runQuietly(() -> h.accept(channel, message));
                }
            }
        }
    }

    private static void runQuietly(Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            LOG.warn("Redis message handler failed", e);
        }
    }
}
