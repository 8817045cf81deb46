package dev.forge.exec;

import dev.forge.Outcome;
import dev.forge.project.ProjectCatalog;
import dev.forge.project.ProjectConfigException;
import dev.forge.queue.JobQueue;
import dev.forge.queue.Queues;
import dev.forge.ratelimit.RateLimitDecision;
import dev.forge.ratelimit.RateLimiter;
import dev.forge.security.Principal;
import dev.forge.task.IdGenerator;
import dev.forge.task.TaskKind;
import dev.forge.task.TaskRecord;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The part of creating a task that builds and analyses share, after validation: the project
 * must exist, the caller must have a creation permit, then the task is stored and queued.
 */
public final class TaskSubmitter {

    private final ProjectCatalog catalog;
    private final RateLimiter rateLimiter;
    private final TaskUpdater updater;
    private final JobQueue queue;
    private final IdGenerator ids;
    private final Clock clock;

    /** Creates a submitter over these ports. */
    public TaskSubmitter(ProjectCatalog catalog, RateLimiter rateLimiter, TaskUpdater updater,
            JobQueue queue, IdGenerator ids, Clock clock) {
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.rateLimiter = Objects.requireNonNull(rateLimiter, "rateLimiter");
        this.updater = Objects.requireNonNull(updater, "updater");
        this.queue = Objects.requireNonNull(queue, "queue");
        this.ids = Objects.requireNonNull(ids, "ids");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Checks the project and the rate limit, then stores and enqueues a new task.
     *
     * @param rateOperation the rate-limit operation this creation counts against
     */
    public Outcome<TaskRecord> submit(Principal caller, TaskKind kind, String projectName,
            String goal, Map<String, String> parameters, List<String> analysisTypes,
            int maxAttempts, String rateOperation) {
        if (!projectExists(projectName)) {
            return new Outcome.NotFound<>("project");
        }
        RateLimitDecision decision = rateLimiter.tryAcquire(caller.userId(), rateOperation);
        if (!decision.allowed()) {
            return new Outcome.RateLimited<>(decision);
        }
        TaskRecord record = TaskRecord.create(ids.next(), kind, caller.userId(), projectName, goal,
                parameters, analysisTypes, maxAttempts, clock.instant());
        updater.created(record);
        queue.enqueue(Queues.forKind(kind), record.id().value());
        return Outcome.ok(record);
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
