package dev.forge.analysis;

import dev.forge.Internal;
import dev.forge.Outcome;
import dev.forge.events.EventBus;
import dev.forge.events.TaskEvent;
import dev.forge.exec.TaskOperations;
import dev.forge.ratelimit.RateLimiter;
import dev.forge.security.Principal;
import dev.forge.task.Page;
import dev.forge.task.TaskId;
import dev.forge.task.TaskKind;
import dev.forge.task.TaskRecord;
import dev.forge.task.TaskStatus;
import dev.forge.validation.RequestValidator;
import dev.forge.validation.ValidationFailure;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Code analyses for authenticated users (of a project's source, or of what one of their builds
 * left): create, status, result, history, cancel, logs, events, and await - the same methods
 * as {@link dev.forge.builds.BuildService}. Users see only their own analyses; admins see
 * everyone's. Creation is rate-limited only when a rate limiter was configured or this is a
 * {@link #limitedBy} view.
 */
public final class AnalysisService {

    /** Default page size of {@link #history}. */
    public static final int DEFAULT_LIMIT = TaskOperations.DEFAULT_PAGE_SIZE;
    /** Largest page size of {@link #history}; larger requests are capped. */
    public static final int MAX_LIMIT = TaskOperations.MAX_PAGE_SIZE;

    private final TaskOperations tasks;
    private final RequestValidator validator;
    private final int maxAttempts;
    private final RateLimiter rateLimiter;

    /**
     * Creates the service; {@code maxAttempts} bounds retries of infrastructure failures;
     * {@code rateLimiter} limits creations per user, or is null for no limit.
     */
    @Internal
    public AnalysisService(TaskOperations tasks, RequestValidator validator, int maxAttempts,
            RateLimiter rateLimiter) {
        this.tasks = Objects.requireNonNull(tasks, "tasks");
        this.validator = Objects.requireNonNull(validator, "validator");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1, was " + maxAttempts);
        }
        this.maxAttempts = maxAttempts;
        this.rateLimiter = rateLimiter;
    }

    /**
     * This service with creations limited by {@code limiter} ({@value RateLimiter#ANALYSIS_CREATE}
     * per user) instead of this one's limiter, if any. Everything else is shared.
     */
    public AnalysisService limitedBy(RateLimiter limiter) {
        return new AnalysisService(tasks, validator, maxAttempts, Objects.requireNonNull(limiter, "limiter"));
    }

    /**
     * Validates, stores and queues an analysis. With a build id, the build must be the caller's
     * (any for admins) and finished, and a project name, if given, must be the build's.
     *
     * @return the new record; Invalid (also for a build that is not visible); Conflict for a
     *         build still running or cancelled; NotFound for an unknown project; RateLimited
     */
    public Outcome<TaskRecord> create(Principal caller, AnalysisRequest request) {
        Objects.requireNonNull(caller, "caller");
        Optional<ValidationFailure> failure = validator.validate(request);
        if (failure.isPresent()) {
            return new Outcome.Invalid<>(failure.get());
        }
        String project = request.projectName();
        Map<String, String> parameters = Map.of();
        if (request.buildId() != null) {
            Outcome<TaskRecord> build = tasks.find(caller, TaskId.of(request.buildId()), TaskKind.BUILD);
            if (!(build instanceof Outcome.Ok<TaskRecord> ok)) {
                // not found and not yours answer alike: ids of others' builds are not revealed
                return new Outcome.Invalid<>(ValidationFailure.schema("build_id",
                        "no build with this id is visible to you"));
            }
            TaskRecord record = ok.value();
            if (record.status() != TaskStatus.COMPLETED && record.status() != TaskStatus.FAILED) {
                return new Outcome.Conflict<>("build " + record.id() + " is " + record.status().wireName()
                        + "; only a completed or failed build can be analysed");
            }
            if (project != null && !project.equals(record.projectName())) {
                return new Outcome.Invalid<>(ValidationFailure.schema("project_name",
                        "must be the build's project ('" + record.projectName() + "') or left out"));
            }
            project = record.projectName();
            parameters = Map.of(AnalysisPipeline.BUILD_ID_PARAMETER, record.id().value());
        } else if (project == null) {
            return new Outcome.Invalid<>(ValidationFailure.schema("project_name",
                    "is required unless build_id is given"));
        }
        return tasks.submit(caller, TaskKind.ANALYSIS, project, "", parameters,
                request.analysisTypes().stream().distinct().map(AnalysisType::wireName).toList(), maxAttempts,
                rateLimiter, RateLimiter.ANALYSIS_CREATE);
    }

    /** The analysis (with its report once completed), if it exists and the caller may see it. */
    public Outcome<TaskRecord> status(Principal caller, TaskId id) {
        return tasks.find(caller, id, TaskKind.ANALYSIS);
    }

    /**
     * The finished analysis's report, typed: score, findings, measures, and what could not be
     * covered.
     *
     * @return the report (partial for a failed or cancelled analysis); NotFound; Forbidden;
     *         Conflict while the analysis has not finished
     */
    public Outcome<AnalysisReport> result(Principal caller, TaskId id) {
        return status(caller, id).flatMap(record -> record.isTerminal()
                ? Outcome.ok(AnalysisReport.of(record))
                : new Outcome.Conflict<>("analysis " + id.value() + " is " + record.status().wireName()
                        + "; it has a report once it finishes"));
    }

    /**
     * The caller's analyses, newest first, like {@link dev.forge.builds.BuildService#history}.
     *
     * @param limit  1-100, null for 20; larger values are capped to 100
     * @param offset >= 0, null for 0
     */
    public Outcome<Page<TaskRecord>> history(Principal caller, Integer limit, Integer offset) {
        return history(caller, limit, offset, false);
    }

    /**
     * Like {@link #history(Principal, Integer, Integer)}; with {@code everyone}, every owner's
     * analyses (admins only, {@link Outcome.Forbidden} for others).
     */
    public Outcome<Page<TaskRecord>> history(Principal caller, Integer limit, Integer offset, boolean everyone) {
        return tasks.history(caller, TaskKind.ANALYSIS, limit, offset, everyone);
    }

    /** Cancels an analysis that has not finished; Conflict when it had already finished. */
    public Outcome<TaskRecord> cancel(Principal caller, TaskId id) {
        return tasks.cancel(caller, id, TaskKind.ANALYSIS);
    }

    /** The analysis's stored log (bounded): which analyzers ran, how long, what they skipped. */
    public Outcome<String> logs(Principal caller, TaskId id) {
        return status(caller, id).map(found -> tasks.store().readLog(id));
    }

    /**
     * Live events of the analysis, like {@link dev.forge.builds.BuildService#events}.
     *
     * @return the subscription, to close when done; NotFound; Forbidden
     */
    public Outcome<EventBus.Subscription> events(Principal caller, TaskId id, Consumer<TaskEvent> listener) {
        return tasks.subscribe(caller, id, TaskKind.ANALYSIS, listener);
    }

    /**
     * A future of the analysis's terminal record; it cannot miss one that finishes before or
     * while it is called (see {@link dev.forge.builds.BuildService#completion}).
     */
    public CompletableFuture<TaskRecord> completion(Principal caller, TaskId id) {
        return tasks.completion(caller, id, TaskKind.ANALYSIS);
    }

    /**
     * Waits up to {@code timeout} for the analysis to finish.
     *
     * @return the terminal record; NotFound; Forbidden; Conflict when it is still unfinished then
     */
    public Outcome<TaskRecord> await(Principal caller, TaskId id, Duration timeout) {
        return tasks.await(caller, id, TaskKind.ANALYSIS, timeout);
    }
}
