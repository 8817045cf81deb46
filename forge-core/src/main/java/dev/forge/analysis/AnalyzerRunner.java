package dev.forge.analysis;

import dev.forge.InfrastructureException;
import dev.forge.exec.CancellationSource;
import dev.forge.exec.CancellationToken;
import dev.forge.exec.TaskContext;
import dev.forge.task.TaskRecord;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs one analyzer so that its crash stays its own: on a thread of its own with a bounded stack
 * (a {@link StackOverflowError} on absurdly nested code ends that thread, not the worker), within
 * a time limit, catching every {@link Throwable} but the JVM's own failures
 * ({@link VirtualMachineError}s other than {@code StackOverflowError}, e.g. running out of
 * memory), which concern the whole process and propagate. {@link InfrastructureException}s
 * propagate too, so the executor retries the task.
 *
 * <p>A crash is deterministic - the same code crashes the same analyzer again - so it becomes a
 * result (the analyzer is listed as failed with a plain reason), never a retry. The exception
 * itself, whose text may hold paths, class names or internals, goes to the server log only.
 */
final class AnalyzerRunner {

    private static final Logger LOG = LoggerFactory.getLogger(AnalyzerRunner.class);

    /** How one analyzer run ended: a result, or a plain reason why there is none. */
    record Ran(Analyzer.Result result, String failure, long millis) {
        boolean failed() {
            return failure != null;
        }
    }

    private final long stackBytes;
    private final Duration timeout;

    AnalyzerRunner(long stackBytes, Duration timeout) {
        this.stackBytes = stackBytes;
        this.timeout = timeout;
    }

    Ran run(Analyzer analyzer, Analyzer.Input input) {
        CancellationSource own = new CancellationSource();
        input.context().cancellation().onCancel(own::cancel);
        Analyzer.Input scoped = new Analyzer.Input(input.workspace(), input.project(), input.requested(),
                new Scoped(input.context(), own), input.classpath());
        CompletableFuture<Analyzer.Result> future = new CompletableFuture<>();
        Map<String, String> mdc = MDC.getCopyOfContextMap();
        Thread thread = new Thread(null, () -> {
            if (mdc != null) {
                MDC.setContextMap(mdc);
            }
            try {
                future.complete(analyzer.analyze(scoped));
            } catch (Throwable t) { // handed to the pipeline's thread, which decides
                future.completeExceptionally(t);
            }
        }, "forge-analyzer-" + analyzer.name(), stackBytes);
        thread.setDaemon(true);
        long start = System.nanoTime();
        thread.start();
        try {
            Analyzer.Result result = future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return new Ran(result, null, millisSince(start));
        } catch (TimeoutException e) {
            // Ask it to stop; a thread that ignores the request is left to finish on its own.
            own.cancel(CancellationToken.Reason.HARD_TIMEOUT);
            thread.interrupt();
            LOG.warn("analyzer {} did not finish within {}", analyzer.name(), timeout);
            return new Ran(null, "did not finish within " + human(timeout) + " and was stopped",
                    millisSince(start));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            own.cancel(CancellationToken.Reason.SHUTDOWN);
            throw new InfrastructureException("the analysis was interrupted while " + analyzer.name()
                    + " ran", e);
        } catch (ExecutionException e) {
            return failed(analyzer, e.getCause(), input.context(), millisSince(start));
        }
    }

    private static Ran failed(Analyzer analyzer, Throwable cause, TaskContext context, long millis) {
        if (cause instanceof InfrastructureException infrastructure) {
            throw infrastructure;
        }
        if (cause instanceof VirtualMachineError vm && !(cause instanceof StackOverflowError)) {
            throw vm;
        }
        if (cause instanceof CancellationException && context.cancellation().isCancelled()) {
            // stopped on request: the pipeline reports the cancellation
            return new Ran(new Analyzer.Result(java.util.List.of(), Map.of()), null, millis);
        }
        LOG.warn("analyzer {} failed", analyzer.name(), cause);
        if (cause instanceof StackOverflowError) {
            return new Ran(null, "ran out of stack space: some code is nested too deeply for it", millis);
        }
        return new Ran(null, "failed unexpectedly; details are in the server log", millis);
    }

    private static long millisSince(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    static String human(Duration d) {
        if (d.toMillis() % 60_000 == 0) {
            long minutes = d.toMinutes();
            return minutes + (minutes == 1 ? " minute" : " minutes");
        }
        if (d.toMillis() % 1000 == 0) {
            long seconds = d.toSeconds();
            return seconds + (seconds == 1 ? " second" : " seconds");
        }
        return d.toMillis() + " ms";
    }

    /** The task's context with this analyzer's own stop signal (the task's, or its time limit). */
    private record Scoped(TaskContext delegate, CancellationToken cancellation) implements TaskContext {
        @Override
        public TaskRecord task() {
            return delegate.task();
        }

        @Override
        public void progress(int percent, String step) {
            delegate.progress(percent, step);
        }

        @Override
        public void log(String line) {
            delegate.log(line);
        }
    }
}
