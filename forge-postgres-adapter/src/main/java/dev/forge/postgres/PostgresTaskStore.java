package dev.forge.postgres;

import dev.forge.store.LogSlice;
import dev.forge.store.TaskStore;
import dev.forge.task.Page;
import dev.forge.task.TaskChanges;
import dev.forge.task.TaskId;
import dev.forge.task.TaskKind;
import dev.forge.task.TaskRecord;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link TaskStore} in PostgreSQL: a task is a row whose columns are the record's fields
 * (results as {@code jsonb}), and a compare-and-set is one
 * {@code UPDATE ... WHERE id = ? AND version = ?} - the row lock makes it atomic across every
 * node. History pages come newest first from the (owner, kind, created_at, id) index, each page
 * with its total in the same statement. Logs are {@link PostgresLogs}.
 *
 * <p>Times are stored to the microsecond, PostgreSQL's resolution. Whole numbers in results come
 * back as {@code Integer}, {@code Long} or {@code BigInteger} by size, fractions as
 * {@code Double}.
 */
public final class PostgresTaskStore implements TaskStore {

    /** Retention deletes at most this many tasks per statement, so one statement stays short. */
    private static final int DELETE_BATCH = 500;

    private final Sql sql;
    private final PostgresLogs logs;
    private final String insertSql;
    private final String findSql;
    private final String casSql;
    private final String byOwnerSql;
    private final String allSql;
    private final String deleteSql;

    PostgresTaskStore(Sql sql, int maxLogBytes) {
        this.sql = sql;
        this.logs = new PostgresLogs(sql, maxLogBytes);
        String tasks = sql.table("tasks");
        this.insertSql = "INSERT INTO " + tasks + " (" + TaskRows.COLUMNS + ") VALUES (" + TaskRows.VALUES
                + ") ON CONFLICT (id) DO NOTHING";
        this.findSql = "SELECT " + TaskRows.COLUMNS + " FROM " + tasks + " WHERE id = ?";
        this.casSql = "UPDATE " + tasks + " SET " + TaskRows.ASSIGNMENTS + " WHERE id = ? AND version = ?";
        // the count row is always there, so an empty or too-deep page still has its total
        String page = " ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?";
        this.byOwnerSql = "SELECT c.total, t.* FROM (SELECT count(*) AS total FROM " + tasks
                + " WHERE owner = ? AND kind = ?) c LEFT JOIN LATERAL (SELECT " + TaskRows.COLUMNS
                + " FROM " + tasks + " WHERE owner = ? AND kind = ?" + page + ") t ON true";
        this.allSql = "SELECT c.total, t.* FROM (SELECT count(*) AS total FROM " + tasks
                + " WHERE kind = ?) c LEFT JOIN LATERAL (SELECT " + TaskRows.COLUMNS
                + " FROM " + tasks + " WHERE kind = ?" + page + ") t ON true";
        this.deleteSql = "WITH d AS (DELETE FROM " + tasks + " WHERE id IN (SELECT id FROM " + tasks
                + " WHERE finished_at < ? ORDER BY finished_at LIMIT " + DELETE_BATCH + ") RETURNING id),"
                + " l AS (DELETE FROM " + sql.table("log_lines") + " WHERE task_id IN (SELECT id FROM d)),"
                + " m AS (DELETE FROM " + sql.table("log_meta") + " WHERE task_id IN (SELECT id FROM d))"
                + " SELECT count(*) FROM d";
    }

    /** The cap on each task's log, in UTF-8 bytes. */
    public int maxLogBytes() {
        return logs.maxBytes();
    }

    @Override
    public void create(TaskRecord record) {
        Objects.requireNonNull(record, "record");
        boolean inserted = sql.run("create a task", c -> {
            try (PreparedStatement statement = sql.prepare(c, insertSql)) {
                TaskRows.bind(statement, 1, record, true);
                return statement.executeUpdate() == 1;
            }
        });
        if (!inserted) {
            throw new IllegalArgumentException("task " + record.id() + " already exists");
        }
    }

