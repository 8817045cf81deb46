package dev.forge.postgres;

import dev.forge.concurrent.GroupCall;
import dev.forge.queue.JobQueue;
import dev.forge.queue.Lease;
import dev.forge.store.LeasedRecords;
import dev.forge.store.LeasedTask;
import dev.forge.store.LogSlice;
import dev.forge.store.TaskStore;
import dev.forge.task.Page;
import dev.forge.task.TaskChanges;
import dev.forge.task.TaskId;
import dev.forge.task.TaskKind;
import dev.forge.task.TaskRecord;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A {@link TaskStore} in PostgreSQL: a task is a row whose columns are the record's fields
 * (results as {@code jsonb}), and a compare-and-set is one
 * {@code UPDATE ... WHERE id = ? AND version = ?} - the row lock makes it atomic across every
 * node.
 *
 * <p>Concurrent workers share round trips ({@link GroupCall}): the compare-and-sets called while
 * one is on its way go together in one transaction (a JDBC batch of those updates, one commit,
 * each caller answered by its own update count), and finds together in one
 * {@code WHERE id = ANY(?)}. A lone call runs at once, alone. History pages come newest first from the (owner, kind, created_at, id) index, each page
 * with its total in the same statement. Logs are {@link PostgresLogs}.
 *
 * <p>Times are stored to the microsecond, PostgreSQL's resolution. Whole numbers in results come
 * back as {@code Integer}, {@code Long} or {@code BigInteger} by size, fractions as
 * {@code Double}.
 */
public final class PostgresTaskStore implements TaskStore {

    /** Retention deletes at most this many tasks per statement, so one statement stays short. */
    private static final int DELETE_BATCH = 500;
    /**
     * Every kind, quoted for SQL: retention walks the kind history index (a task that finished
     * before the cutoff was created before it; see the V6 migration).
     */
    private static final String KINDS = Arrays.stream(TaskKind.values()).map(kind -> "'" + kind.name() + "'")
            .collect(Collectors.joining(", "));

    private final Sql sql;
    private final PostgresLogs logs;
    private final LeasedRecords leased;
    private final String insertSql;
    private final String createAndEnqueueSql;
    private final String findSql;
    private final String findManySql;
    private final String casSql;
    private final String casAndAckSql;
    private final String ackSql;
    private final String byOwnerSql;
    private final String allSql;
    private final String deleteSql;
    private final GroupCall<TaskId, Optional<TaskRecord>> finds = new GroupCall<>(this::findAll);
    private final GroupCall<Cas, Answer> sets = new GroupCall<>(this::compareAndSetAll);

    PostgresTaskStore(Sql sql, int maxLogBytes) {
        this(sql, maxLogBytes, new LeasedRecords());
    }

