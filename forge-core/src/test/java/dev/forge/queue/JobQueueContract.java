package dev.forge.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.forge.testing.Await;
import dev.forge.testing.Concurrently;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
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
 * {@link #createQueue} (an empty queue on a clean backend) and {@link #sameBackendQueue} (another
 * instance over the backend of the last {@code createQueue}: a second node).
 *
 * <p>Time is the backend's: the test cannot move it, so delays and leases here are short real
 * durations (a lease of {@link #SHORT_LEASE} really lapses) and the test waits for conditions
 * with generous deadlines. "Not before" is checked against the test's own monotonic clock,
 * started before the call, which runs at the same rate as any backend clock; nothing compares a
 * backend instant with a client instant. Adapters that honour an injected clock test that in
 * their own class.
 */
public abstract class JobQueueContract {

    /** The visibility most tests lease with: long enough never to lapse during a test. */
    protected static final Duration VISIBILITY = Duration.ofSeconds(30);
    /** A lease that is meant to lapse during the test. */
    protected static final Duration SHORT_LEASE = Duration.ofMillis(200);
    /** A delay the test waits out. */
    protected static final Duration DELAY = Duration.ofMillis(300);
    /** How long a test waits for something that should happen at once. */
    protected static final long PROMPT_SECONDS = 5;
    /** Slack for backends that count time in milliseconds (rounding at both ends). */
    private static final Duration GRANULARITY = Duration.ofMillis(5);

    /** The queue under test, first node. */
    protected JobQueue queue;
    private final List<JobQueue> nodes = new CopyOnWriteArrayList<>();
    private ExecutorService background;

    /** A new, empty queue on a clean backend. */
    protected abstract JobQueue createQueue();

    /** Another instance over the backend of the last {@link #createQueue}: a second node. */
    protected abstract JobQueue sameBackendQueue();

    @BeforeEach
    void setUpQueue() {
        queue = createQueue();
        background = Executors.newCachedThreadPool();
    }

    @AfterEach
    void closeQueue() {
        background.shutdownNow();
        nodes.forEach(JobQueue::close);
        queue.close();
    }

    /** A second node over the same backend, closed after the test. */
    protected JobQueue secondNode() {
        JobQueue node = sameBackendQueue();
        nodes.add(node);
        return node;
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

    /** Leases from {@code on}, waiting as long as a busy machine may need. */
    private static Lease awaitLease(JobQueue on, String name) throws InterruptedException {
        Optional<Lease> lease = on.lease(name, VISIBILITY, Duration.ofSeconds(PROMPT_SECONDS));
        assertThat(lease).as("a job in %s within %d s", name, PROMPT_SECONDS).isPresent();
        return lease.get();
    }

    private static Duration since(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    private static void awaitElapsed(long startNanos, Duration duration) {
        Await.until(() -> since(startNanos).compareTo(duration) >= 0, duration.plusSeconds(5),
                duration + " to pass");
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
        assertThat(lease.expiresAt()).isNotNull();
    }

    @Test
    void lease_expiresAt_isTheBackendsTimePlusTheVisibility() throws Exception {
        queue.enqueue("build", "long");
        queue.enqueue("build", "short");

        Lease longer = queue.lease("build", Duration.ofSeconds(60), Duration.ZERO).orElseThrow();
        Lease shorter = queue.lease("build", Duration.ofSeconds(1), Duration.ZERO).orElseThrow();

        // Both instants come from the backend; only their difference is meaningful here.
        assertThat(Duration.between(shorter.expiresAt(), longer.expiresAt()))
                .isGreaterThan(Duration.ofSeconds(50)).isLessThanOrEqualTo(Duration.ofSeconds(59));
    }

    @Test
    void lease_emptyQueueWithoutWait_isEmpty() throws Exception {
        assertThat(leaseNow("build")).isEmpty();
    }

    @Test
    void lease_leasedJob_isInvisibleToOthers() throws Exception {
        queue.enqueue("build", "only");
        mustLease("build");

        assertThat(leaseNow("build")).isEmpty();
        assertThat(queue.lease("build", VISIBILITY, Duration.ofMillis(100))).isEmpty();
    }

    @Test
    void enqueue_withDelay_isInvisibleUntilTheBackendsClockPassesIt() throws Exception {
        queue.enqueue("build", "much-later", Duration.ofSeconds(30));
        queue.enqueue("build", "now");
        assertThat(mustLease("build").payload()).as("a visible job passes a delayed one").isEqualTo("now");

        long before = System.nanoTime();
        queue.enqueue("build", "soon", DELAY);
        Lease soon = awaitLease(queue, "build");

        assertThat(soon.payload()).isEqualTo("soon");
        assertThat(since(before)).as("leased only after its delay").isGreaterThanOrEqualTo(DELAY.minus(GRANULARITY));
        assertThat(leaseNow("build")).as("the 30 s job is still delayed").isEmpty();
    }

    @Test
    void enqueue_zeroOrNullDelay_isVisibleAtOnce() throws Exception {
        queue.enqueue("build", "zero", Duration.ZERO);
        queue.enqueue("build", "null", null);

        assertThat(mustLease("build").payload()).isEqualTo("zero");
        assertThat(mustLease("build").payload()).isEqualTo("null");
    }

    @Test
    void enqueueAndRelease_negativeDelay_areRefused() throws Exception {
        assertThatThrownBy(() -> queue.enqueue("build", "x", Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        queue.enqueue("build", "x");
        Lease lease = mustLease("build");

        assertThatThrownBy(() -> queue.release(lease, Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(queue.ack(lease)).as("the refused release left the lease held").isTrue();
    }

    @Test
    void lease_badDurations_areRefused() {
        assertThatThrownBy(() -> queue.lease("build", Duration.ZERO, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("visibility");
        assertThatThrownBy(() -> queue.lease("build", VISIBILITY, Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("wait");
    }

    // ---- expiry, extend, ack, release

    @Test
    void lease_lapsed_isRedeliveredWithANewTokenAndTheOldOneIsRefused() throws Exception {
        queue.enqueue("build", "task-1");
        long before = System.nanoTime();
        Lease first = queue.lease("build", SHORT_LEASE, Duration.ZERO).orElseThrow();

        Lease second = awaitLease(queue, "build");

        assertThat(since(before)).as("redelivered only after the lease lapsed")
                .isGreaterThanOrEqualTo(SHORT_LEASE.minus(GRANULARITY));
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
        long leasedAt = System.nanoTime();
        Lease lease = queue.lease("build", Duration.ofSeconds(1), Duration.ZERO).orElseThrow();

        assertThat(queue.extend(lease, VISIBILITY)).isTrue();
        awaitElapsed(leasedAt, Duration.ofMillis(1_200));

        assertThat(leaseNow("build")).isEmpty();
        assertThat(queue.ack(lease)).as("the extended lease is still held").isTrue();
    }

    @Test
    void extend_measuresTheNewVisibilityFromNow_thenTheJobIsRedelivered() throws Exception {
        queue.enqueue("build", "long");
        Lease lease = mustLease("build");
        long extendedAt = System.nanoTime();
        assertThat(queue.extend(lease, SHORT_LEASE)).isTrue();

        Lease again = awaitLease(queue, "build");

        assertThat(since(extendedAt)).isGreaterThanOrEqualTo(SHORT_LEASE.minus(GRANULARITY));
        assertThat(again.deliveries()).isEqualTo(2);
        assertThat(queue.extend(lease, VISIBILITY)).isFalse();
    }

    @Test
    void extend_afterExpiry_isRefusedEvenBeforeAnotherWorkerTakesTheJob() throws Exception {
        queue.enqueue("build", "slow");
        long leasedAt = System.nanoTime();
        Lease lease = queue.lease("build", SHORT_LEASE, Duration.ZERO).orElseThrow();

        awaitElapsed(leasedAt, SHORT_LEASE.plusMillis(100));

        assertThat(queue.extend(lease, VISIBILITY)).isFalse();
        assertThat(queue.ack(lease)).isFalse();
        assertThat(awaitLease(queue, "build").deliveries()).isEqualTo(2);
    }

    @Test
    void ack_removesTheJobForGood() throws Exception {
        queue.enqueue("build", "done");
        Lease lease = queue.lease("build", SHORT_LEASE, Duration.ZERO).orElseThrow();

        assertThat(queue.ack(lease)).isTrue();

        assertThat(queue.depth("build")).isZero();
        assertThat(queue.lease("build", VISIBILITY, SHORT_LEASE.multipliedBy(3)))
                .as("nothing returns after the acked lease would have lapsed").isEmpty();
        assertThat(queue.ack(lease)).as("a second ack").isFalse();
    }

    @Test
    void release_withDelay_makesTheJobVisibleAgainAfterIt() throws Exception {
        queue.enqueue("build", "retry-me");
        Lease lease = mustLease("build");
        long before = System.nanoTime();

        assertThat(queue.release(lease, DELAY)).isTrue();

        Lease again = awaitLease(queue, "build");
        assertThat(since(before)).isGreaterThanOrEqualTo(DELAY.minus(GRANULARITY));
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

        assertThat(queue.release(lease, Duration.ZERO)).isTrue();
        assertThat(queue.release(lease, Duration.ZERO)).isFalse();
        assertThat(queue.depth("build")).isEqualTo(1);
    }

    @Test
    void leaseOperations_onAnUnknownQueueOrJob_areRefused() {
        Lease invented = new Lease("nowhere", "1", "p", "token", 1, Instant.now().plusSeconds(60));
        queue.enqueue("build", "real");
        Lease wrongJob = new Lease("build", "no-such-job", "p", "token", 1, Instant.now().plusSeconds(60));

        for (Lease lease : List.of(invented, wrongJob)) {
            assertThat(queue.ack(lease)).isFalse();
            assertThat(queue.extend(lease, VISIBILITY)).isFalse();
            assertThat(queue.release(lease, null)).isFalse();
        }
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

    // ---- fairness across groups

    private List<String> leaseAll(JobQueue on, String name, int count) throws InterruptedException {
        List<String> payloads = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            payloads.add(on.lease(name, VISIBILITY, Duration.ZERO).orElseThrow(
                    () -> new AssertionError("no visible job after " + payloads)).payload());
        }
        return payloads;
    }

    @Test
    void fairness_twoGroupsWithBacklogs_takeTurns() throws Exception {
        for (int i = 1; i <= 4; i++) {
            queue.enqueue("build", "a" + i, null, "alice");
        }
        for (int i = 1; i <= 4; i++) {
            queue.enqueue("build", "b" + i, null, "bob");
        }

        assertThat(leaseAll(queue, "build", 8)).containsExactly("a1", "b1", "a2", "b2", "a3", "b3", "a4", "b4");
    }

    @Test
    void enqueueAll_queuesEachJobAsEnqueueWould_inOrder_inFairOrderAcrossGroups() throws Exception {
        List<String> ids = queue.enqueueAll("build", List.of("a1", "a2", "a3", "b1", "b2"), null,
                List.of("alice", "alice", "alice", "bob", "bob"));
        assertThat(queue.enqueueAll("build", List.of(), Duration.ZERO, List.of())).isEmpty();

        assertThat(ids).hasSize(5).doesNotHaveDuplicates();
        assertThat(queue.depth("build")).isEqualTo(5);
        assertThat(queue.depth("build", "alice")).isEqualTo(3);
        assertThat(queue.depth("build", "bob")).isEqualTo(2);
        List<Lease> leased = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            leased.add(mustLease("build"));
        }
        assertThat(leased).extracting(Lease::payload).containsExactly("a1", "b1", "a2", "b2", "a3");
        assertThat(leased).extracting(Lease::jobId)
                .containsExactly(ids.get(0), ids.get(3), ids.get(1), ids.get(4), ids.get(2));
        assertThat(leaseNow("build")).isEmpty();
    }

    @Test
    void enqueueAll_withDelay_isInvisibleUntilItPasses_andWakesAWaitingLease() throws Exception {
        long start = System.nanoTime();
        queue.enqueueAll("build", List.of("later"), DELAY, List.of("alice"));
        assertThat(leaseNow("build")).isEmpty();
        Future<List<Lease>> waiting = background.submit(
                () -> secondNode().lease(List.of("build"), 4, VISIBILITY, Duration.ofSeconds(30)));

        assertThat(waiting.get(PROMPT_SECONDS * 2, TimeUnit.SECONDS)).extracting(Lease::payload)
                .containsExactly("later");
        assertThat(since(start)).isGreaterThanOrEqualTo(DELAY.minus(GRANULARITY));
        queue.enqueueAll("build", List.of("now"), Duration.ZERO, List.of("bob"));
        assertThat(awaitLease(queue, "build").payload()).isEqualTo("now");
    }

    @Test
    void enqueueAll_badArguments_areRefused() {
        assertThatThrownBy(() -> queue.enqueueAll("build", List.of("a", "b"), null, List.of("alice")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> queue.enqueueAll("build", List.of("a"), Duration.ofMillis(-1), List.of("alice")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(queue.depth("build")).isZero();
    }

    @Test
    void leaseSeveral_takesWhatSingleLeasesWould_inFairOrder_withOwnTokens() throws Exception {
        for (int i = 1; i <= 4; i++) {
            queue.enqueue("build", "a" + i, null, "alice");
        }
        for (int i = 1; i <= 4; i++) {
            queue.enqueue("build", "b" + i, null, "bob");
        }

        List<Lease> leased = new ArrayList<>();
        while (leased.size() < 8) {
            List<Lease> batch = queue.lease(List.of("build"), 3, VISIBILITY, Duration.ZERO);
            assertThat(batch).as("a batch after %s", leased).hasSizeBetween(1, 3);
            leased.addAll(batch);
        }

        assertThat(leased).extracting(Lease::payload)
                .containsExactly("a1", "b1", "a2", "b2", "a3", "b3", "a4", "b4");
        assertThat(leased).extracting(Lease::token).doesNotHaveDuplicates();
        assertThat(queue.lease(List.of("build"), 3, VISIBILITY, Duration.ZERO)).isEmpty();
        for (Lease lease : leased) {
            assertThat(queue.ack(lease)).as("ack of %s", lease.payload()).isTrue();
        }
        assertThat(queue.depth("build")).isZero();
        assertThatThrownBy(() -> queue.lease(List.of("build"), 0, VISIBILITY, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void leaseSeveral_withWait_returnsPromptlyWhenAJobIsEnqueued() throws Exception {
        Future<List<Lease>> waiting = background.submit(
                () -> queue.lease(List.of("build"), 4, VISIBILITY, Duration.ofSeconds(30)));
        long start = System.nanoTime();
        queue.enqueue("build", "wake-up");

        List<Lease> leased = waiting.get(PROMPT_SECONDS * 2, TimeUnit.SECONDS);

        assertThat(leased).extracting(Lease::payload).containsExactly("wake-up");
        assertThat(since(start)).isLessThan(Duration.ofSeconds(PROMPT_SECONDS));
    }

    @Test
    void fairness_aLateGroupsFirstJob_goesNext() throws Exception {
        for (int i = 1; i <= 20; i++) {
            queue.enqueue("build", "a" + i, null, "alice");
        }
        assertThat(leaseAll(queue, "build", 3)).containsExactly("a1", "a2", "a3");

        queue.enqueue("build", "b1", null, "bob");
        queue.enqueue("build", "b2", null, "bob");

        assertThat(leaseAll(queue, "build", 4)).containsExactly("b1", "a4", "b2", "a5");
    }

    @Test
    void fairness_aLateGroupsFirstJob_goesNext_evenBehindThousandsQueuedWhileNoWorkerLeased()
            throws Exception {
        for (int i = 1; i <= 2_100; i++) {
            queue.enqueue("build", "a" + i, null, "alice");
        }
        queue.enqueue("build", "b1", null, "bob");

        assertThat(leaseAll(queue, "build", 3)).containsExactly("a1", "b1", "a2");
    }

    @Test
    void fairness_aDelayedJobTakesNoPlaceInLineWhileDelayed() throws Exception {
        queue.enqueue("build", "a-later", Duration.ofSeconds(60), "alice");
        queue.enqueue("build", "a1", null, "alice");
        queue.enqueue("build", "a2", null, "alice");
        queue.enqueue("build", "b1", null, "bob");
        queue.enqueue("build", "b2", null, "bob");

        // Ranked at enqueue, a-later would push alice's visible jobs behind bob's.
        assertThat(leaseAll(queue, "build", 4)).containsExactly("a1", "b1", "a2", "b2");
        assertThat(leaseNow("build")).isEmpty();
    }

    @Test
    void fairness_aDelayedJob_joinsAtItsVisibilityTime_aheadOfAnotherGroupsBacklog() throws Exception {
        for (int i = 1; i <= 10; i++) {
            queue.enqueue("build", "a" + i, null, "alice");
        }
        assertThat(leaseAll(queue, "build", 3)).containsExactly("a1", "a2", "a3");
        long before = System.nanoTime();
        queue.enqueue("build", "b-delayed", DELAY, "bob");
        awaitElapsed(before, DELAY.plus(GRANULARITY).plusMillis(50));

        assertThat(leaseAll(queue, "build", 2)).containsExactly("b-delayed", "a4");
    }

    @Test
    void fairness_aReleasedJob_goesToTheBackOfItsGroupsLine() throws Exception {
        queue.enqueue("build", "a1", null, "alice");
        queue.enqueue("build", "a2", null, "alice");
        queue.enqueue("build", "b1", null, "bob");
        Lease first = mustLease("build");
        assertThat(first.payload()).isEqualTo("a1");

        assertThat(queue.release(first, null)).isTrue();

        assertThat(leaseAll(queue, "build", 3)).containsExactly("b1", "a2", "a1");
    }

    @Test
    void fairness_aLapsedLease_isRankedAgainAtTheBackOfItsGroupsLine() throws Exception {
        queue.enqueue("build", "a1", null, "alice");
        queue.enqueue("build", "a2", null, "alice");
        queue.enqueue("build", "b1", null, "bob");
        queue.enqueue("build", "b2", null, "bob");
        long before = System.nanoTime();
        assertThat(queue.lease("build", SHORT_LEASE, Duration.ZERO).orElseThrow().payload()).isEqualTo("a1");
        awaitElapsed(before, SHORT_LEASE.plusMillis(100));

        assertThat(leaseAll(queue, "build", 4)).containsExactly("b1", "a2", "b2", "a1");
    }

    @Test
    void fairness_holdsAcrossNodes() throws Exception {
        JobQueue other = secondNode();
        for (int i = 1; i <= 10; i++) {
            queue.enqueue("build", "a" + i, null, "alice");
        }
        assertThat(leaseAll(other, "build", 2)).containsExactly("a1", "a2");

        other.enqueue("build", "b1", null, "bob");

        assertThat(leaseAll(queue, "build", 2)).containsExactly("b1", "a3");
    }

    @Test
    void fairness_afterManyGroupsWentIdle_theGroupServedLastStillQueuesBehindANewcomer() throws Exception {
        for (int i = 0; i < 100; i++) {
            queue.enqueue("build", "once-" + i, null, "user-" + i);
        }
        queue.enqueue("build", "last-1", null, "last");
        assertThat(leaseAll(queue, "build", 101)).endsWith("last-1");

        // Adapters may forget the last ranks of idle groups, but not the one at the virtual time.
        queue.enqueue("build", "last-2", null, "last");
        queue.enqueue("build", "new-1", null, "newcomer");

        assertThat(leaseAll(queue, "build", 2)).containsExactly("new-1", "last-2");
    }

    @Test
    void fairness_theDefaultGroupIsOneGroup() throws Exception {
        queue.enqueue("build", "d1");
        queue.enqueue("build", "d2", Duration.ZERO);
        queue.enqueue("build", "c1", null, "carol");

        assertThat(leaseAll(queue, "build", 3)).containsExactly("d1", "c1", "d2");
    }

    @Test
    void depthOfAGroup_countsItsVisibleDelayedAndLeasedJobs_andWaitingGroupsCountsGroupsWithVisibleJobs()
            throws Exception {
        queue.enqueue("build", "a1", null, "alice");
        queue.enqueue("build", "a2", null, "alice");
        queue.enqueue("build", "b1", null, "bob");
        queue.enqueue("build", "c-later", Duration.ofSeconds(60), "carol");
        assertThat(queue.depth("build", "alice")).isEqualTo(2);
        assertThat(queue.depth("build", "carol")).isEqualTo(1);
        assertThat(queue.depth("build", "dave")).isZero();
        assertThat(queue.depth("analysis", "alice")).isZero();
        assertThat(queue.waitingGroups("build")).as("carol's job is not visible yet").isEqualTo(2);

        Lease a1 = mustLease("build");
        assertThat(queue.depth("build", "alice")).as("a leased job still counts").isEqualTo(2);
        Lease b1 = mustLease("build");
        assertThat(queue.waitingGroups("build")).as("only alice still waits").isEqualTo(1);

        assertThat(queue.ack(a1)).isTrue();
        assertThat(queue.ack(b1)).isTrue();
        assertThat(queue.depth("build", "alice")).isEqualTo(1);
        assertThat(queue.depth("build", "bob")).isZero();
        assertThat(queue.waitingGroups("build")).isEqualTo(1);
        assertThat(queue.waitingGroups("analysis")).isZero();
    }

    @Test
    void fairOrder_matchesTheReferenceQueue_forRandomSequences() throws Exception {
        for (long seed = 1; seed <= 4; seed++) {
            JobQueue reference = new InMemoryJobQueue();
            String name = "model-" + seed;
            List<String> expected = FairnessScript.random(seed, 60).runOn(reference, name);
            reference.close();

            List<String> actual = FairnessScript.random(seed, 60).runOn(queue, name);

            assertThat(actual).as("lease order for seed %d", seed).isEqualTo(expected);
        }
    }

    // ---- waiting and concurrency

    @Test
    void lease_withWait_returnsEmptyOnlyAfterTheWait() throws Exception {
        long start = System.nanoTime();

        Optional<Lease> lease = queue.lease("build", VISIBILITY, Duration.ofMillis(150));

        assertThat(lease).isEmpty();
        assertThat(since(start)).isGreaterThanOrEqualTo(Duration.ofMillis(140));
    }

    @Test
    void lease_withWait_returnsPromptlyWhenAJobIsEnqueuedFromAnotherThread() throws Exception {
        assertWokenBy(queue, () -> queue.enqueue("build", "wake-up"), List.of("build"));
    }

    @Test
    void leaseFromSeveralQueues_takesTheFirstQueueThatHasAVisibleJob() throws Exception {
        queue.enqueue("analysis", "a1");
        queue.enqueue("build", "b1", DELAY);

        Optional<Lease> first = queue.lease(List.of("build", "analysis"), VISIBILITY, Duration.ZERO);
        assertThat(queue.ack(first.orElseThrow())).isTrue();
        Optional<Lease> due = queue.lease(List.of("analysis", "build"), VISIBILITY,
                Duration.ofSeconds(PROMPT_SECONDS));

        assertThat(first).map(Lease::queue).contains("analysis");
        assertThat(first).map(Lease::payload).contains("a1");
        assertThat(due).map(Lease::queue).contains("build");
        assertThatThrownBy(() -> queue.lease(List.of(), VISIBILITY, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void leaseFromSeveralQueues_wakesPromptlyForAJobInAnyOfThem() throws Exception {
        assertWokenBy(queue, () -> queue.enqueue("analysis", "second-queue"), List.of("build", "analysis"));
    }

    @Test
    void lease_withWait_noticesADelayEnding() throws Exception {
        queue.enqueue("build", "scheduled", DELAY);
        long start = System.nanoTime();

        Optional<Lease> lease = queue.lease("build", VISIBILITY, Duration.ofSeconds(30));

        assertThat(lease).map(Lease::payload).contains("scheduled");
        assertThat(since(start)).isLessThan(Duration.ofSeconds(PROMPT_SECONDS));
    }

    @Test
    void lease_byManyThreads_neverHandsOutAVisibleJobTwice() throws Exception {
        int jobs = 300;
        for (int i = 0; i < jobs; i++) {
            queue.enqueue("build", "job-" + i);
        }
        Set<String> leasedIds = ConcurrentHashMap.newKeySet();
        Set<String> tokens = ConcurrentHashMap.newKeySet();
        List<String> duplicates = new CopyOnWriteArrayList<>();

        Concurrently.run(6, thread -> {
            for (Optional<Lease> lease = leaseNow("build"); lease.isPresent(); lease = leaseNow("build")) {
                tokens.add(lease.get().token());
                if (!leasedIds.add(lease.get().jobId())) {
                    duplicates.add(lease.get().jobId());
                }
            }
        });

        assertThat(duplicates).isEmpty();
        assertThat(leasedIds).hasSize(jobs);
        assertThat(tokens).hasSize(jobs);
        assertThat(queue.depth("build")).isEqualTo(jobs);
    }

    /** A lease waiting on {@code waiter} returns promptly once {@code action} made a job. */
    private void assertWokenBy(JobQueue waiter, Runnable action, List<String> queues) throws Exception {
        CountDownLatch leasing = new CountDownLatch(1);
        Future<Optional<Lease>> waiting = background.submit(() -> {
            leasing.countDown();
            return waiter.lease(queues, VISIBILITY, Duration.ofSeconds(30));
        });
        assertThat(leasing.await(PROMPT_SECONDS, TimeUnit.SECONDS)).isTrue();
        long start = System.nanoTime();

        action.run();

        assertThat(waiting.get(PROMPT_SECONDS, TimeUnit.SECONDS)).isPresent();
        assertThat(since(start)).isLessThan(Duration.ofSeconds(PROMPT_SECONDS));
    }

    // ---- two nodes over one backend

    @Test
    void twoNodes_aJobEnqueuedOnOneIsLeasedAndAckedOnTheOther() throws Exception {
        JobQueue other = secondNode();
        String id = queue.enqueue("build", "shared");

        Lease lease = other.lease("build", VISIBILITY, Duration.ZERO).orElseThrow();

        assertThat(lease.jobId()).isEqualTo(id);
        assertThat(queue.depth("build")).isEqualTo(1);
        assertThat(leaseNow("build")).as("leased on the other node").isEmpty();
        assertThat(other.ack(lease)).isTrue();
        assertThat(queue.depth("build")).isZero();
    }

    @Test
    void twoNodes_concurrentLeasesOfOneJob_exactlyOneWins_andAnAckedJobNeverReturns() throws Exception {
        JobQueue other = secondNode();
        Duration visibility = Duration.ofSeconds(1);
        long lastAck = System.nanoTime();
        for (int round = 0; round < 20; round++) {
            queue.enqueue("build", "round-" + round);
            List<JobQueue> winnersNode = new CopyOnWriteArrayList<>();
            List<Lease> winners = new CopyOnWriteArrayList<>();
            Concurrently.run(6, thread -> {
                JobQueue node = thread % 2 == 0 ? queue : other;
                Optional<Lease> lease = node.lease("build", visibility, Duration.ZERO);
                if (lease.isPresent()) {
                    winners.add(lease.get());
                    winnersNode.add(node);
                }
            });
            assertThat(winners).as("round %d", round).hasSize(1);
            assertThat(winners.get(0).payload()).isEqualTo("round-" + round);
            assertThat(winnersNode.get(0).ack(winners.get(0))).isTrue();
            lastAck = System.nanoTime();
        }

        awaitElapsed(lastAck, visibility.plusMillis(200));
        assertThat(queue.lease("build", VISIBILITY, Duration.ZERO)).as("node A after the leases lapsed").isEmpty();
        assertThat(other.lease("build", VISIBILITY, Duration.ZERO)).as("node B after the leases lapsed").isEmpty();
        assertThat(other.depth("build")).isZero();
    }

    @Test
    void twoNodes_aLapsedLeaseGoesToTheOtherNode_andTheFirstHoldersAckIsRefused() throws Exception {
        JobQueue other = secondNode();
        queue.enqueue("build", "orphan");
        Lease first = queue.lease("build", SHORT_LEASE, Duration.ZERO).orElseThrow();

        Lease second = awaitLease(other, "build");

        assertThat(second.deliveries()).isEqualTo(2);
        assertThat(queue.ack(first)).isFalse();
        assertThat(queue.extend(first, VISIBILITY)).isFalse();
        assertThat(other.ack(second)).isTrue();
        assertThat(queue.depth("build")).isZero();
    }

    @Test
    void twoNodes_aWaitingLeaseOnOneIsWokenByAnEnqueueOnTheOther() throws Exception {
        JobQueue other = secondNode();

        assertWokenBy(other, () -> queue.enqueue("build", "cross-node"), List.of("build"));
        assertWokenBy(other, () -> queue.enqueue("analysis", "cross-node"), List.of("build", "analysis"));
    }

    @Test
    void twoNodes_closingOneLeavesTheOtherWorking() throws Exception {
        JobQueue other = secondNode();
        other.close();

        queue.enqueue("build", "still-here");

        assertThat(mustLease("build").payload()).isEqualTo("still-here");
    }
}
