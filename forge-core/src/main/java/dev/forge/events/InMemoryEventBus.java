package dev.forge.events;

import dev.forge.task.TaskId;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link EventBus} within this JVM. Each subscription owns a bounded queue drained by the
 * injected executor, one drain at a time, so a subscriber sees events in publish order while
 * {@link #publish} only enqueues: a slow or throwing listener delays no publisher, and a drain
 * yields its thread after {@value #DRAIN_BATCH} events so subscribers take turns. When a
 * subscriber falls more than its capacity behind, its oldest undelivered events are dropped
 * (best-effort delivery, as the port says) and a warning is logged once.
 *
 * <p>The default executor is a shared pool of {@link #DELIVERY_THREADS} daemon threads, fixed so
 * that many subscribers cannot grow the thread count. A listener that blocks holds one of them
 * until it returns, so listeners should hand slow work elsewhere (the HTTP streams only queue
 * bytes for a non-blocking writer). Pass {@code Runnable::run} for synchronous delivery in
 * tests; then a listener runs on the publisher's thread and can block it.
 */
public final class InMemoryEventBus implements EventBus {

    /** Default undelivered events kept per subscription. */
    public static final int DEFAULT_CAPACITY = 10_000;
    /**
     * Threads of the default delivery pool shared by every bus made without an executor: twice
     * the processors, at least 4 and at most 16. Delivery never takes more, however many
     * subscribers there are.
     */
    public static final int DELIVERY_THREADS =
            Math.max(4, Math.min(16, 2 * Runtime.getRuntime().availableProcessors()));
    /** Events one drain delivers before yielding its thread to other subscriptions. */
    static final int DRAIN_BATCH = 256;

    private static final Logger LOG = LoggerFactory.getLogger(InMemoryEventBus.class);

    private final Executor executor;
    private final int capacity;
    // The subscriber lists are shared by every instance made with sharing(): one backend.
    private final List<Sub<TaskEvent>> global;
    private final ConcurrentMap<TaskId, List<Sub<TaskEvent>>> byTask;
    private final List<Sub<TaskId>> cancels;
    /** This instance's own subscriptions, which its close() ends. */
    private final Set<Sub<?>> own = ConcurrentHashMap.newKeySet();
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
        this.global = new CopyOnWriteArrayList<>();
        this.byTask = new ConcurrentHashMap<>();
        this.cancels = new CopyOnWriteArrayList<>();
    }

    private InMemoryEventBus(InMemoryEventBus other) {
        this.executor = other.executor;
        this.capacity = other.capacity;
        this.global = other.global;
        this.byTask = other.byTask;
        this.cancels = other.cancels;
    }

    /**
     * Another bus over the same subscribers as {@code other}, with its executor and capacity: a
     * second node on one backend. An event or cancel request published on either reaches the
     * subscribers of both; closing one ends only its own subscriptions.
     */
    public static InMemoryEventBus sharing(InMemoryEventBus other) {
        return new InMemoryEventBus(Objects.requireNonNull(other, "other"));
    }

    /** Enqueues the event for every matching subscriber; after {@link #close()}, drops it. */
    @Override
    public void publish(TaskEvent event) {
        Objects.requireNonNull(event, "event");
        if (closed) {
            return;
        }
        for (Sub<TaskEvent> sub : global) {
            sub.offer(event);
        }
        List<Sub<TaskEvent>> forTask = byTask.get(event.taskId());
        if (forTask != null) {
            for (Sub<TaskEvent> sub : forTask) {
                sub.offer(event);
            }
        }
    }

    /** Tells every {@link #onCancel} listener; after {@link #close()}, drops the request. */
    @Override
    public void requestCancel(TaskId taskId) {
        Objects.requireNonNull(taskId, "taskId");
        if (closed) {
            return;
        }
        for (Sub<TaskId> sub : cancels) {
            sub.offer(taskId);
        }
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException if the bus is closed
     */
    @Override
    public Subscription onCancel(Consumer<TaskId> listener) {
        Objects.requireNonNull(listener, "listener");
        requireOpen();
        Sub<TaskId> sub = new Sub<>(listener, "for cancel requests", cancels::remove);
        own.add(sub);
        cancels.add(sub);
        return sub;
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
        Sub<TaskEvent> sub = new Sub<>(listener, "for all tasks", global::remove);
        own.add(sub);
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
        Sub<TaskEvent> sub = new Sub<>(listener, "for task " + taskId, self -> unlink(taskId, self));
        own.add(sub);
        byTask.compute(taskId, (id, subs) -> {
            List<Sub<TaskEvent>> list = subs == null ? new CopyOnWriteArrayList<>() : subs;
            list.add(sub);
            return list;
        });
        return sub;
    }

    /**
     * Closes this bus's subscriptions; later publishes on it are dropped and subscribing fails.
     * Instances sharing its subscribers keep theirs.
     */
    @Override
    public void close() {
        closed = true;
        for (Sub<?> sub : List.copyOf(own)) {
            sub.close();
        }
    }

    /** Live subscriptions: global, per task and to cancel requests. */
    int subscriberCount() {
        return global.size() + byTask.values().stream().mapToInt(List::size).sum() + cancels.size();
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("event bus is closed");
        }
    }

    private void unlink(TaskId taskId, Sub<TaskEvent> sub) {
        // Drop the task's list with its last subscriber, so finished tasks do not leak.
        byTask.computeIfPresent(taskId, (id, subs) -> {
            subs.remove(sub);
            return subs.isEmpty() ? null : subs;
        });
    }

    /** One subscription: its own queue, drained by at most one task at a time. */
    private final class Sub<T> implements Subscription, Runnable {
        private final Consumer<T> listener;
        private final String what;
        private final Consumer<Sub<T>> unlink;
        private final ArrayDeque<T> pending = new ArrayDeque<>();
        /** True while a drain is submitted or running; guarded by {@code pending}. */
        private boolean draining;
        private volatile boolean subClosed;
        private boolean warnedOverflow;
        private boolean warnedFailure;

        Sub(Consumer<T> listener, String what, Consumer<Sub<T>> unlink) {
            this.listener = listener;
            this.what = what;
            this.unlink = unlink;
        }

        void offer(T event) {
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
                T event;
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

        private void deliver(T event) {
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
            return what + " (" + listener + ")";
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
            unlink.accept(this);
            own.remove(this);
        }
    }

    /**
     * The default delivery threads: a fixed number ({@link #DELIVERY_THREADS}), daemon, named
     * {@code forge-events-N}, started on demand and stopped after a minute idle. Fixed, not one
     * per subscriber: a subscription queues at most one drain task at a time, so many streams
     * share these threads, and a listener must not block (the HTTP streams only queue bytes for
     * a non-blocking writer). A blocked listener holds one thread until it returns; the others
     * keep delivering.
     */
    private static final class SharedPool {
        static final ExecutorService INSTANCE = create();

        private static ExecutorService create() {
            AtomicInteger count = new AtomicInteger();
            ThreadFactory factory = task -> {
                Thread thread = new Thread(task, "forge-events-" + count.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            };
            ThreadPoolExecutor pool = new ThreadPoolExecutor(DELIVERY_THREADS, DELIVERY_THREADS,
                    1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(), factory);
            pool.allowCoreThreadTimeOut(true);
            return pool;
        }
    }
}
