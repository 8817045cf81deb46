package dev.forge.exec;

import dev.forge.Internal;
import dev.forge.events.EventBus;
import dev.forge.events.TaskEvent;
import dev.forge.metrics.ForgeMetrics;
import dev.forge.queue.JobQueue;
import dev.forge.queue.Lease;
import dev.forge.store.LeasedTask;
import dev.forge.store.TaskStore;
import dev.forge.task.TaskChanges;
import dev.forge.task.TaskRecord;
import dev.forge.task.TaskStatus;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Applies a task change by compare-and-set and, when it wins, tells everyone: a status or done
 * event on the bus and the status counters. Every status change in forge goes through here, so
 * events and metrics never disagree with the store.
 */
@Internal
public final class TaskUpdater {

    private final TaskStore store;
    private final EventBus events;
    private final ForgeMetrics metrics;
    private final Clock clock;

    /** Creates an updater over these ports. */
    public TaskUpdater(TaskStore store, EventBus events, ForgeMetrics metrics, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.events = Objects.requireNonNull(events, "events");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Checks the change with {@link TaskChanges#requireValid}, stores {@code next} if
     * {@code expected} is still current, and on success publishes the change.
     *
     * @return true when {@code next} was stored; false when the stored record moved on
     * @throws dev.forge.task.IllegalTransitionException if the change breaks the state machine
     * @throws IllegalArgumentException if it breaks another rule of {@link TaskChanges}
     */
    public boolean apply(TaskRecord expected, TaskRecord next) {
        TaskChanges.requireValid(expected, next);
        return announced(expected, next, store.compareAndSet(expected, next));
    }

    /**
     * As {@link #apply}, and acks the job {@code lease} holds when {@code next} is stored - in one
     * step when the store shares a backend with {@code queue}
     * ({@link TaskStore#compareAndSetAndAck}). How a worker stores its attempt's final record.
     */
    public boolean applyAndAck(TaskRecord expected, TaskRecord next, JobQueue queue, Lease lease) {
        TaskChanges.requireValid(expected, next);
        return announced(expected, next, store.compareAndSetAndAck(expected, next, queue, lease));
    }

    /**
     * Leases up to {@code max} jobs and, when the store can do it in the same step, moves their
     * tasks to running ({@link TaskStore#leaseAndStart}) at this updater's clock. Nothing is
     * announced here: the worker that runs a started task calls {@link #announceStart} (on its
     * own thread, so a batch of leases is not announced one by one on the leasing thread).
     */
    public List<LeasedTask> leaseAndStart(JobQueue queue, List<String> queues, int max, Duration visibility,
            Duration wait) throws InterruptedException {
        return store.leaseAndStart(queue, queues, max, visibility, wait, clock);
    }

    /**
     * Announces a move to running that a lease stored ({@link LeasedTask#started()}), as
     * {@link #apply} announces the changes it stores. First checks that it is a started record,
     * so a store that returned something else is caught before a runner starts.
     *
     * @throws IllegalArgumentException if {@code started} is not a started task
     */
    public void announceStart(TaskRecord started) {
        if (started.status() != TaskStatus.RUNNING || started.attempt() < 1 || started.startedAt() == null) {
            throw new IllegalArgumentException("task " + started.id() + " was not started: " + started.status()
                    + ", attempt " + started.attempt());
        }
        metrics.taskStatus(started.kind(), TaskStatus.RUNNING);
        events.publish(TaskEvent.statusOf(started, clock.instant()));
    }

    /** Publishes a stored change; returns {@code stored}. */
    private boolean announced(TaskRecord expected, TaskRecord next, boolean stored) {
        if (!stored) {
            return false;
        }
        if (next.status() != expected.status()) {
            metrics.taskStatus(next.kind(), next.status());
            if (next.isTerminal()) {
                metrics.taskDuration(next.kind(), Duration.between(next.createdAt(), next.updatedAt()));
            }
            events.publish(TaskEvent.statusOf(next, clock.instant()));
        } else {
            events.publish(TaskEvent.progress(next, clock.instant()));
        }
        return true;
    }

    /**
     * Stores new tasks and enqueues their jobs ({@link TaskStore#createAllAndEnqueue}), then
     * announces each.
     */
    public void createdAllAndQueued(List<TaskRecord> records, JobQueue queue, String queueName) {
        store.createAllAndEnqueue(records, queue, queueName);
        records.forEach(this::announce);
    }

    private void announce(TaskRecord record) {
        metrics.taskStatus(record.kind(), record.status());
        events.publish(TaskEvent.statusOf(record, clock.instant()));
    }
}
