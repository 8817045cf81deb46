package dev.forge.builds;

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
import dev.forge.validation.RequestValidator;
import dev.forge.validation.ValidationFailure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Builds for authenticated users: create, status, result, history, cancel, logs, events, and
 * await. Creation returns at once with the stored record; a worker runs the build, and
 * {@link #await} or {@link #completion} wait for it to finish. Users see only their own builds;
 * admins see everyone's. {@link dev.forge.analysis.AnalysisService} has the same methods for
 * analyses.
 *
 * <p>Creation is rate-limited only when a rate limiter was configured
 * ({@code Forge.builder().rateLimiter(...)}) or this is a {@link #limitedBy} view, as the HTTP
 * API uses: an application calling forge from its own code is not limited by default.
 */
public final class BuildService {

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
    public BuildService(TaskOperations tasks, RequestValidator validator, int maxAttempts, RateLimiter rateLimiter) {
        this.tasks = Objects.requireNonNull(tasks, "tasks");
        this.validator = Objects.requireNonNull(validator, "validator");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1, was " + maxAttempts);
        }
        this.maxAttempts = maxAttempts;
        this.rateLimiter = rateLimiter;
    }

    /**
     * This service with creations limited by {@code limiter} ({@value RateLimiter#BUILD_CREATE}
     * per user) instead of this one's limiter, if any. Everything else is shared.
     */
    public BuildService limitedBy(RateLimiter limiter) {
        return new BuildService(tasks, validator, maxAttempts, Objects.requireNonNull(limiter, "limiter"));
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
                request.parameters(), null, maxAttempts, rateLimiter, RateLimiter.BUILD_CREATE);
    }

    /**
     * Validates, stores and queues several builds of the caller at once, like as many
     * {@link #create} calls but with one store write and one enqueue for all of them (one round
     * trip each to a remote backend instead of several per build): for applications that
     * submit builds in batches. Admission limits count the batch as it is admitted; rate-limit
     * permits are taken one per build, and once one is refused the rest are refused too.
     *
     * @return one outcome per request, in order, each as {@link #create} would answer it
     */
    public List<Outcome<TaskRecord>> createAll(Principal caller, List<BuildRequest> requests) {
        Objects.requireNonNull(caller, "caller");
        List<Outcome<TaskRecord>> outcomes = new ArrayList<>(requests.size());
        List<TaskOperations.NewTask> valid = new ArrayList<>(requests.size());
        for (BuildRequest request : requests) {
            Optional<ValidationFailure> failure = validator.validate(request);
            outcomes.add(failure.<Outcome<TaskRecord>>map(Outcome.Invalid::new).orElse(null));
            if (failure.isEmpty()) {
                valid.add(new TaskOperations.NewTask(request.projectName(), request.goal(), request.parameters(), null));
            }
        }
        Iterator<Outcome<TaskRecord>> submitted = tasks.submitAll(caller, TaskKind.BUILD, valid, maxAttempts,
                rateLimiter, RateLimiter.BUILD_CREATE).iterator();
        outcomes.replaceAll(outcome -> outcome == null ? submitted.next() : outcome);
        return outcomes;
    }

    /** The build, if it exists and the caller may see it. */
    public Outcome<TaskRecord> status(Principal caller, TaskId id) {
        return tasks.find(caller, id, TaskKind.BUILD);
    }

    /**
     * What the finished build produced, typed: steps, test counts, failed tests, artifacts.
     *
     * @return the result (partial for a failed or cancelled build); NotFound; Forbidden; Conflict
     *         while the build has not finished
     */
    public Outcome<BuildResult> result(Principal caller, TaskId id) {
        return status(caller, id).flatMap(record -> record.isTerminal()
                ? Outcome.ok(BuildResult.of(record))
                : new Outcome.Conflict<>("build " + id.value() + " is " + record.status().wireName()
                        + "; it has a result once it finishes"));
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
        return status(caller, id).map(found -> tasks.store().readLog(id));
    }

    /**
     * Live events of the build (status, progress, log batches, then DONE), from whichever node
     * runs it. Nothing is replayed: subscribe, then read {@link #status}.
     *
     * @return the subscription, to close when done; NotFound; Forbidden
     */
    public Outcome<EventBus.Subscription> events(Principal caller, TaskId id, Consumer<TaskEvent> listener) {
        return tasks.subscribe(caller, id, TaskKind.BUILD, listener);
    }

    /**
     * A future of the build's terminal record ({@code completed}, {@code failed} or
     * {@code cancelled}). It cannot miss a build that finishes before or while it is called, on
     * this node or another sharing the event bus. Fails with a {@link dev.forge.RefusedException}
     * when the build is not found or not the caller's; cancel it to stop waiting.
     */
    public CompletableFuture<TaskRecord> completion(Principal caller, TaskId id) {
        return tasks.completion(caller, id, TaskKind.BUILD);
    }

    /**
     * Waits up to {@code timeout} for the build to finish, like {@link #completion}.
     *
     * @return the terminal record; NotFound; Forbidden; Conflict when it is still unfinished then
     */
    public Outcome<TaskRecord> await(Principal caller, TaskId id, Duration timeout) {
        return tasks.await(caller, id, TaskKind.BUILD, timeout);
    }
}
