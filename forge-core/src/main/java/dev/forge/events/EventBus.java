package dev.forge.events;

import dev.forge.task.TaskId;
import java.util.function.Consumer;

/**
 * Port: publish and subscribe task events, and a separate control channel for cancellation.
 * Delivery is best effort and in publish order per task for a given subscriber; a slow or
 * failing listener must not block publishers or other listeners. With a shared backend, an event
 * published on one node reaches subscribers on every node.
 *
 * <p>Task events feed SSE, WebSocket and {@code await}; workers never subscribe to them. A
 * worker hears about cancellation through {@link #onCancel}, which carries nothing but task ids,
 * so on a cluster no worker reads other tasks' log traffic.
 */
public interface EventBus extends AutoCloseable {

    /** Publishes an event to every matching subscriber. */
    void publish(TaskEvent event);

    /** Subscribes to one task's events: SSE, WebSocket, await. */
    Subscription subscribe(TaskId taskId, Consumer<TaskEvent> listener);

    /** Subscribes to every task's events: dashboards. Never used by workers. */
    Subscription subscribe(Consumer<TaskEvent> listener);

    /**
     * Control channel: asks whichever node runs the task to stop it. Separate from task events,
     * so workers never read log traffic. Best effort: the worker's heartbeat check of the stored
     * status is the backstop.
     */
    void requestCancel(TaskId taskId);

    /** Listens for cancel requests of every task (from any node sharing the backend). */
    Subscription onCancel(Consumer<TaskId> listener);

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
