package dev.forge.sandbox;

import static dev.forge.sandbox.SandboxedEngine.assertSucceeded;
import static org.assertj.core.api.Assertions.assertThat;

import dev.forge.project.ProjectSpec;
import dev.forge.task.TaskError;
import dev.forge.task.TaskId;
import dev.forge.task.TaskRecord;
import dev.forge.task.TaskStatus;
import dev.forge.testing.Await;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each "done when" of the sandbox, as a real build through the engine that tries what a hostile
 * build would: read forge's secrets, reach Redis, write outside its workspace, leave daemons,
 * kill forge or a neighbour, exhaust processes or memory.
 */
class SandboxedBuildTest {

    @TempDir
    Path temp;

    private Path source() throws IOException {
        return Files.createDirectories(temp.resolve("source"));
    }

    private static ProjectSpec.Builder project(String name, Path source) {
        return ProjectSpec.builder(name).localSource(source);
    }

    private static final String SNOOP = "for f in /proc/[0-9]*/environ; do tr '\\0' '\\n' < $f; done 2>/dev/null; "
            + "echo PS-START; ps -e -o pid=,comm=; echo PS-END";

    @Test
    void procEnvironAndPs_showNeitherForgesSecretNorForge() throws Exception {
        SandboxedEngine.requireBubblewrap();
        String secret = "s3cret-" + UUID.randomUUID();
        // stands in for forge's own environment: a process of the host holding the secret
        ProcessBuilder holder = new ProcessBuilder("sleep", "60");
        holder.environment().put("FORGE_JWT_SECRET", secret);
        Process process = holder.start();
        try {
            ProjectSpec spec = project("snoop", source()).step("snoop", "sh", "-c", SNOOP).build();
            String confined;
            try (SandboxedEngine engine = new SandboxedEngine(temp.resolve("ws"), Enforcement.BEST_EFFORT,
                    SandboxPolicy.defaults(), 1, spec)) {
                TaskRecord done = engine.build("snoop");
                confined = engine.log(done);
                assertSucceeded(done, confined);
            }
            String open;
            try (SandboxedEngine engine = new SandboxedEngine(temp.resolve("ws"), Enforcement.OFF,
                    SandboxPolicy.defaults(), 1, spec)) {
                open = engine.log(engine.build("snoop"));
            }
            assertThat(open).as("without the sandbox the same step finds the secret and java").contains(secret)
                    .contains("java");
            assertThat(confined).doesNotContain(secret);
            // lastIndexOf: the step's command line, logged first, holds the markers as well
            String ps = confined.substring(confined.lastIndexOf("PS-START"), confined.lastIndexOf("PS-END"));
            assertThat(ps).doesNotContain("java").doesNotContain("sleep");
            assertThat(ps.lines().count()).as(ps).isLessThanOrEqualTo(6);
        } finally {
            process.destroyForcibly();
        }
    }

    @Test
    void strict_withoutASandbox_refusesTheBuildAtOnce_namingWhatIsMissingAndHowToInstallIt() throws Exception {
        Path marker = temp.resolve("ran");
        ProjectSpec spec = project("any", source()).step("touch", "touch", marker.toString()).build();
        dev.forge.builds.ProcessBuildRunner runner = new dev.forge.builds.ProcessBuildRunner(
                dev.forge.builds.BuildRunnerConfig.builder().workspaceRoot(temp.resolve("ws"))
                        .enforcement(Enforcement.STRICT).sandbox(Sandbox.none()).build());
        try (dev.forge.Forge forge = dev.forge.Forge.builder().projectCatalog(dev.forge.project.ProjectCatalog.of(spec))
                .buildRunner(runner).build().start()) {
            dev.forge.security.Principal alice = dev.forge.security.Principal.user("alice");
            TaskId id = forge.builds().create(alice, new dev.forge.builds.BuildRequest("any", "build", java.util.Map.of()))
                    .orElseThrow().id();
            Await.until(() -> forge.store().find(id).orElseThrow().isTerminal(), Duration.ofSeconds(60), "the build");
            TaskRecord done = forge.store().find(id).orElseThrow();

            assertThat(done.status()).isEqualTo(TaskStatus.FAILED);
            assertThat(done.attempt()).as("not retried").isEqualTo(1);
            assertThat(done.error().code()).isEqualTo(TaskError.SANDBOX);
            assertThat(done.error().message()).contains("no sandbox", "apt-get install -y bubblewrap",
                    "FORGE_SANDBOX=off");
            assertThat(marker).as("no step ran").doesNotExist();
            assertThat(forge.health().components().get("sandbox").details())
                    .containsEntry("isolation", "none").containsEntry("enforcement", "strict");
            assertThat(forge.sandbox()).contains(Sandbox.none());
        }
    }

