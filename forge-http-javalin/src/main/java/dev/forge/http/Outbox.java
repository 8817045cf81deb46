package dev.forge.http;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The frames waiting to go to one streaming client (SSE or WebSocket), bounded, written without
 * ever blocking the thread that queues them.
 *
 * <p>Why: a client that stops reading used to block whichever thread wrote to it - the event
 * bus's delivery thread or the single keep-alive thread - and with it every other stream. Here a
 * frame is only queued; the transport writes asynchronously (one write in flight at a time) and
 * reports completion, which starts the next. Two limits protect the server:
 *
 * <ul>
 *   <li>a <em>buffer</em>: when the queued characters reach it, {@link #full()} tells the feed
 *       to stop queueing (it goes on from the store once the queue drains below half, see
 *       {@link TaskEventFeed}), so a slow reader costs at most about this much memory;</li>
 *   <li>a <em>write deadline</em>: a write that has not completed within it means the client
 *       has stopped reading, and the connection is dropped (closed by the server without a
 *       goodbye). The client may reconnect with its last event id and resume from the store,
 *       so it loses nothing.</li>
 * </ul>
 *
 * <p>All state is guarded by this object's monitor, held only for queue operations and
 * non-blocking transport calls. Callbacks ({@link #onRoom}, {@link #close}) run outside it.
 */
abstract class Outbox {

    private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);

    /** Why the outbox ended; the transport closes accordingly. */
    enum End {
        /** Everything was written after {@link #closeWhenDrained()}: a normal close. */
        DRAINED,
        /** The client did not take a write within the deadline: drop the connection. */
        TOO_SLOW,
        /** A write failed: the client has gone. */
        FAILED,
        /** Ended from outside (server stopping, client closed). */
        CLOSED
    }

    private final long limitChars;
    private final long deadlineNanos;
    private final LongSupplier nanoTime;
    private final ArrayDeque<String> queue = new ArrayDeque<>();
    private long queuedChars;
    private boolean writing;
    private long writingSince;
    private long lastActivity;
    private boolean closeWhenDrained;
    private boolean ended;
    private boolean wantsRoom;
    /** True while {@link #startWrite} runs: a completion reported meanwhile is inline. */
    private boolean starting;
    private boolean completedInline;
    private boolean failedInline;
    private Runnable onRoom = () -> { };

    /**
     * @param limitChars     the buffer: at or above it, {@link #full()} is true
     * @param deadlineMillis longest a single write may take before the client is dropped
     * @param nanoTime       the clock of the deadline ({@code System::nanoTime})
     */
    Outbox(long limitChars, long deadlineMillis, LongSupplier nanoTime) {
        this.limitChars = limitChars;
        this.deadlineNanos = TimeUnit.MILLISECONDS.toNanos(deadlineMillis);
        this.nanoTime = nanoTime;
        this.lastActivity = nanoTime.getAsLong();
    }

    /** The buffer, in characters. */
    final long limitChars() {
        return limitChars;
    }

    /** Sets what runs (outside the monitor) when a full queue has drained below half the buffer. */
    final synchronized void onRoom(Runnable callback) {
        this.onRoom = callback;
    }

    /**
     * Queues one frame (its text as the transport sends it). Never blocks. The frame is queued
     * even if that passes the buffer: the feed checks {@link #full()} before each batch, so the
     * buffer is exceeded by at most one batch.
     *
     * @return false when the outbox has ended or is closing: the feed should stop
     */
    final boolean add(String frame) {
        boolean failed;
        Runnable room;
        synchronized (this) {
            if (ended || closeWhenDrained) {
                return false;
            }
            queue.addLast(frame);
            queuedChars += frame.length();
            failed = pump();
            room = failed ? null : roomLocked();
        }
        if (failed) {
            close(End.FAILED);
            return false;
        }
        if (room != null) {
            room.run();
        }
        return true;
    }

    /** True when the queue has reached the buffer: queue nothing more until {@link #onRoom}. */
    final synchronized boolean full() {
        if (queuedChars >= limitChars) {
            wantsRoom = true;
            return true;
        }
        return false;
    }

    /** True when nothing is queued or being written, and nothing was for {@code quietNanos}. */
    final synchronized boolean quietFor(long quietNanos) {
        return !ended && queue.isEmpty() && !writing && nanoTime.getAsLong() - lastActivity >= quietNanos;
    }

    /** Writes what is queued, then ends with {@link End#DRAINED}; later frames are refused. */
    final void closeWhenDrained() {
        synchronized (this) {
            if (ended) {
                return;
            }
            closeWhenDrained = true;
            if (!queue.isEmpty() || writing) {
                return;
            }
            ended = true;
        }
        close(End.DRAINED);
    }

    /** True when the write in flight is older than the deadline; cheap, for a shared timer. */
    final synchronized boolean overdue() {
        return !ended && writing && nanoTime.getAsLong() - writingSince >= deadlineNanos;
    }

    /**
     * Drops the client if its write in flight is older than the deadline. Closing runs the
     * transport's close on this thread, so a shared timer checks {@link #overdue()} and hands
     * this to a pool.
     *
     * @return true when the client was dropped now
     */
    final boolean checkDeadline() {
        synchronized (this) {
            if (ended || !writing || nanoTime.getAsLong() - writingSince < deadlineNanos) {
                return false;
            }
            endLocked();
        }
        LOG.debug("{} took no write for {} ms; dropping it", this, TimeUnit.NANOSECONDS.toMillis(deadlineNanos));
        close(End.TOO_SLOW);
        return true;
    }

    /** Ends the outbox at once (server stopping, client gone); idempotent. */
    final void end(End why) {
        synchronized (this) {
            if (ended) {
                return;
            }
            endLocked();
        }
        close(why);
    }

    final synchronized boolean hasEnded() {
        return ended;
    }

    /**
     * The transport finished the write in flight: starts the next one, tells {@link #onRoom}
     * when a full queue has drained below half, and ends the outbox when draining was asked for.
     */
    final void written() {
        Runnable room = null;
        End close = null;
        synchronized (this) {
            if (starting) {
                completedInline = true;
                return;
            }
            if (ended) {
                return;
            }
            writing = false;
            lastActivity = nanoTime.getAsLong();
            if (pump()) {
                close = End.FAILED;
            } else if (closeWhenDrained && queue.isEmpty() && !writing) {
                ended = true;
                close = End.DRAINED;
            } else {
                room = roomLocked();
            }
        }
        if (close != null) {
            close(close);
        } else if (room != null) {
            room.run();
        }
    }

    /** The transport's write failed: the client has gone. */
    final void failed(Throwable cause) {
        synchronized (this) {
            if (starting) {
                failedInline = true;
                return;
            }
        }
        LOG.debug("{} failed to write: {}", this, String.valueOf(cause));
        end(End.FAILED);
    }

    /** The room callback to run, once, if a full queue has drained below half. */
    private Runnable roomLocked() {
        if (wantsRoom && queuedChars < limitChars / 2) {
            wantsRoom = false;
            return onRoom;
        }
        return null;
    }

    private void endLocked() {
        ended = true;
        queue.clear();
        queuedChars = 0;
    }

    /**
     * Starts writes, as long as the transport completes them at once, until one is in flight or
     * the queue is empty; with the monitor held.
     *
     * @return true when a write failed: the outbox has ended and the caller closes it with
     *         {@link End#FAILED} after leaving the monitor
     */
    private boolean pump() {
        while (!ended && !writing && !queue.isEmpty()) {
            String chunk = nextChunk();
            writing = true;
            writingSince = nanoTime.getAsLong();
            starting = true;
            completedInline = false;
            failedInline = false;
            boolean done;
            try {
                done = startWrite(chunk);
            } catch (RuntimeException e) {
                LOG.debug("{} failed to start a write: {}", this, e.toString());
                failedInline = true;
                done = false;
            } finally {
                starting = false;
            }
            if (failedInline) {
                endLocked();
                return true;
            }
            if (done || completedInline) {
                writing = false;
                lastActivity = nanoTime.getAsLong();
            }
        }
        return false;
    }

    /** Takes the next chunk to write: one frame, or consecutive frames up to {@link #maxChunkChars}. */
    private String nextChunk() {
        String first = queue.pollFirst();
        queuedChars -= first.length();
        int most = maxChunkChars();
        if (queue.isEmpty() || first.length() >= most) {
            return first;
        }
        StringBuilder chunk = new StringBuilder(first);
        while (!queue.isEmpty() && chunk.length() + queue.peekFirst().length() <= most) {
            String next = queue.pollFirst();
            queuedChars -= next.length();
            chunk.append(next);
        }
        return chunk.toString();
    }

    /**
     * How many characters of consecutive frames one write may combine; 0 for one frame per
     * write (WebSocket messages).
     */
    abstract int maxChunkChars();

    /**
     * Starts writing {@code chunk} without blocking, with the monitor held. The transport calls
     * {@link #written()} when the write completes or {@link #failed} when it fails (either may
     * happen before this returns).
     *
     * @return true when the write has completed already
     */
    abstract boolean startWrite(String chunk);

    /** Closes the connection for {@code why}; called once, outside the monitor. */
    abstract void close(End why);
}
