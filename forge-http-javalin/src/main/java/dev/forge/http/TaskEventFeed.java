package dev.forge.http;

import dev.forge.Outcome;
import dev.forge.events.EventBus;
import dev.forge.events.TaskEvent;
import dev.forge.store.LogSlice;
import dev.forge.store.TaskStore;
import dev.forge.task.TaskId;
import dev.forge.task.TaskRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One task's events for one client, independent of the transport: what to send and in which
 * order, with a {@link StreamPosition} on every frame. The server-sent events and the WebSockets
 * both use it, each with its {@link FrameFormat} and {@link Outbox}.
 *
 * <p>A first connection gets the stored {@code status} and the log so far (one {@code log} frame
 * per line), then {@code progress}, {@code log} and {@code status} as they happen, a final
 * {@code done} carrying the finished task, and the feed ends. A client resuming from a position
 * gets the status only if the stored record is newer, the log lines after that line, then live
 * events. Live events whose version or lines were already sent are skipped, so a client never
 * sees a repeat or an older version after a newer one; a gap in the live lines (an event the bus
 * dropped) is filled from the store.
 *
 * <p>Slow clients: while its {@link Outbox} is full, the feed ignores live events and marks
 * itself lagging; when the outbox has drained below half, a refill on the {@code refills}
 * executor reads on from the store (which holds every line and the newest status), so a slow
 * client skips nothing and costs a bounded buffer. A client that stops reading altogether is
 * dropped by the outbox's write deadline. The feed subscribes before it reads the store, so
 * whatever happens after the read arrives as an event.
 */
final class TaskEventFeed implements AutoCloseable {

    private final TaskId id;
    private final TaskStore store;
    private final Supplier<Outcome<TaskRecord>> lookup;
    private final Function<TaskRecord, Map<String, Object>> wire;
    private final Outbox outbox;
    private final FrameFormat format;
    private final List<TaskEvent> early = new ArrayList<>();
    private volatile EventBus.Subscription subscription;
    private StreamPosition sent = StreamPosition.START;
    private boolean started;
    private boolean finished;
    /** The outbox filled up: live events are skipped until a refill from the store. */
    private boolean lagging;
    /** The task's end arrived while lagging; the refill finishes the feed with it. */
    private TaskEvent pendingDone;
    /** Stored lines read but not yet queued, while lagging; see {@link #catchUpLog()}. */
    private Backlog backlog;

    private TaskEventFeed(TaskId id, TaskStore store, Supplier<Outcome<TaskRecord>> lookup,
            Function<TaskRecord, Map<String, Object>> wire, Outbox outbox, FrameFormat format) {
        this.id = id;
        this.store = store;
        this.lookup = lookup;
        this.wire = wire;
        this.outbox = outbox;
        this.format = format;
    }

    /**
     * Subscribes to the task's events, then queues what the store has beyond {@code resume}.
     *
     * @param lookup  reads the task for the caller (access was checked before)
     * @param wire    the task as JSON, sent with {@code done}
     * @param resume  the client's last position, or null to start from the beginning
     * @param refills where reading on from the store runs once a full outbox has room again
     */
    static TaskEventFeed open(EventBus events, TaskStore store, TaskId id, Supplier<Outcome<TaskRecord>> lookup,
            Function<TaskRecord, Map<String, Object>> wire, Outbox outbox, FrameFormat format,
            StreamPosition resume, Executor refills) {
        TaskEventFeed feed = new TaskEventFeed(id, store, lookup, wire, outbox, format);
        outbox.onRoom(() -> {
            try {
                refills.execute(feed::refill);
            } catch (RejectedExecutionException e) {
                outbox.end(Outbox.End.CLOSED); // the server is stopping
            }
        });
        feed.subscription = events.subscribe(id, feed::onEvent);
        Outcome<TaskRecord> now = lookup.get();
        feed.start(now instanceof Outcome.Ok<TaskRecord> ok ? ok.value() : null, resume);
        return feed;
    }

    /**
     * Where a client asking to resume from {@code asked} starts: {@code asked} itself, null
     * (from the beginning) when it is not a position this task has reached, or
     * {@link Resume#UP_TO_DATE} when the task has finished and the client has seen everything.
     */
    static Resume resume(TaskStore store, TaskRecord found, StreamPosition asked) {
        if (asked == null) {
            return new Resume(null);
        }
        LogSlice unseen = store.readLogAfter(found.id(), asked.line());
        if (asked.version() > found.version() || asked.line() > unseen.totalLines()) {
            return new Resume(null); // not an id this server sent for this task
        }
        if (found.isTerminal() && asked.version() >= found.version() && unseen.lines().isEmpty()) {
            return Resume.UP_TO_DATE;
        }
        return new Resume(asked);
    }

