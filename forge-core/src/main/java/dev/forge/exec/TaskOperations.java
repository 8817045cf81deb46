package dev.forge.exec;

import dev.forge.ForgeException;
import dev.forge.Internal;
import dev.forge.Outcome;
import dev.forge.RefusedException;
import dev.forge.events.EventBus;
import dev.forge.events.TaskEvent;
import dev.forge.project.ProjectCatalog;
import dev.forge.project.ProjectConfigException;
import dev.forge.queue.JobQueue;
import dev.forge.queue.Queues;
import dev.forge.ratelimit.RateLimitDecision;
import dev.forge.ratelimit.RateLimiter;
import dev.forge.security.Principal;
import dev.forge.store.StoredWithoutJobsException;
import dev.forge.store.TaskStore;
import dev.forge.task.IdGenerator;
import dev.forge.task.Page;
import dev.forge.task.TaskError;
import dev.forge.task.TaskId;
import dev.forge.task.TaskKind;
import dev.forge.task.TaskRecord;
import dev.forge.task.TaskStatus;
import dev.forge.validation.ValidationFailure;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * What the build and analysis services share once a request is validated: submitting a task
 * (project check, creation permit, store, enqueue), looking one up for a caller, cancelling.
 */
@Internal
public final class TaskOperations {

    /** Default page size of {@link #history}. */
    public static final int DEFAULT_PAGE_SIZE = 20;
    /** Largest page size of {@link #history}; larger requests are capped. */
    public static final int MAX_PAGE_SIZE = 100;

    private final TaskStore store;
    private final JobQueue queue;
    private final EventBus events;
    private final TaskUpdater updater;
    private final ProjectCatalog catalog;
    private final IdGenerator ids;
    private final Clock clock;
    private final Completions completions;
    private final Admission admission;

    /** Creates the operations over these ports, with no admission limits. */
    public TaskOperations(TaskStore store, JobQueue queue, EventBus events, TaskUpdater updater,
            ProjectCatalog catalog, IdGenerator ids, Clock clock) {
        this(store, queue, events, updater, catalog, ids, clock, AdmissionConfig.unlimited());
    }

    /** Creates the operations over these ports; new tasks must pass {@code admission}'s limits. */
    public TaskOperations(TaskStore store, JobQueue queue, EventBus events, TaskUpdater updater,
            ProjectCatalog catalog, IdGenerator ids, Clock clock, AdmissionConfig admission) {
        this.store = Objects.requireNonNull(store, "store");
        this.queue = Objects.requireNonNull(queue, "queue");
        this.events = Objects.requireNonNull(events, "events");
        this.updater = Objects.requireNonNull(updater, "updater");
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.ids = Objects.requireNonNull(ids, "ids");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.completions = new Completions(events);
        this.admission = new Admission(admission, queue);
    }

    /**
     * A page of tasks of one kind, newest first: the caller's own, or every owner's when
     * {@code everyone} is true, which only admins may ask for ({@link Outcome.Forbidden} otherwise).
     *
     * @param limit  1-100, null for 20; larger values are capped to 100
     * @param offset >= 0, null for 0
     */
    public Outcome<Page<TaskRecord>> history(Principal caller, TaskKind kind, Integer limit, Integer offset,
            boolean everyone) {
        int size = limit == null ? DEFAULT_PAGE_SIZE : limit;
        int skip = offset == null ? 0 : offset;
        if (size < 1) {
            return new Outcome.Invalid<>(ValidationFailure.schema("limit", "must be between 1 and 100"));
        }
        if (skip < 0) {
            return new Outcome.Invalid<>(ValidationFailure.schema("offset", "must be 0 or more"));
        }
        if (everyone && !caller.isAdmin()) {
            return new Outcome.Forbidden<>();
        }
        int capped = Math.min(size, MAX_PAGE_SIZE);
        return Outcome.ok(everyone ? store.listAll(kind, capped, skip)
                : store.listByOwner(caller.userId(), kind, capped, skip));
    }

    /** The task store, for reads the services add (e.g. logs, history). */
    public TaskStore store() {
        return store;
    }

