package dev.forge.store;

import dev.forge.queue.Lease;
import dev.forge.task.TaskRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A job a worker leased through {@link TaskStore#leaseAndStart}, and its task as that call moved
 * it to running.
 *
 * @param lease   the worker's hold on the job
 * @param started the job's task as stored by the move to running that the lease made, the
 *                record {@link TaskRecord#start} gives; null when the call did not start it (a
 *                store that cannot start in its lease, a task that was not waiting to run, a
 *                payload that names no task): the worker then looks the task up itself
 */
public record LeasedTask(Lease lease, TaskRecord started) {

    /** Validates the pair. */
    public LeasedTask {
        Objects.requireNonNull(lease, "lease");
        if (started != null && !started.id().value().equals(lease.payload())) {
            throw new IllegalArgumentException("task " + started.id() + " started for a job whose payload is "
                    + lease.payload());
        }
    }

    /** A lease whose task the call did not start. */
    public static LeasedTask notStarted(Lease lease) {
        return new LeasedTask(lease, null);
    }

    /** Each of {@code leases} as a lease whose task the call did not start, in order. */
    public static List<LeasedTask> noneStarted(List<Lease> leases) {
        List<LeasedTask> leased = new ArrayList<>(leases.size());
        for (Lease lease : leases) {
            leased.add(notStarted(lease));
        }
        return leased;
    }

    /** The leases of {@code leased}, in order: for a queue whose lease is its lease-and-start without a start. */
    public static List<Lease> leasesOf(List<LeasedTask> leased) {
        List<Lease> leases = new ArrayList<>(leased.size());
        for (LeasedTask each : leased) {
            leases.add(each.lease());
        }
        return leases;
    }
}
