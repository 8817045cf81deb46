package dev.forge.task;

import java.util.Locale;

/** Lifecycle status of a task; see {@link TaskTransitions} for the allowed changes. */
public enum TaskStatus {
    /** Accepted and queued, or waiting for a retry. */
    INITIALIZING,
    /** A worker is running an attempt. */
    RUNNING,
    /** Finished and produced its result. */
    COMPLETED,
    /** Finished without a result: a step failed, a timeout struck, or retries ran out. */
    FAILED,
    /** Stopped on request. */
    CANCELLED;

    /** True for statuses that never change again. */
    public boolean isTerminal() {
        return this == COMPLETED || this == FAILED || this == CANCELLED;
    }

    /** Lower-case name used on the wire, e.g. {@code running}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a wire name (case-insensitive). */
    public static TaskStatus fromWire(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
