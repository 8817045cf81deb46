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

    /** Contexts of the calls so far. */
    public List<TaskContext> calls() {
        return List.copyOf(calls);
    }
}
