package dev.forge.store;

import dev.forge.InfrastructureException;

/**
 * {@link TaskStore#createAllAndEnqueue} stored the records but could not enqueue their jobs (its
 * default, two-step path: a store and a queue on different backends). Nothing would ever run
 * those tasks: the caller ends them.
 */
public class StoredWithoutJobsException extends InfrastructureException {

    private static final long serialVersionUID = 1L;

    /** Creates the exception; {@code cause} is the queue's failure. */
    public StoredWithoutJobsException(String message, Throwable cause) {
        super(message, cause);
    }
}
