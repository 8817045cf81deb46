package dev.forge;

import dev.forge.analysis.AnalysisPipeline;
import dev.forge.analysis.AnalysisService;
import dev.forge.builds.BuildService;
import dev.forge.builds.ProcessBuildRunner;
import dev.forge.events.EventBus;
import dev.forge.events.InMemoryEventBus;
import dev.forge.exec.AdmissionConfig;
import dev.forge.exec.ExecutorConfig;
import dev.forge.exec.JobExecutor;
import dev.forge.exec.TaskRunner;
import dev.forge.exec.TaskOperations;
import dev.forge.exec.TaskUpdater;
import dev.forge.lock.ClusterLock;
import dev.forge.lock.InMemoryClusterLock;
import dev.forge.metrics.ForgeMetrics;
import dev.forge.process.DefaultWorkspaces;
import dev.forge.project.ProjectCatalog;
import dev.forge.queue.InMemoryJobQueue;
import dev.forge.queue.JobQueue;
import dev.forge.queue.Queues;
import dev.forge.ratelimit.RateLimiter;
import dev.forge.sandbox.Sandbox;
import dev.forge.security.AuthResult;
import dev.forge.security.Authenticator;
import dev.forge.store.InMemoryTaskStore;
import dev.forge.store.TaskStore;
import dev.forge.task.IdGenerator;
import dev.forge.task.TaskId;
import dev.forge.task.TaskKind;
import dev.forge.validation.RequestValidator;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * forge, composed: the services, the ports behind them and the executor that runs tasks.
 * {@code Forge.builder().build()} works with no arguments - everything in memory, in this
 * process - and every port can be swapped for another adapter (e.g. Redis).
 *
 * <pre>{@code
 * try (Forge forge = Forge.builder().projectCatalog(catalog).build().start()) {
 *     TaskRecord build = forge.builds().create(alice, new BuildRequest("hello", "build it", Map.of()))
 *             .orElseThrow();
 *     TaskRecord done = forge.builds().await(alice, build.id(), Duration.ofMinutes(5)).orElseThrow();
 *     BuildResult result = forge.builds().result(alice, build.id()).orElseThrow();
 * }
 * }</pre>
 */
public final class Forge implements AutoCloseable {

    private final Clock clock;
    private final TaskStore store;
    private final JobQueue queue;
    private final EventBus events;
    private final RateLimiter rateLimiter;
    private final Authenticator authenticator;
    private final ProjectCatalog catalog;
    private final ClusterLock clusterLock;
    private final String nodeId;
    private final ForgeMetrics metrics;
    private final BuildService builds;
    private final AnalysisService analyses;
    private final JobExecutor executor;
    private final TaskOperations tasks;
    /** What the builder made (not what the caller passed in), in the order it is closed. */
    private final List<AutoCloseable> owned = new ArrayList<>();
    private final ProcessBuildRunner processRunner;
    private final AnalysisPipeline analysisPipeline;
    private final Path workspaceRoot;
    private volatile boolean started;
    private volatile boolean closed;

