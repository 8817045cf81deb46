package dev.forge.http;

import dev.forge.Outcome;
import dev.forge.events.EventBus;
import dev.forge.events.TaskEvent;
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
 * Server-sent events of one task: a {@code status} event at once, then {@code progress},
 * {@code log} and {@code status} events as they happen, a final {@code done} carrying the
 * finished task, then the stream closes. Idle streams get keep-alive comments. The request
 * runs asynchronously, so an open stream holds no server thread.
 */
final class EventStreams implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EventStreams.class);

    private final EventBus events;
    private final ScheduledExecutorService scheduler;
    private final Duration keepAlive;
    private final Set<Stream> open = ConcurrentHashMap.newKeySet();

    EventStreams(EventBus events, ScheduledExecutorService scheduler, Duration keepAlive) {
        this.events = events;
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
        ErrorMapper.valueOrThrow(lookup.get());
        String accept = ctx.header("Accept");
        if (accept == null || !accept.toLowerCase(Locale.ROOT).contains("text/event-stream")) {
            throw new ProblemException(Problem.notAcceptable(
                    "This resource is an event stream; send 'Accept: text/event-stream'."));
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
        stream.subscription = events.subscribe(id, stream::onEvent);
        Outcome<TaskRecord> now = lookup.get();
        stream.start(now instanceof Outcome.Ok<TaskRecord> ok ? ok.value() : null);
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

    /** One open stream; writes are serialised by its monitor. */
    private final class Stream implements AsyncListener {

        private final TaskId id;
        private final HttpServletResponse res;
        private final Supplier<Outcome<TaskRecord>> lookup;
        private final Function<TaskRecord, Map<String, Object>> wire;
        private final CompletableFuture<Void> closed = new CompletableFuture<>();
        private final List<TaskEvent> early = new ArrayList<>();
        private volatile EventBus.Subscription subscription;
        private volatile ScheduledFuture<?> keepAliveTask;
        private boolean started;
        private boolean finished;
        /** A write failed: the client has gone. */
        private boolean broken;
        private long lastWrite = System.nanoTime();

        Stream(TaskId id, HttpServletResponse res, Supplier<Outcome<TaskRecord>> lookup,
                Function<TaskRecord, Map<String, Object>> wire) {
            this.id = id;
            this.res = res;
            this.lookup = lookup;
            this.wire = wire;
        }

        /** Sends the current status; events that arrived meanwhile follow it, in order. */
        void start(TaskRecord current) {
            boolean done;
            synchronized (this) {
                started = true;
                if (current == null) {
                    done = true;
                } else {
                    send("status", statusData(current.status().wireName(), current.progress(),
                            current.currentStep()));
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
                done |= broken;
            }
            if (done) {
                finish();
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
                done = deliver(event) || broken;
            }
            if (done) {
                finish();
            }
        }

        /** Writes one bus event; true when it was the last. */
        private boolean deliver(TaskEvent event) {
            switch (event.type()) {
                case STATUS:
                    send("status", statusData(event.status().wireName(), event.progress(), event.step()));
                    return false;
                case PROGRESS:
                    Map<String, Object> progress = new LinkedHashMap<>();
                    progress.put("task_id", id.value());
                    progress.put("progress", event.progress());
                    progress.put("current_step", event.step());
                    send("progress", progress);
                    return false;
                case LOG:
                    for (String line : event.lines()) {
                        Map<String, Object> log = new LinkedHashMap<>();
                        log.put("task_id", id.value());
                        log.put("line", line);
                        send("log", log);
                    }
                    return false;
                case DONE:
                    String status = event.status() == null ? null : event.status().wireName();
                    send("status", statusData(status, event.progress(), null));
                    Outcome<TaskRecord> finalRecord = lookup.get();
                    send("done", finalRecord instanceof Outcome.Ok<TaskRecord> ok
                            ? wire.apply(ok.value())
                            : statusData(status, event.progress(), null));
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

        private void send(String event, Map<String, Object> data) {
            write("event: " + event + "\ndata: " + Json.write(data) + "\n\n");
        }

        void keepAlive() {
            boolean gone;
            synchronized (this) {
                if (finished || System.nanoTime() - lastWrite < keepAlive.toNanos() / 2) {
                    return;
                }
                write(": keep-alive\n\n");
                gone = broken;
            }
            if (gone) {
                finish();
            }
        }

        /** Writes a frame; on failure marks the stream broken, for the caller to finish it. */
        private void write(String frame) {
            if (finished || broken) {
                return;
            }
            try {
                res.getOutputStream().write(frame.getBytes(StandardCharsets.UTF_8));
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
