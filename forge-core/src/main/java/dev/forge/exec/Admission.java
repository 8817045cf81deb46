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
        Admitted<T> admitted = checkAll(owner, kind, 1);
        return admitted.count() == 1 ? Optional.empty() : Optional.of(admitted.refusal());
    }

    /**
     * How many of {@code count} new tasks of {@code owner} may be queued now, in order, and the
     * refusal for the rest: the counts are read once for the whole batch, and each task admitted
     * counts against the limits of those after it - as {@code count} calls of {@link #check}
     * with nobody else creating meanwhile would decide.
     */
    <T> Admitted<T> checkAll(String owner, TaskKind kind, int count) {
        long userRoom = Long.MAX_VALUE;
        if (config.activeTasksPerUser() < Integer.MAX_VALUE) {
            long active = 0;
            for (TaskKind each : TaskKind.values()) {
                active += queue.depth(Queues.forKind(each), owner);
            }
            userRoom = Math.max(0, config.activeTasksPerUser() - active);
            if (userRoom == 0) {
                return new Admitted<>(0, userRefusal());
            }
        }
        long queueRoom = Long.MAX_VALUE;
        if (config.queuedTasksPerQueue() < Integer.MAX_VALUE) {
            queueRoom = Math.max(0, config.queuedTasksPerQueue() - queue.depth(Queues.forKind(kind)));
        }
        int admitted = (int) Math.min(count, Math.min(userRoom, queueRoom));
        if (admitted == count) {
            return new Admitted<>(count, null);
        }
        return new Admitted<>(admitted, userRoom <= queueRoom ? userRefusal()
                : new Outcome.Refused<>(Limit.QUEUED_TASKS, config.queuedTasksPerQueue(), config.queueRetryAfter()));
    }

    private <T> Outcome<T> userRefusal() {
        return new Outcome.Refused<>(Limit.ACTIVE_TASKS_PER_USER, config.activeTasksPerUser(),
                config.userRetryAfter());
    }

    /** The first {@code count} tasks of a batch may be queued; {@code refusal} answers the rest (null if none). */
    record Admitted<T>(int count, Outcome<T> refusal) {
    }
}