    /**
     * Checks the project, the admission limits and, when there is a rate limiter, takes a creation
     * permit; then stores and enqueues a new task, in its owner's fairness group.
     *
     * @param rateLimiter   where the creation permit comes from, or null for no limit
     * @param rateOperation the rate-limit operation this creation counts against
     * @return the new record; NotFound("project"); Refused; or RateLimited
     */
    public Outcome<TaskRecord> submit(Principal caller, TaskKind kind, String projectName,
            String goal, Map<String, String> parameters, List<String> analysisTypes,
            int maxAttempts, RateLimiter rateLimiter, String rateOperation) {
        return submitAll(caller, kind, List.of(new NewTask(projectName, goal, parameters, analysisTypes)),
                maxAttempts, rateLimiter, rateOperation).get(0);
    }

    /**
     * {@link #submit} for several tasks of one caller and kind, with one store write and one
     * enqueue for all that pass ({@link TaskStore#createAll}, {@link JobQueue#enqueueAll}). The
     * admission counts are read once for the batch, and each admitted task counts against the
     * limits of those after it; rate-limit permits are taken one per task, in order, and once one
     * is refused the rest of the batch is refused with it (no permit is taken for them).
     *
     * @return one outcome per task, in order: the new record, NotFound("project"), Refused or
     *         RateLimited
     * @throws RuntimeException when the store or queue fails; the tasks of the batch that were
     *                          stored are then failed, as {@link #submit} does
     */
    public List<Outcome<TaskRecord>> submitAll(Principal caller, TaskKind kind, List<NewTask> tasks,
            int maxAttempts, RateLimiter rateLimiter, String rateOperation) {
        List<Outcome<TaskRecord>> outcomes = new ArrayList<>(tasks.size());
        List<Integer> known = new ArrayList<>(tasks.size());
        for (int i = 0; i < tasks.size(); i++) {
            String project = tasks.get(i).projectName();
            outcomes.add(projectExists(project) ? null : new Outcome.NotFound<>("project", project));
            if (outcomes.get(i) == null) {
                known.add(i);
            }
        }
        if (known.isEmpty()) {
            return outcomes;
        }
        Admission.Admitted<TaskRecord> admitted = admission.checkAll(caller.userId(), kind, known.size());
        List<TaskRecord> records = new ArrayList<>(admitted.count());
        Outcome<TaskRecord> refusal = null;
        for (int j = 0; j < known.size(); j++) {
            if (j == admitted.count()) {
                refusal = admitted.refusal();
            }
            if (refusal == null && rateLimiter != null) {
                RateLimitDecision decision = rateLimiter.tryAcquire(caller.userId(), rateOperation);
                if (!decision.allowed()) {
                    refusal = new Outcome.RateLimited<>(decision);
                }
            }
            int i = known.get(j);
            if (refusal != null) {
                outcomes.set(i, refusal);
                continue;
            }
            NewTask task = tasks.get(i);
            TaskRecord record = TaskRecord.create(ids.next(), kind, caller.userId(), task.projectName(),
                    task.goal(), task.parameters(), task.analysisTypes(), maxAttempts, clock.instant());
            records.add(record);
            outcomes.set(i, Outcome.ok(record));
        }
        storeAndQueue(kind, records);
        return outcomes;
    }

    private void storeAndQueue(TaskKind kind, List<TaskRecord> records) {
        if (records.isEmpty()) {
            return;
        }
        try {
            updater.createdAllAndQueued(records, queue, Queues.forKind(kind));
        } catch (StoredWithoutJobsException e) {
            // Stored, but nothing would ever run them: end them, then report the failure.
            failAll(records, "the task could not be queued", e);
            throw e;
        } catch (RuntimeException e) {
            // Several records: some may have been stored (an id that existed) - by a two-step
            // store without jobs, by a one-step store with theirs (which then find their task
            // failed and are dropped). One record: nothing was stored.
            if (records.size() > 1) {
                failAll(records, "the task could not be stored", e);
            }
            throw e;
        }
    }

    private void failAll(List<TaskRecord> records, String why, RuntimeException cause) {
        for (TaskRecord record : records) {
            try {
                updater.apply(record, record.transitionTo(TaskStatus.FAILED, null,
                        new TaskError(TaskError.INFRASTRUCTURE, why), clock.instant()));
            } catch (RuntimeException e) {
                cause.addSuppressed(e);
            }
        }
    }

    /** What {@link #submitAll} needs of each new task; {@code analysisTypes} is null for a build. */
    public record NewTask(String projectName, String goal, Map<String, String> parameters,
            List<String> analysisTypes) {
    }

