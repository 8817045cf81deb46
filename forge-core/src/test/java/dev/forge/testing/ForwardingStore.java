package dev.forge.testing;

import dev.forge.store.LogSlice;
import dev.forge.store.TaskStore;
import dev.forge.task.Page;
import dev.forge.task.TaskId;
import dev.forge.task.TaskKind;
import dev.forge.task.TaskRecord;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A task store that forwards every call, for tests to override or watch one method. Only the
 * port's abstract methods are forwarded: its default methods ({@code createAll},
 * {@code createAllAndEnqueue}, {@code compareAndSetAndAck}) run on this wrapper, so an override
 * of {@code create} or {@code compareAndSet} holds for them too.
 */
public class ForwardingStore implements TaskStore {

    private final TaskStore delegate;

    /** Forwards every call to {@code delegate}. */
    public ForwardingStore(TaskStore delegate) {
        this.delegate = delegate;
    }

    @Override
    public void create(TaskRecord record) {
        delegate.create(record);
    }

    @Override
    public Optional<TaskRecord> find(TaskId id) {
        return delegate.find(id);
    }

    @Override
    public Page<TaskRecord> listByOwner(String owner, TaskKind kind, int limit, int offset) {
        return delegate.listByOwner(owner, kind, limit, offset);
    }

    @Override
    public Page<TaskRecord> listAll(TaskKind kind, int limit, int offset) {
        return delegate.listAll(kind, limit, offset);
    }

    @Override
    public boolean compareAndSet(TaskRecord expected, TaskRecord next) {
        return delegate.compareAndSet(expected, next);
    }

    @Override
    public long appendLogs(TaskId id, List<String> lines) {
        return delegate.appendLogs(id, lines);
    }

    @Override
    public String readLog(TaskId id) {
        return delegate.readLog(id);
    }

    @Override
    public LogSlice readLogAfter(TaskId id, long afterLine) {
        return delegate.readLogAfter(id, afterLine);
    }

    @Override
    public int deleteTerminalBefore(Instant cutoff) {
        return delegate.deleteTerminalBefore(cutoff);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
