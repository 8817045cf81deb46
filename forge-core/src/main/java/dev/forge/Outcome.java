package dev.forge;

import dev.forge.ratelimit.RateLimitDecision;
import dev.forge.validation.ValidationFailure;
import java.time.Duration;
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

    /**
     * An admission limit refused a new task: the caller already has too many tasks queued or
     * running ({@link Limit#ACTIVE_TASKS_PER_USER}, the caller's to resolve), or the queue is
     * full ({@link Limit#QUEUED_TASKS}, the server's). Nothing was stored.
     *
     * @param limit      which limit
     * @param max        the limit's configured value
     * @param retryAfter when trying again makes sense
     */
    record Refused<T>(Limit limit, long max, Duration retryAfter) implements Outcome<T> {
        /** Validates the outcome. */
        public Refused {
            Objects.requireNonNull(limit, "limit");
            Objects.requireNonNull(retryAfter, "retryAfter");
        }

        /** The admission limits; each names itself on the wire. */
        public enum Limit {
            /** Queued plus running tasks of one user, all kinds, across the cluster. */
            ACTIVE_TASKS_PER_USER("active_tasks_per_user"),
            /** Tasks in one kind's queue (waiting, delayed for a retry, or running), across the cluster. */
            QUEUED_TASKS("queued_tasks");

            private final String wireName;

            Limit(String wireName) {
                this.wireName = wireName;
            }

            /** The limit's name in problem bodies and settings. */
            public String wireName() {
                return wireName;
            }
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
