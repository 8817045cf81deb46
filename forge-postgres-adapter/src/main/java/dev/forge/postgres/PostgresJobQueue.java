package dev.forge.postgres;

import dev.forge.queue.JobQueue;
import dev.forge.queue.Lease;
import dev.forge.store.LeasedRecords;
import dev.forge.store.LeasedTask;
import dev.forge.task.TaskRecord;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link JobQueue} in one PostgreSQL table. A lease is one statement, a call of the schema's
 * {@code lease_jobs} function (see the V2 and V3 migrations): under the queue's clock row lock it
 * ranks the jobs that became visible in start-time fair order across groups, then takes the
 * lowest ranks (as many as the batch asks for) and updates each in place to carry a fresh token
 * and the lease's expiry as its next visibility. Leases of one queue thus run one at a time
 * across the cluster (they are short, and a batch pays for the lock once); that is the price of
 * one fair order for every node. Acks that come while another ack's DELETE is on its way go
 * together in the next one ({@link GroupAck}). Every time - visibility, delays, expiry - is the
 * database's {@code now()}, so the nodes' clocks do not matter.
 *
 * <p>An enqueue NOTIFYs the queue's channel in the same statement (at most once per 20 ms per
 * queue and node, with one trailing NOTIFY for what came in between); idle workers wait on that
 * notification rather than a poll interval, so a job on an idle queue starts within
 * milliseconds, and a worker that leases after a wake-up wakes the next one. Jobs that become visible without a notification (a delay ending, a lease
 * lapsing) are found because a waiting worker also sleeps no longer than until the queue's next
 * visibility time.
 */
public final class PostgresJobQueue implements JobQueue {

    /** A waiting worker re-checks at least this often, whatever it heard. */
    private static final long MAX_NAP_NANOS = TimeUnit.SECONDS.toNanos(1);
    /**
     * At most one NOTIFY per queue per this gap from one node; a job enqueued within the gap is
     * announced by one trailing NOTIFY at its end. PostgreSQL serialises the commits of
     * notifying transactions on one lock (through the WAL flush), so a NOTIFY per enqueue caps
     * enqueues at a few hundred a second; this keeps an idle queue's first job immediate and
     * every other within the gap.
     */
    static final long NOTIFY_GAP_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final Logger LOG = LoggerFactory.getLogger(PostgresJobQueue.class);

    private final Sql sql;
    private final LeasedRecords leased;
    private final PgListener listener;
    private final String channel;
    private final String enqueueSql;
    private final String quietEnqueueSql;
    private final String enqueueAllSql;
    private final String enqueueRankedSql;
    private final String notifySql;
    private final String leaseSql;
    /** As {@link #leaseSql}, and moves the jobs' tasks that wait to run to running; null without records. */
    private final String leaseAndStartSql;
    private final String nextVisibleSql;
    private final String extendSql;
    private final GroupAck acks;
    private final String releaseSql;
    private final String depthSql;
    private final String groupDepthSql;
    private final String waitingGroupsSql;

    private final Consumer<String> onNotify = queue -> {
        lastHeard = queue;
        signal();
    };
    private final Runnable onReconnect = this::signalAll;
    private final ConcurrentMap<String, Announcer> announcers = new ConcurrentHashMap<>();
    private final ScheduledExecutorService announcements;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition signalled = lock.newCondition();
    /** Bumped by every notification; a worker waits only if it has not moved since its check. */
    private long epoch;
    /** The queue named by the latest notification (enqueues and releases NOTIFY their queue's name). */
    private volatile String lastHeard;
    private volatile boolean listening;
    private volatile boolean closed;

    PostgresJobQueue(Sql sql, PgListener listener) {
        this(sql, listener, false);
    }

    /** As {@link #PostgresJobQueue(Sql, PgListener, boolean, LeasedRecords)}, with leases that read no task. */
    PostgresJobQueue(Sql sql, PgListener listener, boolean asyncLeaseCommit) {
        this(sql, listener, asyncLeaseCommit, null);
    }

