package dev.forge.testing;

import dev.forge.exec.RunOutcome;
import dev.forge.exec.TaskContext;
import dev.forge.exec.TaskRunner;
import dev.forge.project.ProjectSpec;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A {@link TaskRunner} that tests control: each call takes the next scripted behaviour (the last
 * one repeats), and every call's context is recorded.
 */
public final class ScriptedRunner implements TaskRunner {

    private final Queue<Function<TaskContext, RunOutcome>> script = new ConcurrentLinkedQueue<>();
    private volatile Function<TaskContext, RunOutcome> last = context -> RunOutcome.success(java.util.Map.of());
    private final List<TaskContext> calls = new CopyOnWriteArrayList<>();

    /** Adds the behaviour of the next call. */
    public ScriptedRunner then(Function<TaskContext, RunOutcome> behaviour) {
        script.add(behaviour);
        return this;
    }

    @Override
    public RunOutcome run(ProjectSpec project, TaskContext context) {
        calls.add(context);
        Function<TaskContext, RunOutcome> next = script.poll();
        if (next != null) {
            last = next;
        } else {
            next = last;
        }
        return next.apply(context);
    }

    /**
     * Waits until the runner has been called {@code count} times. A task shows {@code running}
     * from the lease that started it, a moment before its worker calls the runner (it looks up
     * the project first): a test that acts on a running runner waits for this, not for the status.
     */
    public void awaitCalls(int count, java.time.Duration timeout) {
        Await.until(() -> calls.size() >= count, timeout, count + " call(s) of the runner");
    }

    /** Contexts of the calls so far. */
    public List<TaskContext> calls() {
        return List.copyOf(calls);
    }
}
