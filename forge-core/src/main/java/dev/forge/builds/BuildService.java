package dev.forge.builds;

import dev.forge.Outcome;
import dev.forge.exec.TaskOperations;
import dev.forge.ratelimit.RateLimiter;
import dev.forge.security.Principal;
import dev.forge.task.Page;
import dev.forge.task.TaskId;
import dev.forge.task.TaskKind;
import dev.forge.task.TaskRecord;
import dev.forge.validation.RequestValidator;
import dev.forge.validation.ValidationFailure;
import java.util.Objects;
import java.util.Optional;

/**
 * Builds for authenticated users: create, look up, list, cancel, read logs. Creation returns at
 * once with the stored record; a worker runs the build. Users see only their own builds; admins
 * see everyone's.
 */
public final class BuildService {

    /** Default page size of {@link #history}. */
    public static final int DEFAULT_LIMIT = TaskOperations.DEFAULT_PAGE_SIZE;
    /** Largest page size of {@link #history}; larger requests are capped. */
    public static final int MAX_LIMIT = TaskOperations.MAX_PAGE_SIZE;

    private final TaskOperations tasks;
    private final RequestValidator validator;
    private final int maxAttempts;

    /** Creates the service; {@code maxAttempts} bounds retries of infrastructure failures. */
    public BuildService(TaskOperations tasks, RequestValidator validator, int maxAttempts) {
        this.tasks = Objects.requireNonNull(tasks, "tasks");
        this.validator = Objects.requireNonNull(validator, "validator");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1, was " + maxAttempts);
        }
        this.maxAttempts = maxAttempts;
    }

    /**
     * Validates, stores and queues a build.
     *
     * @return the new record ({@code initializing}); Invalid; NotFound for an unknown project;
     *         RateLimited when the caller has used up build creations
     */
    public Outcome<TaskRecord> create(Principal caller, BuildRequest request) {
        Objects.requireNonNull(caller, "caller");
        Optional<ValidationFailure> failure = validator.validate(request);
        if (failure.isPresent()) {
            return new Outcome.Invalid<>(failure.get());
        }
        return tasks.submit(caller, TaskKind.BUILD, request.projectName(), request.goal(),
                request.parameters(), null, maxAttempts, RateLimiter.BUILD_CREATE);
    }

    /** The build, if it exists and the caller may see it. */
    public Outcome<TaskRecord> status(Principal caller, TaskId id) {
        return tasks.find(caller, id, TaskKind.BUILD);
    }

    /**
     * The caller's builds, newest first.
     *
     * @param limit  1-100, null for 20; larger values are capped to 100
     * @param offset >= 0, null for 0
     */
    public Outcome<Page<TaskRecord>> history(Principal caller, Integer limit, Integer offset) {
        return history(caller, limit, offset, false);
    }

    /**
     * Like {@link #history(Principal, Integer, Integer)}; with {@code everyone}, every owner's
     * builds (admins only, {@link Outcome.Forbidden} for others).
     */
    public Outcome<Page<TaskRecord>> history(Principal caller, Integer limit, Integer offset, boolean everyone) {
        return tasks.history(caller, TaskKind.BUILD, limit, offset, everyone);
    }

    /**
     * Cancels a build: an {@code initializing} one at once; a {@code running} one is marked
     * cancelled and its attempt told to stop, wherever it runs.
     *
     * @return the cancelled record; Conflict when it had already finished
     */
    public Outcome<TaskRecord> cancel(Principal caller, TaskId id) {
        return tasks.cancel(caller, id, TaskKind.BUILD);
    }

    /** The build's stored log (bounded). */
    public Outcome<String> logs(Principal caller, TaskId id) {
        Outcome<TaskRecord> found = status(caller, id);
        if (!(found instanceof Outcome.Ok<TaskRecord>)) {
            return retype(found);
        }
        return Outcome.ok(tasks.store().readLog(id));
    }

    @SuppressWarnings("unchecked")
    private static <T> Outcome<T> retype(Outcome<?> refusal) {
        // Refusals carry no value, so they are safe to view as any Outcome type.
        return (Outcome<T>) refusal;
    }
}