    private static final String REDIS_PING = "exec 3<>/dev/tcp/127.0.0.1/6379 && printf 'PING\\r\\n' >&3 "
            + "&& head -c 5 <&3";

    @Test
    void redisOnLoopback_isRefusedWithoutNetwork_andAnswersWithNetwork() throws Exception {
        SandboxedEngine.requireBubblewrap();
        boolean redis = redisAnswers();
        ProjectSpec closed = project("closed", source()).step("ping", "bash", "-c", REDIS_PING).build();
        ProjectSpec open = project("open", source()).step("ping", "bash", "-c", REDIS_PING)
                .sandbox(new SandboxPolicy.Overrides(true, null, null, null, null, null, null)).build();
        try (SandboxedEngine engine = new SandboxedEngine(temp.resolve("ws"), Enforcement.BEST_EFFORT,
                SandboxPolicy.defaults(), 1, closed, open)) {
            TaskRecord refused = engine.build("closed");
            assertThat(refused.status()).isEqualTo(TaskStatus.FAILED);
            assertThat(engine.log(refused)).doesNotContain("+PONG").containsIgnoringCase("refused");
            if (redis || "1".equals(System.getenv("FORGE_REQUIRE_REDIS"))) {
                TaskRecord reached = engine.build("open");
                assertSucceeded(reached, engine.log(reached));
                assertThat(engine.log(reached)).contains("+PONG");
            }
        }
    }

    private static boolean redisAnswers() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", 6379), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void writes_outsideTheWorkspaceAndTmpFail_insideWork() throws Exception {
        SandboxedEngine.requireBubblewrap();
        Path projects = Files.createDirectories(temp.resolve("projects"));
        Files.setPosixFilePermissions(temp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        String mark = "forge-probe-" + UUID.randomUUID();
        Path home = Path.of(System.getProperty("user.home"));
        List<Path> targets = List.of(projects.resolve(mark), home.resolve(mark), Path.of("/etc", mark));
        String script = "for p in \"$@\"; do if (echo x > \"$p\") 2>/dev/null; then echo \"WROTE $p\"; "
                + "else echo \"REFUSED $p\"; fi; done; echo x > in-workspace && echo WS-OK; "
                + "echo x > /tmp/" + mark + " && echo TMP-OK";
        ProjectSpec spec = project("writer", source()).step("write", "sh", "-c", script, "sh",
                targets.get(0).toString(), targets.get(1).toString(), targets.get(2).toString()).build();
        try (SandboxedEngine engine = new SandboxedEngine(temp.resolve("ws"), Enforcement.BEST_EFFORT,
                SandboxPolicy.defaults(), 1, spec)) {
            TaskRecord done = engine.build("writer");
            String log = engine.log(done);
            assertSucceeded(done, log);
            for (Path target : targets) {
                assertThat(log).contains("REFUSED " + target);
                assertThat(target).doesNotExist();
            }
            assertThat(log).contains("WS-OK", "TMP-OK");
            assertThat(Path.of("/tmp", mark)).as("the build's /tmp is its own").doesNotExist();
        }
    }

    @Test
    void daemons_areGoneWithinOneSecond_ofTheBuildsEnd_andOfItsCancel() throws Exception {
        SandboxedEngine.requireBubblewrap();
        String ended = "1003." + (100 + (int) (Math.random() * 800));
        String cancelled = "1004." + (100 + (int) (Math.random() * 800));
        ProjectSpec leaves = project("leaves", source()).step("daemon", "sh", "-c",
                "setsid sleep " + ended + " > /dev/null 2>&1 < /dev/null & echo started").build();
        ProjectSpec waits = project("waits", source()).step("daemon", "sh", "-c",
                "setsid sleep " + cancelled + " > /dev/null 2>&1 < /dev/null & sleep 60").build();
        try (SandboxedEngine engine = new SandboxedEngine(temp.resolve("ws"), Enforcement.BEST_EFFORT,
                SandboxPolicy.defaults(), 1, leaves, waits)) {
            TaskRecord done = engine.build("leaves");
            assertSucceeded(done, engine.log(done));
            Await.until(() -> !running(ended), Duration.ofSeconds(1), "the daemon to be gone after the build");

            TaskId id = engine.start("waits");
            Await.until(() -> running(cancelled), Duration.ofSeconds(60), "the daemon to start");
            engine.forge.builds().cancel(engine.alice, id).orElseThrow();
            TaskRecord stopped = engine.await(id);
            assertThat(stopped.status()).isEqualTo(TaskStatus.CANCELLED);
            Await.until(() -> !running(cancelled), Duration.ofSeconds(1), "the daemon to be gone after the cancel");
        }
    }

