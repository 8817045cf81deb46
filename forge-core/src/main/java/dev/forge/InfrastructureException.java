package dev.forge;

/**
 * Something outside the task's own code failed: a clone, the disk, a store or queue, a lost
 * worker. The executor retries a task that fails this way, up to its kind's attempt limit.
 */
public class InfrastructureException extends ForgeException {

    private static final long serialVersionUID = 1L;

    /** Creates an exception with a message. */
    public InfrastructureException(String message) {
        super(message);
    }

    /** Creates an exception with a message and its cause. */
    public InfrastructureException(String message, Throwable cause) {
        super(message, cause);
    }
}
