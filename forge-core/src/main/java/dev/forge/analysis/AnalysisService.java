package dev.forge.analysis;

import dev.forge.Outcome;
import dev.forge.build.BuildService;
import dev.forge.events.EventBus;
import dev.forge.exec.TaskSubmitter;
import dev.forge.exec.TaskUpdater;
import dev.forge.ratelimit.RateLimiter;
import dev.forge.security.Principal;
import dev.forge.store.TaskAccess;
import dev.forge.store.TaskStore;
import dev.forge.task.TaskId;
import dev.forge.task.TaskKind;
import dev.forge.task.TaskRecord;
import dev.forge.validation.RequestValidator;
import dev.forge.validation.ValidationFailure;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;

/** Code analyses for authenticated users: create, read the result, cancel. */
public final class AnalysisService {

    private final TaskStore store;
    private final EventBus events;
    private final TaskUpdater updater;
    private final TaskSubmitter submitter;
    private final RequestValidator validator;
    private final Clock clock;
    private final int maxAttempts;

    /** Creates the service; {@code maxAttempts} bounds retries of infrastructure failures. */
    public AnalysisService(TaskStore store, EventBus events, TaskUpdater updater,
            TaskSubmitter submitter, RequestValidator validator, Clock clock, int maxAttempts) {
        this.store = Objects.requireNonNull(store, "store");
        this.events = Objects.requireNonNull(events, "events");
        this.updater = Objects.requireNonNull(updater, "updater");
        this.submitter = Objects.requireNonNull(submitter, "submitter");
        this.validator = Objects.requireNonNull(validator, "validator");
        this.clock = Objects.requireNonNull(clock, "clock");
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
        return submitter.submit(caller, TaskKind.ANALYSIS, request.projectName(), "", null,
                request.analysisTypes().stream().distinct().toList(), maxAttempts,
                RateLimiter.ANALYSIS_CREATE);
    }

    /** The analysis (with its report once completed), if it exists and the caller may see it. */
    public Outcome<TaskRecord> result(Principal caller, TaskId id) {
        return TaskAccess.find(store, caller, id, TaskKind.ANALYSIS);
    }

    /** Cancels an analysis that has not finished. */
    public Outcome<TaskRecord> cancel(Principal caller, TaskId id) {
        return BuildService.cancelTask(store, updater, events, clock, caller, id, TaskKind.ANALYSIS);
    }
}