    /**
     * @param asyncLeaseCommit whether a lease's transaction commits without waiting for the WAL
     *     flush (see {@link PostgresBackend.Builder#asyncLeaseCommit})
     * @param leased where a lease puts the task records of its jobs (a job's payload is its
     *     task's id), read in the lease's statement, for the store's find that follows; null:
     *     leases read no task
     */
    PostgresJobQueue(Sql sql, PgListener listener, boolean asyncLeaseCommit, LeasedRecords leased) {
        this.sql = sql;
        this.leased = leased;
        this.listener = listener;
        this.channel = sql.channel("jobs");
        String jobs = sql.table("jobs");
        String insert = "INSERT INTO " + jobs + " (queue, payload, visible_at, enqueued_at, grp)"
                + " VALUES (?, ?, now() + ? * interval '1 microsecond', now(), ?) RETURNING id";
        this.enqueueSql = "WITH j AS (" + insert + ") SELECT id, pg_notify(?, ?) FROM j";
        this.quietEnqueueSql = insert;
        this.enqueueAllSql = enqueueAllSql(sql, "");
        this.enqueueRankedSql = "SELECT e.id FROM " + sql.table("enqueue_ranked") + "(?, ?::text[], ?::text[]) e(id)"
                + " CROSS JOIN (SELECT pg_notify(?, ?)) announced ORDER BY e.id";
        String leaseJobs = leaseJobsFrom(sql, asyncLeaseCommit);
        String leaseColumns = "l.o_id, l.o_payload, l.o_token, l.o_deliveries, l.o_expires";
        if (leased != null) {
            // each job's task row in the same statement (its payload is the task's id): a lookup
            // by primary key per job ("C" is the id column's collation; the LIMIT keeps the
            // planner from turning the lookups into a scan of the tasks table). The function
            // runs once.
            leaseColumns += ", t.*";
            leaseJobs += " LEFT JOIN LATERAL (SELECT " + TaskRows.COLUMNS + " FROM " + sql.table("tasks")
                    + " WHERE id = l.o_payload COLLATE \"C\" LIMIT 1) t ON true";
        }
        this.leaseSql = "SELECT " + leaseColumns + " FROM " + leaseJobs + " ORDER BY l.ordinality";
        this.leaseAndStartSql = leased == null ? null : leaseAndStartSql(sql, asyncLeaseCommit);
        this.nextVisibleSql = "SELECT extract(epoch FROM min(visible_at) - now()) FROM " + jobs
                + " WHERE queue = ANY (?) AND rank IS NULL";
        this.extendSql = "UPDATE " + jobs + " SET visible_at = now() + ? * interval '1 microsecond'"
                + " WHERE id = ? AND queue = ? AND lease_token = ? AND visible_at > now()";
        this.acks = new GroupAck(sql);
        this.releaseSql = "WITH r AS (UPDATE " + jobs + " SET lease_token = NULL,"
                + " visible_at = now() + ? * interval '1 microsecond'"
                + " WHERE id = ? AND queue = ? AND lease_token = ? AND visible_at > now() RETURNING queue)"
                + " SELECT pg_notify(?, queue) FROM r";
        this.depthSql = "SELECT count(*) FROM " + jobs + " WHERE queue = ?";
        this.groupDepthSql = "SELECT count(*) FROM " + jobs + " WHERE queue = ? AND grp = ?";
        // ready jobs, and timed ones whose time has come (not ranked yet): both are visible
        this.waitingGroupsSql = "SELECT count(DISTINCT grp) FROM " + jobs
                + " WHERE queue = ? AND (rank IS NOT NULL OR (rank IS NULL AND visible_at <= now()))";
        this.notifySql = "SELECT pg_notify(?, ?)";
        this.announcements = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "forge-pg-announce-" + sql.schema());
            thread.setDaemon(true);
            return thread;
        });
    }

    @Override
    public String enqueue(String queue, String payload, Duration delay, String group) {
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(group, "group");
        long delayMicros = micros(requireNotNegative(delay, "delay"));
        boolean announce = announcer(queue).claim();
        return sql.run("enqueue a job", c -> {
            try (PreparedStatement statement = sql.prepare(c, announce ? enqueueSql : quietEnqueueSql)) {
                statement.setString(1, queue);
                statement.setString(2, payload);
                statement.setLong(3, delayMicros);
                statement.setString(4, group);
                if (announce) {
                    statement.setString(5, channel);
                    statement.setString(6, queue);
                }
                try (ResultSet rows = statement.executeQuery()) {
                    rows.next();
                    return Long.toString(rows.getLong(1));
                }
            }
        });
    }

    /**
     * Enqueues every payload in one multi-row INSERT (one statement, one commit, one NOTIFY), as
     * the same number of {@link #enqueue} calls would; ids are drawn in insertion order, so they
     * come back in the order of {@code payloads}.
     */
    @Override
    public List<String> enqueueAll(String queue, List<String> payloads, Duration delay, List<String> groups) {
        Objects.requireNonNull(queue, "queue");
        payloads.forEach(payload -> Objects.requireNonNull(payload, "payload"));
        groups.forEach(group -> Objects.requireNonNull(group, "group"));
        if (payloads.size() != groups.size()) {
            throw new IllegalArgumentException("payloads and groups differ in size: " + payloads.size()
                    + " and " + groups.size());
        }
        long delayMicros = micros(requireNotNegative(delay, "delay"));
        if (payloads.isEmpty()) {
            return List.of();
        }
        return sql.run("enqueue jobs", c -> enqueueAll(c, queue, payloads, delayMicros, groups));
    }

    /**
     * {@link #enqueueAll}'s statement: one multi-row INSERT and one NOTIFY, returning the ids in
     * insertion order. {@code ctes} are common table expressions that go first in the same
     * statement ({@code "name AS (...), "} each, or {@code ""}), their parameters before the
     * enqueue's (see {@link #bindEnqueueAll}): how the task store inserts a task and its job in
     * one statement.
     */
    static String enqueueAllSql(Sql sql, String ctes) {
        return "WITH " + ctes + "j AS (INSERT INTO " + sql.table("jobs") + " (queue, payload, visible_at, enqueued_at, grp)"
                + " SELECT ?, u.payload, now() + ? * interval '1 microsecond', now(), u.grp"
                + " FROM unnest(?::text[], ?::text[]) WITH ORDINALITY AS u(payload, grp, n) ORDER BY u.n RETURNING id)"
                + " SELECT j.id FROM j CROSS JOIN (SELECT pg_notify(?, ?)) announced ORDER BY j.id";
    }

    /** Binds {@link #enqueueAllSql}'s enqueue parameters from index {@code i} on. */
    void bindEnqueueAll(Connection c, PreparedStatement statement, int i, String queue, List<String> payloads,
            long delayMicros, List<String> groups) throws SQLException {
        statement.setString(i, queue);
        statement.setLong(i + 1, delayMicros);
        statement.setArray(i + 2, c.createArrayOf("text", payloads.toArray()));
        statement.setArray(i + 3, c.createArrayOf("text", groups.toArray()));
        statement.setString(i + 4, channel);
        statement.setString(i + 5, queue);
    }

    /**
     * {@link #enqueueAll}'s statement on {@code c}, in its transaction when one is open (the
     * task store's {@link PostgresTaskStore#createAllAndEnqueue}): the NOTIFY is then sent when,
     * and only if, that transaction commits.
     */
    List<String> enqueueAll(Connection c, String queue, List<String> payloads, long delayMicros,
            List<String> groups) throws SQLException {
        boolean ranked = delayMicros == 0 && payloads.size() > 1;
        try (PreparedStatement statement = sql.prepare(c, ranked ? enqueueRankedSql : enqueueAllSql)) {
            if (ranked) {
                statement.setString(1, queue);
                statement.setArray(2, c.createArrayOf("text", payloads.toArray()));
                statement.setArray(3, c.createArrayOf("text", groups.toArray()));
                statement.setString(4, channel);
                statement.setString(5, queue);
            } else {
                bindEnqueueAll(c, statement, 1, queue, payloads, delayMicros, groups);
            }
            List<String> ids = new ArrayList<>(payloads.size());
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    ids.add(Long.toString(rows.getLong(1)));
                }
            }
            return ids;
        }
    }

    private Announcer announcer(String queue) {
        return announcers.computeIfAbsent(queue, Announcer::new);
    }

    /** The trailing NOTIFY of a queue whose enqueues went quiet within the gap. */
    private void announce(String queue) {
        try {
            sql.run("announce a queue", c -> {
                try (PreparedStatement statement = sql.prepare(c, notifySql)) {
                    statement.setString(1, channel);
                    statement.setString(2, queue);
                    statement.execute();
                }
                return null;
            });
        } catch (RuntimeException e) {
            // waiting workers still find the job when their nap ends
            LOG.warn("announcing jobs in queue {} failed", queue, e);
        }
    }

    @Override
    public Optional<Lease> lease(String queue, Duration visibility, Duration wait)
            throws InterruptedException {
        Objects.requireNonNull(queue, "queue");
        return lease(List.of(queue), visibility, wait);
    }

    /**
     * Leases from the first of {@code queues} with a visible job; while none has one, waits for
     * a notification on any of them (or their next visibility time), up to {@code wait}.
     */
    @Override
    public Optional<Lease> lease(List<String> queues, Duration visibility, Duration wait)
            throws InterruptedException {
        List<Lease> leases = lease(queues, 1, visibility, wait);
        return leases.isEmpty() ? Optional.empty() : Optional.of(leases.get(0));
    }

    /**
     * Leases up to {@code max} jobs, one {@code lease_jobs} call per queue (see the V3
     * migration): the queue's lock, ranking and commit are paid once for the batch. Returns what
     * the first queue with a visible job has (the caller asks again for the rest, starting
     * from another queue); while none has one, waits as the single lease does, and after a
     * wake-up tries the queue named by the notification first.
     */
    @Override
    public List<Lease> lease(List<String> queues, int max, Duration visibility, Duration wait)
            throws InterruptedException {
        return LeasedTask.leasesOf(leaseAndStart(queues, max, visibility, wait, null));
    }

    /**
     * As {@link #lease(List, int, Duration, Duration)}, and with a {@code clock} (for the store of
     * these tables, {@link dev.forge.store.TaskStore#leaseAndStart}) the same statement moves each
     * leased job's task that waits to run to running at the clock's instant, read before each
     * statement. Without one it starts nothing.
     */
    List<LeasedTask> leaseAndStart(List<String> queues, int max, Duration visibility, Duration wait, Clock clock)
            throws InterruptedException {
        Objects.requireNonNull(queues, "queues");
        Objects.requireNonNull(visibility, "visibility");
        Objects.requireNonNull(wait, "wait");
        if (queues.isEmpty()) {
            throw new IllegalArgumentException("queues must not be empty");
        }
        if (max < 1) {
            throw new IllegalArgumentException("max must be >= 1, was " + max);
        }
        requirePositive(visibility, "visibility");
        requireNotNegative(wait, "wait");
        long visibilityMicros = micros(visibility);
        long deadline = System.nanoTime() + Math.max(0, wait.toNanos());
        boolean waits = wait.toNanos() > 0;
        if (waits) {
            listenOnce();
        }
        boolean waited = false;
        List<LeasedTask> leases = new ArrayList<>(Math.min(max, 64));
        while (true) {
            long seen = epoch();
            for (String queue : waited ? heardFirst(queues) : queues) {
                tryLease(queue, max, visibilityMicros, clock, leases);
                if (!leases.isEmpty()) {
                    // return what this queue had rather than ask the next one too: the caller
                    // hands these to its workers first and asks again for the rest at once
                    break;
                }
            }
            if (!leases.isEmpty()) {
                if (waited) {
                    // jobs may come in bursts with one NOTIFY: pass the wake-up on
                    signal();
                }
                return leases;
            }
            long remaining = deadline - System.nanoTime();
            if (!waits || remaining <= 0 || closed) {
                return leases;
            }
            long nap = Math.min(remaining, Math.min(MAX_NAP_NANOS, untilNextVisible(queues)));
            awaitSignal(seen, nap);
            waited = true;
        }
    }

    /**
     * {@code queues} with the one named by the latest notification first: after a wake-up the
     * job is most likely there, and each empty queue tried first is a round trip more.
     */
    private List<String> heardFirst(List<String> queues) {
        String heard = lastHeard;
        if (heard == null || queues.get(0).equals(heard) || !queues.contains(heard)) {
            return queues;
        }
        List<String> order = new ArrayList<>(queues.size());
        order.add(heard);
        for (String queue : queues) {
            if (!queue.equals(heard)) {
                order.add(queue);
            }
        }
        return order;
    }

    /**
     * Leases up to {@code max} jobs of {@code queue} in one call, adding them to {@code leases};
     * with a {@code clock} (and records), starts their tasks in the same statement.
     */
    private void tryLease(String queue, int max, long visibilityMicros, Clock clock, List<LeasedTask> leases) {
        boolean starts = clock != null && leaseAndStartSql != null;
        sql.run("lease jobs", c -> {
            try (PreparedStatement statement = sql.prepare(c, starts ? leaseAndStartSql : leaseSql)) {
                statement.setString(1, queue);
                statement.setInt(2, max);
                statement.setLong(3, visibilityMicros);
                if (starts) {
                    TaskRows.timestamp(statement, 4, clock.instant());
                }
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        Lease lease = new Lease(queue, Long.toString(rows.getLong(1)),
                                rows.getString(2), rows.getString(3), rows.getInt(4),
                                TaskRows.instant(rows, 5));
                        TaskRecord started = null;
                        // with a start: the flag, the started task's columns, then the stored one's
                        int stored = starts ? 7 + TaskRows.COLUMN_COUNT : 6;
                        if (starts && rows.getBoolean(6)) {
                            started = TaskRows.read(rows, 7);
                        } else if (leased != null && rows.getString(stored) != null) {
                            leased.put(TaskRows.read(rows, stored));
                        }
                        leases.add(new LeasedTask(lease, started));
                    }
                    return null;
                }
            }
        });
    }

    /**
     * The lease statement that also starts the leased jobs' tasks: lease_jobs, then one UPDATE of
     * the tasks that wait to run (initializing), to what TaskRecord.start gives at the one
     * parameter after the lease's three, then each job with its task - as the UPDATE returned it
     * when it started it, else as stored (the tasks read by the outer query are those before the
     * UPDATE, which are the ones it did not change). The UPDATE finds its tasks by
     * {@code id = ANY (<the payloads>)}, an index lookup each: a join with the lease's rows was
     * planned as a scan of the whole table. A task named by two jobs is started for the first; the
     * second gets no record (the one read before the UPDATE is old).
     */
    private static String leaseAndStartSql(Sql sql, boolean asyncLeaseCommit) {
        String leaseJobs = leaseJobsFrom(sql, asyncLeaseCommit);
        String tasks = sql.table("tasks");
        return "WITH l AS MATERIALIZED (SELECT l.o_id, l.o_payload, l.o_token, l.o_deliveries, l.o_expires,"
                + " l.ordinality, row_number() OVER (PARTITION BY l.o_payload ORDER BY l.ordinality) AS k"
                + " FROM " + leaseJobs + "),"
                + " s AS (UPDATE " + tasks + " t SET status = 'RUNNING', progress = 0, current_step = NULL,"
                + " attempt = t.attempt + 1, error_code = NULL, error_message = NULL, updated_at = x.at,"
                + " started_at = x.at, completed_at = NULL, finished_at = NULL, version = t.version + 1"
                + " FROM (SELECT ?::timestamptz AS at) x"
                + " WHERE t.id = ANY (ARRAY(SELECT l.o_payload COLLATE \"C\" FROM l)) AND t.status = 'INITIALIZING'"
                + " RETURNING " + TaskRows.columnsOf("t") + ")"
                + " SELECT l.o_id, l.o_payload, l.o_token, l.o_deliveries, l.o_expires, s.id IS NOT NULL AND l.k = 1, "
                + TaskRows.columnsOf("s") + ", r.*"
                + " FROM l LEFT JOIN s ON s.id = l.o_payload COLLATE \"C\""
                + " LEFT JOIN LATERAL (SELECT " + TaskRows.COLUMNS + " FROM " + tasks
                + " WHERE s.id IS NULL AND id = l.o_payload COLLATE \"C\" LIMIT 1) r ON true"
                + " ORDER BY l.ordinality";
    }

    /**
     * The FROM item of a lease: a {@code lease_jobs} call (its three parameters first in the
     * statement) whose rows are numbered {@code l.ordinality}, in an asynchronously committed
     * transaction with {@code asyncLeaseCommit} (set_config(..., true) holds to the end of the
     * statement's transaction, so it applies to that transaction's commit only).
     */
    private static String leaseJobsFrom(Sql sql, boolean asyncLeaseCommit) {
        String leaseJobs = sql.table("lease_jobs") + "(?, ?, ?) WITH ORDINALITY l";
        return asyncLeaseCommit ? "set_config('synchronous_commit', 'off', true) s, " + leaseJobs : leaseJobs;
    }

    /** Nanoseconds until the earliest job of {@code queues} is visible; MAX_NAP when none waits. */
    private long untilNextVisible(List<String> queues) {
        return sql.run("look at the queue", c -> {
            try (PreparedStatement statement = sql.prepare(c, nextVisibleSql)) {
                statement.setArray(1, c.createArrayOf("text", queues.toArray()));
                try (ResultSet rows = statement.executeQuery()) {
                    rows.next();
                    double seconds = rows.getDouble(1);
                    if (rows.wasNull()) {
                        return MAX_NAP_NANOS;
                    }
                    // a millisecond of slack, so the next check finds the job visible
                    return Math.max(0, (long) (seconds * 1e9)) + TimeUnit.MILLISECONDS.toNanos(1);
                }
            }
        });
    }

    private void listenOnce() {
        if (!listening) {
            synchronized (this) {
                if (!listening) {
                    listener.listen(channel, onNotify);
                    listener.onReconnect(onReconnect);
                    listening = true;
                }
            }
        }
    }

    private long epoch() {
        lock.lock();
        try {
            return epoch;
        } finally {
            lock.unlock();
        }
    }

    /**
     * One notification wakes one waiting worker: a job needs one, and waking them all would make
     * every idle worker query for it. A worker that was about to wait sees the epoch moved and
     * tries again; others wake on their nap's end.
     */
    private void signal() {
        lock.lock();
        try {
            epoch++;
            signalled.signal();
        } finally {
            lock.unlock();
        }
    }

    private void signalAll() {
        lock.lock();
        try {
            epoch++;
            signalled.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void awaitSignal(long seen, long nanos) throws InterruptedException {
        lock.lock();
        try {
            long left = nanos;
            while (epoch == seen && left > 0 && !closed) {
                left = signalled.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean extend(Lease lease, Duration visibility) {
        Objects.requireNonNull(lease, "lease");
        long visibilityMicros = micros(requirePositive(visibility, "visibility"));
        long id = jobId(lease);
        if (id < 0) {
            return false;
        }
        return sql.run("extend a lease", c -> {
            try (PreparedStatement statement = sql.prepare(c, extendSql)) {
                statement.setLong(1, visibilityMicros);
                statement.setLong(2, id);
                statement.setString(3, lease.queue());
                statement.setString(4, lease.token());
                return statement.executeUpdate() == 1;
            }
        });
    }

    @Override
    public boolean ack(Lease lease) {
        Objects.requireNonNull(lease, "lease");
        long id = jobId(lease);
        if (id < 0) {
            return false;
        }
        return acks.ack(id, lease.queue(), lease.token());
    }

    @Override
    public boolean release(Lease lease, Duration delay) {
        Objects.requireNonNull(lease, "lease");
        long delayMicros = micros(requireNotNegative(delay, "delay"));
        long id = jobId(lease);
        if (id < 0) {
            return false;
        }
        return sql.run("release a job", c -> {
            try (PreparedStatement statement = sql.prepare(c, releaseSql)) {
                statement.setLong(1, delayMicros);
                statement.setLong(2, id);
                statement.setString(3, lease.queue());
                statement.setString(4, lease.token());
                statement.setString(5, channel);
                try (ResultSet rows = statement.executeQuery()) {
                    return rows.next();
                }
            }
        });
    }

    @Override
    public long depth(String queue) {
        Objects.requireNonNull(queue, "queue");
        return sql.run("count a queue", c -> {
            try (PreparedStatement statement = sql.prepare(c, depthSql)) {
                statement.setString(1, queue);
                try (ResultSet rows = statement.executeQuery()) {
                    rows.next();
                    return rows.getLong(1);
                }
            }
        });
    }

    @Override
    public long depth(String queue, String group) {
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(group, "group");
        return sql.run("count a group's jobs", c -> {
            try (PreparedStatement statement = sql.prepare(c, groupDepthSql)) {
                statement.setString(1, queue);
                statement.setString(2, group);
                try (ResultSet rows = statement.executeQuery()) {
                    rows.next();
                    return rows.getLong(1);
                }
            }
        });
    }

    @Override
    public long waitingGroups(String queue) {
        Objects.requireNonNull(queue, "queue");
        return sql.run("count waiting groups", c -> {
            try (PreparedStatement statement = sql.prepare(c, waitingGroupsSql)) {
                statement.setString(1, queue);
                try (ResultSet rows = statement.executeQuery()) {
                    rows.next();
                    return rows.getLong(1);
                }
            }
        });
    }

    /** Wakes waiting workers, which then return empty; the backend's owner closes the pool. */
    @Override
    public void close() {
        closed = true;
        announcements.shutdownNow();
        listener.unlisten(channel, onNotify);
        listener.removeReconnectHook(onReconnect);
        signalAll();
    }

    /** Whether this queue's jobs are in the tables {@code other} reaches (one pool, one schema). */
    boolean sharesTables(Sql other) {
        return sql.sameTables(other);
    }

    /** The lease's job id as this queue makes them, or -1 for one it never made (a lost lease). */
    static long jobId(Lease lease) {
        try {
            return Long.parseLong(lease.jobId());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static Duration requireNotNegative(Duration duration, String name) {
        if (duration != null && duration.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, was " + duration);
        }
        return duration;
    }

    private static Duration requirePositive(Duration duration, String name) {
        Objects.requireNonNull(duration, name);
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + duration);
        }
        return duration;
    }

    /** A duration in microseconds, PostgreSQL's resolution; null is zero. */
    private static long micros(Duration duration) {
        return duration == null ? 0 : duration.toNanos() / 1_000;
    }


    /** Decides, per queue, whether an enqueue NOTIFYs now or leaves it to a trailing NOTIFY. */
    private final class Announcer {
        private final String queue;
        private long lastSent = System.nanoTime() - NOTIFY_GAP_NANOS;
        private boolean trailing;

        Announcer(String queue) {
            this.queue = queue;
        }

        /** True when this enqueue should NOTIFY itself; otherwise a trailing one is scheduled. */
        synchronized boolean claim() {
            long now = System.nanoTime();
            if (now - lastSent >= NOTIFY_GAP_NANOS) {
                lastSent = now;
                return true;
            }
            if (!trailing) {
                trailing = true;
                try {
                    announcements.schedule(this::trail, lastSent + NOTIFY_GAP_NANOS - now,
                            TimeUnit.NANOSECONDS);
                } catch (RejectedExecutionException e) {
                    trailing = false;
                    return true; // closing: announce it the plain way
                }
            }
            return false;
        }

        private void trail() {
            synchronized (this) {
                trailing = false;
                lastSent = System.nanoTime();
            }
            announce(queue);
        }
    }
}
