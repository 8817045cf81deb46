package dev.forge.builds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BuildRunnerConfigTest {

    @Test
    void defaults_areDocumentedValues() {
        BuildRunnerConfig config = BuildRunnerConfig.defaults();

        assertThat(config.gracePeriod()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.keepWorkspaceOnFailure()).isFalse();
        assertThat(config.maxLineLength()).isEqualTo(8192);
        assertThat(config.gitExecutable()).isEqualTo("git");
        assertThat(config.inheritedEnv()).containsExactly("PATH", "HOME", "LANG", "JAVA_HOME");
        assertThat(config.workspaceRoot().getFileName()).isEqualTo(Path.of("forge-workspaces"));
    }

    @Test
    void builder_setsEveryValue() {
        BuildRunnerConfig config = BuildRunnerConfig.builder().workspaceRoot(Path.of("ws"))
                .gracePeriod(Duration.ZERO).keepWorkspaceOnFailure(true).maxLineLength(80)
                .gitExecutable("/usr/local/bin/git").inheritedEnv(Set.of("PATH", "TMPDIR")).build();

        assertThat(config.workspaceRoot()).isAbsolute();
        assertThat(config.workspaceRoot().getFileName()).isEqualTo(Path.of("ws"));
        assertThat(config.gracePeriod()).isZero();
        assertThat(config.keepWorkspaceOnFailure()).isTrue();
        assertThat(config.maxLineLength()).isEqualTo(80);
        assertThat(config.gitExecutable()).isEqualTo("/usr/local/bin/git");
        assertThat(config.inheritedEnv()).containsExactlyInAnyOrder("PATH", "TMPDIR");
    }

    @Test
    void builder_badValues_failFastNamingTheValue() {
        assertThatThrownBy(() -> BuildRunnerConfig.builder().gracePeriod(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gracePeriod").hasMessageContaining("PT-1S");
        assertThatThrownBy(() -> BuildRunnerConfig.builder().gracePeriod(Duration.ofHours(1)))
                .hasMessageContaining("PT1H");
        assertThatThrownBy(() -> BuildRunnerConfig.builder().maxLineLength(79)).hasMessageContaining("79");
        assertThatThrownBy(() -> BuildRunnerConfig.builder().gitExecutable("")).hasMessageContaining("gitExecutable");
        assertThatThrownBy(() -> BuildRunnerConfig.builder().inheritedEnv(Set.of("FORGE_JWT_SECRET")))
                .hasMessageContaining("FORGE_JWT_SECRET");
        assertThatThrownBy(() -> BuildRunnerConfig.builder().inheritedEnv(Set.of("A B")))
                .hasMessageContaining("'A B'");
    }
}
