package dev.forge.store;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A task log that never grows past a byte cap (measured in UTF-8, each line counting its
 * newline). A log within the cap is kept whole. Past it, the log keeps its head - the first
 * lines, up to half the cap, which usually say what was run - and a rolling tail of the last
 * lines in the rest of the cap, which usually say how it ended. Lines dropped between the two
 * are counted, and {@link #read()} shows one marker line in their place, e.g.
 * {@code ... [1234 lines, 567890 bytes cut] ...}.
 *
 * <p>A line too long for the tail on its own is shortened to fit (at a character boundary);
 * its removed bytes count as cut. Thread-safe. Store adapters use it so every store bounds and
 * reports logs the same way.
 */
public final class BoundedLog {

    /** The default cap: 5 MiB. */
    public static final int DEFAULT_MAX_BYTES = 5 * 1024 * 1024;
    /** The smallest cap accepted. */
    public static final int MIN_MAX_BYTES = 16;

    private final int maxBytes;
    private final int headCap;

    private final List<String> head = new ArrayList<>();
    private long headBytes;
    /** Once a line did not fit the head, the head is closed, or the order of lines would break. */
    private boolean headClosed;
    private final Deque<String> tail = new ArrayDeque<>();
    private long tailBytes;
    private long cutLines;
    private long cutBytes;
    /** Lines ever appended: the number of the last one. Head lines are 1..head.size(). */
    private long totalLines;

    /** A log with the default cap. */
    public BoundedLog() {
        this(DEFAULT_MAX_BYTES);
    }

    /**
     * A log that keeps at most {@code maxBytes} of lines.
     *
     * @throws IllegalArgumentException if {@code maxBytes} is below {@link #MIN_MAX_BYTES}
     */
    public BoundedLog(int maxBytes) {
        if (maxBytes < MIN_MAX_BYTES) {
            throw new IllegalArgumentException("maxBytes must be >= " + MIN_MAX_BYTES + ", was "
                    + maxBytes);
        }
        this.maxBytes = maxBytes;
        this.headCap = maxBytes / 2;
    }

    /** Appends one line (a null line is stored as empty). */
    public synchronized void append(String line) {
        appendOne(line);
    }

    /**
     * Appends lines in order (a null line is stored as empty).
     *
     * @return the number of lines ever appended, i.e. the number of the last one given
     */
    public synchronized long appendAll(List<String> lines) {
        for (String line : lines) {
            appendOne(line);
        }
        return totalLines;
    }

    /** Lines ever appended; the number of the last one. */
    public synchronized long totalLines() {
        return totalLines;
    }

    /**
     * The kept lines numbered above {@code afterLine}, as one contiguous run: when the cap cut
     * lines inside the requested range, the run stops at the head's end (ask again after its
     * last line for the tail) or starts at the tail (with {@code truncated} set).
     *
     * @throws IllegalArgumentException if {@code afterLine} is negative
     */
    public synchronized LogSlice readAfter(long afterLine) {
        if (afterLine < 0) {
            throw new IllegalArgumentException("afterLine must be >= 0, was " + afterLine);
        }
        if (afterLine >= totalLines) {
            return LogSlice.empty(totalLines);
        }
        long firstTail = totalLines - tail.size() + 1;
        if (afterLine < head.size()) {
            // Head lines are numbered from 1; tail follows them directly when nothing was cut.
            List<String> lines = new ArrayList<>(head.subList((int) afterLine, head.size()));
            if (firstTail == head.size() + 1L) {
                lines.addAll(tail);
            }
            return new LogSlice(afterLine + 1, lines, totalLines, false);
        }
        long from = Math.max(afterLine + 1, firstTail);
        List<String> lines = new ArrayList<>(tail).subList((int) (from - firstTail), tail.size());
        return new LogSlice(from, lines, totalLines, from > afterLine + 1);
    }

    private void appendOne(String line) {
        totalLines++;
        String text = line == null ? "" : line;
        long bytes = utf8Length(text) + 1L;
        if (!headClosed && headBytes + bytes <= headCap) {
            head.add(text);
            headBytes += bytes;
            return;
        }
        headClosed = true;
        // The tail may use whatever the head left, so a log within the cap loses nothing.
        long tailCap = maxBytes - headBytes;
        if (bytes > tailCap) {
            String kept = truncateUtf8(text, (int) tailCap - 1);
            long keptBytes = utf8Length(kept) + 1L;
            cutBytes += bytes - keptBytes;
            dropTail();
            text = kept;
            bytes = keptBytes;
        }
        tail.addLast(text);
        tailBytes += bytes;
        while (tailBytes > tailCap) {
            String dropped = tail.removeFirst();
            long droppedBytes = utf8Length(dropped) + 1L;
            tailBytes -= droppedBytes;
            cutLines++;
            cutBytes += droppedBytes;
        }
    }

    private void dropTail() {
        cutLines += tail.size();
        cutBytes += tailBytes;
        tail.clear();
        tailBytes = 0;
    }

    /**
     * The kept lines, each ending in a newline, with the cut marker line between head and tail
     * when anything was cut; empty when nothing was appended.
     */
    public synchronized String read() {
        StringBuilder out = new StringBuilder((int) Math.min(Integer.MAX_VALUE, headBytes + tailBytes + 64));
        for (String line : head) {
            out.append(line).append('\n');
        }
        if (cutBytes > 0) {
            out.append(cutMarker(cutLines, cutBytes)).append('\n');
        }
        for (String line : tail) {
            out.append(line).append('\n');
        }
        return out.toString();
    }

    /** Whole lines dropped so far. */
    public synchronized long cutLines() {
        return cutLines;
    }

    /** Bytes dropped so far (whole lines and the cut-off ends of over-long lines). */
    public synchronized long cutBytes() {
        return cutBytes;
    }

    /** Bytes kept now, newlines included, the marker not. Never more than the cap. */
    public synchronized long storedBytes() {
        return headBytes + tailBytes;
    }

    /** The marker line {@link #read()} puts where lines were cut. */
    public static String cutMarker(long lines, long bytes) {
        return "... [" + lines + " lines, " + bytes + " bytes cut] ...";
    }

    /** The length of {@code text} in UTF-8, without encoding it. */
    public static int utf8Length(CharSequence text) {
        int bytes = 0;
        int length = text.length();
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < length
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                // Lone surrogates encode as '?' (1 byte) in String.getBytes; 3 is a safe bound.
                bytes += 3;
            }
        }
        return bytes;
    }

    /** The longest prefix of {@code text} whose UTF-8 form fits {@code maxBytes}. */
    static String truncateUtf8(String text, int maxBytes) {
        int bytes = 0;
        int i = 0;
        while (i < text.length()) {
            int codePoint = text.codePointAt(i);
            int width = codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
            if (bytes + width > maxBytes) {
                break;
            }
            bytes += width;
            i += Character.charCount(codePoint);
        }
        return text.substring(0, i);
    }
}