    /** The task if it exists, is of {@code kind} and the caller may see it. */
    public Outcome<TaskRecord> find(Principal caller, TaskId id, TaskKind kind) {
        Optional<TaskRecord> found = store.find(id);
        if (found.isEmpty() || found.get().kind() != kind) {
            return new Outcome.NotFound<>(kind.wireName(), id.value());
        }
        if (!caller.canAccess(found.get().owner())) {
            return new Outcome.Forbidden<>();
        }
        return Outcome.ok(found.get());
    }

    /**
     * Cancels a task: an {@code initializing} one at once; a {@code running} one is marked
     * cancelled and a cancel request on the bus's control channel tells whichever node runs it
     * to stop.
     *
     * @return the cancelled record; Conflict when it had already finished
     */
    public Outcome<TaskRecord> cancel(Principal caller, TaskId id, TaskKind kind) {
        while (true) {
            Outcome<TaskRecord> found = find(caller, id, kind);
            if (!(found instanceof Outcome.Ok<TaskRecord> ok)) {
                return found;
            }
            TaskRecord current = ok.value();
            if (current.isTerminal()) {
                return new Outcome.Conflict<>(kind.wireName() + " already " + current.status().wireName());
            }
            TaskRecord cancelled = current.transitionTo(TaskStatus.CANCELLED, null,
                    new TaskError(TaskError.CANCELLED, "cancelled by " + caller.username()),
                    clock.instant());
            if (updater.apply(current, cancelled)) {
                TaskLog.cancelled(cancelled);
                if (current.status() == TaskStatus.RUNNING) {
                    events.requestCancel(id);
                }
                return Outcome.ok(cancelled);
            }
            // Lost a race with a worker's update: read again and decide again.
        }
    }

    /**
     * A future completed with the task's terminal record, once it has one. It cannot miss a
     * completion that happened before the call: it subscribes to the task's events first and
     * reads the store after. A terminal event from any node sharing the bus completes it; the
     * store is read again now and then in case the bus lost the event. Completes exceptionally
     * with a {@link RefusedException} when the task is not found or not the caller's,
     * and with a {@link ForgeException} when forge closes first. Cancelling the future
     * stops the waiting.
     */
    public CompletableFuture<TaskRecord> completion(Principal caller, TaskId id,
            TaskKind kind) {
        Objects.requireNonNull(caller, "caller");
        Objects.requireNonNull(id, "id");
        return completions.await(id, () -> find(caller, id, kind));
    }

    /**
     * Waits up to {@code timeout} for the task to finish (see {@link #completion}).
     *
     * @return the terminal record; NotFound or Forbidden; Conflict when it is still unfinished
     *         at the deadline
     * @throws ForgeException when interrupted (the interrupt flag is set again) or
     *                                  when forge closes first
     */
    public Outcome<TaskRecord> await(Principal caller, TaskId id, TaskKind kind, Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        CompletableFuture<TaskRecord> future = completion(caller, id, kind);
        try {
            return Outcome.ok(future.get(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            future.cancel(false);
            Outcome<TaskRecord> now = find(caller, id, kind);
            if (now instanceof Outcome.Ok<TaskRecord> ok && !ok.value().isTerminal()) {
                return new Outcome.Conflict<>(kind.wireName() + " " + id.value() + " is still "
                        + ok.value().status().wireName() + " after " + timeout);
            }
            return now;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RefusedException refused) {
                return refused.outcome().refusal();
            }
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new ForgeException("awaiting " + kind.wireName() + " " + id.value() + " failed",
                    e.getCause());
        } catch (InterruptedException e) {
            future.cancel(false);
            Thread.currentThread().interrupt();
            throw new ForgeException("interrupted while awaiting " + kind.wireName() + " " + id.value(), e);
        }
    }

    /**
     * Subscribes {@code listener} to the task's events, if the caller may see the task. Events
     * already published are not replayed: read {@link #find} after subscribing for the state.
     *
     * @return the live subscription (close it to stop); NotFound or Forbidden
     */
    public Outcome<EventBus.Subscription> subscribe(Principal caller, TaskId id, TaskKind kind,
            Consumer<TaskEvent> listener) {
        Objects.requireNonNull(listener, "listener");
        return find(caller, id, kind).map(found -> events.subscribe(id, listener));
    }

    /** Completes every pending {@link #completion} exceptionally: forge is closing. */
    public void closeCompletions() {
        completions.close();
    }

    private boolean projectExists(String name) {
        try {
            return catalog.find(name).isPresent();
        } catch (ProjectConfigException e) {
            // It exists but is misconfigured: accept the task, which then fails with the
            // configuration error, so the owner sees what to fix.
            return true;
        }
    }
}