    /** @param leased records this backend's queue read with its leases, for the finds that follow */
    PostgresTaskStore(Sql sql, int maxLogBytes, LeasedRecords leased) {
        this.sql = sql;
        this.logs = new PostgresLogs(sql, maxLogBytes);
        this.leased = leased;
        String tasks = sql.table("tasks");
        String insert = "INSERT INTO " + tasks + " (" + TaskRows.COLUMNS + ") VALUES (" + TaskRows.VALUES + ")";
        this.insertSql = insert + " ON CONFLICT (id) DO NOTHING";
        // no ON CONFLICT: an id that exists fails the statement, so its job is not inserted either
        this.createAndEnqueueSql = PostgresJobQueue.enqueueAllSql(sql, "t AS (" + insert + "), ");
        this.findSql = "SELECT " + TaskRows.COLUMNS + " FROM " + tasks + " WHERE id = ?";
        this.findManySql = "SELECT " + TaskRows.COLUMNS + " FROM " + tasks + " WHERE id = ANY(?)";
        this.casSql = "UPDATE " + tasks + " SET " + TaskRows.ASSIGNMENTS + " WHERE id = ? AND version = ?";
        // the ack's DELETE sees the UPDATE's returned row, so it deletes the job only when the
        // record was stored; both commit together, synchronously (see compareAndSetAndAck)
        this.ackSql = "DELETE FROM " + sql.table("jobs") + " j WHERE " + GroupAck.held("?", "?", "?");
        this.casAndAckSql = "WITH t AS (" + casSql + " RETURNING 1), a AS (" + ackSql
                + " AND EXISTS (SELECT 1 FROM t)) SELECT count(*) FROM t";
        // the count row is always there, so an empty or too-deep page still has its total
        String page = " ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?";
        this.byOwnerSql = "SELECT c.total, t.* FROM (SELECT count(*) AS total FROM " + tasks
                + " WHERE owner = ? AND kind = ?) c LEFT JOIN LATERAL (SELECT " + TaskRows.COLUMNS
                + " FROM " + tasks + " WHERE owner = ? AND kind = ?" + page + ") t ON true";
        this.allSql = "SELECT c.total, t.* FROM (SELECT count(*) AS total FROM " + tasks
                + " WHERE kind = ?) c LEFT JOIN LATERAL (SELECT " + TaskRows.COLUMNS
                + " FROM " + tasks + " WHERE kind = ?" + page + ") t ON true";
        this.deleteSql = "WITH d AS (DELETE FROM " + tasks + " WHERE id IN (SELECT id FROM " + tasks
                + " WHERE kind IN (" + KINDS + ") AND created_at < ? AND finished_at < ? LIMIT " + DELETE_BATCH
                + ") RETURNING id),"
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
        requireNoneTaken(sql.inTransaction("create tasks", c -> insertAll(c, records)));
    }

    /**
     * With this backend's own queue (same pool and schema), the records, their jobs and the
     * queue's NOTIFY are one transaction - one WAL flush instead of the default's two, and no
     * crash between them can leave a task without its job: one record is one statement (its
     * INSERT ahead of the queue's own {@link PostgresJobQueue#enqueueAll} statement, one round
     * trip), several are their inserts (one JDBC batch) and that statement, then the commit. An
     * id that exists fails it all: nothing stored, nothing queued,
     * {@link IllegalArgumentException}. Listeners hear the NOTIFY only once the jobs are
     * committed. Any other queue takes the default path (store, then enqueue).
     */
    @Override
    public void createAllAndEnqueue(List<TaskRecord> records, JobQueue queue, String queueName) {
        if (!(queue instanceof PostgresJobQueue own) || !own.sharesTables(sql)) {
            TaskStore.super.createAllAndEnqueue(records, queue, queueName);
            return;
        }
        Objects.requireNonNull(queueName, "queueName");
        records.forEach(record -> Objects.requireNonNull(record, "record"));
        if (records.isEmpty()) {
            return;
        }
        List<String> payloads = new ArrayList<>(records.size());
        List<String> groups = new ArrayList<>(records.size());
        for (TaskRecord record : records) {
            payloads.add(record.id().value());
            groups.add(record.owner());
        }
        if (records.size() == 1) {
            createAndEnqueue(records.get(0), own, queueName, payloads, groups);
            return;
        }
        requireNoneTaken(sql.inTransaction("create tasks and queue their jobs", c -> {
            Optional<TaskId> taken = insertAll(c, records);
            if (taken.isEmpty()) {
                own.enqueueAll(c, queueName, payloads, 0, groups);
            }
            return taken;
        }));
    }

    private void createAndEnqueue(TaskRecord record, PostgresJobQueue queue, String queueName,
            List<String> payloads, List<String> groups) {
        sql.run("create a task and queue its job", c -> {
            try (PreparedStatement statement = sql.prepare(c, createAndEnqueueSql)) {
                int i = TaskRows.bind(statement, 1, record, true);
                queue.bindEnqueueAll(c, statement, i, queueName, payloads, 0, groups);
                statement.executeQuery().close();
                return null;
            } catch (SQLException e) {
                if (Sql.UNIQUE_VIOLATION.equals(e.getSQLState())) {
                    throw new IllegalArgumentException("task " + record.id() + " already exists");
                }
                throw e;
            }
        });
    }

