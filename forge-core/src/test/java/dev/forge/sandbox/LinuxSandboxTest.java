package dev.forge.sandbox;

import static dev.forge.sandbox.SandboxedEngine.assertSucceeded;
import static org.assertj.core.api.Assertions.assertThat;

import dev.forge.exec.CancellationSource;
import dev.forge.process.ProcessSupervisor;
import dev.forge.project.ProjectSpec;
import dev.forge.task.TaskRecord;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sandbox's parts one at a time, with real steps: the limits whichever program sets them,
 * and the {@code unshare} fallback that machines without bubblewrap get.
 */
class LinuxSandboxTest {

    private static final Map<String, String> ENV = Map.of("PATH", "/usr/local/bin:/usr/bin:/bin");

    @TempDir
    Path temp;

    /** A workspace the build users can reach without the staging mount, like the default root. */
    private Path workspace() throws IOException {
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
        return Files.createDirectories(temp.resolve("ws"));
    }

    private static List<String> run(Sandbox.Session session, Path workspace, List<String> argv, int[] exit)
            throws IOException {
        List<String> lines = new ArrayList<>();
        ProcessSupervisor.Result result = new ProcessSupervisor(Duration.ofMillis(500), 1000)
                .run(session.command(argv), workspace, ENV, new CancellationSource(), lines::add);
        exit[0] = result.exitCode();
        return lines;
    }

    /** The shell's ulimit where this machine's sh sets them exactly, and prlimit otherwise. */
    private static List<LinuxSandbox> bothWaysOfSettingLimits() {
        SandboxedEngine.requireBubblewrap();
        LinuxSandbox detected = (LinuxSandbox) SandboxedEngine.DETECTED;
        SandboxProbe.Tools tools = detected.tools();
        SandboxedEngine.require(tools.shellLimits() != null, "this sh does not set the limits with ulimit");
        return List.of(detected, detected.withTools(
                new SandboxProbe.Tools(tools.sh(), tools.prlimit(), tools.setpriv(), null)));
    }

    @Test
    void limits_reachTheStep_whetherTheShellOrPrlimitSetsThem() throws Exception {
        Path workspace = workspace();
        SandboxPolicy policy = new SandboxPolicy(false, 2048, 512, 77, 3, List.of(), List.of());
        for (LinuxSandbox box : bothWaysOfSettingLimits()) {
            try (Sandbox.Session session = box.open(workspace, policy)) {
                boolean prlimit = session.command(List.of("true")).contains(box.tools().prlimit().toString());
                assertThat(prlimit).as("prlimit only without the shell's ulimit")
                        .isEqualTo(box.tools().shellLimits() == null);
                int[] exit = new int[1];
                String limits = String.join("\n", run(session, workspace, List.of("cat", "/proc/self/limits"), exit));
                assertThat(exit[0]).as(limits).isZero();
                assertThat(limits).containsPattern("Max cpu time +77 +77 +seconds")
                        .containsPattern("Max file size +3145728 +3145728 +bytes");
            }
        }
    }

    @Test
    void stepsOfOneSession_shareTheCommandPrefix_andEachRunsOnlyItsOwnArgv() throws Exception {
        SandboxedEngine.requireBubblewrap();
        Path workspace = workspace();
        try (Sandbox.Session session = SandboxedEngine.DETECTED.open(workspace, SandboxPolicy.defaults())) {
            List<String> first = session.command(List.of("echo", "one"));
            List<String> second = session.command(List.of("echo", "two", "2"));
            assertThat(first).endsWith("--", "echo", "one");
            assertThat(second).endsWith("--", "echo", "two", "2");
            assertThat(second.subList(0, second.size() - 3)).isEqualTo(first.subList(0, first.size() - 2));
            first.clear(); // the caller's list: changing it changes no later step's command
            int[] exit = new int[1];
            assertThat(run(session, workspace, List.of("echo", "two"), exit)).containsExactly("two");
            assertThat(exit[0]).isZero();
            assertThat(run(session, workspace, List.of("sh", "-c", "echo three; id -u"), exit))
                    .containsExactly("three", LinuxSandbox.SANDBOX_UID);
            assertThat(exit[0]).isZero();
        }
    }

