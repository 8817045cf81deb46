package dev.forge.exec;

import dev.forge.queue.JobQueue;
import dev.forge.queue.Lease;
import dev.forge.store.TaskStore;
import dev.forge.task.TaskKind;
import dev.forge.task.TaskRecord;
import dev.forge.task.TaskStatus;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;

/**
 * One running attempt, as its runner sees it ({@link TaskContext}) and as the executor tracks
 * it: its lease, its stop signal, its log buffer and the latest record it wrote.
 */
final class Attempt implements TaskContext {

    final Lease lease;
    final TaskKind kind;
    /** Made before the attempt, so a cancel can reach it while the task is being started. */
    final CancellationSource source;
    /** Set once by whoever ends the attempt: its runner returning, or the hard-timeout abandon. */
    final AtomicBoolean concluded = new AtomicBoolean();
    final LogBuffer logs;
    /** Guards against piling up timer work for one attempt while the previous run is still busy. */
    final AtomicBoolean statusCheckBusy = new AtomicBoolean();
    final AtomicBoolean flushBusy = new AtomicBoolean();
    volatile Thread thread;

    private final TaskUpdater updater;
    private final TaskStore store;
    private final Clock clock;
    private TaskRecord current;
    private int lastPercent = -1;
    private String lastStep;

    Attempt(Lease lease, TaskKind kind, CancellationSource source, TaskRecord started, LogBuffer logs,
            TaskUpdater updater, TaskStore store, Clock clock) {
        this.lease = lease;
        this.source = source;
        this.kind = kind;
        this.current = started;
        this.logs = logs;
        this.updater = updater;
        this.store = store;
        this.clock = clock;
    }

    @Override
    public synchronized TaskRecord task() {
        return current;
    }

    @Override
    public CancellationToken cancellation() {
        return source;
    }

    @Override
    public void progress(int percent, String step) {
        int clamped = Math.max(0, Math.min(100, percent));
        synchronized (this) {
            if (clamped == lastPercent && Objects.equals(step, lastStep)) {
                return;
            }
            lastPercent = clamped;
            lastStep = step;
        }
        update(record -> record.withProgress(clamped, step, clock.instant()));
    }

    /** Buffers the line; it is stored and published with its batch (see {@link LogBuffer}). */
    @Override
    public void log(String line) {
        logs.add(line);
    }

    /** True when this worker no longer owns the attempt. */
    boolean leaseLost() {
        return source.wasRequested(CancellationToken.Reason.LEASE_LOST);
    }

    /**
     * Reacts to the task's stored record as read by a status check: a cancelled task stops the
     * attempt for {@code USER}; a record that moved on to another attempt, or vanished, means
     * this worker lost it.
     */
    void observe(TaskRecord stored) {
        if (stored != null && stored.status() == TaskStatus.CANCELLED) {
            source.cancel(CancellationToken.Reason.USER);
        } else if (stored == null || stored.attempt() != task().attempt()
                || stored.status() != TaskStatus.RUNNING) {
            source.cancel(CancellationToken.Reason.LEASE_LOST);
        }
    }

    /**
     * Applies a change to this attempt's record by compare-and-set. When the stored record
     * moved on - cancelled by a user, or taken over by another worker - the attempt is told to
     * stop and false is returned.
     */
    boolean update(UnaryOperator<TaskRecord> change) {
        return update(change, null);
    }

    /**
     * As {@link #update}, for the attempt's final record: when the change is stored, the job is
     * acked with it ({@link TaskUpdater#applyAndAck}); when it is not, nothing is acked.
     */
    boolean updateAndAck(UnaryOperator<TaskRecord> change, JobQueue queue) {
        return update(change, queue);
    }

    private synchronized boolean update(UnaryOperator<TaskRecord> change, JobQueue ackOn) {
        for (int tries = 0; tries < 3; tries++) {
            TaskRecord next = change.apply(current);
            if (ackOn == null ? updater.apply(current, next) : updater.applyAndAck(current, next, ackOn, lease)) {
                current = next;
                return true;
            }
            TaskRecord stored = store.find(current.id()).orElse(null);
            if (stored == null || stored.status() != TaskStatus.RUNNING
                    || stored.attempt() != current.attempt()) {
                observe(stored);
                return false;
            }
            current = stored;
        }
        return false;
    }
}
