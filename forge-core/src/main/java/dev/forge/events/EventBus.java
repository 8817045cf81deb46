package dev.forge.events;

import dev.forge.task.TaskId;
import java.util.function.Consumer;

/**
 * Port: publish and subscribe task events. Feeds live logs and SSE, and carries cancellation
 * to whichever node runs a task. Delivery is best effort and in publish order per task for a
 * given subscriber; a slow or failing listener must not block publishers or other listeners.
 */
public interface EventBus extends AutoCloseable {

    /** Publishes an event to every matching subscriber. */
    void publish(TaskEvent event);

    /** Subscribes to every task's events. */
    Subscription subscribe(Consumer<TaskEvent> listener);

    /** Subscribes to one task's events. */
    Subscription subscribe(TaskId taskId, Consumer<TaskEvent> listener);

    /** Releases resources; the default does nothing. */
    @Override
    default void close() {
    }

    /** A live subscription; closing it stops delivery. */
    interface Subscription extends AutoCloseable {
        /** Stops delivery to this subscriber; idempotent. */
        @Override
        void close();
    }
}
