package dev.forge.bench;

import dev.forge.Forge;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * How many builds have reached {@code completed}, read from forge's own
 * {@code forge_tasks_total{kind=build,status=completed}} counter, which the task updater bumps
 * after the terminal record is stored. Not from task events: the in-memory event bus drops the
 * oldest events of a subscriber that falls behind (by design), and a driver counting events lost
 * some of 100,000.
 */
final class CompletedCount {

    private final Counter counter;

    CompletedCount(Forge forge) {
        this.counter = forge.metrics().registry().get("forge_tasks_total")
                .tag("kind", "build").tag("status", "completed").counter();
    }

    long get() {
        return (long) counter.count();
    }

    /** Polls every 0.5 ms until {@code n} builds completed; false if {@code timeout} passed first. */
    boolean await(long n, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (get() < n) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            LockSupport.parkNanos(500_000);
        }
        return true;
    }
}