    @Test
    void everyProcessOfAStep_isInsideTheBuildsCgroups() throws Exception {
        SandboxPolicy policy = SandboxPolicy.defaults();
        SandboxedEngine.requireMet(policy);
        SandboxedEngine.require(SandboxedEngine.DETECTED.description().contains("cgroup"), "no writable cgroups");
        Path workspace = workspace();
        String marker = "1006." + (100 + (int) (Math.random() * 800));
        try (Sandbox.Session session = SandboxedEngine.DETECTED.open(workspace, policy)) {
            java.util.concurrent.CompletableFuture<Integer> step = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> {
                        try {
                            int[] exit = new int[1];
                            // a child of a child: forked after the join, so it must inherit the groups
                            run(session, workspace, List.of("sh", "-c", "(sleep " + marker + "; true); true"), exit);
                            return exit[0];
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    });
            dev.forge.testing.Await.until(() -> SandboxedBuildTest.running(marker), Duration.ofSeconds(60),
                    "the step's sleep to start");
            ProcessHandle sleep = ProcessHandle.allProcesses().filter(p -> p.info().arguments()
                    .map(args -> List.of(args).contains(marker)).orElse(false)).findFirst().orElseThrow();
            String cgroups = Files.readString(Path.of("/proc", Long.toString(sleep.pid()), "cgroup"));
            String build = "/" + Cgroups.PARENT + "/build-" + ProcessHandle.current().pid() + "-";
            assertThat(cgroups.lines().filter(line -> line.contains("memory") || line.contains("pids")))
                    .as(cgroups).isNotEmpty().allSatisfy(line -> assertThat(line).contains(build));
            sleep.destroyForcibly();
            step.get(60, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @Test
    void fileSizeLimit_stopsTheWriter_andIsNamed_whetherTheShellOrPrlimitSetsIt() throws Exception {
        Path workspace = workspace();
        SandboxPolicy policy = new SandboxPolicy(false, 2048, 512, 3600, 1, List.of(), List.of());
        for (LinuxSandbox box : bothWaysOfSettingLimits()) {
            try (Sandbox.Session session = box.open(workspace, policy)) {
                int[] exit = new int[1];
                List<String> output = run(session, workspace,
                        List.of("sh", "-c", "head -c 2097152 /dev/zero > big; exit $?"), exit);
                assertThat(exit[0]).as(String.join("\n", output)).isEqualTo(128 + 25);
                assertThat(session.limitReached(exit[0]))
                        .contains("file size limit of 1 MiB (sandbox.file_size_mb) reached");
                assertThat(Files.size(workspace.resolve("big"))).isEqualTo(1024L * 1024);
                Files.delete(workspace.resolve("big"));
            }
        }
    }

    /** A gid above the system groups that no account uses; it needs no entry in /etc/group. */
    static final int SHARED_GID = 2_099_000_123;

    /**
     * The shape of root's {@code ~/.m2} here: below a folder of mode 700 (like /root), itself of
     * mode 750 and its files 640, so closed to other users; owned by {@code gid}.
     */
    private Path closedCache(String name, int gid, String secret) throws IOException {
        Path home = Files.createDirectories(temp.resolve(name));
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
        Path cache = Files.createDirectories(home.resolve(".m2/repository"));
        Files.writeString(cache.resolve("artifact.pom"), secret);
        for (Path path : List.of(home.resolve(".m2"), cache, cache.resolve("artifact.pom"))) {
            Files.setAttribute(path, "unix:gid", gid);
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(
                    Files.isDirectory(path) ? "rwxr-x---" : "rw-r-----"));
        }
        return cache;
    }

    @Test
    void readable_closedToOthersButSharedWithItsGroup_isReadByTheBuildUser_andOnlyWithAGroupOfItsOwn()
            throws Exception {
        SandboxedEngine.requireBubblewrap();
        SandboxedEngine.require(SandboxProbe.ownUid() == 0, "build users (and groups) need forge to run as root");
        Path workspace = workspace();
        Path shared = closedCache("shared-home", SHARED_GID, "shared-" + UUID.randomUUID());
        Path rootGroup = closedCache("root-home", 0, "root-" + UUID.randomUUID());
        String read = "cat \"$1\"/artifact.pom && echo && ls \"$1\" && echo x > \"$1\"/written || echo READ-ONLY";

        SandboxPolicy sharing = SandboxPolicy.defaults().withReadable(List.of(shared));
        assertThat(SandboxedEngine.DETECTED.gaps(sharing)).isEmpty();
        try (Sandbox.Session session = SandboxedEngine.DETECTED.open(workspace, sharing)) {
            int[] exit = new int[1];
            String output = String.join("\n", run(session, workspace,
                    List.of("sh", "-c", read, "sh", shared.toString()), exit));
            assertThat(exit[0]).as(output).isZero();
            assertThat(output).contains(Files.readString(shared.resolve("artifact.pom")), "READ-ONLY");
            assertThat(shared.resolve("written")).doesNotExist();
        }

        // group root is never given to a build: the operator is told how to share the cache
        SandboxPolicy closed = SandboxPolicy.defaults().withReadable(List.of(rootGroup));
        assertThat(SandboxedEngine.DETECTED.gaps(closed)).singleElement().asString()
                .contains("sandbox.readable '" + rootGroup + "' is closed to the build users (mode rwxr-x---)",
                        "chgrp -R forge-cache " + rootGroup, "chmod -R g+rX");
        try (Sandbox.Session session = SandboxedEngine.DETECTED.open(workspace, closed)) {
            int[] exit = new int[1];
            String output = String.join("\n", run(session, workspace,
                    List.of("sh", "-c", read, "sh", rootGroup.toString()), exit));
            assertThat(output).doesNotContain(Files.readString(rootGroup.resolve("artifact.pom")))
                    .contains("Permission denied");
        }
    }

    /** A PATH holding the util-linux tools and a shell, but no bubblewrap. */
    private Path toolsWithoutBubblewrap() throws IOException {
        Path bin = Files.createDirectories(temp.resolve("bin"));
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (String tool : List.of("sh", "prlimit", "setpriv", "unshare")) {
            SandboxProbe.find(ENV.get("PATH"), tool).ifPresent(path -> {
                try {
                    Files.createSymbolicLink(bin.resolve(tool), path);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        }
        return bin;
    }

    private static final String LOOK = "echo PS-START; ps -e -o pid=,comm=; echo PS-END; "
            + "for f in /proc/[0-9]*/environ; do tr '\\0' '\\n' < $f; done 2>/dev/null; "
            + "if (exec 3<>/dev/tcp/127.0.0.1/\"$1\") 2>/dev/null; then echo CONNECTED; else echo NO-NETWORK; fi";

    @Test
    void unshareFallback_withoutBubblewrap_hidesForgeAndTheNetwork_andSaysWhatItLacks() throws Exception {
        Sandbox fallback = SandboxProbe.detect(toolsWithoutBubblewrap().toString());
        SandboxedEngine.require(fallback.isolation() == Isolation.UNSHARE,
                "the unshare fallback does not work here (" + fallback.description() + ")");
        assertThat(fallback.description()).startsWith("unshare").contains("lacks a read-only view of the system");
        assertThat(fallback.gaps(SandboxPolicy.defaults())).anySatisfy(gap -> assertThat(gap)
                .contains("bubblewrap is not installed", "apt-get install -y bubblewrap"));

        String secret = "s3cret-" + UUID.randomUUID();
        Process holder = new ProcessBuilder("sleep", "60").start();
        ProcessBuilder withSecret = new ProcessBuilder("sleep", "61");
        withSecret.environment().put("FORGE_JWT_SECRET", secret);
        Process secretHolder = withSecret.start();
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            String port = Integer.toString(listener.getLocalPort());
            Path source = Files.createDirectories(temp.resolve("source"));
            ProjectSpec closed = ProjectSpec.builder("closed").localSource(source)
                    .step("look", "bash", "-c", LOOK, "bash", port).build();
            ProjectSpec open = ProjectSpec.builder("open").localSource(source)
                    .step("look", "bash", "-c", LOOK, "bash", port)
                    .sandbox(new SandboxPolicy.Overrides(true, null, null, null, null, null, null)).build();
            try (SandboxedEngine engine = new SandboxedEngine(fallback, temp.resolve("ws"), Enforcement.BEST_EFFORT,
                    SandboxPolicy.defaults(), 1, closed, open)) {
                assertThat(engine.forge.health().components().get("sandbox").details())
                        .containsEntry("isolation", "unshare");
                TaskRecord done = engine.build("closed");
                String log = engine.log(done);
                assertSucceeded(done, log);
                assertThat(log).contains("[forge] sandbox lacks:", "bubblewrap is not installed");
                String ps = log.substring(log.lastIndexOf("PS-START"), log.lastIndexOf("PS-END"));
                assertThat(ps).doesNotContain("java").doesNotContain("sleep");
                assertThat(ps.lines().count()).as(ps).isLessThanOrEqualTo(6);
                // a line of its own: the step's command line, logged first, holds both words
                assertThat(log).doesNotContain(secret).contains("\nNO-NETWORK\n").doesNotContain("\nCONNECTED\n");

                TaskRecord reached = engine.build("open");
                assertSucceeded(reached, engine.log(reached));
                assertThat(engine.log(reached)).as("the same step reaches the listener with network: true")
                        .contains("\nCONNECTED\n");
            }
        } finally {
            holder.destroyForcibly();
            secretHolder.destroyForcibly();
        }
    }
}
