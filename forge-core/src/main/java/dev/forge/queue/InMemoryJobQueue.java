package dev.forge.queue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.ToLongFunction;

/**
 * A {@link JobQueue} in this JVM's memory: the embedded default, and the reference the Redis
 * queue is tested against.
 *
 * <p>A job of a queue is in one of two ordered sets. Until it is visible it is timed: ordered
 * by the instant it becomes visible (then by enqueue order) - a delayed job when its delay ends,
 * a leased one at its lease's expiry. Once that instant has passed on the injected clock it is
 * ready: ranked by start-time fair queuing (see {@link JobQueue}) and ordered by rank, then
 * enqueue order. Each operation first moves the timed jobs that are due to the ready set, in the
 * order they became visible, so expired leases are redelivered without a sweeper; ranking them
 * late changes nothing, as the queue's virtual time moves only when a job is leased. A job's
 * token changes with every delivery, which is what makes an old holder's ack, extend or release
 * fail.
 *
 * <p>{@code lease} waits in real time for at most {@code wait}, woken by enqueue and release;
 * it re-reads the clock at least every {@value #MAX_WAIT_SLICE_MILLIS} ms, so a clock moved by
 * a test (or a job that becomes due) is noticed. Each queue has its own lock; waiting releases
 * it. After {@link #close()}, waiting leases return empty and enqueue is refused.
 */
public final class InMemoryJobQueue implements JobQueue {

    /** Longest a waiting {@code lease} sleeps before looking at the clock again. */
    public static final long MAX_WAIT_SLICE_MILLIS = 50;

    private static final long MAX_WAIT_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(MAX_WAIT_SLICE_MILLIS);
    private static final long MIN_WAIT_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final Clock clock;
    private final ConcurrentMap<String, QueueState> queues;
    /** Signalled after every enqueue and release in any queue, for multi-queue waiters. */
    private final ReentrantLock anyLock;
    private final Condition anyChanged;
    /** Counts those signals; shared, like the lock, by every instance over the same jobs. */
    private final AtomicLong changes;
    private volatile boolean closed;

    /** A queue on the system clock. */
    public InMemoryJobQueue() {
        this(Clock.systemUTC());
    }

    /**
     * A queue whose delays, visibility and lease expiry follow {@code clock}: this adapter
     * honours an injected clock (a shared backend measures time by its own).
     */
    public InMemoryJobQueue(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.queues = new ConcurrentHashMap<>();
        this.anyLock = new ReentrantLock();
        this.anyChanged = anyLock.newCondition();
        this.changes = new AtomicLong();
    }

    private InMemoryJobQueue(InMemoryJobQueue other) {
        this.clock = other.clock;
        this.queues = other.queues;
        this.anyLock = other.anyLock;
        this.anyChanged = other.anyChanged;
        this.changes = other.changes;
    }

