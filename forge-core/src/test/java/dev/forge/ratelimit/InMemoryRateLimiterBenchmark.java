package dev.forge.ratelimit;

import java.time.Clock;
import java.time.Duration;

/**
 * Warm-loop timing of {@link InMemoryRateLimiter#tryAcquire} for one user, on the allowed path
 * (a rule too large to drain) and the denied path (an empty bucket). Not a test; run its main
 * with the test classpath. Rough numbers: one thread, no JMH.
 */
public final class InMemoryRateLimiterBenchmark {

    private InMemoryRateLimiterBenchmark() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        RateLimitConfig config = RateLimitConfig.custom()
                .rule("bench", new RateLimitRule(Integer.MAX_VALUE, Duration.ofDays(1)))
                .build();
        InMemoryRateLimiter limiter = new InMemoryRateLimiter(config, Clock.systemUTC());
        for (int round = 0; round < rounds; round++) {
            System.out.printf("%-28s %8.1f ns/op%n", "allowed (one user)", time(limiter, "bench", 1_000_000, true));
            System.out.printf("%-28s %8.1f ns/op%n", "denied (one user)",
                    time(limiter, RateLimiter.BUILD_CREATE, 1_000_000, false));
        }
    }

    private static double time(RateLimiter limiter, String operation, int iterations, boolean expectAllowed) {
        run(limiter, operation, iterations / 2);
        long start = System.nanoTime();
        long allowed = run(limiter, operation, iterations);
        long elapsed = System.nanoTime() - start;
        if (expectAllowed ? allowed != iterations : allowed > 1) {
            throw new IllegalStateException(allowed + " of " + iterations + " allowed");
        }
        return (double) elapsed / iterations;
    }

    private static long run(RateLimiter limiter, String operation, int iterations) {
        long allowed = 0;
        for (int i = 0; i < iterations; i++) {
            if (limiter.tryAcquire("user-1", operation).allowed()) {
                allowed++;
            }
        }
        return allowed;
    }
}
