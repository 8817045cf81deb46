package dev.forge.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

class SortKeysTest {

    /** Instant.MIN and Instant.MAX's epoch seconds: every instant there is. */
    @Property(tries = 2000)
    void instant_isTheFixedWidthFormat(
            @ForAll @LongRange(min = -31_557_014_167_219_200L, max = 31_556_889_864_403_199L) long seconds,
            @ForAll @IntRange(min = 0, max = 999_999_999) int nanos) {
        Instant at = Instant.ofEpochSecond(seconds, nanos);

        assertThat(SortKeys.instant(at)).isEqualTo(
                String.format("%018d%09d", at.getEpochSecond() + 100_000_000_000_000_000L, at.getNano()));
    }
}
