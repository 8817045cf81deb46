package dev.forge.sandbox;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What a build may do: reach the network or not, how much memory, how many processes, CPU time
 * and file size it gets, and which paths besides its workspace and private {@code /tmp} it may
 * write ({@code writable}) or read ({@code readable}, e.g. a shared read-only Maven repository).
 * Limits are whole numbers; 0 means "no limit".
 *
 * @param network    whether the build shares the host's network (default false: loopback only,
 *                   of its own)
 * @param memoryMb   memory of the whole process tree, in MiB
 * @param processes  processes and threads of the whole tree
 * @param cpuSeconds CPU seconds per process
 * @param fileSizeMb largest file a process may write, in MiB
 * @param writable   extra absolute paths the build may write
 * @param readable   extra absolute paths the build may read
 */
public record SandboxPolicy(boolean network, long memoryMb, long processes, long cpuSeconds,
        long fileSizeMb, List<Path> writable, List<Path> readable) {

    /** Default memory of a build tree: 2 GiB. */
    public static final long DEFAULT_MEMORY_MB = 2048;
    /** Default processes (and threads) of a build tree. */
    public static final long DEFAULT_PROCESSES = 512;
    /** Default CPU seconds per process: one hour. */
    public static final long DEFAULT_CPU_SECONDS = 3600;
    /** Default largest file: 4 GiB. */
    public static final long DEFAULT_FILE_SIZE_MB = 4096;

    static final long MAX_MEMORY_MB = 1L << 30;
    static final long MAX_PROCESSES = 1L << 22;
    static final long MAX_CPU_SECONDS = 365L * 24 * 3600;
    static final long MAX_FILE_SIZE_MB = 1L << 30;

    /** Validates the policy; paths must be absolute, normalised and not the root folder. */
    public SandboxPolicy {
        check("memory_mb", memoryMb, MAX_MEMORY_MB);
        check("processes", processes, MAX_PROCESSES);
        check("cpu_seconds", cpuSeconds, MAX_CPU_SECONDS);
        check("file_size_mb", fileSizeMb, MAX_FILE_SIZE_MB);
        writable = paths("writable", writable);
        readable = paths("readable", readable);
        if (memoryMb > 0 && memoryMb < 16) {
            throw new IllegalArgumentException("sandbox memory_mb must be at least 16 (or 0 for no limit), was "
                    + memoryMb);
        }
        if (processes > 0 && processes < 8) {
            throw new IllegalArgumentException("sandbox processes must be at least 8 (or 0 for no limit), was "
                    + processes);
        }
    }

    /** No network, 2 GiB, 512 processes, 1 CPU hour, 4 GiB files, nothing extra to read or write. */
    public static SandboxPolicy defaults() {
        return new SandboxPolicy(false, DEFAULT_MEMORY_MB, DEFAULT_PROCESSES, DEFAULT_CPU_SECONDS,
                DEFAULT_FILE_SIZE_MB, List.of(), List.of());
    }

    /** This policy with the network on or off. */
    public SandboxPolicy withNetwork(boolean value) {
        return new SandboxPolicy(value, memoryMb, processes, cpuSeconds, fileSizeMb, writable, readable);
    }

    /** This policy with another memory limit. */
    public SandboxPolicy withMemoryMb(long value) {
        return new SandboxPolicy(network, value, processes, cpuSeconds, fileSizeMb, writable, readable);
    }

    /** This policy with another process limit. */
    public SandboxPolicy withProcesses(long value) {
        return new SandboxPolicy(network, memoryMb, value, cpuSeconds, fileSizeMb, writable, readable);
    }

    /** This policy with other readable paths. */
    public SandboxPolicy withReadable(List<Path> value) {
        return new SandboxPolicy(network, memoryMb, processes, cpuSeconds, fileSizeMb, writable, value);
    }

    /** This policy with other writable paths. */
    public SandboxPolicy withWritable(List<Path> value) {
        return new SandboxPolicy(network, memoryMb, processes, cpuSeconds, fileSizeMb, value, readable);
    }

    /**
     * A project's changes to the server's default policy (forge.json {@code "sandbox"}); a null
     * field keeps the default. Paths replace the default lists.
     *
     * @param network    see {@link SandboxPolicy#network()}
     * @param memoryMb   see {@link SandboxPolicy#memoryMb()}
     * @param processes  see {@link SandboxPolicy#processes()}
     * @param cpuSeconds see {@link SandboxPolicy#cpuSeconds()}
     * @param fileSizeMb see {@link SandboxPolicy#fileSizeMb()}
     * @param writable   see {@link SandboxPolicy#writable()}
     * @param readable   see {@link SandboxPolicy#readable()}
     */
    public record Overrides(Boolean network, Long memoryMb, Long processes, Long cpuSeconds,
            Long fileSizeMb, List<Path> writable, List<Path> readable) {

        /** Copies the lists; the values are checked when applied. */
        public Overrides {
            writable = writable == null ? null : List.copyOf(writable);
            readable = readable == null ? null : List.copyOf(readable);
        }

        /** No changes. */
        public static Overrides none() {
            return new Overrides(null, null, null, null, null, null, null);
        }

        /**
         * The default with these changes.
         *
         * @throws IllegalArgumentException when a value is out of range
         */
        public SandboxPolicy applyTo(SandboxPolicy base) {
            Objects.requireNonNull(base, "base");
            return new SandboxPolicy(network != null ? network : base.network(),
                    memoryMb != null ? memoryMb : base.memoryMb(),
                    processes != null ? processes : base.processes(),
                    cpuSeconds != null ? cpuSeconds : base.cpuSeconds(),
                    fileSizeMb != null ? fileSizeMb : base.fileSizeMb(),
                    writable != null ? writable : base.writable(),
                    readable != null ? readable : base.readable());
        }
    }

    private static void check(String name, long value, long max) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException("sandbox " + name + " must be from 0 (no limit) to " + max
                    + ", was " + value);
        }
    }

    private static List<Path> paths(String name, List<Path> paths) {
        List<Path> copy = List.copyOf(paths == null ? List.of() : paths);
        for (Path path : copy) {
            if (!path.isAbsolute() || !path.normalize().equals(path) || path.getNameCount() == 0) {
                throw new IllegalArgumentException("sandbox " + name + " entries must be absolute, normalised "
                        + "paths other than '/', was '" + path + "'");
            }
        }
        return copy;
    }
}
