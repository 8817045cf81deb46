package dev.forge.http;

import dev.forge.Outcome;
import dev.forge.events.EventBus;
import dev.forge.events.TaskEvent;
import dev.forge.store.LogSlice;
import dev.forge.store.TaskStore;
import dev.forge.task.TaskId;
import dev.forge.task.TaskRecord;
import io.javalin.http.Context;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server-sent events of one task. A first connection gets the stored {@code status} and the log
 * so far (one {@code log} event per line), then {@code progress}, {@code log} and {@code status}
 * events as they happen, a final {@code done} carrying the finished task, then the stream closes.
 *
 * <p>Every event has the id {@code <version>-<line>}: the highest record version and log line
 * sent so far ({@link StreamPosition}). A client reconnecting with {@code Last-Event-ID} resumes
 * after it: the status only if the stored record is newer, the log lines after that line, then
 * live events. Live events whose version or lines were already sent are skipped, so a client never
 * sees a repeat or an older version after a newer one; a gap in the live lines (an event the bus
 * dropped) is filled from the store. A resumed stream of a task that has finished and has nothing
 * new answers 204, which tells a browser's EventSource to stop reconnecting.
 *
 * <p>Idle streams get keep-alive comments. The request runs asynchronously, so an open stream
 * holds no server thread.
 */
