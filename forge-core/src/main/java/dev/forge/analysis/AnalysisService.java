package dev.forge.analysis;

import dev.forge.Outcome;
import dev.forge.exec.TaskOperations;
import dev.forge.ratelimit.RateLimiter;
import dev.forge.security.Principal;
import dev.forge.task.TaskId;
import dev.forge.task.TaskKind;
import dev.forge.task.TaskRecord;
import dev.forge.validation.RequestValidator;
import dev.forge.validation.ValidationFailure;
import java.util.Objects;
import java.util.Optional;

/** Code analyses for authenticated users: create, read the result, cancel. */
public final class AnalysisService {

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

    /** Validates, stores and queues an analysis. */
    public Outcome<TaskRecord> create(Principal caller, AnalysisRequest request) {
        Objects.requireNonNull(caller, "caller");
        Optional<ValidationFailure> failure = validator.validate(request);
        if (failure.isPresent()) {
            return new Outcome.Invalid<>(failure.get());
        }
        return tasks.submit(caller, TaskKind.ANALYSIS, request.projectName(), "", null,
                request.analysisTypes().stream().distinct().toList(), maxAttempts,
                RateLimiter.ANALYSIS_CREATE);
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
