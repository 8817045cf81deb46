package dev.forge;

import dev.forge.ratelimit.RateLimitDecision;
import dev.forge.validation.ValidationFailure;
import java.util.Objects;

/**
 * The result of a service call: the value, or one of the expected ways it can be refused.
 * Expected refusals are values, not exceptions; the HTTP layer maps each to one status code.
 */
public sealed interface Outcome<T> {

    /** The call succeeded. */
    record Ok<T>(T value) implements Outcome<T> {
        /** Validates the outcome. */
        public Ok {
            Objects.requireNonNull(value, "value");
        }
    }

    /** The input failed validation (schema or security); nothing was stored. */
    record Invalid<T>(ValidationFailure failure) implements Outcome<T> {
        /** Validates the outcome. */
        public Invalid {
            Objects.requireNonNull(failure, "failure");
        }
    }

    /** The task or project does not exist (or is of another kind). */
    record NotFound<T>(String what) implements Outcome<T> {
        /** Validates the outcome. */
        public NotFound {
            Objects.requireNonNull(what, "what");
        }
    }

    /** The task belongs to another user and the caller is not an admin. */
    record Forbidden<T>() implements Outcome<T> {
    }

    /** The request conflicts with the task's state, e.g. cancelling a finished task. */
    record Conflict<T>(String message) implements Outcome<T> {
        /** Validates the outcome. */
        public Conflict {
            Objects.requireNonNull(message, "message");
        }
    }

    /** A rate limit denied the call. */
    record RateLimited<T>(RateLimitDecision decision) implements Outcome<T> {
        /** Validates the outcome. */
        public RateLimited {
            Objects.requireNonNull(decision, "decision");
        }
    }

    /** Shorthand for {@link Ok}. */
    static <T> Outcome<T> ok(T value) {
        return new Ok<>(value);
    }

    /** True for {@link Ok}. */
    default boolean isOk() {
        return this instanceof Ok;
    }

    /**
     * The value of an {@link Ok}.
     *
     * @throws IllegalStateException for any other outcome, naming it
     */
    default T orElseThrow() {
        if (this instanceof Ok<T> ok) {
            return ok.value();
        }
        throw new IllegalStateException("expected Ok but was " + this);
    }
}
