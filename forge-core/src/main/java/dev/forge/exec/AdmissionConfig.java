package dev.forge.exec;

import java.time.Duration;
import java.util.Objects;

/**
 * The limits a new task must pass before it is stored and queued, so that no user - and no
 * crowd of users - can grow a queue without bound: one user's active tasks (queued or running,
 * all kinds) and the tasks in one kind's queue. Both are counted in the shared queue, so they
 * hold across the cluster. Per-minute rate limits (see {@code RateLimitConfig}) bound how fast
 * tasks come; these bound how many wait.
 *
 * <p>Both counts are read before the task is queued, so callers racing on several nodes can
 * pass a limit by at most one task each: a bound on memory, not an exact quota.
 */
public final class AdmissionConfig {

    /** Default {@link #activeTasksPerUser()}. */
    public static final int DEFAULT_ACTIVE_TASKS_PER_USER = 50;
    /** Default {@link #queuedTasksPerQueue()}. */
    public static final int DEFAULT_QUEUED_TASKS_PER_QUEUE = 2_000;

    private final int activeTasksPerUser;
    private final int queuedTasksPerQueue;
    private final Duration userRetryAfter;
    private final Duration queueRetryAfter;

    private AdmissionConfig(int activeTasksPerUser, int queuedTasksPerQueue, Duration userRetryAfter,
            Duration queueRetryAfter) {
        this.activeTasksPerUser = atLeastOne("activeTasksPerUser", activeTasksPerUser);
        this.queuedTasksPerQueue = atLeastOne("queuedTasksPerQueue", queuedTasksPerQueue);
        this.userRetryAfter = positive("userRetryAfter", userRetryAfter);
        this.queueRetryAfter = positive("queueRetryAfter", queueRetryAfter);
    }

    /** 50 active tasks per user, 2,000 tasks per queue; retry after 10 s and 30 s (docs/queues.md says why). */
    public static AdmissionConfig ofDefaults() {
        return new AdmissionConfig(DEFAULT_ACTIVE_TASKS_PER_USER, DEFAULT_QUEUED_TASKS_PER_QUEUE,
                Duration.ofSeconds(10), Duration.ofSeconds(30));
    }

    /** No limits (each is {@link Integer#MAX_VALUE}, which is not even counted). */
    public static AdmissionConfig unlimited() {
        return ofDefaults().withActiveTasksPerUser(Integer.MAX_VALUE).withQueuedTasksPerQueue(Integer.MAX_VALUE);
    }

    /** Queued plus running tasks one user may have, all kinds together; at least 1. */
    public int activeTasksPerUser() {
        return activeTasksPerUser;
    }

    /** Tasks one kind's queue may hold (waiting, delayed for a retry, or running); at least 1. */
    public int queuedTasksPerQueue() {
        return queuedTasksPerQueue;
    }

    /** The {@code Retry-After} of a refusal for the user's limit. */
    public Duration userRetryAfter() {
        return userRetryAfter;
    }

    /** The {@code Retry-After} of a refusal because the queue is full. */
    public Duration queueRetryAfter() {
        return queueRetryAfter;
    }

    /** A copy with another per-user limit. */
    public AdmissionConfig withActiveTasksPerUser(int value) {
        return new AdmissionConfig(value, queuedTasksPerQueue, userRetryAfter, queueRetryAfter);
    }

    /** A copy with another per-queue limit. */
    public AdmissionConfig withQueuedTasksPerQueue(int value) {
        return new AdmissionConfig(activeTasksPerUser, value, userRetryAfter, queueRetryAfter);
    }

    /** A copy with other {@code Retry-After} values: for the user's limit, and for a full queue. */
    public AdmissionConfig withRetryAfter(Duration user, Duration queue) {
        return new AdmissionConfig(activeTasksPerUser, queuedTasksPerQueue, user, queue);
    }

    @Override
    public String toString() {
        return "AdmissionConfig[activeTasksPerUser=" + activeTasksPerUser + ", queuedTasksPerQueue="
                + queuedTasksPerQueue + ", userRetryAfter=" + userRetryAfter + ", queueRetryAfter="
                + queueRetryAfter + "]";
    }

    private static int atLeastOne(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, was " + value);
        }
        return value;
    }

    private static Duration positive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
        return value;
    }
}