    /**
     * Another instance over the same jobs and clock as {@code other}: a second node on one
     * backend. Closing one instance wakes and ends only its own waiting leases.
     */
    public static InMemoryJobQueue sharing(InMemoryJobQueue other) {
        return new InMemoryJobQueue(Objects.requireNonNull(other, "other"));
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException if the queue is closed
     */
    @Override
    public String enqueue(String queue, String payload, Duration delay, String group) {
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(group, "group");
        requireDelay(delay);
        if (closed) {
            throw new IllegalStateException("job queue is closed");
        }
        QueueState state = queues.computeIfAbsent(queue, k -> new QueueState());
        state.lock.lock();
        try {
            long seq = ++state.lastSeq;
            Job job = new Job(Long.toString(seq), payload, seq, group);
            Instant now = clock.instant();
            job.visibleAt = plusSaturated(now, delay == null ? Duration.ZERO : delay);
            state.jobs.put(job.id, job);
            state.groupJobs.merge(group, 1, Integer::sum);
            if (job.visibleAt.isAfter(now)) {
                state.timed.add(job);
            } else {
                // Visible at once: ranked now rather than by the next lease's promoteDue, after
                // the timed jobs already due (the order promoteDue would give it), which spares
                // a ready job its add to and removal from the timed set.
                state.promoteDue(now);
                state.makeReady(job);
            }
            state.changed.signalAll();
            return job.id;
        } finally {
            state.lock.unlock();
            signalAny();
        }
    }

    /**
     * Waits on one signal shared by all queues, so a job enqueued in any of {@code names} is
     * leased at once.
     */
    @Override
    public Optional<Lease> lease(List<String> names, Duration visibility, Duration wait)
            throws InterruptedException {
        if (names.isEmpty()) {
            throw new IllegalArgumentException("queues must not be empty");
        }
        Objects.requireNonNull(wait, "wait");
        long deadline = System.nanoTime() + saturatedNanos(wait);
        while (!closed) {
            long seen = changes.get();
            for (String name : names) {
                Optional<Lease> lease = lease(name, visibility, Duration.ZERO);
                if (lease.isPresent()) {
                    return lease;
                }
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return Optional.empty();
            }
            anyLock.lockInterruptibly();
            try {
                if (changes.get() == seen && !closed) {
                    // Bounded, like the single-queue wait, so a job that falls due is noticed.
                    anyChanged.awaitNanos(Math.min(remaining, MAX_WAIT_SLICE_NANOS));
                }
            } finally {
                anyLock.unlock();
            }
        }
        return Optional.empty();
    }

    /**
     * Waits for the first job like {@link #lease(List, Duration, Duration)}, then takes up to
     * {@code max - 1} more that are ready now, each queue in turn in its fair order, without
     * waiting: a dispatcher with several free workers fills them in one call.
     */
    @Override
    public List<Lease> lease(List<String> names, int max, Duration visibility, Duration wait)
            throws InterruptedException {
        if (max < 1) {
            throw new IllegalArgumentException("max must be >= 1, was " + max);
        }
        Optional<Lease> first = lease(names, visibility, wait);
        if (first.isEmpty()) {
            return List.of();
        }
        List<Lease> leases = new ArrayList<>(max);
        leases.add(first.get());
        for (String name : names) {
            while (leases.size() < max) {
                Optional<Lease> next = lease(name, visibility, Duration.ZERO);
                if (next.isEmpty()) {
                    break;
                }
                leases.add(next.get());
            }
        }
        return leases;
    }

    private void signalAny() {
        anyLock.lock();
        try {
            changes.incrementAndGet();
            anyChanged.signalAll();
        } finally {
            anyLock.unlock();
        }
    }

    @Override
    public Optional<Lease> lease(String queue, Duration visibility, Duration wait)
            throws InterruptedException {
        Objects.requireNonNull(queue, "queue");
        requirePositive(visibility, "visibility");
        Objects.requireNonNull(wait, "wait");
        if (wait.isNegative()) {
            throw new IllegalArgumentException("wait must be >= 0, was " + wait);
        }
        QueueState state = queues.computeIfAbsent(queue, k -> new QueueState());
        long deadline = System.nanoTime() + saturatedNanos(wait);
        state.lock.lockInterruptibly();
        try {
            while (!closed) {
                Instant now = clock.instant();
                state.promoteDue(now);
                if (!state.heads.isEmpty()) {
                    return Optional.of(deliver(state, queue, now, visibility));
                }
                Job first = state.timed.isEmpty() ? null : state.timed.first();
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return Optional.empty();
                }
                long slice = Math.min(remaining, MAX_WAIT_SLICE_NANOS);
                if (first != null) {
                    long untilDue = saturatedNanos(Duration.between(now, first.visibleAt));
                    slice = Math.min(slice, Math.max(MIN_WAIT_SLICE_NANOS, untilDue));
                }
                state.changed.awaitNanos(slice);
            }
            return Optional.empty();
        } finally {
            state.lock.unlock();
        }
    }

    /** Leases the lowest-ranked ready job. */
    private static Lease deliver(QueueState state, String queue, Instant now, Duration visibility) {
        Job job = state.takeFirstReady();
        // A counter, not a random UUID: the token only has to differ from every earlier delivery's
        // (withHeldJob compares it), and SecureRandom was a quarter of the dispatcher's time.
        job.token = Long.toString(++state.lastToken);
        job.deliveries++;
        job.visibleAt = plusSaturated(now, visibility);
        state.timed.add(job);
        state.forgetIdleGroups();
        return new Lease(queue, job.id, job.payload, job.token, job.deliveries, job.visibleAt);
    }