    /** Where a feed starts; {@code from} null means the beginning. */
    record Resume(StreamPosition from) {
        /** Finished and nothing new: a client should stop reconnecting. */
        static final Resume UP_TO_DATE = new Resume(new StreamPosition(Long.MAX_VALUE, Long.MAX_VALUE));
    }

    private void start(TaskRecord current, StreamPosition resume) {
        boolean end;
        synchronized (this) {
            started = true;
            if (current == null) {
                end = true;
            } else {
                if (resume != null) {
                    sent = resume;
                }
                end = sync(current);
                for (int i = 0; !end && i < early.size(); i++) {
                    end = apply(early.get(i));
                }
            }
            early.clear();
            if (end) {
                finished = true;
            }
        }
        if (end) {
            endFeed();
        }
    }

    private void onEvent(TaskEvent event) {
        boolean end;
        synchronized (this) {
            if (finished) {
                return;
            }
            if (!started) {
                early.add(event);
                return;
            }
            end = apply(event);
            if (end) {
                finished = true;
            }
        }
        if (end) {
            endFeed();
        }
    }

    /** Reads on from the store after a full outbox has drained; runs on the refill executor. */
    private void refill() {
        boolean end;
        synchronized (this) {
            if (finished || !lagging || outbox.full()) {
                return; // still full: the outbox calls again when it has room
            }
            lagging = false;
            Outcome<TaskRecord> now = lookup.get();
            end = !(now instanceof Outcome.Ok<TaskRecord> ok) || sync(ok.value());
            if (!end && !lagging && pendingDone != null) {
                end = finishWith(pendingDone);
            }
            if (end) {
                finished = true;
            }
        }
        if (end) {
            endFeed();
        }
    }

    /**
     * Queues the stored record's status if it is newer than what was sent, the stored log after
     * the last line sent (while the outbox has room), and {@code done} for a finished task.
     *
     * @return true when the feed has ended (done sent, or the client is gone)
     */
    private boolean sync(TaskRecord current) {
        if (current.version() > sent.version()) {
            sendStatus(current.version(), current.status().wireName(), current.progress(), current.currentStep());
        }
        if (!catchUpLog()) {
            return outbox.hasEnded();
        }
        if (current.isTerminal()) {
            send("done", wire.apply(current));
            return true;
        }
        return outbox.hasEnded();
    }

    /** Queues one bus event unless already sent; true when the feed has ended. */
    private boolean apply(TaskEvent event) {
        if (lagging) {
            if (event.type() == TaskEvent.Type.DONE) {
                pendingDone = event;
            }
            return outbox.hasEnded(); // the refill reads it from the store
        }
        if (outbox.full()) {
            lagging = true;
            return apply(event);
        }
        switch (event.type()) {
            case STATUS:
                if (event.version() > sent.version()) {
                    sendStatus(event.version(), event.status().wireName(), event.progress(), event.step());
                }
                break;
            case PROGRESS:
                if (event.version() > sent.version()) {
                    sent = new StreamPosition(event.version(), sent.line());
                    Map<String, Object> progress = new LinkedHashMap<>();
                    progress.put("task_id", id.value());
                    progress.put("progress", event.progress());
                    progress.put("current_step", event.step());
                    send("progress", progress);
                }
                break;
            case LOG:
                // The bus dropped lines before this batch: the store has them.
                if ((event.firstLine() <= sent.line() + 1 || catchUpLog())
                        && !sendLines(event.firstLine(), event.lines())) {
                    lagging = true; // the rest of the batch comes from the store
                }
                break;
            case DONE:
                pendingDone = event;
                return finishWith(event);
            default:
                break;
        }
        return outbox.hasEnded();
    }

    /** Queues the rest of the log, the last status and {@code done}; false while lagging. */
    private boolean finishWith(TaskEvent done) {
        // Lines stored before the end but not (yet) delivered still belong to the feed.
        if (!catchUpLog()) {
            return outbox.hasEnded();
        }
        String status = done.status() == null ? null : done.status().wireName();
        if (done.version() > sent.version()) {
            sendStatus(done.version(), status, done.progress(), null);
        }
        Outcome<TaskRecord> finalRecord = lookup.get();
        send("done", finalRecord instanceof Outcome.Ok<TaskRecord> ok
                ? wire.apply(ok.value())
                : statusData(status, done.progress(), null));
        return true;
    }

