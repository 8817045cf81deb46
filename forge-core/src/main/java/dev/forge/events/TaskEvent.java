package dev.forge.events;

import dev.forge.task.TaskId;
import dev.forge.task.TaskRecord;
import dev.forge.task.TaskStatus;
import java.time.Instant;
import java.util.Objects;

/**
 * Something that happened to a task. Fields that do not apply to the type are null (or 0).
 *
 * @param taskId   the task
 * @param type     what happened
 * @param status   the status after the event (STATUS, DONE), else null
 * @param progress 0-100 (PROGRESS, STATUS, DONE)
 * @param step     the current step (PROGRESS), else null
 * @param line     the log line (LOG), else null
 * @param at       when it happened
 */
public record TaskEvent(TaskId taskId, Type type, TaskStatus status, int progress, String step,
        String line, Instant at) {

    /** Kinds of event. */
    public enum Type {
        /** The status changed. */
        STATUS,
        /** Progress or the current step changed. */
        PROGRESS,
        /** A log line was written. */
        LOG,
        /** The task reached a terminal status; no more events follow. */
        DONE,
        /** Cancellation was requested; whichever node runs the task stops it. */
        CANCEL
    }

    /** Validates the event. */
    public TaskEvent {
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(at, "at");
    }

    /** A STATUS event for the record's status (DONE when terminal). */
    public static TaskEvent statusOf(TaskRecord record, Instant at) {
        Type type = record.isTerminal() ? Type.DONE : Type.STATUS;
        return new TaskEvent(record.id(), type, record.status(), record.progress(),
                record.currentStep(), null, at);
    }

    /** A PROGRESS event. */
    public static TaskEvent progress(TaskId id, int progress, String step, Instant at) {
        return new TaskEvent(id, Type.PROGRESS, null, progress, step, null, at);
    }

    /** A LOG event. */
    public static TaskEvent log(TaskId id, String line, Instant at) {
        return new TaskEvent(id, Type.LOG, null, 0, null, line, at);
    }

    /** A CANCEL request. */
    public static TaskEvent cancel(TaskId id, Instant at) {
        return new TaskEvent(id, Type.CANCEL, null, 0, null, null, at);
    }
}