    @Override
    public boolean extend(Lease lease, Duration visibility) {
        Objects.requireNonNull(lease, "lease");
        requirePositive(visibility, "visibility");
        return withHeldJob(lease, (state, job, now) -> {
            state.timed.remove(job);
            job.visibleAt = plusSaturated(now, visibility);
            state.timed.add(job);
        });
    }

    @Override
    public boolean ack(Lease lease) {
        Objects.requireNonNull(lease, "lease");
        return withHeldJob(lease, (state, job, now) -> {
            state.timed.remove(job);
            state.jobs.remove(job.id);
            state.groupJobs.computeIfPresent(job.group, (g, n) -> n == 1 ? null : n - 1);
        });
    }

    @Override
    public boolean release(Lease lease, Duration delay) {
        Objects.requireNonNull(lease, "lease");
        requireDelay(delay);
        boolean released = withHeldJob(lease, (state, job, now) -> {
            state.timed.remove(job);
            job.token = null;
            job.visibleAt = plusSaturated(now, delay == null ? Duration.ZERO : delay);
            state.timed.add(job);
            state.changed.signalAll();
        });
        if (released) {
            signalAny();
        }
        return released;
    }

    /**
     * Runs {@code action} under the queue's lock if {@code lease} still holds its job: same
     * token, and not expired on the clock. An expired lease is lost even before another worker
     * takes the job, so only one holder can ever act on a delivery.
     */
    private boolean withHeldJob(Lease lease, HeldJobAction action) {
        QueueState state = queues.get(lease.queue());
        if (state == null) {
            return false;
        }
        state.lock.lock();
        try {
            Job job = state.jobs.get(lease.jobId());
            Instant now = clock.instant();
            if (job == null || job.rank != Job.UNRANKED || job.token == null
                    || !job.token.equals(lease.token()) || !now.isBefore(job.visibleAt)) {
                return false;
            }
            action.apply(state, job, now);
            return true;
        } finally {
            state.lock.unlock();
        }
    }

    @Override
    public long depth(String queue) {
        return count(queue, state -> state.jobs.size());
    }

    @Override
    public long depth(String queue, String group) {
        Objects.requireNonNull(group, "group");
        return count(queue, state -> state.groupJobs.getOrDefault(group, 0));
    }

    @Override
    public long waitingGroups(String queue) {
        return count(queue, state -> {
            state.promoteDue(clock.instant());
            return state.readyByGroup.size();
        });
    }

    /** A count read under the queue's lock; 0 for a queue that never had a job. */
    private long count(String queue, ToLongFunction<QueueState> reading) {
        Objects.requireNonNull(queue, "queue");
        QueueState state = queues.get(queue);
        if (state == null) {
            return 0;
        }
        state.lock.lock();
        try {
            return reading.applyAsLong(state);
        } finally {
            state.lock.unlock();
        }
    }

    /** Wakes every waiting {@code lease}, which then returns empty; later enqueues fail. */
    @Override
    public void close() {
        closed = true;
        signalAny();
        for (QueueState state : queues.values()) {
            state.lock.lock();
            try {
                state.changed.signalAll();
            } finally {
                state.lock.unlock();
            }
        }
    }

    private static void requireDelay(Duration delay) {
        if (delay != null && delay.isNegative()) {
            throw new IllegalArgumentException("delay must be >= 0, was " + delay);
        }
    }