    private Forge(Builder b) {
        this.clock = b.clock;
        this.metrics = new ForgeMetrics(b.meterRegistry);
        this.events = b.events != null ? b.events : own(new InMemoryEventBus());
        this.queue = b.queue != null ? b.queue : own(new InMemoryJobQueue(clock));
        TaskStore rawStore = b.store != null ? b.store : own(new InMemoryTaskStore());
        this.store = new MeteredTaskStore(rawStore, metrics.registry());
        this.rateLimiter = b.rateLimiter; // null: an embedding application is not limited
        this.clusterLock = b.clusterLock != null ? b.clusterLock : own(new InMemoryClusterLock(clock));
        this.nodeId = b.nodeId != null ? b.nodeId : ForgeDefaults.nodeId();
        this.authenticator = b.authenticator != null ? b.authenticator
                : token -> AuthResult.rejected("no authenticator configured");
        this.catalog = b.catalog != null ? b.catalog : ForgeDefaults.emptyCatalog();
        ExecutorConfig config = b.workers == null ? b.executorConfig
                : b.executorConfig.toBuilder().workers(b.workers).build();
        TaskUpdater updater = new TaskUpdater(store, events, metrics, clock);
        this.tasks = new TaskOperations(store, queue, events, updater, catalog, b.ids, clock, b.admission);
        RequestValidator validator = new RequestValidator();
        this.builds = new BuildService(tasks, validator, config.maxAttempts(TaskKind.BUILD), rateLimiter);
        this.analyses = new AnalysisService(tasks, validator, config.maxAttempts(TaskKind.ANALYSIS),
                rateLimiter);
        Map<TaskKind, TaskRunner> runners = new EnumMap<>(TaskKind.class);
        Path workspaceRoot = b.workspaceRoot != null ? b.workspaceRoot : ForgeDefaults.workspaceRoot();
        this.workspaceRoot = workspaceRoot;
        TaskRunner buildRunner = b.buildRunner != null ? b.buildRunner
                : ForgeDefaults.buildRunner(workspaceRoot, b.keepBuildWorkspaces);
        this.processRunner = buildRunner instanceof ProcessBuildRunner runner ? runner : null;
        runners.put(TaskKind.BUILD, buildRunner);
        TaskRunner analysisRunner = b.analysisRunner != null ? b.analysisRunner
                : ForgeDefaults.analysisRunner(workspaceRoot, b.keepBuildWorkspaces, store);
        this.analysisPipeline = analysisRunner instanceof AnalysisPipeline pipeline ? pipeline : null;
        runners.put(TaskKind.ANALYSIS, analysisRunner);
        this.executor = new JobExecutor(config, store, queue, events, clusterLock, nodeId, catalog,
                runners, updater, metrics, clock);
    }

    private <T extends AutoCloseable> T own(T made) {
        owned.add(made);
        return made;
    }

    /** A builder with in-memory defaults for everything. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts the workers and scheduled maintenance. An API-only node may skip this and only
     * submit tasks for other nodes to run.
     *
     * @return this
     */
    public Forge start() {
        if (closed) {
            throw new IllegalStateException("forge is closed");
        }
        DefaultWorkspaces.sweep(workspaceRoot); // leftovers of a crashed run; before any worker makes new ones
        executor.start();
        started = true;
        return this;
    }

    /** Builds: create, status, result, history, cancel, logs, events, await. */
    public BuildService builds() {
        return builds;
    }

    /** Analyses: the same methods as {@link #builds()}. */
    public AnalysisService analyses() {
        return analyses;
    }

    /** The authenticator (for front ends that receive bearer tokens). */
    public Authenticator authenticator() {
        return authenticator;
    }

    /**
     * The rate limiter the builder was given, if any. Without one the services do not limit
     * creations; front ends that face users (the HTTP API) then use limits of their own.
     */
    public Optional<RateLimiter> rateLimiter() {
        return Optional.ofNullable(rateLimiter);
    }

    /** The event bus: live status, progress and log lines of tasks. */
    public EventBus events() {
        return events;
    }

    /** The task store, as forge uses it: calls are counted in {@code forge_store_calls_total{op}}. */
    public TaskStore store() {
        return store;
    }

    /** The job queue. */
    public JobQueue queue() {
        return queue;
    }

    /** The project catalog. */
    public ProjectCatalog catalog() {
        return catalog;
    }

    /** The lock that picks the node running each maintenance job. */
    public ClusterLock clusterLock() {
        return clusterLock;
    }

    /** This node's name in the cluster (its maintenance lock holder). */
    public String nodeId() {
        return nodeId;
    }

    /** forge's meters. */
    public ForgeMetrics metrics() {
        return metrics;
    }

    /** The executor (workers, maintenance). */
    @Internal
    public JobExecutor executor() {
        return executor;
    }

    /**
     * The sandbox build steps run in, when the build runner is a {@link ProcessBuildRunner}
     * (the default); empty for other runners.
     */
    public Optional<Sandbox> sandbox() {
        return Optional.ofNullable(processRunner).map(ProcessBuildRunner::sandbox);
    }

    /**
     * The analysis pipeline, when the analysis runner is one (the default): which analyzers it
     * runs and which optional ones are missing ({@link AnalysisPipeline#missingAnalyzers()}, for
     * a start-up warning); empty for other runners.
     */
    public Optional<AnalysisPipeline> analysisPipeline() {
        return Optional.ofNullable(analysisPipeline);
    }

