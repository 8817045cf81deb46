package dev.forge.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forge.ratelimit.RateLimitDecision;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The per-request helpers that replaced a regex, a SecureRandom UUID and a header map. */
class HotPathHelpersTest {

    /** What safePath did with a regex, kept here as the reference it must still agree with. */
    private static String regexSafePath(String path) {
        String cleaned = path.replaceAll("[^A-Za-z0-9/_.~-]", "?");
        return cleaned.length() > 100 ? cleaned.substring(0, 100) + "..." : cleaned;
    }

    @Test
    void safePath_agreesWithTheRegexItReplaced() {
        String letters = "aZ09/_.~- ?%\"'<>\n\r\t\u0000\u00e9\u202e\ud83d\ude00\ud83d";
        Random random = new Random(42);
        for (int i = 0; i < 5_000; i++) {
            StringBuilder path = new StringBuilder("/");
            int length = random.nextInt(130);
            for (int j = 0; j < length; j++) {
                path.append(letters.charAt(random.nextInt(letters.length())));
            }
            assertThat(ErrorMapper.safePath(path.toString())).isEqualTo(regexSafePath(path.toString()));
        }
        assertThat(ErrorMapper.safePath("/api/build/abc")).isEqualTo("/api/build/abc");
        assertThat(ErrorMapper.safePath("/a b\ud83d\ude00c")).isEqualTo("/a?b?c");
        assertThat(ErrorMapper.safePath("/" + "x".repeat(120))).isEqualTo("/" + "x".repeat(99) + "...");
    }

    @Test
    void newRequestIds_areDistinctVersion4Uuids() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String id = RequestContext.newId();
            UUID uuid = UUID.fromString(id);
            assertThat(uuid.version()).isEqualTo(4);
            assertThat(uuid.variant()).isEqualTo(2);
            assertThat(id).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
            ids.add(id);
        }
        assertThat(ids).hasSize(10_000);
    }

    @Test
    void rateLimitHeaders_setDirectly_areTheHeadersOfTheDecision() {
        RateLimitDecision decision = new RateLimitDecision(true, 60, 41, Duration.ofMillis(1_500), Duration.ZERO);
        Map<String, String> set = new LinkedHashMap<>();

        RateLimitHeaders.apply(decision, set::put);

        assertThat(set).containsExactly(Map.entry("RateLimit-Limit", "60"), Map.entry("RateLimit-Remaining", "41"),
                Map.entry("RateLimit-Reset", "2"));
        assertThat(RateLimitHeaders.of(decision)).isEqualTo(set);
    }
}
