package dev.forge.process;

import dev.forge.InfrastructureException;
import dev.forge.exec.CancellationToken;
import dev.forge.exec.TaskContext;
import dev.forge.project.ProjectConfigException;
import dev.forge.project.ProjectSpec;
import dev.forge.task.TaskId;
import dev.forge.task.TaskKind;
import dev.forge.task.TaskRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Workspaces under a root folder, a fresh sub-folder per task attempt. A local source is copied
 * (so builds never modify it); a git source is cloned shallowly with
 * {@code git clone --depth 1 [--branch <ref>] -- <url> <dir>}, run as an argv list in a clean
 * environment (an allowlist, plus {@code GIT_TERMINAL_PROMPT=0} so git never waits for a
 * password, {@code GIT_ALLOW_PROTOCOL} limited to file, git, http, https and ssh, plus
 * {@code LC_ALL=C} so its errors can be recognised). A clone that fails because of the
 * project's setting (no repository at the URL, unknown ref, refused transport, missing
 * credentials) is a {@link ProjectConfigException}, not retried; any other failure is an
 * {@link InfrastructureException}, retried. Clone output goes to the
 * task log; a stop request kills git at once. When configured
 * ({@link Builder#keepBuildWorkspaces}), a finished build's workspace is not deleted at release
 * but kept for a while, so an analysis of the build can read what it wrote ({@link #kept}).
 * Thread-safe.
 */
public final class DefaultWorkspaces implements Workspaces {

    /** Variables of forge's own environment passed to git by default. */
    public static final Set<String> DEFAULT_INHERITED_ENV = Set.of("PATH", "HOME", "LANG");
    /**
     * How long {@link dev.forge.Forge} keeps a finished build's workspace by default, for
     * analyses of the build. A {@code DefaultWorkspaces} built without
     * {@link Builder#keepBuildWorkspaces} keeps none.
     */
    public static final Duration DEFAULT_KEEP_BUILDS_FOR = Duration.ofHours(1);

    private static final Logger LOG = LoggerFactory.getLogger(DefaultWorkspaces.class);
    private static final int ERROR_TAIL = 40;
    private static final Pattern UNKNOWN_REF = Pattern.compile(
            "(?i)(remote branch .* not found|couldn't find remote ref|could not find remote branch)");
    /**
     * git's messages (with {@code LC_ALL=C}) for a clone that fails because of what the project
     * asks for - a URL that names no repository, a transport forge does not allow, credentials
     * it was not given - and that a retry cannot fix. Everything else (refused connections,
     * unresolved hosts, timeouts, broken transfers) is treated as the network's fault.
     */
    private static final Pattern CONFIG_ERROR = Pattern.compile("(?im)"
            + "(repository '.*' does not exist"
            + "|does not appear to be a git repository"
            + "|repository '.*' not found"
            + "|^remote: repository not found"
            + "|transport '.*' not allowed"
            + "|unable to find remote helper"
            + "|protocol '.*' is not supported"
            + "|could not read (username|password)"
            + "|authentication failed"
            + "|permission denied \\(publickey)");
    /** Protocols git may use for a clone; others (ext::, fd::, remote helpers) are refused. */
    static final String ALLOWED_PROTOCOLS = "file:git:http:https:ssh";
    private static final Pattern URL_USERINFO = Pattern.compile("(://)[^/@\\s]+@");

    private final Path root;
    private final String gitExecutable;
    private final Set<String> inheritedEnv;
    private final Map<String, String> parentEnv;
    private final ProcessSupervisor supervisor;
    private final KeptBuilds keptBuilds;
    /** Workspaces of running builds, with their task's context (to see how the build ended). */
    private final Map<Path, TaskContext> builds = new ConcurrentHashMap<>();

    private DefaultWorkspaces(Builder builder) {
        this.root = builder.root;
        this.gitExecutable = builder.gitExecutable;
        this.inheritedEnv = Set.copyOf(builder.inheritedEnv);
        this.parentEnv = Map.copyOf(builder.parentEnv);
        // git holds nothing worth a graceful stop: kill it at once
        this.supervisor = new ProcessSupervisor(Duration.ZERO, builder.maxLineLength);
        this.keptBuilds = new KeptBuilds(root, builder.keepBuildsFor, builder.clock);
    }

    /** A builder for workspaces under {@code root} (created when first needed). */
    public static Builder builder(Path root) {
        return new Builder(root);
    }

    /** The folder holding the workspaces. */
    public Path root() {
        return root;
    }

    @Override
    public Path prepare(ProjectSpec project, TaskContext context) {
        Objects.requireNonNull(project, "project");
        keptBuilds.sweep();
        Path dir = create(context.task());
        try {
            if (project.source() instanceof ProjectSpec.Source.LocalPath local) {
                copy(project, local, dir, context);
            } else if (project.source() instanceof ProjectSpec.Source.Git git) {
                clone(project, git, dir, context);
            } else {
                throw new IllegalArgumentException("unknown source " + project.source());
            }
            if (context.task().kind() == TaskKind.BUILD && keptBuilds.enabled()) {
                builds.put(dir.toAbsolutePath().normalize(), context);
            }
            return dir;
        } catch (RuntimeException e) {
            deleteQuietly(dir);
            WorkspaceLocks.release(dir);
            throw e;
        }
    }

    @Override
    public void release(Path workspace, boolean keep) {
        Path dir = workspace.toAbsolutePath().normalize();
        if (!dir.startsWith(root) || dir.equals(root)) {
            throw new IllegalArgumentException("not a workspace of " + root + ": " + workspace);
        }
        TaskContext build = builds.remove(dir);
        if (keep) {
            LOG.info("keeping workspace {} for inspection", dir);
            WorkspaceLocks.release(dir);
            return;
        }
        if (build != null && !stoppedOnPurpose(build.cancellation()) && keptBuilds.keep(dir, build.task().id())) {
            // Moved under the kept-builds folder, which the start-up sweep leaves alone.
            WorkspaceLocks.release(dir);
            keptBuilds.sweep();
            return;
        }
        deleteQuietly(dir);
        WorkspaceLocks.release(dir);
        keptBuilds.sweep();
    }

    /**
     * The workspace of a finished build while it is kept ({@link Builder#keepBuildWorkspaces},
     * default 1 hour after the build or after the latest {@code kept} call).
     */
    @Override
    public Optional<KeptWorkspace> kept(TaskId buildId) {
        Objects.requireNonNull(buildId, "buildId");
        return keptBuilds.enabled() ? keptBuilds.open(buildId) : Optional.empty();
    }

    /**
     * Deletes kept build workspaces whose time is up and that nobody in this JVM reads; returns
     * how many. Runs by itself whenever a workspace is prepared or released; an application
     * whose workers may sit idle for long can also call it on a schedule.
     */
    public int sweepKeptBuilds() {
        return keptBuilds.sweep();
    }

    /** A user's cancel or a shutdown leaves nothing to analyse; failures and timeouts do. */
    private static boolean stoppedOnPurpose(CancellationToken token) {
        return token.reason().map(r -> r == CancellationToken.Reason.USER
                || r == CancellationToken.Reason.SHUTDOWN).orElse(false);
    }

    private Path create(TaskRecord task) {
        try {
            Files.createDirectories(root);
            Path dir = Files.createTempDirectory(root, task.id().value() + "-" + task.attempt() + "-");
            WorkspaceLocks.hold(dir);
            return dir;
        } catch (IOException e) {
            throw new InfrastructureException("could not create a workspace under " + root, e);
        }
    }

    /**
     * Deletes the workspaces under {@code root} that no live attempt holds: those of attempts
     * that ended in a crash (kill -9, power loss), and those kept for inspection (a kept
     * workspace lives until the next start).
     * Safe while other processes use the same root: a live workspace's lock is held by its
     * process, and the OS drops it when that process dies. Only entries named like a workspace
     * are touched, so a root pointed at the wrong folder loses nothing else. Logs what it did.
     *
     * @return the number of workspaces deleted
     */
    public static int sweep(Path root) {
        return WorkspaceLocks.sweep(root.toAbsolutePath().normalize());
    }

    private static void copy(ProjectSpec project, ProjectSpec.Source.LocalPath local, Path dir,
            TaskContext context) {
        Path source;
        try {
            source = local.dir().toRealPath();
        } catch (NoSuchFileException e) {
            throw new ProjectConfigException("the source folder of project '" + project.name()
                    + "' does not exist");
        } catch (IOException e) {
            throw new InfrastructureException("could not read the source of project '"
                    + project.name() + "'", e);
        }
        if (!Files.isDirectory(source)) {
            throw new ProjectConfigException("the source of project '" + project.name()
                    + "' is not a folder");
        }
        if (dir.toAbsolutePath().startsWith(source)) {
            throw new ProjectConfigException("the source of project '" + project.name()
                    + "' contains the workspace root");
        }
        try {
            FileTrees.copy(source, dir, context.cancellation(), context::log);
        } catch (FileTrees.Stopped e) {
            throw stopped(project, context.cancellation());
        } catch (IOException e) {
            throw new InfrastructureException("could not copy the source of project '"
                    + project.name() + "'", e);
        }
    }

    private void clone(ProjectSpec project, ProjectSpec.Source.Git git, Path dir, TaskContext context) {
        List<String> argv = new ArrayList<>(List.of(gitExecutable, "clone", "--depth", "1"));
        if (git.ref() != null) {
            argv.add("--branch");
            argv.add(git.ref());
        }
        argv.addAll(List.of("--", git.url(), dir.toString()));

        Deque<String> tail = new ArrayDeque<>();
        ProcessSupervisor.Result result;
        try {
            result = supervisor.run(argv, root, gitEnvironment(), context.cancellation(), line -> {
                String clean = redact(line);
                context.log("git: " + clean);
                if (tail.size() == ERROR_TAIL) {
                    tail.removeFirst();
                }
                tail.addLast(clean);
            });
        } catch (IOException e) {
            throw new InfrastructureException("git could not be started ('" + gitExecutable
                    + "' is missing or not executable): " + e.getMessage(), e);
        }
        if (result.stopped()) {
            throw stopped(project, context.cancellation());
        }
        if (result.exitCode() != 0) {
            String output = String.join("\n", tail);
            if (git.ref() != null && UNKNOWN_REF.matcher(output).find()) {
                throw new ProjectConfigException("git ref '" + git.ref() + "' of project '"
                        + project.name() + "' was not found in its repository");
            }
            String last = tail.isEmpty() ? "no output" : tail.getLast();
            if (isConfigError(result.exitCode(), output)) {
                // a retry would fail the same way: the project's source setting must change
                throw new ProjectConfigException("git could not fetch the source of project '"
                        + project.name() + "' as configured (exit code " + result.exitCode() + "): "
                        + firstFatal(tail, last));
            }
            throw new InfrastructureException("git clone of project '" + project.name()
                    + "' failed with exit code " + result.exitCode() + ": " + last);
        }
    }

    /** True when git's exit status and output say the project's own source setting is at fault. */
    static boolean isConfigError(int exitCode, String output) {
        // 129: git rejected its command line (e.g. a ref or URL it cannot take as an argument)
        return exitCode == 129 || CONFIG_ERROR.matcher(output).find();
    }

    private static String firstFatal(Deque<String> tail, String fallback) {
        for (String line : tail) {
            if (line.startsWith("fatal:")) {
                return line;
            }
        }
        return fallback;
    }

    /** The clone's environment: allowlisted variables only, never forge's secrets. */
    Map<String, String> gitEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        for (String key : inheritedEnv) {
            String value = parentEnv.get(key);
            if (value != null) {
                env.put(key, value);
            }
        }
        env.put("GIT_TERMINAL_PROMPT", "0");
        env.put("GIT_ALLOW_PROTOCOL", ALLOWED_PROTOCOLS);
        env.put("LC_ALL", "C");
        return env;
    }

    private static InfrastructureException stopped(ProjectSpec project, CancellationToken token) {
        return new InfrastructureException("fetching the source of project '" + project.name()
                + "' was stopped (" + token.reason().map(Enum::name).orElse("cancelled") + ")");
    }

    /** Hides credentials in URLs (https://user:token@host) before a line is logged or shown. */
    static String redact(String line) {
        return URL_USERINFO.matcher(line).replaceAll("$1***@");
    }

    static void deleteQuietly(Path dir) {
        try {
            FileTrees.delete(dir);
        } catch (IOException e) {
            LOG.warn("could not delete workspace {}: {}", dir, e.toString());
        }
    }

    /** Builds {@link DefaultWorkspaces}; every setter checks its value. */
    public static final class Builder {
        private final Path root;
        private String gitExecutable = "git";
        private final Set<String> inheritedEnv = new LinkedHashSet<>(DEFAULT_INHERITED_ENV);
        private Map<String, String> parentEnv = System.getenv();
        private int maxLineLength = ProcessSupervisor.DEFAULT_MAX_LINE_LENGTH;
        private Duration keepBuildsFor = Duration.ZERO;
        private Clock clock = Clock.systemUTC();

        private Builder(Path root) {
            this.root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
        }

        /** The git program: a name looked up on PATH, or a path. Default {@code git}. */
        public Builder gitExecutable(String value) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException("gitExecutable must be non-empty, was '" + value + "'");
            }
            this.gitExecutable = value;
            return this;
        }

        /**
         * Replaces the variables of forge's environment passed to git (default PATH, HOME,
         * LANG); add e.g. SSH_AUTH_SOCK or HTTPS_PROXY where clones need them.
         */
        public Builder inheritEnv(Set<String> keys) {
            Objects.requireNonNull(keys, "keys");
            for (String key : keys) {
                if (key == null || !key.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                    throw new IllegalArgumentException("not an environment variable name: '" + key + "'");
                }
            }
            inheritedEnv.clear();
            inheritedEnv.addAll(keys);
            return this;
        }

        /** Caps the length of a logged output line. */
        public Builder maxLineLength(int value) {
            if (value < 80) {
                throw new IllegalArgumentException("maxLineLength must be >= 80, was " + value);
            }
            this.maxLineLength = value;
            return this;
        }

        /**
         * How long a finished build's workspace is kept for analyses of that build (each
         * analysis that opens it starts the time again); {@link dev.forge.Forge} uses
         * {@link #DEFAULT_KEEP_BUILDS_FOR}. Default zero: workspaces are deleted at once.
         * Builds cancelled by a user or a shutdown are never kept. The build runner's and the
         * analysis pipeline's workspaces must share the root and this setting.
         */
        public Builder keepBuildWorkspaces(Duration value) {
            Objects.requireNonNull(value, "keepBuildWorkspaces");
            if (value.isNegative()) {
                throw new IllegalArgumentException("keepBuildWorkspaces must not be negative, was " + value);
            }
            this.keepBuildsFor = value;
            return this;
        }

        /** The clock kept workspaces age by; for tests. Default system UTC. */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** The environment the inherited variables are read from; for tests. Default: forge's own. */
        Builder parentEnvironment(Map<String, String> env) {
            this.parentEnv = Objects.requireNonNull(env, "env");
            return this;
        }

        /** Builds the workspaces. */
        public DefaultWorkspaces build() {
            return new DefaultWorkspaces(this);
        }
    }
}
