package dev.forge.task;

import java.util.Objects;

/**
 * Why a task did not complete. {@code code} is a stable machine-readable word (see the
 * constants); {@code message} is a short human sentence that is safe to show to the task's owner.
 */
public record TaskError(String code, String message) {

    /** A build step exited non-zero. */
    public static final String STEP_FAILED = "step_failed";
    /** The hard timeout struck. */
    public static final String TIMEOUT = "timeout";
    /** Infrastructure failed and the retries ran out. */
    public static final String INFRASTRUCTURE = "infrastructure";
    /** The task was cancelled. */
    public static final String CANCELLED = "cancelled";
    /** The project is unknown or its configuration is invalid. */
    public static final String PROJECT = "project";
    /** The build's sandbox policy cannot be met on this machine (and enforcement is strict). */
    public static final String SANDBOX = "sandbox";
    /** The task itself could not produce a result (e.g. an analyzer failed on the input). */
    public static final String TASK = "task";

    /** Validates both parts. */
    public TaskError {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
    }
}
