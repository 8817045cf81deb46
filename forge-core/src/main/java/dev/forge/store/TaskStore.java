package dev.forge.store;

import dev.forge.queue.JobQueue;
import dev.forge.queue.Lease;
import dev.forge.task.Page;
import dev.forge.task.TaskId;
import dev.forge.task.TaskKind;
import dev.forge.task.TaskRecord;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Port: where task records and their logs live. Every change after creation is an atomic
 * compare-and-set on the stored version, so a stale writer - a worker whose lease was lost - can
 * never overwrite a newer attempt's result. The domain rules (version + 1, allowed transitions,
 * immutable fields) are not the store's business: callers check them once, in core, with
 * {@link dev.forge.task.TaskChanges#requireValid} before calling {@link #compareAndSet}.
 * Implementations are thread-safe and pass the same {@code TaskStoreContract}.
 */
public interface TaskStore extends AutoCloseable {

    /**
     * Stores a new record.
     *
     * @throws IllegalArgumentException if a task with the same id exists
     */
    void create(TaskRecord record);

    /**
     * Stores new records, as {@link #create} would one by one: for a batch of creations (one
     * round trip to a remote store instead of one per record). The default calls {@link #create}
     * for each, in order; adapters with a cheaper batch override it.
     *
     * @throws IllegalArgumentException if a task with the id of one of them exists; the others
     *                                  may or may not have been stored
     */
    default void createAll(List<TaskRecord> records) {
        records.forEach(this::create);
    }

    /**
     * How forge submits tasks: stores new records, as {@link #createAll} does, and enqueues one
     * job per record on {@code queue}'s queue {@code queueName} - its payload the record's id,
     * its fairness group the record's owner, visible at once - in the records' order. A store
     * that shares its backend with {@code queue} overrides this to do both in one step (one
     * script, one transaction): then no crash, no lost connection, can leave a stored task
     * without the job that would run it, and a submission costs one call instead of two. The
     * default stores, then enqueues; an override given a queue of another backend must do the
     * same.
     *
     * @throws StoredWithoutJobsException from the default when the records were stored but the
     *                                    enqueue failed: the caller must end them, or they would
     *                                    wait forever. Any other exception: the default stored
     *                                    nothing, or (as {@link #createAll}) some records when
     *                                    one id existed; a one-step override stored nothing,
     *                                    or, when one id existed, perhaps some of the others,
     *                                    each with its job
     */
    default void createAllAndEnqueue(List<TaskRecord> records, JobQueue queue, String queueName) {
        createAll(records);
        List<String> payloads = new ArrayList<>(records.size());
        List<String> groups = new ArrayList<>(records.size());
        for (TaskRecord record : records) {
            payloads.add(record.id().value());
            groups.add(record.owner());
        }
        try {
            queue.enqueueAll(queueName, payloads, Duration.ZERO, groups);
        } catch (RuntimeException e) {
            throw new StoredWithoutJobsException(records.size() + " task(s) stored, but not queued", e);
        }
    }

    /** The record with this id, or empty. */
    Optional<TaskRecord> find(TaskId id);

    /**
     * The owner's tasks of one kind, newest first (creation time descending, then id
     * descending), {@code limit} at most from {@code offset}, with the total count.
     */
    Page<TaskRecord> listByOwner(String owner, TaskKind kind, int limit, int offset);

    /**
     * Every owner's tasks of one kind, in the same order as {@link #listByOwner}: for admin
     * views.
     */
    Page<TaskRecord> listAll(TaskKind kind, int limit, int offset);

    /**
     * The atomic compare: replaces the stored record by {@code next} iff the stored version
     * equals {@code expected.version()}. Nothing else is checked here: callers run
     * {@link dev.forge.task.TaskChanges#requireValid} first. Keeps the indexes (owner history,
     * terminal tasks by completion for retention) consistent with {@code next}.
     *
     * @return true if replaced; false if the stored record changed meanwhile or is gone
     * @throws IllegalArgumentException if {@code next} cannot be stored (e.g. results that are
     *                                  not JSON-shaped), or its id differs from {@code expected}'s
     */
    boolean compareAndSet(TaskRecord expected, TaskRecord next);

    /**
     * How a worker ends an attempt: stores {@code next} as {@link #compareAndSet} does and, only
     * when it was stored, acks the job {@code lease} holds on {@code queue}. A store that shares
     * its backend with {@code queue} overrides this to do both in one step - one round trip, one
     * transaction - so ending an attempt costs one call instead of two. The default stores, then
     * acks; an override given a queue of another backend must do the same.
     *
     * @return whether {@code next} was stored (the job is acked then, if the lease still held it:
     *         an ack the lease lost is no error here, as with {@link JobQueue#ack}); false, and
     *         no ack, when the stored record changed meanwhile or is gone
     * @throws IllegalArgumentException as {@link #compareAndSet}, with nothing stored or acked
     */
    default boolean compareAndSetAndAck(TaskRecord expected, TaskRecord next, JobQueue queue, Lease lease) {
        if (!compareAndSet(expected, next)) {
            return false;
        }
        queue.ack(lease);
        return true;
    }

    /**
     * How a worker pool takes its next jobs: leases up to {@code max} jobs of {@code queues} as
     * {@link JobQueue#lease(List, int, Duration, Duration)} does and may, in the same step, move
     * each leased job's task (the job's payload is its id) from {@code initializing} to
     * {@code running}: it stores what {@link TaskRecord#start} gives at {@code clock}'s instant,
     * read when the lease is taken, and returns that record beside the lease. A store that shares
     * its backend with {@code queue} overrides this to do both in one step (one script, one
     * transaction), so a job no longer costs its worker a separate write, and a round trip, to
     * say that it runs. It starts only tasks waiting to run: a task that is running (its job was
     * redelivered: the worker holding it is gone), terminal or unknown is left as it is, for the
     * worker to decide. The default leases only and starts nothing; so must an override given a
     * queue of another backend.
     *
     * <p>The start is not checked by {@link dev.forge.task.TaskChanges#requireValid}, and no
     * event announces it: the caller does both for what it gets back.
     *
     * @return between one and {@code max} leased jobs, each with its started task or null, or
     *         none if no job became visible in time
     */
    default List<LeasedTask> leaseAndStart(JobQueue queue, List<String> queues, int max, Duration visibility,
            Duration wait, Clock clock) throws InterruptedException {
        return LeasedTask.noneStarted(queue.lease(queues, max, visibility, wait));
    }

    /**
     * Appends {@code lines}, in order, to the task's bounded log (head and tail kept, a marker
     * where lines were cut; the byte cap is the adapter's setting).
     *
     * <p>Lines for a task the store does not hold (never created, or already deleted) are
     * ignored and 0 is returned: a log never outlives its record.
     *
     * @return the number of lines ever appended to this task's log, i.e. the 1-based number of
     *         the last line given; an empty list appends nothing and returns the current count
     */
    long appendLogs(TaskId id, List<String> lines);

    /** The task's stored log, one line per {@code \n}, with a marker where lines were cut; "" if none. */
    String readLog(TaskId id);

    /**
     * The stored lines numbered above {@code afterLine} (lines are numbered from 1 in append
     * order), for a client that reconnects after seeing line {@code afterLine}, as one contiguous
     * run. Lines cut by the cap are gone: when the cut lies inside the requested range, the slice
     * holds the kept head lines up to the cut only, and asking again after its last line gives
     * the kept tail with {@link LogSlice#truncated()} set. A caller wanting everything loops until
     * {@code slice.lastLine() == slice.totalLines()}. An unknown task gives
     * {@code LogSlice.empty(0)}.
     *
     * @throws IllegalArgumentException if {@code afterLine} is negative
     */
    LogSlice readLogAfter(TaskId id, long afterLine);

    /** Deletes terminal tasks (and their logs) completed before {@code cutoff}; returns how many. */
    int deleteTerminalBefore(Instant cutoff);

    /** Releases resources; the default does nothing. */
    @Override
    default void close() {
    }
}
