package dev.forge.redis;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Where this node's waiting leases sleep between attempts. A wake-up message for a queue (a job
 * was enqueued or released) wakes one waiter per group of waiters that serve that queue, not
 * all of them, so one new job costs one lease script rather than one per idle worker. A
 * per-queue counter closes the race between "the script found nothing" and "start waiting".
 */
final class LeaseWaiters {

    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, AtomicLong> wakeups = new ConcurrentHashMap<>();
    /** One condition per distinct list of queues waited on. */
    private final Map<List<String>, Condition> groups = new ConcurrentHashMap<>();

    /** A snapshot to pass to {@link #await}: taken before asking Redis. */
    long snapshot(List<String> queues) {
        long sum = 0;
        for (String queue : queues) {
            sum += counter(queue).get();
        }
        return sum;
    }

    /** Sleeps up to {@code nanos} unless a wake-up for one of {@code queues} came since {@code seen}. */
    void await(List<String> queues, long seen, long nanos) throws InterruptedException {
        Condition condition = groups.computeIfAbsent(List.copyOf(queues), k -> lock.newCondition());
        lock.lockInterruptibly();
        try {
            if (snapshot(queues) == seen) {
                condition.awaitNanos(nanos);
            }
        } finally {
            lock.unlock();
        }
    }

    /** A job became visible (or will) in {@code queue}. */
    void wake(String queue) {
        counter(queue).incrementAndGet();
        lock.lock();
        try {
            groups.forEach((queues, condition) -> {
                if (queues.contains(queue)) {
                    condition.signal();
                }
            });
        } finally {
            lock.unlock();
        }
    }

    /** Wakes everyone: after a reconnect (wake-ups may have been lost) and on close. */
    void wakeAll() {
        wakeups.values().forEach(AtomicLong::incrementAndGet);
        lock.lock();
        try {
            groups.values().forEach(Condition::signalAll);
        } finally {
            lock.unlock();
        }
    }

    private AtomicLong counter(String queue) {
        return wakeups.computeIfAbsent(queue, k -> new AtomicLong());
    }
}
