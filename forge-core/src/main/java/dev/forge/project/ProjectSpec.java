package dev.forge.project;

import dev.forge.sandbox.SandboxPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How to fetch, build and report on one project.
 *
 * @param name     catalog name
 * @param source   where the source comes from
 * @param steps    build steps, run in order
 * @param reports  where steps leave their reports (globs relative to the workspace)
 * @param env      extra environment for steps
 * @param softTimeout soft timeout for this project, or null for the kind's default
 * @param hardTimeout hard timeout for this project, or null for the kind's default
 * @param sandbox  the project's changes to the runner's default sandbox policy (none when null)
 */
public record ProjectSpec(String name, Source source, List<Step> steps, Reports reports,
        Map<String, String> env, Duration softTimeout, Duration hardTimeout,
        SandboxPolicy.Overrides sandbox) {

    /** A spec that keeps the runner's default sandbox policy. */
    public ProjectSpec(String name, Source source, List<Step> steps, Reports reports,
            Map<String, String> env, Duration softTimeout, Duration hardTimeout) {
        this(name, source, steps, reports, env, softTimeout, hardTimeout, null);
    }

    /** Validates the spec. */
    public ProjectSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(source, "source");
        steps = List.copyOf(steps == null ? List.of() : steps);
        reports = reports == null ? Reports.defaults() : reports;
        env = Map.copyOf(env == null ? Map.of() : env);
        sandbox = sandbox == null ? SandboxPolicy.Overrides.none() : sandbox;
        if (softTimeout != null && (softTimeout.isNegative() || softTimeout.isZero())) {
            throw new IllegalArgumentException("softTimeout must be positive");
        }
        if (hardTimeout != null && (hardTimeout.isNegative() || hardTimeout.isZero())) {
            throw new IllegalArgumentException("hardTimeout must be positive");
        }
    }

    /** A builder for embedders' programmatic catalogs. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** Where the source comes from. */
    public sealed interface Source {
        /** A local folder, copied into the workspace so builds never modify it. */
        record LocalPath(Path dir) implements Source {
            /** Validates the source. */
            public LocalPath {
                Objects.requireNonNull(dir, "dir");
            }
        }

        /** A git repository, cloned shallowly at {@code ref}. */
        record Git(String url, String ref) implements Source {
            /** Validates the source. */
            public Git {
                Objects.requireNonNull(url, "url");
                ref = ref == null || ref.isBlank() ? null : ref;
            }
        }
    }

    /**
     * One build step: an argv list, never a shell string.
     *
     * @param name short name shown as the current step
     * @param run  the program and its arguments
     */
    public record Step(String name, List<String> run) {
        /** Validates the step. */
        public Step {
            Objects.requireNonNull(name, "name");
            run = List.copyOf(Objects.requireNonNull(run, "run"));
            if (run.isEmpty()) {
                throw new IllegalArgumentException("step '" + name + "' has an empty run list");
            }
        }
    }

    /**
     * Report globs, relative to the workspace.
     *
     * @param junit    JUnit XML reports
     * @param coverage JaCoCo, Cobertura or LCOV reports
     * @param sarif    SARIF 2.1.0 files from other tools
     */
    public record Reports(List<String> junit, List<String> coverage, List<String> sarif) {
        /** Surefire, Gradle and generic JUnit XML; JaCoCo, Cobertura and LCOV; any SARIF. */
        public static final List<String> DEFAULT_JUNIT = List.of(
                "**/surefire-reports/TEST-*.xml", "**/test-results/**/TEST-*.xml", "**/TEST-*.xml");
        /** Default coverage report globs. */
        public static final List<String> DEFAULT_COVERAGE = List.of(
                "**/jacoco.xml", "**/cobertura.xml", "**/coverage.xml", "**/lcov.info");
        /** Default SARIF globs. */
        public static final List<String> DEFAULT_SARIF = List.of("**/*.sarif");

        /** Validates the globs; a null list means the default. */
        public Reports {
            junit = List.copyOf(junit == null ? DEFAULT_JUNIT : junit);
            coverage = List.copyOf(coverage == null ? DEFAULT_COVERAGE : coverage);
            sarif = List.copyOf(sarif == null ? DEFAULT_SARIF : sarif);
        }

        /** The default globs. */
        public static Reports defaults() {
            return new Reports(null, null, null);
        }
    }

    /** Builds a {@link ProjectSpec}; unset fields take their defaults. */
    public static final class Builder {
        private final String name;
        private Source source;
        private final List<Step> steps = new ArrayList<>();
        private Reports reports = Reports.defaults();
        private final Map<String, String> env = new LinkedHashMap<>();
        private Duration softTimeout;
        private Duration hardTimeout;
        private SandboxPolicy.Overrides sandbox;

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        /** Source: a local folder. */
        public Builder localSource(Path dir) {
            this.source = new Source.LocalPath(dir);
            return this;
        }

        /** Source: a git repository at a ref (null for the default branch). */
        public Builder gitSource(String url, String ref) {
            this.source = new Source.Git(url, ref);
            return this;
        }

        /** Adds a step. */
        public Builder step(String stepName, String... argv) {
            steps.add(new Step(stepName, List.of(argv)));
            return this;
        }

        /** Sets the report globs. */
        public Builder reports(Reports value) {
            this.reports = Objects.requireNonNull(value, "reports");
            return this;
        }

        /** Adds an environment variable for steps. */
        public Builder env(String key, String value) {
            env.put(key, value);
            return this;
        }

        /** Sets the soft and hard timeouts. */
        public Builder timeouts(Duration soft, Duration hard) {
            this.softTimeout = soft;
            this.hardTimeout = hard;
            return this;
        }

        /** Changes the runner's default sandbox policy for this project. */
        public Builder sandbox(SandboxPolicy.Overrides value) {
            this.sandbox = Objects.requireNonNull(value, "sandbox");
            return this;
        }

        /** Builds the spec. */
        public ProjectSpec build() {
            if (source == null) {
                throw new IllegalStateException("project '" + name + "' needs a source");
            }
            return new ProjectSpec(name, source, steps, reports, env, softTimeout, hardTimeout, sandbox);
        }
    }
}
