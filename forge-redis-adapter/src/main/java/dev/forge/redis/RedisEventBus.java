package dev.forge.redis;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.forge.events.EventBus;
import dev.forge.events.InMemoryEventBus;
import dev.forge.events.TaskEvent;
import dev.forge.task.TaskId;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link EventBus} across nodes on Redis pub/sub: task events go to one channel per task
 * ({@code <prefix>ev:<task id>}), subscribed on this node only while a local listener wants that
 * task; listeners for every task use one pattern subscription, made only while such a listener
 * exists. Cancel requests use a separate control channel, so workers never receive log
 * traffic. All of it shares the backend's one subscriber connection.
 *
 * <p>Messages are handed to local in-memory buses, which give each listener its own ordered
 * queue: per task, a listener sees events in publish order (Redis keeps one publisher's order,
 * and forge publishes a task's events from one place at a time), and a slow listener blocks
 * nobody. Delivery is best effort: a message published while this node's subscriber connection
 * is down is lost - SSE clients resume from the store by their {@code Last-Event-ID}, and the
 * executor's heartbeat checks the stored status as the cancel backstop.
 *
 * <p>Made by {@link RedisBackend#eventBus()}.
 */
public final class RedisEventBus implements EventBus {

    private static final Logger LOG = LoggerFactory.getLogger(RedisEventBus.class);

    private final RedisCommands redis;
    private final Keys keys;
    private final RedisSubscriber subscriber;
    private final EventCodec codec;
    /** Fans out per-task channel messages to per-task listeners only. */
    private final InMemoryEventBus taskLocal = new InMemoryEventBus();
    /** Fans out pattern messages to every-task listeners only. */
    private final InMemoryEventBus allLocal = new InMemoryEventBus();
    private final List<Consumer<TaskId>> cancelListeners = new CopyOnWriteArrayList<>();
    private final ExecutorService cancelDelivery;
    private final EventPublisher publisher;
    private final java.util.Map<String, Users> channelUsers = new java.util.HashMap<>();
    private volatile Runnable stopCancelListening;
    private volatile boolean closed;

    RedisEventBus(RedisCommands redis, RedisSubscriber subscriber, EventCodec codec) {
        this.redis = redis;
        this.keys = redis.keys();
        this.subscriber = subscriber;
        this.codec = codec;
        this.publisher = new EventPublisher(redis);
        this.cancelDelivery = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "forge-redis-cancel");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * {@inheritDoc} Never waits for Redis: the event is queued and published, in order, by this
     * bus's publisher thread; publishing after {@link #close()} is dropped.
     */
    @Override
    public void publish(TaskEvent event) {
        Objects.requireNonNull(event, "event");
        if (closed) {
            return;
        }
        publisher.publish(keys.taskChannel(event.taskId()), codec.write(event));
    }

    @Override
    public Subscription subscribe(TaskId taskId, Consumer<TaskEvent> listener) {
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(listener, "listener");
        requireOpen();
        Subscription local = taskLocal.subscribe(taskId, listener);
        String channel = keys.taskChannel(taskId);
        retain(channel, () -> subscriber.listen(channel, (ch, message) -> deliver(taskLocal, message)));
        return once(() -> {
            local.close();
            releaseChannel(channel);
        });
    }

    @Override
    public Subscription subscribe(Consumer<TaskEvent> listener) {
        Objects.requireNonNull(listener, "listener");
        requireOpen();
        Subscription local = allLocal.subscribe(listener);
        String pattern = keys.allTasksPattern();
        retain(pattern, () -> subscriber.listenPattern(pattern, (ch, message) -> deliver(allLocal, message)));
        return once(() -> {
            local.close();
            releaseChannel(pattern);
        });
    }

    @Override
    public void requestCancel(TaskId taskId) {
        Objects.requireNonNull(taskId, "taskId");
        String channel = keys.cancelChannel();
        redis.run("cancel", c -> c.publish(channel, taskId.value()));
    }

    @Override
    public Subscription onCancel(Consumer<TaskId> listener) {
        Objects.requireNonNull(listener, "listener");
        requireOpen();
        synchronized (cancelListeners) {
            if (stopCancelListening == null) {
                stopCancelListening = subscriber.listen(keys.cancelChannel(), (channel, message) -> cancelled(message));
            }
            cancelListeners.add(listener);
        }
        return once(() -> cancelListeners.remove(listener));
    }

    /**
     * One Redis subscription per channel (or pattern) however many local listeners share it:
     * each message is handed to the local bus once, which fans it out. Serialised by one lock,
     * held while Redis confirms a new subscription (one round trip; subscribing is rare).
     */
    private void retain(String name, java.util.function.Supplier<Runnable> listen) {
        synchronized (channelUsers) {
            Users users = channelUsers.get(name);
            if (users == null) {
                users = new Users(listen.get());
                channelUsers.put(name, users);
            }
            users.count++;
        }
    }

    private void releaseChannel(String name) {
        synchronized (channelUsers) {
            Users users = channelUsers.get(name);
            if (users != null && --users.count == 0) {
                channelUsers.remove(name);
                users.stop.run();
            }
        }
    }

    private static final class Users {
        final Runnable stop;
        int count;

        Users(Runnable stop) {
            this.stop = stop;
        }
    }

    private void cancelled(String message) {
        TaskId id = TaskId.parseOrNull(message);
        if (id == null) {
            return;
        }
        for (Consumer<TaskId> listener : cancelListeners) {
            cancelDelivery.execute(() -> {
                try {
                    listener.accept(id);
                } catch (RuntimeException e) {
                    LOG.warn("cancel listener failed for task {}", id, e);
                }
            });
        }
    }

    private void deliver(InMemoryEventBus local, String message) {
        try {
            local.publish(codec.read(message));
        } catch (JsonProcessingException | RuntimeException e) {
            LOG.warn("dropped an event message that could not be read: {}", e.getMessage());
        }
    }

    /** Stops delivery to every listener of this bus; later publishes are dropped. */
    @Override
    public void close() {
        closed = true;
        publisher.close();
        Runnable stop = stopCancelListening;
        if (stop != null) {
            stop.run();
        }
        cancelListeners.clear();
        cancelDelivery.shutdownNow();
        taskLocal.close();
        allLocal.close();
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("event bus is closed");
        }
    }

    private static Subscription once(Runnable close) {
        return new Subscription() {
            private final java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();

            @Override
            public void close() {
                if (done.compareAndSet(false, true)) {
                    close.run();
                }
            }
        };
    }
}
