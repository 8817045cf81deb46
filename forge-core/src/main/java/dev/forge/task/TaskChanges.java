package dev.forge.task;

import java.util.Objects;

/**
 * The one precondition check for changing a stored task, run in core before
 * {@code TaskStore.compareAndSet}, so that no store has to re-implement the domain rules: a
 * store only does the atomic compare on (id, version).
 */
public final class TaskChanges {

    private TaskChanges() {
    }

    /**
     * The one check a store's compare-and-set makes itself: both records are given and name the
     * same task.
     *
     * @throws IllegalArgumentException if the ids differ
     */
    public static void requireSameTask(TaskRecord expected, TaskRecord next) {
        Objects.requireNonNull(expected, "expected");
        Objects.requireNonNull(next, "next");
        if (!next.id().equals(expected.id())) {
            throw new IllegalArgumentException("next has id " + next.id() + ", expected " + expected.id());
        }
    }

    /**
     * Checks that {@code next} may replace {@code expected}: same id; version + 1; {@code expected}
     * not terminal; the status unchanged or a move {@link TaskTransitions} allows; and the fields
     * fixed at creation (kind, owner, project, goal, parameters, analysis types, max attempts,
     * creation time) unchanged.
     *
     * @throws IllegalTransitionException if {@code expected} is terminal or the status change is
     *                                    not allowed
     * @throws IllegalArgumentException   if the id, version or a fixed field is wrong
     */
    public static void requireValid(TaskRecord expected, TaskRecord next) {
        requireSameTask(expected, next);
        if (next.version() != expected.version() + 1) {
            throw new IllegalArgumentException("next must have version " + (expected.version() + 1)
                    + ", had " + next.version());
        }
        if (expected.isTerminal()) {
            throw new IllegalTransitionException(expected.status(), next.status());
        }
        if (next.status() != expected.status()) {
            TaskTransitions.requireAllowed(expected.status(), next.status());
        }
        requireSame("kind", expected.kind(), next.kind(), expected);
        requireSame("owner", expected.owner(), next.owner(), expected);
        requireSame("projectName", expected.projectName(), next.projectName(), expected);
        requireSame("goal", expected.goal(), next.goal(), expected);
        requireSame("parameters", expected.parameters(), next.parameters(), expected);
        requireSame("analysisTypes", expected.analysisTypes(), next.analysisTypes(), expected);
        requireSame("maxAttempts", expected.maxAttempts(), next.maxAttempts(), expected);
        requireSame("createdAt", expected.createdAt(), next.createdAt(), expected);
    }

    /** True when {@link #requireValid} would accept the change. */
    public static boolean isValid(TaskRecord expected, TaskRecord next) {
        try {
            requireValid(expected, next);
            return true;
        } catch (IllegalArgumentException | IllegalTransitionException e) {
            return false;
        }
    }

    private static void requireSame(String field, Object before, Object after, TaskRecord expected) {
        if (!Objects.equals(before, after)) {
            throw new IllegalArgumentException("next must keep the " + field + " of task " + expected.id());
        }
    }
}
