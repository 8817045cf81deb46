package dev.forge.store;

import java.util.List;
import java.util.Objects;

/**
 * Part of a task's log, as {@link TaskStore#readLogAfter} gives it.
 *
 * @param firstLine  the number of {@code lines.get(0)}; the lines are numbered firstLine,
 *                   firstLine + 1, ... (when {@code lines} is empty: {@code totalLines + 1})
 * @param lines      the stored lines, in order
 * @param totalLines how many lines were ever appended to the log
 * @param truncated  true when lines between the requested start and {@code firstLine - 1} were
 *                   cut by the log's cap
 */
public record LogSlice(long firstLine, List<String> lines, long totalLines, boolean truncated) {

    /** Validates the slice and copies the lines. */
    public LogSlice {
        lines = List.copyOf(Objects.requireNonNull(lines, "lines"));
        if (firstLine < 1) {
            throw new IllegalArgumentException("firstLine must be >= 1, was " + firstLine);
        }
        if (totalLines < 0 || firstLine + lines.size() - 1 > totalLines) {
            throw new IllegalArgumentException("lines " + firstLine + ".." + (firstLine + lines.size() - 1)
                    + " exceed totalLines " + totalLines);
        }
    }

    /** An empty slice of a log that has {@code totalLines} lines. */
    public static LogSlice empty(long totalLines) {
        return new LogSlice(totalLines + 1, List.of(), totalLines, false);
    }

    /** The number of the last line in this slice, or {@code firstLine - 1} when it is empty. */
    public long lastLine() {
        return firstLine + lines.size() - 1;
    }
}
