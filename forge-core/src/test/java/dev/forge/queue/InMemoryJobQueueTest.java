package dev.forge.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.forge.testing.Await;
import dev.forge.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The in-memory queue against the shared contract (two nodes: instances made by
 * {@link InMemoryJobQueue#sharing}), plus what only it promises: it honours an injected clock,
 * and its waiting and closing.
 */
class InMemoryJobQueueTest extends JobQueueContract {

    private final MutableClock clock = MutableClock.startingAt2026();
    private InMemoryJobQueue last;

    @Override
    protected JobQueue createQueue() {
        last = new InMemoryJobQueue();
        return last;
    }

    @Override
    protected JobQueue sameBackendQueue() {
        return InMemoryJobQueue.sharing(last);
    }

    @Test
    void leaseSeveral_fillsTheBatchFromEveryQueue_inOneCall() throws Exception {
        InMemoryJobQueue queue = new InMemoryJobQueue();
        queue.enqueue("build", "b1");
        queue.enqueue("build", "b2");
        queue.enqueue("analysis", "a1");
        queue.enqueue("analysis", "a2");

        assertThat(queue.lease(java.util.List.of("build", "analysis"), 3, Duration.ofMinutes(1), Duration.ZERO))
                .extracting(Lease::payload).containsExactly("b1", "b2", "a1");
        assertThat(queue.lease(java.util.List.of("build", "analysis"), 3, Duration.ofMinutes(1), Duration.ZERO))
                .extracting(Lease::payload).containsExactly("a2");
    }

    @Test
    void injectedClock_decidesVisibilityAndExpiryExactly() throws Exception {
        InMemoryJobQueue clocked = new InMemoryJobQueue(clock);
        clocked.enqueue("build", "later", Duration.ofSeconds(30));
        clocked.enqueue("build", "now");

        Lease now = clocked.lease("build", VISIBILITY, Duration.ZERO).orElseThrow();
        assertThat(now.payload()).isEqualTo("now");
        assertThat(now.expiresAt()).isEqualTo(clock.instant().plus(VISIBILITY));
        clock.advance(Duration.ofSeconds(29));
        assertThat(clocked.lease("build", VISIBILITY, Duration.ZERO)).isEmpty();
        assertThat(clocked.extend(now, VISIBILITY)).as("still within its lease").isTrue();
        clock.advance(Duration.ofSeconds(1));
        assertThat(clocked.lease("build", VISIBILITY, Duration.ZERO)).map(Lease::payload).contains("later");

        clock.advance(VISIBILITY);

        assertThat(clocked.extend(now, VISIBILITY)).as("lapsed on the clock").isFalse();
        assertThat(clocked.lease("build", VISIBILITY, Duration.ZERO)).map(Lease::deliveries).contains(2);
    }

    /** Starts a thread that leases with a long wait; returns once it is parked waiting. */
    private CompletableFuture<Optional<Lease>> waitingLease(AtomicReference<Thread> thread) {
        CompletableFuture<Optional<Lease>> result = new CompletableFuture<>();
        Thread leaser = new Thread(() -> {
            try {
                result.complete(queue.lease("build", VISIBILITY, Duration.ofSeconds(30)));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        thread.set(leaser);
        leaser.start();
        Await.until(() -> leaser.getState() == Thread.State.TIMED_WAITING, Duration.ofSeconds(5),
                "the lease to wait");
        return result;
    }

    @Test
    void lease_parkedWaiting_isWokenByEnqueue() throws Exception {
        CompletableFuture<Optional<Lease>> lease = waitingLease(new AtomicReference<>());

        queue.enqueue("build", "wake");

        assertThat(lease.get(PROMPT_SECONDS, TimeUnit.SECONDS)).map(Lease::payload).contains("wake");
    }

    @Test
    void lease_parkedWaiting_isWokenByRelease() throws Exception {
        queue.enqueue("build", "bounce");
        Lease held = leaseNow("build").orElseThrow();
        CompletableFuture<Optional<Lease>> lease = waitingLease(new AtomicReference<>());

        assertThat(queue.release(held, null)).isTrue();

        assertThat(lease.get(PROMPT_SECONDS, TimeUnit.SECONDS)).map(Lease::deliveries).contains(2);
    }

    @Test
    void lease_parkedWaiting_noticesAnExpiredLeaseOnTheClock() throws Exception {
        queue.close();
        queue = new InMemoryJobQueue(clock);
        queue.enqueue("build", "lost");
        leaseNow("build").orElseThrow();
        CompletableFuture<Optional<Lease>> lease = waitingLease(new AtomicReference<>());

        clock.advance(VISIBILITY);

        assertThat(lease.get(PROMPT_SECONDS, TimeUnit.SECONDS)).map(Lease::deliveries).contains(2);
    }

    @Test
    void close_wakesWaitingLeasesEmptyAndRefusesEnqueue() throws Exception {
        CompletableFuture<Optional<Lease>> lease = waitingLease(new AtomicReference<>());

        queue.close();

        assertThat(lease.get(PROMPT_SECONDS, TimeUnit.SECONDS)).isEmpty();
        assertThatThrownBy(() -> queue.enqueue("build", "late")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void lease_interruptedWhileWaiting_throwsInterruptedException() throws Exception {
        AtomicReference<Thread> thread = new AtomicReference<>();
        CompletableFuture<Optional<Lease>> lease = waitingLease(thread);

        thread.get().interrupt();

        assertThatThrownBy(() -> lease.get(PROMPT_SECONDS, TimeUnit.SECONDS))
                .hasCauseInstanceOf(InterruptedException.class);
    }

    @Test
    void lease_hugeVisibility_doesNotOverflow() throws Exception {
        queue.enqueue("build", "forever");

        Lease lease = queue.lease("build", Duration.ofSeconds(Long.MAX_VALUE), Duration.ZERO).orElseThrow();

        assertThat(lease.expiresAt()).isEqualTo(Instant.MAX);
        assertThat(queue.ack(lease)).isTrue();
    }
}