final class EventStreams implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EventStreams.class);

    private final EventBus events;
    private final TaskStore store;
    private final ScheduledExecutorService scheduler;
    private final Duration keepAlive;
    private final Set<Stream> open = ConcurrentHashMap.newKeySet();

    EventStreams(EventBus events, TaskStore store, ScheduledExecutorService scheduler, Duration keepAlive) {
        this.events = events;
        this.store = store;
        this.scheduler = scheduler;
        this.keepAlive = keepAlive;
    }

    /**
     * Answers {@code ctx} with the task's event stream.
     *
     * @param lookup reads the task for the caller: NotFound and Forbidden become 404 and 403
     * @param wire   the task as JSON, sent with {@code done}
     */
    void stream(Context ctx, TaskId id, Supplier<Outcome<TaskRecord>> lookup,
            Function<TaskRecord, Map<String, Object>> wire) {
        // Access first, so a missing, foreign or unknown task answers 404/403 whatever Accept says.
        TaskRecord found = ErrorMapper.valueOrThrow(lookup.get());
        String accept = ctx.header("Accept");
        if (accept == null || !accept.toLowerCase(Locale.ROOT).contains("text/event-stream")) {
            throw new ProblemException(Problem.notAcceptable(
                    "This resource is an event stream; send 'Accept: text/event-stream'."));
        }
        StreamPosition resume = StreamPosition.parse(ctx.header("Last-Event-ID"));
        if (resume != null) {
            LogSlice unseen = store.readLogAfter(id, resume.line());
            if (resume.version() > found.version() || resume.line() > unseen.totalLines()) {
                resume = null; // not an id this server sent for this task: start from the beginning
            } else if (found.isTerminal() && resume.version() >= found.version() && unseen.lines().isEmpty()) {
                ctx.status(204); // finished and nothing new: stop the client's reconnecting
                return;
            }
        }

        HttpServletResponse res = ctx.res();
        res.setStatus(200);
        res.setCharacterEncoding("UTF-8");
        res.setContentType("text/event-stream");
        res.setHeader("Cache-Control", "no-cache");
        res.setHeader("X-Accel-Buffering", "no");
        AsyncContext async = ctx.req().startAsync();
        async.setTimeout(0);

        Stream stream = new Stream(id, res, lookup, wire);
        async.addListener(stream);
        open.add(stream);
        // Subscribe before reading the store: whatever happens after the read arrives as an event.
        stream.subscription = events.subscribe(id, stream::onEvent);
        Outcome<TaskRecord> now = lookup.get();
        stream.start(now instanceof Outcome.Ok<TaskRecord> ok ? ok.value() : null, resume);
        if (!stream.isFinished()) {
            long period = keepAlive.toMillis();
            stream.keepAliveTask = scheduler.scheduleWithFixedDelay(stream::keepAlive, period, period,
                    TimeUnit.MILLISECONDS);
            if (stream.isFinished()) {
                stream.keepAliveTask.cancel(false);
            }
        }
        ctx.future(() -> stream.closed);
        // The request thread goes back to the pool; the stream's own writes restore nothing.
        RequestContext.clearMdc();
    }

    /** Ends every open stream, e.g. when the server stops. */
    @Override
    public void close() {
        for (Stream stream : List.copyOf(open)) {
            stream.finish();
        }
    }

    /** One open stream; its position and writes are guarded by its monitor. */
    private final class Stream implements AsyncListener {

        private final TaskId id;
        private final HttpServletResponse res;
        private final Supplier<Outcome<TaskRecord>> lookup;
        private final Function<TaskRecord, Map<String, Object>> wire;
        private final CompletableFuture<Void> closed = new CompletableFuture<>();
        private final List<TaskEvent> early = new ArrayList<>();
        /** Frames written since the last flush: a log batch goes out in one write. */
        private final StringBuilder frames = new StringBuilder();
        private volatile EventBus.Subscription subscription;
        private volatile ScheduledFuture<?> keepAliveTask;
        private StreamPosition sent = StreamPosition.START;
        private boolean started;
        private boolean finished;
        /** A write failed: the client has gone. */
        private boolean broken;
        private final long createdAt = System.nanoTime();
        private long lastWrite = createdAt;

        Stream(TaskId id, HttpServletResponse res, Supplier<Outcome<TaskRecord>> lookup,
                Function<TaskRecord, Map<String, Object>> wire) {
            this.id = id;
            this.res = res;
            this.lookup = lookup;
            this.wire = wire;
        }

        /**
         * Sends what the store has beyond {@code resume} (from the beginning when null): the
         * status, the log, and {@code done} for a finished task; then the events that arrived
         * meanwhile, skipping what the store already gave.
         */
        void start(TaskRecord current, StreamPosition resume) {
            boolean done;
            synchronized (this) {
                started = true;
                if (current == null) {
                    done = true;
                } else {
                    if (resume != null) {
                        sent = resume;
                    }
                    if (current.version() > sent.version()) {
                        sendStatus(current.version(), current.status().wireName(), current.progress(),
                                current.currentStep());
                    }
                    catchUpLog();
                    done = current.isTerminal();
                    if (done) {
                        send("done", wire.apply(current));
                    } else {
                        for (TaskEvent event : early) {
                            if (deliver(event)) {
                                done = true;
                                break;
                            }
                        }
                    }
                }
                early.clear();
                flush();
                if (lastWrite == createdAt && !broken) {
                    commitHeaders(); // a resumed stream with nothing new yet: answer now anyway
                }
                done |= broken;
            }
            if (done) {
                finish();
            }
        }

        private void commitHeaders() {
            try {
                res.flushBuffer();
            } catch (IOException | RuntimeException e) {
                broken = true;
            }
        }

        void onEvent(TaskEvent event) {
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
                flush();
                done |= broken;
            }
            if (done) {
                finish();
            }
        }

        /** Writes one bus event unless already sent; true when it was the last. */
        private boolean deliver(TaskEvent event) {
            switch (event.type()) {
                case STATUS:
                    if (event.version() > sent.version()) {
                        sendStatus(event.version(), event.status().wireName(), event.progress(), event.step());
                    }
                    return false;
                case PROGRESS:
                    if (event.version() > sent.version()) {
                        sent = new StreamPosition(event.version(), sent.line());
                        Map<String, Object> progress = new LinkedHashMap<>();
                        progress.put("task_id", id.value());
                        progress.put("progress", event.progress());
                        progress.put("current_step", event.step());
                        send("progress", progress);
                    }
                    return false;
                case LOG:
                    if (event.firstLine() > sent.line() + 1) {
                        catchUpLog(); // the bus dropped lines before this batch: the store has them
                    }
                    sendLines(event.firstLine(), event.lines());
                    return false;
                case DONE:
                    // Lines stored before the end but not (yet) delivered still belong to the stream.
                    catchUpLog();
                    String status = event.status() == null ? null : event.status().wireName();
                    if (event.version() > sent.version()) {
                        sendStatus(event.version(), status, event.progress(), null);
                    }
                    Outcome<TaskRecord> finalRecord = lookup.get();
                    send("done", finalRecord instanceof Outcome.Ok<TaskRecord> ok
                            ? wire.apply(ok.value())
                            : statusData(status, event.progress(), null));
                    return true;
                default:
                    return false;
            }
        }

        /** Sends the stored lines after the last one sent, up to the end of the log. */
        private void catchUpLog() {
            while (true) {
                LogSlice slice = store.readLogAfter(id, sent.line());
                if (slice.lines().isEmpty()) {
                    return;
                }
                sendLines(slice.firstLine(), slice.lines());
                if (slice.lastLine() >= slice.totalLines()) {
                    return;
                }
            }
        }

        /** Sends the lines numbered above the last one sent; {@code lines} start at {@code first}. */
        private void sendLines(long first, List<String> lines) {
            for (int i = 0; i < lines.size(); i++) {
                long number = first + i;
                if (number <= sent.line()) {
                    continue;
                }
                sent = new StreamPosition(sent.version(), number);
                Map<String, Object> log = new LinkedHashMap<>();
                log.put("task_id", id.value());
                log.put("line", lines.get(i));
                log.put("line_number", number);
                send("log", log);
            }
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
            frames.append("id: ").append(sent.id()).append("\nevent: ").append(event)
                    .append("\ndata: ").append(Json.write(data)).append("\n\n");
        }

        void keepAlive() {
            boolean gone;
            synchronized (this) {
                if (finished || System.nanoTime() - lastWrite < keepAlive.toNanos() / 2) {
                    return;
                }
                frames.append(": keep-alive\n\n");
                flush();
                gone = broken;
            }
            if (gone) {
                finish();
            }
        }

        /** Writes the pending frames; on failure marks the stream broken, for the caller to finish it. */
        private void flush() {
            if (frames.isEmpty()) {
                return;
            }
            String text = frames.toString();
            frames.setLength(0);
            if (finished || broken) {
                return;
            }
            try {
                res.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
                res.flushBuffer();
                lastWrite = System.nanoTime();
            } catch (IOException | RuntimeException e) {
                // Finishing completes the request's future, which runs Javalin's completion;
                // callers do that after leaving this monitor.
                LOG.debug("event stream of {} closed by the client", id);
                broken = true;
            }
        }

        synchronized boolean isFinished() {
            return finished;
        }

        void finish() {
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
            ScheduledFuture<?> task = keepAliveTask;
            if (task != null) {
                task.cancel(false);
            }
            open.remove(this);
            closed.complete(null);
        }

        @Override
        public void onComplete(AsyncEvent event) {
            finish();
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            finish();
        }

        @Override
        public void onError(AsyncEvent event) {
            finish();
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
            // nothing to do: the stream was set up before async started
        }
    }
}
