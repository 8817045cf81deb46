package dev.forge.store;

import dev.forge.task.Page;
import dev.forge.task.TaskId;
import dev.forge.task.TaskKind;
import dev.forge.task.TaskRecord;
import java.time.Instant;
import java.util.Optional;

/**
 * Port: where task records and their logs live. Every change after creation is a compare-and-set
 * on the stored (status, version), so a stale writer - a worker whose lease was lost - can never
 * overwrite a newer attempt's result. Implementations are thread-safe; {@code InMemoryTaskStore}
 * and the Redis store pass the same {@code TaskStoreContract}.
 */
public interface TaskStore extends AutoCloseable {

    /**
     * Stores a new record.
     *
     * @throws IllegalArgumentException if a task with the same id exists
     */
    void create(TaskRecord record);

    /** The record with this id, or empty. */
    Optional<TaskRecord> find(TaskId id);

    /**
     * The owner's tasks of one kind, newest first (by creation time, then id), {@code limit}
     * at most from {@code offset}, with the total count.
     */
    Page<TaskRecord> listByOwner(String owner, TaskKind kind, int limit, int offset);

    /**
     * Replaces {@code expected} by {@code next} if the stored record still has
     * {@code expected}'s status and version. {@code next} must have the same id and version + 1,
     * and its status must be the same or allowed by {@code TaskTransitions}.
     *
     * @return true if replaced; false if the stored record changed meanwhile or is gone
     * @throws dev.forge.task.IllegalTransitionException if the status change is not allowed
     */
    boolean compareAndSet(TaskRecord expected, TaskRecord next);

    /** Appends one line to the task's log; the stored log is bounded (head and tail kept). */
    void appendLog(TaskId id, String line);

    /** The task's stored log, with a marker where lines were cut; empty if none. */
    String readLog(TaskId id);

    /** Deletes terminal tasks (and their logs) completed before {@code cutoff}; returns how many. */
    int deleteTerminalBefore(Instant cutoff);

    /** Releases resources; the default does nothing. */
    @Override
    default void close() {
    }
}
