package dev.forge.analysis;

import dev.forge.Outcome;
import dev.forge.exec.TaskOperations;
import dev.forge.ratelimit.RateLimiter;
import dev.forge.security.Principal;
import dev.forge.task.TaskId;
import dev.forge.task.TaskKind;
import dev.forge.task.TaskRecord;
import dev.forge.task.TaskStatus;
import dev.forge.task.Page;
import java.util.Map;
import dev.forge.validation.RequestValidator;
import dev.forge.validation.ValidationFailure;
import java.util.Objects;
import java.util.Optional;

/**
 * Code analyses for authenticated users: create (of a project's source, or of what one of
 * their builds left), read the result, list, read the log, cancel. Users see only their own
 * analyses; admins see everyone's.
 */
public final class AnalysisService {

    /** Default page size of {@link #history}. */
    public static final int DEFAULT_LIMIT = TaskOperations.DEFAULT_PAGE_SIZE;
    /** Largest page size of {@link #history}; larger requests are capped. */
    public static final int MAX_LIMIT = TaskOperations.MAX_PAGE_SIZE;

    private final TaskOperations tasks;
    private final RequestValidator validator;
    private final int maxAttempts;

    /** Creates the service; {@code maxAttempts} bounds retries of infrastructure failures. */
    public AnalysisService(TaskOperations tasks, RequestValidator validator, int maxAttempts) {
        this.tasks = Objects.requireNonNull(tasks, "tasks");
        this.validator = Objects.requireNonNull(validator, "validator");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1, was " + maxAttempts);
        }
        this.maxAttempts = maxAttempts;
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
                request.analysisTypes().stream().distinct().toList(), maxAttempts,
                RateLimiter.ANALYSIS_CREATE);
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

    /** The analysis's stored log (bounded): which analyzers ran, how long, what they skipped. */
    public Outcome<String> logs(Principal caller, TaskId id) {
        Outcome<TaskRecord> found = result(caller, id);
        if (!(found instanceof Outcome.Ok<TaskRecord>)) {
            @SuppressWarnings("unchecked")
            Outcome<String> refusal = (Outcome<String>) (Outcome<?>) found; // refusals carry no value
            return refusal;
        }
        return Outcome.ok(tasks.store().readLog(id));
    }

    /** The analysis (with its report once completed), if it exists and the caller may see it. */
    public Outcome<TaskRecord> result(Principal caller, TaskId id) {
        return tasks.find(caller, id, TaskKind.ANALYSIS);
    }

    /** Cancels an analysis that has not finished. */
    public Outcome<TaskRecord> cancel(Principal caller, TaskId id) {
        return tasks.cancel(caller, id, TaskKind.ANALYSIS);
    }
}
