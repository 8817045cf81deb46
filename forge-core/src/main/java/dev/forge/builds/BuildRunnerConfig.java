package dev.forge.builds;

import dev.forge.process.ProcessSupervisor;
import dev.forge.sandbox.Enforcement;
import dev.forge.sandbox.Sandbox;
import dev.forge.sandbox.SandboxPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Settings of {@link ProcessBuildRunner}. Immutable; build one with {@link #builder()}, whose
 * setters reject bad values at once, or take {@link #defaults()}.
 */
public final class BuildRunnerConfig {

    /** Default workspace root: {@code forge-workspaces} under the JVM's temp folder. */
    public static final Path DEFAULT_WORKSPACE_ROOT =
            Path.of(System.getProperty("java.io.tmpdir"), "forge-workspaces");
    /** Default time between SIGTERM and SIGKILL when a build is stopped. */
    public static final Duration DEFAULT_GRACE_PERIOD = ProcessSupervisor.DEFAULT_GRACE_PERIOD;
    /** Default cap on one log line, in chars. */
    public static final int DEFAULT_MAX_LINE_LENGTH = ProcessSupervisor.DEFAULT_MAX_LINE_LENGTH;
    /** Variables of forge's own environment that reach build steps by default. */
    public static final Set<String> DEFAULT_INHERITED_ENV = Collections.unmodifiableSet(
            new LinkedHashSet<>(java.util.List.of("PATH", "HOME", "LANG", "JAVA_HOME")));

    private static final Duration MAX_GRACE_PERIOD = Duration.ofMinutes(10);
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private final Path workspaceRoot;
    private final Duration gracePeriod;
    private final boolean keepWorkspaceOnFailure;
    private final int maxLineLength;
    private final String gitExecutable;
    private final Set<String> inheritedEnv;
    private final Enforcement enforcement;
    private final SandboxPolicy sandboxPolicy;
    private final Sandbox sandbox;

    private BuildRunnerConfig(Builder builder) {
        this.workspaceRoot = builder.workspaceRoot;
        this.gracePeriod = builder.gracePeriod;
        this.keepWorkspaceOnFailure = builder.keepWorkspaceOnFailure;
        this.maxLineLength = builder.maxLineLength;
        this.gitExecutable = builder.gitExecutable;
        this.inheritedEnv = Collections.unmodifiableSet(new LinkedHashSet<>(builder.inheritedEnv));
        this.enforcement = builder.enforcement;
        this.sandboxPolicy = builder.sandboxPolicy;
        this.sandbox = builder.sandbox;
    }

    /** The defaults. */
    public static BuildRunnerConfig defaults() {
        return builder().build();
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Where workspaces are created. */
    public Path workspaceRoot() {
        return workspaceRoot;
    }

    /** Time between SIGTERM and SIGKILL on a stop (a hard timeout kills at once). */
    public Duration gracePeriod() {
        return gracePeriod;
    }

    /** Whether the workspace of an attempt that did not succeed is kept for inspection. */
    public boolean keepWorkspaceOnFailure() {
        return keepWorkspaceOnFailure;
    }

    /** Longer output lines are cut and marked. */
    public int maxLineLength() {
        return maxLineLength;
    }

    /** The git program used to clone git sources. */
    public String gitExecutable() {
        return gitExecutable;
    }

    /** Variables of forge's own environment passed to steps (when set); nothing else is. */
    public Set<String> inheritedEnv() {
        return inheritedEnv;
    }

    /**
     * What happens when the sandbox cannot give what a build's policy asks for (default
     * {@link Enforcement#BEST_EFFORT}: run, and say in the build's log what is lacking).
     */
    public Enforcement enforcement() {
        return enforcement;
    }

    /** The sandbox policy of projects that set none (forge.json {@code "sandbox"} changes it). */
    public SandboxPolicy sandboxPolicy() {
        return sandboxPolicy;
    }

    /** The sandbox to use, or null to detect the strongest on this machine when the runner is made. */
    public Sandbox sandbox() {
        return sandbox;
    }

    @Override
    public String toString() {
        return "BuildRunnerConfig[workspaceRoot=" + workspaceRoot + ", gracePeriod=" + gracePeriod
                + ", keepWorkspaceOnFailure=" + keepWorkspaceOnFailure + ", maxLineLength="
                + maxLineLength + ", gitExecutable=" + gitExecutable + ", inheritedEnv="
                + inheritedEnv + ", enforcement=" + enforcement + ", sandboxPolicy=" + sandboxPolicy
                + ", sandbox=" + (sandbox == null ? "detect" : sandbox.isolation().label()) + "]";
    }

    /** Builds a {@link BuildRunnerConfig}. */
    public static final class Builder {
        private Path workspaceRoot = DEFAULT_WORKSPACE_ROOT;
        private Duration gracePeriod = DEFAULT_GRACE_PERIOD;
        private boolean keepWorkspaceOnFailure;
        private int maxLineLength = DEFAULT_MAX_LINE_LENGTH;
        private String gitExecutable = "git";
        private final Set<String> inheritedEnv = new LinkedHashSet<>(DEFAULT_INHERITED_ENV);
        private Enforcement enforcement = Enforcement.BEST_EFFORT;
        private SandboxPolicy sandboxPolicy = SandboxPolicy.defaults();
        private Sandbox sandbox;

        private Builder() {
        }

        /** What to do when the sandbox falls short of a build's policy (default best effort). */
        public Builder enforcement(Enforcement value) {
            this.enforcement = Objects.requireNonNull(value, "enforcement");
            return this;
        }

        /** The default sandbox policy (default {@link SandboxPolicy#defaults()}). */
        public Builder sandboxPolicy(SandboxPolicy value) {
            this.sandboxPolicy = Objects.requireNonNull(value, "sandboxPolicy");
            return this;
        }

        /** A given sandbox instead of the detected one (e.g. one detection shared by runners). */
        public Builder sandbox(Sandbox value) {
            this.sandbox = Objects.requireNonNull(value, "sandbox");
            return this;
        }

        /** Where workspaces are created (made absolute). */
        public Builder workspaceRoot(Path value) {
            this.workspaceRoot = Objects.requireNonNull(value, "workspaceRoot").toAbsolutePath().normalize();
            return this;
        }

        /** Time between SIGTERM and SIGKILL, 0 to 10 minutes (0 kills at once). */
        public Builder gracePeriod(Duration value) {
            Objects.requireNonNull(value, "gracePeriod");
            if (value.isNegative() || value.compareTo(MAX_GRACE_PERIOD) > 0) {
                throw new IllegalArgumentException("gracePeriod must be between 0 and "
                        + MAX_GRACE_PERIOD + ", was " + value);
            }
            this.gracePeriod = value;
            return this;
        }

        /** Keep the workspace of an attempt that did not succeed (default false). */
        public Builder keepWorkspaceOnFailure(boolean value) {
            this.keepWorkspaceOnFailure = value;
            return this;
        }

        /** Cap on one log line, 80 to 1,000,000 chars. */
        public Builder maxLineLength(int value) {
            if (value < 80 || value > 1_000_000) {
                throw new IllegalArgumentException("maxLineLength must be between 80 and 1000000, was "
                        + value);
            }
            this.maxLineLength = value;
            return this;
        }

        /** The git program (a name on PATH or a path); default {@code git}. */
        public Builder gitExecutable(String value) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException("gitExecutable must be non-empty, was '" + value + "'");
            }
            this.gitExecutable = value;
            return this;
        }

        /**
         * Replaces the variables of forge's environment passed to steps (default PATH, HOME,
         * LANG, JAVA_HOME). Never list secrets here.
         */
        public Builder inheritedEnv(Set<String> keys) {
            Objects.requireNonNull(keys, "inheritedEnv");
            for (String key : keys) {
                if (key == null || !ENV_NAME.matcher(key).matches()) {
                    throw new IllegalArgumentException("not an environment variable name: '" + key + "'");
                }
                if (key.startsWith("FORGE_")) {
                    throw new IllegalArgumentException("FORGE_ variables are never inherited: '" + key + "'");
                }
            }
            inheritedEnv.clear();
            inheritedEnv.addAll(keys);
            return this;
        }

        /** Builds the config. */
        public BuildRunnerConfig build() {
            return new BuildRunnerConfig(this);
        }
    }
}
