package dev.forge.exec;

import dev.forge.ForgeException;
import dev.forge.Outcome;
import dev.forge.RefusedException;
import dev.forge.events.EventBus;
import dev.forge.events.TaskEvent;
import dev.forge.task.TaskId;
import dev.forge.task.TaskRecord;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Futures of tasks' terminal records. Each one subscribes to its task's events before it reads
 * the store, so a task that finishes at any moment - before, during or after the call - is seen:
 * either the read finds it terminal or the DONE event arrives afterwards. Events are best effort
 * (a bus may drop them while its backend reconnects), so a pending future also reads the store
 * again every {@link #RECHECK}.
 *
 * <p>The reads after the start run on two threads of its own: not on the bus's delivery thread,
 * which must not wait on a store, and not on {@code CompletableFuture}'s default executor, which
 * on a machine of two cores or fewer starts a new thread for every task (one per awaited task at
 * its DONE event, and one more per task when its recheck came due two seconds later).
 */
final class Completions implements AutoCloseable {

    /** How often a pending future reads the store again, in case the bus lost the DONE event. */
    static final Duration RECHECK = Duration.ofSeconds(2);

    private final EventBus events;
    private final Set<CompletableFuture<TaskRecord>> pending = ConcurrentHashMap.newKeySet();
    private final ScheduledThreadPoolExecutor reads;
    private volatile boolean closed;

    Completions(EventBus events) {
        this.events = events;
        AtomicInteger count = new AtomicInteger();
        this.reads = new ScheduledThreadPoolExecutor(2, runnable -> {
            Thread thread = new Thread(runnable, "forge-await-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        // A future usually completes long before its recheck is due; drop the recheck then.
        reads.setRemoveOnCancelPolicy(true);
    }

    /**
     * The terminal record {@code lookup} finds once the task {@code id} has one; exceptionally a
     * {@link RefusedException} when the lookup refuses.
     */
    CompletableFuture<TaskRecord> await(TaskId id, Supplier<Outcome<TaskRecord>> lookup) {
        CompletableFuture<TaskRecord> future = new CompletableFuture<>();
        pending.add(future);
        if (closed) {
            future.completeExceptionally(closedBefore(id));
            pending.remove(future);
            return future;
        }
        EventBus.Subscription subscription;
        try {
            subscription = events.subscribe(id, event -> {
                if (event.type() == TaskEvent.Type.DONE && !future.isDone()) {
                    runRead(() -> recheck(future, lookup));
                }
            });
        } catch (RuntimeException e) { // e.g. the bus is closed or its backend unreachable
            pending.remove(future);
            future.completeExceptionally(e);
            return future;
        }
        future.whenComplete((record, failure) -> {
            subscription.close();
            pending.remove(future);
        });
        try {
            check(future, lookup); // only now: the subscription is live, so nothing is missed
        } catch (RuntimeException e) {
            future.completeExceptionally(e);
        }
        if (!future.isDone()) {
            scheduleRecheck(future, lookup);
        }
        return future;
    }

    private static void check(CompletableFuture<TaskRecord> future, Supplier<Outcome<TaskRecord>> lookup) {
        if (future.isDone()) {
            return;
        }
        Outcome<TaskRecord> found = lookup.get();
        if (found instanceof Outcome.Ok<TaskRecord> ok) {
            if (ok.value().isTerminal()) {
                future.complete(ok.value());
            }
        } else {
            future.completeExceptionally(new RefusedException(found));
        }
    }

    /** A later read: a failing store now is not the end, the next recheck tries again. */
    private static void recheck(CompletableFuture<TaskRecord> future, Supplier<Outcome<TaskRecord>> lookup) {
        try {
            check(future, lookup);
        } catch (RuntimeException e) {
            // transient (store unreachable); the scheduled recheck reads again
        }
    }

    private void scheduleRecheck(CompletableFuture<TaskRecord> future, Supplier<Outcome<TaskRecord>> lookup) {
        AtomicReference<ScheduledFuture<?>> next = new AtomicReference<>();
        future.whenComplete((record, failure) -> {
            ScheduledFuture<?> scheduled = next.get();
            if (scheduled != null) {
                scheduled.cancel(false);
            }
        });
        recheckLater(future, lookup, next);
    }

    /** Reads again after {@link #RECHECK}, and again after that while the task is not done. */
    private void recheckLater(CompletableFuture<TaskRecord> future, Supplier<Outcome<TaskRecord>> lookup,
            AtomicReference<ScheduledFuture<?>> next) {
        try {
            next.set(reads.schedule(() -> {
                if (future.isDone() || closed) {
                    return;
                }
                recheck(future, lookup);
                if (!future.isDone()) {
                    recheckLater(future, lookup, next);
                }
            }, RECHECK.toMillis(), TimeUnit.MILLISECONDS));
        } catch (RejectedExecutionException e) {
            // closed: close() fails every pending future
        }
    }

    private void runRead(Runnable read) {
        try {
            reads.execute(read);
        } catch (RejectedExecutionException e) {
            // closed: close() fails every pending future
        }
    }

    /** Fails every pending future: forge is closing and no event will complete them. */
    @Override
    public void close() {
        closed = true;
        for (CompletableFuture<TaskRecord> future : Set.copyOf(pending)) {
            future.completeExceptionally(new ForgeException("forge closed before the task finished"));
        }
        reads.shutdownNow();
    }

    private static ForgeException closedBefore(TaskId id) {
        return new ForgeException("forge is closed; cannot await task " + id.value());
    }
}
