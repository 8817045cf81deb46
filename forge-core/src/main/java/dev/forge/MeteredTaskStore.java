package dev.forge;

import dev.forge.queue.JobQueue;
import dev.forge.queue.Lease;
import dev.forge.store.LeasedTask;
import dev.forge.store.LogSlice;
import dev.forge.store.TaskStore;
import dev.forge.task.Page;
import dev.forge.task.TaskId;
import dev.forge.task.TaskKind;
import dev.forge.task.TaskRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The task store as {@link Forge} uses it: every call is counted in
 * {@code forge_store_calls_total{op}}, because on a shared backend each one is a round trip and
 * their number is what log batching and the other engine choices are judged by. Closing it does
 * nothing: whoever owns the store it wraps closes that.
 */
final class MeteredTaskStore implements TaskStore {

    private final TaskStore delegate;
    private final Counter create;
    private final Counter createAll;
    private final Counter createAllAndEnqueue;
    private final Counter find;
    private final Counter list;
    private final Counter compareAndSet;
    private final Counter compareAndSetAndAck;
    private final Counter leaseAndStart;
    private final Counter appendLogs;
    private final Counter readLog;
    private final Counter deleteTerminal;

    MeteredTaskStore(TaskStore delegate, MeterRegistry registry) {
        this.delegate = delegate;
        this.create = counter(registry, "create");
        this.createAll = counter(registry, "create_all");
        this.createAllAndEnqueue = counter(registry, "create_all_and_enqueue");
        this.find = counter(registry, "find");
        this.list = counter(registry, "list");
        this.compareAndSet = counter(registry, "compare_and_set");
        this.compareAndSetAndAck = counter(registry, "compare_and_set_and_ack");
        this.leaseAndStart = counter(registry, "lease_and_start");
        this.appendLogs = counter(registry, "append_logs");
        this.readLog = counter(registry, "read_log");
        this.deleteTerminal = counter(registry, "delete_terminal");
    }

    private static Counter counter(MeterRegistry registry, String op) {
        return Counter.builder("forge_store_calls_total")
                .description("Calls forge made to its task store, by operation")
                .tag("op", op).register(registry);
    }

    /** The store this one counts the calls to. */
    TaskStore delegate() {
        return delegate;
    }

    @Override
    public void create(TaskRecord record) {
        create.increment();
        delegate.create(record);
    }

    @Override
    public void createAll(List<TaskRecord> records) {
        createAll.increment();
        delegate.createAll(records);
    }

    @Override
    public void createAllAndEnqueue(List<TaskRecord> records, JobQueue queue, String queueName) {
        createAllAndEnqueue.increment();
        delegate.createAllAndEnqueue(records, queue, queueName);
    }

    @Override
    public Optional<TaskRecord> find(TaskId id) {
        find.increment();
        return delegate.find(id);
    }

    @Override
    public Page<TaskRecord> listByOwner(String owner, TaskKind kind, int limit, int offset) {
        list.increment();
        return delegate.listByOwner(owner, kind, limit, offset);
    }

    @Override
    public Page<TaskRecord> listAll(TaskKind kind, int limit, int offset) {
        list.increment();
        return delegate.listAll(kind, limit, offset);
    }

    @Override
    public boolean compareAndSet(TaskRecord expected, TaskRecord next) {
        compareAndSet.increment();
        return delegate.compareAndSet(expected, next);
    }

    /** Passed on, so a store that does both in one step still does (the default would split it). */
    @Override
    public boolean compareAndSetAndAck(TaskRecord expected, TaskRecord next, JobQueue queue, Lease lease) {
        compareAndSetAndAck.increment();
        return delegate.compareAndSetAndAck(expected, next, queue, lease);
    }

    /** Passed on, so a store that leases and starts in one step still does (the default only leases). */
    @Override
    public List<LeasedTask> leaseAndStart(JobQueue queue, List<String> queues, int max, Duration visibility,
            Duration wait, Clock clock) throws InterruptedException {
        leaseAndStart.increment();
        return delegate.leaseAndStart(queue, queues, max, visibility, wait, clock);
    }

    @Override
    public long appendLogs(TaskId id, List<String> lines) {
        appendLogs.increment();
        return delegate.appendLogs(id, lines);
    }

    @Override
    public String readLog(TaskId id) {
        readLog.increment();
        return delegate.readLog(id);
    }

    @Override
    public LogSlice readLogAfter(TaskId id, long afterLine) {
        readLog.increment();
        return delegate.readLogAfter(id, afterLine);
    }

    @Override
    public int deleteTerminalBefore(Instant cutoff) {
        deleteTerminal.increment();
        return delegate.deleteTerminalBefore(cutoff);
    }

    @Override
    public void close() {
        // Not ours to close: see the class comment.
    }
}