    /** The clock everything uses. */
    public Clock clock() {
        return clock;
    }

    /**
     * This node's health: asks the store and queue from here, and reads this node's executor.
     * Another node's view, or its maintenance runs, never shows up here.
     */
    public Health health() {
        Map<String, Health.Component> components = new LinkedHashMap<>();
        boolean storeUp = probe(components, "store", () -> {
            store.find(TaskId.of("health-probe"));
            return Map.of("type", ((MeteredTaskStore) store).delegate().getClass().getSimpleName());
        });
        boolean queueUp = probe(components, "queue", () -> Map.of(
                "type", queue.getClass().getSimpleName(),
                "build_depth", queue.depth(Queues.BUILD),
                "analysis_depth", queue.depth(Queues.ANALYSIS)));
        Map<String, Object> exec = new LinkedHashMap<>();
        exec.put("node", nodeId);
        exec.put("started", started);
        exec.put("workers", executor.workerCount());
        exec.put("busy", executor.busyWorkers());
        if (executor.lastHealthy() != null) {
            exec.put("last_health_sweep", executor.lastHealthy().toString());
        }
        boolean executorUp = !started || executor.isRunning();
        components.put("executor", executorUp ? Health.Component.up(exec)
                : Health.Component.down("executor stopped"));
        if (processRunner != null) {
            // always up: a missing sandbox is a configuration, shown here, not an outage
            components.put("sandbox", Health.Component.up(Map.of(
                    "isolation", processRunner.sandbox().isolation().label(),
                    "enforcement", processRunner.enforcement().name().toLowerCase(java.util.Locale.ROOT),
                    "description", processRunner.sandbox().description())));
        }
        return new Health(!closed && executorUp, !closed && storeUp && queueUp && executorUp,
                components);
    }

    /**
     * Graceful shutdown of the executor, then closes what the builder made: the in-memory
     * defaults. Ports passed to the builder belong to the caller, who closes them after forge
     * (so two Forge instances can share one connection pool). Everything is closed even when a
     * close fails; the first failure is then rethrown with the others suppressed.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        List<AutoCloseable> toClose = new ArrayList<>();
        toClose.add(executor);
        toClose.add(tasks::closeCompletions); // after the executor: a graceful stop may still finish tasks
        toClose.addAll(owned);
        Resources.closeAll(toClose);
    }

    private static boolean probe(Map<String, Health.Component> components, String name,
            java.util.function.Supplier<Map<String, Object>> check) {
        try {
            components.put(name, Health.Component.up(check.get()));
            return true;
        } catch (RuntimeException e) {
            components.put(name, Health.Component.down(e.getClass().getSimpleName()));
            return false;
        }
    }

    /** Builds a {@link Forge}; every setting is optional. */
    public static final class Builder {
        private Clock clock = Clock.systemUTC();
        private IdGenerator ids = IdGenerator.random();
        private TaskStore store;
        private JobQueue queue;
        private EventBus events;
        private ClusterLock clusterLock;
        private String nodeId;
        private RateLimiter rateLimiter;
        private Authenticator authenticator;
        private ProjectCatalog catalog;
        private TaskRunner buildRunner;
        private TaskRunner analysisRunner;
        private Path workspaceRoot;
        private java.time.Duration keepBuildWorkspaces = DefaultWorkspaces.DEFAULT_KEEP_BUILDS_FOR;
        private ExecutorConfig executorConfig = ExecutorConfig.ofDefaults();
        private Integer workers;
        private AdmissionConfig admission = AdmissionConfig.ofDefaults();
        private MeterRegistry meterRegistry = new SimpleMeterRegistry();

        private Builder() {
        }

        /** The clock for timestamps, leases and rate limits (default system UTC). */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** How task ids are made (default 128 random bits). */
        public Builder idGenerator(IdGenerator value) {
            this.ids = Objects.requireNonNull(value, "idGenerator");
            return this;
        }

        /** Where tasks live (default in memory). Forge does not close a store given here. */
        public Builder taskStore(TaskStore value) {
            this.store = Objects.requireNonNull(value, "taskStore");
            return this;
        }

        /** Where jobs wait (default in memory). Forge does not close a queue given here. */
        public Builder jobQueue(JobQueue value) {
            this.queue = Objects.requireNonNull(value, "jobQueue");
            return this;
        }

