package dev.forge.http;

import dev.forge.ratelimit.RateLimitDecision;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** The {@code RateLimit-*} response headers of a decision (IETF draft, delta-seconds). */
final class RateLimitHeaders {

    private RateLimitHeaders() {
    }

    static Map<String, String> of(RateLimitDecision decision) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("RateLimit-Limit", Long.toString(decision.limit()));
        headers.put("RateLimit-Remaining", Long.toString(decision.remaining()));
        headers.put("RateLimit-Reset", Long.toString(ceilSeconds(decision.resetAfter())));
        return headers;
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
