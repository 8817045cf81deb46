package dev.forge.store;

import dev.forge.queue.InMemoryJobQueue;
import dev.forge.queue.JobQueue;
import dev.forge.queue.Lease;
import dev.forge.task.Page;
import dev.forge.task.TaskChanges;
import dev.forge.task.TaskId;
import dev.forge.task.TaskKind;
import dev.forge.task.TaskRecord;
import dev.forge.task.TaskStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link TaskStore} in this JVM's memory: the embedded default, and the reference the Redis
 * store is tested against.
 *
 * <ul>
 *   <li>Compare-and-set is atomic per task and takes no store-wide lock.</li>
 *   <li>Each (owner, kind) has an index ordered newest first that supports positional access,
 *       so a page costs O(log n + limit) however deep the offset.</li>
 *   <li>Memory is bounded: beyond {@code maxTerminalTasks} finished tasks, the ones that
 *       finished first are evicted with their logs; each log is a {@link BoundedLog}.</li>
 *   <li>Stored results are deep immutable snapshots and must be JSON-shaped, as in a store that
 *       serialises them.</li>
 * </ul>
 *
 * <p>A terminal record without {@code completedAt} (not made by {@link TaskRecord} methods) is
 * treated as completed at its {@code updatedAt}.
 */
public final class InMemoryTaskStore implements TaskStore {

    /** Default for {@link Builder#maxTerminalTasks(int)}. */
    public static final int DEFAULT_MAX_TERMINAL_TASKS = 100_000;

    /**
     * Newest first: createdAt descending, then id descending. Written out rather than chained
     * {@code Comparator.comparing(...)} lambdas, which showed in the profile of every create.
     */
    private static final Comparator<Entry> NEWEST_FIRST = (a, b) -> {
        int c = b.createdAt.compareTo(a.createdAt);
        return c != 0 ? c : b.id.value().compareTo(a.id.value());
    };

    /** Terminal tasks oldest first: completedAt, then id. */
    private static final Comparator<TerminalKey> BY_COMPLETION = (a, b) -> {
        int c = a.completedAt.compareTo(b.completedAt);
        return c != 0 ? c : a.id.compareTo(b.id);
    };

    private final int maxTerminalTasks;
    private final int maxLogBytes;

    // Everything below is shared by the instances made with sharing(): one backend, many nodes.
    private final ConcurrentMap<TaskId, Entry> tasks;
    private final ConcurrentMap<OwnerKey, OwnerIndex> indexes;
    /**
     * Every owner's tasks per kind, for {@link #listAll}; each guarded by its own monitor, taken
     * after an owner index's when both are needed.
     */
    private final Map<TaskKind, RankedIndex<Entry>> byKind;
    /** Terminal tasks by completion, oldest first, for eviction and retention. */
    private final ConcurrentSkipListSet<TerminalKey> terminal;
    /**
     * Size of {@link #terminal}; a skip list's size() walks it. Incremented after an add and
     * decremented before an eviction's poll, so it never exceeds the set's size for long.
     */
    private final AtomicInteger terminalCount;

    /** A store with the defaults: 100,000 terminal tasks, 5 MiB per log. */
    public InMemoryTaskStore() {
        this(builder());
    }

    private InMemoryTaskStore(Builder builder) {
        this.maxTerminalTasks = builder.maxTerminalTasks;
        this.maxLogBytes = builder.maxLogBytes;
        this.tasks = new ConcurrentHashMap<>();
        this.indexes = new ConcurrentHashMap<>();
        this.byKind = new EnumMap<>(TaskKind.class);
        for (TaskKind kind : TaskKind.values()) {
            byKind.put(kind, new RankedIndex<>(NEWEST_FIRST));
        }
        this.terminal = new ConcurrentSkipListSet<>(BY_COMPLETION);
        this.terminalCount = new AtomicInteger();
    }

    private InMemoryTaskStore(InMemoryTaskStore other) {
        this.maxTerminalTasks = other.maxTerminalTasks;
        this.maxLogBytes = other.maxLogBytes;
        this.tasks = other.tasks;
        this.indexes = other.indexes;
        this.byKind = other.byKind;
        this.terminal = other.terminal;
        this.terminalCount = other.terminalCount;
    }

