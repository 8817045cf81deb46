package dev.forge.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Response;

/**
 * Publishes a bus's events from one daemon thread, pipelined in batches, so a publisher (a
 * worker writing log batches, the executor storing a status) never waits for a Redis round
 * trip, and one thread keeps the bus's publish order. Bounded: when Redis is down or slow and
 * the queue is full, the oldest messages are dropped (events are best effort; the store has the
 * truth) and a warning is logged once per outage.
 */
final class EventPublisher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EventPublisher.class);
    static final int CAPACITY = 100_000;
    private static final int BATCH = 500;

    private final RedisCommands redis;
    private final BlockingQueue<String[]> pending = new ArrayBlockingQueue<>(CAPACITY);
    private final Thread thread;
    private volatile boolean closed;
    private boolean warned;

    EventPublisher(RedisCommands redis) {
        this.redis = redis;
        this.thread = new Thread(this::run, "forge-redis-publisher");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Queues one message; never blocks. */
    void publish(String channel, String message) {
        String[] item = {channel, message};
        while (!pending.offer(item)) {
            pending.poll(); // full: drop the oldest
            warnOnce("event queue full (Redis slow or down); dropping the oldest events");
        }
    }

    private void run() {
        List<String[]> batch = new ArrayList<>(BATCH);
        while (!closed || !pending.isEmpty()) {
            try {
                String[] first = pending.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                pending.drainTo(batch, BATCH - 1);
                send(batch);
            } catch (InterruptedException e) {
                return;
            } finally {
                batch.clear();
            }
        }
    }

    private void send(List<String[]> batch) {
        try {
            // in the pipeline the workers share: events ride along with their round trips
            redis.runShared("publish", pipeline -> {
                Response<?> last = null;
                for (String[] item : batch) {
                    last = pipeline.publish(item[0], item[1]);
                }
                return last;
            });
            warned = false;
        } catch (RuntimeException e) {
            warnOnce("could not publish " + batch.size() + " events: " + e.getMessage());
        }
    }

    private void warnOnce(String message) {
        if (!warned) {
            warned = true;
            LOG.warn(message);
        }
    }

    /** Sends what is queued (for up to a second), then stops. */
    @Override
    public void close() {
        closed = true;
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        thread.interrupt();
    }
}
