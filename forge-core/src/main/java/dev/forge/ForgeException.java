package dev.forge;

/**
 * Root of forge's unchecked exceptions. Expected outcomes (not found, forbidden, denied by a rate
 * limit, a stale transition) are return values; exceptions are for misuse and infrastructure
 * failures, and each boundary translates them once.
 */
public class ForgeException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Creates an exception with a message. */
    public ForgeException(String message) {
        super(message);
    }

    /** Creates an exception with a message and its cause. */
    public ForgeException(String message, Throwable cause) {
        super(message, cause);
    }
}
