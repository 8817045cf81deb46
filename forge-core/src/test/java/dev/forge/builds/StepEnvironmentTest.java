package dev.forge.builds;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forge.project.ProjectSpec;
import dev.forge.testing.RecordingTaskContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class StepEnvironmentTest {

    private static final Map<String, String> PARENT = Map.of(
            "PATH", "/usr/bin:/bin",
            "HOME", "/home/forge",
            "LANG", "C.UTF-8",
            "FORGE_JWT_SECRET", "jwt-s3cret-value",
            "FORGE_REDIS_URL", "redis://:redis-pw@db:6379",
            "AWS_SECRET_ACCESS_KEY", "aws-key",
            "LD_PRELOAD", "/tmp/evil.so");

    private final List<String> warnings = new ArrayList<>();

    private Map<String, String> env(ProjectSpec project, Map<String, String> parameters) {
        return StepEnvironment.of(PARENT, BuildRunnerConfig.DEFAULT_INHERITED_ENV, project,
                RecordingTaskContext.forBuild("calc", parameters).task(), warnings::add);
    }

    @Test
    void of_passesOnlyAllowlistedParentVariables_thenProjectEnv_thenParameters_thenTaskId() {
        ProjectSpec project = ProjectSpec.builder("calc").localSource(Path.of("/src"))
                .env("GREETING", "hi").env("PATH", "/opt/tool/bin").build();

        Map<String, String> env = env(project, Map.of("flavor", "vanilla", "max_jobs", "4"));

        assertThat(env).containsExactlyInAnyOrderEntriesOf(Map.of(
                "PATH", "/opt/tool/bin",
                "HOME", "/home/forge",
                "LANG", "C.UTF-8",
                "GREETING", "hi",
                "FORGE_PARAM_FLAVOR", "vanilla",
                "FORGE_PARAM_MAX_JOBS", "4",
                "FORGE_TASK_ID", "test-task-1"));
        assertThat(env.values()).noneMatch(value -> value.contains("s3cret") || value.contains("redis-pw"));
    }

    @Test
    void of_projectCannotFakeForgesOwnVariables() {
        ProjectSpec project = ProjectSpec.builder("calc").localSource(Path.of("/src"))
                .env("FORGE_TASK_ID", "fake").env("FORGE_PARAM_FLAVOR", "fake").build();

        Map<String, String> env = env(project, Map.of());

        assertThat(env).containsEntry("FORGE_TASK_ID", "test-task-1").doesNotContainKey("FORGE_PARAM_FLAVOR");
    }

    @Test
    void of_parameterValuesAreInertText() {
        Map<String, String> env = env(ProjectSpec.builder("calc").localSource(Path.of("/s")).build(),
                Map.of("x", "$(id); rm -rf / `whoami` && echo pwned"));

        assertThat(env).containsEntry("FORGE_PARAM_X", "$(id); rm -rf / `whoami` && echo pwned");
    }

    @Test
    void of_parameterThatCannotBePassed_isSkippedWithAWarning() {
        Map<String, String> env = env(ProjectSpec.builder("calc").localSource(Path.of("/s")).build(),
                Map.of("BAD=KEY", "v", "ok", "nul\0byte"));

        assertThat(env).doesNotContainKeys("FORGE_PARAM_BAD=KEY", "FORGE_PARAM_OK");
        assertThat(warnings).hasSize(2);
    }

    @Property(tries = 200)
    void of_anyParentEnvironment_leaksNothingButTheAllowlist(
            @ForAll Map<@AlphaChars @StringLength(min = 1, max = 12) String,
                    @StringLength(max = 12) String> parent) {
        Map<String, String> withSecret = new HashMap<>(parent);
        withSecret.put("FORGE_JWT_SECRET", "x");
        Map<String, String> env = StepEnvironment.of(withSecret, BuildRunnerConfig.DEFAULT_INHERITED_ENV,
                ProjectSpec.builder("calc").localSource(Path.of("/s")).build(),
                RecordingTaskContext.forBuild("calc", Map.of()).task(), warnings::add);

        Set<String> allowed = Set.of("PATH", "HOME", "LANG", "JAVA_HOME", "FORGE_TASK_ID");
        assertThat(allowed).containsAll(env.keySet());
        for (String key : env.keySet()) {
            if (!key.equals("FORGE_TASK_ID")) {
                assertThat(env.get(key)).isEqualTo(withSecret.get(key));
            }
        }
    }
}