    /** Whether a host process runs with {@code argument} on its command line. */
    static boolean running(String argument) {
        return ProcessHandle.allProcesses().anyMatch(p -> p.info().arguments()
                .map(args -> List.of(args).contains(argument)).orElse(false)
                && dev.forge.process.ProcessSupervisorAccess.isRunning(p));
    }

    @Test
    void killer_leavesForgeAndItsNeighbourRunning_andCannotSeeOrWriteTheNeighbour() throws Exception {
        SandboxedEngine.requireBubblewrap();
        Path workspaces = temp.resolve("ws");
        String marker = "1005." + (100 + (int) (Math.random() * 800));
        ProjectSpec victim = project("victim", source()).step("work", "sleep", marker).build();
        String attack = "echo PS-START; ps -e -o args=; echo PS-END; "
                + "for d in \"$1\"/*; do [ \"$d\" = \"$PWD\" ] && continue; ls \"$d\" && echo \"SAW:$d\"; echo x > \"$d/intrusion\" && echo \"WROTE:$d\"; "
                + "done; p=$PPID; while [ \"$p\" -gt 1 ]; do kill -9 $p 2>/dev/null; "
                + "p=$(cut -d' ' -f4 /proc/$p/stat); done; "
                + "for pid in $(pgrep java); do kill -9 $pid; done; pkill -9 -x sleep; kill -9 -1; "
                + "echo ATTACK-$((1 + 1))";
        ProjectSpec killer = project("killer", source()).step("attack", "sh", "-c", attack, "sh",
                workspaces.toString()).build();
        try (SandboxedEngine engine = new SandboxedEngine(workspaces, Enforcement.BEST_EFFORT,
                SandboxPolicy.defaults(), 2, victim, killer)) {
            TaskId a = engine.start("victim");
            Await.until(() -> running(marker), Duration.ofSeconds(60), "the victim's build to run");

            TaskRecord b = engine.build("killer");
            String log = engine.log(b);

            // its own workspace is the only one it may see; the loop skips it
            assertThat(log).contains("ATTACK-2").doesNotContain("SAW:/").doesNotContain("WROTE:/");
            assertThat(log.substring(log.lastIndexOf("PS-START"), log.lastIndexOf("PS-END"))).doesNotContain(marker);
            assertThat(running(marker)).as("the victim's step still runs").isTrue();
            assertThat(engine.forge.store().find(a).orElseThrow().status()).isEqualTo(TaskStatus.RUNNING);
            try (var stream = Files.walk(workspaces)) {
                assertThat(stream.filter(p -> p.getFileName().toString().equals("intrusion"))).isEmpty();
            }
            assertThat(engine.forge.health().alive()).isTrue();
            engine.forge.builds().cancel(engine.alice, a).orElseThrow();
            assertThat(engine.await(a).status()).isEqualTo(TaskStatus.CANCELLED);
        }
    }

    @Test
    void forkBomb_isStoppedByTheProcessLimit_andTheBuildFailsNamingIt() throws Exception {
        SandboxPolicy policy = SandboxPolicy.defaults().withProcesses(64);
        SandboxedEngine.requireMet(policy);
        ProjectSpec spec = project("bomb", source())
                // forks until the kernel refuses; dash then gives up (a bash would retry for long)
                .step("bomb", "sh", "-c", "i=0; while [ $i -lt 1000 ]; do sleep 60 & i=$((i + 1)); done; wait")
                .build();
        try (SandboxedEngine engine = new SandboxedEngine(temp.resolve("ws"), Enforcement.STRICT, policy, 1, spec)) {
            long started = System.nanoTime();
            TaskRecord done = engine.build("bomb");
            assertThat(done.status()).isEqualTo(TaskStatus.FAILED);
            assertThat(done.error().code()).isEqualTo(TaskError.STEP_FAILED);
            assertThat(done.error().message()).contains("process limit of 64 (sandbox.processes)");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(60));
            assertThat(engine.forge.health().alive()).isTrue();
        }
    }

    @Test
    void memoryHog_isStoppedByTheMemoryLimit_andTheBuildFailsNamingIt() throws Exception {
        SandboxPolicy policy = SandboxPolicy.defaults().withMemoryMb(64);
        SandboxedEngine.requireMet(policy);
        ProjectSpec spec = project("hog", source()).step("hog", "tail", "/dev/zero").build();
        try (SandboxedEngine engine = new SandboxedEngine(temp.resolve("ws"), Enforcement.STRICT, policy, 1, spec)) {
            TaskRecord done = engine.build("hog");
            assertThat(done.status()).isEqualTo(TaskStatus.FAILED);
            assertThat(done.error().message()).contains("memory limit of 64 MiB (sandbox.memory_mb)");
            assertThat(engine.log(done)).contains("[forge] step 'hog' failed: memory limit of 64 MiB");
        }
    }
}
