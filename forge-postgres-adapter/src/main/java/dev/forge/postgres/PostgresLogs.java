package dev.forge.postgres;

import dev.forge.store.BoundedLog;
import dev.forge.store.LogSlice;
import dev.forge.task.TaskId;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

/**
 * Task logs as numbered rows, one per kept line, with the same byte cap as {@link BoundedLog}:
 * the head (the first lines, up to half the cap) is kept, then a rolling tail in the rest; lines
 * cut between them are counted and shown as one marker line. A batch is appended by one call of
 * the schema's {@code append_log} function (see the migration): one round trip, which locks the
 * task's bookkeeping row, deletes tail lines that no longer fit by number range and inserts the
 * kept ones. PostgreSQL text cannot hold U+0000, so a NUL in a line is stored as U+FFFD.
 */
final class PostgresLogs {

    private final Sql sql;
    private final int maxBytes;
    private final String appendSql;
    private final String countSql;
    private final String readSql;
    private final String readAfterSql;

    PostgresLogs(Sql sql, int maxBytes) {
        if (maxBytes < BoundedLog.MIN_MAX_BYTES) {
            throw new IllegalArgumentException("maxLogBytes must be >= " + BoundedLog.MIN_MAX_BYTES
                    + ", was " + maxBytes);
        }
        this.sql = sql;
        this.maxBytes = maxBytes;
        String meta = sql.table("log_meta");
        String lines = sql.table("log_lines");
        this.appendSql = "SELECT " + sql.table("append_log") + "(?, ?, ?)";
        this.countSql = "SELECT total_lines FROM " + meta + " WHERE task_id = ?";
        this.readSql = "SELECT m.head_lines, m.cut_lines, m.cut_bytes, l.line_no, l.line FROM " + meta
                + " m LEFT JOIN " + lines + " l ON l.task_id = m.task_id WHERE m.task_id = ?"
                + " ORDER BY l.line_no";
        // one contiguous run, as BoundedLog gives it: head lines up to the cut, or tail lines
        this.readAfterSql = "SELECT m.total_lines, m.head_lines, m.tail_first, l.line_no, l.line FROM "
                + meta + " m LEFT JOIN " + lines + " l ON l.task_id = m.task_id AND l.line_no > ?"
                + " AND (l.line_no <= m.head_lines OR m.tail_first = m.head_lines + 1 OR ? >= m.head_lines)"
                + " WHERE m.task_id = ? ORDER BY l.line_no";
    }

    int maxBytes() {
        return maxBytes;
    }

    long append(TaskId id, List<String> lines) {
        if (lines.isEmpty()) {
            return count(id);
        }
        String[] texts = new String[lines.size()];
        for (int i = 0; i < texts.length; i++) {
            texts[i] = clean(lines.get(i));
        }
        return sql.run("append log lines", c -> {
            try (PreparedStatement statement = sql.prepare(c, appendSql)) {
                statement.setString(1, id.value());
                statement.setArray(2, c.createArrayOf("text", texts));
                statement.setLong(3, maxBytes);
                try (ResultSet rows = statement.executeQuery()) {
                    rows.next();
                    return rows.getLong(1);
                }
            }
        });
    }

    private long count(TaskId id) {
        return sql.run("count log lines", c -> {
            try (PreparedStatement statement = sql.prepare(c, countSql)) {
                statement.setString(1, id.value());
                try (ResultSet rows = statement.executeQuery()) {
                    return rows.next() ? rows.getLong(1) : 0L;
                }
            }
        });
    }

    String read(TaskId id) {
        return sql.run("read a log", c -> {
            try (PreparedStatement statement = sql.prepare(c, readSql)) {
                statement.setString(1, id.value());
                try (ResultSet rows = statement.executeQuery()) {
                    StringBuilder out = new StringBuilder();
                    boolean marked = false;
                    String marker = null;
                    long headLines = 0;
                    while (rows.next()) {
                        if (marker == null) {
                            headLines = rows.getLong(1);
                            long cutBytes = rows.getLong(3);
                            marker = cutBytes > 0 ? BoundedLog.cutMarker(rows.getLong(2), cutBytes) : "";
                        }
                        String line = rows.getString(5);
                        if (line == null) {
                            continue; // no lines yet: the LEFT JOIN's empty side
                        }
                        if (!marked && !marker.isEmpty() && rows.getLong(4) > headLines) {
                            out.append(marker).append('\n');
                            marked = true;
                        }
                        out.append(line).append('\n');
                    }
                    if (!marked && marker != null && !marker.isEmpty()) {
                        out.append(marker).append('\n');
                    }
                    return out.toString();
                }
            }
        });
    }

    LogSlice readAfter(TaskId id, long afterLine) {
        if (afterLine < 0) {
            throw new IllegalArgumentException("afterLine must be >= 0, was " + afterLine);
        }
        return sql.run("read a log", c -> {
            try (PreparedStatement statement = sql.prepare(c, readAfterSql)) {
                statement.setLong(1, afterLine);
                statement.setLong(2, afterLine);
                statement.setString(3, id.value());
                try (ResultSet rows = statement.executeQuery()) {
                    long total = 0;
                    long first = -1;
                    List<String> lines = new ArrayList<>();
                    while (rows.next()) {
                        total = rows.getLong(1);
                        String line = rows.getString(5);
                        if (line != null) {
                            if (first < 0) {
                                first = rows.getLong(4);
                            }
                            lines.add(line);
                        }
                    }
                    if (afterLine >= total || first < 0) {
                        return LogSlice.empty(total);
                    }
                    return new LogSlice(first, lines, total, first > afterLine + 1);
                }
            }
        });
    }

    private static String clean(String line) {
        return line == null ? "" : line.replace('\u0000', '\uFFFD');
    }

}
