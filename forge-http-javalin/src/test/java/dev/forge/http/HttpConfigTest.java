package dev.forge.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class HttpConfigTest {

    @Test
    void defaults_areOneMebibyteLoopbackNoCorsNoDebug() {
        HttpConfig config = HttpConfig.defaults();

        assertThat(config.bodyLimitBytes()).isEqualTo(1024 * 1024);
        assertThat(config.trustedHosts()).containsExactlyInAnyOrder("localhost", "127.0.0.1", "[::1]");
        assertThat(config.corsOrigins()).isEmpty();
        assertThat(config.debug()).isFalse();
        assertThat(config.metricsRequireAdmin()).isTrue();
    }

    @Test
    void bodyLimit_outOfRange_isRejectedNamingTheValue() {
        assertThatThrownBy(() -> HttpConfig.builder().bodyLimitBytes(0)).hasMessageContaining("bodyLimitBytes")
                .hasMessageContaining("0");
        assertThatThrownBy(() -> HttpConfig.builder().bodyLimitBytes(100L * 1024 * 1024))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void corsOrigins_mustBeSchemeHostAndPortOnly() {
        assertThat(HttpConfig.builder().corsOrigins(List.of("https://App.Example.com", "http://localhost:3000"))
                .build().corsOrigins()).containsExactlyInAnyOrder("https://app.example.com", "http://localhost:3000");
        for (String bad : List.of("*", "app.example.com", "https://app.example.com/path", "ftp://x.example",
                "https://", "https://a.example?x=1", " ")) {
            assertThatThrownBy(() -> HttpConfig.builder().corsOrigins(List.of(bad)))
                    .as(bad).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("CORS origin");
        }
    }

    @Test
    void trustedHosts_acceptNamesWildcardsAndIpv6_rejectTheRest() {
        HttpConfig config = HttpConfig.builder()
                .trustedHosts(List.of("Forge.Example.com", "*.corp.example", "[fd00::1]", "10.0.0.5")).build();

        assertThat(config.isTrustedHost("forge.example.com")).isTrue();
        assertThat(config.isTrustedHost("a.corp.example")).isTrue();
        assertThat(config.isTrustedHost("corp.example")).isFalse();
        assertThat(config.isTrustedHost("evilcorp.example")).isFalse();
        assertThat(config.isTrustedHost("[fd00::1]")).isTrue();
        assertThat(config.isTrustedHost("10.0.0.5")).isTrue();
        assertThat(config.isTrustedHost("localhost")).isTrue();
        for (String bad : List.of("a b", "host:8080", "http://host", "", "-bad-.example", "a..b")) {
            assertThatThrownBy(() -> HttpConfig.builder().trustedHosts(List.of(bad)))
                    .as(bad).hasMessageContaining("trusted host");
        }
        assertThat(HttpConfig.builder().trustedHosts(List.of("*")).build().isTrustedHost("anything.example")).isTrue();
    }

    @Test
    void sseKeepAlive_outOfRange_isRejected() {
        assertThatThrownBy(() -> HttpConfig.builder().sseKeepAlive(Duration.ofMillis(1)))
                .hasMessageContaining("sseKeepAlive");
        assertThatThrownBy(() -> HttpConfig.builder().sseKeepAlive(Duration.ofHours(1)))
                .hasMessageContaining("sseKeepAlive");
    }

    @Test
    void streamLimits_defaultToOneMebibyteAndTwentySeconds_andRejectOutOfRange() {
        HttpConfig defaults = HttpConfig.defaults();
        assertThat(defaults.streamBufferBytes()).isEqualTo(1024 * 1024);
        assertThat(defaults.streamWriteDeadline()).isEqualTo(Duration.ofSeconds(20));
        HttpConfig custom = HttpConfig.builder().streamLimits(8192, Duration.ofSeconds(3)).build();
        assertThat(custom.streamBufferBytes()).isEqualTo(8192);
        assertThat(custom.streamWriteDeadline()).isEqualTo(Duration.ofSeconds(3));

        assertThatThrownBy(() -> HttpConfig.builder().streamLimits(100, Duration.ofSeconds(3)))
                .hasMessageContaining("streamBufferBytes").hasMessageContaining("100");
        assertThatThrownBy(() -> HttpConfig.builder().streamLimits(8192, Duration.ofMillis(1)))
                .hasMessageContaining("streamWriteDeadline");
        assertThatThrownBy(() -> HttpConfig.builder().streamLimits(8192, Duration.ofHours(1)))
                .hasMessageContaining("streamWriteDeadline");
    }
}
