package dev.forge.bench;

import dev.forge.Forge;
import dev.forge.events.EventBus;
import dev.forge.events.TaskEvent;
import dev.forge.queue.Queues;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How a driver learns that the builds it created are done. {@code -Dforge.bench.completion}:
 * <ul>
 *   <li>{@code queue}: the build queue is empty. On Redis and PostgreSQL a job is acked in the
 *       same step as its task's final record is stored, so an empty queue after the creates
 *       means every task is terminal. The driver asks for the queue's depth every 5 ms; no event
 *       reaches it. The peer harnesses count completions inside their own process in the same
 *       spirit (BullMQ: the worker's local {@code completed} event; db-scheduler: a counter in
 *       its task), where a forge driver in another JVM than its workers otherwise subscribes to
 *       every task's events and decodes three per build (on Redis 30-40 µs of the driver's CPU
 *       per build, and Redis's delivery of them). The default of {@code RedisThroughput}.</li>
 *   <li>{@code events}: the driver subscribes to every task's events and counts the DONE ones, as
 *       every driver did before 2026-11-30 21:20 UTC. The default of {@code PostgresThroughput}:
 *       there the depth is a {@code count(*)} over the jobs table, whose dead index entries
 *       (the shared server runs without autovacuum) made it cost about 3 ms at the end of a
 *       run, every 5 ms.</li>
 * </ul>
 */
abstract class Completion implements AutoCloseable {

    /**
     * {@code -Dforge.bench.completion}, or {@code byDefault}: whether the drivers count DONE
     * events (else they wait for an empty queue).
     */
    static boolean byEvents(String byDefault) {
        return "events".equals(System.getProperty("forge.bench.completion", byDefault));
    }

    /** The way {@link #byEvents} chose, for builds created through {@code api}. */
    static Completion chosen(Forge api, boolean byEvents) {
        return byEvents ? new DoneEvents(api.events()) : new EmptyQueue(api);
    }

    /** Starts counting: the builds created from now on are the ones {@link #awaitDone} waits for. */
    abstract void reset();

    /** Waits until the {@code n} builds created since {@link #reset()} are done. */
    final void awaitDone(int n) throws InterruptedException {
        while (!allDone(n)) {
            Thread.sleep(5);
        }
    }

    abstract boolean allDone(int n);

    @Override
    public void close() {
    }

    /** Counts DONE events of every task. */
    private static final class DoneEvents extends Completion {
        private final AtomicInteger done = new AtomicInteger();
        private final EventBus.Subscription subscription;

        DoneEvents(EventBus events) {
            this.subscription = events.subscribe(event -> {
                if (event.type() == TaskEvent.Type.DONE) {
                    done.incrementAndGet();
                }
            });
        }

        @Override
        void reset() {
            done.set(0);
        }

        @Override
        boolean allDone(int n) {
            return done.get() >= n;
        }

        @Override
        public void close() {
            subscription.close();
        }
    }

    /** The build queue is empty: every job was acked with its final record. */
    private static final class EmptyQueue extends Completion {
        private final Forge api;

        EmptyQueue(Forge api) {
            this.api = api;
        }

        @Override
        void reset() {
        }

        @Override
        boolean allDone(int n) {
            return api.queue().depth(Queues.BUILD) == 0;
        }
    }
}