    private static void requirePositive(Duration duration, String name) {
        Objects.requireNonNull(duration, name);
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + duration);
        }
    }

    private static long saturatedNanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException e) {
            return duration.isNegative() ? Long.MIN_VALUE / 2 : Long.MAX_VALUE / 2;
        }
    }

    private static Instant plusSaturated(Instant now, Duration duration) {
        try {
            return now.plus(duration);
        } catch (ArithmeticException | java.time.DateTimeException e) {
            return Instant.MAX;
        }
    }

    @FunctionalInterface
    private interface HeldJobAction {
        void apply(QueueState state, Job job, Instant now);
    }

    // Written out rather than Comparator.comparing(...).thenComparing(...): the chained lambdas
    // showed in the dispatcher's profile, once per tree level of every add and poll.
    private static final Comparator<Job> BY_VISIBILITY = (a, b) -> {
        int c = a.visibleAt.compareTo(b.visibleAt);
        return c != 0 ? c : Long.compare(a.seq, b.seq);
    };
    private static final Comparator<Job> BY_RANK = (a, b) -> {
        int c = Long.compare(a.rank, b.rank);
        return c != 0 ? c : Long.compare(a.seq, b.seq);
    };

    /** One named queue; every field is guarded by {@link #lock}. */
    private static final class QueueState {
        final ReentrantLock lock = new ReentrantLock();
        final Condition changed = lock.newCondition();
        final Map<String, Job> jobs = new HashMap<>();
        /** Delayed and leased jobs, by when they become visible. */
        final NavigableSet<Job> timed = new TreeSet<>(BY_VISIBILITY);
        /**
         * The first ready job of each group, by fair rank. A group's ranks only grow (a new rank
         * is above the group's last), so its ready jobs wait in {@link #readyByGroup} in rank
         * order and only its first needs ordering against the other groups': one ordered set
         * over all ready jobs cost every enqueue a descent through tens of thousands of entries
         * under a backlog, where this costs one per group.
         */
        final NavigableSet<Job> heads = new TreeSet<>(BY_RANK);
        /** The rank of the last job leased. */
        long virtualTime;
        /** Each group's last rank; an entry below the virtual time means the same as none. */
        final Map<String, Long> lastRank = new HashMap<>();
        /** Ready jobs per group in rank order (only groups with some); each first is in {@link #heads}. */
        final Map<String, ArrayDeque<Job>> readyByGroup = new HashMap<>();
        /** All jobs per group (only groups with some). */
        final Map<String, Integer> groupJobs = new HashMap<>();
        long lastSeq;
        /** The last delivery's token, as a number; tokens are never reused. */
        long lastToken;

        /** Ranks the timed jobs that are visible at {@code now}, in the order they became visible. */
        void promoteDue(Instant now) {
            while (!timed.isEmpty() && !timed.first().visibleAt.isAfter(now)) {
                makeReady(timed.pollFirst());
            }
        }

        /** Ranks a visible job that is neither timed nor ready and makes it ready. */
        void makeReady(Job job) {
            Long last = lastRank.get(job.group);
            job.rank = last == null ? virtualTime : Math.max(virtualTime, last + 1);
            job.token = null;
            lastRank.put(job.group, job.rank);
            ArrayDeque<Job> line = readyByGroup.get(job.group);
            if (line == null) {
                line = new ArrayDeque<>();
                readyByGroup.put(job.group, line);
            }
            if (line.isEmpty()) {
                heads.add(job);
            }
            line.addLast(job);
        }

        /**
         * Takes the lowest-ranked ready job (there must be one) out of the ready jobs; the
         * virtual time moves to its rank.
         */
        Job takeFirstReady() {
            Job job = heads.pollFirst();
            ArrayDeque<Job> line = readyByGroup.get(job.group);
            line.pollFirst();
            if (line.isEmpty()) {
                readyByGroup.remove(job.group);
            } else {
                heads.add(line.peekFirst());
            }
            virtualTime = job.rank;
            // Set once it left the ordered set: a job's rank must not change while in it.
            job.rank = Job.UNRANKED;
            return job;
        }

        /**
         * Drops last ranks below the virtual time (they rank a group's next job exactly as no
         * entry does), once they outnumber the groups that matter, so memory follows the groups
         * with jobs, not every group ever seen.
         */
        void forgetIdleGroups() {
            if (lastRank.size() > 2 * readyByGroup.size() + 64) {
                lastRank.values().removeIf(rank -> rank < virtualTime);
            }
        }
    }

    /**
     * A job; its {@code visibleAt} may change only while it is out of {@code timed}, its
     * {@code rank} only while out of {@code heads}.
     */
    private static final class Job {
        static final long UNRANKED = Long.MIN_VALUE;

        final String id;
        final String payload;
        final long seq;
        final String group;
        Instant visibleAt;
        /** The fair rank while ready, else {@link #UNRANKED}. */
        long rank = UNRANKED;
        /** The current delivery's token; null while waiting. */
        String token;
        int deliveries;

        Job(String id, String payload, long seq, String group) {
            this.id = id;
            this.payload = payload;
            this.seq = seq;
            this.group = group;
        }
    }
}
