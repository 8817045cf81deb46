package dev.forge.store;

import dev.forge.Internal;
import dev.forge.task.TaskId;
import dev.forge.task.TaskRecord;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Task records a lease read beside its jobs (the job's payload is its task's id), kept for the
 * one {@link TaskStore#find} that follows on this node: the worker's, right after the lease. That
 * find then costs no round trip. An adapter whose store and queue share a backend (PostgreSQL,
 * Redis) gives both the same instance: the queue puts, the store takes. Each record is handed out
 * once, within {@link #MAX_AGE_NANOS} of its lease; a compare-and-set of its task on this node
 * drops it first (so a node reads its own writes). Otherwise the find reads the store.
 *
 * <p>Why a record read a moment early is safe: the executor acts on what it finds only by
 * compare-and-set on the record's version (start, retry, fail) or, for a terminal record, by
 * acking the job - and a terminal task never changes again. If the task changed after the lease
 * read it (a cancel), the compare-and-set fails, the executor finds again and this time reads
 * the store.
 */
@Internal
public final class LeasedRecords {

    /** Older records are not handed out: a worker's find follows its lease within milliseconds. */
    static final long MAX_AGE_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** At most this many are kept (leases whose payloads are task ids no one finds do not pile up). */
    static final int MAX_KEPT = 1_024;

    private final Map<TaskId, Kept> kept = new ConcurrentHashMap<>();
    private final LongSupplier nanoTime;

    /** Records aged by {@link System#nanoTime}. */
    public LeasedRecords() {
        this(System::nanoTime);
    }

    /**
     * Records aged by {@code nanoTime}: for tests, whose machine may pause longer than
     * {@link #MAX_AGE_NANOS} between a lease and its find.
     */
    public LeasedRecords(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /** Keeps {@code record}, read by a lease just now, for the next find of its task. */
    public void put(TaskRecord record) {
        long now = nanoTime.getAsLong();
        if (kept.size() >= MAX_KEPT) {
            kept.values().removeIf(old -> now - old.readAt > MAX_AGE_NANOS);
            if (kept.size() >= MAX_KEPT) {
                return;
            }
        }
        kept.put(record.id(), new Kept(record, now));
    }

    /** The record a lease read for {@code id}, once, if it is recent; empty otherwise. */
    public Optional<TaskRecord> take(TaskId id) {
        Kept found = kept.remove(id);
        if (found == null || nanoTime.getAsLong() - found.readAt > MAX_AGE_NANOS) {
            return Optional.empty();
        }
        return Optional.of(found.record);
    }

    /** Drops what a lease read of {@code id}: a write of it on this node makes that record old. */
    public void forget(TaskId id) {
        kept.remove(id);
    }

    private record Kept(TaskRecord record, long readAt) {
    }
}
