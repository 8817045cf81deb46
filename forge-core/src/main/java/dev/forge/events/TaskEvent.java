package dev.forge.events;

import dev.forge.task.TaskId;
import dev.forge.task.TaskRecord;
import dev.forge.task.TaskStatus;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Something that happened to a task. Fields that do not apply to the type are null, empty or 0.
 * Events are versioned so that a client can order them and tell a replay from news: status-like
 * events carry the record's version, log batches the number of their last line.
 *
 * @param taskId   the task
 * @param type     what happened
 * @param version  the record's version after the change (STATUS, PROGRESS, DONE), else 0
 * @param status   the status after the change (STATUS, PROGRESS, DONE), else null
 * @param progress 0-100 (STATUS, PROGRESS, DONE)
 * @param step     the current step (STATUS, PROGRESS), else null
 * @param lines    the log lines of a LOG batch, in order; else empty
 * @param lastLine the number of the batch's last line (LOG; as {@code TaskStore.appendLogs}
 *                 returned it), else 0; the batch's lines are numbered
 *                 {@code lastLine - lines.size() + 1 .. lastLine}
 * @param at       when it happened
 */
public record TaskEvent(TaskId taskId, Type type, long version, TaskStatus status, int progress,
        String step, List<String> lines, long lastLine, Instant at) {

    /** Kinds of event. Cancellation is not one: it travels on {@link EventBus#requestCancel}. */
    public enum Type {
        /** The status changed. */
        STATUS,
        /** Progress or the current step changed. */
        PROGRESS,
        /** Log lines were written (a batch). */
        LOG,
        /** The task reached a terminal status; no more events follow. */
        DONE
    }

    /** Validates the event and copies the lines. */
    public TaskEvent {
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(at, "at");
        lines = List.copyOf(lines == null ? List.of() : lines);
        if (version < 0 || lastLine < 0) {
            throw new IllegalArgumentException("version and lastLine must be >= 0, were " + version
                    + " and " + lastLine);
        }
        if (progress < 0 || progress > 100) {
            throw new IllegalArgumentException("progress must be 0-100, was " + progress);
        }
        if (type == Type.LOG && lastLine < lines.size()) {
            throw new IllegalArgumentException("lastLine " + lastLine + " is below the batch size "
                    + lines.size());
        }
    }

    /** A STATUS event for the record (DONE when it is terminal), carrying its version. */
    public static TaskEvent statusOf(TaskRecord record, Instant at) {
        Type type = record.isTerminal() ? Type.DONE : Type.STATUS;
        return new TaskEvent(record.id(), type, record.version(), record.status(), record.progress(),
                record.currentStep(), List.of(), 0, at);
    }

    /** A PROGRESS event for the record's progress and step, carrying its version. */
    public static TaskEvent progress(TaskRecord record, Instant at) {
        return new TaskEvent(record.id(), Type.PROGRESS, record.version(), record.status(),
                record.progress(), record.currentStep(), List.of(), 0, at);
    }

    /**
     * A LOG event: a batch of lines, the last one numbered {@code lastLine} (what
     * {@code TaskStore.appendLogs} returned).
     */
    public static TaskEvent logs(TaskId id, List<String> lines, long lastLine, Instant at) {
        return new TaskEvent(id, Type.LOG, 0, null, 0, null, lines, lastLine, at);
    }

    /** The number of the batch's first line (LOG), else 0. */
    public long firstLine() {
        return type == Type.LOG ? lastLine - lines.size() + 1 : 0;
    }
}
