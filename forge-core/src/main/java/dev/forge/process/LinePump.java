package dev.forge.process;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Splits a process's output into lines: UTF-8 with malformed bytes replaced, {@code \n},
 * {@code \r\n} and a lone {@code \r} (progress bars) all end a line, and a line longer than the
 * cap is cut, so a process that never prints a newline cannot exhaust memory.
 */
final class LinePump {

    static final String TRUNCATED_MARK = " [truncated ";

    private final int maxLineLength;
    private final Consumer<String> sink;
    private final StringBuilder line = new StringBuilder();
    private long dropped;
    private boolean afterCarriageReturn;

    LinePump(int maxLineLength, Consumer<String> sink) {
        if (maxLineLength < 1) {
            throw new IllegalArgumentException("maxLineLength must be >= 1, was " + maxLineLength);
        }
        this.maxLineLength = maxLineLength;
        this.sink = sink;
    }

    /** Reads {@code in} to its end, delivering each line; the last line need not end in a newline. */
    void pump(InputStream in) throws IOException {
        Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE));
        char[] buffer = new char[8192];
        int n;
        while ((n = reader.read(buffer)) != -1) {
            accept(buffer, n);
        }
        finish();
    }

    void accept(char[] chars, int length) {
        for (int i = 0; i < length; i++) {
            char c = chars[i];
            if (c == '\n') {
                if (afterCarriageReturn) {
                    afterCarriageReturn = false;
                } else {
                    emit();
                }
            } else if (c == '\r') {
                emit();
                afterCarriageReturn = true;
            } else {
                afterCarriageReturn = false;
                if (line.length() < maxLineLength) {
                    line.append(c);
                } else {
                    dropped++;
                }
            }
        }
    }

    void finish() {
        if (line.length() > 0 || dropped > 0) {
            emit();
        }
    }

    private void emit() {
        String text;
        if (dropped == 0) {
            text = line.toString();
        } else {
            int end = line.length();
            // never leave half of a surrogate pair at the cut
            if (Character.isHighSurrogate(line.charAt(end - 1))) {
                end--;
                dropped++;
            }
            text = line.substring(0, end) + TRUNCATED_MARK + dropped + " chars]";
        }
        line.setLength(0);
        dropped = 0;
        sink.accept(text);
    }
}
