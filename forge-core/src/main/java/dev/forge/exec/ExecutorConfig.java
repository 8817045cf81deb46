package dev.forge.exec;

import dev.forge.task.TaskKind;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * Immutable settings of the {@link JobExecutor}. Defaults live here, once; {@link #custom()}
 * starts from them and every setter fails fast on a bad value, naming it.
 */
public final class ExecutorConfig {

    private final int workers;
    private final Duration leaseVisibility;
    private final Duration heartbeatInterval;
    private final Duration pollWait;
    private final Duration retryBase;
    private final double retryJitter;
    private final Map<TaskKind, Integer> maxAttempts;
    private final Map<TaskKind, Duration> softTimeouts;
    private final Map<TaskKind, Duration> hardTimeouts;
    private final Duration shutdownDeadline;
    private final Duration hardTimeoutGrace;
    private final Duration retention;
    private final Duration retentionInterval;
    private final Duration healthInterval;
    private final Duration cancelCheckInterval;
    private final Duration logFlushInterval;
    private final int logBatchLines;
    private final Duration leaseAheadWait;

    private ExecutorConfig(Builder b) {
        this.workers = b.workers;
        this.leaseVisibility = b.leaseVisibility;
        this.heartbeatInterval = b.heartbeatInterval != null ? b.heartbeatInterval
                : b.leaseVisibility.dividedBy(3);
        this.pollWait = b.pollWait;
        this.retryBase = b.retryBase;
        this.retryJitter = b.retryJitter;
        this.maxAttempts = Map.copyOf(b.maxAttempts);
        this.softTimeouts = Map.copyOf(b.softTimeouts);
        this.hardTimeouts = Map.copyOf(b.hardTimeouts);
        this.shutdownDeadline = b.shutdownDeadline;
        this.hardTimeoutGrace = b.hardTimeoutGrace;
        this.retention = b.retention;
        this.retentionInterval = b.retentionInterval;
        this.healthInterval = b.healthInterval;
        this.cancelCheckInterval = b.cancelCheckInterval;
        this.logFlushInterval = b.logFlushInterval;
        this.logBatchLines = b.logBatchLines;
        this.leaseAheadWait = b.leaseAheadWait;
        if (heartbeatInterval.compareTo(leaseVisibility) >= 0) {
            throw new IllegalArgumentException("heartbeatInterval (" + heartbeatInterval
                    + ") must be shorter than leaseVisibility (" + leaseVisibility + ")");
        }
        for (TaskKind kind : TaskKind.values()) {
            if (softTimeouts.get(kind).compareTo(hardTimeouts.get(kind)) > 0) {
                throw new IllegalArgumentException("soft timeout of " + kind.wireName()
                        + " must not exceed its hard timeout");
            }
        }
    }

    /**
     * The defaults: one worker per core, 60 s leases, 3 attempts for builds and 2 for analyses
     * with a 1 s backoff base (2^attempt s), 25/30 min timeouts, 30 day retention swept every
     * 6 h, a health sweep every 5 min.
     */
    public static ExecutorConfig ofDefaults() {
        return custom().build();
    }

    /** A builder starting from the defaults. */
    public static Builder custom() {
        return new Builder();
    }

    /** Worker threads, i.e. attempts that may run at once. */
    public int workers() {
        return workers;
    }

    /** How long a lease lasts without a heartbeat. */
    public Duration leaseVisibility() {
        return leaseVisibility;
    }

    /** How often a running attempt extends its lease. */
    public Duration heartbeatInterval() {
        return heartbeatInterval;
    }

    /** How long one lease call waits for a job. */
    public Duration pollWait() {
        return pollWait;
    }

    /** Backoff unit: a retry after attempt n waits {@code base * 2^n} plus jitter. */
    public Duration retryBase() {
        return retryBase;
    }

    /** Jitter as a fraction of the backoff, 0 to 1. */
    public double retryJitter() {
        return retryJitter;
    }

    /** Attempts allowed for a kind. */
    public int maxAttempts(TaskKind kind) {
        return maxAttempts.get(kind);
    }

    /** Default soft timeout of a kind. */
    public Duration softTimeout(TaskKind kind) {
        return softTimeouts.get(kind);
    }

    /** Default hard timeout of a kind. */
    public Duration hardTimeout(TaskKind kind) {
        return hardTimeouts.get(kind);
    }

    /** How long graceful shutdown lets running attempts finish. */
    public Duration shutdownDeadline() {
        return shutdownDeadline;
    }

    /**
     * How long after its hard timeout an attempt whose runner has not returned is abandoned:
     * the task fails, its lease is no longer renewed and the worker thread is interrupted.
     */
    public Duration hardTimeoutGrace() {
        return hardTimeoutGrace;
    }

    /** A builder starting from this config's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.workers = workers;
        b.leaseVisibility = leaseVisibility;
        b.heartbeatInterval = heartbeatInterval;
        b.pollWait = pollWait;
        b.retryBase = retryBase;
        b.retryJitter = retryJitter;
        b.maxAttempts.putAll(maxAttempts);
        b.softTimeouts.putAll(softTimeouts);
        b.hardTimeouts.putAll(hardTimeouts);
        b.shutdownDeadline = shutdownDeadline;
        b.hardTimeoutGrace = hardTimeoutGrace;
        b.retention = retention;
        b.retentionInterval = retentionInterval;
        b.healthInterval = healthInterval;
        b.cancelCheckInterval = cancelCheckInterval;
        b.logFlushInterval = logFlushInterval;
        b.logBatchLines = logBatchLines;
        b.leaseAheadWait = leaseAheadWait;
        return b;
    }

    /** How long terminal tasks are kept. */
    public Duration retention() {
        return retention;
    }

    /** How often the retention sweep runs. */
    public Duration retentionInterval() {
        return retentionInterval;
    }

    /** How often the health sweep runs. */
    public Duration healthInterval() {
        return healthInterval;
    }

    /**
     * How often a running attempt reads its task's stored status: the backstop that stops an
     * attempt whose task was cancelled even if the cancel request never reached this node.
     */
    public Duration cancelCheckInterval() {
        return cancelCheckInterval;
    }

    /** The longest a running attempt's log line waits in its buffer before it is stored. */
    public Duration logFlushInterval() {
        return logFlushInterval;
    }

    /** Lines a running attempt buffers before it stores them without waiting for the interval. */
    public int logBatchLines() {
        return logBatchLines;
    }

    /**
     * How long a job leased ahead waits for a worker of this node before it is given back; zero
     * when the node leases nothing ahead (see {@link Builder#leaseAheadWait}).
     */
    public Duration leaseAheadWait() {
        return leaseAheadWait;
    }

    /** Builds an {@link ExecutorConfig}. */
    public static final class Builder {
        private int workers = Runtime.getRuntime().availableProcessors();
        private Duration leaseVisibility = Duration.ofSeconds(60);
        private Duration heartbeatInterval;
        private Duration pollWait = Duration.ofSeconds(1);
        private Duration retryBase = Duration.ofSeconds(1);
        private double retryJitter = 0.25;
        private final Map<TaskKind, Integer> maxAttempts = new EnumMap<>(Map.of(
                TaskKind.BUILD, 3, TaskKind.ANALYSIS, 2));
        private final Map<TaskKind, Duration> softTimeouts = new EnumMap<>(Map.of(
                TaskKind.BUILD, Duration.ofMinutes(25), TaskKind.ANALYSIS, Duration.ofMinutes(25)));
        private final Map<TaskKind, Duration> hardTimeouts = new EnumMap<>(Map.of(
                TaskKind.BUILD, Duration.ofMinutes(30), TaskKind.ANALYSIS, Duration.ofMinutes(30)));
        private Duration shutdownDeadline = Duration.ofSeconds(30);
        private Duration hardTimeoutGrace = Duration.ofSeconds(10);
        private Duration retention = Duration.ofDays(30);
        private Duration retentionInterval = Duration.ofHours(6);
        private Duration healthInterval = Duration.ofMinutes(5);
        private Duration cancelCheckInterval = Duration.ofMillis(500);
        private Duration logFlushInterval = Duration.ofMillis(100);
        private int logBatchLines = 500;
        private Duration leaseAheadWait = Duration.ofMillis(200);

        private Builder() {
        }

        /** Worker threads, >= 1. */
        public Builder workers(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("workers must be >= 1, was " + value);
            }
            this.workers = value;
            return this;
        }

        /** How long a lease lasts without a heartbeat (default 60 s). */
        public Builder leaseVisibility(Duration value) {
            this.leaseVisibility = positive("leaseVisibility", value);
            return this;
        }

        /** Heartbeat interval; default a third of the lease. */
        public Builder heartbeatInterval(Duration value) {
            this.heartbeatInterval = positive("heartbeatInterval", value);
            return this;
        }

        /** How long one lease call waits. */
        public Builder pollWait(Duration value) {
            this.pollWait = positive("pollWait", value);
            return this;
        }

        /** Backoff unit (default 1 s; small values make retries fast in tests). */
        public Builder retryBase(Duration value) {
            this.retryBase = nonNegative("retryBase", value);
            return this;
        }

        /** Jitter fraction, 0 to 1. */
        public Builder retryJitter(double value) {
            if (!(value >= 0 && value <= 1)) {
                throw new IllegalArgumentException("retryJitter must be within 0..1, was " + value);
            }
            this.retryJitter = value;
            return this;
        }

        /** Attempts allowed for a kind, >= 1. */
        public Builder maxAttempts(TaskKind kind, int value) {
            if (value < 1) {
                throw new IllegalArgumentException("maxAttempts(" + kind.wireName() + ") must be >= 1, was " + value);
            }
            maxAttempts.put(Objects.requireNonNull(kind, "kind"), value);
            return this;
        }

        /** Soft and hard timeouts for a kind. */
        public Builder timeouts(TaskKind kind, Duration soft, Duration hard) {
            softTimeouts.put(Objects.requireNonNull(kind, "kind"), positive("softTimeout", soft));
            hardTimeouts.put(kind, positive("hardTimeout", hard));
            return this;
        }

        /** Graceful shutdown deadline. */
        public Builder shutdownDeadline(Duration value) {
            this.shutdownDeadline = nonNegative("shutdownDeadline", value);
            return this;
        }

        /** How long past the hard timeout a runner that has not returned is abandoned. */
        public Builder hardTimeoutGrace(Duration value) {
            this.hardTimeoutGrace = nonNegative("hardTimeoutGrace", value);
            return this;
        }

        /** Retention of terminal tasks and how often to sweep. */
        public Builder retention(Duration keep, Duration every) {
            this.retention = positive("retention", keep);
            this.retentionInterval = positive("retentionInterval", every);
            return this;
        }

        /** Health sweep interval. */
        public Builder healthInterval(Duration value) {
            this.healthInterval = positive("healthInterval", value);
            return this;
        }

        /** Stored-status check of running attempts, the cancel backstop (default 500 ms). */
        public Builder cancelCheckInterval(Duration value) {
            this.cancelCheckInterval = positive("cancelCheckInterval", value);
            return this;
        }

        /** Log batching: flush at least every {@code every} (default 100 ms) or {@code lines} lines (default 500). */
        public Builder logBatching(Duration every, int lines) {
            if (lines < 1) {
                throw new IllegalArgumentException("logBatchLines must be >= 1, was " + lines);
            }
            this.logFlushInterval = positive("logFlushInterval", every);
            this.logBatchLines = lines;
            return this;
        }

        /**
         * Leasing ahead (default 200 ms): under a backlog, a lease call for the workers also takes
         * the jobs they are measured to finish while the next few lease calls are on their way,
         * so short jobs lease in batches of a few times the pool's size. Such a job's task is leased and started (as every
         * lease starts its task) but waits for a worker of this node, at most {@code value}; then
         * it goes back to the queue, its task to initializing with the attempt it had. Zero
         * leases only for workers that are free.
         */
        public Builder leaseAheadWait(Duration value) {
            this.leaseAheadWait = nonNegative("leaseAheadWait", value);
            return this;
        }

        /** Builds the config; fails if the heartbeat is not shorter than the lease. */
        public ExecutorConfig build() {
            return new ExecutorConfig(this);
        }

        private static Duration positive(String name, Duration value) {
            Objects.requireNonNull(value, name);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, was " + value);
            }
            return value;
        }

        private static Duration nonNegative(String name, Duration value) {
            Objects.requireNonNull(value, name);
            if (value.isNegative()) {
                throw new IllegalArgumentException(name + " must not be negative, was " + value);
            }
            return value;
        }
    }
}
