package dev.forge.process;

import dev.forge.InfrastructureException;
import dev.forge.Internal;
import dev.forge.exec.CancellationToken;
import dev.forge.exec.CancellationToken.Reason;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one external program under a {@link CancellationToken}: an argv list (never a shell
 * string), exactly the given environment, stdin at end-of-file, stdout and stderr read
 * concurrently and delivered line by line, and the whole process tree stopped on a stop request.
 *
 * <p>On a stop request the process and all its descendants are snapshotted <em>before</em> any
 * signal, so a child cannot escape by being re-parented; then each gets SIGTERM, and survivors
 * get SIGKILL once the grace period is over. {@link Reason#HARD_TIMEOUT} kills at once.
 * {@link #run} returns only when the tree is gone. Processes a program leaves running after it
 * exits normally are stopped the same way, as far as they were seen while it ran (descendants
 * are sampled a few times a second).
 *
 * <p>Used by workspaces (git clone) and the build runner (steps); thread-safe.
 */
@Internal
public final class ProcessSupervisor {

    /** Default time between SIGTERM and SIGKILL. */
    public static final Duration DEFAULT_GRACE_PERIOD = Duration.ofSeconds(5);
    /** Default cap on the length of one output line, in chars. */
    public static final int DEFAULT_MAX_LINE_LENGTH = 8192;

    private static final Logger LOG = LoggerFactory.getLogger(ProcessSupervisor.class);
    private static final long POLL_MILLIS = 200;
    private static final long SETTLE_POLL_MILLIS = 10;
    private static final Duration KILL_WAIT = Duration.ofSeconds(2);
    private static final Duration READER_DRAIN = Duration.ofSeconds(2);
    private static final File NULL_INPUT = new File(
            System.getProperty("os.name", "").startsWith("Windows") ? "NUL" : "/dev/null");

    private final Duration gracePeriod;
    private final int maxLineLength;

    /**
     * Creates a supervisor.
     *
     * @param gracePeriod   time between SIGTERM and SIGKILL; zero kills at once
     * @param maxLineLength longer output lines are cut and marked
     */
    public ProcessSupervisor(Duration gracePeriod, int maxLineLength) {
        Objects.requireNonNull(gracePeriod, "gracePeriod");
        if (gracePeriod.isNegative()) {
            throw new IllegalArgumentException("gracePeriod must not be negative, was " + gracePeriod);
        }
        if (maxLineLength < 1) {
            throw new IllegalArgumentException("maxLineLength must be >= 1, was " + maxLineLength);
        }
        this.gracePeriod = gracePeriod;
        this.maxLineLength = maxLineLength;
    }

    /**
     * How a supervised run ended.
     *
     * @param exitCode  the program's exit code (128 + signal when it was killed)
     * @param duration  wall time from start to the tree being gone
     * @param stoppedBy the stop request that ended it, or null when it ended by itself
     * @param leftoversStopped processes left running after a normal exit that were stopped
     */
    public record Result(int exitCode, Duration duration, Reason stoppedBy, int leftoversStopped) {
        /** Validates the result. */
        public Result {
            Objects.requireNonNull(duration, "duration");
        }

        /** True when a stop request ended the program. */
        public boolean stopped() {
            return stoppedBy != null;
        }
    }

    /**
     * Runs {@code command} in {@code directory} with exactly {@code environment}, delivering each
     * output line to {@code lines} (one line at a time, never after this method returns).
     *
     * @throws IOException if the program could not be started (e.g. not found)
     * @throws InfrastructureException if the calling thread is interrupted (the tree is killed)
     */
    public Result run(List<String> command, Path directory, Map<String, String> environment,
            CancellationToken token, Consumer<String> lines) throws IOException {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(lines, "lines");
        ProcessBuilder builder = new ProcessBuilder(List.copyOf(command))
                .directory(directory.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(NULL_INPUT));
        builder.environment().clear();
        builder.environment().putAll(environment);

        long started = System.nanoTime();
        Process process = builder.start();
        Sink sink = new Sink(lines);
        Thread out = startReader(process.getInputStream(), sink, "out", process.pid());
        Thread err = startReader(process.getErrorStream(), sink, "err", process.pid());
        Supervision supervision = new Supervision(process);
        token.onCancel(supervision);
        try {
            int leftovers = supervision.await();
            drain(process, sink, out, err);
            return new Result(process.exitValue(), Duration.ofNanos(System.nanoTime() - started),
                    supervision.stoppedBy(), leftovers);
        } finally {
            sink.close();
        }
    }

    private Thread startReader(InputStream stream, Sink sink, String which, long pid) {
        LinePump pump = new LinePump(maxLineLength, sink);
        Thread thread = new Thread(() -> {
            try {
                pump.pump(stream);
            } catch (IOException e) {
                // the stream was closed under us after the process ended; nothing more to read
                LOG.debug("output of pid {} closed: {}", pid, e.getMessage());
            }
        }, "forge-proc-" + pid + "-" + which);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** Waits for the readers; a process that escaped the tree may hold the pipe open, so bounded. */
    private static void drain(Process process, Sink sink, Thread out, Thread err) {
        long deadline = System.nanoTime() + READER_DRAIN.toNanos();
        boolean interrupted = false;
        for (Thread reader : List.of(out, err)) {
            long left = deadline - System.nanoTime();
            try {
                if (left > 0) {
                    reader.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (out.isAlive() || err.isAlive()) {
            sink.accept("[forge] output still open after the process ended; stopped reading it");
            closeQuietly(process.getInputStream());
            closeQuietly(process.getErrorStream());
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(InputStream stream) {
        try {
            stream.close();
        } catch (IOException e) {
            LOG.debug("closing process output failed: {}", e.getMessage());
        }
    }

    /**
     * True when the process runs: alive and not a zombie. A killed grandchild is re-parented to
     * init and stays a zombie until init reaps it, which some container inits do lazily; the
     * JDK still calls such a process alive although it can do nothing any more.
     */
    static boolean isRunning(ProcessHandle handle) {
        if (!handle.isAlive()) {
            return false;
        }
        Path stat = Path.of("/proc", Long.toString(handle.pid()), "stat");
        try {
            String text = Files.readString(stat);
            int close = text.lastIndexOf(')');
            if (close < 0 || close + 2 >= text.length()) {
                return true;
            }
            char state = text.charAt(close + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException | UncheckedIOException e) {
            // no procfs (macOS) or the process just went away: trust the JDK
            return handle.isAlive();
        }
    }

    /** Delivers lines one at a time, and none after the run returned. */
    private static final class Sink implements Consumer<String> {
        private final Consumer<String> target;
        private boolean closed;

        Sink(Consumer<String> target) {
            this.target = target;
        }

        @Override
        public synchronized void accept(String line) {
            if (!closed) {
                target.accept(line);
            }
        }

        synchronized void close() {
            closed = true;
        }
    }

    /** The stop logic for one process tree; also the token's cancel callback. */
    private final class Supervision implements Consumer<Reason> {
        private final Process process;
        private final Set<ProcessHandle> seen = new LinkedHashSet<>();
        private Reason stoppedBy;
        private boolean terminating;
        private long killAtNanos;
        private boolean finished;

        Supervision(Process process) {
            this.process = process;
        }

        /** The token's callback: runs on the requesting thread, so it only signals. */
        @Override
        public synchronized void accept(Reason reason) {
            if (finished) {
                return;
            }
            if (stoppedBy == null) {
                stoppedBy = reason;
            }
            boolean now = reason == Reason.HARD_TIMEOUT || gracePeriod.isZero();
            List<ProcessHandle> tree = snapshot();
            if (now) {
                killAtNanos = System.nanoTime();
                terminating = true;
                tree.forEach(ProcessHandle::destroyForcibly);
            } else if (!terminating) {
                terminating = true;
                killAtNanos = System.nanoTime() + gracePeriod.toNanos();
                tree.forEach(ProcessHandle::destroy);
            }
        }

        synchronized Reason stoppedBy() {
            return stoppedBy;
        }

        /**
         * Waits for the root, then for the rest of the tree.
         *
         * @return how many leftover processes of a normal exit had to be stopped
         */
        int await() {
            try {
                while (!process.waitFor(POLL_MILLIS, TimeUnit.MILLISECONDS)) {
                    synchronized (this) {
                        snapshot();
                        if (terminating && System.nanoTime() - killAtNanos >= 0) {
                            running().forEach(ProcessHandle::destroyForcibly);
                        }
                    }
                }
                return settle();
            } catch (InterruptedException e) {
                // the worker is being torn down: leave nothing behind, then let it go
                accept(Reason.HARD_TIMEOUT);
                settleUninterruptibly();
                Thread.currentThread().interrupt();
                throw new InfrastructureException("interrupted while running " + process.info()
                        .command().orElse("a process"), e);
            }
        }

        private int settleUninterruptibly() {
            boolean interrupted = Thread.interrupted();
            try {
                return settle();
            } catch (InterruptedException e) {
                return 0;
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        private int settle() throws InterruptedException {
            int leftovers = 0;
            synchronized (this) {
                if (stoppedBy == null) {
                    List<ProcessHandle> left = running();
                    leftovers = left.size();
                    if (leftovers > 0) {
                        // a normal exit that left children behind: stop them like a cancel would
                        terminating = true;
                        killAtNanos = System.nanoTime() + gracePeriod.toNanos();
                        left.forEach(gracePeriod.isZero() ? ProcessHandle::destroyForcibly
                                : ProcessHandle::destroy);
                    }
                }
                if (stoppedBy == null && leftovers == 0) {
                    finished = true;
                    return 0;
                }
            }
            long giveUpAt = Long.MIN_VALUE;
            while (true) {
                List<ProcessHandle> left;
                synchronized (this) {
                    left = running();
                    if (left.isEmpty()) {
                        finished = true;
                        return leftovers;
                    }
                    if (System.nanoTime() - killAtNanos >= 0) {
                        left.forEach(ProcessHandle::destroyForcibly);
                        if (giveUpAt == Long.MIN_VALUE) {
                            giveUpAt = System.nanoTime() + KILL_WAIT.toNanos();
                        }
                    }
                    if (giveUpAt != Long.MIN_VALUE && System.nanoTime() - giveUpAt >= 0) {
                        finished = true;
                        LOG.warn("{} process(es) of pid {} still running after SIGKILL: {}",
                                left.size(), process.pid(), left);
                        return leftovers;
                    }
                }
                Thread.sleep(SETTLE_POLL_MILLIS);
            }
        }

        /** Adds the current descendants to what was seen; returns the tree, root first. */
        private List<ProcessHandle> snapshot() {
            List<ProcessHandle> tree = new ArrayList<>();
            if (process.isAlive()) {
                // the root first, so it cannot react to its children's deaths by starting more
                tree.add(process.toHandle());
            }
            process.descendants().forEach(seen::add);
            for (ProcessHandle handle : seen) {
                if (handle.isAlive()) {
                    tree.add(handle);
                }
            }
            return tree;
        }

        /** Everything seen that still runs, plus anything those started since. */
        private List<ProcessHandle> running() {
            List<ProcessHandle> left = new ArrayList<>();
            for (ProcessHandle handle : List.copyOf(seen)) {
                if (isRunning(handle)) {
                    left.add(handle);
                    handle.descendants().forEach(child -> {
                        if (seen.add(child) && isRunning(child)) {
                            left.add(child);
                        }
                    });
                }
            }
            if (isRunning(process.toHandle())) {
                left.add(0, process.toHandle());
            }
            return left;
        }
    }
}
