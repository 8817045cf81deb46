package dev.forge.analysis;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of an {@link AnalysisPipeline}; immutable, built by {@link #custom()}, defaults in
 * {@link #ofDefaults()}. Every setter fails fast on a bad value, naming it.
 */
public final class AnalysisConfig {

    /** Default cap on the {@code findings} list kept in the results (counts stay exact). */
    public static final int DEFAULT_MAX_FINDINGS = 5000;
    /** Default stack of an analyzer's thread: deep enough for real code, small enough to fail fast. */
    public static final long DEFAULT_ANALYZER_STACK_BYTES = 8L * 1024 * 1024;
    /** Default time one analyzer may take before it is stopped and reported as failed. */
    public static final Duration DEFAULT_ANALYZER_TIMEOUT = Duration.ofMinutes(10);
    /** Default time {@code mvn dependency:build-classpath} may take. */
    public static final Duration DEFAULT_CLASSPATH_TIMEOUT = Duration.ofMinutes(2);

    private static final AnalysisConfig DEFAULTS = new Builder().build();

    private final int maxFindings;
    private final long analyzerStackBytes;
    private final Duration analyzerTimeout;
    private final Duration classpathTimeout;
    private final String mavenExecutable;

    private AnalysisConfig(Builder b) {
        this.maxFindings = b.maxFindings;
        this.analyzerStackBytes = b.analyzerStackBytes;
        this.analyzerTimeout = b.analyzerTimeout;
        this.classpathTimeout = b.classpathTimeout;
        this.mavenExecutable = b.mavenExecutable;
    }

    /** The defaults. */
    public static AnalysisConfig ofDefaults() {
        return DEFAULTS;
    }

    /** A builder starting from the defaults. */
    public static Builder custom() {
        return new Builder();
    }

    /** Entries kept in the {@code findings} list. */
    public int maxFindings() {
        return maxFindings;
    }

    /** Stack size of the thread each analyzer runs on. */
    public long analyzerStackBytes() {
        return analyzerStackBytes;
    }

    /** How long one analyzer may run. */
    public Duration analyzerTimeout() {
        return analyzerTimeout;
    }

    /** How long resolving a build's classpath may take. */
    public Duration classpathTimeout() {
        return classpathTimeout;
    }

    /** The Maven program used to print a build's classpath; null disables it. */
    public String mavenExecutable() {
        return mavenExecutable;
    }

    /** Builds {@link AnalysisConfig}. */
    public static final class Builder {
        private int maxFindings = DEFAULT_MAX_FINDINGS;
        private long analyzerStackBytes = DEFAULT_ANALYZER_STACK_BYTES;
        private Duration analyzerTimeout = DEFAULT_ANALYZER_TIMEOUT;
        private Duration classpathTimeout = DEFAULT_CLASSPATH_TIMEOUT;
        private String mavenExecutable = "mvn";

        private Builder() {
        }

        /** Entries kept in the {@code findings} list, >= 0 (counts and the score use all). */
        public Builder maxFindings(int value) {
            if (value < 0) {
                throw new IllegalArgumentException("maxFindings must be >= 0, was " + value);
            }
            this.maxFindings = value;
            return this;
        }

        /** Stack size of each analyzer's thread, 256 KiB to 1 GiB. */
        public Builder analyzerStackBytes(long value) {
            if (value < 256L * 1024 || value > 1024L * 1024 * 1024) {
                throw new IllegalArgumentException("analyzerStackBytes must be 256 KiB to 1 GiB, was " + value);
            }
            this.analyzerStackBytes = value;
            return this;
        }

        /** How long one analyzer may run, positive. */
        public Builder analyzerTimeout(Duration value) {
            Objects.requireNonNull(value, "analyzerTimeout");
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("analyzerTimeout must be positive, was " + value);
            }
            this.analyzerTimeout = value;
            return this;
        }

        /** How long resolving a build's classpath may take, positive. */
        public Builder classpathTimeout(Duration value) {
            Objects.requireNonNull(value, "classpathTimeout");
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("classpathTimeout must be positive, was " + value);
            }
            this.classpathTimeout = value;
            return this;
        }

        /**
         * The Maven program (a name looked up on PATH, or a path) used to print a build's
         * classpath; null to never ask Maven.
         */
        public Builder mavenExecutable(String value) {
            if (value != null && value.isBlank()) {
                throw new IllegalArgumentException("mavenExecutable must be non-blank or null, was '" + value + "'");
            }
            this.mavenExecutable = value;
            return this;
        }

        /** Builds the config. */
        public AnalysisConfig build() {
            return new AnalysisConfig(this);
        }
    }
}
