package dev.forge.queue;

import java.time.Instant;
import java.util.Objects;

/**
 * A worker's temporary hold on one job.
 *
 * @param queue      the queue's name
 * @param jobId      the job's id
 * @param payload    what was enqueued
 * @param token      identifies this delivery; a redelivery gets a new token, so an old holder's
 *                   ack or extend is refused
 * @param deliveries how many times the job has been leased, this time included
 * @param expiresAt  when the lease lapses unless extended, by the backend's clock: informative
 *                   only, never to be compared with a client clock
 */
public record Lease(String queue, String jobId, String payload, String token, int deliveries,
        Instant expiresAt) {

    /** Validates the lease. */
    public Lease {
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }
}
