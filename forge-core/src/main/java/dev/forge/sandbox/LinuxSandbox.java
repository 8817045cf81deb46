package dev.forge.sandbox;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * bubblewrap or unshare, with rlimits and control groups, and an unprivileged user id per build
 * when forge runs as root. A step's argv becomes
 * {@code sh -c <set ulimits, join cgroups> -- [setpriv <build uid> --] bwrap|unshare ... -- argv}
 * (with {@code prlimit <limits> --} after the {@code sh} where the shell's {@code ulimit} cannot
 * set them, see {@link ShellLimits}); each program execs the next, so the supervised process is
 * the namespace's parent and killing it (or its exit) ends everything inside.
 */
final class LinuxSandbox implements Sandbox {

    /**
     * The first program of every step: sets the {@code ulimit} option/value pairs before the first
     * {@code --}, joins the cgroups whose files come before the second (writing {@code 0}, "this
     * process": the shell is single-threaded, see {@link Cgroups.Group#procsFiles}), then execs the
     * rest. A fixed script, never user input; its arguments are numbers and paths forge made. One
     * shell doing both saves a {@code prlimit} process per step (see docs/builds.md).
     */
    static final String LAUNCH = "while [ \"$1\" != -- ]; do ulimit \"$1\" \"$2\" || exit 125; shift 2; done; "
            + "shift; for f do if [ \"$f\" = -- ]; then shift; exec \"$@\"; fi; "
            + "echo 0 > \"$f\" || exit 125; shift; done; exit 125";
    /** System folders mounted read-only in the bubblewrap view; nothing else of the host is. */
    static final List<Path> SYSTEM = List.of(Path.of("/usr"), Path.of("/bin"), Path.of("/sbin"),
            Path.of("/lib"), Path.of("/lib32"), Path.of("/lib64"), Path.of("/libx32"), Path.of("/etc"),
            Path.of("/opt"));
    static final String SANDBOX_UID = "65534";
    /** Where the staging bubblewrap mounts what the build may use (inside its own /tmp). */
    static final String STAGE = "/tmp/forge-stage-";
    static final String UNSHARE_LACKS = "the unshare fallback lacks a read-only view of the system, a private "
            + "/tmp and hiding of the projects folder and other builds' workspaces (only file permissions "
            + "protect them)";
    /** Groups below this are system groups, never given to a build (see {@link #sharedGroup}). */
    static final int MIN_SHARED_GID = 1000;
    private static final long MIB = 1024L * 1024L;

    private final Isolation isolation;
    private final Path program;
    private final SandboxProbe.Tools tools;
    private final BuildUsers users;
    private final Cgroups cgroups;
    private final List<String> problems;
    private final AtomicLong sessions = new AtomicLong();

    LinuxSandbox(Isolation isolation, Path program, SandboxProbe.Tools tools, BuildUsers users, Cgroups cgroups) {
        this(isolation, program, tools, users, cgroups, List.of());
    }

    private LinuxSandbox(Isolation isolation, Path program, SandboxProbe.Tools tools, BuildUsers users,
            Cgroups cgroups, List<String> problems) {
        this.isolation = isolation;
        this.program = program;
        this.tools = tools;
        this.users = users;
        this.cgroups = cgroups;
        this.problems = List.copyOf(problems);
    }

    /** The same sandbox, reporting why a stronger one was not used. */
    LinuxSandbox withProblems(List<String> why) {
        return new LinuxSandbox(isolation, program, tools, users, cgroups, why);
    }

    /** The helper programs this sandbox starts. */
    SandboxProbe.Tools tools() {
        return tools;
    }

    /** The same sandbox with other helper programs (e.g. without the shell's {@code ulimit}). */
    LinuxSandbox withTools(SandboxProbe.Tools other) {
        return new LinuxSandbox(isolation, program, other, users, cgroups, problems);
    }

    @Override
    public Isolation isolation() {
        return isolation;
    }

    @Override
    public String description() {
        StringBuilder text = new StringBuilder(isolation.label()).append(" (").append(program).append(")");
        text.append(isolation == Isolation.BUBBLEWRAP
                ? ": user, pid, net, ipc, uts and mount namespaces, read-only system folders"
                : ": user, pid, net, ipc and uts namespaces");
        text.append(users != null ? ", build user ids " + users.range() : ", builds share forge's user id");
        text.append(cgroups != null ? ", " + cgroups.label() + " memory and process limits"
                : ", no writable cgroups (limits per process only)");
        if (isolation == Isolation.UNSHARE) {
            text.append("; ").append(UNSHARE_LACKS);
        }
        return text.toString();
    }