    /**
     * Stores every record in one transaction (one JDBC batch, one commit); if one's id exists,
     * nothing of the batch is stored and {@link IllegalArgumentException} is thrown. One record
     * is one {@link #create} statement: a single create pays no transaction around it.
     */
    @Override
    public void createAll(List<TaskRecord> records) {
        records.forEach(record -> Objects.requireNonNull(record, "record"));
        if (records.size() <= 1) {
            records.forEach(this::create);
            return;
        }
        Optional<TaskId> taken = sql.inTransaction("create tasks", c -> {
            try (PreparedStatement statement = sql.prepare(c, insertSql)) {
                for (TaskRecord record : records) {
                    TaskRows.bind(statement, 1, record, true);
                    statement.addBatch();
                }
                int[] inserted = statement.executeBatch();
                for (int i = 0; i < inserted.length; i++) {
                    if (inserted[i] != 1) {
                        c.rollback();
                        return Optional.of(records.get(i).id());
                    }
                }
                return Optional.<TaskId>empty();
            }
        });
        if (taken.isPresent()) {
            throw new IllegalArgumentException("task " + taken.get() + " already exists");
        }
    }

    @Override
    public Optional<TaskRecord> find(TaskId id) {
        Objects.requireNonNull(id, "id");
        return sql.run("find a task", c -> {
            try (PreparedStatement statement = sql.prepare(c, findSql)) {
                statement.setString(1, id.value());
                try (ResultSet row = statement.executeQuery()) {
                    return row.next() ? Optional.of(TaskRows.read(row, 1)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public Page<TaskRecord> listByOwner(String owner, TaskKind kind, int limit, int offset) {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(kind, "kind");
        Page.requireBounds(limit, offset);
        return sql.run("list a user's tasks", c -> {
            try (PreparedStatement statement = sql.prepare(c, byOwnerSql)) {
                statement.setString(1, owner);
                statement.setString(2, kind.name());
                statement.setString(3, owner);
                statement.setString(4, kind.name());
                statement.setInt(5, limit);
                statement.setInt(6, offset);
                return page(statement, limit, offset);
            }
        });
    }

    @Override
    public Page<TaskRecord> listAll(TaskKind kind, int limit, int offset) {
        Objects.requireNonNull(kind, "kind");
        Page.requireBounds(limit, offset);
        return sql.run("list tasks", c -> {
            try (PreparedStatement statement = sql.prepare(c, allSql)) {
                statement.setString(1, kind.name());
                statement.setString(2, kind.name());
                statement.setInt(3, limit);
                statement.setInt(4, offset);
                return page(statement, limit, offset);
            }
        });
    }

    private static Page<TaskRecord> page(PreparedStatement statement, int limit, int offset)
            throws SQLException {
        try (ResultSet rows = statement.executeQuery()) {
            long total = 0;
            List<TaskRecord> items = new ArrayList<>();
            while (rows.next()) {
                total = rows.getLong(1);
                if (rows.getString(2) != null) {
                    items.add(TaskRows.read(rows, 2));
                }
            }
            return new Page<>(items, total, limit, offset);
        }
    }

    @Override
    public boolean compareAndSet(TaskRecord expected, TaskRecord next) {
        TaskChanges.requireSameTask(expected, next);
        return sql.run("update a task", c -> {
            try (PreparedStatement statement = sql.prepare(c, casSql)) {
                int i = TaskRows.bind(statement, 1, next, false);
                statement.setString(i++, expected.id().value());
                statement.setLong(i, expected.version());
                return statement.executeUpdate() == 1;
            }
        });
    }

    @Override
    public long appendLogs(TaskId id, List<String> lines) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(lines, "lines");
        return logs.append(id, lines);
    }

    @Override
    public String readLog(TaskId id) {
        Objects.requireNonNull(id, "id");
        return logs.read(id);
    }

    @Override
    public LogSlice readLogAfter(TaskId id, long afterLine) {
        Objects.requireNonNull(id, "id");
        return logs.readAfter(id, afterLine);
    }

    @Override
    public int deleteTerminalBefore(Instant cutoff) {
        Objects.requireNonNull(cutoff, "cutoff");
        int deleted = 0;
        while (true) {
            int batch = sql.run("delete old tasks", c -> {
                try (PreparedStatement statement = sql.prepare(c, deleteSql)) {
                    TaskRows.timestamp(statement, 1, cutoff);
                    try (ResultSet rows = statement.executeQuery()) {
                        rows.next();
                        return rows.getInt(1);
                    }
                }
            });
            deleted += batch;
            if (batch < DELETE_BATCH) {
                return deleted;
            }
        }
    }
}
