package dev.forge;

import java.util.Objects;

/**
 * Thrown by {@link Outcome#orElseThrow()} when a service call was refused: the caller expected
 * the call to succeed, so the refusal is a bug or a misconfiguration on its side. The message
 * says what was refused ({@code project 'hello' not found}); {@link #outcome()} keeps the
 * refusal for code that wants to tell the kinds apart.
 */
public class RefusedException extends ForgeException {

    private static final long serialVersionUID = 1L;

    /** The refusal; transient because outcomes are not serializable. */
    private final transient Outcome<?> outcome;

    /** An exception for {@code refusal}, described by {@link Outcome#describe()}. */
    public RefusedException(Outcome<?> refusal) {
        super(Objects.requireNonNull(refusal, "refusal").describe());
        if (refusal.isOk()) {
            throw new IllegalArgumentException("an Ok is not a refusal");
        }
        this.outcome = refusal;
    }

    /** The refused outcome. */
    public Outcome<?> outcome() {
        return outcome;
    }
}
