package dev.forge.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forge.queue.JobQueue;
import dev.forge.queue.JobQueueContract;
import dev.forge.queue.Lease;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The job-queue contract against Redis; every test on its own key prefix. The second node is a
 * second {@link RedisBackend} (its own pool and subscriber connection) over the same keys.
 */
class RedisJobQueueTest extends JobQueueContract {

    private RedisFixture redis;

    @Override
    protected JobQueue createQueue() {
        redis = RedisFixture.open();
        return redis.node().jobQueue();
    }

    @Override
    protected JobQueue sameBackendQueue() {
        return redis.node().jobQueue();
    }

    @AfterEach
    void removeKeys() {
        if (redis != null) {
            redis.close();
        }
    }

    /** Beyond the contract: Redis fills every free worker in one script call. */
    @Test
    void leaseSeveral_takesUpToMaxInOneCall_oneFromEachQueueInTurn() throws Exception {
        for (int i = 1; i <= 5; i++) {
            queue.enqueue("build", "b" + i);
        }
        queue.enqueue("analysis", "a1");

        List<Lease> first = queue.lease(List.of("build", "analysis"), 4, VISIBILITY, Duration.ZERO);
        List<Lease> rest = queue.lease(List.of("build", "analysis"), 4, VISIBILITY, Duration.ZERO);

        assertThat(first).extracting(Lease::payload).containsExactly("b1", "a1", "b2", "b3");
        assertThat(first).extracting(Lease::queue).containsExactly("build", "analysis", "build", "build");
        assertThat(rest).extracting(Lease::payload).containsExactly("b4", "b5");
        assertThat(first).allSatisfy(lease -> assertThat(lease.deliveries()).isEqualTo(1));
        assertThat(queue.lease(List.of("build", "analysis"), 4, VISIBILITY, Duration.ZERO)).isEmpty();
    }

    /**
     * A call pops several ready entries of a queue at once (its share of the jobs the call may
     * still lease): the jobs leased are the same as one by one, and none popped is lost.
     */
    @Test
    void leaseSeveral_fromBusyQueues_takesTheirSharesAndLosesNone() throws Exception {
        for (int i = 1; i <= 5; i++) {
            queue.enqueue("build", "b" + i);
            queue.enqueue("analysis", "a" + i);
        }
        List<String> payloads = new java.util.ArrayList<>();
        for (int max : new int[] {3, 4, 2, 5}) {
            queue.lease(List.of("build", "analysis"), max, VISIBILITY, Duration.ZERO)
                    .forEach(lease -> payloads.add(lease.payload()));
        }

        assertThat(payloads).containsExactly("b1", "a1", "b2", "b3", "a2", "b4", "a3", "b5", "a4", "a5");
        assertThat(queue.depth("build")).isEqualTo(5);
        assertThat(queue.depth("analysis")).isEqualTo(5);
    }

    /**
     * A job enqueued without a delay is ranked straight into the ready set, after the due timer
     * entries - unless one call's bound (1,000) left due entries behind: then it waits behind
     * them on the timer set, so it never jumps ahead of a job that was visible before it.
     */
    @Test
    void enqueueWithoutDelay_behindMoreDueEntriesThanOneCallRanks_staysBehindThemAll() throws Exception {
        int released = 1001;
        List<String> payloads = new java.util.ArrayList<>();
        for (int i = 0; i < released; i++) {
            payloads.add("r" + i);
        }
        queue.enqueueAll("build", payloads, Duration.ZERO, java.util.Collections.nCopies(released, "alice"));
        List<Lease> held = queue.lease(List.of("build"), released, VISIBILITY, Duration.ZERO);
        assertThat(held).hasSize(released);
        for (Lease lease : held) {
            assertThat(queue.release(lease, Duration.ZERO)).isTrue(); // due at once, on the timer set
        }

        queue.enqueue("build", "last", Duration.ZERO, "alice");

        List<Lease> all = queue.lease(List.of("build"), released + 1, VISIBILITY, Duration.ZERO);
        assertThat(all).extracting(Lease::payload).endsWith("r" + (released - 1), "last");
        assertThat(all).hasSize(released + 1);
    }
}
