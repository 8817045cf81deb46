package dev.forge.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.forge.testing.Concurrently;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class BoundedLogTest {

    private static int bytes(String line) {
        return line.getBytes(StandardCharsets.UTF_8).length + 1;
    }

    @Test
    void read_underTheCap_returnsEveryLineWithoutMarker() {
        BoundedLog log = new BoundedLog(100);
        log.append("one");
        log.append("two");

        assertThat(log.read()).isEqualTo("one\ntwo\n");
        assertThat(log.cutLines()).isZero();
        assertThat(log.cutBytes()).isZero();
        assertThat(log.storedBytes()).isEqualTo(8);
    }

    @Test
    void read_nothingAppended_isEmpty() {
        assertThat(new BoundedLog().read()).isEmpty();
    }

    @Test
    void append_nullLine_isStoredEmpty() {
        BoundedLog log = new BoundedLog(100);
        log.append(null);

        assertThat(log.read()).isEqualTo("\n");
    }

    @Test
    void append_exactlyTheCap_keepsEverything() {
        BoundedLog log = new BoundedLog(20);
        for (int i = 0; i < 5; i++) {
            log.append("ab" + i); // 4 bytes each with the newline: 5 * 4 = 20
        }

        assertThat(log.read()).isEqualTo("ab0\nab1\nab2\nab3\nab4\n");
        assertThat(log.cutBytes()).isZero();
        assertThat(log.storedBytes()).isEqualTo(20);
    }

    @Test
    void append_pastTheCap_keepsHeadAndRollingTail() {
        BoundedLog log = new BoundedLog(20); // head up to 10 bytes, the tail the rest
        for (int i = 0; i < 10; i++) {
            log.append("ab" + i);
        }

        // head: ab0, ab1 (8 bytes; ab2 would make 12); tail: the last lines in 20 - 8 bytes
        assertThat(log.read()).isEqualTo("ab0\nab1\n" + BoundedLog.cutMarker(5, 20) + "\nab7\nab8\nab9\n");
        assertThat(log.cutLines()).isEqualTo(5);
        assertThat(log.cutBytes()).isEqualTo(20);
        assertThat(log.storedBytes()).isEqualTo(20);
    }

    @Test
    void cutMarker_namesLinesAndBytes() {
        assertThat(BoundedLog.cutMarker(1234, 567890)).isEqualTo("... [1234 lines, 567890 bytes cut] ...");
    }

    @Test
    void append_lineLongerThanTheTail_isShortenedAtACharacterBoundary() {
        BoundedLog log = new BoundedLog(20); // empty head: the tail has 19 bytes and a newline
        String line = "€€€€€€€€"; // 3 bytes each, 25 with the newline: only 6 fit in 19 bytes

        log.append(line);

        assertThat(log.read()).isEqualTo(BoundedLog.cutMarker(0, 6) + "\n€€€€€€\n");
        assertThat(log.storedBytes()).isEqualTo(19);
    }

    @Test
    void append_surrogatePairsAreNeverSplit() {
        BoundedLog log = new BoundedLog(16); // 15 bytes of text fit
        log.append("😀😀😀😀😀"); // 4 bytes each: three fit

        String read = log.read();

        assertThat(read).endsWith("\n😀😀😀\n");
        assertThat(new String(read.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)).isEqualTo(read);
    }

    @Test
    void append_afterHeadCloses_laterShortLinesGoToTheTail() {
        BoundedLog log = new BoundedLog(20);
        log.append("ab0");
        log.append("too long for head"); // 18 bytes: closes the head, shortened in the tail
        log.append("x"); // would fit the head, but must follow the long line

        String read = log.read();

        assertThat(read).startsWith("ab0\n").endsWith("x\n");
        assertThat(read.indexOf("x\n")).isGreaterThan(read.indexOf("bytes cut"));
    }

    @Test
    void constructor_capBelowMinimum_fails() {
        assertThatThrownBy(() -> new BoundedLog(15))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("15");
    }

    @Test
    void append_fromManyThreads_accountsForEveryLine() throws Exception {
        BoundedLog log = new BoundedLog(1_000);
        int threads = 4;
        int perThread = 2_000;
        Concurrently.run(threads, id -> {
            for (int i = 0; i < perThread; i++) {
                log.append("t" + id + " line " + i);
            }
        });

        String read = log.read();
        String marker = BoundedLog.cutMarker(log.cutLines(), log.cutBytes());
        long keptLines = read.lines().filter(l -> !l.equals(marker)).count();
        assertThat(keptLines + log.cutLines()).isEqualTo((long) threads * perThread);
        assertThat(log.storedBytes()).isLessThanOrEqualTo(1_000);
    }

    @Property(tries = 300)
    void append_anyLines_keepsAPrefixAndASuffixWithinTheCap(
            @ForAll @IntRange(min = 16, max = 400) int cap,
            @ForAll @Size(max = 200) List<@StringLength(max = 60) String> lines) {
        List<String> clean = lines.stream().map(l -> l.replace('\n', ' ').replace('\r', ' '))
                .map(BoundedLogTest::withoutLoneSurrogates).toList();
        BoundedLog log = new BoundedLog(cap);
        clean.forEach(log::append);

        long total = clean.stream().mapToLong(BoundedLogTest::bytes).sum();
        assertThat(log.storedBytes()).isLessThanOrEqualTo(cap);
        assertThat(log.storedBytes() + log.cutBytes()).isEqualTo(total);
        String read = log.read();
        if (log.cutBytes() == 0) {
            assertThat(read).isEqualTo(clean.stream().map(l -> l + "\n").reduce("", String::concat));
            return;
        }
        String marker = BoundedLog.cutMarker(log.cutLines(), log.cutBytes()) + "\n";
        int at = read.indexOf(marker);
        assertThat(at).isGreaterThanOrEqualTo(0);
        List<String> head = read.substring(0, at).lines().toList();
        List<String> tail = read.substring(at + marker.length()).lines().toList();
        assertThat(clean.subList(0, head.size())).isEqualTo(head);
        assertThat(head.size() + tail.size() + log.cutLines()).isEqualTo(clean.size());
        // the tail is the input's suffix, except that its first line may be a shortened prefix
        List<String> suffix = clean.subList(clean.size() - tail.size(), clean.size());
        for (int i = 0; i < tail.size(); i++) {
            if (i == 0) {
                assertThat(suffix.get(0)).startsWith(tail.get(0));
            } else {
                assertThat(tail.get(i)).isEqualTo(suffix.get(i));
            }
        }
    }

    @Property(tries = 300)
    void utf8Length_equalsTheEncodedLength(@ForAll String text) {
        String valid = withoutLoneSurrogates(text);

        assertThat(BoundedLog.utf8Length(valid)).isEqualTo(valid.getBytes(StandardCharsets.UTF_8).length);
    }

    private static String withoutLoneSurrogates(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                out.append(c).append(text.charAt(++i));
            } else if (!Character.isSurrogate(c)) {
                out.append(c);
            }
        }
        return out.toString();
    }
}
