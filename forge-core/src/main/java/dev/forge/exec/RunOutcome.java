package dev.forge.exec;

import dev.forge.task.TaskError;
import java.util.Map;
import java.util.Objects;

/**
 * How an attempt ended, as a result: success with results, or a failure that is the task's own
 * (a step exited non-zero) and must not be retried. Infrastructure failures are thrown as
 * {@link dev.forge.InfrastructureException} instead, and are retried.
 *
 * @param succeeded whether the task produced its result
 * @param results   JSON-shaped results (also on failure: what was collected)
 * @param error     why it failed, null on success
 */
public record RunOutcome(boolean succeeded, Map<String, Object> results, TaskError error) {

    /** Validates the outcome. */
    public RunOutcome {
        results = results == null ? Map.of() : results;
        if (succeeded == (error != null)) {
            throw new IllegalArgumentException("a success has no error and a failure has one");
        }
    }

    /** A success. */
    public static RunOutcome success(Map<String, Object> results) {
        return new RunOutcome(true, results, null);
    }

    /** A failure that is the task's own result. */
    public static RunOutcome failure(Map<String, Object> results, TaskError error) {
        return new RunOutcome(false, results, Objects.requireNonNull(error, "error"));
    }
}
