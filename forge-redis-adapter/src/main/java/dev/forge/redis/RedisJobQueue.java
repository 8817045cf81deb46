package dev.forge.redis;

import dev.forge.queue.JobQueue;
import dev.forge.queue.Lease;
import dev.forge.store.LeasedRecords;
import dev.forge.store.LeasedTask;
import dev.forge.task.Instants;
import dev.forge.task.TaskRecord;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A {@link JobQueue} on Redis: per queue, a timer sorted set whose score is the instant (Redis
 * time, epoch ms) a job not yet visible becomes visible, a ready sorted set of visible jobs
 * scored by fair rank, the queue's virtual time and per-group bookkeeping (last rank, visible
 * jobs, all jobs); and one hash per job (payload, group, current token, deliveries). Every
 * operation is one Lua script that reads Redis {@code TIME} itself, so leases, delays and
 * expiry are decided by the server's clock and never by a worker's, and the fair order is
 * decided in one place for every node.
 *
 * <ul>
 *   <li>Leasing first ranks the timer entries that are due (moving them to the ready set), then
 *       takes the lowest rank and puts the job back on the timer set at the lease's expiry: a
 *       worker that dies simply lets the score pass, and the job is due again - no sweeper, no
 *       visibility-timeout duplicates while the holder extends its lease.</li>
 *   <li>A delayed job (a retry with backoff) is a score in the future; whichever node leases it
 *       first takes it, atomically, so it is delivered exactly once per lapse.</li>
 *   <li>Each delivery gets a new token; extend, ack and release check token and expiry. They go
 *       through the pipeline this backend's threads share (see {@link SharedPipeline}): many
 *       workers acking at once cost one round trip.</li>
 *   <li>An acked job's hash and set entry are deleted: nothing is left behind.</li>
 *   <li>A waiting {@code lease} sleeps on this node until a wake-up message (published by
 *       enqueue and release on the shared subscriber connection), the next due score, or the
 *       idle poll, whichever comes first; it does not poll Redis in a loop.</li>
 * </ul>
 *
 * Made by {@link RedisBackend#jobQueue()}; closing it wakes waiting leases, which return empty.
 */
public final class RedisJobQueue implements JobQueue {

    private static final LuaScript ENQUEUE = LuaScript.load("q_enqueue", "q_promote", "q_enqueue_lib");
    private static final LuaScript LEASE = LuaScript.load("q_lease", "q_promote");
    private static final LuaScript HELD = LuaScript.load("q_held", "q_held_lib");
    private static final LuaScript DEPTH = LuaScript.load("q_depth");

    /** Jobs per enqueue script call: bounds the time one call holds Redis. */
    private static final int ENQUEUE_CHUNK = 1000;

    private final RedisCommands redis;
    private final Keys keys;
    private final RedisSubscriber subscriber;
    private final LeaseWaiters waiters = new LeaseWaiters();
    private final long idlePollNanos;
    private final LeasedRecords leased;
    private final TaskCodec codec;
    private final List<Runnable> unlisten = new ArrayList<>();
    private final java.util.Set<String> listened = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /**
     * @param leased where a lease puts the task records it read beside its jobs (a job's payload
     *               is its task's id), for the finds of this backend's stores that follow
     * @param codec  reads those records
     */
    RedisJobQueue(RedisCommands redis, RedisSubscriber subscriber, Duration idlePoll, LeasedRecords leased,
            TaskCodec codec) {
        this.redis = redis;
        this.keys = redis.keys();
        this.subscriber = subscriber;
        this.idlePollNanos = idlePoll.toNanos();
        this.leased = leased;
        this.codec = codec;
        subscriber.onReconnect(waiters::wakeAll);
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException if the queue is closed
     * @throws dev.forge.InfrastructureException if Redis fails
     */
    @Override
    public String enqueue(String queue, String payload, Duration delay, String group) {
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(group, "group");
        return enqueueAll(queue, List.of(payload), delay, List.of(group)).get(0);
    }

    /**
     * One script call per {@value #ENQUEUE_CHUNK} jobs (one round trip, one wake-up message);
     * the jobs are numbered, and so leased, in the order given. The calls go through the shared
     * pipeline, so API nodes queueing single jobs from many request threads share round trips.
     *
     * @throws IllegalStateException if the queue is closed
     * @throws dev.forge.InfrastructureException if Redis fails
     */
    @Override
    public List<String> enqueueAll(String queue, List<String> payloads, Duration delay, List<String> groups) {
        if (payloads.size() != groups.size()) {
            throw new IllegalArgumentException("payloads and groups differ in size: " + payloads.size()
                    + " and " + groups.size());
        }
        requireOpen();
        String delayMs = Long.toString(delayMillis(delay));
        List<String> queueKeys = enqueueKeys(queue);
        List<String> ids = new ArrayList<>(payloads.size());
        for (int from = 0; from < payloads.size(); from += ENQUEUE_CHUNK) {
            int to = Math.min(payloads.size(), from + ENQUEUE_CHUNK);
            List<String> args = new ArrayList<>(3 + 2 * (to - from));
            args.add(delayMs);
            args.add(keys.jobPrefix(queue));
            args.add(keys.queueWakeChannel(queue));
            for (int i = from; i < to; i++) {
                args.add(Objects.requireNonNull(payloads.get(i), "payload"));
                args.add(Objects.requireNonNull(groups.get(i), "group"));
            }
            for (Object id : (List<?>) redis.evalShared(ENQUEUE, queueKeys, args)) {
                ids.add((String) id);
            }
        }
        return ids;
    }

    /** The seven keys enqueue() in q_enqueue_lib.lua reads and writes for {@code queue}, in its order. */
    List<String> enqueueKeys(String queue) {
        return List.of(keys.queue(queue), keys.queueSeq(queue), keys.queueGroupJobs(queue),
                keys.queueReady(queue), keys.queueClock(queue), keys.queueLastRanks(queue),
                keys.queueReadyGroups(queue));
    }

    @Override
    public Optional<Lease> lease(String queue, Duration visibility, Duration wait)
            throws InterruptedException {
        return lease(List.of(queue), visibility, wait);
    }

    /** One script looks at every queue in order, so several queues cost one round trip. */
    @Override
    public Optional<Lease> lease(List<String> queues, Duration visibility, Duration wait)
            throws InterruptedException {
        List<Lease> leased = lease(queues, 1, visibility, wait);
        return leased.isEmpty() ? Optional.empty() : Optional.of(leased.get(0));
    }

    /**
     * One script leases up to {@code max} jobs, one from each queue in turn: filling several free
     * workers costs one round trip. Each job gets its own token (the first one's, then
     * {@code <token>:<n>}).
     */
    @Override
    public List<Lease> lease(List<String> queues, int max, Duration visibility, Duration wait)
            throws InterruptedException {
        return LeasedTask.leasesOf(leaseAndStart(queues, max, visibility, wait, null));
    }

    /**
     * As {@link #lease(List, int, Duration, Duration)}, and with a {@code clock}, the same script
     * moves each leased job's task that waits to run to running at the clock's instant, read
     * before each call ({@link dev.forge.store.TaskStore#leaseAndStart}, for the store of this
     * backend). Without one it starts nothing.
     */
    List<LeasedTask> leaseAndStart(List<String> queues, int max, Duration visibility, Duration wait, Clock clock)
            throws InterruptedException {
        Objects.requireNonNull(queues, "queues");
        if (queues.isEmpty()) {
            throw new IllegalArgumentException("queues must not be empty");
        }
        if (max < 1) {
            throw new IllegalArgumentException("max must be >= 1, was " + max);
        }
        long visibilityMs = positiveMillis(visibility, "visibility");
        Objects.requireNonNull(wait, "wait");
        if (wait.isNegative()) {
            throw new IllegalArgumentException("wait must be >= 0, was " + wait);
        }
        List<String> zsets = new ArrayList<>(queues.size() * 5);
        List<String> args = new ArrayList<>(queues.size() + 3);
        args.add(Long.toString(visibilityMs));
        args.add("");
        args.add(Integer.toString(max));
        for (String queue : queues) {
            zsets.addAll(leaseKeys(queue));
            args.add(keys.jobPrefix(queue));
        }
        args.add(keys.taskPrefix());
        int startAt = args.size();
        args.add("");
        if (!wait.isZero()) {
            queues.forEach(this::listenForWakeups);
        }
        long deadline = System.nanoTime() + saturatedNanos(wait);
        while (!closed) {
            long seen = waiters.snapshot(queues);
            args.set(1, UUID.randomUUID().toString());
            if (clock != null) {
                args.set(startAt, Instants.format(clock.instant()));
            }
            List<?> reply = (List<?>) redis.evalShared(LEASE, zsets, args);
            int count = (int) (long) (Long) reply.get(0);
            if (count > 0) {
                return leases(queues, reply, count);
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return List.of();
            }
            long nextDueMs = (Long) reply.get(1);
            long slice = Math.min(remaining, idlePollNanos);
            if (nextDueMs >= 0) {
                slice = Math.min(slice, TimeUnit.MILLISECONDS.toNanos(Math.max(1, nextDueMs)));
            }
            waiters.await(queues, seen, slice);
        }
        return List.of();
    }

    /**
     * Reads q_lease.lua's reply: a count, then eight fields per job, the last two its task's
     * record when the payload is a stored task's id and whether the script started that task.
     * A record the script did not start is kept for the find that follows.
     */
    private List<LeasedTask> leases(List<String> queues, List<?> reply, int count) {
        List<LeasedTask> leases = new ArrayList<>(count);
        for (int j = 0; j < count; j++) {
            int at = 1 + 8 * j;
            Lease lease = new Lease(queues.get((int) (long) (Long) reply.get(at) - 1), (String) reply.get(at + 1),
                    (String) reply.get(at + 2), (String) reply.get(at + 5), (int) (long) (Long) reply.get(at + 3),
                    Instant.ofEpochMilli((Long) reply.get(at + 4)));
            TaskRecord started = null;
            if (reply.get(at + 6) instanceof String record) {
                if ((Long) reply.get(at + 7) == 1L) {
                    started = codec.read(record);
                } else {
                    leased.put(codec.read(record));
                }
            }
            leases.add(new LeasedTask(lease, started));
        }
        return leases;
    }

    /** The five keys q_lease.lua reads and writes for one queue, in its order. */
    private List<String> leaseKeys(String queue) {
        return List.of(keys.queue(queue), keys.queueReady(queue), keys.queueClock(queue),
                keys.queueLastRanks(queue), keys.queueReadyGroups(queue));
    }

    private void listenForWakeups(String queue) {
        if (listened.add(queue)) {
            Runnable stop = subscriber.listen(keys.queueWakeChannel(queue), (channel, message) -> waiters.wake(queue));
            synchronized (unlisten) {
                unlisten.add(stop);
            }
        }
    }

    @Override
    public boolean extend(Lease lease, Duration visibility) {
        Objects.requireNonNull(lease, "lease");
        return held(lease, "extend", positiveMillis(visibility, "visibility"));
    }

    @Override
    public boolean ack(Lease lease) {
        Objects.requireNonNull(lease, "lease");
        return held(lease, "ack", 0);
    }

    @Override
    public boolean release(Lease lease, Duration delay) {
        Objects.requireNonNull(lease, "lease");
        return held(lease, "release", delayMillis(delay));
    }

    private boolean held(Lease lease, String action, long millis) {
        Object reply = redis.evalShared(HELD, heldKeys(lease),
                List.of(lease.jobId(), lease.token(), action, Long.toString(millis),
                        keys.queueWakeChannel(lease.queue())));
        return (Long) reply != 0L;
    }

    /** The keys held() in q_held_lib.lua reads and writes for {@code lease}, in its order. */
    List<String> heldKeys(Lease lease) {
        String queue = lease.queue();
        return List.of(keys.queue(queue), keys.jobPrefix(queue) + lease.jobId(), keys.queueGroupJobs(queue));
    }

    /** Whether this queue talks to Redis through {@code commands}: same backend, same keys. */
    boolean uses(RedisCommands commands) {
        return redis == commands;
    }

    /**
     * {@inheritDoc} In the shared pipeline, as {@link #depth(String, String)}: admission asks for
     * both on every create, from as many request threads as there are concurrent creates.
     */
    @Override
    public long depth(String queue) {
        return (Long) redis.evalShared(DEPTH, List.of(keys.queue(queue), keys.queueReady(queue)), List.of());
    }

    @Override
    public long depth(String queue, String group) {
        Objects.requireNonNull(group, "group");
        // shared pipeline: each of its own would take a pooled connection and a round trip
        String count = redis.hgetShared("depth of a group", keys.queueGroupJobs(queue), group);
        return count == null ? 0 : Math.max(0, Long.parseLong(count));
    }

    /** Ranks the due jobs first (as a lease would), so jobs whose delay just ended count. */
    @Override
    public long waitingGroups(String queue) {
        Object count = redis.eval(LEASE, leaseKeys(queue), List.of("count", "", "1", keys.jobPrefix(queue)));
        return (Long) count;
    }

    /** Wakes every waiting lease (they return empty); later enqueues fail. Redis keeps the jobs. */
    @Override
    public void close() {
        closed = true;
        waiters.wakeAll();
        synchronized (unlisten) {
            unlisten.forEach(Runnable::run);
            unlisten.clear();
        }
    }

    /** @throws IllegalStateException if the queue is closed (its enqueues fail) */
    void requireOpen() {
        if (closed) {
            throw new IllegalStateException("job queue is closed");
        }
    }

    /** Null or zero: now. */
    private static long delayMillis(Duration delay) {
        if (delay == null) {
            return 0;
        }
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must be >= 0, was " + delay);
        }
        return saturatedMillis(delay);
    }

    private static long positiveMillis(Duration duration, String name) {
        Objects.requireNonNull(duration, name);
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + duration);
        }
        return Math.max(1, saturatedMillis(duration));
    }

    /** Whole milliseconds, rounded up (a delay is never cut short), capped to keep scores exact. */
    private static long saturatedMillis(Duration duration) {
        long cap = 1L << 50; // ~35,000 years: as good as never, and exact in a double score
        if (duration.getSeconds() >= cap / 1000) {
            return cap;
        }
        long millis = duration.getSeconds() * 1000 + (duration.getNano() + 999_999) / 1_000_000;
        return Math.min(millis, cap);
    }

    private static long saturatedNanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE / 2;
        }
    }
}
