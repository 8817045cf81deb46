package dev.forge.exec;

import dev.forge.project.ProjectSpec;

/**
 * What the executor calls to run one attempt of a task of one kind. A {@link
 * dev.forge.builds.BuildRunner} is one (as {@code runner::run}); so is the analysis pipeline.
 */
@FunctionalInterface
public interface TaskRunner {

    /**
     * Runs one attempt.
     *
     * @return success, or a failure that is the task's own result (not retried)
     * @throws dev.forge.InfrastructureException when something outside the task failed (retried)
     * @throws dev.forge.project.ProjectConfigException when the project is misconfigured (not retried)
     */
    RunOutcome run(ProjectSpec project, TaskContext context);
}
