package dev.forge.postgres;

import dev.forge.queue.JobQueue;
import java.time.Duration;
import java.util.List;

/**
 * The benchmark drivers' way to the PostgreSQL queue's multi-row enqueue, which the job queue
 * port does not offer yet (a bulk enqueue of the port will call it). Not part of the adapter.
 */
public final class BenchEnqueue {

    private BenchEnqueue() {
    }

    /** Enqueues {@code payloads} to {@code queue} of a PostgreSQL job queue in one statement. */
    public static List<String> enqueueAll(JobQueue queue, String name, List<String> payloads) {
        return ((PostgresJobQueue) queue).insertAll(name, payloads, Duration.ZERO, "");
    }
}
