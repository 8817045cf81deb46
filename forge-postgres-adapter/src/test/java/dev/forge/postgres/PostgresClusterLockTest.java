package dev.forge.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forge.lock.ClusterLock;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The PostgreSQL cluster lock: lease rows on the database's clock, seen by two nodes. */
class PostgresClusterLockTest {

    private static final Duration LONG = Duration.ofMinutes(5);
    private static PostgresTestDatabase db;
    private ClusterLock nodeA;
    private ClusterLock nodeB;

    @BeforeAll
    static void openDatabase() {
        db = PostgresTestDatabase.create();
    }

    @AfterAll
    static void dropDatabase() {
        if (db != null) {
            db.close();
        }
    }

    @BeforeEach
    void cleanBackend() {
        db.clean();
        nodeA = new PostgresClusterLock(db.sql());
        nodeB = new PostgresClusterLock(db.secondNode().sql());
    }

    @Test
    void tryAcquire_heldByAnother_isRefusedUntilReleased() {
        assertThat(nodeA.tryAcquire("retention", "a", LONG)).isTrue();

        assertThat(nodeB.tryAcquire("retention", "b", LONG)).isFalse();
        assertThat(nodeB.release("retention", "b")).as("b does not hold it").isFalse();
        assertThat(nodeA.tryAcquire("retention", "a", LONG)).as("the holder extends").isTrue();
        assertThat(nodeA.release("retention", "a")).isTrue();
        assertThat(nodeB.tryAcquire("retention", "b", LONG)).isTrue();
        assertThat(nodeA.tryAcquire("health", "a", LONG)).as("names are independent").isTrue();
    }

    @Test
    void tryAcquire_afterTheLeaseLapses_goesToAnotherHolder() throws Exception {
        assertThat(nodeA.tryAcquire("health", "a", Duration.ofMillis(200))).isTrue();
        assertThat(nodeB.tryAcquire("health", "b", LONG)).isFalse();

        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        boolean taken = false;
        while (!taken && System.nanoTime() < deadline) {
            taken = nodeB.tryAcquire("health", "b", LONG);
            if (!taken) {
                Thread.sleep(50);
            }
        }

        assertThat(taken).as("b takes the lapsed lease").isTrue();
        assertThat(nodeA.release("health", "a")).as("a's lease is gone").isFalse();
    }
}