        /** Where events go (default in memory). Forge does not close a bus given here. */
        public Builder eventBus(EventBus value) {
            this.events = Objects.requireNonNull(value, "eventBus");
            return this;
        }

        /**
         * The lock that lets one node per interval run retention and the health sweep (default
         * in memory: right for one node; nodes sharing a store and queue must share a lock too).
         */
        public Builder clusterLock(ClusterLock value) {
            this.clusterLock = Objects.requireNonNull(value, "clusterLock");
            return this;
        }

        /**
         * This node's name in the cluster, unique among the nodes sharing a backend (default:
         * the process id and a random suffix). Non-blank, at most 200 characters.
         */
        public Builder nodeId(String value) {
            Objects.requireNonNull(value, "nodeId");
            if (value.isBlank() || value.length() > 200) {
                throw new IllegalArgumentException("nodeId must be 1-200 non-blank characters, was '"
                        + (value.length() > 200 ? value.substring(0, 200) + "..." : value) + "'");
            }
            this.nodeId = value;
            return this;
        }

        /**
         * Limits build and analysis creations per user (default: none - an application calling
         * forge from its own code is not limited). The HTTP API limits requests and creations
         * whether or not this is set; set it to share the limits between nodes or to change them.
         * Forge does not close a limiter given here.
         */
        public Builder rateLimiter(RateLimiter value) {
            this.rateLimiter = Objects.requireNonNull(value, "rateLimiter");
            return this;
        }

        /** Bearer-token verification (default: rejects every token). */
        public Builder authenticator(Authenticator value) {
            this.authenticator = Objects.requireNonNull(value, "authenticator");
            return this;
        }

        /** Which projects exist (default: none). */
        public Builder projectCatalog(ProjectCatalog value) {
            this.catalog = Objects.requireNonNull(value, "projectCatalog");
            return this;
        }

        /** Runs builds (default: real processes in a fresh workspace). */
        public Builder buildRunner(TaskRunner value) {
            this.buildRunner = Objects.requireNonNull(value, "buildRunner");
            return this;
        }

        /** Runs analyses (default: the built-in analyzers plus any found by ServiceLoader). */
        public Builder analysisRunner(TaskRunner value) {
            this.analysisRunner = Objects.requireNonNull(value, "analysisRunner");
            return this;
        }

        /** Where workspaces are made (default: a folder under the system temp directory). */
        public Builder workspaceRoot(Path value) {
            this.workspaceRoot = Objects.requireNonNull(value, "workspaceRoot");
            return this;
        }

        /**
         * How long the default runners keep a finished build's workspace so that an analysis
         * of the build ({@code build_id}) can read what it wrote (default 1 hour; zero keeps
         * none). Applies only to the default build and analysis runners.
         */
        public Builder keepBuildWorkspaces(java.time.Duration value) {
            DefaultWorkspaces.builder(Path.of(".")).keepBuildWorkspaces(value); // fails fast
            this.keepBuildWorkspaces = value;
            return this;
        }

        /** Executor settings (default {@link ExecutorConfig#ofDefaults()}). */
        public Builder executorConfig(ExecutorConfig value) {
            this.executorConfig = Objects.requireNonNull(value, "executorConfig");
            return this;
        }

        /**
         * Limits on tasks waiting: per user (queued + running) and per queue (default
         * {@link AdmissionConfig#ofDefaults()}). Counted in the job queue, so nodes sharing a
         * queue share the limits.
         */
        public Builder admission(AdmissionConfig value) {
            this.admission = Objects.requireNonNull(value, "admission");
            return this;
        }

        /** Overrides the executor config's worker count, whatever order the two are set in. */
        public Builder workers(int value) {
            ExecutorConfig.custom().workers(value); // fails fast on a bad count
            this.workers = value;
            return this;
        }

        /** Where metrics are registered (default a private simple registry). */
        public Builder meterRegistry(MeterRegistry value) {
            this.meterRegistry = Objects.requireNonNull(value, "meterRegistry");
            return this;
        }

        /** Composes forge; call {@link Forge#start()} to run tasks. */
        public Forge build() {
            return new Forge(this);
        }
    }
}
