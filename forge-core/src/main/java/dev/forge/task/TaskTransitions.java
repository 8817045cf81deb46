package dev.forge.task;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The one table of legal status changes. Nothing else in forge decides whether a task may move
 * from one status to another; stores and services ask here.
 *
 * <pre>
 * initializing -> running | cancelled | failed
 * running      -> completed | failed | cancelled | initializing (a retry is scheduled)
 * completed, failed, cancelled: terminal
 * </pre>
 */
final class TaskTransitions {

    private static final Map<TaskStatus, EnumSet<TaskStatus>> ALLOWED = new EnumMap<>(TaskStatus.class);

    static {
        ALLOWED.put(TaskStatus.INITIALIZING,
                EnumSet.of(TaskStatus.RUNNING, TaskStatus.CANCELLED, TaskStatus.FAILED));
        ALLOWED.put(TaskStatus.RUNNING, EnumSet.of(TaskStatus.COMPLETED, TaskStatus.FAILED,
                TaskStatus.CANCELLED, TaskStatus.INITIALIZING));
        ALLOWED.put(TaskStatus.COMPLETED, EnumSet.noneOf(TaskStatus.class));
        ALLOWED.put(TaskStatus.FAILED, EnumSet.noneOf(TaskStatus.class));
        ALLOWED.put(TaskStatus.CANCELLED, EnumSet.noneOf(TaskStatus.class));
    }

    private TaskTransitions() {
    }

    /** True when the table allows {@code from -> to}. */
    public static boolean isAllowed(TaskStatus from, TaskStatus to) {
        return ALLOWED.get(from).contains(to);
    }

    /** The statuses reachable from {@code from} in one step. */
    public static Set<TaskStatus> allowedFrom(TaskStatus from) {
        return EnumSet.copyOf(ALLOWED.get(from));
    }

    /**
     * Throws {@link IllegalTransitionException} naming both statuses unless {@code from -> to} is
     * in the table.
     */
    public static void requireAllowed(TaskStatus from, TaskStatus to) {
        if (!isAllowed(from, to)) {
            throw new IllegalTransitionException(from, to);
        }
    }
}
