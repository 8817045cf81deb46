package dev.forge.queue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link JobQueue} in this JVM's memory: the embedded default, and the reference the Redis
 * queue is tested against.
 *
 * <p>Every job of a queue sits in one set ordered by the instant it becomes visible (then by
 * enqueue order): a waiting job when its delay ends, a leased one at its lease's expiry.
 * Leasing takes the first job whose instant has passed on the injected clock, so expired leases
 * are redelivered without a sweeper, and a job's token changes with every delivery, which is
 * what makes an old holder's ack, extend or release fail.
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
    public String enqueue(String queue, String payload, Duration delay) {
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(payload, "payload");
        requireDelay(delay);
        if (closed) {
            throw new IllegalStateException("job queue is closed");
        }
        QueueState state = queues.computeIfAbsent(queue, k -> new QueueState());
        state.lock.lock();
        try {
            long seq = ++state.lastSeq;
            Job job = new Job(Long.toString(seq), payload, seq);
            job.visibleAt = plusSaturated(clock.instant(), delay == null ? Duration.ZERO : delay);
            state.jobs.put(job.id, job);
            state.byVisibility.add(job);
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
                Job first = state.byVisibility.isEmpty() ? null : state.byVisibility.first();
                if (first != null && !first.visibleAt.isAfter(now)) {
                    return Optional.of(deliver(state, queue, first, now, visibility));
                }
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

    private static Lease deliver(QueueState state, String queue, Job job, Instant now,
            Duration visibility) {
        state.byVisibility.remove(job);
        job.token = UUID.randomUUID().toString();
        job.deliveries++;
        job.visibleAt = plusSaturated(now, visibility);
        state.byVisibility.add(job);
        return new Lease(queue, job.id, job.payload, job.token, job.deliveries, job.visibleAt);
    }

    @Override
    public boolean extend(Lease lease, Duration visibility) {
        Objects.requireNonNull(lease, "lease");
        requirePositive(visibility, "visibility");
        return withHeldJob(lease, (state, job, now) -> {
            state.byVisibility.remove(job);
            job.visibleAt = plusSaturated(now, visibility);
            state.byVisibility.add(job);
        });
    }

    @Override
    public boolean ack(Lease lease) {
        Objects.requireNonNull(lease, "lease");
        return withHeldJob(lease, (state, job, now) -> {
            state.byVisibility.remove(job);
            state.jobs.remove(job.id);
        });
    }

    @Override
    public boolean release(Lease lease, Duration delay) {
        Objects.requireNonNull(lease, "lease");
        requireDelay(delay);
        boolean released = withHeldJob(lease, (state, job, now) -> {
            state.byVisibility.remove(job);
            job.token = null;
            job.visibleAt = plusSaturated(now, delay == null ? Duration.ZERO : delay);
            state.byVisibility.add(job);
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
            if (job == null || job.token == null || !job.token.equals(lease.token())
                    || !now.isBefore(job.visibleAt)) {
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
        Objects.requireNonNull(queue, "queue");
        QueueState state = queues.get(queue);
        if (state == null) {
            return 0;
        }
        state.lock.lock();
        try {
            return state.jobs.size();
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

    /** One named queue; every field is guarded by {@link #lock}. */
    private static final class QueueState {
        final ReentrantLock lock = new ReentrantLock();
        final Condition changed = lock.newCondition();
        final Map<String, Job> jobs = new HashMap<>();
        final NavigableSet<Job> byVisibility = new TreeSet<>(
                Comparator.comparing((Job j) -> j.visibleAt).thenComparingLong(j -> j.seq));
        long lastSeq;
    }

    /** A job; its {@code visibleAt} may change only while it is out of the ordered set. */
    private static final class Job {
        final String id;
        final String payload;
        final long seq;
        Instant visibleAt;
        /** The current delivery's token; null while waiting. */
        String token;
        int deliveries;

        Job(String id, String payload, long seq) {
            this.id = id;
            this.payload = payload;
            this.seq = seq;
        }
    }
}
