package dev.forge.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The hand-written instant writing, reading and sort keys agree with java.time's, on every instant. */
class InstantsTest {

    @Property(tries = 2000)
    void format_writesWhatToStringWrites(@ForAll("instants") Instant at) {
        assertThat(Instants.format(at)).isEqualTo(at.toString());
    }

    @Test
    void format_atTheEdgesOfTheFastPath_isToString() {
        for (String text : List.of("0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z", "1969-12-31T23:59:59.5Z",
                "1970-01-01T00:00:00.000001Z", "-0001-12-31T23:59:59Z", "+10000-01-01T00:00:00Z")) {
            Instant at = Instant.parse(text);
            assertThat(Instants.format(at)).isEqualTo(at.toString());
        }
    }

    @Property(tries = 2000)
    void parse_readsWhatToStringWrites(@ForAll("instants") Instant at) {
        assertThat(Instants.parse(at.toString())).isEqualTo(at);
    }

    @Property(tries = 500)
    void parse_agreesWithInstantParse_onTextsNearTheCommonShape(@ForAll("nearShapes") String text) {
        Instant expected;
        try {
            expected = Instant.parse(text);
        } catch (DateTimeParseException e) {
            assertThatThrownBy(() -> Instants.parse(text)).isInstanceOf(DateTimeParseException.class);
            return;
        }
        assertThat(Instants.parse(text)).isEqualTo(expected);
    }

    @Test
    void parse_outsideTheFastPath_isInstantParse() {
        assertThat(Instants.parse("+12026-01-01T00:00:00Z")).isEqualTo(Instant.parse("+12026-01-01T00:00:00Z"));
        assertThat(Instants.parse("2026-06-30T23:59:60Z")).isEqualTo(Instant.parse("2026-06-30T23:59:60Z"));
        assertThat(Instants.parse("2026-11-29T23:15:48.1Z")).isEqualTo(Instant.parse("2026-11-29T23:15:48.1Z"));
        assertThatThrownBy(() -> Instants.parse("2026-02-30T00:00:00Z")).isInstanceOf(DateTimeParseException.class);
        assertThat(Instants.parse("2026-11-29T24:00:00Z")).isEqualTo(Instant.parse("2026-11-29T24:00:00Z"));
    }

    @Provide
    Arbitrary<Instant> instants() {
        Arbitrary<Long> seconds = Arbitraries.oneOf(
                Arbitraries.longs().between(Instant.MIN.getEpochSecond(), Instant.MAX.getEpochSecond()),
                Arbitraries.longs().between(-62_167_219_200L, 253_402_300_799L)); // years 0000-9999
        Arbitrary<Integer> nanos = Arbitraries.oneOf(
                Arbitraries.integers().between(0, 999_999_999),
                Arbitraries.integers().between(0, 999).map(ms -> ms * 1_000_000),
                Arbitraries.integers().between(0, 999_999).map(us -> us * 1_000),
                Arbitraries.just(0));
        return seconds.flatMap(s -> nanos.map(n -> Instant.ofEpochSecond(s, n)));
    }

    /** The common shape with one character replaced: digits, separators, letters. */
    @Provide
    Arbitrary<String> nearShapes() {
        return instants().flatMap(at -> {
            String text = at.toString();
            return Arbitraries.integers().between(0, text.length() - 1).flatMap(i -> Arbitraries.of(
                    '0', '1', '2', '3', '5', '9', '-', ':', 'T', 'Z', '.', 'x', ' ')
                    .map(c -> text.substring(0, i) + c + text.substring(i + 1)));
        });
    }
}
