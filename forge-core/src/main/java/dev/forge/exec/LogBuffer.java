package dev.forge.exec;

import dev.forge.events.EventBus;
import dev.forge.events.TaskEvent;
import dev.forge.store.TaskStore;
import dev.forge.task.TaskId;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A running attempt's log lines on their way to the store: lines collect here and go out as one
 * {@link TaskStore#appendLogs} call and one LOG event per batch, when the batch is full, when the
 * attempt's flush timer ticks, and once more before the attempt's terminal status is stored. A
 * build printing 50,000 lines costs about a hundred store calls instead of 50,000.
 *
 * <p>Batches leave in the order their lines arrived: a flush takes the pending lines and stores
 * them under one lock, so two flushes can never overtake each other. A producer that fills a
 * batch stores it on its own thread, which slows a runaway producer down to the store's pace
 * instead of buffering without bound.
 */
final class LogBuffer {

    private final TaskId taskId;
    private final TaskStore store;
    private final EventBus events;
    private final Clock clock;
    private final int batchLines;

    private final Object pendingLock = new Object();
    private List<String> pending = new ArrayList<>();
    private final ReentrantLock flushLock = new ReentrantLock();

    LogBuffer(TaskId taskId, TaskStore store, EventBus events, Clock clock, int batchLines) {
        this.taskId = taskId;
        this.store = store;
        this.events = events;
        this.clock = clock;
        this.batchLines = batchLines;
    }

    /** Buffers a line; stores the batch on this thread when it is full. */
    void add(String line) {
        boolean full;
        synchronized (pendingLock) {
            pending.add(line);
            full = pending.size() >= batchLines;
        }
        if (full) {
            flush();
        }
    }

    /** True when lines wait to be stored. */
    boolean hasPending() {
        synchronized (pendingLock) {
            return !pending.isEmpty();
        }
    }

    /**
     * Stores what is pending, after any flush already under way; returns when the lines given
     * before this call are stored.
     */
    void flush() {
        flushLock.lock();
        try {
            drain();
        } finally {
            flushLock.unlock();
        }
    }

    /** The timer's flush: skipped when another flush is under way, which takes these lines too. */
    void flushUnlessBusy() {
        if (flushLock.tryLock()) {
            try {
                drain();
            } finally {
                flushLock.unlock();
            }
        }
    }

    private void drain() {
        List<String> batch;
        synchronized (pendingLock) {
            if (pending.isEmpty()) {
                return;
            }
            batch = pending;
            pending = new ArrayList<>(Math.min(batchLines, 64));
        }
        List<String> lines = List.copyOf(batch);
        long lastLine = store.appendLogs(taskId, lines);
        // A store ignores lines of a task it no longer has (deleted meanwhile): nothing to announce.
        if (lastLine >= lines.size()) {
            events.publish(TaskEvent.logs(taskId, lines, lastLine, clock.instant()));
        }
    }
}
