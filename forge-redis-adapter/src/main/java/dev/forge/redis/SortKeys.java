package dev.forge.redis;

import dev.forge.task.TaskId;
import java.time.Instant;

/**
 * Fixed-width text forms of instants that sort lexicographically in time order, for sorted-set
 * members (which order equal scores by their bytes) and for exact comparisons inside scripts.
 */
final class SortKeys {

    /** Shifts every Instant's epoch second (from about -3.2e16) to a non-negative number. */
    private static final long SECONDS_OFFSET = 100_000_000_000_000_000L;

    private SortKeys() {
    }

    /** 18 digits of shifted seconds then 9 of nanoseconds: sorts as the instants do. */
    static String instant(Instant at) {
        return String.format("%018d%09d", at.getEpochSecond() + SECONDS_OFFSET, at.getNano());
    }

    /** The index member of a task: its creation key, then its id; '|' never occurs in ids. */
    static String member(Instant createdAt, TaskId id) {
        return instant(createdAt) + "|" + id.value();
    }

    /** Epoch milliseconds, floored (a terminal-index score). */
    static long epochMillis(Instant at) {
        try {
            return at.toEpochMilli();
        } catch (ArithmeticException e) {
            return at.isBefore(Instant.EPOCH) ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }
}
