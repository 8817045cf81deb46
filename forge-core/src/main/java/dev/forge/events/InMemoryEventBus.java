package dev.forge.events;

import dev.forge.task.TaskId;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link EventBus} within this JVM. Each subscription owns a bounded queue drained by the
 * injected executor, one drain at a time, so a subscriber sees events in publish order while
 * {@link #publish} only enqueues: a slow, blocked or throwing listener delays nobody else.
 * When a subscriber falls more than its capacity behind, its oldest undelivered events are
 * dropped (best-effort delivery, as the port says) and a warning is logged once.
 *
 * <p>The default executor is a shared pool of daemon threads. Pass {@code Runnable::run} for
 * synchronous delivery in tests; then a listener runs on the publisher's thread and can block it.
 */
public final class InMemoryEventBus implements EventBus {

    /** Default undelivered events kept per subscription. */
    public static final int DEFAULT_CAPACITY = 10_000;
    /** Events one drain delivers before yielding its thread to other subscriptions. */
    static final int DRAIN_BATCH = 256;

    private static final Logger LOG = LoggerFactory.getLogger(InMemoryEventBus.class);

    private final Executor executor;
    private final int capacity;
    private final List<Sub> global = new CopyOnWriteArrayList<>();
    private final ConcurrentMap<TaskId, List<Sub>> byTask = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** A bus delivering on the shared daemon pool, {@value #DEFAULT_CAPACITY} events per subscriber. */
    public InMemoryEventBus() {
        this(SharedPool.INSTANCE);
    }

    /** A bus delivering on {@code executor}, {@value #DEFAULT_CAPACITY} events per subscriber. */
    public InMemoryEventBus(Executor executor) {
        this(executor, DEFAULT_CAPACITY);
    }

    /**
     * A bus delivering on {@code executor}, keeping at most {@code capacity} undelivered events
     * per subscriber.
     *
     * @throws IllegalArgumentException if {@code capacity} is below 1
     */
    public InMemoryEventBus(Executor executor, int capacity) {
        this.executor = Objects.requireNonNull(executor, "executor");
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, was " + capacity);
        }
        this.capacity = capacity;
    }

    /** Enqueues the event for every matching subscriber; after {@link #close()}, drops it. */
    @Override
    public void publish(TaskEvent event) {
        Objects.requireNonNull(event, "event");
        if (closed) {
            return;
        }
        for (Sub sub : global) {
            sub.offer(event);
        }
        List<Sub> forTask = byTask.get(event.taskId());
        if (forTask != null) {
            for (Sub sub : forTask) {
                sub.offer(event);
            }
        }
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException if the bus is closed
     */
    @Override
    public Subscription subscribe(Consumer<TaskEvent> listener) {
        Objects.requireNonNull(listener, "listener");
        requireOpen();
        Sub sub = new Sub(listener, null);
        global.add(sub);
        return sub;
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException if the bus is closed
     */
    @Override
    public Subscription subscribe(TaskId taskId, Consumer<TaskEvent> listener) {
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(listener, "listener");
        requireOpen();
        Sub sub = new Sub(listener, taskId);
        byTask.compute(taskId, (id, subs) -> {
            List<Sub> list = subs == null ? new CopyOnWriteArrayList<>() : subs;
            list.add(sub);
            return list;
        });
        return sub;
    }

    /** Closes every subscription; later publishes are dropped and subscribing fails. */
    @Override
    public void close() {
        closed = true;
        for (Sub sub : global) {
            sub.close();
        }
        for (List<Sub> subs : byTask.values()) {
            for (Sub sub : subs) {
                sub.close();
            }
        }
    }

    /** Live subscriptions, global and per task. */
    int subscriberCount() {
        return global.size() + byTask.values().stream().mapToInt(List::size).sum();
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("event bus is closed");
        }
    }

    private void unlink(Sub sub) {
        if (sub.taskId == null) {
            global.remove(sub);
        } else {
            // Drop the task's list with its last subscriber, so finished tasks do not leak.
            byTask.computeIfPresent(sub.taskId, (id, subs) -> {
                subs.remove(sub);
                return subs.isEmpty() ? null : subs;
            });
        }
    }

    /** One subscription: its own queue, drained by at most one task at a time. */
    private final class Sub implements Subscription, Runnable {
        private final Consumer<TaskEvent> listener;
        private final TaskId taskId;
        private final ArrayDeque<TaskEvent> pending = new ArrayDeque<>();
        /** True while a drain is submitted or running; guarded by {@code pending}. */
        private boolean draining;
        private volatile boolean subClosed;
        private boolean warnedOverflow;
        private boolean warnedFailure;

        Sub(Consumer<TaskEvent> listener, TaskId taskId) {
            this.listener = listener;
            this.taskId = taskId;
        }

        void offer(TaskEvent event) {
            if (subClosed) {
                return;
            }
            synchronized (pending) {
                if (pending.size() >= capacity) {
                    pending.pollFirst();
                    if (!warnedOverflow) {
                        warnedOverflow = true;
                        LOG.warn("event subscriber {} fell {} events behind; dropping its oldest events",
                                describe(), capacity);
                    }
                }
                pending.addLast(event);
                if (draining) {
                    return;
                }
                draining = true;
            }
            schedule();
        }

        private void schedule() {
            try {
                executor.execute(this);
            } catch (RejectedExecutionException e) {
                synchronized (pending) {
                    draining = false;
                }
                LOG.warn("event delivery to subscriber {} rejected by its executor", describe(), e);
            }
        }

        /** Delivers up to a batch, then resubmits itself if more are pending. */
        @Override
        public void run() {
            for (int delivered = 0; delivered < DRAIN_BATCH; delivered++) {
                TaskEvent event;
                synchronized (pending) {
                    event = subClosed ? null : pending.pollFirst();
                    if (event == null) {
                        draining = false;
                        return;
                    }
                }
                deliver(event);
            }
            schedule(); // still draining: more events wait, let other subscribers run first
        }

        private void deliver(TaskEvent event) {
            try {
                listener.accept(event);
            } catch (RuntimeException e) {
                if (!warnedFailure) {
                    warnedFailure = true;
                    LOG.warn("event listener {} failed; later failures are logged at debug",
                            describe(), e);
                } else {
                    LOG.debug("event listener {} failed", describe(), e);
                }
            }
        }

        private String describe() {
            return (taskId == null ? "for all tasks" : "for task " + taskId) + " (" + listener + ")";
        }

        @Override
        public void close() {
            if (subClosed) {
                return;
            }
            subClosed = true;
            synchronized (pending) {
                pending.clear();
            }
            unlink(this);
        }
    }

    /** The default delivery threads: daemon, named, created on demand, reused. */
    private static final class SharedPool {
        static final ExecutorService INSTANCE = Executors.newCachedThreadPool(new ThreadFactory() {
            private final AtomicInteger count = new AtomicInteger();

            @Override
            public Thread newThread(Runnable task) {
                Thread thread = new Thread(task, "forge-events-" + count.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            }
        });
    }
}
