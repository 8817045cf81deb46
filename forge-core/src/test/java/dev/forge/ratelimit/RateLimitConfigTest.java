package dev.forge.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RateLimitConfigTest {

    @Test
    void ofDefaults_holdsTheDocumentedRules() {
        RateLimitConfig defaults = RateLimitConfig.ofDefaults();

        assertThat(defaults.rules()).containsOnlyKeys(
                RateLimiter.BUILD_CREATE, RateLimiter.ANALYSIS_CREATE, RateLimiter.REQUEST);
        assertThat(defaults.rule(RateLimiter.BUILD_CREATE)).contains(RateLimitRule.perMinute(10));
        assertThat(defaults.rule(RateLimiter.ANALYSIS_CREATE)).contains(RateLimitRule.perMinute(10));
        assertThat(defaults.rule(RateLimiter.REQUEST)).contains(RateLimitRule.perMinute(60));
        assertThat(defaults.idleExpiry()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void custom_rule_replacesOnlyThatOperation() {
        RateLimitConfig config = RateLimitConfig.custom()
                .rule(RateLimiter.REQUEST, RateLimitRule.perMinute(600))
                .rule("export", new RateLimitRule(2, Duration.ofSeconds(10)))
                .build();

        assertThat(config.rule(RateLimiter.REQUEST)).contains(RateLimitRule.perMinute(600));
        assertThat(config.rule(RateLimiter.BUILD_CREATE)).contains(RateLimitRule.perMinute(10));
        assertThat(config.rule("export")).contains(new RateLimitRule(2, Duration.ofSeconds(10)));
        assertThat(config.rule("missing")).isEmpty();
    }

    @Test
    void build_ruleLongerThanDefaultIdleExpiry_raisesIdleExpiry() {
        RateLimitConfig config = RateLimitConfig.custom()
                .rule("daily", new RateLimitRule(100, Duration.ofDays(1))).build();

        assertThat(config.idleExpiry()).isEqualTo(Duration.ofDays(1));
    }

    @Test
    void build_idleExpiryShorterThanAPeriod_failsNamingBoth() {
        RateLimitConfig.Builder builder = RateLimitConfig.custom().idleExpiry(Duration.ofSeconds(30));

        assertThatThrownBy(builder::build)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("idleExpiry PT30S is shorter than the longest rule period PT1M");
    }

    @Test
    void idleExpiry_notPositive_fails() {
        assertThatThrownBy(() -> RateLimitConfig.custom().idleExpiry(Duration.ZERO))
                .hasMessage("idleExpiry must be positive, was PT0S");
    }

    @Test
    void rule_badOperationName_failsNamingIt() {
        assertThatThrownBy(() -> RateLimitConfig.custom().rule("Build Create", RateLimitRule.perMinute(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'Build Create'");
        assertThatThrownBy(() -> RateLimitConfig.custom().rule("", RateLimitRule.perMinute(1)))
                .hasMessageContaining("operation must match");
    }

    @Test
    void rule_fasterThanOnePerNanosecond_fails() {
        assertThatThrownBy(() -> RateLimitConfig.custom().rule("x", new RateLimitRule(10, Duration.ofNanos(5))))
                .hasMessageContaining("refills faster than one permit per nanosecond");
    }

    @Test
    void from_copiesAndStaysIndependent() {
        RateLimitConfig base = RateLimitConfig.custom().rule("x", RateLimitRule.perMinute(3)).build();

        RateLimitConfig derived = RateLimitConfig.from(base).rule("x", RateLimitRule.perMinute(4)).build();

        assertThat(base.rule("x")).contains(RateLimitRule.perMinute(3));
        assertThat(derived.rule("x")).contains(RateLimitRule.perMinute(4));
        assertThatThrownBy(() -> base.rules().put("y", RateLimitRule.perMinute(1)))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void rule_invalidRuleValues_failInTheRecord() {
        assertThatThrownBy(() -> new RateLimitRule(0, Duration.ofMinutes(1))).hasMessageContaining("was 0");
        assertThatThrownBy(() -> new RateLimitRule(1, Duration.ZERO)).hasMessageContaining("was PT0S");
    }
}
