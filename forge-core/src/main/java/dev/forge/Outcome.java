package dev.forge;

import dev.forge.ratelimit.RateLimitDecision;
import dev.forge.validation.ValidationFailure;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The result of a service call: the value, or one of the expected ways it can be refused.
 * Expected refusals are values, not exceptions; the HTTP layer maps each to one status code, and
 * an embedding application either switches over them or calls {@link #orElseThrow()} when a
 * refusal would be a bug in its own code.
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

    /**
     * The task or project does not exist (or is of another kind).
     *
     * @param what which kind of thing: {@code project}, {@code build}, {@code analysis}
     * @param name the project name or task id asked for, or null when not known
     */
    record NotFound<T>(String what, String name) implements Outcome<T> {
        /** Validates the outcome. */
        public NotFound {
            Objects.requireNonNull(what, "what");
        }

        /** A refusal that does not name what was asked for. */
        public NotFound(String what) {
            this(what, null);
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
     * The value of an {@link Ok} mapped through {@code mapper}; a refusal stays as it is.
     *
     * @throws NullPointerException if {@code mapper} returns null
     */
    default <U> Outcome<U> map(Function<? super T, ? extends U> mapper) {
        Objects.requireNonNull(mapper, "mapper");
        if (this instanceof Ok<T> ok) {
            return new Ok<>(mapper.apply(ok.value()));
        }
        return refusal();
    }

    /** The outcome {@code mapper} makes of an {@link Ok}'s value; a refusal stays as it is. */
    default <U> Outcome<U> flatMap(Function<? super T, Outcome<U>> mapper) {
        Objects.requireNonNull(mapper, "mapper");
        if (this instanceof Ok<T> ok) {
            return Objects.requireNonNull(mapper.apply(ok.value()), "mapper returned null");
        }
        return refusal();
    }

    /**
     * The value of an {@link Ok}.
     *
     * @throws RefusedException for any other outcome, with a message saying what was refused
     *                          and why, e.g. {@code project 'hello' not found}
     */
    default T orElseThrow() {
        return orElseThrow(RefusedException::new);
    }

    /**
     * The value of an {@link Ok}; for a refusal, throws what {@code exception} makes of it.
     *
     * @throws X for any outcome but {@link Ok}
     */
    default <X extends Throwable> T orElseThrow(Function<? super Outcome<T>, ? extends X> exception) throws X {
        Objects.requireNonNull(exception, "exception");
        if (this instanceof Ok<T> ok) {
            return ok.value();
        }
        throw exception.apply(this);
    }

    /** What this outcome means in a sentence, e.g. {@code project 'hello' not found}. */
    default String describe() {
        if (this instanceof Ok<T> ok) {
            return "ok: " + ok.value();
        }
        if (this instanceof Invalid<T> invalid) {
            return "invalid request: " + invalid.failure().errors().stream()
                    .map(e -> e.field() + " " + e.message())
                    .collect(Collectors.joining("; "));
        }
        if (this instanceof NotFound<T> notFound) {
            return notFound.name() == null ? notFound.what() + " not found"
                    : notFound.what() + " '" + notFound.name() + "' not found";
        }
        if (this instanceof Forbidden<T>) {
            return "forbidden: the task belongs to another user";
        }
        if (this instanceof Conflict<T> conflict) {
            return "conflict: " + conflict.message();
        }
        if (this instanceof Refused<T> refused) {
            return "refused: at most " + refused.max() + " " + refused.limit().wireName().replace('_', ' ')
                    + ", retry in " + refused.retryAfter().toSeconds() + " s";
        }
        RateLimited<T> limited = (RateLimited<T>) this;
        return "rate limited: retry in " + limited.decision().retryAfter().toMillis() + " ms";
    }

    /**
     * This refusal, as an outcome of any type: refusals carry no value.
     *
     * @throws IllegalStateException for an {@link Ok}
     */
    @SuppressWarnings("unchecked")
    default <U> Outcome<U> refusal() {
        if (this instanceof Ok) {
            throw new IllegalStateException("an Ok is not a refusal");
        }
        return (Outcome<U>) this;
    }
}
