package dev.forge.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.forge.task.TaskKind;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ExecutorConfigTest {

    @Test
    void ofDefaults_matchesTheDesign() {
        ExecutorConfig config = ExecutorConfig.ofDefaults();

        assertThat(config.maxAttempts(TaskKind.BUILD)).isEqualTo(3);
        assertThat(config.maxAttempts(TaskKind.ANALYSIS)).isEqualTo(2);
        assertThat(config.softTimeout(TaskKind.BUILD)).isEqualTo(Duration.ofMinutes(25));
        assertThat(config.hardTimeout(TaskKind.BUILD)).isEqualTo(Duration.ofMinutes(30));
        assertThat(config.retention()).isEqualTo(Duration.ofDays(30));
        assertThat(config.retentionInterval()).isEqualTo(Duration.ofHours(6));
        assertThat(config.healthInterval()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.heartbeatInterval()).isEqualTo(Duration.ofSeconds(20));
        assertThat(config.workers()).isEqualTo(Runtime.getRuntime().availableProcessors());
    }

    @Test
    void builder_badValues_failFastNamingTheSetting() {
        assertThatThrownBy(() -> ExecutorConfig.custom().workers(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("workers").hasMessageContaining("0");
        assertThatThrownBy(() -> ExecutorConfig.custom().leaseVisibility(Duration.ZERO))
                .hasMessageContaining("leaseVisibility");
        assertThatThrownBy(() -> ExecutorConfig.custom().retryJitter(1.5)).hasMessageContaining("retryJitter");
        assertThatThrownBy(() -> ExecutorConfig.custom().maxAttempts(TaskKind.BUILD, 0))
                .hasMessageContaining("maxAttempts(build)");
        assertThatThrownBy(() -> ExecutorConfig.custom().retryBase(Duration.ofSeconds(-1)))
                .hasMessageContaining("retryBase");
    }

    @Test
    void build_heartbeatNotShorterThanTheLease_isRefused() {
        assertThatThrownBy(() -> ExecutorConfig.custom().leaseVisibility(Duration.ofSeconds(10))
                .heartbeatInterval(Duration.ofSeconds(10)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("heartbeatInterval");
    }

    @Test
    void build_softTimeoutAfterTheHardOne_isRefused() {
        assertThatThrownBy(() -> ExecutorConfig.custom()
                .timeouts(TaskKind.ANALYSIS, Duration.ofMinutes(10), Duration.ofMinutes(5)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("analysis");
    }
}
