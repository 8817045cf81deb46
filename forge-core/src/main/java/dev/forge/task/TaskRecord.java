package dev.forge.task;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The stored state of one task. Immutable: every change makes a new record with {@code version}
 * one higher, and stores accept it only by compare-and-set on the old (status, version).
 *
 * @param id            the task's id
 * @param kind          build or analysis
 * @param owner         user id of the principal who created it
 * @param projectName   catalog name of the project
 * @param goal          free text recorded with a build (never executed); empty for analyses
 * @param parameters    build parameters, passed to steps only as {@code FORGE_PARAM_*} variables
 * @param analysisTypes requested analysis types (wire names); empty for builds
 * @param status        lifecycle status
 * @param progress      0 to 100
 * @param currentStep   the step now running, or {@code null}
 * @param attempt       attempts started so far (0 before the first)
 * @param maxAttempts   attempts allowed before an infrastructure failure is final
 * @param results       JSON-shaped result tree (String, Number, Boolean, List, Map); empty until set
 * @param error         why the task did not complete, or {@code null}
 * @param createdAt     when it was accepted
 * @param updatedAt     when it last changed
 * @param startedAt     when the latest attempt started, or {@code null}
 * @param completedAt   when it reached a terminal status, or {@code null}
 * @param version       optimistic-concurrency version, 0 when created
 */
public record TaskRecord(
        TaskId id,
        TaskKind kind,
        String owner,
        String projectName,
        String goal,
        Map<String, String> parameters,
        List<String> analysisTypes,
        TaskStatus status,
        int progress,
        String currentStep,
        int attempt,
        int maxAttempts,
        Map<String, Object> results,
        TaskError error,
        Instant createdAt,
        Instant updatedAt,
        Instant startedAt,
        Instant completedAt,
        long version) {

    /** Validates the record and makes its collections immutable. */
    public TaskRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(projectName, "projectName");
        goal = goal == null ? "" : goal;
        parameters = Map.copyOf(parameters == null ? Map.of() : parameters);
        analysisTypes = List.copyOf(analysisTypes == null ? List.of() : analysisTypes);
        Objects.requireNonNull(status, "status");
        if (progress < 0 || progress > 100) {
            throw new IllegalArgumentException("progress must be 0-100, was " + progress);
        }
        if (attempt < 0 || maxAttempts < 1) {
            throw new IllegalArgumentException("attempt must be >= 0 and maxAttempts >= 1");
        }
        results = results == null ? Map.of() : results;
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
        if (version < 0) {
            throw new IllegalArgumentException("version must be >= 0");
        }
    }

    /** A new task, {@code initializing}, version 0. */
    public static TaskRecord create(TaskId id, TaskKind kind, String owner, String projectName,
            String goal, Map<String, String> parameters, List<String> analysisTypes,
            int maxAttempts, Instant now) {
        return new TaskRecord(id, kind, owner, projectName, goal, parameters, analysisTypes,
                TaskStatus.INITIALIZING, 0, null, 0, maxAttempts, Map.of(), null, now, now, null,
                null, 0);
    }

    /** True when the status never changes again. */
    public boolean isTerminal() {
        return status.isTerminal();
    }

    /** True when another attempt may start after this one fails for infrastructure reasons. */
    public boolean hasAttemptsLeft() {
        return attempt < maxAttempts;
    }

    /**
     * The next attempt starts: {@code initializing -> running}, attempt + 1, progress reset.
     *
     * @throws IllegalTransitionException unless the table allows it
     */
    public TaskRecord start(Instant now) {
        TaskTransitions.requireAllowed(status, TaskStatus.RUNNING);
        return new TaskRecord(id, kind, owner, projectName, goal, parameters, analysisTypes,
                TaskStatus.RUNNING, 0, null, attempt + 1, maxAttempts, results, null, createdAt,
                now, now, null, version + 1);
    }

    /**
     * Moves to {@code to}, keeping everything else; terminal statuses stamp {@code completedAt}
     * and, for {@code completed}, set progress to 100.
     *
     * @throws IllegalTransitionException unless the table allows it
     */
    public TaskRecord transitionTo(TaskStatus to, Map<String, Object> newResults, TaskError newError,
            Instant now) {
        TaskTransitions.requireAllowed(status, to);
        int newProgress = to == TaskStatus.COMPLETED ? 100 : progress;
        String step = to.isTerminal() || to == TaskStatus.INITIALIZING ? null : currentStep;
        return new TaskRecord(id, kind, owner, projectName, goal, parameters, analysisTypes, to,
                newProgress, step, attempt, maxAttempts,
                newResults == null ? results : newResults, newError, createdAt, now, startedAt,
                to.isTerminal() ? now : null, version + 1);
    }

    /** Progress of a running attempt; the status does not change. */
    public TaskRecord withProgress(int newProgress, String step, Instant now) {
        if (isTerminal()) {
            throw new IllegalTransitionException(status, status);
        }
        return new TaskRecord(id, kind, owner, projectName, goal, parameters, analysisTypes,
                status, newProgress, step, attempt, maxAttempts, results, error, createdAt, now,
                startedAt, completedAt, version + 1);
    }
}
