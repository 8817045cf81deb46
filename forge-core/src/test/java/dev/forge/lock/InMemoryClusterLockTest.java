package dev.forge.lock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forge.testing.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The in-memory lock against the shared contract (two nodes: instances made by
 * {@link InMemoryClusterLock#sharing}), plus what only it promises: it honours an injected clock.
 */
class InMemoryClusterLockTest extends ClusterLockContract {

    private InMemoryClusterLock last;

    @Override
    protected ClusterLock createLock() {
        last = new InMemoryClusterLock();
        return last;
    }

    @Override
    protected ClusterLock sameBackendLock() {
        return InMemoryClusterLock.sharing(last);
    }

    @Test
    void injectedClock_decidesWhenTheLeaseLapses() {
        MutableClock clock = MutableClock.startingAt2026();
        InMemoryClusterLock clocked = new InMemoryClusterLock(clock);
        assertThat(clocked.tryAcquire("retention", "node-a", Duration.ofHours(6))).isTrue();

        clock.advance(Duration.ofHours(6).minusMillis(1));
        assertThat(clocked.tryAcquire("retention", "node-b", Duration.ofHours(6))).isFalse();
        clock.advance(Duration.ofMillis(1));

        assertThat(clocked.tryAcquire("retention", "node-b", Duration.ofHours(6))).isTrue();
        assertThat(clocked.release("retention", "node-a")).isFalse();
    }

    @Test
    void hugeLease_doesNotOverflow() {
        assertThat(lock.tryAcquire("retention", "node-a", Duration.ofSeconds(Long.MAX_VALUE))).isTrue();
        assertThat(lock.tryAcquire("retention", "node-b", Duration.ofSeconds(1))).isFalse();
    }
}
