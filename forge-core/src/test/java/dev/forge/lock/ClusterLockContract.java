package dev.forge.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.forge.testing.Await;
import dev.forge.testing.Concurrently;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ClusterLock} must do. An adapter's test extends this class and implements
 * {@link #createLock} (no lock held, on a clean backend) and {@link #sameBackendLock} (another
 * instance over the backend of the last {@code createLock}: a second node).
 *
 * <p>Leases are measured by the backend's clock, which the test cannot move: a lease of
 * {@link #SHORT_LEASE} really lapses, and the test waits for that with a generous deadline.
 */
public abstract class ClusterLockContract {

    /** A lease long enough never to lapse during a test. */
    protected static final Duration LONG_LEASE = Duration.ofSeconds(30);
    /** A lease that is meant to lapse during the test. */
    protected static final Duration SHORT_LEASE = Duration.ofMillis(200);
    /** Slack for backends that count time in milliseconds. */
    private static final Duration GRANULARITY = Duration.ofMillis(5);

    /** The lock under test, first node. */
    protected ClusterLock lock;
    private final List<ClusterLock> nodes = new CopyOnWriteArrayList<>();

    /** A new lock on a clean backend: nothing held. */
    protected abstract ClusterLock createLock();

    /** Another instance over the backend of the last {@link #createLock}: a second node. */
    protected abstract ClusterLock sameBackendLock();

    @BeforeEach
    void setUpLock() {
        lock = createLock();
    }

    @AfterEach
    void closeLock() {
        nodes.forEach(ClusterLock::close);
        lock.close();
    }

    /** A second node over the same backend, closed after the test. */
    protected ClusterLock secondNode() {
        ClusterLock node = sameBackendLock();
        nodes.add(node);
        return node;
    }

    private static Duration since(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    @Test
    void tryAcquire_freeLock_isTaken_andTheSameHolderMayTakeItAgain() {
        assertThat(lock.tryAcquire("retention", "node-a", LONG_LEASE)).isTrue();
        assertThat(lock.tryAcquire("retention", "node-a", LONG_LEASE)).as("re-acquired by its holder").isTrue();
    }

    @Test
    void tryAcquire_heldByAnother_isRefused() {
        assertThat(lock.tryAcquire("retention", "node-a", LONG_LEASE)).isTrue();

        assertThat(lock.tryAcquire("retention", "node-b", LONG_LEASE)).isFalse();
        assertThat(lock.tryAcquire("retention", "node-a", LONG_LEASE)).isTrue();
    }

    @Test
    void names_areIndependent() {
        assertThat(lock.tryAcquire("retention", "node-a", LONG_LEASE)).isTrue();

        assertThat(lock.tryAcquire("health", "node-b", LONG_LEASE)).isTrue();
        assertThat(lock.tryAcquire("health", "node-a", LONG_LEASE)).isFalse();
    }

    @Test
    void release_byTheHolder_freesTheLock() {
        lock.tryAcquire("retention", "node-a", LONG_LEASE);

        assertThat(lock.release("retention", "node-a")).isTrue();

        assertThat(lock.release("retention", "node-a")).as("released twice").isFalse();
        assertThat(lock.tryAcquire("retention", "node-b", LONG_LEASE)).isTrue();
    }

    @Test
    void release_byAnotherHolderOrOfAFreeLock_isRefusedAndChangesNothing() {
        assertThat(lock.release("retention", "node-a")).as("nobody holds it").isFalse();
        lock.tryAcquire("retention", "node-a", LONG_LEASE);

        assertThat(lock.release("retention", "node-b")).isFalse();

        assertThat(lock.tryAcquire("retention", "node-b", LONG_LEASE)).as("still node-a's").isFalse();
    }

    @Test
    void lease_lapses_thenAnotherHolderTakesIt_andTheFirstCannotReleaseIt() {
        long before = System.nanoTime();
        assertThat(lock.tryAcquire("retention", "node-a", SHORT_LEASE)).isTrue();

        Await.until(() -> lock.tryAcquire("retention", "node-b", LONG_LEASE), Duration.ofSeconds(5),
                "the lease to lapse");

        assertThat(since(before)).as("taken only after the lease lapsed")
                .isGreaterThanOrEqualTo(SHORT_LEASE.minus(GRANULARITY));
        assertThat(lock.release("retention", "node-a")).isFalse();
        assertThat(lock.tryAcquire("retention", "node-a", LONG_LEASE)).isFalse();
    }

    @Test
    void tryAcquire_bySameHolder_extendsTheLeaseFromNow() {
        long before = System.nanoTime();
        assertThat(lock.tryAcquire("retention", "node-a", Duration.ofMillis(500))).isTrue();
        assertThat(lock.tryAcquire("retention", "node-a", LONG_LEASE)).isTrue();

        Await.until(() -> since(before).compareTo(Duration.ofMillis(700)) >= 0, Duration.ofSeconds(5),
                "the first lease to have lapsed");

        assertThat(lock.tryAcquire("retention", "node-b", LONG_LEASE)).as("extended").isFalse();
    }

    @Test
    void tryAcquire_badLease_isRefused() {
        assertThatThrownBy(() -> lock.tryAcquire("retention", "node-a", Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> lock.tryAcquire("retention", "node-a", Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(lock.tryAcquire("retention", "node-b", LONG_LEASE)).as("nothing was taken").isTrue();
    }

    // ---- two nodes over one backend

    @Test
    void twoNodes_aLockHeldOnOneIsRefusedOnTheOther_andOnlyItsHolderReleasesIt() {
        ClusterLock other = secondNode();
        assertThat(lock.tryAcquire("retention", "node-a", LONG_LEASE)).isTrue();

        assertThat(other.tryAcquire("retention", "node-b", LONG_LEASE)).isFalse();
        assertThat(other.release("retention", "node-b")).isFalse();
        assertThat(other.release("retention", "node-a")).as("the holder, through either instance").isTrue();
        assertThat(other.tryAcquire("retention", "node-b", LONG_LEASE)).isTrue();
        assertThat(lock.tryAcquire("retention", "node-a", LONG_LEASE)).isFalse();
    }

    @Test
    void twoNodes_racingForOneLock_exactlyOneWinsEachRound() throws Exception {
        ClusterLock other = secondNode();
        for (int round = 0; round < 20; round++) {
            String name = "round-" + round;
            List<String> winners = new CopyOnWriteArrayList<>();
            Concurrently.run(6, thread -> {
                ClusterLock node = thread % 2 == 0 ? lock : other;
                String holder = "holder-" + thread;
                if (node.tryAcquire(name, holder, LONG_LEASE)) {
                    winners.add(holder);
                }
            });
            assertThat(winners).as("round %d", round).hasSize(1);
        }
    }

    @Test
    void twoNodes_aLapsedLeaseOnOneIsTakenOnTheOther() {
        ClusterLock other = secondNode();
        assertThat(lock.tryAcquire("health", "node-a", SHORT_LEASE)).isTrue();

        Await.until(() -> other.tryAcquire("health", "node-b", LONG_LEASE), Duration.ofSeconds(5),
                "node-a's lease to lapse");

        assertThat(lock.tryAcquire("health", "node-a", LONG_LEASE)).isFalse();
    }
}