    @Override
    public List<String> gaps(SandboxPolicy policy) {
        List<String> gaps = new ArrayList<>();
        if (isolation == Isolation.UNSHARE) {
            gaps.add(String.join("; ", problems) + "; " + UNSHARE_LACKS + "; " + SandboxProbe.INSTALL_HINT);
        }
        if (policy.memoryMb() > 0 && cgroups == null) {
            gaps.add("sandbox.memory_mb cannot be enforced for the whole build: no writable cgroup memory "
                    + "controller (run forge as root where /sys/fs/cgroup is writable, or set memory_mb to 0)");
        }
        if (policy.processes() > 0 && cgroups == null && users == null) {
            gaps.add("sandbox.processes cannot be enforced: forge does not run as root (builds share its "
                    + "user id) and no writable cgroup pids controller was found (or set processes to 0)");
        }
        if (users != null) {
            policy.readable().forEach(path -> unreachable(path, false).ifPresent(gaps::add));
            policy.writable().forEach(path -> unreachable(path, true).ifPresent(gaps::add));
        }
        return gaps;
    }

    /**
     * Why the build users could not use {@code path}, or empty. Folders above it need not be
     * open (a staging mount reaches them), but the path itself must be open to other users, or,
     * for a {@code readable} path, to its group (see {@link #sharedGroup}).
     */
    private Optional<String> unreachable(Path path, boolean write) {
        String field = write ? "sandbox.writable" : "sandbox.readable";
        try {
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(path);
            boolean dir = Files.isDirectory(path);
            if (opens(mode, dir, write, PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_EXECUTE,
                    PosixFilePermission.OTHERS_WRITE) || (!write && sharedGroup(path).isPresent())) {
                return Optional.empty();
            }
            String text = field + " '" + path + "' is closed to the build users (mode "
                    + PosixFilePermissions.toString(mode) + "); builds run as unprivileged users, so ";
            if (write) {
                return Optional.of(text + "open it to other users (chmod -R o+rwX) or use another path");
            }
            int gid = (Integer) Files.getAttribute(path, "unix:gid");
            return Optional.of(text + "give it a group of its own (id " + MIN_SHARED_GID + " or more, used for "
                    + "nothing else; not its group " + gid + "): groupadd forge-cache && chgrp -R forge-cache "
                    + path + " && chmod -R g+rX " + path + " - forge adds that group to the build users - or "
                    + "share a copy open to other users (chmod -R o+rX)");
        } catch (NoSuchFileException e) {
            return Optional.of(field + " '" + path + "' does not exist");
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.of(field + " '" + path + "' cannot be checked: " + e.getMessage());
        }
    }

    private static boolean opens(Set<PosixFilePermission> mode, boolean dir, boolean write, PosixFilePermission read,
            PosixFilePermission enter, PosixFilePermission change) {
        return mode.contains(read) && (mode.contains(enter) || !dir) && (!write || mode.contains(change));
    }