    /**
     * Queues the stored lines after the last one sent, while the outbox has room.
     *
     * <p>The store reads everything after a line in one go (up to the log cap), so a lagging
     * feed keeps the first part of what it read as its backlog - about twice the outbox's buffer
     * - and reads the store again only when that is used up: few reads however slow the client,
     * and a bounded amount held per client.
     *
     * @return true when the whole stored log has been queued; false when the outbox filled up
     *         (the feed is then lagging) or ended
     */
    private boolean catchUpLog() {
        while (true) {
            if (outbox.hasEnded()) {
                return false;
            }
            if (outbox.full()) {
                lagging = true;
                return false;
            }
            if (backlog == null || backlog.lastLine() <= sent.line()) {
                LogSlice slice = store.readLogAfter(id, sent.line());
                if (slice.lines().isEmpty()) {
                    backlog = null;
                    return true;
                }
                backlog = Backlog.of(slice, 2L * outbox.limitChars());
            }
            if (!sendLines(backlog.firstLine(), backlog.lines())) {
                lagging = true;
                return false;
            }
            boolean end = backlog.reachesEnd();
            backlog = null;
            if (end) {
                return true;
            }
        }
    }

    /**
     * The part of a store read a lagging feed keeps.
     *
     * @param reachesEnd true when the read reached the end of the stored log and nothing was cut
     */
    private record Backlog(long firstLine, List<String> lines, boolean reachesEnd) {

        static Backlog of(LogSlice slice, long mostChars) {
            List<String> lines = slice.lines();
            long chars = 0;
            int keep = 0;
            while (keep < lines.size() && (keep == 0 || chars + lines.get(keep).length() <= mostChars)) {
                chars += lines.get(keep).length();
                keep++;
            }
            boolean whole = keep == lines.size();
            return new Backlog(slice.firstLine(), whole ? lines : new ArrayList<>(lines.subList(0, keep)),
                    whole && slice.lastLine() >= slice.totalLines());
        }

        long lastLine() {
            return firstLine + lines.size() - 1;
        }
    }

    /**
     * Queues the lines numbered above the last one sent ({@code lines} start at {@code first}),
     * stopping early when the outbox fills up.
     *
     * @return true when all were queued
     */
    private boolean sendLines(long first, List<String> lines) {
        for (int i = (int) Math.max(0, Math.min(lines.size(), sent.line() + 1 - first)); i < lines.size(); i++) {
            long number = first + i;
            if (outbox.full()) {
                return false;
            }
            sent = new StreamPosition(sent.version(), number);
            Map<String, Object> log = new LinkedHashMap<>();
            log.put("task_id", id.value());
            log.put("line", lines.get(i));
            log.put("line_number", number);
            send("log", log);
        }
        return true;
    }

    private void sendStatus(long version, String status, int progress, String step) {
        sent = new StreamPosition(version, sent.line());
        send("status", statusData(status, progress, step));
    }

    private Map<String, Object> statusData(String status, int progress, String step) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("task_id", id.value());
        data.put("status", status);
        data.put("progress", progress);
        data.put("current_step", step);
        return data;
    }

    private void send(String event, Map<String, Object> data) {
        outbox.add(format.frame(event, sent, data));
    }

    /** The feed ended by itself: stop listening and close the transport once it has written all. */
    private void endFeed() {
        close();
        outbox.closeWhenDrained();
    }

    /** True once the feed has ended; no more frames are queued. */
    synchronized boolean isFinished() {
        return finished;
    }

    /** Stops the feed: no more frames; idempotent. The transport is closed by its owner. */
    @Override
    public void close() {
        synchronized (this) {
            finished = true;
        }
        EventBus.Subscription sub = subscription;
        if (sub != null) {
            sub.close();
        }
    }

    /** How a transport writes one frame. */
    enum FrameFormat {
        /** A server-sent event: {@code id}, {@code event} and one {@code data} line. */
        SSE {
            @Override
            String frame(String event, StreamPosition at, Map<String, Object> data) {
                return "id: " + at.id() + "\nevent: " + event + "\ndata: " + Json.write(data) + "\n\n";
            }
        },
        /** A WebSocket text message {@code {"type": ..., "id": ..., "data": ...}}. */
        WEBSOCKET {
            @Override
            String frame(String event, StreamPosition at, Map<String, Object> data) {
                Map<String, Object> message = new LinkedHashMap<>();
                message.put("type", event);
                message.put("id", at.id());
                message.put("data", data);
                return Json.write(message);
            }
        };

        abstract String frame(String event, StreamPosition at, Map<String, Object> data);
    }
}
