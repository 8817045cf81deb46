package dev.forge.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

/** The outbox's rules with a transport the test completes by hand and a clock it moves. */
class OutboxTest {

    /** A transport whose writes stay in flight until the test completes them. */
    static final class ManualOutbox extends Outbox {
        final StringBuilder delivered = new StringBuilder();
        final List<String> inFlight = new ArrayList<>();
        final List<End> closes = new ArrayList<>();
        final int chunk;

        ManualOutbox(long limit, long deadlineMillis, AtomicLong clock, int chunk) {
            super(limit, deadlineMillis, clock::get);
            this.chunk = chunk;
        }

        @Override
        int maxChunkChars() {
            return chunk;
        }

        @Override
        boolean startWrite(String text) {
            inFlight.add(text);
            return false;
        }

        /** The client took the write in flight. */
        void complete() {
            String text;
            synchronized (this) {
                text = inFlight.remove(0);
            }
            delivered.append(text);
            written();
        }

        @Override
        void close(End why) {
            closes.add(why);
        }
    }

    @Property(tries = 200)
    void framesArriveWhole_inOrder_oneWriteInFlight_chunksWithinTheirBound(
            @ForAll @Size(max = 40) List<@StringLength(max = 30) String> frames,
            @ForAll @IntRange(min = 0, max = 3) int completionsPerAdd,
            @ForAll @IntRange(min = 0, max = 64) int chunk) {
        ManualOutbox outbox = new ManualOutbox(1_000_000, 60_000, new AtomicLong(), chunk);
        StringBuilder expected = new StringBuilder();
        for (String frame : frames) {
            assertThat(outbox.add(frame)).isTrue();
            expected.append(frame);
            for (int i = 0; i < completionsPerAdd && !outbox.inFlight.isEmpty(); i++) {
                assertThat(outbox.inFlight).hasSize(1);
                String text = outbox.inFlight.get(0);
                assertThat(text.length()).isLessThanOrEqualTo(Math.max(chunk, longest(frames)));
                outbox.complete();
            }
        }
        while (!outbox.inFlight.isEmpty()) {
            outbox.complete();
        }
        outbox.closeWhenDrained();

        assertThat(outbox.delivered.toString()).isEqualTo(expected.toString());
        assertThat(outbox.closes).containsExactly(Outbox.End.DRAINED);
    }

    private static int longest(List<String> frames) {
        return frames.stream().mapToInt(String::length).max().orElse(0);
    }

    @Test
    void fullAtTheLimit_andRoomIsAnnouncedOnce_whenDrainedBelowHalf() {
        ManualOutbox outbox = new ManualOutbox(100, 60_000, new AtomicLong(), 0);
        AtomicInteger rooms = new AtomicInteger();
        outbox.onRoom(rooms::incrementAndGet);
        for (int i = 0; i < 11; i++) {
            outbox.add("x".repeat(10)); // the first is in flight, ten wait: 100 queued
        }
        assertThat(outbox.full()).isTrue();

        for (int i = 0; i < 5; i++) {
            outbox.complete(); // 90, 80, 70, 60, 50 queued: not below half yet
        }
        assertThat(rooms).hasValue(0);
        outbox.complete(); // 40 queued
        outbox.complete();
        assertThat(rooms).hasValue(1);
        assertThat(outbox.full()).isFalse();
    }

    @Test
    void aWriteOlderThanTheDeadline_dropsTheClient_andLaterFramesAreRefused() {
        AtomicLong clock = new AtomicLong();
        ManualOutbox outbox = new ManualOutbox(1_000, 2_000, clock, 0);
        outbox.add("first");
        clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(1_999));
        assertThat(outbox.overdue()).isFalse();
        assertThat(outbox.checkDeadline()).isFalse();

        clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(1));
        assertThat(outbox.overdue()).isTrue();
        assertThat(outbox.checkDeadline()).isTrue();

        assertThat(outbox.closes).containsExactly(Outbox.End.TOO_SLOW);
        assertThat(outbox.add("second")).isFalse();
        assertThat(outbox.checkDeadline()).as("dropped once").isFalse();
    }

    @Test
    void aClientThatKeepsTakingWrites_isNeverOverdue_andQuietOnlyWhenIdle() {
        AtomicLong clock = new AtomicLong();
        ManualOutbox outbox = new ManualOutbox(1_000, 2_000, clock, 0);
        for (int i = 0; i < 10; i++) {
            outbox.add("frame " + i);
            clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(1_500));
            assertThat(outbox.quietFor(1)).isFalse();
            outbox.complete();
            assertThat(outbox.overdue()).isFalse();
        }
        clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(500));
        assertThat(outbox.quietFor(TimeUnit.MILLISECONDS.toNanos(500))).isTrue();
        assertThat(outbox.closes).isEmpty();
    }
}
