package dev.forge.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.forge.ratelimit.RateLimitConfig;
import dev.forge.ratelimit.RateLimitDecision;
import dev.forge.ratelimit.RateLimitRule;
import dev.forge.ratelimit.RateLimiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The PostgreSQL rate limiter on the database's clock, one node and two: the buckets are rows,
 * so every node draws from the same one.
 */
class PostgresRateLimiterTest {

    private static final RateLimitConfig CONFIG = RateLimitConfig.custom()
            .rule(RateLimiter.BUILD_CREATE, RateLimitRule.perMinute(10))
            .rule("burst", new RateLimitRule(5, Duration.ofMillis(500)))
            .build();
    private static PostgresTestDatabase db;
    private RateLimiter limiter;

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
        limiter = new PostgresRateLimiter(db.sql(), CONFIG);
    }

    @Test
    void tryAcquire_fullBucket_allowsNThenDeniesWithTheWaitForOnePermit() {
        for (int i = 0; i < 10; i++) {
            RateLimitDecision decision = limiter.tryAcquire("alice", RateLimiter.BUILD_CREATE);
            assertThat(decision.allowed()).as("permit %d", i + 1).isTrue();
            assertThat(decision.remaining()).isEqualTo(9 - i);
        }
        RateLimitDecision denied = limiter.tryAcquire("alice", RateLimiter.BUILD_CREATE);

        assertThat(denied.allowed()).isFalse();
        assertThat(denied.remaining()).isZero();
        assertThat(denied.retryAfter()).isBetween(Duration.ofSeconds(5), Duration.ofSeconds(6));
        assertThat(denied.resetAfter()).isBetween(Duration.ofSeconds(55), Duration.ofSeconds(60));
        assertThat(limiter.tryAcquire("bob", RateLimiter.BUILD_CREATE).allowed())
                .as("another key has its own bucket").isTrue();
    }

    @Test
    void tryAcquire_afterRetryAfterOnTheDatabaseClock_allowsAgain() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertThat(limiter.tryAcquire("alice", "burst").allowed()).isTrue();
        }
        RateLimitDecision denied = limiter.tryAcquire("alice", "burst");
        assertThat(denied.allowed()).isFalse();

        Thread.sleep(denied.retryAfter().toMillis() + 20); // real time: the database's clock must pass it

        assertThat(limiter.tryAcquire("alice", "burst").allowed()).isTrue();
    }

    @Test
    void twoNodes_drainingOneUsersBucketConcurrently_holdTheLimitInTotal() throws Exception {
        RateLimiter other = new PostgresRateLimiter(db.secondNode().sql(), CONFIG);
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Callable<Boolean>> calls = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                RateLimiter node = i % 2 == 0 ? limiter : other;
                calls.add(() -> node.tryAcquire("carol", RateLimiter.BUILD_CREATE).allowed());
            }
            int allowed = 0;
            for (Future<Boolean> result : pool.invokeAll(calls)) {
                allowed += result.get() ? 1 : 0;
            }
            assertThat(allowed).isEqualTo(10);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void tryAcquire_unknownOperation_throws() {
        assertThatThrownBy(() -> limiter.tryAcquire("alice", "nope"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nope");
    }
}
