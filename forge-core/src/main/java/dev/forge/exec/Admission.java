package dev.forge.exec;

import dev.forge.Outcome;
import dev.forge.Outcome.Refused.Limit;
import dev.forge.queue.JobQueue;
import dev.forge.queue.Queues;
import dev.forge.task.TaskKind;
import java.util.Objects;
import java.util.Optional;

/**
 * Decides whether a new task may be queued, by the {@link AdmissionConfig} limits. It counts in
 * the job queue itself - a task's job is there from creation until its last attempt ends, and
 * carries its owner as the fairness group - so the counts are the cluster's, not this node's,
 * and nothing extra has to be kept in step with the tasks.
 */
final class Admission {

    private final AdmissionConfig config;
    private final JobQueue queue;

    /** Checks against {@code queue}'s counts. */
    Admission(AdmissionConfig config, JobQueue queue) {
        this.config = Objects.requireNonNull(config, "config");
        this.queue = Objects.requireNonNull(queue, "queue");
    }

    /** The limits. */
    AdmissionConfig config() {
        return config;
    }

    /**
     * Empty when {@code owner} may queue one more task of {@code kind}; otherwise the refusal.
     * The owner's own limit is checked first: it is theirs to resolve, a full queue is not. A
     * limit of {@link Integer#MAX_VALUE} is not counted at all (no queue round trips).
     */
    <T> Optional<Outcome<T>> check(String owner, TaskKind kind) {
        if (config.activeTasksPerUser() < Integer.MAX_VALUE) {
            long active = 0;
            for (TaskKind each : TaskKind.values()) {
                active += queue.depth(Queues.forKind(each), owner);
            }
            if (active >= config.activeTasksPerUser()) {
                return Optional.of(new Outcome.Refused<>(Limit.ACTIVE_TASKS_PER_USER,
                        config.activeTasksPerUser(), config.userRetryAfter()));
            }
        }
        if (config.queuedTasksPerQueue() < Integer.MAX_VALUE
                && queue.depth(Queues.forKind(kind)) >= config.queuedTasksPerQueue()) {
            return Optional.of(new Outcome.Refused<>(Limit.QUEUED_TASKS,
                    config.queuedTasksPerQueue(), config.queueRetryAfter()));
        }
        return Optional.empty();
    }
}
