package dev.forge.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/** A clock that tests move by hand. Thread-safe; millisecond resolution. */
public final class MutableClock extends Clock {

    private final AtomicLong millis;

    /** A clock at {@code start}. */
    public MutableClock(Instant start) {
        this.millis = new AtomicLong(start.toEpochMilli());
    }

    /** A clock at 2026-01-01T00:00:00Z. */
    public static MutableClock startingAt2026() {
        return new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    }

    /** Moves the clock forward (or back, for a negative duration). */
    public void advance(Duration duration) {
        millis.addAndGet(duration.toMillis());
    }

    /** Sets the clock. */
    public void set(Instant instant) {
        millis.set(instant.toEpochMilli());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public long millis() {
        return millis.get();
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis.get());
    }
}
