package dev.forge.http;

import dev.forge.Outcome;
import dev.forge.events.EventBus;
import dev.forge.store.TaskStore;
import dev.forge.task.TaskId;
import dev.forge.task.TaskRecord;
import io.javalin.http.Context;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.EndPoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server-sent events of one task: the frames of a {@link TaskEventFeed} (status, the log, live
 * progress, log and status, a final {@code done}), each with the id {@code <version>-<line>}
 * ({@link StreamPosition}). A client reconnecting with {@code Last-Event-ID} resumes after it; a
 * resumed stream of a task that has finished and has nothing new answers 204, which tells a
 * browser's EventSource to stop reconnecting.
 *
 * <p>Writes are non-blocking (the servlet's {@link WriteListener}): frames wait in the stream's
 * bounded {@link Outbox}, and a client that takes no write within the write deadline is dropped
 * ({@link StreamLimits}). Idle streams get keep-alive comments from one shared timer, which
 * only queues them and so is never held up by a client. The request runs asynchronously, so an
 * open stream holds no server thread.
 */
final class EventStreams implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EventStreams.class);
    /** Consecutive frames one write may combine. */
    private static final int CHUNK_CHARS = 64 * 1024;
    private static final String KEEP_ALIVE = ": keep-alive\n\n";

    private final EventBus events;
    private final TaskStore store;
    private final ScheduledExecutorService scheduler;
    private final Duration keepAlive;
    private final StreamLimits limits;
    private final Set<Stream> open = ConcurrentHashMap.newKeySet();

    EventStreams(EventBus events, TaskStore store, ScheduledExecutorService scheduler, Duration keepAlive,
            StreamLimits limits) {
        this.events = events;
        this.store = store;
        this.scheduler = scheduler;
        this.keepAlive = keepAlive;
        this.limits = limits;
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
        TaskEventFeed.Resume resume = TaskEventFeed.resume(store, found,
                StreamPosition.parse(ctx.header("Last-Event-ID")));
        if (resume == TaskEventFeed.Resume.UP_TO_DATE) {
            ctx.status(204); // finished and nothing new: stop the client's reconnecting
            return;
        }

        HttpServletResponse res = ctx.res();
        res.setStatus(200);
        res.setCharacterEncoding("UTF-8");
        res.setContentType("text/event-stream");
        res.setHeader("Cache-Control", "no-cache");
        res.setHeader("X-Accel-Buffering", "no");
        AsyncContext async = ctx.req().startAsync();
        async.setTimeout(0);

        Stream stream = new Stream(id, ctx.req());
        async.addListener(stream);
        open.add(stream);
        limits.watch(stream.outbox);
        try {
            stream.outbox.listen(res.getOutputStream());
        } catch (IOException e) {
            stream.outbox.end(Outbox.End.FAILED);
        }
        stream.outbox.add(""); // commits the headers now, even if nothing follows for a while
        stream.feed = TaskEventFeed.open(events, store, id, lookup, wire, stream.outbox,
                TaskEventFeed.FrameFormat.SSE, resume.from(), limits.refills());
        if (!stream.outbox.hasEnded()) {
            long period = keepAlive.toMillis();
            stream.keepAliveTask = scheduler.scheduleWithFixedDelay(stream::keepAlive, period, period,
                    TimeUnit.MILLISECONDS);
            if (stream.closed.isDone()) {
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
            stream.outbox.end(Outbox.End.CLOSED);
        }
    }

    /** One open stream: its feed, its outbox, its keep-alive. */
    private final class Stream implements AsyncListener {

        private final TaskId id;
        /** The connection, closed at once when the client is too slow. */
        private final EndPoint endPoint;
        private final SseOutbox outbox = new SseOutbox(this);
        private final CompletableFuture<Void> closed = new CompletableFuture<>();
        private volatile TaskEventFeed feed;
        private volatile ScheduledFuture<?> keepAliveTask;

        Stream(TaskId id, HttpServletRequest request) {
            this.id = id;
            this.endPoint = ServletContextRequest.getServletContextRequest(request).getServletChannel().getEndPoint();
        }

        /** Runs on the shared timer: queues a comment on a stream quiet for half the interval. */
        void keepAlive() {
            if (outbox.quietFor(keepAlive.toNanos() / 2)) {
                outbox.add(KEEP_ALIVE);
            }
        }

        /** The outbox has ended: release everything and let the request complete. */
        void finish(Outbox.End why) {
            TaskEventFeed f = feed;
            if (f != null) {
                f.close();
            }
            ScheduledFuture<?> task = keepAliveTask;
            if (task != null) {
                task.cancel(false);
            }
            limits.forget(outbox);
            open.remove(this);
            // Javalin completes the request first, while it still exists; then a slow client's
            // connection is closed under its pending write (completing alone would wait for it).
            closed.complete(null);
            if (why == Outbox.End.TOO_SLOW) {
                limits.dropped("sse");
                try {
                    endPoint.close();
                } catch (RuntimeException e) {
                    LOG.debug("closing the slow event stream of {} failed", id, e);
                }
            }
        }

        @Override
        public void onComplete(AsyncEvent event) {
            outbox.end(Outbox.End.CLOSED);
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            outbox.end(Outbox.End.CLOSED);
        }

        @Override
        public void onError(AsyncEvent event) {
            outbox.end(Outbox.End.FAILED);
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
            // nothing to do: the stream was set up before async started
        }

        @Override
        public String toString() {
            return "event stream of " + id;
        }
    }

    /**
     * The outbox of one stream over the servlet's non-blocking output: a chunk is written, then
     * flushed, each step continuing in {@link #onWritePossible} when the socket cannot take it
     * at once.
     */
    private final class SseOutbox extends Outbox implements WriteListener {

        private final Stream stream;
        private ServletOutputStream out;
        /** The chunk not yet handed to the output stream; guarded by the outbox's monitor. */
        private byte[] toWrite;
        /** A flush is due after the write; guarded by the outbox's monitor. */
        private boolean toFlush;

        SseOutbox(Stream stream) {
            super(limits.bufferChars(), limits.deadlineMillis(), System::nanoTime);
            this.stream = stream;
        }

        /** Switches the response to non-blocking writes; before the first frame. */
        synchronized void listen(ServletOutputStream output) {
            this.out = output;
            output.setWriteListener(this);
        }

        @Override
        int maxChunkChars() {
            return CHUNK_CHARS;
        }

        @Override
        boolean startWrite(String chunk) {
            if (out == null) {
                throw new IllegalStateException("no output stream");
            }
            toWrite = chunk.getBytes(StandardCharsets.UTF_8);
            try {
                return advance();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Writes, then flushes, while the output is ready; true when both are done. */
        private boolean advance() throws IOException {
            while (out.isReady()) {
                if (toWrite != null) {
                    byte[] bytes = toWrite;
                    toWrite = null;
                    toFlush = true;
                    out.write(bytes);
                } else if (toFlush) {
                    toFlush = false;
                    out.flush();
                } else {
                    return true;
                }
            }
            return false; // the container calls onWritePossible when it can go on
        }

        @Override
        public void onWritePossible() {
            boolean done;
            try {
                synchronized (this) {
                    if (out == null || (toWrite == null && !toFlush)) {
                        return; // nothing in flight (the container's first call)
                    }
                    done = advance();
                }
            } catch (IOException | RuntimeException e) {
                failed(e);
                return;
            }
            if (done) {
                written();
            }
        }

        @Override
        public void onError(Throwable failure) {
            failed(failure);
        }

        @Override
        void close(End why) {
            stream.finish(why);
        }

        @Override
        public String toString() {
            return stream.toString();
        }
    }
}
