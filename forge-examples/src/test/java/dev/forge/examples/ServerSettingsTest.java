package dev.forge.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerSettingsTest {

    @TempDir
    Path temp;

    @Test
    void parse_nothing_givesTheDocumentedDefaults() {
        ServerSettings settings = ServerSettings.parse(Map.of(), List.of());

        assertThat(settings.host()).isEqualTo("127.0.0.1");
        assertThat(settings.port()).isEqualTo(8080);
        assertThat(settings.jwtSecret()).isNull();
        assertThat(settings.projectsDir()).isNull();
        assertThat(settings.workspaceDir()).isNull();
        assertThat(settings.workers()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(settings.buildsPerMinute()).isEqualTo(10);
        assertThat(settings.requestsPerMinute()).isEqualTo(60);
        assertThat(settings.corsOrigins()).isEmpty();
        assertThat(settings.trustedHosts()).isEmpty();
        assertThat(settings.debug()).isFalse();
        assertThat(settings.redisUrl()).isNull();
        assertThat(settings.role()).isEqualTo("all");
        assertThat(settings.queueVisibility()).isEqualTo(Duration.ofSeconds(60));
        assertThat(settings.logFormat()).isEqualTo("json");
    }

    @Test
    void parse_admissionLimits_defaultsAndOverrides_andBadValuesAreNamed() {
        ServerSettings defaults = ServerSettings.parse(Map.of(), List.of());
        ServerSettings set = ServerSettings.parse(Map.of("FORGE_MAX_ACTIVE_TASKS_PER_USER", "7"),
                List.of("--max-queued-tasks=500"));

        assertThat(defaults.admission().activeTasksPerUser()).isEqualTo(50);
        assertThat(defaults.admission().queuedTasksPerQueue()).isEqualTo(2_000);
        assertThat(set.admission().activeTasksPerUser()).isEqualTo(7);
        assertThat(set.admission().queuedTasksPerQueue()).isEqualTo(500);
        assertThatThrownBy(() -> ServerSettings.parse(Map.of("FORGE_MAX_QUEUED_TASKS", "0"), List.of()))
                .isInstanceOf(SettingsException.class).hasMessageContaining("FORGE_MAX_QUEUED_TASKS");
    }

    @Test
    void parse_environment_readsEveryVariable() throws Exception {
        Path projects = Files.createDirectory(temp.resolve("projects"));
        Map<String, String> env = Map.ofEntries(
                Map.entry("FORGE_HOST", "0.0.0.0"), Map.entry("FORGE_PORT", "9090"),
                Map.entry("FORGE_JWT_SECRET", "s".repeat(32)), Map.entry("FORGE_PROJECTS_DIR", projects.toString()),
                Map.entry("FORGE_WORKSPACE_DIR", temp.resolve("ws").toString()), Map.entry("FORGE_WORKERS", "3"),
                Map.entry("FORGE_RATE_LIMIT_BUILDS_PER_MINUTE", "5"),
                Map.entry("FORGE_RATE_LIMIT_REQUESTS_PER_MINUTE", "500"),
                Map.entry("FORGE_CORS_ORIGINS", "https://a.example, http://localhost:3000"),
                Map.entry("FORGE_TRUSTED_HOSTS", "forge.example.com,*.corp.example"),
                Map.entry("FORGE_DEBUG", "yes"), Map.entry("FORGE_REDIS_URL", "redis://cache:6379/0"),
                Map.entry("FORGE_ROLE", "WORKER"), Map.entry("FORGE_QUEUE_VISIBILITY_SECONDS", "30"),
                Map.entry("FORGE_LOG_FORMAT", "text"), Map.entry("UNRELATED", "ignored"));

        ServerSettings settings = ServerSettings.parse(env, List.of());

        assertThat(settings.host()).isEqualTo("0.0.0.0");
        assertThat(settings.port()).isEqualTo(9090);
        assertThat(settings.jwtSecret()).hasSize(32);
        assertThat(settings.projectsDir()).isEqualTo(projects);
        assertThat(settings.workspaceDir()).isEqualTo(temp.resolve("ws"));
        assertThat(settings.workers()).isEqualTo(3);
        assertThat(settings.buildsPerMinute()).isEqualTo(5);
        assertThat(settings.requestsPerMinute()).isEqualTo(500);
        assertThat(settings.corsOrigins()).containsExactly("https://a.example", "http://localhost:3000");
        assertThat(settings.trustedHosts()).containsExactly("forge.example.com", "*.corp.example");
        assertThat(settings.debug()).isTrue();
        assertThat(settings.redisUrl().getHost()).isEqualTo("cache");
        assertThat(settings.role()).isEqualTo("worker");
        assertThat(settings.queueVisibility()).isEqualTo(Duration.ofSeconds(30));
        assertThat(settings.logFormat()).isEqualTo("text");
        assertThat(settings.httpConfig().trustedHosts()).contains("*.corp.example", "localhost");
    }

    @Test
    void parse_flags_winOverTheEnvironment_inBothForms() {
        ServerSettings settings = ServerSettings.parse(Map.of("FORGE_PORT", "9090", "FORGE_WORKERS", "2"),
                List.of("--port=8081", "--workers", "4", "--debug", "--rate-limit-builds-per-minute=7"));

        assertThat(settings.port()).isEqualTo(8081);
        assertThat(settings.workers()).isEqualTo(4);
        assertThat(settings.debug()).isTrue();
        assertThat(settings.buildsPerMinute()).isEqualTo(7);
    }

    @Test
    void parse_badValues_failWithOneLineNamingTheVariable() {
        Map<String, String> bad = Map.ofEntries(
                Map.entry("FORGE_PORT", "http"), Map.entry("FORGE_HOST", "a host"),
                Map.entry("FORGE_JWT_SECRET", "short"), Map.entry("FORGE_PROJECTS_DIR", temp.resolve("no").toString()),
                Map.entry("FORGE_WORKERS", "0"), Map.entry("FORGE_RATE_LIMIT_BUILDS_PER_MINUTE", "-1"),
                Map.entry("FORGE_RATE_LIMIT_REQUESTS_PER_MINUTE", "lots"),
                Map.entry("FORGE_CORS_ORIGINS", "*"), Map.entry("FORGE_TRUSTED_HOSTS", "a b"),
                Map.entry("FORGE_DEBUG", "maybe"), Map.entry("FORGE_REDIS_URL", "http://x"),
                Map.entry("FORGE_ROLE", "boss"), Map.entry("FORGE_QUEUE_VISIBILITY_SECONDS", "0"),
                Map.entry("FORGE_LOG_FORMAT", "xml"));
        bad.forEach((variable, value) -> assertThatThrownBy(() -> ServerSettings.parse(Map.of(variable, value), List.of()))
                .as(variable)
                .isInstanceOf(SettingsException.class)
                .hasMessageStartingWith(variable)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n")));
    }

    @Test
    void parse_secretsAreNeverEchoed() {
        assertThatThrownBy(() -> ServerSettings.parse(Map.of("FORGE_JWT_SECRET", "tooshort-but-secret"), List.of()))
                .hasMessageContaining("at least 32 bytes").hasMessageNotContaining("tooshort-but-secret");
        assertThatThrownBy(() -> ServerSettings.parse(Map.of(), List.of("--redis-url=http://user:pw@x")))
                .hasMessageStartingWith("--redis-url (FORGE_REDIS_URL)").hasMessageNotContaining("pw");
    }

    @Test
    void parse_databaseUrl_takesAPostgresJdbcUrlAndNeverEchoesABadOne() {
        assertThat(ServerSettings.parse(Map.of(), List.of()).databaseUrl()).isNull();
        assertThat(ServerSettings.parse(Map.of("FORGE_DATABASE_URL", "jdbc:postgresql://127.0.0.1:5432/test"),
                List.of()).databaseUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:5432/test");
        assertThatThrownBy(() -> ServerSettings.parse(Map.of(),
                List.of("--database-url=postgres://user:pw@db/forge")))
                .hasMessageStartingWith("--database-url (FORGE_DATABASE_URL)").hasMessageContaining("JDBC")
                .hasMessageNotContaining("pw");
    }

    @Test
    void parse_unknownOrIncompleteFlags_fail() {
        assertThatThrownBy(() -> ServerSettings.parse(Map.of(), List.of("--prot=1"))).hasMessageContaining("--prot");
        assertThatThrownBy(() -> ServerSettings.parse(Map.of(), List.of("--port"))).hasMessageContaining("--port");
        assertThatThrownBy(() -> ServerSettings.parse(Map.of(), List.of("serve"))).hasMessageContaining("serve");
        assertThatThrownBy(() -> ServerSettings.parse(Map.of(), List.of("--port=99999")))
                .hasMessageStartingWith("--port (FORGE_PORT)");
    }

    @Test
    void parse_secretFile_isReadOnce_andNeverEchoed() throws Exception {
        Path file = temp.resolve("jwt-secret");
        Files.writeString(file, "f".repeat(40) + "\n");

        ServerSettings settings = ServerSettings.parse(Map.of("FORGE_JWT_SECRET_FILE", file.toString()), List.of());
        Files.writeString(file, "changed-later-" + "x".repeat(40));

        assertThat(settings.jwtSecret()).isEqualTo("f".repeat(40));
        Files.writeString(file, "short-secret");
        assertThatThrownBy(() -> ServerSettings.parse(Map.of("FORGE_JWT_SECRET_FILE", file.toString()), List.of()))
                .hasMessageStartingWith("FORGE_JWT_SECRET_FILE: must hold at least 32 bytes")
                .hasMessageNotContaining("short-secret");
        assertThatThrownBy(() -> ServerSettings.parse(Map.of("FORGE_JWT_SECRET_FILE", temp.resolve("none").toString()),
                List.of())).hasMessageStartingWith("FORGE_JWT_SECRET_FILE: cannot be read");
        Files.writeString(file, "g".repeat(40));
        assertThatThrownBy(() -> ServerSettings.parse(Map.of("FORGE_JWT_SECRET_FILE", file.toString(),
                "FORGE_JWT_SECRET", "s".repeat(32)), List.of())).hasMessageContaining("both set");
    }

    @Test
    void parse_sandboxSettings_defaultToAutoAndTheDefaultPolicy_andAreChecked() {
        ServerSettings defaults = ServerSettings.parse(Map.of(), List.of());
        assertThat(defaults.sandbox()).isEqualTo("auto");
        assertThat(defaults.sandboxPolicy()).isEqualTo(dev.forge.sandbox.SandboxPolicy.defaults());
        assertThat(ExampleServer.enforcement(defaults, true)).isEqualTo(dev.forge.sandbox.Enforcement.BEST_EFFORT);
        assertThat(ExampleServer.enforcement(defaults, false)).isEqualTo(dev.forge.sandbox.Enforcement.STRICT);

        ServerSettings set = ServerSettings.parse(Map.of("FORGE_SANDBOX", "OFF", "FORGE_SANDBOX_NETWORK", "true",
                "FORGE_SANDBOX_MEMORY_MB", "512", "FORGE_SANDBOX_PROCESSES", "0",
                "FORGE_SANDBOX_READABLE", temp.toString()), List.of());
        assertThat(ExampleServer.enforcement(set, false)).isEqualTo(dev.forge.sandbox.Enforcement.OFF);
        assertThat(set.sandboxPolicy()).isEqualTo(dev.forge.sandbox.SandboxPolicy.defaults().withNetwork(true)
                .withMemoryMb(512).withProcesses(0).withReadable(List.of(temp)));

        assertThatThrownBy(() -> ServerSettings.parse(Map.of("FORGE_SANDBOX", "maybe"), List.of()))
                .hasMessageStartingWith("FORGE_SANDBOX: must be one of auto, strict, off");
        assertThatThrownBy(() -> ServerSettings.parse(Map.of("FORGE_SANDBOX_MEMORY_MB", "8"), List.of()))
                .hasMessageStartingWith("FORGE_SANDBOX_MEMORY_MB: sandbox memory_mb must be at least 16");
    }

    @Test
    void flagOf_mapsEveryVariable() {
        assertThat(ServerSettings.flagOf("FORGE_RATE_LIMIT_BUILDS_PER_MINUTE")).isEqualTo("--rate-limit-builds-per-minute");
        assertThat(ServerSettings.ORDER).hasSize(ServerSettings.VARIABLES.size());
    }
}
