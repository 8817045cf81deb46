package dev.forge.redis;

import dev.forge.concurrent.BatchSender;
import java.time.Duration;
import java.util.List;
import redis.clients.jedis.Response;

/**
 * Publishes a bus's events in batches from a {@link BatchSender}'s thread, in the pipeline the
 * node's workers share, so a publisher (a worker writing log batches, the executor storing a
 * status) never waits for a Redis round trip, and one thread keeps the bus's publish order.
 * Bounded: when Redis is down or slow and the queue is full, the oldest messages are dropped
 * (events are best effort; the store has the truth) and a warning is logged once per outage.
 */
final class EventPublisher implements AutoCloseable {

    static final int CAPACITY = 100_000;
    private static final int BATCH = 500;

    private final RedisCommands redis;
    private final BatchSender<String[]> sender;

    EventPublisher(RedisCommands redis) {
        this.redis = redis;
        this.sender = new BatchSender<>("forge-redis-publisher", "task events to Redis", CAPACITY, BATCH, this::send);
    }

    /** Queues one message; never blocks. */
    void publish(String channel, String message) {
        sender.offer(new String[] {channel, message});
    }

    private void send(List<String[]> batch) {
        // in the pipeline the workers share: events ride along with their round trips
        redis.runShared("publish", pipeline -> {
            Response<?> last = null;
            for (String[] item : batch) {
                last = pipeline.publish(item[0], item[1]);
            }
            return last;
        });
    }

    /** Sends what is queued (for up to a second), then stops. */
    @Override
    public void close() {
        sender.close(Duration.ofSeconds(1));
    }
}
