package dev.forge.http;

import dev.forge.ratelimit.RateLimitDecision;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/** The {@code RateLimit-*} response headers of a decision (IETF draft, delta-seconds). */
final class RateLimitHeaders {

    private RateLimitHeaders() {
    }

    static Map<String, String> of(RateLimitDecision decision) {
        Map<String, String> headers = new LinkedHashMap<>();
        apply(decision, headers::put);
        return headers;
    }

    /** Sets the three headers through {@code setter}, with no map in between (every authenticated request). */
    static void apply(RateLimitDecision decision, BiConsumer<String, String> setter) {
        setter.accept("RateLimit-Limit", Long.toString(decision.limit()));
        setter.accept("RateLimit-Remaining", Long.toString(decision.remaining()));
        setter.accept("RateLimit-Reset", Long.toString(ceilSeconds(decision.resetAfter())));
    }

    /** Whole seconds to wait, rounded up and at least 1, so a client never retries too early. */
    static long seconds(Duration wait) {
        return Math.max(1, ceilSeconds(wait));
    }

    private static long ceilSeconds(Duration duration) {
        if (duration.isNegative() || duration.isZero()) {
            return 0;
        }
        long seconds = duration.getSeconds();
        return duration.getNano() > 0 ? seconds + 1 : seconds;
    }
}