    /**
     * The group through which build users may read {@code path}: its own group, when the path is
     * closed to other users but open to that group and the group is not a system group (below
     * {@value #MIN_SHARED_GID}: root, shadow, adm and the like own files in the system folders
     * every build sees). A root-owned {@code ~/.m2} with folders of mode 750 is shared this way
     * once it has a group of its own; the build user gets that group as a supplementary group.
     */
    static Optional<Integer> sharedGroup(Path path) {
        try {
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(path);
            boolean dir = Files.isDirectory(path);
            int gid = (Integer) Files.getAttribute(path, "unix:gid");
            boolean othersOpen = opens(mode, dir, false, PosixFilePermission.OTHERS_READ,
                    PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE);
            boolean groupOpen = opens(mode, dir, false, PosixFilePermission.GROUP_READ,
                    PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE);
            return !othersOpen && groupOpen && gid >= MIN_SHARED_GID ? Optional.of(gid) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** True when other users may pass through every folder down to {@code path}. */
    static boolean reachable(Path path) {
        try {
            Path current = path.getRoot();
            for (Path part : path) {
                current = current.resolve(part);
                if (Files.isDirectory(current) && !Files.getPosixFilePermissions(current)
                        .contains(PosixFilePermission.OTHERS_EXECUTE)) {
                    return false;
                }
            }
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    @Override
    public Session open(Path workspace, SandboxPolicy policy) throws IOException {
        Path dir = workspace.toAbsolutePath().normalize();
        int uid = -1;
        Cgroups.Group group = null;
        try {
            if (users != null) {
                uid = users.lease();
                handOver(dir, uid);
            }
            if (cgroups != null) {
                // forge's pid in the name: another forge process on this host never shares a group
                String name = "build-" + ProcessHandle.current().pid() + "-"
                        + (uid >= 0 ? Integer.toString(uid) : "s" + sessions.incrementAndGet());
                group = cgroups.create(name, policy.memoryMb() * MIB, policy.processes());
            }
            return new LinuxSession(dir, policy, uid, group);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for a free build user id", e);
        } catch (IOException | RuntimeException e) {
            if (group != null) {
                group.close();
            }
            if (uid >= 0) {
                users.release(uid);
            }
            throw e;
        }
    }

    /** Gives the workspace to the build user, links included (never followed). */
    private static void handOver(Path dir, int uid) throws IOException {
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path path, BasicFileAttributes attrs) throws IOException {
                own(path);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path path, BasicFileAttributes attrs) throws IOException {
                own(path);
                return FileVisitResult.CONTINUE;
            }

            private void own(Path path) throws IOException {
                Files.setAttribute(path, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(path, "unix:gid", uid, LinkOption.NOFOLLOW_LINKS);
            }
        });
    }

    /** One build's confinement. */
    private final class LinuxSession implements Session {
        private final Path workspace;
        private final SandboxPolicy policy;
        private final int uid;
        private final Cgroups.Group group;
        private final boolean staged;
        /** Supplementary groups of the build user: those of group-shared readable paths. */
        private final List<Integer> groups;
        /** What {@link #command} puts in front of every step's argv. */
        private final List<String> prefix;
        private long oomBefore;
        private long forksBefore;
        private boolean closed;

        LinuxSession(Path workspace, SandboxPolicy policy, int uid, Cgroups.Group group) {
            this.workspace = workspace;
            this.policy = policy;
            this.uid = uid;
            this.group = group;
            this.groups = uid < 0 ? List.of() : policy.readable().stream().map(LinuxSandbox::sharedGroup)
                    .flatMap(Optional::stream).distinct().toList();
            // staging costs a process per step: only when the build user cannot reach a path itself
            this.staged = isolation == Isolation.BUBBLEWRAP && uid >= 0
                    && (!reachable(workspace.getParent()) || !policy.readable().stream().allMatch(LinuxSandbox::reachable)
                    || !policy.writable().stream().allMatch(LinuxSandbox::reachable));
            this.prefix = prefix();
        }

        @Override
        public List<String> command(List<String> argv) {
            if (group != null) {
                oomBefore = group.oomKills();
                forksBefore = group.forkRefusals();
            }
            List<String> command = new ArrayList<>(prefix.size() + argv.size());
            command.addAll(prefix);
            command.addAll(argv);
            return command;
        }

        /**
         * Everything in front of a step's argv, ending in {@code --}: the same for every step of
         * the build, so it is made once per session, not per step (the system folders are looked
         * at once, and a step's command is a copy of about 60 strings plus its argv).
         */
        private List<String> prefix() {
            List<String> command = new ArrayList<>();
            long cpu = policy.cpuSeconds();
            long file = policy.fileSizeMb() * MIB;
            // per real user id, so it counts this build only: every build has its own id; with a
            // pids cgroup that one bites first, and its counter names the limit
            long processes = policy.processes() > 0 && uid >= 0 && group == null ? policy.processes() : 0;
            // the crude fallback: per process, and counts reserved address space as well
            long data = policy.memoryMb() > 0 && group == null ? policy.memoryMb() * MIB : 0;
            ShellLimits shell = tools.shellLimits();
            if (shell != null || group != null) {
                command.addAll(List.of(tools.sh().toString(), "-c", LAUNCH, "forge-sandbox"));
                if (shell != null) {
                    command.addAll(shell.arguments(cpu, file, processes, data));
                }
                command.add("--");
                if (group != null) {
                    command.addAll(group.procsFiles());
                }
                command.add("--");
            }
            if (shell == null) {
                prlimit(command, cpu, file, processes, data);
            }
            if (staged) {
                stage(command);
            }
            if (uid >= 0) {
                command.addAll(List.of(tools.setpriv().toString(), "--reuid=" + uid, "--regid=" + uid,
                        groups.isEmpty() ? "--clear-groups" : "--groups=" + groups.stream().map(String::valueOf)
                                .collect(Collectors.joining(",")), "--"));
            }
            if (isolation == Isolation.BUBBLEWRAP) {
                bubblewrap(command, staged);
            } else {
                unshare(command);
            }
            command.add("--");
            return List.copyOf(command);
        }

        private void prlimit(List<String> command, long cpu, long file, long processes, long data) {
            command.add(tools.prlimit().toString());
            if (cpu > 0) {
                command.add("--cpu=" + cpu + ":" + cpu);
            }
            if (file > 0) {
                command.add("--fsize=" + file + ":" + file);
            }
            if (processes > 0) {
                command.add("--nproc=" + processes + ":" + processes);
            }
            if (data > 0) {
                command.add("--data=" + data + ":" + data);
            }
            command.add("--");
        }

        /**
         * The unprivileged bubblewrap must reach every folder it mounts, but the workspace or a
         * readable path may lie below folders closed to other users (a 700 temp folder, /root).
         * So a first bubblewrap, still as forge's root, mounts them under a private /tmp of its
         * own mount namespace, where the second one finds them; nothing changes on the host.
         */
        private void stage(List<String> command) {
            command.add(program.toString());
            command.addAll(List.of("--dev-bind", "/", "/", "--tmpfs", "/tmp", "--die-with-parent",
                    "--bind", workspace.toString(), STAGE + "workspace"));
            for (int i = 0; i < policy.readable().size(); i++) {
                command.addAll(List.of("--ro-bind-try", policy.readable().get(i).toString(), STAGE + "r" + i));
            }
            for (int i = 0; i < policy.writable().size(); i++) {
                command.addAll(List.of("--bind-try", policy.writable().get(i).toString(), STAGE + "w" + i));
            }
            command.add("--");
        }

        private void bubblewrap(List<String> command, boolean staged) {
            command.add(program.toString());
            command.addAll(List.of("--unshare-all", "--unshare-user", "--uid", SANDBOX_UID, "--gid", SANDBOX_UID,
                    "--hostname", "forge-build", "--die-with-parent", "--new-session"));
            if (policy.network()) {
                command.add("--share-net");
            }
            for (Path system : SYSTEM) {
                if (Files.isSymbolicLink(system)) {
                    try {
                        command.addAll(List.of("--symlink", Files.readSymbolicLink(system).toString(),
                                system.toString()));
                    } catch (IOException e) {
                        // unreadable link: leave the folder out of the view
                    }
                } else if (Files.isDirectory(system)) {
                    command.addAll(List.of("--ro-bind", system.toString(), system.toString()));
                }
            }
            // /tmp first: what follows may lie under it (the workspace does by default)
            command.addAll(List.of("--tmpfs", "/tmp", "--proc", "/proc", "--dev", "/dev"));
            for (int i = 0; i < policy.readable().size(); i++) {
                String path = policy.readable().get(i).toString();
                command.addAll(List.of("--ro-bind-try", staged ? STAGE + "r" + i : path, path));
            }
            for (int i = 0; i < policy.writable().size(); i++) {
                String path = policy.writable().get(i).toString();
                command.addAll(List.of("--bind-try", staged ? STAGE + "w" + i : path, path));
            }
            command.addAll(List.of("--bind", staged ? STAGE + "workspace" : workspace.toString(), workspace.toString(),
                    "--remount-ro", "/", "--chdir", workspace.toString()));
        }

        private void unshare(List<String> command) {
            command.add(program.toString());
            command.addAll(List.of("--user", "--map-root-user", "--pid", "--fork", "--kill-child",
                    "--mount-proc", "--ipc", "--uts"));
            if (!policy.network()) {
                command.add("--net");
            }
        }

        @Override
        public Optional<String> limitReached(int exitCode) {
            if (group != null && group.oomKills() > oomBefore) {
                return Optional.of("memory limit of " + policy.memoryMb() + " MiB (sandbox.memory_mb) reached: "
                        + "the kernel stopped a process of the build");
            }
            if (group != null && group.forkRefusals() > forksBefore) {
                return Optional.of("process limit of " + policy.processes() + " (sandbox.processes) reached: "
                        + "the build tried to start more processes or threads");
            }
            if (exitCode == 128 + 24 && policy.cpuSeconds() > 0) {
                return Optional.of("CPU time limit of " + policy.cpuSeconds() + " s per process "
                        + "(sandbox.cpu_seconds) reached");
            }
            if (exitCode == 128 + 25 && policy.fileSizeMb() > 0) {
                return Optional.of("file size limit of " + policy.fileSizeMb() + " MiB (sandbox.file_size_mb) "
                        + "reached");
            }
            return Optional.empty();
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            if (group != null) {
                group.close();
            }
            if (uid >= 0) {
                users.release(uid);
            }
        }
    }
}
