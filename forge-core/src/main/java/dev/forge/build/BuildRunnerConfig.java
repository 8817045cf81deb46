package dev.forge.build;

import dev.forge.process.ProcessSupervisor;
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

    private BuildRunnerConfig(Builder builder) {
        this.workspaceRoot = builder.workspaceRoot;
        this.gracePeriod = builder.gracePeriod;
        this.keepWorkspaceOnFailure = builder.keepWorkspaceOnFailure;
        this.maxLineLength = builder.maxLineLength;
        this.gitExecutable = builder.gitExecutable;
        this.inheritedEnv = Collections.unmodifiableSet(new LinkedHashSet<>(builder.inheritedEnv));
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

    @Override
    public String toString() {
        return "BuildRunnerConfig[workspaceRoot=" + workspaceRoot + ", gracePeriod=" + gracePeriod
                + ", keepWorkspaceOnFailure=" + keepWorkspaceOnFailure + ", maxLineLength="
                + maxLineLength + ", gitExecutable=" + gitExecutable + ", inheritedEnv="
                + inheritedEnv + "]";
    }

    /** Builds a {@link BuildRunnerConfig}. */
    public static final class Builder {
        private Path workspaceRoot = DEFAULT_WORKSPACE_ROOT;
        private Duration gracePeriod = DEFAULT_GRACE_PERIOD;
        private boolean keepWorkspaceOnFailure;
        private int maxLineLength = DEFAULT_MAX_LINE_LENGTH;
        private String gitExecutable = "git";
        private final Set<String> inheritedEnv = new LinkedHashSet<>(DEFAULT_INHERITED_ENV);

        private Builder() {
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