    /**
     * Inserts every record in {@code c}'s transaction (one JDBC batch); if one's id exists,
     * rolls the transaction back and returns that id.
     */
    private Optional<TaskId> insertAll(Connection c, List<TaskRecord> records) throws SQLException {
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
            return Optional.empty();
        }
    }

    private static void requireNoneTaken(Optional<TaskId> taken) {
        if (taken.isPresent()) {
            throw new IllegalArgumentException("task " + taken.get() + " already exists");
        }
    }

    /**
     * The task's record: the one this backend's queue read with the job's lease when it is
     * there (see {@link LeasedRecords}: the worker's find after its lease costs no round trip),
     * else read from the row.
     */
    @Override
    public Optional<TaskRecord> find(TaskId id) {
        Objects.requireNonNull(id, "id");
        Optional<TaskRecord> leasedRecord = leased.take(id);
        return leasedRecord.isPresent() ? leasedRecord : finds.call(id);
    }

    List<Optional<TaskRecord>> findAll(List<TaskId> ids) {
        if (ids.size() == 1) {
            return List.of(findOne(ids.get(0)));
        }
        Map<TaskId, TaskRecord> found = sql.run("find tasks", c -> {
            try (PreparedStatement statement = sql.prepare(c, findManySql)) {
                statement.setArray(1, c.createArrayOf("text", ids.stream().map(TaskId::value).distinct().toArray()));
                Map<TaskId, TaskRecord> rows = new HashMap<>();
                try (ResultSet row = statement.executeQuery()) {
                    while (row.next()) {
                        TaskRecord record = TaskRows.read(row, 1);
                        rows.put(record.id(), record);
                    }
                }
                return rows;
            }
        });
        List<Optional<TaskRecord>> answers = new ArrayList<>(ids.size());
        ids.forEach(id -> answers.add(Optional.ofNullable(found.get(id))));
        return answers;
    }

    private Optional<TaskRecord> findOne(TaskId id) {
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
        return sets.call(new Cas(expected, next)).get();
    }

    /**
     * With this backend's own queue (same pool and schema), the record and the ack are one
     * transaction: alone, one statement (an UPDATE whose returned row lets a DELETE of the job
     * run); with other workers' compare-and-sets, in their batch's transaction (the UPDATEs,
     * then the DELETEs of the jobs whose records were stored). It commits synchronously, as a
     * compare-and-set does: an answered final record must survive a crash. So a crash loses
     * both or neither - never a deleted job whose task still shows running. Any other queue
     * takes the default path (store, then ack).
     */
    @Override
    public boolean compareAndSetAndAck(TaskRecord expected, TaskRecord next, JobQueue queue, Lease lease) {
        if (!(queue instanceof PostgresJobQueue own) || !own.sharesTables(sql)) {
            return TaskStore.super.compareAndSetAndAck(expected, next, queue, lease);
        }
        TaskChanges.requireSameTask(expected, next);
        return sets.call(new Cas(expected, next, Objects.requireNonNull(lease, "lease"))).get();
    }

    /**
     * {@inheritDoc} With a queue on these tables, the lease's own statement starts the tasks: one
     * round trip, one transaction.
     */
    @Override
    public List<LeasedTask> leaseAndStart(JobQueue queue, List<String> queues, int max, Duration visibility,
            Duration wait, Clock clock) throws InterruptedException {
        if (!(queue instanceof PostgresJobQueue own) || !own.sharesTables(sql)) {
            return TaskStore.super.leaseAndStart(queue, queues, max, visibility, wait, clock);
        }
        return own.leaseAndStart(queues, max, visibility, wait, Objects.requireNonNull(clock, "clock"));
    }

    /**
     * The batch of {@link #sets}: one transaction, the updates in task id order (so two nodes'
     * batches lock their rows in one order and never deadlock), one commit. A record the
     * database refuses fails that transaction, so nothing of it was stored: then each goes again
     * alone, and only the refused one's caller gets the refusal. A record a lease read of these
     * tasks is dropped first: a find after this write reads the row.
     */
    List<Answer> compareAndSetAll(List<Cas> batch) {
        batch.forEach(cas -> leased.forget(cas.expected.id()));
        if (batch.size() == 1) {
            return List.of(new Answer(compareAndSetOne(batch.get(0)), null));
        }
        try {
            return compareAndSetTogether(batch);
        } catch (IllegalArgumentException e) {
            List<Answer> answers = new ArrayList<>(batch.size());
            for (Cas cas : batch) {
                try {
                    answers.add(new Answer(compareAndSetOne(cas), null));
                } catch (RuntimeException failure) {
                    answers.add(new Answer(false, failure));
                }
            }
            return answers;
        }
    }

    private List<Answer> compareAndSetTogether(List<Cas> batch) {
        List<Integer> order = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            order.add(i);
        }
        // stable: two sets of one task keep their arrival order, and the first one's wins
        order.sort(Comparator.comparing(i -> batch.get(i).expected.id().value()));
        int[] updated = sql.inTransaction("update tasks", c -> {
            int[] counts;
            try (PreparedStatement statement = sql.prepare(c, casSql)) {
                for (int i : order) {
                    bindCas(statement, batch.get(i));
                    statement.addBatch();
                }
                counts = statement.executeBatch();
            }
            ackStored(c, batch, order, counts);
            return counts;
        });
        Answer[] answers = new Answer[batch.size()];
        for (int k = 0; k < order.size(); k++) {
            answers[order.get(k)] = new Answer(updated[k] == 1, null);
        }
        return List.of(answers);
    }

    /** In the batch's transaction: deletes the jobs of the acks whose records were stored. */
    private void ackStored(Connection c, List<Cas> batch, List<Integer> order, int[] updated)
            throws SQLException {
        List<Lease> acks = new ArrayList<>();
        for (int k = 0; k < order.size(); k++) {
            Lease lease = batch.get(order.get(k)).ack;
            if (lease != null && updated[k] == 1) {
                acks.add(lease);
            }
        }
        if (acks.isEmpty()) {
            return;
        }
        try (PreparedStatement statement = sql.prepare(c, ackSql)) {
            for (Lease lease : acks) {
                bindAck(statement, 1, lease);
                statement.addBatch();
            }
            statement.executeBatch();
        }
    }

    private boolean compareAndSetOne(Cas cas) {
        if (cas.ack == null) {
            return sql.run("update a task", c -> {
                try (PreparedStatement statement = sql.prepare(c, casSql)) {
                    bindCas(statement, cas);
                    return statement.executeUpdate() == 1;
                }
            });
        }
        return sql.run("update a task and ack its job", c -> {
            try (PreparedStatement statement = sql.prepare(c, casAndAckSql)) {
                bindAck(statement, bindCas(statement, cas), cas.ack);
                try (ResultSet rows = statement.executeQuery()) {
                    rows.next();
                    return rows.getInt(1) == 1;
                }
            }
        });
    }

    /** Binds the compare-and-set's parameters; returns the next parameter's index. */
    private static int bindCas(PreparedStatement statement, Cas cas) throws SQLException {
        int i = TaskRows.bind(statement, 1, cas.next, false);
        statement.setString(i++, cas.expected.id().value());
        statement.setLong(i++, cas.expected.version());
        return i;
    }

    private static void bindAck(PreparedStatement statement, int i, Lease lease) throws SQLException {
        statement.setLong(i, PostgresJobQueue.jobId(lease));
        statement.setString(i + 1, lease.queue());
        statement.setString(i + 2, lease.token());
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
                    TaskRows.timestamp(statement, 2, cutoff);
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

    /** One caller's compare-and-set, and the lease whose job to ack if it is stored (or null). */
    record Cas(TaskRecord expected, TaskRecord next, Lease ack) {
        Cas(TaskRecord expected, TaskRecord next) {
            this(expected, next, null);
        }
    }

    /** One caller's answer: stored or not, or the failure of its own record when it went alone. */
    record Answer(boolean stored, RuntimeException failure) {
        boolean get() {
            if (failure != null) {
                throw GroupCall.ownCopy(failure); // each caller throws an exception of its own
            }
            return stored;
        }
    }
}