    /**
     * Another instance over the same tasks and logs as {@code other}, with its settings: a
     * second node on one backend, as the contract suite's two-node tests need.
     */
    public static InMemoryTaskStore sharing(InMemoryTaskStore other) {
        return new InMemoryTaskStore(Objects.requireNonNull(other, "other"));
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The cap on stored terminal tasks. */
    public int maxTerminalTasks() {
        return maxTerminalTasks;
    }

    /** The cap on each task's log, in UTF-8 bytes. */
    public int maxLogBytes() {
        return maxLogBytes;
    }

    @Override
    public void create(TaskRecord record) {
        Objects.requireNonNull(record, "record");
        Entry entry = new Entry(snapshot(record));
        OwnerKey key = new OwnerKey(record.owner(), record.kind());
        while (true) {
            OwnerIndex index = indexes.computeIfAbsent(key, k -> new OwnerIndex());
            synchronized (index) {
                if (index.dead) {
                    continue; // emptied and unlinked meanwhile; take the fresh one
                }
                if (tasks.putIfAbsent(record.id(), entry) != null) {
                    retireIfEmpty(key, index);
                    throw new IllegalArgumentException("task " + record.id() + " already exists");
                }
                index.entries.add(entry);
                RankedIndex<Entry> all = byKind.get(record.kind());
                synchronized (all) {
                    all.add(entry);
                }
            }
            break;
        }
        if (record.isTerminal()) {
            addTerminal(entry.record);
        }
    }

    @Override
    public Optional<TaskRecord> find(TaskId id) {
        Objects.requireNonNull(id, "id");
        Entry entry = tasks.get(id);
        return entry == null ? Optional.empty() : Optional.of(entry.record);
    }

    @Override
    public Page<TaskRecord> listByOwner(String owner, TaskKind kind, int limit, int offset) {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(kind, "kind");
        Page.requireBounds(limit, offset);
        OwnerIndex index = indexes.get(new OwnerKey(owner, kind));
        if (index == null) {
            return new Page<>(List.of(), 0, limit, offset);
        }
        synchronized (index) {
            List<TaskRecord> items = index.entries.slice(offset, limit).stream()
                    .map(e -> e.record).toList();
            return new Page<>(items, index.entries.size(), limit, offset);
        }
    }

    @Override
    public Page<TaskRecord> listAll(TaskKind kind, int limit, int offset) {
        Objects.requireNonNull(kind, "kind");
        Page.requireBounds(limit, offset);
        RankedIndex<Entry> all = byKind.get(kind);
        synchronized (all) {
            List<TaskRecord> items = all.slice(offset, limit).stream().map(e -> e.record).toList();
            return new Page<>(items, all.size(), limit, offset);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Besides the version, this store refuses a {@code next} that changes kind, owner or
     * creation time (they place the task in its indexes); {@code TaskChanges} refuses those
     * changes anyway, so a caller that checks first never sees it.
     */
    @Override
    public boolean compareAndSet(TaskRecord expected, TaskRecord next) {
        TaskChanges.requireSameTask(expected, next);
        TaskRecord stored = snapshot(next);
        TaskRecord[] replaced = {null};
        tasks.computeIfPresent(expected.id(), (id, entry) -> {
            TaskRecord current = entry.record;
            if (current.version() == expected.version()) {
                requireSameIdentity(current, stored);
                entry.record = stored;
                replaced[0] = current;
            }
            return entry;
        });
        if (replaced[0] == null) {
            return false;
        }
        // The store checks no rules, so keep the retention index right whatever the change.
        TerminalKey before = terminalKey(replaced[0]);
        TerminalKey after = terminalKey(stored);
        if (before != null && !before.equals(after) && terminal.remove(before)) {
            terminalCount.decrementAndGet();
        }
        if (after != null && !after.equals(before)) {
            addTerminal(stored);
        }
        return true;
    }

    /**
     * {@inheritDoc}
     *
     * <p>With an {@link InMemoryJobQueue} (this JVM's memory too) this store leases, then starts
     * each leased task that is waiting to run, one task at a time: not atomic with the lease,
     * but nothing of either outlives this process, so there is no crash to survive between them.
     */
    @Override
    public List<LeasedTask> leaseAndStart(JobQueue queue, List<String> queues, int max, Duration visibility,
            Duration wait, Clock clock) throws InterruptedException {
        if (!(queue instanceof InMemoryJobQueue)) {
            return TaskStore.super.leaseAndStart(queue, queues, max, visibility, wait, clock);
        }
        List<Lease> leases = queue.lease(queues, max, visibility, wait);
        List<LeasedTask> leased = new ArrayList<>(leases.size());
        Instant now = clock.instant();
        for (Lease lease : leases) {
            TaskId id = TaskId.parseOrNull(lease.payload());
            leased.add(new LeasedTask(lease, id == null ? null : startIfWaiting(id, now)));
        }
        return leased;
    }

    /** The task moved to running at {@code now} if it was waiting to run; null otherwise. */
    private TaskRecord startIfWaiting(TaskId id, Instant now) {
        TaskRecord[] started = {null};
        // initializing to running changes no index: the terminal index holds neither
        tasks.computeIfPresent(id, (key, entry) -> {
            if (entry.record.status() == TaskStatus.INITIALIZING) {
                entry.record = entry.record.start(now);
                started[0] = entry.record;
            }
            return entry;
        });
        return started[0];
    }

    /** Owner, kind and creation time place a task in its indexes, so they must not change. */
    private static void requireSameIdentity(TaskRecord current, TaskRecord next) {
        if (current.kind() != next.kind() || !current.owner().equals(next.owner())
                || !current.createdAt().equals(next.createdAt())) {
            throw new IllegalArgumentException("next must keep the kind, owner and createdAt of task "
                    + current.id());
        }
    }

    /** Lines for a task this store does not hold are ignored (0 is returned). */
    @Override
    public long appendLogs(TaskId id, List<String> lines) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(lines, "lines");
        Entry entry = tasks.get(id);
        return entry == null ? 0 : entry.log(maxLogBytes).appendAll(lines);
    }

    @Override
    public LogSlice readLogAfter(TaskId id, long afterLine) {
        Objects.requireNonNull(id, "id");
        if (afterLine < 0) {
            throw new IllegalArgumentException("afterLine must be >= 0, was " + afterLine);
        }
        Entry entry = tasks.get(id);
        BoundedLog log = entry == null ? null : entry.log;
        return log == null ? LogSlice.empty(0) : log.readAfter(afterLine);
    }

    @Override
    public String readLog(TaskId id) {
        Objects.requireNonNull(id, "id");
        Entry entry = tasks.get(id);
        BoundedLog log = entry == null ? null : entry.log;
        return log == null ? "" : log.read();
    }

    @Override
    public int deleteTerminalBefore(Instant cutoff) {
        Objects.requireNonNull(cutoff, "cutoff");
        int deleted = 0;
        // "" sorts before every real id, so the head set holds exactly completedAt < cutoff.
        for (TerminalKey key : terminal.headSet(new TerminalKey(cutoff, ""))) {
            if (terminal.remove(key)) {
                terminalCount.decrementAndGet();
                if (removeTask(TaskId.of(key.id()))) {
                    deleted++;
                }
            }
        }
        return deleted;
    }

    /** How many tasks are stored (all statuses). */
    public int size() {
        return tasks.size();
    }

    /** How many (owner, kind) indexes exist; for tests that check emptied ones are dropped. */
    int ownerIndexCount() {
        return indexes.size();
    }

    private void addTerminal(TaskRecord record) {
        if (terminal.add(terminalKey(record))) {
            terminalCount.incrementAndGet();
        }
        evictOverflow();
    }

    /** Where a terminal record sits in {@link #terminal}; null when it is not terminal. */
    private static TerminalKey terminalKey(TaskRecord record) {
        if (!record.isTerminal()) {
            return null;
        }
        Instant completed = record.completedAt() != null ? record.completedAt() : record.updatedAt();
        return new TerminalKey(completed, record.id().value());
    }

    private void evictOverflow() {
        while (true) {
            int count = terminalCount.get();
            if (count <= maxTerminalTasks) {
                return;
            }
            // Reserve one eviction first, so racing threads evict exactly the overflow.
            if (!terminalCount.compareAndSet(count, count - 1)) {
                continue;
            }
            TerminalKey oldest = terminal.pollFirst();
            if (oldest == null) {
                terminalCount.incrementAndGet(); // a retention sweep took it; nothing to evict
                return;
            }
            removeTask(TaskId.of(oldest.id()));
        }
    }

    /** Removes a task from the map and its owner index together; false if it was not there. */
    private boolean removeTask(TaskId id) {
        Entry entry = tasks.get(id);
        if (entry == null) {
            return false;
        }
        OwnerKey key = new OwnerKey(entry.owner, entry.kind);
        OwnerIndex index = indexes.get(key);
        if (index == null) {
            boolean removed = tasks.remove(id, entry);
            if (removed) {
                RankedIndex<Entry> all = byKind.get(entry.kind);
                synchronized (all) {
                    all.remove(entry);
                }
            }
            return removed;
        }
        synchronized (index) {
            boolean removed = tasks.remove(id, entry);
            if (removed) {
                index.entries.remove(entry);
                RankedIndex<Entry> all = byKind.get(entry.kind);
                synchronized (all) {
                    all.remove(entry);
                }
                retireIfEmpty(key, index);
            }
            return removed;
        }
    }

    /** Unlinks an empty index so owners that come and go do not leak; caller holds its lock. */
    private void retireIfEmpty(OwnerKey key, OwnerIndex index) {
        if (index.entries.isEmpty()) {
            index.dead = true;
            indexes.remove(key, index);
        }
    }

    private static TaskRecord snapshot(TaskRecord record) {
        if (record.results() == Map.<String, Object>of()) {
            return record; // the shared immutable empty map: nothing to copy
        }
        Map<String, Object> results = JsonTree.snapshot(record.results());
        return new TaskRecord(record.id(), record.kind(), record.owner(), record.projectName(),
                record.goal(), record.parameters(), record.analysisTypes(), record.status(),
                record.progress(), record.currentStep(), record.attempt(), record.maxAttempts(),
                results, record.error(), record.createdAt(), record.updatedAt(),
                record.startedAt(), record.completedAt(), record.version());
    }

    /**
     * One stored task; the fields that place it in its owner index never change. The log is
     * made with the first line: most tasks of an embedding application never log, and an empty
     * log would cost about 200 bytes per task.
     */
    private static final class Entry {
        final TaskId id;
        final String owner;
        final TaskKind kind;
        final Instant createdAt;
        volatile BoundedLog log;
        volatile TaskRecord record;

        Entry(TaskRecord record) {
            this.id = record.id();
            this.owner = record.owner();
            this.kind = record.kind();
            this.createdAt = record.createdAt();
            this.record = record;
        }

        /** The log, made on first use. */
        BoundedLog log(int maxBytes) {
            BoundedLog current = log;
            if (current == null) {
                synchronized (this) {
                    current = log;
                    if (current == null) {
                        current = new BoundedLog(maxBytes);
                        log = current;
                    }
                }
            }
            return current;
        }
    }

    private record OwnerKey(String owner, TaskKind kind) {
        // Written out: the record's generated hashCode showed in the profile of every create.
        @Override
        public int hashCode() {
            return owner.hashCode() * 31 + kind.ordinal();
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof OwnerKey key && key.kind == kind && key.owner.equals(owner);
        }
    }

    private record TerminalKey(Instant completedAt, String id) {
    }

    /** One owner's tasks of one kind; guarded by its own monitor. */
    private static final class OwnerIndex {
        final RankedIndex<Entry> entries = new RankedIndex<>(NEWEST_FIRST);
        /** Set when emptied and unlinked; a creator holding a stale reference retries. */
        boolean dead;
    }

    /**
     * Settings for an {@link InMemoryTaskStore}; every setter fails fast on a bad value.
     */
    public static final class Builder {

        private int maxTerminalTasks = DEFAULT_MAX_TERMINAL_TASKS;
        private int maxLogBytes = BoundedLog.DEFAULT_MAX_BYTES;

        private Builder() {
        }

        /**
         * How many terminal tasks to keep (default 100,000); beyond it, the ones that finished
         * first are evicted with their logs.
         *
         * @throws IllegalArgumentException if below 1
         */
        public Builder maxTerminalTasks(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("maxTerminalTasks must be >= 1, was " + value);
            }
            this.maxTerminalTasks = value;
            return this;
        }

        /**
         * The cap on each task's log in UTF-8 bytes (default 5 MiB); see {@link BoundedLog}.
         *
         * @throws IllegalArgumentException if below {@link BoundedLog#MIN_MAX_BYTES}
         */
        public Builder maxLogBytes(int value) {
            if (value < BoundedLog.MIN_MAX_BYTES) {
                throw new IllegalArgumentException("maxLogBytes must be >= "
                        + BoundedLog.MIN_MAX_BYTES + ", was " + value);
            }
            this.maxLogBytes = value;
            return this;
        }

        /** The store. */
        public InMemoryTaskStore build() {
            return new InMemoryTaskStore(this);
        }
    }
}
