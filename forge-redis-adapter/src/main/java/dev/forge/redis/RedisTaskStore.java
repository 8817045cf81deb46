package dev.forge.redis;

import dev.forge.queue.JobQueue;
import dev.forge.queue.Lease;
import dev.forge.store.BoundedLog;
import dev.forge.store.LeasedRecords;
import dev.forge.store.LeasedTask;
import dev.forge.store.LogSlice;
import dev.forge.store.TaskStore;
import dev.forge.task.Page;
import dev.forge.task.TaskChanges;
import dev.forge.task.TaskId;
import dev.forge.task.TaskKind;
import dev.forge.task.TaskRecord;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link TaskStore} on Redis (key layout in docs/redis.md):
 *
 * <ul>
 *   <li>one hash per task holding the record as JSON and its version;</li>
 *   <li>per owner and kind, and per kind for every owner, a sorted set whose members sort as
 *       (createdAt, id), so a page newest first is one {@code ZRANGE ... REV} - O(log n + page)
 *       however deep - and the total is {@code ZCARD};</li>
 *   <li>compare-and-set is one Lua script: version check, write, terminal-index update;</li>
 *   <li>each log is a head list, a tail list and a counter hash, appended in batches by one
 *       script with the same head/tail rules and line numbering as in memory;</li>
 *   <li>a terminal index by completion time drives {@link #deleteTerminalBefore}.</li>
 * </ul>
 *
 * A single create, a find and a compare-and-set - the calls each job makes - go through the
 * pipeline shared by this backend's threads (see {@link SharedPipeline}), so concurrent workers
 * share round trips.
 *
 * Made by {@link RedisBackend#taskStore()}; driver failures surface as
 * {@link dev.forge.InfrastructureException}.
 */
public final class RedisTaskStore implements TaskStore {

    private static final LuaScript CREATE = LuaScript.load("task_create", "task_create_lib");
    private static final LuaScript CREATE_ENQUEUE = LuaScript.load("task_create_enqueue", "q_promote", "q_enqueue_lib",
            "task_create_lib");
    private static final LuaScript CAS = LuaScript.load("task_cas", "task_cas_lib");
    private static final LuaScript CAS_ACK = LuaScript.load("task_cas_ack", "task_cas_lib", "q_held_lib");
    private static final LuaScript PAGE = LuaScript.load("task_page");
    private static final LuaScript DELETE_BEFORE = LuaScript.load("task_delete_before");
    private static final LuaScript LOG_APPEND = LuaScript.load("log_append");
    private static final LuaScript LOG_READ = LuaScript.load("log_read");
    private static final LuaScript LOG_AFTER = LuaScript.load("log_after");
    private static final int DELETE_BATCH = 500;
    /** Lines sent per script call: bounds the time one append holds Redis. */
    private static final int APPEND_CHUNK = 1000;
    /** Records created per pipeline: bounds the memory of one batch's replies. */
    private static final int PIPELINE_CHUNK = 1000;
    /**
     * Records per task_create_enqueue.lua call. One per call cost Redis ~25 us more per job than
     * createAll + enqueueAll (each call ranks, counts and numbers its job alone); 250 per call held
     * Redis ~2 ms and slowed the workers' scripts behind it (docs/redis.md). 16 cost ~5 us more
     * per job than the two calls and hold Redis ~0.3 ms.
     */
    private static final int RECORDS_PER_SUBMIT = 16;

    private final RedisCommands redis;
    private final Keys keys;
    private final TaskCodec codec;
    private final int maxLogBytes;
    private final LeasedRecords leased;

    /** @param leased records this backend's queues read with their leases, for the finds that follow */
    RedisTaskStore(RedisCommands redis, TaskCodec codec, int maxLogBytes, LeasedRecords leased) {
        this.redis = redis;
        this.keys = redis.keys();
        this.codec = codec;
        this.maxLogBytes = maxLogBytes;
        this.leased = leased;
    }

    /** The cap on each task's log, in UTF-8 bytes. */
    public int maxLogBytes() {
        return maxLogBytes;
    }

    @Override
    public void create(TaskRecord record) {
        Objects.requireNonNull(record, "record");
        requireCreated(record, redis.evalShared(CREATE, createKeys(record), createArgs(record)));
    }

    /** One pipeline of create scripts for the whole batch (in chunks): one round trip, not one per record. */
    @Override
    public void createAll(List<TaskRecord> records) {
        Objects.requireNonNull(records, "records");
        if (records.size() == 1) {
            create(records.get(0));
            return;
        }
        for (int from = 0; from < records.size(); from += PIPELINE_CHUNK) {
            List<TaskRecord> chunk = records.subList(from, Math.min(records.size(), from + PIPELINE_CHUNK));
            List<List<String>> keyArgs = new ArrayList<>(chunk.size());
            List<List<String>> args = new ArrayList<>(chunk.size());
            for (TaskRecord record : chunk) {
                Objects.requireNonNull(record, "record");
                keyArgs.add(createKeys(record));
                args.add(createArgs(record));
            }
            List<Object> created = redis.evalAll(CREATE, keyArgs, args);
            for (int i = 0; i < chunk.size(); i++) {
                requireCreated(chunk.get(i), created.get(i));
            }
        }
    }

    /**
     * {@inheritDoc} With a queue of this backend, one script (task_create_enqueue.lua) per
     * {@value #RECORDS_PER_SUBMIT} records creates each and, only when it created it, enqueues its
     * job: no crash and no lost connection can leave a stored task without its job. The calls go
     * in one pipeline per {@value #PIPELINE_CHUNK} records, as {@link #createAll}'s, and only the
     * last call of each publishes the wake-up for waiting leases. A record whose id exists gets no
     * job, and this throws as {@link #createAll} does after the others of its chunk were stored
     * and queued. Any other queue takes the default path.
     */
    @Override
    public void createAllAndEnqueue(List<TaskRecord> records, JobQueue queue, String queueName) {
        if (!(queue instanceof RedisJobQueue redisQueue) || !redisQueue.uses(redis)) {
            TaskStore.super.createAllAndEnqueue(records, queue, queueName);
            return;
        }
        Objects.requireNonNull(records, "records");
        Objects.requireNonNull(queueName, "queueName");
        redisQueue.requireOpen();
        List<String> queueKeys = redisQueue.enqueueKeys(queueName);
        String jobPrefix = keys.jobPrefix(queueName);
        String wake = keys.queueWakeChannel(queueName);
        if (records.size() == 1) {
            TaskRecord record = records.get(0);
            List<?> created = (List<?>) redis.evalShared(CREATE_ENQUEUE,
                    submitKeys(queueKeys, records), submitArgs(jobPrefix, wake, records));
            requireCreated(record, created.get(0));
            return;
        }
        for (int from = 0; from < records.size(); from += PIPELINE_CHUNK) {
            List<TaskRecord> chunk = records.subList(from, Math.min(records.size(), from + PIPELINE_CHUNK));
            List<List<String>> keyArgs = new ArrayList<>();
            List<List<String>> args = new ArrayList<>();
            for (int at = 0; at < chunk.size(); at += RECORDS_PER_SUBMIT) {
                int to = Math.min(chunk.size(), at + RECORDS_PER_SUBMIT);
                List<TaskRecord> call = chunk.subList(at, to);
                keyArgs.add(submitKeys(queueKeys, call));
                args.add(submitArgs(jobPrefix, to == chunk.size() ? wake : "", call));
            }
            List<Object> replies = redis.evalAll(CREATE_ENQUEUE, keyArgs, args);
            for (int i = 0; i < chunk.size(); i++) {
                List<?> created = (List<?>) replies.get(i / RECORDS_PER_SUBMIT);
                requireCreated(chunk.get(i), created.get(i % RECORDS_PER_SUBMIT));
            }
        }
    }

    /** task_create_enqueue.lua's keys: the queue's seven, the terminal index, three per record. */
    private List<String> submitKeys(List<String> queueKeys, List<TaskRecord> records) {
        List<String> submitKeys = new ArrayList<>(8 + 3 * records.size());
        submitKeys.addAll(queueKeys);
        submitKeys.add(keys.terminalIndex());
        for (TaskRecord record : records) {
            Objects.requireNonNull(record, "record");
            submitKeys.add(keys.task(record.id()));
            submitKeys.add(keys.ownerIndex(record.kind(), record.owner()));
            submitKeys.add(keys.allIndex(record.kind()));
        }
        return submitKeys;
    }

    /** task_create_enqueue.lua's arguments: job prefix, wake channel, then create's six and the owner per record. */
    private List<String> submitArgs(String jobPrefix, String wake, List<TaskRecord> records) {
        List<String> args = new ArrayList<>(2 + 7 * records.size());
        args.add(jobPrefix);
        args.add(wake);
        for (TaskRecord record : records) {
            args.addAll(createArgs(record));
            args.add(record.owner());
        }
        return args;
    }

    private List<String> createKeys(TaskRecord record) {
        return List.of(keys.task(record.id()), keys.ownerIndex(record.kind(), record.owner()),
                keys.allIndex(record.kind()), keys.terminalIndex());
    }

    private List<String> createArgs(TaskRecord record) {
        return List.of(codec.write(record), Long.toString(record.version()),
                SortKeys.member(record.createdAt(), record.id()), terminalScore(record),
                record.id().value(), completionKey(record));
    }

    private static void requireCreated(TaskRecord record, Object reply) {
        if ((Long) reply == 0L) {
            throw new IllegalArgumentException("task " + record.id() + " already exists");
        }
    }

    /**
     * The task's record: the one this backend's queue read with the job's lease when it is there
     * (see {@link LeasedRecords}: the worker's find after its lease costs no round trip), else
     * read from the task's hash.
     */
    @Override
    public Optional<TaskRecord> find(TaskId id) {
        Objects.requireNonNull(id, "id");
        Optional<TaskRecord> leasedRecord = leased.take(id);
        if (leasedRecord.isPresent()) {
            return leasedRecord;
        }
        String key = keys.task(id);
        String json = redis.hgetShared("find", key, "rec");
        return json == null ? Optional.empty() : Optional.of(codec.read(json));
    }

    @Override
    public Page<TaskRecord> listByOwner(String owner, TaskKind kind, int limit, int offset) {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(kind, "kind");
        return page(keys.ownerIndex(kind, owner), limit, offset);
    }

    @Override
    public Page<TaskRecord> listAll(TaskKind kind, int limit, int offset) {
        Objects.requireNonNull(kind, "kind");
        return page(keys.allIndex(kind), limit, offset);
    }

    private Page<TaskRecord> page(String index, int limit, int offset) {
        Page.requireBounds(limit, offset);
        List<?> reply = (List<?>) redis.eval(PAGE, List.of(index),
                List.of(Integer.toString(offset), Integer.toString(limit), keys.taskPrefix()));
        long total = (Long) reply.get(0);
        List<TaskRecord> items = new ArrayList<>(reply.size() - 1);
        for (int i = 1; i < reply.size(); i++) {
            items.add(codec.read((String) reply.get(i)));
        }
        return new Page<>(items, total, limit, offset);
    }

    @Override
    public boolean compareAndSet(TaskRecord expected, TaskRecord next) {
        TaskChanges.requireSameTask(expected, next);
        leased.forget(next.id()); // a find after this write reads the hash
        Object replaced = redis.evalShared(CAS, List.of(keys.task(next.id()), keys.terminalIndex()),
                casArgs(expected, next, 0));
        return (Long) replaced == 1L;
    }

    /**
     * {@inheritDoc} With a queue of this backend, one script (task_cas_ack.lua) stores and acks:
     * one round trip and one script call per finished job instead of two. Any other queue takes
     * the default path.
     */
    @Override
    public boolean compareAndSetAndAck(TaskRecord expected, TaskRecord next, JobQueue queue, Lease lease) {
        if (!(queue instanceof RedisJobQueue redisQueue) || !redisQueue.uses(redis)) {
            return TaskStore.super.compareAndSetAndAck(expected, next, queue, lease);
        }
        TaskChanges.requireSameTask(expected, next);
        Objects.requireNonNull(lease, "lease");
        leased.forget(next.id());
        List<String> casAckKeys = new ArrayList<>(5);
        casAckKeys.add(keys.task(next.id()));
        casAckKeys.add(keys.terminalIndex());
        casAckKeys.addAll(redisQueue.heldKeys(lease));
        List<String> args = casArgs(expected, next, 2);
        args.add(lease.jobId());
        args.add(lease.token());
        return (Long) redis.evalShared(CAS_ACK, casAckKeys, args) == 1L;
    }

    /**
     * {@inheritDoc} With this backend's queue, the lease's own script starts the tasks
     * (q_lease.lua): one round trip, one atomic step.
     */
    @Override
    public List<LeasedTask> leaseAndStart(JobQueue queue, List<String> queues, int max, Duration visibility,
            Duration wait, Clock clock) throws InterruptedException {
        if (!(queue instanceof RedisJobQueue redisQueue) || !redisQueue.uses(redis)) {
            return TaskStore.super.leaseAndStart(queue, queues, max, visibility, wait, clock);
        }
        return redisQueue.leaseAndStart(queues, max, visibility, wait, Objects.requireNonNull(clock, "clock"));
    }

    /** task_cas_lib.lua's six arguments, in a list with room for {@code more}. */
    private List<String> casArgs(TaskRecord expected, TaskRecord next, int more) {
        List<String> args = new ArrayList<>(6 + more);
        args.add(Long.toString(expected.version()));
        args.add(codec.write(next));
        args.add(Long.toString(next.version()));
        args.add(terminalScore(next));
        args.add(next.id().value());
        args.add(completionKey(next));
        return args;
    }

    @Override
    public long appendLogs(TaskId id, List<String> lines) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(lines, "lines");
        List<String> logKeys = List.of(keys.logMeta(id), keys.logHead(id), keys.logTail(id), keys.task(id));
        long total = 0;
        int from = 0;
        do {
            int to = Math.min(lines.size(), from + APPEND_CHUNK);
            List<String> args = new ArrayList<>(to - from + 2);
            args.add(Integer.toString(maxLogBytes));
            args.add("1"); // lines for a task the store does not hold are ignored (the port says so)
            for (String line : lines.subList(from, to)) {
                args.add(line == null ? "" : line);
            }
            total = (Long) redis.eval(LOG_APPEND, logKeys, args);
            from = to;
        } while (from < lines.size());
        return total;
    }

    @Override
    public String readLog(TaskId id) {
        Objects.requireNonNull(id, "id");
        List<?> reply = (List<?>) redis.eval(LOG_READ,
                List.of(keys.logMeta(id), keys.logHead(id), keys.logTail(id)), List.of());
        long headCount = (Long) reply.get(1);
        long tailCount = (Long) reply.get(2);
        long cutLines = (Long) reply.get(3);
        long cutBytes = (Long) reply.get(4);
        StringBuilder out = new StringBuilder();
        int index = 5;
        for (long i = 0; i < headCount; i++) {
            out.append((String) reply.get(index++)).append('\n');
        }
        if (cutBytes > 0) {
            out.append(BoundedLog.cutMarker(cutLines, cutBytes)).append('\n');
        }
        for (long i = 0; i < tailCount; i++) {
            out.append((String) reply.get(index++)).append('\n');
        }
        return out.toString();
    }

    @Override
    public LogSlice readLogAfter(TaskId id, long afterLine) {
        Objects.requireNonNull(id, "id");
        if (afterLine < 0) {
            throw new IllegalArgumentException("afterLine must be >= 0, was " + afterLine);
        }
        long after = afterLine;
        List<?> reply = (List<?>) redis.eval(LOG_AFTER,
                List.of(keys.logMeta(id), keys.logHead(id), keys.logTail(id)),
                List.of(Long.toString(after)));
        long total = (Long) reply.get(0);
        long first = (Long) reply.get(1);
        boolean truncated = (Long) reply.get(2) == 1L;
        List<String> lines = new ArrayList<>(reply.size() - 3);
        for (int i = 3; i < reply.size(); i++) {
            lines.add((String) reply.get(i));
        }
        return new LogSlice(first, lines, total, truncated);
    }

    @Override
    public int deleteTerminalBefore(Instant cutoff) {
        Objects.requireNonNull(cutoff, "cutoff");
        long deleted = 0;
        while (true) {
            List<?> reply = (List<?>) redis.eval(DELETE_BEFORE, List.of(keys.terminalIndex()),
                    List.of(Long.toString(SortKeys.epochMillis(cutoff)), SortKeys.instant(cutoff),
                            keys.taskPrefix(), keys.logPrefix(), Integer.toString(DELETE_BATCH)));
            deleted += (Long) reply.get(0);
            if ((Long) reply.get(1) < DELETE_BATCH) {
                return (int) Math.min(Integer.MAX_VALUE, deleted);
            }
        }
    }

    /** A terminal record without completedAt counts as completed at its updatedAt, as in memory. */
    private static Instant completedAt(TaskRecord record) {
        return record.completedAt() != null ? record.completedAt() : record.updatedAt();
    }

    private static String terminalScore(TaskRecord record) {
        return record.isTerminal() ? Long.toString(SortKeys.epochMillis(completedAt(record))) : "";
    }

    private static String completionKey(TaskRecord record) {
        return record.isTerminal() ? SortKeys.instant(completedAt(record)) : "";
    }
}
