package dev.forge.exec;

import dev.forge.security.LogText;
import dev.forge.task.TaskError;
import dev.forge.task.TaskRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * The operator's view of a task's life: one INFO line when an attempt starts, and one when the
 * task succeeds, fails (with its error code) or is cancelled. Each line carries the task id,
 * the user (owner), the project and the kind as key-value pairs ({@code task_id}, {@code user},
 * {@code project}, {@code kind}, {@code event}, and {@code error_code} / {@code duration_ms} where
 * they apply), which a structured encoder such as logback's {@code JsonEncoder} writes as JSON
 * fields, so the lines can be searched without parsing messages.
 *
 * <p>One logger, {@value #LOGGER}, so that an operator can route or silence these lines alone.
 * Caller-chosen text (user and project) is escaped, as everywhere forge logs it.
 */
final class TaskLog {

    /** The logger's name. */
    static final String LOGGER = "dev.forge.tasks";

    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

    private TaskLog() {
    }

    /** An attempt moved the task to running. */
    static void started(TaskRecord task) {
        if (!LOG.isInfoEnabled()) {
            return; // the line's arguments (escaping, key-values) cost more than the check
        }
        line(task, "started")
                .addKeyValue("attempt", task.attempt())
                .log("task {} started: {} of project {} for {} (attempt {})", task.id(), kind(task),
                        LogText.escape(task.projectName()), LogText.escape(task.owner()), task.attempt());
    }

    /** The task reached a terminal status; logs nothing for a status that is not terminal. */
    static void ended(TaskRecord task) {
        if (!LOG.isInfoEnabled()) {
            return;
        }
        switch (task.status()) {
            case COMPLETED -> withDuration(line(task, "succeeded"), task)
                    .log("task {} succeeded: {} of project {}", task.id(), kind(task),
                            LogText.escape(task.projectName()));
            case FAILED -> {
                TaskError error = task.error();
                String code = error == null ? TaskError.TASK : error.code();
                withDuration(line(task, "failed"), task)
                        .addKeyValue("error_code", code)
                        .log("task {} failed: {} of project {}, error {}", task.id(), kind(task),
                                LogText.escape(task.projectName()), code);
            }
            case CANCELLED -> cancelled(task);
            default -> {
                // not an end
            }
        }
    }

    /** The task was cancelled, while it ran or before it started. */
    static void cancelled(TaskRecord task) {
        if (!LOG.isInfoEnabled()) {
            return;
        }
        withDuration(line(task, "cancelled"), task)
                .log("task {} cancelled: {} of project {}", task.id(), kind(task),
                        LogText.escape(task.projectName()));
    }

    private static LoggingEventBuilder line(TaskRecord task, String event) {
        return LOG.atInfo()
                .addKeyValue("event", "task_" + event)
                .addKeyValue("task_id", task.id().value())
                .addKeyValue("user", LogText.escape(task.owner()))
                .addKeyValue("project", LogText.escape(task.projectName()))
                .addKeyValue("kind", kind(task));
    }

    private static LoggingEventBuilder withDuration(LoggingEventBuilder builder, TaskRecord task) {
        Instant started = task.startedAt();
        Instant ended = task.completedAt();
        if (started != null && ended != null && !ended.isBefore(started)) {
            builder.addKeyValue("duration_ms", Duration.between(started, ended).toMillis());
        }
        return builder;
    }

    private static String kind(TaskRecord task) {
        return task.kind().name().toLowerCase(Locale.ROOT);
    }
}
