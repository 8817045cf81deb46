package dev.forge.testing;

import dev.forge.queue.JobQueue;
import dev.forge.queue.Lease;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** A job queue that forwards everything, for tests to override or watch one method. */
public class ForwardingQueue implements JobQueue {

    private final JobQueue delegate;

    /** Forwards every call to {@code delegate}. */
    public ForwardingQueue(JobQueue delegate) {
        this.delegate = delegate;
    }

    @Override
    public String enqueue(String queue, String payload, Duration delay, String group) {
        return delegate.enqueue(queue, payload, delay, group);
    }

    @Override
    public Optional<Lease> lease(String queue, Duration visibility, Duration wait) throws InterruptedException {
        return delegate.lease(queue, visibility, wait);
    }

    @Override
    public Optional<Lease> lease(List<String> queues, Duration visibility, Duration wait)
            throws InterruptedException {
        return delegate.lease(queues, visibility, wait);
    }

    @Override
    public List<Lease> lease(List<String> queues, int max, Duration visibility, Duration wait)
            throws InterruptedException {
        return delegate.lease(queues, max, visibility, wait);
    }

    @Override
    public List<String> enqueueAll(String queue, List<String> payloads, Duration delay, List<String> groups) {
        return delegate.enqueueAll(queue, payloads, delay, groups);
    }

    @Override
    public boolean extend(Lease lease, Duration visibility) {
        return delegate.extend(lease, visibility);
    }

    @Override
    public boolean ack(Lease lease) {
        return delegate.ack(lease);
    }

    @Override
    public boolean release(Lease lease, Duration delay) {
        return delegate.release(lease, delay);
    }

    @Override
    public long depth(String queue) {
        return delegate.depth(queue);
    }

    @Override
    public long depth(String queue, String group) {
        return delegate.depth(queue, group);
    }

    @Override
    public long waitingGroups(String queue) {
        return delegate.waitingGroups(queue);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
