package dev.forge.builds;

import dev.forge.exec.RunOutcome;
import dev.forge.exec.TaskContext;
import dev.forge.exec.TaskRunner;
import dev.forge.project.ProjectSpec;

/**
 * Port: runs one build attempt (clone, steps, collect) in a fresh workspace. Must stop promptly
 * when the context's token is cancelled and leave no process behind.
 */
@FunctionalInterface
public interface BuildRunner extends TaskRunner {

    /**
     * Runs the build.
     *
     * @return success, or a failure that is the build's own result (e.g. a step exited non-zero)
     * @throws dev.forge.InfrastructureException when something outside the build failed; retried
     */
    @Override
    RunOutcome run(ProjectSpec project, TaskContext context);
}
