package dev.forge.testing;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waits for a condition by polling it, instead of sleeping for a guessed time. */
public final class Await {

    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    private Await() {
    }

    /**
     * Returns as soon as {@code condition} holds.
     *
     * @throws AssertionError if it does not hold within {@code timeout}
     */
    public static void until(BooleanSupplier condition, Duration timeout) {
        until(condition, timeout, "condition");
    }

    /**
     * Returns as soon as {@code condition} holds.
     *
     * @param what names the condition in the failure message
     * @throws AssertionError if it does not hold within {@code timeout}
     */
    public static void until(BooleanSupplier condition, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(what + " did not hold within " + timeout);
            }
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what);
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
    }
}
