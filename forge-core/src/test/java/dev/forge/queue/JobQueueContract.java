package dev.forge.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.forge.testing.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link JobQueue} must do. An adapter's test extends this class and implements
 * {@link #createQueue}; the queue must be empty and measure visibility on the given clock.
 */
public abstract class JobQueueContract {

    /** The visibility most tests lease with. */
    protected static final Duration VISIBILITY = Duration.ofSeconds(30);
    /** How long a test waits for something that should happen at once. */
    protected static final long PROMPT_SECONDS = 3;

    /** The clock the queue measures visibility with. */
    protected MutableClock clock;
    /** The queue under test. */
    protected JobQueue queue;
    private ExecutorService background;

    /** A new, empty queue on {@code clock}. */
    protected abstract JobQueue createQueue(MutableClock clock);

    @BeforeEach
    void setUpQueue() {
        clock = MutableClock.startingAt2026();
        queue = createQueue(clock);
        background = Executors.newCachedThreadPool();
    }

    @AfterEach
    void closeQueue() {
        background.shutdownNow();
        queue.close();
    }

    /** Leases without waiting. */
    protected Optional<Lease> leaseNow(String name) throws InterruptedException {
        return queue.lease(name, VISIBILITY, Duration.ZERO);
    }

    private Lease mustLease(String name) throws InterruptedException {
        Optional<Lease> lease = leaseNow(name);
        assertThat(lease).as("a visible job in %s", name).isPresent();
        return lease.get();
    }

    // ---- enqueue and lease

    @Test
    void enqueue_returnsDistinctIds() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            ids.add(queue.enqueue("build", "task-" + i));
        }

        assertThat(ids).hasSize(50);
    }

    @Test
    void lease_returnsJobsInEnqueueOrder() throws Exception {
        for (String payload : List.of("a", "b", "c", "d")) {
            queue.enqueue("build", payload);
        }

        List<String> leased = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            leased.add(mustLease("build").payload());
        }

        assertThat(leased).containsExactly("a", "b", "c", "d");
        assertThat(leaseNow("build")).isEmpty();
    }

    @Test
    void lease_describesTheDelivery() throws Exception {
        String id = queue.enqueue("build", "task-1");

        Lease lease = mustLease("build");

        assertThat(lease.queue()).isEqualTo("build");
        assertThat(lease.jobId()).isEqualTo(id);
        assertThat(lease.payload()).isEqualTo("task-1");
        assertThat(lease.deliveries()).isEqualTo(1);
        assertThat(lease.token()).isNotBlank();
        assertThat(lease.expiresAt()).isEqualTo(clock.instant().plus(VISIBILITY));
    }

    @Test
    void lease_emptyQueueWithoutWait_isEmpty() throws Exception {
        assertThat(leaseNow("build")).isEmpty();
    }

    @Test
    void lease_leasedJob_isInvisibleToOthers() throws Exception {
        queue.enqueue("build", "only");
        mustLease("build");

        clock.advance(VISIBILITY.minusSeconds(1));

        assertThat(leaseNow("build")).isEmpty();
    }

    @Test
    void enqueue_notBeforeInTheFuture_isInvisibleUntilTheClockReachesIt() throws Exception {
        queue.enqueue("build", "later", Duration.ofSeconds(30));
        assertThat(leaseNow("build")).isEmpty();
        queue.enqueue("build", "now");
        assertThat(mustLease("build").payload()).as("a visible job passes a delayed one").isEqualTo("now");

        clock.advance(Duration.ofSeconds(29));
        assertThat(leaseNow("build")).isEmpty();

        clock.advance(Duration.ofSeconds(1));
        assertThat(mustLease("build").payload()).isEqualTo("later");
    }

    @Test
    void enqueue_zeroOrNullDelay_isVisibleAtOnce() throws Exception {
        queue.enqueue("build", "zero", Duration.ZERO);
        queue.enqueue("build", "null", null);

        assertThat(mustLease("build").payload()).isEqualTo("zero");
        assertThat(mustLease("build").payload()).isEqualTo("null");
    }

    // ---- expiry, extend, ack, release

    @Test
    void lease_expired_isRedeliveredWithANewTokenAndTheOldOneIsRefused() throws Exception {
        queue.enqueue("build", "task-1");
        Lease first = mustLease("build");

        clock.advance(VISIBILITY.plusSeconds(1));
        Lease second = mustLease("build");

        assertThat(second.jobId()).isEqualTo(first.jobId());
        assertThat(second.payload()).isEqualTo("task-1");
        assertThat(second.deliveries()).isEqualTo(2);
        assertThat(second.token()).isNotEqualTo(first.token());
        assertThat(queue.extend(first, VISIBILITY)).isFalse();
        assertThat(queue.release(first, null)).isFalse();
        assertThat(queue.ack(first)).isFalse();
        assertThat(queue.depth("build")).as("the stale ack removed nothing").isEqualTo(1);
        assertThat(queue.ack(second)).isTrue();
        assertThat(queue.depth("build")).isZero();
    }

    @Test
    void extend_keepsTheJobInvisiblePastTheFirstExpiry() throws Exception {
        queue.enqueue("build", "long");
        Lease lease = mustLease("build");

        clock.advance(Duration.ofSeconds(20));
        assertThat(queue.extend(lease, VISIBILITY)).isTrue();
        clock.advance(Duration.ofSeconds(20)); // 40 s: past the first expiry, within the extension
        assertThat(leaseNow("build")).isEmpty();
        assertThat(queue.ack(lease)).as("the extended lease is still held").isTrue();
    }

    @Test
    void extend_lapses_thenTheJobIsRedelivered() throws Exception {
        queue.enqueue("build", "long");
        Lease lease = mustLease("build");
        clock.advance(Duration.ofSeconds(20));
        assertThat(queue.extend(lease, VISIBILITY)).isTrue();

        clock.advance(Duration.ofSeconds(31)); // 51 s: past the extension (50 s)

        Lease again = mustLease("build");
        assertThat(again.deliveries()).isEqualTo(2);
        assertThat(queue.extend(lease, VISIBILITY)).isFalse();
    }

    @Test
    void extend_afterExpiry_isRefused() throws Exception {
        queue.enqueue("build", "slow");
        Lease lease = mustLease("build");

        clock.advance(VISIBILITY.plusSeconds(1));

        assertThat(queue.extend(lease, VISIBILITY)).isFalse();
    }

    @Test
    void ack_removesTheJobForGood() throws Exception {
        queue.enqueue("build", "done");
        Lease lease = mustLease("build");

        assertThat(queue.ack(lease)).isTrue();

        assertThat(queue.depth("build")).isZero();
        clock.advance(Duration.ofHours(1));
        assertThat(leaseNow("build")).isEmpty();
        assertThat(queue.ack(lease)).as("a second ack").isFalse();
    }

    @Test
    void release_withDelay_makesTheJobVisibleAgainAtNotBefore() throws Exception {
        queue.enqueue("build", "retry-me");
        Lease lease = mustLease("build");

        assertThat(queue.release(lease, Duration.ofSeconds(10))).isTrue();

        assertThat(leaseNow("build")).isEmpty();
        clock.advance(Duration.ofSeconds(10));
        Lease again = mustLease("build");
        assertThat(again.payload()).isEqualTo("retry-me");
        assertThat(again.deliveries()).isEqualTo(2);
        assertThat(queue.ack(lease)).as("the released lease is gone").isFalse();
        assertThat(queue.ack(again)).isTrue();
    }

    @Test
    void release_withoutDelay_makesTheJobVisibleAtOnce() throws Exception {
        queue.enqueue("build", "again");
        Lease lease = mustLease("build");

        assertThat(queue.release(lease, null)).isTrue();

        assertThat(mustLease("build").deliveries()).isEqualTo(2);
    }

    @Test
    void release_twice_secondIsRefused() throws Exception {
        queue.enqueue("build", "x");
        Lease lease = mustLease("build");

        assertThat(queue.release(lease, null)).isTrue();
        assertThat(queue.release(lease, null)).isFalse();
        assertThat(queue.depth("build")).isEqualTo(1);
    }

    @Test
    void queues_areIndependent() throws Exception {
        queue.enqueue("build", "b1");
        queue.enqueue("analysis", "a1");

        Lease analysis = mustLease("analysis");
        assertThat(analysis.payload()).isEqualTo("a1");
        assertThat(leaseNow("analysis")).isEmpty();
        assertThat(queue.ack(analysis)).isTrue();

        assertThat(queue.depth("build")).isEqualTo(1);
        assertThat(queue.depth("analysis")).isZero();
        assertThat(mustLease("build").payload()).isEqualTo("b1");
        assertThat(leaseNow("maintenance")).isEmpty();
    }

    @Test
    void depth_countsVisibleDelayedAndLeasedJobs() throws Exception {
        assertThat(queue.depth("build")).isZero();
        queue.enqueue("build", "visible");
        queue.enqueue("build", "leased");
        queue.enqueue("build", "delayed", Duration.ofSeconds(60));
        assertThat(queue.depth("build")).isEqualTo(3);

        Lease lease = mustLease("build");
        assertThat(queue.depth("build")).isEqualTo(3);

        assertThat(queue.ack(lease)).isTrue();
        assertThat(queue.depth("build")).isEqualTo(2);
        assertThat(queue.depth("unknown")).isZero();
    }

    // ---- waiting and concurrency

    @Test
    void lease_withWait_returnsEmptyOnlyAfterTheWait() throws Exception {
        long start = System.nanoTime();

        Optional<Lease> lease = queue.lease("build", VISIBILITY, Duration.ofMillis(150));

        assertThat(lease).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(140));
    }

    @Test
    void lease_withWait_returnsPromptlyWhenAJobIsEnqueuedFromAnotherThread() throws Exception {
        CountDownLatch leasing = new CountDownLatch(1);
        Future<Optional<Lease>> waiting = background.submit(() -> {
            leasing.countDown();
            return queue.lease("build", VISIBILITY, Duration.ofSeconds(30));
        });
        assertThat(leasing.await(PROMPT_SECONDS, TimeUnit.SECONDS)).isTrue();
        long start = System.nanoTime();

        queue.enqueue("build", "wake-up");

        Optional<Lease> lease = waiting.get(PROMPT_SECONDS, TimeUnit.SECONDS);
        assertThat(lease).map(Lease::payload).contains("wake-up");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(PROMPT_SECONDS));
    }

    @Test
    void leaseFromSeveralQueues_takesTheFirstQueueThatHasAVisibleJob() throws Exception {
        queue.enqueue("analysis", "a1");
        queue.enqueue("build", "b1", Duration.ofSeconds(60));

        Optional<Lease> first = queue.lease(List.of("build", "analysis"), VISIBILITY, Duration.ZERO);
        Optional<Lease> none = queue.lease(List.of("build", "analysis"), VISIBILITY, Duration.ZERO);
        assertThat(queue.ack(first.orElseThrow())).isTrue();
        clock.advance(Duration.ofSeconds(60));
        Optional<Lease> due = queue.lease(List.of("analysis", "build"), VISIBILITY, Duration.ZERO);

        assertThat(first).map(Lease::queue).contains("analysis");
        assertThat(first).map(Lease::payload).contains("a1");
        assertThat(none).isEmpty();
        assertThat(due).map(Lease::queue).contains("build");
        assertThatThrownBy(() -> queue.lease(List.of(), VISIBILITY, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void leaseFromSeveralQueues_wakesPromptlyForAJobInAnyOfThem() throws Exception {
        CountDownLatch leasing = new CountDownLatch(1);
        Future<Optional<Lease>> waiting = background.submit(() -> {
            leasing.countDown();
            return queue.lease(List.of("build", "analysis"), VISIBILITY, Duration.ofSeconds(30));
        });
        assertThat(leasing.await(PROMPT_SECONDS, TimeUnit.SECONDS)).isTrue();
        long start = System.nanoTime();

        queue.enqueue("analysis", "second-queue");

        assertThat(waiting.get(PROMPT_SECONDS, TimeUnit.SECONDS)).map(Lease::payload).contains("second-queue");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(500));
    }

    @Test
    void lease_withWait_noticesTheClockReachingNotBefore() throws Exception {
        queue.enqueue("build", "scheduled", Duration.ofSeconds(60));
        CountDownLatch leasing = new CountDownLatch(1);
        Future<Optional<Lease>> waiting = background.submit(() -> {
            leasing.countDown();
            return queue.lease("build", VISIBILITY, Duration.ofSeconds(30));
        });
        assertThat(leasing.await(PROMPT_SECONDS, TimeUnit.SECONDS)).isTrue();

        clock.advance(Duration.ofSeconds(60));

        assertThat(waiting.get(PROMPT_SECONDS, TimeUnit.SECONDS)).map(Lease::payload).contains("scheduled");
    }

    @Test
    void lease_byManyThreads_neverHandsOutAVisibleJobTwice() throws Exception {
        int jobs = 300;
        int workers = 6;
        for (int i = 0; i < jobs; i++) {
            queue.enqueue("build", "job-" + i);
        }
        Set<String> leasedIds = ConcurrentHashMap.newKeySet();
        Set<String> tokens = ConcurrentHashMap.newKeySet();
        List<String> duplicates = new ArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Integer>> counts = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            counts.add(background.submit(() -> {
                go.await();
                int leased = 0;
                for (Optional<Lease> lease = leaseNow("build"); lease.isPresent(); lease = leaseNow("build")) {
                    leased++;
                    tokens.add(lease.get().token());
                    if (!leasedIds.add(lease.get().jobId())) {
                        synchronized (duplicates) {
                            duplicates.add(lease.get().jobId());
                        }
                    }
                }
                return leased;
            }));
        }
        go.countDown();
        int total = 0;
        for (Future<Integer> count : counts) {
            total += count.get(30, TimeUnit.SECONDS);
        }

        assertThat(duplicates).isEmpty();
        assertThat(total).isEqualTo(jobs);
        assertThat(leasedIds).hasSize(jobs);
        assertThat(tokens).hasSize(jobs);
        assertThat(queue.depth("build")).isEqualTo(jobs);
    }
}
