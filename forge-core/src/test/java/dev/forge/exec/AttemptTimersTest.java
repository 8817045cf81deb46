package dev.forge.exec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forge.events.InMemoryEventBus;
import dev.forge.metrics.ForgeMetrics;
import dev.forge.queue.InMemoryJobQueue;
import dev.forge.queue.JobQueue;
import dev.forge.queue.Lease;
import dev.forge.store.InMemoryTaskStore;
import dev.forge.task.TaskId;
import dev.forge.task.TaskKind;
import dev.forge.task.TaskRecord;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sweep fires each attempt's deadlines when they are due and not before, with a nano clock
 * the test owns and sweeps it calls itself (I/O runs inline), so no timing is left to the
 * machine.
 */
class AttemptTimersTest {

    private static final long MS = 1_000_000L;
    private static final TaskId ID = TaskId.of("t1");

    private final InMemoryJobQueue realQueue = new InMemoryJobQueue();
    private final InMemoryTaskStore store = new InMemoryTaskStore();
    private final AtomicInteger extendCalls = new AtomicInteger();
    private final AtomicBoolean leaseKept = new AtomicBoolean(true);
    private final long[] now = {5_000 * MS};
    private AttemptTimers timers;
    private Lease lease;

    @BeforeEach
    void setUp() throws InterruptedException {
        ExecutorConfig config = ExecutorConfig.custom().leaseVisibility(Duration.ofSeconds(60))
                .heartbeatInterval(Duration.ofMillis(100)).cancelCheckInterval(Duration.ofMinutes(10))
                .hardTimeoutGrace(Duration.ofMillis(500)).build();
        timers = new AttemptTimers(config, null, Runnable::run, countingExtends(), store, () -> now[0]);
        realQueue.enqueue("build", ID.value(), Duration.ZERO, "alice");
        lease = realQueue.lease(List.of("build"), 1, Duration.ofSeconds(60), Duration.ZERO).get(0);
    }

    @Test
    void heartbeat_isDueAnIntervalAfterTheLastOne_andAnOverdueOneIsSentOnce() {
        long start = now[0];
        timers.track(lease, ID, new CancellationSource());

        sweepAt(start + 99 * MS);
        assertThat(extendCalls).hasValue(0);
        sweepAt(start + 100 * MS);
        assertThat(extendCalls).hasValue(1);
        sweepAt(start + 150 * MS);
        assertThat(extendCalls).hasValue(1);

        // a stall of ten seconds: one overdue heartbeat, then the interval again from there
        sweepAt(start + 10_100 * MS);
        assertThat(extendCalls).hasValue(2);
        sweepAt(start + 10_199 * MS);
        assertThat(extendCalls).hasValue(2);
        sweepAt(start + 10_200 * MS);
        assertThat(extendCalls).hasValue(3);
    }

    @Test
    void lostLease_stopsTheAttemptForLeaseLost_andIsNotExtendedAgain() {
        long start = now[0];
        CancellationSource source = new CancellationSource();
        timers.track(lease, ID, source);
        leaseKept.set(false);

        sweepAt(start + 100 * MS);
        assertThat(source.reason()).contains(CancellationToken.Reason.LEASE_LOST);
        sweepAt(start + 1_000 * MS);
        assertThat(extendCalls).hasValue(1);
    }

    @Test
    void timeouts_fireAtTheirDeadlinesInOrder_neverEarly_thenTheAbandonEndsTheClocks() {
        long armedAt = now[0];
        CancellationSource source = new CancellationSource();
        AttemptTimers.Clocks clocks = timers.track(lease, ID, source);
        AtomicInteger abandons = new AtomicInteger();
        clocks.arm(attempt(source), Duration.ofSeconds(1), Duration.ofSeconds(2), abandons::incrementAndGet);

        sweepAt(armedAt + 999 * MS);
        assertThat(source.isCancelled()).isFalse();
        sweepAt(armedAt + 1_000 * MS);
        assertThat(source.reason()).contains(CancellationToken.Reason.SOFT_TIMEOUT);
        assertThat(source.wasRequested(CancellationToken.Reason.HARD_TIMEOUT)).isFalse();
        sweepAt(armedAt + 2_000 * MS);
        assertThat(source.wasRequested(CancellationToken.Reason.HARD_TIMEOUT)).isTrue();
        sweepAt(armedAt + 2_499 * MS);
        assertThat(abandons).hasValue(0);

        sweepAt(armedAt + 2_500 * MS);
        assertThat(abandons).hasValue(1);
        assertThat(timers.trackedCount()).as("an abandoned attempt renews nothing").isZero();
        int extendsSoFar = extendCalls.get();
        sweepAt(armedAt + 60_000 * MS);
        assertThat(abandons).hasValue(1);
        assertThat(extendCalls).hasValue(extendsSoFar);
    }

    @Test
    void stop_forgetsTheLease_andNothingFiresAfterwards() {
        long start = now[0];
        CancellationSource source = new CancellationSource();
        AttemptTimers.Clocks clocks = timers.track(lease, ID, source);
        clocks.arm(attempt(source), Duration.ofSeconds(1), Duration.ofSeconds(2), () -> {
            throw new AssertionError("abandoned after stop");
        });

        clocks.stop();

        assertThat(timers.trackedCount()).isZero();
        sweepAt(start + 60_000 * MS);
        assertThat(source.isCancelled()).isFalse();
        assertThat(extendCalls).hasValue(0);
    }

    @Test
    void aCancelCallbackThatThrows_doesNotStopTheOtherAttemptsTimers() {
        long start = now[0];
        CancellationSource throwing = new CancellationSource();
        throwing.onCancel(reason -> {
            throw new AssertionError("a runner's broken callback");
        });
        CancellationSource other = new CancellationSource();
        timers.track(lease, ID, throwing).arm(attempt(throwing), Duration.ofSeconds(1), Duration.ofSeconds(2), () -> { });
        timers.track(lease, TaskId.of("t2"), other).arm(attempt(other), Duration.ofSeconds(1), Duration.ofSeconds(2), () -> { });

        sweepAt(start + 1_000 * MS);
        sweepAt(start + 2_000 * MS);

        assertThat(throwing.reason()).contains(CancellationToken.Reason.SOFT_TIMEOUT);
        assertThat(other.reason()).contains(CancellationToken.Reason.SOFT_TIMEOUT);
        assertThat(other.wasRequested(CancellationToken.Reason.HARD_TIMEOUT)).as("later sweeps still fire").isTrue();
    }

    private void sweepAt(long nanos) {
        now[0] = nanos;
        timers.sweep(nanos);
    }

    private Attempt attempt(CancellationSource source) {
        Clock clock = Clock.systemUTC();
        InMemoryEventBus events = new InMemoryEventBus();
        TaskRecord started = TaskRecord.create(ID, TaskKind.BUILD, "alice", "demo", "build it", Map.of(),
                List.of(), 3, clock.instant()).start(clock.instant());
        return new Attempt(lease, TaskKind.BUILD, source, started, new LogBuffer(ID, store, events, clock, 100),
                new TaskUpdater(store, events, ForgeMetrics.noop(), clock), store, clock);
    }

    /** The real queue, counting extends and answering them with {@link #leaseKept}. */
    private JobQueue countingExtends() {
        return (JobQueue) Proxy.newProxyInstance(JobQueue.class.getClassLoader(), new Class<?>[] {JobQueue.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("extend")) {
                        extendCalls.incrementAndGet();
                        return leaseKept.get();
                    }
                    try {
                        return method.invoke(realQueue, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
