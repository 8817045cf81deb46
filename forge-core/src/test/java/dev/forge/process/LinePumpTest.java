package dev.forge.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class LinePumpTest {

    private final List<String> lines = new ArrayList<>();

    private void pump(int max, byte[] bytes) throws IOException {
        new LinePump(max, lines::add).pump(new ByteArrayInputStream(bytes));
    }

    private void pump(int max, String text) throws IOException {
        pump(max, text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void pump_splitsOnLfCrlfAndLoneCr() throws IOException {
        pump(100, "a\nb\r\nc\rd\n\ne");

        assertThat(lines).containsExactly("a", "b", "c", "d", "", "e");
    }

    @Test
    void pump_replacesMalformedUtf8() throws IOException {
        pump(100, new byte[] {'o', 'k', (byte) 0xC3, '\n', (byte) 0xFF, 'x', '\n'});

        assertThat(lines).containsExactly("ok\uFFFD", "\uFFFDx");
    }

    @Test
    void pump_truncatesLongLinesAndSaysHowMuchWasDropped() throws IOException {
        pump(5, "0123456789\nshort\n");

        assertThat(lines).containsExactly("01234 [truncated 5 chars]", "short");
    }

    @Test
    void pump_neverCutsASurrogatePairInHalf() throws IOException {
        pump(3, "ab\uD83D\uDE00cd\n");

        assertThat(lines).containsExactly("ab [truncated 4 chars]");
    }

    @Test
    void pump_emptyInput_deliversNothing() throws IOException {
        pump(10, "");

        assertThat(lines).isEmpty();
    }

    @Property(tries = 200)
    void pump_anyChunking_givesTheOriginalLines(
            @ForAll @Size(max = 20) List<@StringLength(max = 30) @CharRange(from = ' ', to = '~') String> input,
            @ForAll @IntRange(min = 1, max = 7) int chunk) {
        List<String> out = new ArrayList<>();
        LinePump pump = new LinePump(1000, out::add);
        char[] text = input.stream().map(line -> line + "\n").reduce("", String::concat).toCharArray();
        for (int i = 0; i < text.length; i += chunk) {
            char[] part = java.util.Arrays.copyOfRange(text, i, Math.min(text.length, i + chunk));
            pump.accept(part, part.length);
        }
        pump.finish();

        assertThat(out).isEqualTo(input);
    }
}
