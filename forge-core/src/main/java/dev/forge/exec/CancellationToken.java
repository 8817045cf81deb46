package dev.forge.exec;

import java.util.Optional;
import java.util.function.Consumer;

/**
 * Tells a running attempt to stop, and why. Runners poll {@link #isCancelled()} between steps
 * and register a callback to stop processes at once.
 */
public interface CancellationToken {

    /** Why an attempt is being stopped. */
    enum Reason {
        /** A user cancelled the task. */
        USER,
        /** The soft timeout struck: stop gracefully (SIGTERM). */
        SOFT_TIMEOUT,
        /** The hard timeout struck: kill everything now. */
        HARD_TIMEOUT,
        /** The worker is shutting down; the task will be retried elsewhere. */
        SHUTDOWN,
        /**
         * This worker no longer owns the attempt: its lease could not be extended, or the stored
         * task moved on without it (another worker took the job over). Nothing the attempt
         * reports is stored; the job is neither acknowledged nor released by this worker.
         */
        LEASE_LOST
    }

    /** True once any stop was requested. */
    boolean isCancelled();

    /** The first reason given, or empty. */
    Optional<Reason> reason();

    /**
     * Calls {@code callback} with each reason as it is requested (soft first, then hard), or at
     * once if a stop was already requested. Callbacks run on the requesting thread and must be
     * quick.
     */
    void onCancel(Consumer<Reason> callback);
}
