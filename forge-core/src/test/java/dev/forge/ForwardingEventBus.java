package dev.forge;

import dev.forge.events.EventBus;
import dev.forge.events.TaskEvent;
import dev.forge.task.TaskId;
import java.util.function.Consumer;

/** An event bus that forwards everything to another, for tests to override one method. */
class ForwardingEventBus implements EventBus {

    private final EventBus delegate;

    ForwardingEventBus(EventBus delegate) {
        this.delegate = delegate;
    }

    @Override
    public void publish(TaskEvent event) {
        delegate.publish(event);
    }

    @Override
    public Subscription subscribe(TaskId taskId, Consumer<TaskEvent> listener) {
        return delegate.subscribe(taskId, listener);
    }

    @Override
    public Subscription subscribe(Consumer<TaskEvent> listener) {
        return delegate.subscribe(listener);
    }

    @Override
    public void requestCancel(TaskId taskId) {
        delegate.requestCancel(taskId);
    }

    @Override
    public Subscription onCancel(Consumer<TaskId> listener) {
        return delegate.onCancel(listener);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
