package dev.forge.http;

import dev.forge.Outcome;
import dev.forge.events.EventBus;
import dev.forge.events.TaskEvent;
import dev.forge.task.TaskId;
import dev.forge.task.TaskRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One task's events as named frames ({@code status}, {@code progress}, {@code log},
 * {@code done}), independent of the transport. It follows the event streams' order: subscribe
 * first, then read the current state and send it as {@code status}; events that arrived in
 * between follow it in order; the task's end sends a last {@code status} and {@code done} (the
 * whole finished task) and ends the feed. The WebSocket routes use it; the frames are the
 * same as the server-sent events' names and data.
 */
final class TaskEventFeed implements AutoCloseable {

    /** Where frames go; a transport adapter. */
    interface Sink {
        /** Sends one frame; false when the peer has gone and the feed should end. */
        boolean send(String event, Map<String, Object> data);

        /** Called once when the feed has ended (task finished, peer gone or closed). */
        void ended();
    }

    private final TaskId id;
    private final Supplier<Outcome<TaskRecord>> lookup;
    private final Function<TaskRecord, Map<String, Object>> wire;
    private final Sink sink;
    private final List<TaskEvent> early = new ArrayList<>();
    private volatile EventBus.Subscription subscription;
    private boolean started;
    private boolean finished;

    private TaskEventFeed(TaskId id, Supplier<Outcome<TaskRecord>> lookup,
            Function<TaskRecord, Map<String, Object>> wire, Sink sink) {
        this.id = id;
        this.lookup = lookup;
        this.wire = wire;
        this.sink = sink;
    }

    /**
     * Subscribes to the task's events, then sends its current status (and {@code done} at once
     * when it has already finished).
     *
     * @param lookup reads the task for the caller (access was checked before)
     * @param wire   the task as JSON, sent with {@code done}
     */
    static TaskEventFeed open(EventBus events, TaskId id, Supplier<Outcome<TaskRecord>> lookup,
            Function<TaskRecord, Map<String, Object>> wire, Sink sink) {
        TaskEventFeed feed = new TaskEventFeed(id, lookup, wire, sink);
        feed.subscription = events.subscribe(id, feed::onEvent);
        Outcome<TaskRecord> now = lookup.get();
        feed.start(now instanceof Outcome.Ok<TaskRecord> ok ? ok.value() : null);
        return feed;
    }

    private void start(TaskRecord current) {
        boolean done;
        synchronized (this) {
            started = true;
            if (current == null) {
                done = true;
            } else {
                done = !sink.send("status", statusData(current.status().wireName(), current.progress(),
                        current.currentStep()));
                if (!done && current.isTerminal()) {
                    sink.send("done", wire.apply(current));
                    done = true;
                }
                for (int i = 0; !done && i < early.size(); i++) {
                    done = deliver(early.get(i));
                }
            }
            early.clear();
        }
        if (done) {
            close();
        }
    }

    private void onEvent(TaskEvent event) {
        boolean done;
        synchronized (this) {
            if (finished) {
                return;
            }
            if (!started) {
                early.add(event);
                return;
            }
            done = deliver(event);
        }
        if (done) {
            close();
        }
    }

    /** Sends one bus event; true when the feed should end (last event, or the peer is gone). */
    private boolean deliver(TaskEvent event) {
        switch (event.type()) {
            case STATUS:
                return !sink.send("status", statusData(event.status().wireName(), event.progress(), event.step()));
            case PROGRESS:
                Map<String, Object> progress = new LinkedHashMap<>();
                progress.put("task_id", id.value());
                progress.put("progress", event.progress());
                progress.put("current_step", event.step());
                return !sink.send("progress", progress);
            case LOG:
                // A batch from the bus goes out as one frame per line, as the event streams do.
                for (String line : event.lines()) {
                    Map<String, Object> log = new LinkedHashMap<>();
                    log.put("task_id", id.value());
                    log.put("line", line);
                    if (!sink.send("log", log)) {
                        return true;
                    }
                }
                return false;
            case DONE:
                String status = event.status() == null ? null : event.status().wireName();
                if (sink.send("status", statusData(status, event.progress(), null))) {
                    Outcome<TaskRecord> last = lookup.get();
                    sink.send("done", last instanceof Outcome.Ok<TaskRecord> ok
                            ? wire.apply(ok.value())
                            : statusData(status, event.progress(), null));
                }
                return true;
            default:
                return false;
        }
    }

    private Map<String, Object> statusData(String status, int progress, String step) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("task_id", id.value());
        data.put("status", status);
        data.put("progress", progress);
        data.put("current_step", step);
        return data;
    }

    /** Ends the feed: no more frames; idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (finished) {
                return;
            }
            finished = true;
        }
        EventBus.Subscription sub = subscription;
        if (sub != null) {
            sub.close();
        }
        sink.ended();
    }
}
