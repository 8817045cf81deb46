package dev.forge.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Control groups for whole-tree limits: memory (the kernel's OOM killer acts inside the group
 * only) and processes (a fork fails inside the group only). cgroup v1 (separate {@code memory}
 * and {@code pids} hierarchies) and v2 (one unified hierarchy, used at its mount root) are
 * supported where forge may write them, which in practice means forge runs as root. Groups live
 * under {@code forge-builds/} of each hierarchy.
 */
final class Cgroups {

    private static final Logger LOG = LoggerFactory.getLogger(Cgroups.class);
    static final String PARENT = "forge-builds";

    private final boolean v2;
    private final Path memoryParent;
    private final Path pidsParent;

    private Cgroups(boolean v2, Path memoryParent, Path pidsParent) {
        this.v2 = v2;
        this.memoryParent = memoryParent;
        this.pidsParent = pidsParent;
    }

    /** The writable hierarchies, or empty (with the reason logged at debug). */
    static Optional<Cgroups> detect() {
        try {
            return detect(Files.readAllLines(Path.of("/proc/self/mountinfo")));
        } catch (IOException e) {
            LOG.debug("no writable cgroup memory and pids controllers: {}", e.toString());
            return Optional.empty();
        }
    }

    /**
     * The writable hierarchies among the mounts of {@code mountinfo} (lines as in
     * {@code /proc/self/mountinfo}); a test passes a fake tree's mount here.
     */
    static Optional<Cgroups> detect(List<String> mountinfo) {
        try {
            Path memory = null;
            Path pids = null;
            Path unified = null;
            for (String line : mountinfo) {
                int dash = line.indexOf(" - ");
                if (dash < 0) {
                    continue;
                }
                String[] left = line.substring(0, dash).split(" ");
                String[] right = line.substring(dash + 3).split(" ");
                if (left.length < 5 || right.length < 3) {
                    continue;
                }
                Path mount = Path.of(left[4]);
                if (right[0].equals("cgroup")) {
                    List<String> options = List.of(right[2].split(","));
                    if (options.contains("memory")) {
                        memory = mount;
                    }
                    if (options.contains("pids")) {
                        pids = mount;
                    }
                } else if (right[0].equals("cgroup2") && unified == null) {
                    unified = mount;
                }
            }
            if (memory != null && pids != null) {
                Path memoryParent = Files.createDirectories(memory.resolve(PARENT));
                Path pidsParent = Files.createDirectories(pids.resolve(PARENT));
                if (Files.isWritable(memoryParent.resolve("cgroup.procs"))
                        && Files.isWritable(pidsParent.resolve("cgroup.procs"))) {
                    return Optional.of(new Cgroups(false, memoryParent, pidsParent).sweep());
                }
            }
            if (unified != null) {
                String controllers = Files.readString(unified.resolve("cgroup.controllers"));
                if (controllers.contains("memory") && controllers.contains("pids")) {
                    Files.writeString(unified.resolve("cgroup.subtree_control"), "+memory +pids");
                    Path parent = Files.createDirectories(unified.resolve(PARENT));
                    Files.writeString(parent.resolve("cgroup.subtree_control"), "+memory +pids");
                    return Optional.of(new Cgroups(true, parent, parent).sweep());
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("no writable cgroup memory and pids controllers: {}", e.toString());
        }
        return Optional.empty();
    }

    /**
     * Removes the groups of forge processes that are gone ({@code build-<pid>-...} whose pid no
     * longer runs): a forge killed mid-build, or a JVM that exited without closing its builds,
     * leaves them behind, and on a busy host they pile up by the hundred. Groups of running
     * processes are left alone, whoever they are; what a dead forge's group still holds is
     * killed first, like when a build ends.
     */
    Cgroups sweep() {
        List<Path> parents = memoryParent.equals(pidsParent) ? List.of(memoryParent) : List.of(memoryParent, pidsParent);
        for (Path parent : parents) {
            try (var groups = Files.newDirectoryStream(parent, "build-*")) {
                for (Path dir : groups) {
                    if (Files.isDirectory(dir) && ownerGone(dir.getFileName().toString())) {
                        new Group(v2, dir, dir).close();
                    }
                }
            } catch (IOException | RuntimeException e) {
                LOG.debug("could not sweep {}: {}", parent, e.toString());
            }
        }
        return this;
    }

    /** Whether the forge process named in {@code build-<pid>-<id>} no longer runs. */
    static boolean ownerGone(String name) {
        String[] parts = name.split("-");
        if (parts.length < 3) {
            return false;
        }
        try {
            return ProcessHandle.of(Long.parseLong(parts[1])).map(p -> !p.isAlive()).orElse(true);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** "cgroup v1" or "cgroup v2". */
    String label() {
        return v2 ? "cgroup v2" : "cgroup v1";
    }

    /**
     * Creates (or recreates) the group {@code name} with the limits; 0 means no limit.
     *
     * @throws IOException when the kernel refuses a directory or a limit
     */
    Group create(String name, long memoryBytes, long processes) throws IOException {
        Path memory = memoryParent.resolve(name);
        Path pids = pidsParent.resolve(name);
        Group group = new Group(v2, memory, pids);
        group.remove(); // left over from a forge that died mid-build
        Files.createDirectories(memory);
        Files.createDirectories(pids);
        try {
            String mem = memoryBytes > 0 ? Long.toString(memoryBytes) : (v2 ? "max" : "-1");
            if (v2) {
                Files.writeString(memory.resolve("memory.max"), mem);
                writeIfPresent(memory.resolve("memory.swap.max"), memoryBytes > 0 ? "0" : "max");
            } else {
                Files.writeString(memory.resolve("memory.limit_in_bytes"), mem);
                // without this the tree could swap its way past the limit where swap exists
                writeIfPresent(memory.resolve("memory.memsw.limit_in_bytes"), mem);
            }
            Files.writeString(pids.resolve("pids.max"), processes > 0 ? Long.toString(processes) : "max");
        } catch (IOException e) {
            group.close();
            throw e;
        }
        return group;
    }

    private static void writeIfPresent(Path file, String value) throws IOException {
        if (Files.exists(file)) {
            Files.writeString(file, value);
        }
    }

    /** One build's group (two directories under v1, one under v2). */
    static final class Group implements AutoCloseable {
        private final boolean v2;
        private final Path memory;
        private final Path pids;

        Group(boolean v2, Path memory, Path pids) {
            this.v2 = v2;
            this.memory = memory;
            this.pids = pids;
        }

        /**
         * The files a single-threaded process writes {@code 0} (itself) into to join the group:
         * under v1 the {@code tasks} files, which move just the writing thread and so skip the
         * kernel's global lock on thread groups, whose writer waits for an RCU grace period (10 ms
         * and more per step on a busy machine, measured in docs/builds.md); under v2, which has
         * no such file for domain groups, {@code cgroup.procs}.
         */
        List<String> procsFiles() {
            String file = v2 ? "cgroup.procs" : "tasks";
            List<String> files = new ArrayList<>();
            files.add(memory.resolve(file).toString());
            if (!pids.equals(memory)) {
                files.add(pids.resolve(file).toString());
            }
            return files;
        }

        /** How often the OOM killer struck inside the group so far. */
        long oomKills() {
            return counter(v2 ? memory.resolve("memory.events") : memory.resolve("memory.oom_control"),
                    "oom_kill");
        }

        /** How often a fork failed on the process limit so far. */
        long forkRefusals() {
            return counter(pids.resolve("pids.events"), "max");
        }

        private static long counter(Path file, String key) {
            try {
                for (String line : Files.readAllLines(file)) {
                    String[] parts = line.trim().split("\\s+");
                    if (parts.length == 2 && parts[0].equals(key)) {
                        return Long.parseLong(parts[1]);
                    }
                }
            } catch (IOException | NumberFormatException e) {
                LOG.debug("could not read {}: {}", file, e.toString());
            }
            return 0;
        }

        @Override
        public void close() {
            try {
                remove();
            } catch (IOException e) {
                LOG.warn("could not remove cgroup {}: {}", memory, e.toString());
            }
        }

        /** Kills what is left inside (normally nothing: the pid namespace ended) and removes it. */
        void remove() throws IOException {
            for (Path dir : pids.equals(memory) ? List.of(memory) : List.of(memory, pids)) {
                if (!Files.isDirectory(dir)) {
                    continue;
                }
                long deadline = System.nanoTime() + 2_000_000_000L;
                while (true) {
                    killAll(dir);
                    try {
                        Files.delete(dir);
                        break;
                    } catch (NoSuchFileException e) {
                        break;
                    } catch (IOException e) {
                        if (System.nanoTime() - deadline > 0) {
                            throw e;
                        }
                        try {
                            Thread.sleep(10);
                        } catch (InterruptedException interrupted) {
                            Thread.currentThread().interrupt();
                            throw e;
                        }
                    }
                }
            }
        }

        private void killAll(Path dir) throws IOException {
            Path kill = dir.resolve("cgroup.kill");
            if (v2 && Files.exists(kill)) {
                Files.writeString(kill, "1");
                return;
            }
            Path procs = dir.resolve("cgroup.procs");
            if (!Files.exists(procs)) {
                return;
            }
            for (String pid : Files.readAllLines(procs)) {
                if (!pid.isBlank()) {
                    ProcessHandle.of(Long.parseLong(pid.trim())).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
        }
    }
}
